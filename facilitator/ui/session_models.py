"""Qt models of a running session: the roster and the check-in grid.

The models hold no data of their own beyond the last record the page loaded; an edit goes
straight to a service through ``commit`` and the page reloads the record it changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from facilitator.domain.enums import AttendanceStatus, Location, ReviewStatus, UseSinceLast
from facilitator.domain.records import (
    CheckInRecord,
    OutstandingAssignment,
    ReviewRecord,
)
from facilitator.ui.models import ATTENDANCE_LABELS, NOT_RECORDED

Index = QModelIndex | QPersistentModelIndex
# commit(member_id, column name, new value) -> an error message, or None when saved.
Commit = Callable[[int, str, Any], str | None]

STATUS_LABELS: dict[AttendanceStatus | None, str] = {None: NOT_RECORDED, **ATTENDANCE_LABELS}
LOCATION_LABELS = {Location.IN_PERSON: "In person", Location.TELEHEALTH: "Telehealth"}
USE_LABELS = {
    UseSinceLast.NOT_ASKED: "—",
    UseSinceLast.NO: "No",
    UseSinceLast.YES: "Yes",
    UseSinceLast.DECLINED: "Declined",
}
REVIEW_LABELS = {
    "": "—",
    ReviewStatus.DONE: "Done",
    ReviewStatus.PARTLY: "Partly",
    ReviewStatus.NOT_DONE: "Not done",
}
SAFETY_RED = QColor(255, 205, 205)


def review_summary(reviews: list[ReviewRecord]) -> str:
    """The check-in's one-line account of the homework reviewed, as the note and PDF show it."""
    return "; ".join(
        f"{r.title}: {REVIEW_LABELS[ReviewStatus(r.status)].lower()}"
        + (f" ({r.comment})" if r.comment else "")
        for r in reviews
    )


def _clock(value: dt.time | None) -> str:
    return "" if value is None else value.strftime("%H:%M")


class _EditableTable(QAbstractTableModel):
    """Shared plumbing: named columns, an edit that calls ``commit``, errors as a signal."""

    COLUMNS: tuple[tuple[str, str], ...] = ()  # (name, header)
    EDITABLE: frozenset[str] = frozenset()
    message = Signal(str)

    def __init__(self, commit: Commit) -> None:
        super().__init__()
        self._commit = commit
        self.rows: list[Any] = []  # each row has a member_id
        self.locked = False  # a signed session is read-only

    def set_rows(self, rows: Sequence[Any], locked: bool) -> None:
        self.beginResetModel()
        self.rows, self.locked = list(rows), locked
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section][1]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and self.COLUMNS[index.column()][0] in self.EDITABLE and not self.locked:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        error = self._commit(
            self.rows[index.row()].member_id, self.COLUMNS[index.column()][0], value
        )
        if error:
            self.message.emit(error)
            return False
        self.message.emit("")
        return True

    def column(self, name: str) -> int:
        return [c[0] for c in self.COLUMNS].index(name)


class RosterModel(_EditableTable):
    """Everyone on the session's roster, with attendance; always visible while running."""

    COLUMNS = (
        ("name", "Member"),
        ("status", "Attendance"),
        ("arrival", "Arrived"),
        ("departure", "Left"),
        ("location", "Where"),
    )
    EDITABLE = frozenset({"status", "arrival", "departure", "location"})

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, name = self.rows[index.row()], self.COLUMNS[index.column()][0]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return {
                "name": row.display_name + (" (late joiner)" if row.late_joiner else ""),
                "status": STATUS_LABELS[row.status],
                "arrival": _clock(row.arrival),
                "departure": _clock(row.departure),
                "location": LOCATION_LABELS[row.location],
            }[name]
        if role == Qt.ItemDataRole.EditRole:
            return {
                "name": row.display_name,
                "status": row.status.value if row.status else "",
                "arrival": _clock(row.arrival),
                "departure": _clock(row.departure),
                "location": row.location.value,
            }[name]
        return None


@dataclass(frozen=True)
class CheckInRow:
    """One attending member's line of the check-in grid."""

    member_id: int
    name: str
    check_in: CheckInRecord
    outstanding: tuple[OutstandingAssignment, ...]
    reviews: tuple[ReviewRecord, ...]

    @property
    def homework_text(self) -> str:
        if self.reviews:
            return "; ".join(
                f"{r.title}: {REVIEW_LABELS[ReviewStatus(r.status)]}" for r in self.reviews
            )
        if self.outstanding:
            return "; ".join(f"{a.title}: not reviewed" for a in self.outstanding)
        return "—"

    @property
    def review_status(self) -> str:
        return self.reviews[0].status if self.reviews else ""


class CheckInModel(_EditableTable):
    """The check-in grid: one row per attending member, keyboard-first."""

    COLUMNS = (
        ("name", "Member"),
        ("mood", "Mood 0-10"),
        ("craving", "Craving 0-10"),
        ("use_since_last", "Use since last"),
        ("use_detail", "What was used"),
        ("safety_concern", "Safety concern"),
        ("safety_follow_up", "Safety follow-up"),
        ("homework", "Last homework"),
        ("current_issue", "Current issue"),
    )
    EDITABLE = frozenset(name for name, _ in COLUMNS) - {"name"}

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, name = self.rows[index.row()], self.COLUMNS[index.column()][0]
        check_in = row.check_in
        if role == Qt.ItemDataRole.BackgroundRole and check_in.safety_concern:
            return SAFETY_RED
        if (
            role == Qt.ItemDataRole.ToolTipRole
            and name == "safety_follow_up"
            and check_in.safety_concern
        ):
            return "Write the follow-up before the session can be signed"
        if role == Qt.ItemDataRole.EditRole:
            if name == "homework":
                return row.review_status
            if name == "name":
                return row.name
            value = getattr(check_in, name)
            return "" if value is None else value
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if name == "name":
                return row.name
            if name == "homework":
                return row.homework_text
            value = getattr(check_in, name)
            if name == "use_since_last":
                return USE_LABELS[UseSinceLast(value)]
            if name == "safety_concern":
                return "Yes" if value else "No"
            return "" if value is None else str(value)
        return None
