"""The pieces the screens' forms share: a dialog whose Save calls a service and, when the
service refuses, shows why and stays open with what was typed; the member form; table and
button helpers."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QDate,
    QItemSelectionModel,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from facilitator.domain.errors import FacilitatorError, InvalidInput
from facilitator.domain.records import MemberInfo
from facilitator.ui.models import (
    RowsModel,
)
from facilitator.ui.widgets import when_edited

ERROR_STYLE = "color: #a00000;"
PRONOUNS = ("", "she/her", "he/him", "they/them")


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
            # The message is about what the field held: it goes once the field is edited.
            when_edited(widget, lambda: say(self.message, ""))


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
