"""The Groups page: create and edit groups, enroll and discharge, the soft-capacity warning.

Dialogs are built by the page's *_dialog methods, filled in and accepted directly; nothing
here calls exec(), so no test waits on a modal loop.
"""

import datetime as dt

import pytest
from PySide6.QtCore import QDate, QTime
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QTabBar,
    QTabWidget,
    QWidget,
)

from facilitator.domain.enums import EnrollmentStatus, GroupType, Track
from facilitator.domain.errors import NotFound
from facilitator.services import directory, roster
from facilitator.ui.group_dialogs import GroupDialog
from facilitator.ui.groups_page import GroupsPage
from facilitator.ui.models import RosterModel
from tests.factories import group, members
from tests.ui.events import click, type_text

START = dt.date(2026, 3, 2)


def unnamed_controls(root: QWidget) -> list[str]:
    """Controls in the root's window without an accessible name.

    The parts inside a control (a combo box's line edit, a table's header) and other windows
    (a combo box's popup, a dialog the root owns) are not counted.
    """
    controls = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView)
    inner = (QComboBox, QAbstractSpinBox, QAbstractItemView, QTabBar, QLineEdit)
    return [
        f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}"
        for w in root.findChildren(QWidget)
        if isinstance(w, controls)
        and w.window() is root.window()
        and not isinstance(w.parentWidget(), inner)
        and not w.accessibleName()
    ]


def mnemonics(root: QWidget) -> list[str]:
    """The Alt+letter keys of the root's own window: buttons, labelled fields and tabs."""
    texts = [w.text() for w in root.findChildren(QAbstractButton) if w.window() is root.window()]
    texts += [
        w.text() for w in root.findChildren(QLabel) if w.buddy() and w.window() is root.window()
    ]
    for tabs in root.findChildren(QTabWidget):
        if tabs.window() is root.window():
            texts += [tabs.tabText(i) for i in range(tabs.count())]
    return [t[t.index("&") + 1].lower() for t in texts if "&" in t.replace("&&", "")]


def assert_unique_mnemonics(root: QWidget) -> None:
    keys = mnemonics(root)
    assert len(keys) == len(set(keys)), sorted(keys)
    # The main window's tabs (&Today, &Groups, &Members) own these keys on every page.
    if root.window() is root and not isinstance(root, QDialog):
        assert not {"t", "g", "m"} & set(keys), sorted(keys)


@pytest.fixture
def page(qtbot, ws):
    widget = GroupsPage(ws)
    qtbot.addWidget(widget)
    return widget


def fill_group(dialog: GroupDialog, name: str) -> None:
    dialog.name.setText(name)
    dialog.track.setCurrentIndex(dialog.track.findData(Track.DUAL_DIAGNOSIS))
    dialog.group_type.setCurrentIndex(dialog.group_type.findData(GroupType.SKILLS_DEVELOPMENT))
    dialog.enrollment.setCurrentIndex(dialog.enrollment.findData(False))
    dialog.days[1].setChecked(True)
    dialog.days[3].setChecked(True)
    dialog.timed.setChecked(True)
    dialog.start.setTime(QTime(17, 30))
    dialog.length.setValue(120)  # the parts follow while they are plain thirds
    dialog.capacity.setValue(10)


def test_create_a_group_through_the_dialog(page):
    assert page.groups_model.rowCount() == 0
    assert "No groups yet" in page.title.text()
    dialog = page.group_dialog()
    assert [box.value() for box in dialog.parts] == [60, 60, 60]  # SAMHSA thirds by default
    fill_group(dialog, "Tuesday Skills")
    assert [box.value() for box in dialog.parts] == [40, 40, 40]
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    (saved,) = roster.list_groups()
    assert (saved.name, saved.track, saved.group_type, saved.open_enrollment) == (
        "Tuesday Skills",
        Track.DUAL_DIAGNOSIS,
        "skills_development",
        False,
    )
    assert saved.meeting_weekdays == (1, 3) and saved.start_time == dt.time(17, 30)
    assert (saved.length_minutes, saved.phase_minutes, saved.soft_capacity) == (
        120,
        (40, 40, 40),
        10,
    )
    assert page.group_id == saved.id and page.title.text() == "Tuesday Skills"
    assert page.settings["meets"].text() == "Tue, Thu 17:30"
    assert page.message.text() == "Saved Tuesday Skills."


def test_a_group_form_another_seat_overtook_keeps_their_change(page, ws, location):
    """Only what its user changed is saved; a field both changed is refused, then kept."""
    from facilitator.services import accounts
    from tests.conftest import PASSWORD

    group_id = group(ws, "Tuesday Skills")
    page.refresh()
    dialog = page.group_dialog(roster.get_group(group_id))
    other = accounts.sign_in(location, "ada", PASSWORD)
    roster.update_group(other, group_id, soft_capacity=14, name="Tuesday Skills B")
    other.close()
    ws.make_current()
    dialog.name.setText("Tuesday Evening Skills")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "Tuesday Skills B" in dialog.message.text()
    assert roster.get_group(group_id).name == "Tuesday Skills B"
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = roster.get_group(group_id)
    assert (saved.name, saved.soft_capacity) == ("Tuesday Evening Skills", 14)


def test_an_empty_group_name_is_refused_in_the_dialog_and_nothing_typed_is_lost(page):
    dialog = page.group_dialog()
    fill_group(dialog, "   ")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.message.objectName() == "message"
    assert dialog.message.text() == "group name cannot be empty"
    assert dialog.days[1].isChecked() and dialog.capacity.value() == 10
    assert dialog.start.time() == QTime(17, 30)
    assert roster.list_groups() == []
    dialog.name.setText("Tuesday Skills")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_a_refusal_goes_once_its_field_is_typed_in(page, qtbot):
    dialog = page.group_dialog()
    qtbot.addWidget(dialog)
    dialog.show()
    fill_group(dialog, "")
    click(dialog.save_button)
    assert dialog.message.text() == "group name cannot be empty"
    assert QApplication.focusWidget() is dialog.name  # the cursor is where the fault is
    type_text(dialog.name, "Tuesday Skills")
    assert dialog.message.text() == ""  # stale once the field holds something else
    click(dialog.save_button)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_a_hand_shaped_plan_must_add_up(page):
    dialog = page.group_dialog()
    dialog.name.setText("Mornings")
    dialog.parts[1].setValue(90)
    assert "210 minutes, not 180" in dialog.plan_note.text()
    dialog.length.setValue(165)  # a plan shaped by hand does not follow the length
    assert [box.value() for box in dialog.parts] == [60, 90, 60]
    dialog.accept()
    assert "add up to 165 minutes" in dialog.message.text()
    dialog.split_in_thirds()
    dialog.accept()
    assert roster.list_groups()[0].phase_minutes == (55, 55, 55)


def test_edit_a_group_keeps_what_was_not_changed(page, ws):
    group_id = group(ws, "Evening Recovery A", start_time=None)
    page.refresh()
    dialog = page.group_dialog(roster.get_group(group_id))
    assert dialog.name.text() == "Evening Recovery A"
    assert not dialog.timed.isChecked() and not dialog.start.isEnabled()
    assert [box.isChecked() for box in dialog.days] == [1, 0, 1, 0, 1, 0, 0]
    dialog.name.setText("Evening Recovery B")
    dialog.capacity.setValue(8)
    dialog.accept()
    saved = roster.get_group(group_id)
    assert (saved.name, saved.soft_capacity, saved.start_time) == ("Evening Recovery B", 8, None)
    assert saved.group_type == GroupType.RELAPSE_PREVENTION
    assert page.groups_model.row_at(0).name == "Evening Recovery B"


def test_enroll_an_existing_member_and_a_new_one(page, ws):
    group_id = group(ws)
    other = group(ws, "Mornings")
    (member_id,) = members(ws, other, 1)
    page.refresh()
    page.select_group(group_id)
    dialog = page.enroll_dialog()
    dialog.search.setText("T-")
    dialog.choose(member_id)
    dialog.start.setDate(QDate(2026, 3, 2))
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    (row,) = page.roster_model.rows()
    assert (row[1].id, row[0].start_date, row[0].status) == (member_id, START, "active")

    dialog = page.enroll_dialog()
    dialog.tabs.setCurrentIndex(dialog.NEW)
    fields = dialog.member_fields
    fields.first_name.setText("Cass")
    fields.last_name.setText("Bramblewood")
    fields.preferred_name.setText("Cassie")
    fields.record_number.setText("T-NEW-1")
    fields.pronouns.setEditText("they/them")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    newest, _first = page.roster_model.rows()
    assert newest[1].display_name == "Cassie Bramblewood" and newest[1].pronouns == "they/them"
    assert page.selected_enrollment() == newest
    assert page.message.text().startswith("Enrolled Cassie Bramblewood from")


def test_enroll_refusals_show_in_the_dialog_and_save_nothing(page, ws):
    group_id = group(ws)
    (member_id,) = members(ws, group_id, 1, since=START)
    page.refresh()
    dialog = page.enroll_dialog()
    dialog.search.setText("no such member")
    dialog.accept()
    assert "choose a member in the list" in dialog.message.text()
    dialog.choose(member_id)
    dialog.start.setDate(QDate(2026, 3, 2))
    dialog.accept()
    assert dialog.message.text() == "the member is already enrolled in this group on that date"
    dialog.tabs.setCurrentIndex(dialog.NEW)
    dialog.member_fields.first_name.setText("Dov")
    dialog.member_fields.last_name.setText("Thistledown")
    dialog.member_fields.record_number.setText(roster.get_member(member_id).record_number)
    dialog.accept()
    assert "belongs to another member" in dialog.message.text()
    assert dialog.member_fields.first_name.text() == "Dov"
    assert len(roster.list_members()) == 1 and page.roster_model.rowCount() == 1


def test_a_new_member_is_not_kept_when_the_enrollment_fails(ws):
    # directory.enroll_new_member writes both in one transaction.
    with pytest.raises(NotFound):
        directory.enroll_new_member(
            ws, 999, START, first_name="Edie", last_name="Pebbleworth", record_number="T-9"
        )
    assert roster.list_members() == []


def test_discharge_needs_a_reason_and_keeps_the_date_typed(page, ws):
    group_id = group(ws)
    first, second = members(ws, group_id, 2, since=START)
    page.refresh()
    assert page.discharge_dialog() is None  # nobody chosen yet
    assert page.message.text() == "choose a member on the roster to discharge"
    page.select_enrollment(next(e.id for e, m in page.roster_model.rows() if m.id == first))
    assert page.discharge_button.isEnabled()
    dialog = page.discharge_dialog()
    dialog.date.setDate(QDate(2026, 3, 20))
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.message.text() == "discharge reason cannot be empty"
    assert dialog.date.date() == QDate(2026, 3, 20)
    assert roster.group_roster(group_id)[0][0].status == EnrollmentStatus.ACTIVE
    dialog.reason.setEditText("Completed the program")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    shown = {m.id: e for e, m in page.roster_model.rows()}
    assert shown[first].status == "discharged" and shown[first].end_date == dt.date(2026, 3, 20)
    index = page.roster_model.index(
        page.roster_model.rows().index((shown[first], roster.get_member(first))),
        RosterModel.REASON,
    )
    assert index.data() == "Completed the program"
    assert not page.discharge_button.isEnabled()  # already discharged
    assert page.overview.active == 1
    page.show_discharged.setChecked(False)
    assert [m.id for _e, m in page.roster_model.rows()] == [second]


def test_capacity_warning_appears_above_the_soft_cap(page, ws):
    group_id = group(ws, soft_capacity=2)
    members(ws, group_id, 2, since=START)
    page.refresh()
    page.show()
    assert page.capacity.text() == "2 enrolled (soft cap 2)"
    assert "above" not in page.capacity.text()
    dialog = page.enroll_dialog()
    dialog.tabs.setCurrentIndex(dialog.NEW)
    dialog.member_fields.first_name.setText("Finn")
    dialog.member_fields.last_name.setText("Larkspur")
    dialog.member_fields.record_number.setText("T-CAP-3")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted  # a soft cap warns, never refuses
    assert page.capacity.isVisible()
    assert page.capacity.text() == "⚠ 3 enrolled, above the soft cap of 2"
    assert page.capacity.accessibleDescription() == "3 enrolled, above the soft cap of 2"


def test_activating_a_roster_row_asks_to_open_the_member(page, ws, qtbot):
    group_id = group(ws)
    (member_id,) = members(ws, group_id, 1)
    page.refresh()
    page.select_enrollment(page.roster_model.row_at(0)[0].id)
    with qtbot.waitSignal(page.open_member) as opened:
        page.roster_view.activated.emit(page.roster_model.index(0, 0))
    assert opened.args == [member_id]


def test_every_control_is_named_and_reachable_by_keyboard(page, ws):
    group_id = group(ws)
    members(ws, group_id, 1)
    page.refresh()
    page.select_enrollment(page.roster_model.row_at(0)[0].id)
    dialogs = [page.group_dialog(), page.enroll_dialog(), page.discharge_dialog()]
    for widget in [page, *dialogs]:
        assert unnamed_controls(widget) == [], type(widget).__name__
        assert_unique_mnemonics(widget)
    for button in (page.new_button, page.edit_button, page.enroll_button, page.discharge_button):
        assert "&" in button.text()  # a mnemonic: Alt plus the underlined letter
    group_dialog = dialogs[0]
    assert group_dialog.name.nextInFocusChain() is group_dialog.track
    assert group_dialog.track.nextInFocusChain() is group_dialog.group_type
