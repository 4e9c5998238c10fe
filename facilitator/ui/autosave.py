"""Saving as the facilitator types: no Save button, at most a moment of typing at risk."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

from facilitator.domain.errors import FacilitatorError

# Long enough not to write on every keystroke, short enough that a crash loses under a second:
# a save follows a pause in typing, and one is forced while typing goes on without a pause.
DELAY_MS = 300
MAX_WAIT_MS = 800


class Autosaver(QObject):
    """Saves one text field a moment after typing pauses, and at once when focus leaves it."""

    saved = Signal()
    failed = Signal(str)

    def __init__(
        self,
        editor: QPlainTextEdit | QLineEdit,
        save: Callable[[str], object],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent or editor)
        self.editor = editor
        self._save = save
        self._loading = False
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

    @property
    def pending(self) -> bool:
        return self.timer.isActive()

    def _typed(self, *_args: object) -> None:
        if not self._loading:
            self.timer.start()
            if not self.max_wait.isActive():
                self.max_wait.start()

    def flush(self) -> None:
        """Save now if anything is waiting."""
        if not self.timer.isActive() and self.sender() not in (self.timer, self.max_wait):
            return
        self.timer.stop()
        self.max_wait.stop()
        try:
            self._save(self.text())
        except FacilitatorError as exc:
            self.failed.emit(exc.message)
            return
        self.saved.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.editor and event.type() == QEvent.Type.FocusOut:
            self.flush()
        return False
