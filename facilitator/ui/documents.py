"""Opening the printed records in a preview, from wherever a facilitator or lead is.

Each function assembles the document through the services (here, on the window's thread and
its database connection) and returns the preview dialog (not yet shown), which lays the PDF out
in memory on a thread of its own; its Print and Save as are audited.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import QWidget

from facilitator.domain.audit import RecordKind
from facilitator.domain.changes import Changes
from facilitator.services import documents
from facilitator.services.outputs import output_path
from facilitator.services.workspace import Workspace
from facilitator.ui.bus import bus_of
from facilitator.ui.preview import Pdf, PdfPreview


def audited_preview(
    ws: Workspace,
    title: str,
    pdf: Pdf,
    file_name: str,
    kind: RecordKind,
    record_id: int | None,
    parent: QWidget | None,
    member_id: int | None = None,
) -> PdfPreview:
    """The preview dialog, its prints and saves audited as this kind of document."""

    def audit(printed: bool) -> None:
        documents.record_output(ws, kind, record_id, member_id=member_id, printed=printed)
        bus = bus_of(parent)
        if bus is not None:  # the Audit tab shows the print or save at once
            bus.publish(Changes(audit=True))

    def safe(path: Path) -> Path:
        return output_path(path, database=ws.store.location, force=True)

    return PdfPreview(title, pdf, file_name, audit, parent, safe)


def session_record(ws: Workspace, session_id: int, parent: QWidget | None) -> PdfPreview:
    from facilitator.export.session_record import session_record_bytes

    doc = documents.session_document(ws, session_id)
    return audited_preview(
        ws,
        f"Session record — {doc.record.group_name}, {doc.record.date:%d %b %Y}",
        lambda: session_record_bytes(doc),
        f"session-{session_id}-{doc.record.date.isoformat()}.pdf",
        RecordKind.SESSION,
        session_id,
        parent,
    )


def member_note(
    ws: Workspace, session_id: int, member_id: int, parent: QWidget | None
) -> PdfPreview:
    from facilitator.export.member_note import member_note_bytes

    doc = documents.member_note_document(ws, session_id, member_id)
    return audited_preview(
        ws,
        f"Member note — {doc.member_name}, {doc.record.date:%d %b %Y}",
        lambda: member_note_bytes(doc),
        # The file name carries ids, not the member's name: file names end up in many places.
        f"member-{member_id}-session-{session_id}.pdf",
        RecordKind.MEMBER_NOTE,
        session_id,
        parent,
        member_id,
    )


def sign_in_sheet(ws: Workspace, session_id: int, parent: QWidget | None) -> PdfPreview:
    from facilitator.export.sign_in import sign_in_bytes

    sheet = documents.sign_in_sheet(ws, session_id)
    return audited_preview(
        ws,
        f"Sign-in sheet — {sheet.group_name}, {sheet.date:%d %b %Y}",
        lambda: sign_in_bytes(sheet),
        f"sign-in-{session_id}-{sheet.date.isoformat()}.pdf",
        RecordKind.SIGN_IN,
        session_id,
        parent,
    )


def lead_report(
    ws: Workspace,
    date_from: dt.date,
    date_to: dt.date,
    group: str | None,
    parent: QWidget | None,
) -> PdfPreview:
    from facilitator.export.lead_report import lead_report_bytes

    report = documents.lead_report(ws, date_from, date_to, group)
    return audited_preview(
        ws,
        f"Clinical lead summary — {report.scope}, {date_from:%d %b} to {date_to:%d %b %Y}",
        lambda: lead_report_bytes(report),
        f"summary-{date_from.isoformat()}-to-{date_to.isoformat()}.pdf",
        RecordKind.LEAD_REPORT,
        None,
        parent,
    )
