"""The member's take-home handout of each homework-library item."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from pypdf import PageObject, PdfReader

from facilitator.domain.records import HomeworkItemInfo
from facilitator.export.handout import write_handout
from facilitator.export.pdf import NOTICE
from facilitator.services.library import parse_item

LIBRARY = Path(__file__).resolve().parents[2] / "resources" / "library"
FILES = sorted(LIBRARY.glob("*/*.toml"))
PRINTED = dt.date(2026, 11, 23)


def load(path: Path, number: int = 1) -> HomeworkItemInfo:
    return HomeworkItemInfo(
        id=number,
        slug=path.stem,
        version=1,
        shipped=True,
        archived=False,
        **parse_item(path.read_text(encoding="utf-8"), str(path)),
    )


def item_named(slug: str) -> HomeworkItemInfo:
    (path,) = [p for p in FILES if p.stem == slug]
    return load(path)


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def bare(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_library_has_all_shipped_items() -> None:
    assert len(FILES) == 48


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_shipped_item_builds_a_handout(path: Path, tmp_path: Path) -> None:
    item = load(path)
    target = write_handout(
        tmp_path / f"{path.stem}.pdf", item, program="Harbor IOP", printed_on=PRINTED
    )
    pages = page_texts(target)
    text = " ".join(pages)
    assert squash(item.title) in squash(text)
    assert "What to do" in text
    assert bare(item.take_home) in bare(text)
    assert item.worksheet_fields
    for field in item.worksheet_fields:
        label = str(field["label"])
        assert squash(label) in squash(text) or bare(label) in bare(text), label
        if field["kind"] == "table":
            for column in field["columns"]:  # type: ignore[attr-defined]
                assert bare(str(column)) in bare(text), column
        if field["kind"] == "checklist":
            for option in field["options"]:  # type: ignore[attr-defined]
                assert bare(f"☐{option}") in bare(text), option
        if field["kind"] == "scale":
            assert "0 1 2 3 4 5 6 7 8 9 10" in squash(text)
    for number, page in enumerate(pages, start=1):
        assert NOTICE in squash(page)
        assert f"Page {number} of {len(pages)}" in page
        assert "Printed 2026-11-23" in page


def test_facilitator_steps_and_prompts_stay_off(tmp_path: Path) -> None:
    item = item_named("diary-card")
    text = bare(" ".join(page_texts(write_handout(tmp_path / "h.pdf", item, program="P"))))
    for private in (*item.steps, *item.prompts):
        assert bare(private) not in text


def test_member_name_only_when_given(tmp_path: Path) -> None:
    item = item_named("thought-record")
    blank = squash(" ".join(page_texts(write_handout(tmp_path / "a.pdf", item, program="P"))))
    assert "For:" not in blank
    assert "Name:" in blank and "Date:" in blank
    named = write_handout(tmp_path / "b.pdf", item, program="P", member_name="Zoë Nguyễn")
    text = squash(" ".join(page_texts(named)))
    assert "For: Zoë Nguyễn" in text
    assert "Name:" not in text
    meta = PdfReader(named).metadata
    assert meta is not None and "Zo" not in repr(dict(meta))
    assert meta.title == item.title


def test_ruled_lines_and_table_rows_are_drawn(tmp_path: Path) -> None:
    base = item_named("thought-record")
    fields = (
        {"label": "Ten lines", "kind": "lines", "lines": 10},
        {"label": "Grid", "kind": "table", "columns": ["A", "B"], "rows": 4},
    )
    item = dataclasses.replace(base, worksheet_fields=fields)
    one_line = dataclasses.replace(
        base, worksheet_fields=({"label": "One", "kind": "lines", "lines": 1},)
    )
    many = PdfReader(write_handout(tmp_path / "many.pdf", item, program="P")).pages
    few = PdfReader(write_handout(tmp_path / "few.pdf", one_line, program="P")).pages

    def strokes(pages: list[PageObject]) -> int:
        contents = (page.get_contents() for page in pages)
        return sum(
            len(re.findall(r"\bl\b", content.get_data().decode("latin-1")))
            for content in contents
            if content is not None
        )

    # 9 more ruled lines, plus a 2x5 table's grid lines.
    assert strokes(list(many)) >= strokes(list(few)) + 9 + 5


def test_many_lines_split_across_pages(tmp_path: Path) -> None:
    base = item_named("thought-record")
    item = dataclasses.replace(
        base, worksheet_fields=({"label": "Journal", "kind": "lines", "lines": 60},)
    )
    pages = page_texts(write_handout(tmp_path / "j.pdf", item, program="P"))
    assert len(pages) >= 2
    assert all(NOTICE in squash(page) for page in pages)


def test_user_text_in_an_item_prints_literally(tmp_path: Path) -> None:
    base = item_named("thought-record")
    item = dataclasses.replace(
        base,
        title="Tom & Jerry <b>plan</b>",
        take_home='Write 3 < 5 & <img src="http://x/y.png"/> here',
        worksheet_fields=(
            {"label": "<i>Label</i> & more", "kind": "checklist", "options": ["a<b", "c&d"]},
        ),
    )
    text = squash(
        " ".join(page_texts(write_handout(tmp_path / "x.pdf", item, program="A&B <IOP>")))
    )
    for literal in (
        "Tom & Jerry <b>plan</b>",
        'Write 3 < 5 & <img src="http://x/y.png"/> here',
        "<i>Label</i> & more",
        "a<b",
        "c&d",
        "A&B <IOP>",
    ):
        assert literal in text


def test_an_item_without_fields_still_has_room_to_write(tmp_path: Path) -> None:
    item = dataclasses.replace(item_named("thought-record"), worksheet_fields=())
    text = " ".join(page_texts(write_handout(tmp_path / "n.pdf", item, program="P")))
    assert "Notes" in text
