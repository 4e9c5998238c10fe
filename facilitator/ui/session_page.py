"""The session runner: check-in, skill work, summary and homework, notes, review and sign.

Everything shown comes from the session's record, reloaded after each change; every edit
goes to a service at once (grids) or a moment after typing pauses (text), so there is no Save
button and a crash loses at most the last moment of typing.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from facilitator.domain.checklist import missing_before_signing, note_warnings
from facilitator.domain.enums import (
    PHASE_ORDER,
    AttendanceStatus,
    Location,
    Participation,
    Phase,
    ReviewStatus,
    Role,
    SessionState,
    Track,
    UseSinceLast,
)
from facilitator.domain.errors import FacilitatorError, InvalidInput
from facilitator.domain.notes import prefill_note
from facilitator.domain.records import CheckInRecord, SessionRecord
from facilitator.domain.rules import parse_clock_time, to_local, utcnow
from facilitator.services import accounts, home, homework, library, roster, sessions, signing
from facilitator.services.workspace import Workspace
from facilitator.ui.autosave import Autosaver
from facilitator.ui.delegates import ChoiceDelegate
from facilitator.ui.review_panel import HomeworkReviewPanel
from facilitator.ui.session_models import (
    LOCATION_LABELS,
    REVIEW_LABELS,
    STATUS_LABELS,
    USE_LABELS,
    CheckInModel,
    CheckInRow,
    RosterModel,
    review_summary,
)

NOTES, SIGN = "notes", "sign"
PARTS: tuple[tuple[str, str], ...] = (
    *((p.value, p.label) for p in PHASE_ORDER),
    (NOTES, "Notes"),
    (SIGN, "Review & sign"),
)
AMBER = "color: #b36b00; font-weight: bold;"
# Typing into a grid cell starts editing it, as in a spreadsheet; F2 and a double click do too.
KEYBOARD_FIRST = (
    QAbstractItemView.EditTrigger.AnyKeyPressed
    | QAbstractItemView.EditTrigger.EditKeyPressed
    | QAbstractItemView.EditTrigger.DoubleClicked
    | QAbstractItemView.EditTrigger.SelectedClicked
)


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


class SessionPage(QWidget):
    """One session, from the first check-in to the signature."""

    closed = Signal()

    def __init__(
        self, ws: Workspace, session_id: int, part: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ws, self.session_id = ws, session_id
        self.record: SessionRecord
        self.warnings: list[str] = []
        self._suggestion: int | bool | None = False  # looked up once per page, when first needed
        self.autosavers: list[Autosaver] = []
        self.note_member: int | None = None
        self._preview: QDialog | None = None
        self._build()
        sessions.view(ws, session_id)  # opening a session is a viewing, noted in the trail
        self.reload()
        self.show_part(part or self._resume_part(), record_time=False)
        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self._tick)
        self.clock.start()

    # ------------------------------------------------------------------------- building

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        steps = self._build_header()
        layout.addLayout(self.header_title)
        layout.addLayout(steps)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self._build_roster())
        self.parts = QStackedWidget(self)
        for builder in (
            self._build_check_in,
            self._build_skill,
            self._build_summary,
            self._build_notes,
            self._build_sign,
        ):
            self.parts.addWidget(builder())
        split.addWidget(self.parts)
        split.setStretchFactor(1, 3)
        split.setSizes([430, 900])
        layout.addWidget(split, 1)
        footer = QHBoxLayout()
        self.message = QLabel("", self)
        self.message.setObjectName("message")
        self.message.setAccessibleName("Message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #a00000;")
        self.saved_label = QLabel("", self)
        self.saved_label.setAccessibleName("Save status")
        footer.addWidget(self.message, 1)
        footer.addWidget(self.saved_label)
        layout.addLayout(footer)

    def _button(
        self, text: str, name: str, slot: Callable[[], object], parent: QWidget | None = None
    ) -> QPushButton:
        button = QPushButton(text, parent or self)
        button.setAccessibleName(name)
        button.clicked.connect(slot)
        return button

    def _build_header(self) -> QHBoxLayout:
        header = QHBoxLayout()
        self.header_title = QHBoxLayout()
        self.home_button = self._button("&Home", "Back to home", self.close_session)
        self.title = QLabel("", self)
        self.title.setAccessibleName("Session")
        self.prev_button = self._button("◀ &Previous", "Previous part", lambda: self.step(-1))
        self.next_button = self._button("&Next ▶", "Next part", lambda: self.step(1))
        self.steps: dict[str, QPushButton] = {}
        self.header_title.addWidget(self.home_button)
        self.header_title.addWidget(self.title, 1)
        header.addWidget(self.prev_button)
        for number, (part, label) in enumerate(PARTS, start=1):
            button = QPushButton(f"{number} {label.replace('&', '&&')}", self)
            button.setCheckable(True)
            button.setAccessibleName(label)
            button.clicked.connect(lambda _checked=False, p=part: self.show_part(p))
            self.steps[part] = button
            header.addWidget(button)
            QShortcut(
                QKeySequence(f"Ctrl+{number}"), self, activated=lambda p=part: self.show_part(p)
            )
        header.addWidget(self.next_button)
        self.clock_label = QLabel("", self)
        self.clock_label.setAccessibleName("Session clock")
        self.sign_in_button = self._button(
            "Sign-in sheet…", "Preview the sign-in sheet", lambda: self.show_document("sign_in")
        )
        self.record_button = self._button(
            "Session &record…", "Preview the session record", lambda: self.show_document("session")
        )
        self.header_title.addWidget(self.sign_in_button)
        self.header_title.addWidget(self.record_button)
        self.header_title.addWidget(self.clock_label)
        QShortcut(QKeySequence("Ctrl+PgDown"), self, activated=lambda: self.step(1))
        QShortcut(QKeySequence("Ctrl+PgUp"), self, activated=lambda: self.step(-1))
        return header

    def _build_roster(self) -> QWidget:
        panel = QWidget(self)
        column = QVBoxLayout(panel)
        self.present_label = QLabel("", panel)
        self.present_label.setAccessibleName("Present count")
        self.roster_model = RosterModel(self._commit_attendance)
        self.roster_model.message.connect(self.show_message)
        self.roster_view = QTableView(panel)
        self.roster_view.setAccessibleName("Roster and attendance")
        self.roster_view.setModel(self.roster_model)
        statuses = [(s.value, STATUS_LABELS[s]) for s in AttendanceStatus]
        self.roster_view.setItemDelegateForColumn(
            self.roster_model.column("status"), ChoiceDelegate(statuses, self)
        )
        places = [(loc.value, label) for loc, label in LOCATION_LABELS.items()]
        self.roster_view.setItemDelegateForColumn(
            self.roster_model.column("location"), ChoiceDelegate(places, self)
        )
        self.roster_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.roster_view.verticalHeader().hide()
        self.roster_view.setEditTriggers(KEYBOARD_FIRST)
        self.joiner_search = QComboBox(panel)
        self.joiner_search.setAccessibleName("Late joiner")
        self.joiner_search.setEditable(True)
        self.add_joiner = self._button(
            "Add &late joiner", "Add late joiner", self._add_late_joiner, panel
        )
        joiner_row = QHBoxLayout()
        joiner_row.addWidget(self.joiner_search, 1)
        joiner_row.addWidget(self.add_joiner)
        column.addWidget(self.present_label)
        column.addWidget(self.roster_view, 1)
        column.addLayout(joiner_row)
        return panel

    def _build_check_in(self) -> QWidget:
        page = QWidget(self)
        column = QVBoxLayout(page)
        column.addWidget(
            QLabel(
                "Check-in: one row per member present. Type or pick; each cell saves at once.", page
            )
        )
        self.check_in_model = CheckInModel(self._commit_check_in)
        self.check_in_model.message.connect(self.show_message)
        self.check_in_view = QTableView(page)
        self.check_in_view.setAccessibleName("Check-in grid")
        self.check_in_view.setModel(self.check_in_model)
        model = self.check_in_model
        uses = [
            (u.value, USE_LABELS[u])
            for u in (UseSinceLast.NO, UseSinceLast.YES, UseSinceLast.DECLINED)
        ]
        self.check_in_view.setItemDelegateForColumn(
            model.column("use_since_last"), ChoiceDelegate(uses, self)
        )
        self.check_in_view.setItemDelegateForColumn(
            model.column("safety_concern"), ChoiceDelegate([(False, "No"), (True, "Yes")], self)
        )
        reviews = [(value, label) for value, label in REVIEW_LABELS.items() if value]
        self.check_in_view.setItemDelegateForColumn(
            model.column("homework"), ChoiceDelegate(reviews, self)
        )
        self.check_in_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Interactive
        )
        self.check_in_view.horizontalHeader().setStretchLastSection(True)
        self.check_in_view.verticalHeader().hide()
        self.check_in_view.setEditTriggers(KEYBOARD_FIRST)
        column.addWidget(self.check_in_view, 1)
        self.review_panel = HomeworkReviewPanel(self._review_homework, page)
        self.check_in_view.selectionModel().currentRowChanged.connect(
            lambda *_: self._show_review()
        )
        column.addWidget(self.review_panel)
        return page

    def _text(
        self, parent: QWidget, name: str, save: Callable[[str], object], lines: int = 4
    ) -> QPlainTextEdit:
        editor = QPlainTextEdit(parent)
        editor.setAccessibleName(name)
        editor.setTabChangesFocus(True)
        editor.setMinimumHeight(lines * 18)
        saver = Autosaver(editor, save)
        saver.saved.connect(self._saved)
        saver.failed.connect(self.show_message)
        self.autosavers.append(saver)
        editor.setProperty("saver", saver)
        return editor

    def _saver(self, editor: QWidget) -> Autosaver:
        saver = editor.property("saver")
        assert isinstance(saver, Autosaver)
        return saver

    def _build_skill(self) -> QWidget:
        page = QWidget(self)
        grid = QGridLayout(page)
        self.topic = QComboBox(page)
        self.topic.setAccessibleName("Topic from the library")
        self.topic.activated.connect(self._topic_chosen)
        self.guide = QTextBrowser(page)
        self.guide.setAccessibleName("Facilitator guide")
        self.guide.setOpenLinks(False)
        self.interventions = self._text(
            page, "Interventions", lambda t: self._group_note(interventions=t), 3
        )
        self.narrative = self._text(
            page, "Group narrative", lambda t: self._group_note(narrative=t), 6
        )
        self.participation = QFormLayout()
        form = QFormLayout()
        form.addRow("&Topic", self.topic)
        form.addRow("&Interventions", self.interventions)
        form.addRow("Group &narrative", self.narrative)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(QLabel("Participation", page))
        right.addLayout(self.participation)
        grid.addWidget(self.guide, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        return page

    def _build_summary(self) -> QWidget:
        page = QWidget(self)
        column = QVBoxLayout(page)
        self.summary = self._text(page, "Group summary", lambda t: self._group_note(summary=t), 4)
        self.give_all = self._button(
            "&Give the topic's homework to everyone present",
            "Give homework to everyone present",
            self._give_all,
            page,
        )
        self.assignments = QListWidget(page)
        self.assignments.setAccessibleName("Homework given")
        self.remove_assignment = self._button(
            "&Remove selected homework", "Remove selected homework", self._remove_assignment, page
        )
        self.extra_member = QComboBox(page)
        self.extra_member.setAccessibleName("Member for extra homework")
        self.extra_title = QLineEdit(page)
        self.extra_title.setAccessibleName("Extra homework title")
        self.extra_text = QLineEdit(page)
        self.extra_text.setAccessibleName("Extra homework instructions")
        self.add_extra = self._button(
            "Add e&xtra homework", "Add extra homework", self._add_extra, page
        )
        form = QFormLayout()
        form.addRow("&Summary", self.summary)
        column.addLayout(form)
        column.addWidget(self.give_all)
        column.addWidget(self.assignments, 1)
        column.addWidget(self.remove_assignment)
        extra = QHBoxLayout()
        for widget in (self.extra_member, self.extra_title, self.extra_text, self.add_extra):
            extra.addWidget(widget)
        column.addLayout(extra)
        return page

    def _build_notes(self) -> QWidget:
        page = QWidget(self)
        row = QHBoxLayout(page)
        self.note_members = QListWidget(page)
        self.note_members.setAccessibleName("Members present")
        self.note_members.currentItemChanged.connect(self._note_member_chosen)
        form = QFormLayout()
        self.note_data = self._text(page, "Data", lambda t: self._member_note(data=t), 4)
        self.note_assessment = self._text(
            page, "Assessment", lambda t: self._member_note(assessment=t), 4
        )
        self.note_plan = self._text(page, "Plan", lambda t: self._member_note(plan=t), 3)
        self.note_goal = QComboBox(page)
        self.note_goal.setAccessibleName("Treatment goal")
        self.note_goal.activated.connect(self._goal_chosen)
        self.draft_note = self._button(
            "&Draft from the session", "Draft the note from the session", self._draft_note, page
        )
        self.note_warnings = QLabel("", page)
        self.note_warnings.setAccessibleName("Note warnings")
        self.note_warnings.setWordWrap(True)
        self.note_warnings.setStyleSheet(AMBER)
        form.addRow("&Data", self.note_data)
        form.addRow("&Assessment", self.note_assessment)
        form.addRow("P&lan", self.note_plan)
        form.addRow("&Goal", self.note_goal)
        self.note_pdf = self._button(
            "Member note PDF…",
            "Preview this member's note",
            lambda: self.show_document("member_note"),
            page,
        )
        form.addRow(self.draft_note)
        form.addRow(self.note_pdf)
        form.addRow(self.note_warnings)
        row.addWidget(self.note_members, 1)
        row.addLayout(form, 3)
        return page

    def _build_sign(self) -> QWidget:
        page = QWidget(self)
        column = QVBoxLayout(page)
        self.checklist = QLabel("", page)
        self.checklist.setAccessibleName("Checklist before signing")
        self.checklist.setWordWrap(True)
        self.checklist.setTextFormat(Qt.TextFormat.RichText)
        self.password = QLineEdit(page)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password to sign")
        self.sign_button = self._button("&Sign and lock", "Sign and lock", self._sign, page)
        self.cosign_button = self._button("&Co-sign", "Co-sign the session", self._cosign, page)
        self.signatures = QLabel("", page)
        self.signatures.setAccessibleName("Signatures")
        self.signatures.setWordWrap(True)
        self.addendum_reason = QLineEdit(page)
        self.addendum_reason.setAccessibleName("Addendum reason")
        self.addendum_text = QPlainTextEdit(page)
        self.addendum_text.setAccessibleName("Addendum text")
        self.addendum_text.setTabChangesFocus(True)
        self.addendum_button = self._button(
            "Add a signed &addendum", "Add addendum", self._add_addendum, page
        )
        form = QFormLayout()
        form.addRow("&Password", self.password)
        form.addRow(self.sign_button)
        form.addRow(self.cosign_button)
        # Shown only once the session is signed: the one way to change a locked note.
        self.addendum_area = QWidget(page)
        addendum = QFormLayout(self.addendum_area)
        addendum.setContentsMargins(0, 0, 0, 0)
        addendum.addRow("Addendum &reason", self.addendum_reason)
        addendum.addRow("Addendum &text", self.addendum_text)
        addendum.addRow(self.addendum_button)
        column.addWidget(self.checklist)
        column.addWidget(self.signatures)
        column.addLayout(form)
        column.addWidget(self.addendum_area)
        column.addStretch(1)
        return page

    # ------------------------------------------------------------------------- showing the record

    @property
    def locked(self) -> bool:
        return self.record.state is SessionState.SIGNED

    def reload(self) -> None:
        """Show the session as stored (after any change, here or by a service)."""
        self.record = record = sessions.load(self.session_id)
        # Comparing every pair of notes is the slowest part of a reload: only where it is shown.
        if self.current_part() in (NOTES, SIGN):
            self.warnings = note_warnings(record)
        group = self.group = roster.get_group(record.group_id)
        demo = " — DEMO" if self.ws.demo else ""
        state = " — signed and locked" if self.locked else ""
        self.title.setText(
            f"<b>{html.escape(record.group_name)}</b> {record.date:%a %d %b %Y}{state}{demo}"
        )
        self.roster_model.set_rows(record.attendance, self.locked)
        present = len(record.present)
        self.present_label.setText(
            f"Present {present} of soft cap {group.soft_capacity}, {len(record.attendance)} on the roster"
        )
        self.present_label.setStyleSheet(AMBER if present > group.soft_capacity else "")
        self._fill_check_in()
        self._fill_skill()
        self._fill_summary()
        self._fill_notes()
        self._fill_sign()
        for widget in (
            self.add_joiner,
            self.joiner_search,
            self.give_all,
            self.add_extra,
            self.remove_assignment,
            self.topic,
            self.draft_note,
            self.note_goal,
            self.sign_button,
        ):
            widget.setEnabled(not self.locked)
        for saver in self.autosavers:
            saver.editor.setReadOnly(self.locked)
        self.addendum_area.setVisible(self.locked)
        # A lead co-signs a signed note they have not signed themselves.
        self.cosign_button.setVisible(
            self.locked
            and self.ws.actor.role in (Role.CLINICAL_LEAD, Role.ADMIN)
            and all(s.user_id != self.ws.actor.user_id for s in self.record.signatures)
        )
        self.sign_button.setText("Signed" if self.locked else "&Sign and lock")
        self._tick()

    def _fill_check_in(self) -> None:
        record = self.record
        outstanding = homework.outstanding_for_record(self.record) if not self.locked else {}
        rows = []
        for attendee in record.present:
            check_in = next(
                (c for c in record.check_ins if c.member_id == attendee.member_id), None
            )
            rows.append(
                CheckInRow(
                    attendee.member_id,
                    attendee.display_name,
                    check_in
                    or CheckInRecord(
                        attendee.member_id,
                        None,
                        None,
                        UseSinceLast.NOT_ASKED,
                        "",
                        False,
                        "",
                        "",
                        "",
                    ),
                    tuple(outstanding.get(attendee.member_id, ())),
                    tuple(r for r in record.reviews if r.member_id == attendee.member_id),
                )
            )
        self.check_in_model.set_rows(rows, self.locked)
        mental_health = record.track is Track.MENTAL_HEALTH
        for name in ("craving", "use_since_last", "use_detail"):
            self.check_in_view.setColumnHidden(self.check_in_model.column(name), mental_health)
        shown = self.review_panel.member_id
        ids = [row.member_id for row in rows]
        if shown in ids:
            self.review_panel.show_row(rows[ids.index(shown)], self.locked)
        else:
            self._show_review()

    def _show_review(self) -> None:
        index = self.check_in_view.currentIndex()
        rows = self.check_in_model.rows
        row = rows[index.row()] if index.isValid() and index.row() < len(rows) else None
        self.review_panel.show_row(row, self.locked)

    def _fill_skill(self) -> None:
        note = self.record.group_note
        if self.topic.count() == 0:
            items = [i for i in library.list_items() if self.record.track.value in i.tracks]
            self.topic.addItem("— choose a topic —", None)
            for item in items:
                self.topic.addItem(f"{item.title} ({item.category.replace('_', ' ')})", item.id)
        chosen = note.topic_item_id if note else None
        if chosen is None and not self.locked:
            chosen = self._suggested_topic()
        self.topic.setCurrentIndex(max(self.topic.findData(chosen), 0))
        self._show_guide(chosen)
        self._saver(self.interventions).load(note.interventions if note else "")
        self._saver(self.narrative).load(note.narrative if note else "")
        self._fill_participation()

    def _time_zone(self) -> str:
        if not hasattr(self, "_zone"):
            self._zone = accounts.time_zone()
        return self._zone

    def _suggested_topic(self) -> int | None:
        if self._suggestion is False:
            suggestion = home.suggested_topic(self.record.group_id)
            self.topic.setToolTip(f"Suggested next: {suggestion.title}" if suggestion else "")
            self._suggestion = suggestion.id if suggestion else None
        return self._suggestion  # type: ignore[return-value]

    def _show_guide(self, item_id: int | None) -> None:
        # Laying out the guide's HTML is one of the slower parts of a reload: only when the
        # topic changes.
        if getattr(self, "_guide_item", False) == item_id:
            return
        self._guide_item = item_id
        if item_id is None:
            self.guide.setHtml("<p>Choose the topic for the skill work.</p>")
            return
        item = library.get_item(item_id)
        steps = "".join(f"<li>{html.escape(s)}</li>" for s in item.steps)
        prompts = "".join(f"<li>{html.escape(p)}</li>" for p in item.prompts)
        self.guide.setHtml(
            f"<h3>{html.escape(item.title)}</h3><p>{html.escape(item.purpose)}</p>"
            f"<p><b>About {item.minutes} minutes</b></p><h4>Steps</h4><ol>{steps}</ol>"
            f"<h4>Discussion prompts</h4><ul>{prompts}</ul>"
            f"<h4>Take-home</h4><p>{html.escape(item.take_home)}</p>"
        )

    def _fill_participation(self) -> None:
        while self.participation.rowCount():
            self.participation.removeRow(0)
        notes = {n.member_id: n for n in self.record.member_notes}
        for attendee in self.record.present:
            combo = QComboBox(self)
            combo.setAccessibleName(f"Participation of {attendee.display_name}")
            combo.addItem("—", "")
            for level in Participation:
                combo.addItem(level.value.capitalize(), level.value)
            note = notes.get(attendee.member_id)
            combo.setCurrentIndex(max(combo.findData(note.participation if note else ""), 0))
            combo.setEnabled(not self.locked)
            combo.activated.connect(
                lambda _i, m=attendee.member_id, c=combo: self._participation_chosen(m, c)
            )
            self.participation.addRow(attendee.display_name, combo)

    def _fill_summary(self) -> None:
        note = self.record.group_note
        self._saver(self.summary).load(note.summary if note else "")
        names = {a.member_id: a.display_name for a in self.record.attendance}
        self.assignments.clear()
        for given in self.record.assignments:
            due = f", due {given.due_date:%a %d %b}" if given.due_date else ""
            item = QListWidgetItem(f"{names.get(given.member_id, '?')}: {given.title}{due}")
            item.setData(Qt.ItemDataRole.UserRole, given.id)
            item.setToolTip(given.instructions)
            self.assignments.addItem(item)
        self.extra_member.clear()
        for attendee in self.record.present:
            self.extra_member.addItem(attendee.display_name, attendee.member_id)

    def _fill_notes(self) -> None:
        present = self.record.present
        if [
            self.note_members.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.note_members.count())
        ] != [a.member_id for a in present]:
            self.note_members.blockSignals(True)
            self.note_members.clear()
            for attendee in present:
                item = QListWidgetItem(attendee.display_name)
                item.setData(Qt.ItemDataRole.UserRole, attendee.member_id)
                self.note_members.addItem(item)
            self.note_members.blockSignals(False)
        noted = {
            n.member_id
            for n in self.record.member_notes
            if (n.data + n.assessment + n.plan).strip()
        }
        for index in range(self.note_members.count()):
            item = self.note_members.item(index)
            member_id = item.data(Qt.ItemDataRole.UserRole)
            item.setText(item.text().removesuffix(" ✓") + (" ✓" if member_id in noted else ""))
        if self.note_member not in [a.member_id for a in present]:
            self.note_member = present[0].member_id if present else None
            if present:
                self.note_members.setCurrentRow(0)
        self._show_note()
        self.note_warnings.setText("\n".join(self.warnings))

    def _show_note(self) -> None:
        note = next((n for n in self.record.member_notes if n.member_id == self.note_member), None)
        enabled = self.note_member is not None
        for editor, value in (
            (self.note_data, note.data if note else ""),
            (self.note_assessment, note.assessment if note else ""),
            (self.note_plan, note.plan if note else ""),
        ):
            self._saver(editor).load(value)
            editor.setEnabled(enabled)
        self.note_goal.clear()
        self.note_goal.addItem("— no goal linked —", None)
        if self.note_member is not None:
            for goal in roster.goals_of(self.note_member):
                self.note_goal.addItem(goal.text, goal.id)
        self.note_goal.setCurrentIndex(
            max(self.note_goal.findData(note.goal_id if note else None), 0)
        )

    def _fill_sign(self) -> None:
        gaps = missing_before_signing(self.record) if not self.locked else []
        warnings = self.warnings
        lines = [f"<li>{html.escape(g)}</li>" for g in gaps]
        warn = [f"<li>{html.escape(w)}</li>" for w in warnings]
        if self.locked:
            text = "<p><b>Signed and locked.</b> Changes are made as signed addenda.</p>"
        elif gaps:
            text = f"<p><b>Before signing:</b></p><ul>{''.join(lines)}</ul>"
        else:
            text = "<p><b>Ready to sign.</b></p>"
        if warn:
            text += f"<p><b>Check:</b></p><ul>{''.join(warn)}</ul>"
        self.checklist.setText(text)
        zone = self._time_zone()  # as the printed record shows them: the clinic's clock
        signed = [
            f"{'Co-signed' if s.kind.value == 'cosign' else 'Electronically signed'} by "
            f"{s.signer} on {to_local(s.signed_at, zone):%Y-%m-%d at %H:%M}"
            for s in self.record.signatures
        ]
        signed += [
            f"Addendum by {a.signer} on {to_local(a.signed_at, zone):%Y-%m-%d at %H:%M} — "
            f"{a.reason}: {a.text}"
            for a in self.record.addenda
        ]
        self.signatures.setText("\n".join(signed))

    # ------------------------------------------------------------------------- parts and time

    def current_part(self) -> str:
        return PARTS[self.parts.currentIndex()][0]

    def _resume_part(self) -> str:
        place = home.last_place(self.ws)
        if place and place[0] == self.session_id:
            return place[1]
        return SIGN if self.locked else self.record.current_phase.value

    def step(self, direction: int) -> None:
        index = [p for p, _ in PARTS].index(self.current_part()) + direction
        if 0 <= index < len(PARTS):
            self.show_part(PARTS[index][0])

    def show_part(self, part: str, record_time: bool = True) -> None:
        """Go to a part; moving between the three parts of a running group records their times."""
        self.flush()
        # Part times are recorded while the group runs; after it ended, parts are only revisited.
        if record_time and not self.locked and self.record.actual_end is None:
            phases = [p.value for p in PHASE_ORDER]
            if part in phases and part != self.current_part():
                if not self._do(
                    sessions.advance_phase, self.ws, self.session_id, Phase(part), reload=False
                ):
                    part = self.current_part()
            elif (
                part in (NOTES, SIGN)
                and self.current_part() in phases
                and self.record.actual_start
                and not self.record.actual_end
            ):
                self._do(sessions.end_session, self.ws, self.session_id, reload=False)
            self.reload()
        index = [p for p, _ in PARTS].index(part)
        self.parts.setCurrentIndex(index)
        if part in (NOTES, SIGN):
            self.warnings = note_warnings(self.record)
            self.note_warnings.setText("\n".join(self.warnings))
            self._fill_sign()
        for name, button in self.steps.items():
            button.setChecked(name == part)
        self.prev_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < len(PARTS) - 1)
        if not self.locked:
            home.remember_place(self.ws, self.session_id, part)

    def _phase_seconds(self, phase: Phase, now: dt.datetime) -> float:
        total = 0.0
        for stretch in self.record.phases:
            if stretch.phase is phase and stretch.started_at is not None:
                total += ((stretch.ended_at or now) - stretch.started_at).total_seconds()
        return total

    def _tick(self) -> None:
        now = utcnow()
        group = self.group
        for phase, planned in zip(PHASE_ORDER, group.phase_minutes, strict=True):
            used = self._phase_seconds(phase, now)
            button = self.steps[phase.value]
            number = PHASE_ORDER.index(phase) + 1
            button.setText(
                f"{number} {phase.label.replace('&', '&&')}  {_minutes(used)} / {planned}:00"
            )
            button.setStyleSheet(AMBER if used > planned * 60 else "")
        start, end = self.record.actual_start, self.record.actual_end
        self.clock_label.setText(
            f"Session {_minutes(((end or now) - start).total_seconds())}"
            if start
            else "Not started"
        )

    # ------------------------------------------------------------------------- edits

    def _do(
        self, action: Callable[..., Any], *args: Any, reload: bool = True, **kwargs: Any
    ) -> bool:
        """Run a service; a refusal becomes the inline message and nothing else changes."""
        try:
            action(*args, **kwargs)
        except FacilitatorError as exc:
            self.show_message(exc.message)
            return False
        self.show_message("")
        self._saved()
        if reload:
            self.reload()
        return True

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def _saved(self) -> None:
        self.saved_label.setText(f"Saved {dt.datetime.now():%H:%M:%S}")

    def flush(self) -> None:
        """Save any typing still waiting (before moving on, closing or signing)."""
        for saver in self.autosavers:
            saver.flush()

    def _commit_attendance(self, member_id: int, column: str, value: Any) -> str | None:
        row = self.record.attendance_of(member_id)
        assert row is not None
        status, arrival, departure, location = row.status, row.arrival, row.departure, row.location
        try:
            if column == "status":
                status = AttendanceStatus(value)
                now = dt.datetime.now().time().replace(second=0, microsecond=0)
                if status is AttendanceStatus.LATE and arrival is None:
                    arrival = now  # the usual case: marked as they walk in; editable after
                if status is AttendanceStatus.LEFT_EARLY and departure is None:
                    departure = now
            elif column in ("arrival", "departure"):
                parsed = parse_clock_time(column, str(value)) if str(value).strip() else None
                arrival, departure = (
                    (parsed, departure) if column == "arrival" else (arrival, parsed)
                )
            elif column == "location":
                location = Location(value)
            if status is None:
                return f"mark {row.display_name}'s attendance first"
            sessions.record_attendance(
                self.ws,
                self.session_id,
                member_id,
                status,
                arrival=arrival,
                departure=departure,
                location=location,
            )
        except FacilitatorError as exc:
            return exc.message
        self._after_grid_edit()
        return None

    def _stored_check_in(self, member_id: int) -> dict[str, Any]:
        """The member's check-in as stored, as fields a change builds on."""
        row = next(r for r in self.check_in_model.rows if r.member_id == member_id)
        stored = next((c for c in self.record.check_ins if c.member_id == member_id), row.check_in)
        return {
            name: getattr(stored, name)
            for name in (
                "mood",
                "craving",
                "use_since_last",
                "use_detail",
                "safety_concern",
                "safety_follow_up",
                "homework_review",
                "current_issue",
            )
        }

    def _commit_check_in(self, member_id: int, column: str, value: Any) -> str | None:
        row = next(r for r in self.check_in_model.rows if r.member_id == member_id)
        fields = self._stored_check_in(member_id)
        try:
            if column == "homework":
                for assignment_id in [a.id for a in row.outstanding] + [
                    r.assignment_id for r in row.reviews
                ]:
                    homework.review_homework(
                        self.ws, self.session_id, assignment_id, ReviewStatus(value)
                    )
                reviewed = [
                    r for r in sessions.load(self.session_id).reviews if r.member_id == member_id
                ]
                fields["homework_review"] = review_summary(reviewed)
            elif column in ("mood", "craving"):
                fields[column] = self._rating(column, value)
            elif column == "safety_concern":
                fields[column] = bool(value)
            elif column == "use_since_last" and self.record.track is not Track.MENTAL_HEALTH:
                fields[column] = UseSinceLast(value)
            else:
                fields[column] = str(value)
            sessions.record_check_in(self.ws, self.session_id, member_id, **fields)
        except FacilitatorError as exc:
            return exc.message
        self._after_grid_edit()
        return None

    def _review_homework(
        self, assignment_id: int, status: ReviewStatus, comment: str
    ) -> str | None:
        """One assignment reviewed from the panel; the check-in's homework line follows it."""
        member_id = self.review_panel.member_id
        if member_id is None:
            return None
        try:
            homework.review_homework(self.ws, self.session_id, assignment_id, status, comment)
            reviews = [
                r for r in sessions.load(self.session_id).reviews if r.member_id == member_id
            ]
            fields = self._stored_check_in(member_id)
            fields["homework_review"] = review_summary(reviews)
            sessions.record_check_in(self.ws, self.session_id, member_id, **fields)
        except FacilitatorError as exc:
            return exc.message
        self._after_grid_edit()
        return None

    def document_preview(self, kind: str) -> QDialog | None:
        """The session's record, sign-in sheet or the chosen member's note, previewed."""
        from facilitator.ui import documents as previews

        self.flush()  # the preview shows what was typed a moment ago too
        try:
            if kind == "session":
                return previews.session_record(self.ws, self.session_id, self)
            if kind == "sign_in":
                return previews.sign_in_sheet(self.ws, self.session_id, self)
            member_id = self.note_member
            if member_id is None:
                self.show_message("Choose a member in the list first.")
                return None
            return previews.member_note(self.ws, self.session_id, member_id, self)
        except FacilitatorError as exc:
            self.show_message(exc.message)
            return None

    def show_document(self, kind: str) -> None:
        preview = self.document_preview(kind)
        if preview is not None:
            self._preview = preview
            preview.open()

    def _after_grid_edit(self) -> None:
        """Take the stored record at once (the next edit builds on it); redraw the grids after
        the view has finished committing the cell, as resetting a model mid-commit is unsafe."""
        self._saved()
        self.record = sessions.load(self.session_id)
        QTimer.singleShot(0, self.reload)

    @staticmethod
    def _rating(column: str, value: Any) -> int | None:
        text = str(value).strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            raise InvalidInput(
                column, f"{column} must be a whole number from 0 to 10, not {text!r}"
            ) from None

    def _add_late_joiner(self) -> None:
        text = self.joiner_search.currentText().strip()
        matches = [
            m
            for m in roster.list_members(text)
            if m.id not in {a.member_id for a in self.record.attendance}
        ]
        if not text or not matches:
            self.show_message("type the name or record number of an existing member to add")
            return
        if len(matches) > 1:
            self.show_message(
                "several members match: " + ", ".join(m.display_name for m in matches[:5])
            )
            return
        if self._do(sessions.add_late_joiner, self.ws, self.session_id, matches[0].id):
            self.joiner_search.setEditText("")

    def _group_note(self, **fields: str) -> None:
        sessions.write_group_note(self.ws, self.session_id, **fields)

    def _topic_chosen(self, _index: int) -> None:
        self._do(
            sessions.write_group_note,
            self.ws,
            self.session_id,
            topic_item_id=self.topic.currentData(),
        )

    def _participation_chosen(self, member_id: int, combo: QComboBox) -> None:
        self._do(
            sessions.write_member_note,
            self.ws,
            self.session_id,
            member_id,
            participation=combo.currentData(),
        )

    def _give_all(self) -> None:
        item_id = (
            self.record.group_note.topic_item_id if self.record.group_note else None
        ) or self.topic.currentData()
        if item_id is None:
            self.show_message(
                "choose the topic in Skill work first; its take-home part is the homework"
            )
            return
        given = {a.member_id for a in self.record.assignments if a.item_id == item_id}
        members = [a.member_id for a in self.record.present if a.member_id not in given]
        if not members:
            self.show_message("everyone present already has this homework")
            return
        self._do(homework.assign_homework, self.ws, self.session_id, item_id, members=members)

    def _remove_assignment(self) -> None:
        item = self.assignments.currentItem()
        if item is None:
            self.show_message("select the homework to remove")
            return
        self._do(homework.remove_assignment, self.ws, item.data(Qt.ItemDataRole.UserRole))

    def _add_extra(self) -> None:
        if self._do(
            homework.assign_custom,
            self.ws,
            self.session_id,
            self.extra_member.currentData(),
            title=self.extra_title.text(),
            instructions=self.extra_text.text(),
        ):
            self.extra_title.clear()
            self.extra_text.clear()

    def _note_member_chosen(self, current: QListWidgetItem | None, _previous: object) -> None:
        self.flush()
        self.note_member = None if current is None else current.data(Qt.ItemDataRole.UserRole)
        self._show_note()

    def _member_note(self, **fields: str) -> None:
        if self.note_member is not None:
            sessions.write_member_note(self.ws, self.session_id, self.note_member, **fields)
            self.record = sessions.load(self.session_id)
            self.warnings = note_warnings(self.record)
            self.note_warnings.setText("\n".join(self.warnings))

    def _goal_chosen(self, _index: int) -> None:
        if self.note_member is not None:
            self._do(
                sessions.write_member_note,
                self.ws,
                self.session_id,
                self.note_member,
                goal_id=self.note_goal.currentData(),
            )

    def _draft_note(self) -> None:
        if self.note_member is None:
            return
        self.flush()
        data, assessment, plan = prefill_note(self.record, self.note_member)
        current = next(
            (n for n in self.record.member_notes if n.member_id == self.note_member), None
        )
        if current and (current.data or current.assessment or current.plan):
            # Never overwrite what the facilitator wrote: add the draft after it.
            data, assessment, plan = (
                f"{old}\n{new}".strip() if new else old
                for old, new in (
                    (current.data, data),
                    (current.assessment, assessment),
                    (current.plan, plan),
                )
            )
        self._do(
            sessions.write_member_note,
            self.ws,
            self.session_id,
            self.note_member,
            data=data,
            assessment=assessment,
            plan=plan,
        )

    def _sign(self) -> None:
        self.flush()
        if self._do(signing.sign_session, self.ws, self.session_id, self.password.text()):
            home.forget_place(self.ws)
        self.password.clear()

    def _cosign(self) -> None:
        self._do(signing.cosign_session, self.ws, self.session_id, self.password.text())
        self.password.clear()

    def _add_addendum(self) -> None:
        done = self._do(
            signing.add_addendum,
            self.ws,
            self.session_id,
            self.password.text(),
            reason=self.addendum_reason.text(),
            text=self.addendum_text.toPlainText(),
        )
        self.password.clear()
        if done:
            self.addendum_reason.clear()
            self.addendum_text.clear()

    def close_session(self) -> None:
        self.flush()
        self.clock.stop()
        self.closed.emit()
