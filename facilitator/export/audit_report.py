"""The audit trail as a printable report: the filters it was drawn with, then one row per entry.

Entries hold ids and kinds, never names or clinical text, so the report names members by id
only. Times print on the clinic's clock with the UTC time beside them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from reportlab.platypus import Flowable, Paragraph, Spacer

from facilitator.domain.audit import AuditEntryRecord
from facilitator.domain.rules import to_local
from facilitator.export.pdf import (
    FRAME_WIDTH,
    build_pdf_bytes,
    cell_text,
    esc,
    grid_table,
    stylesheet,
)

TITLE = "Audit trail"
HEADER = (
    "Time (local)",
    "UTC",
    "User",
    "Workstation",
    "Action",
    "Member",
    "Record",
    "Outcome",
    "Detail",
)
SMALL = 7.5


@dataclass(frozen=True)
class AuditReport:
    program: str
    entries: Sequence[AuditEntryRecord]
    # What the entries were filtered by, as (label, value) lines: "From", "2026-03-01".
    filters: Sequence[tuple[str, str]] = ()
    time_zone: str = ""
    chain: str = ""  # the result of verifying the chain, when it was checked
    head: str = ""  # COUNT:HASH of the newest entry, for `audit verify --head` later
    printed_on: dt.date = field(default_factory=dt.date.today)


def record_label(entry: AuditEntryRecord) -> str:
    facts = entry.facts
    if facts.record_id is None:
        return facts.record_kind
    return f"{facts.record_kind} {facts.record_id}".strip()


def _row(entry: AuditEntryRecord, zone: str, widths: Sequence[float]) -> list[object]:
    styles = stylesheet()
    facts = entry.facts
    local = to_local(facts.at, zone)
    return [
        f"{local:%Y-%m-%d %H:%M:%S}",
        f"{facts.at:%H:%M:%S}",
        cell_text(facts.username, styles.cell_small, widths[2]),
        cell_text(facts.workstation, styles.cell_small, widths[3]),
        facts.action,
        "" if facts.member_id is None else str(facts.member_id),
        cell_text(record_label(entry), styles.cell_small, widths[6]),
        facts.outcome,
        cell_text(facts.detail, styles.cell_small, widths[8]),
    ]


def story(report: AuditReport) -> list[Flowable]:
    styles = stylesheet()
    out: list[Flowable] = [
        Paragraph(esc(TITLE), styles.title),
        Paragraph(esc(report.program), styles.subtitle),
    ]
    for label, value in report.filters:
        out.append(Paragraph(f"<b>{esc(label)}:</b> {esc(value)}", styles.small))
    zone = report.time_zone or "this computer's time zone"
    out.append(Paragraph(esc(f"Local times: {zone}."), styles.small))
    if report.chain:
        out.append(Paragraph(f"<b>Chain check:</b> {esc(report.chain)}", styles.small))
    if report.head:
        out.append(Paragraph(f"<b>Trail head:</b> {esc(report.head)}", styles.small))
    count = len(report.entries)
    out.append(Paragraph(esc(f"{count} entr{'y' if count == 1 else 'ies'}."), styles.small))
    out.append(Spacer(1, 6))
    if not report.entries:
        out.append(Paragraph("No entries match these filters.", styles.body))
        return out
    widths = [74.0, 40.0, 52.0, 60.0, 58.0, 36.0, 0.0, 38.0, 70.0]
    widths[6] = FRAME_WIDTH - sum(widths)
    rows: list[list[object]] = [list(HEADER)]
    rows += [_row(entry, report.time_zone, widths) for entry in report.entries]
    out.append(grid_table(rows, widths, font_size=SMALL, leading=9.5, padding=2))
    return out


def audit_report_bytes(report: AuditReport) -> bytes:
    return build_pdf_bytes(
        story(report), title=TITLE, program=report.program, printed_on=report.printed_on
    )
