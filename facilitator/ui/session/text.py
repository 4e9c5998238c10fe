"""Text boxes that save themselves as the facilitator types (see ui.autosave)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit, QWidget

from facilitator.domain.changes import Changes
from facilitator.domain.errors import EditConflict, FacilitatorError
from facilitator.domain.rules import NOTE_LIMIT
from facilitator.services import journal
from facilitator.ui.autosave import Autosaver
from facilitator.ui.conflict import ConflictDialog, ask
from facilitator.ui.session.context import AMBER, RED, SessionContext, tint

# A save: (typed text, editing span token, the stored text shown when typing began) -> the
# service's Changes.
Save = Callable[[str, int, str], Changes]


def autosaved_text(
    ctx: SessionContext,
    parent: QWidget,
    name: str,
    save: Save,
    lines: int = 4,
    changed: Callable[[], str] | None = None,
    kept_as: Callable[[], tuple[int | None, str] | None] | None = None,
) -> tuple[QPlainTextEdit, Autosaver]:
    """A text box whose typing goes to ``save`` through the change bus, refusals to the
    message line (the text stays in the box). ``changed`` says who last changed the stored
    text and when, for the hint on a box another seat's save has overtaken. ``kept_as``
    names the field's place in the laptop's journal (the member, or None for the group note,
    and the field), where its typing is kept while the server is unreachable."""
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
    saver.settled.connect(lambda: ctx.settled(name))
    if kept_as is not None:
        _journaled(ctx, saver, kept_as)
    editor.setProperty("saver", saver)
    LengthHint(editor, NOTE_LIMIT)
    OvertakenHint(ctx, editor, saver, changed or (lambda: "changed elsewhere"))
    return editor, saver


def _journaled(
    ctx: SessionContext, saver: Autosaver, kept_as: Callable[[], tuple[int | None, str] | None]
) -> None:
    """While the server is unreachable the box's typing goes to the laptop's journal too; its
    entry goes when the text is saved."""

    def keep(text: str, shown: str) -> bool:
        place = kept_as()
        return place is not None and journal.keep(ctx.ws, ctx.session_id, *place, text, shown)

    def saved() -> None:
        place = kept_as()
        if place is not None:
            journal.saved(ctx.ws, ctx.session_id, *place)

    saver.keep = keep
    saver.saved.connect(saved)


def _resolve(name: str, saver: Autosaver, conflict: EditConflict) -> None:
    if saver.editor.findChild(ConflictDialog) is not None:
        return  # already asking
    dialog = ask(name, conflict, saver.editor)
    dialog.keep_mine.connect(saver.keep_mine)
    dialog.keep_theirs.connect(saver.keep_theirs)
    dialog.finished.connect(dialog.deleteLater)


class OvertakenHint(QObject):
    """In the box's upper corner, when another seat overtook its user's typing:
    - "changed by Ada Testwood at 10:42 — show" (it saved the field): "show" opens the
      conflict view;
    - "signed elsewhere: not saved — add as addendum · copy" (it signed the session): the
      typing goes to the addendum form, or to the clipboard."""

    def __init__(
        self,
        ctx: SessionContext,
        editor: QPlainTextEdit,
        saver: Autosaver,
        changed: Callable[[], str],
    ) -> None:
        super().__init__(editor)
        self.ctx, self.editor, self.saver, self.changed = ctx, editor, saver, changed
        self.label = QLabel(editor)
        self.label.setObjectName("overtaken")
        self.label.setAccessibleName(f"{editor.accessibleName()} changed elsewhere")
        self.label.setAutoFillBackground(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.label.linkActivated.connect(self._clicked)
        tint(self.label, AMBER)
        self.label.hide()
        saver.overtaken.connect(self.show)
        saver.settled.connect(self.label.hide)
        saver.signed_over.connect(self.show_signed)
        editor.installEventFilter(self)

    def show(self) -> None:
        try:
            said = self.changed()
        except FacilitatorError:
            said = "changed elsewhere"
        self._say(f'{said} — <a href="show">show</a>')

    def show_signed(self) -> None:
        self._say(
            'signed elsewhere: not saved — <a href="addendum">add as addendum</a> · '
            '<a href="copy">copy</a>'
        )

    def _say(self, text: str) -> None:
        self.label.setText(text)
        self.label.adjustSize()
        self._place()
        self.label.show()

    def _clicked(self, link: str) -> None:
        if link == "show":
            self.saver.show_conflict()
        elif link == "copy":
            QApplication.clipboard().setText(self.saver.text())
        elif link == "addendum":
            self.ctx.addendum_wanted.emit(self.saver.text())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        self.label.move(self.editor.rect().width() - self.label.width() - 22, 4)


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
