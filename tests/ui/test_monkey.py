"""A widget monkey drives the real main window at random; nothing may crash or raise.

Each run is a child process (tests/ui/monkey_driver.py): a segmentation fault there fails
this test with the action trail instead of taking pytest down. The runs share
FACILITATOR_MONKEY_SECONDS (default 120: two minutes) evenly, one per seed. A seed on a fresh demo replays
much the same actions (timers aside), so a failure's seed usually reproduces it by hand:

    QT_QPA_PLATFORM=offscreen python -m tests.ui.monkey_driver /tmp/monkey.db SEED 30
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ui import monkey_driver

ROOT = Path(__file__).parents[2]
SEEDS = (20260301, 7, 4242)
TRAIL = 30


def _seconds() -> float:
    """Each run's share of the total."""
    return float(os.environ.get("FACILITATOR_MONKEY_SECONDS", "120")) / len(SEEDS)


def _trail(output: str) -> str:
    acts = [line for line in output.splitlines() if line.startswith("ACT ")]
    return "\n".join(acts[-TRAIL:])


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    """One small demo database for every run (each run works on its own copy)."""
    path = tmp_path_factory.mktemp("monkey") / "demo.db"
    monkey_driver.make_demo(str(path))
    return path


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_random_use_never_crashes(seed, demo_db, tmp_path):
    # A copy per run: a run's changes (signed sessions, edits) do not steer the next seed.
    location = tmp_path / "demo.db"
    for source in demo_db.parent.iterdir():
        if source.name.startswith(demo_db.name):
            (tmp_path / source.name).write_bytes(source.read_bytes())
    seconds = _seconds()
    # os.environ as the fixtures left it: backups to a scratch folder, no daily backup.
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.ui.monkey_driver",
                str(location),
                str(seed),
                str(seconds),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=seconds + 120,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        pytest.fail(f"seed {seed}: the monkey hung past {seconds + 120:.0f} s\n{_trail(out)}")
    out = done.stdout
    problems = [
        line for line in out.splitlines() if line.startswith(("EXCEPTION", "SOMETHING_WENT_WRONG"))
    ]
    # Everything but the actions and Qt's warnings: the tracebacks of what went wrong.
    details = "\n".join(
        line for line in out.splitlines() if not line.startswith(("ACT ", "QTWARNING"))
    )
    status = done.returncode  # negative: killed by that signal (-11: segmentation fault)
    signal = f" (signal {-status})" if status < 0 else ""
    report = (
        f"seed {seed}: exit status {status}{signal}\n"
        + details[-4000:]
        + f"\nlast {TRAIL} actions:\n{_trail(out)}\nstderr (end):\n{done.stderr[-3000:]}"
    )
    assert status == 0, report
    assert "DONE" in out, report
    assert not problems, report
