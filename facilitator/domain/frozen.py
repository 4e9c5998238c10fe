"""A signed session, frozen: everything its record prints, captured at the signature.

Members' names and record numbers, the group's name, track and type, goal texts, the
facilitators' names and credentials, the program's name and the clinic's time zone live in
other tables and may change later (a member renamed, a goal reworded, a group renamed). A
signed record must not: at signing, the whole record is written once as canonical JSON (the
"body"), and from then on the record is read, shown, printed and checked from that body. Its
SHA-256 is what the signature covers (``CANONICAL_VERSION`` 2).

The body's own format has a number (``FORMAT``), so a body written today is read the same way
by every later version of the app.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import types
import typing
from collections.abc import Callable
from dataclasses import fields, is_dataclass, replace
from typing import Any

from facilitator.domain.records import FrozenFacts, SessionRecord

FORMAT = 1
# Live, not frozen: they change after the content is fixed (and are checked on their own).
LIVE_FIELDS = ("state", "current_phase", "signatures", "addenda", "frozen")


def freeze(
    record: SessionRecord,
    *,
    facilitator: str,
    co_facilitator: str | None,
    program: str,
    time_zone: str,
    earlier_signers: dict[int, str] | None = None,
) -> bytes:
    """The body: canonical JSON (sorted keys, no spaces, UTF-8) of the record and its facts."""
    session = {f.name: _plain(getattr(record, f.name)) for f in fields(record)}
    for name in LIVE_FIELDS:
        session.pop(name)
    body = {
        "format": FORMAT,
        "session": session,
        "facilitator": facilitator,
        "co_facilitator": co_facilitator,
        "program": program,
        "time_zone": time_zone,
        "earlier_signers": {str(k): v for k, v in sorted((earlier_signers or {}).items())},
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def thaw(body: bytes, live: SessionRecord, covered: str | None = None) -> SessionRecord:
    """The record as it was signed, with the facts printed with it (``frozen``), and the live
    state, signatures and addenda of ``live`` (signers as they were when they signed).
    ``covered``: the hash the signatures cover, where it is not the body's own (a session
    brought in from a laptop, whose signatures cover the body with the laptop's ids)."""
    raw = json.loads(body)
    if raw.get("format") != FORMAT:
        raise ValueError(f"a signed body of format {raw.get('format')!r}")
    values = {f.name: _typed(raw["session"][f.name], hints(SessionRecord)[f.name])
              for f in fields(SessionRecord) if f.name not in LIVE_FIELDS}  # fmt: skip
    facts = FrozenFacts(
        facilitator=str(raw["facilitator"]),
        co_facilitator=raw["co_facilitator"],
        program=str(raw["program"]),
        time_zone=str(raw["time_zone"]),
        earlier_signers={int(k): str(v) for k, v in raw["earlier_signers"].items()},
        body_hash=covered or body_hash(body),
    )
    return SessionRecord(
        **values,
        state=live.state,
        current_phase=live.current_phase,
        signatures=tuple(
            replace(s, signer=facts.signer(s.user_id, s.signer)) if s.legacy_signer else s
            for s in live.signatures
        ),
        addenda=tuple(
            replace(a, signer=facts.signer(a.author_id, a.signer)) if a.legacy_signer else a
            for a in live.addenda
        ),
        frozen=facts,
    )


# What legitimately changes in other tables after signing, and so is compared from the body
# only: the group's name, track and type; members' names and record numbers; goal texts.
SHOWN_FROM_ELSEWHERE = {
    "session": ("group_name", "track", "group_type"),
    "attendance": ("display_name", "record_number"),
    "member_notes": ("goal_text",),
}


def clinical_facts(record: SessionRecord) -> dict[str, Any]:
    """What the session's own rows hold (as plain data): a frozen record's facts must equal
    those of the rows beside it, or the rows were changed around the locks."""
    plain = {f.name: _plain(getattr(record, f.name)) for f in fields(record)}
    for name in LIVE_FIELDS:
        plain.pop(name)
    return _without_names(plain)


def clinical_facts_of_body(body: bytes) -> dict[str, Any]:
    """clinical_facts of the record a body holds, read straight from its JSON (as `check`
    does for every signed session, without building the record)."""
    return _without_names(json.loads(body)["session"])


# Each part's rows in an order no name decides (the roster is sorted by name).
_ROW_ORDER = {
    "attendance": ("member_id",),
    "check_ins": ("member_id",),
    "member_notes": ("member_id",),
    "assignments": ("id",),
    "reviews": ("assignment_id", "member_id"),
    "phases": ("started_at", "phase", "ended_at"),
}


def _without_names(plain: dict[str, Any]) -> dict[str, Any]:
    for name in SHOWN_FROM_ELSEWHERE["session"]:
        plain.pop(name)
    for part in ("attendance", "member_notes"):
        for row in plain[part]:
            for name in SHOWN_FROM_ELSEWHERE[part]:
                row.pop(name)
    for part, keys in _ROW_ORDER.items():
        plain[part].sort(key=lambda row: tuple(str(row[key]) for key in keys))
    return plain


# ----------------------------------------------------------------------------- to and from JSON

_HINTS: dict[type, dict[str, Any]] = {}


def hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _plain(value: Any) -> Any:
    """``value`` as JSON holds it: dataclasses as objects, tuples as lists, enums by value,
    dates as ISO text. (Looked up by the value's type: `check` turns every signed session's
    rows into this.)"""
    convert = _TO_PLAIN.get(type(value))
    if convert is None:
        convert = _TO_PLAIN[type(value)] = _to_plain_for(type(value))
    return convert(value)


def _to_plain_for(kind: type) -> Callable[[Any], Any]:
    if is_dataclass(kind):
        names = tuple(f.name for f in fields(kind))
        return lambda value: {name: _plain(getattr(value, name)) for name in names}
    if issubclass(kind, tuple | list):
        return lambda value: [_plain(item) for item in value]
    if issubclass(kind, enum.Enum):
        return lambda value: value.value
    if issubclass(kind, dt.datetime | dt.date | dt.time):
        return lambda value: value.isoformat()
    return lambda value: value


_TO_PLAIN: dict[type, Callable[[Any], Any]] = {}


def _typed(value: Any, hint: Any) -> Any:
    """``value`` from JSON as the type ``hint`` names (dataclasses, tuples, enums, dates)."""
    convert = _FROM_PLAIN.get(hint)
    if convert is None:
        convert = _FROM_PLAIN[hint] = _from_plain_for(hint)
    return convert(value)


def _from_plain_for(hint: Any) -> Callable[[Any], Any]:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        (kind,) = [a for a in args if a is not type(None)]
        return lambda value: None if value is None else _typed(value, kind)
    if origin is tuple:
        return lambda value: tuple(_typed(item, args[0]) for item in value)
    if isinstance(hint, type) and is_dataclass(hint):
        kinds = hints(hint)
        names = tuple(f.name for f in fields(hint))
        return lambda value: hint(**{name: _typed(value[name], kinds[name]) for name in names})
    if hint is dt.datetime:
        return dt.datetime.fromisoformat
    if hint is dt.date:
        return dt.date.fromisoformat
    if hint is dt.time:
        return dt.time.fromisoformat
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint
    return lambda value: value


_FROM_PLAIN: dict[Any, Callable[[Any], Any]] = {}
