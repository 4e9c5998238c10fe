"""The main window: first-run setup, sign-in, the demo database, resuming where the user was."""

from PySide6.QtCore import Qt

from facilitator.services import accounts, home
from facilitator.ui.main_window import LoginPage, MainWindow, SetupPage
from tests.conftest import PASSWORD, new_workspace
from tests.factories import group, members, started


def _signed_in(qtbot, location):
    window = MainWindow(location, "ada")
    qtbot.addWidget(window)
    window.show()
    assert isinstance(window.start_page, LoginPage)
    qtbot.keyClicks(window.start_page.password, PASSWORD)
    qtbot.mouseClick(window.start_page.sign_in_button, Qt.MouseButton.LeftButton)
    return window


def test_first_run_sets_up_the_database(qtbot, tmp_path):
    location = str(tmp_path / "new.db")
    window = MainWindow(location)
    qtbot.addWidget(window)
    page = window.start_page
    assert isinstance(page, SetupPage)
    page.program.setText("Harbor Test IOP")
    page.full_name.setText("Ada Testwood")
    page.credentials.setText("LCSW")
    page.username.setText("ada")
    page.password.setText("short")
    page.again.setText("short")
    page.submit()
    assert "12 characters" in page.message.text()
    assert window.ws is None
    page.password.setText(PASSWORD)
    page.again.setText(PASSWORD + "x")
    page.submit()
    assert page.message.text() == "the two passwords differ"
    page.again.setText(PASSWORD)
    page.submit()
    assert window.windowTitle() == "Facilitator — Harbor Test IOP — Ada Testwood"
    assert window.stack.currentWidget() is window.tabs
    # The recovery key is shown once, then kept nowhere in the app.
    key = page.recovery_dialog.key_label.text()
    assert len(key.replace("-", "")) == 30 and page.recovery_dialog.isVisible()
    assert window.ws.recovery_key is None
    window.close()
    accounts.sign_in(location, "ada", PASSWORD).close()
    accounts.reset_with_recovery_key(location, key, "ada", "after-recovery-01")
    accounts.sign_in(location, "ada", "after-recovery-01").close()


def test_the_sign_in_page_offers_the_recovery_key(qtbot, sqlite_location):
    new_workspace(sqlite_location).close()
    window = MainWindow(sqlite_location, "ada")
    qtbot.addWidget(window)
    dialog = window.start_page.recovery_dialog()
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and dialog.username.accessibleName()


def test_sign_in_shows_home_and_title(qtbot, sqlite_location):
    ws = new_workspace(sqlite_location)
    group(ws)
    ws.close()
    window = _signed_in(qtbot, sqlite_location)
    assert window.windowTitle() == "Facilitator — Test Valley IOP (fictitious) — Ada Testwood"
    assert window.stack.currentWidget() is window.tabs
    window.close()


def test_wrong_password_is_a_message_not_a_crash(qtbot, sqlite_location):
    new_workspace(sqlite_location).close()
    window = MainWindow(sqlite_location, "ada")
    qtbot.addWidget(window)
    qtbot.keyClicks(window.start_page.password, "not-the-password")
    window.start_page.password.returnPressed.emit()
    assert window.start_page.message.text() == "wrong username or password"
    assert window.ws is None and window.start_page.password.text() == ""


def test_demo_data_opens_a_separate_database_marked_demo(qtbot, tmp_path):
    location = tmp_path / "clinic.db"
    window = MainWindow(str(location))
    qtbot.addWidget(window)
    window.start_page.demo.click()
    assert window.windowTitle().endswith("— DEMO")
    assert window.location == str(tmp_path / "clinic-demo.db")
    assert not location.exists()  # the real database is untouched
    window.close()


def test_reopening_returns_to_the_same_session_and_part(qtbot, sqlite_location, today):
    ws = new_workspace(sqlite_location)
    group_id = group(ws)
    members(ws, group_id, 2)
    session_id = started(ws, group_id, today)
    home.remember_place(ws, session_id, "notes")
    ws.close()
    window = _signed_in(qtbot, sqlite_location)
    assert window.session_page is not None
    assert window.session_page.session_id == session_id
    assert window.session_page.current_part() == "notes"
    window.close()


def test_a_roster_row_opens_the_members_profile(qtbot, sqlite_location):
    ws = new_workspace(sqlite_location)
    group_id = group(ws)
    (member_id,) = members(ws, group_id, 1)
    ws.close()
    window = _signed_in(qtbot, sqlite_location)
    window.groups_page.open_member.emit(member_id)
    assert window.tabs.currentWidget() is window.members_page
    window.close()


def test_damage_found_after_sign_in_is_shown_with_the_newest_backup(qtbot, sqlite_location):
    new_workspace(sqlite_location).close()
    window = MainWindow(sqlite_location, "ada")
    qtbot.addWidget(window)
    window.integrity_problem.emit("clinic.db is damaged (page 7); changes are stopped")
    qtbot.waitUntil(lambda: getattr(window, "integrity_box", None) is not None)
    assert "changes are stopped" in window.integrity_box.text()
    assert window.integrity_box.isVisible()


def test_signing_in_takes_todays_backup_in_the_background(
    qtbot, sqlite_location, tmp_path, monkeypatch
):
    import datetime as dt
    from pathlib import Path

    monkeypatch.setenv("FACILITATOR_DAILY_BACKUP", "on")
    monkeypatch.setenv("FACILITATOR_BACKUP_DIR", str(tmp_path / "drive"))
    new_workspace(sqlite_location).close()
    window = MainWindow(sqlite_location, "ada")
    qtbot.addWidget(window)
    window.start_page.password.setText(PASSWORD)
    window.start_page.submit()
    window.backup_thread.join(timeout=60)
    name = f"{Path(sqlite_location).stem}-{dt.date.today().isoformat()}.db"
    assert (tmp_path / "drive" / Path(sqlite_location).stem / name).is_file()
