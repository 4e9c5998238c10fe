"""Real key and mouse events, delivered with QApplication.sendEvent.

PySide6 6.12's QTest key and mouse helpers drop a reference to None on every call, and a long
run of them aborts Python 3.11 ("deallocating None"); these send the same events Qt's event
loop would, without that leak.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget

NO_MODIFIER = Qt.KeyboardModifier.NoModifier
TEXT_OF = {
    Qt.Key.Key_Return: "\r",
    Qt.Key.Key_Enter: "\r",
    Qt.Key.Key_Tab: "\t",
    Qt.Key.Key_Escape: "\x1b",
    Qt.Key.Key_Space: " ",
}


def key(
    widget: QWidget,
    which: Qt.Key,
    modifiers: Qt.KeyboardModifier = NO_MODIFIER,
    text: str | None = None,
) -> None:
    """Press and release one key on the widget (or on what inside it has the focus)."""
    target = _focused_in(widget)
    typed = TEXT_OF.get(which, "") if text is None else text
    if modifiers & Qt.KeyboardModifier.ControlModifier:
        typed = ""
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(target, QKeyEvent(kind, which, modifiers, typed))
        target = _focused_in(widget)  # a key may have opened an editor that now has the focus
    # What the key queued (a cell's editor commits on the next turn of the loop) runs now, as
    # it would before the next key arrived from a keyboard.
    QApplication.processEvents()


def type_text(widget: QWidget, text: str) -> None:
    """Type the text one character at a time, as a person would."""
    for char in text:
        which = Qt.Key(ord(char.upper())) if char.isalnum() else _symbol(char)
        key(widget, which, text=char)


def _symbol(char: str) -> Qt.Key:
    return {
        " ": Qt.Key.Key_Space,
        ":": Qt.Key.Key_Colon,
        ".": Qt.Key.Key_Period,
        ",": Qt.Key.Key_Comma,
        "-": Qt.Key.Key_Minus,
        ";": Qt.Key.Key_Semicolon,
    }.get(char, Qt.Key.Key_unknown)


def _focused_in(widget: QWidget) -> QWidget:
    focus = QApplication.focusWidget()
    if focus is not None and (focus is widget or widget.isAncestorOf(focus)):
        return focus
    return widget


def click(widget: QWidget, at: QPoint | None = None, double: bool = False) -> None:
    """A left click (press and release) at a point of the widget, its centre by default."""
    point = QPointF(at if at is not None else widget.rect().center())
    global_point = QPointF(widget.mapToGlobal(point.toPoint()))
    button = Qt.MouseButton.LeftButton
    kinds = [QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease]
    if double:
        kinds += [QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseButtonRelease]
    for kind in kinds:
        pressed = button if kind != QEvent.Type.MouseButtonRelease else Qt.MouseButton.NoButton
        event = QMouseEvent(kind, point, global_point, button, pressed, NO_MODIFIER)
        QApplication.sendEvent(widget, event)
    QApplication.processEvents()


def click_cell(view: QAbstractItemView, row: int, column: int, double: bool = False) -> None:
    """Click a cell of a table: on its rectangle in the viewport, as the mouse would."""
    index = view.model().index(row, column)
    view.scrollTo(index)
    view.setFocus()  # a real click focuses the view; a sent event alone does not
    click(view.viewport(), view.visualRect(index).center(), double=double)
