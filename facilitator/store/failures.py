"""What a database driver's error really means, in one sentence a person can act on.

Damage is not a full disk: "restore the last good backup" is the right advice for a damaged
file and the wrong one for a full disk, where it would throw away newer work. The SQLite and
SQLCipher drivers raise their own exception classes (peewee wraps them only where peewee itself
runs the statement, not when rows are fetched), so both are looked at here.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import peewee
import sqlcipher3

from facilitator.domain.errors import FacilitatorError, IntegrityProblem

DRIVER_ERRORS: tuple[type[BaseException], ...] = (
    peewee.DatabaseError,
    sqlcipher3.DatabaseError,
    sqlite3.DatabaseError,
)
# SQLite's words for each cause (sqlite3_errstr), lower case.
FULL = ("database or disk is full", "disk is full")
READ_ONLY = ("readonly database", "read-only", "readonly")
CANNOT_OPEN = ("unable to open database file",)
IO = ("disk i/o error",)
ALMOST_FULL = 256 * 1024  # bytes free: too few for SQLite to write a page and its log
DAMAGE = ("malformed", "file is not a database", "not a database", "file is encrypted")


def explain(exc: BaseException, location: str | Path | None) -> FacilitatorError | None:
    """Our error for a driver's (or the file system's) error, or None if it is neither."""
    where = Path(location).name if location else "the database"
    place = str(Path(location).parent) if location else "its folder"  # which disk, which folder
    if isinstance(exc, OSError) and not isinstance(exc, DRIVER_ERRORS):
        return os_error(exc, location)
    if not isinstance(exc, DRIVER_ERRORS):
        return None
    text = (str(exc).strip().splitlines() or [""])[0]
    lowered = text.lower()
    if any(words in lowered for words in FULL) or (
        any(words in lowered for words in IO) and _disk_full(location)
    ):
        return FacilitatorError(
            f"the disk holding {place} is full: {where} could not be saved to; free some space "
            "and try again (the records saved before are whole)"
        )
    if any(words in lowered for words in READ_ONLY) or (
        any(words in lowered for words in CANNOT_OPEN) and _read_only_folder(location)
    ):
        return FacilitatorError(
            f"{where} in {place} cannot be written: the file or its folder is read-only; "
            "Facilitator needs to write both (ask whoever looks after this computer)"
        )
    if any(words in lowered for words in CANNOT_OPEN):
        return FacilitatorError(
            f"{where} in {place} cannot be opened: the folder is missing, or you may not read "
            "and write it"
        )
    if any(words in lowered for words in IO):
        return FacilitatorError(
            f"the disk holding {place} reported a read or write error ({text}); check the "
            "disk or its connection, then try again"
        )
    if isinstance(exc, sqlite3.OperationalError | sqlcipher3.OperationalError):
        return None  # a fault of its own kind (locked, busy): not damage
    if any(words in lowered for words in DAMAGE) or not isinstance(exc, peewee.DatabaseError):
        return IntegrityProblem(
            f"{where} is damaged ({text}); nothing was changed: restore the last good backup "
            "('facilitator restore')"
        )
    return None


@contextlib.contextmanager
def told_truly(location: str | Path | None) -> Iterator[None]:
    """Inside: a driver's error that means damage, a full disk or a read-only place becomes
    our error saying so; any other error passes through unchanged."""
    try:
        yield
    except DRIVER_ERRORS as exc:
        explained = explain(exc, location)
        if explained is None:
            raise
        raise explained from exc


def _disk_full(location: str | Path | None) -> bool:
    """Whether the disk holding the database has (almost) no space left: SQLite often says only
    "disk I/O error" when it cannot grow its write-ahead log."""
    if not location:
        return False
    try:
        found = os.statvfs(Path(location).parent)
    except (OSError, AttributeError):
        return False
    return found.f_bavail * found.f_frsize < ALMOST_FULL


def _read_only_folder(location: str | Path | None) -> bool:
    """Whether the database's folder is on a read-only file system or not writable."""
    if not location:
        return False
    folder = Path(location).parent
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY) or not os.access(folder, os.W_OK)
    except (OSError, AttributeError):  # AttributeError: no statvfs (Windows)
        return not os.access(folder, os.W_OK)


def os_error(exc: OSError, location: str | Path | None) -> FacilitatorError | None:
    """Our error for a file system error that has a cause a person can act on, else None."""
    where = exc.filename or location or "the file"
    if exc.errno == errno.ENOSPC:
        return FacilitatorError(f"the disk holding {where} is full; free some space and try again")
    if exc.errno == errno.EROFS:
        return FacilitatorError(f"{where} cannot be written: the disk is read-only")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return FacilitatorError(
            f"{where}: permission denied; ask whoever looks after this computer for access"
        )
    if exc.errno == errno.EIO:
        return FacilitatorError(
            f"the disk holding {where} reported a read or write error; check the disk or its "
            "connection, then try again"
        )
    return None
