"""Moving laptops in (issue 12): `server import` brings a laptop's whole database onto the
clinic's server, with the server's ids, and `check` still verifies every signature, key and
audit entry the laptop made; the laptop's file is untouched."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from facilitator.domain.audit import Action
from facilitator.domain.enums import Role
from facilitator.domain.errors import (
    AuthenticationFailed,
    IntegrityProblem,
    PermissionDenied,
    RuleViolation,
)
from facilitator.domain.records import display_name
from facilitator.export.session_record import write_session_record
from facilitator.services import (
    accounts,
    audit,
    demo,
    documents,
    home,
    integrity,
    keys,
    library,
    moving_in,
    roster,
    signing,
    visibility,
)
from facilitator.store import session_reads
from facilitator.store.keys import FAST_FOR_TESTS
from tests import factories
from tests.conftest import ADMIN, PASSWORD, new_workspace
from tests.tampering import as_owner

LAPTOP_PASSWORD = "laptop-password-01"
ROWAN = "rowan-password-0001"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _demo_laptop(folder: Path, seed: int, name: str | None = None) -> Path:
    path = folder / (name or f"laptop-{seed}.db")
    demo.create_demo(str(path), LAPTOP_PASSWORD, groups=1, weeks=2, seed=seed, kdf=FAST_FOR_TESTS)
    return path


def _own_record_numbers(path: Path, prefix: str) -> None:
    """The demo numbers every laptop's members DEMO-000001…: as another clinic's laptop would,
    this one numbers its own."""
    ws = accounts.sign_in(str(path), "demo", LAPTOP_PASSWORD)
    try:
        for member in roster.list_members(ws=ws):
            number = member.record_number.replace("DEMO", prefix)
            roster.update_member(ws, member.id, record_number=number)
    finally:
        ws.close()


def _bring_in(ws, path: Path, user: str = "demo", *, same_members: bool = False):
    laptop = moving_in.read_laptop(path, user, LAPTOP_PASSWORD)
    found = moving_in.plan(ws, laptop)
    return moving_in.bring_in(ws, laptop, found, same_members=same_members)


@pytest.fixture
def admin(server_location):
    ws = accounts.sign_in(server_location, ADMIN["username"], PASSWORD)
    ws.store.kdf = FAST_FOR_TESTS
    yield ws
    ws.close()


def test_two_laptops_with_overlapping_ids_move_in_and_every_seal_verifies(admin, tmp_path):
    first, second = _demo_laptop(tmp_path, 1), _demo_laptop(tmp_path, 2)
    _own_record_numbers(second, "EAST")
    files = {path: (_digest(path), path.stat().st_mtime_ns) for path in (first, second)}
    one = _bring_in(admin, first)
    two = _bring_in(admin, second)
    # Both laptops numbered their rows from 1: the second's were renumbered, none merged.
    assert one.brought["session"] == two.brought["session"] == 6
    assert two.after["session"] == one.before["session"] + 12
    assert two.after["member"] == one.before["member"] + 8 + 13
    assert two.users_matched == sorted(one.users_added)  # the same fictitious staff
    assert (one.matched.get("app_user"), two.matched["app_user"]) == (None, 7)
    assert two.after["app_user"] == one.before["app_user"] + 7
    assert two.groups_renamed and "laptop import" in two.groups_renamed[0][1]
    # Untouched: the laptops' files, bytes and times.
    assert {p: (_digest(p), p.stat().st_mtime_ns) for p in files} == files
    report = integrity.check(admin)
    assert report.ok, report.problems
    assert report.signed_sessions == 6
    assert sum("laptop import" in note for note in report.notes) >= 2
    chain = audit.verify()
    assert chain.ok
    laptop_trails = one.brought["imported_audit_entry"] + two.brought["imported_audit_entry"]
    assert chain.laptop_entries == laptop_trails > 4
    # Each moved-in record names the server's rows: its members are the server's members.
    for session in home.list_sessions(None, None, None, admin):
        record = session_reads.load_session(session.id)
        for row in record.attendance:
            member = roster.get_member(row.member_id)
            assert display_name(member.preferred_name, member.first_name, member.last_name) == (
                row.display_name
            )
    entries = audit.entries(admin, action=Action.IMPORT)
    assert [e.facts.record_id for e in entries] == [two.import_id, one.import_id]
    assert all(e.facts.username == ADMIN["username"] for e in entries)


def _laptop_with_addendum(path: Path) -> tuple[int, list[int]]:
    """A laptop of ada's (the server's administrator too) and rowan, a lead: a signed session
    with an addendum, and a draft."""
    ws = new_workspace(str(path))
    ws.store.kdf = FAST_FOR_TESTS
    factories.lead(ws, ROWAN)
    group_id = factories.group(ws)
    member_ids = factories.members(ws, group_id)
    signed = factories.started(ws, group_id, dt.date(2026, 11, 2))
    factories.ready_to_sign(ws, signed, member_ids)
    signing.sign_session(ws, signed, PASSWORD)
    signing.add_addendum(ws, signed, PASSWORD, reason="Late entry", text="Called member 1.")
    draft = factories.started(ws, group_id, dt.date(2026, 11, 4))
    factories.all_present(ws, draft, member_ids)
    ws.close()
    return signed, member_ids


def test_a_laptops_addenda_verify_and_its_people_sign_in_as_themselves(admin, tmp_path):
    path = tmp_path / "ada-laptop.db"
    _laptop_with_addendum(path)
    # The laptop's password for ada differs from the server's: each is checked where it lives.
    report = _bring_in_as(admin, path, "ada", PASSWORD)
    assert report.users_matched == [ADMIN["username"]] and report.users_added == ["rowan"]
    assert integrity.check(admin).ok
    session_id = next(
        s.id for s in home.list_sessions(None, None, None, admin) if s.state.value == "signed"
    )
    # On the server: ada adds an addendum to the moved-in session; rowan, with the one-time
    # password the import gave, must choose his own first, then co-signs it.
    signing.add_addendum(admin, session_id, PASSWORD, reason="Late entry", text="On the server.")
    rowan = accounts.sign_in(admin.store.location, "rowan", report.one_time_passwords["rowan"])
    try:
        assert rowan.actor.role is Role.CLINICAL_LEAD and not rowan.actor.password_chosen
        accounts.change_own_password(rowan, report.one_time_passwords["rowan"], ROWAN)
        signing.cosign_session(rowan, session_id, ROWAN)
    finally:
        rowan.close()
    admin.make_current()
    record = session_reads.load_session(session_id)
    assert len(record.addenda) == 2 and len(record.signatures) == 2
    assert not signing.verify_seal(record)
    assert integrity.check(admin).ok
    # The printed record names the laptop's root its signature's key was certified by, and
    # the server's root that certified that one (what `check --root` takes).
    target = tmp_path / "record.pdf"
    write_session_record(target, documents.session_document(admin, session_id))
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(target).pages)
    server_root = keys.root_fingerprint()
    laptop_root = next(n for n in integrity.check(admin).notes if "laptop import" in n)
    assert f"certified by the clinic root key {server_root}" in text
    assert f"laptop's root key {laptop_root.split('fingerprint ')[1][:39]}" in text


def _bring_in_as(ws, path: Path, user: str, password: str):
    laptop = moving_in.read_laptop(path, user, password)
    return moving_in.bring_in(ws, laptop, moving_in.plan(ws, laptop), same_members=False)


def test_what_came_from_a_laptop_cannot_be_changed_unseen(admin, tmp_path):
    path = tmp_path / "ada-laptop.db"
    _laptop_with_addendum(path)
    report = _bring_in_as(admin, path, "ada", PASSWORD)
    with pytest.raises(Exception, match="kept as it came"):
        as_owner(admin, "UPDATE imported_audit_entry SET detail = 'x'")
    # Someone with the owner's rights goes around the triggers.
    as_owner(
        admin,
        "ALTER TABLE imported_audit_entry DISABLE TRIGGER USER",
        "UPDATE imported_audit_entry SET outcome = 'denied' WHERE origin_id = 2",
        "ALTER TABLE imported_audit_entry ENABLE TRIGGER USER",
        "ALTER TABLE imported_body DISABLE TRIGGER USER",
        "UPDATE imported_body SET origin_hash = repeat('0', 64)",
        "ALTER TABLE imported_body ENABLE TRIGGER USER",
        "ALTER TABLE laptop_import DISABLE TRIGGER USER",
        f"UPDATE laptop_import SET audit_entries = audit_entries - 1 WHERE id = {report.import_id}",
        "ALTER TABLE laptop_import ENABLE TRIGGER USER",
    )
    problems = "\n".join(integrity.check(admin).problems)
    name = f"laptop import {report.import_id}"
    assert f"{name}: its audit entry 2 was altered" in problems
    assert "the record its laptop signed was altered" in problems
    assert f"{name} is not certified by the server's root key" in problems


def test_a_renumbered_record_that_differs_from_the_laptops_is_found(admin, tmp_path):
    path = tmp_path / "ada-laptop.db"
    _laptop_with_addendum(path)
    _bring_in_as(admin, path, "ada", PASSWORD)
    session_id = next(
        s.id for s in home.list_sessions(None, None, None, admin) if s.state.value == "signed"
    )
    assert integrity.check(admin).ok
    # Rewrite what the server reads (the renumbered body), leaving the laptop's body be.
    with_body = session_reads.signed_bodies([session_id])[session_id]
    forged = with_body.replace(b'"group_name":"Evening Recovery A"', b'"group_name":"Other"')
    assert forged != with_body
    packed = session_reads.pack_body(forged).hex()
    as_owner(
        admin,
        "ALTER TABLE signed_content DISABLE TRIGGER USER",
        f"UPDATE signed_content SET body = '\\x{packed}'::bytea WHERE session_id = {session_id}",
        "ALTER TABLE signed_content ENABLE TRIGGER USER",
    )
    problems = integrity.check(admin).problems
    assert f"session {session_id}: its record differs from the one its laptop signed" in problems


def test_members_with_the_same_record_number_are_matched_only_when_confirmed(admin, tmp_path):
    first = _demo_laptop(tmp_path, 1)
    again = _demo_laptop(tmp_path, 1, "same-people.db")  # another laptop, the same members
    _bring_in(admin, first)
    before = integrity.check(admin)
    laptop = moving_in.read_laptop(again, "demo", LAPTOP_PASSWORD)
    found = moving_in.plan(admin, laptop)
    assert len(found.members) == 8
    assert all(m.on_laptop == m.on_server for m in found.members)
    with pytest.raises(RuleViolation, match="8 member"):
        moving_in.bring_in(admin, laptop, found, same_members=False)
    assert integrity.check(admin).signed_sessions == before.signed_sessions  # nothing written
    report = moving_in.bring_in(admin, laptop, found, same_members=True)
    assert report.matched["member"] == 8
    assert report.after["member"] == report.before["member"]
    assert report.after["enrollment"] == report.before["enrollment"] + 8
    assert integrity.check(admin).ok


def test_refusals_leave_the_server_as_it_was(admin, server_location, tmp_path):
    laptop_path = _demo_laptop(tmp_path, 3)
    with pytest.raises(AuthenticationFailed):
        moving_in.read_laptop(laptop_path, "demo", "not-the-password")
    laptop = moving_in.read_laptop(laptop_path, "demo", LAPTOP_PASSWORD)
    accounts.add_user(
        admin, username="quinn", password="quinn-password-01", full_name="Quinn Realname",
        role=Role.FACILITATOR,
    )  # fmt: skip
    facilitator = accounts.sign_in(server_location, "quinn", "quinn-password-01")
    try:
        with pytest.raises(PermissionDenied):
            moving_in.plan(facilitator, laptop)
    finally:
        facilitator.close()
    _bring_in(admin, laptop_path)
    with pytest.raises(RuleViolation, match="moved in already"):
        _bring_in(admin, laptop_path)


def test_a_username_that_is_someone_else_on_the_server_stops_the_import(admin, tmp_path):
    laptop_path = _demo_laptop(tmp_path, 4)
    accounts.add_user(
        admin, username="rowan.testwood", password="rowan-password-01", full_name="Another Rowan",
        role=Role.FACILITATOR,
    )  # fmt: skip
    laptop = moving_in.read_laptop(laptop_path, "demo", LAPTOP_PASSWORD)
    with pytest.raises(RuleViolation, match=r"rowan\.testwood .*Another Rowan"):
        moving_in.plan(admin, laptop)


def test_a_laptop_whose_own_check_fails_is_not_moved_in(admin, tmp_path):
    laptop_path = _demo_laptop(tmp_path, 5)
    ws = accounts.sign_in(str(laptop_path), "demo", LAPTOP_PASSWORD)
    ws.store.db.execute_sql("DROP TRIGGER lock_signature_update")
    ws.close()
    with pytest.raises(IntegrityProblem, match="laptop's own check finds"):
        moving_in.read_laptop(laptop_path, "demo", LAPTOP_PASSWORD)


# ----------------------------------------------------------------------------- the command


def _cli(*args, cwd, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACILITATOR_", "PG"))}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "facilitator", *args], capture_output=True, text=True, env=env,
        cwd=cwd, stdin=subprocess.DEVNULL, timeout=300,
    )  # fmt: skip


def test_server_import_at_the_command_line(admin, server_location, tmp_path):
    laptop_path = _demo_laptop(tmp_path, 1)
    same_people = _demo_laptop(tmp_path, 1, "same-people.db")
    secrets = {"FACILITATOR_PASSWORD": PASSWORD, "FACILITATOR_LAPTOP_PASSWORD": LAPTOP_PASSWORD}
    base = ("--db", server_location, "--user", "ada", "server", "import")
    done = _cli(*base, str(laptop_path), "--laptop-user", "demo", cwd=tmp_path, env_extra=secrets)
    assert done.returncode == 0, done.stderr
    assert "laptop import 1: root key" in done.stdout
    assert "session                      0       6       0       6" in done.stdout
    passwords = tmp_path / "one-time-passwords.txt"
    assert stat.S_IMODE(passwords.stat().st_mode) == 0o600
    given = dict(line.split("\t") for line in passwords.read_text().splitlines() if "\t" in line)
    assert set(given) == {"avery.sampleton", "casey.fauxley", "demo", "jordan.mockridge",
                          "morgan.exemplar", "quinn.dummett", "rowan.testwood"}  # fmt: skip
    for password in given.values():
        assert password not in done.stdout + done.stderr
    # A second laptop with the same members: listed, and not moved in without confirmation.
    refused = _cli(*base, str(same_people), "--laptop-user", "demo", "--passwords-file",
                   "second.txt", cwd=tmp_path, env_extra=secrets)  # fmt: skip
    assert refused.returncode == 1, refused.stderr
    assert "8 member(s) on the laptop have record numbers the server has already" in refused.stdout
    assert "--same-members" in refused.stderr and not (tmp_path / "second.txt").exists()
    confirmed = _cli(*base, str(same_people), "--laptop-user", "demo", "--same-members",
                     cwd=tmp_path, env_extra=secrets)  # fmt: skip
    assert confirmed.returncode == 0, confirmed.stderr
    assert "8 member(s) kept as one record with the server's" in confirmed.stdout
    # The same laptop again: refused, one line.
    again = _cli(*base, str(laptop_path), "--laptop-user", "demo", "--passwords-file", "x.txt",
                 cwd=tmp_path, env_extra=secrets)  # fmt: skip
    assert again.returncode != 0 and "moved in already" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    # A moved-in user signs in with their one-time password only to choose their own.
    first_use = _cli("--db", server_location, "--user", "casey.fauxley", "list", "sessions",
                     cwd=tmp_path, env_extra={"FACILITATOR_PASSWORD": given["casey.fauxley"]})  # fmt: skip
    assert first_use.returncode == 3 and "choose your own" in first_use.stderr
    check = _cli("--db", server_location, "--user", "ada", "check", cwd=tmp_path,
                 env_extra={"FACILITATOR_PASSWORD": PASSWORD})  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    verified = _cli("--db", server_location, "--user", "ada", "audit", "verify", cwd=tmp_path,
                    env_extra={"FACILITATOR_PASSWORD": PASSWORD})  # fmt: skip
    assert "entries of the laptops brought in" in verified.stdout


def test_the_same_laptop_imported_twice_at_once_comes_in_once(admin, server_location, tmp_path):
    laptop_path = _demo_laptop(tmp_path, 6)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACILITATOR_", "PG"))}
    env.update(FACILITATOR_PASSWORD=PASSWORD, FACILITATOR_LAPTOP_PASSWORD=LAPTOP_PASSWORD)
    both = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "facilitator",
                "--db",
                server_location,
                "--user",
                "ada",
                "server",
                "import",
                str(laptop_path),
                "--laptop-user",
                "demo",
                "--passwords-file",
                f"passwords-{n}.txt",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        for n in (1, 2)
    ]
    results = sorted((p.wait(timeout=300), p.stderr.read()) for p in both)
    assert [code for code, _ in results] == [0, 1], results
    assert "moved in already" in results[1][1]
    # The loser's passwords file is gone with its import; the winner's logins work.
    assert len(list(tmp_path.glob("passwords-*.txt"))) == 1
    admin.make_current()
    report = integrity.check(admin)
    assert report.ok and report.signed_sessions == 3


def test_the_clinics_own_library_items_come_in_under_names_of_their_own(admin, tmp_path):
    shipped = next(i for i in library.list_items() if i.shipped)
    fields = {key: getattr(shipped, key) for key in library.ITEM_KEYS}
    server_item = library.save_clinic_item(admin, {**fields, "title": "Wave riding"}).created_id
    path = tmp_path / "ada-laptop.db"
    laptop = new_workspace(str(path))
    laptop.store.kdf = FAST_FOR_TESTS
    library.save_clinic_item(laptop, {**fields, "title": "Wave riding", "purpose": "Ours."})
    library.save_clinic_item(laptop, {**fields, "title": "Tide charts", "purpose": "Also ours."})
    laptop.close()
    report = _bring_in_as(admin, path, "ada", PASSWORD)
    assert report.matched["homework_item"] == report.brought["homework_item"] - 2  # shipped
    admin.make_current()
    items = {i.title: i for i in library.list_items() if not i.shipped}
    name = f"Wave riding (laptop import {report.import_id})"
    assert set(items) == {"Wave riding", name, "Tide charts"}
    assert items["Wave riding"].id == server_item and items["Wave riding"].purpose != "Ours."
    assert items[name].purpose == "Ours." and items[name].slug.endswith("-laptop-import-1")
    assert items["Tide charts"].purpose == "Also ours."


def test_a_laptop_row_naming_what_the_laptop_lacks_stops_the_import_whole(admin, tmp_path):
    path = tmp_path / "ada-laptop.db"
    _laptop_with_addendum(path)
    laptop = accounts.sign_in(str(path), "ada", PASSWORD)
    visibility.assign(laptop, 1, "rowan")
    laptop.store.db.execute_sql("UPDATE group_staff SET assigned_by = 999")  # a plain integer
    laptop.close()
    admin.make_current()
    before = integrity.check(admin).signed_sessions
    with pytest.raises(IntegrityProblem, match="group_staff 1 names app_user 999"):
        _bring_in_as(admin, path, "ada", PASSWORD)
    assert integrity.check(admin).signed_sessions == before
    assert not audit.entries(admin, action=Action.IMPORT)
