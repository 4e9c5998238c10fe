"""The recovery key, printed once at set-up to be kept locked away."""

from __future__ import annotations

import datetime as dt

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, Spacer

from facilitator.export.pdf import FONT_BOLD, build_pdf_bytes, esc, stylesheet


def recovery_sheet_bytes(
    program: str, key: str, *, printed_on: dt.date | None = None, root_fingerprint: str = ""
) -> bytes:
    styles = stylesheet()
    big = ParagraphStyle("recovery_key", styles.body, fontName=FONT_BOLD, fontSize=15, leading=22)
    story = [
        Paragraph(esc(program), styles.subtitle),
        Paragraph("Recovery key", styles.title),
        Spacer(1, 12),
        Paragraph(esc(key), big),
        Spacer(1, 12),
        Paragraph(
            "This key resets an administrator's password if every administrator's password is "
            "lost. It opens the encrypted records: keep this page locked away, apart from the "
            "laptop, where the clinic keeps its other keys. It is shown only once; an "
            "administrator can replace it from the Users screen.",
            styles.body,
        ),
        Paragraph(
            "To use it: on the sign-in screen choose “Use the recovery key…”, give the "
            "administrator's username, this key and a new password. The reset is recorded in "
            "the audit trail.",
            styles.body,
        ),
        *(
            [
                Paragraph("Clinic root key fingerprint", styles.subtitle),
                Paragraph(esc(root_fingerprint), big),
                Paragraph(
                    "Every signing key is certified by this root key, and every signed record "
                    "prints its fingerprint in the footer. To prove that nobody replaced the "
                    "keys in the database, run “facilitator check --root” with the fingerprint "
                    "on this page.",
                    styles.body,
                ),
            ]
            if root_fingerprint
            else []
        ),
        Paragraph(f"Made {(printed_on or dt.date.today()).isoformat()}", styles.small),
    ]
    return build_pdf_bytes(story, title="Recovery key", program=program, printed_on=printed_on)
