"""What a facilitator sees: the members and sessions of the groups they staff, cover today,
made, or have run a session of. Clinical leads and administrators see everything.

On a clinic server the server itself holds each login to this (row-level security,
store.server_setup); these functions say the same on a laptop, so screens and exports show
less rather than refuse, and opening something outside it is refused (and audited).
"""

from __future__ import annotations

import datetime as dt

from facilitator.domain.audit import Action, RecordKind
from facilitator.domain.changes import Changes
from facilitator.domain.enums import Role
from facilitator.domain.errors import InvalidInput, NotAllowed, NotFound
from facilitator.domain.records import GroupInfo
from facilitator.services import audit
from facilitator.services.audit import audited
from facilitator.services.workspace import Workspace
from facilitator.store import people, staffing

SEES_EVERYTHING = (Role.CLINICAL_LEAD, Role.ADMIN)


def groups_seen(ws: Workspace, on: dt.date | None = None) -> set[int] | None:
    """The groups this user sees; None for everything."""
    ws.make_current()  # on a server, their own login's connection: its rows are theirs too
    if ws.actor.role in SEES_EVERYTHING:
        return None
    return staffing.groups_seen_by(ws.actor.user_id, on or dt.date.today())


def sees_group(ws: Workspace, group_id: int) -> bool:
    seen = groups_seen(ws)
    return seen is None or group_id in seen


def members_seen(ws: Workspace) -> set[int] | None:
    seen = groups_seen(ws)
    return None if seen is None else staffing.members_of(seen)


def require_sees_group(ws: Workspace, group_id: int, kind: RecordKind, record_id: int) -> None:
    if not sees_group(ws, group_id):
        _refuse(ws, kind, record_id)


def sees_session(ws: Workspace, session_id: int) -> bool:
    """Whether the user sees this session (True for one that is not there: that is for the
    caller to say)."""
    ws.make_current()
    if ws.actor.role in SEES_EVERYTHING:  # no look-up: opening a session stays quick
        return True
    group_id = staffing.group_of_session(session_id)
    return group_id is None or sees_group(ws, group_id)


def require_sees_session(ws: Workspace, session_id: int) -> None:
    """NotFound for a session that is not there; NotAllowed (audited) for one of a group this
    user does not staff, also on a server where the row itself is hidden from them."""
    ws.make_current()
    if ws.actor.role in SEES_EVERYTHING:  # no look-up: opening a session stays quick
        return
    group_id = staffing.group_of_session(session_id)
    if group_id is None:
        raise NotFound(f"no session with id {session_id}")
    require_sees_group(ws, group_id, RecordKind.SESSION, session_id)


def require_sees_member(ws: Workspace, member_id: int) -> None:
    seen = members_seen(ws)
    if seen is not None and member_id not in seen:
        _refuse(ws, RecordKind.MEMBER, member_id)


def _refuse(ws: Workspace, kind: RecordKind, record_id: int) -> None:
    audit.record(
        ws, Action.REFUSED, record_kind=kind, record_id=record_id, outcome="denied",
        detail="outside the groups they staff",
    )  # fmt: skip
    raise NotAllowed("not allowed: that record belongs to a group you do not staff")


@audited(Action.CHANGE, RecordKind.GROUP, record="group_id")
def assign(
    ws: Workspace,
    group_id: int,
    username: str,
    *,
    cover_from: dt.date | None = None,
    cover_until: dt.date | None = None,
) -> Changes:
    """A clinical lead or an administrator puts someone on a group's staff, or (with dates)
    has them cover it for those days."""
    ws.require_role(Role.CLINICAL_LEAD, Role.ADMIN, doing="assign staff to a group")
    people.get_group(group_id)  # NotFound for a group that is not there
    user = people.get_user(username.strip().lower())
    covering = cover_from is not None or cover_until is not None
    if covering and (cover_from is None or cover_until is None or cover_until < cover_from):
        raise InvalidInput("cover", "cover needs a first and a last day, in that order")
    staffing.add(
        group_id, user.id, kind="cover" if covering else "staff", starts_on=cover_from,
        ends_on=cover_until, assigned_by=ws.actor.user_id,
    )  # fmt: skip
    return Changes(groups=frozenset({group_id}))


def assign_by_name(
    ws: Workspace,
    group: str,
    username: str,
    *,
    cover_from: dt.date | None = None,
    cover_until: dt.date | None = None,
) -> GroupInfo:
    """``assign``, the group named or numbered as on the command line; returns the group."""
    ws.require_role(Role.CLINICAL_LEAD, Role.ADMIN, doing="assign staff to a group")
    found = people.find_group(group)
    assign(ws, found.id, username, cover_from=cover_from, cover_until=cover_until)
    return found


def staff_of(group_id: int) -> list[tuple[str, str, dt.date | None, dt.date | None]]:
    return staffing.staff_of(group_id)
