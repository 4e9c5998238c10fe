"""The embedded database is encrypted, durable, and opens only for the right password."""

import os

import pytest

from facilitator.domain.errors import AuthenticationFailed, IntegrityProblem, NotFound
from facilitator.services import accounts
from facilitator.store import database, locations
from facilitator.store.keys import keys_path_for
from tests.conftest import PASSWORD, new_workspace
from tests.factories import group, members


def test_file_is_encrypted_and_holds_no_names_in_clear(sqlite_location):
    ws = new_workspace(sqlite_location)
    members(ws, group(ws), 3)
    ws.close()
    data = open(sqlite_location, "rb").read()
    assert not data.startswith(b"SQLite format 3")
    for clear in (
        "Quillfeather",
        "Bramblewood",
        "Nguyễn-Fable",
        "Evening Recovery A",
        "Ada Testwood",
    ):
        assert clear.encode() not in data
    # Closing folds the WAL into the file: nothing is left beside it in clear either.
    wal = sqlite_location + "-wal"
    assert not os.path.exists(wal) or b"Quillfeather" not in open(wal, "rb").read()


def test_durability_settings_are_read_back(sqlite_location):
    ws = new_workspace(sqlite_location)
    db = ws.store.db
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    ws.close()


@pytest.mark.parametrize("password", ["", "not-the-password", PASSWORD.upper()])
def test_wrong_or_empty_password_never_opens(sqlite_location, password):
    new_workspace(sqlite_location).close()
    before = open(sqlite_location, "rb").read()
    with pytest.raises(AuthenticationFailed):
        accounts.sign_in(sqlite_location, "ada", password)
    assert open(sqlite_location, "rb").read() == before


def test_opening_a_missing_file_creates_nothing(tmp_path):
    target = tmp_path / "nothing-here.db"
    with pytest.raises(NotFound):
        accounts.sign_in(str(target), "ada", PASSWORD)
    with pytest.raises(AuthenticationFailed):
        accounts.sign_in(str(target), "ada", "")
    assert list(tmp_path.iterdir()) == []


def test_replaced_file_is_refused_as_damaged(sqlite_location, tmp_path):
    new_workspace(sqlite_location).close()
    other = tmp_path / "other" / "clinic.db"
    new_workspace(str(other)).close()
    # Same password, different database key: the slot file does not match the data file.
    os.replace(other, sqlite_location)
    with pytest.raises(IntegrityProblem, match="does not open with its key"):
        accounts.sign_in(sqlite_location, "ada", PASSWORD)


def test_new_file_and_key_file_are_private(sqlite_location):
    new_workspace(sqlite_location).close()
    assert os.stat(sqlite_location).st_mode & 0o077 == 0
    assert os.stat(keys_path_for(database.Path(sqlite_location))).st_mode & 0o077 == 0


def test_creating_over_an_existing_database_is_refused(sqlite_location):
    new_workspace(sqlite_location).close()
    with pytest.raises(Exception, match="already exists"):
        new_workspace(sqlite_location)


def test_server_url_is_described_without_its_password():
    url = "postgresql://clinic:s3cret@db.example:5433/iop"
    assert locations.describe(url) == "postgresql://db.example:5433/iop"
