"""Text boxes that save themselves as the facilitator types (see ui.autosave)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QPlainTextEdit, QWidget

from facilitator.domain.changes import Changes
from facilitator.domain.errors import FacilitatorError
from facilitator.ui.autosave import Autosaver
from facilitator.ui.session.context import SessionContext

# A save: (typed text, editing span token) -> the service's Changes.
Save = Callable[[str, int], Changes]


def autosaved_text(
    ctx: SessionContext, parent: QWidget, name: str, save: Save, lines: int = 4
) -> tuple[QPlainTextEdit, Autosaver]:
    """A text box whose typing goes to ``save`` through the change bus, refusals to the
    message line (the text stays in the box)."""
    editor = QPlainTextEdit(parent)
    editor.setAccessibleName(name)
    editor.setTabChangesFocus(True)
    editor.setMinimumHeight(lines * 18)

    def run(text: str, span: int) -> None:
        problem = ctx.run(name, save, text, span)
        if problem is not None:
            raise FacilitatorError(problem)  # the autosaver keeps the text waiting

    saver = Autosaver(editor, run)
    editor.setProperty("saver", saver)
    return editor, saver
