"""A clinical lead puts a facilitator on a group's staff, or has them cover it for some days,
from the Groups page (issue 12); the facilitator's own Groups page then shows that group and
no other, and no Staff button."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from facilitator.domain.enums import Role
from facilitator.services import accounts, keys, visibility
from facilitator.ui.groups_page import GroupsPage
from tests.factories import group, members
from tests.ui.events import click, key

FRAN = "fran-password-0001"


@pytest.fixture
def clinic(ws):
    a, b = group(ws, name="Evening Recovery A"), group(ws, name="Morning Mood B")
    members(ws, a, 2)
    accounts.add_user(
        ws, username="fran", password=FRAN, full_name="Fran Testwood", role=Role.FACILITATOR
    )
    return a, b


def test_a_lead_assigns_staff_and_cover_and_the_facilitator_sees_just_that(qtbot, ws, clinic):
    a, b = clinic
    page = GroupsPage(ws)
    qtbot.addWidget(page)
    page.show()
    page.select_group(a)
    assert page.staff_button.isVisible() and page.staff_button.isEnabled()
    click(page.staff_button)
    dialog = page._dialog
    assert dialog is not None and "Nobody is assigned" in dialog.current.text()
    assert dialog.person.currentData() == "fran"
    key(dialog.person, Qt.Key.Key_Return)  # Enter saves: fran staffs the group
    assert visibility.staff_of(a) == [("fran", "staff", None, None)]
    assert "fran staffs Evening Recovery A" in page.message.text()
    page.select_group(b)
    click(page.staff_button)
    dialog = page._dialog
    click(dialog.cover)
    assert dialog.first.isEnabled() and dialog.last.isEnabled()
    dialog.last.setDate(dialog.first.date().addDays(-1))  # the last day before the first
    key(dialog.person, Qt.Key.Key_Return)
    assert "first and a last day" in dialog.message.text() and dialog.isVisible()
    dialog.last.setDate(dialog.first.date())
    click(dialog.save_button)
    today = dt.date.today()
    assert visibility.staff_of(b) == [("fran", "cover", today, today)]
    fran = keys.act_as(ws, "fran", FRAN)
    try:
        mine = GroupsPage(fran)
        qtbot.addWidget(mine)
        assert mine.groups_model.rowCount() == 2  # staffs one, covers the other today
        assert not mine.staff_button.isVisibleTo(mine)
    finally:
        if fran.store is not ws.store:
            fran.close()
            ws.make_current()
