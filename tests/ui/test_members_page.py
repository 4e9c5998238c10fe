"""The Members page: search, the profile, goals, attendance history, trends and homework."""

import datetime as dt

import pytest
from PySide6.QtWidgets import QDialog

from facilitator.domain.enums import AttendanceStatus, GoalStatus, ReviewStatus, Track
from facilitator.services import homework, roster, sessions
from facilitator.ui.members_page import MembersPage
from facilitator.ui.models import HistoryModel
from tests.factories import group, members, started
from tests.ui.test_groups_page import assert_unique_mnemonics, unnamed_controls


@pytest.fixture
def page(qtbot, ws):
    widget = MembersPage(ws)
    qtbot.addWidget(widget)
    return widget


def check_ins(ws, group_id, member_id, start, ratings):
    """A session every other day from ``start``, one per (mood, craving); None means absent."""
    for offset, rating in enumerate(ratings):
        session_id = started(ws, group_id, start + dt.timedelta(days=2 * offset))
        if rating is None:
            sessions.record_attendance(ws, session_id, member_id, AttendanceStatus.ABSENT)
        else:
            mood, craving = rating
            sessions.record_check_in(ws, session_id, member_id, mood=mood, craving=craving)


def test_search_narrows_the_list_and_show_member_opens_a_profile(page, ws):
    group_id = group(ws)
    zoe, bram, _cass = members(ws, group_id, 3)
    page.refresh()
    assert page.members_model.rowCount() == 3
    assert page.profile_stack.currentWidget() is page.empty
    page.search.setText("quill")
    page.run_search()
    assert [m.id for m in page.members_model.rows()] == [bram]
    assert page.count.text() == "1 member found"
    page.show_member(zoe)  # hidden by the search: the search is cleared to show them
    assert page.search.text() == ""
    assert page.members_model.rowCount() == 3
    assert page.name_label.text() == "Zoë Nguyễn-Fable"
    assert page.record_label.text() == f"T-{group_id}-000"
    assert "Evening Recovery A, since 05 Jan 2026" in page.enrolled_label.text()
    selected = page.members_view.selectionModel().selectedRows()
    assert [page.members_model.row_at(i.row()).id for i in selected] == [zoe]


def test_a_profile_form_another_seat_overtook_keeps_their_change_and_says_so(page, ws, location):
    """The form saves only what its user changed; the same field changed on another laptop
    meanwhile is refused in the form, with theirs named, and the typing stays."""
    from facilitator.services import accounts
    from tests.conftest import PASSWORD

    group_id = group(ws)
    (member_id,) = members(ws, group_id, 1)
    page.show_member(member_id)
    dialog = page.profile_dialog()
    fields = dialog.member_fields
    other = accounts.sign_in(location, "ada", PASSWORD)
    shown = roster.get_member(member_id)
    roster.update_member(other, member_id, pronouns="they/them", preferred_name="Wren")
    other.close()
    ws.make_current()
    fields.preferred_name.setText("Zo")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "someone else changed the preferred name" in dialog.message.text()
    assert "Wren" in dialog.message.text() and fields.preferred_name.text() == "Zo"
    stored = roster.get_member(member_id)
    assert (stored.preferred_name, stored.pronouns) == ("Wren", "they/them")
    assert shown.pronouns != "they/them"  # the form showed the old pronouns: not written back
    dialog.accept()  # saving again keeps the user's own, over theirs
    assert dialog.result() == QDialog.DialogCode.Accepted
    stored = roster.get_member(member_id)
    assert (stored.preferred_name, stored.pronouns) == ("Zo", "they/them")


def test_choosing_a_member_in_the_list_opens_their_profile(page, ws):
    group_id = group(ws)
    _zoe, bram = members(ws, group_id, 2)
    page.refresh()
    page.members_view.selectRow([m.id for m in page.members_model.rows()].index(bram))
    assert page.member_id == bram and page.name_label.text() == "Bram Quillfeather"


def test_edit_the_profile_and_a_refusal_keeps_what_was_typed(page, ws):
    group_id = group(ws)
    (member_id,) = members(ws, group_id, 1)
    page.show_member(member_id)
    dialog = page.profile_dialog()
    fields = dialog.member_fields
    assert fields.first_name.text() == "Zoë"
    fields.preferred_name.setText("Zo")
    fields.pronouns.setEditText("she/they")
    fields.last_name.setText(" ")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.message.text() == "last name cannot be empty"
    assert (fields.preferred_name.text(), fields.pronouns.currentText()) == ("Zo", "she/they")
    assert roster.get_member(member_id).preferred_name is None
    fields.last_name.setText("Fable")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = roster.get_member(member_id)
    assert (saved.display_name, saved.pronouns) == ("Zo Fable", "she/they")
    assert page.name_label.text() == "Zo Fable" and page.pronouns_label.text() == "she/they"
    assert page.members_model.row_at(0).display_name == "Zo Fable"


def test_add_a_goal_and_change_its_status(page, ws, qtbot):
    group_id = group(ws)
    (member_id,) = members(ws, group_id, 1)
    page.show_member(member_id)
    page.add_goal()
    assert page.message.text() == "goal cannot be empty"
    page.goal_text.setText("Call my sponsor twice a week")
    with qtbot.waitSignal(page.bus.changed):
        page.add_goal()
    assert page.goal_text.text() == ""
    (goal,) = roster.goals_of(member_id)
    assert page.selected_goal() == goal and page.goal_status_button.isEnabled()
    page.goal_status.setCurrentIndex(page.goal_status.findData(GoalStatus.MET))
    page.set_goal_status()
    assert roster.goals_of(member_id)[0].status == GoalStatus.MET
    assert page.goals_model.index(0, 1).data() == "Met"
    assert page.message.text() == "Goal marked met."
    page.set_goal_status(GoalStatus.REVISED)
    assert roster.goals_of(member_id)[0].status == GoalStatus.REVISED


def test_history_and_trend_chart_show_each_check_in(page, ws, today):
    group_id = group(ws)
    (member_id,) = members(ws, group_id, 1)
    check_ins(ws, group_id, member_id, today, [(4, 7), (5, None), None, (7, 2)])
    page.show_member(member_id)
    history = page.history_model
    assert history.rowCount() == 4  # newest first, the absence included
    assert history.index(0, HistoryModel.DATE).data() == "08 Mar 2026"
    assert history.index(0, HistoryModel.MOOD).data() == "7"
    assert history.index(1, HistoryModel.ATTENDANCE).data() == "Absent"
    assert page.attended_label.text() == "3 of 4 sessions rostered"
    assert page.chart.mood is not None and page.chart.craving is not None
    assert page.chart.mood.count() == 3 and page.chart.craving.count() == 2
    assert [p.y() for p in page.chart.mood.points()] == [4, 5, 7]  # oldest first
    assert len(page.chart.chart().series()) == 2
    assert page.trend_text.text().startswith("Mood: 3 ratings, average 5.3, latest 7")


def test_craving_is_left_off_the_chart_when_never_rated(page, ws, today):
    group_id = group(ws, "Mindful Mornings", track=Track.MENTAL_HEALTH)
    (member_id,) = members(ws, group_id, 1)
    check_ins(ws, group_id, member_id, today, [(6, None), (8, None)])
    page.show_member(member_id)
    assert page.chart.mood is not None and page.chart.mood.count() == 2
    assert page.chart.craving is None
    assert [s.name() for s in page.chart.chart().series()] == ["Mood"]


def test_no_ratings_leave_an_empty_chart_that_says_so(page, ws):
    group_id = group(ws)
    (member_id,) = members(ws, group_id, 1)
    page.show_member(member_id)
    assert page.chart.chart().series() == [] and page.chart.mood is None
    assert page.chart.chart().title() == "No check-in ratings yet"
    assert page.completion.text() == "No homework reviewed yet (0 given)."


def test_homework_history_and_completion_rate(page, ws, today):
    group_id = group(ws)
    (member_id,) = members(ws, group_id, 1)
    first = started(ws, group_id, today)
    sessions.record_attendance(ws, first, member_id, AttendanceStatus.PRESENT)
    homework.assign_custom(ws, first, member_id, title="Walk", instructions="Walk daily.")
    homework.assign_custom(ws, first, member_id, title="Call", instructions="Call once.")
    second = started(ws, group_id, today + dt.timedelta(days=2))
    sessions.record_attendance(ws, second, member_id, AttendanceStatus.PRESENT)
    walk, call = homework.outstanding_for_session(second)[member_id]
    homework.review_at_check_in(
        ws,
        second,
        member_id,
        {walk.id: (ReviewStatus.DONE, ""), call.id: (ReviewStatus.PARTLY, "")},
    )
    page.show_member(member_id)
    assert page.completion.text().startswith("Homework completion 75% of 2 reviewed")
    model = page.homework_model
    assert model.rowCount() == 2
    assert model.index(0, model.REVIEWED).data() == "Walk: done; Call: partly done"
    assert model.index(1, model.GIVEN).data() == "Walk; Call"


def test_every_control_is_named_and_reachable_by_keyboard(page, ws):
    group_id = group(ws)
    (member_id,) = members(ws, group_id, 1)
    page.show_member(member_id)
    assert unnamed_controls(page) == []
    assert unnamed_controls(page.profile_dialog()) == []
    assert_unique_mnemonics(page)
    assert_unique_mnemonics(page.profile_dialog())
    assert "&" in page.edit_button.text() and "&" in page.add_goal_button.text()
    assert page.goal_text.nextInFocusChain() is page.add_goal_button
