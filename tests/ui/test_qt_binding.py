"""The Qt binding keeps Python's reference counts: the window calls Python slots thousands of
times an hour (the session clock alone, once a second), and PySide6 6.12.0 dropped a reference
to None on each, aborting the app ("deallocating None") within hours. pyproject.toml keeps
PySide6 below 6.12; this fails on any release with the same fault."""

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QPushButton

CALLS = 2000


class _Sender(QObject):
    sent = Signal(object)


def _none_lost(action) -> int:
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        action()
    return before - sys.getrefcount(None)


def test_slot_calls_keep_none_alive(qtbot):
    button = QPushButton()
    qtbot.addWidget(button)
    button.clicked.connect(lambda _checked=False: None)
    sender = _Sender()
    sender.sent.connect(lambda _value: None)
    assert _none_lost(button.click) < CALLS // 10
    assert _none_lost(lambda: sender.sent.emit(1)) < CALLS // 10


def test_reading_an_empty_value_keeps_none_alive(qtbot):
    combo = QComboBox()
    qtbot.addWidget(combo)
    combo.addItem("— choose —", None)
    assert _none_lost(combo.currentData) < CALLS // 10
    assert _none_lost(lambda: combo.property("not-set")) < CALLS // 10
