"""My password…: everyone replaces the password an administrator gave them, from the
window, typed with real key events (issue 12)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from facilitator.domain.errors import AuthenticationFailed
from facilitator.services import accounts
from facilitator.ui.main_window import LoginPage, MainWindow
from facilitator.ui.password_dialog import PasswordDialog
from tests.conftest import PASSWORD, new_workspace
from tests.ui.events import click, key, type_text

CHOSEN = "ada-chose-this-0001"


def test_a_user_changes_their_password_from_the_window(qtbot, location):
    new_workspace(location).close()
    window = MainWindow(location, "ada")
    qtbot.addWidget(window)
    window.show()
    assert isinstance(window.start_page, LoginPage)
    type_text(window.start_page.password, PASSWORD)
    click(window.start_page.sign_in_button)
    assert window.ws is not None
    click(window.password_button)
    dialog = next(d for d in window.findChildren(PasswordDialog) if d.isVisible())
    type_text(dialog.current, PASSWORD)
    type_text(dialog.new, CHOSEN)
    type_text(dialog.repeat, CHOSEN + "x")
    key(dialog.repeat, Qt.Key.Key_Return)
    assert "differ" in dialog.message.text() and dialog.isVisible()
    assert dialog.new.text() == CHOSEN  # nothing typed is lost on a refusal
    dialog.repeat.clear()
    type_text(dialog.repeat, CHOSEN)
    click(dialog.save_button)
    assert not [d for d in window.findChildren(PasswordDialog) if d.isVisible()]
    window.close()
    with pytest.raises(AuthenticationFailed):
        accounts.sign_in(location, "ada", PASSWORD)
    accounts.sign_in(location, "ada", CHOSEN).close()


def test_someone_on_an_administrators_password_chooses_their_own_first(qtbot, location):
    from facilitator.domain.enums import Role

    ws = new_workspace(location)
    accounts.add_user(
        ws,
        username="fran",
        password="given-by-ada-0001",
        full_name="Fran Testwood",
        role=Role.FACILITATOR,
    )
    ws.close()

    def sign_in_as_fran():
        window = MainWindow(location, "fran")
        qtbot.addWidget(window)
        window.show()
        type_text(window.start_page.password, "given-by-ada-0001")
        click(window.start_page.sign_in_button)
        dialog = next(d for d in window.findChildren(PasswordDialog) if d.isVisible())
        assert "administrator gave you" in dialog.intro.text()
        return window, dialog

    window, dialog = sign_in_as_fran()
    key(dialog, Qt.Key.Key_Escape)  # not now: the window closes, nothing else was open
    assert not window.isVisible()
    window, dialog = sign_in_as_fran()
    type_text(dialog.current, "given-by-ada-0001")
    type_text(dialog.new, "fran-chose-this-01")
    type_text(dialog.repeat, "fran-chose-this-01")
    key(dialog.repeat, Qt.Key.Key_Return)
    assert window.isVisible() and window.ws is not None and window.ws.actor.password_chosen
    window.close()
    again = accounts.sign_in(location, "fran", "fran-chose-this-01")
    try:
        assert again.actor.password_chosen  # kept in the database, not just in the window
    finally:
        again.close()
