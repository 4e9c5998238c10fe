"""Run by test_monkey in a child process: drive the real main window at random.

    python -m tests.ui.monkey_driver DB_PATH SEED SECONDS

Each action is printed as "ACT <step> <what>" (flushed), so when the process dies of a signal
the parent can show what led there. Problems print "EXCEPTION <type>: ..." with the traceback,
or "SOMETHING_WENT_WRONG"; Qt's warnings print "QTWARNING <text>" (reported, never a failure).
The end prints "DONE <steps>". Exit status: 0 clean, 2 an exception was seen, 3 the app showed
its "Something went wrong" box.

All input is real QKeyEvent / QMouseEvent objects given to QApplication.sendEvent: PySide6
6.12's QTest helpers leak a reference to None on every call and long runs abort the
interpreter. Widgets are found by type, visibility and accessible name, never by attribute
names, so the monkey keeps working while the screens are rewritten.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtPrintSupport import QAbstractPrintDialog
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTabBar,
    QTableView,
    QWidget,
)

from facilitator.ui.main_window import DEMO_PASSWORD, MainWindow

# Never clicked (matched on the accessible name or the text, ignoring case):
# - they open a blocking file or print dialog (QFileDialog.get*, QPrintDialog.exec in
#   preview.py, library_page.py) that would write files or wait on a printer; audit_page.py's
#   and recovery.py's buttons match the same words. One reached anyway (Enter or Space on a
#   focused button) is cancelled by the next step;
# - "Lock the screen now" (Ctrl+L is never sent either) would hide everything behind the
#   password page; if the screen locks anyway it is unlocked at once;
# - switching user or signing out would end the run's session.
BLOCKED_NAMES = {"lock the screen now", "print", "save as pdf", "import item", "export item"}
BLOCKED_WORDS = ("print", "save as", "export", "import", "backup", "handout", "lock (ctrl",
                 "switch user", "sign out", "someone else")  # fmt: skip
TEXTS = ("11", "-3", "7pm", "18:40", "0", "10", "abc", "Ok then", "x y z", "2", "99", "")
K = Qt.Key
TABLE_KEYS = (K.Key_Tab, K.Key_Backtab, K.Key_Return, K.Key_Escape, K.Key_Up, K.Key_Down,
              K.Key_Left, K.Key_Right, K.Key_F2, K.Key_Space, K.Key_Y, K.Key_N, K.Key_P,
              K.Key_5, K.Key_1, K.Key_Delete)  # fmt: skip
POPUP_KEYS = (K.Key_Down, K.Key_Down, K.Key_Up, K.Key_Return, K.Key_Enter, K.Key_Escape,
              K.Key_PageDown, K.Key_End)  # fmt: skip
SHORTCUTS = (K.Key_1, K.Key_2, K.Key_3, K.Key_4, K.Key_5, K.Key_PageDown, K.Key_PageUp)
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
NO_MODS = Qt.KeyboardModifier.NoModifier


def make_demo(location: str) -> None:
    """A small demo (three groups, two weeks up to today; well under a second with the tests'
    fast key derivation). The demo's groups meet Monday to Friday: on a weekend one is made
    to meet today too, so Today's "Start or resume" always has a group."""
    from facilitator.services import accounts, demo, roster
    from facilitator.store.keys import FAST_FOR_TESTS

    today = dt.date.today()
    demo.create_demo(location, DEMO_PASSWORD, groups=3, weeks=2, until=today, kdf=FAST_FOR_TESTS)
    ws = accounts.sign_in(location, "demo", DEMO_PASSWORD)
    try:
        groups = roster.list_groups()
        if not any(today.weekday() in g.meeting_weekdays for g in groups):
            days = tuple(sorted({*groups[0].meeting_weekdays, today.weekday()}))
            roster.update_group(ws, groups[0].id, meeting_weekdays=days)
    finally:
        ws.close()


def describe(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, (QAbstractButton, QLineEdit)) else ""
    return f"{type(widget).__name__}[{widget.accessibleName() or text}]"


def blocked(widget: QWidget) -> bool:
    name = widget.accessibleName().lower()
    text = widget.text().replace("&", "").lower() if isinstance(widget, QAbstractButton) else ""
    return name in BLOCKED_NAMES or any(w in name or w in text for w in BLOCKED_WORDS)


def usable(widget: QWidget) -> bool:
    return shiboken6.isValid(widget) and widget.isVisible() and widget.isEnabled()


def rows(view: QAbstractItemView) -> int:
    return view.model().rowCount(view.rootIndex()) if view.model() is not None else 0


def centre(widget: QWidget) -> tuple[float, float]:
    return widget.width() / 2, widget.height() / 2


class Monkey:
    def __init__(self, app: QApplication, window: MainWindow, seed: int, seconds: float) -> None:
        self.app, self.window = app, window
        self.rng = random.Random(seed)
        self.deadline = time.monotonic() + seconds
        self.steps = 0
        self.finished = False
        self.actions: list[tuple[int, Callable[[QWidget], None]]] = [
            (25, self.click_button), (5, self.click_tab), (15, self.use_combo),
            (15, self.type_text), (20, self.use_table), (8, self.shortcut),
            (7, self.open_list_item), (3, self.focus_key),
        ]  # fmt: skip

    # ------------------------------------------------------------------------- real input

    def log(self, text: str) -> None:
        print(f"ACT {self.steps} {text}", flush=True)

    def key(self, widget: QWidget, key: Qt.Key, mods=NO_MODS, text: str = "") -> None:
        """Press and release. A key press that is not spontaneous tries the shortcuts first
        (QApplication::notify), as a typed one does."""
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            if shiboken6.isValid(widget):
                QApplication.sendEvent(widget, QKeyEvent(kind, key, mods, text))

    def type_chars(self, widget: QWidget, text: str, view: QWidget | None = None) -> None:
        """In a view each key goes where the focus is: the first key of a cell opens its
        editor, the rest go to the editor."""
        for char in text:
            target = self.focus_in(view, view) if view is not None else widget
            self.key(target, Qt.Key(ord(char.upper())), text=char)  # ASCII: code = key

    def click(self, widget: QWidget, x: float, y: float, double: bool = False) -> None:
        """Press and release the left button. Qt moves the focus on a click only for
        spontaneous events, so that is done here as it would be."""
        holder: QWidget | None = widget
        while holder is not None and not holder.focusPolicy() & Qt.FocusPolicy.ClickFocus:
            holder = None if holder.isWindow() else holder.parentWidget()
        if holder is not None:
            holder.setFocus(Qt.FocusReason.MouseFocusReason)
        left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
        kinds = [(QEvent.Type.MouseButtonPress, left), (QEvent.Type.MouseButtonRelease, none)]
        if double:
            kinds += [(QEvent.Type.MouseButtonDblClick, left), kinds[1]]
        point = QPointF(x, y)
        for kind, buttons in kinds:
            if shiboken6.isValid(widget):
                glob = widget.mapToGlobal(point)
                QApplication.sendEvent(
                    widget, QMouseEvent(kind, point, glob, left, buttons, NO_MODS)
                )

    def focus_in(self, root: QWidget, fallback: QWidget) -> QWidget:
        """Where a typed key goes: the focus widget when inside root, else fallback."""
        focus = QApplication.focusWidget()
        inside = focus is not None and (focus is root or root.isAncestorOf(focus))
        return focus if inside else fallback

    def pick(self, root: QWidget, kind: type, more=lambda w: True) -> QWidget | None:
        found = [w for w in root.findChildren(kind) if usable(w) and not blocked(w) and more(w)]
        return self.rng.choice(found) if found else None

    # ------------------------------------------------------------------------- the loop

    def step(self) -> None:
        """One action. The next one is scheduled first, as a new single-shot timer, so it
        fires inside any nested event loop (QDialog.exec, QMessageBox) this one starts; a
        repeating timer would not fire again while its own handler runs."""
        if self.finished:
            return
        if time.monotonic() > self.deadline:
            self.finish()
            return
        QTimer.singleShot(self.rng.randint(5, 20), self.step)
        self.steps += 1
        self.look_for_failure_box()
        if self.window.locked:  # reached from the keyboard: Tab to the Lock button, Space
            self.log("unlock")
            self.window.unlock(DEMO_PASSWORD)
            return
        popup, modal = QApplication.activePopupWidget(), QApplication.activeModalWidget()
        if isinstance(modal, (QFileDialog, QAbstractPrintDialog)):
            self.log(f"cancel blocked dialog {type(modal).__name__}")
            modal.reject()
            return
        root = modal or self.window
        if popup is None and QApplication.activeWindow() is not root:
            # The offscreen platform has no window manager to give the activation back when a
            # dialog or pop-up closes; without it there is no focus and no shortcut works.
            root.activateWindow()
        try:
            if popup is not None:
                self.in_popup(popup)
            elif modal is not None and self.rng.random() < 0.08:
                self.log(f"escape {describe(modal)}")
                self.key(self.focus_in(modal, modal), Qt.Key.Key_Escape)
            else:
                weights, actions = zip(*self.actions, strict=True)
                self.rng.choices(actions, weights)[0](root)
        except RuntimeError as exc:  # a widget the app deleted under this action's feet
            if "already deleted" not in str(exc):
                raise
            self.log("(the widget was deleted)")

    def look_for_failure_box(self) -> None:
        for widget in QApplication.topLevelWidgets():
            box = isinstance(widget, QMessageBox) and widget.isVisible()
            if box and "Something went wrong" in widget.text():
                print("SOMETHING_WENT_WRONG", widget.text(), flush=True)
                os._exit(3)

    def finish(self) -> None:
        """Close what is open, then leave every event loop (exit() ends nested ones too)."""
        self.finished = True
        for _ in range(10):
            if (popup := QApplication.activePopupWidget()) is not None:
                popup.close()
            if isinstance(modal := QApplication.activeModalWidget(), QDialog):
                modal.reject()
        self.app.exit(0)

    # ------------------------------------------------------------------------- actions

    def click_button(self, root: QWidget) -> None:
        kinds = (QPushButton, QCheckBox, QRadioButton)
        button = self.pick(root, QAbstractButton, lambda w: isinstance(w, kinds))
        if button is not None:
            self.log(f"click {describe(button)}")
            # A check box reacts on its indicator and label, not a stretched widget's centre.
            x, y = centre(button)
            self.click(button, x if isinstance(button, QPushButton) else min(8, x), y)

    def click_tab(self, root: QWidget) -> None:
        bar = self.pick(root, QTabBar, lambda w: w.count() > 0)
        if bar is None:
            return
        index = self.rng.randrange(bar.count())
        if bar.isTabEnabled(index) and bar.isTabVisible(index):
            self.log(f"tab {bar.tabText(index)!r}")
            point = bar.tabRect(index).center()
            self.click(bar, point.x(), point.y())

    def use_combo(self, root: QWidget) -> None:
        combo = self.pick(root, QComboBox, lambda w: w.count() > 0)
        if combo is None:
            return
        if self.rng.random() < 0.5:  # a click opens the list; the next steps act inside it
            self.log(f"open {describe(combo)}")
            self.click(combo, *centre(combo))
            return
        key = self.rng.choice((K.Key_Up, K.Key_Down, K.Key_Down, K.Key_Return))
        self.log(f"key {key.name} on {describe(combo)}")
        combo.setFocus(Qt.FocusReason.TabFocusReason)
        self.key(combo, key)

    def in_popup(self, popup: QWidget) -> None:
        """A combo's list or a calendar: a click on an item, or keys (Escape among them)."""
        view = self.pick(popup, QAbstractItemView, lambda v: rows(v) > 0)
        if view is not None and self.rng.random() < 0.3:
            index = view.model().index(self.rng.randrange(rows(view)), 0, view.rootIndex())
            rect = view.visualRect(index)
            if rect.isValid():
                self.log(f"click item {index.row()} in popup {type(popup).__name__}")
                self.click(view.viewport(), rect.center().x(), rect.center().y())
                return
        key = self.rng.choice(POPUP_KEYS)
        self.log(f"key {key.name} in popup {type(popup).__name__}")
        self.key(self.focus_in(popup, popup), key)

    def type_text(self, root: QWidget) -> None:
        kinds = (QLineEdit, QPlainTextEdit)
        edit = self.pick(root, QWidget, lambda w: isinstance(w, kinds) and not w.isReadOnly())
        if edit is None:
            return
        # A spin box's or editable combo's line edit is typed into through its owner, which
        # sees the keys first, as with a real keyboard.
        owner = edit.parentWidget()
        target = owner if isinstance(owner, (QAbstractSpinBox, QComboBox)) else edit
        secret = isinstance(edit, QLineEdit) and edit.echoMode() != QLineEdit.EchoMode.Normal
        if secret and self.rng.random() < 0.4:
            text = DEMO_PASSWORD  # lets Sign and lock, addenda and the like go through
        elif self.rng.random() < 0.5:
            text = self.rng.choice(TEXTS)
        else:
            letters = "abcdefghijklmnopqrstuvwxyz0123456789   "
            text = "".join(self.rng.choice(letters) for _ in range(self.rng.randint(1, 12)))
        self.log(f"type {text!r} into {describe(target)}")
        target.setFocus(Qt.FocusReason.MouseFocusReason)
        if self.rng.random() < 0.4:
            self.key(target, K.Key_A, CTRL)  # select all: replace rather than append
        self.type_chars(target, text)
        if self.rng.random() < 0.3:
            self.key(target, self.rng.choice((K.Key_Return, K.Key_Tab)))

    def use_table(self, root: QWidget) -> None:
        """Click a cell (sometimes twice, which edits it) or type keys into the grid."""
        view = self.pick(root, QTableView, lambda v: rows(v) > 0)
        if view is None:
            return
        model = view.model()
        if self.rng.random() < 0.5:
            columns = [c for c in range(model.columnCount()) if not view.isColumnHidden(c)]
            row, column = self.rng.randrange(model.rowCount()), self.rng.choice(columns or [0])
            rect = view.visualRect(model.index(row, column))
            if rect.isValid():
                double = self.rng.random() < 0.2
                where = f"cell {row},{column} of {describe(view)}"
                self.log(f"{'double-' if double else ''}click {where}")
                self.click(view.viewport(), rect.center().x(), rect.center().y(), double)
            return
        target = self.focus_in(view, view)
        if self.rng.random() < 0.3:
            text = self.rng.choice(TEXTS) or "7"
            self.log(f"type {text!r} in {describe(view)} ({type(target).__name__})")
            self.type_chars(target, text, view)
            return
        key = self.rng.choice(TABLE_KEYS)
        text = chr(key.value).lower() if key.value < 0x7F else ""  # letters, digits, space
        self.log(f"key {key.name} in {describe(view)} ({type(target).__name__})")
        self.key(target, key, SHIFT if key is K.Key_Backtab else NO_MODS, text)

    def shortcut(self, root: QWidget) -> None:
        """The session's parts: Ctrl+1..5, Ctrl+PgDown, Ctrl+PgUp (also the tabs' keys)."""
        key = self.rng.choice(SHORTCUTS)
        target = self.focus_in(root, root)
        self.log(f"shortcut Ctrl+{key.name.removeprefix('Key_')} at {describe(target)}")
        self.key(target, key, CTRL)

    def open_list_item(self, root: QWidget) -> None:
        """Select an item of a list and sometimes press Enter on it (on Today: open it)."""
        grids = (QTableView, QHeaderView)
        view = self.pick(root, QAbstractItemView, lambda v: not isinstance(v, grids) and rows(v))
        if view is None:
            return
        index = view.model().index(self.rng.randrange(rows(view)), 0, view.rootIndex())
        rect = view.visualRect(index)
        if rect.isValid():
            self.log(f"click row {index.row()} of {describe(view)}")
            self.click(view.viewport(), rect.center().x(), rect.center().y())
        if self.rng.random() < 0.5:
            self.log(f"enter in {describe(view)}")
            self.key(view, K.Key_Return)

    def focus_key(self, root: QWidget) -> None:
        """Tab, Shift+Tab or Escape wherever the focus is."""
        key = self.rng.choice((K.Key_Tab, K.Key_Tab, K.Key_Backtab, K.Key_Escape))
        target = self.focus_in(root, root)
        self.log(f"key {key.name} at {describe(target)}")
        self.key(target, key, SHIFT if key is K.Key_Backtab else NO_MODS)


def main(location: str, seed: int, seconds: float) -> int:
    if not Path(location).exists():
        started = time.monotonic()
        make_demo(location)
        print(f"DEMO created in {time.monotonic() - started:.2f} s", flush=True)
    status = {"code": 0}

    def excepthook(kind: type[BaseException], error: BaseException, trace: object) -> None:
        print(f"EXCEPTION {kind.__name__}: {error}", flush=True)
        traceback.print_exception(kind, error, trace, file=sys.stdout)  # type: ignore[arg-type]
        sys.stdout.flush()
        status["code"] = 2

    sys.excepthook = excepthook
    seen: set[str] = set()

    def qt_message(kind: QtMsgType, _context: object, message: str) -> None:
        quiet = (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg)
        if kind not in quiet and message not in seen:  # each distinct warning once
            seen.add(message)
            print(f"QTWARNING {message}", flush=True)

    qInstallMessageHandler(qt_message)
    app = QApplication(sys.argv[:1])
    window = MainWindow(location, "demo")
    window.resize(1366, 768)
    window.show()
    window.activateWindow()  # shortcuts need an active window
    QTest.qWaitForWindowExposed(window)  # once, before the loop: fine
    window.start_page.password.setText(DEMO_PASSWORD)
    window.start_page.submit()
    monkey = Monkey(app, window, seed, seconds)
    QTimer.singleShot(0, monkey.step)
    app.exec()
    window.close()  # as at the end of a day: saves, signs out (a crash here counts too)
    print(f"DONE {monkey.steps}", flush=True)
    return status["code"]


if __name__ == "__main__":
    code = main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))
    sys.stdout.flush()
    # No interpreter teardown: PySide's destruction order at exit is not what is tested here.
    os._exit(code)
