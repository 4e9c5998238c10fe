"""Read views of the records, assembled by the store and shown or printed by the layers above.

A ``SessionRecord`` is the whole of one group session as a chart would hold it. Its canonical
content (everything but signatures, addenda and state) is what a signature's SHA-256 covers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from facilitator.domain.enums import (
    AttendanceStatus,
    EnrollmentStatus,
    GoalStatus,
    Location,
    Participation,
    Phase,
    ReviewStatus,
    Role,
    SessionMode,
    SessionState,
    SignatureKind,
    Track,
    UseSinceLast,
)


def display_name(preferred_name: str | None, first_name: str, last_name: str) -> str:
    """How a member is named on screen: preferred first name and legal last name."""
    return f"{(preferred_name or first_name).strip()} {last_name.strip()}".strip()


def signer_line(full_name: str, credentials: str) -> str:
    return f"{full_name}, {credentials}" if credentials else full_name


@dataclass(frozen=True)
class Actor:
    """The signed-in user on whose behalf a service acts."""

    user_id: int
    username: str
    full_name: str
    credentials: str
    role: Role
    clinician: bool = True  # False only for an administrator who is not also a clinician
    # False while they sign in with a password an administrator gave them: they choose their
    # own before anything else (the window and the command line ask for it).
    password_chosen: bool = True

    @property
    def signs_clinically(self) -> bool:
        """Facilitators and leads run and sign sessions; an administrator only if a clinician."""
        return self.role is not Role.ADMIN or self.clinician


@dataclass(frozen=True)
class OtherSeat:
    """Someone else with a session open (store.presence): who, on which workstation, and
    where in it: the part on view, whose note (if the notes), and whether they are typing."""

    user_id: int
    full_name: str
    workstation: str
    part: str
    member_id: int | None
    typing: bool


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    full_name: str
    credentials: str
    role: Role
    active: bool
    clinician: bool
    requires_supervision: bool
    supervisor_id: int | None


@dataclass(frozen=True)
class AttendanceRecord:
    member_id: int
    display_name: str
    record_number: str
    status: AttendanceStatus | None
    arrival: dt.time | None
    departure: dt.time | None
    location: Location
    late_joiner: bool


@dataclass(frozen=True)
class CheckInRecord:
    member_id: int
    mood: int | None
    craving: int | None
    use_since_last: UseSinceLast
    use_detail: str
    safety_concern: bool
    safety_follow_up: str
    homework_review: str
    current_issue: str


@dataclass(frozen=True)
class MemberNoteRecord:
    member_id: int
    data: str
    assessment: str
    plan: str
    participation: Participation | None
    goal_id: int | None
    goal_text: str


@dataclass(frozen=True)
class GroupNoteRecord:
    topic_item_id: int | None
    topic: str
    interventions: str
    narrative: str
    summary: str


@dataclass(frozen=True)
class PhaseRecord:
    phase: Phase
    planned_minutes: int
    started_at: dt.datetime | None
    ended_at: dt.datetime | None


@dataclass(frozen=True)
class AssignmentRecord:
    id: int
    member_id: int
    item_id: int | None
    title: str
    instructions: str
    due_date: dt.date | None


@dataclass(frozen=True)
class ReviewRecord:
    assignment_id: int
    member_id: int
    title: str
    status: ReviewStatus
    comment: str


@dataclass(frozen=True)
class SignatureRecord:
    user_id: int
    signer: str  # "Ada Example, LCSW" as when signed (legacy_signer: as the user is named now)
    kind: SignatureKind
    signed_at: dt.datetime
    content_hash: str
    canonical_version: int = 1
    legacy_signer: bool = False  # made before signers' lines were kept with the signature


@dataclass(frozen=True)
class AddendumRecord:
    id: int
    author_id: int
    signer: str
    signed_at: dt.datetime
    reason: str
    text: str
    content_hash: str
    legacy_signer: bool = False
    # Brought in from a laptop: the laptop's id of the author, which its hash covers.
    sealed_author_id: int | None = None

    @property
    def hashed_author_id(self) -> int:
        return self.author_id if self.sealed_author_id is None else self.sealed_author_id


@dataclass(frozen=True)
class FrozenFacts:
    """What a signed record prints besides the session's own rows, as it was at the signature
    (facilitator.domain.frozen)."""

    facilitator: str  # "Ada Example, LCSW"
    co_facilitator: str | None
    program: str
    time_zone: str
    # Signers of signatures made before signers' lines were kept, by user id (upgrades).
    earlier_signers: dict[int, str]
    # What the signatures cover: the SHA-256 of the body these facts were read from, or, for a
    # session brought in from a laptop, of the body as the laptop froze it (domain.moving).
    body_hash: str

    def signer(self, user_id: int, fallback: str) -> str:
        return self.earlier_signers.get(user_id, fallback)


@dataclass(frozen=True)
class SessionRecord:
    id: int
    group_id: int
    group_name: str
    track: Track
    group_type: str
    date: dt.date
    scheduled_start: dt.time | None
    scheduled_end: dt.time | None
    actual_start: dt.datetime | None
    actual_end: dt.datetime | None
    mode: SessionMode
    facilitator_id: int
    co_facilitator_id: int | None
    state: SessionState
    current_phase: Phase
    attendance: tuple[AttendanceRecord, ...] = ()
    check_ins: tuple[CheckInRecord, ...] = ()
    member_notes: tuple[MemberNoteRecord, ...] = ()
    group_note: GroupNoteRecord | None = None
    phases: tuple[PhaseRecord, ...] = ()
    assignments: tuple[AssignmentRecord, ...] = ()
    reviews: tuple[ReviewRecord, ...] = ()
    signatures: tuple[SignatureRecord, ...] = field(default=(), compare=False)
    addenda: tuple[AddendumRecord, ...] = field(default=(), compare=False)
    # Set on a signed session read from what was frozen at its signature; None otherwise.
    frozen: FrozenFacts | None = field(default=None, compare=False)

    def attendance_of(self, member_id: int) -> AttendanceRecord | None:
        return next((a for a in self.attendance if a.member_id == member_id), None)

    @property
    def present(self) -> tuple[AttendanceRecord, ...]:
        return tuple(a for a in self.attendance if a.status is not None and a.status.attended)


@dataclass(frozen=True)
class MemberSlice:
    """One member's rows of one session: what a change to that member may have touched."""

    member_id: int
    attendance: AttendanceRecord | None
    check_in: CheckInRecord | None
    note: MemberNoteRecord | None
    assignments: tuple[AssignmentRecord, ...]
    reviews: tuple[ReviewRecord, ...]


def attendance_order(row: AttendanceRecord) -> tuple[str, int]:
    """The roster's order on screen and paper: by name, then id."""
    return row.display_name.lower(), row.member_id


def with_members(record: SessionRecord, slices: Iterable[MemberSlice]) -> SessionRecord:
    """The record with these members' rows replaced by the slices' (in the order a whole
    session is read in), everyone else's kept as they were."""
    by_member = {s.member_id: s for s in slices}
    if not by_member:
        return record

    def kept(rows: tuple[Any, ...]) -> list[Any]:
        return [row for row in rows if row.member_id not in by_member]

    fresh = by_member.values()
    attendance = kept(record.attendance) + [s.attendance for s in fresh if s.attendance]
    check_ins = kept(record.check_ins) + [s.check_in for s in fresh if s.check_in]
    notes = kept(record.member_notes) + [s.note for s in fresh if s.note]
    assignments = kept(record.assignments) + [a for s in fresh for a in s.assignments]
    reviews = kept(record.reviews) + [r for s in fresh for r in s.reviews]
    return replace(
        record,
        attendance=tuple(sorted(attendance, key=attendance_order)),
        check_ins=tuple(sorted(check_ins, key=lambda c: c.member_id)),
        member_notes=tuple(sorted(notes, key=lambda n: n.member_id)),
        assignments=tuple(sorted(assignments, key=lambda a: (a.member_id, a.id))),
        reviews=tuple(sorted(reviews, key=lambda r: (r.member_id, r.assignment_id))),
    )


def homework_review_line(reviews: Iterable[ReviewRecord]) -> str:
    """The check-in's one-line account of the homework reviewed, as the note and PDF show it."""
    return "; ".join(
        f"{r.title}: {r.status.label.lower()}" + (f" ({r.comment})" if r.comment else "")
        for r in reviews
    )


def _plain(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    raise TypeError(f"cannot put {type(value).__name__} in canonical content")


# What a signature covers, by version. A field added to a session later goes into a new
# version; a signature keeps the version it was made with, so old seals still verify.
CANONICAL_FIELDS: dict[int, dict[str, tuple[str, ...]]] = {
    1: {
        "session": (
            "id", "group_id", "group_name", "track", "group_type", "date", "scheduled_start",
            "scheduled_end", "actual_start", "actual_end", "mode", "facilitator_id", "co_facilitator_id",
        ),
        "attendance": (
            "member_id", "display_name", "record_number", "status", "arrival", "departure",
            "location", "late_joiner",
        ),
        "check_ins": (
            "member_id", "mood", "craving", "use_since_last", "use_detail", "safety_concern",
            "safety_follow_up", "homework_review", "current_issue",
        ),
        "member_notes": ("member_id", "data", "assessment", "plan", "participation", "goal_id", "goal_text"),
        "group_note": ("topic_item_id", "topic", "interventions", "narrative", "summary"),
        "phases": ("phase", "planned_minutes", "started_at", "ended_at"),
        "assignments": ("id", "member_id", "item_id", "title", "instructions", "due_date"),
        "reviews": ("assignment_id", "member_id", "title", "status", "comment"),
    }
}  # fmt: skip
# Version 2 and later: the signature covers the record frozen at signing (domain.frozen), names
# and all, whose SHA-256 the frozen facts carry. Version 1 covered CANONICAL_FIELDS[1] of the
# record as read (kept for sessions signed before bodies were kept).
FROZEN_VERSION = 2
CANONICAL_VERSION = FROZEN_VERSION


def _pick(record: object, names: tuple[str, ...]) -> dict[str, object]:
    # A member note without a participation level was sealed as "" before it was typed as an
    # optional enum; the bytes a signature covers stay as they were.
    return {
        name: "" if name == "participation" and value is None else value
        for name in names
        for value in (getattr(record, name),)
    }


def _member_order(row: dict[str, object]) -> tuple[object, ...]:
    return (row["member_id"], row.get("assignment_id", 0), row.get("id", 0))


def canonical_content(record: SessionRecord, version: int = 1) -> bytes:
    """The bytes a signature covers: every clinical fact of the session, in a fixed order.

    Rows are sorted by member (and id) so the hash never depends on the order a database
    happens to return them in. Signatures, addenda, the state and the part the runner is on
    are not covered: they change after the content is fixed.
    """
    fields = CANONICAL_FIELDS[version]
    body: dict[str, object] = _pick(record, fields["session"])
    for part in ("attendance", "check_ins", "member_notes", "assignments", "reviews"):
        rows = [_pick(row, fields[part]) for row in getattr(record, part)]
        body[part] = sorted(rows, key=_member_order)
    body["phases"] = sorted(
        (_pick(p, fields["phases"]) for p in record.phases),
        key=lambda row: (row["started_at"] is None, str(row["started_at"]), row["phase"]),
    )
    note = record.group_note
    body["group_note"] = None if note is None else _pick(note, fields["group_note"])
    return json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
    ).encode()


def content_hash(record: SessionRecord, version: int = CANONICAL_VERSION) -> str:
    """What a signature of this version covers: the frozen body's SHA-256 (version 2), or the
    SHA-256 of the record's canonical content (version 1). "" for a record not frozen."""
    if version >= FROZEN_VERSION:
        return record.frozen.body_hash if record.frozen is not None else ""
    return hashlib.sha256(canonical_content(record, version)).hexdigest()


def addendum_hash(
    session_hash: str, author_id: int, signed_at: dt.datetime, reason: str, text: str
) -> str:
    """An addendum's own signature hash: its text chained to the session content it amends."""
    payload = json.dumps(
        [session_hash, author_id, signed_at.isoformat(), reason, text], ensure_ascii=False
    ).encode()
    return hashlib.sha256(payload).hexdigest()


# ----------------------------------------------------------------------------- people and groups


@dataclass(frozen=True)
class GroupInfo:
    id: int
    name: str
    track: Track
    group_type: str
    open_enrollment: bool
    meeting_weekdays: tuple[int, ...]
    start_time: dt.time | None
    length_minutes: int
    phase_minutes: tuple[int, int, int]
    soft_capacity: int
    active: bool


@dataclass(frozen=True)
class MemberInfo:
    id: int
    first_name: str
    last_name: str
    preferred_name: str | None
    record_number: str
    pronouns: str
    date_of_birth: dt.date | None

    @property
    def display_name(self) -> str:
        return display_name(self.preferred_name, self.first_name, self.last_name)


@dataclass(frozen=True)
class EnrollmentInfo:
    id: int
    member_id: int
    group_id: int
    start_date: dt.date
    end_date: dt.date | None
    status: EnrollmentStatus
    discharge_reason: str


@dataclass(frozen=True)
class GoalInfo:
    id: int
    member_id: int
    text: str
    status: GoalStatus


@dataclass(frozen=True)
class HomeworkItemInfo:
    id: int
    slug: str
    category: str
    module: str
    title: str
    tracks: tuple[str, ...]
    purpose: str
    steps: tuple[str, ...]
    prompts: tuple[str, ...]
    take_home: str
    worksheet_fields: tuple[dict[str, object], ...]
    minutes: int
    version: int
    shipped: bool
    archived: bool


@dataclass(frozen=True)
class OutstandingAssignment:
    """Homework given earlier and not yet reviewed, listed at a member's next check-in."""

    id: int
    member_id: int
    title: str
    instructions: str
    assigned_on: dt.date
    due_date: dt.date | None


@dataclass(frozen=True)
class SessionMemberSummary:
    id: int
    name: str
    attendance: AttendanceStatus | None


@dataclass(frozen=True)
class SessionSummary:
    id: int
    group: str
    date: dt.date
    state: SessionState
    members: tuple[SessionMemberSummary, ...]


@dataclass(frozen=True)
class HistoryEntry:
    """One session in a member's history: what they attended, said and were given."""

    session_id: int
    date: dt.date
    group: str
    state: SessionState
    attendance: AttendanceStatus | None
    location: Location
    mood: int | None
    craving: int | None
    safety_concern: bool
    current_issue: str
    note_plan: str
    homework: tuple[str, ...]
    reviews: tuple[tuple[str, ReviewStatus], ...]


@dataclass(frozen=True)
class Completion:
    """How reviewed homework turned out; partly done counts half toward the rate."""

    done: int = 0
    partly: int = 0
    not_done: int = 0

    @property
    def reviewed(self) -> int:
        return self.done + self.partly + self.not_done

    @property
    def rate(self) -> float | None:
        """Share done, from 0 to 1; None before anything was reviewed."""
        if not self.reviewed:
            return None
        return (self.done + 0.5 * self.partly) / self.reviewed

    def describe(self) -> str:
        if self.rate is None:
            return "not reviewed yet"
        return f"{self.rate:.0%} of {self.reviewed} reviewed"


@dataclass(frozen=True)
class CurriculumStep:
    """One planned item of a group's curriculum and the session that covered it, if any."""

    position: int
    item: HomeworkItemInfo
    covered_on: dt.date | None
    covered_by_session: int | None


@dataclass(frozen=True)
class CurriculumPlan:
    """A group's ordered plan of library items and how far the group has come through it."""

    group_id: int
    name: str
    steps: tuple[CurriculumStep, ...]

    @property
    def next_step(self) -> CurriculumStep | None:
        """The first planned item no session of the group has used yet."""
        return next((step for step in self.steps if step.covered_on is None), None)

    @property
    def covered(self) -> int:
        return sum(1 for step in self.steps if step.covered_on is not None)
