"""Qt table models for the Groups and Members pages.

Each model is a thin view of rows a service returned (the domain dataclasses themselves);
``set_rows`` replaces them all and the views follow. Nothing here writes: the pages call
services and hand the models fresh rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from facilitator.domain.enums import (
    AttendanceStatus,
    EnrollmentStatus,
    GoalStatus,
    GroupType,
    ReviewStatus,
    Track,
)
from facilitator.domain.records import EnrollmentInfo, GoalInfo, GroupInfo, HistoryEntry, MemberInfo

Index = QModelIndex | QPersistentModelIndex

# ----------------------------------------------------------------------------- words on screen

TRACK_LABELS = {
    Track.MENTAL_HEALTH: "Mental health",
    Track.SUBSTANCE_USE: "Substance use",
    Track.DUAL_DIAGNOSIS: "Dual diagnosis",
}
GROUP_TYPE_LABELS = {
    GroupType.PSYCHOEDUCATIONAL: "Psychoeducational",
    GroupType.SKILLS_DEVELOPMENT: "Skills development",
    GroupType.COGNITIVE_BEHAVIORAL: "Cognitive-behavioral",
    GroupType.SUPPORT: "Support",
    GroupType.INTERPERSONAL_PROCESS: "Interpersonal process",
    GroupType.RELAPSE_PREVENTION: "Relapse prevention",
    GroupType.CULTURALLY_SPECIFIC: "Culturally specific",
    GroupType.EXPRESSIVE: "Expressive",
}
ENROLLMENT_LABELS = {EnrollmentStatus.ACTIVE: "Active", EnrollmentStatus.DISCHARGED: "Discharged"}
GOAL_LABELS = {
    GoalStatus.ACTIVE: "Active",
    GoalStatus.MET: "Met",
    GoalStatus.REVISED: "Revised",
    GoalStatus.DISCONTINUED: "Discontinued",
}
ATTENDANCE_LABELS = {
    AttendanceStatus.PRESENT: "Present",
    AttendanceStatus.LATE: "Late",
    AttendanceStatus.LEFT_EARLY: "Left early",
    AttendanceStatus.ABSENT: "Absent",
    AttendanceStatus.EXCUSED: "Excused",
}
REVIEW_LABELS = {
    ReviewStatus.DONE: "done",
    ReviewStatus.PARTLY: "partly done",
    ReviewStatus.NOT_DONE: "not done",
}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NOT_RECORDED = "—"


def label(labels: dict[Any, str], value: str | None) -> str:
    """The screen word for a stored value; an unknown value is shown as written, never hidden."""
    if value is None:
        return NOT_RECORDED
    return labels.get(value, value.replace("_", " ").capitalize())


def day(value: dt.date | None) -> str:
    return "" if value is None else value.strftime("%d %b %Y")


def spoken_day(value: dt.date | None) -> str:
    return "" if value is None else f"{value:%A} {value.day} {value:%B %Y}"


def clock(value: dt.time | None) -> str:
    return "" if value is None else value.strftime("%H:%M")


def schedule(group: GroupInfo) -> str:
    """When a group meets, e.g. "Mon, Wed, Fri 18:00"."""
    days = ", ".join(WEEKDAYS[d] for d in group.meeting_weekdays) or "No set days"
    return f"{days} {clock(group.start_time)}".strip()


def rating(value: int | None) -> str:
    return NOT_RECORDED if value is None else str(value)


# ----------------------------------------------------------------------------- the models


class RowsModel(QAbstractTableModel):
    """Shared plumbing: a list of rows, fixed headers and text per cell."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def set_rows(self, rows: Iterable[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def prepend_rows(self, rows: Iterable[Any]) -> None:
        """New rows at the top; the rows shown, and the selection among them, stay."""
        new = list(rows)
        if new:
            self.beginInsertRows(QModelIndex(), 0, len(new) - 1)
            self._rows[:0] = new
            self.endInsertRows()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, index.column())
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.spoken(row, index.column())
        return None

    # Each model's own: the row's text, one string per column in HEADERS order.
    cells: Callable[[Any], tuple[str, ...]]

    def text(self, row: Any, column: int) -> str:
        return self.cells(row)[column]

    def spoken(self, row: Any, column: int) -> str:
        """What a screen reader says for a cell; the shown text unless that is a symbol."""
        text = self.text(row, column)
        return "not recorded" if text == NOT_RECORDED else text


class GroupsModel(RowsModel):
    NAME, TRACK, GROUP_TYPE, ENROLLMENT, SCHEDULE, LENGTH, SOFT_CAP = range(7)
    HEADERS = ("Group", "Track", "Type", "Enrollment", "Meets", "Length", "Soft cap")

    def row_at(self, row: int) -> GroupInfo:
        group: GroupInfo = self._rows[row]
        return group

    def cells(self, row: GroupInfo) -> tuple[str, ...]:
        return (
            row.name,
            label(TRACK_LABELS, row.track),
            label(GROUP_TYPE_LABELS, row.group_type),
            "Open" if row.open_enrollment else "Closed",
            schedule(row),
            f"{row.length_minutes} min",
            str(row.soft_capacity),
        )

    def spoken(self, row: GroupInfo, column: int) -> str:
        if column == self.SCHEDULE:
            days = ", ".join(WEEKDAY_NAMES[d] for d in row.meeting_weekdays) or "no set days"
            return f"{days} {clock(row.start_time)}".strip()
        if column == self.LENGTH:
            return f"{row.length_minutes} minutes"
        return super().spoken(row, column)


class RosterModel(RowsModel):
    """Everyone ever enrolled in a group: rows are (enrollment, member) pairs."""

    MEMBER, RECORD_NUMBER, FROM, TO, STATUS, REASON = range(6)
    HEADERS = ("Member", "Record number", "Enrolled from", "To", "Status", "Discharge reason")

    def row_at(self, row: int) -> tuple[EnrollmentInfo, MemberInfo]:
        pair: tuple[EnrollmentInfo, MemberInfo] = self._rows[row]
        return pair

    def cells(self, row: tuple[EnrollmentInfo, MemberInfo]) -> tuple[str, ...]:
        enrollment, member = row
        return (
            member.display_name,
            member.record_number,
            day(enrollment.start_date),
            day(enrollment.end_date),
            label(ENROLLMENT_LABELS, enrollment.status),
            enrollment.discharge_reason,
        )

    def spoken(self, row: tuple[EnrollmentInfo, MemberInfo], column: int) -> str:
        enrollment, _member = row
        if column == self.FROM:
            return spoken_day(enrollment.start_date)
        if column == self.TO:
            return spoken_day(enrollment.end_date) or "still enrolled"
        return super().spoken(row, column)


class MembersModel(RowsModel):
    NAME, RECORD_NUMBER, PRONOUNS = range(3)
    HEADERS = ("Member", "Record number", "Pronouns")

    def row_at(self, row: int) -> MemberInfo:
        member: MemberInfo = self._rows[row]
        return member

    def cells(self, row: MemberInfo) -> tuple[str, ...]:
        return (row.display_name, row.record_number, row.pronouns)


class GoalsModel(RowsModel):
    GOAL, STATUS = range(2)
    HEADERS = ("Treatment goal", "Status")

    def row_at(self, row: int) -> GoalInfo:
        goal: GoalInfo = self._rows[row]
        return goal

    def cells(self, row: GoalInfo) -> tuple[str, ...]:
        return (row.text, label(GOAL_LABELS, row.status))


class HistoryModel(RowsModel):
    """A member's sessions, newest first: attendance and the check-in ratings."""

    DATE, GROUP, ATTENDANCE, MOOD, CRAVING, SAFETY = range(6)
    HEADERS = ("Date", "Group", "Attendance", "Mood", "Craving", "Safety concern")

    def row_at(self, row: int) -> HistoryEntry:
        entry: HistoryEntry = self._rows[row]
        return entry

    def cells(self, row: HistoryEntry) -> tuple[str, ...]:
        return (
            day(row.date),
            row.group,
            label(ATTENDANCE_LABELS, row.attendance),
            rating(row.mood),
            rating(row.craving),
            "Yes" if row.safety_concern else "",
        )

    def spoken(self, row: HistoryEntry, column: int) -> str:
        if column == self.DATE:
            return spoken_day(row.date)
        if column == self.SAFETY:
            return "safety concern raised" if row.safety_concern else "none"
        return super().spoken(row, column)


class HomeworkModel(RowsModel):
    """Sessions where a member was given homework or had earlier homework reviewed."""

    DATE, GROUP, GIVEN, REVIEWED = range(4)
    HEADERS = ("Date", "Group", "Homework given", "Earlier homework reviewed")

    def row_at(self, row: int) -> HistoryEntry:
        entry: HistoryEntry = self._rows[row]
        return entry

    def cells(self, row: HistoryEntry) -> tuple[str, ...]:
        reviewed = (f"{title}: {label(REVIEW_LABELS, status)}" for title, status in row.reviews)
        return (day(row.date), row.group, "; ".join(row.homework), "; ".join(reviewed))

    def spoken(self, row: HistoryEntry, column: int) -> str:
        if column == self.DATE:
            return spoken_day(row.date)
        return super().spoken(row, column) or "none"
