"""The live view: what other seats commit reaches this window's screens within a second, as
Changes on the window's change bus (with no initiator, so every screen takes them).

On a clinic server a thread waits for the server's announcements (services.live.ServerFeed)
and hands them to the window's thread through a queued signal; when the server cannot be
reached it tries again every second, and once back it has every screen read everything again
(what was announced meanwhile is gone). On a laptop's file a timer asks the file a few times a
second (services.live.LaptopFeed).
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer, Signal

from facilitator.domain.changes import Changes
from facilitator.domain.errors import FacilitatorError
from facilitator.services import live
from facilitator.services.workspace import Workspace
from facilitator.ui.bus import ChangeBus

LAPTOP_POLL_MS = 250
SERVER_WAIT_S = 0.5  # how long the thread waits before looking whether it should stop
RETRY_S = 1.0
EVERYTHING = Changes(everything=True)


class LiveView(QObject):
    heard = Signal(object)  # from the feed's thread: a list of (process, announcement)
    reachable = Signal(bool)  # the server could (True) or could not (False) be reached

    def __init__(self, ws: Workspace, bus: ChangeBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ws, self.bus = ws, bus
        self._stop = threading.Event()
        self._recheck = threading.Event()
        self._thread: threading.Thread | None = None
        self._timer: QTimer | None = None
        self.heard.connect(self._publish)
        if ws.store.is_postgres:
            self._feed = live.ServerFeed(ws)
            self._thread = threading.Thread(target=self._listen, name="live view", daemon=True)
            self._thread.start()
        else:
            self._laptop = live.LaptopFeed(ws)
            self._timer = QTimer(self)
            self._timer.setInterval(LAPTOP_POLL_MS)
            self._timer.timeout.connect(self._poll)
            self._timer.start()

    def recheck(self) -> None:
        """Something else met an unreachable server: connect again, and say ``reachable``
        (True) once that works."""
        self._recheck.set()

    def stop(self) -> None:
        self._stop.set()
        if self._timer is not None:
            self._timer.stop()
        if self._thread is not None:
            self._thread.join(timeout=SERVER_WAIT_S + RETRY_S + 1)
            self._feed.close()

    # ------------------------------------------------------------------------- the server

    def _listen(self) -> None:
        """On the feed's thread: wait for announcements and pass them on."""
        lost = False
        while not self._stop.is_set():
            if self._recheck.is_set():  # start from a new connection, and say when it works
                self._recheck.clear()
                self._feed.close()
                lost = True
                self._stop.wait(RETRY_S)
                continue
            try:
                heard = self._feed.wait(SERVER_WAIT_S)
            except FacilitatorError:
                if not lost:
                    lost = True
                    self.reachable.emit(False)
                self._stop.wait(RETRY_S)
                continue
            if lost:  # back: what was announced meanwhile is gone, so read it all again
                lost = False
                self.reachable.emit(True)
                heard = [(0, {"everything": True})]
            if heard:
                self.heard.emit(heard)

    def _publish(self, heard: live.Heard) -> None:
        if any(announcement.get("everything") for _pid, announcement in heard):
            self.bus.publish(EVERYTHING)
            return
        try:
            changes = live.changes_heard(self.ws, heard)
        except FacilitatorError:
            return  # the window's own connection is down: its own saves say so
        self.bus.publish(changes)

    # ------------------------------------------------------------------------- a laptop

    def _poll(self) -> None:
        try:
            changes = self._laptop.read()
        except FacilitatorError:
            return
        self.bus.publish(EVERYTHING if changes is None else changes)
