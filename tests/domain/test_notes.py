import dataclasses

from facilitator.domain.checklist import note_warnings
from facilitator.domain.enums import UseSinceLast
from facilitator.domain.notes import prefill_note
from facilitator.domain.records import AssignmentRecord, CheckInRecord, MemberNoteRecord
from tests.domain.test_checklist import _complete


def test_prefill_uses_only_this_members_facts():
    record = dataclasses.replace(
        _complete(),
        check_ins=(
            CheckInRecord(1, 6, 3, UseSinceLast.NO, "", True, "Safety plan reviewed", "", "sleep"),
        ),
        assignments=(AssignmentRecord(9, 1, None, "Urge log", "Log urges.", None),),
    )
    data, _assessment, plan = prefill_note(record, 1)
    assert "mood 6/10" in data and "craving 3/10" in data and "no use" in data
    assert "Current issue: sleep." in data and "Safety plan reviewed" in data
    assert "Homework: Urge log." in plan
    assert "Zoë" not in data + plan and "Bram" not in data + plan


def test_warns_of_cloned_notes_and_other_members_named():
    base = _complete()
    same = "Member shared about the week and practised urge surfing with the group today."
    record = dataclasses.replace(
        base,
        member_notes=(
            MemberNoteRecord(1, same, "", "", None, None, ""),
            MemberNoteRecord(2, same + "!", "", "", None, None, ""),
        ),
    )
    assert any("nearly identical" in w for w in note_warnings(record))
    naming = dataclasses.replace(
        base,
        member_notes=(
            MemberNoteRecord(1, "Talked with Bram after group.", "", "", None, None, ""),
        ),
    )
    assert note_warnings(naming) == ["the note of Zoë N names another member (Bram Q)"]
    assert note_warnings(base) == []
