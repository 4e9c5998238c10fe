"""Saving one row of a session (attendance, check-in, a member's note, the group note) from
several seats at once (issue 13): only the fields given are written, a field another seat
changed since this seat read it stops the save (``Overtaken``), first saves never collide, and
every edit is serialised with the session's signing (``hold_session``)."""

from __future__ import annotations

import datetime as dt
import functools
import operator
from dataclasses import dataclass
from typing import Any

from peewee import JOIN, PostgresqlDatabase

from facilitator.store.database import clear_errors, one_transaction
from facilitator.store.models import GroupNote, MemberNote, User, Versioned, database, utcnow

HOMEWORK_LOCK_ID = 7_447_005  # (…001 migrations, …002 audit, …003 init, …004 laptop import)


def hold_session(session_id: int, *, signing: bool = False) -> None:
    """Serialise a change of a session's content with its signing, to the end of the
    transaction: an edit holds the session row shared (edits go on side by side), signing
    holds it alone. So a signature waits for the edits under way and includes them, and an
    edit that comes after it waits, then finds the session signed (its trigger refuses).

    On PostgreSQL a row lock; SQLite has one writer at a time, and a signing transaction that
    read before another's commit cannot write (its snapshot is stale), so nothing to do."""
    if isinstance(database.obj, PostgresqlDatabase):
        strength = "UPDATE" if signing else "SHARE"
        database.execute_sql(f"SELECT id FROM session WHERE id = %s FOR {strength}", (session_id,))


def hold_homework(session_id: int) -> None:
    """Give homework in a session one seat at a time, to the end of the transaction: the
    second of two seats giving an item to everyone present at once then finds it given and
    does not give it again. (PostgreSQL only: a SQLite file has one writer at a time.)"""
    if isinstance(database.obj, PostgresqlDatabase):
        database.execute_sql(
            "SELECT pg_advisory_xact_lock(%s::int4, %s::int4)", (HOMEWORK_LOCK_ID, session_id)
        )


def hold_row(table: str, row_id: int) -> None:
    """Hold one row (a member's profile, a group's settings) to the end of the transaction, so
    a save that reads it, compares and writes it back cannot interleave with another's. On
    PostgreSQL a row lock; on SQLite the writing transaction holds the whole file already."""
    if isinstance(database.obj, PostgresqlDatabase) and database.in_transaction():
        database.execute_sql(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", (row_id,))


@dataclass(frozen=True)
class Overtaken:
    """A save refused because another seat changed the same part since this seat read it:
    what the row holds now (``theirs``, by field), who changed it last and when."""

    theirs: dict[str, Any]
    by: str
    at: dt.datetime | None


def upsert(
    model: type[Versioned],
    session_id: int,
    member_id: int | None,
    fields: dict[str, Any],
    *,
    by: int | None = None,
    seen: dict[str, Any] | None = None,
    first_only: dict[str, Any] | None = None,
    row: dict[str, Any] | None = None,
) -> Overtaken | None:
    """Change the given fields of the session's (and member's) row of this table, making the
    row if it is not there yet; nothing else in the row is written.

    ``seen``: what the seat saw in (some of) those fields when its user began the change. A
    field someone has changed since (it holds neither what was seen nor the new value) stops
    the save whole: nothing is written, and what the row holds now comes back. The check and
    the write are one UPDATE, so on PostgreSQL a save that waited for another's row lock
    checks against what that one committed. ``first_only``: values for a new row only (a
    note's author). Each save adds one to the row's version and names ``by`` and the time.
    ``row``: the fields naming the row where they are not its session and member (a homework
    review is the review of one assignment).
    """
    seen = seen or {}
    keys: dict[str, Any] = {"session": session_id}
    if member_id is not None:
        keys["member"] = member_id
    keys = row or keys
    where = _row_of(model, keys)
    with clear_errors(), one_transaction():
        hold_session(session_id)
        if not fields:
            model.insert(**keys, **(first_only or {})).on_conflict_ignore().execute()
            return None
        stamp = {"version": model.version + 1, "changed_by": by, "changed_at": utcnow()}
        unchanged = [_holds(model, name, seen[name], fields[name]) for name in seen]
        new_row = {**keys, **(first_only or {}), **fields, **stamp, "version": 1}
        for _try in range(3):  # another seat's first save may land between the two statements
            if model.update(**fields, **stamp).where(where, *unchanged).execute():
                return None
            made = model.insert(**new_row).on_conflict_ignore().returning(model.id).execute()
            if list(made):  # a row of its own: the first save, or the first of two at once
                return None
            overtaken = _overtaken(model, where, seen, fields)
            if overtaken.theirs:
                return overtaken
        return overtaken


def _row_of(model: type[Versioned], keys: dict[str, Any]) -> Any:
    fields = model._meta.fields
    return functools.reduce(operator.and_, [fields[name] == value for name, value in keys.items()])


def _holds(model: type[Versioned], name: str, *values: Any) -> Any:
    """The field holds one of the values (None: is empty)."""
    field = model._meta.fields[name]
    either = [field.is_null() if value is None else field == value for value in values]
    return either[0] | either[1]


def _overtaken(
    model: type[Versioned], where: Any, seen: dict[str, Any], fields: dict[str, Any]
) -> Overtaken:
    names = list(seen)
    row = (
        model.select(User.full_name, model.changed_at, *[model._meta.fields[n] for n in names])
        .join(User, JOIN.LEFT_OUTER, on=(model.changed_by == User.id))
        .where(where)
        .tuples()
        .get()
    )
    now = dict(zip(names, row[2:], strict=True))
    theirs = {n: now[n] for n in names if now[n] not in (seen[n], fields[n])}
    return Overtaken(theirs, row[0] or "someone", row[1])


def last_change(table: str, session_id: int, member_id: int | None) -> Overtaken | None:
    """Who last changed a member's note (``member_note``) or the group note (``group_note``),
    and when; None if nobody has yet."""
    model: type[Versioned] = MemberNote if table == "member_note" else GroupNote
    keys: dict[str, Any] = {"session": session_id}
    if member_id is not None:
        keys["member"] = member_id
    row = (
        model.select(User.full_name, model.changed_at)
        .join(User, JOIN.LEFT_OUTER, on=(model.changed_by == User.id))
        .where(_row_of(model, keys))
        .tuples()
        .first()
    )
    return None if row is None else Overtaken({}, row[0] or "someone", row[1])
