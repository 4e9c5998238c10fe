"""Assigning homework at the end of a session and reviewing it at the next check-in."""

from __future__ import annotations

import datetime as dt

from facilitator.domain.audit import Action
from facilitator.domain.changes import Changes
from facilitator.domain.enums import ReviewStatus
from facilitator.domain.errors import RuleViolation
from facilitator.domain.records import OutstandingAssignment, SessionRecord
from facilitator.domain.rules import next_meeting, require_text
from facilitator.services.audit import audited
from facilitator.services.sessions import editable, require_attended
from facilitator.services.workspace import Workspace
from facilitator.store import library, people
from facilitator.store import sessions as store


@audited(Action.CREATE, "homework", record="session_id")
def assign_homework(
    ws: Workspace,
    session_id: int,
    item_id: int,
    *,
    members: list[int] | None = None,
    instructions: dict[int, str] | None = None,
    due: dt.date | None = None,
) -> Changes:
    """Give a library item's take-home part to the present members (or those named).

    The item's text is copied into each assignment, so editing the library later never changes
    what a member was given. ``instructions`` replaces the text for particular members.
    """
    group_id, date, _track = editable(session_id, ws)
    item = library.get_item(item_id)
    if item.archived:
        raise RuleViolation(f"{item.title} is archived; choose a current item")
    due = due or next_meeting(people.get_group(group_id).meeting_weekdays, date)
    if due < date:
        raise RuleViolation("homework cannot be due before the session it is given in")
    record = store.load_session(session_id)
    targets = members if members is not None else [a.member_id for a in record.present]
    if not targets:
        raise RuleViolation("no member is marked present to give homework to")
    overrides = instructions or {}
    given: set[int] = set()
    for member_id in targets:
        require_attended(session_id, member_id, "homework")
        text = overrides.get(member_id, item.take_home).strip() or item.take_home
        store.add_assignment(session_id, member_id, item.id, item.title, text, due)
        given.add(member_id)
    return Changes(sessions=frozenset({session_id}), homework=frozenset(given))


@audited(Action.CREATE, "homework", record="session_id", member="member_id")
def assign_custom(
    ws: Workspace,
    session_id: int,
    member_id: int,
    *,
    title: str,
    instructions: str,
    due: dt.date | None = None,
) -> Changes:
    """An extra, individual assignment written for one member."""
    group_id, date, _track = editable(session_id, ws)
    require_attended(session_id, member_id, "homework")
    due = due or next_meeting(people.get_group(group_id).meeting_weekdays, date)
    store.add_assignment(
        session_id,
        member_id,
        None,
        require_text("title", title),
        require_text("instructions", instructions, max_length=4000),
        due,
    )
    return Changes(sessions=frozenset({session_id}), homework=frozenset({member_id}))


@audited(Action.CHANGE, "homework", record="assignment_id")
def remove_assignment(ws: Workspace, assignment_id: int) -> Changes:
    session_id, member_id, _given = store.assignment_facts(assignment_id)
    editable(session_id, ws)
    store.remove_assignment(assignment_id)
    return Changes(sessions=frozenset({session_id}), homework=frozenset({member_id}))


def outstanding_for_session(session_id: int) -> dict[int, list[OutstandingAssignment]]:
    """Each rostered member's homework from earlier sessions that has not been reviewed."""
    return outstanding_for_record(store.load_session(session_id))


def outstanding_for_record(record: SessionRecord) -> dict[int, list[OutstandingAssignment]]:
    """The same, for a session record already at hand."""
    found: dict[int, list[OutstandingAssignment]] = {a.member_id: [] for a in record.attendance}
    for assignment in store.outstanding_assignments(list(found), record.date):
        found[assignment.member_id].append(assignment)
    return found


def outstanding_for_member(member_id: int, before: dt.date) -> list[OutstandingAssignment]:
    return store.outstanding_assignments([member_id], before)


@audited(Action.CHANGE, "homework_review", record="session_id")
def review_homework(
    ws: Workspace, session_id: int, assignment_id: int, status: ReviewStatus, comment: str = ""
) -> Changes:
    """Record at this session's check-in whether earlier homework was done, partly or not done."""
    _group, date, _track = editable(session_id, ws)
    given_in, member_id, given_on = store.assignment_facts(assignment_id)
    if given_in == session_id or given_on >= date:
        raise RuleViolation("homework is reviewed at a later session than the one it was given in")
    require_attended(session_id, member_id, "a homework review")
    reviewed_in = store.review_session(assignment_id)
    if reviewed_in is not None and reviewed_in != session_id:
        raise RuleViolation("this homework was already reviewed at another session")
    store.save_review(assignment_id, session_id, member_id, ReviewStatus(status), comment.strip())
    return Changes(sessions=frozenset({session_id}), reviews=frozenset({member_id}))
