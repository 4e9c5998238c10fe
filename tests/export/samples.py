"""Realistic, entirely fictitious documents built straight from the domain dataclasses.

No database: each function returns the plain data a service would hand the export package.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import re
from dataclasses import replace

from pypdf import PdfReader

from facilitator.domain.documents import (
    DEFAULT_WEEKLY_MINIMUM_MINUTES,
    LeadReport,
    MemberNoteDocument,
    ReportGroup,
    ReportMember,
    ReportSession,
    SafetyEntry,
    SessionDocument,
    SignInSheet,
    member_view,
    name_and_initial,
)
from facilitator.domain.enums import (
    AttendanceStatus,
    Location,
    Participation,
    Phase,
    ReviewStatus,
    SessionMode,
    SessionState,
    SignatureKind,
    Track,
    UseSinceLast,
)
from facilitator.domain.records import (
    AddendumRecord,
    AssignmentRecord,
    AttendanceRecord,
    CheckInRecord,
    Completion,
    GroupNoteRecord,
    MemberNoteRecord,
    PhaseRecord,
    ReviewRecord,
    SessionRecord,
    SignatureRecord,
    addendum_hash,
    content_hash,
)

PROGRAM = "Harbor Light IOP"
GROUP = "Tuesday Evening Recovery Skills"
DAY = dt.date(2026, 3, 3)
PRINTED = dt.date(2026, 3, 9)
FACILITATOR = "Wren Applethwaite, LCSW"
CO_FACILITATOR = "Jasper Kettleby, CADC-II"
LEAD = "Hazel Oakenshaw, LPC-S"

S = AttendanceStatus
IN, TELE = Location.IN_PERSON, Location.TELEHEALTH

# (first or preferred, last, record number, status, arrival, departure, location, late joiner)
MEMBERS: tuple[tuple[str, str, str, S, str | None, str | None, Location, bool], ...] = (
    ("Zoë", "Nguyễn-Fable", "HL-1001", S.PRESENT, None, None, IN, False),
    ("Marcus", "Quillfeather", "HL-1002", S.LATE, "18:22", None, IN, False),
    ("Priya", "Bramblewood", "HL-1003", S.LEFT_EARLY, None, "19:40", IN, False),
    ("Tomasz", "Thistledown", "HL-1004", S.ABSENT, None, None, IN, False),
    ("Odessa", "Fernsby", "HL-1005", S.EXCUSED, None, None, IN, False),
    ("Jonah", "Larkspur", "HL-1006", S.PRESENT, None, None, TELE, False),
    ("Rosalind", "Mistlecombe", "HL-1007", S.PRESENT, None, None, IN, False),
    ("Elias", "Wickersham", "HL-1008", S.PRESENT, None, None, IN, True),
    ("Nadia", "Puddlestone", "HL-1009", S.PRESENT, None, None, IN, False),
    ("Felix", "Hollowmere", "HL-1010", S.PRESENT, None, None, IN, False),
    ("Greta", "Tumblewick", "HL-1011", S.PRESENT, None, None, TELE, False),
    ("Amos", "Pennywhistle", "HL-1012", S.ABSENT, None, None, IN, False),
)
ZOE = 1
MARCUS = 2
NADIA = 9
PRESENT_IDS = (1, 2, 3, 6, 7, 8, 9, 10, 11)

GROUP_HOMEWORK = "Urge surfing log"
GROUP_HOMEWORK_TEXT = "Note each urge this week: time, trigger, strength 0–10, what you did."
DUE = dt.date(2026, 3, 10)
ADDENDUM_TEXT = (
    "Nadia called the clinic the next morning; the safety plan was reviewed again by phone "
    "and she confirmed her sponsor's number."
)
NARRATIVE = (
    "The group practised urge surfing after a short psychoeducation piece on the wave shape of "
    "cravings. Marcus Quillfeather described using the skill at work; Priya Bramblewood and "
    "Zoë Nguyễn-Fable role-played declining a drink at a family event."
)
SUMMARY = "Members named one high-risk situation for the week and the skill they will use."


def _t(text: str | None) -> dt.time | None:
    return dt.time.fromisoformat(text) if text else None


def _at(hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour, minute))


def attendance() -> tuple[AttendanceRecord, ...]:
    return tuple(
        AttendanceRecord(
            member_id=i,
            display_name=f"{first} {last}",
            record_number=number,
            status=status,
            arrival=_t(arrival),
            departure=_t(departure),
            location=location,
            late_joiner=late,
        )
        for i, (first, last, number, status, arrival, departure, location, late) in enumerate(
            MEMBERS, start=1
        )
    )


def name_of(member_id: int) -> str:
    first, last = MEMBERS[member_id - 1][:2]
    return f"{first} {last}"


CHECK_IN_ISSUES = {
    1: "Sister's wedding next month; worried about the open bar.",
    2: "Night shifts again, sleeping badly.",
    3: "Court date on Friday; leaving early for the lawyer.",
    6: "Joined from home; car in the shop.",
    7: "Three weeks without a drink; proud of it.",
    8: "New to the group, a little nervous.",
    9: "Hard weekend after an argument with her partner.",
    10: "Looking for work; two interviews lined up.",
    11: "Back pain, missed a walk or two.",
}


def check_ins() -> tuple[CheckInRecord, ...]:
    rows = []
    for member_id in PRESENT_IDS:
        rows.append(
            CheckInRecord(
                member_id=member_id,
                mood=(member_id * 3) % 10 + 1,
                craving=None if member_id == 6 else (member_id * 7) % 9,
                use_since_last=UseSinceLast.YES if member_id == 10 else UseSinceLast.NO,
                use_detail="one beer on Saturday" if member_id == 10 else "",
                safety_concern=member_id == NADIA,
                safety_follow_up=(
                    "Safety plan reviewed after group; crisis line card given."
                    if member_id == NADIA
                    else ""
                ),
                homework_review="Did the trigger map on two evenings." if member_id == ZOE else "",
                current_issue=CHECK_IN_ISSUES[member_id],
            )
        )
    return tuple(rows)


def note_text(member_id: int) -> MemberNoteRecord:
    name = name_of(member_id).split()[0]
    return MemberNoteRecord(
        member_id=member_id,
        data=f"{name} rated mood and craving at check-in and took part in the urge-surfing "
        f"practice (note {member_id}).",
        assessment=f"Engaged; applies the skill to a named trigger (assessment {member_id}).",
        plan=f"Continue weekly; practise urge surfing daily (plan {member_id}).",
        participation=Participation.ACTIVE if member_id % 2 else Participation.MODERATE,
        goal_id=100 + member_id,
        goal_text=f"Goal {member_id}: ninety days without alcohol",
    )


def phases() -> tuple[PhaseRecord, ...]:
    return (
        PhaseRecord(Phase.CHECK_IN, 45, _at(18, 3), _at(18, 51)),
        PhaseRecord(Phase.SKILL_WORK, 90, _at(18, 51), _at(20, 14)),
        PhaseRecord(Phase.SUMMARY, 45, _at(20, 14), _at(20, 58)),
    )


def assignments() -> tuple[AssignmentRecord, ...]:
    rows = [
        AssignmentRecord(
            id=200 + member_id,
            member_id=member_id,
            item_id=7,
            title=GROUP_HOMEWORK,
            instructions=GROUP_HOMEWORK_TEXT,
            due_date=DUE,
        )
        for member_id in PRESENT_IDS
    ]
    rows.append(
        AssignmentRecord(301, ZOE, 9, "Values card sort", "Pick your top five values.", DUE)
    )
    rows.append(
        AssignmentRecord(
            302, MARCUS, None, "Sleep diary", "Bedtime, wake time, naps.", dt.date(2026, 3, 17)
        )
    )
    return tuple(rows)


def reviews() -> tuple[ReviewRecord, ...]:
    return (
        ReviewRecord(150, ZOE, "Trigger map", ReviewStatus.DONE, "Mapped three triggers at home."),
        ReviewRecord(
            151, MARCUS, "Coping card", ReviewStatus.PARTLY, "Wrote it, did not carry it."
        ),
        ReviewRecord(
            152, 3, "Thought record", ReviewStatus.NOT_DONE, "Court preparation took the week."
        ),
    )


def session_record(*, signed: bool = True) -> SessionRecord:
    record = SessionRecord(
        id=41,
        group_id=3,
        group_name=GROUP,
        track=Track.SUBSTANCE_USE,
        group_type="relapse_prevention",
        date=DAY,
        scheduled_start=dt.time(18, 0),
        scheduled_end=dt.time(21, 0),
        actual_start=_at(18, 3),
        actual_end=_at(20, 58),
        mode=SessionMode.HYBRID,
        facilitator_id=1,
        co_facilitator_id=2,
        state=SessionState.SIGNED if signed else SessionState.DRAFT,
        current_phase=Phase.SUMMARY,
        attendance=attendance(),
        check_ins=check_ins(),
        member_notes=tuple(note_text(i) for i in PRESENT_IDS),
        group_note=GroupNoteRecord(
            topic_item_id=7,
            topic="Urge surfing",
            interventions="Psychoeducation on cravings; guided urge-surfing practice; role-play.",
            narrative=NARRATIVE,
            summary=SUMMARY,
        ),
        phases=phases(),
        assignments=assignments(),
        reviews=reviews(),
    )
    if not signed:
        return record
    sealed = content_hash(record, 1)  # a record built here is not frozen: the first kind of seal
    signed_at = dt.datetime(2026, 3, 4, 2, 15)
    added_at = dt.datetime(2026, 3, 4, 15, 40)
    return replace(
        record,
        signatures=(
            SignatureRecord(1, FACILITATOR, SignatureKind.SIGN, signed_at, sealed),
            SignatureRecord(5, LEAD, SignatureKind.COSIGN, dt.datetime(2026, 3, 4, 14, 5), sealed),
        ),
        addenda=(
            AddendumRecord(
                id=1,
                author_id=1,
                signer=FACILITATOR,
                signed_at=added_at,
                reason="Late entry: follow-up call",
                text=ADDENDUM_TEXT,
                content_hash=addendum_hash(
                    sealed, 1, added_at, "Late entry: follow-up call", ADDENDUM_TEXT
                ),
            ),
        ),
    )


def session_document(
    *, signed: bool = True, record: SessionRecord | None = None, time_zone: str = "UTC"
) -> SessionDocument:
    return SessionDocument(
        program=PROGRAM,
        record=record if record is not None else session_record(signed=signed),
        facilitator=FACILITATOR,
        co_facilitator=CO_FACILITATOR,
        time_zone=time_zone,
    )


def with_note(record: SessionRecord, member_id: int, **fields: str) -> SessionRecord:
    """The record with one member's note fields replaced."""
    notes = tuple(
        replace(n, **fields) if n.member_id == member_id else n for n in record.member_notes
    )
    return replace(record, member_notes=notes)


def member_note_document(
    member_id: int = ZOE, *, signed: bool = True, record: SessionRecord | None = None
) -> MemberNoteDocument:
    """Built the way the service builds it: member_view of the whole record."""
    full = record if record is not None else session_record(signed=signed)
    row = full.attendance_of(member_id)
    assert row is not None
    return MemberNoteDocument(
        program=PROGRAM,
        record=member_view(full, member_id),
        member_id=member_id,
        member_name=row.display_name,
        record_number=row.record_number,
        facilitator=FACILITATOR,
        co_facilitator=CO_FACILITATOR,
        time_zone="UTC",
    )


def sign_in_sheet() -> SignInSheet:
    return SignInSheet(
        program=PROGRAM,
        group_name=GROUP,
        date=DAY,
        start=dt.time(18, 0),
        facilitator=FACILITATOR,
        names=tuple(name_and_initial(first, last) for first, last, *_ in MEMBERS),
    )


# ----------------------------------------------------------------------------- lead report

FIRSTS = (
    "Zoë", "Marcus", "Priya", "Tomasz", "Odessa", "Jonah", "Rosalind", "Elias", "Nadia",
    "Felix", "Greta", "Amos", "Ines", "Bartholomew", "Celestine", "Dmitri",
)  # fmt: skip
LASTS = (
    "Nguyễn-Fable", "Quillfeather", "Bramblewood", "Thistledown", "Fernsby", "Larkspur",
    "Mistlecombe", "Wickersham", "Puddlestone", "Hollowmere", "Tumblewick", "Pennywhistle",
    "Gorsebrook", "Honeysett", "Marrowby", "Oddingley",
)  # fmt: skip
GROUP_NAMES = ("Monday Morning Skills", "Tuesday Evening Recovery Skills", "Thursday DBT Group")
TOPICS = (
    "Urge surfing", "Cognitive distortions", "Sleep and recovery", "Refusal skills",
    "Distress tolerance: TIPP", "Values", "Relapse warning signs", "Building a support network",
)  # fmt: skip
STATUS_CYCLE = ("present",) * 7 + ("late", "left_early", "absent", "excused")
REPORT_FROM = dt.date(2026, 1, 5)  # a Monday


def lead_report(
    *,
    groups: int = 3,
    weeks: int = 13,
    members_per_group: int = 8,
    sessions_per_week: int = 3,
    minutes_per_session: int = 200,
    seed: int = 7,
) -> LeadReport:
    """A program's quarter: each group meets ``sessions_per_week`` times a week."""
    rng = random.Random(seed)
    date_to = REPORT_FROM + dt.timedelta(weeks=weeks, days=-1)
    all_sessions: list[ReportSession] = []
    report_groups: list[ReportGroup] = []
    safety: list[SafetyEntry] = []
    session_id = 1
    member_id = 1
    for g in range(groups):
        name = GROUP_NAMES[g] if g < len(GROUP_NAMES) else f"Group {g + 1:02d} Skills"
        days = [
            REPORT_FROM + dt.timedelta(weeks=w, days=d * 2 + g % 2)
            for w in range(weeks)
            for d in range(sessions_per_week)
        ]
        members = [
            (member_id + i, f"{FIRSTS[(g + i) % len(FIRSTS)]} {LASTS[(g * 3 + i) % len(LASTS)]}")
            for i in range(members_per_group)
        ]
        member_id += members_per_group
        marks: dict[int, list[str]] = {mid: [] for mid, _ in members}
        sessions: list[ReportSession] = []
        for index, day in enumerate(days):
            present = 0
            for position, (mid, _) in enumerate(members):
                joined = position < members_per_group - 2 or index >= 6  # two joined later
                mark = rng.choice(STATUS_CYCLE) if joined else ""
                marks[mid].append(mark)
                present += mark in ("present", "late", "left_early")
            signed = not (g == 0 and index >= len(days) - 2)
            session = ReportSession(
                id=session_id,
                group_name=name,
                date=day,
                topic=TOPICS[index % len(TOPICS)],
                minutes=minutes_per_session,
                signed=signed,
                facilitator=FACILITATOR if g % 2 == 0 else CO_FACILITATOR,
                present=present,
                rostered=sum(1 for mid, _ in members if marks[mid][-1]),
            )
            session_id += 1
            sessions.append(session)
        report_members: list[ReportMember] = []
        for mid, member_name in members:
            weekly: dict[dt.date, int] = {}
            mood: list[tuple[dt.date, int]] = []
            craving: list[tuple[dt.date, int]] = []
            level, urge = rng.randint(3, 7), rng.randint(1, 6)
            for session, mark in zip(sessions, marks[mid], strict=True):
                monday = session.date - dt.timedelta(days=session.date.weekday())
                if mark:
                    weekly.setdefault(monday, 0)
                if mark in ("present", "late", "left_early"):
                    weekly[monday] += minutes_per_session - (40 if mark != "present" else 0)
                    level = min(10, max(0, level + rng.choice((-2, -1, 0, 0, 1, 1, 2))))
                    urge = min(10, max(0, urge + rng.choice((-2, -1, -1, 0, 1, 2))))
                    mood.append((session.date, level))
                    if mid % 5:
                        craving.append((session.date, urge))
            done = rng.randint(0, 8)
            report_members.append(
                ReportMember(
                    member_id=mid,
                    name=member_name,
                    group_name=name,
                    attendance=tuple(marks[mid]),
                    weekly_minutes=tuple(sorted(weekly.items())),
                    completion=Completion(done, rng.randint(0, 3), rng.randint(0, 3)),
                    mood=tuple(mood),
                    craving=tuple(craving),
                )
            )
            if mid % 7 == 0:
                safety.append(
                    SafetyEntry(
                        session_id=sessions[3].id,
                        date=sessions[3].date,
                        group_name=name,
                        member_name=member_name,
                        follow_up="" if mid % 14 == 0 else "Safety plan reviewed; called next day.",
                        signed=sessions[3].signed,
                    )
                )
        all_sessions += sessions
        report_groups.append(
            ReportGroup(
                group_id=g + 1,
                name=name,
                sessions=tuple(sessions),
                members=tuple(report_members),
            )
        )
    return LeadReport(
        program=PROGRAM,
        date_from=REPORT_FROM,
        date_to=date_to,
        scope="All groups",
        weekly_minimum_minutes=DEFAULT_WEEKLY_MINIMUM_MINUTES,
        sessions=tuple(all_sessions),
        groups=tuple(report_groups),
        safety=tuple(safety),
    )


# ----------------------------------------------------------------------------- reading back


def page_texts(source: bytes | str | os.PathLike[str]) -> list[str]:
    """Each page's extracted text, whitespace collapsed."""
    reader = PdfReader(io.BytesIO(source) if isinstance(source, bytes) else source)
    return [squash(page.extract_text() or "") for page in reader.pages]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
