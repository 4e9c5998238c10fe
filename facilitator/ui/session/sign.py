"""Review and sign: what the signature covers, what still stands in the way, the password,
and once signed, the signatures and signed addenda."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from facilitator.domain.checklist import missing_before_signing, signing_summary
from facilitator.domain.enums import Role, SignatureKind
from facilitator.domain.records import SessionRecord
from facilitator.domain.rules import NOTE_LIMIT, to_local
from facilitator.services import accounts, home, signing
from facilitator.ui.session.context import SessionContext, button
from facilitator.ui.session.text import LengthHint


class SignPart(QWidget):
    def __init__(self, ctx: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._zone: str | None = None
        self.checklist = QLabel("", self)
        self.checklist.setAccessibleName("Checklist before signing")
        self.checklist.setWordWrap(True)
        self.checklist.setTextFormat(Qt.TextFormat.RichText)
        self.summary = QLabel("", self)
        self.summary.setAccessibleName("What is being signed")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password to sign")
        self.password.returnPressed.connect(self._enter)
        self.sign_button = button("&Sign and lock", "Sign and lock", self._sign, self)
        self.cosign_button = button("&Co-sign", "Co-sign the session", self._cosign, self)
        self.signatures = QLabel("", self)
        self.signatures.setAccessibleName("Signatures")
        self.signatures.setWordWrap(True)
        self.addendum_reason = QLineEdit(self)
        self.addendum_reason.setAccessibleName("Addendum reason")
        self.addendum_text = QPlainTextEdit(self)
        self.addendum_text.setAccessibleName("Addendum text")
        self.addendum_text.setTabChangesFocus(True)
        LengthHint(self.addendum_text, NOTE_LIMIT)
        self.addendum_button = button(
            "Add a signed &addendum", "Add addendum", self._add_addendum, self
        )
        form = QFormLayout()
        form.addRow("&Password", self.password)
        form.addRow(self.sign_button)
        form.addRow(self.cosign_button)
        # Shown only once the session is signed: the one way to change a locked note.
        self.addendum_area = QWidget(self)
        addendum = QFormLayout(self.addendum_area)
        addendum.setContentsMargins(0, 0, 0, 0)
        addendum.addRow("Addendum &reason", self.addendum_reason)
        addendum.addRow("Addendum &text", self.addendum_text)
        addendum.addRow(self.addendum_button)
        column = QVBoxLayout(self)
        column.addWidget(self.summary)
        column.addWidget(self.checklist)
        column.addWidget(self.signatures)
        column.addLayout(form)
        column.addWidget(self.addendum_area)
        column.addStretch(1)

    def update_from(self, record: SessionRecord, warnings: list[str]) -> None:
        locked = self.ctx.locked
        rows = "".join(
            f"<tr><td><b>{html.escape(label)}:</b>&nbsp;</td><td>{html.escape(value)}</td></tr>"
            for label, value in signing_summary(record)
        )
        names = {a.member_id: a.display_name for a in record.attendance}
        concerns = "".join(
            f"<li>{html.escape(names.get(c.member_id, ''))}: "
            f"{html.escape(c.safety_follow_up) or '<i>no follow-up yet</i>'}</li>"
            for c in record.check_ins
            if c.safety_concern
        )
        self.summary.setText(
            f"<table>{rows}</table>"
            + (f"<p><b>Safety follow-ups:</b></p><ul>{concerns}</ul>" if concerns else "")
        )
        gaps = [] if locked else missing_before_signing(record)
        if locked:
            text = "<p><b>Signed and locked.</b> Changes are made as signed addenda.</p>"
        elif gaps:
            items = "".join(f"<li>{html.escape(g)}</li>" for g in gaps)
            text = f"<p><b>Before signing:</b></p><ul>{items}</ul>"
        else:
            text = "<p><b>Ready to sign.</b> Everything above is covered by your signature.</p>"
        if warnings:
            items = "".join(f"<li>{html.escape(w)}</li>" for w in warnings)
            text += f"<p><b>Check:</b></p><ul>{items}</ul>"
        self.checklist.setText(text)
        self.signatures.setText("\n".join(self._signature_lines(record)))
        self.sign_button.setEnabled(not locked)
        self.sign_button.setText("Signed" if locked else "&Sign and lock")
        self.addendum_area.setVisible(locked)
        actor = self.ctx.ws.actor
        self.cosign_button.setVisible(
            locked
            and actor.role in (Role.CLINICAL_LEAD, Role.ADMIN)
            and all(s.user_id != actor.user_id for s in record.signatures)
        )

    def _signature_lines(self, record: SessionRecord) -> list[str]:
        if self._zone is None:
            self._zone = accounts.time_zone()  # the printed record's clock: the clinic's
        zone = self._zone
        lines = [
            f"{'Co-signed' if s.kind is SignatureKind.COSIGN else 'Electronically signed'} by "
            f"{s.signer} on {to_local(s.signed_at, zone):%Y-%m-%d at %H:%M}"
            for s in record.signatures
        ]
        return lines + [
            f"Addendum by {a.signer} on {to_local(a.signed_at, zone):%Y-%m-%d at %H:%M} — "
            f"{a.reason}: {a.text}"
            for a in record.addenda
        ]

    # ------------------------------------------------------------------------- signing

    def _enter(self) -> None:
        """Enter in the password field does what the page is for now."""
        if not self.ctx.locked:
            self._sign()
        elif self.addendum_text.toPlainText().strip() or self.addendum_reason.text().strip():
            self._add_addendum()
        elif self.cosign_button.isVisible():
            self._cosign()

    def _sign(self) -> None:
        done = self.ctx.run(
            "sign", signing.sign_session, self.ctx.ws, self.ctx.session_id, self.password.text()
        )
        self.password.clear()
        if done is None:
            home.forget_place(self.ctx.ws)

    def _cosign(self) -> None:
        self.ctx.run(
            "sign", signing.cosign_session, self.ctx.ws, self.ctx.session_id, self.password.text()
        )
        self.password.clear()

    def _add_addendum(self) -> None:
        done = self.ctx.run(
            "addendum",
            signing.add_addendum,
            self.ctx.ws,
            self.ctx.session_id,
            self.password.text(),
            reason=self.addendum_reason.text(),
            text=self.addendum_text.toPlainText(),
        )
        self.password.clear()
        if done is None:
            self.addendum_reason.clear()
            self.addendum_text.clear()
