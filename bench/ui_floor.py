"""Qt for the bench: the one application, showing a window until painted, the bare floors.

Qt is imported only by this module and bench/ui_scenarios.py (bench/__main__ times the imports).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from PySide6.QtCore import QEvent, QObject, qInstallMessageHandler
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bench.timing import median_ms

SIZE = (1280, 720)  # MainWindow's own size


def application() -> QApplication:
    """The one QApplication of the run, shared by every window."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # The offscreen platform says this of every shown window; it is not about our code.
    qInstallMessageHandler(
        lambda _mode, _where, text: "propagateSizeHints" in text or print(text, file=sys.stderr)
    )
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    return app


class _Painted(QObject):
    painted = False

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        self.painted |= event.type() == QEvent.Type.Paint
        return False


def show_painted(window: QWidget) -> QWidget:
    """Show the window and process events until it is exposed and has painted."""
    spy = _Painted(window)
    window.installEventFilter(spy)
    window.show()
    handle = window.windowHandle()
    while not (handle.isExposed() and spy.painted):
        QApplication.processEvents()
    window.removeEventFilter(spy)
    return window


def close(window: QWidget) -> None:
    clock = getattr(window, "clock", None)  # a SessionPage's one-second timer
    if clock is not None:
        clock.stop()
    window.close()
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def bare_main_window() -> QWidget:
    """The login window's floor: a QMainWindow holding one QLabel."""
    window = QMainWindow()
    window.resize(*SIZE)
    window.setCentralWidget(QLabel("Sign in", window))
    return show_painted(window)


def bare_login_form() -> QWidget:
    """The login page's widgets and layouts, without the app around them."""
    window, page = QMainWindow(), QWidget()
    window.resize(*SIZE)
    form = QFormLayout()
    form.addRow("&Username", QLineEdit())
    form.addRow("&Password", QLineEdit())
    form.addRow(QPushButton("&Sign in"))
    column = QVBoxLayout(page)
    column.addStretch(1)
    for label in ("<h2>Sign in</h2>", "Database: ten-year.db"):
        column.addWidget(QLabel(label))
    column.addLayout(form)
    column.addWidget(QPushButton("&Explore with demo data"))
    column.addWidget(QLabel(""))
    column.addStretch(2)
    window.setCentralWidget(page)
    return show_painted(window)


def bare_widget() -> QWidget:
    window = QWidget()
    window.resize(*SIZE)
    return show_painted(window)


def window_floor(runs: int, qt_start_ms: float) -> dict[str, Any]:
    """What any screen costs at least: create, show, let Qt paint, close."""

    def show_bare_window() -> None:
        window = QWidget()
        window.resize(1024, 720)
        window.show()
        QApplication.processEvents()
        window.close()
        window.deleteLater()
        QApplication.processEvents()

    return {
        "median_ms": median_ms(show_bare_window, runs),
        "runs": runs,
        "qt_start_ms": qt_start_ms,
        "what": "QWidget 1024x720 created, shown, events processed, closed (offscreen platform)",
    }
