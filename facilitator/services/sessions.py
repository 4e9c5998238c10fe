"""Running a group session: roster, attendance, check-in, the three parts, and the notes."""

from __future__ import annotations

import datetime as dt
from types import EllipsisType

from facilitator.domain.audit import Action
from facilitator.domain.changes import Changes
from facilitator.domain.enums import (
    PHASE_ORDER,
    AttendanceStatus,
    Location,
    Participation,
    Phase,
    Role,
    SessionMode,
    SessionState,
    Track,
    UseSinceLast,
)
from facilitator.domain.errors import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    RuleViolation,
    SessionLocked,
)
from facilitator.domain.records import GroupNoteRecord, MemberNoteRecord, SessionRecord
from facilitator.domain.rules import check_scale, utcnow
from facilitator.services import audit
from facilitator.services.audit import audited
from facilitator.services.workspace import Workspace
from facilitator.store import library, people
from facilitator.store import sessions as store


def editable(session_id: int, ws: Workspace) -> tuple[int, dt.date, Track]:
    """The session's group, date and track, if it can still be edited, and by this user:
    its facilitator or co-facilitator, or a clinical lead."""
    state, group_id, date, track = store.session_facts(session_id)
    if state is SessionState.SIGNED:
        raise SessionLocked("this session is signed and locked; add an addendum instead")
    require_session_staff(ws, session_id)
    return group_id, date, track


def require_session_staff(ws: Workspace, session_id: int) -> None:
    ws.require_clinician("work on a session's record")
    if ws.actor.role is Role.CLINICAL_LEAD:
        return
    if ws.actor.user_id not in store.session_staff(session_id):
        raise PermissionDenied(
            "only the session's facilitator, co-facilitator or a clinical lead can change it"
        )


def require_attended(session_id: int, member_id: int, doing: str) -> None:
    on_roster, status = store.attendance_status(session_id, member_id)
    if not on_roster:
        raise RuleViolation(
            f"{_name(member_id)} is not in this session; add them as a late joiner first"
        )
    if status is not None and not status.attended:
        raise RuleViolation(
            f"{_name(member_id)} is marked {status.value.replace('_', ' ')}: an absent member gets an "
            f"attendance record, not {doing}"
        )


def _name(member_id: int) -> str:
    try:
        return people.get_member(member_id).display_name
    except NotFound:
        return f"member {member_id}"


def view(ws: Workspace, session_id: int) -> None:
    """Note in the audit trail that the session was opened on screen (the screen loads it)."""
    audit.record(ws, Action.VIEW_SESSION, record_kind="session", record_id=session_id)


def load(session_id: int) -> SessionRecord:
    return store.load_session(session_id)


def load_many(session_ids: list[int]) -> dict[int, SessionRecord]:
    return store.load_sessions(session_ids)


@audited(Action.CREATE, "session")
def start_session(
    ws: Workspace,
    group_id: int,
    *,
    date: dt.date | None = None,
    mode: SessionMode = SessionMode.IN_PERSON,
    co_facilitator_id: int | None = None,
) -> Changes:
    """Open today's session of a group (or resume the draft already open for that day)."""
    ws.require_clinician("run a session")
    date = date or dt.date.today()
    group = people.get_group(group_id)
    existing = store.open_session_for(group_id, date)
    if existing is not None:
        return Changes(sessions=frozenset({existing}), created_id=existing)
    if co_facilitator_id is not None:
        if co_facilitator_id == ws.actor.user_id:
            raise RuleViolation("the co-facilitator must be someone other than the facilitator")
        people.actor_by_id(co_facilitator_id)
    end = None
    if group.start_time is not None:
        start_at = dt.datetime.combine(date, group.start_time) + dt.timedelta(
            minutes=group.length_minutes
        )
        end = start_at.time()
    location = Location.TELEHEALTH if mode is SessionMode.TELEHEALTH else Location.IN_PERSON
    session_id = store.create_session(
        group_id=group_id,
        date=date,
        scheduled_start=group.start_time,
        scheduled_end=end,
        mode=SessionMode(mode),
        facilitator_id=ws.actor.user_id,
        co_facilitator_id=co_facilitator_id,
        roster=[(m.id, location) for m in people.roster(group_id, date)],
    )
    return Changes(sessions=frozenset({session_id}), attendance=frozenset(), created_id=session_id)


@audited(Action.CHANGE, "attendance", record="session_id", member="member_id")
def add_late_joiner(
    ws: Workspace, session_id: int, member_id: int, *, location: Location = Location.IN_PERSON
) -> Changes:
    """Put a member who is not on the roster into the session (a walk-in or a new admission)."""
    editable(session_id, ws)
    people.get_member(member_id)
    on_roster, _status = store.attendance_status(session_id, member_id)
    if on_roster:
        raise RuleViolation(f"{_name(member_id)} is already in this session")
    store.add_to_roster(session_id, member_id, Location(location), late_joiner=True)
    return Changes(sessions=frozenset({session_id}), attendance=frozenset({member_id}))


@audited(Action.CHANGE, "attendance", record="session_id", member="member_id")
def record_attendance(
    ws: Workspace,
    session_id: int,
    member_id: int,
    status: AttendanceStatus,
    *,
    arrival: dt.time | None = None,
    departure: dt.time | None = None,
    location: Location | None = None,
) -> Changes:
    editable(session_id, ws)
    status = AttendanceStatus(status)
    on_roster, _old = store.attendance_status(session_id, member_id)
    if not on_roster:
        raise RuleViolation(
            f"{_name(member_id)} is not enrolled in this group; add them as a late joiner to record attendance"
        )
    if status is AttendanceStatus.LATE and arrival is None:
        raise InvalidInput("arrival", "a late arrival needs the time they arrived")
    if status is AttendanceStatus.LEFT_EARLY and departure is None:
        raise InvalidInput("departure", "leaving early needs the time they left")
    if arrival is not None and departure is not None and departure <= arrival:
        raise InvalidInput("departure", "the departure time must be after the arrival time")
    if not status.attended and store.has_clinical_content(session_id, member_id):
        raise RuleViolation(
            f"{_name(member_id)} has a check-in, note or homework in this session; an absent member cannot. "
            "Clear it before marking them absent."
        )
    fields: dict[str, object] = {
        "status": status,
        "arrival": arrival if status.attended else None,
        "departure": departure if status.attended else None,
    }
    if location is not None:
        fields["location"] = Location(location)
    store.update_attendance(session_id, member_id, fields)
    return Changes(sessions=frozenset({session_id}), attendance=frozenset({member_id}))


@audited(Action.CHANGE, "check_in", record="session_id", member="member_id")
def record_check_in(
    ws: Workspace,
    session_id: int,
    member_id: int,
    *,
    mood: int | None = None,
    craving: int | None = None,
    use_since_last: UseSinceLast = UseSinceLast.NOT_ASKED,
    use_detail: str = "",
    safety_concern: bool = False,
    safety_follow_up: str = "",
    homework_review: str = "",
    current_issue: str = "",
) -> Changes:
    """Save a member's check-in; a member not yet marked is marked present by it."""
    _group, _date, track = editable(session_id, ws)
    require_attended(session_id, member_id, "a check-in")
    check_scale("mood", mood, allow_none=True)
    check_scale("craving", craving, allow_none=True)
    if track is Track.MENTAL_HEALTH and craving is not None:
        raise InvalidInput("craving", "craving is not asked in a mental-health group")
    use = UseSinceLast(use_since_last)
    changes = Changes(sessions=frozenset({session_id}), check_ins=frozenset({member_id}))
    _on, status = store.attendance_status(session_id, member_id)
    if status is None:
        store.update_attendance(session_id, member_id, {"status": AttendanceStatus.PRESENT})
        changes |= Changes(attendance=frozenset({member_id}))
    store.save_check_in(
        session_id,
        member_id,
        {
            "mood": mood,
            "craving": craving,
            "use_since_last": use,
            "use_detail": use_detail.strip() if use is UseSinceLast.YES else "",
            "safety_concern": bool(safety_concern),
            "safety_follow_up": safety_follow_up.strip(),
            "homework_review": homework_review.strip(),
            "current_issue": current_issue.strip(),
        },
    )
    return changes


@audited(Action.CHANGE, "phase", record="session_id")
def advance_phase(
    ws: Workspace, session_id: int, to: Phase | None = None, *, at: dt.datetime | None = None
) -> Changes:
    """Move to a part (the next one by default), recording when each part started and ended.

    Going back is allowed and adds a new stretch of time to the earlier part.
    """
    group_id, _date, _track = editable(session_id, ws)
    at = at or utcnow()
    current = store.open_phase(session_id)
    if to is None:
        if current is None:
            to = Phase.CHECK_IN
        else:
            index = PHASE_ORDER.index(current[1])
            if index == len(PHASE_ORDER) - 1:
                raise RuleViolation("the summary is the last part; end the session instead")
            to = PHASE_ORDER[index + 1]
    to = Phase(to)
    if current is not None and current[1] is to:
        return Changes()
    planned = people.get_group(group_id).phase_minutes[PHASE_ORDER.index(to)]
    store.switch_phase(session_id, to, planned, at)
    store.mark_started(session_id, at)
    return Changes(sessions=frozenset({session_id}), phases=True)


@audited(Action.CHANGE, "phase", record="session_id")
def end_session(ws: Workspace, session_id: int, *, at: dt.datetime | None = None) -> Changes:
    """Close the running part and record the actual end time."""
    editable(session_id, ws)
    at = at or utcnow()
    store.switch_phase(session_id, None, 0, at)
    store.update_session(session_id, actual_end=at)
    return Changes(sessions=frozenset({session_id}), phases=True)


@audited(Action.CHANGE, "group_note", record="session_id")
def write_group_note(
    ws: Workspace,
    session_id: int,
    *,
    topic_item_id: int | EllipsisType | None = ...,
    topic: str | None = None,
    interventions: str | None = None,
    narrative: str | None = None,
    summary: str | None = None,
) -> Changes:
    """Change the parts of the group note that are given; the others keep what they hold.

    Choosing a library item (``topic_item_id``) also sets the topic to its title unless a topic
    is given; ``topic_item_id=None`` clears the item (a topic of the facilitator's own).
    """
    editable(session_id, ws)
    current = store.load_session(session_id).group_note or GroupNoteRecord(None, "", "", "", "")
    item_id = current.topic_item_id if isinstance(topic_item_id, EllipsisType) else topic_item_id
    if not isinstance(topic_item_id, EllipsisType) and topic_item_id is not None and topic is None:
        topic = library.get_item(topic_item_id).title
    store.save_group_note(
        session_id,
        {
            "topic_item": item_id,
            "topic": _kept(topic, current.topic),
            "interventions": _kept(interventions, current.interventions),
            "narrative": _kept(narrative, current.narrative),
            "summary": _kept(summary, current.summary),
        },
    )
    return Changes(sessions=frozenset({session_id}), group_note=True)


def _kept(new: str | None, old: str) -> str:
    return old if new is None else new.strip()


@audited(Action.CHANGE, "member_note", record="session_id", member="member_id")
def write_member_note(
    ws: Workspace,
    session_id: int,
    member_id: int,
    *,
    data: str | None = None,
    assessment: str | None = None,
    plan: str | None = None,
    participation: Participation | str | None = None,
    goal_id: int | EllipsisType | None = ...,
) -> Changes:
    """Change the given parts of a member's individual note (data / assessment / plan,
    participation, goal); never for an absent member. Parts not given keep what they hold."""
    editable(session_id, ws)
    require_attended(session_id, member_id, "a clinical note")
    record = store.load_session(session_id)
    current = next(
        (n for n in record.member_notes if n.member_id == member_id), None
    ) or MemberNoteRecord(member_id, "", "", "", "", None, "")
    goal = current.goal_id if isinstance(goal_id, EllipsisType) else goal_id
    if goal is not None and people.get_goal(goal).member_id != member_id:
        raise RuleViolation("the linked goal belongs to another member")
    if participation:
        participation = Participation(participation)
    store.save_member_note(
        session_id,
        member_id,
        {
            "data": _kept(data, current.data),
            "assessment": _kept(assessment, current.assessment),
            "plan": _kept(plan, current.plan),
            "participation": current.participation if participation is None else participation,
            "goal": goal,
            "author": ws.actor.user_id,
        },
    )
    return Changes(sessions=frozenset({session_id}), member_notes=frozenset({member_id}))
