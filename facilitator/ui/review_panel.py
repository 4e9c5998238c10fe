"""The homework review under the check-in grid: each assignment of the chosen member, one line
each, with done / partly / not done and an optional comment.

The grid's "Last homework" cell marks all of a member's homework at once (the quick case); this
panel is for a member with more than one assignment, or a comment worth keeping.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QWidget,
)

from facilitator.domain.enums import ReviewStatus
from facilitator.ui.models import day
from facilitator.ui.session_models import REVIEW_LABELS, CheckInRow

# Saves one review: (assignment id, status, comment) -> an error message, or None when saved.
SaveReview = Callable[[int, ReviewStatus, str], str | None]


class HomeworkReviewPanel(QGroupBox):
    def __init__(self, save: SaveReview, parent: QWidget | None = None) -> None:
        super().__init__("Homework review", parent)
        self.setAccessibleName("Homework review")
        self._save = save
        self.grid = QGridLayout(self)
        self.hint = QLabel("", self)
        self.hint.setWordWrap(True)
        self.grid.addWidget(self.hint, 0, 0, 1, 3)
        self.lines: list[tuple[int, QComboBox, QLineEdit]] = []
        self.member_id: int | None = None

    def show_row(self, row: CheckInRow | None, locked: bool) -> None:
        """List the member's assignments: those still open and those reviewed here."""
        entries = self._entries(row)
        if (
            row is not None
            and row.member_id == self.member_id
            and [e[0] for e in entries] == [line[0] for line in self.lines]
        ):
            self._update(entries, locked)  # the same lines: keep the widgets and the focus
            return
        for _id, status, comment in self.lines:
            status.deleteLater()
            comment.deleteLater()
        for label in self.findChildren(QLabel):
            if label is not self.hint:
                label.deleteLater()
        self.lines = []
        self.member_id = row.member_id if row else None
        if row is None:
            self.hint.setText("Choose a member in the grid to review their homework.")
            return
        if not entries:
            self.hint.setText(f"{row.name} has no homework to review.")
            return
        self.hint.setText(f"{row.name}'s homework from earlier sessions:")
        for line, (assignment_id, title, given, status, _comment) in enumerate(entries, start=1):
            self._add_line(line, assignment_id, f"{title} ({given})" if given else title, status)
        self._update(entries, locked)

    @staticmethod
    def _entries(row: CheckInRow | None) -> list[tuple[int, str, str, str, str]]:
        if row is None:
            return []
        return [(a.id, a.title, f"given {day(a.assigned_on)}", "", "") for a in row.outstanding] + [
            (r.assignment_id, r.title, "", r.status, r.comment) for r in row.reviews
        ]

    def _update(self, entries: list[tuple[int, str, str, str, str]], locked: bool) -> None:
        for (_id, choice, comment), (_same, _title, _given, status, text) in zip(
            self.lines, entries, strict=True
        ):
            choice.blockSignals(True)
            choice.setCurrentIndex(max(choice.findData(status), 0))
            choice.blockSignals(False)
            if not comment.hasFocus():  # never overwrite what is being typed
                comment.setText(text)
            choice.setEnabled(not locked)
            comment.setReadOnly(locked)

    def _add_line(self, line: int, assignment_id: int, title: str, status: str) -> None:
        label = QLabel(title, self)
        label.setWordWrap(True)
        choice = QComboBox(self)
        choice.setAccessibleName(f"Review of {title}")
        for value, text in REVIEW_LABELS.items():
            choice.addItem(text, value)
        choice.setCurrentIndex(max(choice.findData(status), 0))
        comment = QLineEdit(self)
        comment.setAccessibleName(f"Comment on {title}")
        comment.setPlaceholderText("Comment (optional)")
        choice.activated.connect(lambda _index: self._changed(assignment_id, choice, comment))
        comment.editingFinished.connect(lambda: self._changed(assignment_id, choice, comment))
        self.grid.addWidget(label, line, 0)
        self.grid.addWidget(choice, line, 1)
        self.grid.addWidget(comment, line, 2)
        self.grid.setColumnStretch(0, 2)
        self.grid.setColumnStretch(2, 3)
        self.lines.append((assignment_id, choice, comment))

    def _changed(self, assignment_id: int, choice: QComboBox, comment: QLineEdit) -> None:
        if comment.isReadOnly():
            return
        status = choice.currentData()
        if not status:
            if comment.text().strip():
                self.hint.setText("Choose done, partly or not done to keep the comment.")
            return
        problem = self._save(assignment_id, ReviewStatus(status), comment.text())
        if problem:
            self.hint.setText(problem)
