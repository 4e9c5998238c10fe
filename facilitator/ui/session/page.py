"""The session runner: a small coordinator of the header, the roster and one widget per part
(check-in, skill work, summary and homework, notes, review and sign).

The page keeps the session as last read. Every change, made here or arriving on the change bus
from another screen, is applied by re-reading only what its ``Changes`` names
(``sessions.refreshed``) and repainting the parts that show it; a part out of view catches up
when it is next shown. Nothing is saved with a button: grid cells save when committed, text a
moment after typing pauses.
"""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from facilitator.domain.changes import Changes
from facilitator.domain.checklist import note_warnings
from facilitator.domain.enums import PHASE_ORDER, Phase
from facilitator.domain.errors import FacilitatorError
from facilitator.domain.records import GroupInfo, OtherSeat, SessionRecord
from facilitator.domain.rules import utcnow
from facilitator.services import home, roster, sessions
from facilitator.services.workspace import Workspace
from facilitator.ui.autosave import Autosaver
from facilitator.ui.bus import ChangeBus, Follower
from facilitator.ui.session.check_in import CheckInPart
from facilitator.ui.session.context import SessionContext
from facilitator.ui.session.header import NOTES, PART_NAMES, SIGN, SessionHeader
from facilitator.ui.session.notes import NotesPart
from facilitator.ui.session.presence import Presence
from facilitator.ui.session.roster import RosterPanel
from facilitator.ui.session.sign import SignPart
from facilitator.ui.session.skill import SkillPart
from facilitator.ui.session.summary import SummaryPart

PHASES = [p.value for p in PHASE_ORDER]
REMEMBER_PAUSE_MS = 250  # where the user is, written once they settle, not on every key


def _shown_in_parts(changes: Changes) -> bool:
    """Whether a change shows anywhere but the header (part times, the audit trail)."""
    return bool(
        changes.everything
        or changes.attendance
        or changes.check_ins
        or changes.member_notes
        or changes.homework
        or changes.reviews
        or changes.group_note
        or changes.members
        or changes.goals
        or changes.groups
        or changes.library
        or changes.enrollments
        or changes.signatures
        or changes.addenda
    )


class SessionPage(QWidget):
    """One session, from the first check-in to the signature."""

    closed = Signal()

    def __init__(
        self,
        ws: Workspace,
        session_id: int,
        part: str | None = None,
        parent: QWidget | None = None,
        *,
        bus: ChangeBus | None = None,
        note_member: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.ws, self.session_id = ws, session_id
        self.bus = bus or ChangeBus(self)
        # Parts out of view owe a repaint: None for a whole one, else what changed since.
        self._owed: dict[str, Changes | None] = {}
        record = sessions.load(session_id)
        self.bus.publish(sessions.view(ws, session_id), self)  # a viewing, noted in the trail
        self.ctx = SessionContext(ws, self.bus, record, self.apply, self)
        self.ctx.addendum_wanted.connect(self._to_addendum)
        self.group: GroupInfo = roster.get_group(self.record.group_id)
        self.demo = ws.demo
        self._preview: QDialog | None = None
        self._build()
        self.presence = Presence(self.ctx, self)
        self.presence.others_changed.connect(self._show_others)
        self.follower = Follower(self, self.bus, self._cares, self.apply, lambda: True)
        self._remember_soon = QTimer(self)
        self._remember_soon.setSingleShot(True)
        self._remember_soon.setInterval(REMEMBER_PAUSE_MS)
        self._remember_soon.timeout.connect(self._write_place)
        self.show_part(part or self._resume_part(), record_time=False)
        if note_member is not None:
            self.notes.choose(note_member)
        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self._tick)
        self.clock.start()

    # ------------------------------------------------------------------------- building

    def _build(self) -> None:
        ctx = self.ctx
        self.header = SessionHeader(self)
        self.header.home.connect(self.close_session)
        self.header.part_chosen.connect(self.show_part)
        self.header.step.connect(self.step)
        self.header.document.connect(self.show_document)
        self.roster = RosterPanel(ctx, self)
        # Each part is built when first shown (opening a session shows one): a placeholder
        # holds its place in the stack until then.
        self.parts = QStackedWidget(self)
        self._built: dict[str, QWidget] = {}
        for _part in PART_NAMES:
            self.parts.addWidget(QWidget(self.parts))
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.roster)
        split.addWidget(self.parts)
        split.setStretchFactor(1, 3)
        split.setSizes([420, 910])  # the roster whole at 1280 pixels wide
        footer = QHBoxLayout()
        footer.addWidget(ctx.message, 1)
        footer.addWidget(ctx.saved_label)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(split, 1)
        layout.addLayout(footer)
        self.header.show_title(self.record, self.demo, self.locked)
        self.roster.update_from(self.record, self.group, None)

    def _part(self, name: str) -> QWidget:
        """The part's widget, built (and shown whole) the first time it is wanted."""
        if name not in self._built:
            ctx = self.ctx
            part: QWidget
            if name == Phase.CHECK_IN.value:
                part = CheckInPart(ctx, self.parts)
            elif name == Phase.SKILL_WORK.value:
                part = SkillPart(ctx, self.parts)
            elif name == Phase.SUMMARY.value:
                part = SummaryPart(ctx, self.parts)
            elif name == NOTES:
                part = notes = NotesPart(ctx, self.parts)
                notes.document.connect(self.show_document)
                notes.member_chosen.connect(lambda _member: self._remember_place())
            else:
                part = SignPart(ctx, self.parts)
            index = PART_NAMES.index(name)
            placeholder = self.parts.widget(index)
            for saver in getattr(part, "savers", ()):
                saver.typing.connect(self.presence.typing_now)
            if isinstance(part, NotesPart):
                part.show_others(self.presence.others)
            self.parts.insertWidget(index, part)
            if placeholder is not None:
                self.parts.removeWidget(placeholder)
                placeholder.deleteLater()
            self._built[name] = part
            self._owed[name] = None  # filled whole when it is next on view
        return self._built[name]

    @property
    def check_in(self) -> CheckInPart:
        return cast(CheckInPart, self._part(Phase.CHECK_IN.value))

    @property
    def skill(self) -> SkillPart:
        return cast(SkillPart, self._part(Phase.SKILL_WORK.value))

    @property
    def summary(self) -> SummaryPart:
        return cast(SummaryPart, self._part(Phase.SUMMARY.value))

    @property
    def notes(self) -> NotesPart:
        return cast(NotesPart, self._part(NOTES))

    @property
    def sign(self) -> SignPart:
        return cast(SignPart, self._part(SIGN))

    @property
    def record(self) -> SessionRecord:
        return self.ctx.record

    @property
    def locked(self) -> bool:
        return self.ctx.locked

    @property
    def message(self) -> QWidget:
        return self.ctx.message

    @property
    def savers(self) -> list[Autosaver]:
        """The text boxes that save as they are typed in, of the parts built so far."""
        return [
            saver
            for part in self._built.values()
            for saver in getattr(part, "savers", ())
            if isinstance(saver, Autosaver)
        ]

    def _to_addendum(self, text: str) -> None:
        """Typing a signature overtook, into the signed session's addendum form (the signer
        still gives a reason and their password)."""
        self.show_part("sign")
        self.sign.addendum_text.setPlainText(text)
        if not self.sign.addendum_reason.text():
            self.sign.addendum_reason.setText("Typed while the session was signed on another seat")
        self.sign.addendum_reason.setFocus()

    # ------------------------------------------------------------------------- following changes

    def _cares(self, changes: Changes) -> bool:
        return bool(
            self.session_id in changes.sessions
            or changes.everything
            or changes.members
            or changes.goals
            or changes.enrollments
            or self.record.group_id in changes.groups
            or changes.library
        )

    def apply(self, changes: Changes) -> None:
        """Re-read what the change names and repaint what shows it (the part on view now, the
        others when next shown)."""
        before = self.record
        record = self.ctx.record = sessions.refreshed(before, changes)
        if record.group_id in changes.groups:
            self.group = roster.get_group(record.group_id)
        if record.state is not before.state or record.group_name != before.group_name:
            self.header.show_title(record, self.demo, self.locked)
        self.roster.update_from(record, self.group, changes)
        if changes.everything or changes.members or changes.attendance:
            self._show_others(self.presence.others)  # members' names as they are now
        if not _shown_in_parts(changes):
            self._tick()  # part times: the header's
            return
        current = self.current_part()
        signed_now = record.state is not before.state  # every part locks at once
        if signed_now:
            for saver in self.savers:
                saver.too_late()  # typing not saved stays, offered as an addendum
        for part in self._built:
            owed = None if changes.everything else self._owed.get(part, changes)
            if part == current or signed_now:
                self._owed.pop(part, None)
                self._update_part(part, None if owed is None else owed | changes)
            elif part not in self._owed or owed is None:
                self._owed[part] = owed
            elif owed is not None:
                self._owed[part] = owed | changes
        self._tick()

    def _update_part(self, part: str, changes: Changes | None) -> None:
        record = self.record
        if part == Phase.CHECK_IN.value:
            self.check_in.update_from(record, changes)
        elif part == Phase.SKILL_WORK.value:
            self.skill.update_from(record, changes)
        elif part == Phase.SUMMARY.value:
            self.summary.update_from(record, changes)
        elif part == NOTES:
            self.notes.update_from(record, changes)
        else:
            self.sign.update_from(record, note_warnings(record))

    # ------------------------------------------------------------------------- parts and time

    def current_part(self) -> str:
        return PART_NAMES[self.parts.currentIndex()]

    def _resume_part(self) -> str:
        place = home.last_place(self.ws)
        if place and place.session_id == self.session_id:
            return place.part
        return SIGN if self.locked else self.record.current_phase.value

    def step(self, direction: int) -> None:
        index = PART_NAMES.index(self.current_part()) + direction
        if 0 <= index < len(PART_NAMES):
            self.show_part(PART_NAMES[index])

    def show_part(self, part: str, record_time: bool = True) -> None:
        """Go to a part; moving between the three parts of a running group records their times."""
        self._save_typing()
        if record_time and self._running() and part != self.current_part():
            if part in PHASES:
                self.ctx.run("parts", sessions.advance_phase, self.ws, self.session_id, Phase(part))
            elif self.current_part() in PHASES and self.record.actual_start:
                self.ctx.run("parts", sessions.end_session, self.ws, self.session_id)
        self._part(part)
        self.parts.setCurrentIndex(PART_NAMES.index(part))
        if part in self._owed:
            self._update_part(part, self._owed.pop(part))
        self.header.show_part(part)
        self._remember_place()
        self._tick()

    def _running(self) -> bool:
        """Part times are recorded while the group runs; after it ended, parts are revisited."""
        return not self.locked and self.record.actual_end is None

    def _remember_place(self) -> None:
        self._remember_soon.start()
        self.presence.at(*self._place())

    def _place(self) -> tuple[str, int | None]:
        """The part on view, and whose note is open (on the notes)."""
        notes = self._built.get(NOTES)
        on_notes = isinstance(notes, NotesPart) and self.current_part() == NOTES
        member = notes.member_id if isinstance(notes, NotesPart) and on_notes else None
        return self.current_part(), member

    def _write_place(self) -> None:
        """Where the user is (part, and whose note), so reopening after a crash returns there."""
        self._remember_soon.stop()
        if not self.locked:
            home.remember_place(self.ws, self.session_id, *self._place())

    def _show_others(self, others: list[OtherSeat]) -> None:
        """Who else has the session open, and where (the header; the notes list)."""
        names = {a.member_id: a.display_name for a in self.record.attendance}
        self.header.show_others(others, names)
        notes = self._built.get(NOTES)
        if isinstance(notes, NotesPart):
            notes.show_others(others)

    def _tick(self) -> None:
        self.header.tick(self.record, self.group, utcnow())

    # ------------------------------------------------------------------------- documents

    def document_preview(self, kind: str) -> QDialog | None:
        """The session's record, sign-in sheet or the chosen member's note, previewed."""
        from facilitator.ui import documents as previews

        self._save_typing()  # the preview shows what was typed a moment ago too
        try:
            if kind == "session":
                return previews.session_record(self.ws, self.session_id, self)
            if kind == "sign_in":
                return previews.sign_in_sheet(self.ws, self.session_id, self)
            member_id = self.notes.member_id
            if member_id is None:
                self.ctx.say("Choose a member in the list first.", "documents")
                return None
            return previews.member_note(self.ws, self.session_id, member_id, self)
        except FacilitatorError as exc:
            self.ctx.say(exc.message, "documents")
            return None

    def show_document(self, kind: str) -> None:
        preview = self.document_preview(kind)
        if preview is not None:
            self._preview = preview
            preview.open()

    # ------------------------------------------------------------------------- leaving

    def flush(self) -> None:
        """Save any typing still waiting, and where the user is (before closing or locking)."""
        self._save_typing()
        if self._remember_soon.isActive():
            self._write_place()

    def _save_typing(self) -> None:
        for saver in self.savers:
            saver.flush()

    def close_session(self) -> None:
        self.flush()
        self.leave()
        self.closed.emit()

    def leave(self) -> None:
        """The screen goes: its clock stops, and the others no longer see it here."""
        self.clock.stop()
        self.presence.close()
