"""The live view's feed (issue 13): what another seat commits is heard within a second, by
table and ids only, on a clinic server (LISTEN/NOTIFY) and on one laptop's file shared by
processes (data_version and the change log)."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from facilitator.domain.changes import Changes
from facilitator.services import live, sessions
from facilitator.store.models import database
from tests import factories
from tests.seats import two_seats

WITHIN_S = 1.0


@pytest.fixture
def clinic(location):
    yield from two_seats(location)


class Feed:
    """Either engine's feed, read the way the window reads it."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.raw: list = []
        if ws.store.is_postgres:
            self.server = live.ServerFeed(ws)
            self.server.wait(0.01)  # listening from here on
        else:
            self.laptop = live.LaptopFeed(ws)

    def heard(self, seconds: float) -> tuple[Changes, float]:
        """What others changed, waiting up to ``seconds`` for it; and how long it took."""
        start = time.monotonic()
        changes = Changes()
        while time.monotonic() - start < seconds:
            if self.ws.store.is_postgres:
                heard = self.server.wait(0.05)
                self.raw += heard
                changes |= live.changes_heard(self.ws, heard)
            else:
                changes |= self.laptop.read() or Changes()
                time.sleep(0.02)
            if changes:
                return changes, time.monotonic() - start
        return changes, time.monotonic() - start

    def close(self) -> None:
        if self.ws.store.is_postgres:
            self.server.close()


def test_another_seats_note_and_check_in_are_heard_within_a_second(clinic):
    ws, group_id, member_ids, (_a, b) = clinic
    session_id = factories.started(ws, group_id, dt.date(2026, 7, 6))
    factories.all_present(ws, session_id, member_ids)
    feed = Feed(ws)
    feed.heard(0.3)  # the set-up's own announcements, if any, out of the way
    assert b.ask(f"note {session_id} {member_ids[1]} Spoke about sleeping badly.") == "ok"
    changes, took = feed.heard(WITHIN_S)
    assert took < WITHIN_S
    assert session_id in changes.sessions and member_ids[1] in changes.member_notes
    assert b.ask(f"checkin {session_id} {member_ids[0]} craving 6") == "ok"
    changes, took = feed.heard(WITHIN_S)
    assert session_id in changes.sessions and member_ids[0] in changes.check_ins
    if ws.store.is_postgres:  # what crossed the network: a table and ids, nothing typed
        payloads = [announcement for _pid, announcement in feed.raw]
        assert payloads and all(set(p) <= {"t", "id", "s", "m", "g"} for p in payloads)
        assert all(isinstance(v, int | None) for p in payloads for k, v in p.items() if k != "t")
        assert "sleeping" not in json.dumps(payloads)
    feed.close()


def test_another_seat_moving_in_the_session_is_heard_within_a_second(clinic):
    """Who is where (services.presence) travels the same way, by ids only."""
    ws, group_id, member_ids, (_a, b) = clinic
    session_id = factories.started(ws, group_id, dt.date(2026, 7, 8))
    factories.all_present(ws, session_id, member_ids)
    feed = Feed(ws)
    feed.heard(0.3)
    assert b.ask(f"here {session_id} notes {member_ids[0]}") == "ok"
    changes, took = feed.heard(WITHIN_S)
    assert took < WITHIN_S
    assert changes.presence == {session_id} and not changes.sessions  # no re-read of content
    if ws.store.is_postgres:
        payloads = [announcement for _pid, announcement in feed.raw]
        assert payloads and all(set(p) <= {"t", "id", "s", "m", "g"} for p in payloads)
    feed.close()


def test_this_seats_own_changes_are_not_heard_as_another_seats(clinic):
    ws, group_id, member_ids, _seats = clinic
    session_id = factories.started(ws, group_id, dt.date(2026, 7, 13))
    factories.all_present(ws, session_id, member_ids)
    feed = Feed(ws)
    feed.heard(0.3)
    sessions.write_member_note(ws, session_id, member_ids[0], data="Typed at this seat.")
    changes, _took = feed.heard(0.5)
    assert not changes and not changes.audit
    if ws.store.is_postgres:
        assert feed.raw  # announced all the same: only this seat passes over its own
    feed.close()


def test_a_laptop_seat_away_for_more_than_the_log_keeps_reads_everything_again(
    sqlite_location,
):
    seated = two_seats(sqlite_location)
    ws, group_id, member_ids, _seats = next(seated)
    session_id = factories.started(ws, group_id, dt.date(2026, 7, 20))
    factories.all_present(ws, session_id, member_ids)
    feed = live.LaptopFeed(ws)
    from facilitator.services import accounts
    from tests.conftest import PASSWORD

    other = accounts.sign_in(sqlite_location, "ada", PASSWORD)  # another connection
    with database.atomic():
        for _ in range(2600):  # two attendance rows a statement: past the 5,000 kept
            database.execute_sql("UPDATE attendance SET late_joiner = late_joiner")
    other.close()
    ws.make_current()
    assert feed.read() is None  # not a partial list: "read everything again"
    assert feed.read() == Changes()  # and from there on, nothing new
    next(seated, None)
