"""No PHI outside the encrypted database: after a scripted session in the real window, a
planted canary string is in no file under the process's home, config, data, cache and temp
folders, nor beside the database."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _files(folder: Path):
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            yield path


def test_a_planted_canary_is_found_only_inside_the_database(tmp_path):
    canary = "Canary" + secrets.token_hex(6)
    home = tmp_path / "home"
    folders = {
        "HOME": home,
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_DATA_HOME": home / ".local" / "share",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_STATE_HOME": home / ".local" / "state",
        "XDG_RUNTIME_DIR": tmp_path / "runtime",
        "TMPDIR": tmp_path / "tmp",
    }
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folders["XDG_RUNTIME_DIR"], 0o700)
    clinic = tmp_path / "clinic"
    clinic.mkdir()
    database = clinic / "clinic.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACILITATOR_", "XDG_"))}
    env.update({k: str(v) for k, v in folders.items()})
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run(
        [sys.executable, "-m", "tests.ui.canary_driver", str(database), canary],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0 and "DONE" in done.stdout, done.stderr[-2000:]

    # The search itself must be able to fail: a control file holding the canary is found.
    (tmp_path / "control.txt").write_text(f"control {canary}", "utf-8")
    needles = [canary.encode("utf-8"), canary.encode("utf-16-le"), canary.lower().encode()]
    found = sorted(
        str(path.relative_to(tmp_path))
        for path in _files(tmp_path)
        if any(needle in path.read_bytes() for needle in needles)
    )
    assert found == ["control.txt"]  # the encrypted database does not show it in the clear
    searched = [str(p.relative_to(tmp_path)) for p in _files(tmp_path)]
    assert "clinic/clinic.db" in searched and len(searched) >= 3
    assert database.exists() and not database.read_bytes().startswith(b"SQLite format 3")
    assert canary not in done.stdout + done.stderr
