"""Text boxes that save themselves as the facilitator types (see ui.autosave)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from facilitator.domain.changes import Changes
from facilitator.domain.errors import EditConflict, FacilitatorError
from facilitator.domain.rules import NOTE_LIMIT
from facilitator.ui.autosave import Autosaver
from facilitator.ui.conflict import ConflictDialog, ask
from facilitator.ui.session.context import AMBER, RED, SessionContext, tint

# A save: (typed text, editing span token, the stored text shown when typing began) -> the
# service's Changes.
Save = Callable[[str, int, str], Changes]


def autosaved_text(
    ctx: SessionContext, parent: QWidget, name: str, save: Save, lines: int = 4
) -> tuple[QPlainTextEdit, Autosaver]:
    """A text box whose typing goes to ``save`` through the change bus, refusals to the
    message line (the text stays in the box)."""
    editor = QPlainTextEdit(parent)
    editor.setAccessibleName(name)
    editor.setTabChangesFocus(True)
    editor.setMinimumHeight(lines * 18)

    def run(text: str, span: int, shown: str) -> None:
        problem = ctx.run(name, save, text, span, shown)
        if ctx.conflict is not None:
            raise ctx.conflict  # the autosaver keeps the text until its user chooses
        if ctx.unreachable is not None:
            raise ctx.unreachable  # the autosaver keeps the text until the server is back
        if problem is not None:
            raise FacilitatorError(problem)  # the autosaver keeps the text waiting

    saver = Autosaver(editor, run)
    saver.conflicted.connect(lambda conflict: _resolve(name, saver, conflict))
    editor.setProperty("saver", saver)
    LengthHint(editor, NOTE_LIMIT)
    return editor, saver


def _resolve(name: str, saver: Autosaver, conflict: EditConflict) -> None:
    if saver.editor.findChild(ConflictDialog) is not None:
        return  # already asking
    dialog = ask(name, conflict, saver.editor)
    dialog.keep_mine.connect(saver.keep_mine)
    dialog.keep_theirs.connect(saver.keep_theirs)
    dialog.finished.connect(dialog.deleteLater)


class LengthHint(QObject):
    """How much a long text box still takes, in its lower corner once it is nearly full; past
    the limit it says the text is too long to save (the service refuses it, the text stays)."""

    SHOWN_FROM = 0.9  # of the limit

    def __init__(self, editor: QPlainTextEdit, limit: int) -> None:
        super().__init__(editor)
        self.editor, self.limit = editor, limit
        self.label = QLabel(editor)  # over the box's corner: no layout has to make room
        self.label.setAccessibleName(f"{editor.accessibleName()} length")
        self.label.setAutoFillBackground(True)  # readable over the text under it
        self.label.hide()
        editor.textChanged.connect(self.update)
        editor.installEventFilter(self)

    @property
    def length(self) -> int:
        return self.editor.document().characterCount() - 1  # without the closing paragraph mark

    def update(self) -> None:
        length = self.length
        if length < self.limit * self.SHOWN_FROM:
            self.label.hide()
            return
        over = length > self.limit
        self.label.setText(
            f"{length:,} of {self.limit:,} characters" + (": too long to save" if over else "")
        )
        tint(self.label, RED if over else AMBER)
        self.label.adjustSize()
        self._place()
        self.label.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        box, label = self.editor.rect(), self.label
        label.move(box.width() - label.width() - 22, box.height() - label.height() - 4)
