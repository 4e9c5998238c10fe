"""Many seats on one session (issue 13), each a process of its own on one real PostgreSQL:
no save commits after a signature it was not part of, first saves at the same moment never
fail, and a member note keeps its author."""

from __future__ import annotations

import datetime as dt

import pytest

from facilitator.services import accounts, integrity, sessions, signing
from facilitator.store import session_reads
from facilitator.store.models import MemberNote
from tests import factories
from tests.seats import LENA, at_once, two_seats


@pytest.fixture
def clinic(location):
    yield from two_seats(location)


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
        answers = at_once(
            (a, f"checkin {session_id} {member} mood 7"),
            (b, f"checkin {session_id} {member} current_issue moving house"),
        )
        assert answers == ["ok", "ok"], answers
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


def test_the_same_note_part_from_two_seats_is_a_conflict_and_both_texts_are_kept(clinic):
    """B's screen shows the plan empty when A saves one: B's save is refused with both texts,
    A's stays; once B has seen A's (the conflict view) B's merged text goes in."""
    ws, group_id, member_ids, (a, b) = clinic
    session_id = factories.started(ws, group_id, dt.date(2026, 6, 15))
    factories.all_present(ws, session_id, member_ids)
    member = member_ids[0]
    assert a.ask(f"open {session_id}") == b.ask(f"open {session_id}") == "ok"
    assert a.ask(f"type {session_id} {member} plan Practise the urge log daily.") == "ok"
    answer = b.ask(f"type {session_id} {member} plan Call the sponsor twice.")
    assert answer == "conflict: Practise the urge log daily. | Call the sponsor twice."
    ws.make_current()
    assert session_reads.load_member_note(session_id, member).plan == "Practise the urge log daily."
    # A goes on typing its own part: no conflict with itself.
    assert a.ask(f"type {session_id} {member} plan Practise the urge log daily, twice.") == "ok"
    assert b.ask(f"take {session_id} {member} plan") == "ok"  # B read A's older text only
    merged = "Practise the urge log daily. Call the sponsor twice."
    assert b.ask(f"type {session_id} {member} plan {merged}").startswith("conflict: ")
    assert b.ask(f"take {session_id} {member} plan") == "ok"
    assert b.ask(f"type {session_id} {member} plan {merged}") == "ok"
    ws.make_current()
    assert session_reads.load_member_note(session_id, member).plan == merged


def test_a_stale_check_in_cell_and_group_note_are_refused_not_applied(clinic):
    ws, group_id, member_ids, (a, b) = clinic
    session_id = factories.started(ws, group_id, dt.date(2026, 6, 22))
    factories.all_present(ws, session_id, member_ids)
    member = member_ids[1]
    assert a.ask(f"open {session_id}") == b.ask(f"open {session_id}") == "ok"
    assert a.ask(f"cell {session_id} {member} craving 7") == "ok"
    assert b.ask(f"cell {session_id} {member} craving 3") == "conflict: 7 | 3"
    assert b.ask(f"cell {session_id} {member} mood 5") == "ok"  # another part merges
    assert a.ask(f"group {session_id} summary Urge surfing practised.") == "ok"
    assert b.ask(f"group {session_id} summary Grounding practised.") == (
        "conflict: Urge surfing practised. | Grounding practised."
    )
    ws.make_current()
    check_in = session_reads.load_check_in(session_id, member)
    assert (check_in.craving, check_in.mood) == (7, 5)
    assert session_reads.load_group_note(session_id).summary == "Urge surfing practised."


def test_two_seats_saving_one_part_at_the_same_moment_one_lands_one_is_told(clinic):
    """Both seats saw the same text and save different texts at once, round after round: one
    save lands and the other is refused with the winner's text: never both, never lost."""
    ws, group_id, member_ids, (a, b) = clinic
    session_id = factories.started(ws, group_id, dt.date(2026, 6, 29))
    factories.all_present(ws, session_id, member_ids)
    member = member_ids[0]
    for round_ in range(12):
        assert a.ask(f"open {session_id}") == b.ask(f"open {session_id}") == "ok"
        said = at_once(
            (a, f"type {session_id} {member} data A round {round_}"),
            (b, f"type {session_id} {member} data B round {round_}"),
        )
        answers = dict(zip("AB", said, strict=True))
        assert sorted(answers.values())[1] == "ok", answers
        loser = next(name for name, answer in answers.items() if answer != "ok")
        winner = "A" if loser == "B" else "B"
        assert answers[loser] == f"conflict: {winner} round {round_} | {loser} round {round_}"
        ws.make_current()
        assert session_reads.load_member_note(session_id, member).data == f"{winner} round {round_}"
