"""Finding: renaming a member in the window changed that member's signed records. The signed
session, open beside the Members tab, keeps showing and printing them as they were signed."""

from PySide6.QtWidgets import QDialog

from facilitator.services import integrity, sessions
from tests.conftest import PASSWORD
from tests.factories import ready_to_sign
from tests.ui.test_documents_ui import pdf_text
from tests.ui.windows import laid_out, open_today


def test_a_member_renamed_in_the_window_keeps_their_name_on_signed_records(qtbot, clinic):
    location, member_ids, _walk_in = clinic
    zoe = member_ids[0]
    window, page = open_today(qtbot, location)
    ready_to_sign(window.workspace, page.session_id, member_ids)
    page.show_part("sign")
    page.sign.password.setText(PASSWORD)
    page.sign.sign_button.click()
    assert page.locked, page.message.text()
    signed_name = sessions.load(page.session_id).attendance_of(zoe).display_name
    before = pdf_text(laid_out(qtbot, page.document_preview("session")).pdf)
    assert signed_name in before

    window.tabs.setCurrentWidget(window.members_page)
    window.members_page.show_member(zoe)
    dialog = window.members_page.profile_dialog()
    dialog.member_fields.first_name.setText("Renamedina")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert window.members_page.name_label.text().startswith("Renamedina")

    names = [row.display_name for row in page.roster.model.rows]  # followed the change bus
    assert signed_name in names and not any("Renamedina" in n for n in names)
    after = pdf_text(laid_out(qtbot, page.document_preview("session")).pdf)
    assert after == before
    assert integrity.check(window.workspace).ok
    window.close()
