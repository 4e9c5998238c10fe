"""Groups: the program's groups, a group's settings and its roster; enroll and discharge.

Every change goes through a dialog whose Save calls a service. A refusal (an empty name, a
discharge without a reason) is shown in the dialog, which stays open with what was typed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from facilitator.domain.changes import Changes
from facilitator.domain.enums import EnrollmentStatus
from facilitator.services import directory, roster
from facilitator.services.directory import GroupRoster
from facilitator.services.workspace import Workspace
from facilitator.ui.bus import ChangeBus
from facilitator.ui.curriculum import CurriculumPanel
from facilitator.ui.forms import (
    chain_tabs,
    message_label,
    push_button,
    say,
    select_row,
    selected_row,
    table_view,
)
from facilitator.ui.group_actions import GroupActions
from facilitator.ui.group_dialogs import (
    PART_NAMES,
    WARNING_STYLE,
)
from facilitator.ui.models import (
    GROUP_TYPE_LABELS,
    TRACK_LABELS,
    GroupsModel,
    RosterModel,
    label,
    schedule,
)
from facilitator.ui.staff_dialog import ASSIGNS

# ----------------------------------------------------------------------------- the page


class GroupsPage(GroupActions):
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
        self.staff_button = push_button("Staff and co&ver…", "Staff and cover", self.staff, self)
        self.staff_button.setVisible(self.ws.actor.role in ASSIGNS)
        self.message = message_label(self)
        for button in (self.new_button, self.edit_button, self.staff_button):
            actions.addWidget(button)
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
            self.staff_button,
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
        groups = roster.list_groups(self.ws)
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
        self.staff_button.setEnabled(has_group)
        self.enroll_button.setEnabled(has_group)
        chosen = self.selected_enrollment()
        self.discharge_button.setEnabled(
            chosen is not None and chosen[0].status == EnrollmentStatus.ACTIVE
        )

    def _member_activated(self) -> None:
        chosen = self.selected_enrollment()
        if chosen is not None:
            self.open_member.emit(chosen[1].id)
