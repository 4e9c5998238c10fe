"""Failed sign-ins, remembered where they can be before anyone has signed in.

An embedded database cannot be written until a password has unlocked it, so its failed
sign-ins wait in a small side file (usernames and times only) and move into the audit trail
at the next successful sign-in. On a server they go straight into the audit trail.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import peewee

from facilitator.domain.audit import Action, AuditFacts
from facilitator.store import audit, database, models
from facilitator.store.keys import write_atomically
from facilitator.store.locations import is_server_url
from facilitator.store.models import AuditEntry

KEEP = 50  # failures remembered per user; the delay stops growing long before this


def _side_file(location: str) -> Path:
    path = Path(location)
    return path.with_name(path.name + ".signin-failures.json")


def _read(location: str) -> dict[str, dict[str, list[str]]]:
    """{"pending": {user: [times not yet in the trail]}, "streak": {user: [times since their
    last successful sign-in]}}."""
    try:
        raw = json.loads(_side_file(location).read_text("utf-8"))
    except (OSError, ValueError):
        raw = {}
    if not isinstance(raw, dict):
        raw = {}
    return {
        part: {str(k): [str(t) for t in v] for k, v in dict(raw.get(part, {})).items()}
        for part in ("pending", "streak")
    }


def _write(location: str, failures: dict[str, dict[str, list[str]]]) -> None:
    path = _side_file(location)
    failures = {part: {k: v for k, v in users.items() if v} for part, users in failures.items()}
    if not any(failures.values()):
        path.unlink(missing_ok=True)
        return
    write_atomically(path, json.dumps(failures, indent=1, sort_keys=True).encode("utf-8"))


def recent_failures(db: peewee.Database | None, location: str, username: str) -> list[dt.datetime]:
    """This user's failed sign-ins since their last successful one, oldest first."""
    if not is_server_url(location):
        streak = _read(location)["streak"].get(username, [])
        return [dt.datetime.fromisoformat(t) for t in streak]
    assert db is not None
    last_ok = (
        AuditEntry.select(peewee.fn.MAX(AuditEntry.id))
        .where(
            (AuditEntry.username == username)
            & (AuditEntry.action == Action.LOGIN)
            & (AuditEntry.outcome == "ok")
        )
        .scalar()
    ) or 0
    rows = (
        AuditEntry.select(AuditEntry.at)
        .where(
            (AuditEntry.username == username)
            & (AuditEntry.action == Action.LOGIN_FAILED)
            & (AuditEntry.outcome == "failed")
            & (AuditEntry.id > last_ok)
        )
        .order_by(AuditEntry.id)
        .tuples()
    )
    return [row[0] for row in rows]


def record_failure(location: str, facts: AuditFacts) -> None:
    """Remember one failed sign-in (the server's audit trail, or the side file)."""
    if is_server_url(location):
        record_server_failure(location, facts)
        return
    if not Path(location).is_file():
        return  # no database here: nothing to protect, and nothing is created
    failures = _read(location)
    for part in ("pending", "streak"):
        times = failures[part].setdefault(facts.username, [])
        times.append(facts.at.isoformat())
        failures[part][facts.username] = times[-KEEP:]
    _write(location, failures)


def move_into_trail(location: str, username: str, workstation: str) -> int:
    """After a successful sign-in: every waiting failure becomes an audit entry (with the time
    it happened), and this user's streak starts again (others' streaks go on). Returns how
    many were moved."""
    if is_server_url(location):
        return 0
    failures = _read(location)
    moved = 0
    for name, times in sorted(failures["pending"].items()):
        for stamp in times:
            audit.append(
                AuditFacts(
                    at=dt.datetime.fromisoformat(stamp),
                    user_id=None,
                    username=name,
                    workstation=workstation,
                    action=Action.LOGIN_FAILED,
                    outcome="failed",
                    detail="recorded before the database was unlocked",
                )
            )
            moved += 1
    failures["pending"] = {}
    failures["streak"].pop(username, None)
    _write(location, failures)
    return moved


def server_failures(location: str, username: str) -> list[dt.datetime]:
    """A server's failures for this user, read on a connection of their own (no one has
    signed in yet); none on a database not yet set up."""
    db = database._connect_server(location)
    try:
        with db.bind_ctx([AuditEntry]):
            if not db.table_exists("audit_entry"):
                return []
            return recent_failures(db, location, username)
    finally:
        db.close()


def record_server_failure(location: str, facts: AuditFacts) -> None:
    """Append the failure to a server's trail on a connection of its own."""
    db = database._connect_server(location)
    try:
        if not db.table_exists("audit_entry"):
            return
        previous = models.database.obj
        models.database.initialize(db)
        try:
            audit.append(facts)
        finally:
            models.database.initialize(previous)
    finally:
        db.close()
