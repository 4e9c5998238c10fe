"""Errors tell the truth: damage is exit 5 and "restore a backup"; a full disk, a read-only
file or folder, or a missing permission is exit 1 naming the place and the cause, because
restoring a backup there would throw away newer work.

The disks are real: a tmpfs that fills up and a read-only bind mount, each made in a mount
namespace of the test's own (``unshare --mount``) so nothing outside the test sees them; and a
read-only file for a user who is not root.
"""

from __future__ import annotations

import collections
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from facilitator import cli
from facilitator.domain.errors import IntegrityProblem
from facilitator.services import accounts, integrity
from facilitator.store import database
from facilitator.store.keys import keys_path_for
from tests.conftest import PASSWORD, new_workspace
from tests.factories import group, members

ROOT = Path(__file__).resolve().parents[1]
NOBODY = 65534
PASSWORDS = {"FACILITATOR_PASSWORD": PASSWORD, "FACILITATOR_NEW_PASSWORD": "bob-password-0001"}


@pytest.fixture
def whole_file(tmp_path: Path) -> Path:
    """A small clinic database, closed, with its key file beside it."""
    path = tmp_path / "whole" / "clinic.db"
    path.parent.mkdir()
    ws = new_workspace(str(path))
    members(ws, group(ws), 6)
    ws.close()
    return path


def copy_of(source: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, folder / source.name)
    shutil.copy(keys_path_for(source), keys_path_for(folder / source.name))
    return folder / source.name


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def offsets(size: int) -> list[int]:
    """The salt at the start, the last byte, and 38 places anywhere between (fixed seed)."""
    return [0, size - 1, *random.Random(40).sample(range(1, size - 1), 38)]


def command(monkeypatch, capsys, *argv: str) -> tuple[int, str]:
    """One command run in this process, as the clinic's scripts run it; its exit code and
    what it wrote to stderr."""
    monkeypatch.setenv("FACILITATOR_PASSWORD", PASSWORD)
    code = cli.run(cli.parse(list(argv)))
    return code, capsys.readouterr().err


def test_every_flipped_byte_is_damage_exit_5_and_nothing_is_written(
    whole_file, tmp_path, monkeypatch, capsys
):
    """Finding: 17 of 40 byte flips exited 1 ("unexpected error (DatabaseError)") because
    SQLCipher's driver raises its own error class."""
    size = whole_file.stat().st_size
    told = []
    for offset in offsets(size):
        damaged = copy_of(whole_file, tmp_path / f"flip-{offset}")
        flip_byte(damaged, offset)
        before = damaged.read_bytes()
        code, err = command(monkeypatch, capsys, "--db", str(damaged), "--user", "ada", "check")
        told.append((offset, code, err))
        if "integrity problem" not in err:  # refused at open: not one byte was written
            assert damaged.read_bytes() == before, offset
        # else the flip is in a free page, which only the full check reads (SQLCipher's HMAC of
        # every page); the open took no records from it.
    wrong = [(offset, code, err) for offset, code, err in told if code != 5]
    assert wrong == []
    for _offset, _code, err in told:
        (line,) = err.strip().splitlines()
        assert "damaged" in line and "restore" in line and "Traceback" not in line


def test_the_background_check_of_a_large_file_catches_every_flipped_byte(
    whole_file, tmp_path, monkeypatch
):
    """Finding: the check that runs after sign-in for files too large to check at open died on
    the driver's own error class and let writes go on. Now every flip is refused at sign-in,
    or found by the background check (which stops writes), or, in a free page that holds no
    record, found by the full check."""
    monkeypatch.setattr(database, "QUICK_CHECK_AT_OPEN_LIMIT", 0)
    died: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: died.append(args.exc_value))
    found_by = collections.Counter[str]()
    for offset in offsets(whole_file.stat().st_size):
        damaged = copy_of(whole_file, tmp_path / f"flip-{offset}")
        flip_byte(damaged, offset)
        try:
            ws = accounts.sign_in(str(damaged), "ada", PASSWORD)
        except IntegrityProblem as refused:
            assert "damaged" in str(refused)
            found_by["sign-in"] += 1
            continue
        try:
            told: list[str] = []
            thread = integrity.start_background_check(ws, told.append)
            assert thread is not None
            thread.join(timeout=60)
            assert died == [], offset
            if told:
                assert len(told) == 1 and "damaged" in told[0], (offset, told)
                assert ws.store.writes_stopped, offset
                found_by["background"] += 1
            else:
                assert not integrity.check(ws).ok, offset
                found_by["full check"] += 1
        finally:
            ws.close()
    assert found_by["background"] >= 10, found_by  # the thread itself was put to the test


# ----------------------------------------------------------------------------- real disks


def in_own_mounts(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A shell script run in a private mount namespace: its mounts vanish when it ends."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FACILITATOR_")}
    environment.update(env, PY=sys.executable, PYTHONPATH=str(ROOT), **PASSWORDS)
    return subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=180,
    )


STEPS = """
step() {  # step NAME ARGS...: run one command, keep its exit code and stderr in $OUT
    name=$1; shift
    "$PY" -m facilitator --db "$DB" --user ada "$@" >/dev/null 2>"$OUT/$name.err"
    echo $? >"$OUT/$name.rc"
}
"""


def outcome(out: Path, name: str) -> tuple[int, str]:
    return int((out / f"{name}.rc").read_text()), (out / f"{name}.err").read_text()


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("facilitator: "), err
    return lines[0]


def test_a_full_disk_is_said_to_be_full_not_damaged_and_loses_nothing(whole_file, tmp_path):
    """Finding: a full disk was reported as "damaged or replaced; restore the last good backup"
    (exit 5). Now: exit 1 naming the disk and that it is full; once space is freed the file is
    whole and holds everything saved before."""
    mount, out = tmp_path / "small-disk", tmp_path / "out"
    mount.mkdir()
    out.mkdir()
    db = mount / "clinic.db"
    script = (
        STEPS
        + """
mount -t tmpfs -o size=3m tmpfs "$MOUNT" || exit 90
cp "$SOURCE" "$SOURCE.keys" "$MOUNT/" || exit 91
dd if=/dev/zero of="$MOUNT/filler" bs=4096 2>/dev/null  # until the disk is full
step add users add bob --name "Bob Testwood" --role facilitator
step listing list sessions --json
rm "$MOUNT/filler"
step after check
step again users add bob --name "Bob Testwood" --role facilitator
"""
    )
    done = in_own_mounts(script, MOUNT=str(mount), SOURCE=str(whole_file), DB=str(db), OUT=str(out))
    assert done.returncode == 0, (done.returncode, done.stderr)
    for name in ("add", "listing"):
        code, err = outcome(out, name)
        if code == 0:
            assert name == "listing"  # reading may still work on a full disk
            continue
        line = one_line(err)
        assert code == 1, line
        assert "full" in line and str(mount) in line and "damaged" not in line
    code, err = outcome(out, "after")
    assert code == 0, err  # nothing was damaged and nothing was lost
    assert outcome(out, "again")[0] == 0  # and the write refused before now goes in
    assert not any(mount.iterdir())  # the tmpfs is gone with its namespace


def test_a_read_only_folder_is_said_to_be_read_only(whole_file, tmp_path):
    """Finding: a read-only location was reported as damage (exit 5) or as "unexpected error
    (OperationalError)", even for listing."""
    folder, out = copy_of(whole_file, tmp_path / "shared").parent, tmp_path / "out"
    out.mkdir()
    script = (
        STEPS
        + """
mount --bind "$FOLDER" "$FOLDER" && mount -o remount,ro,bind "$FOLDER" || exit 90
step listing list sessions --json
step add users add bob --name "Bob Testwood" --role facilitator
step check check
"""
    )
    done = in_own_mounts(script, FOLDER=str(folder), DB=str(folder / "clinic.db"), OUT=str(out))
    assert done.returncode == 0, (done.returncode, done.stderr)
    for name in ("listing", "add", "check"):
        code, err = outcome(out, name)
        line = one_line(err)
        assert code == 1, line
        assert "read-only" in line and str(folder) in line and "damaged" not in line
    code, err = command_as_self(folder / "clinic.db", "check")  # the mount is gone: all whole
    assert code == 0, err


@pytest.fixture
def unprivileged_folder() -> Iterator[Path]:
    """A folder that a user who is not root owns (root ignores file permissions)."""
    folder = Path(tempfile.mkdtemp(prefix="facilitator-perm-"))
    try:
        if os.geteuid() == 0:
            os.chown(folder, NOBODY, NOBODY)
        yield folder
    finally:
        for path in folder.iterdir():
            path.chmod(0o600)
        folder.chmod(0o700)
        shutil.rmtree(folder)


def command_as_self(db: Path, *argv: str, unprivileged: bool = False) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACILITATOR_")}
    env.update(PYTHONPATH=str(ROOT), HOME=str(db.parent), **PASSWORDS)
    prefix: list[str] = []
    if unprivileged and os.geteuid() == 0:
        prefix = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    done = subprocess.run(
        [*prefix, sys.executable, "-m", "facilitator", "--db", str(db), "--user", "ada", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=db.parent,
        timeout=120,
    )
    return done.returncode, done.stderr


def test_a_read_only_file_and_a_missing_permission_are_said_as_such(
    whole_file, unprivileged_folder
):
    """Finding: a read-only file gave "unexpected error (OperationalError)", even for listing."""
    db = copy_of(whole_file, unprivileged_folder)
    for path in (db, keys_path_for(db)):
        if os.geteuid() == 0:
            os.chown(path, NOBODY, NOBODY)
    db.chmod(0o444)
    for argv in (("list", "sessions"), ("users", "add", "bob", "--name", "Bob Testwood")):
        code, err = command_as_self(db, *argv, unprivileged=True)
        line = one_line(err)
        assert code == 1 and "read-only" in line and "damaged" not in line, line
    db.chmod(0o644)
    keys_path_for(db).chmod(0o000)  # the key file may not be read
    code, err = command_as_self(db, "list", "sessions", unprivileged=True)
    line = one_line(err)
    assert code == 1 and "permission denied" in line and "clinic.db.keys" in line, line
    keys_path_for(db).chmod(0o600)
    unprivileged_folder.chmod(0o500)  # a folder that may not be written: no room for the log
    code, err = command_as_self(
        db, "users", "add", "bob", "--name", "Bob Testwood", unprivileged=True
    )
    line = one_line(err)
    assert code == 1 and "damaged" not in line, line
    assert "read-only" in line or "may not read and write" in line, line


@pytest.mark.parametrize(
    "damage",
    [
        lambda body: body[: len(body) // 2],  # cut short
        lambda body: json.dumps({"format": "facilitator-keyslots", "version": 1}),  # no slots
        lambda body: "[" * 100_000 + "]" * 100_000,  # nested past any parser's depth
        lambda body: body.replace('"memory_kib": 8192', '"memory_kib": 99999999999999999999'),
        lambda body: body.replace('"nonce": "', '"nonce": "AAAA'),
    ],
    ids=["cut-short", "no-slots", "deeply-nested", "impossible-cost", "bad-nonce"],
)
def test_a_damaged_key_file_exits_5_naming_the_key_file(whole_file, monkeypatch, capsys, damage):
    """Finding: a malformed key file gave KeyError, exit 1. Now exit 5, naming the key file
    (not the database, which is whole)."""
    keys = keys_path_for(whole_file)
    body = keys.read_text()
    damaged = damage(body)
    assert damaged != body
    keys.write_text(damaged)
    code, err = command(monkeypatch, capsys, "--db", str(whole_file), "--user", "ada", "check")
    line = one_line(err)
    assert code == 5 and "key file clinic.db.keys" in line and "damaged" in line, line
