"""The command line contract: commands, JSON fields, exit codes, one-line errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.tampering import as_owner  # ada's, on a file made here and on the server template


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


def add_facilitator(clinic, username, password):
    """A facilitator ada adds, who has then chosen their own password."""
    from facilitator.domain.enums import Role
    from facilitator.services import accounts

    ws = accounts.sign_in(clinic, "ada", PASSWORD)
    accounts.add_user(ws, username=username, password="given-by-ada-0001",
                      full_name=f"{username.title()} Larkspur", role=Role.FACILITATOR)  # fmt: skip
    ws.close()
    own = accounts.sign_in(clinic, username, "given-by-ada-0001")
    accounts.change_own_password(own, "given-by-ada-0001", password)
    own.close()


@pytest.fixture
def clinic(location):
    if "://" in location:  # a server: set up by its IT (server init), with ada its administrator
        return location
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
    finn = ("--db", clinic, "--user", "finn")
    # Ada knows that password: finn chooses their own before anything else.
    first = one_line_error(run(*finn, "list", "sessions", password="finns-password-1"), 3)
    assert "users password" in first
    chose = run(*finn, "users", "password", password="finns-password-1",
                new_password="finn-chose-this-01")  # fmt: skip
    assert chose.returncode == 0, chose.stderr
    done = run(*finn, "list", "sessions", "--json", password="finn-chose-this-01")
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


def test_library_list_json_fields_and_category_filter(clinic):
    done = run("--db", clinic, "--user", "ada", "library", "list", "--category", "dbt", "--json")
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    assert len(items) >= 12
    assert set(items[0]) == {"id", "title", "category", "module", "minutes", "version"}
    assert {i["category"] for i in items} == {"dbt"}
    assert "Wise Mind" in {i["title"] for i in items}
    one_line_error(run("--db", clinic, "--user", "ada", "library", "list", "--category", "x"), 2)


def test_library_export_import_and_a_bad_file(clinic, tmp_path):
    listed = json.loads(run("--db", clinic, "--user", "ada", "library", "list", "--json").stdout)
    wise = next(i for i in listed if i["title"] == "Wise Mind")
    out = tmp_path / "wise.toml"
    done = run(
        "--db", clinic, "--user", "ada", "library", "export", str(wise["id"]), "-o", str(out)
    )
    assert done.returncode == 0, done.stderr
    text = out.read_text("utf-8")
    assert 'title = "Wise Mind"' in text

    bad = tmp_path / "bad.toml"
    bad.write_text(
        text.replace('title = "Wise Mind"', 'title = "Wise Mind B"').replace("minutes", "mins"),
        "utf-8",
    )
    assert "'minutes'" in one_line_error(
        run("--db", clinic, "--user", "ada", "library", "import", str(bad)), 1
    )
    one_line_error(
        run("--db", clinic, "--user", "ada", "library", "import", str(tmp_path / "no.toml")), 4
    )
    one_line_error(
        run("--db", clinic, "--user", "ada", "library", "export", "99999", "-o", str(out)), 4
    )

    good = tmp_path / "good.toml"
    good.write_text(text.replace('title = "Wise Mind"', 'title = "Wise Mind, Clinic B"'), "utf-8")
    done = run("--db", clinic, "--user", "ada", "library", "import", str(good))
    assert done.returncode == 0, done.stderr
    after = json.loads(run("--db", clinic, "--user", "ada", "library", "list", "--json").stdout)
    assert len(after) == len(listed) + 1
    assert "Wise Mind, Clinic B" in {i["title"] for i in after}


def test_export_handout_with_and_without_a_member(clinic, tmp_path):
    from pypdf import PdfReader

    from facilitator.services import accounts, roster

    ws = accounts.sign_in(clinic, "ada", PASSWORD)
    try:
        member_id = roster.create_member(
            ws, first_name="Zoë", last_name="Quillfeather", record_number="T-CLI-1"
        ).created_id
    finally:
        ws.close()
    listed = json.loads(run("--db", clinic, "--user", "ada", "library", "list", "--json").stdout)
    card = next(i for i in listed if i["title"] == "DBT Diary Card")

    def text_of(path):
        return " ".join(page.extract_text() for page in PdfReader(path).pages)

    plain, named = tmp_path / "card.pdf", tmp_path / "card-zoe.pdf"
    done = run(
        "--db", clinic, "--user", "ada", "export", "handout", str(card["id"]), "-o", str(plain)
    )
    assert done.returncode == 0, done.stderr
    assert "DBT Diary Card" in text_of(plain) and "Zoë" not in text_of(plain)
    done = run(
        "--db", clinic, "--user", "ada", "export", "handout", str(card["id"]),
        "-o", str(named), "--member", str(member_id),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Zoë" in text_of(named)
    one_line_error(
        run("--db", clinic, "--user", "ada", "export", "handout", "99999", "-o", str(plain)), 4
    )
    missing_dir = tmp_path / "no" / "such" / "dir" / "x.pdf"
    one_line_error(
        run(
            "--db",
            clinic,
            "--user",
            "ada",
            "export",
            "handout",
            str(card["id"]),
            "-o",
            str(missing_dir),
        ),
        1,
    )
    assert "DBT Diary Card" in text_of(plain)  # the earlier file is untouched


def _signed_session(location):
    """A signed session of three fictitious members, made through the services."""
    import datetime as dt

    from facilitator.services import accounts, sessions, signing
    from tests.factories import group, members, ready_to_sign, started

    ws = accounts.sign_in(location, "ada", PASSWORD)
    try:
        group_id = group(ws, "Export Test Group")
        people = members(ws, group_id, 3, since=dt.date(2026, 2, 2))
        session_id = started(ws, group_id, dt.date(2026, 3, 2))
        ready_to_sign(ws, session_id, people)
        signing.sign_session(ws, session_id, PASSWORD)
        draft = started(ws, group_id, dt.date(2026, 3, 4))
        names = [row.display_name for row in sessions.load(session_id).attendance]
    finally:
        ws.close()
    return session_id, draft, people, names


def _pdf_text(path):
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def test_export_documents_and_the_lead_report(clinic, tmp_path):
    session_id, draft, (zoe, _bram, _cass), names = _signed_session(clinic)
    user = ("--db", clinic, "--user", "ada")

    record = tmp_path / "record.pdf"
    done = run(*user, "export", "session", str(session_id), "-o", str(record))
    assert done.returncode == 0, done.stderr
    text = _pdf_text(record)
    assert "Export Test Group" in text and all(name in text for name in names)
    assert "Electronically signed by Ada Testwood, LCSW" in text and "DRAFT" not in text

    note = tmp_path / "note.pdf"
    done = run(*user, "export", "member-note", str(session_id), str(zoe), "-o", str(note))
    assert done.returncode == 0, done.stderr
    text = _pdf_text(note)
    assert names[0] in text or "Zoë" in text
    assert not any(name in text for name in names if "Zoë" not in name)

    sheet = tmp_path / "sign-in.pdf"
    done = run(*user, "export", "sign-in", str(draft), "-o", str(sheet))
    assert done.returncode == 0, done.stderr
    assert "Zoë N." in _pdf_text(sheet)

    folder = tmp_path / "records"
    done = run(
        *user, "export", "sessions", "--from", "2026-03-01", "--to", "2026-03-31", "-o", str(folder)
    )
    assert done.returncode == 0, done.stderr
    files = sorted(folder.glob("*.pdf"))
    assert len(files) == 2 and "DRAFT" in _pdf_text(files[1]) and "DRAFT" not in _pdf_text(files[0])
    assert "[" not in done.stderr  # no progress bar when stderr is not a terminal

    summary = tmp_path / "summary.pdf"
    done = run(*user, "report", "--from", "2026-03-01", "--to", "2026-03-31", "-o", str(summary))
    assert done.returncode == 0, done.stderr
    text = _pdf_text(summary)
    assert "Export Test Group" in text and "42 CFR part 2" in text

    one_line_error(run(*user, "export", "session", "99999", "-o", str(record)), 4)
    one_line_error(
        run(*user, "export", "member-note", str(session_id), "99999", "-o", str(note)), 4
    )
    one_line_error(
        run(*user, "report", "--from", "2026-03-31", "--to", "2026-03-01", "-o", str(summary)), 1
    )
    one_line_error(
        run(*user, "export", "session", str(session_id), "-o", str(tmp_path / "no" / "x.pdf")), 1
    )
    one_line_error(run(*user, "report", "--from", "March", "--to", "2026-03-01", "-o", "x.pdf"), 2)
    assert "Electronically signed" in _pdf_text(record)  # the failed export left it alone

    from facilitator.services import accounts, audit

    ws = accounts.sign_in(clinic, "ada", PASSWORD)
    try:
        exports = audit.entries(ws, action="export")
        assert {e.facts.record_kind for e in exports} == {
            "session",
            "member_note",
            "sign_in",
            "lead_report",
        }
        assert audit.verify().ok
    finally:
        ws.close()


def test_progress_bar_is_drawn_only_on_a_terminal(monkeypatch):
    import io
    import pty

    from facilitator.cli import Progress

    leader, follower = pty.openpty()
    with os.fdopen(follower, "w") as terminal:
        monkeypatch.setattr(sys, "stderr", terminal)
        bar = Progress(4)
        for done in range(1, 5):
            bar.show(done)
        bar.finish()
        terminal.flush()
    import select

    drawn = ""
    while "4/4" not in drawn and select.select([leader], [], [], 2)[0]:
        drawn += os.read(leader, 4096).decode()
    os.close(leader)
    assert "[###############---------------] 2/4" in drawn and "4/4" in drawn
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    Progress(4).show(2)
    assert piped.getvalue() == ""


def test_audit_verify_names_the_first_altered_entry(clinic, tmp_path):
    from facilitator.services import accounts, audit

    ws = accounts.sign_in(clinic, "ada", PASSWORD)
    try:
        ids = [audit.record(ws, "export", record_kind="session", record_id=n) for n in range(3)]
    finally:
        ws.close()
    done = run("--db", clinic, "--user", "ada", "audit", "verify")
    assert done.returncode == 0, done.stderr
    assert "intact" in done.stdout

    ws = accounts.sign_in(clinic, "ada", PASSWORD)
    try:
        as_owner(
            ws,
            "ALTER TABLE audit_entry DISABLE TRIGGER USER"
            if ws.store.is_postgres
            else "DROP TRIGGER audit_append_only_update",
            f"UPDATE audit_entry SET record_id = 42 WHERE id = {ids[1]}",
        )
    finally:
        ws.close()
    line = one_line_error(run("--db", clinic, "--user", "ada", "audit", "verify"), 5)
    assert f"audit entry {ids[1]} was altered" in line


def test_backup_and_restore_by_command_line(clinic, tmp_path):
    user = ("--user", "ada")
    copy = tmp_path / "copies" / "clinic-backup.db"
    copy.parent.mkdir()
    new = tmp_path / "restored" / "clinic.db"
    if clinic.startswith("postgresql"):
        line = one_line_error(run("--db", clinic, *user, "backup", "-o", str(copy)), 2)
        assert "pg_dump" in line
        line = one_line_error(run("--db", clinic, *user, "restore", str(copy)), 2)
        assert "pg_dump" in line
        assert not copy.exists()
        return
    done = run("--db", clinic, *user, "backup", "-o", str(copy))
    assert done.returncode == 0, done.stderr
    assert (
        "verified" in done.stdout
        and copy.is_file()
        and (copy.parent / "clinic-backup.db.keys").is_file()
    )
    line = one_line_error(run("--db", clinic, *user, "backup", "-o", str(copy)), 1)
    assert "already exists" in line
    one_line_error(run("--db", clinic, *user, "backup"), 2)  # no -o
    one_line_error(run("--db", clinic, *user, "backup", "-o", str(copy) + "2", password="nope"), 3)

    # Restore: into a new place only, with the password of a user in the backup's key file.
    one_line_error(run("--db", str(new), "restore", str(copy)), 2)  # no --user
    one_line_error(run("--db", str(new), *user, "restore", str(copy), password="nope"), 3)
    one_line_error(run("--db", str(new), *user, "restore", str(tmp_path / "none.db")), 4)
    done = run("--db", str(new), *user, "restore", str(copy))
    assert done.returncode == 0, done.stderr
    assert "restored" in done.stdout
    checked = run("--db", str(new), *user, "check")
    assert checked.returncode == 0, checked.stderr
    line = one_line_error(run("--db", str(new), *user, "restore", str(copy)), 1)
    assert "already exists" in line
    line = one_line_error(run("--db", clinic, *user, "restore", str(copy)), 1)
    assert "already exists" in line
    (copy.parent / "clinic-backup.db.keys").unlink()
    line = one_line_error(run("--db", str(tmp_path / "other.db"), *user, "restore", str(copy)), 1)
    assert "no key file" in line
    assert not (tmp_path / "other.db").exists()


def test_a_damaged_database_exits_5_with_one_line(clinic, tmp_path):
    if clinic.startswith("postgresql"):
        return  # the server keeps its own files
    from pathlib import Path

    from tests.store.test_backup import corrupt

    corrupt(Path(clinic), (0.8, 0.9))
    line = one_line_error(run("--db", clinic, "--user", "ada", "check"), 5)
    assert "damaged" in line and "backup" in line
    one_line_error(run("--db", clinic, "--user", "ada", "list", "sessions"), 5)


def test_a_new_database_prints_its_recovery_key_once(sqlite_location):
    from facilitator.services import accounts

    done = run("--db", sqlite_location, "users", "add", "ada", "--name", "Ada Testwood")
    assert done.returncode == 0, done.stderr
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("recovery key")]
    key = line.rsplit(" ", 1)[1]
    accounts.reset_with_recovery_key(sqlite_location, key, "ada", "reset-by-key-0001")
    accounts.sign_in(sqlite_location, "ada", "reset-by-key-0001").close()


def test_a_facilitator_cannot_export_a_group_they_do_not_staff(clinic, tmp_path):
    """Exit 6, one line; a batch leaves those sessions out; nothing is written."""

    session_id, *_rest = _signed_session(clinic)  # Ada's group
    add_facilitator(clinic, "finn", "finn-password-01")
    finn = ("--db", clinic, "--user", "finn")
    target = tmp_path / "record.pdf"
    line = one_line_error(
        run(
            *finn,
            "export",
            "session",
            str(session_id),
            "-o",
            str(target),
            password="finn-password-01",
        ),
        6,
    )
    assert line.startswith("facilitator: not allowed") and not target.exists()
    period = ("--from", "2026-03-01", "--to", "2026-03-31")
    batch = run(*finn, "export", "sessions", *period, "-o", str(tmp_path / "all"),
                password="finn-password-01")  # fmt: skip
    if "://" in clinic:
        # On a server finn's login cannot read those sessions at all: the batch shows less.
        assert batch.returncode == 0 and "wrote 0 session records" in batch.stdout
    else:
        one_line_error(batch, 6)
    done = run(*finn, "report", *period, "--group", "Export Test Group", "-o", str(target),
               password="finn-password-01")  # fmt: skip
    # On a server the group is not there for finn at all (exit 4); on a laptop, refused.
    one_line_error(done, 4 if "://" in clinic else 6)


def test_an_id_no_record_can_have_exits_4(clinic):
    """Finding: 99999999999999999999 gave OverflowError, exit 1."""
    user = ("--db", clinic, "--user", "ada")
    for argv in (
        ("export", "session", "99999999999999999999", "-o", "x.pdf"),
        ("export", "member-note", "1", "99999999999999999999", "-o", "x.pdf"),
        ("export", "handout", "0", "-o", "x.pdf"),
        ("library", "export", "9223372036854775808", "-o", "x.json"),
    ):
        line = one_line_error(run(*user, *argv), 4)
        assert "with id" in line, line
    one_line_error(run(*user, "export", "session", "twelve", "-o", "x.pdf"), 2)  # not a number


def test_a_password_that_is_not_utf8_exits_3(clinic):
    """Finding: a password whose bytes are not UTF-8 (here Latin-1 "café") exited 1."""
    line = one_line_error(run("--db", clinic, "--user", "ada", "check", password="caf\udce9"), 3)
    assert "FACILITATOR_PASSWORD is not UTF-8" in line


def test_the_password_leaves_the_environment_once_read(clinic, monkeypatch):
    """Finding: FACILITATOR_PASSWORD was inherited by the export workers. It is taken out of
    the environment when read, so a process started after sign-in (as the workers are) does
    not see it."""
    import multiprocessing

    from facilitator import cli

    monkeypatch.setenv("FACILITATOR_PASSWORD", PASSWORD)
    ws = cli._sign_in(cli.parse(["--db", clinic, "--user", "ada", "check"]))
    ws.close()
    assert "FACILITATOR_PASSWORD" not in os.environ
    context = multiprocessing.get_context("spawn")  # as the export workers are started
    with context.Pool(1) as pool:
        assert pool.apply(os.getenv, ("FACILITATOR_PASSWORD",)) is None


LIBRARY_LIST = ("library", "list", "--json")


def test_a_reader_that_leaves_ends_the_command_quietly(clinic):
    """Finding: piping into `head` printed a BrokenPipe message. The reader's end is closed
    before the command writes, so its first write meets a closed pipe."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACILITATOR_")}
    env["FACILITATOR_PASSWORD"] = PASSWORD
    child = subprocess.Popen(
        [sys.executable, "-m", "facilitator", "--db", clinic, "--user", "ada", *LIBRARY_LIST],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    child.stdout.close()
    err = child.stderr.read().decode()
    assert child.wait(timeout=120) == 141
    assert err == ""


def test_check_root_and_audit_head_from_paper_on_the_command_line(clinic, tmp_path):
    user = ("--db", clinic, "--user", "ada")
    done = run(*user, "check")
    assert done.returncode == 0, done.stderr
    first, *notes = done.stdout.splitlines()
    assert first.startswith("ok:")
    (fingerprint,) = [n.split(": ", 1)[1] for n in notes if n.startswith("root key fingerprint")]
    assert run(*user, "check", "--root", fingerprint).returncode == 0
    wrong = "0000 " * 7 + "0000"
    refused = run(*user, "check", "--root", wrong)
    assert refused.returncode == 5 and "root key is not the clinic's" in refused.stdout
    verified = run(*user, "audit", "verify")
    head = verified.stdout.strip().rsplit("head ", 1)[1]
    assert run(*user, "audit", "verify", "--head", head).returncode == 0
    assert run(*user, "check", "--head", head).returncode == 0
    count = int(head.split(":")[0])
    ahead = f"{count + 50}:{head.split(':')[1]}"  # a head the trail never reached: cut off
    cut = run(*user, "audit", "verify", "--head", ahead)
    assert cut.returncode == 5 and "were removed" in cut.stdout
    assert "COUNT:HASH" in one_line_error(run(*user, "audit", "verify", "--head", "12:xyz"), 2)
    if "://" not in clinic:
        backed = run(*user, "backup", "-o", str(tmp_path / "copy.db"))
        assert backed.returncode == 0, backed.stderr
        kept = (tmp_path / "copy.db.head").read_text().strip()
        assert f"audit trail head {kept} kept in copy.db.head" in backed.stdout
        assert run(*user, "audit", "verify", "--head", kept).returncode == 0


def test_deactivating_on_the_command_line_re_encrypts_and_rotating_keeps_passwords(
    clinic, tmp_path
):
    user = ("--db", clinic, "--user", "ada")
    added = run(
        *user, "users", "add", "rowan", "--name", "Rowan Testwood", new_password="rowan-pass-0001"
    )
    assert added.returncode == 0, added.stderr
    if "://" in clinic:
        refused = one_line_error(run(*user, "keys", "rotate"), 1)
        assert "server" in refused
        done = run(*user, "users", "deactivate", "rowan")
        assert done.returncode == 0 and "re-encrypted" not in done.stdout
        return
    from facilitator.store.keys import KeySlots, keys_path_for

    kept = tmp_path / "kept.keys"
    kept.write_bytes(keys_path_for(Path(clinic)).read_bytes())
    done = run(*user, "users", "deactivate", "rowan")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "deactivated rowan; database re-encrypted"
    old_key = KeySlots.load(kept).unwrap("rowan", "rowan-pass-0001")
    from facilitator.store.rekey import _opens_with

    assert not _opens_with(Path(clinic), old_key)
    rotated = run(*user, "keys", "rotate")
    assert rotated.returncode == 0 and "under a new key" in rotated.stdout
    assert run(*user, "check").returncode == 0
    one_line_error(run(*user, "users", "deactivate", "nobody"), 4)


def test_a_lead_puts_a_facilitator_on_a_groups_staff_from_the_command_line(clinic):

    session_id, *_rest = _signed_session(clinic)
    add_facilitator(clinic, "finn", "finn-password-01")
    finn = ("--db", clinic, "--user", "finn")
    listed = run(*finn, "list", "sessions", "--json", password="finn-password-01")
    assert listed.returncode == 0 and json.loads(listed.stdout) == []
    refused = run(
        *finn, "groups", "staff", "Export Test Group", "finn", password="finn-password-01"
    )
    assert "only a clinical lead or admin" in one_line_error(refused, 1)
    done = run("--db", clinic, "--user", "ada", "groups", "staff", "Export Test Group", "finn")
    assert done.returncode == 0 and "finn staffs Export Test Group" in done.stdout
    listed = run(*finn, "list", "sessions", "--json", password="finn-password-01")
    rows = json.loads(listed.stdout)
    assert session_id in [row["id"] for row in rows]
    assert {row["group"] for row in rows} == {"Export Test Group"}
    bad = run("--db", clinic, "--user", "ada", "groups", "staff", "Export Test Group", "finn",
              "--cover-from", "2026-03-05", "--cover-until", "2026-03-04")  # fmt: skip
    assert "first and a last day" in one_line_error(bad, 1)


def test_a_user_changes_their_own_password_on_the_command_line(clinic):
    added = run("--db", clinic, "--user", "ada", "users", "add", "finn", "--name", "Finn Larkspur",
                new_password="given-by-ada-0001")  # fmt: skip
    assert added.returncode == 0, added.stderr
    finn = ("--db", clinic, "--user", "finn")
    wrong = run(*finn, "users", "password", password="not-finns-1234", new_password="x" * 14)
    one_line_error(wrong, 3)
    done = run(*finn, "users", "password", password="given-by-ada-0001",
               new_password="finn-chose-this-01")  # fmt: skip
    assert done.returncode == 0 and "finn has a new password" in done.stdout, done.stderr
    assert "finn-chose-this-01" not in done.stdout + done.stderr
    one_line_error(run(*finn, "list", "sessions", password="given-by-ada-0001"), 3)
    assert run(*finn, "list", "sessions", password="finn-chose-this-01").returncode == 0


def test_two_first_users_at_once_make_one_database_and_one_clear_refusal(sqlite_location):
    """The finding: two `users add` on an empty database at one moment; here the second was
    told the new file was damaged. Now one succeeds and the other is refused for what
    happened."""
    import concurrent.futures

    def add(name):
        return run("--db", sqlite_location, "users", "add", name, "--name", f"{name.title()} T",
                   password=f"{name}-password-0001")  # fmt: skip

    for _attempt in range(3):
        for leftover in Path(sqlite_location).parent.glob("clinic.db*"):
            leftover.unlink()
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            done = list(pool.map(add, ["ivy", "jude"]))
        codes = sorted(d.returncode for d in done)
        assert codes[0] == 0 and codes[1] in (1, 2), [d.stderr for d in done]
        refused = next(d for d in done if d.returncode != 0)
        assert "damaged" not in refused.stderr
        # Refused for what happened: made a moment ago by the other, or (the other had
        # finished first) an existing database, where adding a user needs --user.
        assert any(
            words in refused.stderr for words in ("a moment ago", "already exists", "--user")
        ), refused.stderr
        winner = next(
            name for d, name in zip(done, ["ivy", "jude"], strict=True) if d.returncode == 0
        )
        ok = run(
            "--db", sqlite_location, "--user", winner, "check", password=f"{winner}-password-0001"
        )
        assert ok.returncode == 0, ok.stderr
