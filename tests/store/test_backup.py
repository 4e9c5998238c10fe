"""Backups of the embedded file: one encrypted snapshot, verified, restorable only as new."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from facilitator.domain.errors import (
    AuthenticationFailed,
    IntegrityProblem,
    NotFound,
    RuleViolation,
    UsageError,
)
from facilitator.services import accounts
from facilitator.store import backup
from facilitator.store.keys import keys_path_for
from tests.conftest import PASSWORD, new_workspace
from tests.factories import group, members

ROOT = Path(__file__).resolve().parents[2]


def corrupt(path: Path, pages: tuple[float, ...] = (0.3, 0.45, 0.6, 0.75)) -> None:
    """Flip 32 bytes inside several pages in the middle of a file (never page 1)."""
    count = path.stat().st_size // backup.PAGE_BYTES
    with open(path, "r+b") as handle:
        for share in pages:
            page = max(1, int(count * share))
            handle.seek(page * backup.PAGE_BYTES + 1000)
            data = handle.read(32)
            handle.seek(page * backup.PAGE_BYTES + 1000)
            handle.write(bytes(b ^ 0xFF for b in data))


def copy_with_keys(source: Path, folder: Path) -> Path:
    folder.mkdir()
    shutil.copy(source, folder / source.name)
    shutil.copy(keys_path_for(source), keys_path_for(folder / source.name))
    return folder / source.name


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def clinic_ws(sqlite_location):
    ws = new_workspace(sqlite_location)
    members(ws, group(ws), 4)
    yield ws
    ws.close()


def raw_rows(path: Path, key: bytes, sql: str) -> list[tuple[object, ...]]:
    conn = backup.connect_keyed(path, key)
    try:
        return list(conn.execute(sql).fetchall())
    finally:
        conn.close()


# ----------------------------------------------------------------------------- backing up


def test_backup_is_encrypted_private_verified_and_has_its_key_file(clinic_ws, tmp_path):
    target = tmp_path / "copies" / "clinic-copy.db"
    target.parent.mkdir()
    report = backup.backup_to(clinic_ws.store, target)

    assert report.path == target and report.keys_path == keys_path_for(target)
    data = target.read_bytes()
    assert data[:16] != b"SQLite format 3\x00"
    for clear in (b"Quillfeather", b"Ada Testwood", b"Evening Recovery A"):
        assert clear not in data
    assert os.stat(target).st_mode & 0o777 == 0o600
    assert os.stat(report.keys_path).st_mode & 0o777 == 0o600
    source_keys = keys_path_for(Path(clinic_ws.store.location))
    assert report.keys_path.read_bytes() == source_keys.read_bytes()
    assert report.counts["member"] == 4 and report.counts["enrollment"] == 4
    assert report.rows == sum(report.counts.values()) and report.tables == len(report.counts)
    # Only the finished backup and its key file: no temporary file is left beside them.
    assert files_in(target.parent) == ["clinic-copy.db", "clinic-copy.db.keys"]
    # It opens with the database's key (which the key file unwraps) and holds the same rows.
    key = backup.key_of_backup(target, "ada", PASSWORD)
    assert key == clinic_ws.store._key
    assert backup.verify_backup(target, key) == dict(report.counts)
    assert raw_rows(target, key, "PRAGMA journal_mode") == [("delete",)]


def test_backup_refuses_an_existing_file_and_the_database_itself(clinic_ws, tmp_path):
    taken = tmp_path / "taken.db"
    taken.write_bytes(b"something else")
    with pytest.raises(RuleViolation, match="already exists"):
        backup.backup_to(clinic_ws.store, taken)
    assert taken.read_bytes() == b"something else"
    keys_only = tmp_path / "lonely.db"
    keys_path_for(keys_only).write_text("{}")
    with pytest.raises(RuleViolation, match="already exists"):
        backup.backup_to(clinic_ws.store, keys_only)
    with pytest.raises(RuleViolation):
        backup.backup_to(clinic_ws.store, Path(clinic_ws.store.location))
    with pytest.raises(Exception, match="no folder"):
        backup.backup_to(clinic_ws.store, tmp_path / "missing" / "x.db")


def test_a_server_database_is_not_backed_up_here(ws, tmp_path):
    if not ws.store.is_postgres:
        assert backup.backup_to(ws.store, tmp_path / "ok.db").path.is_file()
        return
    with pytest.raises(UsageError, match="pg_dump"):
        backup.backup_to(ws.store, tmp_path / "x.db")
    with pytest.raises(UsageError, match="pg_dump"):
        backup.default_backup_folder(ws.store.location)
    assert list(backup.iter_candidates(ws.store.location)) == []
    assert not (tmp_path / "x.db").exists()


def test_counts_and_pages_come_from_one_snapshot(clinic_ws, tmp_path, monkeypatch):
    """A commit from another connection between counting and copying is in neither."""
    path, key = Path(clinic_ws.store.location), clinic_ws.store._key
    real_counts = backup.table_counts
    calls = []

    def count_then_commit_elsewhere(conn):
        counts = real_counts(conn)
        if not calls:  # the first count is the source's, inside the backup's read transaction
            other = backup.connect_keyed(path, key)
            try:
                other.execute("PRAGMA busy_timeout = 5000")
                other.execute(
                    "INSERT INTO program_setting (key, value) VALUES ('after-snapshot', 'x')"
                )
            finally:
                other.close()
        calls.append(counts)
        return counts

    monkeypatch.setattr(backup, "table_counts", count_then_commit_elsewhere)
    report = backup.backup_to(clinic_ws.store, tmp_path / "snap.db")
    monkeypatch.undo()
    assert len(calls) == 2  # the source, then the copy while verifying: equal
    assert report.counts["program_setting"] == calls[0]["program_setting"]
    rows = raw_rows(report.path, key, "SELECT key FROM program_setting")
    assert ("after-snapshot",) not in rows
    # The commit itself happened and is in the database.
    assert ("after-snapshot",) in raw_rows(path, key, "SELECT key FROM program_setting")


def test_a_copy_that_fails_verification_is_deleted(clinic_ws, tmp_path, monkeypatch):
    real_snapshot = backup._snapshot

    def damaged(store, part, key):
        counts = real_snapshot(store, part, key)
        corrupt(part)
        return counts

    monkeypatch.setattr(backup, "_snapshot", damaged)
    with pytest.raises(IntegrityProblem, match="damaged"):
        backup.backup_to(clinic_ws.store, tmp_path / "bad.db")
    assert not any(name.startswith(("bad", ".bad")) for name in files_in(tmp_path))

    def miscounted(store, part, key):
        counts = real_snapshot(store, part, key)
        counts["member"] += 1
        return counts

    monkeypatch.setattr(backup, "_snapshot", miscounted)
    with pytest.raises(IntegrityProblem, match="table member has 4 rows instead of 5"):
        backup.backup_to(clinic_ws.store, tmp_path / "bad.db")
    assert not any(name.startswith(("bad", ".bad")) for name in files_in(tmp_path))


def test_verification_names_damage_and_plain_files(clinic_ws, tmp_path):
    report = backup.backup_to(clinic_ws.store, tmp_path / "b.db")
    key = clinic_ws.store._key
    broken = tmp_path / "broken.db"
    shutil.copy(report.path, broken)
    corrupt(broken)
    with pytest.raises(IntegrityProblem, match=r"broken\.db .*damaged"):
        backup.verify_backup(broken, key)
    short = tmp_path / "short.db"
    short.write_bytes(report.path.read_bytes()[:-100])
    with pytest.raises(IntegrityProblem, match="cut short"):
        backup.verify_backup(short, key)
    plain = tmp_path / "plain.db"
    plain.write_bytes(b"SQLite format 3\x00" + bytes(4096 - 16))
    with pytest.raises(IntegrityProblem, match="not encrypted"):
        backup.verify_backup(plain, key)
    with pytest.raises(IntegrityProblem, match="does not open with its key"):
        backup.verify_backup(report.path, bytes(32))


def test_a_backup_taken_during_writes_is_one_consistent_point(clinic_ws, tmp_path):
    """A writer process adds a member and their enrollment in one transaction, continuously."""
    group_id = group(clinic_ws, "Writers Group")
    env = {**os.environ, "FACILITATOR_PASSWORD": PASSWORD}
    writer = subprocess.Popen(
        [
            *(sys.executable, "-m", "tests.writer_driver"),
            *(clinic_ws.store.location, "ada", "members", str(group_id), "W-"),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    reports, acknowledged_before = [], []
    acknowledged = 0
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "ready"
        for n in range(4):
            for _ in range(5 + 10 * n):  # let some commits land between backups
                assert writer.stdout.readline().strip() == str(acknowledged)
                acknowledged += 1
            acknowledged_before.append(acknowledged)
            reports.append(backup.backup_to(clinic_ws.store, tmp_path / f"during-{n}.db"))
        writer.kill()
        for line in writer.stdout.read().splitlines():
            assert line == str(acknowledged)
            acknowledged += 1
    finally:
        writer.kill()
        writer.wait()
    key = clinic_ws.store._key
    numbers_seen = []
    for report, before in zip(reports, acknowledged_before, strict=True):
        backup.verify_backup(report.path, key, report.counts)
        member_numbers = {
            int(r[0][2:])
            for r in raw_rows(
                report.path, key, "SELECT record_number FROM member WHERE record_number LIKE 'W-%'"
            )
        }
        enrolled_numbers = {
            int(r[0][2:])
            for r in raw_rows(
                report.path,
                key,
                "SELECT m.record_number FROM enrollment e JOIN member m ON m.id = e.member_id"
                f" WHERE m.record_number LIKE 'W-%' AND e.group_id = {group_id}",
            )
        }
        # Never a member without the enrollment committed with it (nor the other way round),
        # and the writer's commits form an unbroken prefix: the state at one moment.
        assert member_numbers == enrolled_numbers
        assert member_numbers == set(range(len(member_numbers)))
        # Everything acknowledged before the backup began is in it.
        assert len(member_numbers) >= before
        assert len(member_numbers) <= acknowledged + 1  # a commit killed before its line
        assert report.counts["member"] == 4 + len(member_numbers)
        numbers_seen.append(len(member_numbers))
    assert numbers_seen == sorted(numbers_seen)
    assert numbers_seen[-1] < acknowledged  # the writer went on after the last backup


# ----------------------------------------------------------------------------- restoring


def test_restore_copies_into_a_new_location_that_opens_with_the_same_passwords(clinic_ws, tmp_path):
    report = backup.backup_to(clinic_ws.store, tmp_path / "b.db")
    clinic_ws.close()
    new = tmp_path / "restored" / "clinic.db"
    restored = backup.restore(report.path, new, "ada", PASSWORD)
    assert restored.path == new and dict(restored.counts) == dict(report.counts)
    assert files_in(new.parent) == ["clinic.db", "clinic.db.keys"]
    assert os.stat(new).st_mode & 0o777 == 0o600
    assert os.stat(keys_path_for(new)).st_mode & 0o777 == 0o600
    ws = accounts.sign_in(str(new), "ada", PASSWORD)
    try:
        assert ws.actor.username == "ada"
    finally:
        ws.close()
    with pytest.raises(AuthenticationFailed):
        accounts.sign_in(str(new), "ada", "not-the-password")


def test_restore_refuses_existing_targets_and_incomplete_backups(clinic_ws, tmp_path):
    report = backup.backup_to(clinic_ws.store, tmp_path / "b.db")
    existing = Path(clinic_ws.store.location)
    before = existing.read_bytes()
    with pytest.raises(RuleViolation, match="already exists"):
        backup.restore(report.path, existing, "ada", PASSWORD)
    assert existing.read_bytes() == before
    keys_only = tmp_path / "k" / "new.db"
    keys_only.parent.mkdir()
    keys_path_for(keys_only).write_text("{}")
    with pytest.raises(RuleViolation, match="already exists"):
        backup.restore(report.path, keys_only, "ada", PASSWORD)
    assert files_in(keys_only.parent) == ["new.db.keys"]

    target = tmp_path / "fresh" / "new.db"
    with pytest.raises(NotFound):
        backup.restore(tmp_path / "nothing.db", target, "ada", PASSWORD)
    with pytest.raises(AuthenticationFailed):
        backup.restore(report.path, target, "ada", "not-the-password")
    no_keys = tmp_path / "no-keys.db"
    shutil.copy(report.path, no_keys)
    with pytest.raises(RuleViolation, match="no key file"):
        backup.restore(no_keys, target, "ada", PASSWORD)
    live = Path(clinic_ws.store.location)
    members(clinic_ws, group(clinic_ws, "Open Group"), 1)  # the live file has a WAL beside it
    with pytest.raises(RuleViolation, match="in use"):
        backup.restore(live, target, "ada", PASSWORD)
    assert not target.exists() and not keys_path_for(target).exists()


def test_backups_and_restores_are_refused_in_a_cloud_folder_before_anything_is_copied(
    clinic_ws, tmp_path
):
    """Findings: `restore` into a cloud folder copied the database there before refusing;
    `backup -o` into one was allowed."""
    synced = tmp_path / "Dropbox"
    synced.mkdir()
    with pytest.raises(RuleViolation, match="Dropbox"):
        backup.backup_to(clinic_ws.store, synced / "b.db")
    report = backup.backup_to(clinic_ws.store, tmp_path / "b.db")
    with pytest.raises(RuleViolation, match="Dropbox"):
        backup.restore(report.path, synced / "restored" / "clinic.db", "ada", PASSWORD)
    assert files_in(synced) == []  # not a byte, not even a folder


def test_an_empty_database_file_is_not_made_a_new_database(clinic_ws, tmp_path):
    """Finding: a 0-byte database file with a valid key file silently became a new, empty
    database. It is damage: exit 5, nothing written."""
    clinic_ws.close()
    emptied = copy_with_keys(Path(clinic_ws.store.location), tmp_path / "emptied")
    emptied.write_bytes(b"")
    with pytest.raises(IntegrityProblem, match=r"clinic\.db is empty .*restore"):
        accounts.sign_in(str(emptied), "ada", PASSWORD)
    assert emptied.read_bytes() == b""
    assert files_in(emptied.parent) == ["clinic.db", "clinic.db.keys"]


def test_a_damaged_backup_is_not_restored(clinic_ws, tmp_path):
    report = backup.backup_to(clinic_ws.store, tmp_path / "b.db")
    corrupt(report.path)
    target = tmp_path / "restored" / "new.db"
    with pytest.raises(IntegrityProblem, match=r"b\.db .*damaged"):
        backup.restore(report.path, target, "ada", PASSWORD)
    assert files_in(target.parent) == []


# ----------------------------------------------------------------------------- opening


@pytest.mark.parametrize(
    "pages",
    [(0.3, 0.45, 0.6, 0.75), (0.8, 0.9)],
    ids=["schema-and-data-pages", "data-pages-only"],
)
def test_a_damaged_database_is_refused_at_open_with_a_clear_problem(clinic_ws, tmp_path, pages):
    clinic_ws.close()
    damaged = tmp_path / "damaged" / "clinic.db"
    damaged.parent.mkdir()
    shutil.copy(clinic_ws.store.location, damaged)
    shutil.copy(keys_path_for(Path(clinic_ws.store.location)), keys_path_for(damaged))
    accounts.sign_in(str(damaged), "ada", PASSWORD).close()  # the copy itself is fine
    corrupt(damaged, pages)
    before = damaged.read_bytes()
    with pytest.raises(IntegrityProblem) as caught:
        accounts.sign_in(str(damaged), "ada", PASSWORD)
    message = str(caught.value)
    assert "clinic.db" in message and "backup" in message and "\n" not in message
    assert damaged.read_bytes() == before  # nothing was written to it


# ----------------------------------------------------------------------------- retention


def test_retention_keeps_seven_days_and_four_earlier_weeks():
    days = [dt.date(2026, 1, 1) + dt.timedelta(n) for n in range(40)]  # Thu 1 Jan - Mon 9 Feb
    kept = backup.to_keep(days)
    dailies = {dt.date(2026, 2, d) for d in range(3, 10)}
    # Feb 2-8 is covered by the dailies; then the newest of each of the 4 weeks before it.
    weeklies = {dt.date(2026, 2, 1), dt.date(2026, 1, 25), dt.date(2026, 1, 18)}
    assert kept == dailies | weeklies | {dt.date(2026, 1, 11)}
    # Gaps: only the days that exist count, and a short history keeps everything.
    assert backup.to_keep(days[:5]) == set(days[:5])
    sparse = [dt.date(2026, 3, 2) + dt.timedelta(7 * n) for n in range(15)]  # one a week
    assert backup.to_keep(sparse) == set(sorted(sparse)[-11:])


def test_a_large_file_is_checked_after_sign_in_and_damage_stops_writes(
    clinic_ws, tmp_path, monkeypatch
):
    """Above the size checked at open (lowered here), the check runs on its own thread; damage
    stops every change (nothing more is written) and says to restore."""
    from facilitator.services import integrity, roster
    from facilitator.store import database

    # Damage where signing in does not look (an index of a table it neither reads nor
    # writes), so only the background check can find it.
    (rootpage,) = clinic_ws.store.db.execute_sql(
        "SELECT rootpage FROM sqlite_master WHERE name = 'groupstaff_user_id'"
    ).fetchone()
    clinic_ws.close()
    damaged = tmp_path / "damaged" / "clinic.db"
    damaged.parent.mkdir()
    shutil.copy(clinic_ws.store.location, damaged)
    shutil.copy(keys_path_for(Path(clinic_ws.store.location)), keys_path_for(damaged))
    with open(damaged, "r+b") as handle:  # page n (from 1) starts at (n - 1) pages in
        handle.seek((rootpage - 1) * backup.PAGE_BYTES + 1000)
        data = handle.read(32)
        handle.seek((rootpage - 1) * backup.PAGE_BYTES + 1000)
        handle.write(bytes(b ^ 0xFF for b in data))
    monkeypatch.setattr(database, "QUICK_CHECK_AT_OPEN_LIMIT", 0)
    ws = accounts.sign_in(str(damaged), "ada", PASSWORD)  # not checked at open any more
    try:
        told: list[str] = []
        thread = integrity.start_background_check(ws, told.append)
        assert thread is not None
        thread.join(timeout=60)
        assert told and "damaged" in told[0] and "restore" in told[0]
        before = damaged.read_bytes()
        with pytest.raises(IntegrityProblem, match="damaged"):
            roster.create_member(ws, first_name="Nia", last_name="Quillby", record_number="Q-1")
        assert damaged.read_bytes() == before
    finally:
        ws.close()
    monkeypatch.setattr(database, "QUICK_CHECK_AT_OPEN_LIMIT", 10**12)
    with pytest.raises(IntegrityProblem):  # and at the next open, under the usual limit
        accounts.sign_in(str(damaged), "ada", PASSWORD)
