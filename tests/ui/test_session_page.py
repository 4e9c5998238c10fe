"""The session runner, driven as a facilitator would, on a real encrypted database."""

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from facilitator.domain.enums import AttendanceStatus, Location, SessionState, UseSinceLast
from facilitator.services import integrity, roster, sessions
from facilitator.ui.session.models import CheckInModel, CheckInRow, RosterModel
from tests.conftest import PASSWORD
from tests.ui.windows import edit, open_today

EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)


def _type(qtbot, editor, text):
    editor.setFocus()
    qtbot.keyClicks(editor, text)
    saver = editor.property("saver")
    qtbot.waitUntil(lambda: not saver.pending, timeout=2000)


def test_a_whole_session_from_check_in_to_signature(qtbot, clinic):
    location, (zoe, bram, cass, dov), walk_in = clinic
    window, page = open_today(qtbot, location)
    assert page.current_part() == "check_in"

    # Attendance: late (a bad time first), absent, telehealth, a late joiner.
    roster_model = page.roster.model
    assert edit(roster_model, zoe, "status", "present")
    assert edit(roster_model, bram, "status", "late")
    assert not edit(roster_model, bram, "arrival", "7pm")
    assert "24-hour time" in page.message.text()
    assert edit(roster_model, bram, "arrival", "18:40")
    assert edit(roster_model, cass, "status", "absent")
    assert edit(roster_model, dov, "status", "present")
    assert edit(roster_model, dov, "location", "telehealth")
    qtbot.wait(10)
    page.roster.joiner.setEditText("Kettleby")
    page.roster.add_joiner.click()
    assert edit(roster_model, walk_in, "status", "present")
    qtbot.wait(10)

    # Check-in grid: a bad rating is refused and loses nothing; a safety concern turns the row red.
    grid = page.check_in.model
    assert {r.member_id for r in grid.rows} == {zoe, bram, dov, walk_in}
    assert not edit(grid, zoe, "mood", 11)
    assert "0 to 10" in page.message.text()
    for member_id, mood in ((zoe, 6), (bram, 4), (dov, 7), (walk_in, 5)):
        assert edit(grid, member_id, "mood", mood)
        qtbot.wait(5)
    assert edit(grid, bram, "safety_concern", True)
    qtbot.wait(5)
    red = grid.index(next(i for i, r in enumerate(grid.rows) if r.member_id == bram), 0)
    assert grid.data(red, Qt.ItemDataRole.BackgroundRole) is not None

    # Skill work: the suggested topic, the group note typed (saved without a button).
    page.header.next_button.click()
    assert page.current_part() == "skill_work"
    assert page.skill.topic.currentData() is not None
    page.skill.topic.activated.emit(page.skill.topic.currentIndex())
    _type(qtbot, page.skill.interventions, "Modelled urge surfing; paired practice.")
    _type(qtbot, page.skill.narrative, "The group practised riding out an urge.")

    # Summary and homework.
    page.header.next_button.click()
    _type(qtbot, page.summary.summary, "Urges rise and fall; members plan one practice a day.")
    page.summary.give_all.click()
    assert page.summary.assignments.count() == 4

    # Notes: the sign checklist names what is missing until each present member has one.
    page.show_part("sign")
    assert "needs a follow-up note" in page.sign.checklist.text()
    assert "no individual note" in page.sign.checklist.text()
    page.show_part("notes")
    for index in range(page.notes.members.count()):
        page.notes.members.setCurrentRow(index)
        page.notes.draft.click()
    assert edit(
        page.check_in.model, bram, "safety_follow_up", "Safety plan reviewed; lead informed."
    )
    qtbot.wait(5)

    page.show_part("sign")
    assert "Ready to sign" in page.sign.checklist.text()
    page.sign.password.setText("wrong-password-00")
    page.sign.sign_button.click()
    assert page.message.text() == "wrong username or password"
    page.sign.password.setText(PASSWORD)
    page.sign.sign_button.click()
    assert page.locked and "Signed and locked" in page.sign.checklist.text()
    assert (
        not page.check_in.model.flags(page.check_in.model.index(0, 1)) & Qt.ItemFlag.ItemIsEditable
    )

    record = sessions.load(page.session_id)
    assert record.state is SessionState.SIGNED
    assert record.attendance_of(bram).arrival == dt.time(18, 40)
    assert record.attendance_of(dov).location is Location.TELEHEALTH
    assert record.attendance_of(walk_in).late_joiner
    assert record.attendance_of(cass).status is AttendanceStatus.ABSENT
    assert record.group_note.narrative == "The group practised riding out an urge."
    assert {n.member_id for n in record.member_notes} == {zoe, bram, dov, walk_in}
    assert {p.phase.value for p in record.phases} == {"check_in", "skill_work", "summary"}
    assert integrity.check(window.workspace).ok

    # A signed session takes only addenda.
    page.sign.addendum_reason.setText("Late entry")
    page.sign.addendum_text.setPlainText("Bram called the next day; doing well.")
    page.sign.password.setText(PASSWORD)
    page.sign.addendum_button.click()
    assert sessions.load(page.session_id).addenda[0].reason == "Late entry"
    window.close()


def test_typing_is_saved_on_leaving_the_field(qtbot, clinic):
    location, _members, _walk_in = clinic
    window, page = open_today(qtbot, location)
    page.show_part("skill_work")
    page.skill.narrative.setFocus()
    qtbot.keyClicks(page.skill.narrative, "Typed just before moving on")
    page.header.next_button.click()  # flushes without waiting for the pause
    assert sessions.load(page.session_id).group_note.narrative == "Typed just before moving on"
    window.close()


def test_moving_between_parts_records_their_times(qtbot, clinic):
    location, _members, _walk_in = clinic
    window, page = open_today(qtbot, location)
    page.step(1)
    page.step(-1)
    phases = [p.phase.value for p in sessions.load(page.session_id).phases]
    assert phases == ["check_in", "skill_work", "check_in"]
    assert page.header.steps["check_in"].isChecked()
    window.close()


def test_roster_and_check_in_models_pass_the_model_tester(qtmodeltester, clinic):
    location, member_ids, _walk_in = clinic
    from facilitator.services import accounts

    ws = accounts.sign_in(location, "ada", PASSWORD)
    try:
        session_id = sessions.start_session(ws, roster.list_groups()[0].id).created_id
        record = sessions.load(session_id)
        roster_model = RosterModel(lambda *_: None)
        roster_model.sync_rows(record.attendance)
        qtmodeltester.check(roster_model)
        check_in = CheckInModel(lambda *_: None)
        blank = sessions.load(session_id)
        rows = [
            CheckInRow(a.member_id, a.display_name, _blank(a.member_id), (), ())
            for a in blank.attendance
        ]
        check_in.sync_rows(rows)
        qtmodeltester.check(check_in)
        assert check_in.rowCount() == len(member_ids)
    finally:
        ws.close()


def _blank(member_id):
    from facilitator.domain.records import CheckInRecord

    return CheckInRecord(member_id, None, None, UseSinceLast.NOT_ASKED, "", False, "", "", "")


def test_the_check_in_grid_is_typed_into_from_the_keyboard(qtbot, clinic):
    location, (zoe, *_rest), _walk_in = clinic
    window, page = open_today(qtbot, location)
    assert edit(page.roster.model, zoe, "status", "present")
    qtbot.wait(10)
    view, model = page.check_in.view, page.check_in.model
    row = next(i for i, r in enumerate(model.rows) if r.member_id == zoe)
    view.setFocus()
    view.setCurrentIndex(model.index(row, model.column("mood")))
    qtbot.keyClicks(view, "7")
    qtbot.keyClick(view.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: sessions.load(page.session_id).check_ins != ())
    assert sessions.load(page.session_id).check_ins[0].mood == 7
    window.close()


def test_no_database_driver_is_imported_for_the_first_window():
    import subprocess
    import sys

    code = (
        "import sys, facilitator.app, facilitator.ui.main_window; "
        "print(sorted(m for m in ('peewee', 'psycopg', 'sqlcipher3') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_each_assignment_is_reviewed_with_a_comment_below_the_grid(qtbot, clinic):
    from facilitator.domain.enums import ReviewStatus
    from facilitator.services import accounts, homework, library

    location, (zoe, bram, _cass, _dov), _walk_in = clinic
    ws = accounts.sign_in(location, "ada", PASSWORD)
    group_id = roster.list_groups()[0].id
    earlier = sessions.start_session(
        ws, group_id, date=dt.date.today() - dt.timedelta(days=2)
    ).created_id
    for member_id in (zoe, bram):
        sessions.record_attendance(ws, earlier, member_id, AttendanceStatus.PRESENT)
    urge = next(i for i in library.search("urge surfing") if i.title == "Urge Surfing")
    homework.assign_homework(ws, earlier, urge.id)
    homework.assign_custom(ws, earlier, zoe, title="Call a support", instructions="Twice.")
    ws.close()

    _window, page = open_today(qtbot, location)
    for member_id in (zoe, bram):
        edit(page.roster.model, member_id, "status", AttendanceStatus.PRESENT.value)
    qtbot.waitUntil(lambda: len(page.check_in.model.rows) == 2)
    row = next(i for i, r in enumerate(page.check_in.model.rows) if r.member_id == zoe)
    page.check_in.view.setCurrentIndex(page.check_in.model.index(row, 1))
    panel = page.check_in.review_panel
    assert panel.member_id == zoe and len(panel.lines) == 2
    assert any("Urge Surfing (given" in label.text() for label in panel.findChildren(QLabel))
    (first_id, first_choice, first_comment), (second_id, second_choice, _c) = panel.lines
    first_comment.setText("rode out two urges")
    first_choice.setCurrentIndex(first_choice.findData(ReviewStatus.DONE))
    first_choice.activated.emit(first_choice.currentIndex())
    second_choice.setCurrentIndex(second_choice.findData(ReviewStatus.NOT_DONE))
    second_choice.activated.emit(second_choice.currentIndex())
    qtbot.waitUntil(lambda: len(page.record.reviews) == 2)

    stored = {r.assignment_id: (r.status, r.comment) for r in page.record.reviews}
    assert stored == {first_id: ("done", "rode out two urges"), second_id: ("not_done", "")}
    check_in = next(c for c in page.record.check_ins if c.member_id == zoe)
    assert "(rode out two urges)" in check_in.homework_review
    assert "not done" in check_in.homework_review
    qtbot.waitUntil(lambda: panel.lines and panel.lines[0][1].currentData() == ReviewStatus.DONE)
    assert panel.member_id == zoe  # the panel stays on the member after the reload
