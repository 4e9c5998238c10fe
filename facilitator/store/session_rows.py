"""The queries a session is read with, one per table, and the records their rows become
(store.session_reads puts them together). Each takes a list of session ids: one session's or
thousands'; one session's have their SQL rendered once (store.prepared).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from peewee import JOIN

from facilitator.domain.enums import (
    AttendanceStatus,
    Location,
    Participation,
    ReviewStatus,
    UseSinceLast,
)
from facilitator.domain.records import (
    AttendanceRecord,
    CheckInRecord,
    MemberNoteRecord,
    ReviewRecord,
    display_name,
)
from facilitator.store.models import (
    Addendum,
    Attendance,
    CheckIn,
    Group,
    GroupNote,
    HomeworkAssignment,
    HomeworkReview,
    ImportedBody,
    ImportedSeal,
    Member,
    MemberNote,
    PhaseLog,
    Session,
    Signature,
    SignedContent,
    TreatmentGoal,
    User,
)


def head_rows(ids: list[int]) -> Any:
    return (
        Session.select(
            Session.id,
            Session.group,
            Group.name,
            Group.track,
            Group.group_type,
            Session.date,
            Session.scheduled_start,
            Session.scheduled_end,
            Session.actual_start,
            Session.actual_end,
            Session.mode,
            Session.facilitator,
            Session.co_facilitator,
            Session.state,
            Session.current_phase,
        )
        .join(Group)
        .where(Session.id.in_(ids))
        .tuples()
    )


def as_time(value: Any) -> dt.time | None:
    # SQLite hands back TimeField values as parsed times; PostgreSQL too. Both may be None.
    return (
        value if value is None or isinstance(value, dt.time) else dt.time.fromisoformat(str(value))
    )


def check_in_record(r: tuple[Any, ...]) -> CheckInRecord:
    return CheckInRecord(r[0], r[1], r[2], UseSinceLast(r[3]), r[4], bool(r[5]), r[6], r[7], r[8])


def note_record(r: tuple[Any, ...]) -> MemberNoteRecord:
    participation = Participation(r[4]) if r[4] else None
    return MemberNoteRecord(r[0], r[1], r[2], r[3], participation, r[5], r[6] or "")


def review_record(r: tuple[Any, ...]) -> ReviewRecord:
    return ReviewRecord(r[0], r[1], r[2], ReviewStatus(r[3]), r[4])


def attendance_record(r: tuple[Any, ...]) -> AttendanceRecord:
    return AttendanceRecord(
        member_id=r[0],
        display_name=display_name(r[1], r[2], r[3]),
        record_number=r[4],
        status=None if r[5] is None else AttendanceStatus(r[5]),
        arrival=as_time(r[6]),
        departure=as_time(r[7]),
        location=Location(r[8]),
        late_joiner=bool(r[9]),
    )


def attendance_rows(ids: list[int]) -> Iterable[tuple[Any, ...]]:
    return (
        Attendance.select(
            Attendance.session,
            Attendance.member,
            Member.preferred_name,
            Member.first_name,
            Member.last_name,
            Member.record_number,
            Attendance.status,
            Attendance.arrival,
            Attendance.departure,
            Attendance.location,
            Attendance.late_joiner,
        )
        .join(Member)
        .where(Attendance.session.in_(ids))
        .tuples()
    )


def check_in_rows(ids: list[int]) -> Iterable[tuple[Any, ...]]:
    return (
        CheckIn.select(
            CheckIn.session,
            CheckIn.member,
            CheckIn.mood,
            CheckIn.craving,
            CheckIn.use_since_last,
            CheckIn.use_detail,
            CheckIn.safety_concern,
            CheckIn.safety_follow_up,
            CheckIn.homework_review,
            CheckIn.current_issue,
        )
        .where(CheckIn.session.in_(ids))
        .order_by(CheckIn.session, CheckIn.member)
        .tuples()
    )


def note_rows(ids: list[int]) -> Iterable[tuple[Any, ...]]:
    return (
        MemberNote.select(
            MemberNote.session,
            MemberNote.member,
            MemberNote.data,
            MemberNote.assessment,
            MemberNote.plan,
            MemberNote.participation,
            MemberNote.goal,
            TreatmentGoal.text,
        )
        .join(TreatmentGoal, JOIN.LEFT_OUTER)
        .where(MemberNote.session.in_(ids))
        .order_by(MemberNote.session, MemberNote.member)
        .tuples()
    )


def group_note_rows(ids: list[int]) -> Iterable[tuple[Any, ...]]:
    return (
        GroupNote.select(
            GroupNote.session,
            GroupNote.topic_item,
            GroupNote.topic,
            GroupNote.interventions,
            GroupNote.narrative,
            GroupNote.summary,
        )
        .where(GroupNote.session.in_(ids))
        .tuples()
    )


def phase_rows(ids: list[int]) -> Iterable[tuple[Any, ...]]:
    return (
        PhaseLog.select(
            PhaseLog.session,
            PhaseLog.phase,
            PhaseLog.planned_minutes,
            PhaseLog.started_at,
            PhaseLog.ended_at,
        )
        .where(PhaseLog.session.in_(ids))
        .order_by(PhaseLog.session, PhaseLog.id)
        .tuples()
    )


def assignment_rows(ids: list[int]) -> Iterable[tuple[Any, ...]]:
    return (
        HomeworkAssignment.select(
            HomeworkAssignment.session,
            HomeworkAssignment.id,
            HomeworkAssignment.member,
            HomeworkAssignment.item,
            HomeworkAssignment.title,
            HomeworkAssignment.instructions,
            HomeworkAssignment.due_date,
        )
        .where(HomeworkAssignment.session.in_(ids))
        .order_by(HomeworkAssignment.session, HomeworkAssignment.member, HomeworkAssignment.id)
        .tuples()
    )


def review_rows(ids: list[int]) -> Iterable[tuple[Any, ...]]:
    return (
        HomeworkReview.select(
            HomeworkReview.session,
            HomeworkReview.assignment,
            HomeworkReview.member,
            HomeworkAssignment.title,
            HomeworkReview.status,
            HomeworkReview.comment,
        )
        .join(HomeworkAssignment)
        .where(HomeworkReview.session.in_(ids))
        .order_by(HomeworkReview.session, HomeworkReview.member, HomeworkReview.assignment)
        .tuples()
    )


def signature_rows(ids: list[int]) -> Iterable[tuple[Any, ...]]:
    return (
        Signature.select(
            Signature.session,
            Signature.user,
            User.full_name,
            User.credentials,
            Signature.kind,
            Signature.signed_at,
            Signature.content_hash,
            Signature.canonical_version,
            Signature.signer_line,
        )
        .join(User)
        .where(Signature.session.in_(ids))
        .order_by(Signature.session, Signature.id)
        .tuples()
    )


def addendum_rows(ids: list[int]) -> Iterable[tuple[Any, ...]]:
    return (
        Addendum.select(
            Addendum.session,
            Addendum.id,
            Addendum.author,
            User.full_name,
            User.credentials,
            Addendum.signed_at,
            Addendum.reason,
            Addendum.text,
            Addendum.content_hash,
            Addendum.signer_line,
            ImportedSeal.origin_user_id,
        )
        .join(User)
        .join(  # brought in from a laptop: its hash covers the laptop's id of its author
            ImportedSeal,
            JOIN.LEFT_OUTER,
            on=(ImportedSeal.server_id == Addendum.id) & (ImportedSeal.kind == "addendum"),
        )
        .where(Addendum.session.in_(ids))
        .order_by(Addendum.session, Addendum.id)
        .tuples()
    )


def body_rows(ids: list[int]) -> Iterable[tuple[Any, ...]]:
    # For a session brought in from a laptop, the hash its signatures cover is that of the
    # body as the laptop froze it (store.moving_in).
    return (
        SignedContent.select(SignedContent.session, SignedContent.body, ImportedBody.origin_hash)
        .join(ImportedBody, JOIN.LEFT_OUTER, on=(ImportedBody.session == SignedContent.session))
        .where(SignedContent.session.in_(ids))
        .tuples()
    )
