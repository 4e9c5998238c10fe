"""Key slots on PostgreSQL: the same slots as the key file (store.keys), as rows of
``key_slot``. There is no database key to wrap there (the server authenticates), so a slot
wraps nothing but what it holds: a user's signing key and an administrator's root key. Each
login reads its own slot only (row-level security), so ``usernames`` here is the reader's own
(and, for an administrator, the recovery slot)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from facilitator.domain.errors import IntegrityProblem
from facilitator.store import people
from facilitator.store.keys import KeySlots
from facilitator.store.models import KeySlot, ProgramSetting, database
from facilitator.store.server_logins import set_slot

DATABASE_ID = "database_id"
NOTHING = b""  # what a server slot wraps in place of a database key


class ServerSlots(KeySlots):
    """Slots read from and written to the ``key_slot`` table, one transaction per save."""

    @classmethod
    def read(cls) -> ServerSlots:
        return cls(Path("key_slot"), _database_id(), _rows())

    def save(self) -> None:
        # Through the login keeper's function (store.server_setup): a slot row is readable by
        # its owner alone, and written by its owner or an administrator.
        with database.atomic():
            for username, slot in self._pending:
                set_slot(database.obj, username, None if slot is None else json.dumps(slot))
            self._slots = _rows()
        self._pending = []

    def _current_slots(self) -> dict[str, dict[str, object]]:
        return _rows()

    def _damaged_slot(self, username: str) -> IntegrityProblem:
        return IntegrityProblem(
            f"the key slot of {username} on the server is damaged; an administrator can reset "
            "their password"
        )


def _rows() -> dict[str, dict[str, object]]:
    slots = {}
    for row in KeySlot.select():
        try:
            slots[row.username] = json.loads(row.slot)
        except ValueError:
            slots[row.username] = {}  # opens as damage, naming the user
    return slots


def _database_id() -> str:
    """The server database's own id, made once (the key file's is in the file)."""
    if found := people.get_setting(DATABASE_ID):
        return found
    with database.atomic():
        ProgramSetting.insert(
            key=DATABASE_ID, value=secrets.token_hex(16)
        ).on_conflict_ignore().execute()
    return people.get_setting(DATABASE_ID)
