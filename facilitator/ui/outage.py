"""When the clinic server cannot be reached: one calm banner, not a box per failed save.

``ServerLink`` is the window's one idea of whether the server answers. Whatever meets an
unreachable server (a save, a screen reading again) reports it with ``lost``; the live view's
thread, which keeps trying to connect, reports the return with ``back``. While the server is
away, text boxes keep their typing and do not try to save it (each try would hold the window
for up to the link's deadline); when it is back they save what they hold, with the version
checks of any other save (services.edits), and every screen reads everything again.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QWidget


class ServerLink(QObject):
    went_down = Signal()
    came_back = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.down_since: dt.datetime | None = None

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def lost(self) -> None:
        if self.down_since is None:
            self.down_since = dt.datetime.now()
            self.went_down.emit()

    def back(self) -> None:
        if self.down_since is not None:
            self.down_since = None
            self.came_back.emit()


# The window's link (one window per process): text boxes anywhere in it find it here.
_link: ServerLink | None = None


def server_link() -> ServerLink:
    global _link
    if _link is None:
        _link = ServerLink()
    return _link


class OutageBanner(QLabel):
    """The one line that says the server is away, since when, and what happens to typing."""

    def __init__(self, link: ServerLink, parent: QWidget | None = None) -> None:
        from facilitator.ui.session.context import AMBER, tint  # (context needs this module)

        super().__init__(parent)
        self.link = link
        self.kept_on_laptop = False  # the laptop's journal keeps typing (else the window only)
        self.setObjectName("outage")
        self.setAccessibleName("Server status")
        self.setWordWrap(True)
        self.setMargin(6)
        tint(self, AMBER)
        self.hide()
        link.went_down.connect(self._show)
        link.came_back.connect(self.hide)

    def _show(self) -> None:
        since = self.link.down_since or dt.datetime.now()
        if self.kept_on_laptop:
            kept = "your typing is kept on this laptop and saved when the server is back"
        else:
            kept = (
                "your typing is kept in this window and saved when the server is back; keep "
                "the window open until then"
            )
        self.setText(f"Server unreachable since {since:%H:%M} — {kept}")
        self.show()
