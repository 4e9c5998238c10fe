import pytest

from facilitator.domain.enums import Role
from facilitator.domain.errors import (
    AuthenticationFailed,
    InvalidInput,
    PermissionDenied,
    RuleViolation,
)
from facilitator.services import accounts
from facilitator.services.workspace import Workspace
from facilitator.store import people
from tests.conftest import PASSWORD


def test_admin_adds_a_user_who_can_then_sign_in(ws, location):
    accounts.add_user(
        ws,
        username="finn",
        password="finns-password-1",
        full_name="Finn Larkspur",
        credentials="CADC",
    )
    with pytest.raises(RuleViolation, match="taken"):
        accounts.add_user(ws, username="finn", password="finns-password-1", full_name="Finn Again")
    with pytest.raises(InvalidInput, match="12 characters"):
        accounts.add_user(ws, username="gus", password="short", full_name="Gus Moonbeam")
    ws.close()
    finn = accounts.sign_in(location, "finn", "finns-password-1")
    assert finn.actor.full_name == "Finn Larkspur" and finn.actor.role is Role.FACILITATOR
    with pytest.raises(PermissionDenied):
        accounts.add_user(
            finn, username="hal", password="hals-password-1", full_name="Hal Wrenfield"
        )
    finn.close()
    with pytest.raises(AuthenticationFailed):
        accounts.sign_in(location, "finn", PASSWORD)


def test_password_change_rewraps_without_reencrypting(ws, location):
    before = open(location, "rb").read() if not ws.store.is_postgres else None
    with pytest.raises(AuthenticationFailed):
        accounts.change_password(ws, "not-the-old-one", "a-brand-new-password")
    accounts.change_password(ws, PASSWORD, "a-brand-new-password")
    if before is not None:
        assert open(location, "rb").read() == before
    ws.close()
    with pytest.raises(AuthenticationFailed):
        accounts.sign_in(location, "ada", PASSWORD)
    accounts.sign_in(location, "ada", "a-brand-new-password").close()


def test_program_name_is_a_setting(ws):
    assert accounts.program_name() == "Test Valley IOP (fictitious)"
    accounts.set_program_name(ws, "Harbor Demo IOP")
    assert accounts.program_name() == "Harbor Demo IOP"
    finn_id = people.add_user("finn", "Finn", "", Role.FACILITATOR)
    with pytest.raises(PermissionDenied):
        accounts.set_program_name(Workspace(ws.store, people.actor_by_id(finn_id)), "x")
