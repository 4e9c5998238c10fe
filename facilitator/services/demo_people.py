"""The demo's fictitious people and what they say: names, goals, phrases, and the small
builders of note text (see services.demo, which writes them into a database).

Every word here is invented for the demo; names are whimsical so no chart can be mistaken for
a real one.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from facilitator.domain.enums import (
    AttendanceStatus,
    GroupType,
    Location,
    Participation,
    ReviewStatus,
    Track,
    UseSinceLast,
)
from facilitator.domain.records import GroupNoteRecord, HomeworkItemInfo, MemberNoteRecord

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


class Member:
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
class Turn:
    """What one attended member did in one session, before it is written down."""

    member: Member
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


def clamp(value: float) -> int:
    return max(0, min(10, round(value)))


def short_date(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def how_attended(turn: Turn) -> str:
    where = "by telehealth" if turn.location is Location.TELEHEALTH else "in person"
    if turn.arrival is not None:
        return f"Attended {where}, arrived late at {turn.arrival:%H:%M}."
    if turn.departure is not None:
        return f"Attended {where}, left early at {turn.departure:%H:%M}."
    return f"Attended {where} for the full session."


def trend(label: str, now: int, first: int | None, *, higher_is_better: bool) -> str:
    change = 0 if first is None else now - first
    if change == 0:
        return f"{label} {now}/10, the same as at admission."
    verdict = "an improvement" if (change > 0) == higher_is_better else "a worsening to watch"
    direction = "up" if change > 0 else "down"
    return f"{label} {now}/10, {direction} {abs(change)} since admission ({first}/10): {verdict}."


def progress_phrase(turn: Turn, p: Member) -> str:
    done = sum(1 for r in turn.reviews if r[2] is ReviewStatus.DONE)
    if p.attended <= 2:
        return "just started; goal reviewed and baseline recorded"
    if done and turn.mood >= p.first_mood:
        return "steady progress, practising between sessions"
    if turn.mood < p.first_mood - 1:
        return "limited progress this week; barriers explored"
    return "some progress; needs more practice outside group"


class Voice:
    """What the members of one group say and how their notes read, drawn from one seeded
    random source so the same seed writes the same words."""

    def __init__(self, rng: random.Random, track: Track, group_type: GroupType) -> None:
        self.rng, self.track, self.group_type = rng, track, group_type

    def check_in(self, turn: Turn) -> None:
        """Ratings that drift the right way over a stay, the use question, homework review."""
        rng, p = self.rng, turn.member
        progress = min(1.0, p.attended / 24)
        p.attended += 1
        turn.mood = clamp(p.mood0 + 2.5 * progress + rng.gauss(0, 1.1))
        pool = ISSUES_MENTAL if self.track is Track.MENTAL_HEALTH else ISSUES_SUBSTANCE
        if self.track is not Track.MENTAL_HEALTH:
            turn.craving = clamp(p.craving0 - 3 * progress + rng.gauss(0, 1.2))
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
            status = self.review_status(p)
            reviews.append((assignment_id, title, status, rng.choice(REVIEW_COMMENTS[status])))
        turn.reviews, p.outstanding = tuple(reviews), []

    def review_status(self, p: Member) -> ReviewStatus:
        roll = self.rng.random()
        if roll < 0.35 + 0.4 * p.engagement:
            return ReviewStatus.DONE
        return ReviewStatus.PARTLY if roll < 0.8 + 0.1 * p.engagement else ReviewStatus.NOT_DONE

    def note(
        self, turn: Turn, item: HomeworkItemInfo, due: str, written: set[str]
    ) -> MemberNoteRecord:
        """Data, assessment and plan from this member's own numbers, words, goal and homework.

        No other member is named: the note never mentions anyone by name at all.
        """
        rng, p = self.rng, turn.member
        goal_id, goal = p.goals[p.attended % len(p.goals)]
        level = self.participation(turn)
        data = f"{how_attended(turn)} Reported mood {turn.mood}/10"
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
        assessment += trend("Mood", turn.mood, p.first_mood, higher_is_better=True)
        if turn.craving is not None:
            assessment += " " + trend(
                "Craving", turn.craving, p.first_craving, higher_is_better=False
            )
        assessment += f' Progress toward goal "{goal}": {progress_phrase(turn, p)}.'
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

    def participation(self, turn: Turn) -> Participation:
        score = turn.member.engagement + self.rng.gauss(0, 0.25)
        if turn.status is not AttendanceStatus.PRESENT:
            score -= 0.2
        if score > 0.6:
            return Participation.ACTIVE
        return Participation.MODERATE if score > 0.25 else Participation.MINIMAL

    def group_note(
        self, rostered: int, turns: list[Turn], item: HomeworkItemInfo, due: dt.date
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
        summary += f" part, due {short_date(due)}."
        concerns = sum(1 for t in turns if t.safety)
        if concerns:
            summary += f" Safety concerns raised at check-in: {concerns}, each followed up"
            summary += " individually after group."
        interventions = INTERVENTIONS[self.group_type].format(title=item.title)
        return GroupNoteRecord(item.id, item.title, interventions, narrative, summary)
