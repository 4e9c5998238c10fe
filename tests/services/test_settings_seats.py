"""A member's profile and a group's settings saved from a form another seat has overtaken
(issue 13): the form's save writes only what its user changed, so the other seat's change to
another field stays; a change to the same field is refused with both values, nothing written."""

from __future__ import annotations

import dataclasses

import pytest

from facilitator.domain.errors import EditConflict
from facilitator.services import accounts, roster
from tests import factories
from tests.conftest import PASSWORD


def _form(record, **typed):
    """What a form sends: every field as shown, with the user's typing."""
    values = {f.name: getattr(record, f.name) for f in dataclasses.fields(record) if f.name != "id"}
    return {**values, **typed}


@pytest.fixture
def two_seats(ws, location):
    group_id = factories.group(ws)
    (member_id,) = factories.members(ws, group_id, 1)
    other = accounts.sign_in(location, "ada", PASSWORD)  # the same form open on a second laptop
    ws.make_current()
    yield ws, other, group_id, member_id
    other.close()
    ws.make_current()


def test_a_stale_profile_form_writes_only_what_its_user_changed(two_seats):
    ws, other, _group_id, member_id = two_seats
    shown = roster.get_member(member_id)  # ws's form opens
    roster.update_member(other, member_id, seen=shown, **_form(shown, pronouns="they/them"))
    ws.make_current()
    roster.update_member(ws, member_id, seen=shown, **_form(shown, preferred_name="Rook"))
    stored = roster.get_member(member_id)
    assert (stored.pronouns, stored.preferred_name) == ("they/them", "Rook")


def test_the_same_profile_field_changed_on_two_seats_is_refused_with_both(two_seats):
    ws, other, _group_id, member_id = two_seats
    shown = roster.get_member(member_id)
    roster.update_member(other, member_id, seen=shown, **_form(shown, preferred_name="Wren"))
    ws.make_current()
    with pytest.raises(EditConflict) as refused:
        roster.update_member(ws, member_id, seen=shown, **_form(shown, preferred_name="Rook"))
    assert refused.value.theirs == {"preferred_name": "Wren"}
    assert refused.value.mine == {"preferred_name": "Rook"}
    assert "Wren" in refused.value.message
    assert roster.get_member(member_id).preferred_name == "Wren"  # nothing written
    # Saving again from what is stored now keeps the user's own.
    now = roster.get_member(member_id)
    roster.update_member(ws, member_id, seen=now, **_form(now, preferred_name="Rook"))
    assert roster.get_member(member_id).preferred_name == "Rook"


def test_a_stale_group_settings_form_keeps_the_other_seats_change(two_seats):
    ws, other, group_id, _member_id = two_seats
    shown = roster.get_group(group_id)
    roster.update_group(other, group_id, seen=shown, **_form(shown, soft_capacity=14))
    ws.make_current()
    days = list(shown.meeting_weekdays)  # a form holds a list where the record holds a tuple
    roster.update_group(
        ws, group_id, seen=shown, **_form(shown, name="Renamed Group", meeting_weekdays=days)
    )
    stored = roster.get_group(group_id)
    assert (stored.soft_capacity, stored.name) == (14, "Renamed Group")


def test_a_goal_changed_on_two_seats(two_seats):
    """Its status set on both from one view: the second is refused; its text from a stale
    view is saved and the other seat's status stays."""
    from facilitator.domain.enums import GoalStatus

    ws, other, _group_id, member_id = two_seats
    goal_id = roster.add_goal(ws, member_id, "Walk every morning").created_id

    def goal():
        return next(g for g in roster.goals_of(member_id) if g.id == goal_id)

    shown = goal()
    roster.update_goal(other, goal_id, status=GoalStatus.MET, seen=shown)
    ws.make_current()
    with pytest.raises(EditConflict) as refused:
        roster.update_goal(ws, goal_id, status=GoalStatus.DISCONTINUED, seen=shown)
    assert refused.value.theirs == {"status": GoalStatus.MET}
    assert goal().status is GoalStatus.MET
    roster.update_goal(ws, goal_id, text="Walk every morning, 20 minutes", seen=shown)
    stored = goal()
    assert (stored.text, stored.status) == ("Walk every morning, 20 minutes", GoalStatus.MET)
