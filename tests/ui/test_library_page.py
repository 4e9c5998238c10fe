"""The library browser: search and filter, preview, clinic items, import and export."""

import pytest

from facilitator.domain.records import Completion
from facilitator.services import library
from facilitator.ui.library_page import LibraryModel, LibraryPage


@pytest.fixture
def page(qtbot, ws):
    widget = LibraryPage(ws)
    qtbot.addWidget(widget)
    widget.resize(1366, 700)
    widget.show()
    return widget


def titles(page):
    return [item.title for item in page.model.items]


def test_search_and_filters_find_items_and_preview_them(qtbot, page):
    assert len(page.model.items) >= 48
    page.search.setText("urge surfing")
    page.refresh()
    assert "Urge Surfing" in titles(page)
    page.search.setText("")
    page.category.setCurrentIndex(page.category.findData("dbt"))
    assert {item.category for item in page.model.items} == {"dbt"}
    page.module.setCurrentIndex(page.module.findData("distress_tolerance"))
    assert {item.module for item in page.model.items} == {"distress_tolerance"}
    assert page.module.findData("cravings") == -1  # only the chosen category's modules
    page.module.setCurrentIndex(0)
    page.table.selectRow(0)
    shown = page.selected()
    assert shown is not None and shown.title in page.preview.toPlainText()
    assert shown.take_home[:40] in page.preview.toPlainText()
    assert not page.buttons["Edit item"].isEnabled()  # shipped items are read-only


def test_new_clinic_item_refused_then_saved_without_losing_text(qtbot, page):
    dialog = page.item_dialog()
    dialog.title.setText("Walk and Notice (clinic test item)")
    dialog.module.setText("behavioral activation")
    dialog.purpose.setPlainText("Notice mood before and after a short walk.")
    dialog.steps.setPlainText("Explain the walk\nPlan when")
    dialog.prompts.setPlainText("When could you walk?\nWhat gets in the way?")
    dialog.take_home.setPlainText(
        "Walk for ten minutes on three days and rate your mood before and after."
    )
    dialog.worksheet.setPlainText("Mood before | scale\nWhere I walked | colour")
    dialog.accept()
    assert "worksheet line 2" in dialog.message.text()
    assert dialog.title.text() == "Walk and Notice (clinic test item)"  # nothing lost
    dialog.worksheet.setPlainText("Mood before | scale\nWhere I walked | lines 2")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    created = page.selected()
    assert created is not None and created.title == "Walk and Notice (clinic test item)"
    assert not created.shipped and page.buttons["Edit item"].isEnabled()


def test_duplicate_archive_and_round_trip_through_a_file(qtbot, page, tmp_path):
    page.search.setText("wise mind")
    page.refresh()
    page.table.selectRow(0)
    page.duplicate()
    copy = page.selected()
    assert copy is not None and copy.title.endswith("(copy)") and not copy.shipped
    page.toggle_archived()
    assert copy.id not in [item.id for item in page.model.items]
    page.show_archived.setChecked(True)
    assert copy.id in [item.id for item in page.model.items]
    page.refresh(copy.id)
    target = tmp_path / "item.toml"
    page.export_path(target)
    assert library.parse_item(target.read_text("utf-8"), "item.toml")["title"] == copy.title


def test_a_malformed_file_names_the_field_and_imports_nothing(qtbot, page, tmp_path):
    before = len(library.search("", include_archived=True))
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "Broken"\ncategory = "cbt"\n', "utf-8")
    page.import_path(bad)
    assert "'module'" in page.message.text() or "module" in page.message.text()
    assert len(library.search("", include_archived=True)) == before


def test_library_model_passes_the_model_tester(qtmodeltester, ws):
    model = LibraryModel()
    items = library.search("")
    model.set_items(items, {items[0].slug: Completion(done=1, partly=1, not_done=0)})
    qtmodeltester.check(model)
    assert model.data(model.index(0, LibraryModel.DONE)) == "75%"
    assert model.data(model.index(1, LibraryModel.DONE)) == "—"
    assert model.data(model.index(0, LibraryModel.ORIGIN)) == f"Shipped v{items[0].version}"


def test_preview_shows_completion_and_saves_a_handout(qtbot, page, tmp_path):
    from pypdf import PdfReader

    page.search.setText("diary card")
    page.refresh()
    item = page.selected()
    assert item is not None and item.title == "DBT Diary Card"
    assert "Homework done: not assigned yet" in page.preview.toPlainText()
    assert "Handout: worksheet" in page.preview.toPlainText()
    target = tmp_path / "card.pdf"
    page.handout_path(target)
    text = " ".join(p.extract_text() for p in PdfReader(target).pages)
    assert "DBT Diary Card" in text and str(target) in page.message.text()
    page.handout_path(tmp_path / "missing" / "card.pdf")
    assert "cannot write" in page.message.text()
