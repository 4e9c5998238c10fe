"""The command loop of a window driven from a test in a process of its own (second_window,
outage_driver): lines from stdin, each handed to ``handle`` on the window's own thread between
turns of its event loop, which keeps running meanwhile (its live view, its timers)."""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


def serve(
    app: QApplication,
    handle: Callable[[str], None],
    every_ms: int,
    each_turn: Callable[[], None] = lambda: None,
) -> None:
    """Print READY, then run the event loop until ``handle`` quits it; ``each_turn`` runs at
    every tick, a line or not."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in sys.stdin], daemon=True).start()

    def tick() -> None:
        each_turn()
        try:
            line = lines.get_nowait().rstrip("\n")
        except queue.Empty:
            return
        handle(line)

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(every_ms)
    print("READY", flush=True)
    app.exec()
