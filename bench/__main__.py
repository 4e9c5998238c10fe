"""`python -m bench`: one JSON object of medians on stdout, progress on stderr."""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import scenarios
from bench.cache import PASSWORD, ROOT, ten_year_database
from bench.floors import plain_copy
from bench.ui_floor import window_floor
from facilitator.services import accounts

RUNS = 25
OPEN_RUNS = 15  # each one derives an argon2 key: a few hundred milliseconds
TARGETS = {"load_session_ms": 20, "member_history_ms": 20}


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
        finally:
            ws.close()
        say("timing open_database...")
        results["open_database"] = scenarios.open_database(path, PASSWORD, plain_file, OPEN_RUNS)
    say("timing the bare window...")
    results["window"] = window_floor(RUNS)
    measured = {
        "load_session_ms": results["load_session"]["median_ms"],
        "member_history_ms": results["member_history"]["median_ms"],
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
        "met": {name: measured[name] < limit for name, limit in TARGETS.items()},
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
