"""Many seats on one session (issue 13), each a process of its own on one real PostgreSQL:
no save commits after a signature it was not part of, first saves at the same moment never
fail, and a member note keeps its author."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading

import pytest

from facilitator.domain.enums import Role
from facilitator.services import accounts, integrity, sessions, signing
from facilitator.store import session_reads
from facilitator.store.keys import FAST_FOR_TESTS
from facilitator.store.models import MemberNote
from tests import factories
from tests.conftest import PASSWORD, new_workspace

LENA = "lena-password-0001"


class Seat:
    """A seat process (tests/seat_driver.py): one command in, one line out."""

    def __init__(self, location: str, username: str, password: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FACILITATOR_", "PG"))}
        env["FACILITATOR_PASSWORD"] = password
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.seat_driver", location, username],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=env,
        )  # fmt: skip
        assert self.readline() == "ready", self.process.stderr.read()

    def send(self, command: str) -> None:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def readline(self) -> str:
        return self.process.stdout.readline().strip()

    def ask(self, command: str) -> str:
        self.send(command)
        return self.readline()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture
def clinic(location):
    """ada (facilitator of the sessions) and lena (a clinical lead, who may edit them too), on
    a clinic server or on one laptop's file shared by two processes."""
    server_location = location
    ws = new_workspace(location)
    ws.store.kdf = FAST_FOR_TESTS
    accounts.add_user(ws, username="lena", password=LENA, full_name="Lena Testwood",
                      role=Role.CLINICAL_LEAD)  # fmt: skip
    group_id = factories.group(ws)
    member_ids = factories.members(ws, group_id, 2)
    seats = [Seat(server_location, "ada", PASSWORD)]
    lena = accounts.sign_in(server_location, "lena", LENA)
    accounts.change_own_password(lena, LENA, LENA + "x")
    lena.close()
    seats.append(Seat(server_location, "lena", LENA + "x"))
    ws.make_current()
    yield ws, group_id, member_ids, seats
    for seat in seats:
        seat.close()
    ws.close()


RACES = 30


def test_no_save_commits_after_a_signature_it_was_not_part_of(clinic):
    """A signs while B saves as fast as it can: B's last acknowledged save is in the signed
    record, every later one is refused to B, and every seal holds."""
    ws, group_id, member_ids, (a, b) = clinic
    start = dt.date(2026, 3, 2)
    for race in range(RACES):
        ws.make_current()
        session_id = factories.started(ws, group_id, start + dt.timedelta(days=race))
        factories.ready_to_sign(ws, session_id, member_ids)
        b.send(f"notes {session_id} {member_ids[0]} race-{race}")
        signed = a.ask(f"sign {session_id}")
        last, _, refusal = b.readline().partition(" refused: ")
        assert signed == "ok", signed
        assert "signed" in refusal or "locked" in refusal, refusal
        ws.make_current()
        record = session_reads.load_session(session_id)
        assert not signing.verify_seal(record), (race, signing.verify_seal(record))
        note = next(n for n in record.member_notes if n.member_id == member_ids[0])
        expected = f"race-{race} {last}" if int(last) >= 0 else f"Member {member_ids[0]} shared."
        assert note.data == expected, race
    report = integrity.check(ws)
    assert report.ok, report.problems


def test_first_saves_at_the_same_moment_both_land(clinic):
    """Two seats write a member's first check-in and first note at one moment: neither gets a
    database error, and both fields are kept."""
    ws, group_id, member_ids, (a, b) = clinic
    for day in range(10):
        session_id = factories.started(ws, group_id, dt.date(2026, 5, 4) + dt.timedelta(days=day))
        factories.all_present(ws, session_id, member_ids)
        member = member_ids[day % 2]
        answers: dict[str, str] = {}

        def ask(seat, name, command, answers=answers):
            answers[name] = seat.ask(command)

        threads = [
            threading.Thread(target=ask, args=(a, "a", f"checkin {session_id} {member} mood 7")),
            threading.Thread(
                target=ask,
                args=(b, "b", f"checkin {session_id} {member} current_issue moving house"),
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers == {"a": "ok", "b": "ok"}, answers
        ws.make_current()
        check_in = session_reads.load_check_in(session_id, member)
        assert (check_in.mood, check_in.current_issue) == (7, "moving house")


def test_a_member_note_keeps_its_author(clinic):
    ws, group_id, member_ids, (a, b) = clinic
    session_id = factories.started(ws, group_id, dt.date(2026, 6, 1))
    factories.all_present(ws, session_id, member_ids)
    assert a.ask(f"note {session_id} {member_ids[0]} Shared about work.") == "ok"
    assert b.ask(f"note {session_id} {member_ids[0]} Shared about work and sleep.") == "ok"
    ws.make_current()
    # Read straight from the table: no screen shows a note's author yet.
    query = MemberNote.select(MemberNote.member, MemberNote.author).where(
        MemberNote.session == session_id
    )
    authors = dict(query.tuples())
    assert authors[member_ids[0]] == ws.actor.user_id


def test_saves_to_different_fields_of_one_row_both_stay(clinic):
    """Seat B's screen still shows the check-in as it was before A's change: B's save of
    another field leaves A's change as it is (the grid sends only the cell edited)."""
    ws, group_id, member_ids, (a, b) = clinic
    session_id = factories.started(ws, group_id, dt.date(2026, 6, 8))
    factories.all_present(ws, session_id, member_ids)
    member = member_ids[0]
    assert a.ask(f"checkin {session_id} {member} mood 4") == "ok"
    assert b.ask(f"checkin {session_id} {member} mood 4") == "ok"  # both screens agree
    assert a.ask(f"checkin {session_id} {member} current_issue sleep is poor") == "ok"
    assert b.ask(f"checkin {session_id} {member} mood 6") == "ok"
    assert a.ask(f"note {session_id} {member} Data typed at seat A.") == "ok"
    ws.make_current()
    check_in = session_reads.load_check_in(session_id, member)
    assert (check_in.mood, check_in.current_issue) == (6, "sleep is poor")
    lena = accounts.sign_in(ws.store.location, "lena", LENA + "x")
    try:
        sessions.write_member_note(lena, session_id, member, plan="Plan typed at seat B.")
    finally:
        lena.close()
    ws.make_current()
    note = session_reads.load_member_note(session_id, member)
    assert (note.data, note.plan) == ("Data typed at seat A.", "Plan typed at seat B.")
