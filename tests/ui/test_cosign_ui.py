"""A supervised facilitator's signed note waits on their lead's Today page; the lead opens it
and co-signs with their password."""

import datetime as dt

from facilitator.domain.enums import Role
from facilitator.services import accounts, keys, signing, visibility
from facilitator.ui.main_window import MainWindow
from tests.conftest import new_workspace
from tests.factories import group, members, ready_to_sign, started

LEAD_PASSWORD = "lead-password-0002"


def test_the_lead_finds_the_note_on_today_and_cosigns_it(qtbot, sqlite_location):
    ws = new_workspace(sqlite_location)
    for username, role in (("fran", Role.FACILITATOR), ("lee", Role.CLINICAL_LEAD)):
        accounts.add_user(
            ws, username=username, password=LEAD_PASSWORD, full_name=f"{username.title()} Testwood",
            credentials="LPC", role=role,
        )  # fmt: skip
    accounts.set_supervision(ws, "fran", "lee")
    fran = keys.act_as(ws, "fran", LEAD_PASSWORD)
    group_id = group(ws)
    member_ids = members(ws, group_id, 2)
    visibility.assign(ws, group_id, "fran")  # a lead or an administrator puts fran on staff
    session_id = started(fran, group_id, dt.date.today() - dt.timedelta(days=1))
    ready_to_sign(fran, session_id, member_ids)
    signing.sign_session(fran, session_id, LEAD_PASSWORD)
    ws.close()

    window = MainWindow(sqlite_location, "lee")
    qtbot.addWidget(window)
    window.start_page.password.setText(LEAD_PASSWORD)
    window.start_page.submit()
    today = window.today_page
    assert today.review.isVisibleTo(window) and today.review.count() == 1
    window.open_session(today.review.item(0).data(0x0100))
    page = window.session_page
    page.show_part("sign")
    assert page.sign.cosign_button.isVisibleTo(window)
    page.sign.password.setText(LEAD_PASSWORD)
    page.sign.cosign_button.click()
    assert [s.kind.value for s in page.record.signatures] == ["sign", "cosign"]
    shown = page.sign.signatures.text()
    assert "Electronically signed by Fran Testwood, LPC on" in shown
    assert f"Co-signed by Lee Testwood, LPC on {dt.date.today():%Y-%m-%d}" in shown
    assert not page.sign.cosign_button.isVisibleTo(window)
    window.show_home()
    window.today_page.refresh()
    assert window.today_page.review.count() == 0
    window.close()
