"""Searching the library, the clinic's own items, sharing them as files, curricula and
completion rates — on the encrypted SQLite file and on PostgreSQL."""

import datetime as dt

import pytest

from facilitator.domain.enums import ReviewStatus
from facilitator.domain.errors import InvalidInput, RuleViolation
from facilitator.services import home, homework, library, sessions
from tests.factories import all_present, group, members, started


def titles(items):
    return [item.title for item in items]


def by_title(title):
    (item,) = [i for i in library.search("", include_archived=True) if i.title == title]
    return item


def clinic_fields(**changes):
    fields = {
        "title": "Walk and Notice (clinic test item)",
        "category": "cbt",
        "module": "behavioral_activation",
        "tracks": ("substance_use", "mental_health"),
        "purpose": "Notice how mood moves with a short walk.",
        "steps": ("Explain the walk", "Plan when and where"),
        "prompts": ("When could you walk?", "What gets in the way?"),
        "take_home": "Walk ten minutes on three days; rate mood before and after.",
        "worksheet_fields": ({"label": "Mood before", "kind": "scale"},),
        "minutes": 30,
    }
    return {**fields, **changes}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("urge surfing", "Urge Surfing"),
        ("URGE surf", "Urge Surfing"),  # case and word prefixes
        ("wise", "Wise Mind"),
        ("dear man", "DEAR MAN"),
        ("thought record", "Thought Record"),
        ("sleep", "Sleep and Recovery"),
    ],
)
def test_search_finds_the_expected_item_first(ws, typed, expected):
    assert titles(library.search(typed))[0] == expected


def test_search_reads_inside_the_guide_and_worksheet(ws):
    # "sponsor" is nowhere in a title; it is in purposes, prompts or worksheet labels.
    found = library.search("sponsor")
    assert found and all("sponsor" not in item.title.lower() for item in found)
    assert all(
        "sponsor"
        in " ".join([i.purpose, *i.steps, *i.prompts, i.take_home, str(i.worksheet_fields)]).lower()
        for i in found
    )
    assert library.search("zzqxnotaword") == []


def test_search_combines_with_filters_and_never_breaks_on_syntax(ws):
    dbt = library.search("skill", category="dbt")
    assert dbt and {i.category for i in dbt} == {"dbt"}
    distress = library.search("", category="dbt", module="distress_tolerance")
    assert {i.title for i in distress} >= {"STOP Skill", "TIPP Skills", "Radical Acceptance"}
    mental = library.search("", track="mental_health")
    assert all("mental_health" in i.tracks for i in mental)
    for typed in (
        '"',
        "urge -surf",
        "a OR b",
        "NEAR(",
        "*",
        "urge:*",
        "'; DROP TABLE x; --",
        "!&|",
    ):
        library.search(typed)  # no engine error reaches the caller
    assert titles(library.search("urge -surf"))[0] == "Urge Surfing"


def test_a_clinic_item_is_found_and_its_edits_become_versions(ws):
    created = library.save_clinic_item(ws, clinic_fields())
    item = library.get_item(created.created_id)
    assert not item.shipped and item.slug.startswith("clinic-") and item.version == 1
    assert titles(library.search("walk notice clinic")) == [item.title]

    edited = library.save_clinic_item(
        ws, clinic_fields(purpose="Notice mood on a stroll."), item.id
    )
    newest = library.get_item(edited.created_id)
    assert newest.version == 2 and newest.slug == item.slug
    assert library.get_item(item.id).purpose == "Notice how mood moves with a short walk."
    assert [i.id for i in library.search("stroll")] == [newest.id]
    # One row per item: its newest version.
    assert [i.id for i in library.search("walk notice clinic")] == [newest.id]
    unchanged = library.save_clinic_item(
        ws, clinic_fields(purpose="Notice mood on a stroll."), newest.id
    )
    assert not unchanged and library.get_item(unchanged.created_id).version == 2


def test_clinic_items_are_refused_clearly(ws):
    with pytest.raises(InvalidInput, match="'purpose'"):
        library.save_clinic_item(ws, clinic_fields(purpose="  "))
    with pytest.raises(InvalidInput, match=r"'title'.*already called"):
        library.save_clinic_item(ws, clinic_fields(title="urge surfing"))
    with pytest.raises(InvalidInput, match=r"'worksheet'.*'columns'"):
        library.save_clinic_item(
            ws, clinic_fields(worksheet_fields=({"label": "Days", "kind": "table"},))
        )
    with pytest.raises(RuleViolation, match="shipped"):
        library.save_clinic_item(ws, clinic_fields(), by_title("Urge Surfing").id)


def test_duplicate_and_archive(ws):
    shipped = by_title("Wise Mind")
    copy = library.get_item(library.duplicate_item(ws, shipped.id).created_id)
    again = library.get_item(library.duplicate_item(ws, shipped.id).created_id)
    assert (copy.title, again.title) == ("Wise Mind (copy)", "Wise Mind (copy 2)")
    assert copy.steps == shipped.steps and not copy.shipped

    library.archive_item(ws, copy.id)
    assert copy.id not in [i.id for i in library.search("wise mind")]
    assert by_title("Wise Mind (copy)").archived
    library.archive_item(ws, copy.id, False)
    assert copy.id in [i.id for i in library.search("wise mind")]


def test_a_shipped_item_archived_by_the_clinic_stays_archived_after_an_upgrade(ws, tmp_path):
    import shutil

    folder = tmp_path / "library"
    shutil.copytree(library.SHIPPED_LIBRARY, folder)
    item = by_title("Urge Surfing")
    library.archive_item(ws, item.id)
    path = folder / "relapse_prevention" / f"{item.slug}.toml"
    path.write_text(path.read_text("utf-8").replace('purpose = "', 'purpose = "New. ', 1), "utf-8")
    library.load_shipped(folder)
    newest = by_title("Urge Surfing")
    assert newest.version == item.version + 1 and newest.archived


def test_export_then_import_round_trips_every_field(ws):
    for title in ("DBT Diary Card", "Activity Scheduling", "Support Map"):
        original = by_title(title)
        text = library.export_item(original.id)
        library.archive_item(ws, original.id)  # so the import's title is free... still refused
        with pytest.raises(InvalidInput, match="'title'"):
            library.import_item(ws, text, "shared.toml")
        renamed = text.replace(f'title = "{title}"', f'title = "{title} from Clinic B"')
        imported = library.get_item(library.import_item(ws, renamed, "shared.toml").created_id)
        assert imported.title == f"{title} from Clinic B" and not imported.shipped
        for key in library.ITEM_KEYS:
            if key != "title":
                assert getattr(imported, key) == getattr(original, key), key


@pytest.mark.parametrize(
    ("breakage", "field"),
    [
        (lambda t: t.replace("minutes = ", "minutes = -"), "'minutes'"),
        (lambda t: t.replace('category = "', 'category = "astrology'), "'category'"),
        (lambda t: t.replace("prompts = [", "prompts = [ 3, "), "'prompts'"),
        (lambda t: t.replace('kind = "', 'kind = "doodle', 1), "'worksheet'"),
        (lambda t: t.replace("take_home", "take_away"), "'take_home'"),
        (lambda t: t + "\n[[[nonsense", "not valid TOML"),
        (lambda t: t + "\nx = " + "[" * 50_000 + "]" * 50_000, "nested too deeply"),  # finding
    ],
)
def test_a_malformed_file_names_the_field_and_imports_nothing(ws, breakage, field):
    text = library.export_item(by_title("Thought Record").id)
    text = text.replace('title = "Thought Record"', 'title = "Thought Record, Clinic B"')
    before = library.search("", include_archived=True)
    with pytest.raises(InvalidInput, match=field):
        library.import_item(ws, breakage(text), "shared.toml")
    assert library.search("", include_archived=True) == before


def test_curriculum_suggests_the_next_uncovered_item_and_marks_coverage(ws):
    group_id = group(ws)
    people = members(ws, group_id, 2)
    plan = [by_title(t).id for t in ("Craving Plan", "Urge Surfing", "Refusal Skills")]
    library.set_curriculum(ws, group_id, "12-week relapse prevention", plan)
    assert home.suggested_topic(group_id).title == "Craving Plan"

    first = started(ws, group_id, dt.date(2026, 3, 2))
    all_present(ws, first, people)
    sessions.write_group_note(ws, first, topic_item_id=plan[0])
    progress = library.curriculum(group_id)
    assert progress.name == "12-week relapse prevention" and progress.covered == 1
    assert progress.steps[0].covered_on == dt.date(2026, 3, 2)
    assert progress.steps[0].covered_by_session == first
    assert progress.next_step.item.title == "Urge Surfing"
    assert home.suggested_topic(group_id).title == "Urge Surfing"

    second = started(ws, group_id, dt.date(2026, 3, 4))
    sessions.write_group_note(ws, second, topic_item_id=plan[2])  # out of order is fine
    assert [s.covered_on is not None for s in library.curriculum(group_id).steps] == [
        True,
        False,
        True,
    ]
    with pytest.raises(InvalidInput, match="twice"):
        library.set_curriculum(ws, group_id, "again", [plan[0], plan[0]])
    library.set_curriculum(ws, group_id, "short", plan[1:2])
    assert [s.item.title for s in library.curriculum(group_id).steps] == ["Urge Surfing"]


def test_completion_rates_per_item_and_group(ws):
    group_id = group(ws)
    a, b, c = members(ws, group_id, 3)
    item = by_title("Urge Surfing")
    first = started(ws, group_id, dt.date(2026, 3, 2))
    all_present(ws, first, [a, b, c])
    homework.assign_homework(ws, first, item.id)
    second = started(ws, group_id, dt.date(2026, 3, 4))
    all_present(ws, second, [a, b, c])
    outstanding = homework.outstanding_for_session(second)
    for member_id, status in (
        (a, ReviewStatus.DONE),
        (b, ReviewStatus.PARTLY),
        (c, ReviewStatus.NOT_DONE),
    ):
        homework.review_at_check_in(
            ws, second, member_id, {outstanding[member_id][0].id: (status, "")}
        )
    rate = library.completion_by_item()[item.slug]
    assert (rate.done, rate.partly, rate.not_done, rate.rate) == (1, 1, 1, 0.5)
    assert library.completion_by_group()[group_id].reviewed == 3
    assert by_title("Wise Mind").slug not in library.completion_by_item()
