"""Queries across many sessions: lists, a member's history, integrity checks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from peewee import JOIN, PostgresqlDatabase

from facilitator.domain.enums import AttendanceStatus, Location, ReviewStatus, SessionState
from facilitator.domain.records import (
    HistoryEntry,
    SessionMemberSummary,
    SessionSummary,
    display_name,
)
from facilitator.store.models import (
    Attendance,
    CheckIn,
    Group,
    GroupNote,
    HomeworkAssignment,
    HomeworkReview,
    Member,
    MemberNote,
    Session,
    Signature,
    User,
    database,
)


def list_sessions(
    date_from: dt.date | None,
    date_to: dt.date | None,
    group_id: int | None,
    *,
    state: str | None = None,
    user_id: int | None = None,
    newest_first: bool = False,
    limit: int | None = None,
    session_ids: list[int] | None = None,
) -> list[SessionSummary]:
    """Sessions in a date range (inclusive), oldest first, with each rostered member."""
    query = Session.select(Session.id, Group.name, Session.date, Session.state).join(Group)
    if session_ids is not None:
        query = query.where(Session.id.in_(session_ids or [0]))
    if date_from is not None:
        query = query.where(Session.date >= date_from)
    if date_to is not None:
        query = query.where(Session.date <= date_to)
    if group_id is not None:
        query = query.where(Session.group == group_id)
    if state is not None:
        query = query.where(Session.state == state)
    if user_id is not None:
        query = query.where((Session.facilitator == user_id) | (Session.co_facilitator == user_id))
    order = (
        (Session.date.desc(), Session.id.desc())
        if newest_first
        else (Session.date, Group.name, Session.id)
    )
    query = query.order_by(*order)
    if limit is not None:
        query = query.limit(limit)
    heads = list(query.tuples())
    members: dict[int, list[SessionMemberSummary]] = defaultdict(list)
    # One roster query per chunk of sessions instead of one per session.
    for start in range(0, len(heads), 500):
        ids = [h[0] for h in heads[start : start + 500]]
        rows = (
            Attendance.select(
                Attendance.session,
                Member.id,
                Member.preferred_name,
                Member.first_name,
                Member.last_name,
                Attendance.status,
            )
            .join(Member)
            .where(Attendance.session.in_(ids))
            .tuples()
        )
        for session_id, member_id, preferred, first, last, status in rows:
            members[session_id].append(
                SessionMemberSummary(
                    member_id,
                    display_name(preferred, first, last),
                    None if status is None else AttendanceStatus(status),
                )
            )
    return [
        SessionSummary(
            sid,
            group,
            date,
            SessionState(state),
            tuple(sorted(members[sid], key=lambda m: (m.name.lower(), m.id))),
        )
        for sid, group, date, state in heads
    ]


def member_history(member_id: int) -> list[HistoryEntry]:
    """Every session the member was rostered in, newest first."""
    with database.atomic():
        rows = list(
            Attendance.select(
                Session.id,
                Session.date,
                Group.name,
                Session.state,
                Attendance.status,
                Attendance.location,
                CheckIn.mood,
                CheckIn.craving,
                CheckIn.safety_concern,
                CheckIn.current_issue,
                MemberNote.plan,
            )
            .join(Session)
            .join(Group)
            .switch(Attendance)
            .join(
                CheckIn,
                JOIN.LEFT_OUTER,
                on=(CheckIn.session == Attendance.session) & (CheckIn.member == Attendance.member),
            )
            .switch(Attendance)
            .join(
                MemberNote,
                JOIN.LEFT_OUTER,
                on=(MemberNote.session == Attendance.session)
                & (MemberNote.member == Attendance.member),
            )
            .where(Attendance.member == member_id)
            .order_by(Session.date.desc(), Session.id.desc())
            .tuples()
        )
        homework: dict[int, list[str]] = defaultdict(list)
        for session_id, title in (
            HomeworkAssignment.select(HomeworkAssignment.session, HomeworkAssignment.title)
            .where(HomeworkAssignment.member == member_id)
            .order_by(HomeworkAssignment.id)
            .tuples()
        ):
            homework[session_id].append(title)
        reviews: dict[int, list[tuple[str, ReviewStatus]]] = defaultdict(list)
        for session_id, title, status in (
            HomeworkReview.select(
                HomeworkReview.session, HomeworkAssignment.title, HomeworkReview.status
            )
            .join(HomeworkAssignment)
            .where(HomeworkReview.member == member_id)
            .order_by(HomeworkReview.id)
            .tuples()
        ):
            reviews[session_id].append((title, ReviewStatus(status)))
    return [
        HistoryEntry(
            session_id=r[0],
            date=r[1],
            group=r[2],
            state=SessionState(r[3]),
            attendance=None if r[4] is None else AttendanceStatus(r[4]),
            location=Location(r[5]),
            mood=r[6],
            craving=r[7],
            safety_concern=bool(r[8]),
            current_issue=r[9] or "",
            note_plan=r[10] or "",
            homework=tuple(homework.get(r[0], ())),
            reviews=tuple(reviews.get(r[0], ())),
        )
        for r in rows
    ]


def sessions_on(date: dt.date) -> dict[int, tuple[int, str]]:
    """Each group's session on that date (the newest if several): group id -> (session id, state)."""
    rows = (
        Session.select(Session.group, Session.id, Session.state)
        .where(Session.date == date)
        .order_by(Session.id)
    )
    return {group_id: (session_id, state) for group_id, session_id, state in rows.tuples()}


def topics_used(group_id: int) -> list[int]:
    """Library items the group's sessions have used as topic, oldest first."""
    rows = (
        GroupNote.select(GroupNote.topic_item)
        .join(Session)
        .where((Session.group == group_id) & GroupNote.topic_item.is_null(False))
        .order_by(Session.date, Session.id)
        .tuples()
    )
    return [row[0] for row in rows]


def signed_session_ids() -> Iterator[int]:
    for (session_id,) in (
        Session.select(Session.id).where(Session.state == "signed").order_by(Session.id).tuples()
    ):
        yield int(session_id)


def engine_integrity() -> list[str]:
    """The engine's own consistency check; empty when all is well."""
    if isinstance(database.obj, PostgresqlDatabase):
        return []
    problems = [
        row[0]
        for row in database.execute_sql("PRAGMA integrity_check").fetchall()
        if row[0] != "ok"
    ]
    problems += [f"{row}" for row in database.execute_sql("PRAGMA foreign_key_check").fetchall()]
    problems += [row[0] for row in database.execute_sql("PRAGMA cipher_integrity_check").fetchall()]
    return problems


def session_ids_between(
    date_from: dt.date, date_to: dt.date, group_id: int | None = None
) -> list[int]:
    """Ids of the sessions held in the range (one group or all), by date."""
    query = Session.select(Session.id).where(Session.date.between(date_from, date_to))
    if group_id is not None:
        query = query.where(Session.group == group_id)
    return [row[0] for row in query.order_by(Session.date, Session.group, Session.id).tuples()]


def awaiting_cosign(supervisor_id: int) -> list[int]:
    """Signed sessions whose signer needs supervision by this lead and has no co-signature yet,
    oldest first: the lead's review queue."""
    cosigned = Signature.select(Signature.session).where(Signature.kind == "cosign")
    rows = (
        Signature.select(Signature.session)
        .join(User, on=(Signature.user == User.id))
        .switch(Signature)
        .join(Session)
        .where(
            (Signature.kind == "sign")
            & (User.requires_supervision == True)  # noqa: E712
            & (User.supervisor_id == supervisor_id)
            & Signature.session.not_in(cosigned)
        )
        .order_by(Session.date, Session.id)
        .tuples()
    )
    return [row[0] for row in rows]


def signer_of(session_id: int) -> tuple[int, bool, int | None] | None:
    """Who signed the session, whether they need supervision and who their supervisor is."""
    row = (
        Signature.select(Signature.user, User.requires_supervision, User.supervisor_id)
        .join(User, on=(Signature.user == User.id))
        .where((Signature.session == session_id) & (Signature.kind == "sign"))
        .tuples()
        .first()
    )
    return None if row is None else (row[0], bool(row[1]), row[2])


def groups_of(session_ids: list[int]) -> dict[int, int]:
    """Each session's group."""
    found: dict[int, int] = {}
    for start in range(0, len(session_ids), 500):
        chunk = session_ids[start : start + 500]
        rows = Session.select(Session.id, Session.group).where(Session.id.in_(chunk)).tuples()
        found.update({int(r[0]): int(r[1]) for r in rows})
    return found


def group_of(session_id: int) -> int | None:
    row = Session.select(Session.group).where(Session.id == session_id).tuples().first()
    return None if row is None else int(row[0])
