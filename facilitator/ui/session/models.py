"""Qt models of a running session: the roster and the check-in grid.

Each model shows rows the page hands it and sends an edit straight to ``commit``. Fresh rows
are merged in place (``sync_rows``): a changed row is repainted, a new one inserted, a gone one
removed, so the view's current cell and open editor survive every save.
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
    AttendanceRecord,
    CheckInRecord,
    OutstandingAssignment,
    ReviewRecord,
)
from facilitator.ui.models import ATTENDANCE_LABELS, NOT_RECORDED

Index = QModelIndex | QPersistentModelIndex
# commit(member_id, column name, new value) -> an error message, or None when saved.
Commit = Callable[[int, str, Any], str | None]

STATUS_LABELS: dict[AttendanceStatus | None, str] = {
    None: NOT_RECORDED,
    **{status: label for status, label in ATTENDANCE_LABELS.items()},
}
LOCATION_LABELS = {Location.IN_PERSON: "In person", Location.TELEHEALTH: "Telehealth"}
USE_LABELS = {
    UseSinceLast.NOT_ASKED: "—",
    UseSinceLast.NO: "No",
    UseSinceLast.YES: "Yes",
    UseSinceLast.DECLINED: "Declined",
}
REVIEW_CHOICES: dict[ReviewStatus | None, str] = {
    None: "—",
    **{status: status.label for status in ReviewStatus},
}
SAFETY_RED = QColor(255, 205, 205)


def _clock(value: dt.time | None) -> str:
    return "" if value is None else value.strftime("%H:%M")


class _EditableTable(QAbstractTableModel):
    """Shared plumbing: named columns, rows keyed by member, an edit that calls ``commit``,
    errors as a signal. The member's name is the row header, which stays in view while the
    grid scrolls sideways."""

    COLUMNS: tuple[tuple[str, str], ...] = ()  # (name, header)
    EDITABLE: frozenset[str] = frozenset()
    message = Signal(str, object)  # (text, the member and column it is about)

    def __init__(self, commit: Commit) -> None:
        super().__init__()
        self._commit = commit
        self.rows: list[Any] = []  # each row has a member_id
        self.locked = False  # a signed session is read-only

    # Each model's own: the member's name as the row header shows it.
    name_of: Callable[[Any], str]

    # ------------------------------------------------------------------------- keeping current

    def set_locked(self, locked: bool) -> None:
        if locked != self.locked:
            self.locked = locked
            if self.rows:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(self.rows) - 1, len(self.COLUMNS) - 1)
                )

    def sync_rows(self, rows: Sequence[Any]) -> None:
        """Show these rows, touching only what differs from the rows shown."""
        new_keys = [r.member_id for r in rows]
        wanted = set(new_keys)
        for position in reversed(range(len(self.rows))):
            if self.rows[position].member_id not in wanted:
                self.beginRemoveRows(QModelIndex(), position, position)
                del self.rows[position]
                self.endRemoveRows()
        kept = {r.member_id for r in self.rows}
        order = [k for k in new_keys if k in kept]
        if [r.member_id for r in self.rows] != order:
            self._reorder(order)
        for position, row in enumerate(rows):
            if position >= len(self.rows) or self.rows[position].member_id != row.member_id:
                self.beginInsertRows(QModelIndex(), position, position)
                self.rows.insert(position, row)
                self.endInsertRows()
            elif self.rows[position] != row:
                self.rows[position] = row
                self.dataChanged.emit(
                    self.index(position, 0), self.index(position, len(self.COLUMNS) - 1)
                )
                self.headerDataChanged.emit(Qt.Orientation.Vertical, position, position)

    def _reorder(self, order: list[int]) -> None:
        """Rows moved (a member renamed elsewhere): the current cell follows its member."""
        self.layoutAboutToBeChanged.emit()
        before = [r.member_id for r in self.rows]
        self.rows.sort(key=lambda r: order.index(r.member_id))
        after = {r.member_id: position for position, r in enumerate(self.rows)}
        old = self.persistentIndexList()
        self.changePersistentIndexList(
            old, [self.index(after[before[i.row()]], i.column()) for i in old]
        )
        self.layoutChanged.emit()

    def row_of(self, member_id: int) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.member_id == member_id), None)

    # ------------------------------------------------------------------------- Qt's model API

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section][1] if 0 <= section < len(self.COLUMNS) else None
        return self.name_of(self.rows[section]) if 0 <= section < len(self.rows) else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and self.COLUMNS[index.column()][0] in self.EDITABLE and not self.locked:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        member_id, column = self.rows[index.row()].member_id, self.COLUMNS[index.column()][0]
        error = self._commit(member_id, column, value)
        self.message.emit(error or "", (member_id, column))
        return not error

    def column(self, name: str) -> int:
        return [c[0] for c in self.COLUMNS].index(name)


class RosterModel(_EditableTable):
    """Everyone on the session's roster, with attendance; always visible while running."""

    COLUMNS = (
        ("status", "Attendance"),
        ("arrival", "Arrived"),
        ("departure", "Left"),
        ("location", "Where"),
    )
    EDITABLE = frozenset({"status", "arrival", "departure", "location"})

    def name_of(self, row: AttendanceRecord) -> str:
        return row.display_name + (" (late joiner)" if row.late_joiner else "")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row: AttendanceRecord = self.rows[index.row()]
        name = self.COLUMNS[index.column()][0]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return {
                "status": STATUS_LABELS[row.status],
                "arrival": _clock(row.arrival),
                "departure": _clock(row.departure),
                "location": LOCATION_LABELS[row.location],
            }[name]
        if role == Qt.ItemDataRole.EditRole:
            return {
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
            return "; ".join(f"{r.title}: {r.status.label}" for r in self.reviews)
        if self.outstanding:
            return "; ".join(f"{a.title}: not reviewed" for a in self.outstanding)
        return "—"

    @property
    def review_status(self) -> ReviewStatus | None:
        return self.reviews[0].status if self.reviews else None

    @property
    def assignment_ids(self) -> list[int]:
        """Every assignment the member's check-in reviews, open or already marked."""
        return [a.id for a in self.outstanding] + [r.assignment_id for r in self.reviews]


class CheckInModel(_EditableTable):
    """The check-in grid: one row per attending member, keyboard-first."""

    COLUMNS = (
        ("mood", "Mood 0-10"),
        ("craving", "Craving 0-10"),
        ("use_since_last", "Use since last"),
        ("use_detail", "What was used"),
        ("safety_concern", "Safety concern"),
        ("safety_follow_up", "Safety follow-up"),
        ("homework", "Last homework"),
        ("current_issue", "Current issue"),
    )
    EDITABLE = frozenset(name for name, _ in COLUMNS)

    def name_of(self, row: CheckInRow) -> str:
        return row.name

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row: CheckInRow = self.rows[index.row()]
        name = self.COLUMNS[index.column()][0]
        check_in = row.check_in
        if role == Qt.ItemDataRole.BackgroundRole and check_in.safety_concern:
            return SAFETY_RED
        if role == Qt.ItemDataRole.ToolTipRole and name == "safety_follow_up":
            if check_in.safety_follow_up:
                return check_in.safety_follow_up
            if check_in.safety_concern:
                return "Write the follow-up before the session can be signed"
        if role == Qt.ItemDataRole.EditRole:
            if name == "homework":
                return row.review_status
            value = getattr(check_in, name)
            return "" if value is None else value
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if name == "homework":
                return row.homework_text
            value = getattr(check_in, name)
            if name == "use_since_last":
                return USE_LABELS[value]
            if name == "safety_concern":
                return "Yes" if value else "No"
            return "" if value is None else str(value)
        return None
