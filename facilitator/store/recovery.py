"""The recovery key: a second way into the database, only for resetting an administrator.

It is one more key slot (named RECOVERY_SLOT, which no username can be): in the key file,
wrapping the database key; on a server, a row of ``key_slot`` that only administrators read,
holding the clinic's root key. On a server the recovery key does not sign anyone in (the server
checks logins); the clinic's IT uses it with ``facilitator server reset-admin``
(services.server).
"""

from __future__ import annotations

from pathlib import Path

from facilitator.domain.errors import AuthenticationFailed, NotFound, RuleViolation
from facilitator.store import database
from facilitator.store.keys import KeySlots, keys_path_for
from facilitator.store.locations import is_server_url

RECOVERY_SLOT = "#recovery"
RECOVERY_SETTING = "recovery_key_hash"
WRONG_KEY = "that recovery key does not open this database"
ON_A_SERVER = (
    "on a clinic server the clinic's IT resets an administrator's password with the recovery "
    "key: 'facilitator server reset-admin USERNAME' (see docs/server.md)"
)


def set_recovery_key(
    store: database.Store, recovery_key: str, held: dict[str, bytes] | None = None
) -> None:
    """Replace the database's recovery key with this one; its slot holds ``held`` (the
    clinic's root key)."""
    slots = database.key_slots(store)
    slots.add(RECOVERY_SLOT, recovery_key, store._key or b"", store.kdf, held)
    slots.save()


def open_server_recovery_slot(recovery_key: str) -> bytes:
    """The clinic's root key from a server's recovery slot (read with the owner's rights:
    services.server.reset_admin); a wrong key is refused as such."""
    from facilitator.store.server_slots import ServerSlots
    from facilitator.store.signing_keys import ROOT

    slots = ServerSlots.read()
    if RECOVERY_SLOT not in slots.usernames:
        raise AuthenticationFailed(WRONG_KEY)
    try:
        held = slots.open(RECOVERY_SLOT, recovery_key)[1]
    except AuthenticationFailed:
        raise AuthenticationFailed(WRONG_KEY) from None
    if ROOT not in held:
        raise AuthenticationFailed(WRONG_KEY)
    return held[ROOT]


def open_with_recovery_key(location: str, recovery_key: str, username: str) -> database.Store:
    """Open the database with the recovery key, acting for the administrator ``username``."""
    if not recovery_key.strip():
        raise AuthenticationFailed(WRONG_KEY)
    if is_server_url(location):
        raise RuleViolation(ON_A_SERVER)
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
