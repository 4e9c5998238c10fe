"""Run by test_outage_window in a child process: a real window on a clinic server, typing into
a member's note when told, until it is killed.

    python -m tests.ui.outage_driver URL SESSION MEMBER     (password in FACILITATOR_PASSWORD)

It signs in as ada, opens the member's note and prints ``READY``. Commands on stdin:

    type TEXT      typed into the note's Data box with real key events; once the typing has
                   paused long enough for the box to save or keep it: TYPED up|down TEXT (the
                   box's whole text, and whether the server was reachable)
    member ID      on to another member's note: MEMBER ID
    quit           close the window

A second run signs in again (which replays the laptop's journal) and is told to quit.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from facilitator.ui.main_window import MainWindow
from tests.ui.commands import serve
from tests.ui.events import click, type_text

SETTLE_MS = 2500  # past the autosave's pause and the server's 2 s deadline


def main(url: str, session_id: int, member_id: int) -> None:
    app = QApplication(sys.argv[:1])
    window = MainWindow(url, "ada")
    window.resize(1366, 768)
    window.show()
    window.start_page.password.setText(os.environ["FACILITATOR_PASSWORD"])
    window.start_page.submit()
    print("SIGNED IN", flush=True)
    window.open_session(session_id, "notes", member_id)
    page = window.session_page
    assert page is not None
    page.notes.choose(member_id)
    data = page.notes.data
    click(data)

    def typed() -> None:
        state = "down" if window.link.down else "up"
        print(f"TYPED {state} {data.toPlainText()}", flush=True)

    def handle(line: str) -> None:
        if line.startswith("type "):
            data.moveCursor(data.textCursor().MoveOperation.End)
            type_text(data, line[5:])
            QTimer.singleShot(SETTLE_MS, typed)
        elif line.startswith("member "):  # another member's note (allowed: the journal has it)
            page.notes.choose(int(line.split()[1]))
            click(data)
            print(f"MEMBER {page.notes.member_id}", flush=True)
        elif line == "quit":
            window.close()
            app.quit()

    serve(app, handle, 50)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
