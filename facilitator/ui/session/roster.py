"""The roster beside every part: attendance, arrival and departure, in person or telehealth,
and late joiners."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QHeaderView, QLabel, QVBoxLayout, QWidget

from facilitator.domain.changes import Changes
from facilitator.domain.enums import AttendanceStatus, Location
from facilitator.domain.errors import FacilitatorError
from facilitator.domain.records import GroupInfo, SessionRecord
from facilitator.domain.rules import parse_clock_time
from facilitator.services import sessions
from facilitator.ui.conflict import SHOWN, resolve_cell
from facilitator.ui.session.context import AMBER, SessionContext, button, tint
from facilitator.ui.session.grid import ChoiceDelegate, KeyboardGrid
from facilitator.ui.session.models import LOCATION_LABELS, STATUS_LABELS, RosterModel


class JoinerChoices(QComboBox):
    """The late-joiner list, read when the facilitator goes to it (not on every open)."""

    def __init__(self, fill: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fill = fill
        self.stale = True

    def refill(self) -> None:
        if self.stale:
            self.stale = False
            self._fill()

    def showPopup(self) -> None:
        self.refill()
        super().showPopup()

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.refill()
        super().focusInEvent(event)


class RosterPanel(QWidget):
    def __init__(self, ctx: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        column = QVBoxLayout(self)
        self.present_label = QLabel("", self)
        self.present_label.setAccessibleName("Present count")
        self._over: bool | None = None
        self.model = RosterModel(self._commit, self)
        self.model.message.connect(ctx.cell_said)
        self.view = KeyboardGrid("Roster and attendance", self)
        self.view.setModel(self.model)
        statuses = [(s.value, STATUS_LABELS[s]) for s in AttendanceStatus]
        self.view.setItemDelegateForColumn(
            self.model.column("status"), ChoiceDelegate(statuses, self.view)
        )
        places = [(loc.value, label) for loc, label in LOCATION_LABELS.items()]
        self.view.setItemDelegateForColumn(
            self.model.column("location"), ChoiceDelegate(places, self.view)
        )
        # Widths from the longest word each column shows, not by measuring every cell.
        measure = self.view.fontMetrics().horizontalAdvance
        for name, widest in (
            ("status", "Left early"),
            ("arrival", "Arrived"),
            ("departure", "00:00"),
            ("location", "Telehealth"),
        ):
            self.view.setColumnWidth(self.model.column(name), measure(widest) + 14)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.joiner = JoinerChoices(self._fill_joiners, self)
        self.joiner.setAccessibleName("Late joiner")
        self.joiner.setEditable(True)
        self.joiner.setToolTip("Members enrolled since the session started; or type any name")
        self.add_joiner = button("Add &late joiner", "Add late joiner", self._add_joiner, self)
        joiner_row = QHBoxLayout()
        joiner_row.addWidget(self.joiner, 1)
        joiner_row.addWidget(self.add_joiner)
        column.addWidget(self.present_label)
        column.addWidget(self.view, 1)
        column.addLayout(joiner_row)

    def update_from(self, record: SessionRecord, group: GroupInfo, changes: Changes | None) -> None:
        self.model.set_locked(self.ctx.locked)
        self.model.sync_rows(record.attendance)
        present = len(record.present)
        self.present_label.setText(
            f"Present {present} of {len(record.attendance)} on the roster "
            f"(soft cap {group.soft_capacity})"
        )
        over = present > group.soft_capacity
        if self._over is not over:  # re-tinting is not free
            self._over = over
            tint(self.present_label, AMBER if over else None)
        if changes is None or changes.enrollments or changes.members or changes.attendance:
            self.joiner.stale = True
            if self.joiner.hasFocus() or self.joiner.view().isVisible():
                self.joiner.refill()
        for widget in (self.add_joiner, self.joiner):
            widget.setEnabled(not self.ctx.locked)

    def _fill_joiners(self) -> None:
        typed = self.joiner.currentText() if self.joiner.hasFocus() else ""
        self.joiner.blockSignals(True)
        self.joiner.clear()
        for member in sessions.late_joiner_choices(self.ctx.session_id):
            self.joiner.addItem(f"{member.display_name} ({member.record_number})", member.id)
        self.joiner.setCurrentIndex(-1)
        self.joiner.setEditText(typed)
        self.joiner.blockSignals(False)

    def _commit(self, member_id: int, column: str, value: Any, seen: object = SHOWN) -> str | None:
        """Save one cell; ``seen`` as in CheckInPart._commit."""
        about = ("roster", member_id, column)
        try:
            change: dict[str, Any] = {}
            if column == "status":
                change["status"] = AttendanceStatus(value)
            elif column in ("arrival", "departure"):
                text = str(value).strip()
                change[column] = parse_clock_time(column, text) if text else None
            else:
                change["location"] = Location(value)
        except FacilitatorError as exc:
            self.ctx.say(exc.message, about)
            return exc.message
        if seen is SHOWN:
            seen = getattr(self.model.rows[self.model.row_of(member_id) or 0], column)
        problem = self.ctx.run(
            about,
            sessions.record_attendance,
            self.ctx.ws,
            self.ctx.session_id,
            member_id,
            seen={column: seen},
            **change,
        )
        if self.ctx.conflict is not None:
            resolve_cell(self, self.ctx.conflict, column, partial(self._commit, member_id, column))
        return problem

    def _add_joiner(self) -> None:
        chosen = self.joiner.currentData()
        text = self.joiner.currentText()
        if chosen is None or text != self.joiner.itemText(self.joiner.currentIndex()):
            try:
                chosen = sessions.find_late_joiner(self.ctx.session_id, text).id
            except FacilitatorError as exc:
                self.ctx.say(exc.message, "late joiner")
                return
        if (
            self.ctx.run(
                "late joiner", sessions.add_late_joiner, self.ctx.ws, self.ctx.session_id, chosen
            )
            is None
        ):
            self.joiner.setEditText("")
