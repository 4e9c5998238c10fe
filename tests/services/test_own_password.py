"""Everyone chooses their own password (issue 12): the one an administrator gave them is
theirs to replace, so nobody else can sign in, sign or write the audit trail as them. On a
server the login's own password changes; on a laptop their key slot is wrapped anew. Their
signing key stays theirs."""

from __future__ import annotations

import pytest

from facilitator.domain.enums import Role
from facilitator.domain.errors import AuthenticationFailed, InvalidInput
from facilitator.services import accounts, integrity, signing
from tests.conftest import PASSWORD
from tests.factories import group, members, ready_to_sign, started

GIVEN, CHOSEN = "given-by-admin-0001", "chosen-by-fran-0001"


def test_a_user_replaces_the_password_an_administrator_gave_them(ws, location, today):
    accounts.add_user(
        ws, username="fran", password=GIVEN, full_name="Fran Testwood", role=Role.FACILITATOR
    )
    fran = accounts.sign_in(location, "fran", GIVEN)
    try:
        key_before = fran.signer.key_id if fran.signer else None
        with pytest.raises(AuthenticationFailed):
            accounts.change_own_password(fran, "not-the-current-1", CHOSEN)
        with pytest.raises(InvalidInput, match="12 characters"):
            accounts.change_own_password(fran, GIVEN, "short")
        with pytest.raises(InvalidInput, match="differ"):
            accounts.change_own_password(fran, GIVEN, GIVEN)
        accounts.change_own_password(fran, GIVEN, CHOSEN)
    finally:
        fran.close()
    ws.make_current()
    with pytest.raises(AuthenticationFailed):
        accounts.sign_in(location, "fran", GIVEN)  # the administrator's no longer works
    fran = accounts.sign_in(location, "fran", CHOSEN)
    try:
        assert fran.signer is not None and fran.signer.key_id == key_before  # the same key
        # Signing needs the chosen password, and the signature is fran's own.
        from facilitator.services import visibility

        visibility.assign(ws, group_id := group(ws), "fran")
        member_ids = members(ws, group_id, 1)
        session_id = started(fran, group_id, today)
        ready_to_sign(fran, session_id, member_ids)
        with pytest.raises(AuthenticationFailed):
            signing.sign_session(fran, session_id, GIVEN)
        signing.sign_session(fran, session_id, CHOSEN)
    finally:
        fran.close()
    ws.make_current()
    assert integrity.check(ws).ok
    # The administrator's own change leaves every other login as it was.
    accounts.change_own_password(ws, PASSWORD, "ada-chose-this-0001")
    accounts.sign_in(location, "fran", CHOSEN).close()
    ws.make_current()
    accounts.sign_in(location, "ada", "ada-chose-this-0001").close()
