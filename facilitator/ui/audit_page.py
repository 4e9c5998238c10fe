"""Audit: the trail of who did what, filtered, checked link by link, and printed.

For clinical leads and administrators. Entries name members by id only; the member filter
finds the id by name or record number.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from facilitator.domain.audit import Action, AuditEntryRecord, RecordKind
from facilitator.domain.changes import Changes
from facilitator.domain.errors import FacilitatorError
from facilitator.domain.rules import to_local
from facilitator.services import accounts, audit, roster
from facilitator.services.workspace import Workspace
from facilitator.ui.bus import ChangeBus, Screen
from facilitator.ui.documents import audited_preview
from facilitator.ui.models import RowsModel
from facilitator.ui.preview import PdfPreview
from facilitator.ui.widgets import date_edit, date_of, message_label

DAYS_BACK = 30
ACTIONS = tuple(Action)
ANYONE = "Anyone"
ANY_MEMBER = "Any member"
ANY_ACTION = "Any action"


def action_label(action: str) -> str:
    return action.replace("_", " ")


# How far back (in ids) a newly committed entry can be on a server (see add_new_entries).
LATE = 500


class AuditModel(RowsModel):
    TIME, USER, WORKSTATION, ACTION, MEMBER, RECORD, OUTCOME, DETAIL = range(8)
    HEADERS = (
        "Time",
        "User",
        "Workstation",
        "Action",
        "Member id",
        "Record",
        "Outcome",
        "Detail",
    )

    def __init__(self, time_zone: str = "", parent: Any = None) -> None:
        super().__init__(parent)
        self.time_zone = time_zone

    def row_at(self, row: int) -> AuditEntryRecord:
        entry: AuditEntryRecord = self._rows[row]
        return entry

    def cells(self, row: AuditEntryRecord) -> tuple[str, ...]:
        facts = row.facts
        local = to_local(facts.at, self.time_zone)
        number = "" if facts.record_id is None else str(facts.record_id)
        record = f"{facts.record_kind} {number}".strip()
        return (
            f"{local:%Y-%m-%d %H:%M:%S}",
            facts.username,
            facts.workstation,
            action_label(facts.action),
            "" if facts.member_id is None else str(facts.member_id),
            record,
            facts.outcome,
            facts.detail,
        )

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            role == Qt.ItemDataRole.ToolTipRole
            and index.isValid()
            and index.column() == self.TIME
            and 0 <= index.row() < len(self._rows)
        ):
            return f"{self._rows[index.row()].facts.at:%Y-%m-%d %H:%M:%S} UTC"
        return super().data(index, role)

    def spoken(self, row: AuditEntryRecord, column: int) -> str:
        text = self.text(row, column)
        if not text and column == self.MEMBER:
            return "no member"
        return text


class AuditPage(Screen):
    """The trail, filtered; entries written while it is open (here or on any other screen)
    appear at the top as they are written, if the filters let them through."""

    def __init__(
        self, workspace: Workspace, parent: QWidget | None = None, *, bus: ChangeBus | None = None
    ) -> None:
        super().__init__(workspace, parent, bus=bus)
        self.preview: PdfPreview | None = None
        today = dt.date.today()
        self.date_from = date_edit(self, "From", today - dt.timedelta(days=DAYS_BACK))
        self.date_to = date_edit(self, "To", today)
        self.user = QComboBox(self)
        self.user.setAccessibleName("User")
        self.member_search = QLineEdit(self)
        self.member_search.setAccessibleName("Find a member by name or record number")
        self.member_search.setPlaceholderText("name or record number")
        self.member_search.setClearButtonEnabled(True)
        self.member = QComboBox(self)
        self.member.setAccessibleName("Member")
        self.member.setMinimumContentsLength(24)
        self.action = QComboBox(self)
        self.action.setAccessibleName("Action")
        self.action.addItem(ANY_ACTION, None)
        for action in ACTIONS:
            self.action.addItem(action_label(action), action)
        self.verify_button = QPushButton("&Verify chain", self)
        self.verify_button.setAccessibleName("Verify the audit chain")
        self.verify_button.clicked.connect(self.verify)
        self.export_button = QPushButton("E&xport PDF…", self)
        self.export_button.setAccessibleName("Export the audit report as PDF")
        self.export_button.clicked.connect(self.show_report)
        self.model = AuditModel(accounts.time_zone(), self)
        self.table = QTableView(self)
        self.table.setAccessibleName("Audit entries")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in ((0, 150), (1, 100), (2, 130), (3, 110), (4, 80), (5, 130), (6, 80)):
            self.table.setColumnWidth(column, width)
        self.count = QLabel("", self)
        self.count.setAccessibleName("Entries shown")
        self.chain = QLabel("", self)
        self.chain.setAccessibleName("Chain check")
        self.chain.setWordWrap(True)
        self.message = message_label(self)

        dates = QHBoxLayout()
        dates.addWidget(self.date_from)
        to_label = QLabel("T&o", self)
        to_label.setBuddy(self.date_to)
        dates.addWidget(to_label)
        dates.addWidget(self.date_to)
        dates.addStretch(1)
        member_row = QHBoxLayout()
        member_row.addWidget(self.member_search, 1)
        member_row.addWidget(self.member, 2)
        # A row whose field is a layout gets no buddy from the form: label those by hand.
        from_label = QLabel("&From", self)
        from_label.setBuddy(self.date_from)
        member_label = QLabel("M&ember", self)
        member_label.setBuddy(self.member_search)
        left = QFormLayout()
        left.addRow(from_label, dates)
        left.addRow("&User", self.user)
        right = QFormLayout()
        right.addRow(member_label, member_row)
        right.addRow("&Action", self.action)
        filters = QHBoxLayout()
        filters.addLayout(left, 1)
        filters.addSpacing(24)
        filters.addLayout(right, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.count)
        buttons.addStretch(1)
        buttons.addWidget(self.verify_button)
        buttons.addWidget(self.export_button)
        page = QVBoxLayout(self)
        page.addLayout(filters)
        page.addWidget(self.table, 1)
        page.addLayout(buttons)
        page.addWidget(self.chain)
        page.addWidget(self.message)
        for first, second in (
            (self.date_from, self.date_to),
            (self.date_to, self.user),
            (self.user, self.member_search),
            (self.member_search, self.member),
            (self.member, self.action),
            (self.action, self.table),
            (self.table, self.verify_button),
            (self.verify_button, self.export_button),
        ):
            QWidget.setTabOrder(first, second)

        self._fill_users()
        self._fill_members("")
        self.member_search.textChanged.connect(self._fill_members)
        for combo in (self.user, self.member, self.action):
            combo.currentIndexChanged.connect(self.refresh)
        self.date_from.dateChanged.connect(self.refresh)
        self.date_to.dateChanged.connect(self.refresh)
        self.refresh()

    # ------------------------------------------------------------------------- filters

    def _fill_users(self) -> None:
        self.user.clear()
        self.user.addItem(ANYONE, None)
        try:
            users = accounts.list_users(self.ws)
        except FacilitatorError as exc:
            self.message.setText(exc.message)
            return
        for user in users:
            self.user.addItem(f"{user.full_name} ({user.username})", user.id)

    def _fill_members(self, search: str) -> None:
        chosen = self.member.currentData()
        self.member.blockSignals(True)
        try:
            self.member.clear()
            self.member.addItem(ANY_MEMBER, None)
            for info in roster.list_members(search.strip()):
                record = f", {info.record_number}" if info.record_number else ""
                self.member.addItem(f"{info.display_name} (#{info.id}{record})", info.id)
            index = self.member.findData(chosen) if chosen is not None else -1
            if index < 0 and search.strip() and self.member.count() == 2:
                index = 1  # one match: that member is meant
            self.member.setCurrentIndex(max(index, 0))
        finally:
            self.member.blockSignals(False)
        if self.member.currentData() != chosen:
            self.refresh()

    def filters(self) -> dict[str, Any]:
        return {
            "date_from": date_of(self.date_from),
            "date_to": date_of(self.date_to),
            "user_id": self.user.currentData(),
            "member_id": self.member.currentData(),
            "action": self.action.currentData(),
        }

    def filter_lines(self) -> list[tuple[str, str]]:
        """The filters as the report prints them (members by id, as the trail names them)."""
        values = self.filters()
        lines = [("From", values["date_from"].isoformat()), ("To", values["date_to"].isoformat())]
        lines.append(("User", self.user.currentText() if values["user_id"] else ANYONE))
        member = values["member_id"]
        lines.append(("Member", f"id {member}" if member is not None else ANY_MEMBER))
        lines.append(("Action", values["action"] or ANY_ACTION))
        return lines

    def cares(self, changes: Changes) -> bool:
        return bool(changes.audit or changes.users or changes.members)

    def follow(self, changes: Changes) -> None:
        if changes.users:
            chosen = self.user.currentData()
            self.user.blockSignals(True)
            self._fill_users()
            self.user.setCurrentIndex(max(self.user.findData(chosen), 0))
            self.user.blockSignals(False)
        if changes.members:
            self._fill_members(self.member_search.text())
        self.add_new_entries()

    def _query(self, after_id: int | None = None) -> list[AuditEntryRecord] | None:
        """The entries the filters let through (newer than ``after_id``), newest first; None
        when the filters cannot be met or the trail cannot be read (the message says why)."""
        values = self.filters()
        if values["date_to"] < values["date_from"]:
            self.message.setText("The From date is after the To date.")
            return None
        # The trail keeps UTC; the dates chosen are the clinic's. Ask for a day either side
        # and keep the entries whose local date is in the range.
        first, last = values["date_from"], values["date_to"]
        query = {
            **values,
            "date_from": first - dt.timedelta(days=1),
            "date_to": last + dt.timedelta(days=1),
        }
        zone = self.model.time_zone
        try:
            found = audit.entries(self.ws, **query, after_id=after_id)
        except FacilitatorError as exc:
            self.message.setText(exc.message)
            return None
        self.message.setText("")
        return [e for e in found if first <= to_local(e.facts.at, zone).date() <= last]

    def refresh(self) -> None:
        rows = self._query()
        self.model.set_rows(rows or [])
        self._count()

    def add_new_entries(self) -> None:
        """Entries written since the newest shown, at the top: nothing else is read again.

        On a clinic server each seat chains in its own lane, so an entry can commit after one
        with a higher id: the last LATE ids are asked again, and one that turns up below the
        newest shown has the list read again in order."""
        shown = self.model.rows()
        if not shown:
            self.model.set_rows(self._query() or [])
            self._count()
            return
        newest = shown[0].id
        rows = self._query(after_id=max(0, newest - LATE))
        if rows is None:
            return
        known = {entry.id for entry in shown[: LATE + 1]}
        fresh = [entry for entry in rows if entry.id not in known]
        if any(entry.id < newest for entry in fresh):
            self.refresh()
            return
        self.model.prepend_rows(fresh)
        self._count()

    def _count(self) -> None:
        count = self.model.rowCount()
        self.count.setText(f"{count} entr{'y' if count == 1 else 'ies'}, newest first")

    # ------------------------------------------------------------------------- actions

    def verify(self) -> str:
        try:
            report = audit.verify()
        except FacilitatorError as exc:
            self.message.setText(exc.message)
            return ""
        if report.ok:
            text = f"The chain holds: all {report.entries} entries are as they were written."
        else:
            text = f"The chain is broken: entry {report.broken_at} {report.reason}."
        self.chain.setText(text)
        return text

    def build_report(self) -> PdfPreview | None:
        from facilitator.export.audit_report import AuditReport, audit_report_bytes

        values = self.filters()
        try:
            report = AuditReport(
                program=accounts.program_name(),
                entries=self.model.rows(),
                filters=self.filter_lines(),
                time_zone=accounts.time_zone(),
                chain=self.chain.text(),
                head=audit.head(),
            )
        except FacilitatorError as exc:
            self.message.setText(exc.message)
            return None
        self.preview = audited_preview(
            self.ws,
            f"Audit trail, {values['date_from']:%d %b} to {values['date_to']:%d %b %Y}",
            lambda: audit_report_bytes(report),
            f"audit-{values['date_from'].isoformat()}-to-{values['date_to'].isoformat()}.pdf",
            RecordKind.AUDIT_REPORT,
            None,
            self,
        )
        return self.preview

    def show_report(self) -> None:
        preview = self.build_report()
        if preview is not None:
            preview.open()
