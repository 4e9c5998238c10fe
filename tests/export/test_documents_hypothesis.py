"""Whatever text a user types into any free-text field, every document still builds."""

from __future__ import annotations

import dataclasses
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from facilitator.domain.documents import (
    LeadReport,
    MemberNoteDocument,
    SafetyEntry,
    SessionDocument,
    SignInSheet,
    member_view,
)
from facilitator.domain.records import SessionRecord
from facilitator.export.lead_report import lead_report_bytes
from facilitator.export.member_note import member_note_bytes
from facilitator.export.session_record import session_record_bytes
from facilitator.export.sign_in import sign_in_bytes
from tests.export import samples

MARKUP = [
    "<para>",
    "</para>",
    "</b>",
    "<b>",
    "&amp;",
    "&",
    "&#0;",
    "&nbsp;",
    "<font name=x>",
    "<font size=400>",
    '<img src="http://127.0.0.1:9/x.png"/>',
    "<br/>",
    "<a href='javascript:x'>",
    "<",
    ">",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\r\n",
    "\t",
    "\u202e",
    "\u200b",
    "\ufeff",
    "\x85",
    "\u2028",
    "🙂",
    "Zoë Nguyễn",
    "ﷺ",
    "x" * 300,
]

# Arbitrary Unicode, markup-like pieces, and mixtures of both.
text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(MARKUP),
    st.lists(st.one_of(st.sampled_from(MARKUP), st.text(max_size=12)), max_size=6).map("".join),
)


def _few(record: SessionRecord, keep: set[int]) -> SessionRecord:
    def mine(rows: tuple[object, ...]) -> tuple[object, ...]:
        return tuple(r for r in rows if getattr(r, "member_id", None) in keep)

    return dataclasses.replace(
        record,
        attendance=mine(record.attendance),  # type: ignore[arg-type]
        check_ins=mine(record.check_ins),  # type: ignore[arg-type]
        member_notes=mine(record.member_notes),  # type: ignore[arg-type]
        assignments=mine(record.assignments),  # type: ignore[arg-type]
        reviews=mine(record.reviews),  # type: ignore[arg-type]
    )


# A small record (five members: present, late, left early, absent, excused), built once;
# each example replaces all of its text.
BASE = _few(samples.session_record(), {1, 2, 3, 4, 5})
SMALL_REPORT = samples.lead_report(groups=1, weeks=2, members_per_group=3)


@dataclasses.dataclass
class Texts:
    """A source of drawn strings, one per field."""

    draw: st.DrawFn

    def __call__(self) -> str:
        return self.draw(text)


def scribble(record: SessionRecord, t: Texts) -> SessionRecord:
    """Every free-text field of the record replaced by drawn text."""
    attendance = tuple(
        dataclasses.replace(a, display_name=t(), record_number=t()) for a in record.attendance
    )
    check_ins = tuple(
        dataclasses.replace(
            c,
            use_since_last=t(),
            use_detail=t(),
            safety_follow_up=t(),
            homework_review=t(),
            current_issue=t(),
        )
        for c in record.check_ins
    )
    notes = tuple(
        dataclasses.replace(n, data=t(), assessment=t(), plan=t(), participation=t(), goal_text=t())
        for n in record.member_notes
    )
    assert record.group_note is not None
    group_note = dataclasses.replace(
        record.group_note, topic=t(), interventions=t(), narrative=t(), summary=t()
    )
    assignments = tuple(
        dataclasses.replace(a, title=t(), instructions=t()) for a in record.assignments
    )
    reviews = tuple(
        dataclasses.replace(r, title=t(), status=t(), comment=t()) for r in record.reviews
    )
    signatures = tuple(dataclasses.replace(s, signer=t()) for s in record.signatures)
    addenda = tuple(
        dataclasses.replace(a, signer=t(), reason=t(), text=t()) for a in record.addenda
    )
    return dataclasses.replace(
        record,
        group_name=t(),
        group_type=t(),
        attendance=attendance,
        check_ins=check_ins,
        member_notes=notes,
        group_note=group_note,
        assignments=assignments,
        reviews=reviews,
        signatures=signatures,
        addenda=addenda,
    )


def scribble_report(report: LeadReport, t: Texts) -> LeadReport:
    groups = tuple(
        dataclasses.replace(
            g,
            name=t(),
            sessions=tuple(
                dataclasses.replace(s, group_name=t(), topic=t(), facilitator=t())
                for s in g.sessions
            ),
            members=tuple(dataclasses.replace(m, name=t(), group_name=t()) for m in g.members),
        )
        for g in report.groups
    )
    sessions = tuple(s for g in groups for s in g.sessions)
    safety = tuple(SafetyEntry(s.id, s.date, t(), t(), t(), s.signed) for s in sessions[:3])
    return dataclasses.replace(
        report, program=t(), scope=t(), groups=groups, sessions=sessions, safety=safety
    )


def pages(data: bytes) -> int:
    assert data.startswith(b"%PDF")
    return len(PdfReader(io.BytesIO(data)).pages)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_every_document_builds_from_any_text(data: st.DataObject) -> None:
    t = Texts(data.draw)
    program, facilitator, co = t(), t(), t()
    signed = data.draw(st.booleans())
    record = scribble(BASE if signed else dataclasses.replace(BASE, signatures=(), addenda=()), t)

    session = SessionDocument(program, record, facilitator, co)
    assert pages(session_record_bytes(session)) >= 1

    member = record.attendance[0]
    note = MemberNoteDocument(
        program,
        member_view(record, member.member_id),
        member.member_id,
        member.display_name,
        member.record_number,
        facilitator,
        co,
    )
    assert pages(member_note_bytes(note)) >= 1

    sheet = SignInSheet(
        program,
        record.group_name,
        record.date,
        record.scheduled_start,
        facilitator,
        tuple(a.display_name for a in record.attendance),
    )
    assert pages(sign_in_bytes(sheet)) >= 1

    assert pages(lead_report_bytes(scribble_report(SMALL_REPORT, t))) >= 1
