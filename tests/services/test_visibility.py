"""A facilitator sees the members and sessions of the groups they staff, cover or made;
leads and administrators see everything (issue 12). On a server the server enforces it with
row-level security (tried with psql as the facilitator); on a laptop the services do; on both,
screens and exports simply show less, and opening something else is refused and audited."""

from __future__ import annotations

import datetime as dt

import pytest

from facilitator.domain.enums import Role, Track
from facilitator.domain.errors import NotAllowed, PermissionDenied
from facilitator.services import accounts, documents, home, keys, roster, sessions, visibility
from tests.factories import group, members, started

FRAN = "fran-password-0001"


@pytest.fixture
def clinic(ws, today):
    """Two groups with members and a session each, made by the administrator; fran a
    facilitator on nobody's staff yet."""
    made = {}
    for name in ("Evening Recovery A", "Morning Mood B"):
        group_id = group(ws, name=name, track=Track.MENTAL_HEALTH)
        made[name] = (group_id, members(ws, group_id, 2), started(ws, group_id, today))
    accounts.add_user(
        ws, username="fran", password=FRAN, full_name="Fran Testwood", role=Role.FACILITATOR
    )
    fran = keys.act_as(ws, "fran", FRAN)
    yield made, fran
    if fran.store is not ws.store:
        fran.close()
        ws.make_current()


def seen(fran):
    return (
        sorted(g.name for g in roster.list_groups(fran)),
        sorted(m.id for m in roster.list_members("", fran)),
        sorted(t.group.name for t in home.today(dt.date(2026, 3, 2), fran)),
    )


def test_a_facilitator_sees_the_groups_they_staff_or_cover_and_nothing_else(ws, clinic, today):
    made, fran = clinic
    a_id, a_members, a_session = made["Evening Recovery A"]
    b_id, b_members, b_session = made["Morning Mood B"]
    assert seen(fran) == ([], [], [])
    for opening in (
        lambda: sessions.view(fran, a_session),
        lambda: home.view_member(fran, a_members[0]),
    ):
        with pytest.raises(NotAllowed):
            opening()
    with pytest.raises(PermissionDenied):
        visibility.assign(fran, a_id, "fran")  # only a lead or an administrator assigns
    visibility.assign(ws, a_id, "fran")
    assert seen(fran) == (["Evening Recovery A"], sorted(a_members), ["Evening Recovery A"])
    sessions.view(fran, a_session)
    with pytest.raises(NotAllowed):
        sessions.view(fran, b_session)
    assert documents.visible_session_ids(fran, [a_session, b_session]) == [a_session]
    # Cover for a day that is over shows nothing; cover for today shows the group.
    yesterday = dt.date.today() - dt.timedelta(days=1)
    visibility.assign(ws, b_id, "fran", cover_from=yesterday, cover_until=yesterday)
    assert "Morning Mood B" not in seen(fran)[0]
    visibility.assign(ws, b_id, "fran", cover_from=dt.date.today(), cover_until=dt.date.today())
    assert seen(fran)[0] == ["Evening Recovery A", "Morning Mood B"]
    home.view_member(fran, b_members[0])
    assert visibility.staff_of(b_id)[-1][1] == "cover"


def test_a_facilitator_who_makes_a_group_staffs_it(ws, clinic):
    _, fran = clinic
    group_id = group(fran, name="Fran's New Group")
    (member_id,) = members(fran, group_id, 1)
    assert seen(fran)[0] == ["Fran's New Group"]
    assert member_id in seen(fran)[1]
    # The administrator still sees everything.
    assert len(roster.list_groups(ws)) == 3


def test_the_server_itself_shows_a_facilitator_only_their_groups(pg_server, server_location, today):
    from tests.conftest import new_workspace

    ws = new_workspace(server_location)
    try:
        made = {}
        for name in ("Evening Recovery A", "Morning Mood B"):
            group_id = group(ws, name=name)
            made[name] = (group_id, members(ws, group_id, 2), started(ws, group_id, today))
        accounts.add_user(
            ws, username="fran", password=FRAN, full_name="Fran Testwood", role=Role.FACILITATOR
        )
        dbname = server_location.rsplit("/", 1)[1]

        def psql(sql):
            code, out, err = pg_server.psql(dbname, "fran", FRAN, sql)
            assert code == 0, err
            return out

        counts = (
            "SELECT (SELECT count(*) FROM member) || ' ' || (SELECT count(*) FROM session) "
            "|| ' ' || (SELECT count(*) FROM attendance)"
        )
        assert psql(counts) == "0 0 0"
        visibility.assign(ws, made["Evening Recovery A"][0], "fran")
        assert psql(counts) == "2 1 2"
        assert psql("SELECT string_agg(name, ',') FROM therapy_group") == "Evening Recovery A"
        # What fran cannot see, fran cannot change either.
        b_session = made["Morning Mood B"][2]
        assert (
            psql(
                f"UPDATE attendance SET location = 'telehealth' WHERE session_id = {b_session} RETURNING 1"
            )
            == "UPDATE 0"
        )
    finally:
        ws.close()
