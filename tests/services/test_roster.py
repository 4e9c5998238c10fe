import datetime as dt

import pytest

from facilitator.domain.enums import GoalStatus, GroupType, Track
from facilitator.domain.errors import InvalidInput, RuleViolation
from facilitator.services import roster
from facilitator.store import people
from tests.factories import group, members


def test_group_defaults_follow_samhsa_thirds_and_a_soft_cap_of_twelve(ws):
    info = people.get_group(group(ws))
    assert (
        info.length_minutes == 180
        and info.phase_minutes == (60, 60, 60)
        and info.soft_capacity == 12
    )
    assert info.meeting_weekdays == (0, 2, 4) and info.start_time == dt.time(18, 0)


def test_group_rules(ws):
    group(ws, "Evening A")
    with pytest.raises(RuleViolation, match="already exists"):
        group(ws, "evening a")
    with pytest.raises(InvalidInput, match="add up to 180"):
        group(ws, "B", phase_minutes=(60, 60, 30))
    with pytest.raises(InvalidInput, match="soft capacity"):
        group(ws, "C", soft_capacity=0)
    custom = people.get_group(group(ws, "D", length_minutes=120, phase_minutes=(30, 60, 30)))
    assert custom.phase_minutes == (30, 60, 30)


def test_update_group_keeps_unchanged_fields(ws):
    group_id = group(ws)
    roster.update_group(
        ws, group_id, name="Evening B", soft_capacity=10, group_type=GroupType.SUPPORT
    )
    info = people.get_group(group_id)
    assert (info.name, info.soft_capacity, info.group_type, info.track) == (
        "Evening B",
        10,
        "support",
        Track.SUBSTANCE_USE,
    )


def test_record_numbers_are_unique(ws):
    roster.create_member(ws, first_name="Zoë", last_name="Fable", record_number="R-1")
    with pytest.raises(RuleViolation, match="another member"):
        roster.create_member(ws, first_name="Bram", last_name="Quill", record_number="R-1")
    with pytest.raises(InvalidInput, match="first name"):
        roster.create_member(ws, first_name=" ", last_name="Quill", record_number="R-2")


def test_enrol_discharge_and_goals(ws, today):
    group_id = group(ws)
    (member_id,) = members(ws, group_id, 1, since=today)
    with pytest.raises(RuleViolation, match="already enrolled"):
        roster.enroll(ws, member_id, group_id, today)
    (enrollment,) = people.enrollments_of_member(member_id)
    with pytest.raises(InvalidInput, match="before the enrollment"):
        roster.discharge(ws, enrollment.id, today - dt.timedelta(days=1), "Completed program")
    roster.discharge(ws, enrollment.id, today + dt.timedelta(days=30), "Completed program")
    assert people.roster(group_id, today + dt.timedelta(days=31)) == []
    assert [m.id for m in people.roster(group_id, today + dt.timedelta(days=30))] == [member_id]
    goal_id = roster.add_goal(ws, member_id, "Use a coping skill when cravings rise").created_id
    roster.update_goal(ws, goal_id, status=GoalStatus.MET)
    assert people.goals_of(member_id)[0].status == "met"


def test_update_member_checks_like_create(ws):
    first = roster.create_member(
        ws, first_name="Zoë", last_name="Fable", record_number="R-1"
    ).created_id
    roster.create_member(ws, first_name="Bram", last_name="Quill", record_number="R-2")
    with pytest.raises(RuleViolation, match="another member"):
        roster.update_member(ws, first, record_number="R-2")
    with pytest.raises(InvalidInput, match="no field"):
        roster.update_member(ws, first, shoe_size=9)
    roster.update_member(ws, first, preferred_name=" Zo ", pronouns="she/her")
    info = people.get_member(first)
    assert (info.display_name, info.pronouns, info.record_number) == ("Zo Fable", "she/her", "R-1")


def test_changing_the_length_resets_the_plan_to_thirds(ws):
    group_id = group(ws, "Short", length_minutes=120, phase_minutes=(30, 60, 30))
    roster.update_group(ws, group_id, length_minutes=150)
    assert people.get_group(group_id).phase_minutes == (50, 50, 50)


def test_members_are_found_by_name_or_record_number(ws, today):
    group_id = group(ws)
    members(ws, group_id, 3)
    assert [m.last_name for m in roster.list_members("quill")] == ["Quillfeather"]
    assert len(roster.list_members(f"T-{group_id}-00")) == 3
    assert [m.first_name for m in roster.list_members("")] == ["Cass", "Zoë", "Bram"]
    rows = roster.group_roster(group_id)
    assert {m.first_name for _e, m in rows} == {"Zoë", "Bram", "Cass"}
