"""The top of the session screen: Home, the title, the documents, the clock, and the stepper
through the three parts (each with its time against its plan), Notes and Review & sign."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from facilitator.domain.enums import PHASE_ORDER, Phase
from facilitator.domain.records import GroupInfo, OtherSeat, SessionRecord
from facilitator.ui.session.context import AMBER, button, tint

NOTES, SIGN = "notes", "sign"
PARTS: tuple[tuple[str, str], ...] = (
    *((p.value, p.label) for p in PHASE_ORDER),
    (NOTES, "Notes"),
    (SIGN, "Review & sign"),
)
PART_NAMES = [name for name, _label in PARTS]
PART_LABELS = {name: label.replace("&", "") for name, label in PARTS}


def minutes_seconds(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def clock_text(seconds: float) -> str:
    """h:mm:ss, as the session clock reads."""
    whole = int(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def phase_seconds(record: SessionRecord, phase: Phase, now: dt.datetime) -> float:
    """How long a part has run, over all its stretches (going back adds a stretch)."""
    return sum(
        ((stretch.ended_at or now) - stretch.started_at).total_seconds()
        for stretch in record.phases
        if stretch.phase is phase and stretch.started_at is not None
    )


class SessionHeader(QWidget):
    home = Signal()
    part_chosen = Signal(str)
    step = Signal(int)
    document = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        top, steps = QHBoxLayout(), QHBoxLayout()
        self.home_button = button("&Home", "Back to home", self.home.emit, self)
        self.title = QLabel("", self)
        self.title.setAccessibleName("Session")
        self.sign_in_button = button(
            "Sign-in sheet…",
            "Preview the sign-in sheet",
            lambda: self.document.emit("sign_in"),
            self,
        )
        self.record_button = button(
            "Session &record…",
            "Preview the session record",
            lambda: self.document.emit("session"),
            self,
        )
        self.clock_label = QLabel("", self)
        self.clock_label.setAccessibleName("Session clock")
        self.others = QLabel("", self)
        self.others.setAccessibleName("Others in this session")
        self.others.setWordWrap(True)
        self.others.setTextFormat(Qt.TextFormat.PlainText)  # names are shown as typed
        self.others.hide()
        for widget in (self.home_button, self.title, self.sign_in_button, self.record_button):
            top.addWidget(widget, 1 if widget is self.title else 0)
        top.addWidget(self.clock_label)
        self.prev_button = button("◀ &Previous", "Previous part", lambda: self.step.emit(-1), self)
        self.next_button = button("&Next ▶", "Next part", lambda: self.step.emit(1), self)
        steps.addWidget(self.prev_button)
        self.steps: dict[str, QPushButton] = {}
        self._over: dict[Phase, bool] = {}  # which parts are over their time
        for number, (part, label) in enumerate(PARTS, start=1):
            step = QPushButton(f"{number} {label.replace('&', '&&')}", self)
            step.setCheckable(True)
            step.setAccessibleName(label)
            step.clicked.connect(lambda _checked=False, p=part: self.part_chosen.emit(p))
            self.steps[part] = step
            steps.addWidget(step)
            self._shortcut(f"Ctrl+{number}", partial(self.part_chosen.emit, part))
        steps.addWidget(self.next_button)
        self._shortcut("Ctrl+PgDown", lambda: self.step.emit(1))
        self._shortcut("Ctrl+PgUp", lambda: self.step.emit(-1))
        column.addLayout(top)
        column.addWidget(self.others)
        column.addLayout(steps)

    def _shortcut(self, keys: str, slot: Callable[[], None]) -> None:
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.activated.connect(slot)

    def show_title(self, record: SessionRecord, demo: bool, locked: bool) -> None:
        state = " — signed and locked" if locked else ""
        self.title.setText(
            f"<b>{html.escape(record.group_name)}</b> {record.date:%a %d %b %Y}{state}"
            + (" — DEMO" if demo else "")
        )

    def show_part(self, part: str) -> None:
        index = PART_NAMES.index(part)
        for name, step in self.steps.items():
            step.setChecked(name == part)
        self.prev_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < len(PARTS) - 1)

    def tick(self, record: SessionRecord, group: GroupInfo, now: dt.datetime) -> None:
        """Each part's time against its plan (amber when over), and the session's clock."""
        for number, (phase, planned) in enumerate(
            zip(PHASE_ORDER, group.phase_minutes, strict=True), start=1
        ):
            used = phase_seconds(record, phase, now)
            step = self.steps[phase.value]
            step.setText(
                f"{number} {phase.label.replace('&', '&&')}  {minutes_seconds(used)} / {planned}:00"
            )
            over = used > planned * 60
            if self._over.get(phase) is not over:  # re-tinting every second is not free
                self._over[phase] = over
                tint(step, AMBER if over else None)
        start, end = record.actual_start, record.actual_end
        self.clock_label.setText(
            f"Session {clock_text(((end or now) - start).total_seconds())}"
            if start
            else "Not started"
        )

    def show_others(self, others: list[OtherSeat], names: dict[int, str]) -> None:
        """Who else has the session open and where (``names``: the members' names by id)."""
        self.others.setText(others_text(others, names))
        self.others.setVisible(bool(others))


def others_text(others: list[OtherSeat], names: dict[int, str]) -> str:
    """ "Also here: Lena Leadworth (clinic-3) on Notes, Sam Testly's note, typing"."""
    places = []
    for seat in others:
        place = f"{seat.full_name} ({seat.workstation}) on {PART_LABELS.get(seat.part, seat.part)}"
        if seat.member_id is not None:
            place += f", {names.get(seat.member_id, 'a member')}'s note"
        if seat.typing:
            place += ", typing"
        places.append(place)
    return "Also here: " + "; ".join(places) if places else ""
