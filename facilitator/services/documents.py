"""The printed records, assembled from the database for facilitator.export to draw.

Every export and print is recorded in the audit trail by ``record_output`` once the file
exists (a failed write is not an export).
"""

from __future__ import annotations

import datetime as dt

from facilitator.domain.audit import Action, RecordKind
from facilitator.domain.changes import Changes
from facilitator.domain.documents import (
    DEFAULT_WEEKLY_MINIMUM_MINUTES,
    LeadReport,
    MemberNoteDocument,
    SessionDocument,
    SignInSheet,
    build_lead_report,
    member_view,
    name_and_initial,
)
from facilitator.domain.enums import Role
from facilitator.domain.errors import InvalidInput, NotAllowed, NotFound
from facilitator.domain.records import SessionRecord, signer_line
from facilitator.services import accounts, audit, keys, visibility
from facilitator.services.workspace import Workspace
from facilitator.store import moving_in, people, reports, staffing
from facilitator.store import session_reads as reads
from facilitator.store.signing_keys import fingerprint

WEEKLY_MINIMUM = "weekly_minimum_minutes"


def weekly_minimum_minutes() -> int:
    """The program's weekly minimum of attended group time (9 hours unless set)."""
    value = people.get_setting(WEEKLY_MINIMUM, "")
    return int(value) if value.isdigit() else DEFAULT_WEEKLY_MINIMUM_MINUTES


def set_weekly_minimum(ws: Workspace, hours: float) -> Changes:
    ws.require_role(Role.CLINICAL_LEAD, Role.ADMIN, doing="set the weekly minimum")
    if not 1 <= hours <= 40:
        raise InvalidInput("hours", "the weekly minimum is from 1 to 40 hours")
    people.set_setting(WEEKLY_MINIMUM, str(round(hours * 60)))
    audit.record(ws, Action.SETTING_CHANGE, detail=WEEKLY_MINIMUM)
    return Changes(settings=True, audit=True)


def _signers(user_ids: set[int]) -> dict[int, str]:
    found = {}
    for user_id in user_ids:
        try:
            actor = people.actor_by_id(user_id)
        except NotFound:
            continue
        found[user_id] = signer_line(actor.full_name, actor.credentials)
    return found


def facilitator_lines(record: SessionRecord) -> tuple[str, str | None]:
    """The facilitator's and co-facilitator's "Name, CREDENTIALS": as they were at the
    signature for a signed session, as they are now otherwise."""
    if record.frozen is not None:
        return record.frozen.facilitator, record.frozen.co_facilitator
    ids = {record.facilitator_id, record.co_facilitator_id}
    names = _signers({i for i in ids if i is not None})
    co = names.get(record.co_facilitator_id) if record.co_facilitator_id else None
    return names.get(record.facilitator_id, ""), co


def program_and_zone(record: SessionRecord) -> tuple[str, str]:
    """The program's name and the clinic's time zone a record prints with: as they were at the
    signature for a signed session, as they are now otherwise."""
    if record.frozen is not None:
        return record.frozen.program, record.frozen.time_zone
    return accounts.program_name(), accounts.time_zone()


def _may_see_group(ws: Workspace, group_id: int) -> bool:
    """Clinical leads and administrators see every group's records; a facilitator those of
    the groups they staff (services.visibility)."""
    return visibility.sees_group(ws, group_id)


def require_may_see(ws: Workspace, session_id: int, kind: RecordKind, doing: str) -> None:
    """Refuse (exit 6, audited) a document of a session of a group the user does not staff."""
    ws.make_current()
    group_id = staffing.group_of_session(session_id)
    if group_id is None:
        raise NotFound(f"no session with id {session_id}")
    if not _may_see_group(ws, group_id):
        audit.record(
            ws, Action.REFUSED, record_kind=kind, record_id=session_id, outcome="denied",
            detail=doing,
        )  # fmt: skip
        raise NotAllowed(f"not allowed: {doing} of a group you do not staff")


def visible_session_ids(ws: Workspace, session_ids: list[int]) -> list[int]:
    """The sessions whose records this user may see, in the order given."""
    staffed = visibility.groups_seen(ws)
    if staffed is None:
        return session_ids
    groups = reports.groups_of(session_ids)
    return [s for s in session_ids if groups.get(s) in staffed]


def session_document(ws: Workspace, session_id: int) -> SessionDocument:
    require_may_see(ws, session_id, RecordKind.SESSION, "the session record")
    record = reads.load_session(session_id)
    facilitator, co = facilitator_lines(record)
    program, zone = program_and_zone(record)
    return SessionDocument(
        program, record, facilitator, co, time_zone=zone, root_fingerprint=_root_fingerprint(),
        laptop_root=_laptop_root(session_id),
    )  # fmt: skip


def member_note_document(ws: Workspace, session_id: int, member_id: int) -> MemberNoteDocument:
    """One member's part of a session; NotFound if they were not on its roster."""
    require_may_see(ws, session_id, RecordKind.MEMBER_NOTE, "a member note")
    record = reads.load_session(session_id)
    row = record.attendance_of(member_id)
    if row is None:
        raise NotFound(f"member {member_id} was not on the roster of session {session_id}")
    facilitator, co = facilitator_lines(record)
    program, zone = program_and_zone(record)
    return MemberNoteDocument(
        program=program,
        record=member_view(record, member_id),
        member_id=member_id,
        member_name=row.display_name,
        record_number=row.record_number,
        facilitator=facilitator,
        co_facilitator=co,
        time_zone=zone,
        root_fingerprint=_root_fingerprint(),
        laptop_root=_laptop_root(session_id),
    )


def _root_fingerprint() -> str:
    return keys.root_fingerprint()


def _laptop_root(session_id: int) -> str:
    """The root of the laptop a session was signed on, if it was moved in from one."""
    root = moving_in.laptop_root_of(session_id)
    return "" if root is None else fingerprint(root)


def sign_in_sheet(ws: Workspace, session_id: int) -> SignInSheet:
    require_may_see(ws, session_id, RecordKind.SIGN_IN, "the sign-in sheet")
    record = reads.load_session(session_id)
    members = people.get_members([row.member_id for row in record.attendance])
    names = sorted(
        (name_and_initial(m.preferred_name or m.first_name, m.last_name) for m in members.values()),
        key=str.casefold,
    )
    facilitator, _co = facilitator_lines(record)
    return SignInSheet(
        program=accounts.program_name(),
        group_name=record.group_name,
        date=record.date,
        start=record.scheduled_start,
        facilitator=facilitator,
        names=tuple(names),
    )


def session_ids_between(
    date_from: dt.date, date_to: dt.date, group: str | None = None
) -> list[int]:
    if date_to < date_from:
        raise InvalidInput("to", "the end of the range is before its start")
    group_id = people.find_group(group).id if group else None
    return reports.session_ids_between(date_from, date_to, group_id)


def lead_report(
    ws: Workspace, date_from: dt.date, date_to: dt.date, group: str | None = None
) -> LeadReport:
    """The lead's summary for a date range, one group (name or id) or all of them."""
    if group is None:
        audit.require(
            ws, RecordKind.LEAD_REPORT, Role.CLINICAL_LEAD, Role.ADMIN, doing="report on all groups"
        )
    elif not _may_see_group(ws, people.find_group(group).id):
        audit.record(
            ws, Action.REFUSED, record_kind=RecordKind.LEAD_REPORT, outcome="denied",
            detail="report on a group they do not staff",
        )  # fmt: skip
        raise NotAllowed("not allowed: the summary of a group you do not staff")
    ids = session_ids_between(date_from, date_to, group)
    records = list(reads.load_sessions(ids, for_report=True).values())
    scope = people.find_group(group).name if group else "All groups"
    return build_lead_report(
        program=accounts.program_name(),
        date_from=date_from,
        date_to=date_to,
        scope=scope,
        weekly_minimum_minutes=weekly_minimum_minutes(),
        records=records,
        facilitators=_signers({r.facilitator_id for r in records}),
        time_zone=accounts.time_zone(),
        audit_head=audit.head(),
    )


def record_output(
    ws: Workspace,
    kind: RecordKind,
    record_id: int | None,
    *,
    member_id: int | None = None,
    printed: bool = False,
) -> None:
    """Audit one export (a file written) or print (sent to a printer) of a document."""
    audit.record(
        ws,
        Action.PRINT if printed else Action.EXPORT,
        member_id=member_id,
        record_kind=kind,
        record_id=record_id,
        detail="pdf",
    )
