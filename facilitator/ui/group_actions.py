"""The Groups page's dialogs and what their Save does: a group's settings, enrolling,
discharging, staff and cover. Each *_dialog method builds the dialog without showing it, so a
test can fill it in and call accept(); the button handlers open it window-modal without
blocking. The savers raise FacilitatorError to the dialog, which shows it and stays open.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QTableView

from facilitator.domain.changes import Changes
from facilitator.domain.enums import Role
from facilitator.domain.errors import EditConflict
from facilitator.domain.records import EnrollmentInfo, GroupInfo, MemberInfo
from facilitator.services import accounts, directory, edits, roster, visibility
from facilitator.services.directory import GroupRoster
from facilitator.ui.bus import Screen
from facilitator.ui.forms import say, select_row, selected_row
from facilitator.ui.group_dialogs import DischargeDialog, EnrollDialog, GroupDialog
from facilitator.ui.models import RosterModel, day
from facilitator.ui.staff_dialog import StaffDialog


class GroupActions(Screen):
    """The Groups page's half that opens dialogs and saves (GroupsPage is the other)."""

    # Made by GroupsPage when it builds itself.
    overview: GroupRoster | None
    group_id: int | None
    message: QLabel
    roster_view: QTableView
    roster_model: RosterModel
    _dialog: QDialog | None

    def selected_enrollment(self) -> tuple[EnrollmentInfo, MemberInfo] | None:
        row = selected_row(self.roster_view)
        return None if row is None else self.roster_model.row_at(row)

    def select_enrollment(self, enrollment_id: int) -> None:
        ids = [e.id for e, _m in self.roster_model.rows()]
        select_row(self.roster_view, ids.index(enrollment_id))

    # Each *_dialog method builds the dialog without showing it, so a test can fill it in and
    # call accept(); the button handlers open it window-modal without blocking.

    def _open(self, dialog: QDialog | None) -> None:
        if dialog is not None:
            self._dialog = dialog
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

    def group_dialog(self, group: GroupInfo | None = None) -> GroupDialog:
        group_id = group.id if group else None
        seen = [group]  # what the form started from (see members_page.profile_dialog)
        return GroupDialog(lambda values: self._save_group(group_id, values, seen), group, self)

    def new_group(self) -> None:
        self._open(self.group_dialog())

    def edit_group(self) -> None:
        if self.overview is not None:
            self._open(self.group_dialog(self.overview.group))

    def staff_dialog(self) -> StaffDialog | None:
        if self.overview is None:
            return None
        group = self.overview.group
        return StaffDialog(
            group,
            visibility.staff_of(group.id),
            [u for u in accounts.list_users(self.ws) if u.active and u.role is Role.FACILITATOR],
            lambda user, first, last: self._assign(group, user, first, last),
            self,
        )

    def staff(self) -> None:
        self._open(self.staff_dialog())

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

    def _save_group(
        self, group_id: int | None, values: dict[str, Any], seen: list[GroupInfo | None]
    ) -> None:
        if group_id is None:
            changes = self.run(roster.create_group, self.ws, **values)
            group_id = changes.created_id
        else:  # only what changed from the form as shown is saved (another seat may have saved)
            try:
                self.run(roster.update_group, self.ws, group_id, seen=seen[0], **values)
            except EditConflict as exc:  # its user has now read theirs: again goes over it
                if seen[0] is not None:
                    seen[0] = edits.theirs_read(seen[0], exc)
                raise
        self.group_id = group_id
        self._changed(f"Saved {values['name'].strip()}.")

    def _assign(
        self, group: GroupInfo, user: str, first: dt.date | None, last: dt.date | None
    ) -> None:
        self.run(visibility.assign, self.ws, group.id, user, cover_from=first, cover_until=last)
        self._changed(f"{user} {'covers' if first else 'staffs'} {group.name}.")

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
