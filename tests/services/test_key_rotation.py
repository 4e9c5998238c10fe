"""Keys that can be revoked (issue 11, finding 5): deactivating a user re-encrypts the embedded
database under a new key, so a key file they kept opens nothing; an interruption loses
nothing; another process with the database open stops the rotation before it starts."""

import datetime as dt
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from facilitator.domain.enums import Role
from facilitator.domain.errors import AuthenticationFailed, FacilitatorError, RuleViolation
from facilitator.services import accounts, backup, integrity, keys, sessions
from facilitator.store import rekey
from facilitator.store.keys import KeySlots, keys_path_for
from tests.conftest import PASSWORD, new_workspace
from tests.factories import group, members

ROWAN_PASSWORD = "rowan-password-0001"
LEE_PASSWORD = "lee-password-000002"


@pytest.fixture
def clinic(sqlite_location):
    ws = new_workspace(sqlite_location)
    for username, password in (("rowan", ROWAN_PASSWORD), ("lee", LEE_PASSWORD)):
        accounts.add_user(
            ws, username=username, password=password, full_name=f"{username.title()} Testwood",
            role=Role.FACILITATOR,
        )  # fmt: skip
    group_id = group(ws)
    members(ws, group_id, 3)
    yield ws
    ws.close()


def _opens(path: Path, key: bytes) -> bool:
    return rekey._opens_with(path, key)


def test_a_deactivated_user_opens_nothing_with_a_key_file_they_kept(clinic, tmp_path):
    path = Path(clinic.store.location)
    folder = backup.default_backup_folder(str(path))
    kept_backup = backup.daily_backup(clinic, folder, dt.date(2026, 3, 2))
    stash = tmp_path / "rowans-copy.keys"
    shutil.copy(keys_path_for(path), stash)  # what the finding used: a key file kept aside
    old_key = KeySlots.load(stash).unwrap("rowan", ROWAN_PASSWORD)
    assert _opens(path, old_key)

    seen: list[tuple[int, int]] = []
    accounts.deactivate_user(
        clinic, "rowan", progress=lambda done, total: seen.append((done, total))
    )

    assert not _opens(path, old_key)  # the live database is under another key now
    assert seen and seen[-1][0] == seen[-1][1] > 0  # progress reached the end
    assert "rowan" not in KeySlots.load(keys_path_for(kept_backup)).usernames
    with pytest.raises(AuthenticationFailed):
        backup.restore(kept_backup, str(tmp_path / "theirs.db"), "rowan", ROWAN_PASSWORD)
    # Everyone else opens the database as before, with the passwords they had.
    lee = keys.act_as(clinic, "lee", LEE_PASSWORD)
    assert lee.signer is not None
    assert integrity.check(clinic).ok
    clinic.close()
    for username, password in (("ada", PASSWORD), ("lee", LEE_PASSWORD)):
        again = accounts.sign_in(str(path), username, password)
        assert integrity.check(again).ok
        again.close()
    with pytest.raises(AuthenticationFailed):
        accounts.sign_in(str(path), "rowan", ROWAN_PASSWORD)
    restored = backup.restore(kept_backup, str(tmp_path / "restored.db"), "lee", LEE_PASSWORD)
    assert restored.rows > 0


OTHER_PROCESS = textwrap.dedent(
    """
    import os, sys
    from facilitator.store import database
    store = database.open_store(sys.argv[1], "lee", os.environ["LEE"])
    store.db.execute_sql("SELECT count(*) FROM session").fetchone()
    print("open", flush=True)
    sys.stdin.readline()
    """
)


def test_rotation_waits_for_no_one_and_changes_nothing_while_another_process_is_open(clinic):
    path = Path(clinic.store.location)
    before = keys_path_for(path).read_bytes()
    other = subprocess.Popen(
        [sys.executable, "-c", OTHER_PROCESS, str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={"LEE": LEE_PASSWORD, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path.cwd())},
    )  # fmt: skip
    try:
        assert other.stdout.readline().strip() == "open"
        with pytest.raises(FacilitatorError, match="open in another window or command"):
            keys.rotate_database_key(clinic)
        assert keys_path_for(path).read_bytes() == before
        assert not rekey.rekeyed_path(path).exists()
        sessions.start_session(
            clinic, group(clinic, name="After the refusal"), date=dt.date(2026, 3, 3)
        )
    finally:
        other.communicate("\n", timeout=30)
    keys.rotate_database_key(clinic)  # alone now: done
    assert keys_path_for(path).read_bytes() != before
    assert integrity.check(clinic).ok


def test_an_interrupted_rotation_loses_nothing(clinic, monkeypatch):
    """A cut at each step, made with a fault injected there (a power cut cannot be timed)."""
    path = Path(clinic.store.location)
    key_before = clinic.store._key
    # Before the commit point: the key file is the old one; the copy is removed at next open.
    monkeypatch.setattr(KeySlots, "write_whole", _fail)
    with pytest.raises(OSError):
        keys.rotate_database_key(clinic)
    monkeypatch.undo()
    assert clinic.store._key == key_before
    sessions.start_session(
        clinic, group(clinic, name="Written after the cut"), date=dt.date(2026, 3, 3)
    )
    clinic.close()
    ws = accounts.sign_in(str(path), "lee", LEE_PASSWORD)
    assert not rekey.rekeyed_path(path).exists() and integrity.check(ws).ok
    # After the commit point: the key file is new, the database old; the next open finishes.
    monkeypatch.setattr(rekey, "_finish", _fail)
    ws.close()
    admin = accounts.sign_in(str(path), "ada", PASSWORD)
    with pytest.raises(OSError):
        keys.rotate_database_key(admin)
    monkeypatch.undo()
    assert rekey.rekeyed_path(path).exists()
    for username, password in (("lee", LEE_PASSWORD), ("ada", PASSWORD)):
        again = accounts.sign_in(str(path), username, password)
        assert not rekey.rekeyed_path(path).exists()
        assert integrity.check(again).ok
        again.close()


def _fail(*_args, **_kwargs):
    raise OSError(28, "No space left on device")


def test_a_slot_from_an_older_version_stops_the_rotation_until_its_user_signs_in(clinic):
    path = Path(clinic.store.location)
    raw = keys_path_for(path).read_text()
    slots = KeySlots.load(keys_path_for(path))
    old_form = dict(slots._slots["lee"])
    for name in ("form", "box_public", "sealed"):
        old_form.pop(name)
    # The form-1 slot wrapped the database key itself under the password.
    import base64
    import secrets

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from facilitator.store.keys import _derive

    salt = base64.b64decode(old_form["salt"])
    nonce = secrets.token_bytes(12)
    secret = _derive(LEE_PASSWORD, salt, slots.params_of("lee"))
    old_form["nonce"] = base64.b64encode(nonce).decode()
    old_form["wrapped"] = base64.b64encode(
        AESGCM(secret).encrypt(nonce, clinic.store._key, slots._aad("lee"))
    ).decode()
    old_form.pop("held", None)
    slots._slots["lee"] = old_form
    slots._pending = [("lee", old_form)]
    slots.save()
    assert keys_path_for(path).read_text() != raw
    written = keys_path_for(path).read_text()

    def before_refusal(_path):
        return written

    with pytest.raises(RuleViolation, match="lee"):
        keys.rotate_database_key(clinic)
    assert keys_path_for(path).read_text() == before_refusal(path)
    clinic.close()
    accounts.sign_in(str(path), "lee", LEE_PASSWORD).close()  # lee signs in once
    assert KeySlots.load(keys_path_for(path)).unsealable("lee")
    admin = accounts.sign_in(str(path), "ada", PASSWORD)
    keys.rotate_database_key(admin)
    admin.close()
    accounts.sign_in(str(path), "lee", LEE_PASSWORD).close()


OPENER = textwrap.dedent(
    """
    import os, sys, time
    from facilitator.domain.errors import FacilitatorError
    from facilitator.store import database
    opened = failed = 0
    deadline = time.monotonic() + float(sys.argv[2])
    print("ready", flush=True)
    while time.monotonic() < deadline:
        try:
            store = database.open_store(sys.argv[1], "lee", os.environ["LEE"])
            store.db.execute_sql("SELECT count(*) FROM member").fetchone()
            store.close()
            opened += 1
        except FacilitatorError as exc:
            failed += 1
            print("failed:", exc.message, flush=True)
        time.sleep(0.02)
    print("opened", opened, "failed", failed, flush=True)
    """
)


def test_opens_from_another_process_during_rotations_always_get_the_matching_key(clinic):
    """A sign-in elsewhere while the key is rotated meets either the old key and file or the
    new ones, never one with the other (which would look like damage)."""
    path = Path(clinic.store.location)
    other = subprocess.Popen(
        [sys.executable, "-c", OPENER, str(path), "6"],
        stdout=subprocess.PIPE, text=True,
        env={"LEE": LEE_PASSWORD, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path.cwd())},
    )  # fmt: skip
    assert other.stdout.readline().strip() == "ready"
    rotated = refused = 0
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            keys.rotate_database_key(clinic)
            rotated += 1
        except FacilitatorError as exc:
            assert "open in another window" in exc.message
            refused += 1
    out, _ = other.communicate(timeout=60)
    assert other.returncode == 0, out
    assert "failed:" not in out, out
    assert rotated >= 2 and int(out.split()[-3]) >= 10, (rotated, refused, out)
    assert integrity.check(clinic).ok
