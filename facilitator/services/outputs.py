"""Where a document or export may be written: never over records, never over a file unasked.

A database, its key file and its backups are never written over, even when asked: one mistyped
``-o`` would otherwise replace a clinic's records with a PDF, or its key file with a library
item, and the records could no longer be opened. Any other existing file is replaced only when
the user says so (``--force`` on the command line, the save dialog's own question in the window).
"""

from __future__ import annotations

import json
from pathlib import Path

from facilitator.domain.errors import FacilitatorError
from facilitator.services.backup import default_backup_folder
from facilitator.store.keys import FORMAT as KEY_FILE_FORMAT
from facilitator.store.keys import keys_path_for
from facilitator.store.locations import is_server_url


def output_path(path: str | Path, *, database: str, force: bool = False) -> Path:
    """The file to write to, once it is known to be safe to write there."""
    target = Path(path)
    what = protected(target, database)
    if what:
        raise FacilitatorError(f"{target} is {what}; it is never written over, choose another name")
    if target.is_dir():
        raise FacilitatorError(f"{target} is a folder; give a file name")
    if target.exists() and not force:
        raise FacilitatorError(f"{target} already exists; add --force to replace it")
    return target


def protected(target: Path, database: str) -> str | None:
    """What the file at ``target`` is, if it must never be written over; None if it may be."""
    resolved = _resolved(target)
    if not is_server_url(database):
        db = _resolved(Path(database))
        if resolved.parent == db.parent and resolved.name.startswith(db.name):
            return "the database or one of its own files"
        if _inside(resolved, _resolved(default_backup_folder(database))):
            return "in the folder of the database's backups"
    if not resolved.exists():
        return None
    if keys_path_for(resolved).exists():
        return "a database or a backup (its key file is beside it)"
    if resolved.name.endswith(".keys") and _is_key_file(resolved):
        return "a database's key file"
    return None


def _resolved(path: Path) -> Path:
    try:
        return path.expanduser().resolve(strict=False)
    except OSError:
        return path.absolute()


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _is_key_file(path: Path) -> bool:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    try:
        found = json.loads(text)
    except ValueError:
        return False
    return isinstance(found, dict) and found.get("format") == KEY_FILE_FORMAT
