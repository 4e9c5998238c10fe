"""Who staffs a group, and cover for some days: a clinical lead's or an administrator's
dialog on the Groups page. A facilitator sees the members and sessions of the groups they
staff or cover (services.visibility; on a clinic server the server holds them to it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QLabel, QWidget

from facilitator.domain.enums import Role
from facilitator.domain.records import GroupInfo, UserInfo
from facilitator.ui.forms import SavingDialog, chain_tabs, py_date
from facilitator.ui.models import day

ASSIGNS = (Role.CLINICAL_LEAD, Role.ADMIN)


def staff_lines(staff: list[tuple[str, str, dt.date | None, dt.date | None]]) -> str:
    if not staff:
        return "Nobody is assigned yet; facilitators see only the groups they staff."
    lines = []
    for username, kind, first, last in staff:
        if kind == "cover" and first and last:
            span = day(first) if first == last else f"{day(first)} to {day(last)}"
            lines.append(f"{username}: cover, {span}")
        else:
            lines.append(f"{username}: staff")
    return "\n".join(lines)


class StaffDialog(SavingDialog):
    def __init__(
        self,
        group: GroupInfo,
        staff: list[tuple[str, str, dt.date | None, dt.date | None]],
        facilitators: list[UserInfo],
        save: Callable[[str, dt.date | None, dt.date | None], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(f"Staff and cover for {group.name}", "&Assign", parent)
        self._save = save
        self.current = current = QLabel(staff_lines(staff), self)
        current.setAccessibleName("Assigned now")
        current.setWordWrap(True)
        self.body.insertWidget(0, current)
        self.person = QComboBox(self)
        self.person.setAccessibleName("Facilitator")
        for user in facilitators:
            self.person.addItem(f"{user.full_name} ({user.username})", user.username)
        self.cover = QCheckBox("Cover only, for these days", self)
        self.cover.setAccessibleName("Cover only")
        self.first = QDateEdit(QDate.currentDate(), self)
        self.first.setAccessibleName("First day")
        self.last = QDateEdit(QDate.currentDate(), self)
        self.last.setAccessibleName("Last day")
        for edit in (self.first, self.last):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd MMM yyyy")
            edit.setEnabled(False)
        self.cover.toggled.connect(self.first.setEnabled)
        self.cover.toggled.connect(self.last.setEnabled)
        self.form.addRow("&Facilitator", self.person)
        self.form.addRow("", self.cover)
        self.form.addRow("F&irst day", self.first)
        self.form.addRow("&Last day", self.last)
        self.fields = {"cover": self.first}
        self.finish()
        chain_tabs(self.person, self.cover, self.first, self.last, self.buttons)
        self.person.setFocus()

    def save(self) -> None:
        username = str(self.person.currentData() or "")
        if self.cover.isChecked():
            self._save(username, py_date(self.first.date()), py_date(self.last.date()))
        else:
            self._save(username, None, None)
