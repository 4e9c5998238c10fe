"""Who has a session open, and where (issue 13: "the session header shows who else has the
session open and where … the notes list marks a note someone else is typing"), on a laptop's
file and on a clinic server."""

from __future__ import annotations

import pytest

from facilitator.domain.enums import Role
from facilitator.domain.errors import PermissionDenied
from facilitator.domain.records import OtherSeat
from facilitator.services import accounts, keys, presence
from facilitator.services.audit import workstation
from facilitator.store import presence as presence_rows
from facilitator.store.database import clear_errors
from facilitator.store.models import database
from tests import factories
from tests.conftest import new_workspace

ROWAN = "rowan-password-0001"
FRAN = "fran-password-0001"


@pytest.fixture
def seats(ws, today):
    """A running session with two members present; rowan (a lead) signed in beside ada."""
    yield from _seats(ws, today)


def _seats(ws, today):
    group_id = factories.group(ws)
    member_ids = factories.members(ws, group_id, 2)
    session_id = factories.started(ws, group_id, today)
    factories.all_present(ws, session_id, member_ids)
    rowan_id = factories.lead(ws, ROWAN)
    rowan = keys.act_as(ws, "rowan", ROWAN)
    yield ws, rowan, rowan_id, session_id, member_ids
    if rowan.store is not ws.store:
        rowan.close()
    ws.make_current()


def test_each_seat_sees_where_the_others_are_and_not_itself(seats):
    ws, rowan, rowan_id, session_id, (sam, kit) = seats
    mine, theirs = presence.new_seat(), presence.new_seat()
    assert presence.here(ws, mine, session_id, "check_in").presence == {session_id}
    presence.here(rowan, theirs, session_id, "notes", sam, typing=True)
    assert presence.others(ws, mine, session_id) == [
        OtherSeat(rowan_id, "Rowan Testwood", workstation(), "notes", sam, True)
    ]
    assert [seat.full_name for seat in presence.others(rowan, theirs, session_id)] == [
        "Ada Testwood"
    ]
    presence.here(rowan, theirs, session_id, "notes", kit)  # on to the next note, not typing
    (seat,) = presence.others(ws, mine, session_id)
    assert (seat.member_id, seat.typing) == (kit, False)
    assert presence.gone(rowan, theirs, session_id).presence == {session_id}
    assert presence.others(ws, mine, session_id) == []


def test_the_same_user_on_two_screens_is_two_seats(seats):
    ws, _rowan, _rowan_id, session_id, _members = seats
    first, second = presence.new_seat(), presence.new_seat()
    presence.here(ws, first, session_id, "check_in")
    presence.here(ws, second, session_id, "summary")
    assert [seat.part for seat in presence.others(ws, first, session_id)] == ["summary"]


def _set_back(ws, seat: str, seconds: int) -> None:
    """As if the seat's screen had last said it was open ``seconds`` ago (then crashed)."""
    ws.make_current()
    if ws.store.is_postgres:
        shifted = f"seen_at - INTERVAL '{seconds} seconds'"
    else:
        shifted = f"datetime(seen_at, '-{seconds} seconds')"
    mark = "%s" if ws.store.is_postgres else "?"  # the driver's placeholder
    with database.atomic():
        database.execute_sql(
            f"UPDATE presence SET seen_at = {shifted} WHERE seat = {mark}", (seat,)
        )


def test_a_screen_that_stopped_saying_it_is_open_drops_off(seats):
    ws, rowan, _rowan_id, session_id, _members = seats
    crashed, watching = presence.new_seat(), presence.new_seat()
    presence.here(ws, crashed, session_id, "skill_work")
    _set_back(ws, crashed, presence_rows.GONE_AFTER_S - 5)
    assert [seat.part for seat in presence.others(rowan, watching, session_id)] == ["skill_work"]
    _set_back(ws, crashed, 10)
    assert presence.others(rowan, watching, session_id) == []
    presence.here(ws, crashed, session_id, "skill_work")  # it said so again: back
    assert len(presence.others(rowan, watching, session_id)) == 1


def test_a_facilitator_does_not_see_who_is_in_a_session_of_a_group_they_do_not_staff(seats):
    ws, _rowan, _rowan_id, session_id, _members = seats
    accounts.add_user(
        ws, username="fran", password=FRAN, full_name="Fran Testwood", role=Role.FACILITATOR
    )
    fran = keys.act_as(ws, "fran", FRAN)
    try:
        presence.here(ws, presence.new_seat(), session_id, "check_in")
        assert presence.others(fran, presence.new_seat(), session_id) == []
        if fran.store.is_postgres:  # the server hides the rows themselves
            fran.make_current()
            assert presence_rows.others_in(session_id, "") == []
    finally:
        if fran.store is not ws.store:
            fran.close()


@pytest.fixture
def server_seats(server_location, today):
    ada = new_workspace(server_location)
    yield from _seats(ada, today)
    ada.close()


def test_on_a_server_a_seat_is_written_and_removed_only_by_its_own_user(server_seats):
    ws, rowan, _rowan_id, session_id, _members = server_seats
    adas = presence.new_seat()
    presence.here(ws, adas, session_id, "check_in")
    rowan.make_current()
    with pytest.raises(PermissionDenied), clear_errors(), database.atomic():
        # rowan's login claims to be ada, in a seat of its own and in ada's
        presence_rows.here(presence.new_seat(), session_id, ws.actor.user_id, "x", "notes",
                           None, False)  # fmt: skip
    with pytest.raises(PermissionDenied), clear_errors(), database.atomic():
        presence_rows.here(adas, session_id, rowan.actor.user_id, "x", "notes", None, False)
    presence_rows.gone(adas)  # passes over rows that are not rowan's
    seen = presence.others(rowan, presence.new_seat(), session_id)
    assert [(seat.full_name, seat.part) for seat in seen] == [("Ada Testwood", "check_in")]
