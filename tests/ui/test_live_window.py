"""The live view in a real window (issue 13): another process on the same laptop file saves a
check-in or a note, or signs, and the open window shows it within a second, without anyone
touching it; typing not yet saved is never replaced under the cursor."""

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QLabel

from facilitator.services import accounts
from tests import factories
from tests.conftest import PASSWORD
from tests.seats import Seat
from tests.ui.events import click, type_text
from tests.ui.windows import open_today

WITHIN_MS = 1000


def _row(page, member_id):
    return next(r for r in page.check_in.model.rows if r.member_id == member_id)


def _open_with_everyone_present(qtbot, clinic):
    location, member_ids, _walk_in = clinic
    window, page = open_today(qtbot, location)
    other = accounts.sign_in(location, "ada", PASSWORD)
    factories.all_present(other, page.session_id, member_ids)
    other.close()
    window.ws.make_current()
    qtbot.waitUntil(lambda: len(page.check_in.model.rows) == len(member_ids), timeout=WITHIN_MS)
    return window, page, member_ids, Seat(location, "ada", PASSWORD)


def _ready_to_sign_with_notes_open(qtbot, clinic):
    window, page, member_ids, seat = _open_with_everyone_present(qtbot, clinic)
    other = accounts.sign_in(clinic[0], "ada", PASSWORD)
    factories.ready_to_sign(other, page.session_id, member_ids)
    other.close()
    window.ws.make_current()
    page.show_part("notes")
    return window, page, member_ids, seat


def test_another_processes_check_in_and_note_show_within_a_second(qtbot, clinic):
    window, page, member_ids, seat = _open_with_everyone_present(qtbot, clinic)
    assert seat.ask(f"checkin {page.session_id} {member_ids[2]} mood 8") == "ok"
    qtbot.waitUntil(lambda: _row(page, member_ids[2]).check_in.mood == 8, timeout=WITHIN_MS)
    page.show_part("notes")
    page.notes.choose(member_ids[1])
    assert seat.ask(f"note {page.session_id} {member_ids[1]} Spoke about the weekend.") == "ok"
    data = page.notes.data
    qtbot.waitUntil(lambda: data.toPlainText() == "Spoke about the weekend.", timeout=WITHIN_MS)
    seat.close()
    window.close()


def test_typing_not_yet_saved_is_never_replaced_by_another_seats_change(qtbot, clinic):
    window, page, member_ids, seat = _open_with_everyone_present(qtbot, clinic)
    page.show_part("notes")
    page.notes.choose(member_ids[0])
    plan = page.notes.plan
    saver = plan.property("saver")
    saver.timer.setInterval(60_000)  # a long pause in typing: nothing saved for this test
    saver.max_wait.setInterval(60_000)
    click(plan)
    type_text(plan, "Mine")
    assert seat.ask(f"type {page.session_id} {member_ids[0]} plan Theirs") == "ok"
    qtbot.wait(WITHIN_MS)  # the change has arrived (and the rest of the note with it)
    assert plan.toPlainText() == "Mine" and saver.pending
    seat.close()
    window.close()


def test_a_session_signed_in_another_process_turns_read_only_within_a_second(qtbot, clinic):
    window, page, _member_ids, seat = _ready_to_sign_with_notes_open(qtbot, clinic)
    assert not page.notes.data.isReadOnly()
    assert seat.ask(f"sign {page.session_id}") == "ok"
    qtbot.waitUntil(lambda: page.locked and page.notes.data.isReadOnly(), timeout=WITHIN_MS)
    seat.close()
    window.close()


def test_typing_a_signature_elsewhere_overtook_stays_and_goes_to_an_addendum(qtbot, clinic):
    window, page, member_ids, seat = _ready_to_sign_with_notes_open(qtbot, clinic)
    page.notes.choose(member_ids[0])
    plan = page.notes.plan
    saver = plan.property("saver")
    saver.timer.setInterval(60_000)  # still typing: nothing saved before the signature
    saver.max_wait.setInterval(60_000)
    click(plan)
    type_text(plan, " Late words")
    typed = plan.toPlainText()
    assert seat.ask(f"sign {page.session_id}") == "ok"
    hint = plan.findChild(QLabel, "overtaken")
    qtbot.waitUntil(lambda: plan.isReadOnly() and hint.isVisible(), timeout=WITHIN_MS)
    assert plan.toPlainText() == typed and "signed elsewhere" in hint.text()
    middle = hint.height() // 2
    click(hint, QPoint(hint.width() - 8, middle))  # "copy", the last word
    assert QApplication.clipboard().text() == typed
    before_link = hint.fontMetrics().horizontalAdvance("signed elsewhere: not saved — add as a")
    click(hint, QPoint(before_link, middle))  # "add as addendum"
    assert page.current_part() == "sign"
    assert page.sign.addendum_text.toPlainText() == typed
    seat.close()
    window.close()
