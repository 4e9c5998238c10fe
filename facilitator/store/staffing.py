"""Who staffs which group (``group_staff``), and what that lets a facilitator see."""

from __future__ import annotations

import datetime as dt

from peewee import PostgresqlDatabase

from facilitator.store.database import clear_errors
from facilitator.store.models import Enrollment, GroupStaff, Session, User, database


def groups_seen_by(user_id: int, on: dt.date) -> set[int]:
    """The groups a facilitator sees on a day: those they staff or cover then, and those they
    have run or co-run a session of (the server's facilitator_sees_group says the same)."""
    ran = (
        Session.select(Session.group)
        .where((Session.facilitator == user_id) | (Session.co_facilitator == user_id))
        .distinct()
        .tuples()
    )
    assigned = (
        GroupStaff.select(GroupStaff.group)
        .where(
            (GroupStaff.user == user_id)
            & (GroupStaff.starts_on.is_null() | (GroupStaff.starts_on <= on))
            & (GroupStaff.ends_on.is_null() | (GroupStaff.ends_on >= on))
        )
        .tuples()
    )
    return {int(r[0]) for r in ran} | {int(r[0]) for r in assigned}


def group_of_session(session_id: int) -> int | None:
    """A session's group, also for a session the reader may not see: on a server through a
    function that looks past row security and says no more than the group's id, so a refusal
    names the real reason rather than "not found"."""
    if isinstance(database.obj, PostgresqlDatabase):
        row = database.execute_sql(
            "SELECT facilitator_group_of_session(%s)", (session_id,)
        ).fetchone()
        return None if row is None or row[0] is None else int(row[0])
    found = Session.select(Session.group).where(Session.id == session_id).tuples().first()
    return None if found is None else int(found[0])


def members_of(group_ids: set[int]) -> set[int]:
    """Everyone ever enrolled in these groups."""
    if not group_ids:
        return set()
    rows = Enrollment.select(Enrollment.member).where(Enrollment.group.in_(group_ids)).tuples()
    return {int(r[0]) for r in rows}


def add(
    group_id: int,
    user_id: int,
    *,
    kind: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    assigned_by: int,
) -> int:
    with clear_errors():
        return int(
            GroupStaff.insert(
                group=group_id, user=user_id, kind=kind, starts_on=starts_on, ends_on=ends_on,
                assigned_by=assigned_by,
            ).execute()
        )  # fmt: skip


def staff_of(group_id: int) -> list[tuple[str, str, dt.date | None, dt.date | None]]:
    """(username, kind, from, until) of everyone assigned to the group, oldest first."""
    rows = (
        GroupStaff.select(User.username, GroupStaff.kind, GroupStaff.starts_on, GroupStaff.ends_on)
        .join(User, on=(GroupStaff.user == User.id))
        .where(GroupStaff.group == group_id)
        .order_by(GroupStaff.id)
        .tuples()
    )
    return [(str(r[0]), str(r[1]), r[2], r[3]) for r in rows]
