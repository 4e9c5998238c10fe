"""The window scenarios: the login window, and the session runner on a copy of the database.

Every window is shown offscreen and timed until it has painted; closing it is not timed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit, QStackedWidget, QWidget

from bench.cache import UNTIL
from bench.scenarios import Picks
from bench.timing import compared, median_ms, once_ms
from bench.ui_floor import (
    SIZE,
    bare_login_form,
    bare_main_window,
    bare_widget,
    close,
    show_painted,
)
from facilitator.domain.enums import PHASE_ORDER, AttendanceStatus
from facilitator.services import sessions
from facilitator.services.workspace import Workspace
from facilitator.store import session_reads as reads
from facilitator.store.database import SQLITE_PRAGMAS
from facilitator.ui.bus import ChangeBus
from facilitator.ui.main_window import MainWindow
from facilitator.ui.session import SessionPage
from facilitator.ui.session.header import NOTES

CHECK_IN, SKILL = PHASE_ORDER[0].value, PHASE_ORDER[1].value
# Two group narratives of 630 characters (the demo's longest are about 600), written in turn.
NARRATIVES = tuple(
    f"{who}: " + " ".join(["practised the skill, named a plan."] * 18) for who in "AB"
)


def login_window(path: Path, runs: int) -> dict[str, Any]:
    def login() -> QWidget:
        return show_painted(MainWindow(str(path), "demo"))  # a database that exists: LoginPage

    # The first window of the process loads fonts and the style: the floor goes first and pays it.
    first_floor, first = once_ms(bare_main_window, close), once_ms(login, close)
    return compared(login, bare_main_window, runs, close) | {
        "first_run_ms": round(first, 3),
        "first_run_floor_ms": round(first_floor, 3),
        "same_widgets_ms": median_ms(bare_login_form, runs, close),
        "same_widgets": "the login page's widgets and layouts, bare, in a QMainWindow: "
        "what Qt itself needs to build, lay out and paint that form",
        "what": "MainWindow(path, 'demo') on the ten-year database (LoginPage), shown, painted",
        "floor": "a QMainWindow holding one QLabel, 1280x720, shown and painted the same way",
        "first_run": "the first of each, floor first: the floor's pays the process's font and "
        "style loading, the login's excludes importing the app's windows (ui_import_ms)",
    }


def _page(ws: Workspace, session_id: int, part: str = CHECK_IN) -> SessionPage:
    page = SessionPage(ws, session_id, part, bus=ChangeBus())
    page.resize(*SIZE)
    show_painted(page)
    return page


def open_session(ws: Workspace, picks: Picks, runs: int) -> dict[str, Any]:
    draft = picks.largest_draft

    def load_and_bare_window() -> QWidget:
        reads.load_session(draft)
        return bare_widget()

    result = compared(lambda: _page(ws, draft), load_and_bare_window, runs, close)
    signed_ms = median_ms(lambda: _page(ws, picks.full_session), runs, close)
    return result | {
        "session_id": draft,
        "members": picks.largest_draft_members,
        "which": "the draft session with the most rostered members (a full demo group: 15)",
        "what": "SessionPage(ws, id, 'check_in') constructed, shown 1280x720 and painted",
        "floor": "store.load_session of the same session, then a bare QWidget shown and painted",
        "signed_session_ms": signed_ms,
        "signed_session_id": picks.full_session,
    }


def _running_session(ws: Workspace, like: int) -> int:
    """A group under way, as Start on the home screen leaves it, with everyone present.

    The demo's drafts have all ended, and moving between an ended session's parts records no
    time; so this is a new session of the same group, dated the day after the demo's last, with
    the members of ``like`` (late joiners if no longer enrolled) besides the group's roster.
    """
    model = sessions.load(like)
    day = UNTIL + dt.timedelta(days=1)
    session_id = sessions.start_session(ws, model.group_id, date=day).created_id
    assert session_id is not None
    sessions.advance_phase(ws, session_id)
    rostered = {a.member_id for a in sessions.load(session_id).attendance}
    for member_id in sorted(rostered | {a.member_id for a in model.attendance}):
        if member_id not in rostered:
            sessions.add_late_joiner(ws, session_id, member_id)
        sessions.record_attendance(ws, session_id, member_id, AttendanceStatus.PRESENT)
    return session_id


def _moving(page: SessionPage) -> Callable[[], None]:
    parts = itertools.cycle((SKILL, CHECK_IN))

    def move() -> None:
        page.show_part(next(parts))
        QApplication.processEvents()  # and paint the part shown

    return move


def move_part(ws: Workspace, picks: Picks, plain_file: Path, runs: int) -> dict[str, Any]:
    running = _running_session(ws, picks.largest_draft)
    page = _page(ws, running)
    plain = sqlite3.connect(plain_file, isolation_level=None)
    for name, value in SQLITE_PRAGMAS:
        plain.execute(f"PRAGMA {name} = {value}")
    stack, shown = QStackedWidget(), itertools.cycle((0, 1))
    stack.resize(*SIZE)
    for _page_number in range(2):
        stack.addWidget(QLabel("a part", stack))
    show_painted(stack)

    def bare_move() -> None:
        """Recording the switch of parts in one transaction, and another page shown."""
        plain.execute("BEGIN")
        plain.execute("UPDATE phase_log SET ended_at = ended_at WHERE session_id = ?", (running,))
        plain.execute("UPDATE session SET current_phase = current_phase WHERE id = ?", (running,))
        plain.execute("COMMIT")
        stack.setCurrentIndex(next(shown))
        QApplication.processEvents()

    result = compared(_moving(page), bare_move, runs)
    phases = len(page.record.phases)
    close(page)
    close(stack)
    plain.close()
    page = _page(ws, picks.largest_draft)
    ended_ms = median_ms(_moving(page), runs)
    close(page)
    return result | {
        "session_id": running,
        "members": len(sessions.load(running).present),
        "which": "a running session of the largest draft's group, started on the copy as Start "
        "does, everyone present; each move ends one part and starts the other",
        "phase_stretches_recorded": phases,
        "what": "page.show_part(skill_work / check_in in turn), then processEvents to paint",
        "floor": "stdlib sqlite3: one transaction of two UPDATEs of the session's part rows on "
        "the plain copy, then a bare QStackedWidget showing its other page, painted",
        "ended_draft_ms": ended_ms,
        "ended_draft": f"the same moves on draft {picks.largest_draft}, which has ended: "
        "no phase time recorded",
    }


def autosave(ws: Workspace, picks: Picks, plain_file: Path, runs: int) -> dict[str, Any]:
    """A pause in typing saves the text; each timed save starts an editing span, so each writes
    its audit entry (the costly case; a span's later saves write none)."""
    draft = picks.largest_draft
    page = _page(ws, draft, SKILL)
    texts = itertools.cycle(NARRATIVES)

    def typing_into(editor: QPlainTextEdit, new_span: bool = True) -> Callable[[], None]:
        saver = editor.property("saver")

        def save() -> None:
            if new_span:
                saver.end_span()
            editor.setPlainText(next(texts))
            saver.flush()

        return save

    plain = sqlite3.connect(plain_file, isolation_level=None)
    for name, value in SQLITE_PRAGMAS:
        plain.execute(f"PRAGMA {name} = {value}")

    def bare_write() -> None:
        plain.execute("BEGIN")
        sql = "UPDATE group_note SET narrative = ? WHERE session_id = ?"
        assert plain.execute(sql, (next(texts), draft)).rowcount == 1
        plain.execute("COMMIT")

    result = compared(typing_into(page.skill.narrative), bare_write, runs)
    note = reads.load_session(draft).group_note
    assert note is not None and note.narrative == page.skill.narrative.toPlainText()
    plain.close()
    mid_span_ms = median_ms(typing_into(page.skill.narrative, new_span=False), runs)
    page.show_part(NOTES)
    member_note_ms = median_ms(typing_into(page.notes.data), runs)
    close(page)
    return result | {
        "session_id": draft,
        "characters": len(NARRATIVES[0]),
        "what": "a new editing span of the group narrative: setPlainText, then its Autosaver's "
        "flush(): sessions.write_group_note with its audit entry, through the change bus, the "
        "page re-reading the group note",
        "floor": "stdlib sqlite3 UPDATE of the same narrative in one transaction, on the plain "
        "copy with the app's pragmas (WAL, synchronous FULL)",
        "mid_span_ms": mid_span_ms,
        "mid_span": "the same save inside a span already audited (no new audit entry)",
        "member_note_ms": member_note_ms,
        "member_note": "the same for the Data field of the first present member's note "
        "(sessions.write_member_note reads that note only)",
    }


def cell_edit(ws: Workspace, picks: Picks, plain_file: Path, runs: int) -> dict[str, Any]:
    """A check-in cell committed (as its editor does) until its row is repainted."""
    running = _running_session(ws, picks.largest_draft)
    page = _page(ws, running)
    model, view = page.check_in.model, page.check_in.view
    mood = model.column("mood")
    rows = itertools.cycle(range(model.rowCount()))
    ratings = itertools.cycle("3456789")

    def edit() -> None:
        index = model.index(next(rows), mood)
        assert model.setData(index, next(ratings))
        view.viewport().repaint(view.visualRect(index))  # the row painted, not just queued

    plain = sqlite3.connect(plain_file, isolation_level=None)
    for name, value in SQLITE_PRAGMAS:
        plain.execute(f"PRAGMA {name} = {value}")
    target = picks.largest_draft
    member = plain.execute(
        "SELECT member_id FROM attendance WHERE session_id = ? LIMIT 1", (target,)
    ).fetchone()[0]
    plain.execute(
        "INSERT OR IGNORE INTO check_in (session_id, member_id, use_since_last, use_detail, "
        "safety_concern, safety_follow_up, homework_review, current_issue) "
        "VALUES (?, ?, 'not_asked', '', 0, '', '', '')",
        (target, member),
    )

    def bare_write() -> None:
        plain.execute("BEGIN")
        sql = "UPDATE check_in SET mood = ? WHERE session_id = ? AND member_id = ?"
        assert plain.execute(sql, (int(next(ratings)), target, member)).rowcount == 1
        plain.execute("COMMIT")

    result = compared(edit, bare_write, runs)
    plain.close()
    members = model.rowCount()
    close(page)
    return result | {
        "session_id": running,
        "members": members,
        "what": "CheckInModel.setData of a mood cell (what the cell's editor commits): "
        "sessions.record_check_in with its audit entry through the change bus, the member's "
        "rows re-read, the row's dataChanged, then that row's rectangle repainted",
        "floor": "stdlib sqlite3 UPDATE of one check-in's mood in one transaction, on the plain "
        "copy with the app's pragmas",
    }


def login_process(path: Path, runs: int) -> dict[str, Any]:
    """Process start to the login window on screen, against a bare PySide6 window's process."""
    import os
    import statistics
    import subprocess
    import sys
    import time

    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}

    def spawn(*args: str) -> float:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bench.ui_start", *args],
            check=True,
            env=env,
            stderr=subprocess.DEVNULL,
        )
        return (time.perf_counter() - started) * 1000

    app_ms, bare_ms = [], []
    for _ in range(runs):  # interleaved, so a slow moment of the machine hits both
        bare_ms.append(spawn("bare"))
        app_ms.append(spawn("app", str(path)))
    median, floor = statistics.median(app_ms), statistics.median(bare_ms)
    return {
        "median_ms": round(median, 1),
        "floor_ms": round(floor, 1),
        "ratio": round(median / floor, 2),
        "runs": runs,
        "what": "a new process: python -m bench.ui_start app PATH, Facilitator's window on its "
        "login page, until exposed on screen",
        "floor": "a new process: a bare PySide6 QMainWindow with a QLabel, until exposed",
    }
