"""The shipped homework library parses, and loading it is versioned and idempotent."""

import shutil
from collections import Counter

import pytest

from facilitator.domain.errors import InvalidInput
from facilitator.services import library
from facilitator.store import library as store

SHIPPED = sorted(library.SHIPPED_LIBRARY.glob("*/*.toml"))


def test_every_shipped_item_is_complete():
    parsed = [library.parse_item(path.read_text("utf-8"), path.name) for path in SHIPPED]
    assert len(parsed) >= 48
    for path, item in zip(SHIPPED, parsed, strict=True):
        assert item["category"] == path.parent.name
        assert 2 <= len(item["prompts"]) <= 5
    assert max(Counter(i["title"] for i in parsed).values()) == 1
    assert max(Counter(p.stem for p in SHIPPED).values()) == 1, (
        "slugs must be unique across categories"
    )
    per_category = Counter(i["category"] for i in parsed)
    assert all(
        per_category[c] >= 12 for c in ("cbt", "dbt", "psychoeducation", "relapse_prevention")
    )
    dbt_modules = {i["module"] for i in parsed if i["category"] == "dbt"}
    assert {
        "mindfulness",
        "distress_tolerance",
        "emotion_regulation",
        "interpersonal_effectiveness",
        "diary_card",
    } <= dbt_modules


def test_a_missing_field_is_named():
    text = SHIPPED[0].read_text("utf-8").replace("purpose =", "porpoise =")
    with pytest.raises(InvalidInput, match="'purpose'"):
        library.parse_item(text, "broken.toml")


def test_loading_twice_adds_nothing_and_a_changed_file_adds_a_version(ws, tmp_path):
    folder = tmp_path / "library"
    shutil.copytree(library.SHIPPED_LIBRARY, folder)
    # Creating the database loaded the shipped items already; the same files add nothing.
    assert len(store.list_items()) == len(SHIPPED)
    assert not library.load_shipped(folder)
    first_version = store.latest_by_slug()[SHIPPED[0].stem]
    edited = folder / SHIPPED[0].parent.name / SHIPPED[0].name
    edited.write_text(
        edited.read_text("utf-8").replace('purpose = "', 'purpose = "Revised. ', 1), "utf-8"
    )
    second = library.load_shipped(folder)
    assert len(second.library) == 1
    newest = store.latest_by_slug()[SHIPPED[0].stem]
    assert newest.version == 2
    # The old text stays for what was assigned from it.
    assert store.get_item(first_version.id) == first_version
