"""A writer killed with SIGKILL, twenty times, loses nothing it acknowledged and breaks nothing.

The writer (tests/writer_driver.py) commits one audit entry per transaction through the real
services and prints its id only after the commit returned. The test kills it at a different
moment each round, on the same file, then opens the database the way the app does.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from facilitator.services import accounts, audit
from tests.conftest import PASSWORD, new_workspace

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 20


def _one_round(location: str, rng: random.Random) -> list[int]:
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.writer_driver", location, "ada", "audit"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "FACILITATOR_PASSWORD": PASSWORD},
        cwd=ROOT,
    )
    acknowledged: list[int] = []
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "ready"
        for _ in range(rng.randint(1, 40)):
            acknowledged.append(int(writer.stdout.readline()))
        time.sleep(rng.uniform(0, 0.03))  # kill between, during or right after commits
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        rest = writer.stdout.read()
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    assert writer.returncode == -signal.SIGKILL
    # Lines the writer finished before it died were acknowledged too; a cut line was not.
    complete = rest if rest.endswith("\n") else rest.rpartition("\n")[0]
    acknowledged += [int(line) for line in complete.splitlines() if line]
    return acknowledged


def test_killed_writers_lose_no_acknowledged_commit(sqlite_location):
    new_workspace(sqlite_location).close()
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    acknowledged: list[int] = []
    for _ in range(ROUNDS):
        acknowledged += _one_round(sqlite_location, rng)
    assert len(acknowledged) == len(set(acknowledged)) >= ROUNDS, seed

    ws = accounts.sign_in(sqlite_location, "ada", PASSWORD)  # runs the quick check at open
    try:
        db = ws.store.db
        assert db.execute_sql("PRAGMA integrity_check").fetchall() == [("ok",)], seed
        stored = {row[0] for row in db.execute_sql("SELECT id FROM audit_entry").fetchall()}
        missing = sorted(set(acknowledged) - stored)
        assert not missing, (seed, missing[:10])
        assert audit.verify().ok, seed  # the hash chain survived every kill
    finally:
        ws.close()
