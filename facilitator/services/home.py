"""What the home screen shows: today's groups, my worklist, recent sessions, a member's profile."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from facilitator.domain.audit import Action, RecordKind
from facilitator.domain.enums import ReviewStatus, Role, SessionState
from facilitator.domain.records import (
    CurriculumPlan,
    EnrollmentInfo,
    GoalInfo,
    GroupInfo,
    HistoryEntry,
    HomeworkItemInfo,
    MemberInfo,
    SessionSummary,
)
from facilitator.services import audit, visibility
from facilitator.services.workspace import Workspace
from facilitator.store import library, people, reports


@dataclass(frozen=True)
class TodayGroup:
    """A group that meets today, and its session if one was started."""

    group: GroupInfo
    session_id: int | None
    state: SessionState | None

    @property
    def action(self) -> str:
        if self.session_id is None:
            return "Start"
        return "Resume" if self.state is SessionState.DRAFT else "Open"


def today(on: dt.date | None = None, ws: Workspace | None = None) -> list[TodayGroup]:
    """Groups whose schedule says they meet on that day, by start time (of those ``ws``'s
    user sees, when given)."""
    on = on or dt.date.today()
    seen = None if ws is None else visibility.groups_seen(ws, on)  # first: on ws's connection
    sessions = reports.sessions_on(on)
    found = []
    for group in people.list_groups():
        if seen is not None and group.id not in seen:
            continue
        if on.weekday() in group.meeting_weekdays or group.id in sessions:
            session_id, state = sessions.get(group.id, (None, None))
            found.append(TodayGroup(group, session_id, SessionState(state) if state else None))
    return sorted(found, key=lambda t: (t.group.start_time or dt.time.max, t.group.name))


def my_unsigned(ws: Workspace) -> list[SessionSummary]:
    """The signed-in user's drafts, oldest first: the worklist of notes still to finish."""
    return reports.list_sessions(
        None, None, None, state=SessionState.DRAFT, user_id=ws.actor.user_id
    )


def awaiting_my_cosign(ws: Workspace) -> list[SessionSummary]:
    """For a clinical lead: signed notes of the staff they supervise, waiting for their
    co-signature, oldest first (empty for everyone else)."""
    if ws.actor.role is not Role.CLINICAL_LEAD:
        return []
    ids = reports.awaiting_cosign(ws.actor.user_id)
    return reports.list_sessions(None, None, None, session_ids=ids) if ids else []


def list_sessions(
    date_from: dt.date | None,
    date_to: dt.date | None,
    group: str | None,
    ws: Workspace | None = None,
) -> list[SessionSummary]:
    """Sessions in a date range, oldest first; ``group`` is a group's name or number. Of the
    groups ``ws``'s user sees, when given."""
    if ws is not None:
        ws.make_current()
    group_id = people.find_group(group).id if group else None
    return _seen(ws, reports.list_sessions(date_from, date_to, group_id))


def recent(limit: int = 10, ws: Workspace | None = None) -> list[SessionSummary]:
    seen = None if ws is None else visibility.groups_seen(ws)
    if seen is None:
        return reports.list_sessions(None, None, None, newest_first=True, limit=limit)
    found = reports.list_sessions(None, None, None, newest_first=True, limit=limit * 10)
    return _seen(ws, found)[:limit]


def _seen(ws: Workspace | None, found: list[SessionSummary]) -> list[SessionSummary]:
    seen = None if ws is None else visibility.groups_seen(ws)
    if seen is None:
        return found
    groups = reports.groups_of([s.id for s in found])
    return [s for s in found if groups.get(s.id) in seen]


def suggested_topic(group_id: int) -> HomeworkItemInfo | None:
    """The next library item for the group: its curriculum's next uncovered item, or else the
    first item suited to its track that it has not used yet."""
    name, steps = library.curriculum(group_id)
    planned = CurriculumPlan(group_id, name, tuple(steps)).next_step
    if planned is not None and not planned.item.archived:
        return planned.item
    group = people.get_group(group_id)
    used = set(reports.topics_used(group_id))
    suited = [i for i in library.list_items() if group.track.value in i.tracks]
    fresh = [i for i in suited if i.id not in used]
    choices = fresh or suited
    return choices[0] if choices else None


@dataclass(frozen=True)
class MemberProfile:
    member: MemberInfo
    goals: list[GoalInfo]
    enrollments: list[EnrollmentInfo]
    history: list[HistoryEntry]

    @property
    def homework_completion(self) -> float | None:
        """Share of reviewed homework done (partly done counts half); None before any review."""
        statuses = [status for entry in self.history for _title, status in entry.reviews]
        if not statuses:
            return None
        score = {ReviewStatus.DONE: 1.0, ReviewStatus.PARTLY: 0.5, ReviewStatus.NOT_DONE: 0.0}
        return sum(score[ReviewStatus(s)] for s in statuses) / len(statuses)

    @property
    def attended(self) -> int:
        return sum(1 for e in self.history if e.attendance in ("present", "late", "left_early"))


def view_member(ws: Workspace, member_id: int) -> MemberProfile:
    """The member's profile, the viewing noted in the audit trail; a facilitator sees the
    members of the groups they staff (services.visibility)."""
    visibility.require_sees_member(ws, member_id)
    profile = member_profile(member_id)
    audit.record(
        ws,
        Action.VIEW_MEMBER,
        member_id=member_id,
        record_kind=RecordKind.MEMBER,
        record_id=member_id,
    )
    return profile


def member_profile(member_id: int) -> MemberProfile:
    return MemberProfile(
        people.get_member(member_id),
        people.goals_of(member_id),
        people.enrollments_of_member(member_id),
        reports.member_history(member_id),
    )


def _place_key(ws: Workspace) -> str:
    return f"last_place:{ws.actor.username}"


class Place(NamedTuple):
    """Where a user was in a session: the session, the part, and whose note was open."""

    session_id: int
    part: str
    member_id: int | None = None


def remember_place(ws: Workspace, session_id: int, part: str, member_id: int | None = None) -> None:
    """Where the user is in a session, so reopening the app returns there."""
    member = "" if member_id is None else f":{member_id}"
    people.set_setting(_place_key(ws), f"{session_id}:{part}{member}")


def forget_place(ws: Workspace) -> None:
    people.set_setting(_place_key(ws), "")


def last_place(ws: Workspace) -> Place | None:
    """The draft session, part and note the user was last in, if that session is still a draft."""
    saved = people.get_setting(_place_key(ws))
    parts = saved.split(":")
    if len(parts) < 2 or not parts[0].isdigit():
        return None
    member = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None
    place = Place(int(parts[0]), parts[1], member)
    drafts = {s.id for s in my_unsigned(ws)}
    return place if place.session_id in drafts else None
