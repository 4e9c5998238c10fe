"""Who else has this session open, and where: this screen tells the others where its user is
(services.presence) and hears where they are, for the header ("Also here: …") and the notes
list (a note someone else is typing).

Where its user is gets written once they settle (a part, a member's note, typing started or
stopped), and again every REFRESH_S seconds so the others know the screen is still open. What
the others do arrives on the change bus (the live view) and is read again at each refresh, so a
seat that vanished without closing (a crash) drops off by itself. None of this may get in the
way of the session: while the server is unreachable nothing is written or read, and a refusal
is passed over (the outage banner and the saves say what is wrong).
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QObject, QTimer, Signal

from facilitator.domain.changes import Changes
from facilitator.domain.errors import FacilitatorError
from facilitator.domain.records import OtherSeat
from facilitator.services import presence
from facilitator.ui.bus import Follower
from facilitator.ui.outage import server_link
from facilitator.ui.session.context import SessionContext

SETTLE_MS = 200  # a move is written once its user settles, not at every step of the way


class Presence(QObject):
    """This session screen's seat: its own place for the others, and theirs (``others``)."""

    others_changed = Signal(object)  # list[OtherSeat]

    def __init__(self, ctx: SessionContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.seat = presence.new_seat()
        self.others: list[OtherSeat] = []
        self.part = ""
        self.member_id: int | None = None
        self.typing = False
        self._open = True
        self._read_once = False
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(SETTLE_MS)
        self._soon.timeout.connect(self.write)
        self._refresh = QTimer(self)
        self._refresh.setInterval(presence.REFRESH_S * 1000)
        self._refresh.timeout.connect(self._still_here)
        self._refresh.start()
        self.link = server_link()
        self.link.came_back.connect(self._still_here)
        self.follower = Follower(self, ctx.bus, self._cares, lambda _c: self.read(), lambda: True)

    def at(self, part: str, member_id: int | None) -> None:
        """Its user is on this part (and this member's note, on the notes)."""
        if (part, member_id) != (self.part, self.member_id):
            self.part, self.member_id = part, member_id
            self._soon.start()

    def typing_now(self, typing: bool) -> None:
        """Its user started (True) or stopped (False) typing where they are."""
        if typing != self.typing:
            self.typing = typing
            self._soon.start()

    def write(self) -> None:
        self._soon.stop()
        if not self._open or not self.part or self.link.down:
            return
        with contextlib.suppress(FacilitatorError):  # not a record: the next refresh tries again
            self.ctx.bus.run(
                self, presence.here, self.ctx.ws, self.seat, self.ctx.session_id,
                self.part, self.member_id, self.typing,
            )  # fmt: skip
        if not self._read_once:  # the first look at the others waits, like this, for the
            self._read_once = True  # screen to settle: opening a session stays quick
            self.read()

    def read(self) -> None:
        """Where the others are now (a change is told with ``others_changed``)."""
        if not self._open or self.link.down:
            return
        try:
            others = presence.others(self.ctx.ws, self.seat, self.ctx.session_id)
        except FacilitatorError:
            return
        if others != self.others:
            self.others = others
            self.others_changed.emit(others)

    def _still_here(self) -> None:
        self.write()
        self.read()

    def _cares(self, changes: Changes) -> bool:
        return changes.everything or self.ctx.session_id in changes.presence

    def close(self) -> None:
        """The screen closes: its seat goes (left to expire if the workspace is closed already,
        as when another user takes over a locked window)."""
        if not self._open:
            return
        self._open = False
        self._soon.stop()
        self._refresh.stop()
        ws = self.ctx.ws
        if self.link.down or ws.store.db.is_closed():
            return
        with contextlib.suppress(FacilitatorError):
            self.ctx.bus.run(self, presence.gone, ws, self.seat, self.ctx.session_id)
