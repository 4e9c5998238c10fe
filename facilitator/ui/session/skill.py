"""Skill work: the topic from the library with its facilitator's guide, the interventions and
the group narrative, and each present member's participation."""

from __future__ import annotations

import html

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from facilitator.domain.changes import Changes
from facilitator.domain.enums import Participation
from facilitator.domain.records import SessionRecord
from facilitator.services import edits, home, library, sessions
from facilitator.ui.autosave import Autosaver
from facilitator.ui.session.context import SessionContext
from facilitator.ui.session.text import autosaved_text


class SkillPart(QWidget):
    def __init__(self, ctx: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._guide_item: int | bool | None = False  # the item the guide shows (False: none yet)
        self._suggestion: int | bool | None = False  # looked up once, when first needed
        self.topic = QComboBox(self)
        self.topic.setAccessibleName("Topic from the library")
        self.topic.activated.connect(self._topic_chosen)
        self.guide = QTextBrowser(self)
        self.guide.setAccessibleName("Facilitator guide")
        self.guide.setOpenLinks(False)
        ws, session_id = ctx.ws, ctx.session_id
        self.interventions, interventions = autosaved_text(
            ctx,
            self,
            "Interventions",
            lambda text, span, shown: sessions.write_group_note(
                ws, session_id, interventions=text, span=span, seen={"interventions": shown}
            ),
            3,
            lambda: edits.last_change(ws, session_id),
            lambda: (None, "interventions"),
        )
        self.narrative, narrative = autosaved_text(
            ctx,
            self,
            "Group narrative",
            lambda text, span, shown: sessions.write_group_note(
                ws, session_id, narrative=text, span=span, seen={"narrative": shown}
            ),
            6,
            lambda: edits.last_change(ws, session_id),
            lambda: (None, "narrative"),
        )
        self.savers: list[Autosaver] = [interventions, narrative]
        self.participation = QFormLayout()
        self.combos: dict[int, QComboBox] = {}  # by member, kept across saves
        form = QFormLayout()
        form.addRow("&Topic", self.topic)
        form.addRow("&Interventions", self.interventions)
        form.addRow("Group &narrative", self.narrative)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(QLabel("Participation", self))
        right.addLayout(self.participation)
        right.addStretch(1)
        grid = QGridLayout(self)
        grid.addWidget(self.guide, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

    def update_from(self, record: SessionRecord, changes: Changes | None) -> None:
        if changes is None or changes.library or self.topic.count() == 0:
            self._fill_topics(record)
        note = record.group_note
        if changes is None or changes.group_note or changes.library:
            chosen = note.topic_item_id if note else None
            if chosen is None and not self.ctx.locked:
                chosen = self._suggested(record)
            self.topic.setCurrentIndex(max(self.topic.findData(chosen), 0))
            self._show_guide(chosen, force=bool(changes and changes.library))
            self.savers[0].load(note.interventions if note else "")
            self.savers[1].load(note.narrative if note else "")
        self._sync_participation(record)
        self.topic.setEnabled(not self.ctx.locked)
        for saver in self.savers:
            saver.editor.setReadOnly(self.ctx.locked)

    def _fill_topics(self, record: SessionRecord) -> None:
        self.topic.blockSignals(True)
        self.topic.clear()
        self.topic.addItem("— choose a topic —", None)
        for item in library.list_items():
            if record.track.value in item.tracks:
                self.topic.addItem(f"{item.title} ({item.category.replace('_', ' ')})", item.id)
        self.topic.blockSignals(False)

    def _suggested(self, record: SessionRecord) -> int | None:
        if self._suggestion is False:
            suggestion = home.suggested_topic(record.group_id)
            self.topic.setToolTip(f"Suggested next: {suggestion.title}" if suggestion else "")
            self._suggestion = suggestion.id if suggestion else None
        return self._suggestion if isinstance(self._suggestion, int) else None

    def _show_guide(self, item_id: int | None, force: bool = False) -> None:
        # Laying out the guide's HTML is slow: only when the topic changes.
        if self._guide_item == item_id and not force:
            return
        self._guide_item = item_id
        if item_id is None:
            self.guide.setHtml("<p>Choose the topic for the skill work.</p>")
            return
        item = library.get_item(item_id)
        steps = "".join(f"<li>{html.escape(s)}</li>" for s in item.steps)
        prompts = "".join(f"<li>{html.escape(p)}</li>" for p in item.prompts)
        self.guide.setHtml(
            f"<h3>{html.escape(item.title)}</h3><p>{html.escape(item.purpose)}</p>"
            f"<p><b>About {item.minutes} minutes</b></p><h4>Steps</h4><ol>{steps}</ol>"
            f"<h4>Discussion prompts</h4><ul>{prompts}</ul>"
            f"<h4>Take-home</h4><p>{html.escape(item.take_home)}</p>"
        )

    def _topic_chosen(self, _index: int) -> None:
        self.ctx.run(
            "topic",
            sessions.write_group_note,
            self.ctx.ws,
            self.ctx.session_id,
            topic_item_id=self.topic.currentData(),
        )

    # ------------------------------------------------------------------------- participation

    def _sync_participation(self, record: SessionRecord) -> None:
        """One combo per present member, kept and updated in place: a choice's own save never
        rebuilds the combo whose signal is still running; only arrivals and departures add or
        remove rows."""
        present = [(a.member_id, a.display_name) for a in record.present]
        if [m for m, _n in present] != list(self.combos):
            while self.participation.rowCount():
                self.participation.removeRow(0)  # deletes the row's widgets (none is signalling)
            self.combos = {m: self._combo(m, name) for m, name in present}
        levels = {n.member_id: n.participation for n in record.member_notes}
        for member_id, combo in self.combos.items():
            level = levels.get(member_id)
            combo.blockSignals(True)
            combo.setCurrentIndex(max(combo.findData(level.value if level else ""), 0))
            combo.blockSignals(False)
            combo.setEnabled(not self.ctx.locked)

    def _combo(self, member_id: int, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(f"Participation of {name}")
        combo.addItem("—", "")
        for level in Participation:
            combo.addItem(level.value.capitalize(), level.value)
        combo.activated.connect(lambda _i: self._participation_chosen(member_id, combo))
        self.participation.addRow(name, combo)
        return combo

    def _participation_chosen(self, member_id: int, combo: QComboBox) -> None:
        self.ctx.run(
            ("participation", member_id),
            sessions.write_member_note,
            self.ctx.ws,
            self.ctx.session_id,
            member_id,
            participation=combo.currentData(),
        )
