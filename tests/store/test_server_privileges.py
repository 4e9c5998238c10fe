"""Least privilege on the clinic server, enforced by the server itself and tried with psql as
each staff login (issue 12): what the shared owner login of the old set-up could do (read a
password hash, disable a trigger, rewrite a signed note, truncate the signatures, write in
someone else's name) no staff login can."""

from __future__ import annotations

import psycopg
import pytest

from facilitator.domain.enums import Role
from facilitator.domain.errors import AuthenticationFailed
from facilitator.services import accounts, signing, visibility
from tests.conftest import PASSWORD, new_workspace
from tests.factories import group, members, ready_to_sign, started

FRAN, LENA = "fran-password-0001", "lena-password-0001"


@pytest.fixture
def clinic(pg_server, server_location, today):
    """A server database with an administrator, a facilitator and a lead, and a signed session."""
    location = server_location
    ws = new_workspace(location)
    for username, password, role in (
        ("fran", FRAN, Role.FACILITATOR),
        ("lena", LENA, Role.CLINICAL_LEAD),
    ):
        accounts.add_user(
            ws,
            username=username,
            password=password,
            full_name=f"{username.title()} Testwood",
            role=role,
        )
    group_id = group(ws)
    visibility.assign(
        ws, group_id, "fran"
    )  # fran sees the signed session, and still cannot change it
    member_ids = members(ws, group_id, 2)
    session_id = started(ws, group_id, today)
    ready_to_sign(ws, session_id, member_ids)
    signing.sign_session(ws, session_id, PASSWORD)
    yield location, session_id
    ws.close()


def psql(pg_server, location, user, password, sql):
    return pg_server.psql(location.rsplit("/", 1)[1], user, password, sql)


LOGINS = [("ada", PASSWORD), ("fran", FRAN), ("lena", LENA)]


@pytest.mark.parametrize(("user", "password"), LOGINS)
def test_no_staff_login_can_rewrite_what_is_signed_or_audited(pg_server, clinic, user, password):
    location, session_id = clinic
    refusals = {
        "UPDATE audit_entry SET detail = 'x'": "permission denied",
        "DELETE FROM audit_entry": "permission denied",
        "TRUNCATE audit_entry": "permission denied",
        "TRUNCATE signature": "permission denied",
        "UPDATE signature SET content_hash = 'x'": "permission denied",
        "DELETE FROM signed_content": "permission denied",
        "ALTER TABLE member_note DISABLE TRIGGER lock_member_note": "must be owner",
        "DROP TRIGGER lock_member_note ON member_note": "must be owner",
        "SET session_replication_role = replica": "permission denied",
        "CREATE TABLE notes_copy (body text)": "permission denied",
        f"UPDATE member_note SET plan = 'x' WHERE session_id = {session_id}": "FACILITATOR_LOCKED",
        f"UPDATE session SET state = 'draft' WHERE id = {session_id}": "FACILITATOR_LOCKED",
        "SELECT rolpassword FROM pg_authid": "permission denied",
        "DELETE FROM schema_migration": "permission denied",
        # What `server import` brought in from laptops (tests/test_server_import.py).
        "UPDATE imported_audit_entry SET detail = 'x'": "permission denied",
        "DELETE FROM imported_body": "permission denied",
        "TRUNCATE laptop_import": "permission denied",
        "UPDATE imported_key SET certificate = 'x'": "permission denied",
    }
    for sql, words in refusals.items():
        code, _out, err = psql(pg_server, location, user, password, sql)
        assert code != 0 and words in err, (user, sql, err)


@pytest.mark.parametrize(("user", "password"), LOGINS)
def test_nothing_to_read_that_signs_anyone_in(pg_server, clinic, user, password):
    location, _ = clinic
    _, hashes, _ = psql(
        pg_server,
        location,
        user,
        password,
        "SELECT count(*) FROM app_user WHERE password_hash IS NOT NULL",
    )
    assert hashes == "0"
    _, slots, _ = psql(
        pg_server, location, user, password, "SELECT string_agg(username, ',') FROM key_slot"
    )
    # One's own key slot only (an administrator also reads the recovery slot).
    assert set(slots.split(",")) == ({user, "#recovery"} if user == "ada" else {user})


def test_the_server_names_the_author_not_the_client(pg_server, clinic):
    location, session_id = clinic
    forged = (
        "INSERT INTO audit_entry (id, at, username, workstation, action, record_kind, outcome, "
        "detail, prev_hash, entry_hash) VALUES (999999, now(), 'lena', 'x', 'login', '', 'ok', "
        "'', 'x', 'x')"
    )
    code, _, err = psql(pg_server, location, "fran", FRAN, forged)
    assert code != 0 and "FACILITATOR_NOT_AUTHOR" in err
    lena_id = psql(
        pg_server, location, "fran", FRAN, "SELECT id FROM app_user WHERE username = 'lena'"
    )[1]
    cosign = (
        "INSERT INTO signature (session_id, user_id, kind, signed_at, content_hash) "
        f"VALUES ({session_id}, {lena_id}, 'cosign', now(), 'x')"
    )
    code, _, err = psql(pg_server, location, "fran", FRAN, cosign)
    assert code != 0 and "FACILITATOR_NOT_AUTHOR" in err


def test_logins_are_kept_by_administrators_only_and_only_for_this_clinics_staff(pg_server, clinic):
    location, _ = clinic
    verifier = "SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy"
    code, _, err = psql(
        pg_server,
        location,
        "fran",
        FRAN,
        f"SELECT facilitator_logins.set_login('lena', '{verifier}', 'admin')",
    )
    assert code != 0 and "only an administrator" in err
    code, _, err = psql(
        pg_server,
        location,
        "ada",
        PASSWORD,
        f"SELECT facilitator_logins.set_login('postgres', '{verifier}', 'admin')",
    )
    assert code != 0 and "not this clinic's staff" in err
    code, _, err = psql(
        pg_server,
        location,
        "ada",
        PASSWORD,
        "SELECT facilitator_logins.set_login('lena', 'plain-text-password', 'lead')",
    )
    assert code != 0 and "SCRAM verifier" in err
    code, _, err = psql(pg_server, location, "fran", FRAN, "ALTER ROLE lena PASSWORD 'x'")
    assert code != 0 and "permission denied" in err


def test_no_login_role_owns_anything(pg_server, clinic):
    location, _ = clinic
    owned = psql(pg_server, location, "ada", PASSWORD,
        "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
        "WHERE c.relnamespace = 'public'::regnamespace AND r.rolcanlogin")[1]  # fmt: skip
    assert owned == "0"
    owners = psql(
        pg_server,
        location,
        "ada",
        PASSWORD,
        "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'",
    )[1]
    assert owners.endswith("_owner") and "\n" not in owners


def test_deactivating_disables_the_login_and_ends_its_connections(pg_server, clinic):
    location, _ = clinic
    dbname = location.rsplit("/", 1)[1]
    open_elsewhere = psycopg.connect(
        host="127.0.0.1", port=pg_server.port, dbname=dbname, user="fran", password=FRAN
    )
    admin = accounts.sign_in(location, "ada", PASSWORD)
    try:
        accounts.deactivate_user(admin, "fran")
    finally:
        admin.close()
    with pytest.raises(psycopg.OperationalError):
        open_elsewhere.execute("SELECT 1")
    with pytest.raises(AuthenticationFailed):
        accounts.sign_in(location, "fran", FRAN)
    code, _, err = psql(pg_server, location, "fran", FRAN, "SELECT 1")
    assert code != 0 and "not permitted to log in" in err


# What a review of the set-up found a staff login could still do; each is refused now.

DECOY = (
    "INSERT INTO therapy_group (name, track, group_type, open_enrollment, meeting_weekdays, "
    "length_minutes, soft_capacity, active, created_at) VALUES ('decoy', 'mental_health', "
    "'process', true, '', 60, 1, true, now())"
)


def test_enrolling_strangers_into_a_group_of_ones_own_shows_nobody(pg_server, server_location):
    ws = new_workspace(server_location)
    try:
        accounts.add_user(
            ws, username="fran", password=FRAN, full_name="Fran Testwood", role=Role.FACILITATOR
        )
        members(ws, group(ws), 2)
    finally:
        ws.close()
    code, _, err = psql(pg_server, server_location, "fran", FRAN,
        f"DO $$ DECLARE g int; BEGIN {DECOY} RETURNING id INTO g; "
        "INSERT INTO enrollment (member_id, group_id, start_date, status, discharge_reason) "
        "VALUES (1, g, current_date, 'active', ''); END $$")  # fmt: skip
    assert code != 0 and "row-level security" in err
    assert psql(pg_server, server_location, "fran", FRAN, "SELECT count(*) FROM member")[1] == "0"


def test_who_made_a_group_is_the_servers_to_say(pg_server, clinic):
    location, _ = clinic
    # fran staffs the group (the fixture): she may update it, not claim to have made it, which
    # would outlast her assignment.
    sql = "UPDATE therapy_group SET created_by_login = 'fran'"
    assert psql(pg_server, location, "fran", FRAN, sql)[1] == "UPDATE 1"
    owners = psql(
        pg_server, location, "ada", PASSWORD, "SELECT DISTINCT created_by_login FROM therapy_group"
    )
    assert owners[1] == "ada"  # the trigger kept who made it


def test_facilitators_write_only_their_own_place_in_the_settings(pg_server, clinic):
    location, _ = clinic
    root = "SELECT value FROM program_setting WHERE key = 'root_public_key'"
    before = psql(pg_server, location, "ada", PASSWORD, root)[1]
    code, out, _ = psql(pg_server, location, "fran", FRAN,
        "UPDATE program_setting SET value = repeat('ab', 32) WHERE key = 'root_public_key'")  # fmt: skip
    assert out == "UPDATE 0" and psql(pg_server, location, "ada", PASSWORD, root)[1] == before
    code, _, err = psql(pg_server, location, "fran", FRAN,
        "INSERT INTO program_setting (key, value) VALUES ('lock_minutes', '100000')")  # fmt: skip
    assert code != 0 and "row-level security" in err
    own = "INSERT INTO program_setting (key, value) VALUES ('last_place:fran', '1:check_in')"
    assert psql(pg_server, location, "fran", FRAN, own)[0] == 0


def test_no_one_plants_or_revokes_a_signing_key_of_someone_else(pg_server, clinic):
    location, _ = clinic
    lena = psql(
        pg_server, location, "fran", FRAN, "SELECT id FROM app_user WHERE username = 'lena'"
    )[1]
    code, _, err = psql(pg_server, location, "fran", FRAN,
        "INSERT INTO signing_key (user_id, public_key, certificate, created_at) "
        f"VALUES ({lena}, repeat('cd', 32), '', now())")  # fmt: skip
    assert code != 0 and "FACILITATOR_NOT_AUTHOR" in err
    code, _, err = psql(pg_server, location, "fran", FRAN,
        "UPDATE signing_key SET revoked_at = '2000-01-01', revocation = 'x'")  # fmt: skip
    assert code != 0 and "permission denied" in err


def test_a_username_never_changes_so_no_one_borrows_anothers(pg_server, clinic):
    location, _ = clinic
    code, _, err = psql(pg_server, location, "ada", PASSWORD,
        "UPDATE app_user SET username = 'ada~' WHERE username = 'ada'")  # fmt: skip
    assert code != 0 and "a username never changes" in err


def test_administrators_keep_only_this_clinics_logins_and_slots(pg_server, clinic):
    location, _ = clinic
    verifier = "SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy"
    code, _, err = psql(pg_server, location, "ada", PASSWORD,
        f"SELECT facilitator_logins.set_login('other_admin', '{verifier}', 'facilitator')")  # fmt: skip
    assert code != 0 and "keeps for itself" in err
    code, _, err = psql(pg_server, location, "ada", PASSWORD,
        "SELECT facilitator_logins.set_slot('nobody-yet', 'planted')")  # fmt: skip
    assert code != 0 and "for this clinic's staff" in err


def test_staff_make_no_temporary_tables_and_call_no_look_ups_of_their_own(pg_server, clinic):
    location, _ = clinic
    code, _, err = psql(pg_server, location, "fran", FRAN, "CREATE TEMP TABLE app_user (id int)")
    assert code != 0 and "permission denied" in err
    public_may = psql(pg_server, location, "ada", PASSWORD,
        "SELECT bool_or(has_function_privilege('public', p.oid, 'EXECUTE')) FROM pg_proc p "
        "WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef")[1]  # fmt: skip
    assert public_may == "f"


def test_a_draft_is_neither_frozen_nor_marked_signed_without_its_signature(
    pg_server, server_location, today
):
    ws = new_workspace(server_location)
    try:
        accounts.add_user(
            ws, username="fran", password=FRAN, full_name="Fran Testwood", role=Role.FACILITATOR
        )
        group_id = group(ws)
        visibility.assign(ws, group_id, "fran")
        member_ids = members(ws, group_id, 1)
        draft = started(ws, group_id, today)
        for sql in (
            f"INSERT INTO signed_content (session_id, body, created_at) VALUES ({draft}, '\\x00', now())",
            f"UPDATE session SET state = 'signed' WHERE id = {draft}",
        ):
            code, _, err = psql(pg_server, server_location, "fran", FRAN, sql)
            assert code != 0 and "signed only with its signature" in err, (sql, err)
        # Signing it for real still works: frozen record, signature and state together.
        ready_to_sign(ws, draft, member_ids)
        signing.sign_session(ws, draft, PASSWORD)
    finally:
        ws.close()


def test_one_marks_only_ones_own_password_as_chosen(pg_server, clinic):
    location, _ = clinic
    others = psql(pg_server, location, "fran", FRAN,
        "UPDATE app_user SET password_chosen = true WHERE username = 'lena'")  # fmt: skip
    assert others[1] == "UPDATE 0"
    assert psql(pg_server, location, "ada", PASSWORD,
        "SELECT password_chosen FROM app_user WHERE username = 'lena'")[1] == "f"  # fmt: skip
    code, _, err = psql(pg_server, location, "fran", FRAN,
        "UPDATE app_user SET full_name = 'Someone Else' WHERE username = 'fran'")  # fmt: skip
    assert code != 0 and "permission denied" in err
    mine = psql(pg_server, location, "fran", FRAN,
        "UPDATE app_user SET password_chosen = true WHERE username = 'fran'")  # fmt: skip
    assert mine[1] == "UPDATE 1"


def test_only_an_administrator_brings_a_laptops_seals_in_and_only_as_named(pg_server, clinic):
    """A laptop's signature reaches the server only through an administrator's import, which
    names it in imported_seal first (`check` then verifies it with the laptop's keys): nobody
    else may name one, and an administrator may not write another's signature unnamed."""
    location, session_id = clinic
    lena_id = psql(pg_server, location, "ada", PASSWORD,
                   "SELECT id FROM app_user WHERE username = 'lena'")[1]  # fmt: skip
    named = (
        "INSERT INTO laptop_import (id, imported_at, imported_by, workstation, source, "
        "root_public_key, sealed_before, sealed_before_signature, audit_entries, audit_head, "
        "counts, certificate) VALUES (900, now(), 1, '', 'x.db', 'k', '{}', '', 0, '', '{}', 'c');"
        "INSERT INTO imported_seal (laptop_import_id, kind, server_id, origin_id, "
        "origin_session_id, origin_user_id) VALUES (900, 'signature', 900, 1, 1, 1);"
    )
    cosign = (
        "INSERT INTO signature (id, session_id, user_id, kind, signed_at, content_hash) "
        f"VALUES (%s, {session_id}, {lena_id}, 'cosign', now(), 'x')"
    )
    for user, password in (("fran", FRAN), ("lena", LENA)):
        code, _, err = psql(pg_server, location, user, password, named)
        assert code != 0 and "permission denied" in err, (user, err)
    code, _, err = psql(pg_server, location, "ada", PASSWORD, cosign % 901)
    assert code != 0 and "FACILITATOR_NOT_AUTHOR" in err
    code, _, err = psql(pg_server, location, "ada", PASSWORD, named + (cosign % 900))
    assert code == 0, err
