"""Saving as the facilitator types: no Save button, at most a moment of typing at risk.

Each save says what the field showed as stored when the typing began (``shown``: what was last
loaded or saved). A save that meets another seat's change to the same field is refused
(services.edits): the typing stays in the box, unsaved, and no more saves are tried until its
user has chosen in the conflict view (``conflicted``; ``keep_mine`` or ``keep_theirs``).

The conflict view is not pushed at someone in mid-sentence: while they type, an overtaken box
only says so (``overtaken``: "changed by … — show", also as soon as the live view brings
another seat's change); the view opens when they ask, or when they leave the box.

Each stretch of typing in one field (from its first keystroke until focus leaves or typing has
paused for SPAN_IDLE_MS) is one editing span; every save of the span carries its token, so the
audit trail records the span once rather than every save.

While the clinic server is unreachable (ui.outage) no save is tried: the typing stays in the
box and, where the box has a place in the laptop's journal (``keep``, services.journal), there
too, so a crash or a restart does not lose it; it is saved when the server is back.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

from facilitator.domain.errors import (
    EditConflict,
    FacilitatorError,
    ServerUnreachable,
    SessionLocked,
)
from facilitator.ui.outage import server_link

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
    conflicted = Signal(object)  # the EditConflict: its user chooses which text to keep
    overtaken = Signal()  # another seat saved this field while its user was typing in it
    settled = Signal()  # nothing overtaken any more (saved, or a side chosen)
    signed_over = Signal()  # the record was signed while its user's typing was not saved
    typing = Signal(bool)  # an editing span began (True) or ended (False): others are told

    def __init__(
        self,
        editor: QPlainTextEdit | QLineEdit,
        save: Callable[[str, int, str], object],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent or editor)
        self.editor = editor
        self._save = save  # save(text, the editing span's token, what was shown as stored)
        self._loading = False
        self.unsaved = False
        self.shown = ""  # the stored text this box last showed (loaded, or saved from here)
        self.conflict: EditConflict | None = None  # refused: waiting for its user's choice
        self.span: int | None = None
        self.span_idle = QTimer(self)
        self.span_idle.setSingleShot(True)
        self.span_idle.setInterval(SPAN_IDLE_MS)
        self.span_idle.timeout.connect(lambda: self.end_span(ask=False))
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DELAY_MS)
        self.timer.timeout.connect(lambda: self.flush(ask=False))
        self.max_wait = QTimer(self)
        self.max_wait.setSingleShot(True)
        self.max_wait.setInterval(MAX_WAIT_MS)
        self.max_wait.timeout.connect(lambda: self.flush(ask=False))
        editor.textChanged.connect(self._typed)
        editor.installEventFilter(self)
        self.link = server_link()
        self.link.came_back.connect(self.flush)
        # keep(text, what was shown as stored) -> whether the laptop's journal now holds it.
        self.keep: Callable[[str, str], bool] | None = None
        self.kept = False  # the box's text as it is now is in the journal

    def text(self) -> str:
        if isinstance(self.editor, QPlainTextEdit):
            return self.editor.toPlainText()
        return self.editor.text()

    def load(self, text: str) -> None:
        """Show stored text without saving it back. Typing not yet saved is never overwritten
        (and its save will say it began from what was shown before)."""
        if self.pending:
            if text != self.shown and text != self.text():
                self.overtaken.emit()  # the box keeps its typing, and says so
            return
        self.shown = text
        if text == self.text():
            return
        self._loading = True
        try:
            self._set(text)
        finally:
            self._loading = False
        self.span_idle.stop()  # other text (another member's note): typing starts a new span
        self._span_over()

    def _set(self, text: str) -> None:
        if isinstance(self.editor, QPlainTextEdit):
            self.editor.setPlainText(text)
        else:
            self.editor.setText(text)

    @property
    def pending(self) -> bool:
        """Typed text not saved yet (waiting for a pause, or refused and kept to try again)."""
        return self.unsaved

    def _typed(self, *_args: object) -> None:
        if not self._loading:
            self.unsaved = True
            self.kept = False
            if self.span is None:
                self.span = next(_tokens)
                self.typing.emit(True)
            self.span_idle.start()
            self.timer.start()
            if not self.max_wait.isActive():
                self.max_wait.start()

    def end_span(self, ask: bool = True) -> None:
        """Saves from here on are a new stretch of typing (and a new audit entry)."""
        self.flush(ask)
        self.span_idle.stop()
        self._span_over()

    def _span_over(self) -> None:
        if self.span is not None:
            self.span = None
            self.typing.emit(False)

    def flush(self, ask: bool = True) -> None:
        """Save now if anything is waiting. A conflict goes to the conflict view when ``ask``
        (the user left the box, or asked to see it); otherwise the box only says so."""
        if not self.unsaved:
            return
        self.timer.stop()
        self.max_wait.stop()
        if self.link.down:  # kept in the box (and the journal); saved when the server is back
            self._keep()
            return
        if self.conflict is not None:  # not decided yet: ask again, save nothing
            self.conflict.mine = dict.fromkeys(self.conflict.mine, self.text())
            self._tell(self.conflict, ask)
            return
        if self.span is None:  # typed while loading was refused, or saved from outside
            self.span = next(_tokens)
        text = self.text()
        try:
            self._save(text, self.span, self.shown)
        except EditConflict as exc:
            self.conflict = exc  # still unsaved: the text stays until its user chooses
            self._tell(exc, ask)
            return
        except ServerUnreachable:
            self.link.lost()  # still unsaved: the text stays, and is saved once it is back
            self._keep()
            return
        except SessionLocked:
            self.too_late()
            return
        except FacilitatorError as exc:
            self.failed.emit(exc.message)  # still unsaved: the text stays, and is tried again
            return
        self.unsaved = False
        self.shown = text
        self.saved.emit()
        self.settled.emit()

    def _keep(self) -> None:
        if self.keep is None:
            return
        try:
            self.kept = self.keep(self.text(), self.shown)
        except FacilitatorError as exc:
            self.kept = False
            self.failed.emit(exc.message)

    def let_go_if_kept(self) -> bool:
        """Whether the box may show another record: nothing unsaved, or what is unsaved is in
        the journal (saved from there when the server is back)."""
        if self.unsaved and self.kept and self.conflict is None:
            self.unsaved = False
            self.timer.stop()
            self.max_wait.stop()
        return not self.unsaved

    def _tell(self, conflict: EditConflict, ask: bool) -> None:
        if ask:
            self.conflicted.emit(conflict)
        else:
            self.overtaken.emit()

    def too_late(self) -> None:
        """The record was signed (here or on another seat) with this box's typing unsaved: it
        stays in the box, and the box offers to add it as an addendum or to copy it."""
        if self.unsaved:
            self.timer.stop()
            self.max_wait.stop()
            self.signed_over.emit()

    def show_conflict(self) -> None:
        """Open the conflict view now (the user asked to see what overtook their typing)."""
        if self.conflict is not None:
            self.conflicted.emit(self.conflict)
        else:
            self.flush()  # saves against what was shown: the server's refusal has both texts

    def keep_mine(self, text: str) -> None:
        """The conflict's user keeps this text (theirs read, perhaps merged in): save it over
        what the other seat saved."""
        if self.conflict is None:
            return
        self.shown = str(next(iter(self.conflict.theirs.values())))
        self.conflict = None
        if text != self.text():
            self._set(text)
        self.unsaved = True
        self.flush()

    def keep_theirs(self) -> None:
        """The conflict's user keeps the other seat's text (theirs goes in the box)."""
        if self.conflict is None:
            return
        theirs = str(next(iter(self.conflict.theirs.values())))
        self.conflict = None
        self.unsaved = False
        self.timer.stop()
        self.max_wait.stop()
        self.load(theirs)
        self.settled.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.editor and event.type() == QEvent.Type.FocusOut:
            self.end_span()
        return False
