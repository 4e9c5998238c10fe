"""The recovery key: shown once after set-up (with a printable page), and used from the
sign-in screen to give an administrator a new password."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from facilitator.domain.errors import FacilitatorError
from facilitator.services import accounts, keys
from facilitator.ui.preview import PdfPreview
from facilitator.ui.widgets import message_label


class RecoveryKeyDialog(QDialog):
    """The new recovery key, once. Printing it is the usual way to keep it."""

    def __init__(self, key: str, program: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Your recovery key")
        self.key, self.program = key, program
        self.preview: PdfPreview | None = None
        intro = QLabel(
            "Write down or print this recovery key and keep it locked away. If every "
            "administrator's password is lost, it is the only way back into these records. "
            "It is shown only this once.",
            self,
        )
        intro.setWordWrap(True)
        self.key_label = QLabel(key, self)
        self.key_label.setAccessibleName("Recovery key")
        font = QFont("monospace")
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.key_label.setFont(font)
        self.print_button = QPushButton("&Print the key…", self)
        self.print_button.setAccessibleName("Print the recovery key")
        self.print_button.clicked.connect(self.show_sheet)
        buttons = QDialogButtonBox(self)
        done = buttons.addButton("I have &stored it safely", QDialogButtonBox.ButtonRole.AcceptRole)
        done.setAccessibleName("I have stored the recovery key safely")
        buttons.accepted.connect(self.accept)
        column = QVBoxLayout(self)
        for widget in (intro, self.key_label, self.print_button, buttons):
            column.addWidget(widget)

    def sheet(self) -> PdfPreview:
        from facilitator.export.recovery_sheet import recovery_sheet_bytes

        self.preview = PdfPreview(
            "Recovery key", recovery_sheet_bytes(
                self.program, self.key, root_fingerprint=keys.root_fingerprint()
            ), "recovery-key.pdf",
            lambda _printed: None, self,
        )  # fmt: skip
        return self.preview

    def show_sheet(self) -> None:
        self.sheet().open()


class RecoveryResetDialog(QDialog):
    """Give an administrator a new password with the recovery key."""

    def __init__(self, location: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.location = location
        self.setWindowTitle("Use the recovery key")
        self.username = self._line("Administrator's username")
        self.key = self._line("Recovery key")
        self.password = self._line("New password", secret=True)
        self.again = self._line("New password again", secret=True)
        self.message = message_label(self)
        form = QFormLayout()
        form.addRow("&Username", self.username)
        form.addRow("Recovery &key", self.key)
        form.addRow("&New password", self.password)
        form.addRow("&Again", self.again)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Reset password")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setAccessibleName("Reset password")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.message)
        column.addWidget(buttons)

    def _line(self, name: str, secret: bool = False) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setAccessibleName(name)
        if secret:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        return edit

    def accept(self) -> None:
        """Reset, or say why not and keep what was typed (the passwords are cleared)."""
        if self.password.text() != self.again.text():
            self.message.setText("The two new passwords differ.")
            return
        try:
            accounts.reset_with_recovery_key(
                self.location, self.key.text(), self.username.text(), self.password.text()
            )
        except FacilitatorError as exc:
            self.message.setText(exc.message)
            return
        super().accept()
