"""Saving as the facilitator types: no Save button, at most a moment of typing at risk.

Each stretch of typing in one field (from its first keystroke until focus leaves or typing has
paused for SPAN_IDLE_MS) is one editing span; every save of the span carries its token, so the
audit trail records the span once rather than every save.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

from facilitator.domain.errors import FacilitatorError

# Long enough not to write on every keystroke, short enough that a crash loses under a second:
# a save follows a pause in typing, and one is forced while typing goes on without a pause.
DELAY_MS = 300
MAX_WAIT_MS = 800
SPAN_IDLE_MS = 3000  # a pause this long ends an editing span: the next keystroke starts another
_tokens = itertools.count(1)


class Autosaver(QObject):
    """Saves one text field a moment after typing pauses, and at once when focus leaves it."""

    saved = Signal()
    failed = Signal(str)

    def __init__(
        self,
        editor: QPlainTextEdit | QLineEdit,
        save: Callable[[str, int], object],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent or editor)
        self.editor = editor
        self._save = save  # save(text, the editing span's token)
        self._loading = False
        self.unsaved = False
        self.span: int | None = None
        self.span_idle = QTimer(self)
        self.span_idle.setSingleShot(True)
        self.span_idle.setInterval(SPAN_IDLE_MS)
        self.span_idle.timeout.connect(self.end_span)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DELAY_MS)
        self.timer.timeout.connect(self.flush)
        self.max_wait = QTimer(self)
        self.max_wait.setSingleShot(True)
        self.max_wait.setInterval(MAX_WAIT_MS)
        self.max_wait.timeout.connect(self.flush)
        editor.textChanged.connect(self._typed)
        editor.installEventFilter(self)

    def text(self) -> str:
        if isinstance(self.editor, QPlainTextEdit):
            return self.editor.toPlainText()
        return self.editor.text()

    def load(self, text: str) -> None:
        """Show stored text without saving it back. Typing not yet saved is never overwritten."""
        if text == self.text() or self.pending:
            return
        self._loading = True
        try:
            if isinstance(self.editor, QPlainTextEdit):
                self.editor.setPlainText(text)
            else:
                self.editor.setText(text)
        finally:
            self._loading = False
        self.span_idle.stop()  # other text (another member's note): typing starts a new span
        self.span = None

    @property
    def pending(self) -> bool:
        """Typed text not saved yet (waiting for a pause, or refused and kept to try again)."""
        return self.unsaved

    def _typed(self, *_args: object) -> None:
        if not self._loading:
            self.unsaved = True
            if self.span is None:
                self.span = next(_tokens)
            self.span_idle.start()
            self.timer.start()
            if not self.max_wait.isActive():
                self.max_wait.start()

    def end_span(self) -> None:
        """Saves from here on are a new stretch of typing (and a new audit entry)."""
        self.flush()
        self.span_idle.stop()
        self.span = None

    def flush(self) -> None:
        """Save now if anything is waiting."""
        if not self.unsaved:
            return
        self.timer.stop()
        self.max_wait.stop()
        if self.span is None:  # typed while loading was refused, or saved from outside
            self.span = next(_tokens)
        try:
            self._save(self.text(), self.span)
        except FacilitatorError as exc:
            self.failed.emit(exc.message)  # still unsaved: the text stays, and is tried again
            return
        self.unsaved = False
        self.saved.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.editor and event.type() == QEvent.Type.FocusOut:
            self.end_span()
        return False
