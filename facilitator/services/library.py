"""The homework library: the items shipped in resources/library, loaded with versions."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from facilitator.domain.changes import Changes
from facilitator.domain.enums import HomeworkCategory, Track
from facilitator.domain.errors import InvalidInput
from facilitator.domain.records import HomeworkItemInfo
from facilitator.store import library as store

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
SHIPPED_LIBRARY = RESOURCES / "library"
WORKSHEET_KINDS = ("lines", "table", "scale", "checklist")
TEXT_KEYS = ("title", "category", "module", "purpose", "take_home")
LIST_KEYS = ("tracks", "steps", "prompts")


def parse_item(text: str, source: str) -> dict[str, Any]:
    """The fields of one item file; InvalidInput names the first field that is wrong."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput("file", f"{source} is not valid TOML: {exc}") from None
    for key in TEXT_KEYS:
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise InvalidInput(key, f"{source}: the field '{key}' is missing or empty")
    for key in LIST_KEYS:
        value = raw.get(key)
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) and v.strip() for v in value)
        ):
            raise InvalidInput(key, f"{source}: the field '{key}' must be a non-empty list of text")
    if raw["category"] not in set(HomeworkCategory):
        raise InvalidInput(
            "category",
            f"{source}: the field 'category' must be one of {', '.join(HomeworkCategory)}",
        )
    if not set(raw["tracks"]) <= set(Track):
        raise InvalidInput(
            "tracks", f"{source}: the field 'tracks' may hold only {', '.join(Track)}"
        )
    minutes = raw.get("minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 5 <= minutes <= 180:
        raise InvalidInput(
            "minutes", f"{source}: the field 'minutes' must be a whole number from 5 to 180"
        )
    worksheet = raw.get("worksheet")
    if not isinstance(worksheet, list) or not worksheet:
        raise InvalidInput("worksheet", f"{source}: the field 'worksheet' needs at least one field")
    for index, entry in enumerate(worksheet, start=1):
        if not isinstance(entry, dict) or not str(entry.get("label", "")).strip():
            raise InvalidInput("worksheet", f"{source}: worksheet field {index} has no 'label'")
        if entry.get("kind") not in WORKSHEET_KINDS:
            raise InvalidInput(
                "worksheet", f"{source}: worksheet field {index} has an unknown 'kind'"
            )
    return {
        "title": raw["title"].strip(),
        "category": raw["category"],
        "module": raw["module"].strip(),
        "tracks": tuple(raw["tracks"]),
        "purpose": raw["purpose"].strip(),
        "steps": tuple(s.strip() for s in raw["steps"]),
        "prompts": tuple(p.strip() for p in raw["prompts"]),
        "take_home": raw["take_home"].strip(),
        "worksheet_fields": tuple(worksheet),
        "minutes": minutes,
    }


def _differs(item: HomeworkItemInfo, fields: dict[str, Any]) -> bool:
    return any(getattr(item, key) != value for key, value in fields.items())


def load_shipped(directory: Path = SHIPPED_LIBRARY) -> Changes:
    """Bring the shipped items into the database.

    A new file adds version 1; a changed file adds the next version (past assignments keep the
    text they were given); a clinic-made item is never touched.
    """
    latest = store.latest_by_slug()
    added: set[int] = set()
    for path in sorted(directory.glob("*/*.toml")):
        fields = parse_item(path.read_text("utf-8"), path.name)
        slug = path.stem
        current = latest.get(slug)
        if current is not None and (not current.shipped or not _differs(current, fields)):
            continue
        version = 1 if current is None else current.version + 1
        added.add(store.add_item(slug=slug, version=version, shipped=True, **fields))
    return Changes(library=frozenset(added))


def list_items(category: str | None = None) -> list[HomeworkItemInfo]:
    return store.list_items(category)


def get_item(item_id: int) -> HomeworkItemInfo:
    return store.get_item(item_id)
