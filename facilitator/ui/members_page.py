"""Members: find a member and see their profile, goals, attendance, check-in trends and homework.

The form pieces it shares with the other screens are in ui/forms.py, the chart in
ui/member_charts.py.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from facilitator.domain.changes import Changes
from facilitator.domain.enums import GoalStatus
from facilitator.domain.errors import EditConflict, FacilitatorError
from facilitator.domain.records import EnrollmentInfo, GoalInfo, MemberInfo
from facilitator.services import directory, edits, home, roster
from facilitator.services.home import MemberProfile
from facilitator.services.workspace import Workspace
from facilitator.ui.bus import ChangeBus, Screen
from facilitator.ui.forms import (
    MemberDialog,
    chain_tabs,
    message_label,
    push_button,
    say,
    select_row,
    selected_row,
    table_view,
)
from facilitator.ui.member_charts import TrendChart, homework_summary, trend_summary
from facilitator.ui.models import (
    GOAL_LABELS,
    GoalsModel,
    HistoryModel,
    HomeworkModel,
    MembersModel,
    day,
)

SEARCH_PAUSE_MS = 200  # wait for a pause in typing before asking the database
LIST_LIMIT = 500  # the most members a search returns (store.people.list_members)

# ----------------------------------------------------------------------------- the page


class MembersPage(Screen):
    """Find a member; see and keep up their profile and treatment goals."""

    def __init__(
        self, workspace: Workspace, parent: QWidget | None = None, *, bus: ChangeBus | None = None
    ) -> None:
        super().__init__(workspace, parent, bus=bus)
        self.member_id: int | None = None
        self.profile: MemberProfile | None = None
        self._dialog: QDialog | None = None
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_PAUSE_MS)
        self._search_timer.timeout.connect(self.run_search)
        self._build()
        self.refresh()

    # ------------------------------------------------------------------------- building

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setChildrenCollapsible(False)
        split.addWidget(self._build_list())
        self.profile_stack = QStackedWidget(self)
        self.empty = QLabel("Choose a member on the left to see their profile.", self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.profile_stack.addWidget(self.empty)
        self.profile_stack.addWidget(self._build_profile())
        split.addWidget(self.profile_stack)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([380, 1000])
        layout.addWidget(split, 1)
        chain_tabs(
            self.search,
            self.members_view,
            self.edit_button,
            self.goals_view,
            self.goal_text,
            self.add_goal_button,
            self.goal_status,
            self.goal_status_button,
            self.tabs,
        )

    def _build_list(self) -> QWidget:
        panel = QWidget(self)
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit(panel)
        self.search.setAccessibleName("Search members")
        self.search.setPlaceholderText("Name or record number")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self.run_search)
        search_row = QFormLayout()
        search_row.addRow("&Search", self.search)
        self.members_model = MembersModel(self)
        self.members_view = table_view(
            self.members_model, "Members", panel, stretch=MembersModel.NAME
        )
        self.members_view.selectionModel().selectionChanged.connect(self._member_chosen)
        self.count = QLabel("", panel)
        self.count.setAccessibleName("Members found")
        column.addLayout(search_row)
        column.addWidget(self.members_view, 1)
        column.addWidget(self.count)
        return panel

    def _build_profile(self) -> QWidget:
        # A splitter, so on a short screen the facilitator chooses between goals and history.
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.setChildrenCollapsible(False)
        top = QWidget(split)
        row = QHBoxLayout(top)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self._build_details(top), 2)
        row.addWidget(self._build_goals(top), 3)
        self.tabs = QTabWidget(split)
        self.tabs.setAccessibleName("Member history")
        self.tabs.addTab(self._build_history(self.tabs), "Attendance &history")
        self.tabs.addTab(self._build_trends(self.tabs), "Check-in t&rends")
        self.tabs.addTab(self._build_homework(self.tabs), "Home&work")
        split.addWidget(top)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([250, 500])
        return split

    def _value(self, parent: QWidget, name: str) -> QLabel:
        label = QLabel("", parent)
        label.setAccessibleName(name)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _build_details(self, parent: QWidget) -> QWidget:
        box = QGroupBox("Profile", parent)
        column = QVBoxLayout(box)
        self.name_label = self._value(box, "Member name")
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.name_label.setFont(font)
        form = QFormLayout()
        self.preferred_label = self._value(box, "Preferred name")
        self.legal_label = self._value(box, "Legal name")
        self.record_label = self._value(box, "Record number")
        self.pronouns_label = self._value(box, "Pronouns")
        self.enrolled_label = self._value(box, "Enrolled in")
        self.attended_label = self._value(box, "Sessions attended")
        form.addRow("Preferred name:", self.preferred_label)
        form.addRow("Legal name:", self.legal_label)
        form.addRow("Record number:", self.record_label)
        form.addRow("Pronouns:", self.pronouns_label)
        form.addRow("Enrolled in:", self.enrolled_label)
        form.addRow("Attended:", self.attended_label)
        self.edit_button = push_button("Edit &profile…", "Edit profile", self.edit_profile, box)
        column.addWidget(self.name_label)
        column.addLayout(form)
        column.addStretch(1)
        column.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignLeft)
        return box

    def _build_goals(self, parent: QWidget) -> QWidget:
        box = QGroupBox("Treatment goals", parent)
        column = QVBoxLayout(box)
        self.goals_model = GoalsModel(self)
        self.goals_view = table_view(
            self.goals_model, "Treatment goals", box, stretch=GoalsModel.GOAL
        )
        self.goals_view.setWordWrap(True)
        self.goals_view.horizontalHeader().setSectionResizeMode(
            GoalsModel.STATUS, QHeaderView.ResizeMode.ResizeToContents
        )
        # A long goal wraps, and its row keeps fitting it as the column width changes.
        self.goals_view.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.goals_view.verticalHeader().setMinimumSectionSize(26)
        self.goals_view.setMinimumHeight(90)
        self.goals_view.selectionModel().selectionChanged.connect(self._goal_chosen)
        self.goal_text = QLineEdit(box)
        self.goal_text.setAccessibleName("New goal")
        self.goal_text.setPlaceholderText("A goal in the member's own words")
        self.goal_text.returnPressed.connect(self.add_goal)
        self.add_goal_button = push_button("&Add goal", "Add goal", self.add_goal, box)
        new_goal = QLabel("New g&oal", box)
        new_goal.setBuddy(self.goal_text)
        add_row = QHBoxLayout()
        add_row.addWidget(new_goal)
        add_row.addWidget(self.goal_text, 1)
        add_row.addWidget(self.add_goal_button)
        self.goal_status = QComboBox(box)
        self.goal_status.setAccessibleName("Goal status")
        for status in GoalStatus:
            self.goal_status.addItem(GOAL_LABELS[status], status)
        self.goal_status_button = push_button(
            "&Change status", "Change the selected goal's status", self.set_goal_status, box
        )
        status_label = QLabel("Selected goal's status", box)
        status_label.setBuddy(self.goal_status)
        status_row = QHBoxLayout()
        status_row.addWidget(status_label)
        status_row.addWidget(self.goal_status)
        status_row.addWidget(self.goal_status_button)
        status_row.addStretch(1)
        self.message = message_label(box)
        column.addWidget(self.goals_view, 1)
        column.addLayout(add_row)
        column.addLayout(status_row)
        column.addWidget(self.message)
        return box

    def _build_history(self, parent: QWidget) -> QWidget:
        page = QWidget(parent)
        column = QVBoxLayout(page)
        self.history_model = HistoryModel(self)
        self.history_view = table_view(
            self.history_model, "Attendance history", page, stretch=HistoryModel.GROUP
        )
        self.note_button = push_button(
            "Member &note PDF…", "Member note of the chosen session", self.show_member_note, page
        )
        self.history_message = message_label(page)
        row = QHBoxLayout()
        row.addWidget(self.note_button)
        row.addWidget(self.history_message, 1)
        column.addWidget(self.history_view)
        column.addLayout(row)
        return page

    def member_note_preview(self) -> QDialog | None:
        """The chosen session's note for this member, previewed (None when none is chosen)."""
        from facilitator.ui import documents as previews

        row = selected_row(self.history_view)
        if row is None or self.member_id is None:
            say(self.history_message, "Choose a session in the history first.", error=True)
            return None
        entry = self.history_model.row_at(row)
        try:
            return previews.member_note(self.ws, entry.session_id, self.member_id, self)
        except FacilitatorError as exc:
            say(self.history_message, exc.message, error=True)
            return None

    def show_member_note(self) -> None:
        preview = self.member_note_preview()
        if preview is not None:
            self._dialog = preview
            preview.open()

    def _build_trends(self, parent: QWidget) -> QWidget:
        page = QWidget(parent)
        column = QVBoxLayout(page)
        self.chart = TrendChart(page)
        self.trend_text = self._value(page, "Check-in trends in words")
        column.addWidget(self.chart, 1)
        column.addWidget(self.trend_text)
        return page

    def _build_homework(self, parent: QWidget) -> QWidget:
        page = QWidget(parent)
        column = QVBoxLayout(page)
        self.completion = self._value(page, "Homework completion")
        self.homework_model = HomeworkModel(self)
        self.homework_view = table_view(
            self.homework_model, "Homework history", page, stretch=HomeworkModel.REVIEWED
        )
        column.addWidget(self.completion)
        column.addWidget(self.homework_view, 1)
        return page

    # ------------------------------------------------------------------------- loading

    def cares(self, changes: Changes) -> bool:
        return bool(
            changes.members
            or changes.enrollments
            or changes.goals
            or changes.groups
            or changes.signatures
            or self.member_id in self._session_members(changes)
        )

    @staticmethod
    def _session_members(changes: Changes) -> frozenset[int]:
        """The members whose history a change in a session touched."""
        return (
            changes.attendance
            | changes.check_ins
            | changes.member_notes
            | changes.homework
            | changes.reviews
        )

    def follow(self, changes: Changes) -> None:
        if changes.members or changes.enrollments:
            self.run_search(keep=self.member_id)  # names and the list's order may have changed
        if self.member_id is not None:
            self._load_profile(self.member_id)
        self._enable()

    def refresh(self) -> None:
        """Read the list and the open profile again."""
        self.run_search(keep=self.member_id)
        if self.member_id is not None:
            self._load_profile(self.member_id)
        self._enable()

    def run_search(self, keep: int | None = None) -> None:
        self._search_timer.stop()
        keep = keep if keep is not None else self.member_id
        found = roster.list_members(self.search.text(), self.ws)
        self.members_view.selectionModel().blockSignals(True)
        self.members_model.set_rows(found)
        self.members_view.selectionModel().blockSignals(False)
        if len(found) >= LIST_LIMIT:
            self.count.setText(f"The first {len(found)} members; type to narrow the search")
        else:
            self.count.setText(f"{len(found)} member{'' if len(found) == 1 else 's'} found")
        if keep is not None:
            self._select_member_row(keep)
        self.members_view.resizeColumnsToContents()

    def show_member(self, member_id: int) -> None:
        """Open a member's profile, clearing the search if it hides them from the list."""
        if member_id not in {m.id for m in self.members_model.rows()}:
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.run_search(keep=member_id)
        self._load_profile(member_id)

    def _select_member_row(self, member_id: int) -> None:
        ids = [m.id for m in self.members_model.rows()]
        if member_id in ids:
            self.members_view.selectionModel().blockSignals(True)
            select_row(self.members_view, ids.index(member_id))
            self.members_view.selectionModel().blockSignals(False)

    def _member_chosen(self) -> None:
        row = selected_row(self.members_view)
        if row is not None:
            self._load_profile(self.members_model.row_at(row).id)

    def _load_profile(self, member_id: int) -> None:
        try:
            # Choosing another member is a viewing, noted in the trail; redrawing is not.
            if member_id == self.member_id:
                profile = home.member_profile(member_id)
            else:
                profile = home.view_member(self.ws, member_id)
                self.bus.publish(Changes(audit=True), self)
        except FacilitatorError as exc:
            say(self.message, exc.message, error=True)
            return
        if member_id != self.member_id:
            say(self.message, "")
        self.member_id, self.profile = member_id, profile
        self.profile_stack.setCurrentIndex(1)
        self._select_member_row(member_id)
        self._show_details(profile)
        self._show_goals(profile.goals)
        self.history_model.set_rows(profile.history)
        self.history_view.resizeColumnsToContents()
        self.chart.set_history(profile.history)
        self.trend_text.setText(trend_summary(profile.history))
        self.completion.setText(homework_summary(profile))
        self.homework_model.set_rows([e for e in profile.history if e.homework or e.reviews])
        self.homework_view.resizeColumnsToContents()
        self._enable()

    def _show_details(self, profile: MemberProfile) -> None:
        member = profile.member
        self.name_label.setText(member.display_name)
        self.preferred_label.setText(member.preferred_name or "(none given)")
        self.legal_label.setText(f"{member.first_name} {member.last_name}")
        self.record_label.setText(member.record_number)
        self.pronouns_label.setText(member.pronouns or "(not given)")
        names = directory.group_names()
        self.enrolled_label.setText(
            "\n".join(_enrollment_line(e, names) for e in reversed(profile.enrollments))
            or "Not enrolled in any group"
        )
        rostered = len(profile.history)
        self.attended_label.setText(f"{profile.attended} of {rostered} sessions rostered")

    def _show_goals(self, goals: list[GoalInfo]) -> None:
        keep = self.selected_goal()
        self.goals_model.set_rows(goals)
        ids = [g.id for g in goals]
        if keep is not None and keep.id in ids:
            select_row(self.goals_view, ids.index(keep.id))

    def _enable(self) -> None:
        has_member = self.member_id is not None
        for widget in (self.edit_button, self.goal_text, self.add_goal_button):
            widget.setEnabled(has_member)
        has_goal = self.selected_goal() is not None
        self.goal_status.setEnabled(has_goal)
        self.goal_status_button.setEnabled(has_goal)

    # ------------------------------------------------------------------------- goals

    def selected_goal(self) -> GoalInfo | None:
        row = selected_row(self.goals_view)
        return None if row is None else self.goals_model.row_at(row)

    def select_goal(self, goal_id: int) -> None:
        ids = [g.id for g in self.goals_model.rows()]
        select_row(self.goals_view, ids.index(goal_id))

    def _goal_chosen(self) -> None:
        goal = self.selected_goal()
        if goal is not None:
            self.goal_status.setCurrentIndex(self.goal_status.findData(GoalStatus(goal.status)))
        self._enable()

    def add_goal(self) -> None:
        if self.member_id is None:
            return
        try:
            changes = self.run(roster.add_goal, self.ws, self.member_id, self.goal_text.text())
        except FacilitatorError as exc:
            say(self.message, exc.message, error=True)
            self.goal_text.setFocus()
            return
        self.goal_text.clear()
        self._changed("Goal added.")
        if changes.created_id is not None:
            self.select_goal(changes.created_id)

    def set_goal_status(self, status: GoalStatus | None = None) -> None:
        goal = self.selected_goal()
        if goal is None:
            say(self.message, "choose a goal in the list first", error=True)
            return
        status = status or GoalStatus(self.goal_status.currentData())
        try:
            self.run(roster.update_goal, self.ws, goal.id, status=status, seen=goal)
        except FacilitatorError as exc:
            say(self.message, exc.message, error=True)
            return
        self._changed(f"Goal marked {GOAL_LABELS[status].lower()}.")

    # ------------------------------------------------------------------------- profile

    def profile_dialog(self) -> MemberDialog | None:
        """The edit dialog for the open member, not yet shown (tests fill and accept it)."""
        if self.profile is None:
            return None
        # What the form started from: only changes from it are saved (another seat may save
        # the rest meanwhile).
        seen = [self.profile.member]
        return MemberDialog(seen[0], lambda values: self._save_member(seen, values), self)

    def edit_profile(self) -> None:
        dialog = self.profile_dialog()
        if dialog is not None:
            self._dialog = dialog
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

    def _save_member(self, seen: list[MemberInfo], values: dict[str, Any]) -> None:
        try:
            self.run(roster.update_member, self.ws, seen[0].id, seen=seen[0], **values)
        except EditConflict as exc:  # its user has now read theirs: saving again goes over it
            seen[0] = edits.theirs_read(seen[0], exc)
            raise
        self._changed("Profile saved.")

    def _changed(self, text: str) -> None:
        self.refresh()
        say(self.message, text)


def _enrollment_line(enrollment: EnrollmentInfo, names: dict[int, str]) -> str:
    group = names.get(enrollment.group_id, f"group {enrollment.group_id}")
    if enrollment.end_date is None:
        return f"{group}, since {day(enrollment.start_date)}"
    reason = f" ({enrollment.discharge_reason})" if enrollment.discharge_reason else ""
    return f"{group}, {day(enrollment.start_date)} to {day(enrollment.end_date)}{reason}"
