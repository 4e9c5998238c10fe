"""The throwaway PostgreSQL harness itself (tests/pgserver.py); needs nothing from conftest."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.pgserver import PostgresNotFound, PostgresServer, find_bin_dir

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    with PostgresServer() as started:
        yield started


def _refused(url: str) -> bool:
    try:
        psycopg.connect(url, connect_timeout=2).close()
    except psycopg.OperationalError:
        return True
    return False


def test_url_connects_as_superuser_on_loopback_tcp_only(server: PostgresServer) -> None:
    assert server.url() == f"postgresql://postgres@127.0.0.1:{server.port}/postgres"
    with psycopg.connect(server.url()) as conn:
        user, superuser, address = conn.execute(
            "SELECT current_user, rolsuper, host(inet_server_addr())"
            " FROM pg_roles WHERE rolname = current_user"
        ).fetchone()  # type: ignore[misc]
        settings: dict[str, str] = dict(
            conn.execute(
                "SELECT name, setting FROM pg_settings WHERE name IN"
                " ('unix_socket_directories', 'listen_addresses', 'fsync', 'server_encoding')"
            ).fetchall()
        )
    assert (user, superuser, address) == ("postgres", True, "127.0.0.1")
    assert settings == {
        "unix_socket_directories": "",
        "listen_addresses": "127.0.0.1",
        "fsync": "off",
        "server_encoding": "UTF8",
    }


def test_a_database_copies_its_template_and_drops_despite_open_connections(
    server: PostgresServer,
) -> None:
    server.create_database("harness template")  # names are quoted, not pasted
    with psycopg.connect(server.url("harness template")) as conn:
        conn.execute("CREATE TABLE kept (word text)")
        conn.execute("INSERT INTO kept VALUES ('copied')")
    server.create_database("harness_copy", template="harness template")

    lingering = psycopg.connect(server.url("harness_copy"))
    assert lingering.execute("SELECT word FROM kept").fetchall() == [("copied",)]
    server.drop_database("harness_copy")
    server.drop_database("harness_copy")  # already gone: no error
    server.drop_database("harness template")
    with pytest.raises(psycopg.OperationalError):
        lingering.execute("SELECT 1")
    lingering.close()

    with psycopg.connect(server.url()) as conn:
        names = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
    assert not names & {"harness_copy", "harness template"}


def test_stop_leaves_no_server_and_no_files() -> None:
    server = PostgresServer().start()
    folder, url = server.folder, server.url()
    assert folder is not None and (folder / "data" / "PG_VERSION").exists()
    server.stop()
    server.stop()  # twice is fine
    assert not folder.exists()
    assert _refused(url)


def test_a_killed_test_process_does_not_leave_its_server_running() -> None:
    script = (
        "import os, signal\n"
        "from tests.pgserver import PostgresServer\n"
        "s = PostgresServer().start()\n"
        "print(s.folder, s.url(), flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert child.returncode == -9, child.stderr
    folder, url = child.stdout.split()
    deadline = time.monotonic() + 20
    while (os.path.exists(folder) or not _refused(url)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not os.path.exists(folder)
    assert _refused(url)


def test_a_wrong_override_names_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACILITATOR_PG_BIN", "/nonexistent")
    with pytest.raises(PostgresNotFound, match="FACILITATOR_PG_BIN=/nonexistent"):
        find_bin_dir()
    monkeypatch.delenv("FACILITATOR_PG_BIN")
    assert (find_bin_dir() / "initdb").exists()
