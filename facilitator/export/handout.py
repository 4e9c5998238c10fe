"""The member's take-home handout of a homework-library item: what to do and room to write.

The facilitator's steps and discussion prompts stay off the handout; it carries the program,
the title, the purpose, the take-home instructions and each worksheet field with space to fill in.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reportlab.lib.units import inch
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from facilitator.domain.records import HomeworkItemInfo
from facilitator.export.pdf import (
    FONT,
    FRAME_WIDTH,
    INK,
    RULE,
    Styles,
    build_pdf,
    esc,
    stylesheet,
)

LINE_SPACING = 0.35 * inch
TABLE_ROW_HEIGHT = 0.38 * inch
BOX = "\u2610"  # ☐, present in DejaVu Sans
CATEGORY_NAMES = {
    "cbt": "CBT",
    "dbt": "DBT",
    "psychoeducation": "Psychoeducation",
    "relapse_prevention": "Relapse prevention",
}
SCALE = range(0, 11)


class WritingLines(Flowable):  # type: ignore[misc]
    """Ruled lines to write on, one every LINE_SPACING; splits across pages between lines."""

    def __init__(self, count: int, spacing: float = LINE_SPACING) -> None:
        super().__init__()
        self.count = max(1, count)
        self.spacing = spacing
        self.width = 0.0
        self.height = self.count * spacing

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        fits = int(avail_height // self.spacing)
        if fits < 1 or fits >= self.count:
            return []
        return [WritingLines(fits, self.spacing), WritingLines(self.count - fits, self.spacing)]

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.6)
        for index in range(1, self.count + 1):
            y = self.height - index * self.spacing
            canv.line(0, y, self.width, y)
        canv.restoreState()


class ScaleRow(Flowable):  # type: ignore[misc]
    """0 to 10 in circles, to mark one."""

    RADIUS = 10.0

    def __init__(self) -> None:
        super().__init__()
        self.width = 0.0
        self.height = 2 * self.RADIUS + 8

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = min(avail_width, 5.5 * inch)
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        step = (self.width - 2 * self.RADIUS) / (len(SCALE) - 1)
        y = self.height / 2
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.8)
        canv.setFillColor(INK)
        canv.setFont(FONT, 10)
        for index, number in enumerate(SCALE):
            x = self.RADIUS + index * step
            canv.circle(x, y, self.RADIUS, stroke=1, fill=0)
            canv.drawCentredString(x, y - 3.5, str(number))
        canv.restoreState()


def _field_room(field: Mapping[str, object], styles: Styles) -> list[Flowable]:
    kind = str(field.get("kind", "lines"))
    if kind == "table":
        return [_table(field, styles)]
    if kind == "scale":
        return [ScaleRow()]
    if kind == "checklist":
        return [_checklist(field, styles)]
    return [WritingLines(_int(field.get("lines"), 3))]


def _int(value: object, default: int) -> int:
    return (
        value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default
    )


def _strings(value: object) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def _table(field: Mapping[str, object], styles: Styles) -> Flowable:
    columns = _strings(field.get("columns")) or [""]
    rows = _int(field.get("rows"), 5)
    header = [Paragraph(esc(column), styles.cell_header) for column in columns]
    data: list[list[Any]] = [header] + [[""] * len(columns) for _ in range(rows)]
    width = FRAME_WIDTH / len(columns)
    table = Table(
        data,
        colWidths=[width] * len(columns),
        rowHeights=[None] + [TABLE_ROW_HEIGHT] * rows,
        repeatRows=1,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, RULE),
                ("BACKGROUND", (0, 0), (-1, 0), "#eeeeee"),
                ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
                ("TOPPADDING", (0, 0), (-1, 0), 4),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 4),
            ]
        )
    )
    return table


def _checklist(field: Mapping[str, object], styles: Styles) -> Flowable:
    options = [
        Paragraph(esc(option), styles.checkbox, bulletText=BOX)
        for option in _strings(field.get("options"))
    ]
    if not options:
        return WritingLines(2)
    two_columns = len(options) >= 6 and all(len(str(p.text)) <= 40 for p in options)
    if not two_columns:
        rows: list[list[Any]] = [[option] for option in options]
        widths = [FRAME_WIDTH]
    else:
        half = (len(options) + 1) // 2
        left, right = options[:half], options[half:]
        rows = [[left[i], right[i] if i < len(right) else ""] for i in range(half)]
        widths = [FRAME_WIDTH / 2] * 2
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _name_line(member_name: str | None, styles: Styles) -> Paragraph:
    blank = "_" * 14
    if member_name:
        return Paragraph(
            f"<b>For:</b> {esc(member_name)}&nbsp;&nbsp;&nbsp;&nbsp;Date: {blank}", styles.body
        )
    return Paragraph(f"Name: {'_' * 32}&nbsp;&nbsp;&nbsp;&nbsp;Date: {blank}", styles.body)


def handout_story(
    item: HomeworkItemInfo, *, program: str, member_name: str | None = None
) -> list[Flowable]:
    """The flowables of the handout (for :func:`write_handout` or a combined packet)."""
    styles = stylesheet()
    kind = CATEGORY_NAMES.get(item.category, item.category.replace("_", " ").capitalize())
    story: list[Flowable] = [
        Paragraph(esc(program), styles.subtitle),
        Paragraph(esc(item.title), styles.title),
        Paragraph(f"Take-home worksheet · {esc(kind)}", styles.subtitle),
        Spacer(1, 6),
        _name_line(member_name, styles),
        HRFlowable(width="100%", thickness=0.6, color=RULE, spaceBefore=2, spaceAfter=6),
        Paragraph(esc(item.purpose), styles.body),
        Paragraph("What to do", styles.heading),
        Paragraph(esc(item.take_home), styles.body),
    ]
    fields: Sequence[Mapping[str, object]] = item.worksheet_fields or (
        {"label": "Notes", "kind": "lines", "lines": 8},
    )
    story.append(Paragraph("Your worksheet", styles.heading))
    for field in fields:
        label = Paragraph(esc(field.get("label", "")), styles.label)
        story.append(KeepTogether([label, *_field_room(field, styles)]))
    return story


def write_handout(
    path: str | os.PathLike[str],
    item: HomeworkItemInfo,
    *,
    program: str,
    member_name: str | None = None,
    printed_on: dt.date | None = None,
) -> Path:
    """Write the printable take-home worksheet of ``item`` to ``path`` (atomically)."""
    return build_pdf(
        path,
        handout_story(item, program=program, member_name=member_name),
        title=item.title,
        program=program,
        printed_on=printed_on,
    )
