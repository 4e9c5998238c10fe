"""Rotating the embedded database's key: how a removed user's slot stops opening anything.

A key slot unwraps the database key, so a copy of the key file kept by a user who has since
been deactivated would still open the database. Rotating writes the whole database again under
a new key and seals that key into every remaining slot (store.keys: no password needed).

Steps, and what an interruption at each leaves:

1. Under the key file's lock (an open elsewhere waits for it), take the database in
   exclusive locking mode; if another window or command has it open, stop: nothing changed.
2. Copy every page under the new key into ``<db>.part``, check the copy (every page's HMAC,
   the engine's check, the row counts) and name it ``<db>.rekeyed``. Interrupted before the
   next step: the old key file still opens the old file, and the next open removes the copy.
3. Write the key file with the new key sealed into each kept slot: the commit point.
4. Close, and move ``<db>.rekeyed`` over the database. Interrupted before this: the next open
   finds ``<db>.rekeyed`` opening with the key its slot now gives, and finishes the move.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

import sqlcipher3

from facilitator.domain.errors import FacilitatorError, RuleViolation
from facilitator.store import backup
from facilitator.store.database import Store, _bind, _open_sqlite, close_others
from facilitator.store.keys import new_database_key

PAGES_PER_STEP = 256
IN_USE = (
    "the database is open in another window or command; close it there (or wait for it to "
    "finish) and try again: nothing was changed"
)


def rekeyed_path(path: Path) -> Path:
    return path.with_name(path.name + ".rekeyed")


def rotate(
    store: Store, without: str | None, progress: Callable[[int, int], None] | None = None
) -> int:
    """Re-encrypt the open embedded database under a new key, sealed into every slot but
    ``without``'s; the store is reopened on the new file. ``progress(done, total)`` in pages.
    Returns the rows copied. Refused, with nothing changed, while a slot is too old."""
    path, slots = store.path, store.slots
    if path is None or slots is None:
        raise RuleViolation("only an embedded database has a key of its own to rotate")
    new_key = new_database_key()
    with slots.locked():
        slots.refresh()
        fresh, left_out = slots.rewrapped(new_key, without)
        if left_out:
            raise RuleViolation(
                "the key slots of " + ", ".join(left_out) + " were made by an older version "
                "and cannot take a new key: each of them signs in once (or has their password "
                "reset; for #recovery, make a new recovery key), then rotate again; nothing "
                "was changed"
            )
        counts = _copy_exclusively(store, path, new_key, progress)
        try:
            fresh.write_whole()  # the commit point: from here on the slots give the new key
        except BaseException:
            _share_again(store.db.connection())
            rekeyed_path(path).unlink(missing_ok=True)
            raise
        store.db.close()
        _finish(path)
    db = _open_sqlite(path, new_key)
    _bind(db)
    store.db, store._key, store.slots = db, new_key, fresh
    return sum(counts.values())


def _copy_exclusively(
    store: Store, path: Path, new_key: bytes, progress: Callable[[int, int], None] | None
) -> dict[str, int]:
    """Steps 1 and 2: the whole database, under the new key, checked, as ``<db>.rekeyed``."""
    close_others(store)  # their connections would hold the file as another process's do
    conn = store.db.connection()
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")
    try:
        # In exclusive locking mode the lock taken here outlives the transaction: from now on
        # no other connection reads or writes the file until this one lets go. (The copy runs
        # outside a transaction: a backup step refuses a source that is mid-write.)
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")
    except sqlcipher3.OperationalError:
        _share_again(conn)
        raise FacilitatorError(IN_USE) from None
    part = backup.part_name(path)
    try:
        backup.new_private_file(part)
        target = backup.connect_keyed(part, new_key)
        try:
            counts = backup.table_counts(conn)
            conn.backup(target, pages=PAGES_PER_STEP, progress=_pages(progress), sleep=0)
            target.execute("PRAGMA journal_mode=DELETE").fetchone()
        finally:
            target.close()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()  # the old file is whole
        backup.fsync_file(part)
        backup.verify_backup(part, new_key, counts, name=f"the re-encrypted copy of {path.name}")
        os.replace(part, rekeyed_path(path))
        backup.fsync_folder(path.parent)
    except BaseException:
        _share_again(conn)
        raise
    finally:
        backup.remove_files(part)
    return counts


def _share_again(conn: sqlcipher3.Connection) -> None:
    """Back to normal locking: the mode takes effect at the next read, which lets go."""
    with contextlib.suppress(sqlcipher3.Error):
        conn.execute("PRAGMA locking_mode=NORMAL")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()


def _pages(progress: Callable[[int, int], None] | None) -> Callable[[int, int, int], None] | None:
    if progress is None:
        return None

    def step(_status: int, remaining: int, total: int) -> None:
        progress(total - remaining, total)

    return step


def _finish(path: Path) -> None:
    """Step 4: the checked copy takes the database's place (its old log goes first: it
    belongs to the old key)."""
    for extra in ("-wal", "-shm"):
        Path(f"{path}{extra}").unlink(missing_ok=True)
    os.replace(rekeyed_path(path), path)
    backup.fsync_folder(path.parent)


def finish_interrupted(path: Path, key: bytes) -> None:
    """At open, under the key file's lock, with the key the slots give now: a rotation cut off
    after its commit point is finished; a copy left from one cut off before it is removed."""
    copy = rekeyed_path(path)
    if not copy.exists():
        return
    if _opens_with(copy, key):
        _finish(path)
    else:
        copy.unlink()


def _opens_with(path: Path, key: bytes) -> bool:
    try:
        conn = backup.connect_keyed(path, key)
    except sqlcipher3.Error:
        return False
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher3.DatabaseError:
        return False
    finally:
        conn.close()
