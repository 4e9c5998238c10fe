"""Exports never write over the records, and over another file only when told to (issue 11,
finding 1: `export session 1 -o clinic.db` replaced the database with a PDF and said so)."""

from pathlib import Path

import pytest

from facilitator.domain.errors import FacilitatorError
from facilitator.services.outputs import output_path
from tests.test_cli import _signed_session, one_line_error, run

# SQLCipher's salt: a file written over has another. (Page 1 itself changes as the database
# grows: its header holds the size in pages, and every refusal adds a signed audit entry.)
DB_BYTES_CHECK = 16


@pytest.fixture
def exported(sqlite_location):
    done = run("--db", sqlite_location, "users", "add", "ada", "--name", "Ada Testwood")
    assert done.returncode == 0, done.stderr
    session_id, *_rest = _signed_session(sqlite_location)
    return sqlite_location, session_id


def _opens(location: str) -> bool:
    return run("--db", location, "--user", "ada", "check").returncode == 0


def test_no_export_replaces_the_database_or_its_key_file(exported, tmp_path):
    location, session_id = exported
    user = ("--db", location, "--user", "ada")
    before = (Path(location).read_bytes()[:DB_BYTES_CHECK], Path(location + ".keys").read_bytes())
    for target, extra in (
        (location, ()),
        (location, ("--force",)),
        (location + ".keys", ("--force",)),
    ):
        line = one_line_error(
            run(*user, "export", "session", str(session_id), "-o", target, *extra), 1
        )
        assert "never written over" in line
    line = one_line_error(
        run(*user, "report", "--from", "2026-03-01", "--to", "2026-03-31", "-o", location), 1
    )
    assert "never written over" in line
    line = one_line_error(run(*user, "library", "export", "1", "-o", location + ".keys"), 1)
    assert "key file" in line or "database" in line
    after = (Path(location).read_bytes()[:DB_BYTES_CHECK], Path(location + ".keys").read_bytes())
    assert after == before and _opens(location)


def test_a_backup_is_never_written_over(exported, tmp_path):
    location, session_id = exported
    user = ("--db", location, "--user", "ada")
    backup = tmp_path / "monday.db"
    assert run(*user, "backup", "-o", str(backup)).returncode == 0
    kept = backup.read_bytes()
    for target in (backup, Path(f"{backup}.keys")):
        line = one_line_error(
            run(*user, "export", "session", str(session_id), "-o", str(target), "--force"), 1
        )
        assert "never written over" in line
    assert backup.read_bytes() == kept


def test_an_existing_file_is_replaced_only_with_force(exported, tmp_path):
    location, session_id = exported
    user = ("--db", location, "--user", "ada")
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"someone's own file")
    line = one_line_error(run(*user, "export", "session", str(session_id), "-o", str(letter)), 1)
    assert "already exists; add --force" in line
    assert letter.read_bytes() == b"someone's own file"
    done = run(*user, "export", "session", str(session_id), "-o", str(letter), "--force")
    assert done.returncode == 0, done.stderr
    assert letter.read_bytes().startswith(b"%PDF")
    folder = tmp_path / "records"
    period = ("--from", "2026-03-01", "--to", "2026-03-31", "-o", str(folder))
    assert run(*user, "export", "sessions", *period).returncode == 0
    first = sorted(folder.iterdir())[0]
    first.write_bytes(b"edited by hand")
    line = one_line_error(run(*user, "export", "sessions", *period), 1)
    assert "add --force" in line and first.read_bytes() == b"edited by hand"
    assert run(*user, "export", "sessions", *period, "--force").returncode == 0
    assert first.read_bytes().startswith(b"%PDF")


def test_the_rule_itself(tmp_path):
    database = str(tmp_path / "clinic.db")
    Path(database).write_bytes(b"x")
    for name in ("clinic.db", "clinic.db.keys", "clinic.db-wal", "clinic.db.before-0005.bak"):
        with pytest.raises(FacilitatorError, match="never written over"):
            output_path(tmp_path / name, database=database, force=True)
    with pytest.raises(FacilitatorError, match="is a folder"):
        output_path(tmp_path, database=database, force=True)
    fresh = output_path(tmp_path / "new.pdf", database=database)
    assert fresh == tmp_path / "new.pdf"
