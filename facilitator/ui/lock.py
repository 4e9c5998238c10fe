"""The screen lock and the one-window-per-database guard.

The lock page shows the program's name and a password field, nothing else: while it is up the
pages holding member data are out of the window's stack view and every other top-level window
(previews, pop-ups) is hidden. ``InactivityWatch`` restarts the lock timer on any key, mouse or
touch input anywhere in the application.
"""

from __future__ import annotations

import contextlib
from functools import cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QLockFile, QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from facilitator.services import startup
from facilitator.ui.widgets import message_label

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent

ALREADY_OPEN = "Facilitator is already open on this database"


@cache
def activity() -> frozenset[QEvent.Type]:
    """Input that counts as someone at the keyboard. Moves count too: reading a long note is work.

    Made at the first sign-in, not on import: loading QEvent (its 179 event types) costs
    a few milliseconds the sign-in window does not need.
    """
    from PySide6.QtCore import QEvent

    return frozenset(
        {
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseButtonDblClick,
            QEvent.Type.MouseMove,
            QEvent.Type.Wheel,
            QEvent.Type.TouchBegin,
            QEvent.Type.TouchUpdate,
            QEvent.Type.TabletPress,
        }
    )


class InactivityWatch(QObject):
    """An application-wide event filter: any input restarts ``timer`` (when it is running)."""

    def __init__(self, timer: QTimer, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = timer
        self.enabled = False
        self.activity = activity()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.enabled and event.type() in self.activity:
            self.timer.start()  # restarts from the full interval
        return False


class LockPage(QWidget):
    """Locked: the program's name, the signed-in user's password, or someone else signs in."""

    unlock_requested = Signal(str)
    switch_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Locked")
        self.program = QLabel("", self)
        self.program.setAccessibleName("Program")
        self.status = QLabel("<h3>Locked — enter your password to continue</h3>", self)
        self.status.setAccessibleName("Locked")
        self.status.setWordWrap(True)
        self.who = QLabel("", self)
        self.who.setAccessibleName("Signed-in user")
        self.password = QLineEdit(self)
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self._unlock)
        self.unlock_button = QPushButton("&Unlock", self)
        self.unlock_button.setAccessibleName("Unlock")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self._unlock)
        self.message = message_label(self)
        self.switch_toggle = QPushButton("Sign in as s&omeone else…", self)
        self.switch_toggle.setAccessibleName("Sign in as someone else")
        self.switch_toggle.setCheckable(True)
        self.switch_toggle.toggled.connect(self._show_switch)

        self.other = QWidget(self)
        self.other.setAccessibleName("Sign in as someone else")
        self.other_note = QLabel(
            "<b>Sign in as someone else</b><br>The signed-in user's work is saved; signing in "
            "closes their session.",
            self.other,
        )
        self.other_note.setWordWrap(True)
        self.other_username = QLineEdit(self.other)
        self.other_username.setAccessibleName("Other user's username")
        self.other_password = QLineEdit(self.other)
        self.other_password.setAccessibleName("Other user's password")
        self.other_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.other_password.returnPressed.connect(self._switch)
        self.switch_button = QPushButton("Sign &in", self.other)
        self.switch_button.setAccessibleName("Sign in as this user")
        self.switch_button.clicked.connect(self._switch)
        other_form = QFormLayout(self.other)
        other_form.setContentsMargins(0, 12, 0, 0)
        other_form.addRow(self.other_note)
        other_form.addRow("User&name", self.other_username)
        other_form.addRow("Pass&word", self.other_password)
        switch_row = QHBoxLayout()
        switch_row.addWidget(self.switch_button)
        switch_row.addStretch(1)
        other_form.addRow(switch_row)
        self.other.hide()

        form = QFormLayout()
        form.addRow("&Password", self.password)
        buttons = QHBoxLayout()
        buttons.addWidget(self.unlock_button)
        buttons.addWidget(self.switch_toggle)
        buttons.addStretch(1)
        narrow = QWidget(self)
        narrow.setMaximumWidth(520)
        column = QVBoxLayout(narrow)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.program)
        column.addWidget(self.status)
        column.addWidget(self.who)
        column.addLayout(form)
        column.addLayout(buttons)
        column.addWidget(self.message)
        column.addWidget(self.other)
        outer = QVBoxLayout(self)
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(narrow, 3)
        centred.addStretch(1)
        outer.addStretch(1)
        outer.addLayout(centred)
        outer.addStretch(2)
        QWidget.setTabOrder(self.password, self.unlock_button)
        QWidget.setTabOrder(self.unlock_button, self.switch_toggle)
        QWidget.setTabOrder(self.switch_toggle, self.other_username)
        QWidget.setTabOrder(self.other_username, self.other_password)
        QWidget.setTabOrder(self.other_password, self.switch_button)

    def prepare(self, program: str, user: str) -> None:
        """Fresh for a new lock: no typed password, no old message, the other form closed."""
        self.program.setText(f"<h2>{_html(program)}</h2>")
        self.who.setText(f"Signed in: {_html(user)}")
        for edit in (self.password, self.other_username, self.other_password):
            edit.clear()
        self.message.clear()
        self.switch_toggle.setChecked(False)
        self.other.hide()

    def focus(self) -> None:
        self.password.setFocus()

    def _show_switch(self, shown: bool) -> None:
        self.other.setVisible(shown)
        if shown:
            self.other_username.setFocus()
        else:
            self.password.setFocus()

    def _unlock(self) -> None:
        password = self.password.text()
        self.password.clear()
        self.unlock_requested.emit(password)

    def _switch(self) -> None:
        if not self.other_username.text().strip():
            self.message.setText("Enter the other user's username.")
            self.other_username.setFocus()
            return
        password = self.other_password.text()
        self.other_password.clear()
        self.switch_requested.emit(self.other_username.text(), password)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ----------------------------------------------------------------------------- one instance


def acquire_instance_lock(location: str) -> QLockFile | None:
    """Hold the database's instance lock, or None when another Facilitator holds it.

    A lock that cannot be made at all (a read-only folder) does not stop the app: opening the
    database reports that place's real problem.
    """
    path = startup.instance_lock_path(location)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
    lock = QLockFile(str(path))
    lock.setStaleLockTime(0)  # held for as long as the app runs; a crashed owner is stale
    if lock.tryLock(0):
        return lock
    if lock.error() == QLockFile.LockError.LockFailedError:
        return None
    return lock  # not held by anyone, just not makeable: carry on without it


def already_open_message(location: str) -> str:
    return f"{ALREADY_OPEN} ({startup.describe(location)}). Switch to the window that is open."
