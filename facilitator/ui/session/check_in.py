"""Check-in: one row per member present (mood, craving, use, safety, last homework, current
issue), filled from the keyboard, and the chosen member's homework review under it."""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtWidgets import QHeaderView, QLabel, QVBoxLayout, QWidget

from facilitator.domain.changes import Changes
from facilitator.domain.enums import ReviewStatus, Track, UseSinceLast
from facilitator.domain.errors import FacilitatorError
from facilitator.domain.records import (
    CheckInRecord,
    OutstandingAssignment,
    SessionRecord,
)
from facilitator.domain.rules import parse_rating
from facilitator.services import homework, sessions
from facilitator.ui.conflict import SHOWN, resolve_cell
from facilitator.ui.session.context import SessionContext
from facilitator.ui.session.grid import ChoiceDelegate, KeyboardGrid, NoteDelegate
from facilitator.ui.session.models import (
    REVIEW_CHOICES,
    USE_LABELS,
    CheckInModel,
    CheckInRow,
)
from facilitator.ui.session.review_panel import HomeworkReviewPanel, Shown

MENTAL_HEALTH_HIDDEN = ("craving", "use_since_last", "use_detail")
FOLLOW_UP_FITS = 28  # characters of a follow-up that fit its column on one line
WIDTHS = {"safety_follow_up": 220, "homework": 170, "current_issue": 220, "use_detail": 130}


def _empty(member_id: int) -> CheckInRecord:
    return CheckInRecord(member_id, None, None, UseSinceLast.NOT_ASKED, "", False, "", "", "")


YES = ("yes", "true", "1")  # a safety concern typed back in the conflict view


class CheckInPart(QWidget):
    def __init__(self, ctx: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        # Each member's homework from earlier sessions not yet reviewed (read when they appear).
        self.outstanding: dict[int, tuple[OutstandingAssignment, ...]] = {}
        column = QVBoxLayout(self)
        column.addWidget(
            QLabel(
                "Check-in: one row per member present. Type to fill a cell; Enter saves and moves "
                "down, Tab moves across.",
                self,
            )
        )
        self.model = CheckInModel(self._commit, self)
        self.model.message.connect(ctx.cell_said)
        self.view = KeyboardGrid("Check-in grid", self)
        self.view.setModel(self.model)
        self._delegates()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for name, width in WIDTHS.items():
            self.view.setColumnWidth(self.model.column(name), width)
        column.addWidget(self.view, 1)
        self.review_panel = HomeworkReviewPanel(self._review, self)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._show_review())
        column.addWidget(self.review_panel)

    def _delegates(self) -> None:
        column, view = self.model.column, self.view
        uses = [
            (u.value, USE_LABELS[u])
            for u in (UseSinceLast.NO, UseSinceLast.YES, UseSinceLast.DECLINED)
        ]
        view.setItemDelegateForColumn(column("use_since_last"), ChoiceDelegate(uses, view))
        view.setItemDelegateForColumn(
            column("safety_concern"), ChoiceDelegate([(False, "No"), (True, "Yes")], view)
        )
        reviews = [(value, label) for value, label in REVIEW_CHOICES.items() if value]
        view.setItemDelegateForColumn(column("homework"), ChoiceDelegate(reviews, view))
        view.setItemDelegateForColumn(column("safety_follow_up"), NoteDelegate(view))

    # ------------------------------------------------------------------------- showing

    def update_from(self, record: SessionRecord, changes: Changes | None) -> None:
        present = [a.member_id for a in record.present]
        stale = set(present) - set(self.outstanding)
        if changes is None:
            stale = set(present)
        elif record.id in changes.sessions:
            stale |= changes.reviews & set(present)
        if stale and not self.ctx.locked:
            found = homework.outstanding_for_members(sorted(stale), record.date)
            self.outstanding.update({m: tuple(found.get(m, ())) for m in stale})
        check_ins = {c.member_id: c for c in record.check_ins}
        rows = [
            CheckInRow(
                a.member_id,
                a.display_name,
                check_ins.get(a.member_id) or _empty(a.member_id),
                () if self.ctx.locked else self.outstanding.get(a.member_id, ()),
                tuple(r for r in record.reviews if r.member_id == a.member_id),
            )
            for a in record.present
        ]
        self.model.set_locked(self.ctx.locked)
        self.model.sync_rows(rows)
        for number, row in enumerate(rows):  # a follow-up written out is shown whole
            if changes is None or row.member_id in changes.check_ins:
                text = row.check_in.safety_follow_up
                self.view.fit_row(number, "\n" in text or len(text) > FOLLOW_UP_FITS)
        hidden = record.track is Track.MENTAL_HEALTH
        for name in MENTAL_HEALTH_HIDDEN:
            self.view.setColumnHidden(self.model.column(name), hidden)
        if self.view.currentIndex().isValid() or not rows:
            self._show_review()
        else:  # the first member's row, ready for typing
            self.view.setCurrentIndex(self.model.index(0, 0))

    def _show_review(self) -> None:
        index = self.view.currentIndex()
        rows = self.model.rows
        row = rows[index.row()] if index.isValid() and index.row() < len(rows) else None
        self.review_panel.show_row(row, self.ctx.locked)

    # ------------------------------------------------------------------------- saving

    def _commit(self, member_id: int, column: str, value: Any, seen: object = SHOWN) -> str | None:
        """Save one cell; ``seen``: what the seat showed there as stored (by default what the
        grid shows now; the conflict view gives theirs once its user has read it)."""
        about = ("check-in", member_id, column)
        ws, session_id = self.ctx.ws, self.ctx.session_id
        row = self.model.rows[self.model.row_of(member_id) or 0]
        if column == "homework":
            marks = dict.fromkeys(row.assignment_ids, (ReviewStatus(value), None))
            return self.ctx.run(
                about, homework.review_at_check_in, ws, session_id, member_id, marks
            )
        try:
            if column in ("mood", "craving"):
                given: Any = parse_rating(column, value)
            elif column == "use_since_last":
                given = UseSinceLast(value)
            elif column == "safety_concern":
                given = value if isinstance(value, bool) else str(value).lower() in YES
            else:
                given = str(value)
        except FacilitatorError as exc:
            self.ctx.say(exc.message, about)
            return exc.message
        if seen is SHOWN:
            seen = getattr(row.check_in, column)
        problem = self.ctx.run(
            about,
            sessions.record_check_in,
            ws,
            session_id,
            member_id,
            seen={column: seen},
            **{column: given},
        )
        if self.ctx.conflict is not None:
            resolve_cell(self, self.ctx.conflict, column, partial(self._commit, member_id, column))
        return problem

    def _review(
        self, assignment_id: int, status: ReviewStatus, comment: str, shown: Shown
    ) -> str | None:
        member_id = self.review_panel.member_id
        if member_id is None:
            return None
        problem = self.ctx.run(
            ("review", assignment_id),
            homework.review_at_check_in,
            self.ctx.ws,
            self.ctx.session_id,
            member_id,
            {assignment_id: (status, comment)},
            seen={assignment_id: shown},
        )
        if self.ctx.conflict is not None:
            self.review_panel.refused(assignment_id, self.ctx.conflict)
        return problem
