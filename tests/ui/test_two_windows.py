"""Two real windows on one clinic server (issue 13): ada's here, lena's on a "second laptop" (a
process of its own, tests/ui/second_window.py), each driven with real key and mouse events.
Each shows the other's check-in within a second, and a note part both typed into at once is
resolved in the conflict view without losing either text."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time

from PySide6.QtCore import Qt

from facilitator.domain.enums import Role
from facilitator.services import accounts, roster
from facilitator.services.audit import workstation
from facilitator.store import session_reads
from facilitator.ui.conflict import ConflictDialog
from tests.conftest import ADMIN, PASSWORD
from tests.factories import group, members
from tests.ui.events import click, click_cell, key, type_text
from tests.ui.windows import EVERY_DAY, open_with_everyone_present

WITHIN_S = 1.0
LENA = "lena-second-laptop-1"


class SecondLaptop:
    """lena's window, in a process of its own: one command in, one line out."""

    def __init__(self, url: str, session_id: int, scratch: str) -> None:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FACILITATOR_PASSWORD": LENA,
               "FACILITATOR_JOURNAL_DIR": scratch}  # fmt: skip
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.ui.second_window", url, "lena", str(session_id)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=env,
        )  # fmt: skip
        assert self.readline() == "READY", self.process.stderr.read()

    def readline(self) -> str:
        line = self.process.stdout.readline()
        assert line, f"lena's window ended: {self.process.stderr.read()[-2000:]}"
        return line.strip()

    def ask(self, command: str) -> str:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.readline()

    def close(self) -> None:
        self.process.stdin.write("quit\n")
        self.process.stdin.flush()
        self.process.wait(timeout=30)


def _clinic(qtbot, url, tmp_path):
    ws = accounts.sign_in(url, ADMIN["username"], PASSWORD)
    accounts.add_user(ws, username="lena", password=LENA + "0", full_name="Lena Testwood",
                      role=Role.CLINICAL_LEAD)  # fmt: skip
    group_id = group(ws, "Two Laptops Evening", meeting_weekdays=EVERY_DAY, start_time=None)
    member_ids = members(ws, group_id, 2, since=dt.date.today() - dt.timedelta(days=30))
    for member_id in member_ids:
        roster.add_goal(ws, member_id, "Use the craving plan when urges rise")
    ws.close()
    lena = accounts.sign_in(url, "lena", LENA + "0")
    accounts.change_own_password(lena, LENA + "0", LENA)
    lena.close()
    window, page = open_with_everyone_present(qtbot, url, member_ids)
    return window, page, member_ids, SecondLaptop(url, page.session_id, str(tmp_path))


def _shown(page, member_id, field):
    model = page.check_in.model
    return str(model.index(model.row_of(member_id), model.column(field)).data() or "")


def _type_cell(page, member_id, field, value):
    model, view = page.check_in.model, page.check_in.view
    click_cell(view, model.row_of(member_id), model.column(field))
    type_text(view, value)
    key(view, Qt.Key.Key_Return)


def test_each_window_shows_the_others_check_in_within_a_second(qtbot, server_location, tmp_path):
    window, page, (zoe, max_), lena = _clinic(qtbot, server_location, tmp_path)
    try:
        # ada types at the board; lena's window shows it.
        assert lena.ask(f"watch-cell {zoe} craving 7") == "WATCHING"
        _type_cell(page, zoe, "craving", "7")
        committed = time.time()
        assert session_reads.load_check_in(page.session_id, zoe).craving == 7
        shown = lena.readline()
        assert shown.startswith("SHOWN "), shown
        assert float(shown.split()[1]) - committed < WITHIN_S
        # lena types on her laptop; ada's window shows it, without anyone touching it.
        typed = lena.ask(f"cell {max_} mood 4")
        assert typed == "TYPED 4"
        committed = time.time()
        qtbot.waitUntil(lambda: _shown(page, max_, "mood") == "4", timeout=int(WITHIN_S * 1000))
        assert time.time() - committed < WITHIN_S
        assert _shown(page, zoe, "craving") == "7"  # and ada's own cell is as she left it
    finally:
        lena.close()
        window.close()


def test_a_note_typed_on_both_laptops_at_once_is_merged_and_neither_text_is_lost(
    qtbot, server_location, tmp_path
):
    window, page, (zoe, _max), lena = _clinic(qtbot, server_location, tmp_path)
    try:
        page.show_part("notes")
        page.notes.choose(zoe)
        assert lena.ask(f"note {zoe}") == "NOTE"
        data = page.notes.data
        click(data)
        type_text(data, "Slept well.")  # ada's typing, not saved yet...
        assert data.property("saver").pending
        # ...while lena types into the same box on her laptop, and leaves it: hers lands first
        # (this window's loop is not turning meanwhile, so its autosave waits).
        assert lena.ask("type data Ate breakfast.") == "SAVED Ate breakfast."
        assert session_reads.load_member_note(page.session_id, zoe).data == "Ate breakfast."
        data.property("saver").flush()  # ada's save meets lena's: both texts side by side
        qtbot.waitUntil(lambda: data.findChild(ConflictDialog) is not None, timeout=2000)
        dialog = data.findChild(ConflictDialog)
        assert dialog.theirs.toPlainText() == "Ate breakfast."
        assert dialog.mine.toPlainText() == "Slept well."
        assert data.toPlainText() == "Slept well."  # the typing stays in the box, unsaved
        # ada merges: lena's first, then hers, and keeps that.
        click(dialog.mine)
        dialog.mine.moveCursor(dialog.mine.textCursor().MoveOperation.Start)
        type_text(dialog.mine, "Ate breakfast. ")
        assert lena.ask("watch-text data Ate breakfast. Slept well.") == "WATCHING"
        click(dialog.mine_button)
        committed = time.time()
        merged = "Ate breakfast. Slept well."
        assert session_reads.load_member_note(page.session_id, zoe).data == merged
        assert data.toPlainText() == merged and not data.property("saver").pending
        shown = lena.readline()
        assert shown.startswith("SHOWN "), shown
        assert float(shown.split()[1]) - committed < WITHIN_S
    finally:
        lena.close()
        window.close()


def _others_line_has(page, text):
    line = page.header.others
    return line.isVisible() and text in line.text()


def test_each_window_shows_who_else_is_in_the_session_where_and_typing_which_note(
    qtbot, server_location, tmp_path
):
    window, page, (zoe, _max), lena = _clinic(qtbot, server_location, tmp_path)
    within = int(WITHIN_S * 1000)
    zoes = page.record.attendance_of(zoe).display_name
    try:
        host = f"Lena Testwood ({workstation()}) on Check-in"
        qtbot.waitUntil(lambda: _others_line_has(page, host), timeout=within)
        assert lena.ask("watch-others Ada Testwood") == "WATCHING"  # and she sees ada
        assert lena.readline().startswith("SHOWN ")
        page.show_part("notes")
        page.notes.choose(zoe)
        # lena opens zoe's note: ada's header follows
        assert lena.ask(f"note {zoe}") == "NOTE"
        asked = time.time()
        qtbot.waitUntil(lambda: _others_line_has(page, f"on Notes, {zoes}'s note"), timeout=within)
        assert time.time() - asked < WITHIN_S + 0.2  # and a fifth for lena to settle there
        listed = page.notes.members
        (item,) = [listed.item(i) for i in range(listed.count())
                   if listed.item(i).data(Qt.ItemDataRole.UserRole) == zoe]  # fmt: skip
        assert "typing" not in item.text()
        # she types in it and stays in the box: ada's list marks zoe's note
        assert lena.ask("keys plan Practise urge surfing daily") == "TYPED"
        qtbot.waitUntil(lambda: item.text().endswith("— Lena Testwood typing"), timeout=within)
        assert _others_line_has(page, f"{zoes}'s note, typing")
        # she closes her window: she is gone from ada's
        lena.close()
        qtbot.waitUntil(lambda: not page.header.others.isVisible(), timeout=within)
        assert "typing" not in item.text()
    finally:
        if lena.process.poll() is None:
            lena.close()
        window.close()
