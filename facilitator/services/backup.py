"""Backups of the embedded database: on demand, daily with retention, and restoring one.

Every backup is one consistent snapshot, encrypted with the database's key, checked before it
takes its name, and written with its key file (so it opens with the same users and passwords).
Daily backups keep the 7 newest days and, beyond those, the newest backup of each of the 4
latest ISO weeks. A server database is backed up with the server's tools (pg_dump) instead.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path

from facilitator.domain.audit import Action
from facilitator.domain.errors import FacilitatorError, IntegrityProblem, UsageError
from facilitator.services import accounts, audit
from facilitator.services.workspace import Workspace
from facilitator.store import backup as store
from facilitator.store.backup import SERVER_MESSAGE, BackupReport, head_path_for
from facilitator.store.keys import keys_path_for
from facilitator.store.locations import is_server_url

__all__ = [
    "SERVER_MESSAGE",
    "BackupReport",
    "backup_now",
    "daily_backup",
    "default_backup_folder",
    "head_path_for",
    "latest_good",
    "restore",
]


def _embedded(ws: Workspace) -> None:
    if ws.store.is_postgres:
        raise UsageError(SERVER_MESSAGE)


def backup_now(ws: Workspace, target: Path) -> BackupReport:
    """Any signed-in user may back up; the attempt and its outcome go in the audit trail.
    The trail's head as it was before the copy is kept beside it (``<backup>.head``)."""
    _embedded(ws)
    head = audit.head()  # every entry up to it is in the copy
    try:
        report = store.backup_to(ws.store, Path(target))
        store.write_head(report.path, head)
    except FacilitatorError as exc:
        audit.record(ws, Action.BACKUP, outcome="failed", detail=type(exc).__name__)
        raise
    audit.record(
        ws,
        Action.BACKUP,
        detail=f"{report.path.name}: {report.rows} rows in {report.tables} tables",
    )
    return report


BACKUP_DIR_VARIABLE = "FACILITATOR_BACKUP_DIR"
AUTOMATIC_VARIABLE = "FACILITATOR_DAILY_BACKUP"  # "off": no automatic backup at sign-in


def default_backup_folder(location: str) -> Path:
    """``<user data folder>/Facilitator/backups/<database file's stem>``, or under the folder
    named by FACILITATOR_BACKUP_DIR (a clinic's backup drive; the test suite's scratch)."""
    chosen = os.environ.get(BACKUP_DIR_VARIABLE)
    if chosen:
        return Path(chosen) / (Path(location).stem or "facilitator")
    return store.default_backup_folder(location)


def daily_backup(ws: Workspace, folder: Path, today: dt.date) -> Path | None:
    """Today's backup ``<stem>-YYYY-MM-DD.db`` unless it exists (then None); prunes the rest."""
    _embedded(ws)
    location = ws.store.location
    folder = Path(folder)
    target = folder / store.daily_name(location, today)
    if target.exists() and keys_path_for(target).exists():
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise FacilitatorError(f"cannot create {folder}: {exc.strerror or exc}") from None
    # What an interrupted day can leave (the key file is written first): start that day again.
    if target.exists() != keys_path_for(target).exists():
        target.unlink(missing_ok=True)
        keys_path_for(target).unlink(missing_ok=True)
    report = backup_now(ws, target)
    store.prune(folder, Path(location).stem or "facilitator")
    return report.path


def latest_good(
    location: str, username: str | None = None, password: str | None = None
) -> Path | None:
    """The newest automatic backup of this database that looks whole, or None.

    Without a password a backup "looks whole" if it is encrypted, whole pages long and has its
    key file (every backup was fully verified when written). With the user's password each
    candidate is also opened and checked (HMACs, integrity check), newest first.
    """
    folder = None if is_server_url(location) else default_backup_folder(location)
    for path in store.iter_candidates(location, folder):
        if not store.looks_whole(path):
            continue
        if username is None or password is None:
            return path
        try:
            store.verify_backup(path, store.key_of_backup(path, username, password))
        except IntegrityProblem:
            continue
        return path
    return None


def restore(backup_file: Path, new_location: str, username: str, password: str) -> BackupReport:
    """Copy a backup and its key file to a new location that does not exist yet, then sign in.

    The user's password opens their slot in the backup's key file, so the copy is checked
    before it takes its name; signing in afterwards proves the restored database opens (and
    binds the store to it) and records the restore in its audit trail. Nothing is signed in
    to the database the backup came from.
    """
    if is_server_url(new_location):
        raise UsageError(SERVER_MESSAGE)
    report = store.restore(
        Path(backup_file), Path(new_location), username.strip().lower(), password
    )
    ws = accounts.sign_in(str(report.path), username, password)
    try:
        audit.record(ws, Action.RESTORE, detail=f"from {Path(backup_file).name}")
    finally:
        ws.close()
    return report


def start_daily_backup(ws: Workspace, today: dt.date | None = None) -> threading.Thread | None:
    """Take today's automatic backup in the background (embedded, non-demo databases only).

    The thread has its own connection (peewee keeps one per thread) and closes it when done;
    a failure is already in the audit trail (backup_now records it), so it is not raised.
    """
    if ws.store.is_postgres or ws.demo or os.environ.get(AUTOMATIC_VARIABLE) == "off":
        return None
    folder = default_backup_folder(ws.store.location)
    day = today or dt.date.today()

    def run() -> None:
        try:
            daily_backup(ws, folder, day)
        except FacilitatorError:
            pass
        finally:
            ws.store.db.close()  # this thread's connection only

    thread = threading.Thread(target=run, name="daily-backup", daemon=True)
    thread.start()
    return thread
