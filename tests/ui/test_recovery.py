"""The recovery key dialogs: shown once with a printable page, and used to reset an admin."""

import io

from pypdf import PdfReader

from facilitator.services import accounts
from facilitator.ui.recovery import RecoveryKeyDialog, RecoveryResetDialog
from tests.conftest import PASSWORD, new_workspace


def test_the_key_is_shown_and_prints_on_its_own_page(qtbot, sqlite_location):
    ws = new_workspace(sqlite_location)
    key = ws.recovery_key
    ws.close()
    dialog = RecoveryKeyDialog(key, "Test Valley IOP (fictitious)")
    qtbot.addWidget(dialog)
    assert dialog.key_label.text() == key
    sheet = dialog.sheet()
    qtbot.addWidget(sheet)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(sheet.pdf)).pages)
    assert key in text and "42 CFR part 2" in text


def test_reset_refuses_clearly_then_works(qtbot, sqlite_location):
    ws = new_workspace(sqlite_location)
    key = ws.recovery_key
    ws.close()
    dialog = RecoveryResetDialog(sqlite_location)
    qtbot.addWidget(dialog)
    dialog.username.setText("ada")
    dialog.key.setText("00000-00000")
    dialog.password.setText("a-new-password-01")
    dialog.again.setText("a-new-password-02")
    dialog.accept()
    assert "differ" in dialog.message.text()
    dialog.again.setText("a-new-password-01")
    dialog.accept()
    assert "recovery key" in dialog.message.text() and dialog.result() != dialog.DialogCode.Accepted
    assert dialog.username.text() == "ada"  # nothing typed is lost
    dialog.key.setText(key)
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    accounts.sign_in(sqlite_location, "ada", "a-new-password-01").close()
    assert PASSWORD != "a-new-password-01"
