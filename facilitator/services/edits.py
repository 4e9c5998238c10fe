"""Saves from several seats on one record: what a seat saw travels with its save, and a save
that meets another seat's change to the same part is refused with both texts (see
store.seat_saves.upsert). Different parts of one record merge: only the parts given are written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from facilitator.domain.changes import Changes
from facilitator.domain.errors import EditConflict
from facilitator.domain.rules import to_local
from facilitator.services.workspace import Workspace
from facilitator.store import seat_saves
from facilitator.store.seat_saves import Overtaken

T = TypeVar("T")


def as_seen(seen: Mapping[str, Any] | None, fields: Mapping[str, Any]) -> dict[str, Any]:
    """What the seat saw in the fields it saves, in the form they are stored: texts are kept
    stripped, so a seat that saw its own saved text sees what is stored. Parts the seat did
    not say it saw are not checked (a script's save, a part it never showed)."""
    return {
        name: value.strip() if isinstance(value, str) else value
        for name, value in (seen or {}).items()
        if name in fields
    }


def theirs_read(seen: T, conflict: EditConflict) -> T:
    """What a form showed, once its refusal has shown its user theirs: saving again goes over
    those fields (and still only over those the user changed)."""
    theirs: dict[str, Any] = dict(conflict.theirs)
    return dataclasses.replace(seen, **theirs)  # type: ignore[type-var]


def kept(overtaken: Overtaken | None, mine: Mapping[str, Any], changes: Changes) -> None:
    """Nothing to do when the save landed; otherwise refuse with both versions (and the
    ``changes`` naming the record, so the seat reads what it now holds)."""
    if overtaken is None:
        return
    from facilitator.services.accounts import time_zone

    parts = " and ".join(name.replace("_", " ") for name in overtaken.theirs)
    when = ""
    if overtaken.at is not None:
        when = " at " + to_local(overtaken.at, time_zone()).strftime("%H:%M")
    raise EditConflict(
        f"{overtaken.by} changed the {parts}{when} while you were editing it: "
        "yours is not saved yet, and is kept here; choose which to keep",
        theirs=dict(overtaken.theirs),
        mine={name: mine.get(name) for name in overtaken.theirs},
        by=overtaken.by,
        at=overtaken.at,
        changes=changes,
    )


def last_change(ws: Workspace, session_id: int, member_id: int | None = None) -> str:
    """ "changed by Ada Testwood at 10:42": who last saved a member's note (the group note when
    no member is named), for a box whose typing another seat's save has overtaken."""
    from facilitator.services.accounts import time_zone

    ws.make_current()
    table = "group_note" if member_id is None else "member_note"
    change = seat_saves.last_change(table, session_id, member_id)
    if change is None:
        return "changed elsewhere"
    when = "" if change.at is None else " at " + to_local(change.at, time_zone()).strftime("%H:%M")
    return f"changed by {change.by}{when}"
