"""Hearing what other seats commit (migration 0013): each change comes as an Announcement (a
table and ids, domain.changes) and never with a row's contents.

- On PostgreSQL a ``Listener`` holds a connection of its own (the same login) that LISTENs, and
  waits for notifications on a thread of the caller's (never the window's).
- On SQLite ``LaptopLog`` asks the file's ``data_version`` (which moves only when another
  connection commits) and, when it moved, reads the ``change_log`` rows after the last it saw.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from typing import Any

import peewee
import psycopg

from facilitator.domain.changes import Announcement
from facilitator.domain.errors import ServerUnreachable
from facilitator.store.models import database

CHANNEL = "facilitator_changes"
BATCH_S = 0.05


def own_process_id() -> int | None:
    """The server process of this seat's own connection (its announcements are its own)."""
    if not isinstance(database.obj, peewee.PostgresqlDatabase) or database.is_closed():
        return None
    return int(database.connection().info.backend_pid)


class Listener:
    """LISTENs on the server for announcements, on a connection of its own."""

    def __init__(self, db: peewee.Database) -> None:
        params: dict[str, Any] = dict(db.connect_params)
        with _unreachable():
            self._connection = psycopg.connect(dbname=db.database, autocommit=True, **params)
            self._connection.execute(f"LISTEN {CHANNEL}")

    def wait(self, seconds: float) -> list[tuple[int, Announcement]]:
        """What was announced (with the announcing server process), waiting up to ``seconds``
        for the first, then BATCH_S for the rest of its burst: one save announces several
        rows, and a busy clinic many saves a second; each wake-up costs the seat far more than
        each announcement, and a screen is told within a second either way."""
        heard: list[tuple[int, Announcement]] = []
        with _unreachable():
            for notify in self._connection.notifies(timeout=seconds, stop_after=1):
                heard.append((notify.pid, json.loads(notify.payload)))
            if heard:
                time.sleep(BATCH_S)
                for notify in self._connection.notifies(timeout=0.001):
                    heard.append((notify.pid, json.loads(notify.payload)))
        return heard

    def close(self) -> None:
        self._connection.close()


@contextlib.contextmanager
def _unreachable() -> Iterator[None]:
    try:
        yield
    except psycopg.OperationalError:
        raise ServerUnreachable("the clinic server is not answering") from None


class LaptopLog:
    """The other processes' commits on one SQLite file, read from its change log."""

    def __init__(self) -> None:
        self._version = self._data_version()
        self._last = database.execute_sql("SELECT coalesce(max(id), 0) FROM change_log").fetchone()[
            0
        ]

    @staticmethod
    def _data_version() -> int:
        return int(database.execute_sql("PRAGMA data_version").fetchone()[0])

    def read(self) -> list[Announcement] | None:
        """What others committed since the last read ([] if nothing); None when more than the
        log keeps went by (read everything again)."""
        version = self._data_version()
        if version == self._version:
            return []
        self._version = version
        rows = database.execute_sql(
            "SELECT id, tbl, row_id, session_id, member_id, group_id FROM change_log "
            "WHERE id > ? ORDER BY id",
            (self._last,),
        ).fetchall()
        if not rows:
            return []
        gap = rows[0][0] > self._last + 1
        self._last = rows[-1][0]
        if gap:
            return None
        return [{"t": r[1], "id": r[2], "s": r[3], "m": r[4], "g": r[5]} for r in rows]
