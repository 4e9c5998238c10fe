"""Running a session: each rule refuses the wrong change with a clear message."""

import datetime as dt

import pytest

from facilitator.domain.enums import AttendanceStatus, Location, Phase, Track, UseSinceLast
from facilitator.domain.errors import InvalidInput, RuleViolation, SessionLocked
from facilitator.services import homework, roster, sessions, signing
from tests.conftest import PASSWORD
from tests.factories import all_present, group, members, ready_to_sign, started


@pytest.fixture
def running(ws, today):
    group_id = group(ws)
    member_ids = members(ws, group_id, 3)
    return group_id, member_ids, started(ws, group_id, today)


def test_roster_is_the_members_enrolled_that_day(ws, today):
    group_id = group(ws)
    stays, leaves, joins_later = members(ws, group_id, 3)
    enrollments = roster.enroll(ws, joins_later, group(ws, "Other"), today)  # another group only
    assert enrollments.created_id
    from facilitator.store import people

    (leaving,) = people.enrollments_of_member(leaves)
    roster.discharge(ws, leaving.id, today - dt.timedelta(days=1), "Completed program")
    session_id = started(ws, group_id, today)
    on_roster = {a.member_id for a in sessions.load(session_id).attendance}
    assert on_roster == {stays, joins_later}
    assert all(a.status is None for a in sessions.load(session_id).attendance)


def test_starting_again_resumes_the_open_draft(ws, running, today):
    group_id, _members, session_id = running
    assert started(ws, group_id, today) == session_id


def test_member_not_enrolled_needs_to_be_added_as_late_joiner(ws, running):
    _group, _members, session_id = running
    walk_in = roster.create_member(
        ws, first_name="Ivo", last_name="Kettleby", record_number="T-WALKIN"
    ).created_id
    with pytest.raises(RuleViolation, match="late joiner"):
        sessions.record_attendance(ws, session_id, walk_in, AttendanceStatus.PRESENT)
    with pytest.raises(RuleViolation, match="late joiner"):
        sessions.record_check_in(ws, session_id, walk_in, mood=5)
    changes = sessions.add_late_joiner(ws, session_id, walk_in, location=Location.TELEHEALTH)
    assert changes.attendance == {walk_in}
    sessions.record_attendance(
        ws, session_id, walk_in, AttendanceStatus.LATE, arrival=dt.time(18, 40)
    )
    joined = sessions.load(session_id).attendance_of(walk_in)
    assert (
        joined.late_joiner
        and joined.location is Location.TELEHEALTH
        and joined.arrival == dt.time(18, 40)
    )
    with pytest.raises(RuleViolation, match="already in this session"):
        sessions.add_late_joiner(ws, session_id, walk_in)


def test_late_and_early_need_their_times(ws, running):
    _group, (a, b, _c), session_id = running
    with pytest.raises(InvalidInput, match="time they arrived"):
        sessions.record_attendance(ws, session_id, a, AttendanceStatus.LATE)
    with pytest.raises(InvalidInput, match="time they left"):
        sessions.record_attendance(ws, session_id, b, AttendanceStatus.LEFT_EARLY)
    with pytest.raises(InvalidInput, match="after the arrival"):
        sessions.record_attendance(
            ws,
            session_id,
            b,
            AttendanceStatus.LEFT_EARLY,
            arrival=dt.time(19, 0),
            departure=dt.time(18, 30),
        )
    sessions.record_attendance(
        ws, session_id, b, AttendanceStatus.LEFT_EARLY, departure=dt.time(20, 15)
    )
    assert sessions.load(session_id).attendance_of(b).departure == dt.time(20, 15)


def test_no_clinical_content_for_an_absent_member(ws, running):
    _group, (a, b, _c), session_id = running
    sessions.record_attendance(ws, session_id, a, AttendanceStatus.ABSENT)
    sessions.record_attendance(ws, session_id, b, AttendanceStatus.EXCUSED)
    for member_id in (a, b):
        with pytest.raises(RuleViolation, match="absent member"):
            sessions.record_check_in(ws, session_id, member_id, mood=5)
        with pytest.raises(RuleViolation, match="absent member"):
            sessions.write_member_note(ws, session_id, member_id, data="should not exist")
    record = sessions.load(session_id)
    assert record.check_ins == () and record.member_notes == ()


def test_marking_absent_after_a_check_in_is_refused_and_loses_nothing(ws, running):
    _group, (a, _b, _c), session_id = running
    sessions.record_check_in(ws, session_id, a, mood=4, current_issue="rough weekend")
    with pytest.raises(RuleViolation, match="Clear it"):
        sessions.record_attendance(ws, session_id, a, AttendanceStatus.ABSENT)
    record = sessions.load(session_id)
    assert record.attendance_of(a).status is AttendanceStatus.PRESENT
    assert record.check_ins[0].current_issue == "rough weekend"


def test_marking_absent_after_homework_is_refused(ws, running):
    _group, (a, _b, _c), session_id = running
    sessions.record_attendance(ws, session_id, a, AttendanceStatus.PRESENT)
    homework.assign_custom(ws, session_id, a, title="Call a support", instructions="Call once.")
    with pytest.raises(RuleViolation, match="homework"):
        sessions.record_attendance(ws, session_id, a, AttendanceStatus.EXCUSED)
    assert sessions.load(session_id).attendance_of(a).status is AttendanceStatus.PRESENT


def test_check_in_marks_an_unmarked_member_present(ws, running):
    _group, (a, _b, _c), session_id = running
    changes = sessions.record_check_in(
        ws, session_id, a, mood=7, craving=1, use_since_last=UseSinceLast.NO
    )
    assert changes.attendance == {a} and changes.check_ins == {a}
    assert sessions.load(session_id).attendance_of(a).status is AttendanceStatus.PRESENT


@pytest.mark.parametrize(
    "field,value", [("mood", 11), ("mood", -1), ("craving", 11), ("craving", -3)]
)
def test_ratings_outside_zero_to_ten_are_rejected(ws, running, field, value):
    _group, (a, _b, _c), session_id = running
    with pytest.raises(InvalidInput, match="0 to 10"):
        sessions.record_check_in(ws, session_id, a, **{field: value})
    assert sessions.load(session_id).check_ins == ()


def test_craving_is_not_asked_in_mental_health_groups(ws, today):
    group_id = group(ws, "Mood Skills", track=Track.MENTAL_HEALTH)
    (a,) = members(ws, group_id, 1)
    session_id = started(ws, group_id, today)
    with pytest.raises(InvalidInput, match="mental-health"):
        sessions.record_check_in(ws, session_id, a, mood=5, craving=3)
    sessions.record_check_in(ws, session_id, a, mood=5)


def test_parts_record_their_times_and_going_back_adds_a_stretch(ws, running):
    _group, _members, session_id = running
    t0 = dt.datetime(2026, 3, 2, 23, 0)
    sessions.advance_phase(ws, session_id, at=t0)
    sessions.advance_phase(ws, session_id, at=t0 + dt.timedelta(minutes=62))
    sessions.advance_phase(ws, session_id, Phase.CHECK_IN, at=t0 + dt.timedelta(minutes=70))
    sessions.advance_phase(ws, session_id, Phase.SUMMARY, at=t0 + dt.timedelta(minutes=75))
    record = sessions.load(session_id)
    assert [p.phase for p in record.phases] == [
        Phase.CHECK_IN,
        Phase.SKILL_WORK,
        Phase.CHECK_IN,
        Phase.SUMMARY,
    ]
    assert record.phases[0].ended_at == t0 + dt.timedelta(minutes=62)
    assert record.phases[0].planned_minutes == 60
    assert record.actual_start == t0
    assert record.current_phase is Phase.SUMMARY
    with pytest.raises(RuleViolation, match="last part"):
        sessions.advance_phase(ws, session_id)


def test_a_goal_of_another_member_cannot_be_linked(ws, running):
    _group, (a, b, _c), session_id = running
    goal_of_b = roster.add_goal(ws, b, "Attend three groups a week").created_id
    all_present(ws, session_id, [a, b])
    with pytest.raises(RuleViolation, match="another member"):
        sessions.write_member_note(ws, session_id, a, data="x", goal_id=goal_of_b)
    sessions.write_member_note(ws, session_id, b, data="x", goal_id=goal_of_b)
    assert sessions.load(session_id).member_notes[0].goal_text == "Attend three groups a week"


def test_nothing_in_a_signed_session_can_be_edited(ws, running):
    _group, member_ids, session_id = running
    ready_to_sign(ws, session_id, member_ids)
    signing.sign_session(ws, session_id, PASSWORD)
    before = sessions.load(session_id)
    a = member_ids[0]
    edits = [
        lambda: sessions.record_attendance(ws, session_id, a, AttendanceStatus.ABSENT),
        lambda: sessions.record_check_in(ws, session_id, a, mood=1),
        lambda: sessions.write_member_note(ws, session_id, a, data="rewritten"),
        lambda: sessions.write_group_note(ws, session_id, topic="rewritten"),
        lambda: sessions.advance_phase(ws, session_id, Phase.CHECK_IN),
        lambda: sessions.end_session(ws, session_id),
        lambda: sessions.add_late_joiner(ws, session_id, a),
    ]
    for edit in edits:
        with pytest.raises(SessionLocked):
            edit()
    assert sessions.load(session_id) == before


def test_notes_change_only_the_parts_given(ws, running):
    _group, (a, _b, _c), session_id = running
    sessions.write_group_note(ws, session_id, topic="Urge surfing", narrative="Practised in pairs.")
    sessions.write_group_note(ws, session_id, summary="Urges pass.")
    note = sessions.load(session_id).group_note
    assert (note.topic, note.narrative, note.summary) == (
        "Urge surfing",
        "Practised in pairs.",
        "Urges pass.",
    )
    sessions.record_attendance(ws, session_id, a, AttendanceStatus.PRESENT)
    sessions.write_member_note(ws, session_id, a, data="Shared a win.")
    sessions.write_member_note(ws, session_id, a, participation="active")
    (member_note,) = sessions.load(session_id).member_notes
    assert (member_note.data, member_note.participation) == ("Shared a win.", "active")


def test_the_app_remembers_where_the_user_was(ws, running):
    from facilitator.services import home

    _group, _members, session_id = running
    assert home.last_place(ws) is None
    home.remember_place(ws, session_id, "skill_work")
    assert home.last_place(ws) == (session_id, "skill_work", None)
