"""The audit trail: what was done, by whom, from which workstation, and how it came out.

Entries carry ids and kinds only, never names or clinical text, so the trail itself holds no
PHI beyond the record ids it points at.
"""

from __future__ import annotations

import datetime as dt
import functools
import socket
from dataclasses import dataclass

from facilitator.domain.audit import AuditEntryRecord, AuditFacts, first_broken
from facilitator.domain.enums import Role
from facilitator.domain.rules import utcnow
from facilitator.services.workspace import Workspace
from facilitator.store import audit as store


@functools.cache
def workstation() -> str:
    return socket.gethostname()[:120]


def record(
    ws: Workspace,
    action: str,
    *,
    member_id: int | None = None,
    record_kind: str = "",
    record_id: int | None = None,
    outcome: str = "ok",
    detail: str = "",
) -> int:
    """Append one entry for the signed-in user."""
    return store.append(
        AuditFacts(
            at=utcnow(),
            user_id=ws.actor.user_id,
            username=ws.actor.username,
            workstation=workstation(),
            action=action,
            member_id=member_id,
            record_kind=record_kind,
            record_id=record_id,
            outcome=outcome,
            detail=detail,
        )
    )


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken_at: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify() -> ChainReport:
    """Walk the whole chain; name the first entry that was altered, removed or moved."""
    entries = list(store.all_entries())
    broken = first_broken(entries)
    if broken is None:
        return ChainReport(len(entries), None, "")
    return ChainReport(len(entries), broken[0], broken[1])


def entries(
    ws: Workspace,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    user_id: int | None = None,
    member_id: int | None = None,
    action: str | None = None,
) -> list[AuditEntryRecord]:
    """The trail, newest first, for a clinical lead or administrator."""
    ws.require_role(Role.CLINICAL_LEAD, Role.ADMIN, doing="read the audit trail")
    return store.entries(date_from, date_to, user_id, member_id, action)
