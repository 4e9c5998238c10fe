"""The command line contract: commands, JSON fields, exit codes, one-line errors."""

import json
import os
import subprocess
import sys

import pytest

PASSWORD = "cli-password-0001"


def run(*args, password=PASSWORD, new_password=None, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACILITATOR_")}
    if password is not None:
        env["FACILITATOR_PASSWORD"] = password
    if new_password is not None:
        env["FACILITATOR_NEW_PASSWORD"] = new_password
    env.update(env_extra or {})
    done = subprocess.run(
        [sys.executable, "-m", "facilitator", *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    return done


def one_line_error(done, code):
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert lines[0].startswith("facilitator: ")
    return lines[0]


@pytest.fixture
def clinic(location):
    done = run(
        "--db", location, "users", "add", "ada", "--name", "Ada Testwood", "--credentials", "LCSW"
    )
    assert done.returncode == 0, done.stderr
    return location


def test_new_database_lists_no_sessions(clinic):
    done = run("--db", clinic, "--user", "ada", "list", "sessions", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_wrong_password_exits_3_with_one_line(clinic):
    line = one_line_error(
        run("--db", clinic, "--user", "ada", "check", password="not-the-password"), 3
    )
    assert "wrong username or password" in line
    one_line_error(run("--db", clinic, "--user", "nobody", "check"), 3)


def test_no_password_and_no_terminal_exits_3(clinic):
    line = one_line_error(run("--db", clinic, "--user", "ada", "check", password=None), 3)
    assert "FACILITATOR_PASSWORD" in line


def test_usage_errors_exit_2(sqlite_location):
    one_line_error(run("list"), 2)
    one_line_error(run("--db", sqlite_location, "list", "sessions", "--from", "yesterday"), 2)
    one_line_error(run("frobnicate"), 2)
    one_line_error(run("--db", sqlite_location, "list", "sessions"), 2)  # no --user


def test_missing_database_and_group_exit_4(clinic, tmp_path):
    one_line_error(run("--db", str(tmp_path / "absent.db"), "--user", "ada", "check"), 4)
    line = one_line_error(
        run("--db", clinic, "--user", "ada", "list", "sessions", "--group", "Nope", "--json"), 4
    )
    assert "Nope" in line


def test_users_add_then_the_new_user_signs_in(clinic):
    added = run(
        "--db",
        clinic,
        "--user",
        "ada",
        "users",
        "add",
        "finn",
        "--name",
        "Finn Larkspur",
        new_password="finns-password-1",
    )
    assert added.returncode == 0, added.stderr
    done = run(
        "--db", clinic, "--user", "finn", "list", "sessions", "--json", password="finns-password-1"
    )
    assert done.returncode == 0, done.stderr
    short = run(
        "--db",
        clinic,
        "--user",
        "ada",
        "users",
        "add",
        "gus",
        "--name",
        "Gus",
        new_password="short",
    )
    assert "12 characters" in one_line_error(short, 1)


def test_check_passes_on_a_healthy_database(clinic):
    done = run("--db", clinic, "--user", "ada", "check")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok:")


def test_facilitator_env_vars_choose_database_and_user(clinic):
    done = run(
        "list",
        "sessions",
        "--json",
        env_extra={"FACILITATOR_DB": clinic, "FACILITATOR_USER": "ada"},
    )
    assert done.returncode == 0, done.stderr
