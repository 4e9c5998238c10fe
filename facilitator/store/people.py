"""Queries on program settings, users, groups, members, enrollments and goals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from peewee import fn

from facilitator.domain.enums import EnrollmentStatus, GoalStatus, Role, Track
from facilitator.domain.errors import NotFound
from facilitator.domain.records import (
    Actor,
    EnrollmentInfo,
    GoalInfo,
    GroupInfo,
    MemberInfo,
    UserInfo,
    signer_line,
)
from facilitator.domain.rules import parse_weekdays, thirds
from facilitator.store import prepared
from facilitator.store.database import clear_errors
from facilitator.store.models import (
    Enrollment,
    Group,
    Member,
    ProgramSetting,
    TreatmentGoal,
    User,
    database,
)

# ----------------------------------------------------------------------------- settings


PROGRAM_NAME = "program_name"
DEFAULT_PROGRAM_NAME = "Intensive Outpatient Program"
TIME_ZONE = "time_zone"


def program_name() -> str:
    return get_setting(PROGRAM_NAME, DEFAULT_PROGRAM_NAME)


def time_zone() -> str:
    """The clinic's IANA time zone; "" means this computer's."""
    return get_setting(TIME_ZONE, "")


def signer_lines(user_ids: Iterable[int]) -> dict[int, str]:
    """ "Name, CREDENTIALS" of each of these users that exists, by id."""
    rows = User.select(User.id, User.full_name, User.credentials).where(User.id.in_(list(user_ids)))
    return {row.id: signer_line(row.full_name, row.credentials) for row in rows}


def get_setting(key: str, default: str = "") -> str:
    row = ProgramSetting.get_or_none(ProgramSetting.key == key)
    return default if row is None else str(row.value)


def set_setting(key: str, value: str) -> None:
    with database.atomic():
        updated = ProgramSetting.update(value=value).where(ProgramSetting.key == key).execute()
        if not updated:
            ProgramSetting.create(key=key, value=value)


# ----------------------------------------------------------------------------- users


def _actor(user: User) -> Actor:
    return Actor(
        user.id,
        user.username,
        user.full_name,
        user.credentials,
        Role(user.role),
        user.clinician,
        bool(user.password_chosen),
    )


def _user_info(user: User) -> UserInfo:
    return UserInfo(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        credentials=user.credentials,
        role=Role(user.role),
        active=bool(user.active),
        clinician=bool(user.clinician),
        requires_supervision=bool(user.requires_supervision),
        supervisor_id=user.supervisor_id,
    )


def list_users() -> list[UserInfo]:
    return [_user_info(u) for u in User.select().order_by(User.active.desc(), User.full_name)]


def get_user(username: str) -> UserInfo:
    user = User.get_or_none(User.username == username)
    if user is None:
        raise NotFound(f"no user named {username}")
    return _user_info(user)


def update_user_by_id(user_id: int, **fields: Any) -> None:
    with clear_errors():
        User.update(**fields).where(User.id == user_id).execute()


def update_user(username: str, **fields: Any) -> None:
    with clear_errors():
        User.update(**fields).where(User.username == username).execute()


def user_count() -> int:
    return int(User.select().count())


def add_user(
    username: str,
    full_name: str,
    credentials: str,
    role: Role,
    clinician: bool = True,
    password_chosen: bool = True,
) -> int:
    with clear_errors():
        return int(
            User.create(
                username=username,
                full_name=full_name,
                credentials=credentials,
                role=role,
                clinician=clinician,
                password_chosen=password_chosen,
            ).id
        )


def username_taken(username: str) -> bool:
    return User.select().where(User.username == username).exists()


def actor_for(username: str) -> Actor:
    user = User.get_or_none((User.username == username) & (User.active == True))  # noqa: E712
    if user is None:
        raise NotFound(f"no active user named {username}")
    return _actor(user)


def actor_by_id(user_id: int) -> Actor:
    user = User.get_or_none(User.id == user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    return _actor(user)


# ----------------------------------------------------------------------------- groups


def _group_info(row: Group) -> GroupInfo:
    plan = (
        tuple(int(p) for p in row.phase_plan.split(","))
        if row.phase_plan
        else thirds(row.length_minutes)
    )
    return GroupInfo(
        id=row.id,
        name=row.name,
        track=Track(row.track),
        group_type=row.group_type,
        open_enrollment=bool(row.open_enrollment),
        meeting_weekdays=parse_weekdays(row.meeting_weekdays),
        start_time=row.start_time,
        length_minutes=row.length_minutes,
        phase_minutes=(plan[0], plan[1], plan[2]),
        soft_capacity=row.soft_capacity,
        active=bool(row.active),
    )


def _group_columns(fields: dict[str, Any]) -> dict[str, Any]:
    columns = dict(fields)
    if "meeting_weekdays" in columns:
        columns["meeting_weekdays"] = ",".join(str(d) for d in columns["meeting_weekdays"])
    if "phase_minutes" in columns:
        plan = columns.pop("phase_minutes")
        columns["phase_plan"] = ",".join(str(m) for m in plan) if plan else None
    return columns


def create_group(**fields: Any) -> int:
    with clear_errors():
        return int(Group.create(**_group_columns(fields)).id)


def save_group(group: GroupInfo) -> None:
    """Write every setting of an existing group."""
    plan = None if group.phase_minutes == thirds(group.length_minutes) else group.phase_minutes
    columns = _group_columns(
        {
            "name": group.name,
            "track": group.track,
            "group_type": group.group_type,
            "open_enrollment": group.open_enrollment,
            "meeting_weekdays": group.meeting_weekdays,
            "start_time": group.start_time,
            "length_minutes": group.length_minutes,
            "phase_minutes": plan,
            "soft_capacity": group.soft_capacity,
            "active": group.active,
        }
    )
    with clear_errors():
        if not Group.update(**columns).where(Group.id == group.id).execute():
            raise NotFound(f"no group with id {group.id}")


def group_name_taken(name: str, except_id: int | None = None) -> bool:
    query = Group.select().where(fn.LOWER(Group.name) == name.lower())
    if except_id is not None:
        query = query.where(Group.id != except_id)
    return query.exists()


def _group_by_id(group_id: int) -> Any:
    return Group.select().where(Group.id == group_id)


def get_group(group_id: int) -> GroupInfo:
    # Read through store.prepared (the session screen asks at every opening): rows come back
    # as tuples in the model's field order, made into a Group as peewee would.
    found = prepared.rows(_group_by_id, group_id)
    if not found:
        raise NotFound(f"no group with id {group_id}")
    return _group_info(Group(**dict(zip(Group._meta.sorted_field_names, found[0], strict=True))))


def find_group(name_or_id: str) -> GroupInfo:
    """A group by its exact name (any case) or its number."""
    row = Group.get_or_none(fn.LOWER(Group.name) == name_or_id.strip().lower())
    if row is None and name_or_id.strip().isdigit():
        row = Group.get_or_none(Group.id == int(name_or_id))
    if row is None:
        raise NotFound(f"no group named {name_or_id!r}")
    return _group_info(row)


def list_groups(include_inactive: bool = False) -> list[GroupInfo]:
    query = Group.select().order_by(Group.name)
    if not include_inactive:
        query = query.where(Group.active == True)  # noqa: E712
    return [_group_info(row) for row in query]


# ----------------------------------------------------------------------------- members


def _member_info(row: Member) -> MemberInfo:
    return MemberInfo(
        row.id,
        row.first_name,
        row.last_name,
        row.preferred_name,
        row.record_number,
        row.pronouns,
        row.date_of_birth,
    )


def create_member(**fields: Any) -> int:
    with clear_errors():
        return int(Member.create(**fields).id)


def save_member(member: MemberInfo) -> None:
    """Write every profile field of an existing member."""
    columns = {
        "first_name": member.first_name,
        "last_name": member.last_name,
        "preferred_name": member.preferred_name,
        "record_number": member.record_number,
        "pronouns": member.pronouns,
        "date_of_birth": member.date_of_birth,
    }
    with clear_errors():
        if not Member.update(**columns).where(Member.id == member.id).execute():
            raise NotFound(f"no member with id {member.id}")


def record_number_taken(record_number: str, except_id: int | None = None) -> bool:
    query = Member.select().where(Member.record_number == record_number)
    if except_id is not None:
        query = query.where(Member.id != except_id)
    return query.exists()


def get_member(member_id: int) -> MemberInfo:
    row = Member.get_or_none(Member.id == member_id)
    if row is None:
        raise NotFound(f"no member with id {member_id}")
    return _member_info(row)


def list_members(search: str = "", limit: int = 500) -> list[MemberInfo]:
    """Members whose name or record number contains the search text, by last name."""
    query = Member.select().order_by(Member.last_name, Member.first_name, Member.id).limit(limit)
    text = search.strip().lower()
    if text:
        query = query.where(
            fn.LOWER(Member.first_name).contains(text)
            | fn.LOWER(Member.last_name).contains(text)
            | fn.LOWER(Member.preferred_name).contains(text)
            | fn.LOWER(Member.record_number).contains(text)
        )
    return [_member_info(row) for row in query]


def get_members(member_ids: list[int]) -> dict[int, MemberInfo]:
    return {row.id: _member_info(row) for row in Member.select().where(Member.id.in_(member_ids))}


# ----------------------------------------------------------------------------- enrollments


def _enrollment_info(row: Enrollment) -> EnrollmentInfo:
    return EnrollmentInfo(
        row.id,
        row.member_id,
        row.group_id,
        row.start_date,
        row.end_date,
        EnrollmentStatus(row.status),
        row.discharge_reason,
    )


def enroll(member_id: int, group_id: int, start_date: dt.date) -> int:
    with clear_errors():
        return int(Enrollment.create(member=member_id, group=group_id, start_date=start_date).id)


def get_enrollment(enrollment_id: int) -> EnrollmentInfo:
    row = Enrollment.get_or_none(Enrollment.id == enrollment_id)
    if row is None:
        raise NotFound(f"no enrollment with id {enrollment_id}")
    return _enrollment_info(row)


def discharge(enrollment_id: int, end_date: dt.date, reason: str) -> None:
    Enrollment.update(
        end_date=end_date, status=EnrollmentStatus.DISCHARGED, discharge_reason=reason
    ).where(Enrollment.id == enrollment_id).execute()


def _enrolled_on(on: dt.date) -> Any:
    return (Enrollment.start_date <= on) & (
        Enrollment.end_date.is_null() | (Enrollment.end_date >= on)
    )


def active_enrollment(member_id: int, group_id: int, on: dt.date) -> EnrollmentInfo | None:
    row = (
        Enrollment.select()
        .where((Enrollment.member == member_id) & (Enrollment.group == group_id) & _enrolled_on(on))
        .first()
    )
    return None if row is None else _enrollment_info(row)


def roster(group_id: int, on: dt.date) -> list[MemberInfo]:
    """Members enrolled in the group on that date, by display name."""
    rows = (
        Member.select()
        .join(Enrollment)
        .where((Enrollment.group == group_id) & _enrolled_on(on))
        .distinct()
    )
    return sorted((_member_info(r) for r in rows), key=lambda m: m.display_name.lower())


def enrollments_of_group(group_id: int) -> list[EnrollmentInfo]:
    rows = Enrollment.select().where(Enrollment.group == group_id).order_by(Enrollment.start_date)
    return [_enrollment_info(r) for r in rows]


def enrollments_of_member(member_id: int) -> list[EnrollmentInfo]:
    rows = Enrollment.select().where(Enrollment.member == member_id).order_by(Enrollment.start_date)
    return [_enrollment_info(r) for r in rows]


# ----------------------------------------------------------------------------- goals


def add_goal(member_id: int, text: str) -> int:
    with clear_errors():
        return int(TreatmentGoal.create(member=member_id, text=text).id)


def update_goal(goal_id: int, **fields: Any) -> None:
    if not TreatmentGoal.update(**fields).where(TreatmentGoal.id == goal_id).execute():
        raise NotFound(f"no goal with id {goal_id}")


def get_goal(goal_id: int) -> GoalInfo:
    row = TreatmentGoal.get_or_none(TreatmentGoal.id == goal_id)
    if row is None:
        raise NotFound(f"no goal with id {goal_id}")
    return GoalInfo(row.id, row.member_id, row.text, GoalStatus(row.status))


def goals_of(member_id: int) -> list[GoalInfo]:
    rows = (
        TreatmentGoal.select().where(TreatmentGoal.member == member_id).order_by(TreatmentGoal.id)
    )
    return [GoalInfo(r.id, r.member_id, r.text, GoalStatus(r.status)) for r in rows]
