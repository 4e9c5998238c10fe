import dataclasses
import datetime as dt

from facilitator.domain.checklist import missing_before_signing
from facilitator.domain.enums import (
    AttendanceStatus,
    Location,
    Participation,
    Phase,
    SessionMode,
    SessionState,
    Track,
    UseSinceLast,
)
from facilitator.domain.records import (
    AttendanceRecord,
    CheckInRecord,
    GroupNoteRecord,
    MemberNoteRecord,
    SessionRecord,
)


def _complete():
    return SessionRecord(
        id=1,
        group_id=1,
        group_name="A",
        track=Track.DUAL_DIAGNOSIS,
        group_type="support",
        date=dt.date(2026, 3, 2),
        scheduled_start=None,
        scheduled_end=None,
        actual_start=None,
        actual_end=None,
        mode=SessionMode.IN_PERSON,
        facilitator_id=1,
        co_facilitator_id=None,
        state=SessionState.DRAFT,
        current_phase=Phase.SUMMARY,
        attendance=(
            AttendanceRecord(
                1, "Zoë N", "1", AttendanceStatus.PRESENT, None, None, Location.IN_PERSON, False
            ),
            AttendanceRecord(
                2, "Bram Q", "2", AttendanceStatus.ABSENT, None, None, Location.IN_PERSON, False
            ),
        ),
        check_ins=(
            CheckInRecord(1, 5, 2, UseSinceLast.NO, "", True, "Safety plan reviewed", "", ""),
        ),
        member_notes=(MemberNoteRecord(1, "d", "a", "p", Participation.ACTIVE, None, ""),),
        group_note=GroupNoteRecord(None, "Urge surfing", "", "", ""),
    )


def test_complete_session_is_ready():
    assert missing_before_signing(_complete()) == []


def test_each_gap_is_named():
    record = _complete()
    no_topic = dataclasses.replace(record, group_note=None)
    assert missing_before_signing(no_topic) == ["no topic chosen for the skill work"]
    open_safety = dataclasses.replace(
        record, check_ins=(CheckInRecord(1, 5, 2, UseSinceLast.NO, "", True, " ", "", ""),)
    )
    assert missing_before_signing(open_safety) == [
        "safety concern for Zoë N needs a follow-up note"
    ]
    no_note = dataclasses.replace(record, member_notes=())
    assert missing_before_signing(no_note) == ["no individual note for Zoë N"]
    unmarked = dataclasses.replace(
        record,
        attendance=(
            *record.attendance,
            AttendanceRecord(3, "Cass B", "3", None, None, None, Location.IN_PERSON, False),
        ),
    )
    assert missing_before_signing(unmarked) == ["attendance not marked for Cass B"]


def test_absent_member_needs_no_note():
    gaps = missing_before_signing(_complete())
    assert not any("Bram" in gap for gap in gaps)
