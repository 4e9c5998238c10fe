"""Previewing, printing and saving the printed records from the session, the member profile
and the Reports screen, on a real encrypted database."""

from pathlib import Path

from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter

from facilitator.domain.enums import AttendanceStatus, Role
from facilitator.services import accounts, audit
from facilitator.services.workspace import Workspace
from facilitator.ui.members_page import MembersPage
from facilitator.ui.reports_page import ReportsPage
from tests.conftest import PASSWORD
from tests.ui.windows import edit, laid_out, open_today


def pdf_text(data_or_path):
    import io

    source = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(source).pages)


def newest_audit(location):
    ws = accounts.sign_in(location, "ada", PASSWORD)
    try:
        entries = [e for e in audit.entries(ws) if e.facts.action in ("export", "print")]
        return [(e.facts.action, e.facts.record_kind) for e in entries[:3]]
    finally:
        ws.close()


def test_session_record_preview_prints_and_saves_with_an_audit_entry(qtbot, clinic, tmp_path):
    location, (zoe, bram, _c, _d), _walk_in = clinic
    window, page = open_today(qtbot, location)
    for member_id in (zoe, bram):
        edit(page.roster.model, member_id, "status", AttendanceStatus.PRESENT.value)
    preview = laid_out(qtbot, page.document_preview("session"))
    assert preview.document.pageCount() >= 1
    text = pdf_text(preview.pdf)
    assert "Evening Recovery" in text and "DRAFT" in text

    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert preview.print_to(printer)
    assert len(PdfReader(tmp_path / "printed.pdf").pages) == preview.document.pageCount()
    assert preview.save_to(tmp_path / "saved.pdf")
    assert (tmp_path / "saved.pdf").read_bytes() == preview.pdf
    assert not preview.save_to(tmp_path / "missing" / "x.pdf")
    assert "Not saved" in preview.message.text()
    # The save dialog asked before replacing a file; the records are never replaced.
    database = Path(location)
    before = database.read_bytes()[:4096], Path(f"{location}.keys").read_bytes()
    for target in (database, Path(f"{location}.keys")):
        assert not preview.save_to(target)
        assert "never written over" in preview.message.text()
    assert (database.read_bytes()[:4096], Path(f"{location}.keys").read_bytes()) == before
    window.close()
    assert newest_audit(location)[:2] == [("export", "session"), ("print", "session")]


def test_sign_in_sheet_and_member_note_from_the_session(qtbot, clinic):
    location, (zoe, bram, _c, _d), _walk_in = clinic
    window, page = open_today(qtbot, location)
    sheet = laid_out(qtbot, page.document_preview("sign_in"))
    assert "Zoë N." in pdf_text(sheet.pdf)
    for member_id in (zoe, bram):
        edit(page.roster.model, member_id, "status", AttendanceStatus.PRESENT.value)
    page.show_part("notes")
    assert page.document_preview("member_note") is None or page.notes.member_id is not None
    page.notes.members.setCurrentRow(0)
    chosen = page.notes.member_id
    note = laid_out(qtbot, page.document_preview("member_note"))
    other = bram if chosen == zoe else zoe
    other_name = page.record.attendance_of(other).display_name
    text = pdf_text(note.pdf)
    assert page.record.attendance_of(chosen).display_name.split()[0] in text
    assert other_name.split()[0] not in text and other_name.split()[-1] not in text
    window.close()


def test_member_profile_previews_a_note_from_the_history(qtbot, clinic):
    location, (zoe, *_rest), _walk_in = clinic
    window, page = open_today(qtbot, location)
    edit(page.roster.model, zoe, "status", AttendanceStatus.PRESENT.value)
    window.close()
    ws = accounts.sign_in(location, "ada", PASSWORD)
    members = MembersPage(ws)
    qtbot.addWidget(members)
    members._load_profile(zoe)
    assert members.member_note_preview() is None  # nothing chosen yet
    assert "Choose a session" in members.history_message.text()
    members.history_view.selectRow(0)
    preview = laid_out(qtbot, members.member_note_preview())
    assert "Member note" in pdf_text(preview.pdf)
    ws.close()


def test_reports_page_previews_the_lead_summary_and_limits_a_facilitator(qtbot, clinic):
    location, (zoe, *_rest), _walk_in = clinic
    window, page = open_today(qtbot, location)
    edit(page.roster.model, zoe, "status", AttendanceStatus.PRESENT.value)
    window.close()
    ws = accounts.sign_in(location, "ada", PASSWORD)
    reports = ReportsPage(ws)
    qtbot.addWidget(reports)
    assert reports.group.itemText(0) == "All groups"
    preview = laid_out(qtbot, reports.build_report())
    assert "Evening Recovery" in pdf_text(preview.pdf)
    reports.minimum.setValue(12)
    reports.set_minimum()
    reports.date_to.setDate(reports.date_from.date().addDays(-1))
    assert reports.build_report() is None and "before" in reports.message.text()

    facilitator = Workspace(
        ws.store,
        ws.actor.__class__(**{**vars(ws.actor), "role": Role.FACILITATOR}),
        signer=ws.signer,
    )
    limited = ReportsPage(facilitator)
    qtbot.addWidget(limited)
    assert limited.group.findText("All groups") == -1 and not limited.save_minimum.isEnabled()
    assert limited.minimum.value() == 12
    ws.close()
