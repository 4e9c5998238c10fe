"""Qt models of a running session: the roster and the check-in grid.

Each model shows rows the page hands it and sends an edit straight to ``commit``. Fresh rows
are merged in place (``sync_rows``): a changed cell is replaced, a new row inserted, a gone one
removed, so the view's current cell and open editor survive every save. The cells are Qt's own
items (QStandardItemModel): painting a grid reads them without calling into Python, which
otherwise costs more than the rest of showing a session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel

from facilitator.domain.enums import AttendanceStatus, Location, ReviewStatus, UseSinceLast
from facilitator.domain.records import (
    AttendanceRecord,
    CheckInRecord,
    OutstandingAssignment,
    ReviewRecord,
)
from facilitator.ui.models import ATTENDANCE_LABELS, NOT_RECORDED
from facilitator.ui.outage import server_link

Index = QModelIndex | QPersistentModelIndex
# commit(member_id, column name, new value[, seen=what the cell showed as stored]) -> an error
# message, or None when saved.
Commit = Callable[..., str | None]

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
Cell = dict[int, Any]  # role -> value, for one cell
PLAIN_CELL = (
    Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemNeverHasChildren
)
EDITABLE_CELL = PLAIN_CELL | Qt.ItemFlag.ItemIsEditable
SHOWN = Qt.ItemDataRole.DisplayRole  # also what a typed-in cell's editor starts from
# The stored value behind a choice ("present" behind "Present"): a role of its own, as a
# QStandardItem keeps one value for the display and edit roles. A screen reader reads SHOWN.
VALUE = Qt.ItemDataRole.UserRole


def _clock(value: dt.time | None) -> str:
    return "" if value is None else value.strftime("%H:%M")


def _label(value: Any) -> str:
    """The words a cell shows for a value typed or chosen in it."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    for labels in (STATUS_LABELS, LOCATION_LABELS, USE_LABELS, REVIEW_CHOICES):
        for key, label in labels.items():
            if key is not None and value in (key, key.value):
                return label
    return "" if value is None else str(value)


def _text(shown: str, value: Any) -> Cell:
    """A cell's words, and the value behind them when that is not the words themselves."""
    return {SHOWN: shown} if value == shown else {SHOWN: shown, VALUE: value}


class _EditableTable(QStandardItemModel):
    """Shared plumbing: named columns, rows keyed by member, an edit that calls ``commit``,
    errors as a signal. The member's name is the row header, which stays in view while the
    grid scrolls sideways."""

    COLUMNS: tuple[tuple[str, str], ...] = ()  # (name, header)
    EDITABLE: frozenset[str] = frozenset()
    message = Signal(str, object)  # (text, the member and column it is about)

    def __init__(self, commit: Commit, parent: QObject | None = None) -> None:
        super().__init__(0, len(self.COLUMNS), parent)
        self._commit = commit
        self._editable = [name in self.EDITABLE for name, _header in self.COLUMNS]
        self.setHorizontalHeaderLabels([header for _name, header in self.COLUMNS])
        self.rows: list[Any] = []  # each row has a member_id
        self._shown: list[list[Cell]] = []  # what each row's cells hold, to compare with
        self.locked = False  # a signed session is read-only
        # Edits made while the clinic server was unreachable, shown in their cells (italic)
        # and saved when it is back: (member, column) -> (the value typed, what the cell
        # showed as stored when it was typed: the save's version check).
        self.held: dict[tuple[int, str], tuple[Any, Any]] = {}
        server_link().came_back.connect(self.save_held)

    # Each model's own: the member's name as the row header shows it, and a row's cells.
    name_of: Callable[[Any], str]
    cells: Callable[[Any], list[Cell]]

    # ------------------------------------------------------------------------- keeping current

    def set_locked(self, locked: bool) -> None:
        if locked != self.locked:
            self.locked = locked
            for position in range(len(self.rows)):
                for column in range(len(self.COLUMNS)):
                    item = self.item(position, column)
                    if item is not None:
                        item.setFlags(self._flags(column))

    def _flags(self, column: int) -> Qt.ItemFlag:
        return EDITABLE_CELL if self._editable[column] and not self.locked else PLAIN_CELL

    def _items(self, cells: list[Cell]) -> list[QStandardItem]:
        return [self._item(column, cell) for column, cell in enumerate(cells)]

    def _item(self, column: int, cell: Cell) -> QStandardItem:
        item = QStandardItem(cell[SHOWN])
        for role, value in cell.items():
            if role != SHOWN:
                item.setData(value, role)
        item.setFlags(self._flags(column))
        return item

    def _header(self, position: int, row: Any) -> None:
        name = self.name_of(row)
        self.setVerticalHeaderItem(position, QStandardItem(name))

    def sync_rows(self, rows: Sequence[Any]) -> None:
        """Show these rows, touching only what differs from the rows shown."""
        if not self.rows:
            self._first_rows(rows)
            return
        new_keys = [r.member_id for r in rows]
        wanted = set(new_keys)
        for position in reversed(range(len(self.rows))):
            if self.rows[position].member_id not in wanted:
                self.removeRow(position)
                del self.rows[position], self._shown[position]
        kept = {r.member_id for r in self.rows}
        order = [k for k in new_keys if k in kept]
        if [r.member_id for r in self.rows] != order:
            self._reorder(order)
        for position, row in enumerate(rows):
            if position >= len(self.rows) or self.rows[position].member_id != row.member_id:
                cells = self.cells(row)
                self.rows.insert(position, row)
                self._shown.insert(position, cells)
                self.insertRow(position, self._items(cells))
                self._header(position, row)
            elif self.rows[position] != row:
                self._replace(position, row)

    def _first_rows(self, rows: Sequence[Any]) -> None:
        """The first rows, put in quietly and announced once: there is nothing on screen to
        keep in place, and a signal per row would lay the grid out once per row."""
        self.blockSignals(True)
        try:
            for position, row in enumerate(rows):
                cells = self.cells(row)
                self.rows.append(row)
                self._shown.append(cells)
                self.appendRow(self._items(cells))
                self.setVerticalHeaderItem(position, QStandardItem(self.name_of(row)))
        finally:
            self.blockSignals(False)
        self.beginResetModel()
        self.endResetModel()

    def _replace(self, position: int, row: Any) -> None:
        """A changed row: only its changed cells are replaced (each repaints itself), except a
        cell holding an edit not saved yet."""
        renamed = self.name_of(self.rows[position]) != self.name_of(row)
        cells = self.cells(row)
        for column, (old, new) in enumerate(zip(self._shown[position], cells, strict=True)):
            if old != new and (row.member_id, self.COLUMNS[column][0]) not in self.held:
                self.setItem(position, column, self._item(column, new))
        self.rows[position], self._shown[position] = row, cells
        if renamed:  # the names' column may change width: the whole grid is laid out
            self._header(position, row)

    def _reorder(self, order: list[int]) -> None:
        """Rows moved (a member renamed elsewhere): each row is taken out and put back in its
        place, so the view's current cell follows its member."""
        for target, member_id in enumerate(order):
            position = next(i for i, r in enumerate(self.rows) if r.member_id == member_id)
            if position != target:
                items = self.takeRow(position)
                self.insertRow(target, items)
                self.rows.insert(target, self.rows.pop(position))
                self._shown.insert(target, self._shown.pop(position))
        for position, row in enumerate(self.rows):
            self._header(position, row)

    def row_of(self, member_id: int) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.member_id == member_id), None)

    # ------------------------------------------------------------------------- Qt's model API

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """An edit committed in the grid goes to the service; the cell shows what was saved
        once the record is read again (never what was typed, if it was refused)."""
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        member_id, column = self.rows[index.row()].member_id, self.COLUMNS[index.column()][0]
        error = self._commit(member_id, column, value)
        if error and server_link().down:
            self._hold(index.row(), index.column(), member_id, value)
            return True
        self.message.emit(error or "", (member_id, column))
        return not error

    def _hold(self, position: int, column: int, member_id: int, value: Any) -> None:
        """Keep an edit the server could not take: in its cell, marked, to save later."""
        name = self.COLUMNS[column][0]
        self.held[(member_id, name)] = (value, self.stored(self.rows[position], name))
        item = self._item(column, {SHOWN: _label(value)})
        font = item.font()
        font.setItalic(True)
        item.setFont(font)
        item.setToolTip("Not saved yet: kept here until the server is back")
        self.setItem(position, column, item)
        self.message.emit("Not saved yet: kept here until the server is back", (member_id, name))

    def save_held(self) -> None:
        """The server is back: save each held edit (with the version check of any save)."""
        held, self.held = self.held, {}
        for (member_id, column), (value, seen) in held.items():
            position = self.row_of(member_id)
            if position is None:
                continue
            number = self.column(column)
            self.setItem(position, number, self._item(number, self._shown[position][number]))
            error = self._commit(member_id, column, value, seen=seen)
            if error and server_link().down:
                self._hold(position, number, member_id, value)
                self.held[(member_id, column)] = (value, seen)  # still what was typed over
            else:
                self.message.emit(error or "", (member_id, column))

    def stored(self, row: Any, column: str) -> Any:
        """What the row holds as stored for a column (what a save says its seat saw)."""
        return getattr(row, column, None)

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

    def cells(self, row: AttendanceRecord) -> list[Cell]:
        return [
            _text(STATUS_LABELS[row.status], row.status.value if row.status else ""),
            _text(_clock(row.arrival), _clock(row.arrival)),
            _text(_clock(row.departure), _clock(row.departure)),
            _text(LOCATION_LABELS[row.location], row.location.value),
        ]


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

    def stored(self, row: Any, column: str) -> Any:
        return getattr(row.check_in, column, None)

    def cells(self, row: CheckInRow) -> list[Cell]:
        check_in = row.check_in
        cells: list[Cell] = []
        for name, _header in self.COLUMNS:
            if name == "homework":
                cell = _text(row.homework_text, row.review_status)
            elif name == "use_since_last":
                cell = _text(USE_LABELS[check_in.use_since_last], check_in.use_since_last.value)
            elif name == "safety_concern":
                cell = _text("Yes" if check_in.safety_concern else "No", check_in.safety_concern)
            else:
                value = getattr(check_in, name)
                cell = _text("" if value is None else str(value), "" if value is None else value)
            if check_in.safety_concern:
                cell[Qt.ItemDataRole.BackgroundRole] = SAFETY_RED
            if name == "safety_follow_up":
                tip = check_in.safety_follow_up or (
                    "Write the follow-up before the session can be signed"
                    if check_in.safety_concern
                    else ""
                )
                if tip:
                    cell[Qt.ItemDataRole.ToolTipRole] = tip
            cells.append(cell)
        return cells
