"""Edits as the session screen makes them: one field at a time, each one audited once, and
each naming exactly what changed so the screen re-reads only that."""

import datetime as dt
import re

import pytest

from facilitator.domain.audit import RecordKind
from facilitator.domain.enums import AttendanceStatus, Location, ReviewStatus, UseSinceLast
from facilitator.domain.errors import InvalidInput, RuleViolation
from facilitator.services import accounts, audit, homework, roster, sessions
from tests.conftest import new_workspace
from tests.factories import group, members, started
from tests.services.test_homework import ITEM


@pytest.fixture
def running(ws, today):
    group_id = group(ws)
    member_ids = members(ws, group_id, 3)
    return group_id, member_ids, started(ws, group_id, today)


def _trail(ws, kind: RecordKind) -> list:
    return [e for e in audit.entries(ws) if e.facts.record_kind is kind]


def test_a_check_in_cell_changes_only_its_own_field(ws, running):
    _group, (a, _b, _c), session_id = running
    sessions.record_check_in(ws, session_id, a, mood=4, craving=6, current_issue="hard week")
    sessions.record_check_in(ws, session_id, a, mood=5)
    sessions.record_check_in(ws, session_id, a, use_since_last=UseSinceLast.YES, use_detail="beer")
    check_in = sessions.load(session_id).check_ins[0]
    assert (check_in.mood, check_in.craving, check_in.current_issue) == (5, 6, "hard week")
    assert check_in.use_since_last is UseSinceLast.YES and check_in.use_detail == "beer"
    # The entry names the fields the call carried.
    assert _trail(ws, RecordKind.CHECK_IN)[0].facts.detail == "use_since_last,use_detail"


def test_free_text_has_a_stated_limit_and_a_refusal_saves_nothing(ws, running):
    """Finding: notes had no limit (a 20,000-line note froze the preview). A note takes
    NOTE_LIMIT characters, a check-in text CHECK_IN_TEXT_LIMIT, a topic TOPIC_LIMIT."""
    from facilitator.domain.rules import CHECK_IN_TEXT_LIMIT, NOTE_LIMIT, TOPIC_LIMIT

    _group, (a, _b, _c), session_id = running
    sessions.record_attendance(ws, session_id, a, status=AttendanceStatus.PRESENT)
    full = "n" * NOTE_LIMIT
    sessions.write_member_note(ws, session_id, a, data=full, plan="  keep going  ")
    sessions.write_group_note(ws, session_id, narrative=full, topic="t" * TOPIC_LIMIT)
    sessions.record_check_in(ws, session_id, a, current_issue="c" * CHECK_IN_TEXT_LIMIT)
    before = sessions.load(session_id)
    refused = [
        lambda: sessions.write_member_note(ws, session_id, a, assessment=full + "!"),
        lambda: sessions.write_group_note(ws, session_id, summary=full + "!"),
        lambda: sessions.write_group_note(ws, session_id, topic="t" * (TOPIC_LIMIT + 1)),
        lambda: sessions.record_check_in(
            ws, session_id, a, homework_review="h" * (CHECK_IN_TEXT_LIMIT + 1)
        ),
    ]
    for attempt in refused:
        with pytest.raises(InvalidInput, match="characters long; the most it can hold is"):
            attempt()
    assert sessions.load(session_id) == before
    assert before.member_notes[0].data == full and before.member_notes[0].plan == "keep going"


def test_marking_late_stamps_now_and_keeps_the_rest(ws):
    # Today's session of a group that has no set time: nothing ends it before the clock does.
    group_id = group(ws, "All Day", start_time=None)
    (a,) = members(ws, group_id, 1)
    session_id = started(ws, group_id, dt.date.today())
    sessions.record_attendance(ws, session_id, a, status=AttendanceStatus.PRESENT)
    sessions.record_attendance(ws, session_id, a, location=Location.TELEHEALTH)
    sessions.record_attendance(ws, session_id, a, status=AttendanceStatus.LATE)
    row = sessions.load(session_id).attendance_of(a)
    assert row.status is AttendanceStatus.LATE and row.location is Location.TELEHEALTH
    assert row.arrival is not None
    sessions.record_attendance(ws, session_id, a, arrival=dt.time(0, 5))
    assert sessions.load(session_id).attendance_of(a).arrival == dt.time(0, 5)


def test_an_arrival_after_the_end_or_a_departure_before_the_arrival_is_refused(ws, running):
    _group, (a, _b, _c), session_id = running  # 18:00 to 21:00
    sessions.record_attendance(ws, session_id, a, status=AttendanceStatus.PRESENT)
    with pytest.raises(InvalidInput, match="not before the session's end at 21:00"):
        sessions.record_attendance(ws, session_id, a, arrival=dt.time(21, 30))
    sessions.record_attendance(ws, session_id, a, arrival=dt.time(18, 40))
    with pytest.raises(InvalidInput, match="must be after the arrival at 18:40"):
        sessions.record_attendance(ws, session_id, a, departure=dt.time(18, 10))
    with pytest.raises(InvalidInput, match="not before the session's end"):
        sessions.record_attendance(ws, session_id, a, AttendanceStatus.LATE, arrival=dt.time(22, 0))
    row = sessions.load(session_id).attendance_of(a)
    assert row.arrival == dt.time(18, 40) and row.departure is None


def test_marking_late_after_the_session_ended_asks_for_the_time(ws, today):
    group_id = group(ws, "Dawn", start_time=dt.time(0, 0), length_minutes=30)
    (a,) = members(ws, group_id, 1)
    session_id = started(ws, group_id, today)
    sessions.end_session(ws, session_id, at=dt.datetime(2000, 1, 1, 0, 1))
    with pytest.raises(InvalidInput, match="needs the time they arrived"):
        sessions.record_attendance(ws, session_id, a, status=AttendanceStatus.LATE)


def test_a_review_and_its_check_in_line_are_one_audited_change(ws, today):
    group_id = group(ws, meeting_weekdays=(0, 1, 2, 3, 4, 5, 6))
    a, b = members(ws, group_id, 2)
    item = people_item()
    first = started(ws, group_id, today - dt.timedelta(days=1))
    sessions.record_attendance(ws, first, a, AttendanceStatus.PRESENT)
    homework.assign_homework(ws, first, item, members=[a])
    homework.assign_custom(ws, first, a, title="Call a support", instructions="Once a day.")
    second = started(ws, group_id, today)
    sessions.record_attendance(ws, second, a, AttendanceStatus.PRESENT)
    given = [o.id for o in homework.outstanding_for_session(second)[a]]
    before = len(audit.entries(ws))

    changes = homework.review_at_check_in(
        ws,
        second,
        a,
        {given[0]: (ReviewStatus.DONE, "twice"), given[1]: (ReviewStatus.PARTLY, None)},
    )
    assert changes.reviews == {a} and changes.check_ins == {a} and changes.audit
    entries = audit.entries(ws)
    assert len(entries) == before + 1
    assert entries[0].facts.record_kind is RecordKind.HOMEWORK_REVIEW
    line = sessions.load(second).check_ins[0].homework_review
    assert line == "Urge Log (test item): done (twice); Call a support: partly"
    # The quick mark from the grid keeps the comments written in the panel.
    homework.review_at_check_in(ws, second, a, dict.fromkeys(given, (ReviewStatus.NOT_DONE, None)))
    line = sessions.load(second).check_ins[0].homework_review
    assert line == "Urge Log (test item): not done (twice); Call a support: not done"
    with pytest.raises(RuleViolation, match="another member"):
        homework.review_at_check_in(ws, second, b, {given[0]: (ReviewStatus.DONE, "")})


def people_item() -> int:
    from facilitator.store import library

    return library.add_item(**ITEM)


def test_typing_in_one_field_is_one_audit_entry_per_span(ws, running):
    _group, (a, _b, _c), session_id = running
    sessions.record_attendance(ws, session_id, a, AttendanceStatus.PRESENT)
    before = len(_trail(ws, RecordKind.MEMBER_NOTE))
    for text in ("Sh", "Shared a pl", "Shared a plan."):
        changes = sessions.write_member_note(ws, session_id, a, data=text, span=101)
    assert not changes.audit  # the span's later saves write no entry
    sessions.write_member_note(ws, session_id, a, plan="Continue.", span=102)
    entries = _trail(ws, RecordKind.MEMBER_NOTE)
    assert len(entries) == before + 2
    assert [e.facts.detail for e in entries[:2]] == ["plan", "data"]
    assert all(e.facts.username == "ada" and e.facts.member_id == a for e in entries[:2])
    assert sessions.load(session_id).member_notes[0].data == "Shared a plan."
    # A span whose first save was refused gets its entry from the first one that is kept.
    sessions.record_attendance(ws, session_id, a, AttendanceStatus.PRESENT)
    with pytest.raises(RuleViolation):
        sessions.write_member_note(ws, session_id, 999, data="x", span=103)
    sessions.write_group_note(ws, session_id, narrative="Practised.", span=103)
    assert _trail(ws, RecordKind.GROUP_NOTE)[0].facts.outcome == "ok"


def test_saving_one_member_note_reads_only_that_note(sqlite_location, today):
    # SQLite's statement trace shows every read; the queries are the same on PostgreSQL.
    ws = new_workspace(sqlite_location)
    group_id = group(ws)
    a, b = members(ws, group_id, 2)
    session_id = started(ws, group_id, today)
    for member_id in (a, b):
        sessions.record_check_in(ws, session_id, member_id, mood=5)
        sessions.write_member_note(ws, session_id, member_id, data="First.")
    statements: list[str] = []
    connection = ws.store.db.connection()
    connection.set_trace_callback(statements.append)
    try:
        sessions.write_member_note(ws, session_id, a, data="Second.", span=7)
    finally:
        connection.set_trace_callback(None)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert not any('FROM "check_in"' in s or 'FROM "homework_' in s for s in reads), reads
    note_reads = [s for s in reads if 'FROM "member_note"' in s]
    only_a = re.compile(rf'"member_id" (= |IN \(){a}\b')
    # (A save writes only the parts given, so it need not read the note at all.)
    assert all(only_a.search(s) for s in note_reads), note_reads
    ws.close()


def test_late_joiner_choices_are_the_members_enrolled_since_the_start(ws, running, today):
    group_id, _members, session_id = running
    newcomer = roster.create_member(
        ws, first_name="Ivo", last_name="Kettleby", record_number="T-NEW"
    ).created_id
    assert sessions.late_joiner_choices(session_id) == []
    roster.enroll(ws, newcomer, group_id, today)
    assert [m.id for m in sessions.late_joiner_choices(session_id)] == [newcomer]
    assert sessions.find_late_joiner(session_id, "kettle").id == newcomer
    with pytest.raises(RuleViolation, match="no member outside this session"):
        sessions.find_late_joiner(session_id, "Quillfeather")  # already on the roster
    sessions.add_late_joiner(ws, session_id, newcomer)
    assert sessions.late_joiner_choices(session_id) == []


def test_a_draft_is_added_after_what_was_written(ws, running):
    _group, (a, _b, _c), session_id = running
    sessions.record_check_in(ws, session_id, a, mood=6, current_issue="sleep")
    sessions.write_member_note(ws, session_id, a, data="My own words.")
    sessions.draft_member_note(ws, session_id, a)
    note = sessions.load(session_id).member_notes[0]
    assert note.data.startswith("My own words.\nAttended") and "mood 6/10" in note.data


def test_the_clinic_clock_stamps_a_late_arrival(ws, today):
    accounts.set_time_zone(ws, "Etc/GMT-14")  # fourteen hours ahead of UTC
    group_id = group(ws, "Any Time", start_time=None)
    (a,) = members(ws, group_id, 1)
    clinic_today = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=14)).date()
    session_id = started(ws, group_id, clinic_today)
    sessions.record_attendance(ws, session_id, a, status=AttendanceStatus.LATE)
    arrival = sessions.load(session_id).attendance_of(a).arrival
    now = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=14)).time()
    minutes = (now.hour * 60 + now.minute) - (arrival.hour * 60 + arrival.minute)
    assert minutes % (24 * 60) <= 1
    # On any other day than the session's, nothing is stamped: the time must be typed.
    other = started(ws, group_id, today)
    with pytest.raises(InvalidInput, match="needs the time they arrived"):
        sessions.record_attendance(ws, other, a, status=AttendanceStatus.LATE)
