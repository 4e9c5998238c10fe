"""What the printed records are made of, assembled from a real database on both engines."""

import datetime as dt

import pytest

from facilitator.domain.enums import AttendanceStatus, Phase, ReviewStatus, Role
from facilitator.domain.errors import InvalidInput, NotFound, PermissionDenied
from facilitator.services import audit, documents, homework, library, sessions, signing
from facilitator.services.workspace import Workspace
from tests.conftest import PASSWORD
from tests.factories import group, members, ready_to_sign, started

MONDAY = dt.date(2026, 3, 2)


def _clock(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute))


def held(ws, group_id, people, day, *, sign=True, late=None, safety=None):
    """A three-hour session from 18:00 with everyone present (one late at 19:00)."""
    session_id = started(ws, group_id, day)
    sessions.advance_phase(ws, session_id, Phase.CHECK_IN, at=_clock(day, 18))
    ready_to_sign(ws, session_id, people)
    if late is not None:
        sessions.record_attendance(
            ws, session_id, late, AttendanceStatus.LATE, arrival=dt.time(19, 0)
        )
    if safety is not None:
        sessions.record_check_in(
            ws, session_id, safety, mood=2, craving=8, safety_concern=True,
            safety_follow_up="Safety plan reviewed with the lead.",
        )  # fmt: skip
    sessions.end_session(ws, session_id, at=_clock(day, 21))
    if sign:
        signing.sign_session(ws, session_id, PASSWORD)
    return session_id


@pytest.fixture
def clinic(ws):
    group_id = group(ws)
    people = members(ws, group_id, 3, since=MONDAY - dt.timedelta(days=30))
    return group_id, people


def test_session_document_names_the_facilitator_with_credentials(ws, clinic):
    group_id, people = clinic
    session_id = held(ws, group_id, people, MONDAY)
    doc = documents.session_document(ws, session_id)
    assert doc.facilitator == "Ada Testwood, LCSW" and doc.co_facilitator is None
    assert doc.program == "Test Valley IOP (fictitious)"
    assert doc.signed and len(doc.record.attendance) == 3


def test_member_note_keeps_only_that_member_and_redacts_the_others(ws, clinic):
    group_id, (zoe, bram, cass) = clinic
    session_id = held(ws, group_id, [zoe, bram, cass], MONDAY, sign=False)
    record = sessions.load(session_id)
    bram_name = record.attendance_of(bram).display_name
    sessions.write_member_note(
        ws, session_id, zoe, data=f"Supported {bram_name} and Cass during the role play."
    )
    sessions.write_group_note(
        ws, session_id, interventions=f"Modelled refusal with {bram_name.split()[0]}",
        narrative=f"{bram_name} led the practice.",
    )  # fmt: skip
    doc = documents.member_note_document(ws, session_id, zoe)
    view = doc.record
    assert [a.member_id for a in view.attendance] == [zoe]
    assert {c.member_id for c in view.check_ins} == {zoe}
    assert {n.member_id for n in view.member_notes} == {zoe}
    text = repr(view)
    for other in (bram, cass):
        row = record.attendance_of(other)
        for word in [*row.display_name.split(), row.record_number]:
            assert word not in text, word
    assert "Supported [another member] and [another member] during" in view.member_notes[0].data
    assert view.group_note.narrative == "" and "[another member]" in view.group_note.interventions
    assert doc.member_name == record.attendance_of(zoe).display_name
    with pytest.raises(NotFound):
        documents.member_note_document(ws, session_id, 999_999)


def test_sign_in_sheet_has_first_names_and_last_initials(ws, clinic):
    group_id, _people = clinic
    session_id = started(ws, group_id, MONDAY)
    sheet = documents.sign_in_sheet(ws, session_id)
    assert "Zoë N." in sheet.names and len(sheet.names) == 3
    assert all(not name.endswith("Fable") for name in sheet.names)


def test_lead_report_attendance_hours_homework_safety_and_unsigned(ws, clinic):
    group_id, (zoe, bram, cass) = clinic
    item = library.search("urge surfing")[0]
    first = held(ws, group_id, [zoe, bram, cass], MONDAY, sign=False, late=bram)
    homework.assign_homework(ws, first, item.id)
    signing.sign_session(ws, first, PASSWORD)
    second = held(ws, group_id, [zoe, bram], MONDAY + dt.timedelta(days=2), sign=False, safety=zoe)
    sessions.record_attendance(ws, second, cass, AttendanceStatus.ABSENT)
    outstanding = homework.outstanding_for_session(second)
    homework.review_at_check_in(ws, second, zoe, {outstanding[zoe][0].id: (ReviewStatus.DONE, "")})
    homework.review_at_check_in(
        ws, second, bram, {outstanding[bram][0].id: (ReviewStatus.NOT_DONE, "")}
    )

    report = documents.lead_report(ws, MONDAY, MONDAY + dt.timedelta(days=6))
    assert report.scope == "All groups" and report.weekly_minimum_minutes == 540
    assert [s.id for s in report.sessions] == [first, second]
    assert [s.id for s in report.unsigned] == [second]
    assert report.sessions[0].minutes == 180 and report.sessions[0].topic == "Urge surfing"
    (section,) = report.groups
    by_id = {m.member_id: m for m in section.members}
    assert by_id[bram].attendance == ("late", "present")
    assert by_id[cass].attendance == ("present", "absent")
    assert by_id[zoe].weekly_minutes == ((MONDAY, 360),)
    assert by_id[bram].weekly_minutes == ((MONDAY, 120 + 180),)
    assert by_id[zoe].completion.done == 1 and by_id[bram].completion.not_done == 1
    assert by_id[zoe].mood == ((MONDAY, 6), (MONDAY + dt.timedelta(days=2), 2))
    (concern,) = report.safety
    assert concern.session_id == second and "Safety plan" in concern.follow_up

    one = documents.lead_report(ws, MONDAY, MONDAY, str(group_id))
    assert [s.id for s in one.sessions] == [first] and one.scope == "Evening Recovery A"
    with pytest.raises(InvalidInput):
        documents.lead_report(ws, MONDAY, MONDAY - dt.timedelta(days=1))


def test_only_leads_and_admins_report_on_all_groups_and_set_the_minimum(ws, clinic):
    facilitator = Workspace(
        ws.store,
        ws.actor.__class__(**{**vars(ws.actor), "role": Role.FACILITATOR}),
        signer=ws.signer,
    )
    with pytest.raises(PermissionDenied):
        documents.lead_report(facilitator, MONDAY, MONDAY)
    with pytest.raises(PermissionDenied):
        documents.set_weekly_minimum(facilitator, 12)
    documents.set_weekly_minimum(ws, 12)
    assert documents.weekly_minimum_minutes() == 720
    with pytest.raises(InvalidInput):
        documents.set_weekly_minimum(ws, 0)


def test_exports_and_prints_are_audited(ws, clinic):
    group_id, people = clinic
    session_id = started(ws, group_id, MONDAY)
    documents.record_output(ws, "session", session_id)
    documents.record_output(ws, "member_note", session_id, member_id=people[0], printed=True)
    newest = audit.entries(ws)[:2]
    assert [(e.facts.action, e.facts.record_kind, e.facts.member_id) for e in newest] == [
        ("print", "member_note", people[0]),
        ("export", "session", None),
    ]
    assert audit.verify().ok
