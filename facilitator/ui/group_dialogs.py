"""The Groups screen's dialogs: a group's settings, enrolling a member, discharging one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSpinBox,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from facilitator.domain.enums import GroupType, Track
from facilitator.domain.errors import InvalidInput
from facilitator.domain.records import EnrollmentInfo, GroupInfo, MemberInfo
from facilitator.domain.rules import thirds
from facilitator.services import roster
from facilitator.ui.forms import (
    MemberFields,
    SavingDialog,
    chain_tabs,
    push_button,
    py_date,
    say,
    select_row,
    selected_row,
    table_view,
)
from facilitator.ui.models import (
    GROUP_TYPE_LABELS,
    TRACK_LABELS,
    WEEKDAY_NAMES,
    WEEKDAYS,
    MembersModel,
    day,
)

WARNING_STYLE = "color: #8a5300; font-weight: bold;"
DISCHARGE_REASONS = (
    "Completed the program",
    "Stepped down to outpatient care",
    "Stepped up to a higher level of care",
    "Transferred to another group",
    "Stopped attending",
    "Left against clinical advice",
)
PART_NAMES = ("Check-in", "Skill work", "Summary and homework")


class GroupDialog(SavingDialog):
    """A group's settings: a new group when ``group`` is None, else that group's."""

    def __init__(
        self,
        save: Callable[[dict[str, Any]], object],
        group: GroupInfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("New group" if group is None else f"Edit {group.name}", "&Save", parent)
        self._save = save
        self._build()
        self.fields = {
            "group name": self.name,
            "length": self.length,
            "phase plan": self.parts[0],
            "soft capacity": self.capacity,
            "meeting weekdays": self.days[0],
        }
        self.set_group(group)
        self.finish()
        chain_tabs(
            self.name,
            self.track,
            self.group_type,
            self.enrollment,
            *self.days,
            self.timed,
            self.start,
            self.length,
            *self.parts,
            self.thirds_button,
            self.capacity,
            self.buttons,
        )

    def _build(self) -> None:
        self.name = QLineEdit(self)
        self.name.setAccessibleName("Group name")
        self.name.setMaxLength(80)
        self.track = self._combo("Track", [(t, TRACK_LABELS[t]) for t in Track])
        self.group_type = self._combo(
            "Group type (TIP 41)", [(g, GROUP_TYPE_LABELS[g]) for g in GroupType]
        )
        self.enrollment = self._combo(
            "Enrollment",
            [(True, "Open: members join and leave any time"), (False, "Closed: a fixed roster")],
        )
        self.form.addRow("&Name", self.name)
        self.form.addRow("&Track", self.track)
        self.form.addRow("T&ype (TIP 41)", self.group_type)
        self.form.addRow("&Enrollment", self.enrollment)
        first_day, days_row = self._days_row()
        self.form.addRow(self._buddy("&Meets on", first_day), days_row)
        self.form.addRow("Start time", self._start_row())
        self.length = self._minutes("Session length in minutes", 30, 480)
        self.length.setSingleStep(15)
        self.length.valueChanged.connect(self._length_changed)
        self._last_length = self.length.value()
        self.form.addRow("&Length", self.length)
        first_part, parts_row = self._parts_row()
        self.form.addRow(self._buddy("&Parts", first_part), parts_row)
        self.plan_note = QLabel("", self)
        self.plan_note.setAccessibleName("Parts total")
        self.form.addRow("", self.plan_note)
        self.capacity = self._minutes("Soft capacity", 1, 50, suffix=" members")
        self.form.addRow("Soft &capacity", self.capacity)

    def _combo(self, name: str, choices: list[tuple[Any, str]]) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(name)
        for value, text in choices:
            combo.addItem(text, value)
        return combo

    def _minutes(self, name: str, low: int, high: int, suffix: str = " min") -> QSpinBox:
        box = QSpinBox(self)
        box.setAccessibleName(name)
        box.setRange(low, high)
        box.setSuffix(suffix)
        box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        return box

    def _buddy(self, text: str, widget: QWidget) -> QLabel:
        caption = QLabel(text, self)
        caption.setBuddy(widget)
        return caption

    def _days_row(self) -> tuple[QWidget, QHBoxLayout]:
        row = QHBoxLayout()
        self.days: list[QCheckBox] = []
        for short, full in zip(WEEKDAYS, WEEKDAY_NAMES, strict=True):
            box = QCheckBox(short, self)
            box.setAccessibleName(f"Meets on {full}")
            self.days.append(box)
            row.addWidget(box)
        row.addStretch(1)
        return self.days[0], row

    def _start_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.timed = QCheckBox("At a set t&ime", self)
        self.timed.setAccessibleName("Meets at a set time")
        self.start = QTimeEdit(self)
        self.start.setAccessibleName("Start time")
        self.start.setDisplayFormat("HH:mm")
        self.timed.toggled.connect(self.start.setEnabled)
        row.addWidget(self.timed)
        row.addWidget(self.start)
        row.addStretch(1)
        return row

    def _parts_row(self) -> tuple[QWidget, QHBoxLayout]:
        row = QHBoxLayout()
        self.parts: list[QSpinBox] = []
        for name in PART_NAMES:
            box = self._minutes(f"{name} minutes", 1, 480)
            box.valueChanged.connect(self._show_plan)
            self.parts.append(box)
            row.addWidget(QLabel(name, self))
            row.addWidget(box)
        self.thirds_button = push_button(
            "Split in t&hirds", "Split the session into equal thirds", self.split_in_thirds, self
        )
        row.addWidget(self.thirds_button)
        row.addStretch(1)
        return self.parts[0], row

    def set_group(self, group: GroupInfo | None) -> None:
        """Fill the fields from a group, or with a new group's defaults."""
        self.name.setText(group.name if group else "")
        self.track.setCurrentIndex(
            self.track.findData(group.track if group else Track.SUBSTANCE_USE)
        )
        kind = GroupType(group.group_type) if group else GroupType.PSYCHOEDUCATIONAL
        self.group_type.setCurrentIndex(self.group_type.findData(kind))
        self.enrollment.setCurrentIndex(0 if group is None or group.open_enrollment else 1)
        for number, day_box in enumerate(self.days):
            day_box.setChecked(group is not None and number in group.meeting_weekdays)
        start = group.start_time if group else dt.time(9, 0)
        self.timed.setChecked(start is not None)
        self.start.setEnabled(start is not None)
        when = start or dt.time(9, 0)
        self.start.setTime(QTime(when.hour, when.minute))
        self.length.setValue(group.length_minutes if group else 180)
        self._last_length = self.length.value()
        plan = group.phase_minutes if group else thirds(self.length.value())
        for box, minutes in zip(self.parts, plan, strict=True):
            box.setValue(minutes)
        self.capacity.setValue(group.soft_capacity if group else 12)
        self._show_plan()

    def split_in_thirds(self) -> None:
        for box, minutes in zip(self.parts, thirds(self.length.value()), strict=True):
            box.setValue(minutes)

    def _length_changed(self, length: int) -> None:
        # The parts follow the length while they are still the plain thirds; a plan the
        # facilitator shaped by hand is left for them to adjust.
        if self._plan() == thirds(self._last_length):
            self.split_in_thirds()
        self._last_length = length
        self._show_plan()

    def _plan(self) -> tuple[int, int, int]:
        first, second, third = (box.value() for box in self.parts)
        return first, second, third

    def _show_plan(self) -> None:
        total, length = sum(self._plan()), self.length.value()
        if total == length:
            say(self.plan_note, f"The parts add up to the {length} minutes.")
        else:
            self.plan_note.setStyleSheet(WARNING_STYLE)
            self.plan_note.setText(f"The parts add up to {total} minutes, not {length}.")

    def values(self) -> dict[str, Any]:
        """Keyword arguments for roster.create_group and roster.update_group."""
        time = self.start.time()
        start = dt.time(time.hour(), time.minute()) if self.timed.isChecked() else None
        return {
            "name": self.name.text(),
            "track": Track(self.track.currentData()),
            "group_type": GroupType(self.group_type.currentData()),
            "open_enrollment": bool(self.enrollment.currentData()),
            "meeting_weekdays": tuple(n for n, box in enumerate(self.days) if box.isChecked()),
            "start_time": start,
            "length_minutes": self.length.value(),
            "phase_minutes": self._plan(),
            "soft_capacity": self.capacity.value(),
        }

    def save(self) -> None:
        self._save(self.values())


class EnrollDialog(SavingDialog):
    """Enroll someone already on file, or a new member typed in here, from a start date."""

    EXISTING, NEW = 0, 1

    def __init__(
        self,
        group: GroupInfo,
        enroll_existing: Callable[[int, dt.date], object],
        enroll_new: Callable[[dict[str, Any], dt.date], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(f"Enroll a member in {group.name}", "&Enroll", parent)
        self._enroll_existing, self._enroll_new = enroll_existing, enroll_new
        intro = QLabel(f"Enroll a member in {group.name}.", self)
        intro.setWordWrap(True)
        self.body.insertWidget(0, intro)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Who to enroll")
        self.tabs.addTab(self._existing_tab(), "E&xisting member")
        self.member_fields = MemberFields(self)
        self.tabs.addTab(self.member_fields, "&New member")
        self.body.insertWidget(1, self.tabs, 1)
        self.start = QDateEdit(QDate.currentDate(), self)
        self.start.setAccessibleName("Start date")
        self.start.setCalendarPopup(True)
        self.start.setDisplayFormat("dd MMM yyyy")
        self.form.addRow("Start &date", self.start)
        self.fields = {**self.member_fields.fields, "member": self.search}
        self.finish()
        chain_tabs(self.tabs, self.search, self.results, self.start, self.buttons)
        self.resize(560, 520)  # room for the search results; still fits a 1366x768 screen
        self.run_search()

    def _existing_tab(self) -> QWidget:
        tab = QWidget(self)
        column = QVBoxLayout(tab)
        self.search = QLineEdit(tab)
        self.search.setAccessibleName("Search members")
        self.search.setPlaceholderText("Name or record number")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _text: self.run_search())
        self.results_model = MembersModel(self)
        self.results = table_view(
            self.results_model, "Members found", tab, stretch=MembersModel.NAME
        )
        search_row = QFormLayout()
        search_row.addRow("&Search", self.search)
        column.addLayout(search_row)
        column.addWidget(self.results, 1)
        return tab

    def run_search(self) -> None:
        found = roster.list_members(self.search.text())
        self.results_model.set_rows(found)
        self.results.resizeColumnsToContents()
        if len(found) == 1:  # one match: Enter enrolls them, no extra arrow key
            select_row(self.results, 0)

    def choose(self, member_id: int) -> None:
        """Select a member in the search results."""
        self.tabs.setCurrentIndex(self.EXISTING)
        ids = [m.id for m in self.results_model.rows()]
        if member_id not in ids:
            self.search.clear()
            ids = [m.id for m in self.results_model.rows()]
        select_row(self.results, ids.index(member_id))

    def chosen(self) -> MemberInfo | None:
        row = selected_row(self.results)
        return None if row is None else self.results_model.row_at(row)

    def save(self) -> None:
        start = py_date(self.start.date())
        if self.tabs.currentIndex() == self.NEW:
            self._enroll_new(self.member_fields.values(), start)
            return
        member = self.chosen()
        if member is None:
            raise InvalidInput(
                "member", "choose a member in the list, or add them on the New member tab"
            )
        self._enroll_existing(member.id, start)


class DischargeDialog(SavingDialog):
    """End one enrollment on a date, for a reason the record keeps."""

    def __init__(
        self,
        member: MemberInfo,
        group: GroupInfo,
        enrollment: EnrollmentInfo,
        save: Callable[[dt.date, str], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(f"Discharge {member.display_name}", "Dis&charge", parent)
        self._save = save
        intro = QLabel(
            f"Discharge {member.display_name} from {group.name} "
            f"(enrolled since {day(enrollment.start_date)}).",
            self,
        )
        intro.setWordWrap(True)
        self.body.insertWidget(0, intro)
        self.date = QDateEdit(QDate.currentDate(), self)
        self.date.setAccessibleName("Discharge date")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd MMM yyyy")
        self.reason = QComboBox(self)
        self.reason.setAccessibleName("Discharge reason")
        self.reason.setEditable(True)
        self.reason.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.reason.addItems(DISCHARGE_REASONS)
        self.reason.setCurrentIndex(-1)
        self.reason.setEditText("")
        line = self.reason.lineEdit()
        assert line is not None  # an editable combo box always has one
        line.setPlaceholderText("Required: pick or type why the member is leaving")
        self.reason.setMinimumContentsLength(40)
        self.form.addRow("Discharge &date", self.date)
        self.form.addRow("&Reason", self.reason)
        self.fields = {"discharge date": self.date, "discharge reason": self.reason}
        self.finish()
        chain_tabs(self.date, self.reason, self.buttons)
        self.reason.setFocus()

    def save(self) -> None:
        self._save(py_date(self.date.date()), self.reason.currentText())
