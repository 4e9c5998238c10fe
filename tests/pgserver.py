"""A throwaway PostgreSQL server for the test run: initdb in a temp folder, loopback only.

PostgreSQL refuses to run as root, and CI runs as root; then the server runs as the
``postgres`` system user (made by Debian's package) through ``runuser``.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

INSTALL_HINT = (
    "install the PostgreSQL server: apt-get install postgresql (or set FACILITATOR_PG_BIN)"
)


def find_bin_dir() -> Path:
    """Where initdb and pg_ctl live."""
    candidates = []
    if os.environ.get("FACILITATOR_PG_BIN"):
        candidates.append(Path(os.environ["FACILITATOR_PG_BIN"]))
    candidates += [
        Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version, reverse=True)
    ]
    if shutil.which("pg_ctl"):
        candidates.append(Path(shutil.which("pg_ctl")).resolve().parent)  # type: ignore[arg-type]
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise RuntimeError(f"PostgreSQL server binaries not found: {INSTALL_HINT}")


def _version(path: str) -> int:
    part = Path(path).parent.name
    return int(part) if part.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    def __init__(self) -> None:
        self.bin = find_bin_dir()
        self.port = _free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="facilitator-pg-"))
        self.data = self.folder / "data"
        self.run_as = None
        if os.geteuid() == 0:
            self.run_as = "postgres"
            pw = pwd.getpwnam(self.run_as)  # made by Debian's postgresql package
            os.chmod(self.folder, 0o755)
            os.chown(self.folder, pw.pw_uid, pw.pw_gid)
        self._started = False

    def _command(self, *args: str) -> list[str]:
        base = [str(self.bin / args[0]), *args[1:]]
        return ["runuser", "-u", self.run_as, "--", *base] if self.run_as else base

    def start(self) -> PostgresServer:
        subprocess.run(
            self._command(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
            ),
            check=True,
            capture_output=True,
        )
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=50"
        )
        subprocess.run(
            self._command(
                "pg_ctl",
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(self.folder / "log"),
                "-w",
                "start",
            ),
            check=True,
            capture_output=True,
        )
        self._started = True
        atexit.register(self.stop)
        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(self.url(), connect_timeout=2).close()
                return self
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self, name: str, template: str | None = None) -> None:
        self._admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))

    def drop_database(self, name: str) -> None:
        self._admin(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        )
        self._admin(f'DROP DATABASE IF EXISTS "{name}"')

    def stop(self) -> None:
        if self._started:
            self._started = False
            subprocess.run(
                self._command("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop"),
                capture_output=True,
            )
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
