"""The session record PDF: every part of the group note, signatures, draft watermark."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import urllib.request
from pathlib import Path

import pytest
from pypdf import PdfReader

from facilitator.domain.records import AttendanceRecord, SessionRecord
from facilitator.domain.rules import NOTE_LIMIT
from facilitator.export.pdf import NOTICE
from facilitator.export.session_record import (
    DRAFT_WATERMARK,
    session_record_bytes,
    write_session_record,
)
from tests.export import samples
from tests.export.samples import (
    ADDENDUM_TEXT,
    CO_FACILITATOR,
    FACILITATOR,
    GROUP,
    GROUP_HOMEWORK,
    LEAD,
    NARRATIVE,
    PRINTED,
    PROGRAM,
    SUMMARY,
    page_texts,
)


@pytest.fixture(scope="module")
def signed_pages(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    target = tmp_path_factory.mktemp("record") / "record.pdf"
    write_session_record(target, samples.session_document(), printed_on=PRINTED)
    return page_texts(target)


def test_header_facts(signed_pages: list[str]) -> None:
    text = " ".join(signed_pages)
    for expected in (
        PROGRAM,
        "Group session record",
        f"Group {GROUP}",
        "Track Substance use",
        "Group type Relapse prevention",
        "Date Tuesday 2026-03-03",
        "Scheduled 18:00 – 21:00",
        "Actual 18:03 – 20:58",
        "Duration 175 minutes",
        "Mode Hybrid",
        f"Facilitator {FACILITATOR}",
        f"Co-facilitator {CO_FACILITATOR}",
        "Present 9 of 12 enrolled",
    ):
        assert expected in text, expected
    assert text.index(PROGRAM) < text.index("Track") < text.index("Present 9 of 12")


def test_parts_with_planned_and_actual_minutes(signed_pages: list[str]) -> None:
    text = " ".join(signed_pages)
    assert "Check-in 45 min 48 min" in text
    assert "Skill work 90 min 83 min" in text
    assert "Summary & homework 45 min 44 min" in text


def test_attendance_rows(signed_pages: list[str]) -> None:
    text = " ".join(signed_pages)
    for row in (
        "Zoë Nguyễn-Fable Present — — 175 In person",
        "Marcus Quillfeather Late 18:22 — 156 In person",
        "Priya Bramblewood Left early — 19:40 97 In person",
        "Tomasz Thistledown Absent — — 0 In person",
        "Odessa Fernsby Excused — — 0 In person",
        "Jonah Larkspur Present — — 175 Telehealth",
        "Elias Wickersham (late joiner) Present",
        "Amos Pennywhistle Absent — — 0",
    ):
        assert row in text, row


def test_check_in_values(signed_pages: list[str]) -> None:
    text = " ".join(signed_pages)
    assert "Zoë Nguyễn-Fable 4 7 No No Did the trigger map on two evenings." in text
    assert "Jonah Larkspur 9 — No No" in text  # no craving recorded
    assert "Felix Hollowmere 1 7 Yes: one beer on Saturday No" in text
    assert (
        "Nadia Puddlestone 8 0 No Yes — follow-up: Safety plan reviewed after group; "
        "crisis line card given." in text
    )
    for issue in samples.CHECK_IN_ISSUES.values():
        assert issue in text


def test_skill_work_notes_homework_summary(signed_pages: list[str]) -> None:
    text = " ".join(signed_pages)
    assert "Topic: Urge surfing" in text
    assert "Interventions: Psychoeducation on cravings; guided urge-surfing practice" in text
    assert NARRATIVE in text
    for member_id in samples.PRESENT_IDS:
        note = samples.note_text(member_id)
        for part in (note.data, note.assessment, note.plan, note.goal_text):
            assert part in text, part
    assert "Participation: Active" in text
    assert SUMMARY in text
    order = [text.index(h) for h in ("Individual notes", "Homework assigned", f"Summary {SUMMARY}")]
    assert order == sorted(order)


def test_group_wide_homework_listed_once_and_per_member_homework(
    signed_pages: list[str],
) -> None:
    text = " ".join(signed_pages)
    assert text.count(GROUP_HOMEWORK) == 1
    assert f"{GROUP_HOMEWORK} — group-wide, given to all 9 present members · due 2026-03-10" in text
    assert samples.GROUP_HOMEWORK_TEXT in text
    assert "Zoë Nguyễn-Fable Values card sort Pick your top five values. 2026-03-10" in text
    assert "Marcus Quillfeather Sleep diary Bedtime, wake time, naps. 2026-03-17" in text


def test_reviews(signed_pages: list[str]) -> None:
    text = " ".join(signed_pages)
    assert "Zoë Nguyễn-Fable Trigger map Done Mapped three triggers at home." in text
    assert "Marcus Quillfeather Coping card Partly Wrote it, did not carry it." in text
    assert "Priya Bramblewood Thought record Not done Court preparation" in text


def test_signatures_and_addendum(signed_pages: list[str]) -> None:
    text = " ".join(signed_pages)
    assert f"Electronically signed by {FACILITATOR} on 2026-03-04 at 02:15" in text
    assert f"Co-signed by {LEAD} on 2026-03-04 at 14:05" in text
    assert "Reason: Late entry: follow-up call" in text
    assert ADDENDUM_TEXT in text
    assert f"Electronically signed by {FACILITATOR} on 2026-03-04 at 15:40" in text
    assert text.index("Signatures") < text.index("Addenda") < text.index(ADDENDUM_TEXT)
    assert "Not signed" not in text


def test_notice_on_every_page_and_no_draft_mark_when_signed(signed_pages: list[str]) -> None:
    assert len(signed_pages) >= 2
    for number, page in enumerate(signed_pages, start=1):
        assert NOTICE in page
        assert f"Page {number} of {len(signed_pages)}" in page
        assert "DRAFT" not in page


def test_unsigned_session_is_watermarked_on_every_page() -> None:
    pages = page_texts(
        session_record_bytes(samples.session_document(signed=False), printed_on=PRINTED)
    )
    assert len(pages) >= 2
    assert all(DRAFT_WATERMARK in page and NOTICE in page for page in pages)
    text = " ".join(pages)
    assert "Signatures Not signed" in text
    assert "Electronically signed" not in text


def test_metadata_title_names_group_and_date_not_members(tmp_path: Path) -> None:
    target = write_session_record(tmp_path / "r.pdf", samples.session_document())
    meta = PdfReader(target).metadata
    assert meta is not None
    assert meta.title == f"Session record {GROUP} 2026-03-03"
    assert meta.author == PROGRAM
    assert "Zoë" not in repr(dict(meta))


def test_user_markup_prints_literally_and_fetches_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_fetch(*args: object, **kwargs: object) -> None:
        raise AssertionError("a note must not fetch anything")

    monkeypatch.setattr(urllib.request, "urlopen", no_fetch)
    markup = 'She said <b>no</b> & left. <img src="http://x/y.png"/> <font size=40>big</font>'
    record = samples.with_note(samples.session_record(), samples.ZOE, data=markup)
    record = dataclasses.replace(
        record,
        group_name="Anger & <i>Stress</i>",
        group_note=dataclasses.replace(record.group_note, narrative=markup),  # type: ignore[arg-type]
    )
    text = " ".join(page_texts(session_record_bytes(samples.session_document(record=record))))
    assert f"Data: {markup}" in text
    assert f"Group narrative {markup}" in text
    assert "Anger & <i>Stress</i>" in text


def test_forty_thousand_character_note_splits_over_pages() -> None:
    sentence = "Member reflected on recovery and practised the skill again. "
    long = ("START " + sentence * 700)[:39_990] + " END-OF-NOTE"
    assert len(long) >= 40_000
    record = samples.with_note(samples.session_record(), samples.ZOE, assessment=long)
    pages = page_texts(session_record_bytes(samples.session_document(record=record)))
    assert len(pages) >= 12
    text = " ".join(pages)
    assert "Assessment: START Member reflected" in text
    assert "END-OF-NOTE" in text
    assert all(NOTICE in page for page in pages)
    # The rest of the record still follows the long note.
    assert text.index("END-OF-NOTE") < text.index("Homework assigned")


def test_a_note_at_its_limit_prints_every_line_and_sentence_in_order() -> None:
    """Finding: a 20,000-line note took 101 s (a paragraph is laid out again at every page
    break). Long text is now set as page-sized paragraphs; none of it may be lost or reordered,
    whether it comes as many short lines or as one long line."""
    lines = [f"L{n:04d} checked in." if n % 7 else "" for n in range(3_000)]
    data = "\n".join(lines)[:NOTE_LIMIT]
    sentences = " ".join(f"S{n:04d} said a little more." for n in range(1_900))[:NOTE_LIMIT]
    assert len(data) > 0.9 * NOTE_LIMIT and len(sentences) > 0.9 * NOTE_LIMIT
    record = samples.with_note(samples.session_record(), samples.ZOE, data=data)
    record = dataclasses.replace(
        record, group_note=dataclasses.replace(record.group_note, narrative=sentences)
    )
    pdf = session_record_bytes(samples.session_document(record=record))
    text = " ".join(page_texts(pdf))
    for markers in (re.findall(r"L\d{4}", data), re.findall(r"S\d{4}", sentences)):
        found = [text.find(f"{marker} ") for marker in markers]
        assert -1 not in found, markers[found.index(-1)]
        assert found == sorted(found)  # each once, in the order written


def test_long_check_in_cell_splits_inside_the_table() -> None:
    issue = "A very long current issue, told at length. " * 400
    record = samples.session_record()
    check_ins = tuple(
        dataclasses.replace(c, current_issue=issue) if c.member_id == samples.ZOE else c
        for c in record.check_ins
    )
    record = dataclasses.replace(record, check_ins=check_ins)
    pages = page_texts(session_record_bytes(samples.session_document(record=record)))
    assert sum("Current issue" in page for page in pages) >= 2  # header repeated


def test_a_bare_draft_prints() -> None:
    """No times, parts, notes, check-ins or homework yet: still a record, nothing invented."""
    full = samples.session_record(signed=False)
    record = SessionRecord(
        id=1,
        group_id=1,
        group_name=GROUP,
        track=full.track,
        group_type="support",
        date=full.date,
        scheduled_start=None,
        scheduled_end=None,
        actual_start=None,
        actual_end=None,
        mode=full.mode,
        facilitator_id=1,
        co_facilitator_id=None,
        state=full.state,
        current_phase=full.current_phase,
        attendance=(
            AttendanceRecord(
                1, "Zoë Nguyễn-Fable", "HL-1", None, None, None, full.attendance[0].location, False
            ),
        ),
    )
    doc = dataclasses.replace(samples.session_document(record=record), co_facilitator=None)
    text = " ".join(page_texts(session_record_bytes(doc)))
    for expected in (
        "Scheduled Not recorded",
        "Duration Not recorded",
        "Co-facilitator None",
        "Present 0 of 1 enrolled",
        "Check-in 0 min Not run",
        "Zoë Nguyễn-Fable Not recorded",
        "No check-ins recorded.",
        "No homework assigned.",
        "Not signed",
    ):
        assert expected in text, expected


def test_stored_utc_times_print_on_the_clinics_clock(tmp_path: Path) -> None:
    """Actual times and signatures are stored in UTC; arrivals are wall-clock times already.
    In Chicago (UTC-6 on 2 March 2026) 18:03 UTC reads 12:03, and minutes attended still
    compare arrivals with the local start."""
    record = samples.session_record()
    shifted = dataclasses.replace(
        record,
        actual_start=record.actual_start + dt.timedelta(hours=6),
        actual_end=record.actual_end + dt.timedelta(hours=6),
    )
    target = tmp_path / "chicago.pdf"
    doc = samples.session_document(record=shifted, time_zone="America/Chicago")
    write_session_record(target, doc, printed_on=PRINTED)
    text = " ".join(page_texts(target))
    assert "Actual 18:03 – 20:58" in text
    assert "Marcus Quillfeather Late 18:22 — 156 In person" in text
    assert f"Electronically signed by {FACILITATOR} on 2026-03-03 at 20:15" in text
