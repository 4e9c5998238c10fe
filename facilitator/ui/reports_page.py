"""Reports: the clinical lead's summary for a date range, previewed before it is printed."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from facilitator.domain.changes import Changes
from facilitator.domain.enums import Role
from facilitator.domain.errors import FacilitatorError
from facilitator.services import documents, roster
from facilitator.services.workspace import Workspace
from facilitator.ui import documents as previews
from facilitator.ui.bus import ChangeBus, Screen
from facilitator.ui.preview import PdfPreview
from facilitator.ui.widgets import date_edit, date_of, message_label

WEEKS_BACK = 13  # a quarter: the usual span of a lead's review


class ReportsPage(Screen):
    def __init__(
        self, workspace: Workspace, parent: QWidget | None = None, *, bus: ChangeBus | None = None
    ) -> None:
        super().__init__(workspace, parent, bus=bus)
        self.preview: PdfPreview | None = None
        today = dt.date.today()
        self.date_from = date_edit(self, "From", today - dt.timedelta(weeks=WEEKS_BACK))
        self.date_to = date_edit(self, "To", today)
        self.group = QComboBox(self)
        self.group.setAccessibleName("Group")
        self.minimum = QDoubleSpinBox(self)
        self.minimum.setAccessibleName("Weekly minimum hours")
        self.minimum.setRange(1, 40)
        self.minimum.setDecimals(1)
        self.minimum.setSuffix(" hours a week")
        self.save_minimum = QPushButton("Set m&inimum", self)
        self.save_minimum.setAccessibleName("Set the weekly minimum")
        self.save_minimum.clicked.connect(self.set_minimum)
        self.show_button = QPushButton("&Preview summary…", self)
        self.show_button.setAccessibleName("Preview the clinical lead summary")
        self.show_button.clicked.connect(self.show_report)
        self.message = message_label(self)
        minimum_row = QHBoxLayout()
        minimum_row.addWidget(self.minimum)
        minimum_row.addWidget(self.save_minimum)
        minimum_row.addStretch(1)
        form = QFormLayout()
        form.addRow("&From", self.date_from)
        form.addRow("T&o", self.date_to)
        form.addRow("Gro&up", self.group)
        form.addRow("Weekly minimum", minimum_row)
        column = QVBoxLayout(self)
        column.addWidget(
            QLabel(
                "The clinical lead summary: sessions held, attendance, hours against the weekly "
                "minimum, homework completion, mood and craving trends, safety follow-ups and "
                "sessions still unsigned.",
                self,
            )
        )
        narrow = QWidget(self)  # a short form reads better than one stretched across the screen
        narrow.setMaximumWidth(640)
        narrow_column = QVBoxLayout(narrow)
        narrow_column.setContentsMargins(0, 0, 0, 0)
        narrow_column.addLayout(form)
        narrow_column.addWidget(self.show_button)
        column.addWidget(narrow)
        column.addWidget(self.message)
        column.addStretch(1)
        self.refresh()

    @property
    def may_see_all(self) -> bool:
        return self.ws.actor.role in (Role.CLINICAL_LEAD, Role.ADMIN)

    def cares(self, changes: Changes) -> bool:
        return bool(changes.groups or changes.settings)

    def follow(self, changes: Changes) -> None:
        self.refresh()

    def refresh(self) -> None:
        chosen = self.group.currentData()
        self.group.clear()
        if self.may_see_all:
            self.group.addItem("All groups", None)
        for group in roster.list_groups(self.ws):
            self.group.addItem(group.name, str(group.id))
        index = self.group.findData(chosen)
        self.group.setCurrentIndex(max(index, 0))
        self.minimum.setValue(documents.weekly_minimum_minutes() / 60)
        self.minimum.setEnabled(self.may_see_all)
        self.save_minimum.setEnabled(self.may_see_all)

    def set_minimum(self) -> None:
        try:
            self.run(documents.set_weekly_minimum, self.ws, self.minimum.value())
        except FacilitatorError as exc:
            self.message.setText(exc.message)
            return
        self.message.setText(f"Weekly minimum set to {self.minimum.value():g} hours.")

    def build_report(self) -> PdfPreview | None:
        try:
            self.preview = previews.lead_report(
                self.ws,
                date_of(self.date_from),
                date_of(self.date_to),
                self.group.currentData(),
                self,
            )
        except FacilitatorError as exc:
            self.message.setText(exc.message)
            return None
        self.message.setText("")
        return self.preview

    def show_report(self) -> None:
        preview = self.build_report()
        if preview is not None:
            preview.open()
