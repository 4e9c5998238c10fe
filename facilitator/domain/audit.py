"""The audit trail's hash chains: each entry's hash covers its own facts and the hash before it
in its lane.

Changing an entry changes its hash; removing or reordering entries breaks the link from the
next entry's ``prev_hash``. The first entry of a lane links to ``GENESIS``. A laptop's trail is
one lane (''); on a server each seat (a user on one workstation) appends to a lane of its own,
so seats do not wait for each other (migration 0014), and a printed head covers every lane.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum

GENESIS = "0" * 64


class Action(StrEnum):
    """What the audit trail records, stored by value (plain strings, so scripts can filter)."""

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    LOCK = "lock"
    UNLOCK = "unlock"
    VIEW_SESSION = "view_session"
    VIEW_MEMBER = "view_member"
    CREATE = "create"
    CHANGE = "change"
    SIGN = "sign"
    COSIGN = "cosign"
    ADDENDUM = "addendum"
    EXPORT = "export"
    PRINT = "print"
    USER_CHANGE = "user_change"
    SETTING_CHANGE = "setting_change"
    REFUSED = "refused"
    BACKUP = "backup"
    RESTORE = "restore"
    KEY_ROTATION = "key_rotation"  # the database re-encrypted under a new key
    IMPORT = "import"  # a laptop's database brought onto the server (`server import`)


class RecordKind(StrEnum):
    """Which kind of record an entry is about (NONE: the entry is about no one record)."""

    NONE = ""
    DATABASE = "database"
    SETTING = "setting"
    USER = "user"
    AUDIT_TRAIL = "audit_trail"
    GROUP = "group"
    MEMBER = "member"
    ENROLLMENT = "enrollment"
    GOAL = "goal"
    LIBRARY_ITEM = "library_item"
    CURRICULUM = "curriculum"
    SESSION = "session"
    ATTENDANCE = "attendance"
    CHECK_IN = "check_in"
    PHASE = "phase"
    GROUP_NOTE = "group_note"
    MEMBER_NOTE = "member_note"
    HOMEWORK = "homework"
    HOMEWORK_REVIEW = "homework_review"
    # Documents, as exports and prints name them.
    SIGN_IN = "sign_in"
    LEAD_REPORT = "lead_report"
    AUDIT_REPORT = "audit_report"


@dataclass(frozen=True)
class AuditFacts:
    """One entry's content: who, where, what, on which record, and how it came out."""

    at: dt.datetime
    user_id: int | None
    username: str
    workstation: str
    action: Action
    member_id: int | None = None
    record_kind: RecordKind = RecordKind.NONE
    record_id: int | None = None
    outcome: str = "ok"
    detail: str = ""


@dataclass(frozen=True)
class AuditEntryRecord:
    id: int
    facts: AuditFacts
    prev_hash: str
    entry_hash: str
    key_id: int | None = None  # the signing key (store.signing_keys); none on old entries
    signature: str | None = None
    lane: str = ""


def lane_of(facts: AuditFacts) -> str:
    """A server seat's lane: its workstation and user (no user: a failed sign-in there)."""
    return f"{facts.workstation}/{facts.user_id if facts.user_id is not None else '-'}"


def entry_hash(entry_id: int, facts: AuditFacts, prev_hash: str, lane: str = "") -> str:
    payload = [
        prev_hash,
        entry_id,
        facts.at.replace(tzinfo=None).isoformat(timespec="microseconds"),
        facts.user_id,
        facts.username,
        facts.workstation,
        facts.action,
        facts.member_id,
        facts.record_kind,
        facts.record_id,
        facts.outcome,
        facts.detail,
    ]
    if lane:  # lane '' hashes as entries always did; another lane's name is covered too
        payload.append(lane)
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def first_broken(entries: list[AuditEntryRecord]) -> tuple[int, str] | None:
    """The first entry (in id order) whose hash or link in its lane does not hold, and what is
    wrong."""
    previous: dict[str, str] = {}
    for entry in entries:
        if entry.prev_hash != previous.get(entry.lane, GENESIS):
            return entry.id, "does not follow the entry before it (an entry was removed or moved)"
        if entry_hash(entry.id, entry.facts, entry.prev_hash, entry.lane) != entry.entry_hash:
            return entry.id, "was altered after it was written"
        previous[entry.lane] = entry.entry_hash
    return None


@dataclass(frozen=True)
class LaneHead:
    """A lane as a head saw it: how many entries, and the newest's id and hash."""

    lane: str
    entries: int
    newest_id: int
    newest_hash: str


def heads_digest(lanes: list[LaneHead]) -> str:
    """What a printed head of a trail in lanes says: one hash over every lane's head."""
    listed = [[h.lane, h.entries, h.newest_id, h.newest_hash] for h in sorted(lanes, key=_by_lane)]
    return hashlib.sha256(json.dumps(listed, ensure_ascii=False).encode()).hexdigest()


def _by_lane(head: LaneHead) -> str:
    return head.lane
