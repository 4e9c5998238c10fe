"""Change my password: everyone replaces the password an administrator gave them, so nobody
else knows it (services.accounts.change_own_password)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from facilitator.domain.errors import InvalidInput
from facilitator.ui.forms import SavingDialog, chain_tabs


class PasswordDialog(SavingDialog):
    def __init__(
        self,
        username: str,
        save: Callable[[str, str], object],
        parent: QWidget | None = None,
        *,
        first: bool = False,
    ) -> None:
        super().__init__(f"Change the password of {username}", "&Change password", parent)
        self._save = save
        opening = (
            "You signed in with a password an administrator gave you, so they know it: choose "
            "your own before you start (Cancel closes the window)."
            if first
            else "Choose a password only you know."
        )
        intro = QLabel(
            opening + " At least 12 characters. It also opens your signing key: signing and "
            "unlocking ask for it.",
            self,
        )
        self.intro = intro
        intro.setWordWrap(True)
        self.body.insertWidget(0, intro)
        self.current, self.new, self.repeat = (self._secret(n) for n in ("Current password",
                                                                         "New password",
                                                                         "New password again"))  # fmt: skip
        self.form.addRow("C&urrent password", self.current)
        self.form.addRow("&New password", self.new)
        self.form.addRow("New password a&gain", self.repeat)
        self.fields = {"current password": self.current, "password": self.new}
        self.finish()
        chain_tabs(self.current, self.new, self.repeat, self.buttons)
        self.current.setFocus()

    def _secret(self, name: str) -> QLineEdit:
        field = QLineEdit(self)
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setAccessibleName(name)
        return field

    def save(self) -> None:
        if self.new.text() != self.repeat.text():
            raise InvalidInput("password", "the two new passwords differ")
        self._save(self.current.text(), self.new.text())
        for field in (self.current, self.new, self.repeat):
            field.clear()  # nothing typed stays in the window
