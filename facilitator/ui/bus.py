"""One change path for the whole window: screens ask services for changes through the bus, and
every open screen hears what changed (as Anki's CollectionOp and operation_did_execute).

A screen runs a service with ``bus.run(self, service, ...)``. The service's ``Changes`` go to
every screen on the next turn of the event loop, never inside the signal that caused them, so
no screen can destroy a widget while that widget's own signal is still running. The screen
that made the change is named as the initiator; it has already updated itself from the
returned ``Changes`` and skips the delivery. Changes made elsewhere (another window on the
same records) come in through ``publish`` with no initiator, and every screen takes them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from facilitator.domain.changes import Changes
from facilitator.domain.errors import FacilitatorError

if TYPE_CHECKING:
    from PySide6.QtGui import QShowEvent

    from facilitator.services.workspace import Workspace


class ChangeBus(QObject):
    # (Changes, initiator): the initiator is the screen that asked, or None from outside.
    changed = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending: list[tuple[Changes, object | None]] = []
        self._deliver_soon = QTimer(self)
        self._deliver_soon.setSingleShot(True)
        self._deliver_soon.setInterval(0)
        self._deliver_soon.timeout.connect(self._deliver)

    def run(
        self, initiator: object, service: Callable[..., Changes], *args: Any, **kwargs: Any
    ) -> Changes:
        """Run a service for a screen and publish what it changed. A refusal is raised to the
        screen to show; the trail's record of the refusal is published all the same."""
        try:
            changes = service(*args, **kwargs)
        except FacilitatorError:
            self.publish(Changes(audit=True), initiator)
            raise
        self.publish(changes, initiator)
        return changes

    def publish(self, changes: Changes, initiator: object | None = None) -> None:
        """Tell every screen, on the next turn of the event loop."""
        if not changes and not changes.audit:
            return
        self._pending.append((changes, initiator))
        self._deliver_soon.start()

    def flush(self) -> None:
        """Deliver what is waiting now (before a screen that must be current is shown)."""
        self._deliver_soon.stop()
        self._deliver()

    def _deliver(self) -> None:
        pending, self._pending = self._pending, []
        for changes, initiator in pending:
            self.changed.emit(changes, initiator)


class Follower(QObject):
    """Keeps one screen current: when a change it cares about arrives from another screen, it
    refreshes the screen at once if the screen is on view, or when it is next shown."""

    def __init__(
        self,
        screen: QObject,
        bus: ChangeBus,
        cares: Callable[[Changes], bool],
        refresh: Callable[[Changes], None],
        visible: Callable[[], bool],
    ) -> None:
        super().__init__(screen)
        self.screen, self._cares, self._refresh, self._visible = screen, cares, refresh, visible
        self._owed: Changes | None = None  # what arrived while the screen was out of view
        bus.changed.connect(self._heard)

    def _heard(self, changes: Changes, initiator: object | None) -> None:
        if initiator is self.screen or not self._cares(changes):
            return
        self._owed = changes if self._owed is None else self._owed | changes
        if self._visible():
            self.catch_up()

    def catch_up(self) -> None:
        """Refresh with whatever arrived while out of view (called when the screen is shown)."""
        owed, self._owed = self._owed, None
        if owed is not None:
            self._refresh(owed)


class Screen(QWidget):
    """A screen of the window that follows the change bus: it changes records through
    ``run`` and redraws, in ``follow``, what other screens' changes name (see ``cares``)."""

    def __init__(
        self, workspace: Workspace, parent: QWidget | None = None, *, bus: ChangeBus | None = None
    ) -> None:
        super().__init__(parent)
        self.ws = workspace
        self.bus = bus or ChangeBus(self)  # a screen on its own (in a test) has a bus of its own
        self.follower = Follower(self, self.bus, self._cares, self._follow, self.isVisible)

    def _cares(self, changes: Changes) -> bool:
        return changes.everything or self.cares(changes)

    def _follow(self, changes: Changes) -> None:
        if changes.everything:
            self.refresh()
        else:
            self.follow(changes)

    def cares(self, changes: Changes) -> bool:
        """Whether a change made elsewhere shows on this screen."""
        return False

    def follow(self, changes: Changes) -> None:
        """Redraw what ``changes`` names (only called when ``cares`` said so)."""

    def refresh(self) -> None:
        """Read again everything the screen shows (a screen that shows records says how)."""

    def run(self, service: Callable[..., Changes], *args: Any, **kwargs: Any) -> Changes:
        """Change records through a service, as this screen; other screens hear of it."""
        return self.bus.run(self, service, *args, **kwargs)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.follower.catch_up()  # what changed while this screen was out of view


def run_for(widget: QObject, service: Callable[..., Changes], *args: Any, **kwargs: Any) -> Changes:
    """Run a service for the screen a widget (a dialog of it) belongs to."""
    screen: QObject | None = widget
    while screen is not None and not isinstance(screen, Screen):
        screen = screen.parent()
    if screen is None:  # not on any screen (a dialog shown on its own): nothing to tell
        return service(*args, **kwargs)
    return screen.run(service, *args, **kwargs)


def bus_of(widget: QObject | None) -> ChangeBus | None:
    """The change bus of the screen a widget (a dialog, a preview) belongs to."""
    while widget is not None:
        bus = getattr(widget, "bus", None)
        if isinstance(bus, ChangeBus):
            return bus
        widget = widget.parent()
    return None
