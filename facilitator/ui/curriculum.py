"""A group's curriculum: the ordered plan of library items, and how far the group has come.

The panel sits on the Groups screen; its dialog edits the plan. Covered marks come from the
sessions that used an item as their topic, so nothing is ticked off by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from facilitator.domain.changes import Changes
from facilitator.domain.records import CurriculumPlan, HomeworkItemInfo
from facilitator.services import library
from facilitator.services.workspace import Workspace
from facilitator.ui.forms import SavingDialog, chain_tabs, push_button, say
from facilitator.ui.models import day

ITEM_ID = Qt.ItemDataRole.UserRole
# A screen's way to change records through the change bus: run(service, *args) -> Changes.
Run = Callable[..., Changes]


def step_text(position: int, item: HomeworkItemInfo, covered_on: dt.date | None) -> str:
    mark = f"✓ covered {day(covered_on)}" if covered_on else "not yet"
    return f"{position}. {item.title} — {mark}"


class CurriculumPanel(QGroupBox):
    """The chosen group's plan with covered marks, its homework completion, and Plan…"""

    def __init__(self, workspace: Workspace, run: Run, parent: QWidget | None = None) -> None:
        super().__init__("Curriculum", parent)
        self.ws = workspace
        self.run = run  # the Groups screen's way to change records (through the change bus)
        self.group_id: int | None = None
        self.plan: CurriculumPlan | None = None
        self.summary = QLabel("", self)
        self.summary.setAccessibleName("Curriculum progress")
        self.summary.setWordWrap(True)
        self.steps = QListWidget(self)
        self.steps.setAccessibleName("Curriculum items")
        self.completion = QLabel("", self)
        self.completion.setAccessibleName("Group homework completion")
        self.completion.setWordWrap(True)
        self.plan_button = push_button("&Plan curriculum…", "Plan curriculum", self.edit, self)
        self.message = QLabel("", self)
        column = QVBoxLayout(self)
        for widget in (self.summary, self.steps, self.completion, self.plan_button, self.message):
            column.addWidget(widget)
        self._dialog: CurriculumDialog | None = None

    def show_group(self, group_id: int | None) -> None:
        self.group_id = group_id
        self.steps.clear()
        self.plan_button.setEnabled(group_id is not None)
        if group_id is None:
            self.plan = None
            self.summary.setText("")
            self.completion.setText("")
            return
        self.plan = library.curriculum(group_id)
        for step in self.plan.steps:
            self.steps.addItem(step_text(step.position, step.item, step.covered_on))
        if not self.plan.steps:
            self.summary.setText("No plan yet: the next unused item for the track is suggested.")
        else:
            upcoming = self.plan.next_step
            following = f" Next: {upcoming.item.title}." if upcoming else " All covered."
            name = f"{self.plan.name}: " if self.plan.name else ""
            self.summary.setText(
                f"{name}{self.plan.covered} of {len(self.plan.steps)} covered.{following}"
            )
        rate = library.completion_by_group().get(group_id)
        self.completion.setText(f"Homework done: {rate.describe() if rate else 'none reviewed'}")

    def dialog(self) -> CurriculumDialog | None:
        if self.group_id is None or self.plan is None:
            return None
        self._dialog = CurriculumDialog(self.ws, self.plan, self._save, self)
        return self._dialog

    def edit(self) -> None:
        dialog = self.dialog()
        if dialog is not None:
            dialog.open()

    def _save(self, name: str, item_ids: list[int]) -> None:
        assert self.group_id is not None
        self.run(library.set_curriculum, self.ws, self.group_id, name, item_ids)
        self.show_group(self.group_id)
        say(self.message, "Curriculum saved.")


class CurriculumDialog(SavingDialog):
    """Choose items from the library into an ordered plan."""

    def __init__(
        self,
        workspace: Workspace,
        plan: CurriculumPlan,
        save: Callable[[str, list[int]], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Plan the curriculum", "&Save plan", parent)
        self.ws = workspace
        self.group_id = plan.group_id
        self._save = save
        self.name = QLineEdit(plan.name, self)
        self.name.setAccessibleName("Plan name")
        self.name.setPlaceholderText("e.g. 12-week relapse prevention")
        self.form.addRow("Plan &name:", self.name)
        self.search = QLineEdit(self)
        self.search.setAccessibleName("Search the library")
        self.search.setPlaceholderText("Search the library")
        self.search.textChanged.connect(lambda _text: self.run_search())
        self.found = QListWidget(self)
        self.found.setAccessibleName("Library items found")
        self.found.itemActivated.connect(lambda _item: self.add_selected())
        self.planned = QListWidget(self)
        self.planned.setAccessibleName("Planned items, in order")
        for step in plan.steps:
            self._append(self.planned, step.item)
        buttons = {
            name: push_button(text, name, slot, self)
            for text, name, slot in (
                ("&Add →", "Add to plan", self.add_selected),
                ("&Remove", "Remove from plan", self.remove_selected),
                ("Move &up", "Move up", lambda: self.move_step(-1)),
                ("Move do&wn", "Move down", lambda: self.move_step(1)),
            )
        }
        self.add_button = buttons["Add to plan"]
        left = QVBoxLayout()
        left.addWidget(self.search)
        left.addWidget(self.found, 1)
        middle = QVBoxLayout()
        middle.addStretch(1)
        for button in buttons.values():
            middle.addWidget(button)
        middle.addStretch(1)
        lists = QHBoxLayout()
        lists.addLayout(left, 1)
        lists.addLayout(middle)
        lists.addWidget(self.planned, 1)
        self.body.addLayout(lists, 1)
        self.finish()
        chain_tabs(
            self.name,
            self.search,
            self.found,
            *buttons.values(),
            self.planned,
            self.save_button,
        )
        self.resize(820, 520)
        self.run_search()

    @staticmethod
    def _append(widget: QListWidget, item: HomeworkItemInfo) -> None:
        row = QListWidgetItem(f"{item.title}  ({item.category.replace('_', ' ')})")
        row.setData(ITEM_ID, item.id)
        widget.addItem(row)

    def run_search(self) -> None:
        self.found.clear()
        for item in library.search(self.search.text()):
            self._append(self.found, item)
        if self.found.count():
            self.found.setCurrentRow(0)

    def planned_ids(self) -> list[int]:
        return [self.planned.item(row).data(ITEM_ID) for row in range(self.planned.count())]

    def add_selected(self) -> None:
        row = self.found.currentItem()
        if row is None:
            return
        if row.data(ITEM_ID) in self.planned_ids():
            say(self.message, "That item is already in the plan.", error=True)
            return
        self._append(self.planned, library.get_item(row.data(ITEM_ID)))
        self.planned.setCurrentRow(self.planned.count() - 1)
        say(self.message, "")

    def remove_selected(self) -> None:
        row = self.planned.currentRow()
        if row >= 0:
            self.planned.takeItem(row)

    def move_step(self, step: int) -> None:
        row = self.planned.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.planned.count():
            return
        self.planned.insertItem(target, self.planned.takeItem(row))
        self.planned.setCurrentRow(target)

    def save(self) -> None:
        self._save(self.name.text(), self.planned_ids())
