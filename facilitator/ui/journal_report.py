"""At sign-in: what the laptop's journal held from an outage (services.journal.replay).

Saved texts are only counted. Texts that met a later change, or a session signed meanwhile,
were not applied: they are shown in full, to copy into the note or an addendum, and stay in
the journal until their author lets them go.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from facilitator.domain.errors import FacilitatorError
from facilitator.services import journal
from facilitator.services.workspace import Workspace


def report(parent: QWidget, ws: Workspace, done: journal.Replayed) -> QMessageBox | None:
    """A box saying what was saved and what waits (None when the journal held nothing)."""
    if not done.saved and not done.waiting:
        return None
    lines = []
    if done.saved:
        lines.append(f"{done.saved} text(s) typed during a server outage are now saved.")
    if done.waiting:
        lines.append(
            f"{len(done.waiting)} text(s) typed during a server outage were not saved: someone "
            "changed the same part since, or the session was signed. They are below (Show "
            "Details) to copy into the note or an addendum, and stay on this laptop until you "
            "let them go."
        )
    box = QMessageBox(
        QMessageBox.Icon.Information, "Facilitator", "\n\n".join(lines), parent=parent
    )
    box.setObjectName("journal report")
    if done.waiting:
        box.setDetailedText("\n\n".join(_entry(kept) for kept in done.waiting))
        keep = box.addButton("Keep them on this laptop", QMessageBox.ButtonRole.AcceptRole)
        let_go = box.addButton(
            "I have copied them: let them go", QMessageBox.ButtonRole.DestructiveRole
        )
        box.setDefaultButton(keep)
        box.buttonClicked.connect(lambda button: _let_go(ws, done) if button is let_go else None)
    box.open()
    return box


def _entry(kept: journal.Kept) -> str:
    try:
        where = journal.describe(kept)
    except FacilitatorError:
        where = f"session {kept.session_id}"
    return f"{where} (kept {kept.kept_at}):\n{kept.text}"


def _let_go(ws: Workspace, done: journal.Replayed) -> None:
    for kept in done.waiting:
        journal.discard(ws, kept)
