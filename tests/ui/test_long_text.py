"""A note has a stated limit, shown as it nears; previews are laid out off the window's
thread, so a long record never freezes the window."""

import threading

from PySide6.QtCore import QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QLabel

from facilitator.domain.rules import NOTE_LIMIT
from facilitator.services import sessions
from facilitator.ui.preview import PdfPreview
from tests.ui.events import type_text
from tests.ui.windows import open_today


def test_the_narrative_shows_its_room_near_the_limit_and_keeps_what_is_too_long(qtbot, clinic):
    location, _members, _walk_in = clinic
    window, page = open_today(qtbot, location)
    page.show_part("skill_work")
    box = page.skill.narrative
    hint = box.findChild(QLabel)  # the corner label, over the box
    assert hint is not None and hint.accessibleName() == "Group narrative length"
    box.setPlainText("A" * 1000)
    assert not hint.isVisible()  # far from the limit: nothing to say
    near = "Shared a plan. " * (NOTE_LIMIT // 15)
    box.setPlainText(near[: NOTE_LIMIT - 10])
    assert hint.isVisible() and hint.text() == f"{NOTE_LIMIT - 10:,} of {NOTE_LIMIT:,} characters"
    box.setFocus()
    box.moveCursor(QTextCursor.MoveOperation.End)
    type_text(box, "12345")
    page.flush()
    assert sessions.load(page.session_id).group_note.narrative.endswith("12345")
    type_text(box, "over the limit")  # 9 characters more than the note holds
    assert "too long to save" in hint.text()
    page.flush()
    saver = box.property("saver")
    assert saver.pending  # refused and kept waiting: nothing typed is lost
    assert "50,000" in page.ctx.message.text()
    assert box.toPlainText().endswith("over the limit")
    stored = sessions.load(page.session_id).group_note.narrative
    assert len(stored) == NOTE_LIMIT - 5 and stored.endswith("12345")
    box.setPlainText(box.toPlainText()[:-14])  # trimmed: saved again
    page.flush()
    assert not saver.pending and not hint.text().endswith("too long to save")
    window.close()


def test_a_preview_is_laid_out_off_the_window_thread_while_the_window_answers(qtbot):
    release, built_on = threading.Event(), []

    def lay_out() -> bytes:
        built_on.append(threading.current_thread())
        assert release.wait(30)
        from facilitator.export.recovery_sheet import recovery_sheet_bytes

        return recovery_sheet_bytes("Test Valley IOP (fictitious)", "ABCDE-FGHIJ-KLMNO")

    preview = PdfPreview("Sheet", lay_out, "sheet.pdf", lambda _printed: None)
    qtbot.addWidget(preview)
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=5000)  # the window goes on while it waits
    assert built_on and built_on[0] is not threading.main_thread()
    assert not preview.is_ready and preview.pdf == b""
    assert not preview.print_button.isEnabled() and not preview.save_button.isEnabled()
    assert "Preparing" in preview.pages.text()
    with qtbot.waitSignal(preview.ready, timeout=30_000):
        release.set()
    timer.stop()
    assert preview.pdf.startswith(b"%PDF") and preview.document.pageCount() >= 1
    assert preview.print_button.isEnabled() and preview.pages.text().endswith("page")
    QApplication.processEvents()


def test_a_preview_that_cannot_be_made_says_so(qtbot):
    def broken() -> bytes:
        raise ValueError("a fault in the layout")

    preview = PdfPreview("Sheet", broken, "sheet.pdf", lambda _printed: None)
    qtbot.addWidget(preview)
    qtbot.waitUntil(lambda: preview.is_ready, timeout=10_000)
    assert "could not be made (ValueError)" in preview.message.text()
    assert not preview.save_button.isEnabled()
