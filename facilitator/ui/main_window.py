"""The first window: sign in to a database and see what it holds.

The session runner (check-in, skill work, summary) replaces the body of this window; it is the
foundation's placeholder that proves the app starts, opens the encrypted store and reads it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from facilitator.domain.errors import FacilitatorError
from facilitator.services import accounts
from facilitator.services.workspace import Workspace
from facilitator.store import database, people, reports


class MainWindow(QMainWindow):
    def __init__(self, location: str, username: str | None) -> None:
        super().__init__()
        self.location = location
        self.workspace: Workspace | None = None
        self.setWindowTitle("Facilitator")
        self.resize(900, 600)

        body = QWidget(self)
        layout = QVBoxLayout(body)
        self.heading = QLabel("Sign in to your program's records", body)
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.where = QLabel(f"Database: {database.describe(location)}", body)
        self.where.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.sign_in_form = QWidget(body)
        form = QFormLayout(self.sign_in_form)
        self.username = QLineEdit(username or "", body)
        self.username.setAccessibleName("Username")
        self.password = QLineEdit(body)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        form.addRow("&Username", self.username)
        form.addRow("&Password", self.password)
        self.sign_in_button = QPushButton("Sign in", body)
        self.sign_in_button.setAccessibleName("Sign in")
        self.sign_in_button.setDefault(True)
        self.message = QLabel("", body)
        self.message.setAccessibleName("Message")
        self.message.setWordWrap(True)
        layout.addStretch(1)
        layout.addWidget(self.heading)
        layout.addWidget(self.where)
        form.addRow(self.sign_in_button)
        layout.addWidget(self.sign_in_form)
        layout.addWidget(self.message)
        layout.addStretch(2)
        self.setCentralWidget(body)

        self.sign_in_button.clicked.connect(self.sign_in)
        self.password.returnPressed.connect(self.sign_in)
        if not database.is_server_url(location) and not Path(location).exists():
            self.message.setText(
                "No database here yet. Create one with `facilitator users add USERNAME --name NAME` "
                "or try `facilitator demo --db PATH`."
            )

    def sign_in(self) -> None:
        try:
            self.workspace = accounts.sign_in(
                self.location, self.username.text(), self.password.text()
            )
        except FacilitatorError as exc:
            self.message.setText(exc.message)
            self.password.clear()
            return
        self.password.clear()
        self.sign_in_form.hide()
        actor = self.workspace.actor
        program = accounts.program_name()
        demo = " — DEMO" if self.workspace.demo else ""
        self.setWindowTitle(f"Facilitator — {program} — {actor.full_name}{demo}")
        unsigned = reports.count_sessions("draft")
        self.heading.setText(f"{program}{demo}")
        self.message.setText(
            f"Signed in as {actor.full_name}. Groups: {len(people.list_groups())}. "
            f"Unsigned sessions: {unsigned}."
        )

    def closeEvent(self, event: object) -> None:
        if self.workspace is not None:
            self.workspace.close()
            self.workspace = None
        super().closeEvent(event)  # type: ignore[arg-type]


def run_window(location: str, username: str | None, argv: list[str]) -> int:
    app = QApplication.instance() or QApplication(argv)
    window = MainWindow(location, username)
    window.show()
    return int(app.exec())
