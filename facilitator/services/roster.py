"""Groups, members, enrollments and treatment goals."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, TypeVar

from facilitator.domain.audit import Action, RecordKind
from facilitator.domain.changes import Changes
from facilitator.domain.enums import EnrollmentStatus, GoalStatus, GroupType, Role, Track
from facilitator.domain.errors import EditConflict, InvalidInput, RuleViolation
from facilitator.domain.records import EnrollmentInfo, GoalInfo, GroupInfo, MemberInfo
from facilitator.domain.rules import require_text, thirds
from facilitator.services import visibility
from facilitator.services.audit import audited
from facilitator.services.workspace import Workspace
from facilitator.store import people, seat_saves, staffing

T = TypeVar("T")


def _check_group(
    name: str,
    length_minutes: int,
    phase_minutes: tuple[int, ...] | None,
    soft_capacity: int,
    weekdays: tuple[int, ...],
) -> None:
    if not 30 <= length_minutes <= 480:
        raise InvalidInput("length", "a session lasts from 30 to 480 minutes")
    if phase_minutes is not None and (
        len(phase_minutes) != 3
        or any(m <= 0 for m in phase_minutes)
        or sum(phase_minutes) != length_minutes
    ):
        raise InvalidInput(
            "phase plan", f"the three parts must be positive and add up to {length_minutes} minutes"
        )
    if not 1 <= soft_capacity <= 50:
        raise InvalidInput("soft capacity", "the soft capacity is from 1 to 50 members")
    if any(not 0 <= d <= 6 for d in weekdays):
        raise InvalidInput("meeting weekdays", "weekdays run from 0 (Monday) to 6 (Sunday)")


@audited(Action.CREATE, RecordKind.GROUP)
def create_group(
    ws: Workspace,
    *,
    name: str,
    track: Track,
    group_type: GroupType,
    open_enrollment: bool = True,
    meeting_weekdays: tuple[int, ...] = (),
    start_time: dt.time | None = None,
    length_minutes: int = 180,
    phase_minutes: tuple[int, int, int] | None = None,
    soft_capacity: int = 12,
) -> Changes:
    name = require_text("group name", name, max_length=80)
    _check_group(name, length_minutes, phase_minutes, soft_capacity, meeting_weekdays)
    if people.group_name_taken(name):
        raise RuleViolation(f"a group named {name} already exists")
    group_id = people.create_group(
        name=name,
        track=Track(track),
        group_type=GroupType(group_type),
        open_enrollment=open_enrollment,
        meeting_weekdays=meeting_weekdays,
        start_time=start_time,
        length_minutes=length_minutes,
        phase_minutes=phase_minutes,
        soft_capacity=soft_capacity,
    )
    if ws.actor.role is Role.FACILITATOR:  # who makes a group staffs it
        staffing.add(group_id, ws.actor.user_id, kind="staff", starts_on=None, ends_on=None,
                     assigned_by=ws.actor.user_id)  # fmt: skip
    return Changes(groups=frozenset({group_id}), created_id=group_id)


@audited(Action.CHANGE, RecordKind.GROUP, record="group_id")
def update_group(
    ws: Workspace, group_id: int, *, seen: GroupInfo | None = None, **fields: Any
) -> Changes:
    """Change some of a group's settings (any GroupInfo field but its id); the rest stay.
    ``seen``: the settings as the form showed them (see ``_changed_only``)."""
    seat_saves.hold_row("therapy_group", group_id)
    current = people.get_group(group_id)
    fields = _changed_only(current, fields, seen, "group", Changes(groups=frozenset({group_id})))
    edited = _edited(current, fields, "group")
    if "length_minutes" in fields and "phase_minutes" not in fields:
        edited = dataclasses.replace(edited, phase_minutes=thirds(edited.length_minutes))
    name = require_text("group name", edited.name, max_length=80)
    _check_group(
        name,
        edited.length_minutes,
        edited.phase_minutes,
        edited.soft_capacity,
        edited.meeting_weekdays,
    )
    if people.group_name_taken(name, except_id=group_id):
        raise RuleViolation(f"a group named {name} already exists")
    people.save_group(dataclasses.replace(edited, name=name))
    return Changes(groups=frozenset({group_id}))


def _changed_only(
    current: T, fields: dict[str, Any], seen: T | None, what: str, changes: Changes
) -> dict[str, Any]:
    """A form's save from a seat that may be out of date (issue 13): only the fields its user
    changed from what the form showed (``seen``) are written, so another seat's change to the
    others stays; a field that someone else changed meanwhile is refused, nothing written, with
    both values. Without ``seen`` (a script) every field given is written, as before."""
    if seen is None:
        return fields
    mine = {name: v for name, v in fields.items() if not _same(v, getattr(seen, name))}
    theirs = {
        name: getattr(current, name)
        for name, value in mine.items()
        if not _same(getattr(current, name), getattr(seen, name))
        and not _same(getattr(current, name), value)
    }
    if theirs:
        parts = " and ".join(name.replace("_", " ") for name in theirs)
        raise EditConflict(
            f"someone else changed the {parts} of this {what} since you opened it: yours is "
            f"not saved yet; theirs is {', '.join(map(str, theirs.values()))}. Saving again "
            "keeps yours",
            theirs=theirs, mine={name: mine[name] for name in theirs}, by="someone else", at=None,
            changes=changes,
        )  # fmt: skip
    return mine


def _same(a: Any, b: Any) -> bool:
    """Equal as a form and a record hold them (a list of weekdays is the tuple stored)."""
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return tuple(a) == tuple(b)
    return bool(a == b)


def _edited(current: T, fields: dict[str, Any], what: str) -> T:
    if "id" in fields or not set(fields) <= {f.name for f in dataclasses.fields(current)}:  # type: ignore[arg-type]
        raise InvalidInput(what, f"a {what} has no field {sorted(set(fields) - {'id'})}")
    return dataclasses.replace(current, **fields)  # type: ignore[type-var]


@audited(Action.CREATE, RecordKind.MEMBER)
def create_member(
    ws: Workspace,
    *,
    first_name: str,
    last_name: str,
    record_number: str,
    preferred_name: str | None = None,
    pronouns: str = "",
    date_of_birth: dt.date | None = None,
) -> Changes:
    record_number = require_text("record number", record_number, max_length=40)
    if people.record_number_taken(record_number):
        raise RuleViolation(f"record number {record_number} belongs to another member")
    if date_of_birth is not None and date_of_birth > dt.date.today():
        raise InvalidInput("date of birth", "the date of birth is in the future")
    member_id = people.create_member(
        first_name=require_text("first name", first_name, max_length=80),
        last_name=require_text("last name", last_name, max_length=80),
        preferred_name=(preferred_name or "").strip() or None,
        record_number=record_number,
        pronouns=pronouns.strip(),
        date_of_birth=date_of_birth,
    )
    return Changes(members=frozenset({member_id}), created_id=member_id)


@audited(Action.CHANGE, RecordKind.MEMBER, record="member_id", member="member_id")
def update_member(
    ws: Workspace, member_id: int, *, seen: MemberInfo | None = None, **fields: Any
) -> Changes:
    """Change some of a member's profile (any MemberInfo field but its id). ``seen``: the
    profile as the form showed it (see ``_changed_only``)."""
    seat_saves.hold_row("member", member_id)
    current = people.get_member(member_id)
    changes = Changes(members=frozenset({member_id}))
    edited = _edited(current, _changed_only(current, fields, seen, "member", changes), "member")
    record_number = require_text("record number", edited.record_number, max_length=40)
    if people.record_number_taken(record_number, except_id=member_id):
        raise RuleViolation(f"record number {record_number} belongs to another member")
    people.save_member(
        dataclasses.replace(
            edited,
            first_name=require_text("first name", edited.first_name, max_length=80),
            last_name=require_text("last name", edited.last_name, max_length=80),
            preferred_name=(edited.preferred_name or "").strip() or None,
            record_number=record_number,
            pronouns=edited.pronouns.strip(),
        )
    )
    return Changes(members=frozenset({member_id}))


@audited(Action.CREATE, RecordKind.ENROLLMENT, member="member_id")
def enroll(ws: Workspace, member_id: int, group_id: int, start_date: dt.date) -> Changes:
    people.get_member(member_id)
    group: GroupInfo = people.get_group(group_id)
    if people.active_enrollment(member_id, group_id, start_date) is not None:
        raise RuleViolation("the member is already enrolled in this group on that date")
    enrollment_id = people.enroll(member_id, group.id, start_date)
    return Changes(
        enrollments=frozenset({enrollment_id}),
        members=frozenset({member_id}),
        created_id=enrollment_id,
    )


@audited(Action.CHANGE, RecordKind.ENROLLMENT, record="enrollment_id")
def discharge(ws: Workspace, enrollment_id: int, end_date: dt.date, reason: str) -> Changes:
    enrollment = people.get_enrollment(enrollment_id)
    if enrollment.status == EnrollmentStatus.DISCHARGED:
        raise RuleViolation("the member is already discharged from this group")
    if end_date < enrollment.start_date:
        raise InvalidInput("discharge date", "the discharge date is before the enrollment started")
    people.discharge(enrollment_id, end_date, require_text("discharge reason", reason))
    return Changes(
        enrollments=frozenset({enrollment_id}), members=frozenset({enrollment.member_id})
    )


@audited(Action.CREATE, RecordKind.GOAL, member="member_id")
def add_goal(ws: Workspace, member_id: int, text: str) -> Changes:
    people.get_member(member_id)
    goal_id = people.add_goal(member_id, require_text("goal", text, max_length=500))
    return Changes(goals=frozenset({goal_id}), members=frozenset({member_id}), created_id=goal_id)


@audited(Action.CHANGE, RecordKind.GOAL, record="goal_id")
def update_goal(
    ws: Workspace,
    goal_id: int,
    *,
    text: str | None = None,
    status: GoalStatus | None = None,
    seen: GoalInfo | None = None,
) -> Changes:
    """Change a goal's text or status. ``seen``: the goal as the screen showed it; a change
    another seat made to the same field since is refused (see ``_changed_only``)."""
    seat_saves.hold_row("treatment_goal", goal_id)
    goal = people.get_goal(goal_id)
    fields: dict[str, Any] = {}
    if text is not None:
        fields["text"] = require_text("goal", text, max_length=500)
    if status is not None:
        fields["status"] = GoalStatus(status)
    changes = Changes(goals=frozenset({goal_id}), members=frozenset({goal.member_id}))
    fields = _changed_only(goal, fields, seen, "goal", changes)
    if fields:
        people.update_goal(goal_id, **fields)
    return Changes(goals=frozenset({goal_id}), members=frozenset({goal.member_id}))


def list_members(search: str = "", ws: Workspace | None = None) -> list[MemberInfo]:
    """Members whose names or record numbers match; of the groups ``ws``'s user sees, when
    given (services.visibility)."""
    seen = None if ws is None else visibility.members_seen(ws)  # first: on ws's connection
    found = people.list_members(search)
    return found if seen is None else [m for m in found if m.id in seen]


def list_groups(ws: Workspace | None = None) -> list[GroupInfo]:
    seen = None if ws is None else visibility.groups_seen(ws)  # first: on ws's connection
    found = people.list_groups()
    return found if seen is None else [g for g in found if g.id in seen]


def group_roster(group_id: int) -> list[tuple[EnrollmentInfo, MemberInfo]]:
    """Everyone ever enrolled in the group, with their enrollment, newest enrollment first."""
    enrollments = people.enrollments_of_group(group_id)
    members = people.get_members([e.member_id for e in enrollments])
    return [
        (e, members[e.member_id])
        for e in sorted(enrollments, key=lambda e: e.start_date, reverse=True)
    ]


def get_group(group_id: int) -> GroupInfo:
    return people.get_group(group_id)


def get_member(member_id: int) -> MemberInfo:
    return people.get_member(member_id)


def goals_of(member_id: int) -> list[GoalInfo]:
    return people.goals_of(member_id)
