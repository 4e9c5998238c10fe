"""Homework given in one session is listed and reviewed at the member's next session."""

import datetime as dt

import pytest

from facilitator.domain.enums import AttendanceStatus, ReviewStatus
from facilitator.domain.errors import RuleViolation
from facilitator.services import homework, sessions
from facilitator.store import library
from tests.factories import group, members, started

ITEM = {
    "slug": "test-urge-log",
    "category": "relapse_prevention",
    "module": "cravings",
    "title": "Urge Log (test item)",
    "tracks": ("substance_use",),
    "purpose": "Notice urges.",
    "steps": ("Explain", "Practise"),
    "prompts": ("When?", "What helped?"),
    "take_home": "Write down each urge this week and what you did.",
    "worksheet_fields": ({"label": "Urge", "kind": "scale"},),
    "minutes": 40,
}


@pytest.fixture
def item_id(ws):
    return library.add_item(**ITEM)


@pytest.fixture
def first_session(ws, today):
    group_id = group(ws)
    a, b, c = members(ws, group_id, 3)
    session_id = started(ws, group_id, today)
    sessions.record_attendance(ws, session_id, a, AttendanceStatus.PRESENT)
    sessions.record_attendance(ws, session_id, b, AttendanceStatus.LATE, arrival=dt.time(18, 25))
    sessions.record_attendance(ws, session_id, c, AttendanceStatus.ABSENT)
    return group_id, (a, b, c), session_id


def test_assigned_to_present_members_with_a_snapshot_and_due_next_meeting(
    ws, item_id, first_session, today
):
    _group, (a, b, _c), session_id = first_session
    changes = homework.assign_homework(
        ws, session_id, item_id, instructions={b: "Log two urges only."}
    )
    assert changes.homework == {a, b}
    given = {x.member_id: x for x in sessions.load(session_id).assignments}
    assert set(given) == {a, b}
    assert given[a].instructions == ITEM["take_home"]
    assert given[b].instructions == "Log two urges only."
    assert given[a].due_date == dt.date(2026, 3, 4)  # the group meets Mon/Wed/Fri
    # Editing the library later never changes what was given.
    ws.store.db.execute_sql(f"UPDATE homework_item SET take_home = 'changed' WHERE id = {item_id}")
    assert sessions.load(session_id).assignments == tuple(given[m] for m in sorted(given))


def test_no_homework_for_an_absent_member(ws, item_id, first_session):
    _group, (_a, _b, c), session_id = first_session
    with pytest.raises(RuleViolation, match="absent member"):
        homework.assign_homework(ws, session_id, item_id, members=[c])


def test_reviewed_at_the_next_session_then_no_longer_outstanding(ws, item_id, first_session, today):
    group_id, (a, b, c), first = first_session
    homework.assign_homework(ws, first, item_id)
    with pytest.raises(RuleViolation, match="later session"):
        homework.review_at_check_in(
            ws, first, a, {sessions.load(first).assignments[0].id: (ReviewStatus.DONE, "")}
        )

    second = started(ws, group_id, today + dt.timedelta(days=2))
    outstanding = homework.outstanding_for_session(second)
    assert [x.title for x in outstanding[a]] == ["Urge Log (test item)"]
    assert outstanding[b][0].instructions == ITEM["take_home"]
    assert outstanding[c] == []
    assert outstanding[a][0].assigned_on == today

    sessions.record_attendance(ws, second, a, AttendanceStatus.PRESENT)
    sessions.record_attendance(ws, second, b, AttendanceStatus.ABSENT)
    homework.review_at_check_in(
        ws, second, a, {outstanding[a][0].id: (ReviewStatus.PARTLY, "did three days")}
    )
    with pytest.raises(RuleViolation, match="absent member"):
        homework.review_at_check_in(ws, second, b, {outstanding[b][0].id: (ReviewStatus.DONE, "")})

    record = sessions.load(second)
    assert [(r.member_id, r.status, r.comment) for r in record.reviews] == [
        (a, "partly", "did three days")
    ]
    after = homework.outstanding_for_session(second)
    assert after[a] == [] and len(after[b]) == 1  # b's stays open for the session they attend

    third = started(ws, group_id, today + dt.timedelta(days=4))
    sessions.record_attendance(ws, third, a, AttendanceStatus.PRESENT)
    with pytest.raises(RuleViolation, match="already reviewed"):
        homework.review_at_check_in(ws, third, a, {outstanding[a][0].id: (ReviewStatus.DONE, "")})


def test_custom_assignment_and_removal_while_draft(ws, first_session):
    _group, (a, _b, _c), session_id = first_session
    homework.assign_custom(
        ws, session_id, a, title="Call your sponsor", instructions="Call twice before Friday."
    )
    (given,) = sessions.load(session_id).assignments
    assert given.item_id is None and given.title == "Call your sponsor"
    homework.remove_assignment(ws, given.id)
    assert sessions.load(session_id).assignments == ()
