"""The window's side of many seats on a clinic server: other seats' changes as they come (the
live view), whether the server answers (the link and its banner), and the laptop's journal of
typing kept through an outage, replayed at sign-in and when the server is back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from facilitator.domain.errors import FacilitatorError
from facilitator.ui.outage import server_link

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

    from facilitator.services.workspace import Workspace
    from facilitator.ui.bus import ChangeBus
    from facilitator.ui.live import LiveView
    from facilitator.ui.outage import OutageBanner

ANSWER_WITHIN_S = 2.0  # a clinic server that takes longer is treated as unreachable


class ServerWatch(QObject):
    """Made with the window (cheaply: the sign-in window loads only what it shows); started at
    each sign-in, stopped at sign-out and on closing."""

    def __init__(self, window: QWidget, column: QVBoxLayout) -> None:
        super().__init__(window)
        self.window, self._column = window, column
        self.link = server_link()
        self.link.came_back.connect(self._back_on_line)
        self.banner: OutageBanner | None = None
        self.live_view: LiveView | None = None
        self.journal_report: QMessageBox | None = None
        self.ws: Workspace | None = None

    def start(self, ws: Workspace, bus: ChangeBus) -> None:
        from facilitator.services import journal, live
        from facilitator.ui.live import LiveView
        from facilitator.ui.outage import OutageBanner

        self.stop()
        self.ws = ws
        self.link.back()
        if self.banner is None:
            self.banner = OutageBanner(self.link, self.window)
            self._column.insertWidget(0, self.banner)
        self.banner.kept_on_laptop = journal.available(ws)
        live.keep_answers_within(ws, ANSWER_WITHIN_S)  # the window never hangs longer
        self.live_view = LiveView(ws, bus, self)
        self.live_view.reachable.connect(lambda up: self.link.back() if up else self.link.lost())
        self.link.went_down.connect(self.live_view.recheck)
        self.replay_journal(report=True)

    def stop(self) -> None:
        if self.live_view is not None:
            self.link.went_down.disconnect(self.live_view.recheck)
            self.live_view.stop()
            self.live_view.deleteLater()
            self.live_view = None
        self.ws = None

    def replay_journal(self, report: bool) -> None:
        """Save what the laptop's journal kept from an outage: at sign-in (saying what was
        saved and showing what waits), and once the server is back (after the open boxes
        have saved their own typing)."""
        from facilitator.services import journal
        from facilitator.ui.journal_report import report as show_report

        ws = self.ws
        if ws is None or not journal.available(ws):
            return
        try:
            done = journal.replay(ws)
        except FacilitatorError:
            return  # told at the next sign-in
        if report:
            self.journal_report = show_report(self.window, ws, done)

    def _back_on_line(self) -> None:
        QTimer.singleShot(0, lambda: self.replay_journal(report=False))


def with_banner_room(window: QWidget, stack: QWidget) -> tuple[QWidget, QVBoxLayout]:
    """The window's pages in a column, with room above them for the outage banner."""
    page = QWidget(window)
    column = QVBoxLayout(page)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(0)
    column.addWidget(stack)
    return page, column
