"""Small widgets every screen uses."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QWidget

ERROR_RED = QColor(160, 0, 0)


def message_label(parent: QWidget) -> QLabel:
    """Where a refused change says why, in a sentence, next to what was being done."""
    label = QLabel("", parent)
    label.setObjectName("message")
    label.setAccessibleName("Message")
    label.setWordWrap(True)
    palette = label.palette()  # a palette, not a style sheet: cheaper on the first screen
    palette.setColor(QPalette.ColorRole.WindowText, ERROR_RED)
    label.setPalette(palette)
    return label
