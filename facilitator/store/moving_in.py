"""Writing a laptop's rows onto the clinic's server (services.moving_in), and reading back
what was brought in, for `check` (services.imported_trust).

Ids are taken from the server's own sequences before the rows are written, so each row's new
id is known up front (a laptop's signature must be named in ``imported_seal`` before the
server's trigger lets an administrator write it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any, cast

from peewee import SQL, ForeignKeyField

from facilitator.domain.audit import AuditEntryRecord
from facilitator.store import models as m
from facilitator.store.audit import record as audit_record
from facilitator.store.database import clear_errors
from facilitator.store.models import database
from facilitator.store.signing_keys import KeyInfo, SealRow, _when

BATCH = 500
IMPORT_LOCK_ID = 7_447_004  # (7_447_001: migrations, …002: the audit trail, …003: init)


# ----------------------------------------------------------------------------- what the server has


def previous_import(root_public_key: str) -> tuple[int, dt.datetime] | None:
    """An earlier import of the laptop with this root key."""
    row = m.LaptopImport.get_or_none(m.LaptopImport.root_public_key == root_public_key)
    return None if row is None else (row.id, row.imported_at)


def users() -> dict[str, tuple[int, str]]:
    """Username -> (id, full name), everyone's."""
    query = m.User.select(m.User.id, m.User.username, m.User.full_name).tuples()
    return {username: (user_id, name) for user_id, username, name in query}


def members_with_record_numbers(numbers: Iterable[str]) -> dict[str, dict[str, Any]]:
    wanted = list(set(numbers))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        query = m.Member.select().where(m.Member.record_number.in_(chunk)).dicts()
        for row in cast(Iterable[dict[str, Any]], query):
            found[row["record_number"]] = row
    return found


def group_names() -> set[str]:
    return {g.name for g in m.Group.select(m.Group.name)}


def library_items() -> dict[tuple[str, int], dict[str, Any]]:
    rows = cast(Iterable[dict[str, Any]], m.HomeworkItem.select().dicts())
    return {(row["slug"], row["version"]): row for row in rows}


def counts() -> dict[str, int]:
    """Rows per table the records live in (as a lead or an administrator sees them: all)."""
    from facilitator.store.laptop_rows import MOVED

    tables = (*MOVED, m.ImportedKey, m.ImportedAuditEntry)
    return {model._meta.table_name: model.select().count() for model in tables}


# ----------------------------------------------------------------------------- writing

# References held in plain integer columns (no foreign key), by table: field -> kind.
PLAIN_REFERENCES: dict[type[m.Base], dict[str, str]] = {
    m.User: {"supervisor_id": "app_user"},
    m.GroupStaff: {"assigned_by": "app_user"},
    **{table: {"changed_by": "app_user"} for table in m.VERSIONED},
}


def references(model: type[m.Base]) -> dict[str, str]:
    """Field -> the kind (table) of row it names, for every reference a table holds."""
    found = {
        f.name: f.rel_model._meta.table_name
        for f in model._meta.sorted_fields
        if isinstance(f, ForeignKeyField)
    }
    return {**found, **PLAIN_REFERENCES.get(model, {})}


def new_ids(model: type[m.Base], how_many: int) -> list[int]:
    """Ids from the table's own sequence, in order (PostgreSQL)."""
    if not how_many:
        return []
    rows = database.execute_sql(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        (model._meta.table_name, how_many),
    ).fetchall()
    return [int(row[0]) for row in rows]


def insert(model: type[m.Base], rows: list[dict[str, Any]]) -> None:
    with clear_errors():
        for start in range(0, len(rows), BATCH):
            model.insert_many(rows[start : start + BATCH]).execute()


def lock_imports() -> None:
    """Imports one at a time, to the end of the transaction (PostgreSQL)."""
    database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (IMPORT_LOCK_ID,))


def mark_signed(session_ids: list[int]) -> None:
    for start in range(0, len(session_ids), BATCH):
        chunk = session_ids[start : start + BATCH]
        m.Session.update(state="signed").where(m.Session.id.in_(chunk)).execute()


def add_import(**fields: Any) -> int:
    return int(m.LaptopImport.insert(**fields).execute())


def remember_ids(import_id: int, kind: str, pairs: Iterable[tuple[int, int]]) -> None:
    insert(
        m.ImportedRow,
        [
            {"laptop_import": import_id, "kind": kind, "origin_id": old, "server_id": new}
            for old, new in pairs
        ],
    )


# ----------------------------------------------------------------------------- reading back


@dataclass(frozen=True)
class ImportInfo:
    id: int
    imported_at: dt.datetime
    imported_by: int
    source: str
    root_public_key: str
    sealed_before: str
    sealed_before_signature: str
    audit_entries: int
    audit_head: str
    counts: str
    certificate: str


def imports() -> list[ImportInfo]:
    return [
        ImportInfo(
            row.id,
            row.imported_at,
            row.imported_by,
            row.source,
            row.root_public_key,
            row.sealed_before,
            row.sealed_before_signature,
            row.audit_entries,
            row.audit_head,
            row.counts,
            row.certificate,
        )
        for row in m.LaptopImport.select().order_by(m.LaptopImport.id)
    ]


def id_map(import_id: int) -> dict[str, dict[int, int]]:
    """Kind -> laptop id -> server id, for one import."""
    found: dict[str, dict[int, int]] = {}
    query = (
        m.ImportedRow.select(m.ImportedRow.kind, m.ImportedRow.origin_id, m.ImportedRow.server_id)
        .where(m.ImportedRow.laptop_import == import_id)
        .tuples()
    )
    for kind, old, new in query.iterator():
        found.setdefault(kind, {})[old] = new
    return found


def imported_keys(import_id: int) -> list[KeyInfo]:
    """The laptop's keys, in its ids (``id``: its key id; ``user_id``: its user id)."""
    query = m.ImportedKey.select().where(m.ImportedKey.laptop_import == import_id)
    return [
        KeyInfo(
            row.origin_id,
            row.origin_user_id,
            row.public_key,
            row.certificate,
            _when(row.created_at),
            None if row.revoked_at is None else _when(row.revoked_at),
            row.revocation,
        )
        for row in query.order_by(m.ImportedKey.origin_id)
    ]


def imported_entries(import_id: int) -> Iterator[AuditEntryRecord]:
    """The laptop's audit trail, as it came (ids and all the laptop's)."""
    query = (
        m.ImportedAuditEntry.select()
        .where(m.ImportedAuditEntry.laptop_import == import_id)
        .order_by(m.ImportedAuditEntry.origin_id)
    )
    for row in query.iterator():
        yield replace(audit_record(row), id=row.origin_id)


def imported_seals(import_id: int) -> Iterator[SealRow]:
    """Each signature and addendum the laptop made, as its signed statement names it: the
    laptop's ids, and its key id (an ``imported_key.origin_id``)."""
    seal = m.ImportedSeal
    signatures = (
        seal.select(
            seal.origin_id,
            seal.origin_session_id,
            seal.origin_user_id,
            m.Signature.kind,
            m.Signature.signed_at,
            m.Signature.content_hash,
            m.Signature.key_id,
            m.Signature.signature,
        )
        .join(m.Signature, on=(m.Signature.id == seal.server_id))
        .where((seal.laptop_import == import_id) & (seal.kind == "signature"))
    )
    addenda = (
        seal.select(
            seal.origin_id,
            seal.origin_session_id,
            seal.origin_user_id,
            SQL("'addendum'"),
            m.Addendum.signed_at,
            m.Addendum.content_hash,
            m.Addendum.key_id,
            m.Addendum.signature,
        )
        .join(m.Addendum, on=(m.Addendum.id == seal.server_id))
        .where((seal.laptop_import == import_id) & (seal.kind == "addendum"))
    )
    for query in (signatures, addenda):
        for row in query.order_by(seal.origin_id).tuples().iterator():
            yield SealRow(row[0], row[1], row[2], str(row[3]), _when(row[4]), *row[5:])


def origin_bodies(session_ids: list[int]) -> dict[int, tuple[int, bytes, str]]:
    """For those of these sessions brought in from a laptop: (import, packed body as the laptop
    froze it, its hash)."""
    if not session_ids:
        return {}
    query = (
        m.ImportedBody.select(
            m.ImportedBody.session,
            m.ImportedBody.laptop_import,
            m.ImportedBody.origin_body,
            m.ImportedBody.origin_hash,
        )
        .where(m.ImportedBody.session.in_(session_ids))
        .tuples()
    )
    return {row[0]: (row[1], bytes(row[2]), row[3]) for row in query}


def laptop_root_of(session_id: int) -> str | None:
    """The root key of the laptop a session was signed on, if it came from one."""
    row = (
        m.LaptopImport.select(m.LaptopImport.root_public_key)
        .join(m.ImportedBody, on=(m.ImportedBody.laptop_import == m.LaptopImport.id))
        .where(m.ImportedBody.session == session_id)
        .first()
    )
    return None if row is None else str(row.root_public_key)
