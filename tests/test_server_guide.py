"""docs/server.md's walk-through, run as written: every line starting with ``$`` in it, in
order, against the test suite's PostgreSQL, as the clinic's IT would type them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from facilitator.services.demo import STAFF

GUIDE = Path(__file__).parents[1] / "docs" / "server.md"
ADMIN_PASSWORD = "hollis-password-01"
STAFF_PASSWORD = "quinn-password-001"
QUINNS_OWN = "quinn-chose-this-01"
LAPTOP_PASSWORD = "laptop-password-01"


def walk_through() -> list[str]:
    return [line[2:] for line in GUIDE.read_text("utf-8").splitlines() if line.startswith("$ ")]


def test_the_guide_shows_the_whole_walk_through():
    commands = " ".join(walk_through())
    for step in ("server init", "users add", "pg_dump", "pg_restore", "check", "audit verify",
                 "server upgrade", "server import"):  # fmt: skip
        assert step in commands


def test_the_server_guide_works_as_written(pg_server, tmp_path):
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "facilitator").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m facilitator "$@"\n')
    (shim / "facilitator").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACILITATOR_", "PG"))}
    env.update(
        PATH=f"{shim}:{pg_server.bin}:{env['PATH']}",
        PGHOST=pg_server.host, PGPORT=str(pg_server.port), PGUSER="postgres",
        SERVER=f"{pg_server.host}:{pg_server.port}", WORK=str(tmp_path),
        ADMIN_PASSWORD=ADMIN_PASSWORD, STAFF_PASSWORD=STAFF_PASSWORD, QUINNS_OWN=QUINNS_OWN,
        LAPTOP_PASSWORD=LAPTOP_PASSWORD,
        PYTHONPATH=str(GUIDE.parents[1]),
    )  # fmt: skip
    try:
        outputs = []
        for command in walk_through():
            done = subprocess.run(
                ["bash", "-c", command], env=env, capture_output=True, text=True, timeout=180,
                cwd=tmp_path,
            )  # fmt: skip
            assert done.returncode == 0, (command, done.stdout, done.stderr)
            outputs.append(done.stdout)
            for secret in (ADMIN_PASSWORD, STAFF_PASSWORD, QUINNS_OWN, LAPTOP_PASSWORD):
                assert secret not in done.stdout + done.stderr
        text = "\n".join(outputs)
        assert "created administrator hollis" in text
        assert re.search(r"recovery key .*: [0-9A-Z]{5}-", text)
        assert "added user quinn" in text and "quinn has a new password" in text
        assert re.search(r"^ok: ", text, re.MULTILINE)  # check on the restored copy
        assert "intact" in text
        assert "laptop import 1: root key" in text  # the laptop moved in, then checked
        assert re.search(r"^ok: ", outputs[-1], re.MULTILINE)  # check after the import
        passwords = (tmp_path / "one-time-passwords.txt").read_text()
        assert all(p.split("\t")[1] not in text for p in passwords.splitlines() if "\t" in p)
    finally:
        for name in ("clinic_drill", "clinic"):
            pg_server.drop_database(name)
        with pg_server.connect(autocommit=True) as conn:
            moved_in = ("demo", *(staff[0] for staff in STAFF))
            for role in ("hollis", "quinn", *moved_in, *(f"clinic_{g}" for g in (
                "facilitator", "lead", "admin", "staff", "logins", "owner"))):  # fmt: skip
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')
