import pytest

from facilitator.domain.enums import Role
from facilitator.domain.errors import (
    AuthenticationFailed,
    InvalidInput,
    PermissionDenied,
    RuleViolation,
)
from facilitator.services import accounts
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
