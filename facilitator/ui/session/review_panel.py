"""The homework review under the check-in grid: each assignment of the chosen member, one line
each, with done / partly / not done and an optional comment.

The grid's "Last homework" cell marks all of a member's homework at once (the quick case); this
panel is for a member with more than one assignment, or a comment worth keeping.

Each save says what the line showed (``shown``), so a review another seat changed meanwhile is
refused rather than overwritten (services.homework). The refused line keeps its user's choice
and comment (``held``) and the hint shows theirs: saving the line again keeps the user's,
"Keep theirs" puts theirs back in the line.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from facilitator.domain.enums import ReviewStatus
from facilitator.domain.errors import EditConflict
from facilitator.ui.models import day
from facilitator.ui.session.models import REVIEW_CHOICES, CheckInRow

# Saves one review: (assignment id, status, comment, the line as shown) -> an error message, or
# None when saved.
SaveReview = Callable[[int, ReviewStatus, str, "Shown"], str | None]
Shown = tuple[ReviewStatus | None, str]  # a line's status (None: not yet) and comment
# One line: assignment id, title, when given, the status chosen (None: not yet), the comment.
Entry = tuple[int, str, str, ReviewStatus | None, str]


class HomeworkReviewPanel(QGroupBox):
    def __init__(self, save: SaveReview, parent: QWidget | None = None) -> None:
        super().__init__("Homework review", parent)
        self.setAccessibleName("Homework review")
        self._save = save
        self.grid = QGridLayout(self)
        self.hint = QLabel("", self)
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName("Homework review message")
        self.keep_theirs = QPushButton("Keep theirs", self)
        self.keep_theirs.setAccessibleName("Keep the other seat's review")
        self.keep_theirs.clicked.connect(lambda _checked=False: self._keep_theirs())
        self.keep_theirs.hide()
        self.grid.addWidget(self.hint, 0, 0, 1, 2)
        self.grid.addWidget(self.keep_theirs, 0, 2, Qt.AlignmentFlag.AlignRight)
        self.lines: list[tuple[int, QComboBox, QLineEdit]] = []
        self.titles: list[QLabel] = []
        self.member_id: int | None = None
        self.shown: dict[int, Shown] = {}  # each line as stored when last shown
        self.held: dict[int, Shown] = {}  # refused lines: what their user chose, kept on view
        self._entries_now: list[Entry] = []
        self._locked = False

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
        for widget in [w for _id, choice, comment in self.lines for w in (choice, comment)] + (
            self.titles
        ):
            self.grid.removeWidget(widget)
            widget.hide()
            widget.deleteLater()  # deferred: this may run inside one of their signals
        self.lines, self.titles = [], []
        self.held, self.shown = {}, {}
        self.keep_theirs.hide()
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
    def _entries(row: CheckInRow | None) -> list[Entry]:
        """In assignment order, so reviewing one (which moves it from open to reviewed) keeps
        every line, and its widgets, where it was."""
        if row is None:
            return []
        entries: list[Entry] = [
            (a.id, a.title, f"given {day(a.assigned_on)}", None, "") for a in row.outstanding
        ]
        entries += [(r.assignment_id, r.title, "", r.status, r.comment) for r in row.reviews]
        return sorted(entries, key=lambda entry: entry[0])

    def _update(self, entries: list[Entry], locked: bool) -> None:
        self._entries_now, self._locked = entries, locked
        for (line_id, choice, comment), (_same, _title, _given, status, text) in zip(
            self.lines, entries, strict=True
        ):
            before = self.shown.get(line_id)
            # typed and not saved yet (isModified: edited by its user since last set)
            typing = line_id not in self.held and comment.isModified() and before is not None
            # A comment being typed is compared, when saved, with what it began from.
            self.shown[line_id] = (status, before[1] if typing and before else text)
            choice.setEnabled(not locked)
            comment.setReadOnly(locked)
            if line_id in self.held:  # refused: its user's choice stays until they decide
                continue
            choice.blockSignals(True)
            choice.setCurrentIndex(max(choice.findData(status), 0))
            choice.blockSignals(False)
            if not comment.isModified():  # never overwrite what is being typed
                comment.setText(text)

    def _add_line(
        self, line: int, assignment_id: int, title: str, status: ReviewStatus | None
    ) -> None:
        label = QLabel(title, self)
        label.setWordWrap(True)
        self.titles.append(label)
        choice = QComboBox(self)
        choice.setAccessibleName(f"Review of {title}")
        for value, text in REVIEW_CHOICES.items():
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
        shown = self.shown.get(assignment_id, (None, ""))
        problem = self._save(assignment_id, ReviewStatus(status), comment.text(), shown)
        if problem:
            if assignment_id not in self.held:  # a refusal over theirs says more (refused)
                self.hint.setText(problem)
            return
        comment.setModified(False)  # saved: what the line shows is stored
        if self.held.pop(assignment_id, None) is not None:  # saved over theirs, as asked
            self.keep_theirs.setVisible(bool(self.held))
            self.hint.setText("Saved.")

    def refused(self, assignment_id: int, conflict: EditConflict) -> None:
        """Another seat changed this review meanwhile: the line keeps its user's choice and
        comment, and the hint says what theirs is."""
        for line_id, choice, comment in self.lines:
            if line_id == assignment_id:
                self.held[line_id] = (choice.currentData(), comment.text())
        theirs = conflict.theirs
        status, text = self.shown.get(assignment_id, (None, ""))
        # Theirs is shown now (the hint): saving again goes over it.
        self.shown[assignment_id] = (
            ReviewStatus(str(theirs["status"])) if "status" in theirs else status,
            str(theirs.get("comment", text)),
        )
        said = []
        if "status" in theirs:
            said.append(REVIEW_CHOICES.get(ReviewStatus(str(theirs["status"])), "—"))
        if "comment" in theirs:
            said.append(f"“{theirs['comment']}”" if theirs["comment"] else "no comment")
        self.hint.setText(
            f"{conflict.message}. Theirs: {', '.join(said)}. Save yours again (choose it or "
            "press Enter in the comment) to keep it, or keep theirs."
        )
        self.keep_theirs.show()

    def _keep_theirs(self) -> None:
        for line_id, _choice, comment in self.lines:
            if line_id in self.held:
                comment.setModified(False)
        self.held.clear()
        self.keep_theirs.hide()
        self.hint.setText("")
        self._update(self._entries_now, self._locked)
