"""The clinic's IT at the command line (issue 12): server init (idempotent, safe twice at
once, converting a database an earlier version made under one shared login), server upgrade,
and what a laptop is told when its app and the server's schema differ."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys

import pytest
from playhouse.migrations import Runner

from facilitator.domain.errors import RuleViolation
from facilitator.services import accounts
from facilitator.store.database import MIGRATIONS_DIR
from tests.conftest import PASSWORD
from tests.tampering import as_owner

_numbers = itertools.count(1)
IVY, JUDE = "ivy-password-00001", "jude-password-0001"


def cli(*args, new_password=None, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACILITATOR_", "PG"))}
    env["PGUSER"] = "postgres"  # the clinic's IT role; no password (the test server trusts it)
    if new_password:
        env["FACILITATOR_NEW_PASSWORD"] = new_password
    env.update(env_extra or {})
    return subprocess.Popen(
        [sys.executable, "-m", "facilitator", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, env=env,
    )  # fmt: skip


def finish(process):
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


@pytest.fixture
def empty_database(pg_server):
    """A new, empty database on the server, and afterwards no trace of its roles."""
    name = f"clinic_{next(_numbers)}"
    pg_server.create_database(name)
    yield name
    pg_server.drop_database(name)
    with pg_server.connect(autocommit=True) as conn:
        for login in ("ivy", "jude", "legacy_login"):
            conn.execute(f'DROP ROLE IF EXISTS "{login}"')
        for suffix in ("facilitator", "lead", "admin", "staff", "logins", "owner"):
            conn.execute(f'DROP ROLE IF EXISTS "{name}_{suffix}"')


def test_two_inits_at_once_leave_one_administrator(pg_server, empty_database):
    it_url = f"postgresql://{pg_server.host}:{pg_server.port}/{empty_database}"
    first = cli(
        "server",
        "init",
        "--db",
        it_url,
        "--admin",
        "ivy",
        "--name",
        "Ivy Testwood",
        new_password=IVY,
    )
    second = cli(
        "server",
        "init",
        "--db",
        it_url,
        "--admin",
        "jude",
        "--name",
        "Jude Testwood",
        new_password=JUDE,
    )
    results = [finish(first), finish(second)]
    assert [code for code, _, _ in results] == [0, 0], results
    created = [out for _, out, _ in results if "created administrator" in out]
    assert len(created) == 1, results
    assert any("already set up" in out for _, out, _ in results)
    with pg_server.connect(empty_database) as conn:
        admins = conn.execute("SELECT username FROM app_user WHERE role = 'admin'").fetchall()
    assert len(admins) == 1
    winner, password = ("ivy", IVY) if "ivy" in created[0] else ("jude", JUDE)
    accounts.sign_in(pg_server.staff_url(empty_database), winner, password).close()
    again = finish(
        cli(
            "server",
            "init",
            "--db",
            it_url,
            "--admin",
            winner,
            "--name",
            "X",
            new_password=password,
        )
    )
    assert again[0] == 0 and "already set up" in again[1]
    for _, out, err in results:
        assert IVY not in out + err and JUDE not in out + err


def test_init_takes_over_a_database_made_under_one_shared_login(pg_server, empty_database):
    # What an earlier version made: tables owned by the login every laptop shared.
    with pg_server.connect(empty_database, autocommit=True) as conn:
        conn.execute("CREATE ROLE legacy_login LOGIN PASSWORD 'shared-by-everyone'")
        conn.execute(f'ALTER DATABASE "{empty_database}" OWNER TO legacy_login')
        conn.execute("GRANT CREATE ON SCHEMA public TO legacy_login")
    import peewee

    from tests.tampering import owner_db  # noqa: F401  (the harness's own connection below)

    db = peewee.PostgresqlDatabase(
        empty_database,
        host=pg_server.host,
        port=pg_server.port,
        user="postgres",
        prefer_psycopg3=True,
    )
    db.connect()
    db.execute_sql("SET ROLE legacy_login")
    Runner(db, directory=str(MIGRATIONS_DIR)).up("0007_signing_keys")
    db.close()
    it_url = f"postgresql://{pg_server.host}:{pg_server.port}/{empty_database}"
    refused = finish(cli("server", "upgrade", "--db", it_url))
    assert refused[0] != 0 and "server init" in refused[2]
    code, _out, err = finish(
        cli(
            "server",
            "init",
            "--db",
            it_url,
            "--admin",
            "ivy",
            "--name",
            "Ivy Testwood",
            new_password=IVY,
        )
    )
    assert code == 0, err
    with pg_server.connect(empty_database) as conn:
        owned = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
            "WHERE r.rolname = 'legacy_login'"
        ).fetchone()[0]
        applied = conn.execute(
            "SELECT name FROM schema_migration ORDER BY id DESC LIMIT 1"
        ).fetchone()[0]
    newest = sorted(p.stem for p in MIGRATIONS_DIR.glob("0*.py"))[-1]
    assert owned == 0 and applied == newest
    accounts.sign_in(pg_server.staff_url(empty_database), "ivy", IVY).close()
    # The shared login, whose password every laptop's URL carried, owns nothing and cannot
    # even connect: not the database, nor its schema, nor a table.
    code, _, err = pg_server.psql(empty_database, "legacy_login", "shared-by-everyone", "SELECT 1")
    assert code != 0 and "permission denied for database" in err


def test_a_laptop_is_told_which_command_brings_app_and_server_together(pg_server, server_location):
    ws = accounts.sign_in(server_location, "ada", PASSWORD)
    as_owner(ws, "DELETE FROM schema_migration WHERE name = '0008_server_logins'")  # (idempotent)
    ws.close()
    with pytest.raises(RuleViolation, match="server upgrade") as older:
        accounts.sign_in(server_location, "ada", PASSWORD)
    assert "clinic's IT" in str(older.value)
    it_url = server_location.replace("postgresql://", "postgresql://postgres@")
    code, out, err = finish(cli("server", "upgrade", "--db", it_url))
    assert code == 0 and "applied 0008_server_logins" in out, err
    ws = accounts.sign_in(server_location, "ada", PASSWORD)
    as_owner(
        ws, "INSERT INTO schema_migration (name, applied) VALUES ('0099_from_a_newer_app', now())"
    )
    ws.close()
    with pytest.raises(RuleViolation, match="newer Facilitator"):
        accounts.sign_in(server_location, "ada", PASSWORD)


def test_a_staff_login_cannot_set_a_server_up_or_upgrade_it(pg_server, server_location):
    code, _, err = finish(
        cli(
            "server",
            "upgrade",
            "--db",
            server_location,
            env_extra={"PGUSER": "ada", "PGPASSWORD": PASSWORD},
        )
    )
    assert code != 0 and err.count("\n") == 1 and "Traceback" not in err


def test_no_command_takes_or_prints_a_password_in_a_url(pg_server, server_location):
    """The finding: every laptop's URL carried the shared password, visible in ps, and users
    add printed it back. Now a URL with a password is refused, and never echoed."""
    secret = "shared-clinic-secret-1"
    leaky = server_location.replace("postgresql://", f"postgresql://clinic:{secret}@")
    for argv in (
        ("--db", leaky, "--user", "ada", "users", "add", "bo", "--name", "Bo Testwood"),
        ("--db", leaky, "--user", "ada", "list", "sessions"),
        ("server", "init", "--db", leaky, "--admin", "bo", "--name", "Bo Testwood"),
    ):
        code, out, err = finish(
            cli(*argv, new_password=IVY, env_extra={"FACILITATOR_PASSWORD": PASSWORD})
        )
        assert code != 0 and "carries a password" in err and err.count("\n") == 1, (argv, err)
        assert secret not in out + err
