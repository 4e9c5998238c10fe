"""The audit report PDF: the program, the filters and one row per entry."""

import datetime as dt
import io

from pypdf import PdfReader

from facilitator.domain.audit import AuditEntryRecord, AuditFacts
from facilitator.export.audit_report import AuditReport, audit_report_bytes


def _entry(n: int, action: str, member_id: int | None = None) -> AuditEntryRecord:
    facts = AuditFacts(
        at=dt.datetime(2026, 3, 2, 14, n % 60, 5),
        user_id=1,
        username="ada",
        workstation="front-desk-7",
        action=action,
        member_id=member_id,
        record_kind="session",
        record_id=100 + n,
        outcome="ok" if n % 2 else "failed",
        detail="<b>pdf</b> & more",
    )
    return AuditEntryRecord(n, facts, "0" * 64, f"{n:064x}")


def _text(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def test_the_report_lists_filters_and_every_entry():
    entries = [
        _entry(n, "export" if n % 3 else "view_member", member_id=40 + n) for n in range(1, 121)
    ]
    pdf = audit_report_bytes(
        AuditReport(
            program="Harbor Test IOP",
            entries=entries,
            filters=[("From", "2026-03-01"), ("To", "2026-03-02"), ("Action", "Any action")],
            time_zone="America/Chicago",
            chain="The chain holds: all 120 entries are as they were written.",
        )
    )
    text = _text(pdf)
    assert "Audit trail" in text and "Harbor Test IOP" in text
    assert "2026-03-01" in text and "America/Chicago" in text and "The chain holds" in text
    assert "120 entries" in text
    assert "front-desk-7" in text and "view_member" in text and "session 160" in text
    for n in (1, 60, 120):
        assert f"session {100 + n}" in text
    assert "2026-03-02 08:01:05" in text  # 14:01 UTC on the clinic's clock (CST, UTC-6)
    assert "<b>pdf</b> & more" in text  # markup in a detail prints as written
    assert len(PdfReader(io.BytesIO(pdf)).pages) > 1


def test_an_empty_report_says_so():
    text = _text(audit_report_bytes(AuditReport(program="Harbor Test IOP", entries=[])))
    assert "No entries match these filters." in text and "0 entries" in text
