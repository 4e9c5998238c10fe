"""The recovery key: a second way into the database, only for resetting an administrator.

On an embedded database it is one more key slot (named RECOVERY_SLOT, which no username can
be) wrapping the database key; on a server it is an argon2 hash in the program settings.
"""

from __future__ import annotations

from pathlib import Path

from argon2.exceptions import InvalidHashError, VerificationError

from facilitator.domain.errors import AuthenticationFailed, NotFound
from facilitator.store import database, models
from facilitator.store.keys import KeySlots, keys_path_for
from facilitator.store.locations import is_server_url

RECOVERY_SLOT = "#recovery"
RECOVERY_SETTING = "recovery_key_hash"
WRONG_KEY = "that recovery key does not open this database"


def set_recovery_key(
    store: database.Store, recovery_key: str, held: dict[str, bytes] | None = None
) -> None:
    """Replace the database's recovery key with this one; its slot holds ``held`` (the
    clinic's root key)."""
    slots = database.key_slots(store)
    slots.add(RECOVERY_SLOT, recovery_key, store._key or b"", store.kdf, held)
    slots.save()
    if store.slots is not None:
        return
    digest = database._hasher(store.kdf).hash(recovery_key)
    with database.clear_errors():
        updated = (
            models.ProgramSetting.update(value=digest)
            .where(models.ProgramSetting.key == RECOVERY_SETTING)
            .execute()
        )
        if not updated:
            models.ProgramSetting.create(key=RECOVERY_SETTING, value=digest)


def open_with_recovery_key(location: str, recovery_key: str, username: str) -> database.Store:
    """Open the database with the recovery key, acting for the administrator ``username``."""
    if not recovery_key.strip():
        raise AuthenticationFailed(WRONG_KEY)
    if is_server_url(location):
        db = database._connect_server(location)
        database._bind(db)
        database.migrate(db, None)
        store = database.Store(db, location, username)
        row = models.ProgramSetting.get_or_none(models.ProgramSetting.key == RECOVERY_SETTING)
        try:
            database._hasher(store.kdf).verify(row.value if row else "", recovery_key)
        except (VerificationError, InvalidHashError):
            db.close()
            raise AuthenticationFailed(WRONG_KEY) from None
        server_slots = database.key_slots(store)
        if RECOVERY_SLOT in server_slots.usernames:
            store.held = server_slots.open(RECOVERY_SLOT, recovery_key)[1]
        return store
    path = Path(location)
    if not path.is_file():
        raise NotFound(f"no database at {path}")
    slots = KeySlots.load(keys_path_for(path))
    try:
        key, held = slots.open(RECOVERY_SLOT, recovery_key)
    except AuthenticationFailed:
        raise AuthenticationFailed(WRONG_KEY) from None
    from facilitator.store.rekey import finish_interrupted

    with slots.locked():  # as database.open_store: the key and the file always match
        finish_interrupted(path, key)
        db = database._open_sqlite(path, key)
    database._bind(db)
    database.migrate(db, path)
    return database.Store(
        db, str(path), username, slots, key, slots.params_of(RECOVERY_SLOT), held=held
    )
