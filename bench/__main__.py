"""`python -m bench`: one JSON object of medians on stdout, progress on stderr."""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import document_scenarios, scenarios
from bench.cache import PASSWORD, ROOT, UNTIL, scratch_copy, ten_year_database
from bench.floors import plain_copy
from facilitator.services import accounts

RUNS = 25
OPEN_RUNS = 15  # each one derives an argon2 key: a few hundred milliseconds
PROCESS_RUNS = 7  # each starts two Python processes
TARGETS = {
    "load_session_ms": 20,
    "member_history_ms": 20,
    "login_window_ratio": 1.4,
    "open_session_ms": 20,
    "move_part_ms": 10,
    "autosave_ms": 3,
    "cell_edit_ms": 10,
    "session_record_ms": 150,
    "long_note_record_s": 2,
    "long_note_most_lines_ratio": 1.5,
    "thousand_records_s": 60,
    "lead_summary_s": 10,
}
DOCUMENT_RUNS = 9
SUMMARY_RUNS = 3


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main() -> int:
    path, build = ten_year_database()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        say("signing in and choosing what to read...")
        ws = accounts.sign_in(str(path), "demo", PASSWORD)
        try:
            picks = scenarios.pick()
            plain_file = plain_copy(Path(tmp) / "floor.sqlite", picks.sessions_to_copy())
            plain = sqlite3.connect(plain_file, isolation_level=None)
            for name in ("load_session", "member_history", "outstanding_homework"):
                say(f"timing {name}...")
                results[name] = getattr(scenarios, name)(picks, plain, RUNS)
            plain.close()
            say("timing session_record...")
            results["session_record"] = document_scenarios.session_record(ws, picks, DOCUMENT_RUNS)
            say("timing long_note_record (a note at its 50,000-character limit)...")
            results["long_note_record"] = document_scenarios.long_note_record(
                ws, picks, SUMMARY_RUNS, "sentences"
            )
            say("timing long_note_most_lines (25,000 lines: hundreds of pages)...")
            results["long_note_most_lines"] = document_scenarios.long_note_record(
                ws, picks, SUMMARY_RUNS, "most_lines"
            )
            say("timing lead_summary (13 weeks, all groups)...")
            results["lead_summary"] = document_scenarios.lead_summary(ws, UNTIL, SUMMARY_RUNS)
            say("timing thousand_records (about a minute)...")
            results["thousand_records"] = document_scenarios.thousand_records(ws)
        finally:
            ws.close()
        say("timing open_database...")
        results["open_database"] = scenarios.open_database(path, PASSWORD, plain_file, OPEN_RUNS)
        say("starting Qt...")
        started = time.perf_counter()
        from bench import ui_floor  # PySide6

        app = ui_floor.application()
        qt_start_ms = round((time.perf_counter() - started) * 1000, 1)
        started = time.perf_counter()
        from bench import ui_scenarios  # the app's windows

        ui_import_ms = round((time.perf_counter() - started) * 1000, 1)
        say("timing login_window...")
        results["login_window"] = ui_scenarios.login_window(path, RUNS) | {
            "qt_start_ms": qt_start_ms,  # importing PySide6 and creating the QApplication
            "ui_import_ms": ui_import_ms,  # importing facilitator.ui (in neither timing)
        }
        say("timing login_process (process start to login window)...")
        results["login_process"] = ui_scenarios.login_process(path, PROCESS_RUNS)
        say("copying the database for the scenarios that write...")
        ws = accounts.sign_in(str(scratch_copy(Path(tmp))), "demo", PASSWORD)
        try:
            say("timing open_session...")
            results["open_session"] = ui_scenarios.open_session(ws, picks, RUNS)
            say("timing move_part...")
            results["move_part"] = ui_scenarios.move_part(ws, picks, plain_file, RUNS)
            say("timing autosave...")
            results["autosave"] = ui_scenarios.autosave(ws, picks, plain_file, RUNS)
            say("timing cell_edit...")
            results["cell_edit"] = ui_scenarios.cell_edit(ws, picks, plain_file, RUNS)
        finally:
            ws.close()
    say("timing the bare window...")
    results["window"] = ui_floor.window_floor(RUNS, qt_start_ms)
    app.quit()
    from bench import seats  # a PostgreSQL of its own, 20 seat processes

    say("many seats on a clinic server (a minute, then the sign-versus-save races)...")
    results["many_seats"] = seats.run()
    measured = {
        "load_session_ms": results["load_session"]["median_ms"],
        "member_history_ms": results["member_history"]["median_ms"],
        "login_window_ratio": results["login_process"]["ratio"],
        "open_session_ms": results["open_session"]["median_ms"],
        "move_part_ms": results["move_part"]["median_ms"],
        "autosave_ms": results["autosave"]["median_ms"],
        "cell_edit_ms": results["cell_edit"]["median_ms"],
        "session_record_ms": results["session_record"]["median_ms"],
        "long_note_record_s": results["long_note_record"]["median_ms"] / 1000,
        "long_note_most_lines_ratio": results["long_note_most_lines"]["ratio"],
        "thousand_records_s": results["thousand_records"]["seconds"],
        "lead_summary_s": results["lead_summary"]["median_ms"] / 1000,
    }
    report = {
        "database": {
            "path": str(path.relative_to(ROOT)),
            "size_mb": round(path.stat().st_size / 1e6, 1),
            **{k: build.get(k) for k in ("groups", "weeks", "members", "sessions", "rows")},
        },
        "demo_build_seconds": build["demo_build_seconds"],
        "demo_build_cached": build["demo_build_cached"],
        "scenarios": results,
        "targets": TARGETS,
        "met": {name: measured[name] < limit for name, limit in TARGETS.items()}
        | {f"many_seats_{name}": met for name, met in results["many_seats"]["met"].items()},
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
