"""Appending to and reading the audit trail."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from typing import Any

from peewee import PostgresqlDatabase

from facilitator.domain.audit import (
    GENESIS,
    Action,
    AuditEntryRecord,
    AuditFacts,
    LaneHead,
    RecordKind,
    entry_hash,
    lane_of,
)
from facilitator.store.database import clear_errors, one_transaction
from facilitator.store.models import AuditEntry, AuditHead, database
from facilitator.store.signing_keys import Signer, audit_statement

# Seats on one server append to their own lanes, each lane one at a time so it stays a chain:
# an advisory lock on (this number, the lane's hash).
AUDIT_LOCK_ID = 7_447_002
# Seconds this process has waited for its lane's lock, and how often it took it (make bench:
# the trail must not serialise a whole clinic's saves).
LOCK_WAITS = {"seconds": 0.0, "taken": 0}


def _newest(lane: str) -> tuple[int, str] | None:
    """The newest entry's id and hash in a lane (through the (lane, id) index)."""
    mark = database.obj.param
    row = database.execute_sql(
        f"SELECT id, entry_hash FROM audit_entry WHERE lane = {mark} ORDER BY id DESC LIMIT 1",
        (lane,),
    ).fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


def newest() -> tuple[int, str] | None:
    """The newest entry's id and hash in lane '' (a laptop's whole trail)."""
    return _newest("")


def append(facts: AuditFacts, signer: Signer | None = None) -> int:
    """Add one entry chained to the newest of its lane, signed by the acting user's key (none
    for a failed sign-in, which has no one's key); returns its id.

    The id is chosen here because the hash covers it and the row can never be updated
    afterwards. On SQLite (one writer) the trail is one lane and the id the newest plus one,
    under the write lock (a stale read there fails the insert rather than fork the chain). On a
    server each seat has its lane (domain.audit.lane_of), appends to one lane take turns on an
    advisory lock, and the id comes from the table's sequence, drawn under that lock so a
    lane's ids rise in the order its entries were chained.
    """
    is_server = isinstance(database.obj, PostgresqlDatabase)
    lane = lane_of(facts) if is_server else ""
    with clear_errors(), one_transaction() if is_server else database.atomic("IMMEDIATE"):
        if is_server:
            asked = time.perf_counter()
            database.execute_sql(
                "SELECT pg_advisory_xact_lock(%s::int4, hashtext(%s))", (AUDIT_LOCK_ID, lane)
            )
            LOCK_WAITS["seconds"] += time.perf_counter() - asked
            LOCK_WAITS["taken"] += 1
            # After the lock, in one statement (its snapshot sees every entry chained before).
            row = database.execute_sql(
                "SELECT nextval(pg_get_serial_sequence('audit_entry', 'id')), n.id, "
                "n.entry_hash FROM (SELECT 1) one LEFT JOIN (SELECT id, entry_hash FROM "
                "audit_entry WHERE lane = %s ORDER BY id DESC LIMIT 1) n ON true",
                (lane,),
            ).fetchone()
            entry_id = int(row[0])
            last = None if row[1] is None else (int(row[1]), str(row[2]))
        else:
            last = _newest(lane)
            entry_id = last[0] + 1 if last else 1
        prev = last[1] if last else GENESIS
        digest = entry_hash(entry_id, facts, prev, lane)
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
            lane=lane,
        ).execute()
        return entry_id


def lane_heads() -> list[LaneHead] | None:
    """Every lane's entry count and newest entry, read in one statement (one snapshot); None
    for a trail that is one lane (a laptop's, or a server's from before lanes)."""
    if not database.execute_sql("SELECT 1 FROM audit_entry WHERE lane > '' LIMIT 1").fetchone():
        return None
    rows = database.execute_sql(
        "SELECT a.lane, c.n, a.id, a.entry_hash FROM (SELECT lane, COUNT(*) AS n, MAX(id) AS m "
        "FROM audit_entry GROUP BY lane) c JOIN audit_entry a ON a.id = c.m ORDER BY a.lane"
    ).fetchall()
    return [LaneHead(str(r[0]), int(r[1]), int(r[2]), str(r[3])) for r in rows]


def keep_head(digest: str, entries: int, lanes: list[LaneHead]) -> None:
    """Keep a printed head's lanes, once, so `audit verify --head` can check them later."""
    listed = json.dumps([[h.lane, h.entries, h.newest_id, h.newest_hash] for h in lanes])
    with clear_errors():
        AuditHead.insert(
            digest=digest, entries=entries, lanes=listed
        ).on_conflict_ignore().execute()


def kept_head(digest: str) -> list[LaneHead] | None:
    """The lanes of a head printed earlier, as kept; None if no head with that digest is."""
    row = AuditHead.get_or_none(AuditHead.digest == digest)
    if row is None:
        return None
    return [LaneHead(str(a), int(b), int(c), str(d)) for a, b, c, d in json.loads(row.lanes)]


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
        lane=row.lane,
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
