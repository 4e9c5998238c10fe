"""Small widgets every screen uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QWidget

# The date field's classes load when a page first makes one: the sign-in page has none, and
# each PySide6 class costs something on its first use.
if TYPE_CHECKING:
    from PySide6.QtWidgets import QDateEdit

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


def date_edit(parent: QWidget, name: str, value: dt.date) -> QDateEdit:
    """A date field with a calendar, shown as 2026-03-02."""
    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QDateEdit

    edit = QDateEdit(QDate(value.year, value.month, value.day), parent)
    edit.setAccessibleName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def date_of(edit: QDateEdit) -> dt.date:
    value = edit.date()
    return dt.date(value.year(), value.month(), value.day())


def when_edited(widget: QWidget, then: Callable[[], None]) -> None:
    """Call ``then`` once, at the next edit the user makes in the field."""
    from PySide6.QtWidgets import (  # not on the sign-in window's path
        QAbstractButton,
        QAbstractSpinBox,
        QComboBox,
        QLineEdit,
    )

    signal: Any = None
    if isinstance(widget, QLineEdit):
        signal = widget.textEdited
    elif isinstance(widget, QComboBox):
        signal = widget.editTextChanged if widget.isEditable() else widget.currentIndexChanged
    elif isinstance(widget, QAbstractSpinBox):
        signal = widget.editingFinished
    elif isinstance(widget, QAbstractButton):
        signal = widget.toggled
    if signal is None:
        return

    def once(*_args: object) -> None:
        signal.disconnect(once)
        then()

    signal.connect(once)
