"""Backing up and restoring through the services: same users, passwords and records after."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from facilitator.domain.errors import AuthenticationFailed, IntegrityProblem, UsageError
from facilitator.services import accounts, audit, backup, home, roster, sessions, signing
from facilitator.store.keys import keys_path_for
from tests.conftest import PASSWORD
from tests.factories import group, members, ready_to_sign, started
from tests.store.test_backup import corrupt

FINN_PASSWORD = "finns-password-0001"


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    """platformdirs' user data folder, moved into the test's own folder."""
    folder = tmp_path / "data-home"
    monkeypatch.setenv("XDG_DATA_HOME", str(folder))
    return folder


def _fill(ws) -> None:
    group_id = group(ws)
    people = members(ws, group_id, 3, since=dt.date(2026, 2, 2))
    signed = started(ws, group_id, dt.date(2026, 3, 2))
    ready_to_sign(ws, signed, people)
    signing.sign_session(ws, signed, PASSWORD)
    draft = started(ws, group_id, dt.date(2026, 3, 4))
    sessions.record_check_in(ws, draft, people[0], mood=4, craving=7, current_issue="hard week")
    accounts.add_user(ws, username="finn", password=FINN_PASSWORD, full_name="Finn Larkspur")


def _state(ws):
    """What the records say, through the services."""
    listed = home.list_sessions(None, None, None)
    return {
        "sessions": listed,
        "records": {s.id: sessions.load(s.id) for s in listed},
        "members": roster.list_members(),
        "groups": roster.list_groups(),
        "audit": {e.id: e for e in audit.entries(ws)},
    }


def test_backup_then_restore_gives_the_same_users_passwords_and_records(ws, tmp_path, data_home):
    _fill(ws)
    if ws.store.is_postgres:
        with pytest.raises(UsageError, match="pg_dump"):
            backup.backup_now(ws, tmp_path / "b.db")
        with pytest.raises(UsageError, match="pg_dump"):
            backup.daily_backup(ws, tmp_path, dt.date(2026, 3, 2))
        with pytest.raises(UsageError, match="pg_dump"):
            backup.restore(tmp_path / "b.db", ws.store.location, "ada", PASSWORD)
        assert backup.latest_good(ws.store.location) is None
        refusals = audit.entries(ws, action="backup")
        assert refusals == []  # refused before anything was attempted
        return
    before = _state(ws)
    report = backup.backup_now(ws, tmp_path / "b.db")
    [entry] = audit.entries(ws, action="backup")
    assert entry.facts.outcome == "ok" and "b.db" in entry.facts.detail
    ws.close()

    new = tmp_path / "elsewhere" / "restored.db"
    restored = backup.restore(report.path, str(new), "ada", PASSWORD)
    assert dict(restored.counts) == dict(report.counts)
    with pytest.raises(AuthenticationFailed):
        accounts.sign_in(str(new), "finn", PASSWORD)
    finn = accounts.sign_in(str(new), "finn", FINN_PASSWORD)
    finn.close()
    again = accounts.sign_in(str(new), "ada", PASSWORD)
    try:
        after = _state(again)
        assert after["sessions"] == before["sessions"] and len(after["sessions"]) == 2
        assert after["records"] == before["records"]
        assert after["members"] == before["members"] and len(after["members"]) == 3
        assert after["groups"] == before["groups"]
        # The trail holds everything up to the backup, then the restore itself.
        old = {i: e for i, e in after["audit"].items() if i in before["audit"]}
        assert old == before["audit"]
        assert "restore" in {e.facts.action for e in after["audit"].values()}
        assert audit.verify().ok
    finally:
        again.close()


def test_daily_backups_keep_seven_days_and_four_weeks(ws, tmp_path, data_home, monkeypatch):
    monkeypatch.delenv("FACILITATOR_BACKUP_DIR")  # the user's data folder, as on a laptop
    if ws.store.is_postgres:
        with pytest.raises(UsageError, match="pg_dump"):
            backup.default_backup_folder(ws.store.location)
        return
    folder = backup.default_backup_folder(ws.store.location)
    assert folder == data_home / "Facilitator" / "backups" / "clinic"
    first = dt.date(2026, 1, 1)  # a Thursday; 40 days run to Monday 9 February
    for n in range(40):
        day = first + dt.timedelta(n)
        written = backup.daily_backup(ws, folder, day)
        assert written == folder / f"clinic-{day.isoformat()}.db"
        assert backup.daily_backup(ws, folder, day) is None  # once a day
    kept_days = [f"2026-02-0{d}" for d in range(3, 10)] + [
        "2026-02-01",
        "2026-01-25",
        "2026-01-18",
        "2026-01-11",
    ]
    expected = sorted(  # each with its key file and the audit trail's head (pruned with it)
        f"clinic-{d}.db{extra}" for d in kept_days for extra in ("", ".keys", ".head")
    )
    assert sorted(p.name for p in folder.iterdir()) == expected
    assert backup.latest_good(ws.store.location) == folder / "clinic-2026-02-09.db"
    assert len(audit.entries(ws, action="backup")) == 40


def test_latest_good_skips_backups_that_are_not_whole(
    sqlite_location, tmp_path, data_home, monkeypatch
):
    from tests.conftest import new_workspace

    monkeypatch.delenv("FACILITATOR_BACKUP_DIR")
    ws = new_workspace(sqlite_location)
    try:
        assert backup.latest_good(sqlite_location) is None
        folder = backup.default_backup_folder(sqlite_location)
        for day in (1, 2, 3, 4):
            backup.daily_backup(ws, folder, dt.date(2026, 3, day))
    finally:
        ws.close()
    newest, third, second = (folder / f"clinic-2026-03-0{d}.db" for d in (4, 3, 2))
    newest.write_bytes(newest.read_bytes()[:-512])  # cut short
    keys_path_for(third).unlink()  # no key file
    assert backup.latest_good(sqlite_location) == second
    corrupt(second)  # looks whole; only opening it shows the damage
    assert backup.latest_good(sqlite_location) == second
    assert backup.latest_good(sqlite_location, "ada", PASSWORD) == folder / "clinic-2026-03-01.db"
    # The offered backup restores into a new place and opens.
    new = tmp_path / "restored.db"
    backup.restore(folder / "clinic-2026-03-01.db", str(new), "ada", PASSWORD)
    accounts.sign_in(str(new), "ada", PASSWORD).close()


def test_a_failed_backup_is_audited_and_leaves_nothing(sqlite_location, tmp_path, monkeypatch):
    from facilitator.store import backup as store_backup
    from tests.conftest import new_workspace

    ws = new_workspace(sqlite_location)
    try:
        real = store_backup._snapshot

        def damaged(store, part, key):
            counts = real(store, part, key)
            corrupt(part)
            return counts

        monkeypatch.setattr(store_backup, "_snapshot", damaged)
        with pytest.raises(IntegrityProblem):
            backup.backup_now(ws, tmp_path / "bad.db")
        [entry] = audit.entries(ws, action="backup")
        assert entry.facts.outcome == "failed"
        assert not any(p.name.startswith(("bad", ".bad")) for p in tmp_path.iterdir())
    finally:
        ws.close()


def test_restore_of_a_copy_made_without_its_key_file_is_refused(sqlite_location, tmp_path):
    from tests.conftest import new_workspace

    ws = new_workspace(sqlite_location)
    try:
        report = backup.backup_now(ws, tmp_path / "b.db")
    finally:
        ws.close()
    alone = tmp_path / "alone" / "b.db"
    alone.parent.mkdir()
    shutil.copy(report.path, alone)
    with pytest.raises(Exception, match="no key file"):
        backup.restore(alone, str(tmp_path / "new.db"), "ada", PASSWORD)
    assert not (tmp_path / "new.db").exists()
    assert not Path(str(tmp_path / "new.db") + ".keys").exists()


def test_a_day_left_half_done_is_written_again(sqlite_location, tmp_path):
    from tests.conftest import new_workspace

    ws = new_workspace(sqlite_location)
    try:
        day = dt.date(2026, 3, 2)
        stale_keys = keys_path_for(tmp_path / "clinic-2026-03-02.db")
        stale_keys.write_text("left by an interrupted backup")
        written = backup.daily_backup(ws, tmp_path, day)
        assert written == tmp_path / "clinic-2026-03-02.db"
        assert stale_keys.read_bytes() == keys_path_for(Path(sqlite_location)).read_bytes()
        assert backup.daily_backup(ws, tmp_path, day) is None
    finally:
        ws.close()


def test_todays_backup_is_taken_in_the_background_once(sqlite_location, tmp_path, monkeypatch):
    import datetime as _dt

    from facilitator.services import accounts as _accounts
    from facilitator.services import backup as _backup
    from tests.conftest import PASSWORD as _PASSWORD
    from tests.conftest import new_workspace as _new_workspace

    monkeypatch.setenv("FACILITATOR_BACKUP_DIR", str(tmp_path / "drive"))
    monkeypatch.setenv("FACILITATOR_DAILY_BACKUP", "on")
    _new_workspace(sqlite_location).close()
    ws = _accounts.sign_in(sqlite_location, "ada", _PASSWORD)
    try:
        day = _dt.date(2026, 3, 2)
        thread = _backup.start_daily_backup(ws, day)
        assert thread is not None
        thread.join(timeout=60)
        taken = sorted((tmp_path / "drive" / "clinic").glob("*.db"))
        assert [p.name for p in taken] == ["clinic-2026-03-02.db"]
        again = _backup.start_daily_backup(ws, day)
        again.join(timeout=60)
        assert sorted((tmp_path / "drive" / "clinic").glob("*.db")) == taken
    finally:
        ws.close()
    _backup.restore(taken[0], str(tmp_path / "restored.db"), "ada", _PASSWORD)
