"""The curriculum panel on the Groups screen: plan items in order, see them covered."""

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from facilitator.services import home, library, sessions
from facilitator.ui.groups_page import GroupsPage
from tests.factories import group, started
from tests.ui.test_groups_page import assert_unique_mnemonics, unnamed_controls


@pytest.fixture
def page(qtbot, ws):
    group(ws)
    widget = GroupsPage(ws)
    qtbot.addWidget(widget)
    widget.resize(1366, 700)
    widget.show()
    return widget


def choose(dialog, title):
    dialog.search.setText(title)
    dialog.found.setCurrentRow(0)
    assert dialog.found.currentItem().text().startswith(title)
    dialog.add_selected()


def test_plan_order_save_and_covered_marks(qtbot, page, ws):
    panel = page.curriculum
    assert "No plan yet" in panel.summary.text()
    dialog = panel.dialog()
    dialog.name.setText("Relapse prevention, 12 weeks")
    for title in ("Craving Plan", "Urge Surfing", "Refusal Skills"):
        choose(dialog, title)
    choose(dialog, "Urge Surfing")
    assert "already in the plan" in dialog.message.text()
    dialog.planned.setCurrentRow(2)
    dialog.move_step(-1)  # Refusal Skills before Urge Surfing
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    texts = [panel.steps.item(row).text() for row in range(panel.steps.count())]
    assert [t.split(" — ")[0] for t in texts] == [
        "1. Craving Plan",
        "2. Refusal Skills",
        "3. Urge Surfing",
    ]
    assert "0 of 3 covered. Next: Craving Plan." in panel.summary.text()

    session_id = started(ws, page.group_id, dt.date(2026, 3, 2))
    sessions.write_group_note(
        ws, session_id, topic_item_id=library.curriculum(page.group_id).steps[0].item.id
    )
    page.refresh()
    assert "✓ covered 02 Mar 2026" in panel.steps.item(0).text()
    assert "1 of 3 covered. Next: Refusal Skills." in panel.summary.text()
    assert home.suggested_topic(page.group_id).title == "Refusal Skills"


def test_the_plan_dialog_is_named_and_keyboard_reachable(qtbot, page):
    dialog = page.curriculum.dialog()
    assert unnamed_controls(dialog) == []
    assert_unique_mnemonics(dialog)
    assert unnamed_controls(page) == []
    assert_unique_mnemonics(page)
    order = []
    widget = dialog.name
    while len(order) < 10:
        widget = widget.nextInFocusChain()
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            order.append(widget)
    assert order[:3] == [dialog.search, dialog.found, dialog.add_button]
