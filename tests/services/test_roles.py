"""Who may do what, on both engines: every refusal is audited, and nobody unlocks a signed
session. Sign-in failures slow down and are audited; the recovery key resets an admin."""

import datetime as dt

import pytest

from facilitator.domain.enums import AttendanceStatus, Role
from facilitator.domain.errors import (
    AuthenticationFailed,
    FacilitatorError,
    PermissionDenied,
    SessionLocked,
)
from facilitator.services import (
    accounts,
    audit,
    documents,
    home,
    keys,
    sessions,
    signing,
    visibility,
)
from tests.conftest import PASSWORD
from tests.factories import group, members, ready_to_sign, started

OTHER_PASSWORD = "other-password-0003"


def add(ws, username, role, **extra):
    accounts.add_user(
        ws, username=username, password=OTHER_PASSWORD, full_name=f"{username.title()} Testwood",
        credentials="LPC", role=role, **extra,
    )  # fmt: skip
    return keys.act_as(ws, username, OTHER_PASSWORD)


def last_entry(ws):
    return audit.entries(ws)[0].facts


@pytest.fixture
def staff(ws):
    return {
        "fran": add(ws, "fran", Role.FACILITATOR),
        "gale": add(ws, "gale", Role.FACILITATOR),
        "lee": add(ws, "lee", Role.CLINICAL_LEAD),
        "max": add(ws, "max", Role.CLINICAL_LEAD),
        "ada": ws,  # the administrator who set the database up (a clinician: LCSW)
        "root": add(ws, "root", Role.ADMIN, clinician=False),
    }


def test_each_role_is_refused_what_it_may_not_do_and_each_refusal_is_audited(ws, staff, today):
    fran, gale, lee, root = staff["fran"], staff["gale"], staff["lee"], staff["root"]
    group_id = group(ws)
    people_ids = members(ws, group_id, 2)
    visibility.assign(ws, group_id, "fran")
    session_id = started(fran, group_id, today)
    refusals = [
        (gale, lambda: sessions.record_attendance(gale, session_id, people_ids[0], AttendanceStatus.PRESENT)),
        (fran, lambda: accounts.add_user(fran, username="x", password=OTHER_PASSWORD, full_name="X")),
        (fran, lambda: signing.cosign_session(fran, session_id, OTHER_PASSWORD)),
        (fran, lambda: documents.lead_report(fran, today, today)),
        (fran, lambda: audit.entries(fran)),
        (root, lambda: sessions.start_session(root, group_id, date=today + dt.timedelta(days=1))),
        (lee, lambda: accounts.reset_password(lee, "fran", "brand-new-password-1")),
        (fran, lambda: accounts.deactivate_user(fran, "gale")),
        (lee, lambda: accounts.set_time_zone(lee, "America/Chicago")),
    ]  # fmt: skip
    for actor, action in refusals:
        before = len(audit.entries(ws))
        with pytest.raises(PermissionDenied):
            action()
        entries = audit.entries(ws)
        assert len(entries) == before + 1, actor.actor.username
        assert entries[0].facts.outcome == "denied"
        assert entries[0].facts.user_id == actor.actor.user_id
    # A clinical lead may work on any group's session; the administrator who is a clinician too.
    sessions.record_attendance(lee, session_id, people_ids[0], AttendanceStatus.PRESENT)
    assert last_entry(ws).action == "change" and last_entry(ws).outcome == "ok"
    assert audit.verify().ok


def test_nobody_unlocks_a_signed_session(ws, staff, today):
    lee = staff["lee"]
    group_id = group(ws)
    people_ids = members(ws, group_id, 2)
    session_id = started(ws, group_id, today)
    ready_to_sign(ws, session_id, people_ids)
    signing.sign_session(ws, session_id, PASSWORD)
    for actor in (ws, lee, staff["root"]):
        with pytest.raises((SessionLocked, PermissionDenied)):
            sessions.write_member_note(actor, session_id, people_ids[0], data="changed later")
        assert last_entry(ws).outcome in ("refused", "denied")
    assert sessions.load(session_id).member_notes[0].data != "changed later"


def test_a_supervised_facilitators_notes_wait_for_their_own_lead(ws, staff, today):
    fran, lee, other_lead = staff["fran"], staff["lee"], staff["max"]
    accounts.set_supervision(ws, "fran", "lee")
    group_id = group(ws)
    people_ids = members(ws, group_id, 2)
    visibility.assign(ws, group_id, "fran")
    session_id = started(fran, group_id, today)
    ready_to_sign(fran, session_id, people_ids)
    signing.sign_session(fran, session_id, OTHER_PASSWORD)
    assert [s.id for s in home.awaiting_my_cosign(lee)] == [session_id]
    assert home.awaiting_my_cosign(other_lead) == []
    with pytest.raises(PermissionDenied, match="assigned supervisor"):
        signing.cosign_session(other_lead, session_id, OTHER_PASSWORD)
    assert last_entry(ws).action == "cosign" and last_entry(ws).outcome == "denied"
    signing.cosign_session(lee, session_id, OTHER_PASSWORD)
    assert home.awaiting_my_cosign(lee) == []
    with pytest.raises(FacilitatorError, match="clinical lead"):
        accounts.set_supervision(ws, "gale", "fran")


def test_admin_resets_and_deactivates_and_the_records_stay(ws, staff, location, today):
    fran = staff["fran"]
    group_id = group(ws)
    visibility.assign(ws, group_id, "fran")
    session_id = started(fran, group_id, today)
    accounts.reset_password(ws, "fran", "brand-new-password-1")
    with pytest.raises(AuthenticationFailed):
        accounts.sign_in(location, "fran", OTHER_PASSWORD).close()
    accounts.sign_in(location, "fran", "brand-new-password-1").close()
    # sign_in rebinds the store: continue on a fresh workspace
    admin = accounts.sign_in(location, "ada", PASSWORD)
    try:
        accounts.deactivate_user(admin, "fran")
        with pytest.raises(AuthenticationFailed):
            accounts.sign_in(location, "fran", "brand-new-password-1").close()
        admin = accounts.sign_in(location, "ada", PASSWORD)
        assert sessions.load(session_id).facilitator_id == fran.actor.user_id
        listed = {u.username: u for u in accounts.list_users(admin)}
        assert not listed["fran"].active and listed["gale"].active
        with pytest.raises(FacilitatorError, match="your own account"):
            accounts.deactivate_user(admin, "ada")
    finally:
        admin.close()


def test_failed_sign_ins_slow_down_and_are_audited(ws, location):
    start = dt.datetime(2026, 3, 2, 9, 0)
    ws.close()
    for n in range(5):
        with pytest.raises(AuthenticationFailed, match="wrong"):
            accounts.sign_in(
                location, "ada", "not-the-password", now=start + dt.timedelta(seconds=n)
            )
    with pytest.raises(AuthenticationFailed, match="try again in 30 seconds"):
        accounts.sign_in(location, "ada", PASSWORD, now=start + dt.timedelta(seconds=4))
    with pytest.raises(AuthenticationFailed, match="wrong"):  # the wait is over: a 6th failure
        accounts.sign_in(location, "ada", "still-wrong-pass", now=start + dt.timedelta(seconds=40))
    with pytest.raises(AuthenticationFailed, match="try again in 60 seconds"):
        accounts.sign_in(location, "ada", PASSWORD, now=start + dt.timedelta(seconds=40))
    admin = accounts.sign_in(location, "ada", PASSWORD, now=start + dt.timedelta(seconds=101))
    try:
        failed = audit.entries(admin, action="login_failed")
        assert len(failed) == 6 and {e.facts.username for e in failed} == {"ada"}
        assert audit.entries(admin)[0].facts.action == "login"
        assert audit.verify().ok
    finally:
        admin.close()
    # The streak ended with the successful sign-in: a wrong password is simply wrong again.
    with pytest.raises(AuthenticationFailed, match="wrong"):
        accounts.sign_in(location, "ada", "nope-nope-nope", now=start + dt.timedelta(seconds=102))


@pytest.mark.parametrize("tampering", ["deleted", "a folder in its place"])
def test_the_wait_after_failures_outlives_its_side_file(sqlite_location, tampering):
    """Finding: sign-in throttling stopped when its side file was deleted or replaced by a
    folder. Its twin in this computer's state folder keeps the count."""
    from pathlib import Path

    from tests.conftest import new_workspace

    new_workspace(sqlite_location).close()
    start = dt.datetime(2026, 3, 2, 9, 0)
    for _attempt in range(5):  # all at one moment: the twin keeps every one
        with pytest.raises(AuthenticationFailed, match="wrong"):
            accounts.sign_in(sqlite_location, "ada", "not-it-at-all", now=start)
    side = Path(sqlite_location + ".signin-failures.json")
    assert side.is_file()
    side.unlink()
    if tampering == "a folder in its place":
        side.mkdir()
    with pytest.raises(AuthenticationFailed, match="try again in 30 seconds"):
        accounts.sign_in(sqlite_location, "ada", PASSWORD, now=start)
    with pytest.raises(AuthenticationFailed, match="wrong"):  # a 6th failure is still counted
        accounts.sign_in(
            sqlite_location, "ada", "not-it-at-all", now=start + dt.timedelta(minutes=1)
        )
    with pytest.raises(AuthenticationFailed, match="try again in 60 seconds"):
        accounts.sign_in(sqlite_location, "ada", PASSWORD, now=start + dt.timedelta(minutes=1))
    ws = accounts.sign_in(sqlite_location, "ada", PASSWORD, now=start + dt.timedelta(minutes=3))
    try:  # all six reach the audit trail, from the twin
        assert len(audit.entries(ws, action="login_failed")) == 6
    finally:
        ws.close()


def test_the_recovery_key_resets_only_an_administrator(location, monkeypatch):
    from tests.conftest import new_workspace

    # On a server the clinic's IT uses the key, connected as its own role (libpq's PGUSER).
    monkeypatch.setenv("PGUSER", "postgres")
    ws = new_workspace(location)
    key = ws.recovery_key
    assert key and len(key.replace("-", "")) == 30
    add(ws, "fran", Role.FACILITATOR)
    ws.close()
    with pytest.raises(AuthenticationFailed, match="recovery key"):
        accounts.reset_with_recovery_key(location, "WRONG-KEY00-00000", "ada", "fresh-password-00")
    with pytest.raises(PermissionDenied):
        accounts.reset_with_recovery_key(location, key, "fran", "fresh-password-00")
    accounts.reset_with_recovery_key(
        location, key.lower().replace("-", " "), "ada", "fresh-password-00"
    )
    with pytest.raises(AuthenticationFailed):
        accounts.sign_in(location, "ada", PASSWORD).close()
    admin = accounts.sign_in(location, "ada", "fresh-password-00")
    try:
        reset = [e for e in audit.entries(admin) if "recovery key" in e.facts.detail]
        assert len(reset) == 1 and reset[0].facts.username == "ada"
        new_key = accounts.new_recovery_key(admin)
        assert new_key != key
    finally:
        admin.close()
    with pytest.raises(AuthenticationFailed):
        accounts.reset_with_recovery_key(location, key, "ada", "another-password-0")


def test_viewing_a_session_or_a_member_is_audited(ws, today):
    from facilitator.services import home

    group_id = group(ws)
    (member_id,) = members(ws, group_id, 1)
    session_id = started(ws, group_id, today)
    sessions.view(ws, session_id)
    assert (last_entry(ws).action, last_entry(ws).record_id) == ("view_session", session_id)
    home.view_member(ws, member_id)
    assert (last_entry(ws).action, last_entry(ws).member_id) == ("view_member", member_id)


def test_documents_follow_who_staffs_the_group(ws, staff, today):
    """Issue 11, finding 6: a facilitator exported every session's record and member notes,
    groups they do not staff included. Now: exit 6, and the refusal is in the trail."""
    from facilitator.domain.audit import Action
    from facilitator.domain.errors import NotAllowed

    fran, gale, lee = staff["fran"], staff["gale"], staff["lee"]
    frans_group, other_group = group(ws, "Fran's Evening"), group(ws, "Gale's Morning")
    (member,) = members(ws, frans_group, 1)
    (other_member,) = members(ws, other_group, 1)
    visibility.assign(ws, frans_group, "fran")
    visibility.assign(ws, other_group, "gale")
    frans = started(fran, frans_group, today)
    gales = started(gale, other_group, today)
    assert documents.session_document(fran, frans).record.id == frans
    assert documents.member_note_document(fran, frans, member).member_id == member
    for attempt in (
        lambda: documents.session_document(fran, gales),
        lambda: documents.member_note_document(fran, gales, other_member),
        lambda: documents.sign_in_sheet(fran, gales),
        lambda: documents.lead_report(fran, today, today, "Gale's Morning"),
    ):
        with pytest.raises(NotAllowed) as refused:
            attempt()
        assert refused.value.exit_code == 6 and "not allowed" in refused.value.message
        entry = last_entry(ws)
        assert (entry.action, entry.outcome, entry.username) == (Action.REFUSED, "denied", "fran")
    # A lead's cover for the day makes it a group one staffs; leads see every group.
    visibility.assign(
        lee, other_group, "fran", cover_from=dt.date.today(), cover_until=dt.date.today()
    )
    assert documents.session_document(fran, gales).record.id == gales
    assert documents.session_document(lee, gales).record.id == gales
    assert documents.visible_session_ids(gale, [frans, gales]) == [gales]
