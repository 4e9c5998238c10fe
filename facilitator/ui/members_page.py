"""Members: find a member and see their profile, goals, attendance, check-in trends and homework.

Also holds the pieces the Groups page shares: the member form and the dialog base whose Save
calls a service and, when the service refuses, shows why and stays open with what was typed.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QValueAxis
from PySide6.QtCore import (
    QDate,
    QDateTime,
    QItemSelectionModel,
    QMargins,
    Qt,
    QTime,
    QTimer,
)
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from facilitator.domain.changes import Changes
from facilitator.domain.enums import GoalStatus
from facilitator.domain.errors import FacilitatorError, InvalidInput
from facilitator.domain.records import EnrollmentInfo, GoalInfo, HistoryEntry, MemberInfo
from facilitator.services import directory, home, roster
from facilitator.services.home import MemberProfile
from facilitator.services.workspace import Workspace
from facilitator.ui.bus import ChangeBus, Screen
from facilitator.ui.models import (
    GOAL_LABELS,
    GoalsModel,
    HistoryModel,
    HomeworkModel,
    MembersModel,
    RowsModel,
    day,
)

ERROR_STYLE = "color: #a00000;"
SEARCH_PAUSE_MS = 200  # wait for a pause in typing before asking the database
PRONOUNS = ("", "she/her", "he/him", "they/them")
LIST_LIMIT = 500  # the most members a search returns (store.people.list_members)

# ----------------------------------------------------------------------------- shared pieces


def message_label(parent: QWidget) -> QLabel:
    """The inline line where a refusal is explained (objectName "message")."""
    label = QLabel("", parent)
    label.setObjectName("message")
    label.setAccessibleName("Message")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def say(label: QLabel, text: str, *, error: bool = False) -> None:
    label.setStyleSheet(ERROR_STYLE if error else "")
    label.setText(text)


def push_button(text: str, name: str, slot: Callable[[], object], parent: QWidget) -> QPushButton:
    button = QPushButton(text, parent)
    button.setAccessibleName(name)
    button.clicked.connect(lambda _checked=False: slot())
    return button


def chain_tabs(*widgets: QWidget) -> None:
    """Tab moves through the widgets in this order, the order they are read on screen."""
    for first, second in itertools.pairwise(widgets):
        QWidget.setTabOrder(first, second)


def table_view(
    model: RowsModel, name: str, parent: QWidget, stretch: int | None = None
) -> QTableView:
    """A read-only, row-selecting table; ``stretch`` is the column that takes spare width."""
    view = QTableView(parent)
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
    view.setWordWrap(False)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


def selected_row(view: QTableView) -> int | None:
    rows = view.selectionModel().selectedRows()
    return rows[0].row() if rows else None


def select_row(view: QTableView, row: int) -> None:
    index = view.model().index(row, 0)
    view.selectionModel().setCurrentIndex(
        index,
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    view.scrollTo(index)


def qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


def py_date(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class SavingDialog(QDialog):
    """A dialog whose Save calls a service; a refusal is shown inline and the dialog stays open.

    Subclasses add their fields to ``self.form`` and implement ``save``, which raises a
    FacilitatorError when the service refuses. ``fields`` maps a service's field names to the
    widget that takes the focus when that field is refused.
    """

    def __init__(self, title: str, save_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.fields: dict[str, QWidget] = {}
        self.body = QVBoxLayout(self)
        self.form = QFormLayout()
        self.body.addLayout(self.form)
        self.message = message_label(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.setMinimumWidth(440)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(save_text)
        self.save_button.setAccessibleName(save_text.replace("&", ""))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    # Each dialog's own: calls its service, raising a FacilitatorError when refused.
    save: Callable[[], None]

    def finish(self) -> None:
        """Put the message line and the buttons under whatever the subclass added."""
        self.body.addWidget(self.message)
        self.body.addWidget(self.buttons)

    def accept(self) -> None:
        try:
            self.save()
        except FacilitatorError as exc:
            self.refused(exc)
            return
        super().accept()

    def refused(self, exc: FacilitatorError) -> None:
        say(self.message, exc.message, error=True)
        widget = self.fields.get(exc.field) if isinstance(exc, InvalidInput) else None
        if widget is not None:
            widget.setFocus()


class MemberFields(QWidget):
    """Name, preferred name, record number and pronouns, in a form."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.first_name = self._line("First name", form, "&First name")
        self.last_name = self._line("Last name", form, "&Last name")
        self.preferred_name = self._line("Preferred name", form, "&Preferred name")
        self.preferred_name.setPlaceholderText("Optional: the name they go by")
        self.record_number = self._line("Record number", form, "&Record number")
        self.pronouns = QComboBox(self)
        self.pronouns.setEditable(True)
        self.pronouns.addItems(PRONOUNS)
        self.pronouns.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.pronouns.setAccessibleName("Pronouns")
        form.addRow("Pron&ouns", self.pronouns)
        chain_tabs(
            self.first_name, self.last_name, self.preferred_name, self.record_number, self.pronouns
        )
        self.fields: dict[str, QWidget] = {
            "first name": self.first_name,
            "last name": self.last_name,
            "record number": self.record_number,
        }

    def _line(self, name: str, form: QFormLayout, text: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setAccessibleName(name)
        form.addRow(text, edit)
        return edit

    def set_member(self, member: MemberInfo) -> None:
        self.first_name.setText(member.first_name)
        self.last_name.setText(member.last_name)
        self.preferred_name.setText(member.preferred_name or "")
        self.record_number.setText(member.record_number)
        self.pronouns.setEditText(member.pronouns)

    def values(self) -> dict[str, Any]:
        """Keyword arguments for roster.create_member and roster.update_member."""
        return {
            "first_name": self.first_name.text(),
            "last_name": self.last_name.text(),
            "preferred_name": self.preferred_name.text(),
            "record_number": self.record_number.text(),
            "pronouns": self.pronouns.currentText(),
        }


class MemberDialog(SavingDialog):
    """Edit a member's name, preferred name, record number and pronouns."""

    def __init__(
        self,
        member: MemberInfo,
        save: Callable[[dict[str, Any]], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(f"Edit {member.display_name}", "&Save", parent)
        self._save = save
        self.member_fields = MemberFields(self)
        self.member_fields.set_member(member)
        self.fields = self.member_fields.fields
        self.body.addWidget(self.member_fields)
        self.finish()

    def save(self) -> None:
        self._save(self.member_fields.values())


# ----------------------------------------------------------------------------- the chart


def _moment(value: dt.date) -> float:
    # Noon, so a daylight-saving change never moves a point to the neighbouring day.
    return float(QDateTime(qdate(value), QTime(12, 0)).toMSecsSinceEpoch())


class TrendChart(QChartView):
    """Mood and craving (0-10) at each check-in, oldest on the left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(QChart(), parent)
        self.setAccessibleName("Check-in trends chart")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(180)
        # The legend at the side and no axis titles leave the height to the lines.
        self.chart().legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        self.chart().setMargins(QMargins(4, 4, 4, 4))
        self.mood: QLineSeries | None = None
        self.craving: QLineSeries | None = None

    def set_history(self, history: Sequence[HistoryEntry]) -> None:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        self.mood = self.craving = None
        rated = sorted(
            (e for e in history if e.mood is not None or e.craving is not None),
            key=lambda e: e.date,
        )
        if not rated:
            chart.setTitle("No check-in ratings yet")
            return
        chart.setTitle("")
        when = QDateTimeAxis()
        when.setFormat("d MMM yy")
        first, last = rated[0].date, rated[-1].date
        when.setRange(
            QDateTime(qdate(first - dt.timedelta(days=1)), QTime(0, 0)),
            QDateTime(qdate(last + dt.timedelta(days=1)), QTime(0, 0)),
        )
        when.setTickCount(min(6, max(2, len({e.date for e in rated}))))
        scale = QValueAxis()
        scale.setRange(0, 10)
        scale.setTickCount(6)
        scale.setLabelFormat("%d")
        chart.addAxis(when, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(scale, Qt.AlignmentFlag.AlignLeft)
        self.mood = self._series("Mood", [(e.date, e.mood) for e in rated], when, scale)
        if any(e.craving is not None for e in rated):
            self.craving = self._series(
                "Craving", [(e.date, e.craving) for e in rated], when, scale
            )

    def _series(
        self,
        name: str,
        points: list[tuple[dt.date, int | None]],
        when: QDateTimeAxis,
        scale: QValueAxis,
    ) -> QLineSeries:
        series = QLineSeries()
        series.setName(name)
        series.setPointsVisible(True)
        for date, value in points:
            if value is not None:
                series.append(_moment(date), value)
        self.chart().addSeries(series)
        series.attachAxis(when)
        series.attachAxis(scale)
        return series


def trend_summary(history: Sequence[HistoryEntry]) -> str:
    """The chart in words, for a screen reader and for a quick look."""
    parts = []
    for name, values in (
        ("Mood", [(e.date, e.mood) for e in history if e.mood is not None]),
        ("Craving", [(e.date, e.craving) for e in history if e.craving is not None]),
    ):
        if values:
            latest_date, latest = max(values, key=lambda pair: pair[0])
            average = sum(v for _d, v in values) / len(values)
            parts.append(
                f"{name}: {len(values)} ratings, average {average:.1f}, "
                f"latest {latest} on {day(latest_date)}."
            )
    return " ".join(parts) or "No mood or craving ratings recorded yet."


def homework_summary(profile: MemberProfile) -> str:
    reviewed = sum(len(e.reviews) for e in profile.history)
    given = sum(len(e.homework) for e in profile.history)
    completion = profile.homework_completion
    if completion is None:
        return f"No homework reviewed yet ({given} given)."
    return (
        f"Homework completion {completion:.0%} of {reviewed} reviewed "
        f"(partly done counts half; {given} given)."
    )


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
        found = roster.list_members(self.search.text())
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
            self.run(roster.update_goal, self.ws, goal.id, status=status)
        except FacilitatorError as exc:
            say(self.message, exc.message, error=True)
            return
        self._changed(f"Goal marked {GOAL_LABELS[status].lower()}.")

    # ------------------------------------------------------------------------- profile

    def profile_dialog(self) -> MemberDialog | None:
        """The edit dialog for the open member, not yet shown (tests fill and accept it)."""
        if self.profile is None:
            return None
        member_id = self.profile.member.id
        return MemberDialog(
            self.profile.member, lambda values: self._save_member(member_id, values), self
        )

    def edit_profile(self) -> None:
        dialog = self.profile_dialog()
        if dialog is not None:
            self._dialog = dialog
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

    def _save_member(self, member_id: int, values: dict[str, Any]) -> None:
        self.run(roster.update_member, self.ws, member_id, **values)
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
