"""Appending to and reading the audit trail."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

from peewee import PostgresqlDatabase, fn

from facilitator.domain.audit import (
    GENESIS,
    Action,
    AuditEntryRecord,
    AuditFacts,
    RecordKind,
    entry_hash,
)
from facilitator.store import prepared
from facilitator.store.database import clear_errors
from facilitator.store.models import AuditEntry, database
from facilitator.store.signing_keys import Signer, audit_statement

# Several laptops append to one server's trail: one at a time, so the chain stays a chain.
AUDIT_LOCK_ID = 7_447_002
# Seconds this process has waited for the audit chain's lock, and how often it took it (make
# bench: the chain must not serialise a whole clinic's saves).
LOCK_WAITS = {"seconds": 0.0, "taken": 0}


def _newest() -> Any:
    newest = AuditEntry.select(fn.MAX(AuditEntry.id))
    return (
        AuditEntry.select(AuditEntry.id, AuditEntry.entry_hash)
        .where(AuditEntry.id == newest)
        .tuples()
    )


def newest() -> tuple[int, str] | None:
    """The newest entry's id and hash."""
    row = prepared.first(_newest)
    return None if row is None else (int(row[0]), str(row[1]))


def append(facts: AuditFacts, signer: Signer | None = None) -> int:
    """Add one entry chained to the newest, signed by the acting user's key (none for a failed
    sign-in, which has no one's key); returns its id.

    The id is chosen here (the newest id plus one) because the hash covers it and the row can
    never be updated afterwards. Appends are serialised: an advisory lock on PostgreSQL, the
    write lock on SQLite (a stale read there fails the insert rather than fork the chain).
    """
    is_server = isinstance(database.obj, PostgresqlDatabase)
    with clear_errors(), database.atomic() if is_server else database.atomic("IMMEDIATE"):
        if is_server:
            asked = time.perf_counter()
            database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (AUDIT_LOCK_ID,))
            LOCK_WAITS["seconds"] += time.perf_counter() - asked
            LOCK_WAITS["taken"] += 1
        last = prepared.first(_newest)
        entry_id = last[0] + 1 if last else 1
        prev = last[1] if last else GENESIS
        digest = entry_hash(entry_id, facts, prev)
        AuditEntry.insert(
            id=entry_id,
            at=facts.at,
            user_id=facts.user_id,
            username=facts.username,
            workstation=facts.workstation,
            action=facts.action,
            member_id=facts.member_id,
            record_kind=facts.record_kind,
            record_id=facts.record_id,
            outcome=facts.outcome,
            detail=facts.detail,
            prev_hash=prev,
            entry_hash=digest,
            key_id=None if signer is None else signer.key_id,
            signature=None if signer is None else signer.sign(audit_statement(entry_id, digest)),
        ).execute()
        return entry_id


def record(row: Any) -> AuditEntryRecord:
    """An entry as read (a row of audit_entry, or of imported_audit_entry with its id set)."""
    at = row.at if isinstance(row.at, dt.datetime) else dt.datetime.fromisoformat(str(row.at))
    return AuditEntryRecord(
        id=row.id,
        facts=AuditFacts(
            at=at,
            user_id=row.user_id,
            username=row.username,
            workstation=row.workstation,
            action=Action(row.action),
            member_id=row.member_id,
            record_kind=RecordKind(row.record_kind),
            record_id=row.record_id,
            outcome=row.outcome,
            detail=row.detail,
        ),
        prev_hash=row.prev_hash,
        entry_hash=row.entry_hash,
        key_id=row.key_id,
        signature=row.signature,
    )


def all_entries() -> Iterator[AuditEntryRecord]:
    for row in AuditEntry.select().order_by(AuditEntry.id).iterator():
        yield record(row)


def entries(
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    user_id: int | None = None,
    member_id: int | None = None,
    action: Action | None = None,
    limit: int = 5000,
    *,
    after_id: int | None = None,
) -> list[AuditEntryRecord]:
    query = AuditEntry.select().order_by(AuditEntry.id.desc()).limit(limit)
    if after_id is not None:
        query = query.where(AuditEntry.id > after_id)
    if date_from:
        query = query.where(AuditEntry.at >= dt.datetime.combine(date_from, dt.time()))
    if date_to:
        query = query.where(
            AuditEntry.at < dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time())
        )
    if user_id is not None:
        query = query.where(AuditEntry.user_id == user_id)
    if member_id is not None:
        query = query.where(AuditEntry.member_id == member_id)
    if action:
        query = query.where(AuditEntry.action == action)
    return [record(row) for row in query]


def together() -> Any:
    """One transaction for a change and its audit entry: neither is kept without the other.

    On SQLite it takes the write lock at once (BEGIN IMMEDIATE), so the audit append at its
    end never finds the snapshot stale.
    """
    if isinstance(database.obj, PostgresqlDatabase) or database.in_transaction():
        return database.atomic()
    return database.atomic("IMMEDIATE")
