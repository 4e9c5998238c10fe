"""The laptop's journal of typing kept through a server outage (issue 13): encrypted, readable
only with its owner's key, replayed with the same version checks as any save; what meets a
later change or a signature waits, and is never applied."""

from __future__ import annotations

import datetime as dt

import pytest

from facilitator.services import journal, sessions
from facilitator.store.database import EncryptedSqlite
from tests import factories
from tests.conftest import new_workspace


@pytest.fixture
def seat(server_location):
    ws = new_workspace(server_location)
    group_id = factories.group(ws)
    member_ids = factories.members(ws, group_id, 2)
    session_id = factories.started(ws, group_id, dt.date(2026, 9, 7))
    factories.all_present(ws, session_id, member_ids)
    yield ws, session_id, member_ids
    ws.close()


def test_kept_typing_is_encrypted_on_disk_and_saved_on_replay_once(seat):
    ws, session_id, (first, _second) = seat
    assert journal.keep(ws, session_id, first, "data", "Spoke about a hard week.", "")
    assert journal.keep(ws, session_id, None, "summary", "Practised urge surfing.", "")
    path = ws.journal.path
    ws.journal.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    on_disk = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert b"hard week" not in on_disk and b"urge surfing" not in on_disk
    wrong = EncryptedSqlite(path, bytes(32))  # any other key: not a database
    with pytest.raises(Exception, match=r"not a database|encrypted"):
        wrong.execute_sql("SELECT count(*) FROM kept")
    wrong.close()
    done = journal.replay(ws)
    assert done.saved == 2 and not done.waiting
    record = sessions.load(session_id)
    assert [n.data for n in record.member_notes if n.member_id == first] == [
        "Spoke about a hard week."
    ]
    assert record.group_note.summary == "Practised urge surfing."
    assert journal.replay(ws).saved == 0  # nothing twice
    assert ws.journal.entries() == []


def test_kept_typing_that_meets_a_later_change_or_a_signature_waits(seat):
    ws, session_id, (first, _second) = seat
    sessions.write_member_note(ws, session_id, first, plan="Written by the other seat.")
    journal.keep(ws, session_id, first, "plan", "Typed during the outage.", "")
    done = journal.replay(ws)
    assert done.saved == 0 and [k.text for k in done.waiting] == ["Typed during the outage."]
    notes = sessions.load(session_id).member_notes
    assert [n.plan for n in notes if n.member_id == first] == ["Written by the other seat."]
    assert "note, plan" in journal.describe(done.waiting[0])
    assert [k.text for k in ws.journal.entries()] == ["Typed during the outage."]  # still kept
    journal.discard(ws, done.waiting[0])
    assert ws.journal.entries() == []
