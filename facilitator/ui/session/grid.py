"""The session's grids, filled in from the keyboard as a spreadsheet is.

Typing starts editing the current cell; Enter saves it and moves down the same column; Tab and
Shift+Tab save and move across the row, wrapping to the next row, and leave the grid after its
last cell; Escape cancels. A save repaints its row only, so the cursor stays where it was.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QPlainTextEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

Index = QModelIndex | QPersistentModelIndex
ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class ChoiceDelegate(QStyledItemDelegate):
    """A combo box of (value, label) choices; the model receives the value."""

    def __init__(self, choices: list[tuple[Any, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choices = choices

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = QComboBox(parent)
        editor.setAccessibleName(
            str(index.model().headerData(index.column(), Qt.Orientation.Horizontal))
        )
        for value, label in self.choices:
            editor.addItem(label, value)
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        # Filled once, when it opens: a save elsewhere in the row must not undo the choice being
        # made (Qt refills open editors whenever their row changes).
        assert isinstance(editor, QComboBox)
        if editor.property("filled"):
            return
        editor.setProperty("filled", True)
        current = index.data(Qt.ItemDataRole.UserRole)  # the value behind the label shown
        editor.setCurrentIndex(max(editor.findData(current), 0))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class NoteDelegate(QStyledItemDelegate):
    """A few lines of text (the safety follow-up): Enter starts a new line, Ctrl+Enter saves
    and moves down, Tab saves and moves on. The editor opens taller than the cell."""

    LINES = 5

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = QPlainTextEdit(parent)
        editor.setAccessibleName(
            str(index.model().headerData(index.column(), Qt.Orientation.Horizontal))
        )
        editor.setTabChangesFocus(True)
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, QPlainTextEdit)
        if not editor.property("filled"):  # once, as ChoiceDelegate
            editor.setProperty("filled", True)
            editor.setPlainText(str(index.data(Qt.ItemDataRole.DisplayRole) or ""))
            editor.moveCursor(editor.textCursor().MoveOperation.End)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        assert isinstance(editor, QPlainTextEdit)
        model.setData(index, editor.toPlainText(), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> None:
        rect = QRect(option.rect)
        rect.setHeight(max(rect.height(), editor.fontMetrics().lineSpacing() * self.LINES + 12))
        rect.setWidth(max(rect.width(), 320))
        editor.setGeometry(rect)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            isinstance(watched, QPlainTextEdit)
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in ENTER
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.commitData.emit(watched)
            self.closeEditor.emit(watched, QAbstractItemDelegate.EndEditHint.SubmitModelCache)
            return True
        return super().eventFilter(watched, event)


class KeyboardGrid(QTableView):
    """A table edited cell by cell from the keyboard; see the module's docstring."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        # As in a spreadsheet: typing, F2 or a double click edits. Not a click on the selected
        # cell: Qt delays that edit by a double-click interval and, meanwhile, drops what is
        # typed into the cell (a quick "click, 7" lost the 7).
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
        )
        self.setTabKeyNavigation(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        header = self.verticalHeader()  # the members' names: it stays put when scrolling sideways
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # Rows keep one line's height (measuring every row is slow); a row with text that needs
        # more is fitted when it changes (fit_row).
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setDefaultSectionSize(self.fontMetrics().height() + 10)

    def fit_row(self, row: int, tall: bool) -> None:
        """Show all of a row's text (a long safety follow-up), or bring it back to one line."""
        if tall:
            self.resizeRowToContents(row)
        elif self.rowHeight(row) != self.verticalHeader().defaultSectionSize():
            # Only when it was tall: a height set again lays the whole grid out again.
            self.setRowHeight(row, self.verticalHeader().defaultSectionSize())

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        moving_down = hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache
        last = self.currentIndex()
        if hint in (
            QAbstractItemDelegate.EndEditHint.EditNextItem,
            QAbstractItemDelegate.EndEditHint.EditPreviousItem,
        ):
            # Tab saves and moves across without opening the next cell: the next key typed there
            # opens it, as in a spreadsheet (and a choice cell's list does not pop up unasked).
            super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            self._step(hint == QAbstractItemDelegate.EndEditHint.EditNextItem, last)
            return
        super().closeEditor(
            editor, QAbstractItemDelegate.EndEditHint.NoHint if moving_down else hint
        )
        if moving_down:
            self._move_down(last)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.state() != QAbstractItemView.State.EditingState:
            if event.key() in ENTER and self.currentIndex().isValid():
                self._move_down(self.currentIndex())
                return
            if event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
                forward = event.key() == Qt.Key.Key_Tab and not (
                    event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                )
                self._step(forward, self.currentIndex())
                return
        super().keyPressEvent(event)

    def _move_down(self, index: QModelIndex) -> None:
        if index.isValid() and index.row() + 1 < self.model().rowCount():
            self._go(self.model().index(index.row() + 1, index.column()))

    def _step(self, forward: bool, index: QModelIndex) -> None:
        """Across the row, wrapping to the next (or previous) row; out of the grid at its ends."""
        model = self.model()
        columns = [c for c in range(model.columnCount()) if not self.isColumnHidden(c)]
        if not index.isValid() or not columns or not model.rowCount():
            self._leave(forward)
            return
        cells = [(r, c) for r in range(model.rowCount()) for c in columns]
        here = (index.row(), index.column())
        position = cells.index(here) if here in cells else 0
        target = position + (1 if forward else -1)
        if not 0 <= target < len(cells):
            self._leave(forward)
            return
        self._go(model.index(*cells[target]))

    def _leave(self, forward: bool) -> None:
        # QWidget's own: the item view's would send Tab to this grid again.
        QWidget.focusNextPrevChild(self, forward)

    def _go(self, index: QModelIndex) -> None:
        self.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.scrollTo(index)
