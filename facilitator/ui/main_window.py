"""The main window: first-run setup or sign-in, then the home tabs and the session runner.

Every screen after sign-in shares one change bus (ui.bus): a change made on one screen reaches
every other at once, and changes made outside this window can be fed into it the same way.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QWidget,
)

from facilitator.domain.errors import FacilitatorError, ServerUnreachable
from facilitator.services import startup
from facilitator.ui.locking import LockingWindow
from facilitator.ui.server_watch import ServerWatch, with_banner_room
from facilitator.ui.start_pages import LoginPage, SetupPage

# Only the first screen is imported up front; the rest (and the database drivers behind it)
# load after sign-in, so the login window appears as fast as a bare one would. That holds for
# PySide6's own classes too: each loads on its first use, and the home tabs, the lock and its
# Ctrl+L are made at the first sign-in (see tabs, lock_page, _watch_input).
if TYPE_CHECKING:
    from PySide6.QtCore import QLockFile
    from PySide6.QtGui import QCloseEvent
    from PySide6.QtWidgets import QTabWidget

    from facilitator.services.workspace import Workspace
    from facilitator.ui.bus import ChangeBus
    from facilitator.ui.outage import OutageBanner, ServerLink
    from facilitator.ui.password_dialog import PasswordDialog
    from facilitator.ui.session import SessionPage

__all__ = ["DEMO_PASSWORD", "LoginPage", "MainWindow", "SetupPage", "run_window"]

# The demo database holds only fictitious people; its password is no secret.
DEMO_PASSWORD = "fictitious-demo-data"


class MainWindow(LockingWindow):
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
        page, column = with_banner_room(self, self.stack)
        self.setCentralWidget(page)
        self.server = ServerWatch(self, column)  # other seats, the server's outages
        self.start_page: QWidget = (
            SetupPage(self) if startup.needs_setup(location) else LoginPage(self, username)
        )
        self.stack.addWidget(self.start_page)
        self.setWindowTitle("Facilitator")
        # Held while this window works on a database (run_window takes it; see claim()).
        self.instance_locks: dict[str, QLockFile] = {}
        # Made when first needed, at the first sign-in: the sign-in window shows neither.
        self._tabs: QTabWidget | None = None
        self._bus: ChangeBus | None = None
        self._build_lock()

    @property
    def link(self) -> ServerLink:
        return self.server.link

    @property
    def outage_banner(self) -> OutageBanner | None:
        return self.server.banner

    @property
    def tabs(self) -> QTabWidget:
        """Home: Today, Groups, Members and the rest, with the Lock button in their corner."""
        if self._tabs is None:
            from PySide6.QtWidgets import QTabWidget

            self._tabs = QTabWidget(self)
            self._tabs.setAccessibleName("Home")
            self.stack.addWidget(self._tabs)
            self.lock_button = QPushButton("Lock (Ctrl+L)", self)
            self.lock_button.setAccessibleName("Lock the screen now")
            self.lock_button.setToolTip("Hide the records until you enter your password")
            self.lock_button.clicked.connect(lambda: self.lock(manual=True))
            from PySide6.QtWidgets import QHBoxLayout

            self.password_button = QPushButton("My password…", self)
            self.password_button.setAccessibleName("Change my password")
            self.password_button.clicked.connect(self.change_password)
            corner = QWidget(self)
            row = QHBoxLayout(corner)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(self.password_button)
            row.addWidget(self.lock_button)
            self._tabs.setCornerWidget(corner)
        return self._tabs

    def password_dialog(self, *, first: bool = False) -> PasswordDialog:
        """Built, not shown (a test fills it in and accepts it)."""
        from facilitator.services import accounts
        from facilitator.ui.password_dialog import PasswordDialog

        ws = self.workspace
        return PasswordDialog(
            ws.actor.username,
            lambda current, new: accounts.change_own_password(ws, current, new),
            self,
            first=first,
        )

    def change_password(self) -> None:
        from PySide6.QtCore import Qt

        dialog = self.password_dialog()
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    # The workspace and the change bus are always set once signed in.
    @property
    def workspace(self) -> Workspace:
        assert self.ws is not None
        return self.ws

    @property
    def bus(self) -> ChangeBus:
        assert self._bus is not None
        return self._bus

    def signed_in(self, ws: Workspace) -> None:
        from facilitator.services import accounts, home
        from facilitator.ui.bus import ChangeBus

        self.ws = ws
        demo = " — DEMO" if ws.demo else ""
        self.setWindowTitle(f"Facilitator — {accounts.program_name()} — {ws.actor.full_name}{demo}")
        if self._bus is not None:  # a second sign-in: the screens of the first are gone
            self._bus.deleteLater()
        self._bus = ChangeBus(self)
        self.server.start(ws, self.bus)
        self._add_home_tabs()
        self.show_home()
        place = home.last_place(ws)
        if place is not None:
            self.open_session(place.session_id, place.part, place.member_id)
        self._start_inactivity_lock()
        from facilitator.services import backup, integrity

        # A file too big to check at sign-in is checked now, beside the work; then the backup.
        self.check_thread = integrity.start_background_check(ws, self.integrity_problem.emit)
        self.backup_thread = backup.start_daily_backup(ws)  # today's, once, in the background
        if not ws.actor.password_chosen:
            self._choose_own_password()

    def _choose_own_password(self) -> None:
        """Signed in with a password an administrator gave them: they choose their own before
        anything else, or the window closes (nothing is open yet to lose)."""
        from PySide6.QtCore import Qt

        dialog = self.password_dialog(first=True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.rejected.connect(self.close)
        dialog.open()

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
        """Today, Groups, Members, Library and Reports; Audit and Users for those who may."""
        from facilitator.ui.groups_page import GroupsPage
        from facilitator.ui.home_page import TodayPage
        from facilitator.ui.library_page import LibraryPage
        from facilitator.ui.members_page import MembersPage
        from facilitator.ui.reports_page import ReportsPage

        self._clear_tabs()  # a second sign-in (the demo, another user) builds them afresh
        ws, bus = self.workspace, self.bus
        self.today_page = TodayPage(self, bus=bus)
        self.groups_page = GroupsPage(ws, self, bus=bus)
        self.members_page = MembersPage(ws, self, bus=bus)
        self.library_page = LibraryPage(ws, self, bus=bus)
        self.reports_page = ReportsPage(ws, self, bus=bus)
        for page, title in (
            (self.today_page, "&Today"),
            (self.groups_page, "&Groups"),
            (self.members_page, "&Members"),
            (self.library_page, "&Library"),
            (self.reports_page, "&Reports"),
        ):
            self.tabs.addTab(page, title)
        self.groups_page.open_member.connect(self._show_member)
        self._add_oversight_tabs()

    def _clear_tabs(self) -> None:
        while self.tabs.count():
            page = self.tabs.widget(0)
            self.tabs.removeTab(0)
            if page is not None:
                page.deleteLater()

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

            self.audit_page = AuditPage(self.workspace, self, bus=self.bus)
            self.tabs.addTab(self.audit_page, "Audit")
        if role is Role.ADMIN:
            from facilitator.ui.users_page import UsersPage

            self.users_page = UsersPage(self.workspace, self, bus=self.bus)
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
            from facilitator.ui.lock import already_open_message

            if self.instance_locks and not self.claim(location):
                raise FacilitatorError(already_open_message(location))
            self.location = location
            self.signed_in(accounts.sign_in(location, "demo", DEMO_PASSWORD))
        except FacilitatorError as exc:
            message = self.start_page.findChild(QLabel, "message")
            if message is not None:
                message.setText(exc.message)

    def show_home(self) -> None:
        self.stack.setCurrentWidget(self.tabs)

    def open_session(
        self, session_id: int, part: str | None = None, note_member: int | None = None
    ) -> None:
        from facilitator.ui.session import SessionPage

        self.close_session()
        try:
            self.session_page = SessionPage(
                self.workspace, session_id, part, self, bus=self.bus, note_member=note_member
            )
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
            self.session_page.leave()
            self.stack.removeWidget(self.session_page)
            self.session_page.deleteLater()
            self.session_page = None

    def show_sign_in(self, message: str) -> None:
        """Back to the sign-in page (everyone signed out), saying why."""
        self.server.stop()
        self._clear_tabs()
        self.stack.removeWidget(self.start_page)
        self.start_page.deleteLater()
        self.start_page = LoginPage(self, None)
        self.stack.insertWidget(0, self.start_page)
        self.start_page.message.setText(message)
        self.stack.setCurrentWidget(self.start_page)
        self.setWindowTitle("Facilitator")

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.link.down and self._typing_would_be_lost():
            event.ignore()
            return
        self.lock_timer.stop()
        self.server.stop()
        if self.watch is not None:
            self.watch.enabled = False
        self.close_session()  # saves pending typing and stops the session clock
        if self.ws is not None:
            from facilitator.services import accounts

            try:
                accounts.sign_out(self.ws)  # noted in the audit trail, then closed
            except ServerUnreachable:  # the server never hears of it; the window still closes
                self.ws.close()
            self.ws = None
        for lock in self.instance_locks.values():
            lock.unlock()
        self.instance_locks.clear()
        super().closeEvent(event)

    def _typing_would_be_lost(self) -> bool:
        """Whether closing now would throw away typing the server has not got and the laptop's
        journal does not hold (asked first)."""
        page = self.session_page
        if page is None:
            return False
        page.flush()  # into the journal, where there is one
        if not any(saver.pending and not saver.kept for saver in page.savers):
            return False
        answer = QMessageBox.question(
            self,
            "Facilitator",
            "The server is unreachable, and typing in this session is not saved yet: closing "
            "the window now loses it. Close anyway?",
            QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer != QMessageBox.StandardButton.Close

    # ------------------------------------------------------------------------- one window

    def claim(self, location: str) -> bool:
        """Take the database's instance lock; False when another window holds it."""
        if location in self.instance_locks:
            return True
        from facilitator.ui.lock import acquire_instance_lock

        lock = acquire_instance_lock(location)
        if lock is None:
            return False
        self.instance_locks[location] = lock
        return True


def _report_unexpected(window: MainWindow) -> Callable[..., None]:
    """An error nobody foresaw is one plain sentence in a box; the window stays open and
    everything already saved stays saved. A database or disk fault says what it is (damage,
    a full disk, a read-only folder); anything else names the kind of error only, never record
    content."""

    def hook(kind: type[BaseException], error: BaseException, _trace: object) -> None:
        if isinstance(error, ServerUnreachable):  # the window's banner says it, once
            window.link.lost()
            return
        explained = startup.explain(error, window.location)
        QMessageBox.critical(
            window,
            "Facilitator",
            explained.message
            if explained is not None
            else f"Something went wrong ({kind.__name__}). Your saved work is safe; "
            "please tell your administrator what you were doing.",
        )

    return hook


def run_window(location: str, username: str | None, argv: list[str]) -> int:
    from facilitator.ui.lock import acquire_instance_lock, already_open_message

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
