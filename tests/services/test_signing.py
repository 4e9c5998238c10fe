"""Signing locks a note after a password re-check; co-signatures and addenda keep it sealed."""

import pytest

from facilitator.domain.enums import Role, SessionState
from facilitator.domain.errors import AuthenticationFailed, PermissionDenied, RuleViolation
from facilitator.services import accounts, integrity, sessions, signing
from facilitator.services.workspace import Workspace
from facilitator.store import people
from tests.conftest import PASSWORD
from tests.factories import group, lead, members, ready_to_sign, started

LEAD_PASSWORD = "lead-password-0002"


@pytest.fixture
def ready(ws, today):
    group_id = group(ws)
    member_ids = members(ws, group_id, 2)
    session_id = started(ws, group_id, today)
    ready_to_sign(ws, session_id, member_ids)
    return session_id


def as_lead(ws):
    lead(ws, LEAD_PASSWORD)
    return Workspace(ws.store, people.actor_for("rowan"))


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
        signing.cosign_session(Workspace(ws.store, people.actor_for("finn")), ready, LEAD_PASSWORD)
    with pytest.raises(RuleViolation, match="already signed"):
        signing.cosign_session(ws, ready, PASSWORD)
    supervisor = Workspace(ws.store, people.actor_for("rowan"))
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
    db = ws.store.db
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
