"""A throwaway PostgreSQL server for the test run: initdb in a temp folder, loopback TCP only.

    with PostgresServer() as server:
        server.create_database("copy", template="facilitator_template")
        psycopg.connect(server.url("copy"))
        server.drop_database("copy")

PostgreSQL refuses to run as root, and the tests run as root here and in CI. Then the data
folder belongs to the ``postgres`` system user (Debian's package makes it; failing that we make
a system user ``facilitator-pg``) and initdb/pg_ctl run as that user through ``runuser``.

No server is left behind: ``stop()`` runs on leaving the ``with`` block, at interpreter exit
(atexit), and, should the test process be killed outright, from a small watchdog process that
notices its pipe from us closing.

Standard library and psycopg 3 only.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
from psycopg import sql

INSTALL_HINT = (
    "install the PostgreSQL server (apt-get install postgresql) or set FACILITATOR_PG_BIN"
)
SERVER_PROGRAMS = ("initdb", "pg_ctl", "postgres")
FALLBACK_USER = "facilitator-pg"
SUPERUSER = "postgres"

# Throwaway data: durability off for speed; no unix socket, so nothing outside the temp folder.
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "unix_socket_directories": "''",
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    "max_connections": "100",
}

HBA = """\
# TYPE  DATABASE  USER      ADDRESS        METHOD
host    all       postgres  127.0.0.1/32   trust
host    all       all       127.0.0.1/32   scram-sha-256
"""

# Runs in its own session, so killing the test process (or its process group) leaves it alive:
# at EOF on stdin, i.e. once the test process has stopped or died, it stops the server for good.
_WATCHDOG = """
import shutil, subprocess, sys
sys.stdin.buffer.read()
subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
shutil.rmtree(sys.argv[1], ignore_errors=True)
"""


class PostgresNotFound(RuntimeError):
    """The PostgreSQL server programs are not on this machine."""


def _has_server(folder: Path) -> bool:
    return all((folder / name).is_file() for name in SERVER_PROGRAMS)


def _version_key(folder: str) -> tuple[int, ...]:
    # /usr/lib/postgresql/15/bin -> (15,); 9.6 -> (9, 6)
    return tuple(int(part) for part in re.findall(r"\d+", Path(folder).parent.name))


def find_bin_dir() -> Path:
    """Where initdb, pg_ctl and postgres live.

    $FACILITATOR_PG_BIN, else ``pg_config --bindir``, else the newest /usr/lib/postgresql/*/bin,
    else the folder of ``initdb`` on PATH. scripts/ensure-system-deps searches the same way.
    """
    override = os.environ.get("FACILITATOR_PG_BIN")
    if override:
        if _has_server(Path(override)):
            return Path(override)
        raise PostgresNotFound(
            f"FACILITATOR_PG_BIN={override} does not hold {', '.join(SERVER_PROGRAMS)}"
        )
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
            if out:
                candidates.append(Path(out))
    candidates += [
        Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key)[::-1]
    ]
    initdb = shutil.which("initdb")
    if initdb:
        candidates += [Path(initdb).parent, Path(initdb).resolve().parent]
    for folder in candidates:
        if _has_server(folder):
            return folder
    raise PostgresNotFound(f"PostgreSQL server programs not found: {INSTALL_HINT}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _service_user() -> pwd.struct_passwd:
    """The unprivileged user the server runs as when we are root."""
    for name in (SUPERUSER, FALLBACK_USER):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    made = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", FALLBACK_USER],
        capture_output=True,
        text=True,
    )
    try:  # another test process may have made it first
        return pwd.getpwnam(FALLBACK_USER)
    except KeyError:
        raise RuntimeError(
            f"running as root, and neither user {SUPERUSER!r} exists nor could "
            f"{FALLBACK_USER!r} be made: {made.stderr.strip()}"
        ) from None


class PostgresServer:
    """One throwaway server; ``start()`` (or ``with``) brings it up, ``stop()`` removes it all."""

    host = "127.0.0.1"

    def __init__(
        self,
        bin_dir: Path | str | None = None,
        startup_timeout: float = 30.0,
        *,
        tls: tuple[Path, Path] | None = None,
        hba: str | None = None,
    ) -> None:
        """``tls``: a server certificate and its key (ssl = on); ``hba``: pg_hba.conf's text
        in place of HBA."""
        self.bin = Path(bin_dir) if bin_dir else find_bin_dir()
        self.tls = tls
        self.hba = hba or HBA
        self.startup_timeout = startup_timeout
        self.port = 0
        self.folder: Path | None = None
        self.run_as: str | None = None
        self.server_version = 0  # e.g. 150004
        self._running = False
        self._watchdog: subprocess.Popen[bytes] | None = None

    # -- paths -------------------------------------------------------------------------------

    @property
    def data(self) -> Path:
        assert self.folder is not None, "server not started"
        return self.folder / "data"

    @property
    def log_path(self) -> Path:
        assert self.folder is not None, "server not started"
        return self.folder / "server.log"

    # -- life cycle --------------------------------------------------------------------------

    def start(self) -> PostgresServer:
        if self.folder is not None:
            raise RuntimeError("this server was already started")
        atexit.register(self.stop)
        try:
            self._make_folder()
            self._initdb()
            self._start_postmaster()
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _make_folder(self) -> None:
        if os.geteuid() == 0:
            user = _service_user()
            self.run_as = user.pw_name
            # Under /tmp (world-traversable) whatever TMPDIR says, readable by the server's user.
            self.folder = Path(tempfile.mkdtemp(prefix="facilitator-pg-", dir="/tmp"))
            os.chmod(self.folder, 0o755)
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        else:
            self.folder = Path(tempfile.mkdtemp(prefix="facilitator-pg-"))

    def _command(self, program: str, *args: str) -> list[str]:
        command = [str(self.bin / program), *args]
        return ["runuser", "-u", self.run_as, "--", *command] if self.run_as else command

    def _run(
        self, program: str, *args: str, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._command(program, *args),
            cwd=self.folder,  # the server's user may not be allowed into our working folder
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def _initdb(self) -> None:
        done = self._run(
            "initdb",
            "-D", str(self.data),
            "-U", SUPERUSER,
            "-A", "trust",
            "-E", "UTF8",
            "--locale=C",
            "--no-sync",
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# facilitator tests\n")
            conf.writelines(f"{key} = {value}\n" for key, value in SETTINGS.items())
        # The harness itself is the superuser (no password); everyone else signs in as a
        # clinic's login would, with SCRAM.
        (self.data / "pg_hba.conf").write_text(self.hba, encoding="utf-8")
        if self.tls:
            self._install_certificate(*self.tls)

    def _install_certificate(self, cert: Path, key: Path) -> None:
        for source, name in ((cert, "server.crt"), (key, "server.key")):
            target = self.data / name
            shutil.copyfile(source, target)
            os.chmod(target, 0o600)
            if self.run_as:
                user = pwd.getpwnam(self.run_as)
                os.chown(target, user.pw_uid, user.pw_gid)
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n")

    def _start_postmaster(self) -> None:
        # The free port is only free until someone else binds it: on a clash, try another.
        for attempt in range(3):
            self.port = _free_port()
            done = self._run(
                "pg_ctl",
                "-D", str(self.data),
                "-l", str(self.log_path),
                "-o", f"-p {self.port}",
                "-w", "-t", str(int(self.startup_timeout)),
                "start",
                timeout=self.startup_timeout + 10,
            )  # fmt: skip
            if done.returncode == 0:
                break
            self._kill_postmaster()
            log = self._log_tail()
            if "could not bind" not in log or attempt == 2:
                raise RuntimeError(
                    f"PostgreSQL did not start ({done.returncode}):\n"
                    f"{done.stdout}{done.stderr}\n--- {self.log_path} ---\n{log}"
                )
        self._running = True
        self._start_watchdog()

    def _start_watchdog(self) -> None:
        assert self.folder is not None
        with contextlib.suppress(OSError):
            self._watchdog = subprocess.Popen(
                [
                    sys.executable, "-c", _WATCHDOG, str(self.folder),
                    *self._command("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop"),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd="/",
                start_new_session=True,
            )  # fmt: skip

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while True:
            try:
                with psycopg.connect(self.url(), connect_timeout=2, autocommit=True) as conn:
                    self.server_version = conn.info.server_version
                return
            except psycopg.OperationalError as error:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"PostgreSQL on port {self.port} not ready after "
                        f"{self.startup_timeout:.0f} s: {error}\n{self._log_tail()}"
                    ) from error
                time.sleep(0.1)

    def stop(self) -> None:
        """Stop the server at once (no checkpoint: the data is thrown away) and remove it all.

        Safe to call more than once, and on a server that never started.
        """
        atexit.unregister(self.stop)
        if self._running:
            self._running = False
            try:
                done = self._run(
                    "pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "20", "stop",
                    timeout=30,
                )  # fmt: skip
                if done.returncode != 0:
                    self._kill_postmaster()
            except (OSError, subprocess.SubprocessError):
                self._kill_postmaster()
        if self._watchdog is not None:
            watchdog, self._watchdog = self._watchdog, None
            with contextlib.suppress(OSError):
                assert watchdog.stdin is not None
                watchdog.stdin.close()  # it runs pg_ctl stop on nothing and exits
            with contextlib.suppress(subprocess.TimeoutExpired):
                watchdog.wait(timeout=10)
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def pause(self) -> None:
        """Stop the server as a clinic's IT would (its data stays), to ``resume`` later on the
        same port: a real outage for the laptops using it."""
        done = self._run(
            "pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "20", "stop", timeout=30
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not stop: {done.stdout}{done.stderr}")

    def resume(self) -> None:
        done = self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log_path), "-o", f"-p {self.port}",
            "-w", "-t", str(int(self.startup_timeout)), "start",
            timeout=self.startup_timeout + 10,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start again: {done.stdout}{done.stderr}")
        self._wait_until_ready()

    def _kill_postmaster(self) -> None:
        """Last resort: SIGKILL the postmaster named in postmaster.pid (its children follow)."""
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
            cmdline = Path(f"/proc/{pid}/cmdline")
            if cmdline.parent.parent.is_dir() and b"postgres" not in cmdline.read_bytes():
                return  # a stale pid file: that number belongs to someone else now
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                os.kill(pid, 0)  # raises once it is gone
                time.sleep(0.05)

    def _log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- use ---------------------------------------------------------------------------------

    def url(self, dbname: str = "postgres") -> str:
        """A libpq URL as the superuser ``postgres`` (trust auth: no password)."""
        return f"postgresql://{SUPERUSER}@{self.host}:{self.port}/{quote(dbname, safe='')}"

    def staff_url(self, dbname: str) -> str:
        """A URL naming no one, as a clinic's laptops have it: who connects is who signs in."""
        return f"postgresql://{self.host}:{self.port}/{quote(dbname, safe='')}"

    def psql(self, dbname: str, user: str, password: str, sql: str) -> tuple[int, str, str]:
        """psql as a login, as a person would type it: (exit code, output, errors). The
        password goes by environment, never argv."""
        done = subprocess.run(
            [str(self.bin / "psql"), "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", self.host,
             "-p", str(self.port), "-U", user, "-d", dbname, "-c", sql],
            env={**os.environ, "PGPASSWORD": password}, capture_output=True, text=True,
            timeout=30,
        )  # fmt: skip
        return done.returncode, done.stdout.strip(), done.stderr.strip()

    def connect(self, dbname: str = "postgres", **kwargs: Any) -> psycopg.Connection[Any]:
        return psycopg.connect(self.url(dbname), **kwargs)

    def create_database(self, name: str, template: str | None = None) -> None:
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with self.connect(autocommit=True) as conn:
            conn.execute(query)

    def drop_database(self, name: str) -> None:
        """Drop it if it exists, disconnecting whoever is still connected to it."""
        with self.connect(autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            query = sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
            if self.server_version >= 130000:
                query += sql.SQL(" WITH (FORCE)")
            conn.execute(query)
