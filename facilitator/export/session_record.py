"""The session record: the whole group note as the chart keeps it, for the lead to sign off.

Program, group, date and times, the three parts, attendance, check-in, the skill work and
narrative, each member's individual note, homework given and reviewed, the summary, and the
signatures and addenda. A session nobody has signed prints "DRAFT — NOT SIGNED" across every
page. The pieces the member note shares (facts table, signature block, note paragraphs) live
here too.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from facilitator.domain.documents import (
    SessionDocument,
    minutes_attended,
    part_times,
    session_minutes,
)
from facilitator.domain.enums import AttendanceStatus, Location, SignatureKind
from facilitator.domain.records import (
    AddendumRecord,
    AssignmentRecord,
    CheckInRecord,
    MemberNoteRecord,
    SessionRecord,
    SignatureRecord,
)
from facilitator.domain.rules import to_local
from facilitator.export.files import write_atomically
from facilitator.export.pdf import (
    FRAME_WIDTH,
    Styles,
    build_pdf_bytes,
    esc,
    grid_table,
    long_text,
    root_stamp,
    stylesheet,
)

DRAFT_WATERMARK = "DRAFT — NOT SIGNED"
DASH = "—"
STATUS_WORDS = {
    AttendanceStatus.PRESENT: "Present",
    AttendanceStatus.LATE: "Late",
    AttendanceStatus.LEFT_EARLY: "Left early",
    AttendanceStatus.ABSENT: "Absent",
    AttendanceStatus.EXCUSED: "Excused",
}
LOCATION_WORDS = {Location.IN_PERSON: "In person", Location.TELEHEALTH: "Telehealth"}


# ----------------------------------------------------------------------------- small words


def words(value: object) -> str:
    """A stored vocabulary value in human words: "relapse_prevention" -> "Relapse prevention"."""
    text = str(value or "").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def status_words(status: AttendanceStatus | None) -> str:
    return STATUS_WORDS.get(status, words(status)) if status is not None else "Not recorded"


def hhmm(moment: dt.time | dt.datetime | None) -> str:
    return moment.strftime("%H:%M") if moment is not None else DASH


def actual_span(record: SessionRecord, zone: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The actual start and end on the clinic's clock (they are stored in UTC)."""
    return (
        to_local(record.actual_start, zone) if record.actual_start else None,
        to_local(record.actual_end, zone) if record.actual_end else None,
    )


def span(start: dt.time | dt.datetime | None, end: dt.time | dt.datetime | None) -> str:
    if start is None and end is None:
        return "Not recorded"
    return f"{hhmm(start)} – {hhmm(end)}"


def long_date(day: dt.date) -> str:
    return f"{day:%A} {day.isoformat()}"


def local_stamp(moment: dt.datetime, zone: str) -> str:
    """A stored (UTC) signing time on the clinic's clock: "on 2026-03-02 at 09:05"."""
    local = to_local(moment, zone)
    return f"on {local.date().isoformat()} at {local:%H:%M}"


def or_dash(text: str | None) -> str:
    return text if text and text.strip() else DASH


# ----------------------------------------------------------------------------- shared pieces


def facts_table(pairs: Sequence[tuple[str, str]], styles: Styles) -> Table:
    """Label/value pairs two to a row, read left to right then down; each label column as
    wide as its longest label."""
    label_style = styles.cell_header
    cells: list[Any] = []
    for label, value in pairs:
        cells += [Paragraph(esc(label), label_style), Paragraph(esc(value), styles.cell)]
    if len(cells) % 4:
        cells += ["", ""]
    rows = [cells[i : i + 4] for i in range(0, len(cells), 4)]

    def label_width(column: int) -> float:
        labels = [label for i, (label, _) in enumerate(pairs) if i % 2 == column]
        widest = max(
            (stringWidth(label, label_style.fontName, label_style.fontSize) for label in labels),
            default=0.0,
        )
        return min(widest + 10, 110.0)

    half = FRAME_WIDTH / 2
    left, right = label_width(0), label_width(1)
    table = Table(rows, colWidths=[left, half - left, right, half - right], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table


def session_facts(
    record: SessionRecord, facilitator: str, co_facilitator: str | None, zone: str = ""
) -> list[tuple[str, str]]:
    """Group, track, type, date, times, duration, mode and who ran the session."""
    minutes = session_minutes(record)
    return [
        ("Group", record.group_name),
        ("Date", long_date(record.date)),
        ("Track", words(record.track)),
        ("Scheduled", span(record.scheduled_start, record.scheduled_end)),
        ("Group type", words(record.group_type)),
        ("Actual", span(*actual_span(record, zone))),
        ("Mode", words(record.mode)),
        ("Duration", f"{minutes} minutes" if minutes is not None else "Not recorded"),
        ("Facilitator", facilitator or DASH),
        ("Co-facilitator", co_facilitator or "None"),
    ]


def section(title: str, styles: Styles, room: float = 1.4 * inch) -> list[Flowable]:
    """A section heading, on a new page unless ``room`` is left below it for a start."""
    return [CondPageBreak(room), Paragraph(esc(title), styles.heading)]


def labelled(label: str, text: str, styles: Styles) -> list[Flowable]:
    """ "<b>Label:</b> text", reading as one paragraph however long (see pdf.long_text)."""
    prefix = f"<b>{esc(label)}:</b> "
    if not (text and text.strip()):
        return [Paragraph(f'{prefix}<font color="#555555">{DASH}</font>', styles.body)]
    return long_text(text, styles.body, prefix)


def note_flowables(
    heading: str | None, note: MemberNoteRecord | None, styles: Styles
) -> list[Flowable]:
    """One member's individual note as paragraphs (never one table cell): participation, goal,
    then data, assessment and plan."""
    out: list[Flowable] = []
    if heading is not None:
        out.append(Paragraph(esc(heading), styles.subheading))
    if note is None:
        out.append(Paragraph("No individual note written.", styles.small))
        return out
    participation = esc(words(note.participation) or DASH)
    goal = esc(note.goal_text) if note.goal_text.strip() else DASH
    out.append(
        Paragraph(f"<b>Participation:</b> {participation} · <b>Goal:</b> {goal}", styles.body)
    )
    out += labelled("Data", note.data, styles)
    out += labelled("Assessment", note.assessment, styles)
    out += labelled("Plan", note.plan, styles)
    if heading is not None:
        # The name and the first lines stay together; the rest may run on to the next page.
        return [KeepTogether(out[:3]), *out[3:]]
    return out


def check_in_cells(check_in: CheckInRecord, styles: Styles) -> list[Any]:
    style = styles.cell_small
    use = words(check_in.use_since_last) or DASH
    if check_in.use_detail.strip():
        use = f"{use}: {check_in.use_detail}"
    if check_in.safety_concern:
        follow = check_in.safety_follow_up.strip()
        safety = Paragraph(
            "<b>Yes</b> — follow-up: "
            + (esc(follow) if follow else "<b>NO FOLLOW-UP RECORDED</b>"),
            style,
        )
    else:
        safety = Paragraph("No", style)
    return [
        Paragraph(str(check_in.mood) if check_in.mood is not None else DASH, style),
        Paragraph(str(check_in.craving) if check_in.craving is not None else DASH, style),
        Paragraph(esc(use), style),
        safety,
        Paragraph(esc(or_dash(check_in.homework_review)), style),
        Paragraph(esc(or_dash(check_in.current_issue)), style),
    ]


def signature_lines(signature: SignatureRecord, zone: str = "") -> str:
    who = esc(signature.signer)
    when = local_stamp(signature.signed_at, zone)
    if signature.kind == SignatureKind.COSIGN:
        return f"Co-signed by <b>{who}</b> {when}"
    return f"Electronically signed by <b>{who}</b> {when}"


def signature_block(record: SessionRecord, styles: Styles, zone: str = "") -> list[Flowable]:
    """Signatures (or "Not signed"), then each addendum with its own signature line."""
    out: list[Flowable] = [*section("Signatures", styles)]
    signatures = sorted(
        record.signatures, key=lambda s: (s.kind != SignatureKind.SIGN, s.signed_at)
    )
    if not signatures:
        out.append(Paragraph("<b>Not signed</b>", styles.body))
        out.append(Paragraph("This record is a draft: its content may still change.", styles.small))
    for signature in signatures:
        out.append(Paragraph(signature_lines(signature, zone), styles.body))
    if signatures:
        sealed = signatures[0].content_hash
        out.append(
            Paragraph(
                f"Content SHA-256 {esc(sealed[:16])}… (version {signatures[0].canonical_version})",
                styles.small,
            )
        )
    out += addenda_block(record.addenda, styles, zone)
    return out


def addenda_block(
    addenda: Iterable[AddendumRecord], styles: Styles, zone: str = ""
) -> list[Flowable]:
    ordered = sorted(addenda, key=lambda a: (a.signed_at, a.id))
    if not ordered:
        return []
    out: list[Flowable] = [*section("Addenda", styles)]
    for number, addendum in enumerate(ordered, start=1):
        head = Paragraph(
            f"Addendum {number} · {to_local(addendum.signed_at, zone).date().isoformat()}",
            styles.subheading,
        )
        out.append(KeepTogether([head, *labelled("Reason", addendum.reason, styles)]))
        out += long_text(or_dash(addendum.text), styles.body)
        out.append(
            Paragraph(
                f"Electronically signed by <b>{esc(addendum.signer)}</b> "
                f"{local_stamp(addendum.signed_at, zone)}",
                styles.body,
            )
        )
    return out


def due_text(due: dt.date | None) -> str:
    return f"due {due.isoformat()}" if due is not None else "no due date"


# ----------------------------------------------------------------------------- the record


def _names(record: SessionRecord) -> dict[int, str]:
    return {row.member_id: row.display_name for row in record.attendance}


def _member_order(record: SessionRecord) -> dict[int, int]:
    return {row.member_id: index for index, row in enumerate(record.attendance)}


def _parts_table(record: SessionRecord, styles: Styles) -> Table:
    rows: list[list[Any]] = [["Part", "Planned", "Actual"]]
    for part in part_times(record):
        actual = f"{part.actual_minutes} min" if part.actual_minutes is not None else "Not run"
        rows.append([part.phase.label, f"{part.planned_minutes} min", actual])
    return grid_table(rows, [2.6 * 72, 1.1 * 72, 1.1 * 72], font_size=9.5)


def _attendance_table(record: SessionRecord, styles: Styles, zone: str = "") -> Table:
    style = styles.cell
    rows: list[list[Any]] = [
        ["Member", "Status", "Arrived", "Left", "Minutes", "Where"],
    ]
    for row in record.attendance:
        name = esc(row.display_name)
        if row.late_joiner:
            name += ' <font size="8" color="#555555">(late joiner)</font>'
        rows.append(
            [
                Paragraph(name, style),
                status_words(row.status),
                hhmm(row.arrival),
                hhmm(row.departure),
                str(minutes_attended(record, row, zone)),
                LOCATION_WORDS.get(row.location, words(row.location)),
            ]
        )
    widths = [190, 70, 52, 52, 52]
    widths.append(FRAME_WIDTH - sum(widths))
    return grid_table(
        rows, widths, font_size=9.5, extra_style=[("ALIGN", (4, 1), (4, -1), "RIGHT")]
    )


def _check_in_table(record: SessionRecord, styles: Styles) -> Table | Paragraph:
    if not record.check_ins:
        return Paragraph("No check-ins recorded.", styles.small)
    names = _names(record)
    order = _member_order(record)
    head = styles.cell_small_header
    rows: list[list[Any]] = [
        [
            Paragraph(label, head)
            for label in (
                "Member",
                "Mood",
                "Craving",
                "Use since last",
                "Safety concern",
                "Homework review",
                "Current issue",
            )
        ]
    ]
    for check_in in sorted(record.check_ins, key=lambda c: order.get(c.member_id, 1 << 30)):
        name = names.get(check_in.member_id, f"Member {check_in.member_id}")
        rows.append([Paragraph(esc(name), styles.cell_small), *check_in_cells(check_in, styles)])
    widths = [80, 33, 42, 62, 84, 96]
    widths.append(FRAME_WIDTH - sum(widths))
    return grid_table(rows, widths, font_size=8)


def _notes(record: SessionRecord, styles: Styles) -> list[Flowable]:
    notes = {note.member_id: note for note in record.member_notes}
    out: list[Flowable] = []
    listed: set[int] = set()
    for row in record.attendance:
        note = notes.get(row.member_id)
        attended = row.status is not None and row.status.attended
        if not attended and note is None:
            continue
        listed.add(row.member_id)
        heading = row.display_name
        if row.record_number:
            heading += f" · {row.record_number}"
        if not attended:
            heading += f" ({status_words(row.status).lower()})"
        out += note_flowables(heading, note, styles)
    for note in record.member_notes:  # a note of someone not on the roster (should not happen)
        if note.member_id not in listed:
            out += note_flowables(f"Member {note.member_id}", note, styles)
    return out or [Paragraph("No individual notes written.", styles.small)]


def _group_assignments(
    record: SessionRecord,
) -> tuple[list[tuple[AssignmentRecord, list[AssignmentRecord]]], list[AssignmentRecord]]:
    """Homework given to every present member (listed once), and the rest, per member."""
    present = {row.member_id for row in record.present}
    by_text: dict[tuple[str, str], list[AssignmentRecord]] = {}
    for assignment in record.assignments:
        by_text.setdefault((assignment.title, assignment.instructions), []).append(assignment)
    group_wide: list[tuple[AssignmentRecord, list[AssignmentRecord]]] = []
    individual: list[AssignmentRecord] = []
    for given in by_text.values():
        members = {a.member_id for a in given}
        if len(present) >= 2 and present <= members:
            group_wide.append((given[0], given))
        else:
            individual += given
    return group_wide, individual


def _homework(record: SessionRecord, styles: Styles) -> list[Flowable]:
    if not record.assignments:
        return [Paragraph("No homework assigned.", styles.small)]
    group_wide, individual = _group_assignments(record)
    names = _names(record)
    order = _member_order(record)
    out: list[Flowable] = []
    for first, given in group_wide:
        dues = sorted({a.due_date for a in given if a.due_date is not None})
        if len(dues) > 1:
            due = "due dates " + ", ".join(d.isoformat() for d in dues)
        else:
            due = due_text(dues[0] if dues else None)
        out.append(
            Paragraph(
                f"<b>{esc(first.title)}</b> — group-wide, given to all {len(given)} "
                f"present members · {due}",
                styles.body,
            )
        )
        if first.instructions.strip():
            out.append(Paragraph(esc(first.instructions), styles.small))
            out.append(Spacer(1, 4))
    if individual:
        rows: list[list[Any]] = [["Member", "Homework", "Due"]]
        for assignment in sorted(individual, key=lambda a: (order.get(a.member_id, 1 << 30), a.id)):
            text = f"<b>{esc(assignment.title)}</b>"
            if assignment.instructions.strip():
                text += f"<br/>{esc(assignment.instructions)}"
            rows.append(
                [
                    Paragraph(
                        esc(names.get(assignment.member_id, f"Member {assignment.member_id}")),
                        styles.cell,
                    ),
                    Paragraph(text, styles.cell),
                    assignment.due_date.isoformat() if assignment.due_date else DASH,
                ]
            )
        out.append(Paragraph("Given to single members", styles.subheading))
        out.append(grid_table(rows, [140, FRAME_WIDTH - 140 - 72, 72]))
    return out


def reviews_table(record: SessionRecord, styles: Styles, *, with_member: bool = True) -> Any:
    if not record.reviews:
        return Paragraph("No earlier homework reviewed.", styles.small)
    names = _names(record)
    order = _member_order(record)
    header = ["Member", "Homework", "Status", "Comment"] if with_member else []
    header = header or ["Homework", "Status", "Comment"]
    rows: list[list[Any]] = [header]
    for review in sorted(record.reviews, key=lambda r: order.get(r.member_id, 1 << 30)):
        cells: list[Any] = [
            Paragraph(esc(review.title), styles.cell),
            words(review.status) or DASH,
            Paragraph(esc(or_dash(review.comment)), styles.cell),
        ]
        if with_member:
            name = names.get(review.member_id, f"Member {review.member_id}")
            cells.insert(0, Paragraph(esc(name), styles.cell))
        rows.append(cells)
    widths = [120, 130, 62] if with_member else [170, 62]
    widths.append(FRAME_WIDTH - sum(widths))
    return grid_table(rows, widths)


def session_record_story(doc: SessionDocument) -> list[Flowable]:
    """The flowables of the session record (for :func:`write_session_record` or bytes)."""
    styles = stylesheet()
    record = doc.record
    note = record.group_note
    facts = session_facts(record, doc.facilitator, doc.co_facilitator, doc.time_zone)
    facts.append(
        ("Participants", f"Present {len(record.present)} of {len(record.attendance)} enrolled")
    )
    facts.append(("State", "Signed" if doc.signed else "Draft — not signed"))
    story: list[Flowable] = [
        Paragraph(esc(doc.program), styles.subtitle),
        Paragraph("Group session record", styles.title),
        Paragraph(f"{esc(record.group_name)} · {record.date.isoformat()}", styles.subtitle),
        Spacer(1, 6),
        facts_table(facts, styles),
        *section("Parts of the session", styles),
        _parts_table(record, styles),
        *section("Attendance", styles),
        _attendance_table(record, styles, doc.time_zone),
        *section("Check-in", styles),
        _check_in_table(record, styles),
        *section("Skill work", styles),
        *labelled("Topic", note.topic if note else "", styles),
        *labelled("Interventions", note.interventions if note else "", styles),
        Paragraph("Group narrative", styles.subheading),
        *long_text(or_dash(note.narrative if note else ""), styles.body),
        *section("Individual notes", styles),
        *_notes(record, styles),
        *section("Homework assigned", styles),
        *_homework(record, styles),
        *section("Summary", styles),
        *long_text(or_dash(note.summary if note else ""), styles.body),
        *section("Homework reviewed", styles),
        reviews_table(record, styles),
        *signature_block(record, styles, doc.time_zone),
    ]
    return story


def session_record_title(doc: SessionDocument) -> str:
    """The PDF's title metadata: group and date, never a member's name."""
    return f"Session record {doc.record.group_name} {doc.record.date.isoformat()}"


def session_record_bytes(doc: SessionDocument, *, printed_on: dt.date | None = None) -> bytes:
    return build_pdf_bytes(
        session_record_story(doc),
        title=session_record_title(doc),
        program=doc.program,
        printed_on=printed_on,
        watermark=None if doc.signed else DRAFT_WATERMARK,
        stamp=root_stamp(doc.root_fingerprint, doc.laptop_root) if doc.signed else "",
    )


def write_session_record(
    path: str | os.PathLike[str], doc: SessionDocument, *, printed_on: dt.date | None = None
) -> Path:
    """Write the session record to ``path`` (atomically); a draft is watermarked on every page."""
    return write_atomically(path, session_record_bytes(doc, printed_on=printed_on))


__all__ = [
    "DRAFT_WATERMARK",
    "session_record_bytes",
    "session_record_story",
    "session_record_title",
    "write_session_record",
]
