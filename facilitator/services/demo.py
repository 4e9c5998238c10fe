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

# ----------------------------------------------------------------------------- fictitious people

FIRST_NAMES = (
    ("Zoë", "she/her"), ("Bram", "he/him"), ("Cass", "they/them"), ("Dov", "he/him"),
    ("Edie", "she/her"), ("Finn", "he/him"), ("Gus", "he/him"), ("Hattie", "she/her"),
    ("Ira", "they/them"), ("Juno", "she/her"), ("Kit", "they/them"), ("Lark", "she/her"),
    ("Milo", "he/him"), ("Nell", "she/her"), ("Otto", "he/him"), ("Pip", "they/them"),
    ("Rosalind", "she/her"), ("Sol", "he/him"), ("Tamsin", "she/her"), ("Wren", "they/them"),
    ("José", "he/him"), ("Søren", "he/him"), ("Anaïs", "she/her"), ("Łukasz", "he/him"),
    ("Siobhán", "she/her"), ("Björn", "he/him"), ("Chloé", "she/her"), ("Ngozi", "she/her"),
    ("Theodora", "she/her"), ("Maximilian", "he/him"), ("Alexandra", "she/her"), ("Benedict", "he/him"),
)  # fmt: skip
# Some long first names go by a shorter preferred name.
PREFERRED = {"Theodora": "Teddy", "Maximilian": "Max", "Alexandra": "Sasha", "Benedict": "Ben"}
LAST_NAMES = (
    "Quillfeather", "Bramblewood", "Thistledown", "Pebbleworth", "Larkspur", "Moonbeam",
    "Wrenfield", "Fernwhistle", "Ashgrove", "Puddlefoot", "Marigold", "Tumbleweed",
    "Brightwater", "Mossbury", "Cobblestone", "Honeysett", "Underbough", "Willowmere",
    "Dapplegrey", "Fiddlesworth", "Gingerbloom", "Kettleburn", "Nettlefield", "Oakenshaw",
    "Pinecrest", "Rushlight", "Silverbirch", "Tanglewood", "Wickerby", "Yarrowdale",
    "Clovermead", "Dewberry", "Foxglove", "Heatherby", "Nguyễn-Fable", "Quiñonez-Starling",
    "Pemberly-Moth", "Ødegaard-Puffin", "Çelik-Buttercup", "Müller-Sprocket",
)  # fmt: skip
GOALS = {
    Track.MENTAL_HEALTH: (
        "Use two coping skills when anxiety rises above 6/10",
        "Keep a regular sleep schedule on five nights a week",
        "Reconnect with one supportive person each week",
        "Spend fewer than two days a week mostly in bed",
        "Return to part-time work or volunteering",
        "Notice and challenge self-critical thoughts daily",
        "Plan one pleasant activity every day",
        "Ask for help before a crisis builds up",
    ),
    Track.SUBSTANCE_USE: (
        "Stay abstinent from alcohol and attend two mutual-help meetings a week",
        "Use the craving plan when urges rise above 5/10",
        "Name three high-risk situations and a plan for each",
        "Rebuild a daily routine with fixed wake and meal times",
        "Practise refusal skills with a support person",
        "Build a sober support map of at least four people",
        "Keep every medication appointment this month",
    ),
    Track.DUAL_DIAGNOSIS: (
        "Use a coping skill instead of using when distress rises",
        "Track mood and cravings together on a daily card",
        "Keep a regular sleep schedule and stay substance-free",
        "Take prescribed medication as agreed with the prescriber",
        "Name early warning signs of both relapse and low mood",
        "Build a weekly structure with two recovery activities",
        "Reconnect with family through one planned conversation a week",
    ),
}
DISCHARGE_REASONS = (
    ("Completed program", 70),
    ("Stepped down to weekly outpatient care", 10),
    ("Stepped up to partial hospitalization", 5),
    ("Insurance authorization ended", 5),
    ("Moved out of the area", 4),
    ("Stopped attending; outreach made", 6),
)

# ----------------------------------------------------------------------------- what members say

ISSUES_COMMON = (
    "Sleep has been broken since a change of shift at work",
    "An argument with a sibling about holiday plans",
    "Worry about money after an unexpected car repair",
    "Started a new part-time job and feels stretched",
    "Lonely in the evenings since moving apartments",
    "A good weekend visiting a grandparent",
    "Nervous about a medical appointment this week",
    "Proud of finishing a small project at home",
    "Tension with a roommate over chores",
    "A hard anniversary coming up next week",
    "Getting to group on the bus has been stressful",
    "Feels more settled since starting a morning walk",
    "A friend cancelled plans and it stung",
    "Trying to catch up on bills and paperwork",
    "A calm week with fewer ups and downs",
    "Finding it hard to concentrate at work",
)
ISSUES_SUBSTANCE = (
    "An old drinking friend called about a party",
    "Payday is coming and that used to be a trigger",
    "Passed the usual liquor store on the way home and kept walking",
    "A family barbecue where alcohol will be served",
    "Cravings stronger in the late afternoon",
    "Went to two mutual-help meetings this week",
    "Boredom on the weekend made urges louder",
    "Stress at work and the old habit of using to unwind",
)
ISSUES_MENTAL = (
    "Low energy most mornings",
    "Anxiety before a job interview",
    "Racing thoughts at night",
    "Pulled back from friends again this week",
    "A panic episode in a crowded shop",
    "Managed to cook dinner three nights running",
)

USE_DETAILS = (
    "drank two beers at a cookout on Saturday",
    "had a glass of wine at a family dinner",
    "used cannabis once on Sunday evening to sleep",
    "drank alone on Friday night after a stressful week",
    "smoked cannabis with an old friend on Wednesday",
)
SAFETY_FOLLOW_UPS = (
    "Met after group: passive thoughts of not wanting to wake up, no plan or intent; safety "
    "plan reviewed, crisis line confirmed, clinical lead informed the same day.",
    "Spoke privately after group: urge to self-harm earlier in the week, not acted on; coping "
    "steps and support contacts on the safety plan updated; clinical lead informed.",
    "Individual check after group: felt unsafe at home after an argument; reviewed options and "
    "a safe place to stay tonight; clinical lead informed and follow-up call booked.",
)
REVIEW_COMMENTS = {
    ReviewStatus.DONE: (
        "completed it on three days and brought the worksheet",
        "finished it and said the second try felt easier",
        "did it every evening and found it useful",
        "completed it with help from a family member",
    ),
    ReviewStatus.PARTLY: (
        "started it twice and stopped when work got busy",
        "did the first half and got stuck on the last step",
        "managed it once; plans to set a reminder",
    ),
    ReviewStatus.NOT_DONE: (
        "did not start it; the worksheet stayed in a bag",
        "forgot about it during a hectic week",
        "felt too low to start it; problem-solved barriers in group",
    ),
}
PARTICIPATION_PHRASES = {
    Participation.ACTIVE: (
        "Participated actively and offered examples from the past week",
        "Volunteered early in the practice exercise and gave peers useful feedback",
        "Engaged throughout and connected the skill to their own situation",
    ),
    Participation.MODERATE: (
        "Participated when invited and completed the practice exercise",
        "Contributed a few relevant comments and listened attentively",
        "Joined the discussion after a quiet start",
    ),
    Participation.MINIMAL: (
        "Participated minimally; answered direct questions briefly",
        "Appeared distracted and spoke little, though stayed engaged with the handout",
        "Mostly listened; declined to share an example today",
    ),
}
NEXT_STEPS = (
    "Practise the skill once on a weekday and once at the weekend",
    "Bring one example of using the skill to the next check-in",
    "Share the plan with a support person before the next session",
    "Use the skill at the first sign of rising distress and note what happened",
    "Review the safety and support contacts on the phone this week",
)
INTERVENTIONS = {
    GroupType.PSYCHOEDUCATIONAL: "Psychoeducation on {title}; short teaching segment, "
    "guided discussion with the item's prompts, and a check of understanding",
    GroupType.SKILLS_DEVELOPMENT: "Skill teaching for {title}: modelling by the facilitator, "
    "paired rehearsal and feedback, and planning real-life practice",
    GroupType.COGNITIVE_BEHAVIORAL: "Cognitive-behavioural work on {title}: worked example on "
    "the board, individual practice, and problem-solving of barriers",
    GroupType.SUPPORT: "Supportive discussion around {title}; members shared coping "
    "strategies and the facilitator reinforced strengths",
    GroupType.INTERPERSONAL_PROCESS: "Process-oriented discussion using {title} as the frame; "
    "facilitator linked here-and-now reactions to patterns outside group",
    GroupType.RELAPSE_PREVENTION: "Relapse-prevention work on {title}: review of personal "
    "triggers, rehearsal of the tool, and updating each member's plan",
}
STATUS_WORDS = {
    ReviewStatus.DONE: "done",
    ReviewStatus.PARTLY: "partly done",
    ReviewStatus.NOT_DONE: "not done",
}


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
    """Create a new database at ``location`` filled with ``weeks`` of fictitious sessions."""
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


class _Member:
    """One fictitious member's stay and the traits that make their notes their own."""

    __slots__ = (
        "attended",
        "craving0",
        "end",
        "engagement",
        "first_craving",
        "first_mood",
        "goals",
        "id",
        "location",
        "mood0",
        "name",
        "outstanding",
        "record_number",
        "start",
    )

    def __init__(self, member_id: int, name: str, record_number: str, start: dt.date) -> None:
        self.id = member_id
        self.name = name
        self.record_number = record_number
        self.start = start
        self.end: dt.date | None = None
        self.goals: list[tuple[int, str]] = []
        self.attended = 0
        self.outstanding: list[tuple[int, str]] = []  # (assignment id, title)
        self.first_mood = 0
        self.first_craving: int | None = None
        self.mood0 = self.craving0 = self.engagement = 0.0
        self.location = Location.IN_PERSON


@dataclass
class _Turn:
    """What one attended member did in one session, before it is written down."""

    member: _Member
    status: AttendanceStatus
    location: Location
    arrival: dt.time | None
    departure: dt.time | None
    mood: int = 0
    craving: int | None = None
    use: UseSinceLast = UseSinceLast.NOT_ASKED
    use_detail: str = ""
    safety: str = ""
    issue: str = ""
    reviews: tuple[tuple[int, str, ReviewStatus, str], ...] = ()


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


def _clamp(value: float) -> int:
    return max(0, min(10, round(value)))


def _short(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


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
        self.members: list[_Member] = []
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
        active: list[_Member] = []
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
             self.start, LENGTH, plan, 12, True, created)
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
        p = _Member(member_id, display_name(preferred, first, last), f"DEMO-{member_id:06d}", start)
        p.end = end
        p.mood0, p.craving0, p.engagement = rng.uniform(2.5, 6.5), rng.uniform(3, 8), rng.random()
        p.first_mood = _clamp(p.mood0)
        if self.track is not Track.MENTAL_HEALTH:
            p.first_craving = _clamp(p.craving0)
        # Members admitted before the first demo day have already attended some sessions.
        p.attended = max(0, (self.first_day - start).days * 3 // 8)
        p.location = Location.TELEHEALTH if rng.random() < 0.15 else Location.IN_PERSON
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 55 * 365))
        created = dt.datetime.combine(start, dt.time(14)) - dt.timedelta(days=3)
        members.rows.append(
            (p.id, first, last, preferred, p.record_number, pronouns, born, created)
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

    def _session(self, day: dt.date, roster: list[_Member], item: HomeworkItemInfo) -> None:
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
        group_note = self._group_note(len(roster), turns, item, due)
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
        self, day: dt.date, roster: list[_Member]
    ) -> tuple[list[_Turn], list[AttendanceRecord]]:
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
                turns.append(_Turn(p, status, location, arrival, departure))
        return turns, records

    @staticmethod
    def _clock(day: dt.date, at: dt.time, minutes: int) -> dt.time:
        return (dt.datetime.combine(day, at) + dt.timedelta(minutes=minutes)).time()

    # ------------------------------------------------------------------------- members' turns

    def _turns(
        self, head: SessionRecord, turns: list[_Turn], item: HomeworkItemInfo, due: dt.date
    ) -> _Content:
        """Each attended member's check-in, homework review, individual note and new homework."""
        assert head.actual_end is not None
        content = _Content(head.id, item, due, _short(due), head.facilitator_id, head.actual_end)
        for turn in turns:
            self._check_in(turn)
            self._write_check_in(content, turn)
            self._write_note(content, turn)
            self._give_homework(content, turn.member)
        return content

    def _write_check_in(self, content: _Content, turn: _Turn) -> None:
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

    def _write_note(self, content: _Content, turn: _Turn) -> None:
        note = self._note(turn, content.item, content.due_text, content.written)
        content.notes.append(note)
        table = self.w.table(m.MemberNote)
        written_at = content.finish + dt.timedelta(minutes=10 + len(content.notes))
        table.rows.append(
            (table.new_id(), content.session_id, note.member_id, note.data, note.assessment,
             note.plan, note.participation, note.goal_id, content.author, written_at)
        )  # fmt: skip

    def _give_homework(self, content: _Content, p: _Member) -> None:
        """The session's item, its take-home text copied, due at the group's next meeting."""
        item, table = content.item, self.w.table(m.HomeworkAssignment)
        assignment_id = table.new_id()
        row = (assignment_id, p.id, item.id, item.title, item.take_home, content.due)
        content.assignments.append(AssignmentRecord(*row))
        table.rows.append((assignment_id, content.session_id, *row[1:]))
        p.outstanding.append((assignment_id, item.title))

    def _check_in(self, turn: _Turn) -> None:
        """Ratings that drift the right way over a stay, the use question, homework review."""
        rng, p = self.rng, turn.member
        progress = min(1.0, p.attended / 24)
        p.attended += 1
        turn.mood = _clamp(p.mood0 + 2.5 * progress + rng.gauss(0, 1.1))
        pool = ISSUES_MENTAL if self.track is Track.MENTAL_HEALTH else ISSUES_SUBSTANCE
        if self.track is not Track.MENTAL_HEALTH:
            turn.craving = _clamp(p.craving0 - 3 * progress + rng.gauss(0, 1.2))
            roll = rng.random()
            turn.use = (
                UseSinceLast.YES
                if roll < 0.06
                else UseSinceLast.DECLINED
                if roll < 0.1
                else UseSinceLast.NO
            )
            turn.use_detail = rng.choice(USE_DETAILS) if turn.use is UseSinceLast.YES else ""
        turn.issue = rng.choice(pool if rng.random() < 0.4 else ISSUES_COMMON)
        if rng.random() < 0.015:
            turn.safety = rng.choice(SAFETY_FOLLOW_UPS)
        reviews = []
        for assignment_id, title in p.outstanding:
            status = self._review_status(p)
            reviews.append((assignment_id, title, status, rng.choice(REVIEW_COMMENTS[status])))
        turn.reviews, p.outstanding = tuple(reviews), []

    def _review_status(self, p: _Member) -> ReviewStatus:
        roll = self.rng.random()
        if roll < 0.35 + 0.4 * p.engagement:
            return ReviewStatus.DONE
        return ReviewStatus.PARTLY if roll < 0.8 + 0.1 * p.engagement else ReviewStatus.NOT_DONE

    def _note(
        self, turn: _Turn, item: HomeworkItemInfo, due: str, written: set[str]
    ) -> MemberNoteRecord:
        """Data, assessment and plan from this member's own numbers, words, goal and homework.

        No other member is named: the note never mentions anyone by name at all.
        """
        rng, p = self.rng, turn.member
        goal_id, goal = p.goals[p.attended % len(p.goals)]
        level = self._participation(turn)
        data = f"{_how_attended(turn)} Reported mood {turn.mood}/10"
        if turn.craving is not None:
            data += f", craving {turn.craving}/10"
            data += {
                "no": "; no use since the last session",
                "declined": "; declined to say whether they used",
            }.get(turn.use, f"; reported use since the last session ({turn.use_detail})")
        data += f". Current issue: {turn.issue[0].lower()}{turn.issue[1:]}."
        for _a, title, status, comment in turn.reviews:
            data += f' Homework "{title}" {STATUS_WORDS[status]}: {comment}.'
        assessment = f"{item.title}: {rng.choice(PARTICIPATION_PHRASES[level]).lower()}. "
        assessment += _trend("Mood", turn.mood, p.first_mood, higher_is_better=True)
        if turn.craving is not None:
            assessment += " " + _trend(
                "Craving", turn.craving, p.first_craving, higher_is_better=False
            )
        assessment += f' Progress toward goal "{goal}": {_progress(turn, p)}.'
        if turn.safety:
            assessment += " Safety concern raised at check-in; see follow-up, risk reviewed."
        plan = f'Complete "{item.title}" by {due}. {rng.choice(NEXT_STEPS)}.'
        plan += f" This was session {p.attended} since admission on {p.start.isoformat()}."
        if turn.safety:
            plan += (
                " Follow the updated safety plan; clinical lead to review before the next session."
            )
        while data + assessment + plan in written:  # never two identical notes in one session
            plan += " Continue as planned."
        written.add(data + assessment + plan)
        return MemberNoteRecord(p.id, data, assessment, plan, level, goal_id, goal)

    def _participation(self, turn: _Turn) -> Participation:
        score = turn.member.engagement + self.rng.gauss(0, 0.25)
        if turn.status is not AttendanceStatus.PRESENT:
            score -= 0.2
        if score > 0.6:
            return Participation.ACTIVE
        return Participation.MODERATE if score > 0.25 else Participation.MINIMAL

    # ------------------------------------------------------------------------- the group's note

    def _group_note(
        self, rostered: int, turns: list[_Turn], item: HomeworkItemInfo, due: dt.date
    ) -> GroupNoteRecord:
        tele = sum(1 for t in turns if t.location is Location.TELEHEALTH)
        late = sum(1 for t in turns if t.status is not AttendanceStatus.PRESENT)
        issues = sorted({t.issue.lower() for t in turns})
        themes = self.rng.sample(issues, min(2, len(issues)))
        narrative = f"{len(turns)} of {rostered} members attended ({tele} by telehealth"
        narrative += f", {late} late or leaving early)." if late else ")."
        if themes:
            narrative += " Check-in themes: " + "; ".join(themes) + "."
        narrative += f" The group worked on {item.title}."
        if item.prompts:
            narrative += f' Discussion prompt: "{self.rng.choice(item.prompts)}"'
        summary = (
            f"Facilitator summarised the key points of {item.title} and assigned its take-home"
        )
        summary += f" part, due {_short(due)}."
        concerns = sum(1 for t in turns if t.safety)
        if concerns:
            summary += f" Safety concerns raised at check-in: {concerns}, each followed up"
            summary += " individually after group."
        interventions = INTERVENTIONS[self.group_type].format(title=item.title)
        return GroupNoteRecord(item.id, item.title, interventions, narrative, summary)

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


def _how_attended(turn: _Turn) -> str:
    where = "by telehealth" if turn.location is Location.TELEHEALTH else "in person"
    if turn.arrival is not None:
        return f"Attended {where}, arrived late at {turn.arrival:%H:%M}."
    if turn.departure is not None:
        return f"Attended {where}, left early at {turn.departure:%H:%M}."
    return f"Attended {where} for the full session."


def _trend(label: str, now: int, first: int | None, *, higher_is_better: bool) -> str:
    change = 0 if first is None else now - first
    if change == 0:
        return f"{label} {now}/10, the same as at admission."
    verdict = "an improvement" if (change > 0) == higher_is_better else "a worsening to watch"
    direction = "up" if change > 0 else "down"
    return f"{label} {now}/10, {direction} {abs(change)} since admission ({first}/10): {verdict}."


def _progress(turn: _Turn, p: _Member) -> str:
    done = sum(1 for r in turn.reviews if r[2] is ReviewStatus.DONE)
    if p.attended <= 2:
        return "just started; goal reviewed and baseline recorded"
    if done and turn.mood >= p.first_mood:
        return "steady progress, practising between sessions"
    if turn.mood < p.first_mood - 1:
        return "limited progress this week; barriers explored"
    return "some progress; needs more practice outside group"
