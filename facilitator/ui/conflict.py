"""The conflict view: a save that met another seat's change to the same part shows both
texts side by side, theirs (with who and when) and mine (editable, to merge), and its user
keeps one. Nothing is decided by closing it: the typing stays, unsaved, and the view comes
back at the next save."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from facilitator.domain.errors import EditConflict


class ConflictDialog(QDialog):
    keep_theirs = Signal()
    keep_mine = Signal(str)  # the text to save: mine, or mine merged with theirs

    def __init__(self, what: str, conflict: EditConflict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{what}: changed on another seat")
        self.setAccessibleName("Conflict")
        theirs = as_text(next(iter(conflict.theirs.values()), None))
        mine = as_text(next(iter(conflict.mine.values()), None))
        explained = QLabel(conflict.message, self)
        explained.setWordWrap(True)
        self.theirs = QPlainTextEdit(theirs, self)
        self.theirs.setReadOnly(True)
        self.theirs.setAccessibleName("Their text")
        self.mine = QPlainTextEdit(mine, self)
        self.mine.setAccessibleName("My text")
        buttons = QDialogButtonBox(self)
        self.theirs_button = QPushButton("Keep &theirs", self)
        self.mine_button = QPushButton("Save &mine (as edited here)", self)
        buttons.addButton(self.theirs_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.addButton(self.mine_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.theirs_button.clicked.connect(self._theirs)
        self.mine_button.clicked.connect(self._mine)
        grid = QGridLayout(self)
        grid.addWidget(explained, 0, 0, 1, 2)
        grid.addWidget(QLabel(f"Theirs: {conflict.by}", self), 1, 0)
        grid.addWidget(QLabel("Mine: edit it to take in theirs", self), 1, 1)
        grid.addWidget(self.theirs, 2, 0)
        grid.addWidget(self.mine, 2, 1)
        grid.addWidget(buttons, 3, 0, 1, 2)
        self.resize(760, 360)

    def _theirs(self) -> None:
        self.done(QDialog.DialogCode.Rejected)
        self.keep_theirs.emit()

    def _mine(self) -> None:
        self.done(QDialog.DialogCode.Accepted)
        self.keep_mine.emit(self.mine.toPlainText())


def as_text(value: object) -> str:
    """A stored value as its cell or box shows it (and takes it back typed)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    return str(value)


def ask(what: str, conflict: EditConflict, parent: QWidget | None) -> ConflictDialog:
    """Open the conflict view beside the window (not blocking: the session goes on)."""
    dialog = ConflictDialog(what, conflict, parent)
    dialog.setModal(True)
    dialog.open()
    return dialog


# A cell's save: given the value typed and what its user saw as stored.
SHOWN = object()  # "what the grid shows now" (the default of a cell's save)


def resolve_cell(
    parent: QWidget, conflict: EditConflict, column: str, save: Callable[[str, object], object]
) -> ConflictDialog:
    """The conflict view for a grid cell: keeping mine saves it again over theirs (read)."""
    label = column.replace("_", " ").capitalize()
    dialog = ask(label, conflict, parent)
    theirs = conflict.theirs.get(column)
    dialog.keep_mine.connect(lambda text: save(text, theirs))
    dialog.finished.connect(dialog.deleteLater)
    return dialog
