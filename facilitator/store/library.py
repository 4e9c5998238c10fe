"""Queries on the homework library's items."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from typing import Any

from peewee import JOIN, PostgresqlDatabase, fn

from facilitator.domain.enums import ReviewStatus
from facilitator.domain.errors import IntegrityProblem, NotFound
from facilitator.domain.records import Completion, CurriculumStep, HomeworkItemInfo
from facilitator.domain.rules import utcnow
from facilitator.store.database import clear_errors
from facilitator.store.models import (
    Curriculum,
    CurriculumItem,
    GroupNote,
    HomeworkAssignment,
    HomeworkItem,
    HomeworkReview,
    Session,
    database,
)


def _info(row: HomeworkItem) -> HomeworkItemInfo:
    try:
        return _parsed(row)
    except ValueError:  # the lists are stored as JSON the app wrote: unreadable is damage
        raise IntegrityProblem(
            f"homework library item {row.id} is damaged (its stored lists cannot be read); "
            "restore the last good backup ('facilitator restore')"
        ) from None


def _parsed(row: HomeworkItem) -> HomeworkItemInfo:
    return HomeworkItemInfo(
        id=row.id,
        slug=row.slug,
        category=row.category,
        module=row.module,
        title=row.title,
        tracks=tuple(t for t in row.tracks.split(",") if t),
        purpose=row.purpose,
        steps=tuple(json.loads(row.steps)),
        prompts=tuple(json.loads(row.prompts)),
        take_home=row.take_home,
        worksheet_fields=tuple(json.loads(row.worksheet_fields)),
        minutes=row.minutes,
        version=row.version,
        shipped=bool(row.shipped),
        archived=bool(row.archived),
    )


def search_text(fields: dict[str, Any]) -> str:
    """The words a search finds an item by, besides its title and module."""
    parts = [fields["purpose"], *fields["steps"], *fields["prompts"], fields["take_home"]]
    for field in fields["worksheet_fields"]:
        parts.append(str(field.get("label", "")))
        parts.extend(str(v) for v in field.get("columns", []) or [])
        parts.extend(str(v) for v in field.get("options", []) or [])
    return "\n".join(parts)


def _columns(fields: dict[str, Any]) -> dict[str, Any]:
    columns = dict(fields)
    columns["search_text"] = search_text(fields)
    for key in ("steps", "prompts", "worksheet_fields"):
        columns[key] = json.dumps(list(columns[key]), ensure_ascii=False)
    columns["tracks"] = ",".join(columns["tracks"])
    return columns


def add_item(**fields: Any) -> int:
    with clear_errors():
        return int(HomeworkItem.create(**_columns(fields)).id)


def get_item(item_id: int) -> HomeworkItemInfo:
    row = HomeworkItem.get_or_none(HomeworkItem.id == item_id)
    if row is None:
        raise NotFound(f"no library item with id {item_id}")
    return _info(row)


def latest_by_slug() -> dict[str, HomeworkItemInfo]:
    """The newest version of every item, by slug."""
    latest: dict[str, HomeworkItemInfo] = {}
    for row in HomeworkItem.select().order_by(HomeworkItem.slug, HomeworkItem.version):
        latest[row.slug] = _info(row)
    return latest


def latest_of(slug: str) -> HomeworkItemInfo:
    row = (
        HomeworkItem.select()
        .where(HomeworkItem.slug == slug)
        .order_by(HomeworkItem.version.desc())
        .first()
    )
    if row is None:
        raise NotFound(f"no library item called {slug}")
    return _info(row)


def slugs_in_use() -> set[str]:
    return {row[0] for row in HomeworkItem.select(HomeworkItem.slug).distinct().tuples()}


def set_archived(slug: str, archived: bool) -> None:
    """Archive or restore every version of an item (past assignments keep pointing at them)."""
    with clear_errors():
        HomeworkItem.update(archived=archived).where(HomeworkItem.slug == slug).execute()


# ----------------------------------------------------------------------------- search

_WORD = re.compile(r"\w+", re.UNICODE)


def matching_ids(text: str) -> list[int]:
    """Ids of item versions whose words match every word typed (as a prefix), best first.

    The words are taken apart here and quoted, so nothing typed can reach the engines' query
    languages as syntax: "urge -surf" or a stray quote is just words.
    """
    words = _WORD.findall(text.lower())
    if not words:
        return []
    if isinstance(database.obj, PostgresqlDatabase):
        query = " & ".join(f"{word}:*" for word in words)
        cursor = database.execute_sql(
            "SELECT id FROM homework_item WHERE search_vector @@ to_tsquery('english', %s) "
            "ORDER BY ts_rank(search_vector, to_tsquery('english', %s)) DESC, id",
            (query, query),
        )
    else:
        query = " ".join(f'"{word}"*' for word in words)
        cursor = database.execute_sql(
            "SELECT rowid FROM homework_item_search WHERE homework_item_search MATCH ? "
            "ORDER BY bm25(homework_item_search, 10.0, 4.0, 1.0), rowid",
            (query,),
        )
    return [row[0] for row in cursor.fetchall()]


# ----------------------------------------------------------------------------- completion

_COUNT = {
    ReviewStatus.DONE: "done",
    ReviewStatus.PARTLY: "partly",
    ReviewStatus.NOT_DONE: "not_done",
}


def _completions(rows: Iterable[tuple[Any, str, int]]) -> dict[Any, Completion]:
    counts: dict[Any, dict[str, int]] = {}
    for key, status, number in rows:
        counts.setdefault(key, {})[_COUNT[ReviewStatus(status)]] = number
    return {key: Completion(**values) for key, values in counts.items()}


def completion_by_slug() -> dict[str, Completion]:
    """Reviewed homework per library item, across every version and every group."""
    rows = (
        HomeworkReview.select(HomeworkItem.slug, HomeworkReview.status, fn.COUNT(HomeworkReview.id))
        .join(HomeworkAssignment)
        .join(HomeworkItem)
        .group_by(HomeworkItem.slug, HomeworkReview.status)
        .tuples()
    )
    return _completions(rows)


def completion_by_group() -> dict[int, Completion]:
    """Reviewed homework per group, by the group of the session that gave it."""
    rows = (
        HomeworkReview.select(Session.group, HomeworkReview.status, fn.COUNT(HomeworkReview.id))
        .join(HomeworkAssignment)
        .join(Session, on=(HomeworkAssignment.session == Session.id))
        .group_by(Session.group, HomeworkReview.status)
        .tuples()
    )
    return _completions(rows)


# ----------------------------------------------------------------------------- curricula


def coverage(group_id: int) -> dict[str, tuple[dt.date, int]]:
    """For each item slug the group has used as a topic: the first session that used it."""
    rows = (
        GroupNote.select(HomeworkItem.slug, Session.date, Session.id)
        .join(Session)
        .switch(GroupNote)
        .join(HomeworkItem)
        .where(Session.group == group_id)
        .order_by(Session.date.desc(), Session.id.desc())
        .tuples()
    )
    return {slug: (day, session_id) for slug, day, session_id in rows}


def curriculum(group_id: int) -> tuple[str, list[CurriculumStep]]:
    """The group's plan (name and steps, newest version of each item); empty when it has none."""
    plan = Curriculum.get_or_none(Curriculum.group == group_id)
    if plan is None:
        return "", []
    covered = coverage(group_id)
    rows = (
        CurriculumItem.select(CurriculumItem.position, HomeworkItem.slug)
        .join(HomeworkItem, JOIN.INNER)
        .where(CurriculumItem.curriculum == plan.id)
        .order_by(CurriculumItem.position)
        .tuples()
    )
    latest = latest_by_slug()
    steps = []
    for position, slug in rows:
        day, session_id = covered.get(slug, (None, None))
        steps.append(CurriculumStep(position, latest[slug], day, session_id))
    return plan.name, steps


def set_curriculum(group_id: int, name: str, item_ids: list[int]) -> None:
    """Replace the group's plan with these items, in this order."""
    with clear_errors(), database.atomic():
        plan = Curriculum.get_or_none(Curriculum.group == group_id)
        if plan is None:
            plan = Curriculum.create(group=group_id, name=name)
        else:
            Curriculum.update(name=name, updated_at=utcnow()).where(
                Curriculum.id == plan.id
            ).execute()
            CurriculumItem.delete().where(CurriculumItem.curriculum == plan.id).execute()
        rows = [
            {"curriculum": plan.id, "position": position, "item": item_id}
            for position, item_id in enumerate(item_ids, start=1)
        ]
        if rows:
            CurriculumItem.insert_many(rows).execute()


def list_items(
    category: str | None = None, include_archived: bool = False
) -> list[HomeworkItemInfo]:
    items = [i for i in latest_by_slug().values() if include_archived or not i.archived]
    if category:
        items = [i for i in items if i.category == category]
    return sorted(items, key=lambda i: (i.category, i.module, i.title.lower()))
