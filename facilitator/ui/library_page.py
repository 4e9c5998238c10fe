"""The homework library: find an item, read its guide and handout, and keep the clinic's own.

Shipped items are read-only (a new version arrives with an upgrade); a clinic makes its own by
writing one, duplicating a shipped one, or importing a file another clinic exported.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from facilitator.domain.changes import Changes
from facilitator.domain.enums import HomeworkCategory, Track
from facilitator.domain.errors import FacilitatorError
from facilitator.domain.records import Completion, HomeworkItemInfo
from facilitator.domain.worksheet import from_text, to_text
from facilitator.services import accounts, library
from facilitator.services.outputs import output_path
from facilitator.services.workspace import Workspace
from facilitator.ui.bus import ChangeBus, Screen
from facilitator.ui.models import TRACK_LABELS
from facilitator.ui.widgets import message_label

Index = QModelIndex | QPersistentModelIndex
CATEGORY_LABELS = {
    HomeworkCategory.CBT: "CBT",
    HomeworkCategory.DBT: "DBT",
    HomeworkCategory.PSYCHOEDUCATION: "Psychoeducation",
    HomeworkCategory.RELAPSE_PREVENTION: "Relapse prevention",
}


def words(value: str) -> str:
    return value.replace("_", " ")


class LibraryModel(QAbstractTableModel):
    """The items found, newest version of each."""

    TITLE, CATEGORY, MODULE, MINUTES, DONE, ORIGIN = range(6)
    HEADERS = ("Title", "Category", "Module", "Minutes", "Done", "Made by")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)  # owned by its page: never left for the garbage collector
        self.items: list[HomeworkItemInfo] = []
        self.completion: dict[str, Completion] = {}

    def set_items(
        self, items: list[HomeworkItemInfo], completion: dict[str, Completion] | None = None
    ) -> None:
        """The items to list, with how their reviewed homework turned out (by slug)."""
        self.beginResetModel()
        self.items = items
        self.completion = completion or {}
        self.endResetModel()

    def _done(self, item: HomeworkItemInfo) -> str:
        rate = self.completion.get(item.slug)
        return "—" if rate is None or rate.rate is None else f"{rate.rate:.0%}"

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            return None
        item = self.items[index.row()]
        archived = " (archived)" if item.archived else ""
        return {
            self.TITLE: item.title + archived,
            self.CATEGORY: CATEGORY_LABELS.get(HomeworkCategory(item.category), item.category),
            self.MODULE: words(item.module),
            self.MINUTES: str(item.minutes),
            self.DONE: self._done(item),
            self.ORIGIN: f"Shipped v{item.version}" if item.shipped else f"Clinic v{item.version}",
        }[index.column()]


def guide_html(item: HomeworkItemInfo, completion: Completion | None = None) -> str:
    """The facilitator's guide and the member's handout, as the preview shows them."""
    esc = html.escape
    steps = "".join(f"<li>{esc(s)}</li>" for s in item.steps)
    prompts = "".join(f"<li>{esc(p)}</li>" for p in item.prompts)
    fields = "".join(
        f"<li>{esc(str(f.get('label')))} <i>({esc(str(f.get('kind')))})</i></li>"
        for f in item.worksheet_fields
    )
    tracks = ", ".join(TRACK_LABELS.get(Track(t), t) for t in item.tracks)
    return (
        f"<h2>{esc(item.title)}</h2><p><i>{esc(words(item.category))} · {esc(words(item.module))} · "
        f"{item.minutes} minutes · {esc(tracks)}</i></p>"
        f"<p><b>Homework done:</b> {esc(completion.describe() if completion else 'not assigned yet')}"
        f"</p><p>{esc(item.purpose)}</p>"
        f"<h3>Facilitator steps</h3><ol>{steps}</ol><h3>Discussion prompts</h3><ul>{prompts}</ul>"
        f"<hr><h3>Handout: what to do</h3><p>{esc(item.take_home)}</p>"
        f"<h3>Handout: worksheet</h3><ul>{fields}</ul>"
    )


class ItemDialog(QDialog):
    """Write or edit a clinic item. A refused save keeps the dialog open with what was typed."""

    def __init__(
        self, parent: QWidget, item: HomeworkItemInfo | None, save: Callable[[ItemDialog], bool]
    ) -> None:
        super().__init__(parent)
        self._save = save
        self.setWindowTitle("Library item")
        self.title = self._line("Title", item.title if item else "")
        self.category = QComboBox(self)
        self.category.setAccessibleName("Category")
        for value, label in CATEGORY_LABELS.items():
            self.category.addItem(label, value.value)
        if item:
            self.category.setCurrentIndex(self.category.findData(item.category))
        self.module = self._line("Module", words(item.module) if item else "")
        self.tracks = {t: QCheckBox(TRACK_LABELS[t], self) for t in Track}
        for track, box in self.tracks.items():
            box.setAccessibleName(f"Suits {TRACK_LABELS[track]}")
            box.setChecked(item is None or track.value in item.tracks)
        self.minutes = QSpinBox(self)
        self.minutes.setAccessibleName("Minutes")
        self.minutes.setRange(5, 180)
        self.minutes.setValue(item.minutes if item else 45)
        self.purpose = self._text("Purpose", item.purpose if item else "")
        self.steps = self._text(
            "Facilitator steps, one per line", "\n".join(item.steps) if item else ""
        )
        self.prompts = self._text(
            "Discussion prompts, one per line", "\n".join(item.prompts) if item else ""
        )
        self.take_home = self._text("Take-home instructions", item.take_home if item else "")
        self.worksheet = self._text(
            "Worksheet fields, one per line", to_text(item.worksheet_fields) if item else ""
        )
        self.worksheet.setPlaceholderText(
            "Situation | lines 3\nHow strong? | scale\nEach day | table 7: Day; Urge\nTried | checklist: Walk; Call"
        )
        self.message = message_label(self)
        tracks = QHBoxLayout()
        for box in self.tracks.values():
            tracks.addWidget(box)
        form = QFormLayout(self)
        for label, widget in (
            ("&Title", self.title),
            ("&Category", self.category),
            ("&Module", self.module),
            ("&Minutes", self.minutes),
            ("&Purpose", self.purpose),
            ("&Steps", self.steps),
            ("P&rompts", self.prompts),
            ("Ta&ke-home", self.take_home),
            ("&Worksheet", self.worksheet),
        ):
            form.addRow(label, widget)
        form.insertRow(3, "Suits", tracks)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(self.message)
        form.addRow(buttons)
        self.resize(760, 640)

    def accept(self) -> None:
        """Close only once the item is saved; a refusal shows its message and keeps the text."""
        if self._save(self):
            super().accept()

    def _line(self, name: str, value: str) -> QLineEdit:
        edit = QLineEdit(value, self)
        edit.setAccessibleName(name)
        return edit

    def _text(self, name: str, value: str) -> QPlainTextEdit:
        edit = QPlainTextEdit(value, self)
        edit.setAccessibleName(name)
        edit.setTabChangesFocus(True)
        return edit

    def fields(self) -> dict[str, Any]:
        """What was typed, as the library's fields (the worksheet lines parsed; may raise)."""

        def lines(edit: QPlainTextEdit) -> tuple[str, ...]:
            return tuple(line.strip() for line in edit.toPlainText().splitlines() if line.strip())

        return {
            "title": self.title.text().strip(),
            "category": self.category.currentData(),
            "module": self.module.text().strip().lower().replace(" ", "_"),
            "tracks": tuple(t.value for t, box in self.tracks.items() if box.isChecked()),
            "minutes": self.minutes.value(),
            "purpose": self.purpose.toPlainText().strip(),
            "steps": lines(self.steps),
            "prompts": lines(self.prompts),
            "take_home": self.take_home.toPlainText().strip(),
            "worksheet_fields": tuple(from_text(self.worksheet.toPlainText())),
        }


class LibraryPage(Screen):
    def __init__(
        self, workspace: Workspace, parent: QWidget | None = None, *, bus: ChangeBus | None = None
    ) -> None:
        super().__init__(workspace, parent, bus=bus)
        self.search = QLineEdit(self)
        self.search.setAccessibleName("Search the library")
        self.search.setPlaceholderText("Search: urge, sleep, wise mind…")
        self.category = self._filter(
            "Category",
            [(None, "All categories"), *((c.value, name) for c, name in CATEGORY_LABELS.items())],
        )
        self.module = self._filter("Module", [(None, "All modules")])
        self.track = self._filter(
            "Track", [(None, "All tracks"), *((t.value, name) for t, name in TRACK_LABELS.items())]
        )
        self.show_archived = QCheckBox("Show a&rchived", self)
        self.show_archived.setAccessibleName("Show archived items")
        self.model = LibraryModel(self)
        self.table = QTableView(self)
        self.table.setAccessibleName("Library items")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.preview = QTextBrowser(self)
        self.preview.setAccessibleName("Guide and handout preview")
        self.preview.setOpenLinks(False)
        self.message = message_label(self)
        self.completion: dict[str, Completion] = {}
        self.buttons = {
            name: self._button(text, name, slot)
            for name, text, slot in (
                ("New item", "&New item…", self.new_item),
                ("Edit item", "&Edit…", self.edit_item),
                ("Duplicate item", "D&uplicate", self.duplicate),
                ("Archive item", "Arc&hive / restore", self.toggle_archived),
                ("Import item", "&Import…", self.import_file),
                ("Export item", "E&xport…", self.export_file),
                ("Save handout", "Handout &PDF…", self.handout_file),
            )
        }
        filters = QHBoxLayout()
        for widget in (self.search, self.category, self.module, self.track, self.show_archived):
            filters.addWidget(widget)
        actions = QHBoxLayout()
        for button in self.buttons.values():
            actions.addWidget(button)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.table)
        split.addWidget(self.preview)
        split.setSizes([600, 600])
        column = QVBoxLayout(self)
        column.addLayout(filters)
        column.addWidget(split, 1)
        column.addLayout(actions)
        column.addWidget(self.message)
        self.pause = QTimer(self)  # search as the facilitator types, once typing pauses
        self.pause.setSingleShot(True)
        self.pause.setInterval(200)
        self.pause.timeout.connect(self.refresh)
        self.search.textChanged.connect(self.pause.start)
        self._fill_modules()
        self.category.currentIndexChanged.connect(self._fill_modules)
        for combo in (self.category, self.module, self.track):
            combo.currentIndexChanged.connect(self.refresh)
        self.show_archived.toggled.connect(self.refresh)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())
        self.refresh()

    def _fill_modules(self) -> None:
        """The modules of the chosen category (DBT: mindfulness, distress tolerance, ...)."""
        category = self.category.currentData()
        self.module.blockSignals(True)
        self.module.clear()
        self.module.addItem("All modules", None)
        for item_module in library.modules(category):
            self.module.addItem(words(item_module).capitalize(), item_module)
        self.module.blockSignals(False)

    def _filter(self, name: str, choices: list[tuple[str | None, str]]) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(name)
        for value, label in choices:
            combo.addItem(label, value)
        return combo

    def _button(self, text: str, name: str, slot: Any) -> QPushButton:
        button = QPushButton(text, self)
        button.setAccessibleName(name)
        button.clicked.connect(slot)
        return button

    # ------------------------------------------------------------------------- showing

    def cares(self, changes: Changes) -> bool:
        return bool(changes.library or changes.reviews)  # items, and how often they are done

    def follow(self, changes: Changes) -> None:
        self.refresh()

    def refresh(self, select_id: int | None = None) -> None:
        self.pause.stop()  # this refresh covers whatever the pending one would have shown
        chosen = self.selected()
        current = select_id or (chosen.id if chosen else None)
        try:
            items = library.search(
                self.search.text(),
                category=self.category.currentData(),
                module=self.module.currentData(),
                track=self.track.currentData(),
                include_archived=self.show_archived.isChecked(),
            )
        except FacilitatorError as exc:
            self.message.setText(exc.message)
            return
        self.completion = library.completion_by_item()
        self.model.set_items(items, self.completion)
        rows = [i for i, item in enumerate(items) if item.id == current]
        self.table.selectRow(rows[0] if rows else 0)
        self._show_selected()

    def selected(self) -> HomeworkItemInfo | None:
        index = self.table.currentIndex()
        return (
            self.model.items[index.row()]
            if index.isValid() and index.row() < len(self.model.items)
            else None
        )

    def _show_selected(self) -> None:
        item = self.selected()
        self.preview.setHtml(
            guide_html(item, self.completion.get(item.slug)) if item else "<p>No item matches.</p>"
        )
        self.buttons["Edit item"].setEnabled(bool(item and not item.shipped))
        for name in ("Duplicate item", "Archive item", "Export item", "Save handout"):
            self.buttons[name].setEnabled(item is not None)

    # ------------------------------------------------------------------------- changing

    def _done(self, changes: Changes) -> None:
        self.message.setText("")
        self.refresh(changes.created_id)

    def item_dialog(self, item: HomeworkItemInfo | None = None) -> ItemDialog:
        item_id = item.id if item else None
        return ItemDialog(self, item, lambda dialog: self.save_dialog(dialog, item_id))

    def save_dialog(self, dialog: ItemDialog, item_id: int | None) -> bool:
        """Save what the dialog holds; on a refusal the dialog shows why and stays open."""
        try:
            changes = self.run(library.save_clinic_item, self.ws, dialog.fields(), item_id)
        except FacilitatorError as exc:
            dialog.message.setText(exc.message)
            return False
        self._done(changes)
        return True

    def new_item(self) -> None:
        self.item_dialog(None).open()

    def edit_item(self) -> None:
        item = self.selected()
        if item is not None:
            self.item_dialog(item).open()

    def duplicate(self) -> None:
        item = self.selected()
        if item is not None:
            self._act(library.duplicate_item, self.ws, item.id)

    def toggle_archived(self) -> None:
        item = self.selected()
        if item is not None:
            self._act(library.archive_item, self.ws, item.id, not item.archived)

    def _act(self, action: Callable[..., Changes], *args: Any) -> None:
        try:
            changes = self.run(action, *args)
        except FacilitatorError as exc:
            self.message.setText(exc.message)
            return
        self._done(changes)

    def import_path(self, path: Path) -> None:
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.message.setText(
                f"cannot read {path.name}: {exc.strerror if isinstance(exc, OSError) else 'not text'}"
            )
            return
        self._act(library.import_item, self.ws, text, path.name)

    def export_path(self, path: Path) -> None:
        item = self.selected()
        if item is None:
            return
        try:
            text = library.export_item(item.id)
            output_path(path, database=self.ws.store.location, force=True).write_text(text, "utf-8")
        except (FacilitatorError, OSError) as exc:
            self.message.setText(
                exc.message
                if isinstance(exc, FacilitatorError)
                else f"cannot write {path}: {exc.strerror}"
            )
            return
        self.message.setText(f"exported to {path}")

    def import_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, "Import a library item", "", "Library items (*.toml)"
        )
        if name:
            self.import_path(Path(name))

    def export_file(self) -> None:
        item = self.selected()
        if item is None:
            return
        name, _filter = QFileDialog.getSaveFileName(
            self, "Export the item", f"{item.slug}.toml", "Library items (*.toml)"
        )
        if name:
            self.export_path(Path(name))

    def handout_path(self, path: Path) -> None:
        """Write the selected item's take-home worksheet, blank for any member, as a PDF."""
        item = self.selected()
        if item is None:
            return
        from facilitator.export.handout import write_handout  # reportlab loads on first use

        try:
            write_handout(
                output_path(path, database=self.ws.store.location, force=True),
                item,
                program=accounts.program_name(),
            )
        except FacilitatorError as exc:
            self.message.setText(exc.message)
            return
        except OSError as exc:
            self.message.setText(f"cannot write {path}: {exc.strerror}")
            return
        self.message.setText(f"handout saved to {path}")

    def handout_file(self) -> None:
        item = self.selected()
        if item is None:
            return
        name, _filter = QFileDialog.getSaveFileName(
            self, "Save the handout", f"{item.slug}.pdf", "PDF documents (*.pdf)"
        )
        if name:
            self.handout_path(Path(name))
