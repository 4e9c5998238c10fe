import dataclasses
import datetime as dt

from facilitator.domain.changes import Changes
from facilitator.domain.enums import (
    AttendanceStatus,
    Location,
    Phase,
    SessionMode,
    SessionState,
    Track,
    UseSinceLast,
)
from facilitator.domain.records import (
    AttendanceRecord,
    CheckInRecord,
    SessionRecord,
    SignatureRecord,
    content_hash,
    display_name,
)


def _record(**changes):
    base = SessionRecord(
        id=1,
        group_id=2,
        group_name="Evening A",
        track=Track.SUBSTANCE_USE,
        group_type="relapse_prevention",
        date=dt.date(2026, 3, 2),
        scheduled_start=dt.time(18, 0),
        scheduled_end=dt.time(21, 0),
        actual_start=dt.datetime(2026, 3, 2, 23, 0),
        actual_end=None,
        mode=SessionMode.IN_PERSON,
        facilitator_id=1,
        co_facilitator_id=None,
        state=SessionState.DRAFT,
        current_phase=Phase.CHECK_IN,
        attendance=(
            AttendanceRecord(
                1,
                "Zoë Nguyễn",
                "T-1",
                AttendanceStatus.PRESENT,
                None,
                None,
                Location.IN_PERSON,
                False,
            ),
            AttendanceRecord(
                2,
                "Bram Quill",
                "T-2",
                AttendanceStatus.ABSENT,
                None,
                None,
                Location.TELEHEALTH,
                False,
            ),
        ),
        check_ins=(CheckInRecord(1, 5, 3, UseSinceLast.NO, "", False, "", "", "sleep"),),
    )
    return dataclasses.replace(base, **changes)


def test_hash_ignores_row_order_and_state_but_not_content():
    record = _record()
    reordered = _record(attendance=tuple(reversed(record.attendance)))
    signed = _record(
        state=SessionState.SIGNED,
        signatures=(SignatureRecord(1, "Ada", "sign", dt.datetime(2026, 3, 3), "x"),),
    )
    # The first kind of seal (version 1): a hash of the record as read.
    assert content_hash(record, 1) == content_hash(reordered, 1) == content_hash(signed, 1)
    changed = _record(
        check_ins=(CheckInRecord(1, 6, 3, UseSinceLast.NO, "", False, "", "", "sleep"),)
    )
    assert content_hash(changed, 1) != content_hash(record, 1)


def test_display_name_prefers_the_preferred_name():
    assert display_name("Zo", "Zoë", "Nguyễn") == "Zo Nguyễn"
    assert display_name(None, "Zoë", "Nguyễn") == "Zoë Nguyễn"


def test_changes_merge_and_truthiness():
    merged = Changes(attendance=frozenset({1})) | Changes(attendance=frozenset({2}), phases=True)
    assert merged.attendance == {1, 2} and merged.phases
    assert not Changes()
    assert Changes(group_note=True)
