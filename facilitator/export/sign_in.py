"""The paper sign-in sheet for one session: a row per rostered member to sign, and a few
blank rows for walk-ins. Members are named by preferred first name and last initial."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Paragraph, Spacer

from facilitator.domain.documents import SignInSheet
from facilitator.export.files import write_atomically
from facilitator.export.pdf import (
    FRAME_WIDTH,
    build_pdf_bytes,
    esc,
    grid_table,
    stylesheet,
)
from facilitator.export.session_record import facts_table, hhmm, long_date

ROW_HEIGHT = 0.45 * inch  # room to sign by hand
WALK_IN_ROWS = 3


def sign_in_story(doc: SignInSheet, *, walk_in_rows: int = WALK_IN_ROWS) -> list[Flowable]:
    """The flowables of the sign-in sheet (for :func:`write_sign_in` or bytes)."""
    styles = stylesheet()
    story: list[Flowable] = [
        Paragraph(esc(doc.program), styles.subtitle),
        Paragraph("Sign-in sheet", styles.title),
        Spacer(1, 4),
        facts_table(
            [
                ("Group", doc.group_name),
                ("Date", long_date(doc.date)),
                ("Start", hhmm(doc.start) if doc.start else "—"),
                ("Facilitator", doc.facilitator or "—"),
            ],
            styles,
        ),
        Spacer(1, 8),
        Paragraph(
            "Please sign on the line by your name and write the time you arrived. "
            "Not listed? Print your first name and last initial on a blank row.",
            styles.small,
        ),
        Spacer(1, 6),
    ]
    name_style = styles.body
    rows: list[list[Any]] = [["#", "Name", "Signature", "Time in"]]
    for number, name in enumerate(doc.names, start=1):
        rows.append([str(number), Paragraph(esc(name), name_style), "", ""])
    for number in range(len(doc.names) + 1, len(doc.names) + 1 + walk_in_rows):
        rows.append([str(number), "", "", ""])
    widths = [26, 150, 0, 80]
    widths[2] = FRAME_WIDTH - sum(widths)
    table = grid_table(
        rows,
        widths,
        font_size=10.5,
        padding=5,
        min_row_heights=[0] + [ROW_HEIGHT] * (len(rows) - 1),
        extra_style=[
            ("VALIGN", (0, 1), (-1, -1), "MIDDLE"),
            ("TEXTCOLOR", (0, 1), (0, -1), "#777777"),
            ("ALIGN", (0, 0), (0, -1), "RIGHT"),
        ],
    )
    story.append(table)
    return story


def sign_in_title(doc: SignInSheet) -> str:
    return f"Sign-in sheet {doc.group_name} {doc.date.isoformat()}"


def sign_in_bytes(doc: SignInSheet, *, printed_on: dt.date | None = None) -> bytes:
    return build_pdf_bytes(
        sign_in_story(doc), title=sign_in_title(doc), program=doc.program, printed_on=printed_on
    )


def write_sign_in(
    path: str | os.PathLike[str], doc: SignInSheet, *, printed_on: dt.date | None = None
) -> Path:
    """Write the sign-in sheet to ``path`` (atomically)."""
    return write_atomically(path, sign_in_bytes(doc, printed_on=printed_on))
