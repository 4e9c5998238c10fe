"""What every part of the session screen shares: the session as last read, the way to change
it, and the message line.

A part asks for a change with ``run``; the change goes through the window's change bus with the
session screen as initiator, and the screen re-reads and repaints only what the change names
before ``run`` returns. A refusal goes to the message line, and stays there until the same
field is saved without one or another message replaces it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

from facilitator.domain.changes import Changes
from facilitator.domain.enums import SessionState
from facilitator.domain.errors import EditConflict, FacilitatorError, ServerUnreachable
from facilitator.domain.records import SessionRecord
from facilitator.services.workspace import Workspace
from facilitator.ui.bus import ChangeBus
from facilitator.ui.outage import server_link

AMBER = QColor(179, 107, 0)  # over time, over capacity, a note to check
RED = QColor(160, 0, 0)  # a refusal
NOT_SAVED = "Not saved yet"  # the save status while typing waits (a conflict, no server)


def tint(widget: QWidget, color: QColor | None) -> None:
    """Text in a warning colour, bold (None: as usual). A palette and a font, not a style
    sheet: style sheets make every widget under them slower to lay out and paint."""
    palette = widget.palette()
    default = QApplication.palette(widget).color(QPalette.ColorRole.WindowText)
    palette.setColor(QPalette.ColorRole.WindowText, color or default)
    palette.setColor(QPalette.ColorRole.ButtonText, color or default)
    widget.setPalette(palette)
    font = widget.font()
    font.setBold(color is AMBER)
    widget.setFont(font)


class SessionContext(QObject):
    # The record after a change, and what changed (None: everything, as at opening).
    updated = Signal(object, object)
    # Typing a signature overtook, for the addendum form (ui.session.text.OvertakenHint).
    addendum_wanted = Signal(str)

    def __init__(
        self,
        ws: Workspace,
        bus: ChangeBus,
        record: SessionRecord,
        apply: Callable[[Changes], None],
        initiator: QObject,
    ) -> None:
        super().__init__(initiator)
        self.ws, self.bus, self.record = ws, bus, record
        self._apply, self._initiator = apply, initiator
        self.message = QLabel("")
        self.message.setObjectName("message")
        self.message.setAccessibleName("Message")
        self.message.setWordWrap(True)
        tint(self.message, RED)
        self.saved_label = QLabel("")
        self.saved_label.setAccessibleName("Save status")
        self._message_about: object = None  # the field the message is about
        self.conflict: EditConflict | None = None  # the last run's, if it met another seat's
        self.unreachable: ServerUnreachable | None = None  # the last run's, if the server was

    @property
    def session_id(self) -> int:
        return self.record.id

    @property
    def locked(self) -> bool:
        return self.record.state is SessionState.SIGNED

    def run(
        self, about: object, service: Callable[..., Changes], *args: Any, **kwargs: Any
    ) -> str | None:
        """Run a service on this session for the field ``about``; None when it was done, else
        the reason it was refused (also shown on the message line). A save that met another
        seat's change (``conflict``) reads the record again: the seat shows theirs, except in a
        box still holding its user's typing."""
        self.conflict = self.unreachable = None
        try:
            changes = self.bus.run(self._initiator, service, *args, **kwargs)
        except EditConflict as exc:
            self.conflict = exc
            self.say(exc.message, about)
            self.saved_label.setText(NOT_SAVED)
            if isinstance(exc.changes, Changes):
                self._apply(exc.changes)
            return exc.message
        except ServerUnreachable as exc:
            self.unreachable = exc
            server_link().lost()  # the window's banner says so, once
            self.say("Not saved yet: the server is unreachable", about)
            self.saved_label.setText(NOT_SAVED)
            return exc.message
        except FacilitatorError as exc:
            self.say(exc.message, about)
            return exc.message
        self._apply(changes)
        self.saved(about)
        return None

    def say(self, text: str, about: object = None) -> None:
        """Show a message about a field (a cell, a text box, a button)."""
        self.message.setText(text)
        self._message_about = about if text else None

    def cell_said(self, text: str, about: object) -> None:
        """A grid's word on one of its cells: a problem is shown; a save ("") clears only that
        cell's own message (another cell saved leaves a wrong one's message on the line)."""
        if text:
            self.say(text, about)
        else:
            self.settled(about)

    def settled(self, about: object) -> None:
        """A field's conflict was settled without a save (theirs kept): its message goes."""
        if about == self._message_about:
            self.say("")

    def saved(self, about: object = None) -> None:
        """A field was saved: its own stale message goes, and the save is noted."""
        if about is not None and about == self._message_about:
            self.say("")
        self.saved_label.setText(f"Saved {dt.datetime.now():%H:%M:%S}")


def button(text: str, name: str, slot: Callable[[], object], parent: QWidget | None) -> QPushButton:
    widget = QPushButton(text, parent)
    widget.setAccessibleName(name)
    widget.clicked.connect(lambda _checked=False: slot())
    return widget
