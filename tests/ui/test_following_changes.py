"""Every screen stays current: a change made on one screen shows on the others at once, through
the one change bus, without restarting and without touching a filter."""

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from facilitator.domain.changes import Changes
from facilitator.domain.enums import AttendanceStatus, GroupType, Track
from facilitator.services import accounts, roster, sessions
from facilitator.ui.bus import ChangeBus
from facilitator.ui.main_window import MainWindow
from tests.conftest import PASSWORD, new_workspace
from tests.factories import group, members
from tests.ui.events import click, key, type_text
from tests.ui.windows import edit, open_today


def _signed_in(qtbot, location, username="ada"):
    window = MainWindow(location, username)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.start_page.password.setFocus()
    type_text(window.start_page.password, PASSWORD)
    key(window.start_page.password, Qt.Key.Key_Return)
    assert window.ws is not None, window.start_page.message.text()
    return window


def _today_lines(window):
    groups = window.today_page.groups
    return [groups.item(i).text() for i in range(groups.count())]


def test_a_group_made_on_the_groups_tab_is_on_today_with_start(qtbot, sqlite_location):
    new_workspace(sqlite_location).close()
    window = _signed_in(qtbot, sqlite_location)
    assert _today_lines(window) == []
    window.tabs.setCurrentWidget(window.groups_page)
    dialog = window.groups_page.group_dialog()
    qtbot.addWidget(dialog)
    dialog.name.setText("Daybreak Skills (fictitious)")
    dialog.days[dt.date.today().weekday()].setChecked(True)
    click(dialog.save_button)
    assert not dialog.isVisible(), dialog.message.text()
    window.tabs.setCurrentWidget(window.today_page)
    assert any("Start" in line and "Daybreak Skills" in line for line in _today_lines(window))
    click(window.today_page.start)
    assert window.session_page is not None
    assert window.session_page.record.group_name == "Daybreak Skills (fictitious)"
    window.close()


def test_the_audit_tab_shows_new_entries_that_match_its_filter(qtbot, sqlite_location):
    ws = new_workspace(sqlite_location)
    group_id = group(ws, "Harbor Evening")
    (member_id,) = members(ws, group_id, 1)
    ws.close()
    window = _signed_in(qtbot, sqlite_location)
    page = window.audit_page
    window.tabs.setCurrentWidget(page)
    page.action.setCurrentIndex(page.action.findData("create"))  # only creations
    shown = page.model.rowCount()
    selected_before = page.table.currentIndex()
    # A goal added on the Members tab (out of view) is a creation; a viewing is not.
    window.members_page.show_member(member_id)
    window.members_page.goal_text.setText("Sleep seven hours (fictitious)")
    window.members_page.add_goal()
    qtbot.waitUntil(lambda: page.model.rowCount() == shown + 1)
    newest = page.model.row_at(0).facts
    assert (newest.action, newest.record_kind, newest.member_id) == ("create", "goal", member_id)
    assert page.count.text().startswith(f"{shown + 1} entr")
    assert page.table.currentIndex() == selected_before or not selected_before.isValid()
    window.close()


def test_enrolling_shows_in_the_roster_the_open_session_and_the_profile(qtbot, clinic):
    location, _member_ids, walk_in = clinic
    window, page = open_today(qtbot, location)
    window.members_page.show_member(walk_in)
    assert "Not enrolled" in window.members_page.enrolled_label.text()
    page.roster.joiner.setFocus()  # going to the list reads who may join: nobody yet
    assert page.roster.joiner.count() == 0
    page.roster.view.setFocus()
    # The Groups tab enrolls the walk-in while the session is open.
    groups = window.groups_page
    dialog = groups.enroll_dialog()
    qtbot.addWidget(dialog)
    dialog.choose(walk_in)
    click(dialog.save_button)
    assert not dialog.isVisible(), dialog.message.text()
    names = [groups.roster_model.row_at(r)[1].id for r in range(groups.roster_model.rowCount())]
    assert walk_in in names
    qtbot.wait(10)  # the change bus delivers on the next turn of the event loop
    page.roster.joiner.setFocus()
    assert page.roster.joiner.count() == 1
    assert page.roster.joiner.itemData(0) == walk_in
    window.tabs.show()
    window.stack.setCurrentWidget(window.tabs)
    window.tabs.setCurrentWidget(window.members_page)
    assert "Evening Recovery" in window.members_page.enrolled_label.text()
    # Added from the list, the walk-in is on the roster.
    window.stack.setCurrentWidget(page)
    page.roster.joiner.setCurrentIndex(0)
    click(page.roster.add_joiner)
    assert walk_in in {a.member_id for a in page.record.attendance}
    window.close()


def test_a_rename_elsewhere_reaches_the_open_session_in_place(qtbot, clinic):
    location, (zoe, *_rest), _walk_in = clinic
    window, page = open_today(qtbot, location)
    assert edit(page.roster.model, zoe, "status", AttendanceStatus.PRESENT.value)
    view = page.check_in.view
    view.setCurrentIndex(page.check_in.model.index(0, 0))
    window.members_page.run(roster.update_member, window.workspace, zoe, preferred_name="Aaronia")
    qtbot.waitUntil(lambda: "Aaronia" in page.roster.model.headerData(0, Qt.Orientation.Vertical))
    assert page.check_in.model.headerData(0, Qt.Orientation.Vertical).startswith("Aaronia")
    assert view.currentIndex().row() == 0  # the cursor stayed on the member
    window.close()


def test_the_bus_delivers_later_and_skips_the_screen_that_asked(qtbot):
    bus = ChangeBus()
    heard = []
    bus.changed.connect(lambda changes, initiator: heard.append((changes, initiator)))
    screen = object()
    changes = bus.run(screen, lambda: Changes(groups=frozenset({3})))
    assert changes.groups == {3} and heard == []  # not inside the asking screen's own signal
    qtbot.waitUntil(lambda: len(heard) == 1)
    assert heard[0] == (changes, screen)
    bus.publish(Changes())  # nothing changed: nothing to say
    bus.publish(Changes(audit=True))
    bus.flush()
    assert [h[0] for h in heard[1:]] == [Changes(audit=True)]


def test_sign_in_remembers_the_last_username_and_enter_signs_in(qtbot, sqlite_location):
    new_workspace(sqlite_location).close()
    _signed_in(qtbot, sqlite_location).close()
    window = MainWindow(sqlite_location, None)  # no --user: this computer's last one
    qtbot.addWidget(window)
    window.show()
    login = window.start_page
    assert login.username.text() == "ada"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is login.password)
    type_text(login.password, PASSWORD)
    login.username.setFocus()
    key(login.username, Qt.Key.Key_Return)  # Enter in the username field signs in too
    assert window.ws is not None and window.ws.actor.username == "ada"
    window.close()


def test_enter_submits_set_up(qtbot, tmp_path):
    window = MainWindow(str(tmp_path / "new.db"))
    qtbot.addWidget(window)
    window.show()
    page = window.start_page
    for field, text in (
        (page.program, "Harbor Test IOP"),
        (page.full_name, "Ada Testwood"),
        (page.username, "ada"),
        (page.password, PASSWORD),
        (page.again, PASSWORD),
    ):
        field.setFocus()
        type_text(field, text)
    page.credentials.setFocus()
    key(page.credentials, Qt.Key.Key_Return)
    assert window.ws is not None, page.message.text()
    page.recovery_dialog.close()
    window.close()


def test_reopening_returns_to_the_same_members_note(qtbot, clinic):
    location, member_ids, _walk_in = clinic
    window, page = open_today(qtbot, location)
    for member_id in member_ids:
        edit(page.roster.model, member_id, "status", AttendanceStatus.PRESENT.value)
    page.show_part("notes")
    page.notes.members.setFocus()
    key(page.notes.members, Qt.Key.Key_Down)
    key(page.notes.members, Qt.Key.Key_Down)
    chosen = page.notes.member_id
    assert chosen == page.record.present[2].member_id
    window.close()  # as a crash or a closed lid leaves it: the place is kept
    again = _signed_in(qtbot, location)
    assert again.session_page is not None and again.session_page.current_part() == "notes"
    assert again.session_page.notes.member_id == chosen
    again.close()


def test_the_reports_tab_lists_a_group_made_on_the_groups_tab(qtbot, sqlite_location):
    new_workspace(sqlite_location).close()
    window = _signed_in(qtbot, sqlite_location)
    window.groups_page.run(
        roster.create_group,
        window.workspace,
        name="Twilight Recovery (fictitious)",
        track=Track.SUBSTANCE_USE,
        group_type=GroupType.RELAPSE_PREVENTION,
    )
    window.tabs.setCurrentWidget(window.reports_page)
    combo = window.reports_page.group
    qtbot.waitUntil(
        lambda: (
            "Twilight Recovery (fictitious)" in [combo.itemText(i) for i in range(combo.count())]
        )
    )
    window.close()


def test_a_session_signed_elsewhere_leaves_the_worklist(qtbot, clinic):
    location, member_ids, _walk_in = clinic
    window, page = open_today(qtbot, location)
    ws = window.workspace
    for member_id in member_ids:
        edit(page.roster.model, member_id, "status", AttendanceStatus.PRESENT.value)
        sessions.write_member_note(ws, page.session_id, member_id, data=f"Words {member_id}.")
    sessions.write_group_note(ws, page.session_id, topic="Urge surfing")
    page.sign.password.setText(PASSWORD)
    page.show_part("sign")
    page.apply(Changes(sessions=frozenset({page.session_id}), member_notes=frozenset(member_ids)))
    click(page.sign.sign_button)
    assert page.locked, page.message.text()
    click(page.header.home_button)
    worklist = window.today_page.worklist
    assert worklist.count() == 0
    window.close()
    accounts.sign_in(location, "ada", PASSWORD).close()
