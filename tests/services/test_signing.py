"""Signing locks a note after a password re-check; co-signatures and addenda keep it sealed."""

import pytest

from facilitator.domain.enums import Role, SessionState
from facilitator.domain.errors import AuthenticationFailed, PermissionDenied, RuleViolation
from facilitator.services import accounts, integrity, keys, sessions, signing
from facilitator.store import people
from tests.conftest import PASSWORD
from tests.factories import group, lead, members, ready_to_sign, started
from tests.tampering import owner_bound, owner_db

LEAD_PASSWORD = "lead-password-0002"


def as_lead(ws):
    lead(ws, LEAD_PASSWORD)
    return keys.act_as(ws, "rowan", LEAD_PASSWORD)


def test_sign_needs_the_signers_password(ws, ready):
    for wrong in ("", "guess-guess-guess"):
        with pytest.raises(AuthenticationFailed):
            signing.sign_session(ws, ready, wrong)
    assert sessions.load(ready).state is SessionState.DRAFT
    signing.sign_session(ws, ready, PASSWORD)
    record = sessions.load(ready)
    assert record.state is SessionState.SIGNED
    assert record.signatures[0].signer == "Ada Testwood, LCSW"
    assert record.actual_end is not None
    assert all(p.ended_at is not None for p in record.phases)


def test_sign_is_refused_with_the_list_of_gaps(ws, today):
    group_id = group(ws)
    members(ws, group_id, 1)
    session_id = started(ws, group_id, today)
    with pytest.raises(RuleViolation) as caught:
        signing.sign_session(ws, session_id, PASSWORD)
    assert "attendance not marked" in str(caught.value) and "no topic" in str(caught.value)


def test_only_the_sessions_facilitators_sign(ws, ready):
    with pytest.raises(PermissionDenied):
        signing.sign_session(as_lead(ws), ready, LEAD_PASSWORD)


def test_clinical_lead_cosigns_once(ws, ready):
    with pytest.raises(RuleViolation, match="after it is signed"):
        signing.cosign_session(as_lead(ws), ready, LEAD_PASSWORD)
    signing.sign_session(ws, ready, PASSWORD)
    accounts.add_user(
        ws,
        username="finn",
        password=LEAD_PASSWORD,
        full_name="Finn Larkspur",
        role=Role.FACILITATOR,
    )
    with pytest.raises(PermissionDenied):
        signing.cosign_session(keys.act_as(ws, "finn", LEAD_PASSWORD), ready, LEAD_PASSWORD)
    with pytest.raises(RuleViolation, match="already signed"):
        signing.cosign_session(ws, ready, PASSWORD)
    supervisor = keys.act_as(ws, "rowan", LEAD_PASSWORD)
    with pytest.raises(AuthenticationFailed):
        signing.cosign_session(supervisor, ready, "wrong-password-xx")
    signing.cosign_session(supervisor, ready, LEAD_PASSWORD)
    with pytest.raises(RuleViolation, match="already signed"):
        signing.cosign_session(supervisor, ready, LEAD_PASSWORD)
    kinds = [s.kind.value for s in sessions.load(ready).signatures]
    assert kinds == ["sign", "cosign"]
    assert integrity.check(ws).ok


def test_addendum_adds_without_changing_the_original(ws, ready):
    with pytest.raises(RuleViolation, match="edited directly"):
        signing.add_addendum(ws, ready, PASSWORD, reason="late entry", text="x")
    signing.sign_session(ws, ready, PASSWORD)
    before = sessions.load(ready)
    with pytest.raises(RuleViolation):
        signing.add_addendum(ws, ready, PASSWORD, reason=" ", text="text")
    with pytest.raises(AuthenticationFailed):
        signing.add_addendum(ws, ready, "not-my-password", reason="late entry", text="x")
    signing.add_addendum(
        ws, ready, PASSWORD, reason="Late entry", text="Member called after group; safe."
    )
    after = sessions.load(ready)
    assert after == before  # the signed content is untouched
    assert after.addenda[0].text == "Member called after group; safe."
    assert after.addenda[0].signer == "Ada Testwood, LCSW"
    assert integrity.check(ws).ok


def _bypass_lock(ws, sql):
    """Change a signed note behind the app's back, as a tamperer with raw access would."""
    with owner_db(ws) as db:
        if ws.store.is_postgres:
            db.execute_sql("ALTER TABLE member_note DISABLE TRIGGER lock_member_note")
            db.execute_sql(sql)
            db.execute_sql("ALTER TABLE member_note ENABLE TRIGGER lock_member_note")
        else:
            db.execute_sql("DROP TRIGGER lock_member_note_update")
            db.execute_sql(sql)


def test_check_finds_a_note_changed_behind_the_apps_back(ws, ready):
    signing.sign_session(ws, ready, PASSWORD)
    assert integrity.check(ws).ok
    _bypass_lock(ws, f"UPDATE member_note SET plan = 'tampered' WHERE session_id = {ready}")
    report = integrity.check(ws)
    assert not report.ok
    assert any(f"session {ready}" in problem for problem in report.problems)


def _printed(ws, session_id, member_id):
    """The text of the session record and of one member's note, as printed."""
    from facilitator.export.member_note import member_note_bytes
    from facilitator.export.session_record import session_record_bytes
    from facilitator.services import documents
    from tests.export.samples import page_texts

    record = session_record_bytes(documents.session_document(ws, session_id))
    note = member_note_bytes(documents.member_note_document(ws, session_id, member_id))
    # The footer's print date is today's either way; everything else must match.
    return " ".join(page_texts(record)), " ".join(page_texts(note))


def test_a_signed_record_does_not_change_when_names_goals_and_settings_do(ws, today):
    """Finding: the seal covered member name, record number, group name and goal text read
    live from other tables, so renaming a member or group or rewording a goal changed printed
    signed records, and `check` then called every signed session of that group altered. What
    prints is now frozen at the signature."""
    from facilitator.domain.enums import Track
    from facilitator.services import roster
    from facilitator.store import models

    group_id = group(ws, "Evening Recovery")
    (zoe, bram) = members(ws, group_id, 2)
    goal = roster.add_goal(ws, zoe, "Ninety days without alcohol").created_id
    session_id = started(ws, group_id, today)
    ready_to_sign(ws, session_id, [zoe, bram])
    sessions.write_member_note(ws, session_id, zoe, goal_id=goal)
    signing.sign_session(ws, session_id, PASSWORD)
    shown = sessions.load(session_id)
    before = _printed(ws, session_id, zoe)
    zoe_name = shown.attendance_of(zoe).display_name
    assert zoe_name in before[0] and "Evening Recovery" in before[0]
    assert "Ninety days without alcohol" in before[1] and "Ada Testwood, LCSW" in before[0]

    roster.update_member(ws, zoe, first_name="Renamedina", record_number="NEW-0001")
    roster.update_group(ws, group_id, name="Renamed Group", track=Track.MENTAL_HEALTH)
    roster.update_goal(ws, goal, text="A reworded goal")
    accounts.set_time_zone(ws, "Pacific/Auckland")
    people.set_setting(people.PROGRAM_NAME, "Renamed Program")
    models.User.update(full_name="Ada Renamed", credentials="PhD").where(
        models.User.username == "ada"
    ).execute()

    assert sessions.load(session_id) == shown  # the window shows it as signed
    assert sessions.load(session_id).signatures[0].signer == "Ada Testwood, LCSW"
    after = _printed(ws, session_id, zoe)
    assert after == before
    for new in ("Renamedina", "NEW-0001", "Renamed Group", "A reworded goal", "Renamed Program"):
        assert new not in after[0] + after[1]
    report = integrity.check(ws)
    assert report.ok, report.problems
    # The live rows were never touched: the names the window lists elsewhere are the new ones.
    from facilitator.store import session_reads

    live = session_reads.load_sessions([session_id], live=True)[session_id]
    assert "Renamedina" in live.attendance_of(zoe).display_name


def test_check_finds_a_rewritten_signed_record(ws, ready):
    """The frozen record is itself locked; rewritten around the lock, its hash no longer
    matches its signature."""
    from facilitator.store.models import SignedContent
    from facilitator.store.session_reads import pack_body, unpack_body

    signing.sign_session(ws, ready, PASSWORD)
    stored = SignedContent.get(SignedContent.session == ready)
    body = unpack_body(stored.body).replace(b"Engaged.", b"Hostile.")
    with owner_bound(ws) as db:
        if ws.store.is_postgres:
            db.execute_sql("ALTER TABLE signed_content DISABLE TRIGGER lock_signed_content")
        else:
            db.execute_sql("DROP TRIGGER lock_signed_content_update")
        SignedContent.update(body=pack_body(body)).where(SignedContent.id == stored.id).execute()
        if ws.store.is_postgres:
            db.execute_sql("ALTER TABLE signed_content ENABLE TRIGGER lock_signed_content")
    assert "Hostile." in sessions.load(ready).member_notes[0].assessment
    report = integrity.check(ws)
    assert any(f"session {ready}: content differs" in p for p in report.problems), report


def test_a_frozen_record_cannot_be_changed_or_removed(ws, ready):
    signing.sign_session(ws, ready, PASSWORD)
    for sql in (
        f"UPDATE signed_content SET created_at = created_at WHERE session_id = {ready}",
        f"DELETE FROM signed_content WHERE session_id = {ready}",
    ):
        with owner_db(ws) as db, pytest.raises(Exception, match="FACILITATOR_LOCKED"):
            db.execute_sql(sql)
        with (
            pytest.raises(Exception, match=r"FACILITATOR_LOCKED|permission denied"),
            ws.store.db.atomic(),
        ):
            ws.store.db.execute_sql(sql)
    assert integrity.check(ws).ok


def test_an_open_signed_session_keeps_its_record_when_its_people_change(ws, ready):
    """What a window holding the signed session reads again after a change elsewhere (the
    change bus): names, goals and group settings leave it as signed; a co-signature shows."""

    from facilitator.services import roster

    signing.sign_session(ws, ready, PASSWORD)
    record = sessions.load(ready)
    member_id, group_id = record.attendance[0].member_id, record.group_id
    for change in (
        roster.update_member(ws, member_id, first_name="Renamedina"),
        roster.update_goal(ws, roster.add_goal(ws, member_id, "A goal").created_id, text="New"),
        roster.update_group(ws, group_id, name="Renamed Group"),
    ):
        again = sessions.refreshed(record, change)
        assert again == record, change
        assert [a.display_name for a in again.attendance] == [
            a.display_name for a in record.attendance
        ]
        assert again.group_name == record.group_name
    cosigned = signing.cosign_session(as_lead(ws), ready, LEAD_PASSWORD)
    assert len(sessions.refreshed(record, cosigned).signatures) == 2
    assert integrity.check(ws).ok
