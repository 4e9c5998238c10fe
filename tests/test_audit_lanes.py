"""The audit trail in lanes on a clinic server (issue 13): one seat's append never waits for
another seat's, one seat's appends still take turns, a lane cannot fork, and a printed head
still catches a lane cut short or rewritten."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from peewee import IntegrityError

from facilitator.domain.audit import Action
from facilitator.services import accounts, audit
from facilitator.services.trust import parse_head
from facilitator.store import audit as audit_store
from facilitator.store.models import AuditEntry, AuditHead
from tests import factories
from tests.conftest import PASSWORD
from tests.seats import LENA, Seat, at_once, two_seats
from tests.tampering import unguarded


@pytest.fixture
def clinic(server_location):
    for seated in two_seats(server_location):  # its seats close after the test
        yield (server_location, *seated)


def _answer_within(seat: Seat, command: str, seconds: float) -> str | None:
    """The seat's answer, or None if it has not answered within ``seconds`` (it is waiting)."""
    answer: list[str] = []
    thread = threading.Thread(target=lambda: answer.append(seat.ask(command)), daemon=True)
    thread.start()
    thread.join(seconds)
    return answer[0] if answer else None


def test_a_seat_appending_does_not_wait_for_another_seats_open_append(clinic):
    """ada's entry sits in an open transaction (holding her lane); lena's save and its entry
    land at once, while a second seat of ada's own waits its turn and then lands too."""
    location, ws, group_id, member_ids, (_ada_seat, lena_seat) = clinic
    session_id = factories.started(ws, group_id, dt.date(2026, 3, 2))
    ada_again = Seat(location, "ada", PASSWORD)
    try:
        with audit_store.together():
            audit.record(ws, Action.EXPORT, record_kind="session", record_id=session_id)
            started = time.perf_counter()
            lena = _answer_within(lena_seat, f"note {session_id} {member_ids[0]} From lena.", 5)
            assert lena == "ok" and time.perf_counter() - started < 2, lena
            waiting = threading.Thread(
                target=lambda: answers.append(
                    ada_again.ask(f"note {session_id} {member_ids[1]} From ada.")
                ),
                daemon=True,
            )
            answers: list[str] = []
            waiting.start()
            waiting.join(1.5)
            assert not answers, "ada's second seat should wait for her lane"
        waiting.join(10)
        assert answers == ["ok"]
    finally:
        ada_again.close()
    ws.make_current()
    report = audit.verify(parse_head(audit.head()))
    assert report.ok, report.problems
    lanes = {entry.lane for entry in audit_store.all_entries()}
    assert len([lane for lane in lanes if lane]) >= 2, lanes


def test_a_lane_cannot_fork(clinic):
    """Two entries following one entry of a lane: the second is refused by the database."""
    _location, ws, *_ = clinic
    first = audit.record(ws, Action.EXPORT)
    entry = next(e for e in audit_store.all_entries() if e.id == first)
    with pytest.raises(IntegrityError), unguarded(ws):
        AuditEntry.insert(
            id=first + 1000, at=entry.facts.at, user_id=entry.facts.user_id,
            username=entry.facts.username, workstation=entry.facts.workstation,
            action="export", prev_hash=entry.prev_hash, entry_hash="f" * 64, lane=entry.lane,
        ).execute()  # fmt: skip
    assert audit.verify().ok  # what the lane holds is untouched


@pytest.fixture
def two_lanes(clinic):
    """Entries in ada's lane and in lena's, then a head printed."""
    location, ws, *_ = clinic
    lena = accounts.sign_in(location, "lena", LENA + "x")
    for n in range(3):
        audit.record(ws, Action.EXPORT, record_kind="session", record_id=n)
        audit.record(lena, Action.EXPORT, record_kind="session", record_id=n)
    ws.make_current()
    printed = audit.head()
    yield ws, lena, printed
    lena.close()


def test_a_head_catches_one_lane_cut_short(two_lanes):
    ws, lena, printed = two_lanes
    assert audit.verify(parse_head(printed)).ok
    lena_newest = max(e.id for e in audit_store.all_entries() if e.facts.username == "lena")
    with unguarded(ws):
        AuditEntry.delete().where(AuditEntry.id == lena_newest).execute()
    assert audit.verify().broken_at is None  # each lane's chain still holds on its own
    problems = audit.verify(parse_head(printed)).problems
    assert any(f"audit entry {lena_newest}" in p and "removed" in p for p in problems), problems
    audit.record(lena, Action.LOGIN)  # appending after the cut does not hide it
    ws.make_current()
    assert not audit.verify(parse_head(printed)).ok


def test_a_head_catches_a_lane_rewritten_and_its_record_altered(two_lanes):
    ws, _lena, printed = two_lanes
    count, digest = parse_head(printed)
    with unguarded(ws):
        AuditHead.update(lanes="[]").where(AuditHead.digest == digest).execute()
    problems = audit.verify(parse_head(printed)).problems
    assert any("was altered" in p for p in problems), problems
    # A head the trail never printed (its record removed, or made up) is not taken on trust.
    made_up = audit.verify((count, "0" * 64)).problems
    assert any("no head" in p for p in made_up), made_up


def test_appends_from_many_seats_at_once_keep_every_lane_a_chain(clinic):
    """Four seats (two users, two processes each) saving at the same moment, 10 times."""
    location, ws, group_id, member_ids, (ada_seat, lena_seat) = clinic
    session_id = factories.started(ws, group_id, dt.date(2026, 3, 2))
    more = [Seat(location, "ada", PASSWORD), Seat(location, "lena", LENA + "x")]
    seats = [ada_seat, lena_seat, *more]
    try:
        for round_ in range(10):
            asks = [
                (seat, f"note {session_id} {member_ids[n % 2]} R{round_} seat {n}.")
                for n, seat in enumerate(seats)
            ]
            assert at_once(*asks) == ["ok"] * len(seats)
    finally:
        for seat in more:
            seat.close()
    ws.make_current()
    report = audit.verify(parse_head(audit.head()))
    assert report.ok, report.problems
    assert report.entries >= 40
