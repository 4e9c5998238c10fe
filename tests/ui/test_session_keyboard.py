"""The session screen from the keyboard and the mouse, with real key and mouse events.

Each test is one of the findings of issue 10: grids a facilitator can fill without the mouse
during a live group, widgets that survive their own signals, and the small things around them.
"""

import datetime as dt
import re

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit

from facilitator.domain.audit import RecordKind
from facilitator.domain.enums import AttendanceStatus, Participation
from facilitator.services import accounts, audit, sessions
from tests.conftest import PASSWORD
from tests.factories import group, members
from tests.ui.events import click, click_cell, key, type_text
from tests.ui.windows import EVERY_DAY, edit, open_today

SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def _all_present(page, member_ids):
    for member_id in member_ids:
        assert edit(page.roster.model, member_id, "status", AttendanceStatus.PRESENT.value)


def _current(view):
    index = view.currentIndex()
    return index.row(), index.column()


def _stored_check_in(page, row):
    member_id = page.check_in.model.rows[row].member_id
    return next(
        (c for c in sessions.load(page.session_id).check_ins if c.member_id == member_id), None
    )


def test_attendance_is_marked_down_the_roster_from_the_keyboard(qtbot, clinic):
    location, member_ids, _walk_in = clinic
    window, page = open_today(qtbot, location)
    view, model = page.roster.view, page.roster.model
    status = model.column("status")
    click_cell(view, 0, status)
    for _member in member_ids:
        type_text(view, "p")  # the choice list opens on the key and picks Present
        key(view, Qt.Key.Key_Return)  # saves and moves down the same column
    stored = sessions.load(page.session_id)
    assert {a.member_id for a in stored.present} == set(member_ids)
    assert _current(view) == (len(member_ids) - 1, status)
    # The grid shows the word, and keeps the stored value behind it for its editor.
    cell = model.index(0, status)
    assert (cell.data(), cell.data(Qt.ItemDataRole.UserRole)) == ("Present", "present")
    assert QApplication.focusWidget() is view
    window.close()


def test_typing_at_once_into_the_cell_already_chosen_is_not_lost(qtbot, clinic):
    """Clicking the cell that is already the current one and typing straight away: the digit
    goes into the cell (Qt's delayed edit of a click on a selected cell swallowed it)."""
    location, member_ids, _walk_in = clinic
    window, page = open_today(qtbot, location)
    _all_present(page, member_ids)
    page.show_part("check_in")
    view, model = page.check_in.view, page.check_in.model
    click_cell(view, 0, model.column("mood"))
    click_cell(view, 0, model.column("mood"))  # again: now it is the selected cell
    type_text(view, "7")
    key(view, Qt.Key.Key_Return)
    assert _stored_check_in(page, 0).mood == 7
    window.close()


def test_the_check_in_grid_moves_like_a_spreadsheet(qtbot, clinic):
    location, member_ids, _walk_in = clinic
    window, page = open_today(qtbot, location)
    _all_present(page, member_ids)
    view, model = page.check_in.view, page.check_in.model
    mood, craving = model.column("mood"), model.column("craving")

    # Typing edits; Enter saves and moves down the same column.
    click_cell(view, 0, mood)
    type_text(view, "7")
    key(view, Qt.Key.Key_Return)
    assert _stored_check_in(page, 0).mood == 7
    assert _current(view) == (1, mood)
    # The cell stays put after the save: the cursor did not jump back to the first row.
    type_text(view, "5")
    key(view, Qt.Key.Key_Tab)  # saves and moves across
    assert _stored_check_in(page, 1).mood == 5
    assert _current(view) == (1, craving)
    type_text(view, "3")
    key(view, Qt.Key.Key_Tab)
    assert _stored_check_in(page, 1).craving == 3

    # Tab at the end of a row wraps to the next row; Shift+Tab wraps back.
    last = model.columnCount() - 1
    view.setCurrentIndex(model.index(1, last))
    key(view, Qt.Key.Key_Tab)
    assert _current(view) == (2, 0)
    key(view, Qt.Key.Key_Backtab, SHIFT)
    assert _current(view) == (1, last)
    assert QApplication.focusWidget() is view  # never off to the Home button

    # Escape cancels what was typed.
    click_cell(view, 2, mood)
    type_text(view, "9")
    key(view, Qt.Key.Key_Escape)
    assert _stored_check_in(page, 2) is None
    assert _current(view) == (2, mood)
    # After the last cell, Tab leaves the grid.
    view.setCurrentIndex(model.index(model.rowCount() - 1, last))
    key(view, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not view
    window.close()


def test_a_refused_rating_stays_on_the_line_until_the_cell_is_right(qtbot, clinic):
    location, member_ids, _walk_in = clinic
    window, page = open_today(qtbot, location)
    _all_present(page, member_ids)
    view, model = page.check_in.view, page.check_in.model
    click_cell(view, 0, model.column("mood"))
    type_text(view, "11")
    key(view, Qt.Key.Key_Return)
    assert "0 to 10" in page.message.text()
    # Another cell saved does not clear it: the mood is still wrong.
    click_cell(view, 1, model.column("mood"))
    type_text(view, "4")
    key(view, Qt.Key.Key_Return)
    assert "0 to 10" in page.message.text()
    click_cell(view, 0, model.column("mood"))
    type_text(view, "8")
    key(view, Qt.Key.Key_Return)
    assert page.message.text() == ""
    assert _stored_check_in(page, 0).mood == 8
    window.close()


def test_member_names_stay_in_view_while_the_grid_scrolls_sideways(qtbot, clinic):
    location, member_ids, _walk_in = clinic
    window, page = open_today(qtbot, location)
    _all_present(page, member_ids)
    view, model = page.check_in.view, page.check_in.model
    window.resize(900, 600)  # narrow, so the grid has to scroll
    qtbot.waitUntil(lambda: view.horizontalScrollBar().maximum() > 0)
    view.horizontalScrollBar().setValue(view.horizontalScrollBar().maximum())
    header = view.verticalHeader()
    assert header.isVisible() and header.width() > 40
    names = [model.headerData(r, Qt.Orientation.Vertical) for r in range(model.rowCount())]
    assert names == [a.display_name for a in sessions.load(page.session_id).present]
    assert view.columnAt(0) != 0  # scrolled: the first column is out of view, the names are not
    window.close()


def test_the_safety_follow_up_is_written_on_several_lines_and_shown_whole(qtbot, clinic):
    location, member_ids, _walk_in = clinic
    window, page = open_today(qtbot, location)
    _all_present(page, member_ids)
    view, model = page.check_in.view, page.check_in.model
    click_cell(view, 0, model.column("safety_concern"))
    type_text(view, "y")
    key(view, Qt.Key.Key_Tab)
    assert _current(view) == (0, model.column("safety_follow_up"))
    type_text(view, "Safety plan reviewed")
    editor = QApplication.focusWidget()
    assert isinstance(editor, QPlainTextEdit)
    key(view, Qt.Key.Key_Return)  # a new line, not the end of the edit
    type_text(view, "Lead told at 19:30")
    key(view, Qt.Key.Key_Return, CTRL)  # saves and moves down
    text = "Safety plan reviewed\nLead told at 19:30"
    assert _stored_check_in(page, 0).safety_follow_up == text
    assert _current(view) == (1, model.column("safety_follow_up"))
    cell = model.index(0, model.column("safety_follow_up"))
    assert model.data(cell, Qt.ItemDataRole.ToolTipRole) == text
    page.show_part("sign")
    assert "Safety plan reviewed" in page.sign.summary.text()
    assert "Lead told at 19:30" in page.sign.summary.text()
    window.close()


def test_choosing_participation_keeps_its_combo_alive(qtbot, clinic):
    """The choice used to reload the page and delete the very combo whose signal was running
    (a segmentation fault). By mouse and by keyboard now."""
    location, member_ids, _walk_in = clinic
    window, page = open_today(qtbot, location)
    _all_present(page, member_ids)
    page.show_part("skill_work")
    first, second = (page.skill.combos[m] for m in member_ids[:2])
    # Mouse: open the list and click an item.
    click(first)
    popup = first.view()
    qtbot.waitUntil(popup.isVisible)
    # The list ignores a release this soon after opening (it would be the opening click's).
    qtbot.wait(QApplication.doubleClickInterval() + 50)
    index = popup.model().index(first.findData(Participation.ACTIVE.value), 0)
    click(popup.viewport(), popup.visualRect(index).center())
    qtbot.waitUntil(lambda: not popup.isVisible())
    # Keyboard: arrows on the closed combo choose.
    second.setFocus()
    key(second, Qt.Key.Key_Down)
    key(second, Qt.Key.Key_Down)
    qtbot.wait(20)  # the change bus delivers on the next turn of the loop
    assert shiboken6.isValid(first) and shiboken6.isValid(second)
    assert page.skill.combos[member_ids[0]] is first
    notes = {n.member_id: n.participation for n in sessions.load(page.session_id).member_notes}
    assert notes[member_ids[0]] is Participation.ACTIVE
    assert notes[member_ids[1]] is Participation(second.currentData())
    window.close()


def test_a_cell_edit_repaints_its_row_without_reading_the_whole_session(qtbot, clinic):
    location, member_ids, _walk_in = clinic
    window, page = open_today(qtbot, location)
    _all_present(page, member_ids)
    view, model = page.check_in.view, page.check_in.model
    click_cell(view, 1, model.column("mood"))
    repainted = []
    model.dataChanged.connect(lambda top, bottom, *_: repainted.append((top.row(), bottom.row())))
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    statements: list[str] = []
    connection = window.workspace.store.db.connection()
    connection.set_trace_callback(statements.append)
    type_text(view, "6")
    key(view, Qt.Key.Key_Return)
    connection.set_trace_callback(None)
    assert repainted == [(1, 1)] and resets == []
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # Reading a whole session reads its signatures and part times; an edit reads neither.
    assert not [s for s in reads if 'FROM "signature"' in s or 'FROM "phase_log"' in s], reads
    window.close()


def test_refused_times_are_said_inline_and_lose_nothing(qtbot, clinic):
    location, _members, _walk_in = clinic
    ws = accounts.sign_in(location, "ada", PASSWORD)
    morning = group(ws, "Morning Skills", meeting_weekdays=EVERY_DAY, start_time=dt.time(9, 0))
    (zoe,) = members(ws, morning, 1, since=dt.date.today() - dt.timedelta(days=7))
    ws.close()
    window, page = open_today(qtbot, location)  # the morning group comes first: 09:00-12:00
    assert page.record.group_id == morning
    view, model = page.roster.view, page.roster.model
    row = model.row_of(zoe)
    assert edit(model, zoe, "status", AttendanceStatus.PRESENT.value)
    click_cell(view, row, model.column("arrival"))
    type_text(view, "09:40")
    key(view, Qt.Key.Key_Return)
    click_cell(view, row, model.column("arrival"))
    type_text(view, "12:30")  # the editor opens with 09:40 selected: typing replaces it
    key(view, Qt.Key.Key_Return)
    assert "not before the session's end at 12:00" in page.message.text()
    click_cell(view, row, model.column("departure"))
    type_text(view, "09:10")
    key(view, Qt.Key.Key_Return)
    assert "must be after the arrival at 09:40" in page.message.text()
    stored = sessions.load(page.session_id).attendance_of(zoe)
    assert (stored.arrival, stored.departure) == (dt.time(9, 40), None)
    click_cell(view, row, model.column("departure"))
    type_text(view, "11:15")
    key(view, Qt.Key.Key_Return)
    assert page.message.text() == ""  # the stale error went once the field was right
    assert sessions.load(page.session_id).attendance_of(zoe).departure == dt.time(11, 15)
    window.close()


def test_the_clock_reads_hours_minutes_and_seconds(qtbot, clinic):
    location, _members, _walk_in = clinic
    window, page = open_today(qtbot, location)
    assert re.fullmatch(r"Session \d+:\d\d:\d\d", page.header.clock_label.text())
    window.close()


def test_every_extra_homework_field_has_a_label(qtbot, clinic):
    location, _members, _walk_in = clinic
    window, page = open_today(qtbot, location)
    labels = {label.buddy(): label.text() for label in page.summary.findChildren(QLabel)}
    for field in (page.summary.extra_member, page.summary.extra_title, page.summary.extra_text):
        assert labels.get(field), field.accessibleName()
    window.close()


def test_review_and_sign_shows_what_is_being_signed(qtbot, clinic):
    location, member_ids, _walk_in = clinic
    window, page = open_today(qtbot, location)
    _all_present(page, member_ids[:3])
    assert edit(page.roster.model, member_ids[3], "status", AttendanceStatus.ABSENT.value)
    page.show_part("sign")
    shown = page.sign.summary.text()
    for part in ("Present:", "3 of 4", "Topic:", "not chosen", "Notes written:", "0 of 3"):
        assert part in shown
    assert "Homework given:" in shown and "Safety concerns:" in shown
    window.close()


def test_typing_is_one_audit_entry_per_stretch_of_typing(qtbot, clinic):
    location, _members, _walk_in = clinic
    window, page = open_today(qtbot, location)
    page.show_part("skill_work")
    editor = page.skill.narrative
    saver = editor.property("saver")
    editor.setFocus()
    for word in ("Members ", "practised ", "urge ", "surfing."):
        type_text(editor, word)
        saver.flush()  # an autosave tick mid-stretch
    entries = [
        e for e in audit.entries(window.workspace) if e.facts.record_kind is RecordKind.GROUP_NOTE
    ]
    assert len(entries) == 1 and entries[0].facts.detail == "narrative"
    page.skill.interventions.setFocus()  # leaving the field ends the stretch
    editor.setFocus()
    type_text(editor, " Again.")
    saver.flush()
    entries = [
        e for e in audit.entries(window.workspace) if e.facts.record_kind is RecordKind.GROUP_NOTE
    ]
    assert len(entries) == 2
    assert (
        sessions.load(page.session_id).group_note.narrative
        == "Members practised urge surfing. Again."
    )
    window.close()


def test_enter_signs_from_the_password_field(qtbot, clinic):
    location, member_ids, _walk_in = clinic
    window, page = open_today(qtbot, location)
    ws = window.workspace
    _all_present(page, member_ids)
    # The notes, written as if on another screen, reach the page through the change bus.
    changes = sessions.write_group_note(ws, page.session_id, topic="Urge surfing")
    for member_id in member_ids:
        changes |= sessions.write_member_note(
            ws, page.session_id, member_id, data=f"Own words {member_id}."
        )
    page.bus.publish(changes)
    page.bus.flush()
    page.show_part("sign")
    page.sign.password.setFocus()
    type_text(page.sign.password, PASSWORD)
    key(page.sign.password, Qt.Key.Key_Return)
    assert page.locked, page.message.text()
    window.close()
