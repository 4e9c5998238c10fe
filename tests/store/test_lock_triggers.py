"""The database itself refuses changes to a signed session, on both engines."""

import pytest
from peewee import DatabaseError

from facilitator.services import signing
from tests.conftest import PASSWORD
from tests.factories import group, members, ready_to_sign, started
from tests.tampering import owner_db

CONTENT_TABLES = (
    "phase_log",
    "attendance",
    "check_in",
    "member_note",
    "group_note",
    "homework_assignment",
    "homework_review",
)


@pytest.fixture
def signed(ws, today):
    group_id = group(ws)
    member_ids = members(ws, group_id, 2)
    session_id = started(ws, group_id, today)
    ready_to_sign(ws, session_id, member_ids)
    signing.sign_session(ws, session_id, PASSWORD)
    return session_id, member_ids


def _refused(ws, sql):
    """Refused by the trigger even to the owner's rights; a staff login on a server is
    refused too (by the trigger, or before it by having no such privilege)."""
    with owner_db(ws) as db, pytest.raises(DatabaseError, match="FACILITATOR_LOCKED"), db.atomic():
        db.execute_sql(sql)
    db = ws.store.db
    with pytest.raises(DatabaseError, match=r"FACILITATOR_LOCKED|permission denied"), db.atomic():
        db.execute_sql(sql)


@pytest.mark.parametrize("table", ["attendance", "check_in", "member_note", "group_note"])
def test_signed_content_cannot_be_updated_or_deleted(ws, signed, table):
    session_id, _ = signed
    column = {
        "attendance": "location",
        "check_in": "current_issue",
        "member_note": "plan",
        "group_note": "summary",
    }[table]
    _refused(ws, f"UPDATE {table} SET {column} = 'tampered' WHERE session_id = {session_id}")
    _refused(ws, f"DELETE FROM {table} WHERE session_id = {session_id}")


def test_rows_cannot_be_added_to_a_signed_session(ws, signed):
    session_id, member_ids = signed
    _refused(
        ws,
        "INSERT INTO homework_assignment (session_id, member_id, title, instructions) "
        f"VALUES ({session_id}, {member_ids[0]}, 'x', 'y')",
    )


def test_signed_session_row_and_signatures_are_frozen(ws, signed):
    session_id, _ = signed
    _refused(ws, f"UPDATE session SET mode = 'telehealth' WHERE id = {session_id}")
    _refused(ws, f"UPDATE session SET state = 'draft' WHERE id = {session_id}")
    _refused(ws, f"DELETE FROM session WHERE id = {session_id}")
    _refused(ws, f"UPDATE signature SET content_hash = 'x' WHERE session_id = {session_id}")
    _refused(ws, f"DELETE FROM signature WHERE session_id = {session_id}")


def test_draft_sessions_stay_editable_at_the_database_level(ws, today):
    group_id = group(ws)
    members(ws, group_id, 1)
    session_id = started(ws, group_id, today)
    ws.store.db.execute_sql(
        f"UPDATE attendance SET location = 'telehealth' WHERE session_id = {session_id}"
    )


def test_every_content_table_has_its_triggers(ws):
    db = ws.store.db
    if ws.store.is_postgres:
        rows = db.execute_sql(
            "SELECT event_object_table FROM information_schema.triggers"
        ).fetchall()
    else:
        rows = db.execute_sql(
            "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'"
        ).fetchall()
    guarded = {row[0] for row in rows}
    assert set(CONTENT_TABLES) | {"session", "signature", "addendum"} <= guarded
