"""Running a group session: roster, attendance, check-in, the three parts, and the notes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from types import EllipsisType
from typing import Any

from facilitator.domain.audit import Action, RecordKind
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
    NotAllowed,
    NotFound,
    PermissionDenied,
    RuleViolation,
    SessionLocked,
)
from facilitator.domain.notes import merge_draft, prefill_note
from facilitator.domain.records import (
    CheckInRecord,
    MemberInfo,
    SessionRecord,
    with_members,
)
from facilitator.domain.rules import (
    CHECK_IN_TEXT_LIMIT,
    NOTE_LIMIT,
    TOPIC_LIMIT,
    check_attendance_times,
    check_scale,
    limited_text,
    to_local,
    utcnow,
)
from facilitator.services import audit, edits, visibility
from facilitator.services.audit import audited
from facilitator.services.workspace import Workspace
from facilitator.store import library, people
from facilitator.store import session_reads as reads
from facilitator.store import sessions as store


def editable(session_id: int, ws: Workspace) -> tuple[int, dt.date, Track]:
    """The session's group, date and track, if it can still be edited, and by this user:
    its facilitator or co-facilitator, or a clinical lead. (A session of a group the user does
    not staff is refused first: on a server they cannot even read it.)"""
    facts = store.editing_facts(session_id)
    # The session's own staff see it, and leads see everything: only others need the longer
    # look (every check is a round trip to a server, on every keystroke's save).
    staff = facts[4] if facts else ()
    if ws.actor.user_id not in staff and not visibility.sees_session(ws, session_id):
        raise NotAllowed("not allowed: that session belongs to a group you do not staff")
    if facts is None:
        raise NotFound(f"no session with id {session_id}")
    state, group_id, date, track, staff_ids = facts
    if state is SessionState.SIGNED:
        raise SessionLocked("this session is signed and locked; add an addendum instead")
    _require_staff(ws, staff_ids)
    return group_id, date, track


def require_session_staff(ws: Workspace, session_id: int) -> None:
    _require_staff(ws, store.session_staff(session_id))


def _require_staff(ws: Workspace, staff: tuple[int, int | None]) -> None:
    ws.require_clinician("work on a session's record")
    if ws.actor.role is Role.CLINICAL_LEAD:
        return
    if ws.actor.user_id not in staff:
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


def view(ws: Workspace, session_id: int) -> Changes:
    """Note in the audit trail that the session was opened on screen (the screen loads it).
    A facilitator opens only sessions of the groups they staff (services.visibility)."""
    visibility.require_sees_session(ws, session_id)
    audit.record(ws, Action.VIEW_SESSION, record_kind=RecordKind.SESSION, record_id=session_id)
    return Changes(audit=True)


def load(session_id: int) -> SessionRecord:
    return reads.load_session(session_id)


@audited(Action.CREATE, RecordKind.SESSION)
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
    visibility.require_sees_group(ws, group_id, RecordKind.GROUP, group_id)
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


def late_joiner_choices(session_id: int) -> list[MemberInfo]:
    """Members enrolled in the session's group on its day who are not on its roster yet
    (enrolled after the session was started): the first a facilitator looks for."""
    _state, group_id, date, _track = store.session_facts(session_id)
    on_roster = store.roster_member_ids(session_id)
    return [m for m in people.roster(group_id, date) if m.id not in on_roster]


def find_late_joiner(session_id: int, text: str) -> MemberInfo:
    """The one member not yet in the session whose name or record number matches ``text``."""
    if not text.strip():
        raise InvalidInput("late joiner", "type the name or record number of a member to add")
    on_roster = store.roster_member_ids(session_id)
    matches = [m for m in people.list_members(text.strip()) if m.id not in on_roster]
    if not matches:
        raise RuleViolation(f"no member outside this session matches {text.strip()!r}")
    if len(matches) > 1:
        names = ", ".join(m.display_name for m in matches[:5])
        raise RuleViolation(f"several members match: {names}; type more of the name")
    return matches[0]


@audited(Action.CHANGE, RecordKind.ATTENDANCE, record="session_id", member="member_id")
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


@audited(
    Action.CHANGE,
    RecordKind.ATTENDANCE,
    record="session_id",
    member="member_id",
    fields=("status", "arrival", "departure", "location"),
)
def record_attendance(
    ws: Workspace,
    session_id: int,
    member_id: int,
    status: AttendanceStatus | EllipsisType = ...,
    *,
    arrival: dt.time | EllipsisType | None = ...,
    departure: dt.time | EllipsisType | None = ...,
    location: Location | EllipsisType = ...,
    seen: Mapping[str, Any] | None = None,
) -> Changes:
    """Record a member's attendance: the parts given (the roster grid gives one cell at a
    time); the rest keep what they hold. Marking someone late or leaving early while the
    session is on stamps the time on the clinic's clock, if none is recorded. ``seen``: what
    the seat showed in the parts it changes (see services.edits)."""
    editable(session_id, ws)
    current = reads.load_attendance(session_id, member_id)
    if current is None:
        raise RuleViolation(
            f"{_name(member_id)} is not in this session; add them as a late joiner first"
        )
    new_status = current.status if isinstance(status, EllipsisType) else AttendanceStatus(status)
    if new_status is None:
        raise RuleViolation(f"mark {current.display_name}'s attendance first")
    came = current.arrival if isinstance(arrival, EllipsisType) else arrival
    went = current.departure if isinstance(departure, EllipsisType) else departure
    if not isinstance(status, EllipsisType):
        now = _clinic_clock_now(session_id)
        if new_status is AttendanceStatus.LATE and came is None:
            came = now
        if new_status is AttendanceStatus.LEFT_EARLY and went is None:
            went = now
    where = current.location if isinstance(location, EllipsisType) else Location(location)
    _save_attendance(session_id, member_id, new_status, came, went, where, seen=seen, by=ws)
    return Changes(sessions=frozenset({session_id}), attendance=frozenset({member_id}))


def _clinic_clock_now(session_id: int) -> dt.time | None:
    """Now, to the minute, on the clinic's clock, while the session is on; None on another
    day or once it has ended (a time typed in afterwards is the facilitator's to give)."""
    from facilitator.services.accounts import time_zone

    now = to_local(utcnow(), time_zone()).replace(second=0, microsecond=0)
    _state, _group, date, _track = store.session_facts(session_id)
    end = _session_end(session_id)
    if now.date() != date or (end is not None and now.time() >= end):
        return None
    return now.time()


def _session_end(session_id: int) -> dt.time | None:
    """When the session ended on the clinic's clock, or is scheduled to."""
    from facilitator.services.accounts import time_zone

    ended, scheduled = reads.session_end(session_id)
    if ended is not None:
        return to_local(ended, time_zone()).time()
    return scheduled


def _save_attendance(
    session_id: int,
    member_id: int,
    status: AttendanceStatus,
    arrival: dt.time | None,
    departure: dt.time | None,
    location: Location | None,
    *,
    seen: Mapping[str, Any] | None = None,
    by: Workspace | None = None,
) -> None:
    on_roster, _old = store.attendance_status(session_id, member_id)
    if not on_roster:
        raise RuleViolation(
            f"{_name(member_id)} is not enrolled in this group; add them as a late joiner to record attendance"
        )
    if status is AttendanceStatus.LATE and arrival is None:
        raise InvalidInput("arrival", "a late arrival needs the time they arrived")
    if status is AttendanceStatus.LEFT_EARLY and departure is None:
        raise InvalidInput("departure", "leaving early needs the time they left")
    if status.attended:
        check_attendance_times(arrival, departure, _session_end(session_id))
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
    user = None if by is None else by.actor.user_id
    overtaken = store.update_attendance(
        session_id, member_id, fields, by=user, seen=edits.as_seen(seen, fields)
    )
    edits.kept(
        overtaken,
        fields,
        Changes(sessions=frozenset({session_id}), attendance=frozenset({member_id})),
    )


CHECK_IN_FIELDS = (
    "mood",
    "craving",
    "use_since_last",
    "use_detail",
    "safety_concern",
    "safety_follow_up",
    "homework_review",
    "current_issue",
)


@audited(
    Action.CHANGE,
    RecordKind.CHECK_IN,
    record="session_id",
    member="member_id",
    fields=CHECK_IN_FIELDS,
)
def record_check_in(
    ws: Workspace,
    session_id: int,
    member_id: int,
    *,
    mood: int | EllipsisType | None = ...,
    craving: int | EllipsisType | None = ...,
    use_since_last: UseSinceLast | EllipsisType = ...,
    use_detail: str | EllipsisType = ...,
    safety_concern: bool | EllipsisType = ...,
    safety_follow_up: str | EllipsisType = ...,
    homework_review: str | EllipsisType = ...,
    current_issue: str | EllipsisType = ...,
    seen: Mapping[str, Any] | None = None,
) -> Changes:
    """Save the given parts of a member's check-in; the others keep what they hold (a new
    check-in starts empty). A member not yet marked is marked present by it. ``seen``: what
    the seat showed in the parts it changes (see services.edits)."""
    given = {
        name: value
        for name, value in (
            ("mood", mood),
            ("craving", craving),
            ("use_since_last", use_since_last),
            ("use_detail", use_detail),
            ("safety_concern", safety_concern),
            ("safety_follow_up", safety_follow_up),
            ("homework_review", homework_review),
            ("current_issue", current_issue),
        )
        if not isinstance(value, EllipsisType)
    }
    return save_check_in(ws, session_id, member_id, given, seen)


def save_check_in(
    ws: Workspace,
    session_id: int,
    member_id: int,
    given: Mapping[str, Any],
    seen: Mapping[str, Any] | None = None,
) -> Changes:
    """record_check_in's work, for a service that audits it as part of its own change."""
    _group, _date, track = editable(session_id, ws)
    require_attended(session_id, member_id, "a check-in")
    current = reads.load_check_in(session_id, member_id) or EMPTY_CHECK_IN
    merged: dict[str, Any] = {
        name: given.get(name, getattr(current, name)) for name in CHECK_IN_FIELDS
    }
    check_scale("mood", merged["mood"], allow_none=True)
    check_scale("craving", merged["craving"], allow_none=True)
    if track is Track.MENTAL_HEALTH and merged["craving"] is not None:
        raise InvalidInput("craving", "craving is not asked in a mental-health group")
    use = UseSinceLast(merged["use_since_last"])
    changes = Changes(sessions=frozenset({session_id}), check_ins=frozenset({member_id}))
    _on, status = store.attendance_status(session_id, member_id)
    if status is None:
        store.update_attendance(
            session_id, member_id, {"status": AttendanceStatus.PRESENT}, by=ws.actor.user_id
        )
        changes |= Changes(attendance=frozenset({member_id}))
    checked = {
        "mood": merged["mood"],
        "craving": merged["craving"],
        "use_since_last": use,
        "use_detail": _check_in_text(merged, "use_detail") if use is UseSinceLast.YES else "",
        "safety_concern": bool(merged["safety_concern"]),
        "safety_follow_up": _check_in_text(merged, "safety_follow_up"),
        "homework_review": _check_in_text(merged, "homework_review"),
        "current_issue": _check_in_text(merged, "current_issue"),
    }
    # Only what this save changes is written, so another seat's change to another field of
    # the row stays (a use detail goes with a use answer other than yes).
    written = set(given) | ({"use_detail"} if "use_since_last" in given else set())
    fields = {k: v for k, v in checked.items() if k in written}
    overtaken = store.save_check_in(
        session_id, member_id, fields, by=ws.actor.user_id, seen=edits.as_seen(seen, fields)
    )
    edits.kept(overtaken, fields, changes)
    return changes


def _check_in_text(given: Mapping[str, Any], name: str) -> str:
    return limited_text(name.replace("_", " "), str(given[name]), CHECK_IN_TEXT_LIMIT)


EMPTY_CHECK_IN = CheckInRecord(0, None, None, UseSinceLast.NOT_ASKED, "", False, "", "", "")


@audited(Action.CHANGE, RecordKind.PHASE, record="session_id")
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


@audited(Action.CHANGE, RecordKind.PHASE, record="session_id")
def end_session(ws: Workspace, session_id: int, *, at: dt.datetime | None = None) -> Changes:
    """Close the running part and record the actual end time."""
    editable(session_id, ws)
    at = at or utcnow()
    store.switch_phase(session_id, None, 0, at)
    store.update_session(session_id, actual_end=at)
    return Changes(sessions=frozenset({session_id}), phases=True)


@audited(
    Action.CHANGE,
    RecordKind.GROUP_NOTE,
    record="session_id",
    span="span",
    fields=("topic_item_id", "topic", "interventions", "narrative", "summary"),
)
def write_group_note(
    ws: Workspace,
    session_id: int,
    *,
    topic_item_id: int | EllipsisType | None = ...,
    topic: str | None = None,
    interventions: str | None = None,
    narrative: str | None = None,
    summary: str | None = None,
    span: int | None = None,
    seen: Mapping[str, Any] | None = None,
) -> Changes:
    """Change the parts of the group note that are given; the others keep what they hold.

    Choosing a library item (``topic_item_id``) also sets the topic to its title unless a topic
    is given; ``topic_item_id=None`` clears the item (a topic of the facilitator's own).
    ``span`` is the token of a stretch of typing (see services.audit.audited); ``seen``, what
    the seat showed in the parts it changes (see services.edits).
    """
    editable(session_id, ws)
    if not isinstance(topic_item_id, EllipsisType) and topic_item_id is not None and topic is None:
        topic = library.get_item(topic_item_id).title
    # Only the parts given are written: another seat's change to another part stays.
    fields: dict[str, Any] = {
        name: limited_text(name, text, TOPIC_LIMIT if name == "topic" else NOTE_LIMIT)
        for name, text in (
            ("topic", topic),
            ("interventions", interventions),
            ("narrative", narrative),
            ("summary", summary),
        )
        if text is not None
    }
    if not isinstance(topic_item_id, EllipsisType):
        fields["topic_item"] = topic_item_id
    overtaken = store.save_group_note(
        session_id, fields, by=ws.actor.user_id, seen=edits.as_seen(seen, fields)
    )
    changes = Changes(sessions=frozenset({session_id}), group_note=True)
    edits.kept(overtaken, fields, changes)
    return changes


@audited(
    Action.CHANGE,
    RecordKind.MEMBER_NOTE,
    record="session_id",
    member="member_id",
    span="span",
    fields=("data", "assessment", "plan", "participation", "goal_id"),
)
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
    span: int | None = None,
    seen: Mapping[str, Any] | None = None,
) -> Changes:
    """Change the given parts of a member's individual note (data / assessment / plan,
    participation, goal); never for an absent member. Parts not given keep what they hold;
    ``participation=""`` clears the level. ``span`` and ``seen``: see write_group_note."""
    editable(session_id, ws)
    require_attended(session_id, member_id, "a clinical note")
    # Only the parts given are written: another seat's change to another part stays.
    fields: dict[str, Any] = {
        name: limited_text(name, text, NOTE_LIMIT)
        for name, text in (("data", data), ("assessment", assessment), ("plan", plan))
        if text is not None
    }
    if participation is not None:
        fields["participation"] = Participation(participation) if participation else ""
    if not isinstance(goal_id, EllipsisType):
        if goal_id is not None and people.get_goal(goal_id).member_id != member_id:
            raise RuleViolation("the linked goal belongs to another member")
        fields["goal"] = goal_id
    overtaken = store.save_member_note(
        session_id, member_id, fields, author=ws.actor.user_id, seen=edits.as_seen(seen, fields)
    )
    changes = Changes(sessions=frozenset({session_id}), member_notes=frozenset({member_id}))
    edits.kept(overtaken, fields, changes)
    return changes


def draft_member_note(ws: Workspace, session_id: int, member_id: int) -> Changes:
    """Draft the member's note from what the session recorded about them; what the
    facilitator already wrote is kept, with the draft added after it."""
    record = reads.load_session(session_id)
    data, assessment, plan = merge_draft(
        next((n for n in record.member_notes if n.member_id == member_id), None),
        prefill_note(record, member_id),
    )
    return write_member_note(ws, session_id, member_id, data=data, assessment=assessment, plan=plan)


# ----------------------------------------------------------------------------- reading


def refreshed(record: SessionRecord, changes: Changes) -> SessionRecord:
    """The record with what ``changes`` names read again and everything else kept: what an
    open session needs after a change, here or elsewhere, without reading it all again."""
    here = record.id in changes.sessions
    if changes.everything:
        return reads.load_session(record.id)
    if record.frozen is not None:  # signed: only its signatures and addenda can change
        signed_again = here and (changes.signatures or changes.addenda)
        return reads.load_session(record.id) if signed_again else record
    if (here and (changes.signatures or changes.addenda)) or record.group_id in changes.groups:
        return reads.load_session(record.id)  # rare: a signature, an addendum, group settings
    on_roster = {a.member_id for a in record.attendance}
    members: set[int] = set(changes.members & on_roster)
    if here:
        members |= (
            changes.attendance
            | changes.check_ins
            | changes.member_notes
            | changes.homework
            | changes.reviews
        )
    if changes.goals:
        members |= {n.member_id for n in record.member_notes if n.goal_id in changes.goals}
    fresh = with_members(record, reads.load_member_slices(record.id, members).values())
    if here and changes.group_note:
        fresh = replace(fresh, group_note=reads.load_group_note(record.id))
    if here and changes.phases:
        fresh = reads.load_session_head(fresh)
    return fresh
