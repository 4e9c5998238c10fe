"""The table models behind the Groups and Members pages: Qt's model rules and their words."""

import datetime as dt

import pytest
from PySide6.QtCore import QModelIndex, Qt

from facilitator.domain.enums import GroupType, Track
from facilitator.domain.records import EnrollmentInfo, GoalInfo, GroupInfo, HistoryEntry, MemberInfo
from facilitator.ui.models import (
    GoalsModel,
    GroupsModel,
    HistoryModel,
    HomeworkModel,
    MembersModel,
    RosterModel,
)

DISPLAY, SPOKEN = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole

GROUP = GroupInfo(
    id=1,
    name="Evening Recovery A",
    track=Track.SUBSTANCE_USE,
    group_type=GroupType.RELAPSE_PREVENTION,
    open_enrollment=True,
    meeting_weekdays=(0, 2, 4),
    start_time=dt.time(18, 0),
    length_minutes=180,
    phase_minutes=(60, 60, 60),
    soft_capacity=12,
    active=True,
)
ZOE = MemberInfo(7, "Zoë", "Nguyễn-Fable", "Zo", "T-1-000", "she/her", None)
BRAM = MemberInfo(8, "Bram", "Quillfeather", None, "T-1-001", "", None)
ACTIVE = EnrollmentInfo(3, 7, 1, dt.date(2026, 1, 5), None, "active", "")
GONE = EnrollmentInfo(4, 8, 1, dt.date(2026, 1, 5), dt.date(2026, 2, 2), "discharged", "Moved away")


def entry(**changes: object) -> HistoryEntry:
    fields: dict[str, object] = {
        "session_id": 1,
        "date": dt.date(2026, 3, 2),
        "group": "Evening Recovery A",
        "state": "signed",
        "attendance": "present",
        "location": "in_person",
        "mood": 6,
        "craving": None,
        "safety_concern": False,
        "current_issue": "",
        "note_plan": "",
        "homework": ("Urge surfing",),
        "reviews": (("Thought record", "partly"),),
        **changes,
    }
    return HistoryEntry(**fields)  # type: ignore[arg-type]


CASES = [
    (GroupsModel, [GROUP]),
    (RosterModel, [(ACTIVE, ZOE), (GONE, BRAM)]),
    (MembersModel, [ZOE, BRAM]),
    (GoalsModel, [GoalInfo(1, 7, "Call my sponsor twice a week", "active")]),
    (HistoryModel, [entry(), entry(session_id=2, attendance=None, mood=None)]),
    (HomeworkModel, [entry()]),
]


@pytest.mark.parametrize(("model_class", "rows"), CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_models_keep_qt_model_rules(qtmodeltester, model_class, rows):
    model = model_class()
    qtmodeltester.check(model)  # empty
    model.set_rows(rows)
    qtmodeltester.check(model)
    assert model.rowCount() == len(rows)
    assert model.columnCount() == len(model_class.HEADERS)
    assert model.rowCount(model.index(0, 0)) == 0  # a table: rows have no children
    assert model.row_at(0) == rows[0]


def test_set_rows_resets_the_model(qtbot):
    model = MembersModel()
    model.set_rows([ZOE])
    with qtbot.waitSignals([model.modelAboutToBeReset, model.modelReset]):
        model.set_rows([ZOE, BRAM])
    assert model.rowCount() == 2
    assert model.data(QModelIndex()) is None


def cell(model, row: int, column: int, role=DISPLAY):
    return model.data(model.index(row, column), role)


def test_groups_model_says_how_a_group_meets():
    model = GroupsModel()
    model.set_rows([GROUP])
    assert model.headerData(GroupsModel.SCHEDULE, Qt.Orientation.Horizontal) == "Meets"
    assert cell(model, 0, GroupsModel.NAME) == "Evening Recovery A"
    assert cell(model, 0, GroupsModel.TRACK) == "Substance use"
    assert cell(model, 0, GroupsModel.GROUP_TYPE) == "Relapse prevention"
    assert cell(model, 0, GroupsModel.ENROLLMENT) == "Open"
    assert cell(model, 0, GroupsModel.SCHEDULE) == "Mon, Wed, Fri 18:00"
    assert cell(model, 0, GroupsModel.SCHEDULE, SPOKEN) == "Monday, Wednesday, Friday 18:00"
    assert cell(model, 0, GroupsModel.SOFT_CAP) == "12"


def test_roster_model_shows_enrollment_and_discharge():
    model = RosterModel()
    model.set_rows([(ACTIVE, ZOE), (GONE, BRAM)])
    assert cell(model, 0, RosterModel.MEMBER) == "Zo Nguyễn-Fable"  # the preferred name
    assert cell(model, 0, RosterModel.FROM) == "05 Jan 2026"
    assert cell(model, 0, RosterModel.TO) == ""
    assert cell(model, 0, RosterModel.TO, SPOKEN) == "still enrolled"
    assert cell(model, 1, RosterModel.STATUS) == "Discharged"
    assert cell(model, 1, RosterModel.REASON) == "Moved away"
    assert cell(model, 1, RosterModel.FROM, SPOKEN) == "Monday 5 January 2026"


def test_history_and_homework_models_read_a_session_entry():
    history = HistoryModel()
    history.set_rows([entry(), entry(attendance=None, mood=None, safety_concern=True)])
    assert cell(history, 0, HistoryModel.ATTENDANCE) == "Present"
    assert cell(history, 0, HistoryModel.MOOD) == "6"
    assert cell(history, 0, HistoryModel.CRAVING) == "—"
    assert cell(history, 0, HistoryModel.CRAVING, SPOKEN) == "not recorded"
    assert cell(history, 1, HistoryModel.ATTENDANCE) == "—"
    assert cell(history, 1, HistoryModel.SAFETY) == "Yes"
    homework = HomeworkModel()
    homework.set_rows([entry()])
    assert cell(homework, 0, HomeworkModel.GIVEN) == "Urge surfing"
    assert cell(homework, 0, HomeworkModel.REVIEWED) == "Thought record: partly done"


def test_unknown_stored_values_are_shown_not_hidden():
    goals = GoalsModel()
    goals.set_rows([GoalInfo(1, 7, "Sleep seven hours", "on_hold")])
    assert cell(goals, 0, GoalsModel.STATUS) == "On hold"
