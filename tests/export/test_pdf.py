"""The shared PDF machinery: fonts, escaping, footer on every page, watermark, atomic writes."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.platypus import Flowable, Paragraph

from facilitator.export.pdf import (
    NOTICE,
    PIECE_CHARS,
    PIECE_LINES,
    _pieces,
    build_pdf,
    build_pdf_bytes,
    esc,
    long_text,
    stylesheet,
)

PRINTED = dt.date(2026, 11, 23)


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def body(text: str) -> list[Flowable]:
    return [Paragraph(esc(text), stylesheet().body)]


def test_esc_escapes_markup_and_keeps_newlines() -> None:
    assert esc("a & b <b>x</b>\nnext") == "a &amp; b &lt;b&gt;x&lt;/b&gt;<br/>next"
    assert esc("line\r\nother\rthird") == "line<br/>other<br/>third"
    assert esc("bell\x07 here") == "bell here"
    assert esc(None) == ""


def test_user_markup_prints_literally_and_fetches_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetched: list[object] = []

    def no_fetch(*args: object, **kwargs: object) -> None:
        fetched.append(args)
        raise AssertionError("a note must not fetch anything")

    import urllib.request

    monkeypatch.setattr(urllib.request, "urlopen", no_fetch)
    note = 'She said <b>no</b> & left. <img src="http://x/y.png"/> <font size=40>big</font>'
    target = build_pdf(
        tmp_path / "note.pdf", body(note), title="Note", program="Harbor IOP", printed_on=PRINTED
    )
    text = squash(page_texts(target)[0])
    assert squash(note) in text
    assert not fetched


def test_unicode_names_round_trip_and_bold_italic_work(tmp_path: Path) -> None:
    styles = stylesheet()
    story = [
        Paragraph(f"<b>{esc('Zoë Nguyễn')}</b> and <i>{esc('Łukasz Żółć')}</i>", styles.body),
        Paragraph(esc("José Müller — “quoted” ☐"), styles.body),
    ]
    target = build_pdf(
        tmp_path / "u.pdf", story, title="U", program="Clínica Ñandú", printed_on=PRINTED
    )
    text = page_texts(target)[0]
    for expected in ("Zoë Nguyễn", "Łukasz Żółć", "José Müller — “quoted” ☐", "Clínica Ñandú"):
        assert expected in text
    raw = target.read_bytes().decode("latin-1")
    fonts = set(re.findall(r"/BaseFont /[A-Z]+\+([\w-]+)", raw))
    assert {"DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"} <= fonts


def test_long_text_splits_over_pages_with_footer_on_every_page(tmp_path: Path) -> None:
    words = "Recovery takes practice and patience, one day at a time. "
    text = (words * (30_000 // len(words) + 1))[:30_000]
    target = build_pdf(
        tmp_path / "long.pdf",
        body(text + "\n" + "second paragraph\n" * 40),
        title="Long",
        program="Harbor IOP",
        printed_on=PRINTED,
    )
    pages = page_texts(target)
    assert len(pages) >= 5
    for number, page in enumerate(pages, start=1):
        flat = squash(page)
        assert NOTICE in flat
        assert f"Page {number} of {len(pages)}" in flat
        assert "Printed 2026-11-23" in flat
        assert "Harbor IOP" in flat


def test_print_date_defaults_to_today() -> None:
    data = build_pdf_bytes(body("x"), title="T", program="P")
    import io

    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert f"Printed {dt.date.today().isoformat()}" in text


def test_metadata_names_program_not_member(tmp_path: Path) -> None:
    target = build_pdf(
        tmp_path / "m.pdf",
        body("Zoë Nguyễn attended."),
        title="Session record",
        program="Harbor IOP",
    )
    meta = PdfReader(target).metadata
    assert meta is not None
    assert meta.title == "Session record"
    assert meta.author == "Harbor IOP"
    assert meta.creator == "Facilitator"
    assert "Zoë" not in repr(dict(meta))


def test_watermark_on_every_page(tmp_path: Path) -> None:
    story = body("lorem ipsum " * 2000)
    marked = build_pdf(
        tmp_path / "w.pdf",
        story,
        title="W",
        program="P",
        printed_on=PRINTED,
        watermark="DRAFT — NOT SIGNED",
    )
    pages = page_texts(marked)
    assert len(pages) >= 2
    assert all("DRAFT — NOT SIGNED" in page for page in pages)
    plain = build_pdf(tmp_path / "p.pdf", body("lorem"), title="W", program="P")
    assert "DRAFT" not in page_texts(plain)[0]


class Explodes(Flowable):  # type: ignore[misc]
    def wrap(self, *args: Any) -> tuple[float, float]:
        return 100, 20

    def draw(self) -> None:
        raise RuntimeError("boom while drawing")


def failing_story() -> list[Flowable]:
    # Enough text first that the failure comes after pages have been laid out.
    return [*body("before the failure " * 800), Explodes()]


def test_failed_build_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    with pytest.raises(RuntimeError, match="boom"):
        build_pdf(target, failing_story(), title="T", program="P")
    assert list(tmp_path.iterdir()) == []


def test_failed_build_keeps_the_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    build_pdf(target, body("the good version"), title="T", program="P", printed_on=PRINTED)
    before = target.read_bytes()
    with pytest.raises(RuntimeError, match="boom"):
        build_pdf(target, failing_story(), title="T", program="P")
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_failure_after_layout_removes_the_part_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        build_pdf(target, body("new"), title="T", program="P")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_successful_build_replaces_the_target(tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")
    assert build_pdf(target, body("fresh text"), title="T", program="P") == target
    assert target.read_bytes().startswith(b"%PDF")
    assert "fresh text" in page_texts(target)[0]
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


@given(
    lines=st.lists(
        st.text(alphabet=st.sampled_from("ab. ?!;&<>é"), max_size=5_000).map(
            lambda line: re.sub(r" +", " ", line).strip()  # single spaces: a cut takes one
        ),
        max_size=80,
    ),
    prefix=st.sampled_from(["", "<b>Data:</b> "]),
)
@settings(max_examples=60, deadline=None)
def test_long_text_keeps_every_character_in_page_sized_paragraphs(lines, prefix):
    """Long text is set as paragraphs of at most a page (PIECE_CHARS, PIECE_LINES) so it lays
    out in linear time. Nothing is lost or moved: each line is its pieces joined by the one
    space each cut took, and the paragraphs hold those pieces in order, blank lines too."""
    for line in lines:
        pieces = _pieces(line)
        assert " ".join(pieces) == line
        assert all(len(piece) <= PIECE_CHARS for piece in pieces)
    style = stylesheet().body
    parts = long_text("\n".join(lines), style, prefix)
    assert parts[0].text.startswith(prefix)
    held = [part.text.removeprefix(prefix) if n == 0 else part.text for n, part in enumerate(parts)]
    assert all(len(markup.split("<br/>")) <= PIECE_LINES for markup in held)
    expected = [esc(piece) for line in lines for piece in _pieces(line)] or [""]
    assert [line for markup in held for line in markup.split("<br/>")] == expected or (
        held == ["&nbsp;"] and expected == [""]
    )
    assert all(part.style.spaceBefore == 0 for part in parts[1:])  # they read as one
    assert all(part.style.spaceAfter == 0 for part in parts[:-1])
    assert parts[-1].style.spaceAfter == style.spaceAfter
