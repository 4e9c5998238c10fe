"""Opening the one database a process works on: the encrypted SQLite default or PostgreSQL.

Everything that reads or writes goes through ``models.database``, a proxy bound here once per
open store (the Vorta pattern). Opening authenticates the user: on SQLite their key slot must
unwrap the database key; on PostgreSQL the server itself checks their own login role's password
(store.server_connect), and a staff login never changes the schema (store.server_setup).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import peewee
from argon2 import PasswordHasher
from playhouse.migrations import Runner
from playhouse.sqlcipher_ext import SqlCipherDatabase

from facilitator.domain.enums import Role
from facilitator.domain.errors import (
    AuthenticationFailed,
    IntegrityProblem,
    NotFound,
    PermissionDenied,
    RuleViolation,
    SessionLocked,
)
from facilitator.store import models
from facilitator.store.failures import DRIVER_ERRORS, explain
from facilitator.store.keys import (
    STRONG,
    WRONG_CREDENTIALS,
    KdfParams,
    KeySlots,
    keys_path_for,
    new_database_key,
)
from facilitator.store.locations import is_server_url, unsafe_location_reason

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
LOCK_MARKER = "FACILITATOR_LOCKED"
NOT_AUTHOR_MARKER = "FACILITATOR_NOT_AUTHOR"
LOGIN_MARKER = "FACILITATOR_LOGIN: "
# One number both engines use to serialise migrations when several laptops start at once.
MIGRATION_LOCK_ID = 7_447_001
SQLITE_PRAGMAS = (
    # SQLCipher would print damaged pages to stderr; they reach people as IntegrityProblem.
    ("cipher_log_level", "NONE"),
    ("journal_mode", "wal"),
    ("synchronous", 2),
    ("foreign_keys", 1),
    ("busy_timeout", 5000),
)


class EncryptedSqlite(SqlCipherDatabase):
    """SQLCipher keyed with a raw 256-bit key (the slots already did the slow derivation)."""

    def __init__(self, path: Path, key: bytes) -> None:
        super().__init__(str(path), passphrase=f"x'{key.hex()}'", pragmas=SQLITE_PRAGMAS)
        _OPENED.add(self)


# Every embedded database object made in this process, so rotating a key can let go of the
# others on the same file (stores opened and left behind by an earlier sign-in here).
_OPENED: weakref.WeakSet[EncryptedSqlite] = weakref.WeakSet()


def close_others(store: Store) -> None:
    """Close this thread's connections to the store's file held by other database objects."""
    for other in list(_OPENED):
        if other is not store.db and other.database == store.db.database:
            other.close()
    _bind(store.db)


@dataclass
class Store:
    """An open, authenticated database and who opened it."""

    db: peewee.Database
    location: str
    username: str
    slots: KeySlots | None = None
    _key: bytes | None = field(default=None, repr=False)
    kdf: KdfParams = STRONG
    # Set when a check finds the file damaged: every change is refused from then on.
    writes_stopped: str | None = None
    # What the user's slot held besides the database key (store.signing_keys: their signing
    # key, an administrator's root key).
    held: dict[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def is_postgres(self) -> bool:
        return self.slots is None

    @property
    def path(self) -> Path | None:
        return None if self.is_postgres else Path(self.location)

    def close(self) -> None:
        if not self.db.is_closed():
            if not self.is_postgres:
                # Fold the WAL back in, so the file on disk is the whole (encrypted) record.
                self.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            self.db.close()


# ----------------------------------------------------------------------------- opening


def _bind(db: peewee.Database) -> None:
    models.database.initialize(db)
    db.connect(reuse_if_open=True)


def use(store: Store) -> None:
    """Work on this store's connection from now on. One process has one store, except where
    a second person acts at the same window on a server (services.keys.act_as): there each
    has their own login's connection, and the server records each as the author of their own
    work."""
    if models.database.obj is not store.db:
        _bind(store.db)


def _connect_server(
    url: str, user: str | None = None, password: str | None = None
) -> peewee.Database:
    from facilitator.store import server_connect  # psycopg: only when a server is used

    return server_connect.connect(url, user, password)


def _open_sqlite(path: Path, key: bytes) -> peewee.Database:
    db = EncryptedSqlite(path, key)
    try:
        db.connect()
        db.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()
    except DRIVER_ERRORS as exc:
        db.close()
        cause = explain(exc, path)
        if cause is not None and not isinstance(cause, IntegrityProblem):
            raise cause from None  # a full disk or a read-only folder is not damage
        raise IntegrityProblem(
            f"{path.name} does not open with its key: the file is damaged or replaced; "
            "restore the last good backup ('facilitator restore')"
        ) from None
    _check_pragmas(db)
    if path.stat().st_size <= QUICK_CHECK_AT_OPEN_LIMIT:
        _quick_check(db, path)
    return db


# quick_check reads every page: under a second for a clinic's file, but many seconds for a
# multi-gigabyte one. Above this size the app checks in the background after sign-in instead
# (facilitator.services.integrity.start_background_check) and stops writes if it finds damage.
QUICK_CHECK_AT_OPEN_LIMIT = 256 * 1024 * 1024


def quick_check_problems(store: Store) -> list[str]:
    """PRAGMA quick_check on this thread's connection: [] when the file is whole."""
    try:
        found = [str(row[0]) for row in store.db.execute_sql("PRAGMA quick_check").fetchall()]
    except DRIVER_ERRORS as exc:
        cause = explain(exc, store.location)
        if cause is not None and not isinstance(cause, IntegrityProblem):
            raise cause from None
        found = [str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"]
    return [] if found == ["ok"] else found


def _quick_check(db: peewee.Database, path: Path) -> None:
    """PRAGMA quick_check at every open: a damaged file is never written to; restore a backup."""
    try:
        found = [str(row[0]) for row in db.execute_sql("PRAGMA quick_check").fetchall()]
    except DRIVER_ERRORS as exc:
        cause = explain(exc, path)
        if cause is not None and not isinstance(cause, IntegrityProblem):
            db.close()
            raise cause from None
        found = [str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"]
    if found != ["ok"]:
        db.close()
        lines = [t.strip() for r in found for t in r.splitlines() if t.strip() and t[:3] != "***"]
        more = f" and {len(lines) - 1} more" if len(lines) > 1 else ""
        raise IntegrityProblem(
            f"{path.name} is damaged ({(lines or ['unreadable'])[0]}{more}); nothing was "
            "changed: restore the last good backup ('facilitator restore')"
        )


def _check_pragmas(db: peewee.Database) -> None:
    """Read the durability settings back: a silent fallback would risk losing notes."""
    journal = db.execute_sql("PRAGMA journal_mode").fetchone()[0]
    synchronous = db.execute_sql("PRAGMA synchronous").fetchone()[0]
    foreign_keys = db.execute_sql("PRAGMA foreign_keys").fetchone()[0]
    cipher = db.execute_sql("PRAGMA cipher_version").fetchone()
    if (str(journal).lower(), synchronous, foreign_keys) != ("wal", 2, 1) or not cipher:
        db.close()
        raise IntegrityProblem(
            f"the database did not accept its settings (journal {journal}, synchronous "
            f"{synchronous}, foreign keys {foreign_keys}, cipher {cipher})"
        )


def open_store(location: str, username: str, password: str) -> Store:
    """Open and authenticate. Never creates a file; a wrong password never opens anything."""
    if not password:
        raise AuthenticationFailed(WRONG_CREDENTIALS)
    if is_server_url(location):
        db = _connect_server(location, username, password)
        try:
            _bind(db)
            require_current_schema(db)
            store = Store(db, location, username)
            store.held = verify_password(store, username, password, checked_by_server=True)
        except BaseException:
            db.close()
            raise
        return store
    path = Path(location)
    if not path.is_file():
        raise NotFound(f"no database at {path}")
    if reason := unsafe_location_reason(path):
        raise RuleViolation(reason)
    slots = KeySlots.load(keys_path_for(path))
    key, held = slots.open(username, password)  # the slow part, outside the lock
    if path.stat().st_size == 0:  # SQLCipher would quietly make a new, empty database of it
        raise IntegrityProblem(
            f"{path.name} is empty (0 bytes) though its key file is there: the records were "
            "lost or cut off; nothing was written to it: restore the last good backup "
            "('facilitator restore')"
        )
    from facilitator.store.rekey import finish_interrupted  # it reopens through this module

    # Under the key file's lock, so a key rotation (store.rekey) is wholly before or after:
    # the key and the file it opens always match.
    with slots.locked():
        now = KeySlots.load(slots.path)
        if now.slot_of(username) != slots.slot_of(username):  # rotated or reset meanwhile
            slots = now
            key, held = slots.open(username, password)
        finish_interrupted(path, key)
        db = _open_sqlite(path, key)
    if not slots.unsealable(username):  # made before slots were sealed: bring it up to date
        slots.add(username, password, key, slots.params_of(username), held)
        slots.save()
    _bind(db)
    migrate(db, path)
    return Store(db, str(path), username, slots, key, held=held)


def _server_held(username: str, password: str) -> dict[str, bytes]:
    from facilitator.store.server_slots import ServerSlots  # uses the models

    slots = ServerSlots.read()
    return slots.open(username, password)[1] if username in slots.usernames else {}


def key_slots(store: Store) -> KeySlots:
    """The slots: the key file's, or the server's table (read now)."""
    if store.slots is not None:
        return store.slots
    from facilitator.store.server_slots import ServerSlots

    return ServerSlots.read()


def create_store(location: str, username: str, password: str, kdf: KdfParams = STRONG) -> Store:
    """Make a new empty database (migrated) whose first credential is this user's.

    The caller adds the user's row; on SQLite the slot is written only after the database
    exists, so a failure leaves no key file that opens nothing.
    """
    if is_server_url(location):
        raise RuleViolation(SERVER_SET_UP_BY_IT)
    path = Path(location)
    keys_path = keys_path_for(path)
    if path.exists() or keys_path.exists():
        raise RuleViolation(f"{path} already exists; open it instead of creating it")
    if reason := unsafe_location_reason(path):
        raise RuleViolation(reason)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = new_database_key()
    slots = KeySlots.new(keys_path)
    slots.add(username, password, key, kdf)  # the slow part, before the file is claimed
    _claim(path)
    db = EncryptedSqlite(path, key)
    db.connect()
    _check_pragmas(db)
    os.chmod(path, 0o600)
    _bind(db)
    migrate(db, path)
    slots.save()
    return Store(db, str(path), username, slots, key, kdf)


def _claim(path: Path) -> None:
    """Make the new file, or fail if it has just been made: two first sign-ups at one moment
    give one database and one clear refusal (not a key that fails on the other's file, which
    would read as damage)."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        raise RuleViolation(
            f"{path} was created a moment ago by another window or command; sign in to it instead"
        ) from None


def connect_new_server(location: str, username: str, password: str, kdf: KdfParams) -> Store:
    """A server database just set up by its IT, opened by the login it made for its first
    administrator, who has no user row yet."""
    db = _connect_server(location, username, password)
    try:
        _bind(db)
        require_current_schema(db)
    except BaseException:
        db.close()
        raise
    return Store(db, location, username, kdf=kdf)


def is_new(location: str) -> bool:
    """Whether the database has yet to be set up. A server is set up by its IT with
    ``facilitator server init``, never from a laptop: it counts as set up here."""
    return not is_server_url(location) and not Path(location).exists()


SERVER_SET_UP_BY_IT = (
    "a clinic server is set up once by the clinic's IT with 'facilitator server init' "
    "(see docs/server.md); then everyone signs in with their own login"
)


# ----------------------------------------------------------------------------- migrations


# After this migration, sessions signed before it are frozen (store.sessions), once: by then
# every migration has run, so the app's own models match the tables.
FREEZING_MIGRATION = "0006_signed_content"


def migrate(db: peewee.Database, path: Path | None) -> list[str]:
    """Apply pending migrations, each atomic, after backing up an existing embedded file."""
    runner = Runner(db, directory=str(MIGRATIONS_DIR))
    is_server = isinstance(db, peewee.PostgresqlDatabase)
    if is_server:
        db.execute_sql("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_ID,))
    try:
        pending = [m.name for m in runner.status() if not m.applied and m.path]
        if not pending:
            return []
        if path is not None and runner.applied():
            backup_before_migration(db, path, pending[0])
        done = list(runner.up())
        if FREEZING_MIGRATION in done:
            from facilitator.store.sessions import freeze_earlier_signed  # uses the models

            freeze_earlier_signed()
        return done
    finally:
        if is_server:
            db.execute_sql("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_ID,))


def backup_before_migration(db: peewee.Database, path: Path, first_pending: str) -> Path:
    """Copy the encrypted file (and its key slots) aside before its schema changes."""
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.before-{first_pending}-{stamp}.bak")
    # Hold the write lock so no other process appends to the WAL while the file is copied.
    with db.atomic("IMMEDIATE"):
        shutil.copy2(path, target)
    shutil.copy2(keys_path_for(path), keys_path_for(target))
    return target


def require_current_schema(db: peewee.Database) -> None:
    """A staff login cannot change the schema: the server's must be the one this app knows,
    and if it is not, say which command brings them together, and who runs it."""
    tables = set(db.get_tables())
    if "schema_migration" not in tables or "app_user" not in tables:
        raise RuleViolation(f"this database is not set up yet: {SERVER_SET_UP_BY_IT}")
    status = Runner(db, directory=str(MIGRATIONS_DIR)).status()
    newer = [m.name for m in status if m.applied and not m.path]
    if newer:
        raise RuleViolation(
            f"the clinic server's records were upgraded by a newer Facilitator ({newer[-1]}); "
            "install that version on this laptop"
        )
    pending = [m.name for m in status if not m.applied and m.path]
    if pending:
        raise RuleViolation(
            f"the clinic server's records are older than this app (it needs {pending[-1]}): "
            "the clinic's IT runs 'facilitator server upgrade' as the PostgreSQL role that set "
            "it up (see docs/server.md)"
        )


def applied_migrations(db: peewee.Database) -> list[str]:
    return [m.name for m in Runner(db, directory=str(MIGRATIONS_DIR)).status() if m.applied]


def schema_versions(store: Store) -> tuple[list[str], list[str]]:
    """Applied and pending migration names."""
    runner = Runner(store.db, directory=str(MIGRATIONS_DIR))
    status = runner.status()
    return [m.name for m in status if m.applied], [
        m.name for m in status if not m.applied and m.path
    ]


# ----------------------------------------------------------------------------- credentials

_hasher_cache: dict[KdfParams, PasswordHasher] = {}


def _hasher(params: KdfParams) -> PasswordHasher:
    if params not in _hasher_cache:
        _hasher_cache[params] = PasswordHasher(
            time_cost=params.time_cost,
            memory_cost=params.memory_kib,
            parallelism=params.parallelism,
        )
    return _hasher_cache[params]


def verify_password(
    store: Store, username: str, password: str, *, checked_by_server: bool = False
) -> dict[str, bytes]:
    """Raise AuthenticationFailed unless this is the user's current password; return what
    their slot holds besides the database key (store.signing_keys), opened by it.

    On a server the server checks it: by a new connection as that login, unless the caller
    has just connected with it (``checked_by_server``)."""
    if not password:
        raise AuthenticationFailed(WRONG_CREDENTIALS)
    user = models.User.get_or_none(models.User.username == username)
    if user is None or not user.active:
        raise AuthenticationFailed(WRONG_CREDENTIALS)
    if store.slots is not None:
        store.slots.refresh()  # a password reset or removal in another window counts at once
        return store.slots.open(username, password)[1]
    if not checked_by_server:
        _connect_server(store.location, username, password).close()
    return _server_held(username, password)


def set_credential(
    store: Store,
    username: str,
    password: str,
    held: dict[str, bytes] | None = None,
    role: Role | None = None,
) -> None:
    """Give a user a password, and a slot holding ``held`` under it: a new key slot on SQLite;
    on PostgreSQL their own login role (in the group of ``role``) and a slot row."""
    slots = key_slots(store)
    if store.slots is None:
        from facilitator.store import server_logins

        if role is None:
            found = models.User.get(models.User.username == username)
            role = Role(found.role)
        with clear_errors():
            server_logins.set_login(store.db, username, password, role)
    slots.add(username, password, store._key or b"", store.kdf, held)
    slots.save()


def remove_credential(store: Store, username: str) -> None:
    """The user can no longer sign in: their slot goes; on a server their login is disabled
    and their open connections are ended."""
    slots = key_slots(store)
    slots.remove(username)
    slots.save()
    if store.slots is None:
        from facilitator.store import server_logins

        with clear_errors():
            server_logins.disable_login(store.db, username)


# ----------------------------------------------------------------------------- errors


def one_transaction() -> Any:
    """A transaction of its own, or the one already open: no savepoint inside it. A savepoint
    and its release are two more round trips to a server on every save, and nothing that runs
    here is ever rolled back alone (an error ends the whole transaction)."""
    if models.database.in_transaction():
        return contextlib.nullcontext()
    return models.database.atomic()


@contextlib.contextmanager
def clear_errors() -> Iterator[None]:
    """Turn database refusals into errors a person can read; the transaction is rolled back."""
    try:
        yield
    except peewee.DatabaseError as exc:
        text = str(exc)
        if LOCK_MARKER in text:
            raise SessionLocked(
                "this session is signed and locked; add an addendum instead"
            ) from None
        if NOT_AUTHOR_MARKER in text:
            raise PermissionDenied(
                "the server records who is signed in: only its author can write this"
            ) from None
        if LOGIN_MARKER in text:
            raise RuleViolation(_server_message(text, LOGIN_MARKER)) from None
        if isinstance(exc, peewee.ProgrammingError) and (
            "permission denied" in text or "row-level security" in text
        ):
            raise PermissionDenied(
                f"the clinic server does not allow this login to do that ({_first_line(text)})"
            ) from None
        if isinstance(exc, peewee.IntegrityError):
            raise RuleViolation(
                f"the change conflicts with a stored record ({text.splitlines()[0]})"
            ) from None
        raise


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "refused"


def _server_message(text: str, marker: str) -> str:
    """What a server function said, without the marker or the server's context lines."""
    return _first_line(text[text.index(marker) + len(marker) :])
