"""A signed record renumbered: the ids a laptop's frozen body names, given the server's ids.

A frozen body (domain.frozen) names rows by id: the session, its group, its facilitators,
members, goals, library items and homework. When a laptop moves onto the server
(services.moving_in) every row gets a new id, so each signed body is kept twice: as the laptop
froze it (what its signatures cover) and renumbered here (what the server reads). `check`
renumbers the laptop's body again and compares, so the two can never drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

# Which kind of row each id in a body names: per part of the session, field -> kind. The kinds
# are the tables' names. tests/domain/test_moving.py checks that every id field of a
# SessionRecord is here.
BODY_IDS: dict[str, dict[str, str]] = {
    "session": {
        "id": "session",
        "group_id": "therapy_group",
        "facilitator_id": "app_user",
        "co_facilitator_id": "app_user",
    },
    "attendance": {"member_id": "member"},
    "check_ins": {"member_id": "member"},
    "member_notes": {"member_id": "member", "goal_id": "treatment_goal"},
    "group_note": {"topic_item_id": "homework_item"},
    "assignments": {"id": "homework_assignment", "member_id": "member", "item_id": "homework_item"},
    "reviews": {"assignment_id": "homework_assignment", "member_id": "member"},
}

IdMap = Mapping[str, Mapping[int, int]]  # kind -> laptop id -> server id


class MissingId(ValueError):
    """A body names a row the renumbering does not know (a damaged or foreign body)."""


def _new(ids: IdMap, kind: str, value: Any) -> Any:
    if value is None:
        return None
    try:
        return ids[kind][int(value)]
    except KeyError:
        raise MissingId(f"{kind} {value}") from None


def _renumber_row(row: dict[str, Any], fields: dict[str, str], ids: IdMap) -> None:
    for name, kind in fields.items():
        if name in row:
            row[name] = _new(ids, kind, row[name])


def renumber_body(body: bytes, ids: IdMap) -> bytes:
    """The same canonical JSON with every id the server's (raises MissingId)."""
    raw = json.loads(body)
    session = raw["session"]
    _renumber_row(session, BODY_IDS["session"], ids)
    for part, fields in BODY_IDS.items():
        if part == "session":
            continue
        value = session.get(part)
        rows = [value] if isinstance(value, dict) else (value or [])
        for row in rows:
            _renumber_row(row, fields, ids)
    raw["earlier_signers"] = {
        str(_new(ids, "app_user", key)): name
        for key, name in raw.get("earlier_signers", {}).items()
    }
    return json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
