"""The screen lock: records hidden at once, the same user resumes, someone else may take over;
and one window per database."""

import datetime as dt

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from facilitator.domain.audit import Action
from facilitator.domain.enums import AttendanceStatus, Role
from facilitator.services import accounts, audit, sessions
from facilitator.ui import main_window
from facilitator.ui.lock import ALREADY_OPEN, acquire_instance_lock
from tests.conftest import PASSWORD
from tests.factories import MEMBER_NAMES
from tests.ui.windows import edit, laid_out, open_today

SURNAMES = [last for _first, last in MEMBER_NAMES[:4]] + ["Kettleby"]
BO_PASSWORD = "bo-password-000002"


def _view_texts(view: QAbstractItemView) -> list[str]:
    model = view.model()
    if model is None:
        return []
    texts = []
    for row in range(model.rowCount(QModelIndex())):
        for column in range(model.columnCount(QModelIndex())):
            value = model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole)
            texts.append("" if value is None else str(value))
    return texts


def visible_text(window: QWidget) -> str:
    """Every piece of text a person could read on screen: the window title, every visible
    widget's text in the window and in any other visible top-level window."""
    texts = [window.windowTitle()]
    roots = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    for root in roots:
        texts.append(root.windowTitle())
        for widget in [root, *root.findChildren(QWidget)]:
            if not widget.isVisible():
                continue
            if isinstance(widget, (QLabel, QAbstractButton, QLineEdit)):
                texts.append(widget.text())
            elif isinstance(widget, QPlainTextEdit):
                texts.append(widget.toPlainText())
            elif isinstance(widget, QComboBox):
                texts += [widget.itemText(i) for i in range(widget.count())]
            elif isinstance(widget, QAbstractItemView):
                texts += _view_texts(widget)
            texts += [widget.toolTip(), widget.accessibleName()]
    return "\n".join(texts)


def _actions(location):
    """The trail, newest first, without the entries of closing the window (its logout) and of
    signing in to read it."""
    ws = accounts.sign_in(location, "ada", PASSWORD)
    try:
        entries = audit.entries(ws)
    finally:
        ws.close()
    if entries and entries[0].facts.action == Action.LOGIN:
        entries = entries[1:]
    if entries and entries[0].facts.action == Action.LOGOUT and entries[0].facts.detail == "":
        entries = entries[1:]
    return [(e.facts.username, e.facts.action, e.facts.outcome) for e in entries]


def _with_bo(location):
    ws = accounts.sign_in(location, "ada", PASSWORD)
    accounts.add_user(ws, username="bo", password=BO_PASSWORD, full_name="Bo Facilitator")
    ws.close()


def test_locking_hides_every_name_and_the_password_resumes_the_same_place(qtbot, clinic):
    location, (zoe, bram, *_others), _walk_in = clinic
    window, page = open_today(qtbot, location)
    for member_id in (zoe, bram):
        edit(page.roster.model, member_id, "status", AttendanceStatus.PRESENT.value)
    page.show_part("notes")
    page.notes.members.setCurrentRow(0)
    member = page.notes.member_id
    preview = laid_out(qtbot, page.document_preview("member_note"))
    preview.open()
    page.show_part("skill_work")
    page.skill.narrative.setFocus()
    qtbot.keyClicks(page.skill.narrative, "Typed just before the lock")
    before = visible_text(window)
    assert any(name in before for name in SURNAMES)  # the check can see names when shown

    window.lock()
    # Typing still waiting for its pause was saved first.
    assert sessions.load(page.session_id).group_note.narrative == "Typed just before the lock"
    assert window.locked and window.stack.currentWidget() is window.lock_page
    shown = visible_text(window)
    assert "Locked — enter your password to continue" in shown
    assert "Test Valley IOP (fictitious)" in shown
    for name in SURNAMES + [first for first, _last in MEMBER_NAMES[:4]]:
        assert name not in shown, name
    assert not preview.isVisible()
    assert window.windowTitle() == "Facilitator — Test Valley IOP (fictitious) — Locked"

    # A wrong password: a clear message, still locked, still nothing shown.
    qtbot.keyClicks(window.lock_page.password, "not-the-password")
    window.lock_page.unlock_button.click()
    assert window.locked
    assert "not the password" in window.lock_page.message.text()
    assert window.lock_page.password.text() == ""
    assert not any(name in visible_text(window) for name in SURNAMES)

    qtbot.keyClicks(window.lock_page.password, PASSWORD)
    window.lock_page.password.returnPressed.emit()
    assert not window.locked
    assert window.stack.currentWidget() is window.session_page is page
    assert page.current_part() == "skill_work" and page.notes.member_id == member
    assert window.windowTitle() == "Facilitator — Test Valley IOP (fictitious) — Ada Testwood"
    assert preview.isVisible()  # the preview that was open comes back
    assert any(name in preview.windowTitle() for name in SURNAMES)
    assert window.lock_timer.isActive()
    preview.close()
    window.close()
    trail = _actions(location)
    assert trail[:3] == [
        ("ada", Action.UNLOCK, "ok"),
        ("ada", Action.LOGIN_FAILED, "failed"),
        ("ada", Action.LOCK, "ok"),
    ]


def test_someone_else_signs_in_at_the_lock(qtbot, clinic):
    location, _members, _walk_in = clinic
    _with_bo(location)
    window, page = open_today(qtbot, location)
    session_id = page.session_id
    page.show_part("summary")
    window.lock()
    lock = window.lock_page
    lock.switch_toggle.click()
    assert lock.other.isVisible()
    lock.other_username.setText("bo")
    qtbot.keyClicks(lock.other_password, "wrong-password-000")
    lock.switch_button.click()
    assert window.locked and window.workspace.actor.username == "ada"
    assert "Wrong username or password" in lock.message.text()

    qtbot.keyClicks(lock.other_password, BO_PASSWORD)
    lock.other_password.returnPressed.emit()
    assert not window.locked
    assert window.workspace.actor.username == "bo"
    assert window.windowTitle() == "Facilitator — Test Valley IOP (fictitious) — Bo Facilitator"
    assert window.session_page is None and window.stack.currentWidget() is window.tabs
    assert window.audit_page is None and window.users_page is None  # bo is a facilitator
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [
        "&Today",
        "&Groups",
        "&Members",
        "&Library",
        "&Reports",
    ]
    window.close()
    trail = _actions(location)
    assert trail[:3] == [
        ("bo", Action.LOGIN, "ok"),
        ("ada", Action.LOGOUT, "ok"),
        ("ada", Action.LOGIN_FAILED, "failed"),
    ]
    # Ada's place was kept: she resumes her session and part when she signs in again.
    window, page = open_today(qtbot, location)
    assert page.session_id == session_id and page.current_part() == "summary"
    window.close()


def test_the_lock_follows_inactivity_and_input_resets_it(qtbot, clinic):
    location, _members, _walk_in = clinic
    window, page = open_today(qtbot, location)
    assert window.lock_timer.interval() == 10 * 60_000  # the default, ten minutes
    # Any key press restarts the countdown.
    window.lock_timer.stop()
    qtbot.keyClick(page.skill.narrative, Qt.Key.Key_Shift)
    assert window.lock_timer.isActive()
    window.lock_timer.stop()
    qtbot.mousePress(page.message, Qt.MouseButton.LeftButton)
    assert window.lock_timer.isActive()
    # With nothing typed for the (here very short) interval, the window locks.
    window.lock_timer.setInterval(50)
    window.lock_timer.start()
    qtbot.waitUntil(lambda: window.locked, timeout=5000)
    assert window.stack.currentWidget() is window.lock_page
    # Input on the lock screen does not start a new countdown.
    qtbot.keyClick(window.lock_page.password, Qt.Key.Key_Shift)
    assert not window.lock_timer.isActive()
    window.close()
    assert _actions(location)[0][1] == Action.LOCK


def test_ctrl_l_locks_at_once(qtbot, clinic):
    location, _members, _walk_in = clinic
    window, _page = open_today(qtbot, location)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.locked
    window.close()
    entry = _actions(location)[0]
    assert entry[1] == Action.LOCK


def test_the_lock_time_comes_from_the_program_setting(qtbot, clinic):
    from facilitator.services import security

    location, _members, _walk_in = clinic
    ws = accounts.sign_in(location, "ada", PASSWORD)
    security.set_lock_minutes(ws, 3)
    ws.close()
    window, _page = open_today(qtbot, location)
    assert window.lock_timer.interval() == 3 * 60_000
    window.close()


def test_a_second_window_on_the_same_database_is_refused(qtbot, tmp_path, monkeypatch):
    location = str(tmp_path / "clinic.db")
    first = acquire_instance_lock(location)
    assert first is not None and first.isLocked()
    assert (tmp_path / "clinic.db.lock").exists()
    assert acquire_instance_lock(location) is None  # a second holder on the same path fails
    shown = []
    monkeypatch.setattr(
        main_window.QMessageBox, "warning", lambda _parent, _title, text: shown.append(text)
    )
    assert main_window.run_window(location, None, []) == 1
    assert len(shown) == 1 and shown[0].startswith(ALREADY_OPEN) and location in shown[0]
    first.unlock()
    again = acquire_instance_lock(location)
    assert again is not None
    again.unlock()


def test_a_second_process_is_refused(tmp_path):
    import subprocess
    import sys

    location = str(tmp_path / "clinic.db")
    held = acquire_instance_lock(location)
    assert held is not None
    code = (
        "import sys; from facilitator.ui.lock import acquire_instance_lock; "
        "print('refused' if acquire_instance_lock(sys.argv[1]) is None else 'taken')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, location], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "refused"
    held.unlock()
    done = subprocess.run(
        [sys.executable, "-c", code, location], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "taken"


@pytest.mark.parametrize("role", [Role.FACILITATOR])
def test_a_facilitator_sees_no_audit_or_users_tab(qtbot, clinic, role):
    location, _members, _walk_in = clinic
    ws = accounts.sign_in(location, "ada", PASSWORD)
    accounts.add_user(ws, username="cy", password=BO_PASSWORD, full_name="Cy Example", role=role)
    ws.close()
    window = main_window.MainWindow(location, "cy")
    qtbot.addWidget(window)
    window.start_page.password.setText(BO_PASSWORD)
    window.start_page.submit()
    assert window.audit_page is None and window.users_page is None
    window.close()


def test_dialogs_are_hidden_and_the_apps_own_come_back_with_their_typing(qtbot, clinic):
    from PySide6.QtWidgets import QMessageBox

    location, _members, _walk_in = clinic
    window, _page = open_today(qtbot, location)
    window.session_page.close_session()
    dialog = window.users_page.add_user()
    dialog.full_name.setText("Typed Before Lock")
    box = QMessageBox(QMessageBox.Icon.Question, "Facilitator", "A stock question", parent=window)
    box.open()
    assert dialog.isVisible() and box.isVisible()
    window.lock()
    assert not dialog.isVisible() and not box.isVisible()
    window.unlock(PASSWORD)
    assert dialog.isVisible() and dialog.full_name.text() == "Typed Before Lock"
    assert not box.isVisible()  # a stock dialog was cancelled, not brought back
    dialog.reject()
    window.close()


def test_wrong_passwords_at_the_lock_back_off(qtbot, clinic):
    location, _members, _walk_in = clinic
    window, _page = open_today(qtbot, location)
    window.lock()
    for _ in range(5):
        window.unlock("not-the-password")
        assert "not the password" in window.lock_page.message.text()
    window.unlock(PASSWORD)  # even the right password waits now
    assert window.locked and "try again in" in window.lock_page.message.text()
    window._last_lock_failure -= dt.timedelta(minutes=1)  # a minute passes
    window.unlock(PASSWORD)
    assert not window.locked
    window.close()
