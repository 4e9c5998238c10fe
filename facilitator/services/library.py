"""The homework library: the items shipped in resources/library, loaded with versions."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from facilitator.domain.audit import Action, RecordKind
from facilitator.domain.changes import Changes
from facilitator.domain.enums import HomeworkCategory, Track
from facilitator.domain.errors import InvalidInput, RuleViolation
from facilitator.domain.records import Completion, CurriculumPlan, HomeworkItemInfo
from facilitator.services.audit import audited
from facilitator.services.workspace import Workspace
from facilitator.store import library as store
from facilitator.store import people

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
SHIPPED_LIBRARY = RESOURCES / "library"
WORKSHEET_KINDS = ("lines", "table", "scale", "checklist")
TEXT_KEYS = ("title", "category", "module", "purpose", "take_home")
LIST_KEYS = ("tracks", "steps", "prompts")
ITEM_KEYS = (*TEXT_KEYS, *LIST_KEYS, "minutes", "worksheet_fields")


def _fail(source: str | None, key: str, problem: str) -> InvalidInput:
    where = f"{source}: " if source else ""
    return InvalidInput(key, f"{where}the field '{key}' {problem}")


def _text_list(value: Any) -> bool:
    return (
        isinstance(value, list | tuple)
        and bool(value)
        and all(isinstance(v, str) and v.strip() for v in value)
    )


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _check_worksheet(worksheet: Any, source: str | None) -> tuple[dict[str, Any], ...]:
    if not isinstance(worksheet, list | tuple) or not worksheet:
        raise _fail(source, "worksheet", "needs at least one field")
    checked = []
    for number, entry in enumerate(worksheet, start=1):
        where = f"worksheet field {number}"
        if not isinstance(entry, dict) or not str(entry.get("label", "")).strip():
            raise _fail(source, "worksheet", f"is wrong: {where} has no 'label'")
        kind = entry.get("kind")
        if kind not in WORKSHEET_KINDS:
            raise _fail(source, "worksheet", f"is wrong: {where} has an unknown 'kind'")
        if kind == "lines" and not _whole(entry.get("lines", 3), 1, 30):
            raise _fail(source, "worksheet", f"is wrong: {where} needs 'lines' from 1 to 30")
        if kind == "table" and not (
            _text_list(entry.get("columns")) and _whole(entry.get("rows", 5), 1, 31)
        ):
            raise _fail(
                source, "worksheet", f"is wrong: {where} needs 'columns' and 'rows' from 1 to 31"
            )
        if kind == "checklist" and not _text_list(entry.get("options")):
            raise _fail(source, "worksheet", f"is wrong: {where} needs a list of 'options'")
        checked.append({**entry, "label": str(entry["label"]).strip()})
    return tuple(checked)


def check_fields(raw: dict[str, Any], source: str | None = None) -> dict[str, Any]:
    """The item's fields, tidied; InvalidInput names the first field that is wrong."""
    for key in TEXT_KEYS:
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise _fail(source, key, "is missing or empty")
    for key in LIST_KEYS:
        if not _text_list(raw.get(key)):
            raise _fail(source, key, "must be a non-empty list of text")
    if raw["category"] not in set(HomeworkCategory):
        raise _fail(source, "category", f"must be one of {', '.join(HomeworkCategory)}")
    if not set(raw["tracks"]) <= set(Track):
        raise _fail(source, "tracks", f"may hold only {', '.join(Track)}")
    if not _whole(raw.get("minutes"), 5, 180):
        raise _fail(source, "minutes", "must be a whole number from 5 to 180")
    worksheet = _check_worksheet(raw.get("worksheet", raw.get("worksheet_fields")), source)
    return {
        "title": raw["title"].strip(),
        "category": raw["category"],
        "module": raw["module"].strip(),
        "tracks": tuple(raw["tracks"]),
        "purpose": raw["purpose"].strip(),
        "steps": tuple(s.strip() for s in raw["steps"]),
        "prompts": tuple(p.strip() for p in raw["prompts"]),
        "take_home": raw["take_home"].strip(),
        "worksheet_fields": worksheet,
        "minutes": raw["minutes"],
    }


def parse_item(text: str, source: str) -> dict[str, Any]:
    """The fields of one item file; InvalidInput names the first field that is wrong."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput("file", f"{source} is not valid TOML: {exc}") from None
    except RecursionError:  # arrays within arrays, thousands deep: no item looks like that
        raise InvalidInput("file", f"{source} is nested too deeply to be a library item") from None
    if "worksheet_fields" in raw:  # only the file's own spelling, 'worksheet', is read
        del raw["worksheet_fields"]
    return check_fields(raw, source)


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
        archived = current is not None and current.archived  # a clinic's archiving stays
        added.add(
            store.add_item(slug=slug, version=version, shipped=True, archived=archived, **fields)
        )
    return Changes(library=frozenset(added))


def list_items(category: str | None = None) -> list[HomeworkItemInfo]:
    return store.list_items(category)


def get_item(item_id: int) -> HomeworkItemInfo:
    return store.get_item(item_id)


def search(
    text: str = "",
    *,
    category: str | None = None,
    module: str | None = None,
    track: str | None = None,
    include_archived: bool = False,
) -> list[HomeworkItemInfo]:
    """The newest version of each item that matches; with words typed, best match first."""
    items = store.list_items(category, include_archived)
    if module:
        items = [i for i in items if i.module == module]
    if track:
        items = [i for i in items if track in i.tracks]
    if not text.strip():
        return items
    rank = {item_id: place for place, item_id in enumerate(store.matching_ids(text))}
    found = [i for i in items if i.id in rank]
    return sorted(found, key=lambda i: rank[i.id])


def modules(category: str | None = None) -> list[str]:
    return sorted({i.module for i in store.list_items(category, include_archived=True)})


# ----------------------------------------------------------------------------- clinic items

CLINIC_PREFIX = "clinic-"


def _new_slug(title: str) -> str:
    base = CLINIC_PREFIX + (re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40] or "item")
    taken = store.slugs_in_use()
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _refuse_same_title(title: str, slug: str | None) -> None:
    for other in store.list_items(include_archived=True):
        if other.slug != slug and other.title.casefold() == title.casefold():
            raise InvalidInput(
                "title", f"the field 'title': another item is already called {title!r}"
            )


@audited(Action.CHANGE, RecordKind.LIBRARY_ITEM, record="item_id")
def save_clinic_item(ws: Workspace, fields: dict[str, Any], item_id: int | None = None) -> Changes:
    """Add a clinic item, or save an edit of one as its next version.

    Shipped items are never edited (a clinic duplicates one to make it its own), and a new
    version leaves the sessions that used the old one exactly as they were.
    """
    checked = check_fields(fields)
    if item_id is None:
        _refuse_same_title(checked["title"], None)
        new_id = store.add_item(slug=_new_slug(checked["title"]), version=1, **checked)
        return Changes(library=frozenset({new_id}), created_id=new_id)
    current = store.latest_of(store.get_item(item_id).slug)
    if current.shipped:
        raise RuleViolation("shipped items cannot be edited; duplicate one to make your own")
    _refuse_same_title(checked["title"], current.slug)
    if not _differs(current, checked):
        return Changes(created_id=current.id)
    new_id = store.add_item(
        slug=current.slug, version=current.version + 1, archived=current.archived, **checked
    )
    return Changes(library=frozenset({new_id}), created_id=new_id)


def _fields_of(item: HomeworkItemInfo) -> dict[str, Any]:
    return {key: getattr(item, key) for key in ITEM_KEYS}


@audited(Action.CREATE, RecordKind.LIBRARY_ITEM)
def duplicate_item(ws: Workspace, item_id: int) -> Changes:
    """A clinic copy of any item, to adapt without touching the original."""
    fields = _fields_of(store.get_item(item_id))
    title = f"{fields['title']} (copy)"
    taken = {i.title.casefold() for i in store.list_items(include_archived=True)}
    number = 1
    while title.casefold() in taken:
        number += 1
        title = f"{fields['title']} (copy {number})"
    return save_clinic_item(ws, {**fields, "title": title})


@audited(Action.CHANGE, RecordKind.LIBRARY_ITEM, record="item_id")
def archive_item(ws: Workspace, item_id: int, archived: bool = True) -> Changes:
    """Hide an item from choosing (or bring it back); sessions that used it are unchanged."""
    item = store.get_item(item_id)
    store.set_archived(item.slug, archived)
    latest = store.latest_of(item.slug)
    return Changes(library=frozenset({latest.id}), created_id=latest.id)


def export_item(item_id: int) -> str:
    """The item as a TOML file another clinic can import."""
    item = store.get_item(item_id)
    fields = _fields_of(item)
    document = {
        "title": fields["title"],
        "category": fields["category"],
        "module": fields["module"],
        "tracks": list(fields["tracks"]),
        "minutes": fields["minutes"],
        "purpose": fields["purpose"],
        "steps": list(fields["steps"]),
        "prompts": list(fields["prompts"]),
        "take_home": fields["take_home"],
        "worksheet": [dict(f) for f in fields["worksheet_fields"]],
    }
    header = (
        "# A Facilitator homework library item. Import it with: facilitator library import FILE\n"
    )
    return header + tomli_w.dumps(document, multiline_strings=True)


@audited(Action.CREATE, RecordKind.LIBRARY_ITEM)
def import_item(ws: Workspace, text: str, source_name: str) -> Changes:
    """Add the item in an exported file as a clinic item; a bad file adds nothing."""
    fields = parse_item(text, source_name)
    return save_clinic_item(ws, fields)


# ----------------------------------------------------------------------------- completion


def completion_by_item() -> dict[str, Completion]:
    """Reviewed homework per item slug (all versions, all groups)."""
    return store.completion_by_slug()


def completion_by_group() -> dict[int, Completion]:
    return store.completion_by_group()


# ----------------------------------------------------------------------------- curricula


def curriculum(group_id: int) -> CurriculumPlan:
    name, steps = store.curriculum(group_id)
    return CurriculumPlan(group_id, name, tuple(steps))


@audited(Action.CHANGE, RecordKind.CURRICULUM, record="group_id")
def set_curriculum(ws: Workspace, group_id: int, name: str, item_ids: list[int]) -> Changes:
    """Replace the group's plan; each item once, in the order given."""
    slugs = [store.get_item(item_id).slug for item_id in item_ids]
    repeated = {slug for slug in slugs if slugs.count(slug) > 1}
    if repeated:
        title = store.latest_of(sorted(repeated)[0]).title
        raise InvalidInput("items", f"{title!r} is in the plan twice; keep it once")
    people.get_group(group_id)  # NotFound for a group that does not exist
    store.set_curriculum(group_id, name.strip(), item_ids)
    return Changes(groups=frozenset({group_id}))
