"""`facilitator demo`: a new database full of fictitious, clearly marked demo data.

Every person, group and note here is invented. Names are whimsical on purpose so nobody can
mistake a demo chart for a real one, and the program itself is called a demo.

The bulk data (years of sessions) goes in through ``store.bulk`` rather than the per-row
services, but it follows the same rules the services enforce: absent members have no check-in
or note, craving is not asked in mental-health groups, every safety concern has a follow-up,
homework is reviewed at the member's next attended session, and each signature covers the
exact record ``store.sessions`` reads back. Same seed and ``until`` give the same records.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from facilitator.domain import frozen
from facilitator.domain.enums import (
    AttendanceStatus,
    GroupType,
    Location,
    Phase,
    Role,
    SessionMode,
    SessionState,
    SignatureKind,
    Track,
)
from facilitator.domain.errors import RuleViolation
from facilitator.domain.records import (
    FROZEN_VERSION,
    AssignmentRecord,
    AttendanceRecord,
    CheckInRecord,
    GroupNoteRecord,
    HomeworkItemInfo,
    MemberNoteRecord,
    PhaseRecord,
    ReviewRecord,
    SessionRecord,
    display_name,
)
from facilitator.domain.rules import next_meeting
from facilitator.services import accounts, keys, library
from facilitator.services.demo_people import (
    DISCHARGE_REASONS,
    FIRST_NAMES,
    GOALS,
    LAST_NAMES,
    PREFERRED,
    STATUS_WORDS,
    Member,
    Turn,
    Voice,
    clamp,
    short_date,
)
from facilitator.store import bulk, locations, people, session_reads, signing_keys
from facilitator.store import library as library_store
from facilitator.store import models as m
from facilitator.store.keys import STRONG, KdfParams, keys_path_for
from facilitator.store.signing_keys import Signer

PROGRAM_NAME = "Willowbrook Demo IOP (fictitious demo data; no real patients)"
DEMO_USER_NAME = "Demo User (fictitious)"
# The fictitious clinic keeps US Eastern standard time all year; timestamps are stored in UTC.
UTC_OFFSET = dt.timedelta(hours=5)
TIME_ZONE = "Etc/GMT+5"  # the same fixed offset as an IANA name (its sign is inverted by POSIX)
LENGTH = 180
FULL_GROUP = 15  # the seats of a full group (see _GroupBuild._stays)
PART_MINUTES = (60, 60, 60)

STAFF = (
    ("rowan.testwood", "Rowan Testwood", "LPC", Role.CLINICAL_LEAD),
    ("avery.sampleton", "Avery Sampleton", "LCSW", Role.FACILITATOR),
    ("jordan.mockridge", "Jordan Mockridge", "LMFT", Role.FACILITATOR),
    ("casey.fauxley", "Casey Fauxley", "CADC", Role.FACILITATOR),
    ("morgan.exemplar", "Morgan Exemplar", "LPC-A", Role.FACILITATOR),
    ("quinn.dummett", "Quinn Dummett", "LMHC", Role.FACILITATOR),
)

TRACKS = (Track.MENTAL_HEALTH, Track.SUBSTANCE_USE, Track.DUAL_DIAGNOSIS)
TRACK_TITLES = {
    Track.MENTAL_HEALTH: "Mental Health",
    Track.SUBSTANCE_USE: "Recovery",
    Track.DUAL_DIAGNOSIS: "Dual Recovery",
}
GROUP_TYPES = {
    Track.MENTAL_HEALTH: (
        GroupType.SKILLS_DEVELOPMENT,
        GroupType.COGNITIVE_BEHAVIORAL,
        GroupType.PSYCHOEDUCATIONAL,
        GroupType.INTERPERSONAL_PROCESS,
        GroupType.SUPPORT,
    ),
    Track.SUBSTANCE_USE: (
        GroupType.RELAPSE_PREVENTION,
        GroupType.PSYCHOEDUCATIONAL,
        GroupType.SKILLS_DEVELOPMENT,
        GroupType.COGNITIVE_BEHAVIORAL,
    ),
    Track.DUAL_DIAGNOSIS: (
        GroupType.RELAPSE_PREVENTION,
        GroupType.SKILLS_DEVELOPMENT,
        GroupType.COGNITIVE_BEHAVIORAL,
        GroupType.INTERPERSONAL_PROCESS,
    ),
}
WEEKDAY_SETS = ((0, 2, 4), (1, 3, 4), (0, 1, 3))
DAY, EVENING = dt.time(9, 0), dt.time(18, 0)


@dataclass(frozen=True)
class DemoSummary:
    groups: int
    members: int
    sessions: int
    unsigned: int
    rows: int
    first_date: dt.date
    last_date: dt.date


def create_demo(
    location: str,
    password: str,
    *,
    groups: int = 3,
    weeks: int = 4,
    seed: int = 1,
    until: dt.date | None = None,
    kdf: KdfParams = STRONG,
) -> DemoSummary:
    """Create a new database at ``location`` filled with ``weeks`` of fictitious sessions.

    Only a file of its own: a clinic's server holds real records, signed by the logins of
    the people who wrote them, and fictitious staff have no logins."""
    if locations.is_server_url(location):
        raise RuleViolation(
            "the demo is a database file of its own (e.g. --db demo.db); it is never written "
            "to a clinic's server"
        )
    until = until or dt.date.today()
    first_day = until - dt.timedelta(days=7 * weeks - 1)
    ws = accounts.create_database(
        location,
        username="demo",
        password=password,
        full_name=DEMO_USER_NAME,
        credentials="LPC",
        program_name=PROGRAM_NAME,
        kdf=kdf,
    )
    try:
        people.set_setting("demo", "yes")
        people.set_setting(accounts.TIME_ZONE, TIME_ZONE)
        library.load_shipped()
        facilitators = _add_staff()
        lines = people.signer_lines([*facilitators, ws.actor.user_id])
        # The fictitious staff sign with certified keys made here and then forgotten (they
        # never sign in); the demo user signs with their own.
        root = keys.require_root(ws)
        signers = {user_id: keys.new_key(user_id, root) for user_id in facilitators}
        assert ws.signer is not None
        signers[ws.actor.user_id] = ws.signer
        staff = _Staff(facilitators, ws.actor.user_id, lines, signers)
        writer = bulk.BulkWriter()
        totals = [0, 0, 0]
        plans: list[tuple[int, list[int]]] = []
        with writer.fast_load():
            for index in range(groups):
                build = _GroupBuild(writer, staff, index, seed, (first_day, until))
                build.run()
                writer.flush()  # one group at a time: memory stays flat however many years
                totals = [a + b for a, b in zip(totals, build.counts(), strict=True)]
                plans.append((build.group_id, build.plan()))
            writer.finish()
        for group_id, item_ids in plans:
            library_store.set_curriculum(group_id, "Rotating skills sequence", item_ids)
    except BaseException:
        ws.close()
        _remove_half_built(location)
        raise
    ws.close()
    members, sessions, unsigned = totals
    return DemoSummary(groups, members, sessions, unsigned, writer.rows_written, first_day, until)


def _remove_half_built(location: str) -> None:
    """A demo that failed half-way is useless; the new file (ours alone) is removed."""
    if locations.is_server_url(location):
        return
    path = Path(location)
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), keys_path_for(path)):
        leftover.unlink(missing_ok=True)


def _add_staff() -> list[int]:
    """The fictitious staff (records only; only the demo user can sign in); facilitator ids."""
    ids = [people.add_user(u, name, cred, role) for u, name, cred, role in STAFF]
    return [i for i, staff in zip(ids, STAFF, strict=True) if staff[3] is Role.FACILITATOR]


@dataclass(frozen=True)
class _Staff:
    facilitators: list[int]
    co_facilitator: int  # the demo user, so whoever tries the demo can sign last week's drafts
    lines: dict[int, str]  # "Name, CREDENTIALS" by user id, as signed records print them
    signers: dict[int, Signer]  # each one's signing key


def _curriculum(track: Track) -> list[HomeworkItemInfo]:
    """The library items suited to the track, in a fixed order the groups rotate through."""
    items = library_store.list_items()
    if not items:
        raise RuleViolation("the homework library is empty; the demo needs its shipped items")
    return [i for i in items if track in i.tracks] or items


@dataclass
class _Content:
    """The clinical rows of one session, collected for the signature's record."""

    session_id: int
    item: HomeworkItemInfo
    due: dt.date
    due_text: str
    author: int
    finish: dt.datetime
    check_ins: list[CheckInRecord] = field(default_factory=list)
    notes: list[MemberNoteRecord] = field(default_factory=list)
    assignments: list[AssignmentRecord] = field(default_factory=list)
    reviews: list[ReviewRecord] = field(default_factory=list)
    written: set[str] = field(default_factory=set)  # note texts, to keep each one unique


class _GroupBuild:
    """One group's members and every session it held, written through the bulk writer."""

    def __init__(
        self,
        writer: bulk.BulkWriter,
        staff: _Staff,
        index: int,
        seed: int,
        days: tuple[dt.date, dt.date],
    ) -> None:
        # One generator per group: a group's data depends only on the seed and its number.
        self.rng = random.Random(f"facilitator-demo:{seed}:{index}")
        self.w = writer
        self.index = index
        self.first_day, self.until = days
        self.sign_before = self.until - dt.timedelta(days=6)  # the last 7 days stay draft
        self.track = TRACKS[index % 3]
        types = GROUP_TYPES[self.track]
        self.group_type = types[(index // 3) % len(types)]
        self.voice = Voice(self.rng, self.track, self.group_type)
        self.weekdays = WEEKDAY_SETS[(index + index // 3) % len(WEEKDAY_SETS)]
        self.lead = staff.facilitators[index % len(staff.facilitators)]
        self.cover = staff.facilitators[(index + 1) % len(staff.facilitators)]
        self.co_facilitator = staff.co_facilitator
        self.staff_lines = staff.lines
        self.signers = staff.signers
        self.curriculum = _curriculum(self.track)
        self.start = DAY if (index // 3) % 2 == 0 else EVENING
        self.end = (
            dt.datetime.combine(self.until, self.start) + dt.timedelta(minutes=LENGTH)
        ).time()
        slot = "Day" if self.start == DAY else "Evening"
        self.name = f"{TRACK_TITLES[self.track]} {self.group_type.value.replace('_', ' ').title()}"
        self.name += f" · {slot} {index + 1}"
        self.members: list[Member] = []
        self.sessions = self.unsigned = 0
        self.group_id = 0

    def counts(self) -> tuple[int, int, int]:
        return len(self.members), self.sessions, self.unsigned

    def plan(self) -> list[int]:
        """The group's curriculum: the items in the order its sessions take them up."""
        offset = (self.index * 5) % len(self.curriculum)
        rotated = self.curriculum[offset:] + self.curriculum[:offset]
        return [item.id for item in rotated[:12]]

    def run(self) -> None:
        """The group, its members, then its sessions day by day with the roster of that day."""
        self.group_id = self._add_group()
        for start, end in self._stays():
            self._admit(start, end)
        curriculum = self.curriculum
        offset = (self.index * 5) % len(curriculum)
        active: list[Member] = []
        waiting = iter(self.members)  # in order of admission
        upcoming = next(waiting, None)
        day, number = self.first_day, 0
        while day <= self.until:
            if day.weekday() in self.weekdays:
                while upcoming is not None and upcoming.start <= day:
                    active.append(upcoming)
                    upcoming = next(waiting, None)
                active = [p for p in active if p.end is None or p.end >= day]
                self._session(day, active, curriculum[(offset + number) % len(curriculum)])
                number += 1
            day += dt.timedelta(days=1)

    # ------------------------------------------------------------------------- group and members

    def _add_group(self) -> int:
        table = self.w.table(m.Group)
        group_id = table.new_id()
        weekdays = ",".join(str(d) for d in self.weekdays)
        created = dt.datetime.combine(self.first_day, dt.time(12)) - dt.timedelta(days=90)
        plan = ",".join(str(p) for p in PART_MINUTES)
        table.rows.append(
            (group_id, self.name, self.track.value, self.group_type.value, True, weekdays,
             self.start, LENGTH, plan, 12, True, created, None)
        )  # fmt: skip
        return group_id

    def _stays(self) -> list[tuple[dt.date, dt.date | None]]:
        """Open enrollment: each seat holds one member at a time, each staying 4-12 weeks.

        Every fourth group is full: 15 seats, each taken again the day after it empties, so
        its sessions have 15 members on the roster (over the soft cap of 12, as happens)."""
        rng, stays = self.rng, list[tuple[dt.date, dt.date | None]]()
        full = self.index % 4 == 1
        for _seat in range(FULL_GROUP if full else rng.randint(8, 14)):
            length = rng.randint(4, 12) * 7
            start = self.first_day - dt.timedelta(days=rng.randint(0, length - 7))
            while start <= self.until:
                end = start + dt.timedelta(days=length - 1)
                if end >= self.until:
                    stays.append((start, None))
                    break
                stays.append((start, end))
                start = end + dt.timedelta(days=1 if full else rng.randint(1, 7))
                length = rng.randint(4, 12) * 7
        return sorted(stays, key=lambda s: (s[0], s[1] or self.until))

    def _admit(self, start: dt.date, end: dt.date | None) -> None:
        """A new fictitious member: their record, one to three goals, and the enrollment."""
        rng, members = self.rng, self.w.table(m.Member)
        first, pronouns = rng.choice(FIRST_NAMES)
        last, preferred = rng.choice(LAST_NAMES), PREFERRED.get(first)
        member_id = members.new_id()
        p = Member(member_id, display_name(preferred, first, last), f"DEMO-{member_id:06d}", start)
        p.end = end
        p.mood0, p.craving0, p.engagement = rng.uniform(2.5, 6.5), rng.uniform(3, 8), rng.random()
        p.first_mood = clamp(p.mood0)
        if self.track is not Track.MENTAL_HEALTH:
            p.first_craving = clamp(p.craving0)
        # Members admitted before the first demo day have already attended some sessions.
        p.attended = max(0, (self.first_day - start).days * 3 // 8)
        p.location = Location.TELEHEALTH if rng.random() < 0.15 else Location.IN_PERSON
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 55 * 365))
        created = dt.datetime.combine(start, dt.time(14)) - dt.timedelta(days=3)
        members.rows.append(
            (p.id, first, last, preferred, p.record_number, pronouns, born, created, None)
        )
        goals = self.w.table(m.TreatmentGoal)
        for text in rng.sample(GOALS[self.track], rng.randint(1, 3)):
            p.goals.append((goals.new_id(), text))
            goals.rows.append((goals.last_id, p.id, text, "active", created))
        reasons, weights = zip(*DISCHARGE_REASONS, strict=True)
        reason = "" if end is None else rng.choices(reasons, weights)[0]
        enrollments = self.w.table(m.Enrollment)
        enrollments.rows.append(
            (enrollments.new_id(), p.id, self.group_id, start, end,
             "active" if end is None else "discharged", reason)
        )  # fmt: skip
        self.members.append(p)

    # ------------------------------------------------------------------------- one session

    def _session(self, day: dt.date, roster: list[Member], item: HomeworkItemInfo) -> None:
        """One session: attendance, the three parts, each member's turn, the group's note."""
        rng = self.rng
        begin = dt.datetime.combine(day, self.start) + UTC_OFFSET
        begin += dt.timedelta(seconds=rng.randint(-120, 420))
        phases = self._phases(begin)
        turns, attendance = self._attendance(day, roster)
        telehealth = any(a.location is Location.TELEHEALTH for a in attendance)
        head = SessionRecord(
            id=self.w.table(m.Session).new_id(), group_id=self.group_id, group_name=self.name,
            track=self.track, group_type=self.group_type.value, date=day,
            scheduled_start=self.start, scheduled_end=self.end, actual_start=begin,
            actual_end=phases[-1].ended_at,
            mode=SessionMode.HYBRID if telehealth else SessionMode.IN_PERSON,
            facilitator_id=self.cover if rng.random() < 0.08 else self.lead,
            co_facilitator_id=self.co_facilitator, state=SessionState.DRAFT,
            current_phase=Phase.SUMMARY,
        )  # fmt: skip
        self._write_head(head)
        due = next_meeting(self.weekdays, day)
        content = self._turns(head, turns, item, due)
        group_note = self.voice.group_note(len(roster), turns, item, due)
        self._write_rest(head.id, attendance, phases, group_note)
        self.sessions += 1
        if day >= self.sign_before:
            self.unsigned += 1
            return
        signed = replace(
            head, attendance=tuple(attendance), check_ins=tuple(content.check_ins),
            member_notes=tuple(content.notes), group_note=group_note, phases=phases,
            assignments=tuple(content.assignments), reviews=tuple(content.reviews),
        )  # fmt: skip
        self._sign(signed)

    def _write_head(self, s: SessionRecord) -> None:
        assert s.actual_start is not None
        self.w.table(m.Session).rows.append(
            (s.id, s.group_id, s.date, s.scheduled_start, s.scheduled_end, s.actual_start,
             s.actual_end, s.mode.value, s.facilitator_id, s.co_facilitator_id, s.state.value,
             s.current_phase.value, s.actual_start - dt.timedelta(minutes=15))
        )  # fmt: skip

    def _sign(self, record: SessionRecord) -> None:
        """The facilitator's signature over the record frozen from exactly what the store will
        read back (as signing does: see services.signing)."""
        assert record.actual_end is not None
        signed_at = record.actual_end + dt.timedelta(minutes=self.rng.randint(20, 26 * 60))
        lines = self.staff_lines
        body = frozen.freeze(
            record,
            facilitator=lines[record.facilitator_id],
            co_facilitator=lines.get(record.co_facilitator_id or 0),
            program=PROGRAM_NAME,
            time_zone=TIME_ZONE,
        )
        bodies = self.w.table(m.SignedContent)
        bodies.rows.append((bodies.new_id(), record.id, session_reads.pack_body(body), signed_at))
        table, digest = self.w.table(m.Signature), frozen.body_hash(body)
        signer = self.signers[record.facilitator_id]
        statement = signing_keys.seal_statement(
            record.id, SignatureKind.SIGN, record.facilitator_id, signed_at, digest
        )
        table.rows.append(
            (table.new_id(), record.id, record.facilitator_id, SignatureKind.SIGN.value,
             signed_at, digest, FROZEN_VERSION, lines[record.facilitator_id], signer.key_id,
             signer.sign(statement))
        )  # fmt: skip
        self.w.sign_later(record.id)

    def _phases(self, begin: dt.datetime) -> tuple[PhaseRecord, ...]:
        """The three parts with realistic overruns and short ones, back to back."""
        parts, at = [], begin
        for phase, planned in zip(
            (Phase.CHECK_IN, Phase.SKILL_WORK, Phase.SUMMARY), PART_MINUTES, strict=True
        ):
            ended = at + dt.timedelta(seconds=planned * 60 + self.rng.randint(-600, 720))
            parts.append(PhaseRecord(phase, planned, at, ended))
            at = ended
        return tuple(parts)

    def _attendance(
        self, day: dt.date, roster: list[Member]
    ) -> tuple[list[Turn], list[AttendanceRecord]]:
        rng, turns, records = self.rng, [], []
        for p in roster:
            roll = rng.random() - 0.08 * (p.engagement - 0.5)
            location = p.location if rng.random() > 0.05 else Location.TELEHEALTH
            arrival = departure = None
            if roll < 0.05:
                status = AttendanceStatus.ABSENT
            elif roll < 0.09:
                status = AttendanceStatus.EXCUSED
            elif roll < 0.16:
                status = AttendanceStatus.LATE
                arrival = self._clock(day, self.start, rng.randint(8, 45))
            elif roll < 0.21:
                status = AttendanceStatus.LEFT_EARLY
                departure = self._clock(day, self.end, -rng.randint(15, 70))
            else:
                status = AttendanceStatus.PRESENT
            records.append(
                AttendanceRecord(
                    p.id, p.name, p.record_number, status, arrival, departure, location, False
                )
            )
            if status.attended:
                turns.append(Turn(p, status, location, arrival, departure))
        return turns, records

    @staticmethod
    def _clock(day: dt.date, at: dt.time, minutes: int) -> dt.time:
        return (dt.datetime.combine(day, at) + dt.timedelta(minutes=minutes)).time()

    # ------------------------------------------------------------------------- members' turns

    def _turns(
        self, head: SessionRecord, turns: list[Turn], item: HomeworkItemInfo, due: dt.date
    ) -> _Content:
        """Each attended member's check-in, homework review, individual note and new homework."""
        assert head.actual_end is not None
        content = _Content(
            head.id, item, due, short_date(due), head.facilitator_id, head.actual_end
        )
        for turn in turns:
            self.voice.check_in(turn)
            self._write_check_in(content, turn)
            self._write_note(content, turn)
            self._give_homework(content, turn.member)
        return content

    def _write_check_in(self, content: _Content, turn: Turn) -> None:
        p, session_id = turn.member, content.session_id
        review_line = "; ".join(
            f"{title}: {STATUS_WORDS[status]}, {comment}"
            for _a, title, status, comment in turn.reviews
        )
        check_in = CheckInRecord(
            p.id, turn.mood, turn.craving, turn.use, turn.use_detail, bool(turn.safety),
            turn.safety, review_line or "no homework to review", turn.issue,
        )  # fmt: skip
        content.check_ins.append(check_in)
        table = self.w.table(m.CheckIn)
        table.rows.append((table.new_id(), session_id, *_values(check_in)))
        reviews = self.w.table(m.HomeworkReview)
        for assignment_id, title, status, comment in turn.reviews:
            content.reviews.append(ReviewRecord(assignment_id, p.id, title, status, comment))
            reviews.rows.append(
                (reviews.new_id(), assignment_id, content.session_id, p.id, status.value, comment)
            )

    def _write_note(self, content: _Content, turn: Turn) -> None:
        note = self.voice.note(turn, content.item, content.due_text, content.written)
        content.notes.append(note)
        table = self.w.table(m.MemberNote)
        written_at = content.finish + dt.timedelta(minutes=10 + len(content.notes))
        table.rows.append(
            (table.new_id(), content.session_id, note.member_id, note.data, note.assessment,
             note.plan, note.participation, note.goal_id, content.author, written_at)
        )  # fmt: skip

    def _give_homework(self, content: _Content, p: Member) -> None:
        """The session's item, its take-home text copied, due at the group's next meeting."""
        item, table = content.item, self.w.table(m.HomeworkAssignment)
        assignment_id = table.new_id()
        row = (assignment_id, p.id, item.id, item.title, item.take_home, content.due)
        content.assignments.append(AssignmentRecord(*row))
        table.rows.append((assignment_id, content.session_id, *row[1:]))
        p.outstanding.append((assignment_id, item.title))

    def _write_rest(
        self,
        session_id: int,
        attendance: list[AttendanceRecord],
        phases: tuple[PhaseRecord, ...],
        note: GroupNoteRecord,
    ) -> None:
        w = self.w
        rows = w.table(m.Attendance)
        for a in attendance:
            rows.rows.append(
                (rows.new_id(), session_id, a.member_id, a.status.value if a.status else None,
                 a.arrival, a.departure, a.location.value, a.late_joiner)
            )  # fmt: skip
        logs = w.table(m.PhaseLog)
        for ph in phases:
            logs.rows.append(
                (
                    logs.new_id(),
                    session_id,
                    ph.phase.value,
                    ph.planned_minutes,
                    ph.started_at,
                    ph.ended_at,
                )
            )
        notes = w.table(m.GroupNote)
        notes.rows.append((notes.new_id(), session_id, *_values(note)))


def _values(record: Any) -> tuple[Any, ...]:
    """A record's fields in declaration order (they follow the table's column order)."""
    return tuple(getattr(record, name) for name in record.__dataclass_fields__)
