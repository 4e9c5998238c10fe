"""A process that starts, shows one window, and exits once it is on screen.

`python -m bench.ui_start bare` shows a bare QMainWindow; `python -m bench.ui_start app PATH`
starts Facilitator's own window the way `facilitator` does (its login page on PATH). The
bench times both processes from spawn to exit: the app's login window "started the same way"
as a bare PySide6 window.
"""

from __future__ import annotations

import sys

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QWidget


def main(kind: str, path: str = "") -> int:
    app = QApplication(sys.argv[:1])
    window: QWidget
    if kind == "app":
        import facilitator.app  # noqa: F401 (the entry point's own imports count too)
        from facilitator.ui.main_window import MainWindow

        window = MainWindow(path, "demo")
    else:
        window = QMainWindow()
        window.setCentralWidget(QLabel("Facilitator", window))
        window.resize(1280, 720)
    window.show()
    exposed = QTest.qWaitForWindowExposed(window)
    app.processEvents()
    return 0 if exposed else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
