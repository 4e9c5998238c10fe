"""The clinical lead's summary of a date range: sessions held, attendance by group, attended
hours per week against the program's weekly minimum, homework completion, mood and craving
trends, safety concerns and their follow-ups, and the sessions still unsigned.

Built to stay quick on a whole program's quarter (50 groups, ~600 members, ~2,000 sessions):
short cells are plain strings rather than paragraphs, wide matrices are cut into chunks of
columns that fit the page, and the trend charts are a handful of shapes each.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from facilitator.domain.documents import LeadReport, ReportGroup, ReportSession
from facilitator.domain.enums import AttendanceStatus
from facilitator.export.charts import trend_chart
from facilitator.export.files import write_atomically
from facilitator.export.pdf import (
    FLAG_FILL,
    FONT_BOLD,
    FRAME_WIDTH,
    Styles,
    build_pdf_bytes,
    cell_text,
    esc,
    grid_table,
    stylesheet,
)
from facilitator.export.session_record import facts_table, section

TITLE = "Clinical lead summary"
SECTIONS = (
    "Sessions held",
    "Attendance by group",
    "Attended hours per week",
    "Homework completion",
    "Mood and craving trends",
    "Safety concerns and follow-up",
    "Unsigned sessions",
)
CODES = {
    AttendanceStatus.PRESENT.value: "P",
    AttendanceStatus.LATE.value: "L",
    AttendanceStatus.LEFT_EARLY.value: "LE",
    AttendanceStatus.ABSENT.value: "A",
    AttendanceStatus.EXCUSED.value: "E",
    "": "",
}
LEGEND = (
    "P present · L late · LE left early · A absent · E excused · "
    "? not recorded · blank: not on that day's roster"
)
BELOW = "▼"  # survives black-and-white printing and text extraction
NO_FOLLOW_UP = "NO FOLLOW-UP RECORDED"
MAX_SESSION_COLUMNS = 14
MIN_WEEK_COLUMN = 28.0
CHARTS_PER_ROW = 3
SMALL = 8.0  # point size of the dense tables


@functools.cache
def _keep(style: ParagraphStyle) -> ParagraphStyle:
    """The style, kept on the page with whatever follows it."""
    return ParagraphStyle(f"{style.name}_keep", style, keepWithNext=1)


def _kept(head: Flowable, tables: Sequence[Flowable]) -> list[Flowable]:
    """A heading kept with the first table, each table kept whole where it fits a page."""
    return [
        KeepTogether([head, tables[0], Spacer(1, 5)]),
        *(KeepTogether([table, Spacer(1, 5)]) for table in tables[1:]),
    ]


def _first_header(number: int, group_name: str, width: float) -> Any:
    """ "Member" over the first chunk of a matrix; the group's name over the ones after it."""
    if number == 0:
        return "Member"
    return cell_text(f"{group_name} (cont.)", stylesheet().cell_small_header, width)


def _chunks(count: int, most: int) -> list[range]:
    """0..count cut into the fewest runs of at most ``most``, as even as can be."""
    if count <= 0:
        return []
    parts = math.ceil(count / most)
    size = math.ceil(count / parts)
    return [range(start, min(count, start + size)) for start in range(0, count, size)]


def _md(day: dt.date) -> str:
    return f"{day:%m/%d}"


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f}"


def _table(rows: list[list[Any]], widths: Sequence[float], **kw: Any) -> Table:
    return grid_table(rows, widths, font_size=SMALL, leading=10, **kw)


LONG_TABLE_ROWS = 35  # about a page of report rows


def _long_table(
    header: list[Any],
    body: list[list[Any]],
    widths: Sequence[float],
    *,
    row_style: Callable[[int, list[Any]], list[tuple[Any, ...]]] | None = None,
    style: Sequence[tuple[Any, ...]] = (),
) -> list[Flowable]:
    """A long table as tables of about a page each, the header on every one.

    reportlab splits a table by laying all of it out again for every page it runs onto, so a
    table of two thousand rows costs hundreds of layouts; a page-sized table costs one.
    ``row_style`` gives the commands of one body row, numbered from 1 within its table.
    """
    tables: list[Flowable] = []
    for start in range(0, len(body), LONG_TABLE_ROWS):
        chunk = body[start : start + LONG_TABLE_ROWS]
        commands = list(style)
        if row_style is not None:
            for number, row in enumerate(chunk, start=1):
                commands += row_style(number, row)
        tables.append(_table([header, *chunk], widths, extra_style=commands))
    return tables


# ----------------------------------------------------------------------------- sections


def _sessions_rows(
    sessions: Sequence[ReportSession], styles: Styles, widths: Sequence[float]
) -> list[list[Any]]:
    style = styles.cell_small
    rows: list[list[Any]] = []
    for s in sorted(sessions, key=lambda s: (s.date, s.group_name, s.id)):
        rows.append(
            [
                s.date.isoformat(),
                cell_text(s.group_name, style, widths[1]),
                cell_text(s.topic or "—", style, widths[2]),
                str(s.minutes) if s.minutes is not None else "—",
                f"{s.present}/{s.rostered}",
                "Yes" if s.signed else "No",
            ]
        )
    return rows


def _sessions_held(doc: LeadReport, styles: Styles) -> list[Flowable]:
    out: list[Flowable] = [*section(SECTIONS[0], styles)]
    if not doc.sessions:
        return [*out, Paragraph("No sessions in the range.", styles.small)]
    widths = [58.0, 124.0, 0.0, 44.0, 52.0, 40.0]
    widths[2] = FRAME_WIDTH - sum(widths)
    header = ["Date", "Group", "Topic", "Minutes", "Present", "Signed"]
    rows = _sessions_rows(doc.sessions, styles, widths)

    def unsigned_bold(number: int, row: list[Any]) -> list[tuple[Any, ...]]:
        return [("FONT", (5, number), (5, number), FONT_BOLD, SMALL, 10)] if row[-1] == "No" else []

    out += _long_table(header, rows, widths, row_style=unsigned_bold)
    return out


def _matrix_chunks(
    group: ReportGroup,
    styles: Styles,
) -> list[Flowable]:
    name_w = 112.0
    columns = _chunks(len(group.sessions), MAX_SESSION_COLUMNS)
    out: list[Flowable] = []
    for number, chunk in enumerate(columns):
        col_w = (FRAME_WIDTH - name_w) / MAX_SESSION_COLUMNS
        first = _first_header(number, group.name, name_w)
        header: list[Any] = [first, *(_md(group.sessions[i].date) for i in chunk)]
        rows: list[list[Any]] = [header]
        absent: list[tuple[Any, ...]] = []
        for r, member in enumerate(group.members, start=1):
            marks = list(member.attendance) + [""] * (len(group.sessions) - len(member.attendance))
            codes = [CODES.get(marks[i], "?") for i in chunk]
            rows.append([cell_text(member.name, styles.cell_small, name_w), *codes])
            absent += [
                ("BACKGROUND", (c, r), (c, r), "#efefef")
                for c, code in enumerate(codes, start=1)
                if code == "A"
            ]
        style = [
            ("ALIGN", (1, 0), (-1, -1), "CENTER"),
            ("FONT", (1, 0), (-1, 0), FONT_BOLD, 7, 9),
            ("LEFTPADDING", (1, 0), (-1, -1), 1),
            ("RIGHTPADDING", (1, 0), (-1, -1), 1),
            *absent,
        ]
        table = _table(rows, [name_w] + [col_w] * len(chunk), extra_style=style)
        out.append(table)
    return out


def _attendance(doc: LeadReport, styles: Styles) -> list[Flowable]:
    out: list[Flowable] = [
        *section(SECTIONS[1], styles),
        Paragraph(esc(LEGEND), _keep(styles.small)),
    ]
    for group in doc.groups:
        head = Paragraph(
            f"{esc(group.name)} <font size='8.5' color='#555555'>· {len(group.sessions)} "
            f"sessions, {len(group.members)} members</font>",
            styles.subheading,
        )
        if not group.sessions or not group.members:
            out.append(KeepTogether([head, Paragraph("No sessions or members.", styles.small)]))
            continue
        chunks = _matrix_chunks(group, styles)
        out += _kept(head, chunks)
    if not doc.groups:
        out.append(Paragraph("No groups in the range.", styles.small))
    return out


def _hours_table(
    group: ReportGroup, weeks: Sequence[dt.date], minimum: int, styles: Styles
) -> list[Flowable]:
    members = group.members
    name_w = 100.0
    most = max(1, int((FRAME_WIDTH - name_w) // MIN_WEEK_COLUMN))
    out: list[Flowable] = []
    for number, chunk in enumerate(_chunks(len(weeks), most)):
        col_w = min(40.0, (FRAME_WIDTH - name_w) / len(chunk))
        first = _first_header(number, group.name, name_w)
        rows: list[list[Any]] = [[first, *(_md(weeks[i]) for i in chunk)]]
        flags: list[tuple[Any, ...]] = []
        for r, member in enumerate(members, start=1):
            by_week = dict(member.weekly_minutes)
            cells: list[Any] = [cell_text(member.name, styles.cell_small, name_w)]
            for c, i in enumerate(chunk, start=1):
                minutes = by_week.get(weeks[i])
                if minutes is None:
                    cells.append("")
                elif minutes < minimum:
                    cells.append(f"{_hours(minutes)} {BELOW}")
                    flags += [
                        ("BACKGROUND", (c, r), (c, r), FLAG_FILL),
                        ("FONT", (c, r), (c, r), FONT_BOLD, SMALL, 10),
                    ]
                else:
                    cells.append(_hours(minutes))
            rows.append(cells)
        style = [("ALIGN", (1, 0), (-1, -1), "RIGHT"), *flags]
        table = _table(rows, [name_w] + [col_w] * len(chunk), extra_style=style, padding=2.5)
        out.append(table)
    return out


def _weekly_hours(doc: LeadReport, styles: Styles) -> list[Flowable]:
    minimum = doc.weekly_minimum_minutes
    out: list[Flowable] = [
        *section(SECTIONS[2], styles),
        Paragraph(
            f"Hours attended per week (weeks start on Monday). {BELOW} and shading: below the "
            f"weekly minimum of {_hours(minimum)} hours. Blank: no sessions that week.",
            _keep(styles.small),
        ),
    ]
    weeks = doc.weeks()
    for group in doc.groups:
        if not group.members:
            continue
        head = Paragraph(esc(group.name), styles.subheading)
        tables = _hours_table(group, weeks, minimum, styles)
        out += _kept(head, tables)
    return out


def _completion(doc: LeadReport, styles: Styles) -> list[Flowable]:
    out: list[Flowable] = [*section(SECTIONS[3], styles)]
    members = [m for g in doc.groups for m in g.members]
    if not members:
        return [*out, Paragraph("No members.", styles.small)]
    out.append(
        Paragraph("Partly done counts half toward the rate.", _keep(styles.small)),
    )
    widths = [130.0, 140.0, 36.0, 40.0, 50.0, 0.0]
    widths[5] = FRAME_WIDTH - sum(widths)
    rows: list[list[Any]] = []
    for member in members:
        c = member.completion
        rows.append(
            [
                cell_text(member.name, styles.cell_small, widths[0]),
                cell_text(member.group_name, styles.cell_small, widths[1]),
                str(c.done),
                str(c.partly),
                str(c.not_done),
                c.describe(),
            ]
        )
    header = ["Member", "Group", "Done", "Partly", "Not done", "Completion"]
    out += _long_table(header, rows, widths, style=[("ALIGN", (2, 1), (4, -1), "RIGHT")])
    return out


def _trends(doc: LeadReport, styles: Styles) -> list[Flowable]:
    out: list[Flowable] = [
        *section(SECTIONS[4], styles),
        Paragraph(
            "Check-in ratings, 0 to 10: mood as a solid line, craving dashed "
            "(left out where none was recorded).",
            _keep(styles.small),
        ),
    ]
    cell_w = FRAME_WIDTH / CHARTS_PER_ROW
    for group in doc.groups:
        rated = [m for m in group.members if m.mood or m.craving]
        unrated = [m for m in group.members if not (m.mood or m.craving)]
        if not rated and not unrated:
            continue
        out.append(Paragraph(esc(group.name), _keep(styles.subheading)))
        charts = [
            trend_chart(m.name, m.mood, m.craving, doc.date_from, doc.date_to, width=cell_w - 10)
            for m in rated
        ]
        if charts:
            rows = [
                charts[i : i + CHARTS_PER_ROW] + [""] * (CHARTS_PER_ROW - len(charts[i : i + 3]))
                for i in range(0, len(charts), CHARTS_PER_ROW)
            ]
            grid = Table(rows, colWidths=[cell_w] * CHARTS_PER_ROW, hAlign="LEFT")
            grid.setStyle(
                TableStyle(
                    [
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                        ("TOPPADDING", (0, 0), (-1, -1), 2),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                    ]
                )
            )
            out.append(grid)
        if unrated:
            names = ", ".join(m.name for m in unrated)
            out.append(Paragraph(f"No ratings recorded: {esc(names)}", styles.small))
    return out


def _safety(doc: LeadReport, styles: Styles) -> list[Flowable]:
    out: list[Flowable] = [*section(SECTIONS[5], styles)]
    if not doc.safety:
        return [*out, Paragraph("No safety concerns raised in the range.", styles.small)]
    widths = [58.0, 100.0, 100.0, 0.0, 40.0]
    widths[3] = FRAME_WIDTH - sum(widths)
    rows: list[list[Any]] = []
    style = styles.cell_small
    for entry in sorted(doc.safety, key=lambda e: (e.date, e.group_name)):
        follow = entry.follow_up.strip()
        follow_cell: Any = Paragraph(esc(follow), style) if follow else NO_FOLLOW_UP
        rows.append(
            [
                entry.date.isoformat(),
                cell_text(entry.group_name, style, widths[1]),
                cell_text(entry.member_name, style, widths[2]),
                follow_cell,
                "Yes" if entry.signed else "No",
            ]
        )

    def no_follow_up(number: int, row: list[Any]) -> list[tuple[Any, ...]]:
        if row[3] is not NO_FOLLOW_UP:
            return []
        return [
            ("BACKGROUND", (3, number), (3, number), FLAG_FILL),
            ("FONT", (3, number), (3, number), FONT_BOLD, SMALL, 10),
        ]

    header = ["Date", "Group", "Member", "Follow-up", "Signed"]
    out += _long_table(header, rows, widths, row_style=no_follow_up)
    return out


def _unsigned(doc: LeadReport, styles: Styles) -> list[Flowable]:
    out: list[Flowable] = [*section(SECTIONS[6], styles)]
    unsigned = sorted(doc.unsigned, key=lambda s: (s.date, s.group_name, s.id))
    if not unsigned:
        return [*out, Paragraph("Every session in the range is signed.", styles.small)]
    widths = [58.0, 150.0, 150.0, 0.0]
    widths[3] = FRAME_WIDTH - sum(widths)
    rows: list[list[Any]] = []
    style = styles.cell_small
    for s in unsigned:
        rows.append(
            [
                s.date.isoformat(),
                cell_text(s.group_name, style, widths[1]),
                cell_text(s.facilitator, style, widths[2]),
                cell_text(s.topic or "—", style, widths[3]),
            ]
        )
    out += _long_table(["Date", "Group", "Facilitator", "Topic"], rows, widths)
    return out


# ----------------------------------------------------------------------------- the report


def lead_report_story(doc: LeadReport) -> list[Flowable]:
    """The flowables of the clinical lead summary (for :func:`write_lead_report` or bytes)."""
    styles = stylesheet()
    dates = f"{doc.date_from.isoformat()} to {doc.date_to.isoformat()}"
    story: list[Flowable] = [
        Paragraph(esc(doc.program), styles.subtitle),
        Paragraph(TITLE, styles.title),
        Paragraph(f"{esc(doc.scope)} · {dates}", styles.subtitle),
        Spacer(1, 6),
        facts_table(
            [
                ("Scope", doc.scope),
                ("Dates", dates),
                ("Weekly minimum", f"{_hours(doc.weekly_minimum_minutes)} hours"),
                ("Sessions", f"{len(doc.sessions)} held, {len(doc.unsigned)} unsigned"),
                ("Groups", str(len(doc.groups))),
                ("Safety concerns", str(len(doc.safety))),
                *([("Audit trail head", doc.audit_head)] if doc.audit_head else []),
            ],
            styles,
        ),
    ]
    story += _sessions_held(doc, styles)
    story += _attendance(doc, styles)
    story += _weekly_hours(doc, styles)
    story += _completion(doc, styles)
    story += _trends(doc, styles)
    story += _safety(doc, styles)
    story += _unsigned(doc, styles)
    return story


def lead_report_title(doc: LeadReport) -> str:
    return f"{TITLE} {doc.date_from.isoformat()} to {doc.date_to.isoformat()}"


def lead_report_bytes(doc: LeadReport, *, printed_on: dt.date | None = None) -> bytes:
    return build_pdf_bytes(
        lead_report_story(doc),
        title=lead_report_title(doc),
        program=doc.program,
        printed_on=printed_on,
    )


def write_lead_report(
    path: str | os.PathLike[str], doc: LeadReport, *, printed_on: dt.date | None = None
) -> Path:
    """Write the clinical lead summary to ``path`` (atomically)."""
    return write_atomically(path, lead_report_bytes(doc, printed_on=printed_on))
