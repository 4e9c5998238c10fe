"""The window floor: a bare QWidget created and shown offscreen (Qt stays inside bench/ui)."""

from __future__ import annotations

import os
import time
from typing import Any

from bench.timing import median_ms


def window_floor(runs: int) -> dict[str, Any]:
    """What any screen costs at least: create, show, let Qt paint, close."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.perf_counter()
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication.instance() or QApplication([])
    start_ms = (time.perf_counter() - started) * 1000

    def show_bare_window() -> None:
        window = QWidget()
        window.resize(1024, 720)
        window.show()
        app.processEvents()
        window.close()
        window.deleteLater()
        app.processEvents()

    return {
        "median_ms": median_ms(show_bare_window, runs),
        "runs": runs,
        "qt_start_ms": round(start_ms, 1),
        "what": "QWidget 1024x720 created, shown, events processed, closed (offscreen platform)",
    }
