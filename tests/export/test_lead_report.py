"""The clinical lead summary: sessions, attendance, weekly hours, homework, trends, safety."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from reportlab.graphics.shapes import String

from facilitator.domain.documents import LeadReport
from facilitator.export.charts import trend_chart
from facilitator.export.lead_report import (
    BELOW,
    MAX_SESSION_COLUMNS,
    NO_FOLLOW_UP,
    SECTIONS,
    _chunks,
    write_lead_report,
)
from facilitator.export.pdf import NOTICE
from tests.export import samples
from tests.export.samples import PRINTED, PROGRAM, page_texts


@pytest.fixture(scope="module")
def report() -> LeadReport:
    return samples.lead_report()


@pytest.fixture(scope="module")
def pages(report: LeadReport, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    target = tmp_path_factory.mktemp("lead") / "lead.pdf"
    write_lead_report(target, report, printed_on=PRINTED)
    return page_texts(target)


def test_title_scope_and_every_section(pages: list[str]) -> None:
    text = " ".join(pages)
    for expected in (
        PROGRAM,
        "Clinical lead summary",
        "All groups · 2026-01-05 to 2026-04-05",
        "Weekly minimum 9.0 hours",
    ):
        assert expected in text, expected
    positions = [text.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    assert all(NOTICE in page for page in pages)


def test_sessions_held_rows(report: LeadReport, pages: list[str]) -> None:
    text = " ".join(pages)
    first = min(report.sessions, key=lambda s: (s.date, s.group_name))
    assert (
        f"{first.date.isoformat()} {first.group_name} {first.topic} {first.minutes} "
        f"{first.present}/{first.rostered} Yes" in text
    )


def test_attendance_matrix_codes_legend_and_chunks(report: LeadReport, pages: list[str]) -> None:
    text = " ".join(pages)
    assert "P present · L late · LE left early · A absent · E excused" in text
    group = report.groups[0]
    assert f"{group.name} · 39 sessions, 8 members" in text
    assert "Member 01/05 01/07 01/09" in text
    assert f"{group.name} (cont.)" in text
    member = group.members[0]
    codes = {"present": "P", "late": "L", "left_early": "LE", "absent": "A", "excused": "E"}
    first_row = " ".join(codes[m] for m in member.attendance[:13])
    assert f"{member.name} {first_row}" in text
    assert [len(c) for c in _chunks(39, MAX_SESSION_COLUMNS)] == [13, 13, 13]
    assert [len(c) for c in _chunks(14, MAX_SESSION_COLUMNS)] == [14]
    assert [len(c) for c in _chunks(15, MAX_SESSION_COLUMNS)] == [8, 7]


def test_weeks_below_the_minimum_are_marked(report: LeadReport, pages: list[str]) -> None:
    text = " ".join(pages)
    member = report.groups[0].members[0]
    below = [(w, m) for w, m in member.weekly_minutes if m < report.weekly_minimum_minutes]
    assert below
    assert f"{below[0][1] / 60:.1f} {BELOW}" in text
    assert "below the weekly minimum of 9.0 hours" in text
    enough = next(m for _, m in member.weekly_minutes if m >= report.weekly_minimum_minutes)
    assert f"{enough / 60:.1f} {BELOW}" not in text


def test_completion_trends_safety_and_unsigned(report: LeadReport, pages: list[str]) -> None:
    text = " ".join(pages)
    member = report.groups[0].members[0]
    assert member.completion.describe() in text
    assert "Mood Craving" in text  # chart legends
    for entry in report.safety:
        assert entry.member_name in text
    assert "Safety plan reviewed; called next day." in text
    assert NO_FOLLOW_UP in text
    assert report.unsigned
    unsigned_part = text[text.index(SECTIONS[6]) :]
    for session in report.unsigned:
        assert f"{session.date.isoformat()} {session.group_name} {session.facilitator}" in (
            unsigned_part
        )


def test_empty_report_prints_its_sections(tmp_path: Path) -> None:
    empty = dataclasses.replace(samples.lead_report(), sessions=(), groups=(), safety=())
    text = " ".join(page_texts(write_lead_report(tmp_path / "e.pdf", empty)))
    for expected in (
        "No sessions in the range.",
        "No groups in the range.",
        "No safety concerns raised in the range.",
        "Every session in the range is signed.",
    ):
        assert expected in text


def test_chart_leaves_craving_out_when_there_is_none() -> None:
    day = dt.date(2026, 1, 5)
    mood = ((day, 4), (day + dt.timedelta(days=2), 6))

    def words(drawing: object) -> list[str]:
        return [s.text for s in drawing.contents if isinstance(s, String)]  # type: ignore[attr-defined]

    both = trend_chart("Zoë N.", mood, ((day, 3),), day, day + dt.timedelta(days=30))
    only_mood = trend_chart("Zoë N.", mood, (), day, day + dt.timedelta(days=30))
    assert "Craving" in words(both) and "Craving" not in words(only_mood)
    assert "Mood" in words(only_mood)
