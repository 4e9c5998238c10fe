"""The PDF machinery every printed document shares.

One bundled Unicode font family (DejaVu Sans, in ``resources/fonts``), one stylesheet, escaping
of user text for reportlab's paragraph markup, and :func:`build_pdf`, which lays a story out on
letter pages with the same footer on every page (program, print date, the 42 CFR part 2 notice,
"Page N of M"), an optional diagonal watermark, and writes the file atomically.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from facilitator.export.files import write_atomically

FONTS_DIR = Path(__file__).resolve().parents[2] / "resources" / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_BOLD_ITALIC = "DejaVuSans-BoldOblique"
_FONT_FILES = {
    FONT: "DejaVuSans.ttf",
    FONT_BOLD: "DejaVuSans-Bold.ttf",
    FONT_ITALIC: "DejaVuSans-Oblique.ttf",
    FONT_BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
}

NOTICE = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."
CREATOR = "Facilitator"

PAGE_SIZE = letter
MARGIN_LEFT = MARGIN_RIGHT = 0.75 * inch
MARGIN_TOP = 0.75 * inch
MARGIN_BOTTOM = 1.0 * inch  # the footer lives in here
FRAME_PADDING = 6.0  # reportlab's default frame padding, inside the margins
FRAME_WIDTH = PAGE_SIZE[0] - MARGIN_LEFT - MARGIN_RIGHT - 2 * FRAME_PADDING  # usable width

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#8c8c8c")
HEADER_FILL = colors.HexColor("#e9e9e9")
FLAG_FILL = colors.HexColor("#f7c9c9")  # light red: flagged cells (always with a text marker too)

_font_lock = threading.Lock()
_fonts_registered = False


def register_fonts() -> str:
    """Register the bundled family once (thread-safe, lazy); returns the regular font's name."""
    global _fonts_registered
    if _fonts_registered:
        return FONT
    with _font_lock:
        if not _fonts_registered:
            for name, filename in _FONT_FILES.items():
                pdfmetrics.registerFont(TTFont(name, str(FONTS_DIR / filename)))
            pdfmetrics.registerFontFamily(
                FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC
            )
            _fonts_registered = True
    return FONT


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    label: ParagraphStyle
    cell: ParagraphStyle
    cell_header: ParagraphStyle
    checkbox: ParagraphStyle
    subheading: ParagraphStyle
    cell_small: ParagraphStyle
    cell_small_header: ParagraphStyle


@functools.cache
def stylesheet() -> Styles:
    """Every paragraph style of every document, on the bundled font."""
    register_fonts()
    base = ParagraphStyle(
        "base", fontName=FONT, fontSize=10.5, leading=14.5, textColor=INK, alignment=TA_LEFT
    )
    return Styles(
        title=ParagraphStyle(
            "title", base, fontName=FONT_BOLD, fontSize=18, leading=22, spaceAfter=4
        ),
        subtitle=ParagraphStyle(
            "subtitle", base, fontSize=9.5, leading=12, textColor=MUTED, spaceAfter=2
        ),
        heading=ParagraphStyle(
            "heading",
            base,
            fontName=FONT_BOLD,
            fontSize=12.5,
            leading=16,
            spaceBefore=12,
            spaceAfter=4,
        ),
        body=ParagraphStyle("body", base, spaceAfter=6),
        small=ParagraphStyle("small", base, fontSize=8.5, leading=11, textColor=MUTED),
        label=ParagraphStyle(
            "label",
            base,
            fontName=FONT_BOLD,
            fontSize=10.5,
            leading=14,
            spaceBefore=10,
            spaceAfter=4,
        ),
        cell=ParagraphStyle("cell", base, fontSize=9.5, leading=12),
        cell_header=ParagraphStyle(
            "cell_header", base, fontName=FONT_BOLD, fontSize=9, leading=11.5
        ),
        checkbox=ParagraphStyle(
            "checkbox",
            base,
            fontSize=10.5,
            leading=16,
            leftIndent=18,
            bulletIndent=0,
            bulletFontName=FONT,
            bulletFontSize=12,
        ),
        subheading=ParagraphStyle(
            "subheading",
            base,
            fontName=FONT_BOLD,
            fontSize=10.5,
            leading=14,
            spaceBefore=8,
            spaceAfter=3,
        ),
        cell_small=ParagraphStyle("cell_small", base, fontSize=8, leading=10),
        cell_small_header=ParagraphStyle(
            "cell_small_header", base, fontName=FONT_BOLD, fontSize=8, leading=10
        ),
    )


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def esc(text: object) -> str:
    """User text as reportlab paragraph markup that prints literally.

    ``&``, ``<`` and ``>`` are escaped (so ``<b>`` or ``<img src=…/>`` in a note prints as typed
    and fetches nothing), newlines become ``<br/>``, tabs spaces, other control characters go.
    """
    value = "" if text is None else str(text)
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    value = _CONTROL.sub("", value)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\n", "<br/>")


# A paragraph is laid out again from where each page breaks it, so one long paragraph takes
# time that grows with the square of its length (a 20,000-line note took 101 s). Long text is
# set as several paragraphs of at most a page each, stacked without a gap; a line longer than
# that is broken at a sentence's end (else a space).
PIECE_CHARS = 2000
PIECE_LINES = 30
_SENTENCE_END = (". ", "? ", "! ", "; ")


def long_text(text: object, style: ParagraphStyle, prefix: str = "") -> list[Flowable]:
    """User text of any length as paragraphs that read as one, ``prefix`` (markup such as
    "<b>Data:</b> ") before the first; each lays out in time proportional to its size."""
    chunks: list[list[str]] = [[]]
    size = 0
    for line in plain(text).split("\n"):
        for piece in _pieces(line):
            if chunks[-1] and (len(chunks[-1]) >= PIECE_LINES or size + len(piece) > PIECE_CHARS):
                chunks.append([])
                size = 0
            chunks[-1].append(piece)
            size += len(piece)
    out: list[Flowable] = []
    for number, chunk in enumerate(chunks):
        first, last = number == 0, number == len(chunks) - 1
        markup = "<br/>".join(esc(piece) for piece in chunk) or "&nbsp;"
        spacing = ParagraphStyle(
            f"{style.name}-piece",
            style,
            spaceBefore=style.spaceBefore if first else 0,
            spaceAfter=style.spaceAfter if last else 0,
        )
        out.append(Paragraph(prefix + markup if first else markup, spacing))
    return out


def _pieces(line: str) -> list[str]:
    """A line cut into parts of at most PIECE_CHARS, at a sentence's end where one is near."""
    parts = []
    while len(line) > PIECE_CHARS:
        cut = max(line.rfind(end, 0, PIECE_CHARS) for end in _SENTENCE_END) + 1
        if cut < PIECE_CHARS // 2:
            cut = line.rfind(" ", 0, PIECE_CHARS) + 1 or PIECE_CHARS
        parts.append(line[:cut].rstrip())
        line = line[cut:].lstrip()
    return [*parts, line]


def plain(text: object) -> str:
    """User text for places without paragraph markup (plain table cells, drawings): control
    characters go, tabs become spaces; line breaks are kept."""
    value = "" if text is None else str(text)
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return _CONTROL.sub("", value)


def fit_text(text: str, font: str, size: float, width: float) -> str:
    """The text shortened with an ellipsis until it fits the width (one line)."""
    return _fit(text, font, size, width)


def cell_text(text: object, style: ParagraphStyle, width: float, padding: float = 6) -> Any:
    """A table cell for user text: a plain string when it fits on one line (much faster to lay
    out in long tables), else an escaped, wrapping Paragraph. ``width`` is the column's width;
    plain strings need the table's FONT for the cell to match ``style`` (see grid_table)."""
    value = plain(text)
    if (
        "\n" not in value
        and len(value) < 120
        and pdfmetrics.stringWidth(value, style.fontName, style.fontSize) <= width - padding
    ):
        return value
    return Paragraph(esc(text), style)


def grid_table(
    rows: Sequence[Sequence[Any]],
    col_widths: Sequence[float],
    *,
    repeat_rows: int = 1,
    font_size: float = 9.5,
    leading: float | None = None,
    padding: float = 3,
    extra_style: Sequence[tuple[Any, ...]] = (),
    min_row_heights: Sequence[float] | None = None,
) -> Table:
    """A ruled table with a shaded header row that repeats on every page it runs onto.

    Rows may split inside a tall cell (a long note in a table never overflows a page). Plain
    string cells are set in the bundled font at ``font_size``, the header row in bold.
    """
    register_fonts()
    lead = leading if leading is not None else font_size * 1.25
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONT", (0, 0), (-1, -1), FONT, font_size, lead),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("LEFTPADDING", (0, 0), (-1, -1), padding),
        ("RIGHTPADDING", (0, 0), (-1, -1), padding),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if repeat_rows:
        commands += [
            ("BACKGROUND", (0, 0), (-1, repeat_rows - 1), HEADER_FILL),
            ("FONT", (0, 0), (-1, repeat_rows - 1), FONT_BOLD, font_size, lead),
            ("VALIGN", (0, 0), (-1, repeat_rows - 1), "BOTTOM"),
        ]
    table = Table(
        [list(row) for row in rows],
        colWidths=list(col_widths),
        repeatRows=repeat_rows,
        splitInRow=1,
        hAlign="LEFT",
        minRowHeights=list(min_row_heights) if min_row_heights is not None else None,
    )
    table.setStyle(TableStyle([*commands, *extra_style]))
    return table


@dataclass(frozen=True)
class _PageInfo:
    program: str
    printed_on: dt.date
    watermark: str | None
    stamp: str = ""  # a last footer line: the root key's fingerprint on signed records


def _fit(text: str, font: str, size: float, width: float) -> str:
    """The text shortened with an ellipsis until it fits the width."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _draw_footer(canv: Any, info: _PageInfo, page: int, pages: int) -> None:
    width, _ = PAGE_SIZE
    left, right = MARGIN_LEFT + FRAME_PADDING, width - MARGIN_RIGHT - FRAME_PADDING
    canv.saveState()
    canv.setStrokeColor(RULE)
    canv.setLineWidth(0.5)
    canv.line(left, 0.78 * inch, right, 0.78 * inch)
    canv.setFillColor(MUTED)
    canv.setFont(FONT, 8)
    page_text = f"Page {page} of {pages}"
    printed = f"Printed {info.printed_on.isoformat()}"
    page_width = pdfmetrics.stringWidth(page_text, FONT, 8)
    printed_width = pdfmetrics.stringWidth(printed, FONT, 8)
    program_room = (right - left) - page_width - printed_width - 36
    canv.drawString(left, 0.6 * inch, _fit(info.program, FONT, 8, program_room))
    canv.drawRightString(right - page_width - 18, 0.6 * inch, printed)
    canv.drawRightString(right, 0.6 * inch, page_text)
    canv.setFont(FONT_BOLD, 7.5)
    canv.drawCentredString(width / 2, 0.42 * inch, NOTICE)
    if info.stamp:
        canv.setFont(FONT, 6.5)
        canv.drawCentredString(width / 2, 0.27 * inch, info.stamp)
    canv.restoreState()


def _draw_watermark(canv: Any, text: str) -> None:
    width, height = PAGE_SIZE
    canv.saveState()
    size = 54.0
    diagonal = (width**2 + height**2) ** 0.5 * 0.8
    while size > 12 and pdfmetrics.stringWidth(text, FONT_BOLD, size) > diagonal:
        size -= 2
    canv.setFont(FONT_BOLD, size)
    canv.setFillColor(colors.Color(0.75, 0.1, 0.1, alpha=0.16))
    canv.translate(width / 2, height / 2)
    canv.rotate(52)
    canv.drawCentredString(0, -size / 3, text)
    canv.restoreState()


def _numbered_canvas(info: _PageInfo) -> type[Any]:
    """A canvas that holds its pages back until the end, so each footer knows the page count."""

    class NumberedCanvas(rl_canvas.Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                _draw_footer(self, info, number, total)
                super().showPage()
            super().save()

    return NumberedCanvas


def _render(
    target: Any,
    story: Sequence[Flowable],
    *,
    title: str,
    program: str,
    printed_on: dt.date | None,
    watermark: str | None,
    stamp: str = "",
) -> None:
    register_fonts()
    info = _PageInfo(program, printed_on or dt.date.today(), watermark, stamp)

    def on_page(canv: Any, _doc: Any) -> None:
        # Drawn before the page's flowables, so the watermark lies under the text.
        if info.watermark:
            _draw_watermark(canv, info.watermark)

    doc = SimpleDocTemplate(
        target,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author=program,
        creator=CREATOR,
        subject="",
        keywords="",
    )
    doc.build(
        list(story), onFirstPage=on_page, onLaterPages=on_page, canvasmaker=_numbered_canvas(info)
    )


def build_pdf(
    path: str | os.PathLike[str],
    story: Sequence[Flowable],
    *,
    title: str,
    program: str,
    printed_on: dt.date | None = None,
    watermark: str | None = None,
) -> Path:
    """Lay the story out on letter pages and write it to ``path`` atomically.

    The whole PDF is built in memory first, so a failing build writes nothing; the bytes then
    go to a ``.part`` file beside the target, synced, and moved over it (files.write_atomically).
    ``title`` and ``program`` go into the PDF's metadata, so neither may name a member.
    """
    data = build_pdf_bytes(
        story, title=title, program=program, printed_on=printed_on, watermark=watermark
    )
    return write_atomically(path, data)


def build_pdf_bytes(
    story: Sequence[Flowable],
    *,
    title: str,
    program: str,
    printed_on: dt.date | None = None,
    watermark: str | None = None,
    stamp: str = "",
) -> bytes:
    """The same document as :func:`build_pdf`, in memory (previews, benchmarks)."""
    buffer = io.BytesIO()
    _render(
        buffer, story, title=title, program=program, printed_on=printed_on,
        watermark=watermark, stamp=stamp,
    )  # fmt: skip
    return buffer.getvalue()


def root_stamp(fingerprint: str, laptop_root: str = "") -> str:
    """The footer line of a signed record: what `check --root` is run against (and, for a
    record signed on a laptop and moved onto the server, the laptop's root it certified)."""
    if laptop_root:
        return (
            f"Signed with keys of a laptop's root key {laptop_root}, certified by the clinic "
            f"root key {fingerprint}"
        )
    return f"Signed with keys certified by the clinic root key {fingerprint}" if fingerprint else ""
