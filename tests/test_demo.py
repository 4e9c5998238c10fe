"""`facilitator demo`: fictitious, individualised, encrypted, deterministic demo data."""

import datetime as dt
import json
from collections import Counter

import pytest

from facilitator.domain.enums import SessionState, Track
from facilitator.services import demo, integrity
from facilitator.store import reports
from facilitator.store import session_reads as reads
from facilitator.store.keys import FAST_FOR_TESTS
from tests.test_cli import PASSWORD, run

UNTIL = dt.date(2026, 3, 27)  # a Friday


@pytest.fixture
def demo_ws(sqlite_location):
    location = sqlite_location
    summary = demo.create_demo(
        location, PASSWORD, groups=3, weeks=3, seed=7, until=UNTIL, kdf=FAST_FOR_TESTS
    )
    from facilitator.services import accounts

    ws = accounts.sign_in(location, "demo", PASSWORD)
    yield ws, summary
    ws.close()


def test_demo_is_complete_sealed_and_marked(demo_ws):
    ws, summary = demo_ws
    assert summary.groups == 3 and summary.sessions > 0
    assert ws.demo
    report = integrity.check(ws)
    assert report.ok, report.problems[:3]
    all_sessions = reports.list_sessions(None, None, None)
    assert len(all_sessions) == summary.sessions
    last_week = UNTIL - dt.timedelta(days=6)
    for listed in all_sessions:
        expected = SessionState.DRAFT if listed.date >= last_week else SessionState.SIGNED
        assert listed.state == expected, listed
    assert summary.unsigned == sum(1 for s in all_sessions if s.state == "draft") > 0


def test_demo_content_follows_the_rules(demo_ws):
    ids = [s.id for s in reports.list_sessions(None, None, None)]
    statuses = Counter()
    tracks = set()
    for record in reads.load_sessions(ids).values():
        tracks.add(record.track)
        present = {a.member_id for a in record.present}
        statuses.update(a.status.value for a in record.attendance if a.status)
        assert {c.member_id for c in record.check_ins} <= present
        assert {n.member_id for n in record.member_notes} <= present
        notes = [n.data + n.assessment + n.plan for n in record.member_notes]
        assert len(set(notes)) == len(notes), "cloned notes"
        names = {a.member_id: a.display_name for a in record.attendance}
        for note in record.member_notes:
            others = [name for member_id, name in names.items() if member_id != note.member_id]
            text = note.data + note.assessment + note.plan
            assert not any(name in text for name in others), "another member named in a note"
        if record.track is Track.MENTAL_HEALTH:
            assert all(c.craving is None for c in record.check_ins)
    assert tracks == set(Track)
    for status in ("present", "late", "absent"):
        assert statuses[status] > 0
    assert any(
        a.location.value == "telehealth"
        for r in reads.load_sessions(ids).values()
        for a in r.attendance
    )


def test_demo_cli_is_deterministic_for_a_seed_and_encrypted(tmp_path):
    outputs = []
    for name in ("one.db", "two.db"):
        path = str(tmp_path / name)
        made = run(
            "demo",
            "--db",
            path,
            "--groups",
            "2",
            "--weeks",
            "2",
            "--seed",
            "5",
            "--until",
            "2026-03-27",
        )
        assert made.returncode == 0, made.stderr
        listed = run("--db", path, "--user", "demo", "list", "sessions", "--json")
        assert listed.returncode == 0, listed.stderr
        outputs.append(json.loads(listed.stdout))
        data = open(path, "rb").read()
        assert not data.startswith(b"SQLite format 3")
        for session in outputs[-1]:
            for member in session["members"]:
                assert member["name"].encode() not in data
    assert outputs[0] == outputs[1]
    first = outputs[0][0]
    assert set(first) == {"id", "group", "date", "state", "members"}
    assert set(first["members"][0]) == {"id", "name", "attendance"}
    other = run(
        "demo",
        "--db",
        str(tmp_path / "three.db"),
        "--groups",
        "2",
        "--weeks",
        "2",
        "--seed",
        "6",
        "--until",
        "2026-03-27",
    )
    assert other.returncode == 0
    third = json.loads(
        run(
            "--db", str(tmp_path / "three.db"), "--user", "demo", "list", "sessions", "--json"
        ).stdout
    )
    assert third != outputs[0]


def test_the_demo_is_never_written_to_a_clinic_server(pg_server):
    from facilitator.domain.errors import RuleViolation

    with pytest.raises(RuleViolation, match="file of its own"):
        demo.create_demo(pg_server.staff_url("any"), PASSWORD, kdf=FAST_FOR_TESTS)
