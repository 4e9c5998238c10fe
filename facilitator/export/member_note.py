"""One member's note of one group session, for that member's own chart.

It prints only what ``MemberNoteDocument.record`` holds — this member's attendance, check-in,
note, homework and reviews, the topic and interventions — and never another member's name:
the service has already dropped the other rows and redacted names from the text kept. No
counts or lists of who else attended appear. Unsigned notes carry the DRAFT watermark.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from reportlab.platypus import Flowable, Paragraph, Spacer

from facilitator.domain.documents import MemberNoteDocument, minutes_attended
from facilitator.export.files import write_atomically
from facilitator.export.pdf import (
    FRAME_WIDTH,
    build_pdf_bytes,
    esc,
    grid_table,
    root_stamp,
    stylesheet,
)
from facilitator.export.session_record import (
    DASH,
    DRAFT_WATERMARK,
    LOCATION_WORDS,
    check_in_cells,
    due_text,
    facts_table,
    hhmm,
    labelled,
    note_flowables,
    reviews_table,
    section,
    session_facts,
    signature_block,
    status_words,
    words,
)


def member_note_story(doc: MemberNoteDocument) -> list[Flowable]:
    """The flowables of the member note (for :func:`write_member_note` or bytes)."""
    styles = stylesheet()
    record = doc.record
    member = doc.member_id
    group_note = record.group_note
    facts = [
        ("Member", doc.member_name),
        ("Record number", doc.record_number or DASH),
        *session_facts(record, doc.facilitator, doc.co_facilitator, doc.time_zone),
    ]
    story: list[Flowable] = [
        Paragraph(esc(doc.program), styles.subtitle),
        Paragraph("Member note", styles.title),
        Paragraph(
            f"{esc(doc.member_name)} · {esc(record.group_name)} · {record.date.isoformat()}",
            styles.subtitle,
        ),
        Spacer(1, 6),
        facts_table(facts, styles),
        *section("Attendance", styles),
    ]

    row = record.attendance_of(member)
    if row is None:
        story.append(Paragraph("Not on this session's roster.", styles.small))
    else:
        cells: list[list[Any]] = [
            ["Status", "Arrived", "Left", "Minutes attended", "Where"],
            [
                status_words(row.status),
                hhmm(row.arrival),
                hhmm(row.departure),
                str(minutes_attended(record, row, doc.time_zone)),
                LOCATION_WORDS.get(row.location, words(row.location)),
            ],
        ]
        story.append(grid_table(cells, [FRAME_WIDTH / 5] * 5))

    story.extend(section("Check-in", styles))
    check_in = next((c for c in record.check_ins if c.member_id == member), None)
    if check_in is None:
        story.append(Paragraph("No check-in recorded.", styles.small))
    else:
        head = styles.cell_small_header
        labels = (
            "Mood",
            "Craving",
            "Use since last",
            "Safety concern",
            "Homework review",
            "Current issue",
        )
        widths = [36, 44, 80, 100, 110]
        widths.append(FRAME_WIDTH - sum(widths))
        story.append(
            grid_table(
                [[Paragraph(label, head) for label in labels], check_in_cells(check_in, styles)],
                widths,
                font_size=8,
            )
        )

    story += [
        *section("Skill work", styles),
        *labelled("Topic", group_note.topic if group_note else "", styles),
        *labelled("Interventions", group_note.interventions if group_note else "", styles),
        *section("Individual note", styles),
    ]
    note = next((n for n in record.member_notes if n.member_id == member), None)
    story += note_flowables(None, note, styles)

    story.extend(section("Homework assigned", styles))
    given = [a for a in record.assignments if a.member_id == member]
    if not given:
        story.append(Paragraph("No homework assigned.", styles.small))
    for assignment in given:
        story.append(
            Paragraph(
                f"<b>{esc(assignment.title)}</b> · {due_text(assignment.due_date)}", styles.body
            )
        )
        if assignment.instructions.strip():
            story.append(Paragraph(esc(assignment.instructions), styles.small))
            story.append(Spacer(1, 4))

    story.extend(section("Homework reviewed", styles))
    own_reviews = tuple(r for r in record.reviews if r.member_id == member)
    story.append(reviews_table(replace(record, reviews=own_reviews), styles, with_member=False))
    story += signature_block(record, styles, doc.time_zone)
    return story


def member_note_title(doc: MemberNoteDocument) -> str:
    """The PDF's title metadata: the date only, never a name."""
    return f"Member note {doc.record.date.isoformat()}"


def member_note_bytes(doc: MemberNoteDocument, *, printed_on: dt.date | None = None) -> bytes:
    return build_pdf_bytes(
        member_note_story(doc),
        title=member_note_title(doc),
        program=doc.program,
        printed_on=printed_on,
        watermark=None if doc.signed else DRAFT_WATERMARK,
        stamp=root_stamp(doc.root_fingerprint, doc.laptop_root) if doc.signed else "",
    )


def write_member_note(
    path: str | os.PathLike[str], doc: MemberNoteDocument, *, printed_on: dt.date | None = None
) -> Path:
    """Write the member's note to ``path`` (atomically); a draft is watermarked on every page."""
    return write_atomically(path, member_note_bytes(doc, printed_on=printed_on))
