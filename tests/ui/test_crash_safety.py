"""Killing the app mid-session loses nothing it said was saved, and reopening returns there."""

import datetime as dt
import os
import selectors
import signal
import subprocess
import sys
import time

from facilitator.services import accounts, home, sessions
from tests.conftest import PASSWORD, new_workspace
from tests.factories import group, members


def test_kill_during_typing_keeps_every_acknowledged_save(sqlite_location):
    ws = new_workspace(sqlite_location)
    group_id = group(ws, "Evening Recovery", meeting_weekdays=(0, 1, 2, 3, 4, 5, 6))
    members(ws, group_id, 3, since=dt.date.today() - dt.timedelta(days=7))
    ws.close()

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.ui.crash_driver", sqlite_location, PASSWORD],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    acknowledged: list[str] = []
    session_id = None
    watch = selectors.DefaultSelector()
    watch.register(child.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + 60
    try:
        while len(acknowledged) < 4 and time.monotonic() < deadline:
            if not watch.select(timeout=1):
                continue
            line = child.stdout.readline()
            if not line:
                break
            if line.startswith("READY"):
                session_id = int(line.split()[1])
            elif line.startswith("ACK "):
                acknowledged.append(line[4:].rstrip("\n"))
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    assert session_id is not None and len(acknowledged) >= 4, acknowledged

    ws = accounts.sign_in(sqlite_location, "ada", PASSWORD)
    try:
        stored = sessions.load(session_id).group_note.narrative
        last = acknowledged[-1].strip()
        assert stored.startswith(last), (stored, last)
        assert home.last_place(ws) == (session_id, "skill_work", None)
    finally:
        ws.close()
