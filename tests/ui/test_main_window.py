"""The first window signs in to the encrypted database and says what it holds."""

from PySide6.QtCore import Qt

from facilitator.ui.main_window import MainWindow
from tests.conftest import PASSWORD, new_workspace
from tests.factories import group


def test_sign_in_shows_program_and_user(qtbot, sqlite_location):
    ws = new_workspace(sqlite_location)
    group(ws)
    ws.close()
    window = MainWindow(sqlite_location, "ada")
    qtbot.addWidget(window)
    window.show()
    qtbot.keyClicks(window.password, PASSWORD)
    qtbot.mouseClick(window.sign_in_button, Qt.MouseButton.LeftButton)
    assert "Test Valley IOP (fictitious)" in window.windowTitle()
    assert "Ada Testwood" in window.windowTitle()
    assert "Groups: 1." in window.message.text()
    assert not window.sign_in_form.isVisible()
    assert window.password.text() == ""
    window.close()


def test_wrong_password_is_a_message_not_a_crash(qtbot, sqlite_location):
    new_workspace(sqlite_location).close()
    window = MainWindow(sqlite_location, "ada")
    qtbot.addWidget(window)
    qtbot.keyClicks(window.password, "not-the-password")
    window.password.returnPressed.emit()
    assert window.message.text() == "wrong username or password"
    assert window.workspace is None


def test_missing_database_says_how_to_create_one(qtbot, tmp_path):
    window = MainWindow(str(tmp_path / "none.db"), None)
    qtbot.addWidget(window)
    assert "facilitator users add" in window.message.text()
    assert window.password.accessibleName() == "Password"
