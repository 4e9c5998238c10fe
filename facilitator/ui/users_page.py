"""Users: the administrator's list of who may sign in, and the program's lock time.

Adding a user, resetting a password and deactivating go through ``services.accounts``;
a deactivated user's signed records stay theirs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from facilitator.domain.changes import Changes
from facilitator.domain.enums import Role
from facilitator.domain.errors import FacilitatorError, InvalidInput
from facilitator.domain.records import UserInfo
from facilitator.services import accounts, keys, security
from facilitator.services.workspace import Workspace
from facilitator.ui.bus import ChangeBus, Screen, run_for
from facilitator.ui.forms import SavingDialog
from facilitator.ui.models import RowsModel
from facilitator.ui.widgets import message_label

ROLE_LABELS = {
    Role.FACILITATOR: "Facilitator",
    Role.CLINICAL_LEAD: "Clinical lead",
    Role.ADMIN: "Administrator",
}
NO_SUPERVISOR = "No supervisor"


def _secret(parent: QWidget, name: str) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setAccessibleName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def _line(parent: QWidget, name: str) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setAccessibleName(name)
    return edit


ROTATED = (
    " The database was re-encrypted under a new key: copies of the key file made before no "
    "longer open it."
)


class UsersModel(RowsModel):
    USERNAME, NAME, CREDENTIALS, ROLE, ACTIVE, SUPERVISION, SUPERVISOR = range(7)
    HEADERS = (
        "Username",
        "Full name",
        "Credentials",
        "Role",
        "Active",
        "Requires supervision",
        "Supervisor",
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.names: dict[int, str] = {}

    def set_rows(self, rows: Any) -> None:
        rows = list(rows)
        self.names = {u.id: u.full_name for u in rows}
        super().set_rows(rows)

    def row_at(self, row: int) -> UserInfo:
        user: UserInfo = self._rows[row]
        return user

    def cells(self, row: UserInfo) -> tuple[str, ...]:
        supervisor = self.names.get(row.supervisor_id, "") if row.supervisor_id else ""
        role = ROLE_LABELS.get(row.role, str(row.role))
        if row.role is Role.ADMIN and not row.clinician:
            role += " (not a clinician)"
        return (
            row.username,
            row.full_name,
            row.credentials,
            role,
            "Yes" if row.active else "No",
            "Yes" if row.requires_supervision else "No",
            supervisor,
        )


class AddUserDialog(SavingDialog):
    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__("Add a user", "&Add user", parent)
        self.ws = ws
        self.username = _line(self, "Username")
        self.full_name = _line(self, "Full name")
        self.credentials = _line(self, "Credentials")
        self.credentials.setPlaceholderText("e.g. LCSW, CADC")
        self.role = QComboBox(self)
        self.role.setAccessibleName("Role")
        for role in (Role.FACILITATOR, Role.CLINICAL_LEAD, Role.ADMIN):
            self.role.addItem(ROLE_LABELS[role], role.value)
        self.password = _secret(self, "Password")
        self.password.setPlaceholderText("at least 12 characters")
        self.again = _secret(self, "Password again")
        self.clinician = QCheckBox("Also runs and &signs sessions", self)
        self.clinician.setAccessibleName("Administrator also runs and signs sessions")
        self.clinician.setChecked(True)
        self.role.currentIndexChanged.connect(self._role_chosen)
        self._role_chosen()
        self.form.addRow("&Username", self.username)
        self.form.addRow("Full &name", self.full_name)
        self.form.addRow("&Credentials", self.credentials)
        self.form.addRow("R&ole", self.role)
        self.form.addRow("", self.clinician)
        self.form.addRow("&Password", self.password)
        self.form.addRow("Password a&gain", self.again)
        self.finish()

    def _role_chosen(self, _index: int = 0) -> None:
        # Facilitators and leads are clinicians; only an administrator may be office staff.
        self.clinician.setEnabled(self.role.currentData() == Role.ADMIN.value)

    def save(self) -> None:
        if self.password.text() != self.again.text():
            self.again.setFocus()
            raise InvalidInput("password", "the two passwords differ")
        run_for(
            self,
            accounts.add_user,
            self.ws,
            username=self.username.text(),
            password=self.password.text(),
            full_name=self.full_name.text(),
            credentials=self.credentials.text(),
            role=Role(self.role.currentData()),
            clinician=self.clinician.isChecked(),
        )
        self.password.clear()
        self.again.clear()


class ResetPasswordDialog(SavingDialog):
    def __init__(self, ws: Workspace, username: str, parent: QWidget | None = None) -> None:
        super().__init__(f"Reset the password of {username}", "&Reset password", parent)
        self.ws = ws
        self.username = username
        self.password = _secret(self, "New password")
        self.password.setPlaceholderText("at least 12 characters")
        self.again = _secret(self, "New password again")
        note = QLabel(
            f"{username} signs in with this password from now on; tell them in person.", self
        )
        note.setWordWrap(True)
        self.form.addRow(note)
        self.form.addRow("&New password", self.password)
        self.form.addRow("Password a&gain", self.again)
        self.finish()

    def save(self) -> None:
        if self.password.text() != self.again.text():
            self.again.setFocus()
            raise InvalidInput("password", "the two passwords differ")
        run_for(self, accounts.reset_password, self.ws, self.username, self.password.text())
        self.password.clear()
        self.again.clear()


class SupervisionDialog(SavingDialog):
    def __init__(
        self, ws: Workspace, user: UserInfo, users: list[UserInfo], parent: QWidget | None = None
    ) -> None:
        super().__init__(f"Supervision of {user.username}", "&Save", parent)
        self.ws = ws
        self.user = user
        self.supervisor = QComboBox(self)
        self.supervisor.setAccessibleName("Supervisor")
        self.supervisor.addItem(NO_SUPERVISOR, None)
        for other in users:  # supervisors are active clinical leads
            if other.id != user.id and other.active and other.role is Role.CLINICAL_LEAD:
                self.supervisor.addItem(f"{other.full_name} ({other.username})", other.username)
        current = next((u.username for u in users if u.id == user.supervisor_id), None)
        self.supervisor.setCurrentIndex(max(self.supervisor.findData(current), 0))
        note = QLabel(
            "A user with a supervisor needs the supervisor's co-signature on their notes.", self
        )
        note.setWordWrap(True)
        self.form.addRow(note)
        self.form.addRow("Su&pervisor", self.supervisor)
        self.finish()

    def save(self) -> None:
        run_for(
            self,
            accounts.set_supervision,
            self.ws,
            self.user.username,
            self.supervisor.currentData(),
        )


class UsersPage(Screen):
    def __init__(
        self, workspace: Workspace, parent: QWidget | None = None, *, bus: ChangeBus | None = None
    ) -> None:
        super().__init__(workspace, parent, bus=bus)
        self.dialog: QDialog | None = None
        self.model = UsersModel(self)
        self.table = QTableView(self)
        self.table.setAccessibleName("Users")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in ((0, 130), (1, 220), (2, 110), (3, 120), (4, 70), (5, 160)):
            self.table.setColumnWidth(column, width)
        self.add_button = QPushButton("&Add user…", self)
        self.add_button.setAccessibleName("Add a user")
        self.add_button.clicked.connect(self.add_user)
        self.reset_button = QPushButton("Reset &password…", self)
        self.reset_button.setAccessibleName("Reset the selected user's password")
        self.reset_button.clicked.connect(self.reset_password)
        self.supervision_button = QPushButton("Super&vision…", self)
        self.supervision_button.setAccessibleName("Set the selected user's supervisor")
        self.supervision_button.clicked.connect(self.edit_supervision)
        self.deactivate_button = QPushButton("&Deactivate…", self)
        self.deactivate_button.setAccessibleName("Deactivate the selected user")
        self.deactivate_button.clicked.connect(self.deactivate)
        self.rotate_button = QPushButton("Rotate the database &key…", self)
        self.rotate_button.setAccessibleName("Re-encrypt the database under a new key")
        self.rotate_button.setToolTip(
            "Re-encrypt the database under a new key: a copy of the key file made before no "
            "longer opens it. Done by itself whenever a user is deactivated."
        )
        self.rotate_button.clicked.connect(self.rotate_key)
        self.rotate_button.setVisible(not self.ws.store.is_postgres)
        self.lock_minutes = QSpinBox(self)
        self.lock_minutes.setAccessibleName("Lock after minutes without input")
        self.lock_minutes.setRange(1, security.MAX_LOCK_MINUTES)
        self.lock_minutes.setSuffix(" minutes without input")
        self.save_lock = QPushButton("&Set lock time", self)
        self.save_lock.setAccessibleName("Set the automatic lock time")
        self.save_lock.clicked.connect(self.set_lock_minutes)
        self.time_zone = QComboBox(self)
        self.time_zone.setAccessibleName("The clinic's time zone")
        self.time_zone.setEditable(True)
        self.time_zone.addItem("This computer's zone", "")
        for zone in accounts.time_zones():
            self.time_zone.addItem(zone, zone)
        self.save_zone = QPushButton("Set &zone", self)
        self.save_zone.setAccessibleName("Set the clinic's time zone")
        self.save_zone.clicked.connect(self.set_time_zone)
        self.message = message_label(self)

        buttons = QHBoxLayout()
        for button in (
            self.add_button,
            self.reset_button,
            self.supervision_button,
            self.deactivate_button,
            self.rotate_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        lock_row = QHBoxLayout()
        lock_row.addWidget(self.lock_minutes)
        lock_row.addWidget(self.save_lock)
        lock_row.addStretch(1)
        lock_label = QLabel("Lock the screen a&fter", self)
        lock_label.setBuddy(self.lock_minutes)
        zone_row = QHBoxLayout()
        zone_row.addWidget(self.time_zone)
        zone_row.addWidget(self.save_zone)
        zone_row.addStretch(1)
        settings = QFormLayout()
        settings.addRow(lock_label, lock_row)
        settings.addRow("Clinic time zone", zone_row)
        # Selectable, so it can be read out or pasted into `facilitator check --root`.
        self.root_key = QLabel(self)
        self.root_key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.root_key.setAccessibleName("Clinic root key fingerprint")
        self.root_key.setToolTip(
            "Compare with the recovery sheet and the footer of signed records; "
            "'facilitator check --root' checks the database against it"
        )
        settings.addRow("Clinic root key", self.root_key)
        page = QVBoxLayout(self)
        page.addWidget(
            QLabel(
                "Who may sign in. Deactivating a user stops their sign-in; everything they "
                "wrote and signed stays in the record under their name.",
                self,
            )
        )
        page.addWidget(self.table, 1)
        page.addLayout(buttons)
        page.addLayout(settings)
        page.addWidget(self.message)
        for first, second in (
            (self.table, self.add_button),
            (self.add_button, self.reset_button),
            (self.reset_button, self.supervision_button),
            (self.supervision_button, self.deactivate_button),
            (self.deactivate_button, self.rotate_button),
            (self.rotate_button, self.lock_minutes),
            (self.lock_minutes, self.save_lock),
            (self.save_lock, self.time_zone),
            (self.time_zone, self.save_zone),
        ):
            QWidget.setTabOrder(first, second)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._enable())
        self.refresh()

    # ------------------------------------------------------------------------- state

    def cares(self, changes: Changes) -> bool:
        return bool(changes.users or changes.settings)

    def follow(self, changes: Changes) -> None:
        self.refresh()

    def refresh(self) -> None:
        chosen = self.selected()
        try:
            users = accounts.list_users(self.ws)
        except FacilitatorError as exc:
            self.message.setText(exc.message)
            users = []
        self.model.set_rows(users)
        row = next((i for i, u in enumerate(users) if chosen and u.username == chosen.username), 0)
        if users:
            self.table.selectRow(row)
        self.lock_minutes.setValue(security.lock_minutes())
        self.root_key.setText(keys.root_fingerprint() or "not made yet")
        zone = accounts.time_zone()
        found = self.time_zone.findData(zone)
        if found >= 0:
            self.time_zone.setCurrentIndex(found)
        else:
            self.time_zone.setEditText(zone)
        self._enable()

    def selected(self) -> UserInfo | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.row_at(index.row())

    def select(self, username: str) -> None:
        for row, user in enumerate(self.model.rows()):
            if user.username == username:
                self.table.selectRow(row)
                return

    def _enable(self) -> None:
        user = self.selected()
        for button in (self.reset_button, self.supervision_button, self.deactivate_button):
            button.setEnabled(user is not None and user.active)
        if user is not None and user.username == self.ws.actor.username:
            # Not on one's own account: an administrator cannot lock themself out here.
            self.reset_button.setEnabled(False)
            self.deactivate_button.setEnabled(False)

    # ------------------------------------------------------------------------- actions

    def _open(self, dialog: QDialog, done: str) -> QDialog:
        self.dialog = dialog

        def finished(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                self.message.setText(done)
                self.refresh()

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    def add_user(self) -> QDialog:
        dialog = AddUserDialog(self.ws, self)

        def added(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                self.select(dialog.username.text().strip().lower())
                self.message.setText(f"Added {dialog.username.text().strip().lower()}.")

        self._open(dialog, "")
        dialog.finished.connect(added)
        return dialog

    def reset_password(self) -> QDialog | None:
        user = self.selected()
        if user is None:
            self.message.setText("Choose a user in the list first.")
            return None
        return self._open(
            ResetPasswordDialog(self.ws, user.username, self),
            f"The password of {user.username} was reset.",
        )

    def edit_supervision(self) -> QDialog | None:
        user = self.selected()
        if user is None:
            self.message.setText("Choose a user in the list first.")
            return None
        return self._open(
            SupervisionDialog(self.ws, user, self.model.rows(), self),
            f"Supervision of {user.username} saved.",
        )

    def confirm_deactivate(self, user: UserInfo) -> bool:
        answer = QMessageBox.question(
            self,
            "Deactivate user",
            f"Deactivate {user.full_name} ({user.username})? They can no longer sign in; "
            "the records they wrote and signed stay as they are.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def deactivate(self) -> None:
        user = self.selected()
        if user is None:
            self.message.setText("Choose a user in the list first.")
            return
        if not self.confirm_deactivate(user):
            return
        try:
            with self._progress("Deactivating and re-encrypting…") as progress:
                self.run(accounts.deactivate_user, self.ws, user.username, progress)
        except FacilitatorError as exc:
            self.refresh()  # the deactivation may stand though the re-encryption did not
            self.message.setText(exc.message)
            return
        self.refresh()
        rotated = "" if self.ws.store.is_postgres else ROTATED
        self.message.setText(f"{user.username} was deactivated.{rotated}")

    def rotate_key(self) -> None:
        answer = QMessageBox.question(
            self,
            "Rotate the database key",
            "Re-encrypt the whole database under a new key? Every user keeps their password; "
            "copies of the key file made before stop opening it. Other windows and commands "
            "using this database must be closed first.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            with self._progress("Re-encrypting the database…") as progress:
                self.run(keys.rotate_database_key, self.ws, progress=progress)
        except FacilitatorError as exc:
            self.message.setText(exc.message)
            return
        self.message.setText(ROTATED.strip())

    @contextlib.contextmanager
    def _progress(self, label: str) -> Iterator[Callable[[int, int], None]]:
        """A progress dialog fed in pages copied (the copy runs on this thread: the window
        is given its turn between steps)."""
        dialog = QProgressDialog(label, "", 0, 0, self)
        dialog.setCancelButton(None)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)

        def step(done: int, total: int) -> None:
            dialog.setMaximum(total)
            dialog.setValue(done)
            QApplication.processEvents()

        try:
            yield step
        finally:
            dialog.reset()
            dialog.deleteLater()

    def set_time_zone(self) -> None:
        typed = self.time_zone.currentText().strip()
        zone = (
            self.time_zone.currentData()
            if typed == self.time_zone.itemText(self.time_zone.currentIndex())
            else typed
        )
        try:
            self.run(accounts.set_time_zone, self.ws, zone or "")
        except FacilitatorError as exc:
            self.message.setText(exc.message)
            return
        self.message.setText(
            f"Times show on the clock of {zone}."
            if zone
            else "Times show on this computer's clock."
        )

    def set_lock_minutes(self) -> None:
        try:
            self.run(security.set_lock_minutes, self.ws, self.lock_minutes.value())
        except FacilitatorError as exc:
            self.message.setText(exc.message)
            return
        window = self.window()
        restart = getattr(window, "_start_inactivity_lock", None)
        if callable(restart):
            restart()  # the new time counts from now
        self.message.setText(f"The screen locks after {self.lock_minutes.value()} minutes.")
