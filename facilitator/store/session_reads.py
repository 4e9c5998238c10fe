"""Reading one session, or many, or the part of one a change touched, as records.

A whole session is read with one query per table (for one session or thousands); the queries of
one session have their SQL rendered once (store.prepared). A change to some members re-reads
only their rows (load_member_slices), a change to the part times only the newest of them.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from facilitator.domain.enums import (
    Phase,
    SessionMode,
    SessionState,
    SignatureKind,
    Track,
)
from facilitator.domain.errors import NotFound
from facilitator.domain.frozen import thaw
from facilitator.domain.records import (
    AddendumRecord,
    AssignmentRecord,
    AttendanceRecord,
    CheckInRecord,
    GroupNoteRecord,
    MemberNoteRecord,
    MemberSlice,
    PhaseRecord,
    ReviewRecord,
    SessionRecord,
    SignatureRecord,
    attendance_order,
    signer_line,
)
from facilitator.store import prepared
from facilitator.store.models import (
    Attendance,
    CheckIn,
    HomeworkAssignment,
    HomeworkReview,
    MemberNote,
    Session,
    database,
)
from facilitator.store.session_rows import (
    addendum_rows,
    as_time,
    assignment_rows,
    attendance_record,
    attendance_rows,
    body_rows,
    check_in_record,
    check_in_rows,
    group_note_rows,
    head_rows,
    note_record,
    note_rows,
    phase_rows,
    review_record,
    review_rows,
    signature_rows,
)


def load_session(session_id: int) -> SessionRecord:
    """Everything recorded in one session."""
    found = load_sessions([session_id])
    if session_id not in found:
        raise NotFound(f"no session with id {session_id}")
    return found[session_id]


def load_sessions(
    session_ids: list[int], *, for_report: bool = False, live: bool = False
) -> dict[int, SessionRecord]:
    """Whole sessions by id, with one query per table (for one session or thousands).

    A signed session is read as it was signed (its frozen body: names, goal texts and
    facilitators as they were then), unless ``live`` asks for what its rows and the other
    tables hold now (the check compares the two). ``for_report`` leaves out what the lead's
    summary never reads (individual notes, part times, homework given, addenda) and reads
    every session live: a summary names groups and people as they are now.
    """
    found: dict[int, SessionRecord] = {}
    for start in range(0, len(session_ids), CHUNK):
        found.update(_load_chunk(session_ids[start : start + CHUNK], for_report, live))
    return found


CHUNK = 500


RowQuery = Callable[[list[int]], Any]  # ids -> a peewee query of tuples

# Each query of whole sessions, as a query of one session's id (for store.prepared).
_ONE_SESSION: dict[RowQuery, Callable[[int], Any]] = {}


def _rows_of(query: RowQuery, ids: list[int]) -> list[tuple[Any, ...]]:
    return list(query(ids))


def _one_session_rows(query: RowQuery, ids: list[int]) -> list[tuple[Any, ...]]:
    """The rows of one session: the query's SQL rendered once (see store.prepared)."""
    return prepared.rows(_ONE_SESSION[query], ids[0])


def _grouped(rows: Iterable[tuple[Any, ...]]) -> dict[int, list[tuple[Any, ...]]]:
    """Rows keyed by their first column (the session id), that column dropped."""
    by_session: dict[int, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_session.setdefault(row[0], []).append(row[1:])
    return by_session


def _of_one(query: RowQuery) -> None:
    _ONE_SESSION[query] = lambda session_id: query([session_id])


def _load_chunk(
    ids: list[int], for_report: bool = False, live: bool = False
) -> dict[int, SessionRecord]:
    read = _one_session_rows if len(ids) == 1 else _rows_of
    with database.atomic():  # one consistent snapshot of all the tables
        heads = read(head_rows, ids)
        if not heads:
            return {}
        attendance = _grouped(read(attendance_rows, ids))
        check_ins = _grouped(read(check_in_rows, ids))
        skipped: dict[int, list[tuple[Any, ...]]] = {}
        notes = skipped if for_report else _grouped(read(note_rows, ids))
        group_notes = _grouped(read(group_note_rows, ids))
        phases = skipped if for_report else _grouped(read(phase_rows, ids))
        assignments = skipped if for_report else _grouped(read(assignment_rows, ids))
        reviews = _grouped(read(review_rows, ids))
        # Signatures, addenda and frozen bodies belong to signed sessions only: a draft (the
        # session being run) does without the three queries.
        unsigned = all(h[13] != SessionState.SIGNED for h in heads)
        signatures = skipped if unsigned else _grouped(read(signature_rows, ids))
        addenda = skipped if for_report or unsigned else _grouped(read(addendum_rows, ids))
        bodies = skipped if for_report or live or unsigned else _grouped(read(body_rows, ids))
    records = {}
    for h in heads:
        sid = h[0]
        group_note = group_notes.get(sid)
        records[sid] = SessionRecord(
            id=sid,
            group_id=h[1],
            group_name=h[2],
            track=Track(h[3]),
            group_type=h[4],
            date=h[5],
            scheduled_start=as_time(h[6]),
            scheduled_end=as_time(h[7]),
            actual_start=h[8],
            actual_end=h[9],
            mode=SessionMode(h[10]),
            facilitator_id=h[11],
            co_facilitator_id=h[12],
            state=SessionState(h[13]),
            current_phase=Phase(h[14]),
            attendance=tuple(
                sorted(
                    (attendance_record(r) for r in attendance.get(sid, ())),
                    key=attendance_order,
                )
            ),
            check_ins=tuple(check_in_record(r) for r in check_ins.get(sid, ())),
            member_notes=tuple(note_record(r) for r in notes.get(sid, ())),
            group_note=GroupNoteRecord(*group_note[0]) if group_note else None,
            phases=tuple(PhaseRecord(Phase(r[0]), r[1], r[2], r[3]) for r in phases.get(sid, ())),
            assignments=tuple(AssignmentRecord(*r) for r in assignments.get(sid, ())),
            reviews=tuple(review_record(r) for r in reviews.get(sid, ())),
            signatures=tuple(
                SignatureRecord(
                    r[0],
                    r[7] or signer_line(r[1], r[2]),
                    SignatureKind(r[3]),
                    r[4],
                    r[5],
                    r[6],
                    legacy_signer=r[7] is None,
                )
                for r in signatures.get(sid, ())
            ),
            addenda=tuple(
                AddendumRecord(
                    r[0],
                    r[1],
                    r[8] or signer_line(r[2], r[3]),
                    r[4],
                    r[5],
                    r[6],
                    r[7],
                    legacy_signer=r[8] is None,
                    sealed_author_id=r[9],
                )
                for r in addenda.get(sid, ())
            ),
        )
        if sid in bodies:  # signed: as it was signed
            records[sid] = thaw(unpack_body(bodies[sid][0][0]), records[sid], bodies[sid][0][1])
    return records


def signed_bodies(session_ids: list[int]) -> dict[int, bytes]:
    """The frozen bodies of these sessions (those that have one), unpacked, by session id."""
    rows = body_rows(session_ids)
    return {row[0]: unpack_body(row[1]) for row in rows}


def pack_body(body: bytes) -> bytes:
    """A frozen body as stored: compressed (JSON of a full group shrinks about sevenfold)."""
    return zlib.compress(body, 6)


def unpack_body(stored: Any) -> bytes:
    return zlib.decompress(bytes(stored))  # bytes on SQLite, a memoryview on PostgreSQL


# ----------------------------------------------------------------------------- reading a part of one


def load_member_slices(session_id: int, member_ids: Iterable[int]) -> dict[int, MemberSlice]:
    """Each named member's rows of one session (attendance, check-in, note, homework given
    and reviewed), read in one snapshot: what a screen needs after a change to those members."""
    ids = sorted(set(member_ids))
    found = {m: MemberSlice(m, None, None, None, (), ()) for m in ids}
    if not ids:
        return found
    with database.atomic():
        keys = (session_id, *ids)
        attendance = {
            r[1]: attendance_record(r[1:]) for r in prepared.rows(_slice_attendance, *keys)
        }
        check_ins = {r[1]: check_in_record(r[1:]) for r in prepared.rows(_slice_check_ins, *keys)}
        notes = {r[1]: note_record(r[1:]) for r in prepared.rows(_slice_notes, *keys)}
        assignments: dict[int, list[AssignmentRecord]] = {}
        for r in prepared.rows(_slice_assignments, *keys):
            assignments.setdefault(r[2], []).append(AssignmentRecord(*r[1:]))
        reviews: dict[int, list[ReviewRecord]] = {}
        for r in prepared.rows(_slice_reviews, *keys):
            reviews.setdefault(r[2], []).append(review_record(r[1:]))
    return {
        m: MemberSlice(
            m,
            attendance.get(m),
            check_ins.get(m),
            notes.get(m),
            tuple(assignments.get(m, ())),
            tuple(reviews.get(m, ())),
        )
        for m in ids
    }


def load_session_head(record: SessionRecord) -> SessionRecord:
    """The record with its session row (times, state, part) and part times read again.

    Part times only grow: a move ends the running stretch and adds one. So the stretches the
    record already holds ended stay, and only the last one and any after it are read."""
    row = (
        Session.select(
            Session.actual_start, Session.actual_end, Session.state, Session.current_phase
        )
        .where(Session.id == record.id)
        .tuples()
        .first()
    )
    if row is None:
        raise NotFound(f"no session with id {record.id}")
    kept = max(len(record.phases) - 1, 0)
    return replace(
        record,
        actual_start=row[0],
        actual_end=row[1],
        state=SessionState(row[2]),
        current_phase=Phase(row[3]),
        phases=record.phases[:kept] + load_phases(record.id, start=kept),
    )


def _end(session_id: int) -> Any:
    return (
        Session.select(Session.actual_end, Session.scheduled_end)
        .where(Session.id == session_id)
        .tuples()
    )


def session_end(session_id: int) -> tuple[dt.datetime | None, dt.time | None]:
    """When the session actually ended (UTC), and when it is scheduled to end (clinic clock)."""
    row = prepared.first(_end, session_id)
    if row is None:
        raise NotFound(f"no session with id {session_id}")
    return row[0], as_time(row[1])


def _members_rows(table: Any, rows: Callable[[list[int]], Any]) -> Callable[..., Any]:
    """A query of some members' rows of one session: (session id, *member ids)."""

    def query(session_id: int, *member_ids: int) -> Any:
        return rows([session_id]).where(table.member.in_(member_ids))

    return query


_slice_attendance = _members_rows(Attendance, lambda ids: attendance_rows(ids))
_slice_check_ins = _members_rows(CheckIn, lambda ids: check_in_rows(ids))
_slice_notes = _members_rows(MemberNote, lambda ids: note_rows(ids))
_slice_assignments = _members_rows(HomeworkAssignment, lambda ids: assignment_rows(ids))
_slice_reviews = _members_rows(HomeworkReview, lambda ids: review_rows(ids))


def _group_note_of(session_id: int) -> Any:
    return group_note_rows([session_id])


def load_member_note(session_id: int, member_id: int) -> MemberNoteRecord | None:
    row = prepared.first(_slice_notes, session_id, member_id)
    return None if row is None else note_record(row[1:])


def load_check_in(session_id: int, member_id: int) -> CheckInRecord | None:
    row = prepared.first(_slice_check_ins, session_id, member_id)
    return None if row is None else check_in_record(row[1:])


def load_attendance(session_id: int, member_id: int) -> AttendanceRecord | None:
    row = prepared.first(_slice_attendance, session_id, member_id)
    return None if row is None else attendance_record(row[1:])


def load_group_note(session_id: int) -> GroupNoteRecord | None:
    row = prepared.first(_group_note_of, session_id)
    return None if row is None else GroupNoteRecord(*row[1:])


def load_phases(session_id: int, start: int = 0) -> tuple[PhaseRecord, ...]:
    """The session's part times in order, from the ``start``-th stretch on."""
    rows = phase_rows([session_id])
    if start:
        rows = rows.offset(start)
    return tuple(PhaseRecord(Phase(r[1]), r[2], r[3], r[4]) for r in rows)


for _query in (
    head_rows,
    body_rows,
    attendance_rows,
    check_in_rows,
    note_rows,
    group_note_rows,
    phase_rows,
    assignment_rows,
    review_rows,
    signature_rows,
    addendum_rows,
):
    _of_one(_query)
