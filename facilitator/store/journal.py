"""Typing kept on this laptop while the clinic server cannot be reached (issue 13).

One small SQLCipher file per person and server in the user's data folder, keyed by a key only
their own slot opens (services.journal derives it from their signing key). It holds, for each
note field typed into during an outage, the newest text and what the box showed as stored when
the typing began (the save's version check on the way back). Nothing else is in it, and an
entry goes as soon as its text is saved on the server.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from facilitator.store.database import EncryptedSqlite

GROUP = 0  # member_id of the group note's fields (members' ids start at 1)


@dataclass(frozen=True)
class Kept:
    session_id: int
    member_id: int | None  # None: a field of the group note
    field: str
    text: str
    seen: str  # what the box showed as stored when the typing began
    kept_at: str


class Journal:
    def __init__(self, path: Path, key: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path = path
        self.db = EncryptedSqlite(path, key)
        self.db.connect()
        self.db.execute_sql(
            "CREATE TABLE IF NOT EXISTS kept (session_id INTEGER NOT NULL, "
            "member_id INTEGER NOT NULL, field TEXT NOT NULL, text TEXT NOT NULL, "
            "seen TEXT NOT NULL, kept_at TEXT NOT NULL, "
            "PRIMARY KEY (session_id, member_id, field))"
        )

    def keep(
        self, session_id: int, member_id: int | None, field: str, text: str, seen: str
    ) -> None:
        """The newest text of a field (an earlier one of the same field is replaced; what it
        began from stays the first typing's)."""
        with self.db.atomic():
            self.db.execute_sql(
                "INSERT INTO kept VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT "
                "(session_id, member_id, field) DO UPDATE SET text = excluded.text, "
                "kept_at = excluded.kept_at",
                (session_id, member_id or GROUP, field, text, seen, _now()),
            )

    def drop(self, session_id: int, member_id: int | None, field: str) -> None:
        with self.db.atomic():
            self.db.execute_sql(
                "DELETE FROM kept WHERE session_id = ? AND member_id = ? AND field = ?",
                (session_id, member_id or GROUP, field),
            )

    def entries(self) -> list[Kept]:
        rows = self.db.execute_sql(
            "SELECT session_id, member_id, field, text, seen, kept_at FROM kept "
            "ORDER BY kept_at, session_id, member_id, field"
        ).fetchall()
        return [Kept(r[0], r[1] or None, r[2], r[3], r[4], r[5]) for r in rows]

    def close(self) -> None:
        self.db.close()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
