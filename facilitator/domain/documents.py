"""What the printed documents hold, assembled by the services and drawn by facilitator.export.

Each document is plain data: the export package turns it into a PDF and never asks the
database for anything, so a document can be built (and tested) from these records alone.
The derived facts a chart needs (minutes attended, part times, a member's share of a
session) are worked out here once, so the PDF, the screen and the report agree.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from facilitator.domain.enums import PHASE_ORDER, AttendanceStatus, Phase
from facilitator.domain.records import (
    AttendanceRecord,
    Completion,
    GroupNoteRecord,
    SessionRecord,
)
from facilitator.domain.rules import to_local

DEFAULT_WEEKLY_MINIMUM_MINUTES = 9 * 60  # IOP: at least 9 hours of services a week (ASAM 2.1)
OTHER_MEMBER = "[another member]"


# ----------------------------------------------------------------------------- session facts


def _at(day: dt.date, moment: dt.datetime | dt.time | None, zone: str) -> dt.datetime | None:
    """A session time on the clinic's wall clock: stored timestamps are UTC, the scheduled
    times and arrivals are wall-clock times already."""
    if moment is None:
        return None
    if isinstance(moment, dt.datetime):
        return to_local(moment, zone)
    return dt.datetime.combine(day, moment)


def session_span(
    record: SessionRecord, zone: str = ""
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """When the session ran, in local time: actual start and end where recorded, else the
    scheduled times."""
    start = _at(record.date, record.actual_start, zone) or _at(
        record.date, record.scheduled_start, zone
    )
    end = _at(record.date, record.actual_end, zone) or _at(record.date, record.scheduled_end, zone)
    return start, end


def session_minutes(record: SessionRecord) -> int | None:
    start, end = session_span(record, "UTC")  # a duration: any one zone will do
    if start is None or end is None or end < start:
        return None
    return round((end - start).total_seconds() / 60)


def minutes_attended(record: SessionRecord, row: AttendanceRecord, zone: str = "") -> int:
    """A member's minutes in the session: from arrival (if late) to departure (if left early),
    arrival and departure being wall-clock times in the clinic's zone."""
    if row.status is None or not row.status.attended:
        return 0
    start, end = session_span(record, zone)
    if start is None or end is None:
        return 0
    if row.status is AttendanceStatus.LATE and row.arrival is not None:
        start = max(start, dt.datetime.combine(record.date, row.arrival))
    if row.status is AttendanceStatus.LEFT_EARLY and row.departure is not None:
        end = min(end, dt.datetime.combine(record.date, row.departure))
    return max(0, round((end - start).total_seconds() / 60))


@dataclass(frozen=True)
class PartTimes:
    phase: Phase
    planned_minutes: int
    actual_minutes: int | None  # None: the part was never started


def part_times(record: SessionRecord) -> tuple[PartTimes, ...]:
    """Planned and actual minutes of the three parts (going back to a part adds its time)."""
    times = []
    for phase in PHASE_ORDER:
        stretches = [p for p in record.phases if p.phase is phase]
        planned = stretches[0].planned_minutes if stretches else 0
        spent = [
            (p.ended_at - p.started_at).total_seconds()
            for p in stretches
            if p.started_at is not None and p.ended_at is not None
        ]
        actual = round(sum(spent) / 60) if spent else None
        times.append(PartTimes(phase, planned, actual))
    return tuple(times)


# ----------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class SessionDocument:
    """The group note as a chart holds it: the whole session and its signatures."""

    program: str
    record: SessionRecord
    facilitator: str  # "Full Name, CREDENTIALS"
    co_facilitator: str | None
    time_zone: str = (
        ""  # the clinic's IANA zone for printing stored UTC times; "" = this computer's
    )
    # The clinic's root key's fingerprint, printed in the footer of a signed record so `check
    # --root` can later be run against paper (store.signing_keys).
    root_fingerprint: str = ""
    # For a session signed on a laptop and moved onto the server (`server import`): the
    # laptop's root key's fingerprint, which certified the keys it was signed with.
    laptop_root: str = ""

    @property
    def signed(self) -> bool:
        return bool(self.record.signatures)


@dataclass(frozen=True)
class MemberNoteDocument:
    """One member's part of one session, for that member's chart.

    ``record`` holds only this member's rows; the group's narrative and summary are left out
    and any other member's name or record number in the text kept is replaced.
    """

    program: str
    record: SessionRecord
    member_id: int
    member_name: str
    record_number: str
    facilitator: str
    co_facilitator: str | None
    time_zone: str = ""
    root_fingerprint: str = ""  # as on SessionDocument
    laptop_root: str = ""  # as on SessionDocument

    @property
    def signed(self) -> bool:
        return bool(self.record.signatures)


@dataclass(frozen=True)
class SignInSheet:
    program: str
    group_name: str
    date: dt.date
    start: dt.time | None
    facilitator: str
    names: tuple[str, ...]  # preferred name and last initial, e.g. "Zoë N."


@dataclass(frozen=True)
class ReportSession:
    id: int
    group_name: str
    date: dt.date
    topic: str
    minutes: int | None
    signed: bool
    facilitator: str
    present: int
    rostered: int


@dataclass(frozen=True)
class ReportMember:
    member_id: int
    name: str
    group_name: str
    # One mark per session of the member's group in the range, in the group's session order:
    # an attendance status value, or "" when the member was not on that day's roster.
    attendance: tuple[str, ...]
    weekly_minutes: tuple[tuple[dt.date, int], ...]  # Monday of each week, minutes attended
    completion: Completion
    mood: tuple[tuple[dt.date, int], ...]
    craving: tuple[tuple[dt.date, int], ...]


@dataclass(frozen=True)
class ReportGroup:
    group_id: int
    name: str
    sessions: tuple[ReportSession, ...]
    members: tuple[ReportMember, ...]


@dataclass(frozen=True)
class SafetyEntry:
    session_id: int
    date: dt.date
    group_name: str
    member_name: str
    follow_up: str
    signed: bool


@dataclass(frozen=True)
class LeadReport:
    program: str
    date_from: dt.date
    date_to: dt.date
    scope: str  # "All groups" or the group's name
    weekly_minimum_minutes: int
    sessions: tuple[ReportSession, ...]
    groups: tuple[ReportGroup, ...]
    safety: tuple[SafetyEntry, ...]
    # The audit trail's head (COUNT:HASH) when the summary was made: kept on paper, it lets
    # `facilitator audit verify --head` show later that no newer entry was cut off.
    audit_head: str = ""

    @property
    def unsigned(self) -> tuple[ReportSession, ...]:
        return tuple(s for s in self.sessions if not s.signed)

    def weeks(self) -> tuple[dt.date, ...]:
        """The Monday of every week the range touches."""
        first = self.date_from - dt.timedelta(days=self.date_from.weekday())
        count = (self.date_to - first).days // 7 + 1
        return tuple(first + dt.timedelta(weeks=n) for n in range(count))


# ----------------------------------------------------------------------------- one member's view


def name_and_initial(first_or_preferred: str, last_name: str) -> str:
    """How a sign-in sheet names a member: "Zoë N." (preferred first name, last initial)."""
    last = last_name.strip()
    return f"{first_or_preferred.strip()} {last[:1]}." if last else first_or_preferred.strip()


def redact(text: str, others: list[str]) -> str:
    """Replace every other member's name part or record number in text, whole words only."""
    for word in sorted({o for o in others if len(o.strip()) >= 2}, key=len, reverse=True):
        pattern = rf"(?<!\w){re.escape(word.strip())}(?!\w)"
        text = re.sub(pattern, OTHER_MEMBER, text, flags=re.IGNORECASE)
    return text


def other_members_words(record: SessionRecord, member_id: int) -> list[str]:
    """Each other rostered member's name parts and record number, as redact() takes them."""
    words: list[str] = []
    own = record.attendance_of(member_id)
    own_parts = set(own.display_name.casefold().split()) if own else set()
    for row in record.attendance:
        if row.member_id == member_id:
            continue
        words.append(row.display_name)
        words.extend(p for p in row.display_name.split() if p.casefold() not in own_parts)
        if row.record_number:
            words.append(row.record_number)
    return words


def member_view(record: SessionRecord, member_id: int) -> SessionRecord:
    """The session as one member's chart may hold it: their rows only, others' names removed."""
    others = other_members_words(record, member_id)

    def clean(value: object) -> object:
        return redact(value, others) if isinstance(value, str) else value

    def mine(rows: tuple[object, ...]) -> tuple[object, ...]:
        kept = [r for r in rows if getattr(r, "member_id", None) == member_id]
        return tuple(
            replace(r, **{k: clean(v) for k, v in vars(r).items() if isinstance(v, str)})  # type: ignore[type-var]
            for r in kept
        )

    note = record.group_note
    group_note = (
        None
        if note is None
        else GroupNoteRecord(
            topic_item_id=note.topic_item_id,
            topic=redact(note.topic, others),
            interventions=redact(note.interventions, others),
            narrative="",
            summary="",
        )
    )
    attendance = tuple(r for r in record.attendance if r.member_id == member_id)
    return replace(
        record,
        attendance=attendance,
        check_ins=mine(record.check_ins),  # type: ignore[arg-type]
        member_notes=mine(record.member_notes),  # type: ignore[arg-type]
        assignments=mine(record.assignments),  # type: ignore[arg-type]
        reviews=mine(record.reviews),  # type: ignore[arg-type]
        group_note=group_note,
        addenda=tuple(
            replace(a, text=redact(a.text, others), reason=redact(a.reason, others))
            for a in record.addenda
        ),
    )


# ----------------------------------------------------------------------------- the lead's report


def _week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _report_session(record: SessionRecord, facilitators: dict[int, str]) -> ReportSession:
    return ReportSession(
        id=record.id,
        group_name=record.group_name,
        date=record.date,
        topic=record.group_note.topic if record.group_note else "",
        minutes=session_minutes(record),
        signed=bool(record.signatures),
        facilitator=facilitators.get(record.facilitator_id, ""),
        present=len(record.present),
        rostered=len(record.attendance),
    )


def _weekly_minutes(records: list[SessionRecord], zone: str) -> dict[int, dict[dt.date, int]]:
    """Minutes attended per member per week, across every group, for the weeks they were
    on a roster (a week before admission is not a week below the minimum)."""
    weekly: dict[int, dict[dt.date, int]] = {}
    for record in records:
        week = _week_of(record.date)
        for row in record.attendance:
            by_week = weekly.setdefault(row.member_id, {})
            by_week[week] = by_week.get(week, 0) + minutes_attended(record, row, zone)
    return weekly


def _report_member(
    member_id: int,
    group_records: list[SessionRecord],
    weekly: dict[dt.date, int],
) -> ReportMember:
    name = ""
    marks: list[str] = []
    counts = {"done": 0, "partly": 0, "not_done": 0}
    mood: list[tuple[dt.date, int]] = []
    craving: list[tuple[dt.date, int]] = []
    for record in group_records:
        row = record.attendance_of(member_id)
        marks.append(row.status.value if row is not None and row.status is not None else "")
        if row is not None:
            name = row.display_name
        for review in record.reviews:
            if review.member_id == member_id and review.status in counts:
                counts[review.status] += 1
        for check_in in record.check_ins:
            if check_in.member_id != member_id:
                continue
            if check_in.mood is not None:
                mood.append((record.date, check_in.mood))
            if check_in.craving is not None:
                craving.append((record.date, check_in.craving))
    return ReportMember(
        member_id=member_id,
        name=name,
        group_name=group_records[0].group_name,
        attendance=tuple(marks),
        weekly_minutes=tuple(sorted(weekly.items())),
        completion=Completion(**counts),
        mood=tuple(mood),
        craving=tuple(craving),
    )


def build_lead_report(
    *,
    program: str,
    date_from: dt.date,
    date_to: dt.date,
    scope: str,
    weekly_minimum_minutes: int,
    records: list[SessionRecord],
    facilitators: dict[int, str],
    time_zone: str = "",
    audit_head: str = "",
) -> LeadReport:
    """The clinical lead's summary of the sessions held in a range, worked out from them."""
    records = sorted(records, key=lambda r: (r.date, r.group_name, r.id))
    weekly = _weekly_minutes(records, time_zone)
    by_group: dict[int, list[SessionRecord]] = {}
    for record in records:
        by_group.setdefault(record.group_id, []).append(record)
    groups = []
    for group_id, group_records in sorted(by_group.items(), key=lambda g: g[1][0].group_name):
        member_ids = list(dict.fromkeys(r.member_id for g in group_records for r in g.attendance))
        members = [_report_member(m, group_records, weekly.get(m, {})) for m in member_ids]
        groups.append(
            ReportGroup(
                group_id=group_id,
                name=group_records[0].group_name,
                sessions=tuple(_report_session(r, facilitators) for r in group_records),
                members=tuple(sorted(members, key=lambda m: m.name.casefold())),
            )
        )
    safety = tuple(
        SafetyEntry(
            session_id=record.id,
            date=record.date,
            group_name=record.group_name,
            member_name=row.display_name if row else "",
            follow_up=check_in.safety_follow_up,
            signed=bool(record.signatures),
        )
        for record in records
        for check_in in record.check_ins
        if check_in.safety_concern
        for row in (record.attendance_of(check_in.member_id),)
    )
    return LeadReport(
        program=program,
        date_from=date_from,
        date_to=date_to,
        scope=scope,
        weekly_minimum_minutes=weekly_minimum_minutes,
        sessions=tuple(_report_session(r, facilitators) for r in records),
        groups=tuple(groups),
        safety=safety,
        audit_head=audit_head,
    )
