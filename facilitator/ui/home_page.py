"""Home: today's groups with Start or Resume, my unsigned sessions, recent sessions.

It follows the change bus: a group created on the Groups tab that meets today is here with
Start at once, and a session started, signed or co-signed elsewhere moves between the lists.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from facilitator.domain.changes import Changes
from facilitator.domain.enums import Role
from facilitator.domain.errors import FacilitatorError
from facilitator.services import home, sessions
from facilitator.ui.bus import ChangeBus, Screen
from facilitator.ui.widgets import message_label

if TYPE_CHECKING:
    from facilitator.ui.main_window import MainWindow


class TodayPage(Screen):
    """Today's groups with Start or Resume, my unsigned sessions, recent sessions."""

    def __init__(self, window: MainWindow, *, bus: ChangeBus | None = None) -> None:
        super().__init__(window.workspace, window, bus=bus)
        self.window_ = window
        column = QVBoxLayout(self)
        self.today_label = QLabel("", self)
        self.groups = QListWidget(self)
        self.groups.setAccessibleName("Groups meeting today")
        self.groups.itemActivated.connect(self._open_group)
        self.start = QPushButton("&Start or resume the selected group", self)
        self.start.setAccessibleName("Start or resume")
        self.start.clicked.connect(lambda: self._open_group(self.groups.currentItem()))
        self.worklist = QListWidget(self)
        self.worklist.setAccessibleName("My unsigned sessions")
        self.worklist.itemActivated.connect(self._open_session)
        self.review = QListWidget(self)
        self.review.setAccessibleName("Waiting for my co-signature")
        self.review.itemActivated.connect(self._open_session)
        self.review_label = QLabel("Waiting for your co-signature — press Enter to open", self)
        self.recent = QListWidget(self)
        self.recent.setAccessibleName("Recent sessions")
        self.recent.itemActivated.connect(self._open_session)
        self.message = message_label(self)
        column.addWidget(self.today_label)
        column.addWidget(self.groups, 2)
        column.addWidget(self.start)
        column.addWidget(QLabel("My unsigned sessions (oldest first) — press Enter to open", self))
        column.addWidget(self.worklist, 2)
        column.addWidget(self.review_label)
        column.addWidget(self.review, 1)
        column.addWidget(QLabel("Recent sessions", self))
        column.addWidget(self.recent, 2)
        column.addWidget(self.message)
        self.refresh()

    def cares(self, changes: Changes) -> bool:
        return bool(
            changes.groups
            or changes.sessions
            or changes.attendance
            or changes.signatures
            or changes.users
            or changes.members
        )

    def follow(self, changes: Changes) -> None:
        self.refresh()

    def refresh(self) -> None:
        on = dt.date.today()
        self.today_label.setText(f"<h3>Today, {on:%A %d %B}</h3>")
        self.groups.clear()
        for entry in home.today(on, self.ws):
            start = f"{entry.group.start_time:%H:%M} " if entry.group.start_time else ""
            item = QListWidgetItem(f"{entry.action}: {start}{entry.group.name}")
            item.setData(Qt.ItemDataRole.UserRole, (entry.group.id, entry.session_id))
            self.groups.addItem(item)
        if self.groups.count():
            self.groups.setCurrentRow(0)
            self.message.setText("")
        queue = home.awaiting_my_cosign(self.ws)
        for widget in (self.review, self.review_label):  # only a lead supervises
            widget.setVisible(self.ws.actor.role is Role.CLINICAL_LEAD)
        for widget, rows in (
            (self.worklist, home.my_unsigned(self.ws)),
            (self.review, queue),
            (self.recent, home.recent(ws=self.ws)),
        ):
            widget.clear()
            for summary in rows:
                present = sum(1 for m in summary.members if m.attendance and m.attendance.attended)
                item = QListWidgetItem(
                    f"{summary.date:%a %d %b %Y}  {summary.group}  ({summary.state}, {present} present)"
                )
                item.setData(Qt.ItemDataRole.UserRole, summary.id)
                widget.addItem(item)

    def _open_group(self, item: QListWidgetItem | None) -> None:
        if item is None:
            self.message.setText("no group meets today")
            return
        group_id, session_id = item.data(Qt.ItemDataRole.UserRole)
        if session_id is None:
            try:
                session_id = self.run(sessions.start_session, self.ws, group_id).created_id
                # Start is pressed as the group begins: the check-in's clock starts now.
                self.run(sessions.advance_phase, self.ws, session_id)
            except FacilitatorError as exc:
                self.message.setText(exc.message)
                return
        self.window_.open_session(session_id)

    def _open_session(self, item: QListWidgetItem) -> None:
        self.window_.open_session(item.data(Qt.ItemDataRole.UserRole))
