"""Groups: the program's groups, a group's settings and its roster; enroll and discharge.

Every change goes through a dialog whose Save calls a service. A refusal (an empty name, a
discharge without a reason) is shown in the dialog, which stays open with what was typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from facilitator.domain.changes import Changes
from facilitator.domain.enums import EnrollmentStatus, GroupType, Track
from facilitator.domain.errors import InvalidInput
from facilitator.domain.records import EnrollmentInfo, GroupInfo, MemberInfo
from facilitator.domain.rules import thirds
from facilitator.services import directory, roster
from facilitator.services.directory import GroupRoster
from facilitator.services.workspace import Workspace
from facilitator.ui.bus import ChangeBus, Screen
from facilitator.ui.curriculum import CurriculumPanel
from facilitator.ui.members_page import (
    MemberFields,
    SavingDialog,
    chain_tabs,
    message_label,
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
    GroupsModel,
    MembersModel,
    RosterModel,
    day,
    label,
    schedule,
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


# ----------------------------------------------------------------------------- dialogs


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


# ----------------------------------------------------------------------------- the page


class GroupsPage(Screen):
    """The program's groups; for the chosen one, its settings and roster."""

    open_member = Signal(int)  # a roster row was activated: show that member's profile

    def __init__(
        self, workspace: Workspace, parent: QWidget | None = None, *, bus: ChangeBus | None = None
    ) -> None:
        super().__init__(workspace, parent, bus=bus)
        self.group_id: int | None = None
        self.overview: GroupRoster | None = None
        self._dialog: QDialog | None = None
        self._build()
        self.refresh()

    # ------------------------------------------------------------------------- building

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        actions = QHBoxLayout()
        self.new_button = push_button("&New group…", "New group", self.new_group, self)
        self.edit_button = push_button("&Edit group…", "Edit group", self.edit_group, self)
        self.message = message_label(self)
        actions.addWidget(self.new_button)
        actions.addWidget(self.edit_button)
        actions.addWidget(self.message, 1)
        layout.addLayout(actions)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.setChildrenCollapsible(False)
        self.groups_model = GroupsModel(self)
        self.groups_view = table_view(self.groups_model, "Groups", self, stretch=GroupsModel.NAME)
        self.groups_view.selectionModel().selectionChanged.connect(self._group_chosen)
        split.addWidget(self.groups_view)
        split.addWidget(self._build_detail())
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([180, 520])
        layout.addWidget(split, 1)
        chain_tabs(
            self.new_button,
            self.edit_button,
            self.groups_view,
            self.enroll_button,
            self.discharge_button,
            self.show_discharged,
            self.roster_view,
            self.curriculum.steps,
            self.curriculum.plan_button,
        )

    def _build_detail(self) -> QWidget:
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setChildrenCollapsible(False)
        left = QWidget(self)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self._build_settings())
        self.curriculum = CurriculumPanel(self.ws, self.run, left)
        column.addWidget(self.curriculum, 1)
        split.addWidget(left)
        split.addWidget(self._build_roster())
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([330, 1000])
        return split

    def _value(self, parent: QWidget, name: str) -> QLabel:
        value = QLabel("", parent)
        value.setAccessibleName(name)
        value.setWordWrap(True)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return value

    def _build_settings(self) -> QWidget:
        self.settings_box = QGroupBox("Settings", self)
        form = QFormLayout(self.settings_box)
        self.settings: dict[str, QLabel] = {}
        for key, caption in (
            ("track", "Track"),
            ("group_type", "Type"),
            ("enrollment", "Enrollment"),
            ("meets", "Meets"),
            ("length", "Length"),
            ("parts", "Parts"),
            ("soft_capacity", "Soft capacity"),
        ):
            self.settings[key] = self._value(self.settings_box, caption)
            form.addRow(f"{caption}:", self.settings[key])
        return self.settings_box

    def _build_roster(self) -> QWidget:
        panel = QWidget(self)
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel("", panel)
        self.title.setAccessibleName("Group")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.capacity = QLabel("", panel)
        self.capacity.setObjectName("capacity")
        self.capacity.setAccessibleName("Capacity")
        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addWidget(self.capacity, 1)
        self.enroll_button = push_button("En&roll member…", "Enroll member", self.enroll, panel)
        self.discharge_button = push_button(
            "&Discharge…", "Discharge the selected member", self.discharge, panel
        )
        self.show_discharged = QCheckBox("Show disc&harged", panel)
        self.show_discharged.setAccessibleName("Show discharged members")
        self.show_discharged.setChecked(True)
        self.show_discharged.toggled.connect(lambda _on: self._show_roster())
        buttons = QHBoxLayout()
        for button in (self.enroll_button, self.discharge_button):
            buttons.addWidget(button)
        buttons.addWidget(self.show_discharged)
        buttons.addStretch(1)
        self.roster_model = RosterModel(self)
        self.roster_view = table_view(self.roster_model, "Roster", panel)
        self.roster_view.selectionModel().selectionChanged.connect(lambda: self._enable())
        self.roster_view.activated.connect(self._member_activated)
        column.addLayout(heading)
        column.addLayout(buttons)
        column.addWidget(self.roster_view, 1)
        return panel

    # ------------------------------------------------------------------------- loading

    def cares(self, changes: Changes) -> bool:
        # Names, rosters, settings; curricula follow the topics sessions use, and the
        # homework completion follows reviews.
        return bool(
            changes.groups
            or changes.enrollments
            or changes.members
            or changes.library
            or changes.group_note
            or changes.reviews
        )

    def follow(self, changes: Changes) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Read the groups and the chosen group's roster again."""
        groups = roster.list_groups()
        self.groups_view.selectionModel().blockSignals(True)
        self.groups_model.set_rows(groups)
        self.groups_view.selectionModel().blockSignals(False)
        self.groups_view.resizeColumnsToContents()
        ids = [g.id for g in groups]
        if self.group_id not in ids:
            self.group_id = ids[0] if ids else None
        if self.group_id is not None:
            self.select_group(self.group_id)
        self._show_group()

    def select_group(self, group_id: int) -> None:
        ids = [g.id for g in self.groups_model.rows()]
        self.group_id = group_id
        self.groups_view.selectionModel().blockSignals(True)
        select_row(self.groups_view, ids.index(group_id))
        self.groups_view.selectionModel().blockSignals(False)
        self._show_group()

    def _group_chosen(self) -> None:
        row = selected_row(self.groups_view)
        if row is not None and self.groups_model.row_at(row).id != self.group_id:
            self.group_id = self.groups_model.row_at(row).id
            say(self.message, "")
            self._show_group()

    def _show_group(self) -> None:
        self.overview = None if self.group_id is None else directory.group_roster(self.group_id)
        self._show_settings()
        self._show_roster()
        self.curriculum.show_group(self.group_id)

    def _show_settings(self) -> None:
        group = self.overview.group if self.overview else None
        if group is None:
            self.title.setText("No groups yet: create one with New group.")
            self.capacity.setText("")
            for value in self.settings.values():
                value.setText("")
            return
        self.title.setText(group.name)
        parts = ", ".join(
            f"{name} {minutes}"
            for name, minutes in zip(PART_NAMES, group.phase_minutes, strict=True)
        )
        texts = {
            "track": label(TRACK_LABELS, group.track),
            "group_type": label(GROUP_TYPE_LABELS, group.group_type),
            "enrollment": "Open (rolling)" if group.open_enrollment else "Closed (fixed roster)",
            "meets": schedule(group) if group.start_time else f"{schedule(group)}, no set time",
            "length": f"{group.length_minutes} minutes",
            "parts": f"{parts} minutes",
            "soft_capacity": f"{group.soft_capacity} members",
        }
        for key, text in texts.items():
            self.settings[key].setText(text)
        self._show_capacity()

    def _show_capacity(self) -> None:
        assert self.overview is not None
        if self.overview.over_capacity:
            self.capacity.setStyleSheet(WARNING_STYLE)
            self.capacity.setText(f"⚠ {self.overview.capacity_text}")
        else:
            self.capacity.setStyleSheet("")
            self.capacity.setText(self.overview.capacity_text)
        self.capacity.setAccessibleDescription(self.overview.capacity_text)

    def _show_roster(self) -> None:
        keep = self.selected_enrollment()
        rows = self.overview.rows if self.overview else []
        if not self.show_discharged.isChecked():
            rows = [r for r in rows if r[0].status == EnrollmentStatus.ACTIVE]
        self.roster_model.set_rows(rows)
        self.roster_view.resizeColumnsToContents()
        ids = [e.id for e, _m in rows]
        if keep is not None and keep[0].id in ids:
            select_row(self.roster_view, ids.index(keep[0].id))
        self._enable()

    def _enable(self) -> None:
        has_group = self.overview is not None
        self.edit_button.setEnabled(has_group)
        self.enroll_button.setEnabled(has_group)
        chosen = self.selected_enrollment()
        self.discharge_button.setEnabled(
            chosen is not None and chosen[0].status == EnrollmentStatus.ACTIVE
        )

    def selected_enrollment(self) -> tuple[EnrollmentInfo, MemberInfo] | None:
        row = selected_row(self.roster_view)
        return None if row is None else self.roster_model.row_at(row)

    def select_enrollment(self, enrollment_id: int) -> None:
        ids = [e.id for e, _m in self.roster_model.rows()]
        select_row(self.roster_view, ids.index(enrollment_id))

    def _member_activated(self) -> None:
        chosen = self.selected_enrollment()
        if chosen is not None:
            self.open_member.emit(chosen[1].id)

    # ------------------------------------------------------------------------- dialogs
    # Each *_dialog method builds the dialog without showing it, so a test can fill it in and
    # call accept(); the button handlers open it window-modal without blocking.

    def _open(self, dialog: QDialog | None) -> None:
        if dialog is not None:
            self._dialog = dialog
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

    def group_dialog(self, group: GroupInfo | None = None) -> GroupDialog:
        group_id = group.id if group else None
        return GroupDialog(lambda values: self._save_group(group_id, values), group, self)

    def new_group(self) -> None:
        self._open(self.group_dialog())

    def edit_group(self) -> None:
        if self.overview is not None:
            self._open(self.group_dialog(self.overview.group))

    def enroll_dialog(self) -> EnrollDialog | None:
        if self.overview is None:
            return None
        group_id = self.overview.group.id
        return EnrollDialog(
            self.overview.group,
            lambda member_id, start: self._enroll(member_id, group_id, start),
            lambda values, start: self._enroll_new(values, group_id, start),
            self,
        )

    def enroll(self) -> None:
        self._open(self.enroll_dialog())

    def discharge_dialog(self) -> DischargeDialog | None:
        chosen = self.selected_enrollment()
        if self.overview is None or chosen is None:
            say(self.message, "choose a member on the roster to discharge", error=True)
            return None
        enrollment, member = chosen
        return DischargeDialog(
            member,
            self.overview.group,
            enrollment,
            lambda end, reason: self._discharge(enrollment.id, member, end, reason),
            self,
        )

    def discharge(self) -> None:
        self._open(self.discharge_dialog())

    # ------------------------------------------------------------------------- saving
    # These raise FacilitatorError to the dialog, which shows it and stays open.

    def _save_group(self, group_id: int | None, values: dict[str, Any]) -> None:
        if group_id is None:
            changes = self.run(roster.create_group, self.ws, **values)
            group_id = changes.created_id
        else:
            self.run(roster.update_group, self.ws, group_id, **values)
        self.group_id = group_id
        self._changed(f"Saved {values['name'].strip()}.")

    def _enroll(self, member_id: int, group_id: int, start: dt.date) -> None:
        changes = self.run(roster.enroll, self.ws, member_id, group_id, start)
        self._enrolled(changes, roster.get_member(member_id), start)

    def _enroll_new(self, values: dict[str, Any], group_id: int, start: dt.date) -> None:
        changes = self.run(directory.enroll_new_member, self.ws, group_id, start, **values)
        assert changes.created_id is not None
        self._enrolled(changes, roster.get_member(changes.created_id), start)

    def _enrolled(self, changes: Changes, member: MemberInfo, start: dt.date) -> None:
        self._changed(f"Enrolled {member.display_name} from {day(start)}.")
        (enrollment_id,) = changes.enrollments
        self.select_enrollment(enrollment_id)

    def _discharge(self, enrollment_id: int, member: MemberInfo, end: dt.date, reason: str) -> None:
        self.run(roster.discharge, self.ws, enrollment_id, end, reason)
        self._changed(f"Discharged {member.display_name} on {day(end)}.")

    def _changed(self, text: str) -> None:
        self.refresh()
        say(self.message, text)
