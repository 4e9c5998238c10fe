"""Backups of the embedded database: one consistent, encrypted, verified copy and its key slots.

A backup is SQLite's online backup API run inside one read transaction of the open store: the
per-table row counts and the copied pages come from the same snapshot, while other connections
(another window, another process) go on committing in WAL mode. The copy is written under a
temporary name beside the target, encrypted with the database's own key, checked (every page's
HMAC, ``PRAGMA integrity_check``, the row counts) and only then renamed into place, with the key
file beside it, so the backup opens with the same users and passwords and nothing else.

Server databases are backed up with the server's own tools (pg_dump); see ``SERVER_MESSAGE``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import secrets
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import peewee
import platformdirs
import sqlcipher3

from facilitator.domain.errors import (
    FacilitatorError,
    IntegrityProblem,
    NotFound,
    RuleViolation,
    UsageError,
)
from facilitator.store.database import Store
from facilitator.store.keys import KeySlots, keys_path_for, write_atomically
from facilitator.store.locations import (
    APP_NAME,
    cloud_reason,
    is_server_url,
    unsafe_location_reason,
)

SERVER_MESSAGE = (
    "a server database is backed up and restored with the server's own tools (pg_dump, "
    "pg_restore, WAL archiving) by the clinic's IT, with a restore drill: see docs/server.md; "
    "backup and restore work on embedded database files"
)
PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"
# SQLCipher's pages are 4096 bytes; a file of another length was cut short or is not ours.
PAGE_BYTES = 4096


@dataclass(frozen=True)
class BackupReport:
    """A written and verified copy: where it is and what it holds (rows per table)."""

    path: Path
    keys_path: Path
    counts: Mapping[str, int]
    size: int

    @property
    def tables(self) -> int:
        return len(self.counts)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


# ----------------------------------------------------------------------------- helpers


def _passphrase(key: bytes) -> str:
    # Exactly what EncryptedSqlite hands playhouse.sqlcipher_ext: a raw key, no derivation.
    return f"x'{key.hex()}'"


def connect_keyed(path: Path, key: bytes) -> sqlcipher3.Connection:
    """A plain SQLCipher connection keyed the way ``database.EncryptedSqlite`` keys its own."""
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")  # as database.SQLITE_PRAGMAS
        escaped = _passphrase(key).replace("'", "''")
        conn.execute(f"PRAGMA key='{escaped}'")
    except BaseException:
        conn.close()
        raise
    return conn


def table_counts(conn: sqlcipher3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ).fetchall()
    ]
    counts = {}
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        counts[name] = int(conn.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0])
    return counts


def new_private_file(path: Path) -> None:
    """Create an empty file only its owner can read (fails if the name is taken)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def fsync_file(path: Path, flags: int = os.O_RDWR) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform/file system lets a folder be synced
        fsync_file(folder, os.O_RDONLY)


def part_name(final: Path) -> Path:
    return final.with_name(f".{final.name}.{secrets.token_hex(4)}.part")


def head_path_for(backup: Path) -> Path:
    """Beside each backup, the audit trail's head when it was taken (``COUNT:HASH``): later,
    `facilitator audit verify --head` against it shows whether the trail lost entries since."""
    return backup.with_name(backup.name + ".head")


def write_head(backup: Path, head: str) -> None:
    try:
        write_atomically(head_path_for(backup), f"{head}\n".encode("ascii"))
    except OSError as exc:
        raise _cannot_write(head_path_for(backup), exc) from None


def remove_files(*paths: Path) -> None:
    for path in paths:
        for extra in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(str(path) + extra).unlink(missing_ok=True)


def _same_file(a: Path, b: Path) -> bool:
    return a.expanduser().absolute().resolve() == b.expanduser().absolute().resolve()


def _cannot_write(path: Path, exc: OSError) -> FacilitatorError:
    return FacilitatorError(f"cannot write {path}: {exc.strerror or exc}")


def _embedded_path(store: Store) -> Path:
    if store.is_postgres or store.path is None or store._key is None:
        raise UsageError(SERVER_MESSAGE)
    return store.path


# ----------------------------------------------------------------------------- checking


def verify_backup(
    path: Path, key: bytes, expected: Mapping[str, int] | None = None, *, name: str = ""
) -> dict[str, int]:
    """Check a copy: encrypted, every page's HMAC, the engine's check, and (given) the counts.

    Returns the rows per table; raises IntegrityProblem naming (as ``name``, else the file's
    name) the first thing wrong.
    """
    name = name or path.name
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(PLAIN_SQLITE_HEADER))
        size = path.stat().st_size
    except OSError as exc:
        raise IntegrityProblem(f"cannot read {name}: {exc.strerror or exc}") from None
    if header == PLAIN_SQLITE_HEADER:
        raise IntegrityProblem(f"{name} is not encrypted")
    if size == 0 or size % PAGE_BYTES:
        raise IntegrityProblem(f"{name} is cut short or is not a Facilitator database")
    try:
        conn = connect_keyed(path, key)
    except sqlcipher3.Error as exc:
        raise IntegrityProblem(f"{name} cannot be opened: {exc}") from None
    try:
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError:
            raise IntegrityProblem(
                f"{name} does not open with its key: the file is damaged or replaced"
            ) from None
        bad_pages = [str(row[0]) for row in conn.execute("PRAGMA cipher_integrity_check")]
        if bad_pages:
            first = bad_pages[0].strip().splitlines()[0] if bad_pages[0].strip() else "?"
            raise IntegrityProblem(
                f"{name} is damaged: {len(bad_pages)} page(s) fail their check ({first})"
            )
        found = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
        if found != ["ok"]:
            lines = [t.strip() for r in found for t in r.splitlines() if t.strip()[:3] != "***"]
            raise IntegrityProblem(
                f"{name} is damaged: {len(lines)} problem(s) in its integrity check "
                f"({(lines or ['unreadable'])[0]})"
            )
        counts = table_counts(conn)
    except sqlcipher3.DatabaseError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
        raise IntegrityProblem(f"{name} is damaged: {first}") from None
    finally:
        conn.close()
    if expected is not None and counts != dict(expected):
        differing = sorted(
            t for t in set(counts) | set(expected) if counts.get(t) != expected.get(t)
        )
        table = differing[0]
        raise IntegrityProblem(
            f"{name} does not match the database: table {table} has "
            f"{counts.get(table, 'no')} rows instead of {expected.get(table, 'none')}"
        )
    return counts


def looks_whole(path: Path) -> bool:
    """A cheap check without the key: encrypted, whole pages, and its key file beside it."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            header = handle.read(len(PLAIN_SQLITE_HEADER))
    except OSError:
        return False
    return (
        size > 0
        and size % PAGE_BYTES == 0
        and header != PLAIN_SQLITE_HEADER
        and keys_path_for(path).is_file()
    )


def key_of_backup(path: Path, username: str, password: str) -> bytes:
    """The database key of a backup, from the key file that came with it."""
    keys = keys_path_for(path)
    if not keys.is_file():
        raise RuleViolation(
            f"the backup {path.name} has no key file {keys.name} beside it; "
            "a backup opens only with the key file written with it"
        )
    return KeySlots.load(keys).unwrap(username, password)


# ----------------------------------------------------------------------------- backing up


def _snapshot(store: Store, part: Path, key: bytes) -> dict[str, int]:
    """Copy the database into ``part`` and count its rows, both from one read transaction.

    In WAL mode a read transaction sees one snapshot for as long as it lasts, and
    ``sqlite3_backup_step`` run on a connection already inside a read transaction copies from
    that transaction instead of starting its own. So the counts and the pages agree while
    other connections keep writing.
    """
    db = store.db
    if db.in_transaction():
        raise RuleViolation("finish the change in progress before making a backup")
    source = db.connection()
    target = connect_keyed(part, key)
    try:
        with db.atomic():  # BEGIN (deferred): the first read below fixes the snapshot
            counts = table_counts(source)
            source.backup(target)  # pages=-1: every page in one step, inside this transaction
        # The copy is a plain file, not a live database with a write-ahead log beside it.
        target.execute("PRAGMA journal_mode=DELETE").fetchone()
    finally:
        target.close()
    return counts


def backup_to(store: Store, target: Path) -> BackupReport:
    """Write a verified, encrypted backup of the open embedded database to a new file."""
    source_path = _embedded_path(store)
    key = store._key
    assert key is not None
    target = target.expanduser()
    target_keys = keys_path_for(target)
    if target.exists() or target_keys.exists():
        raise RuleViolation(f"{target} already exists; back up to a new file")
    if _same_file(target.parent, source_path.parent) and target.name in (
        source_path.name,
        keys_path_for(source_path).name,
    ):
        raise RuleViolation("a backup cannot replace the database it copies")
    if not target.parent.is_dir():
        raise FacilitatorError(f"cannot write {target}: no folder {target.parent}")
    if reason := cloud_reason(target, "backups"):
        raise RuleViolation(reason)
    try:
        keys_data = keys_path_for(source_path).read_bytes()
    except OSError as exc:
        raise IntegrityProblem(
            f"cannot read the key file beside the database: {exc.strerror or exc}"
        ) from None
    part = part_name(target)
    try:
        try:
            new_private_file(part)
        except OSError as exc:
            raise _cannot_write(target, exc) from None
        try:
            counts = _snapshot(store, part, key)
        except (sqlcipher3.Error, peewee.DatabaseError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            if isinstance(exc, sqlcipher3.DatabaseError | peewee.DatabaseError) and not isinstance(
                exc, sqlcipher3.OperationalError | peewee.OperationalError
            ):
                raise IntegrityProblem(f"the database cannot be read whole: {first}") from None
            raise FacilitatorError(f"the backup to {target} failed: {first}") from None
        fsync_file(part)
        verify_backup(part, key, counts, name=target.name)
        try:
            write_atomically(target_keys, keys_data)
            os.replace(part, target)
        except OSError as exc:
            remove_files(target_keys)
            raise _cannot_write(target, exc) from None
        fsync_folder(target.parent)
    finally:
        remove_files(part)
    return BackupReport(target, target_keys, counts, target.stat().st_size)


# ----------------------------------------------------------------------------- restoring


def _place_new(part: Path, final: Path) -> None:
    """Give ``part`` the name ``final`` unless that name exists; never replaces a file."""
    try:
        os.link(part, final)
    except FileExistsError:
        raise RuleViolation(
            f"{final} already exists; restore into a new location, never over a database"
        ) from None
    except OSError:  # a file system without hard links: check, then rename
        if final.exists():
            raise RuleViolation(
                f"{final} already exists; restore into a new location, never over a database"
            ) from None
        os.replace(part, final)
        return
    part.unlink()


def restore(backup_file: Path, new_path: Path, username: str, password: str) -> BackupReport:
    """Copy a backup and its key file to a new location, checked before it takes the name.

    The user's password must open their slot in the backup's key file (that is how the copy
    can be checked at all); the database the backup came from is not needed.
    """
    backup_file, new_path = backup_file.expanduser(), new_path.expanduser()
    if not backup_file.is_file():
        raise NotFound(f"no backup at {backup_file}")
    new_keys = keys_path_for(new_path)
    if new_path.exists() or new_keys.exists():
        raise RuleViolation(
            f"{new_path} already exists; restore into a new location, never over a database"
        )
    if reason := unsafe_location_reason(new_path):  # before a byte is copied there
        raise RuleViolation(reason)
    wal = Path(str(backup_file) + "-wal")
    if wal.is_file() and wal.stat().st_size:
        raise RuleViolation(
            f"{backup_file.name} is a database in use (it has a write-ahead log beside it), "
            "not a backup; make one with 'facilitator backup'"
        )
    key = key_of_backup(backup_file, username, password)
    keys_data = keys_path_for(backup_file).read_bytes()
    try:
        new_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_write(new_path, exc) from None
    part, keys_part = part_name(new_path), part_name(new_keys)
    placed: list[Path] = []
    try:
        try:
            new_private_file(part)
            with open(backup_file, "rb") as source, open(part, "wb") as copy:
                shutil.copyfileobj(source, copy, 1 << 20)
                copy.flush()
                os.fsync(copy.fileno())
        except OSError as exc:
            raise _cannot_write(new_path, exc) from None
        counts = verify_backup(part, key, name=backup_file.name)
        try:
            write_atomically(keys_part, keys_data)
            _place_new(part, new_path)
            placed.append(new_path)
            _place_new(keys_part, new_keys)
            placed.append(new_keys)
        except OSError as exc:
            raise _cannot_write(new_path, exc) from None
        fsync_folder(new_path.parent)
    except BaseException:
        if len(placed) != 2:
            remove_files(*placed)
        raise
    finally:
        remove_files(part, keys_part)
    return BackupReport(new_path, new_keys, counts, new_path.stat().st_size)


# ----------------------------------------------------------------------------- daily copies

DAILY_NAME = re.compile(r"^(?P<stem>.+)-(?P<date>\d{4}-\d{2}-\d{2})\.db$")
KEEP_DAILY = 7
KEEP_WEEKLY = 4


def default_backup_folder(location: str) -> Path:
    """Where the automatic backups of a database file go: the user's data folder."""
    if is_server_url(location):
        raise UsageError(SERVER_MESSAGE)
    stem = Path(location).stem or "facilitator"
    return platformdirs.user_data_path(APP_NAME, appauthor=False) / "backups" / stem


def daily_name(location: str, day: dt.date) -> str:
    return f"{Path(location).stem or 'facilitator'}-{day.isoformat()}.db"


def daily_backups(folder: Path, stem: str) -> list[tuple[dt.date, Path]]:
    """The automatic backups of one database in a folder, newest first."""
    found: list[tuple[dt.date, Path]] = []
    if not folder.is_dir():
        return found
    for path in folder.iterdir():
        match = DAILY_NAME.match(path.name)
        if not match or match["stem"] != stem or not path.is_file():
            continue
        try:
            found.append((dt.date.fromisoformat(match["date"]), path))
        except ValueError:
            continue
    return sorted(found, reverse=True)


def to_keep(days: list[dt.date]) -> set[dt.date]:
    """The 7 newest days, and the newest day of each of the 4 latest ISO weeks beyond those.

    As ``borg prune --keep-daily 7 --keep-weekly 4``: a week whose newest backup is already
    one of the 7 dailies is covered and does not count as one of the 4 weeks.
    """
    newest_first = sorted(set(days), reverse=True)
    keep = set(newest_first[:KEEP_DAILY])
    weeks_seen: set[tuple[int, int]] = set()
    weekly = 0
    for day in newest_first:
        if weekly == KEEP_WEEKLY:
            break
        week = (day.isocalendar().year, day.isocalendar().week)
        if week in weeks_seen:
            continue
        weeks_seen.add(week)
        if day not in keep:
            keep.add(day)
            weekly += 1
    return keep


def prune(folder: Path, stem: str) -> list[Path]:
    """Delete the automatic backups (and their key files) retention no longer keeps."""
    backups = daily_backups(folder, stem)
    keep = to_keep([day for day, _ in backups])
    removed = []
    for day, path in backups:
        if day not in keep:
            remove_files(keys_path_for(path), head_path_for(path), path)
            removed.append(path)
    return removed


def iter_candidates(location: str, folder: Path | None = None) -> Iterator[Path]:
    """The automatic backups of a database file, newest first (none for a server)."""
    if is_server_url(location):
        return
    folder = folder or default_backup_folder(location)
    for _day, path in daily_backups(folder, Path(location).stem or "facilitator"):
        yield path


def forget_slot(location: str, folder: Path, username: str) -> int:
    """Remove a user's slot from the key files of the backups kept of this database (the
    automatic ones and those made before migrations); returns how many changed. A backup
    stays encrypted with the key it was made with; its other users still open it."""
    path = Path(location)
    backups = [p for _day, p in daily_backups(folder, path.stem or "facilitator")]
    backups += sorted(path.parent.glob(f"{path.name}.before-*.bak"))
    changed = 0
    for copy in backups:
        keys = keys_path_for(copy)
        if not keys.is_file():
            continue
        slots = KeySlots.load(keys)
        if username in slots.usernames:
            slots.remove(username)
            slots.save()
            changed += 1
    return changed
