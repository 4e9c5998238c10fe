"""The Audit tab: filters, the chain check and the PDF report, for leads and administrators."""

import datetime as dt
import io

from pypdf import PdfReader

from facilitator.domain.audit import Action
from facilitator.domain.enums import Role
from facilitator.services import accounts, audit
from facilitator.ui.audit_page import AuditModel, AuditPage
from facilitator.ui.main_window import MainWindow
from tests.conftest import PASSWORD, new_workspace
from tests.factories import group, members
from tests.ui.windows import laid_out

LEE_PASSWORD = "lee-password-00003"


def _trail(location):
    ws = new_workspace(location)
    group_id = group(ws)
    zoe, bram = members(ws, group_id, 2)
    accounts.add_user(
        ws, username="lee", password=LEE_PASSWORD, full_name="Lee Lead", role=Role.CLINICAL_LEAD
    )
    audit.record(ws, Action.VIEW_MEMBER, member_id=zoe, record_kind="member", record_id=zoe)
    audit.record(ws, Action.EXPORT, member_id=bram, record_kind="member_note", record_id=7)
    audit.record(ws, Action.PRINT, record_kind="session", record_id=3, detail="pdf")
    ws.close()
    return zoe, bram


def _signed_in(qtbot, location, username="ada", password=PASSWORD):
    window = MainWindow(location, username)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.start_page.password.setText(password)
    window.start_page.submit()
    assert window.ws is not None
    return window


def _column(page, column):
    return [page.model.text(row, column) for row in page.model.rows()]


def test_filters_by_action_member_user_and_dates(qtbot, sqlite_location):
    zoe, bram = _trail(sqlite_location)
    window = _signed_in(qtbot, sqlite_location)
    page = window.audit_page
    assert isinstance(page, AuditPage)
    window.tabs.setCurrentWidget(page)
    everything = len(page.model.rows())
    assert everything >= 4 and page.count.text().startswith(f"{everything} entr")
    times = [e.facts.at for e in page.model.rows()]
    assert times == sorted(times, reverse=True)  # newest first

    page.action.setCurrentIndex(page.action.findData(Action.EXPORT))
    assert _column(page, AuditModel.ACTION) == ["export"]
    assert _column(page, AuditModel.MEMBER) == [str(bram)]
    page.action.setCurrentIndex(0)

    page.member_search.setText("Quillfeather")  # Bram's last name: one match, chosen
    assert page.member.currentData() == bram
    assert {e.facts.member_id for e in page.model.rows()} == {bram}
    page.member_search.setText("")
    page.member.setCurrentIndex(page.member.findData(zoe))
    assert {e.facts.member_id for e in page.model.rows()} == {zoe}
    assert Action.VIEW_MEMBER in [e.facts.action for e in page.model.rows()]
    page.member.setCurrentIndex(0)

    lee = page.user.findText("Lee Lead (lee)")
    assert lee > 0
    page.user.setCurrentIndex(lee)
    assert page.model.rows() == [] and page.count.text().startswith("0 entries")
    page.user.setCurrentIndex(0)

    tomorrow = dt.date.today() + dt.timedelta(days=1)
    page.date_from.setDate(tomorrow)
    page.date_to.setDate(tomorrow + dt.timedelta(days=3))
    assert page.model.rows() == []
    page.date_to.setDate(dt.date.today() - dt.timedelta(days=3))
    assert page.message.text() == "The From date is after the To date."
    page.date_from.setDate(dt.date.today() - dt.timedelta(days=5))
    assert page.message.text() == "" and page.model.rows() == []  # nothing that long ago
    page.date_to.setDate(dt.date.today())
    assert len(page.model.rows()) == everything
    window.close()


def test_verify_and_export_pdf(qtbot, sqlite_location, tmp_path):
    _trail(sqlite_location)
    window = _signed_in(qtbot, sqlite_location)
    page = window.audit_page
    page.verify_button.click()
    assert page.chain.text().startswith("The chain holds: all ")
    page.action.setCurrentIndex(page.action.findData(Action.EXPORT))
    preview = laid_out(qtbot, page.build_report())
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(preview.pdf)).pages).split()
    )
    assert "Audit trail" in text and "Test Valley IOP (fictitious)" in text
    assert "Action: export" in text and "1 entry" in text and "member_note 7" in text
    assert "The chain holds" in text
    assert "Quillfeather" not in text  # the trail names members by id
    assert preview.save_to(tmp_path / "audit.pdf")
    window.close()
    ws = accounts.sign_in(sqlite_location, "ada", PASSWORD)
    newest = next(
        e.facts for e in audit.entries(ws) if e.facts.action not in (Action.LOGIN, Action.LOGOUT)
    )
    ws.close()
    assert (newest.action, newest.record_kind) == (Action.EXPORT, "audit_report")


def test_verify_names_a_broken_chain(qtbot, sqlite_location):
    _trail(sqlite_location)
    window = _signed_in(qtbot, sqlite_location)
    db = window.workspace.store.db
    db.execute_sql("DROP TRIGGER audit_append_only_update")
    db.execute_sql("UPDATE audit_entry SET detail = 'edited' WHERE id = 2")
    assert "entry 2 was altered" in window.audit_page.verify()
    assert window.audit_page.chain.text().startswith("The chain is broken")
    window.close()


def test_a_clinical_lead_sees_the_audit_tab_but_not_users(qtbot, sqlite_location):
    _trail(sqlite_location)
    window = _signed_in(qtbot, sqlite_location, "lee", LEE_PASSWORD)
    assert window.audit_page is not None and window.users_page is None
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())][-1] == "Audit"
    window.close()


def test_the_audit_model_passes_the_model_tester(qtmodeltester, qtbot, sqlite_location):
    _trail(sqlite_location)
    window = _signed_in(qtbot, sqlite_location)
    model = window.audit_page.model
    assert model.rowCount() >= 4
    qtmodeltester.check(model)
    window.close()


def test_an_entry_committed_after_a_newer_one_still_shows(qtbot, server_location):
    """On a clinic server each seat chains in its own lane: an entry can commit after one
    with a higher id. The open Audit tab shows it all the same, in order."""
    from facilitator.store import audit as audit_store

    _trail(server_location)
    window = _signed_in(qtbot, server_location)
    page = window.audit_page
    window.tabs.setCurrentWidget(page)
    lee = accounts.sign_in(server_location, "lee", LEE_PASSWORD)
    slow = accounts.sign_in(server_location, "ada", PASSWORD)
    with audit_store.together():  # slow's entry takes its id, then waits to commit
        late = audit.record(slow, Action.PRINT, record_kind="session", record_id=41)
        early = audit.record(lee, Action.EXPORT, record_kind="session", record_id=42)
        window.ws.make_current()
        page.add_new_entries()
        assert early > late and page.model.rows()[0].id == early
        slow.make_current()
    window.ws.make_current()
    page.add_new_entries()
    ids = [entry.id for entry in page.model.rows()]
    assert late in ids and ids == sorted(ids, reverse=True)
    lee.close()
    slow.close()
    window.close()
