"""Notes: each present member's individual note (data, assessment, plan) with their goal, a
draft from what the session recorded, and warnings about cloned or naming notes."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QWidget,
)

from facilitator.domain.changes import Changes
from facilitator.domain.checklist import note_warnings
from facilitator.domain.records import OtherSeat, SessionRecord
from facilitator.services import edits, roster, sessions
from facilitator.ui.autosave import Autosaver
from facilitator.ui.session.context import AMBER, SessionContext, button, tint
from facilitator.ui.session.header import NOTES
from facilitator.ui.session.text import autosaved_text

MEMBER_ID = Qt.ItemDataRole.UserRole
WARNINGS_PAUSE_MS = 400  # comparing every pair of notes waits for a pause in typing


class NotesPart(QWidget):
    member_chosen = Signal(object)  # the member whose note is shown (None: nobody present)
    document = Signal(str)

    def __init__(self, ctx: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.member_id: int | None = None
        self.warnings: list[str] = []
        self.typing_by: dict[int, str] = {}  # member: who else is typing their note
        self.members = QListWidget(self)
        self.members.setAccessibleName("Members present")
        self.members.currentItemChanged.connect(self._member_changed)
        self.savers: list[Autosaver] = []
        self.data = self._text("Data", "data", 4)
        self.assessment = self._text("Assessment", "assessment", 4)
        self.plan = self._text("Plan", "plan", 3)
        self.goal = QComboBox(self)
        self.goal.setAccessibleName("Treatment goal")
        self.goal.activated.connect(self._goal_chosen)
        self.draft = button(
            "&Draft from the session", "Draft the note from the session", self._draft, self
        )
        self.pdf = button(
            "Member note PDF…",
            "Preview this member's note",
            lambda: self.document.emit("member_note"),
            self,
        )
        self.warnings_label = QLabel("", self)
        self.warnings_label.setAccessibleName("Note warnings")
        self.warnings_label.setWordWrap(True)
        tint(self.warnings_label, AMBER)
        self._warn_later = QTimer(self)
        self._warn_later.setSingleShot(True)
        self._warn_later.setInterval(WARNINGS_PAUSE_MS)
        self._warn_later.timeout.connect(self.check_warnings)
        form = QFormLayout()
        form.addRow("&Data", self.data)
        form.addRow("&Assessment", self.assessment)
        form.addRow("P&lan", self.plan)
        form.addRow("&Goal", self.goal)
        form.addRow(self.draft)
        form.addRow(self.pdf)
        form.addRow(self.warnings_label)
        row = QHBoxLayout(self)
        row.addWidget(self.members, 1)
        row.addLayout(form, 3)
        self.record: SessionRecord | None = None

    def _text(self, name: str, field: str, lines: int) -> QPlainTextEdit:
        ctx = self.ctx

        def save(text: str, span: int, shown: str) -> Changes:
            if self.member_id is None:
                return Changes()
            parts: dict[str, Any] = {field: text}
            return sessions.write_member_note(
                ctx.ws, ctx.session_id, self.member_id, span=span, seen={field: shown}, **parts
            )

        def changed() -> str:
            return edits.last_change(ctx.ws, ctx.session_id, self.member_id)

        def kept_as() -> tuple[int | None, str] | None:
            return None if self.member_id is None else (self.member_id, field)

        editor, saver = autosaved_text(ctx, self, name, save, lines, changed, kept_as)
        self.savers.append(saver)
        return editor

    # ------------------------------------------------------------------------- showing

    def update_from(self, record: SessionRecord, changes: Changes | None) -> None:
        self.record = record
        present = [(a.member_id, a.display_name) for a in record.present]
        shown = [self.members.item(i).data(MEMBER_ID) for i in range(self.members.count())]
        if shown != [m for m, _n in present]:
            self._fill_members(present)
        self._label_members()
        if (
            changes is None
            or self.member_id in (changes.member_notes | changes.members)
            or (changes.goals)
        ):
            self._show_note(goals=changes is None or bool(changes.goals or changes.members))
        locked = self.ctx.locked
        for saver in self.savers:
            saver.editor.setReadOnly(locked)
        self.draft.setEnabled(not locked)
        self.goal.setEnabled(not locked)
        self._warn_later.start()

    def show_others(self, others: list[OtherSeat]) -> None:
        """Mark the notes someone else is typing now."""
        typing_by: dict[int, list[str]] = {}
        for seat in others:
            if seat.typing and seat.part == NOTES and seat.member_id is not None:
                typing_by.setdefault(seat.member_id, []).append(seat.full_name)
        self.typing_by = {member: ", ".join(names) for member, names in typing_by.items()}
        self._label_members()

    def _label_members(self) -> None:
        """Each member's name, ✓ once their note has text, and who else is typing it."""
        if self.record is None:
            return
        noted = {
            n.member_id
            for n in self.record.member_notes
            if (n.data + n.assessment + n.plan).strip()
        }
        names = {a.member_id: a.display_name for a in self.record.present}
        for index in range(self.members.count()):
            item = self.members.item(index)
            member_id = item.data(MEMBER_ID)
            name = names.get(member_id, "")
            typing = self.typing_by.get(member_id)
            item.setText(
                name
                + (" ✓" if member_id in noted else "")
                + (f" — {typing} typing" if typing else "")
            )

    def check_warnings(self) -> None:
        """Cloned notes and notes naming another member (all pairs compared: after a pause)."""
        self._warn_later.stop()
        if self.record is not None:
            self.warnings = note_warnings(self.record)
            self.warnings_label.setText("\n".join(self.warnings))

    def _fill_members(self, present: list[tuple[int, str]]) -> None:
        self.members.blockSignals(True)
        self.members.clear()
        for member_id, name in present:
            item = QListWidgetItem(name)
            item.setData(MEMBER_ID, member_id)
            self.members.addItem(item)
        ids = [m for m, _n in present]
        if self.member_id not in ids:
            self.member_id = ids[0] if ids else None
        if self.member_id is not None:
            self.members.setCurrentRow(ids.index(self.member_id))
        self.members.blockSignals(False)
        self._show_note(goals=True)
        self.member_chosen.emit(self.member_id)

    def choose(self, member_id: int) -> None:
        """Show this member's note (reopening after a crash returns to it)."""
        ids = [self.members.item(i).data(MEMBER_ID) for i in range(self.members.count())]
        if member_id in ids:
            self.members.setCurrentRow(ids.index(member_id))

    def _member_changed(
        self, current: QListWidgetItem | None, previous: QListWidgetItem | None
    ) -> None:
        for saver in self.savers:
            saver.end_span()  # saves the last member's typing under their name
        held = [saver for saver in self.savers if not saver.let_go_if_kept()]
        if previous is not None and held:
            # A refused save keeps its text here: it must not become the next member's note.
            self.members.blockSignals(True)
            self.members.setCurrentItem(previous)
            self.members.blockSignals(False)
            return
        self.member_id = None if current is None else current.data(MEMBER_ID)
        self._show_note(goals=True)
        self.member_chosen.emit(self.member_id)

    def _show_note(self, goals: bool) -> None:
        record = self.record
        note = None
        if record is not None:
            note = next((n for n in record.member_notes if n.member_id == self.member_id), None)
        enabled = self.member_id is not None
        for saver, value in zip(
            self.savers,
            (note.data, note.assessment, note.plan) if note else ("", "", ""),
            strict=True,
        ):
            saver.load(value)
            saver.editor.setEnabled(enabled)
        if goals:
            self.goal.clear()
            self.goal.addItem("— no goal linked —", None)
            if self.member_id is not None:
                for goal in roster.goals_of(self.member_id):
                    self.goal.addItem(goal.text, goal.id)
        self.goal.setCurrentIndex(max(self.goal.findData(note.goal_id if note else None), 0))

    # ------------------------------------------------------------------------- saving

    def _goal_chosen(self, _index: int) -> None:
        if self.member_id is not None:
            self.ctx.run(
                ("goal", self.member_id),
                sessions.write_member_note,
                self.ctx.ws,
                self.ctx.session_id,
                self.member_id,
                goal_id=self.goal.currentData(),
            )

    def _draft(self) -> None:
        if self.member_id is None:
            return
        for saver in self.savers:
            saver.flush()
        self.ctx.run(
            ("draft", self.member_id),
            sessions.draft_member_note,
            self.ctx.ws,
            self.ctx.session_id,
            self.member_id,
        )
