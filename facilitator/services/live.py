"""Other seats' changes, for a window to follow (store.announcements): on a clinic server they
are pushed (LISTEN/NOTIFY) and waited for on a thread of the window's; on a laptop's file the
window asks a few times a second, which costs one PRAGMA when nothing happened."""

from __future__ import annotations

from facilitator.domain.changes import Announcement, Changes, announced
from facilitator.services.workspace import Workspace
from facilitator.store import announcements, server_link

# Announcements come with the server process that made them: this seat's own are skipped (its
# screens already show them).
Heard = list[tuple[int, Announcement]]


def keep_answers_within(ws: Workspace, seconds: float) -> None:
    """A statement the clinic server has not answered within ``seconds`` is cut and reported
    as ServerUnreachable (the window's promise: never frozen longer; store.server_link)."""
    if isinstance(ws.store.db, server_link.ClinicServerDatabase):
        ws.store.db.answer_within(seconds)


class ServerFeed:
    """What other seats commit on the clinic server: ``wait`` (on a thread of its own) blocks
    until some arrive; ``changes`` (on the window's thread) turns them into Changes."""

    def __init__(self, ws: Workspace) -> None:
        assert ws.store.is_postgres
        self._db = ws.store.db
        self._listener: announcements.Listener | None = None

    def wait(self, seconds: float) -> Heard:
        """Announcements within ``seconds`` (raises ServerUnreachable; the next call tries to
        connect again)."""
        try:
            if self._listener is None:
                self._listener = announcements.Listener(self._db)
            return self._listener.wait(seconds)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self._listener is not None:
            listener, self._listener = self._listener, None
            listener.close()


def changes_heard(ws: Workspace, heard: Heard) -> Changes:
    """Others' announcements as Changes for the screens (on the window's thread)."""
    ws.make_current()
    own = announcements.own_process_id()
    return announced([announcement for pid, announcement in heard if pid != own])


class LaptopFeed:
    """What other processes commit on this laptop's file."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        ws.make_current()
        self._log = announcements.LaptopLog()

    def read(self) -> Changes | None:
        """Others' changes since the last read; None when too many went by to name them."""
        self.ws.make_current()
        found = self._log.read()
        return None if found is None else announced(found)
