"""The second laptop of test_two_windows: a real window, in a process of its own, on the same
clinic server, driven with real key and mouse events.

    python -m tests.ui.second_window URL USER SESSION     (password in FACILITATOR_PASSWORD)

It signs in, opens the session at check-in and prints ``READY``. Its event loop runs all the
time (its live view with it); commands come one per line on stdin, one line of answer each:

    cell MEMBER FIELD VALUE        typed into the check-in cell, then Return -> TYPED
    watch-cell MEMBER FIELD VALUE  -> WATCHING; then, once the grid shows it (within 5 s),
                                   SHOWN <the wall clock then> | NOT <what it shows>
    note MEMBER                    the notes part, on that member's note -> NOTE
    type FIELD TEXT                typed at the end of the note's box, then focus leaves it
                                   (the save) -> SAVED text | CONFLICT theirs | mine
    watch-text FIELD TEXT          as watch-cell, for the note's box
    keys FIELD TEXT                typed at the end of the note's box, which keeps the focus
                                   (its user is still typing there) -> TYPED
    watch-others TEXT              as watch-cell, for TEXT within the header's line of who
                                   else is in the session
    quit
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QApplication

from facilitator.ui.conflict import ConflictDialog
from facilitator.ui.main_window import MainWindow
from tests.ui.commands import serve
from tests.ui.events import click, click_cell, key, type_text

WAIT_S = 5.0


def _wait_until(condition: Callable[[], bool], seconds: float) -> None:
    started = time.monotonic()
    while time.monotonic() - started < seconds and not condition():
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)


class Watch:
    """A value awaited on screen: checked on every turn of the loop's 10 ms timer."""

    def __init__(self, shown: Callable[[], str], wanted: str) -> None:
        self.shown, self.wanted = shown, wanted
        self.deadline = time.monotonic() + WAIT_S

    def answer(self) -> str | None:
        if self.shown() == self.wanted:
            return f"SHOWN {time.time():.3f}"
        if time.monotonic() > self.deadline:
            return f"NOT {self.shown()}"
        return None


class SecondWindow:
    def __init__(self, url: str, username: str, session_id: int) -> None:
        self.window = MainWindow(url, username)
        self.window.resize(1366, 768)
        self.window.show()
        self.window.activateWindow()  # as a click on it would: key events go to its focus
        _wait_until(self.window.isActiveWindow, 2.0)
        self.window.start_page.password.setText(os.environ["FACILITATOR_PASSWORD"])
        self.window.start_page.submit()
        self.window.open_session(session_id, "check_in")
        assert self.window.session_page is not None
        self.page = self.window.session_page
        self.watches: list[Watch] = []
        rows = len(self.page.check_in.model.rows)
        _wait_until(lambda: self.page.check_in.view.viewport().height() > 20 * rows, 3.0)

    def _shown(self, member_id: int, field: str) -> str:
        model = self.page.check_in.model
        row = model.row_of(member_id)
        return str(model.index(row, model.column(field)).data() or "")

    def cell(self, member_id: str, field: str, value: str) -> str:
        model, view = self.page.check_in.model, self.page.check_in.view
        click_cell(view, model.row_of(int(member_id)), model.column(field))
        type_text(view, value)
        key(view, Qt.Key.Key_Return)
        return f"TYPED {self._shown(int(member_id), field)} {self.page.message.text()}".strip()

    def watch_cell(self, member_id: str, field: str, value: str) -> str:
        self.watches.append(Watch(lambda: self._shown(int(member_id), field), value))
        return "WATCHING"

    def note(self, member_id: str) -> str:
        self.page.show_part("notes")
        self.page.notes.choose(int(member_id))
        return "NOTE"

    def type(self, field: str, *words: str) -> str:
        box = getattr(self.page.notes, field)
        click(box)
        box.moveCursor(box.textCursor().MoveOperation.End)
        type_text(box, " ".join(words))
        box.property("saver").flush()
        _wait_until(lambda: box.findChild(ConflictDialog) is not None, 0.5)
        dialog = box.findChild(ConflictDialog)
        if dialog is not None:
            return f"CONFLICT {dialog.theirs.toPlainText()} | {dialog.mine.toPlainText()}"
        return f"SAVED {box.toPlainText()}"

    def keys(self, field: str, *words: str) -> str:
        box = getattr(self.page.notes, field)
        click(box)
        box.moveCursor(box.textCursor().MoveOperation.End)
        type_text(box, " ".join(words))
        return "TYPED"

    def watch_others(self, *words: str) -> str:
        wanted, line = " ".join(words), self.page.header.others
        self.watches.append(
            Watch(
                lambda: wanted if wanted in line.text() and line.isVisible() else line.text(),
                wanted,
            )
        )
        return "WATCHING"

    def watch_text(self, field: str, *words: str) -> str:
        box = getattr(self.page.notes, field)
        self.watches.append(Watch(box.toPlainText, " ".join(words)))
        return "WATCHING"

    def turn(self) -> None:
        """Answer every watch that is settled."""
        for watch in list(self.watches):
            answer = watch.answer()
            if answer is not None:
                self.watches.remove(watch)
                print(answer, flush=True)


def main(url: str, username: str, session_id: int) -> None:
    app = QApplication(sys.argv[:1])
    seat = SecondWindow(url, username, session_id)

    def handle(line: str) -> None:
        command, *args = line.split()
        if command == "quit":
            seat.window.close()
            app.quit()
            return
        try:
            answer = getattr(seat, command.replace("-", "_"))(*args)
        except Exception as exc:  # the test reads one line per command, whatever happens
            answer = f"ERROR {type(exc).__name__}: {exc}"
        print(answer, flush=True)

    serve(app, handle, 10, each_turn=seat.turn)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
