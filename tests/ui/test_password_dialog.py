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
