"""A save that meets another seat's change to the same part (issue 13): the window shows both
texts side by side, keeps the typing until its user chooses, and saves only what was chosen.
The other seat is a second sign-in on the same encrypted file."""

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel

from facilitator.services import accounts, sessions
from facilitator.store import session_reads
from facilitator.ui.conflict import ConflictDialog
from tests.conftest import PASSWORD
from tests.ui.events import click, key, type_text
from tests.ui.windows import edit, open_today


def _with_notes_open(qtbot, clinic):
    location, member_ids, _walk_in = clinic
    window, page = open_today(qtbot, location)
    for member_id in member_ids:
        assert edit(page.roster.model, member_id, "status", "present")
    qtbot.wait(10)
    page.show_part("notes")
    page.notes.choose(member_ids[0])
    other = accounts.sign_in(location, "ada", PASSWORD)  # the co-facilitator's laptop
    return window, page, other, member_ids[0]


def _other_seat_writes(window, other, **write):
    try:
        other.make_current()
        sessions.write_member_note(other, window.session_page.session_id, **write)
    finally:
        window.ws.make_current()


def _typed_and_left(page, editor, text):
    click(editor)
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    type_text(editor, text)
    editor.property("saver").flush()


def _conflict(qtbot, editor) -> ConflictDialog:
    qtbot.waitUntil(lambda: editor.findChild(ConflictDialog) is not None, timeout=2000)
    return editor.findChild(ConflictDialog)


def test_a_note_part_saved_on_another_seat_is_shown_beside_mine_and_merged(qtbot, clinic):
    window, page, other, member = _with_notes_open(qtbot, clinic)
    session_id = page.session_id
    _other_seat_writes(window, other, member_id=member, plan="Walk daily.", seen={"plan": ""})
    plan = page.notes.plan
    _typed_and_left(page, plan, "Call sponsor.")
    dialog = _conflict(qtbot, plan)
    assert dialog.theirs.toPlainText() == "Walk daily."
    assert dialog.mine.toPlainText() == "Call sponsor."
    assert plan.toPlainText() == "Call sponsor."  # the typing stays in the box, unsaved
    assert plan.property("saver").pending
    assert session_reads.load_member_note(session_id, member).plan == "Walk daily."
    # Merging by editing mine: theirs first, then mine.
    click(dialog.mine)
    dialog.mine.moveCursor(dialog.mine.textCursor().MoveOperation.Start)
    type_text(dialog.mine, "Walk daily. ")
    click(dialog.mine_button)
    assert session_reads.load_member_note(session_id, member).plan == "Walk daily. Call sponsor."
    assert plan.toPlainText() == "Walk daily. Call sponsor."
    assert not plan.property("saver").pending
    other.close()
    window.close()


def test_closing_the_conflict_view_decides_nothing_and_keeping_theirs_shows_theirs(qtbot, clinic):
    window, page, other, member = _with_notes_open(qtbot, clinic)
    session_id = page.session_id
    _other_seat_writes(window, other, member_id=member, data="Quiet today.", seen={"data": ""})
    data = page.notes.data
    _typed_and_left(page, data, "Spoke about work.")
    dialog = _conflict(qtbot, data)
    key(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: data.findChild(ConflictDialog) is None, timeout=2000)
    assert data.toPlainText() == "Spoke about work." and data.property("saver").pending
    type_text(data, " More.")  # typing on: the view comes back, nothing is saved over theirs
    data.property("saver").flush()
    dialog = _conflict(qtbot, data)
    assert dialog.mine.toPlainText() == "Spoke about work. More."
    assert session_reads.load_member_note(session_id, member).data == "Quiet today."
    click(dialog.theirs_button)
    assert data.toPlainText() == "Quiet today."
    assert not data.property("saver").pending
    # From here the box began from theirs: the next typing saves without a conflict.
    _typed_and_left(page, data, " Then spoke about work.")
    assert data.findChild(ConflictDialog) is None
    note = session_reads.load_member_note(session_id, member)
    assert note.data == "Quiet today. Then spoke about work."
    other.close()
    window.close()


def test_a_check_in_cell_changed_on_another_seat_is_not_overwritten(qtbot, clinic):
    window, page, other, member = _with_notes_open(qtbot, clinic)
    session_id = page.session_id
    page.show_part("check_in")
    try:
        other.make_current()
        sessions.record_check_in(other, session_id, member, craving=7, seen={"craving": None})
    finally:
        window.ws.make_current()
    grid = page.check_in.model
    assert not edit(grid, member, "craving", 3)
    dialog = _conflict(qtbot, page.check_in)
    assert (dialog.theirs.toPlainText(), dialog.mine.toPlainText()) == ("7", "3")
    assert session_reads.load_check_in(session_id, member).craving == 7
    row = next(r for r in grid.rows if r.member_id == member)
    assert row.check_in.craving == 7  # the grid shows what is stored now
    click(dialog.mine_button)
    assert session_reads.load_check_in(session_id, member).craving == 3
    other.close()
    window.close()


def test_typing_overtaken_by_another_seat_says_who_and_when_and_shows_when_asked(qtbot, clinic):
    window, page, other, member = _with_notes_open(qtbot, clinic)
    plan = page.notes.plan
    click(plan)
    type_text(plan, "Call")
    qtbot.waitUntil(lambda: not plan.property("saver").pending, timeout=3000)
    _other_seat_writes(window, other, member_id=member, plan="Walk daily.", seen={"plan": "Call"})
    type_text(plan, " sponsor.")  # typing goes on: the box is not replaced, nor interrupted
    hint = plan.findChild(QLabel, "overtaken")
    qtbot.waitUntil(hint.isVisible, timeout=3000)
    assert hint.text().startswith("changed by Ada Testwood at ") and "show" in hint.text()
    assert plan.findChild(ConflictDialog) is None
    assert plan.toPlainText() == "Call sponsor." and plan.property("saver").pending
    click(hint, QPoint(hint.width() - 10, hint.height() // 2))  # on "show"
    dialog = _conflict(qtbot, plan)
    assert dialog.theirs.toPlainText() == "Walk daily."
    assert dialog.mine.toPlainText() == "Call sponsor."
    click(dialog.theirs_button)
    qtbot.waitUntil(lambda: not hint.isVisible(), timeout=2000)
    assert plan.toPlainText() == "Walk daily."
    other.close()
    window.close()


def _review_line_open(qtbot, clinic):
    """Zoe's homework from two days ago, open at today's check-in on ada's window; the
    co-facilitator's laptop signed in beside it. Ada has begun typing a comment."""
    import datetime as dt

    from facilitator.domain.enums import AttendanceStatus
    from facilitator.services import homework, roster
    from tests.ui.windows import open_with_everyone_present

    location, (zoe, *_others), _walk_in = clinic
    other = accounts.sign_in(location, "ada", PASSWORD)
    group_id = roster.list_groups()[0].id
    day = dt.date.today() - dt.timedelta(days=2)
    earlier = sessions.start_session(other, group_id, date=day).created_id
    sessions.record_attendance(other, earlier, zoe, AttendanceStatus.PRESENT)
    homework.assign_custom(other, earlier, zoe, title="Urge log", instructions="Daily.")
    window, page = open_with_everyone_present(qtbot, location, [zoe])
    model, view = page.check_in.model, page.check_in.view
    view.setCurrentIndex(model.index(model.row_of(zoe), 1))
    panel = page.check_in.review_panel
    ((assignment, _choice, comment),) = panel.lines
    click(comment)
    type_text(comment, "Two days")
    return window, page, other, zoe, assignment


def _other_seat_reviews(qtbot, window, other, session_id, zoe, assignment):
    from facilitator.domain.enums import ReviewStatus
    from facilitator.services import homework

    try:
        other.make_current()
        homework.review_at_check_in(other, session_id, zoe,
                                    {assignment: (ReviewStatus.DONE, "Logged every day")},
                                    seen={assignment: (None, "")})  # fmt: skip
    finally:
        window.ws.make_current()
    panel = window.session_page.check_in.review_panel
    # ada's window hears of it (the live view): the status shows theirs, her typing stays
    qtbot.waitUntil(lambda: panel.lines[0][1].currentText() == "Done", timeout=2000)
    assert panel.lines[0][2].text() == "Two days"


def _stored_review(session_id):
    (review,) = sessions.load(session_id).reviews
    return review.status, review.comment


def test_a_homework_comment_another_seat_wrote_meanwhile_is_not_overwritten(qtbot, clinic):
    window, page, other, zoe, assignment = _review_line_open(qtbot, clinic)
    session_id, panel = page.session_id, page.check_in.review_panel
    _other_seat_reviews(qtbot, window, other, session_id, zoe, assignment)
    comment = panel.lines[0][2]
    key(comment, Qt.Key.Key_Return)  # ada saves her comment
    assert _stored_review(session_id) == ("done", "Logged every day")  # theirs stays
    assert comment.text() == "Two days"  # hers stays in the line, not saved yet
    assert "Logged every day" in panel.hint.text() and "Ada Testwood" in panel.hint.text()
    assert panel.keep_theirs.isVisible()
    qtbot.wait(600)  # the live view's next turns leave her line as it is
    assert comment.text() == "Two days"
    key(comment, Qt.Key.Key_Return)  # having read theirs, she saves hers again
    assert _stored_review(session_id) == ("done", "Two days")
    assert not panel.keep_theirs.isVisible() and panel.hint.text() == "Saved."
    other.close()


def test_keep_theirs_puts_the_other_seats_review_back_in_the_line(qtbot, clinic):
    window, page, other, zoe, assignment = _review_line_open(qtbot, clinic)
    session_id, panel = page.session_id, page.check_in.review_panel
    _other_seat_reviews(qtbot, window, other, session_id, zoe, assignment)
    key(panel.lines[0][2], Qt.Key.Key_Return)
    click(panel.keep_theirs)
    assert panel.lines[0][2].text() == "Logged every day"
    assert not panel.keep_theirs.isVisible()
    assert _stored_review(session_id) == ("done", "Logged every day")
    other.close()
