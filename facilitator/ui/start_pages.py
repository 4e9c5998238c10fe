"""The first screens: setting up a new database, and signing in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from facilitator.domain.errors import FacilitatorError, InvalidInput
from facilitator.services import startup
from facilitator.ui.widgets import message_label

if TYPE_CHECKING:
    from PySide6.QtGui import QShowEvent
    from PySide6.QtWidgets import QDialog

    from facilitator.ui.main_window import MainWindow

# Where this computer keeps the last username typed at sign-in (Qt's per-user settings: a file
# in the user's configuration folder, the registry on Windows). A username is not a secret.
LAST_USERNAME = "sign-in/last-username"


def remembered_username() -> str:
    return str(QSettings("Facilitator", "Facilitator").value(LAST_USERNAME, "") or "")


def remember_username(username: str) -> None:
    QSettings("Facilitator", "Facilitator").setValue(LAST_USERNAME, username.strip().lower())


def _line(parent: QWidget, name: str, secret: bool = False) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setAccessibleName(name)
    if secret:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class SetupPage(QWidget):
    """First run on an empty database: the program, the first user (an administrator)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        column = QVBoxLayout(self)
        heading = QLabel(
            "<h2>Set up Facilitator</h2><p>Your program's records are encrypted on this computer.</p>",
            self,
        )
        self.program = _line(self, "Program name")
        self.full_name = _line(self, "Your name")
        self.credentials = _line(self, "Credentials")
        self.credentials.setPlaceholderText("e.g. LCSW")
        self.username = _line(self, "Username")
        self.password = _line(self, "Password", secret=True)
        self.password.setPlaceholderText("at least 12 characters")
        self.again = _line(self, "Password again", secret=True)
        form = QFormLayout()
        for label, widget in (
            ("&Program name", self.program),
            ("Your &name", self.full_name),
            ("&Credentials", self.credentials),
            ("&Username", self.username),
            ("Pass&word", self.password),
            ("Password &again", self.again),
        ):
            form.addRow(label, widget)
            widget.returnPressed.connect(self.submit)  # Enter in any field submits
        self.create_button = QPushButton("&Create the database", self)
        self.create_button.setAccessibleName("Create the database")
        self.create_button.clicked.connect(self.submit)
        self.demo = QPushButton("&Explore with demo data", self)
        self.demo.setAccessibleName("Explore with demo data")
        self.demo.clicked.connect(window.open_demo)
        self.message = message_label(self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.demo)
        column.addStretch(1)
        column.addWidget(heading)
        column.addLayout(form)
        column.addLayout(buttons)
        column.addWidget(self.message)
        column.addStretch(2)

    def submit(self) -> None:
        if self.password.text() != self.again.text():
            self.message.setText("the two passwords differ")
            self.again.setFocus()
            return
        from facilitator.services import accounts

        try:
            ws = accounts.create_database(
                self.window_.location,
                username=self.username.text(),
                password=self.password.text(),
                full_name=self.full_name.text(),
                credentials=self.credentials.text(),
                program_name=self.program.text(),
            )
        except FacilitatorError as exc:
            self.message.setText(exc.message)
            self._focus_field(exc)
            return
        remember_username(self.username.text())
        self.password.clear()
        self.again.clear()
        key, ws.recovery_key = ws.recovery_key, None  # shown once, then not kept anywhere
        self.window_.signed_in(ws)
        if key:
            from facilitator.ui.recovery import RecoveryKeyDialog

            self.recovery_dialog = RecoveryKeyDialog(
                key, self.program.text() or "Facilitator", self.window_
            )
            self.recovery_dialog.open()

    def _focus_field(self, exc: FacilitatorError) -> None:
        """Put the cursor in the field a refusal is about."""
        if isinstance(exc, InvalidInput):
            word = exc.field.replace("_", " ").split()[-1].lower()
            for field in (self.program, self.full_name, self.credentials, self.username):
                if word in field.accessibleName().lower():
                    field.setFocus()
                    return
            if "password" in word:
                self.password.setFocus()


class LoginPage(QWidget):
    def __init__(self, window: MainWindow, username: str | None) -> None:
        super().__init__(window)
        self.window_ = window
        column = QVBoxLayout(self)
        self.heading = QLabel("<h2>Sign in</h2>", self)
        self.where = QLabel(f"Database: {startup.describe(window.location)}", self)
        self.username = _line(self, "Username")
        self.username.setText(username or remembered_username())
        self.username.returnPressed.connect(self._username_entered)
        self.password = _line(self, "Password", secret=True)
        self.sign_in_button = QPushButton("&Sign in", self)
        self.sign_in_button.setAccessibleName("Sign in")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.submit)
        self.password.returnPressed.connect(self.submit)
        self.demo = QPushButton("&Explore with demo data", self)
        self.demo.setAccessibleName("Explore with demo data")
        self.demo.clicked.connect(window.open_demo)
        self.recover = QPushButton("Use the &recovery key…", self)
        self.recover.setAccessibleName("Reset an administrator's password with the recovery key")
        self.recover.clicked.connect(self.recovery_dialog)
        self.message = message_label(self)
        form = QFormLayout()
        form.addRow("&Username", self.username)
        form.addRow("&Password", self.password)
        form.addRow(self.sign_in_button)
        form.addRow(self.recover)
        column.addStretch(1)
        column.addWidget(self.heading)
        column.addWidget(self.where)
        column.addLayout(form)
        column.addWidget(self.demo)
        column.addWidget(self.message)
        column.addStretch(2)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.username.text():  # this computer's last user: straight to the password
            self.password.setFocus()

    def _username_entered(self) -> None:
        """Enter after the username signs in, or moves on to an empty password."""
        if self.password.text():
            self.submit()
        else:
            self.password.setFocus()

    def recovery_dialog(self) -> QDialog:
        from facilitator.ui.recovery import RecoveryResetDialog  # loads the database drivers

        self.reset = RecoveryResetDialog(self.window_.location, self)
        self.reset.accepted.connect(
            lambda: self.message.setText("Password reset. Sign in with the new password.")
        )
        self.reset.open()
        return self.reset

    def submit(self) -> None:
        from facilitator.services import accounts

        try:
            ws = accounts.sign_in(self.window_.location, self.username.text(), self.password.text())
        except FacilitatorError as exc:
            self.message.setText(exc.message)
            self.password.clear()
            return
        remember_username(self.username.text())
        self.password.clear()
        self.window_.signed_in(ws)
