"""The main window: first-run setup or sign-in, then home, groups, members and the session runner."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QLockFile, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
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

from facilitator.domain.errors import AuthenticationFailed, FacilitatorError
from facilitator.services import startup
from facilitator.ui.lock import (
    InactivityWatch,
    LockPage,
    acquire_instance_lock,
    already_open_message,
)
from facilitator.ui.widgets import message_label

# Only the first screen is imported up front; the rest (and the database drivers behind it)
# load after sign-in, so the login window appears as fast as a bare one would.
if TYPE_CHECKING:
    from facilitator.services.workspace import Workspace
    from facilitator.ui.session_page import SessionPage

# The demo database holds only fictitious people; its password is no secret.
DEMO_PASSWORD = "fictitious-demo-data"
MINUTE_MS = 60_000


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
        key, ws.recovery_key = ws.recovery_key, None  # shown once, then not kept anywhere
        self.window_.signed_in(ws)
        if key:
            from facilitator.ui.recovery import RecoveryKeyDialog

            self.recovery_dialog = RecoveryKeyDialog(
                key, self.program.text() or "Facilitator", self.window_
            )
            self.recovery_dialog.open()


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
        self.password.clear()
        self.window_.signed_in(ws)


class MainWindow(QMainWindow):
    # From the background integrity check's thread; delivered on the window's own thread.
    integrity_problem = Signal(str)

    def __init__(self, location: str, username: str | None = None) -> None:
        super().__init__()
        self.integrity_problem.connect(self.show_integrity_problem)
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
        # Held while this window works on a database (run_window takes it; see claim()).
        self.instance_locks: dict[str, QLockFile] = {}
        self._build_lock()

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
        self._start_inactivity_lock()
        from facilitator.services import backup, integrity

        # A file too big to check at sign-in is checked now, beside the work; then the backup.
        self.check_thread = integrity.start_background_check(ws, self.integrity_problem.emit)
        self.backup_thread = backup.start_daily_backup(ws)  # today's, once, in the background

    def show_integrity_problem(self, message: str) -> None:
        """Writes have stopped: say so, and where the last good backup is."""
        from facilitator.services import backup

        latest = backup.latest_good(self.location)
        where = f"\n\nThe newest good backup: {latest}" if latest else ""
        self.integrity_box = QMessageBox(
            QMessageBox.Icon.Critical, "Facilitator — database damaged", message + where,
            QMessageBox.StandardButton.Ok, self,
        )  # fmt: skip
        self.integrity_box.open()

    def _add_home_tabs(self) -> None:
        """Today, Groups and Members; Groups and Members refresh each other after a change."""
        from facilitator.ui.groups_page import GroupsPage
        from facilitator.ui.home_page import TodayPage
        from facilitator.ui.library_page import LibraryPage
        from facilitator.ui.members_page import MembersPage
        from facilitator.ui.reports_page import ReportsPage

        while self.tabs.count():  # a second sign-in (the demo, another user) builds them afresh
            page = self.tabs.widget(0)
            self.tabs.removeTab(0)
            page.deleteLater()
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
        self._add_oversight_tabs()

    def _add_oversight_tabs(self) -> None:
        """Audit for clinical leads and administrators; Users for administrators.

        Their tab names carry no mnemonic: every free letter is taken by a control on one of
        the other tabs, and Ctrl+Tab reaches them.
        """
        from facilitator.domain.enums import Role

        self.audit_page: QWidget | None = None
        self.users_page: QWidget | None = None
        role = self.workspace.actor.role
        if role in (Role.CLINICAL_LEAD, Role.ADMIN):
            from facilitator.ui.audit_page import AuditPage

            self.audit_page = AuditPage(self.workspace, self)
            self.tabs.addTab(self.audit_page, "Audit")
        if role is Role.ADMIN:
            from facilitator.ui.users_page import UsersPage

            self.users_page = UsersPage(self.workspace, self)
            self.tabs.addTab(self.users_page, "Users")

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

            if self.instance_locks and not self.claim(location):
                raise FacilitatorError(already_open_message(location))
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
        self.lock_timer.stop()
        self.watch.enabled = False
        self.close_session()  # saves pending typing and stops the session clock
        if self.ws is not None:
            from facilitator.services import accounts

            accounts.sign_out(self.ws)  # noted in the audit trail, then closed
            self.ws = None
        for lock in self.instance_locks.values():
            lock.unlock()
        self.instance_locks.clear()
        super().closeEvent(event)  # type: ignore[arg-type]

    # ------------------------------------------------------------------------- one window

    def claim(self, location: str) -> bool:
        """Take the database's instance lock; False when another window holds it."""
        if location in self.instance_locks:
            return True
        lock = acquire_instance_lock(location)
        if lock is None:
            return False
        self.instance_locks[location] = lock
        return True

    # ------------------------------------------------------------------------- the lock

    def _build_lock(self) -> None:
        self.locked = False
        self._before_lock: QWidget | None = None
        self._focus_before_lock: QWidget | None = None
        self._title_before_lock = ""
        self._hidden_by_lock: list[QWidget] = []
        # Wrong passwords in a row at the lock screen, and when the last was: the same back-off
        # as signing in, so the lock is no place to guess passwords at leisure.
        self._lock_failures = 0
        self._last_lock_failure: dt.datetime | None = None
        self.lock_page = LockPage(self)
        self.lock_page.unlock_requested.connect(self.unlock)
        self.lock_page.switch_requested.connect(self.switch_user)
        self.stack.addWidget(self.lock_page)
        self.lock_timer = QTimer(self)
        self.lock_timer.setSingleShot(True)
        self.lock_timer.timeout.connect(self.lock)
        # Installed at the first sign-in, not before: an application-wide Python filter sees
        # every event, and the sign-in window should appear as fast as a bare one.
        self.watch = InactivityWatch(self.lock_timer, self)
        self._watching = False
        self.lock_action = QAction("Lock now", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(lambda: self.lock(manual=True))
        self.addAction(self.lock_action)
        self.lock_button = QPushButton("Lock (Ctrl+L)", self)
        self.lock_button.setAccessibleName("Lock the screen now")
        self.lock_button.setToolTip("Hide the records until you enter your password")
        self.lock_button.clicked.connect(lambda: self.lock(manual=True))
        self.tabs.setCornerWidget(self.lock_button)

    def _start_inactivity_lock(self) -> None:
        from facilitator.services import security

        self.lock_timer.setInterval(security.lock_minutes() * MINUTE_MS)
        app = QApplication.instance()
        if app is not None and not self._watching:
            app.installEventFilter(self.watch)
            self._watching = True
        self.watch.enabled = True
        self.lock_timer.start()

    def lock(self, manual: bool = False) -> None:
        """Save what was typed, hide every record at once, then wait for a password."""
        if self.locked or self.ws is None:
            return
        from facilitator.services import accounts, security
        from facilitator.ui.autosave import Autosaver

        for saver in self.findChildren(Autosaver):
            saver.flush()
        self.locked = True
        self.watch.enabled = False
        self.lock_timer.stop()
        self._before_lock = self.stack.currentWidget()
        focus = QApplication.focusWidget()
        self._focus_before_lock = focus if focus is not None and self.isAncestorOf(focus) else None
        self._title_before_lock = self.windowTitle()
        program = accounts.program_name()
        self.lock_page.prepare(program, f"{self.ws.actor.full_name} ({self.ws.actor.username})")
        self.stack.setCurrentWidget(self.lock_page)
        self.setWindowTitle(f"Facilitator — {program} — Locked")
        self._hide_other_windows()
        self.lock_page.focus()
        # The screen is locked either way; a trail that cannot be written shows elsewhere.
        with contextlib.suppress(FacilitatorError):
            security.record_lock(self.ws, manual=manual)

    def _hide_other_windows(self) -> None:
        """Hide every other window. The app's own dialogs (previews, edit forms; all opened
        without a nested event loop) come back on unlock with what was typed in them; Qt's
        stock dialogs (message boxes, file and print dialogs, run modally) are cancelled;
        pop-ups are closed."""
        self._hidden_by_lock = []
        for widget in QApplication.topLevelWidgets():
            if widget is self or not widget.isVisible():
                continue
            ours = type(widget).__module__.startswith("facilitator.")
            if isinstance(widget, QDialog) and ours:
                self._hidden_by_lock.append(widget)
            elif isinstance(widget, QDialog):
                widget.reject()
            widget.hide()

    def _show_hidden_windows(self) -> None:
        import shiboken6

        for widget in self._hidden_by_lock:
            if shiboken6.isValid(widget):
                widget.show()
        self._hidden_by_lock = []

    def _drop_hidden_windows(self) -> None:
        import shiboken6

        for widget in self._hidden_by_lock:
            if shiboken6.isValid(widget):
                widget.close()
                widget.deleteLater()
        self._hidden_by_lock = []

    def _must_wait(self) -> bool:
        from facilitator.services import security

        now = dt.datetime.now(dt.UTC)
        seconds = security.seconds_to_wait(self._lock_failures, self._last_lock_failure, now)
        if seconds:
            self.lock_page.message.setText(
                f"Too many wrong passwords; try again in {seconds} seconds."
            )
        return bool(seconds)

    def _failed_attempt(self) -> None:
        self._lock_failures += 1
        self._last_lock_failure = dt.datetime.now(dt.UTC)

    def unlock(self, password: str) -> None:
        """The signed-in user's password brings back exactly what was on screen."""
        if not self.locked or self.ws is None or self._must_wait():
            return
        from facilitator.services import security

        try:
            security.unlock(self.ws, password)
        except AuthenticationFailed:
            self._failed_attempt()
            self.lock_page.message.setText(
                "That is not the password of the signed-in user; the screen stays locked."
            )
            self.lock_page.focus()
            return
        except FacilitatorError as exc:
            self.lock_page.message.setText(exc.message)
            return
        self.locked = False
        self._lock_failures, self._last_lock_failure = 0, None
        before = self._before_lock
        self.stack.setCurrentWidget(
            before if before is not None and self.stack.indexOf(before) >= 0 else self.tabs
        )
        self.setWindowTitle(self._title_before_lock)
        self.lock_page.prepare("", "")
        self._show_hidden_windows()
        if self._focus_before_lock is not None:
            self._focus_before_lock.setFocus()
        self.watch.enabled = True
        self.lock_timer.start()

    def switch_user(self, username: str, password: str) -> None:
        """Someone else signs in at the lock: the first user's work is saved and closed."""
        if not self.locked or self.ws is None:
            return
        if username.strip().lower() == self.ws.actor.username:
            self.unlock(password)
            return
        if self._must_wait():
            return
        from facilitator.services import security

        try:
            new = security.hand_over(self.ws, username, password)
        except AuthenticationFailed:
            self._failed_attempt()
            self.lock_page.message.setText("Wrong username or password; the screen stays locked.")
            return
        except security.SignedOut as exc:  # the first user is out, the newcomer not in
            self._signed_out(exc.message)
            return
        except FacilitatorError as exc:
            self.lock_page.message.setText(exc.message)
            return
        self._drop_hidden_windows()
        self.close_session()  # its typing was saved at the lock; nothing is written now
        self.ws = None
        self.locked = False
        self._lock_failures, self._last_lock_failure = 0, None
        self.lock_page.prepare("", "")
        self.signed_in(new)

    def _signed_out(self, message: str) -> None:
        self._drop_hidden_windows()
        self.close_session()
        self.ws = None
        self.locked = False
        self.watch.enabled = False
        self.lock_page.prepare("", "")
        while self.tabs.count():
            page = self.tabs.widget(0)
            self.tabs.removeTab(0)
            page.deleteLater()
        self.stack.removeWidget(self.start_page)
        self.start_page.deleteLater()
        self.start_page = LoginPage(self, None)
        self.stack.insertWidget(0, self.start_page)
        self.start_page.message.setText(message)
        self.stack.setCurrentWidget(self.start_page)
        self.setWindowTitle("Facilitator")


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
    lock = acquire_instance_lock(location)
    if lock is None:
        QMessageBox.warning(None, "Facilitator", already_open_message(location))
        return 1
    window = MainWindow(location, username or os.environ.get("FACILITATOR_USER"))
    window.instance_locks[location] = lock
    sys.excepthook = _report_unexpected(window)
    window.show()
    return int(app.exec())
