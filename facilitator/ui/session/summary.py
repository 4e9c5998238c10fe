"""Summary and homework: the group's summary, the topic's homework for everyone present, and
extra homework for one member."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from facilitator.domain.changes import Changes
from facilitator.domain.records import SessionRecord
from facilitator.services import edits, homework, sessions
from facilitator.ui.autosave import Autosaver
from facilitator.ui.session.context import SessionContext, button
from facilitator.ui.session.text import autosaved_text

ASSIGNMENT_ID = Qt.ItemDataRole.UserRole


class SummaryPart(QWidget):
    def __init__(self, ctx: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        ws, session_id = ctx.ws, ctx.session_id
        self.summary, saver = autosaved_text(
            ctx,
            self,
            "Group summary",
            lambda text, span, shown: sessions.write_group_note(
                ws, session_id, summary=text, span=span, seen={"summary": shown}
            ),
            changed=lambda: edits.last_change(ws, session_id),
            kept_as=lambda: (None, "summary"),
        )
        self.savers: list[Autosaver] = [saver]
        self.topic_item: int | None = None  # the skill work's topic: its take-home part
        self.give_all = button(
            "&Give the topic's homework to everyone present",
            "Give homework to everyone present",
            self._give_all,
            self,
        )
        self.assignments = QListWidget(self)
        self.assignments.setAccessibleName("Homework given")
        self.remove_assignment = button(
            "&Remove selected homework", "Remove selected homework", self._remove, self
        )
        column = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow("&Summary", self.summary)
        column.addLayout(form)
        column.addWidget(self.give_all)
        column.addWidget(self.assignments, 1)
        column.addWidget(self.remove_assignment)
        column.addLayout(self._build_extra())

    def _build_extra(self) -> QHBoxLayout:
        self.extra_member = QComboBox(self)
        self.extra_member.setAccessibleName("Member for extra homework")
        self.extra_title = QLineEdit(self)
        self.extra_title.setAccessibleName("Extra homework title")
        self.extra_text = QLineEdit(self)
        self.extra_text.setAccessibleName("Extra homework instructions")
        self.add_extra = button("Add e&xtra homework", "Add extra homework", self._add_extra, self)
        row = QHBoxLayout()
        for text, field in (
            ("Extra homework &for", self.extra_member),
            ("&Title", self.extra_title),
            ("Instructions", self.extra_text),
        ):
            label = QLabel(text, self)
            label.setBuddy(field)
            row.addWidget(label)
            row.addWidget(field, 0 if field is self.extra_member else 1)
        row.addWidget(self.add_extra)
        return row

    def update_from(self, record: SessionRecord, changes: Changes | None) -> None:
        note = record.group_note
        self.topic_item = note.topic_item_id if note else None
        if changes is None or changes.group_note:
            self.savers[0].load(note.summary if note else "")
        if changes is None or changes.homework or changes.attendance or changes.members:
            self._fill_assignments(record)
            self._fill_members(record)
        locked = self.ctx.locked
        for widget in (self.give_all, self.add_extra, self.remove_assignment):
            widget.setEnabled(not locked)
        self.summary.setReadOnly(locked)

    def _fill_assignments(self, record: SessionRecord) -> None:
        names = {a.member_id: a.display_name for a in record.attendance}
        chosen = self.assignments.currentItem()
        keep = chosen.data(ASSIGNMENT_ID) if chosen else None
        self.assignments.clear()
        for given in record.assignments:
            due = f", due {given.due_date:%a %d %b}" if given.due_date else ""
            item = QListWidgetItem(f"{names.get(given.member_id, '?')}: {given.title}{due}")
            item.setData(ASSIGNMENT_ID, given.id)
            item.setToolTip(given.instructions)
            self.assignments.addItem(item)
            if given.id == keep:
                self.assignments.setCurrentItem(item)

    def _fill_members(self, record: SessionRecord) -> None:
        keep = self.extra_member.currentData()
        self.extra_member.clear()
        for attendee in record.present:
            self.extra_member.addItem(attendee.display_name, attendee.member_id)
        self.extra_member.setCurrentIndex(max(self.extra_member.findData(keep), 0))

    def _give_all(self) -> None:
        if self.topic_item is None:
            self.ctx.say(
                "choose the topic in Skill work first; its take-home part is the homework",
                "give all",
            )
            return
        self.ctx.run(
            "give all",
            homework.assign_homework,
            self.ctx.ws,
            self.ctx.session_id,
            self.topic_item,
        )

    def _remove(self) -> None:
        item = self.assignments.currentItem()
        if item is None:
            self.ctx.say("select the homework to remove", "remove homework")
            return
        self.ctx.run(
            "remove homework", homework.remove_assignment, self.ctx.ws, item.data(ASSIGNMENT_ID)
        )

    def _add_extra(self) -> None:
        done = self.ctx.run(
            "extra homework",
            homework.assign_custom,
            self.ctx.ws,
            self.ctx.session_id,
            self.extra_member.currentData(),
            title=self.extra_title.text(),
            instructions=self.extra_text.text(),
        )
        if done is None:
            self.extra_title.clear()
            self.extra_text.clear()
