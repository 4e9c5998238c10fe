"""Renumbering a frozen body (domain.moving): every id it names, and nothing else."""

from __future__ import annotations

import dataclasses
import json
import typing

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from facilitator.domain import frozen, records
from facilitator.domain.frozen import LIVE_FIELDS, freeze
from facilitator.domain.moving import BODY_IDS, MissingId, renumber_body

RECORDS = st.from_type(records.SessionRecord)


def _id_fields(cls: type) -> set[str]:
    return {
        f.name
        for f in dataclasses.fields(cls)
        if (f.name == "id" or f.name.endswith("_id"))
        and typing.get_type_hints(cls)[f.name] in (int, int | None)
    }


def test_every_id_a_frozen_body_can_hold_is_renumbered():
    """A new id field on a record must be added to BODY_IDS, or moved-in bodies would keep a
    laptop's id (naming some other row on the server)."""
    hints = typing.get_type_hints(records.SessionRecord)
    assert _id_fields(records.SessionRecord) == set(BODY_IDS["session"])
    parts = {f.name for f in dataclasses.fields(records.SessionRecord)} - set(LIVE_FIELDS)
    for part in parts:
        args = [a for a in typing.get_args(hints[part]) if dataclasses.is_dataclass(a)]
        if args:  # a part made of rows (or the one group note)
            assert _id_fields(args[0]) == set(BODY_IDS.get(part, {})), part
    assert set(BODY_IDS) - {"session"} <= parts


def _body(record: records.SessionRecord) -> bytes:
    return freeze(
        record, facilitator="Ada Testwood, LCSW", co_facilitator=None, program="Test IOP",
        time_zone="America/Chicago", earlier_signers={record.facilitator_id: "Ada Testwood"},
    )  # fmt: skip


def _ids_in(body: bytes) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    session = json.loads(body)["session"]
    for part, fields in BODY_IDS.items():
        value = session if part == "session" else session[part]
        rows = [value] if isinstance(value, dict) else (value or [])
        for row in rows:
            for name, kind in fields.items():
                if row.get(name) is not None:
                    found.setdefault(kind, set()).add(row[name])
    return found


@given(record=RECORDS)
@settings(max_examples=100, deadline=None)
def test_renumbering_changes_the_ids_and_nothing_else(record):
    body = _body(record)
    ids = {kind: {old: old + 100_000 for old in olds} for kind, olds in _ids_in(body).items()}
    ids.setdefault("app_user", {}).update(
        {int(k): int(k) + 100_000 for k in json.loads(body)["earlier_signers"]}
    )
    renumbered = renumber_body(body, ids)
    back = {kind: {new: old for old, new in pairs.items()} for kind, pairs in ids.items()}
    assert renumber_body(renumbered, back) == body  # the same bytes, canonical as before
    moved = {k: {v + 100_000 for v in vs} for k, vs in _ids_in(body).items()}
    assert _ids_in(renumbered) == moved
    # Apart from the ids, the record reads the same.
    assert frozen.thaw(renumbered, record).member_notes == tuple(
        dataclasses.replace(n, member_id=n.member_id + 100_000,
                            goal_id=None if n.goal_id is None else n.goal_id + 100_000)
        for n in record.member_notes
    )  # fmt: skip


@given(record=RECORDS)
@settings(max_examples=50, deadline=None)
def test_a_body_naming_a_row_the_map_lacks_is_refused(record):
    assume(record.attendance)
    body = _body(record)
    ids = {kind: {old: old for old in olds} for kind, olds in _ids_in(body).items()}
    ids["member"].pop(record.attendance[0].member_id)
    with pytest.raises(MissingId):
        renumber_body(body, ids)
