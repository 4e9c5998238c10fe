"""A database saved at the first schema version upgrades in place, with a backup first."""

import shutil
from pathlib import Path

import pytest

from facilitator.services import accounts, integrity, sessions
from facilitator.store import database
from facilitator.store.keys import keys_path_for
from tests.fixtures.make_v1_database import PASSWORD, USERNAME

FIXTURE = Path(__file__).parents[1] / "fixtures" / "v1" / "clinic.db"


@pytest.fixture
def v1_copy(tmp_path):
    target = tmp_path / "clinic.db"
    shutil.copy2(FIXTURE, target)
    shutil.copy2(keys_path_for(FIXTURE), keys_path_for(target))
    return target


def test_upgrade_keeps_records_backs_up_and_adds_the_lock(v1_copy):
    original = v1_copy.read_bytes()
    ws = accounts.sign_in(str(v1_copy), USERNAME, PASSWORD)
    try:
        applied, pending = database.schema_versions(ws.store)
        assert pending == [] and applied[0] == "0001_initial" and len(applied) >= 2
        record = sessions.load(1)
        assert record.attendance[0].display_name == "Zoë Nguyễn-Fable"
        assert record.check_ins[0].mood == 6
        report = integrity.check(ws)
        assert report.ok, report.problems
        assert report.signed_sessions == 1
        triggers = ws.store.db.execute_sql(
            "SELECT count(*) FROM sqlite_master WHERE type='trigger'"
        ).fetchone()[0]
        assert triggers > 0
    finally:
        ws.close()
    backups = sorted(v1_copy.parent.glob("clinic.db.before-*.bak"))
    assert len(backups) == 1
    assert backups[0].read_bytes() == original
    assert keys_path_for(backups[0]).exists()


def test_an_up_to_date_database_is_not_backed_up_again(v1_copy):
    accounts.sign_in(str(v1_copy), USERNAME, PASSWORD).close()
    accounts.sign_in(str(v1_copy), USERNAME, PASSWORD).close()
    assert len(list(v1_copy.parent.glob("clinic.db.before-*.bak"))) == 1


def test_upgrade_indexes_the_library_items_already_there_for_search(v1_copy):
    from facilitator.services import library

    ws = accounts.sign_in(str(v1_copy), USERNAME, PASSWORD)
    try:
        items, indexed = ws.store.db.execute_sql(
            "SELECT (SELECT count(*) FROM homework_item), (SELECT count(*) FROM homework_item_search)"
        ).fetchone()
        assert items > 0 and indexed == items
        empty = ws.store.db.execute_sql(
            "SELECT count(*) FROM homework_item WHERE search_text = ''"
        ).fetchone()[0]
        assert empty == 0
        assert library.search("urge surfing")[0].title == "Urge Surfing"
        assert library.curriculum(1).steps == ()
    finally:
        ws.close()


def test_upgrade_freezes_earlier_signed_sessions_whose_seals_hold(v1_copy):
    """A session signed before records were frozen is frozen at the upgrade from its rows as
    they are (its seal still the first kind, over the same content): renaming its member
    afterwards changes neither what it shows nor `check`."""
    from facilitator.services import roster

    ws = accounts.sign_in(str(v1_copy), USERNAME, PASSWORD)
    try:
        record = sessions.load(1)
        assert record.frozen is not None and record.signatures[0].canonical_version == 1
        member_id = record.attendance[0].member_id
        roster.update_member(ws, member_id, first_name="Renamed", last_name="Person")
        again = sessions.load(1)
        assert again == record and again.attendance[0].display_name == "Zoë Nguyễn-Fable"
        assert again.signatures[0].signer == record.signatures[0].signer
        report = integrity.check(ws)
        assert report.ok, report.problems
    finally:
        ws.close()


def test_upgrade_keeps_old_seals_as_sha256_and_signs_from_then_on(v1_copy):
    """An administrator's first sign-in makes the root key and their own key; the seal made
    before keeps verifying as a SHA-256 seal, marked as such; new audit entries are signed."""
    from facilitator.services import audit
    from facilitator.store import signing_keys

    ws = accounts.sign_in(str(v1_copy), USERNAME, PASSWORD)
    try:
        assert signing_keys.root_public_key() is not None
        assert ws.signer is not None
        report = integrity.check(ws)
        assert report.ok, report.problems
        assert any("1 signatures and addenda are SHA-256 seals" in n for n in report.notes)
        newest = audit.entries(ws)[0]
        assert newest.key_id == ws.signer.key_id and newest.signature
    finally:
        ws.close()
    again = accounts.sign_in(str(v1_copy), USERNAME, PASSWORD)  # the key is kept, not remade
    try:
        assert again.signer is not None and again.signer.key_id == ws.signer.key_id
        assert audit.verify().ok
    finally:
        again.close()
