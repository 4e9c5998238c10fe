"""One member's note: their part of the session, and never another member's name."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from facilitator.domain.documents import OTHER_MEMBER, MemberNoteDocument
from facilitator.export.member_note import member_note_bytes, write_member_note
from facilitator.export.pdf import NOTICE
from facilitator.export.session_record import DRAFT_WATERMARK
from tests.export import samples
from tests.export.samples import (
    CO_FACILITATOR,
    FACILITATOR,
    GROUP,
    GROUP_HOMEWORK,
    MEMBERS,
    NARRATIVE,
    PRINTED,
    PROGRAM,
    ZOE,
    page_texts,
)

# Zoë's own note and check-in name other members, as facilitators sometimes write.
GOSSIP = "Zoë supported Marcus Quillfeather (HL-1002) and disagreed with Priya."


def record_naming_others() -> samples.SessionRecord:
    record = samples.with_note(samples.session_record(), ZOE, assessment=GOSSIP)
    check_ins = tuple(
        dataclasses.replace(c, current_issue=f"Worried about Nadia Puddlestone. {c.current_issue}")
        for c in record.check_ins
    )
    return dataclasses.replace(record, check_ins=check_ins)


def other_words() -> list[str]:
    words = []
    for first, last, number, *_ in MEMBERS[1:]:
        words += [first, last, number]
    return words


def assert_names_no_one_else(text: str) -> None:
    for word in other_words():
        assert not re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE), word


@pytest.fixture(scope="module")
def note_pages(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    target = tmp_path_factory.mktemp("note") / "note.pdf"
    doc = samples.member_note_document(ZOE, record=record_naming_others())
    write_member_note(target, doc, printed_on=PRINTED)
    return page_texts(target)


def test_contains_this_members_part(note_pages: list[str]) -> None:
    text = " ".join(note_pages)
    note = samples.note_text(ZOE)
    for expected in (
        PROGRAM,
        "Member note",
        "Member Zoë Nguyễn-Fable",
        "Record number HL-1001",
        f"Group {GROUP}",
        "Date Tuesday 2026-03-03",
        "Scheduled 18:00 – 21:00",
        "Actual 18:03 – 20:58",
        "Mode Hybrid",
        f"Facilitator {FACILITATOR}",
        f"Co-facilitator {CO_FACILITATOR}",
        "Status Arrived Left Minutes attended Where Present — — 175 In person",
        "4 7 No No Did the trigger map on two evenings.",
        "Topic: Urge surfing",
        "Interventions: Psychoeducation on cravings",
        note.data,
        note.plan,
        f"Goal: {note.goal_text}",
        f"{GROUP_HOMEWORK} · due 2026-03-10",
        "Values card sort · due 2026-03-10",
        "Trigger map Done Mapped three triggers at home.",
        f"Electronically signed by {FACILITATOR} on 2026-03-04 at 02:15",
        "Co-signed by",
        "Reason: Late entry: follow-up call",
    ):
        assert expected in text, expected
    assert all(NOTICE in page for page in note_pages)
    assert "DRAFT" not in text


def test_never_names_another_member(note_pages: list[str]) -> None:
    text = " ".join(note_pages)
    assert_names_no_one_else(text)
    assert OTHER_MEMBER in text  # the redaction shows where a name was
    assert NARRATIVE not in text
    assert "Present 9 of 12" not in text
    assert "Sleep diary" not in text  # another member's homework


def test_even_a_whole_record_prints_only_this_members_rows() -> None:
    """Defence in depth: handed the unfiltered record (minus text naming others), the note
    still prints only this member's attendance, check-in, note, homework and reviews."""
    record = dataclasses.replace(samples.session_record(), addenda=())
    record = dataclasses.replace(
        record,
        group_note=dataclasses.replace(record.group_note, narrative="", summary=""),  # type: ignore[arg-type]
    )
    doc = dataclasses.replace(samples.member_note_document(ZOE), record=record)
    assert isinstance(doc, MemberNoteDocument)
    text = " ".join(page_texts(member_note_bytes(doc)))
    assert_names_no_one_else(text)
    assert "Coping card" not in text and "note 2" not in text


def test_metadata_has_no_name(tmp_path: Path) -> None:
    target = write_member_note(tmp_path / "n.pdf", samples.member_note_document())
    meta = PdfReader(target).metadata
    assert meta is not None
    assert meta.title == "Member note 2026-03-03"
    assert "Zoë" not in repr(dict(meta)) and "HL-1001" not in repr(dict(meta))


def test_unsigned_note_is_watermarked() -> None:
    pages = page_texts(member_note_bytes(samples.member_note_document(signed=False)))
    assert all(DRAFT_WATERMARK in page for page in pages)
    assert "Not signed" in " ".join(pages)


def test_member_who_was_absent() -> None:
    doc = samples.member_note_document(4)  # Tomasz: absent, no check-in, note or homework
    text = " ".join(page_texts(member_note_bytes(doc)))
    assert "Absent — — 0 In person" in text
    assert "No check-in recorded." in text
    assert "No individual note written." in text
    assert "No homework assigned." in text
    assert "Zoë" not in text and "Nguyễn" not in text
