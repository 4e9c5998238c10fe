"""Queries on the homework library's items."""

from __future__ import annotations

import json
from typing import Any

from facilitator.domain.errors import NotFound
from facilitator.domain.records import HomeworkItemInfo
from facilitator.store.database import clear_errors
from facilitator.store.models import HomeworkItem


def _info(row: HomeworkItem) -> HomeworkItemInfo:
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


def _columns(fields: dict[str, Any]) -> dict[str, Any]:
    columns = dict(fields)
    for key in ("steps", "prompts", "worksheet_fields"):
        if key in columns:
            columns[key] = json.dumps(list(columns[key]), ensure_ascii=False)
    if "tracks" in columns:
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


def list_items(
    category: str | None = None, include_archived: bool = False
) -> list[HomeworkItemInfo]:
    items = [i for i in latest_by_slug().values() if include_archived or not i.archived]
    if category:
        items = [i for i in items if i.category == category]
    return sorted(items, key=lambda i: (i.category, i.module, i.title.lower()))
