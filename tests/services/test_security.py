"""The lock time setting, unlocking and handing over, with their audit entries (both engines)."""

import pytest

from facilitator.domain.audit import Action
from facilitator.domain.enums import Role
from facilitator.domain.errors import AuthenticationFailed, InvalidInput, PermissionDenied
from facilitator.services import accounts, audit, keys, security
from facilitator.store import audit as store
from tests.conftest import PASSWORD

OTHER_PASSWORD = "other-password-0002"


def _newest(ws, action):
    return next(e for e in audit.entries(ws) if e.facts.action == action)


def test_lock_minutes_default_range_and_audit(ws):
    assert security.lock_minutes() == security.DEFAULT_LOCK_MINUTES == 10
    for bad in (0, 31, -5):
        with pytest.raises(InvalidInput, match="between 1 and 30"):
            security.set_lock_minutes(ws, bad)
    assert security.lock_minutes() == 10
    security.set_lock_minutes(ws, 30)
    assert security.lock_minutes() == 30
    security.set_lock_minutes(ws, 1)
    assert security.lock_minutes() == 1
    entry = _newest(ws, Action.SETTING_CHANGE)
    assert entry.facts.detail == "lock_minutes" and entry.facts.outcome == "ok"


def test_only_an_administrator_sets_the_lock_time(ws):
    accounts.add_user(
        ws, username="lee", password=OTHER_PASSWORD, full_name="Lee Lead", role=Role.CLINICAL_LEAD
    )
    lead = keys.act_as(ws, "lee", OTHER_PASSWORD)
    with pytest.raises(PermissionDenied, match="only a admin"):
        security.set_lock_minutes(lead, 5)
    assert security.lock_minutes() == 10


def test_check_password_and_unlock_are_audited(ws):
    security.check_password(ws, PASSWORD)
    with pytest.raises(AuthenticationFailed):
        security.check_password(ws, "not-the-password")
    with pytest.raises(AuthenticationFailed):
        security.unlock(ws, "not-the-password")
    failed = _newest(ws, Action.LOGIN_FAILED)
    assert failed.facts.outcome == "failed" and failed.facts.username == "ada"
    security.record_lock(ws)
    security.unlock(ws, PASSWORD)
    assert [e.facts.action for e in audit.entries(ws)[:2]] == [Action.UNLOCK, Action.LOCK]


def test_hand_over_signs_the_first_user_out_and_the_second_in(ws):
    accounts.add_user(ws, username="bo", password=OTHER_PASSWORD, full_name="Bo Facilitator")
    with pytest.raises(AuthenticationFailed):
        security.hand_over(ws, "bo", "not-bos-password")
    assert audit.entries(ws)[0].facts.action == Action.LOGIN_FAILED  # ws is still open
    new = security.hand_over(ws, "Bo ", OTHER_PASSWORD)
    try:
        assert new.actor.username == "bo"
        trail = [(e.facts.username, e.facts.action) for e in reversed(list(store.all_entries()))]
        assert trail[:2] == [("bo", Action.LOGIN), ("ada", Action.LOGOUT)]
        assert audit.verify().ok
    finally:
        new.close()


def test_the_lock_screen_backs_off_like_signing_in():
    import datetime as dt

    last = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    assert security.seconds_to_wait(0, None, last) == 0
    assert security.seconds_to_wait(4, last, last) == 0  # the first five are free
    assert security.seconds_to_wait(5, last, last + dt.timedelta(seconds=10)) == 20
    assert security.seconds_to_wait(6, last, last) == 60
    assert security.seconds_to_wait(6, last, last + dt.timedelta(minutes=2)) == 0
