"""The paper sign-in sheet."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from reportlab.lib.units import inch
from reportlab.platypus import Table

from facilitator.export.pdf import FRAME_WIDTH, NOTICE
from facilitator.export.sign_in import WALK_IN_ROWS, sign_in_bytes, sign_in_story, write_sign_in
from tests.export import samples
from tests.export.samples import FACILITATOR, GROUP, PRINTED, PROGRAM, page_texts


def test_lists_every_name_with_the_session_details(tmp_path: Path) -> None:
    sheet = samples.sign_in_sheet()
    pages = page_texts(write_sign_in(tmp_path / "s.pdf", sheet, printed_on=PRINTED))
    text = " ".join(pages)
    for expected in (
        PROGRAM,
        "Sign-in sheet",
        f"Group {GROUP}",
        "Date Tuesday 2026-03-03",
        "Start 18:00",
        f"Facilitator {FACILITATOR}",
        "# Name Signature Time in",
        "1 Zoë N.",
        "12 Amos P.",
    ):
        assert expected in text, expected
    for name in sheet.names:
        assert name in text
    assert f"{len(sheet.names) + WALK_IN_ROWS}" in text
    assert all(NOTICE in page for page in pages)


def test_rows_are_tall_enough_to_sign() -> None:
    sheet = samples.sign_in_sheet()
    table = [f for f in sign_in_story(sheet) if isinstance(f, Table)][-1]
    table.wrap(FRAME_WIDTH, 10_000)
    heights = table._rowHeights
    assert len(heights) == 1 + len(sheet.names) + WALK_IN_ROWS
    assert all(h >= 0.45 * inch for h in heights[1:])
    assert abs(sum(table._colWidths) - FRAME_WIDTH) < 0.5


def test_a_long_roster_runs_onto_a_second_page_with_the_header() -> None:
    names = tuple(f"Member{i} Q." for i in range(40))
    sheet = dataclasses.replace(samples.sign_in_sheet(), names=names, start=None)
    pages = page_texts(sign_in_bytes(sheet))
    assert len(pages) >= 2
    assert all("Signature" in page for page in pages)
    assert all(name in " ".join(pages) for name in names)
