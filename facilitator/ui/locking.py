"""The screen lock of the main window: after inactivity or on Ctrl+L every record is hidden
until the signed-in user's password is typed again (or someone else signs in)."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

from facilitator.domain.errors import AuthenticationFailed, FacilitatorError

if TYPE_CHECKING:
    from facilitator.services.workspace import Workspace
    from facilitator.ui.lock import InactivityWatch, LockPage

MINUTE_MS = 60_000


class LockingWindow(QMainWindow):
    """A main window that locks. The window built on it provides what the lock hides and
    restores: its stack of screens, the home tabs, and signing in and out."""

    stack: QStackedWidget
    ws: Workspace | None
    start_page: QWidget
    _lock_page: LockPage | None = None  # made at the first sign-in: _watch_input

    # The window's own: its home screen, closing the open session, a new sign-in, and the
    # sign-in page again when everyone is signed out.
    def show_home(self) -> None: ...

    def close_session(self) -> None: ...

    def signed_in(self, ws: Workspace) -> None: ...

    def show_sign_in(self, message: str) -> None: ...

    @property
    def lock_page(self) -> LockPage:
        return self._make_lock_page() if self._lock_page is None else self._lock_page

    def _make_lock_page(self) -> LockPage:
        from facilitator.ui.lock import LockPage

        page = LockPage(self)
        page.unlock_requested.connect(self.unlock)
        page.switch_requested.connect(self.switch_user)
        self.stack.addWidget(page)
        self._lock_page = page
        return page

    def _build_lock(self) -> None:
        """The lock's state and timer; its page, input watch and Ctrl+L come at the first
        sign-in (_watch_input)."""
        self.locked = False
        self._before_lock: QWidget | None = None
        self._focus_before_lock: QWidget | None = None
        self._title_before_lock = ""
        self._hidden_by_lock: list[QWidget] = []
        # Wrong passwords in a row at the lock screen, and when the last was: the same back-off
        # as signing in, so the lock is no place to guess passwords at leisure.
        self._lock_failures = 0
        self._last_lock_failure: dt.datetime | None = None
        self.lock_timer = QTimer(self)
        self.lock_timer.setSingleShot(True)
        self.lock_timer.timeout.connect(self.lock)
        self.watch: InactivityWatch | None = None  # made at the first sign-in: _watch_input
        self._watching = False

    def _watch_input(self) -> InactivityWatch:
        """At the first sign-in: the inactivity watch, Ctrl+L, and the lock page made ready.

        Not before: the sign-in window should appear as fast as a bare one. An application-wide
        Python filter sees every event, and a shortcut's first key sequence makes PySide6 load
        Qt's whole namespace of enums, which costs more than drawing the sign-in window.
        """
        from PySide6.QtGui import QAction, QKeySequence

        from facilitator.ui.lock import InactivityWatch

        self.watch = InactivityWatch(self.lock_timer, self)
        self.lock_action = QAction("Lock now", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(lambda: self.lock(manual=True))
        self.addAction(self.lock_action)
        if self._lock_page is None:
            self._make_lock_page()  # ready before any record is on screen
        return self.watch

    def _start_inactivity_lock(self) -> None:
        from facilitator.services import security

        watch = self._watch_input() if self.watch is None else self.watch
        self.lock_timer.setInterval(security.lock_minutes() * MINUTE_MS)
        app = QApplication.instance()
        if app is not None and not self._watching:
            app.installEventFilter(watch)
            self._watching = True
        watch.enabled = True
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
        if self.watch is not None:
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
        from PySide6.QtWidgets import QDialog

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
        if before is not None and self.stack.indexOf(before) >= 0:
            self.stack.setCurrentWidget(before)
        else:
            self.show_home()
        self.setWindowTitle(self._title_before_lock)
        self.lock_page.prepare("", "")
        self._show_hidden_windows()
        if self._focus_before_lock is not None:
            self._focus_before_lock.setFocus()
        if self.watch is not None:
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
        if self.watch is not None:
            self.watch.enabled = False
        self.lock_page.prepare("", "")
        self.show_sign_in(message)
