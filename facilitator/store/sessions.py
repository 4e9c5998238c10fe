"""Queries on one group session and everything recorded in it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from peewee import JOIN

from facilitator.domain.enums import (
    AttendanceStatus,
    Location,
    Phase,
    SessionMode,
    SessionState,
    SignatureKind,
    Track,
)
from facilitator.domain.errors import NotFound
from facilitator.domain.frozen import body_hash
from facilitator.domain.records import (
    FROZEN_VERSION,
    OutstandingAssignment,
    SessionRecord,
)
from facilitator.store import prepared
from facilitator.store.database import clear_errors
from facilitator.store.models import (
    Addendum,
    Attendance,
    CheckIn,
    Group,
    GroupNote,
    HomeworkAssignment,
    HomeworkReview,
    MemberNote,
    PhaseLog,
    Session,
    Signature,
    SignedContent,
    database,
    utcnow,
)
from facilitator.store.seat_saves import Overtaken, hold_session, upsert
from facilitator.store.session_reads import load_session, pack_body
from facilitator.store.signing_keys import Signer, addendum_statement, seal_statement


def create_session(
    *,
    group_id: int,
    date: dt.date,
    scheduled_start: dt.time | None,
    scheduled_end: dt.time | None,
    mode: SessionMode,
    facilitator_id: int,
    co_facilitator_id: int | None,
    roster: Iterable[tuple[int, Location]],
) -> int:
    """A draft session with one unmarked attendance row per rostered member."""
    with clear_errors(), database.atomic():
        session = Session.create(
            group=group_id,
            date=date,
            scheduled_start=scheduled_start,
            scheduled_end=scheduled_end,
            mode=mode,
            facilitator=facilitator_id,
            co_facilitator=co_facilitator_id,
        )
        rows = [{"session": session.id, "member": m, "location": loc} for m, loc in roster]
        if rows:
            Attendance.insert_many(rows).execute()
        return int(session.id)


def _facts(session_id: int) -> Any:
    return (
        Session.select(Session.state, Session.group, Session.date, Group.track)
        .join(Group)
        .where(Session.id == session_id)
        .tuples()
    )


def _editing_facts(session_id: int) -> Any:
    return (
        Session.select(
            Session.state, Session.group, Session.date, Group.track, Session.facilitator,
            Session.co_facilitator,
        )
        .join(Group)
        .where(Session.id == session_id)
        .tuples()
    )  # fmt: skip


def editing_facts(
    session_id: int,
) -> tuple[SessionState, int, dt.date, Track, tuple[int, int | None]] | None:
    """What every edit of a session checks first, in one look-up (each one is a round trip to
    a server): state, group, date, track, and its facilitator and co-facilitator. None for a
    session that is not there, or (on a server) that this login cannot read."""
    row = prepared.first(_editing_facts, session_id)
    if row is None:
        return None
    return SessionState(row[0]), row[1], row[2], Track(row[3]), (row[4], row[5])


def session_facts(session_id: int) -> tuple[SessionState, int, dt.date, Track]:
    """State, group, date and track: what the rules need before any change."""
    row = prepared.first(_facts, session_id)
    if row is None:
        raise NotFound(f"no session with id {session_id}")
    return SessionState(row[0]), row[1], row[2], Track(row[3])


def _staff(session_id: int) -> Any:
    return (
        Session.select(Session.facilitator, Session.co_facilitator)
        .where(Session.id == session_id)
        .tuples()
    )


def session_staff(session_id: int) -> tuple[int, int | None]:
    """The session's facilitator and co-facilitator."""
    row = prepared.first(_staff, session_id)
    if row is None:
        raise NotFound(f"no session with id {session_id}")
    return row[0], row[1]


def open_session_for(group_id: int, date: dt.date) -> int | None:
    row = (
        Session.select(Session.id)
        .where(
            (Session.group == group_id)
            & (Session.date == date)
            & (Session.state == SessionState.DRAFT)
        )
        .tuples()
        .first()
    )
    return None if row is None else int(row[0])


def _status(session_id: int, member_id: int) -> Any:
    return (
        Attendance.select(Attendance.status)
        .where((Attendance.session == session_id) & (Attendance.member == member_id))
        .tuples()
    )


def attendance_status(session_id: int, member_id: int) -> tuple[bool, AttendanceStatus | None]:
    """Whether the member is on this session's roster, and their status if marked."""
    row = prepared.first(_status, session_id, member_id)
    if row is None:
        return False, None
    return True, None if row[0] is None else AttendanceStatus(row[0])


def roster_member_ids(session_id: int) -> set[int]:
    return {
        int(r[0])
        for r in Attendance.select(Attendance.member)
        .where(Attendance.session == session_id)
        .tuples()
    }


def add_to_roster(session_id: int, member_id: int, location: Location, late_joiner: bool) -> None:
    """On the roster (a second seat adding the same member at the same moment adds nothing)."""
    with clear_errors(), database.atomic():
        hold_session(session_id)
        Attendance.insert(
            session=session_id, member=member_id, location=location, late_joiner=late_joiner
        ).on_conflict_ignore().execute()


def update_attendance(
    session_id: int, member_id: int, fields: dict[str, Any], **check: Any
) -> Overtaken | None:
    return upsert(Attendance, session_id, member_id, fields, **check)


def save_check_in(
    session_id: int, member_id: int, fields: dict[str, Any], **check: Any
) -> Overtaken | None:
    return upsert(CheckIn, session_id, member_id, fields, **check)


def save_member_note(
    session_id: int, member_id: int, fields: dict[str, Any], author: int, **check: Any
) -> Overtaken | None:
    """The given fields of a member's note; ``author`` is kept only if the note is new (its
    author is who wrote it first: later edits by others are in the audit trail)."""
    fields = {**fields, "updated_at": utcnow()}
    return upsert(
        MemberNote, session_id, member_id, fields, by=author, first_only={"author": author}, **check
    )


def save_group_note(session_id: int, fields: dict[str, Any], **check: Any) -> Overtaken | None:
    return upsert(GroupNote, session_id, None, fields, **check)


def update_session(session_id: int, **fields: Any) -> None:
    with clear_errors():
        Session.update(**fields).where(Session.id == session_id).execute()


def mark_started(session_id: int, at: dt.datetime) -> None:
    """Record the actual start the first time a part begins."""
    with clear_errors():
        Session.update(actual_start=at).where(
            (Session.id == session_id) & Session.actual_start.is_null()
        ).execute()


def has_clinical_content(session_id: int, member_id: int) -> bool:
    """Whether the member has a check-in, note, homework or review here (absent members have none)."""
    return any(
        model.select().where((model.session == session_id) & (model.member == member_id)).exists()
        for model in (CheckIn, MemberNote, HomeworkAssignment, HomeworkReview)
    )


# ----------------------------------------------------------------------------- phases


def _running_part(session_id: int) -> Any:
    """The stretch of the part that has started and not ended (at most one)."""
    return (
        (PhaseLog.session == session_id)
        & PhaseLog.ended_at.is_null()
        & PhaseLog.started_at.is_null(False)
    )


def _open_phase(session_id: int) -> Any:
    return PhaseLog.select(PhaseLog.id, PhaseLog.phase).where(_running_part(session_id)).tuples()


def open_phase(session_id: int) -> tuple[int, Phase] | None:
    row = prepared.first(_open_phase, session_id)
    return None if row is None else (int(row[0]), Phase(row[1]))


def switch_phase(
    session_id: int, phase: Phase | None, planned_minutes: int, at: dt.datetime
) -> None:
    """End the running part (if any) and start ``phase`` (None ends the session's last part)."""
    with clear_errors(), database.atomic():
        hold_session(session_id)
        PhaseLog.update(ended_at=at).where(_running_part(session_id)).execute()
        if phase is not None:
            PhaseLog.create(
                session=session_id, phase=phase, planned_minutes=planned_minutes, started_at=at
            )
            Session.update(current_phase=phase).where(Session.id == session_id).execute()


# ----------------------------------------------------------------------------- homework


def add_assignment(
    session_id: int,
    member_id: int,
    item_id: int | None,
    title: str,
    instructions: str,
    due: dt.date | None,
) -> int:
    with clear_errors(), database.atomic():
        hold_session(session_id)
        row = HomeworkAssignment.create(
            session=session_id,
            member=member_id,
            item=item_id,
            title=title,
            instructions=instructions,
            due_date=due,
        )
        return int(row.id)


def remove_assignment(assignment_id: int) -> None:
    with clear_errors(), database.atomic():
        session_id = (
            HomeworkAssignment.select(HomeworkAssignment.session)
            .where(HomeworkAssignment.id == assignment_id)
            .scalar()
        )
        if session_id is not None:
            hold_session(session_id)
        HomeworkAssignment.delete().where(HomeworkAssignment.id == assignment_id).execute()


def assignment_facts(assignment_id: int) -> tuple[int, int, dt.date]:
    """The assignment's session, member and the date it was given."""
    row = (
        HomeworkAssignment.select(
            HomeworkAssignment.session, HomeworkAssignment.member, Session.date
        )
        .join(Session)
        .where(HomeworkAssignment.id == assignment_id)
        .tuples()
        .first()
    )
    if row is None:
        raise NotFound(f"no homework assignment with id {assignment_id}")
    return int(row[0]), int(row[1]), row[2]


def _outstanding(*params: Any) -> Any:
    """(*member ids, date): what outstanding_assignments reads."""
    member_ids, before = params[:-1], params[-1]
    return (
        HomeworkAssignment.select(
            HomeworkAssignment.id,
            HomeworkAssignment.member,
            HomeworkAssignment.title,
            HomeworkAssignment.instructions,
            Session.date,
            HomeworkAssignment.due_date,
        )
        .join(Session)
        .switch(HomeworkAssignment)
        .join(HomeworkReview, JOIN.LEFT_OUTER)
        .where(
            HomeworkAssignment.member.in_(member_ids)
            & (Session.date < before)
            & HomeworkReview.id.is_null()
        )
        .order_by(Session.date, HomeworkAssignment.id)
        .tuples()
    )


def outstanding_assignments(member_ids: list[int], before: dt.date) -> list[OutstandingAssignment]:
    """Assignments given to these members before ``before`` that no session has reviewed yet."""
    if not member_ids:
        return []
    return [OutstandingAssignment(*row) for row in prepared.rows(_outstanding, *member_ids, before)]


def save_review(
    assignment_id: int, session_id: int, member_id: int, fields: dict[str, Any], **check: Any
) -> Overtaken | None:
    """The given fields (status, comment) of an assignment's review at this session."""
    return upsert(
        HomeworkReview, session_id, None, fields, row={"assignment": assignment_id},
        first_only={"session": session_id, "member": member_id}, **check,
    )  # fmt: skip


def review_session(assignment_id: int) -> int | None:
    row = (
        HomeworkReview.select(HomeworkReview.session)
        .where(HomeworkReview.assignment == assignment_id)
        .tuples()
        .first()
    )
    return None if row is None else int(row[0])


# ----------------------------------------------------------------------------- signing


def sign(
    session_id: int,
    user_id: int,
    at: dt.datetime,
    freeze: Callable[[SessionRecord], bytes],
    signer: str,
    key: Signer,
) -> str:
    """End the session if still running, freeze its record, sign and lock it, all in one
    transaction; returns the frozen body's hash (what the signature covers).

    ``freeze`` turns the final record into its frozen body (facilitator.domain.frozen); it
    runs inside the transaction so nothing can change between reading and locking.
    """
    with clear_errors(), database.atomic():
        hold_session(session_id, signing=True)
        PhaseLog.update(ended_at=at).where(_running_part(session_id)).execute()
        Session.update(actual_end=at).where(
            (Session.id == session_id) & Session.actual_end.is_null()
        ).execute()
        body = freeze(load_session(session_id))
        digest = body_hash(body)
        SignedContent.create(session=session_id, body=pack_body(body), created_at=at)
        Signature.create(
            session=session_id,
            user=user_id,
            kind=SignatureKind.SIGN,
            signed_at=at,
            content_hash=digest,
            canonical_version=FROZEN_VERSION,
            signer_line=signer,
            key_id=key.key_id,
            signature=key.sign(seal_statement(session_id, SignatureKind.SIGN, user_id, at, digest)),
        )
        Session.update(state=SessionState.SIGNED).where(Session.id == session_id).execute()
        return digest


def add_signature(
    session_id: int,
    user_id: int,
    kind: SignatureKind,
    content_hash: str,
    version: int,
    at: dt.datetime,
    signer: str,
    key: Signer,
) -> None:
    with clear_errors():
        Signature.create(
            session=session_id,
            user=user_id,
            kind=kind,
            signed_at=at,
            content_hash=content_hash,
            canonical_version=version,
            signer_line=signer,
            key_id=key.key_id,
            signature=key.sign(seal_statement(session_id, kind, user_id, at, content_hash)),
        )


def add_addendum(
    session_id: int,
    author_id: int,
    at: dt.datetime,
    reason: str,
    text: str,
    digest: str,
    signer: str,
    key: Signer,
) -> int:
    with clear_errors():
        row = Addendum.create(
            session=session_id,
            author=author_id,
            signed_at=at,
            reason=reason,
            text=text,
            content_hash=digest,
            signer_line=signer,
            key_id=key.key_id,
            signature=key.sign(addendum_statement(session_id, author_id, at, digest)),
        )
        return int(row.id)


def freeze_earlier_signed() -> int:
    """Freeze the records of sessions signed before bodies were kept (migration 0006): each
    from its rows and names as they are now, and only if its seals still hold (a broken one
    stays as it is, for `check` to report). Returns how many were frozen."""
    from facilitator.domain import frozen
    from facilitator.domain.records import content_hash
    from facilitator.store import people
    from facilitator.store.session_reads import load_sessions

    waiting = [
        row[0]
        for row in Session.select(Session.id)
        .join(SignedContent, JOIN.LEFT_OUTER, on=(SignedContent.session == Session.id))
        .where((Session.state == SessionState.SIGNED) & SignedContent.id.is_null())
        .tuples()
    ]
    program, zone, done = people.program_name(), people.time_zone(), 0
    for start in range(0, len(waiting), 500):
        for record in load_sessions(waiting[start : start + 500], live=True).values():
            if not record.signatures or any(
                s.canonical_version != 1 or s.content_hash != content_hash(record, 1)
                for s in record.signatures
            ):
                continue
            staff = people.signer_lines(
                {record.facilitator_id, record.co_facilitator_id}
                | {s.user_id for s in record.signatures}
                | {a.author_id for a in record.addenda} - {None}
            )
            body = frozen.freeze(
                record,
                facilitator=staff.get(record.facilitator_id, ""),
                co_facilitator=staff.get(record.co_facilitator_id or 0),
                program=program,
                time_zone=zone,
                earlier_signers=staff,
            )
            with database.atomic():
                SignedContent.create(session=record.id, body=pack_body(body), created_at=utcnow())
            done += 1
    return done
