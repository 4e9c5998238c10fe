"""The Users tab: add, reset a password, supervision, deactivate; and the lock time."""

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from facilitator.domain.audit import Action
from facilitator.domain.enums import Role
from facilitator.domain.errors import AuthenticationFailed
from facilitator.services import accounts, audit, security
from facilitator.ui.users_page import AddUserDialog, UsersModel
from tests.conftest import PASSWORD, new_workspace
from tests.ui.test_audit_page import _signed_in

NEW_PASSWORD = "new-password-00004"


def _users(page):
    return {u.username: u for u in page.model.rows()}


def test_add_reset_and_deactivate_a_user(qtbot, sqlite_location, monkeypatch):
    new_workspace(sqlite_location).close()
    window = _signed_in(qtbot, sqlite_location)
    page = window.users_page
    window.tabs.setCurrentWidget(page)
    assert list(_users(page)) == ["ada"]
    assert not page.deactivate_button.isEnabled()  # not one's own account

    dialog = page.add_user()
    assert isinstance(dialog, AddUserDialog) and dialog.isVisible()
    dialog.username.setText("Bo")
    dialog.full_name.setText("Bo Facilitator")
    dialog.credentials.setText("CADC")
    dialog.password.setText(NEW_PASSWORD)
    dialog.again.setText(NEW_PASSWORD + "x")
    dialog.save_button.click()
    assert dialog.isVisible() and dialog.message.text() == "the two passwords differ"
    assert dialog.username.text() == "Bo"  # nothing typed is lost
    dialog.again.setText(NEW_PASSWORD)
    dialog.password.setText("short")
    dialog.again.setText("short")
    dialog.save_button.click()
    assert dialog.isVisible() and "12 characters" in dialog.message.text()
    dialog.password.setText(NEW_PASSWORD)
    dialog.again.setText(NEW_PASSWORD)
    dialog.save_button.click()
    assert not dialog.isVisible()
    bo = _users(page)["bo"]
    assert (bo.full_name, bo.credentials, bo.role, bo.active) == (
        "Bo Facilitator",
        "CADC",
        Role.FACILITATOR,
        True,
    )
    assert page.selected().username == "bo" and page.message.text() == "Added bo."
    accounts.sign_in(sqlite_location, "bo", NEW_PASSWORD).close()

    reset = page.reset_password()
    reset.password.setText("another-password-05")
    reset.again.setText("another-password-05")
    reset.save_button.click()
    assert not reset.isVisible() and "was reset" in page.message.text()
    with pytest.raises(AuthenticationFailed):
        accounts.sign_in(sqlite_location, "bo", NEW_PASSWORD)
    accounts.sign_in(sqlite_location, "bo", "another-password-05").close()

    monkeypatch.setattr(page, "confirm_deactivate", lambda _user: False)
    page.deactivate()
    assert _users(page)["bo"].active
    monkeypatch.setattr(page, "confirm_deactivate", lambda _user: True)
    page.deactivate()
    assert not _users(page)["bo"].active
    assert page.message.text().startswith("bo was deactivated. The database was re-encrypted")
    assert page.model.text(page.model.row_at(page.table.currentIndex().row()), 4) == "No"
    assert not page.reset_button.isEnabled()
    window.close()
    ws = accounts.sign_in(sqlite_location, "ada", PASSWORD)
    actions = [e.facts.action for e in audit.entries(ws, action=Action.USER_CHANGE)]
    ws.close()
    assert len(actions) >= 3


def test_supervision_and_lock_time(qtbot, sqlite_location):
    ws = new_workspace(sqlite_location)
    accounts.add_user(ws, username="bo", password=NEW_PASSWORD, full_name="Bo Facilitator")
    accounts.add_user(
        ws, username="lee", password=NEW_PASSWORD, full_name="Lee Lead", role=Role.CLINICAL_LEAD
    )
    ws.close()
    window = _signed_in(qtbot, sqlite_location)
    page = window.users_page
    page.select("bo")
    dialog = page.edit_supervision()
    choices = [dialog.supervisor.itemText(i) for i in range(dialog.supervisor.count())]
    assert choices == ["No supervisor", "Lee Lead (lee)"]  # only active clinical leads
    dialog.supervisor.setCurrentIndex(1)
    dialog.save_button.click()
    bo = _users(page)["bo"]
    assert bo.requires_supervision and page.model.text(bo, UsersModel.SUPERVISOR) == "Lee Lead"

    assert page.lock_minutes.value() == 10
    page.lock_minutes.setValue(4)
    page.save_lock.click()
    assert security.lock_minutes() == 4 and "4 minutes" in page.message.text()
    assert window.lock_timer.interval() == 4 * 60_000
    window.close()


def test_the_users_model_passes_the_model_tester(qtmodeltester, qtbot, sqlite_location):
    ws = new_workspace(sqlite_location)
    accounts.add_user(ws, username="bo", password=NEW_PASSWORD, full_name="Bo Facilitator")
    ws.close()
    window = _signed_in(qtbot, sqlite_location)
    assert window.users_page.model.rowCount() == 2
    qtmodeltester.check(window.users_page.model)
    window.close()


def test_deactivation_asks_first(qtbot, sqlite_location, monkeypatch):
    ws = new_workspace(sqlite_location)
    accounts.add_user(ws, username="bo", password=NEW_PASSWORD, full_name="Bo Facilitator")
    ws.close()
    window = _signed_in(qtbot, sqlite_location)
    page = window.users_page
    page.select("bo")
    asked = []

    def question(_parent, title, text, *_rest):
        asked.append((title, text))
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", question)
    page.deactivate_button.click()
    assert len(asked) == 1 and "Bo Facilitator" in asked[0][1]
    assert _users(page)["bo"].active
    window.close()


def _unnamed(window):
    from PySide6.QtWidgets import QAbstractSpinBox

    from tests.ui.test_accessibility import _controls

    return [
        type(w).__name__
        for w in _controls(window)
        # a date or spin box's own line edit is named through its owner
        if not w.accessibleName().strip() and not isinstance(w.parent(), QAbstractSpinBox)
    ]


def test_audit_users_and_lock_screens_are_named_and_fit(qtbot, sqlite_location):
    from tests.ui.test_accessibility import _controls

    new_workspace(sqlite_location).close()
    window = _signed_in(qtbot, sqlite_location)
    for page in (window.audit_page, window.users_page):
        window.tabs.setCurrentWidget(page)
        assert len(_controls(window)) >= 6
        assert _unnamed(window) == []
        assert window.minimumSizeHint().width() <= 1366
        assert window.minimumSizeHint().height() <= 768
    window.lock()
    window.lock_page.switch_toggle.click()
    assert len(_controls(window)) >= 5 and _unnamed(window) == []
    assert window.minimumSizeHint().height() <= 768
    window.close()


def test_the_clinic_time_zone_is_chosen_here_and_checked(qtbot, sqlite_location):
    new_workspace(sqlite_location).close()
    window = _signed_in(qtbot, sqlite_location)
    page = window.users_page
    assert page.time_zone.currentData() == ""  # this computer's zone until one is chosen
    page.time_zone.setEditText("Mars/Olympus_Mons")
    page.save_zone.click()
    assert "not a time zone" in page.message.text() and accounts.time_zone() == ""
    page.time_zone.setCurrentIndex(page.time_zone.findData("America/Chicago"))
    page.save_zone.click()
    assert accounts.time_zone() == "America/Chicago" and "America/Chicago" in page.message.text()
    entry = audit.entries(window.workspace)[0].facts
    assert (entry.action, entry.record_kind) == (Action.SETTING_CHANGE, "setting")
    window.close()


def test_an_administrator_rotates_the_database_key_from_the_users_tab(
    qtbot, sqlite_location, monkeypatch
):
    from facilitator.store.keys import KeySlots, keys_path_for
    from facilitator.store.rekey import _opens_with

    new_workspace(sqlite_location).close()
    old_key = KeySlots.load(keys_path_for(Path(sqlite_location))).unwrap("ada", PASSWORD)
    window = _signed_in(qtbot, sqlite_location)
    page = window.users_page
    window.tabs.setCurrentWidget(page)
    assert page.rotate_button.isVisible()
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
    page.rotate_button.click()
    assert page.message.text().startswith("The database was re-encrypted under a new key")
    assert not _opens_with(Path(sqlite_location), old_key)
    assert audit.entries(window.ws)[0].facts.action == Action.KEY_ROTATION
    window.close()
    accounts.sign_in(sqlite_location, "ada", PASSWORD).close()
