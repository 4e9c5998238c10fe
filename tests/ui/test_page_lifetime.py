"""Session screens opened and closed, then Python's garbage collector: nothing of a closed
screen may outlive its widgets and be freed twice (a parentless grid model once segfaulted
the collector). In a child process, so a crash fails this test rather than the suite."""

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from facilitator.services import signing
from tests.conftest import PASSWORD, new_workspace
from tests.factories import all_present, group, members, ready_to_sign, started

ROOT = Path(__file__).parents[2]


def test_closed_session_screens_are_collected_cleanly(sqlite_location, today):
    ws = new_workspace(sqlite_location)
    group_id = group(ws)
    people = members(ws, group_id, 6)
    draft = started(ws, group_id, today)
    all_present(ws, draft, people)
    signed = started(ws, group_id, today + dt.timedelta(days=2))
    ready_to_sign(ws, signed, people)
    signing.sign_session(ws, signed, PASSWORD)
    ws.close()
    script = textwrap.dedent(
        f"""
        import gc, sys
        from PySide6.QtWidgets import QApplication, QWidget
        from PySide6.QtCore import QEvent
        app = QApplication(sys.argv[:1])
        from facilitator.services import accounts
        from facilitator.ui.session import SessionPage
        ws = accounts.sign_in({sqlite_location!r}, "ada", {PASSWORD!r})
        for session_id in ({draft}, {draft}, {signed}, {draft}, {signed}):
            for part in ("check_in", "sign"):
                page = SessionPage(ws, session_id, part)
                page.show()
                app.processEvents()
                page.close()
                page.deleteLater()
                app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
                del page
                gc.collect()
        print("CLEAN")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0 and "CLEAN" in done.stdout, (done.returncode, done.stderr[-2000:])
