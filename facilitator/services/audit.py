"""The audit trail: what was done, by whom, from which workstation, and how it came out.

Entries carry ids and kinds only, never names or clinical text, so the trail itself holds no
PHI beyond the record ids it points at.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import socket
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, ParamSpec, TypeVar

from facilitator.domain.audit import (
    Action,
    AuditEntryRecord,
    AuditFacts,
    LaneHead,
    RecordKind,
    first_broken,
    heads_digest,
)
from facilitator.domain.changes import Changes
from facilitator.domain.enums import Role
from facilitator.domain.errors import (
    FacilitatorError,
    IntegrityProblem,
    PermissionDenied,
    ServerUnreachable,
)
from facilitator.domain.rules import utcnow
from facilitator.services.trust import Trust
from facilitator.services.workspace import Workspace
from facilitator.store import audit as store


@functools.cache
def workstation() -> str:
    return socket.gethostname()[:120]


def record(
    ws: Workspace,
    action: Action,
    *,
    member_id: int | None = None,
    record_kind: RecordKind = RecordKind.NONE,
    record_id: int | None = None,
    outcome: str = "ok",
    detail: str = "",
) -> int:
    """Append one entry for the signed-in user."""
    ws.make_current()
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
        ),
        ws.signer,
    )


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken_at: int | None
    reason: str
    # entries not signed by their user's key, and a tail that is not the one printed
    problems: tuple[str, ...] = ()
    head: str = ""  # COUNT:HASH of the newest entry, to print and compare later
    laptop_entries: int = 0  # in the trails of laptops brought in (`server import`), checked too

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.problems


def verify(head: tuple[int, str] | None = None, trust: Trust | None = None) -> ChainReport:
    """Walk every lane of the trail; name the first entry that was altered, removed or moved,
    every entry its user did not sign, and (given the head printed earlier, ``COUNT:HASH``) a
    tail cut off or rewritten since. ``trust``: the keys, if the caller has read them already."""
    from facilitator.services import imported_trust

    entries = list(store.all_entries())
    trust = trust or Trust.read()  # what is wrong with the keys themselves is `check`'s
    problems = trust.audit(entries) + head_problems(entries, head)
    laptop_entries, laptop_problems = imported_trust.laptop_trails(trust)
    broken = first_broken(entries) or (None, "")
    return ChainReport(
        len(entries), broken[0], broken[1], (*problems, *laptop_problems), _head(entries),
        laptop_entries,
    )  # fmt: skip


def head_problems(entries: list[AuditEntryRecord], head: tuple[int, str] | None) -> list[str]:
    if head is None:
        return []
    count, digest = head
    lanes = store.kept_head(digest)
    if lanes is not None:
        return _lane_problems(entries, count, digest, lanes)
    single = [entry for entry in entries if not entry.lane]
    if len(single) < count:
        if len(single) < len(entries):  # a trail in lanes prints heads it keeps
            return [f"no head {count}:{digest[:12]}… was printed from this trail as it is: "
                    "its newest entries were removed or rewritten"]  # fmt: skip
        return [
            f"the trail holds {len(entries)} entries, fewer than the {count} of the head "
            "given: its newest entries were removed"
        ]
    if single[count - 1].id != count or single[count - 1].entry_hash != digest:
        return [f"audit entry {count} is not the one of the head given: the trail was rewritten"]
    return []


def _lane_problems(
    entries: list[AuditEntryRecord], count: int, digest: str, lanes: list[LaneHead]
) -> list[str]:
    """A head of a trail in lanes: each lane still holds, up to the newest entry the head saw,
    as many entries as it did, ending in that entry (the chains say whether they are intact)."""
    if heads_digest(lanes) != digest:
        return [f"the record of head {count}:{digest[:12]}… was altered"]
    if (kept := sum(h.entries for h in lanes)) != count:
        return [f"the head given counts {count} entries and the trail printed it with {kept}: "
                "if it was copied right, entries were removed"]  # fmt: skip
    by_id = {entry.id: entry for entry in entries}
    newest_seen = {lane.lane: lane.newest_id for lane in lanes}
    held = Counter(e.lane for e in entries if e.id <= newest_seen.get(e.lane, -1))  # one pass
    problems = []
    for lane in lanes:
        newest = by_id.get(lane.newest_id)
        name = lane.lane or "(laptop)"
        if newest is None:
            problems.append(
                f"audit entry {lane.newest_id}, the newest of lane {name} at the head given, is "
                "gone: the lane's newest entries were removed"
            )
        elif newest.lane != lane.lane or newest.entry_hash != lane.newest_hash:
            problems.append(
                f"audit entry {lane.newest_id}, the newest of lane {name} at the head given, is "
                "not the one of the head: the trail was rewritten"
            )
        elif held[lane.lane] != lane.entries:
            problems.append(
                f"lane {name} holds {held[lane.lane]} entries up to the head given, "
                f"not {lane.entries}: entries were removed"
            )
    return problems


def _head(entries: list[AuditEntryRecord]) -> str:
    if any(entry.lane for entry in entries):
        return head()
    return f"{entries[-1].id}:{entries[-1].entry_hash}" if entries else "0:" + "0" * 64


def head() -> str:
    """The trail's head now, ``COUNT:HASH``: printed on the lead's summary, the audit export
    and beside every backup, so `audit verify --head` can later tell a cut or rewritten tail.

    A trail that is one lane: its newest entry's id and hash. A trail in lanes: the number of
    its entries and a hash over every lane's newest entry, kept in the database so the lanes
    can be checked against it later (the printed digest is what makes that record trustworthy).
    """
    lanes = store.lane_heads()
    if lanes is None:
        newest = store.newest()
        return f"{newest[0]}:{newest[1]}" if newest else "0:" + "0" * 64
    digest, count = heads_digest(lanes), sum(lane.entries for lane in lanes)
    store.keep_head(digest, count, lanes)
    return f"{count}:{digest}"


def entries(
    ws: Workspace,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    user_id: int | None = None,
    member_id: int | None = None,
    action: Action | None = None,
    after_id: int | None = None,
) -> list[AuditEntryRecord]:
    """The trail, newest first, for a clinical lead or administrator; ``after_id`` keeps only
    entries newer than that one (what a screen already showing the rest needs)."""
    require(
        ws, RecordKind.AUDIT_TRAIL, Role.CLINICAL_LEAD, Role.ADMIN, doing="read the audit trail"
    )
    return store.entries(date_from, date_to, user_id, member_id, action, after_id=after_id)


def require(ws: Workspace, kind: RecordKind, *roles: Role, doing: str) -> None:
    """Workspace.require_role, with the refusal written to the trail."""
    try:
        ws.require_role(*roles, doing=doing)
    except PermissionDenied:
        record(ws, Action.REFUSED, record_kind=kind, outcome="denied", detail=doing)
        raise


P = ParamSpec("P")
R = TypeVar("R")


def _outcome(exc: FacilitatorError) -> str:
    return "denied" if isinstance(exc, PermissionDenied) else "refused"


def audited(
    action: Action,
    kind: RecordKind,
    *,
    record: str = "",
    member: str = "",
    span: str = "",
    fields: tuple[str, ...] = (),
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Record every call of a service that changes records: done (in the same transaction as
    the change) or refused (after the change was rolled back), with the ids it names.

    ``record`` and ``member`` name the service's parameters holding the record's and the
    member's ids; a service that creates a record reports it through ``Changes.created_id``.
    ``fields`` names the parameters that carry a change; those given are named in the entry's
    detail. ``span`` names a parameter holding an editing span's token (text saved as it is
    typed): only the span's first successful save writes an entry, so the trail has one entry
    per stretch of typing rather than one per autosave, and no change is ever unrecorded.
    A service returning ``Changes`` has ``audit`` set when an entry was written.
    """

    def decorate(service: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(service)

        @functools.wraps(service)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            bound = signature.bind(*args, **kwargs).arguments
            ws: Workspace = bound["ws"]
            ws.make_current()
            if ws.store.writes_stopped:  # a damaged file: write nothing, not even the refusal
                raise IntegrityProblem(ws.store.writes_stopped)
            record_id = bound.get(record) if record else None
            member_id = bound.get(member) if member else None
            token = bound.get(span) if span else None
            # A span belongs to one record's one kind of text: a token seen with another record
            # (a reused editor) starts a span of its own.
            span_key = None if token is None else (token, kind, record_id, member_id)
            detail = ",".join(name for name in fields if bound.get(name) not in (None, ...))
            try:
                with store.together():
                    result = service(*args, **kwargs)
                    if span_key is not None and ws.span_recorded(span_key):
                        return result
                    created = getattr(result, "created_id", None)
                    done_id = record_id if record_id is not None else created
                    _append(ws, action, kind, done_id, member_id, "ok", detail)
                if span_key is not None:
                    ws.record_span(span_key)
                if isinstance(result, Changes):
                    return replace(result, audit=True)
                return result
            except ServerUnreachable:
                raise  # nothing reached the server, and nothing can be written there now
            except FacilitatorError as exc:
                _append(ws, action, kind, record_id, member_id, _outcome(exc), type(exc).__name__)
                raise

        return run

    return decorate


def _append(
    ws: Workspace,
    action: Action,
    kind: RecordKind,
    record_id: Any,
    member_id: Any,
    outcome: str,
    detail: str = "",
) -> None:
    if kind is RecordKind.MEMBER and member_id is None:
        member_id = record_id
    record(
        ws,
        action,
        member_id=member_id if isinstance(member_id, int) else None,
        record_kind=kind,
        record_id=record_id if isinstance(record_id, int) else None,
        outcome=outcome,
        detail=detail,
    )
