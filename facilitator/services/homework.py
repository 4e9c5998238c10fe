"""Assigning homework at the end of a session and reviewing it at the next check-in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from facilitator.domain.audit import Action, RecordKind
from facilitator.domain.changes import Changes
from facilitator.domain.enums import ReviewStatus
from facilitator.domain.errors import RuleViolation
from facilitator.domain.records import (
    OutstandingAssignment,
    homework_review_line,
)
from facilitator.domain.rules import next_meeting, require_text
from facilitator.services import edits
from facilitator.services.audit import audited
from facilitator.services.sessions import editable, require_attended, save_check_in
from facilitator.services.workspace import Workspace
from facilitator.store import library, people, seat_saves
from facilitator.store import session_reads as reads
from facilitator.store import sessions as store


@audited(Action.CREATE, RecordKind.HOMEWORK, record="session_id")
def assign_homework(
    ws: Workspace,
    session_id: int,
    item_id: int,
    *,
    members: list[int] | None = None,
    instructions: dict[int, str] | None = None,
    due: dt.date | None = None,
) -> Changes:
    """Give a library item's take-home part to the members named, or else to each present
    member who does not have it yet.

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
    seat_saves.hold_homework(session_id)  # another seat giving it at this moment goes first
    record = reads.load_session(session_id)
    targets = members
    if targets is None:
        if not record.present:
            raise RuleViolation("no member is marked present to give homework to")
        given = {a.member_id for a in record.assignments if a.item_id == item_id}
        targets = [a.member_id for a in record.present if a.member_id not in given]
        if not targets:
            raise RuleViolation("everyone present already has this homework")
    overrides = instructions or {}
    for member_id in targets:
        require_attended(session_id, member_id, "homework")
        text = overrides.get(member_id, item.take_home).strip() or item.take_home
        store.add_assignment(session_id, member_id, item.id, item.title, text, due)
    return Changes(sessions=frozenset({session_id}), homework=frozenset(targets))


@audited(Action.CREATE, RecordKind.HOMEWORK, record="session_id", member="member_id")
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


@audited(Action.CHANGE, RecordKind.HOMEWORK, record="assignment_id")
def remove_assignment(ws: Workspace, assignment_id: int) -> Changes:
    session_id, member_id, _given = store.assignment_facts(assignment_id)
    editable(session_id, ws)
    store.remove_assignment(assignment_id)
    return Changes(sessions=frozenset({session_id}), homework=frozenset({member_id}))


def outstanding_for_session(session_id: int) -> dict[int, list[OutstandingAssignment]]:
    """Each rostered member's homework from earlier sessions that has not been reviewed."""
    _state, _group, date, _track = store.session_facts(session_id)
    return outstanding_for_members(sorted(store.roster_member_ids(session_id)), date)


def outstanding_for_members(
    member_ids: list[int], before: dt.date
) -> dict[int, list[OutstandingAssignment]]:
    """Each member's homework given before that day and not reviewed yet, in one read."""
    found: dict[int, list[OutstandingAssignment]] = {m: [] for m in member_ids}
    for assignment in store.outstanding_assignments(member_ids, before):
        found[assignment.member_id].append(assignment)
    return found


@audited(Action.CHANGE, RecordKind.HOMEWORK_REVIEW, record="session_id", member="member_id")
def review_at_check_in(
    ws: Workspace,
    session_id: int,
    member_id: int,
    reviews: Mapping[int, tuple[ReviewStatus, str | None]],
    seen: Mapping[int, tuple[ReviewStatus | None, str]] | None = None,
) -> Changes:
    """Review a member's earlier homework at this check-in: each assignment done, partly or
    not done (with a comment; None keeps the one written), and the check-in's homework line
    rewritten to match, all as one change.

    ``seen``: each review as the screen showed it (status, or None before any; comment). Only
    what its user changed from that is written, so another seat's change to the other part
    stays; a part another seat changed too is refused with both (EditConflict), nothing
    written."""
    editable(session_id, ws)
    if not reviews:
        raise RuleViolation("there is no homework from an earlier session to review")
    stored = {
        r.assignment_id: r
        for r in reads.load_member_slices(session_id, [member_id])[member_id].reviews
    }
    for assignment_id, (status, comment) in reviews.items():
        _given_in, owner, _given_on = store.assignment_facts(assignment_id)
        if owner != member_id:
            raise RuleViolation("that homework was given to another member")
        kept = stored[assignment_id].comment if assignment_id in stored else ""
        mine = {
            "status": ReviewStatus(status).value,
            "comment": kept if comment is None else comment.strip(),
        }
        shown = None if seen is None or assignment_id not in seen else seen[assignment_id]
        _save_review(ws, session_id, assignment_id, mine, shown)
    slice_ = reads.load_member_slices(session_id, [member_id])[member_id]
    line = homework_review_line(slice_.reviews)
    changes = save_check_in(ws, session_id, member_id, {"homework_review": line})
    return changes | Changes(sessions=frozenset({session_id}), reviews=frozenset({member_id}))


def _save_review(
    ws: Workspace,
    session_id: int,
    assignment_id: int,
    mine: dict[str, str],
    shown: tuple[ReviewStatus | None, str] | None,
) -> None:
    _group, date, _track = editable(session_id, ws)
    given_in, member_id, given_on = store.assignment_facts(assignment_id)
    if given_in == session_id or given_on >= date:
        raise RuleViolation("homework is reviewed at a later session than the one it was given in")
    require_attended(session_id, member_id, "a homework review")
    reviewed_in = store.review_session(assignment_id)
    if reviewed_in is not None and reviewed_in != session_id:
        raise RuleViolation("this homework was already reviewed at another session")
    fields, seen = dict(mine), {}
    if shown is not None:
        was = {"status": None if shown[0] is None else ReviewStatus(shown[0]).value,
               "comment": shown[1].strip()}  # fmt: skip
        fields = {name: value for name, value in mine.items() if value != was[name]}
        seen = {name: was[name] for name in fields}
        if not fields:
            return  # nothing changed here: another seat's review stays as it is
    overtaken = store.save_review(
        assignment_id, session_id, member_id, fields, by=ws.actor.user_id, seen=seen
    )
    edits.kept(
        overtaken, fields, Changes(sessions=frozenset({session_id}), reviews=frozenset({member_id}))
    )
