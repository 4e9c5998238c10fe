"""The main window: first-run setup or sign-in, then home, groups, members and the session runner."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from facilitator.domain.errors import FacilitatorError
from facilitator.services import startup
from facilitator.ui.widgets import message_label

# Only the first screen is imported up front; the rest (and the database drivers behind it)
# load after sign-in, so the login window appears as fast as a bare one would.
if TYPE_CHECKING:
    from facilitator.services.workspace import Workspace
    from facilitator.ui.session_page import SessionPage

# The demo database holds only fictitious people; its password is no secret.
DEMO_PASSWORD = "fictitious-demo-data"


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
        self.create = QPushButton("&Create the database", self)
        self.create.setAccessibleName("Create the database")
        self.create.clicked.connect(self.submit)
        self.demo = QPushButton("&Explore with demo data", self)
        self.demo.setAccessibleName("Explore with demo data")
        self.demo.clicked.connect(window.open_demo)
        self.message = message_label(self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.create)
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
            return
        self.password.clear()
        self.again.clear()
        self.window_.signed_in(ws)


class LoginPage(QWidget):
    def __init__(self, window: MainWindow, username: str | None) -> None:
        super().__init__(window)
        self.window_ = window
        column = QVBoxLayout(self)
        self.heading = QLabel("<h2>Sign in</h2>", self)
        self.where = QLabel(f"Database: {startup.describe(window.location)}", self)
        self.username = _line(self, "Username")
        self.username.setText(username or "")
        self.password = _line(self, "Password", secret=True)
        self.sign_in_button = QPushButton("&Sign in", self)
        self.sign_in_button.setAccessibleName("Sign in")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.submit)
        self.password.returnPressed.connect(self.submit)
        self.demo = QPushButton("&Explore with demo data", self)
        self.demo.setAccessibleName("Explore with demo data")
        self.demo.clicked.connect(window.open_demo)
        self.message = message_label(self)
        form = QFormLayout()
        form.addRow("&Username", self.username)
        form.addRow("&Password", self.password)
        form.addRow(self.sign_in_button)
        column.addStretch(1)
        column.addWidget(self.heading)
        column.addWidget(self.where)
        column.addLayout(form)
        column.addWidget(self.demo)
        column.addWidget(self.message)
        column.addStretch(2)

    def submit(self) -> None:
        from facilitator.services import accounts

        try:
            ws = accounts.sign_in(self.window_.location, self.username.text(), self.password.text())
        except FacilitatorError as exc:
            self.message.setText(exc.message)
            self.password.clear()
            return
        self.password.clear()
        self.window_.signed_in(ws)


class MainWindow(QMainWindow):
    def __init__(self, location: str, username: str | None = None) -> None:
        super().__init__()
        self.location = location
        self.ws: Workspace | None = None
        self.session_page: SessionPage | None = None
        self.resize(1280, 720)
        self.stack = QStackedWidget(self)
        self.setCentralWidget(self.stack)
        self.start_page: QWidget = (
            SetupPage(self) if startup.needs_setup(location) else LoginPage(self, username)
        )
        self.stack.addWidget(self.start_page)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Home")
        self.stack.addWidget(self.tabs)
        self.setWindowTitle("Facilitator")

    # The workspace is always set once signed in; pages reach it through the window.
    @property
    def workspace(self) -> Workspace:
        assert self.ws is not None
        return self.ws

    def signed_in(self, ws: Workspace) -> None:
        from facilitator.services import accounts, home

        self.ws = ws
        demo = " — DEMO" if ws.demo else ""
        self.setWindowTitle(f"Facilitator — {accounts.program_name()} — {ws.actor.full_name}{demo}")
        self._add_home_tabs()
        self.show_home()
        place = home.last_place(ws)
        if place is not None:
            self.open_session(place[0], place[1])

    def _add_home_tabs(self) -> None:
        """Today, Groups and Members; Groups and Members refresh each other after a change."""
        from facilitator.ui.groups_page import GroupsPage
        from facilitator.ui.home_page import TodayPage
        from facilitator.ui.library_page import LibraryPage
        from facilitator.ui.members_page import MembersPage
        from facilitator.ui.reports_page import ReportsPage

        while self.tabs.count():  # a second sign-in (the demo) builds them afresh
            self.tabs.removeTab(0)
        self.today_page = TodayPage(self)
        self.tabs.addTab(self.today_page, "&Today")
        self.groups_page = GroupsPage(self.workspace, self)
        self.members_page = MembersPage(self.workspace, self)
        self.library_page = LibraryPage(self.workspace, self)
        self.tabs.addTab(self.groups_page, "&Groups")
        self.tabs.addTab(self.members_page, "&Members")
        self.tabs.addTab(self.library_page, "&Library")
        self.reports_page = ReportsPage(self.workspace, self)
        self.tabs.addTab(self.reports_page, "&Reports")
        self.groups_page.changed.connect(lambda _changes: self.reports_page.refresh())
        self.groups_page.changed.connect(lambda _changes: self.members_page.refresh())
        self.members_page.changed.connect(lambda _changes: self.groups_page.refresh())
        self.groups_page.open_member.connect(self._show_member)

    def _show_member(self, member_id: int) -> None:
        self.members_page.show_member(member_id)
        self.tabs.setCurrentWidget(self.members_page)

    def open_demo(self) -> None:
        """Open (making it the first time) a separate database of fictitious demo data."""
        location = startup.demo_location(self.location)
        try:
            if startup.needs_setup(location):
                from facilitator.services import demo

                demo.create_demo(location, DEMO_PASSWORD)
            from facilitator.services import accounts

            self.location = location
            self.signed_in(accounts.sign_in(location, "demo", DEMO_PASSWORD))
        except FacilitatorError as exc:
            message = self.start_page.findChild(QLabel, "message")
            if message is not None:
                message.setText(exc.message)

    def show_home(self) -> None:
        self.today_page.refresh()
        self.stack.setCurrentWidget(self.tabs)

    def open_session(self, session_id: int, part: str | None = None) -> None:
        from facilitator.ui.session_page import SessionPage

        self.close_session()
        try:
            self.session_page = SessionPage(self.workspace, session_id, part, self)
        except FacilitatorError as exc:
            self.today_page.message.setText(exc.message)
            return
        self.session_page.closed.connect(self._session_closed)
        self.stack.addWidget(self.session_page)
        self.stack.setCurrentWidget(self.session_page)

    def _session_closed(self) -> None:
        from facilitator.services import home

        if self.ws is not None:
            home.forget_place(self.ws)
        self.close_session()
        self.show_home()

    def close_session(self) -> None:
        if self.session_page is not None:
            self.session_page.flush()
            self.session_page.clock.stop()
            self.stack.removeWidget(self.session_page)
            self.session_page.deleteLater()
            self.session_page = None

    def closeEvent(self, event: object) -> None:
        self.close_session()  # saves pending typing and stops the session clock
        if self.ws is not None:
            self.ws.close()
            self.ws = None
        super().closeEvent(event)  # type: ignore[arg-type]


def _report_unexpected(window: QWidget) -> Callable[..., None]:
    """An error nobody foresaw is one plain sentence in a box; the window stays open and
    everything already saved stays saved. The message names the kind of error only, never
    record content."""

    def hook(kind: type[BaseException], error: BaseException, _trace: object) -> None:
        QMessageBox.critical(
            window,
            "Facilitator",
            f"Something went wrong ({kind.__name__}). Your saved work is safe; "
            "please tell your administrator what you were doing.",
        )

    return hook


def run_window(location: str, username: str | None, argv: list[str]) -> int:
    app = QApplication.instance() or QApplication(argv)
    window = MainWindow(location, username or os.environ.get("FACILITATOR_USER"))
    sys.excepthook = _report_unexpected(window)
    window.show()
    return int(app.exec())
