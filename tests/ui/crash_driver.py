"""Run by test_crash_safety in a child process: type into a session until killed.

Every time the autosave reports a save, the text saved so far is printed ("ACK <text>"): that
is what the facilitator has been told is safe. The parent kills this process without warning.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from facilitator.ui.main_window import MainWindow

SENTENCE = "member shared a plan for the weekend and practised urge surfing with the group"
WORDS = SENTENCE.split(" ")


def main(location: str, password: str) -> None:
    app = QApplication(sys.argv[:1])
    window = MainWindow(location, "ada")
    window.show()
    window.start_page.password.setText(password)
    window.start_page.submit()
    window.today_page.start.click()
    page = window.session_page
    assert page is not None
    page.show_part("skill_work")
    editor = page.skill.narrative
    saver = editor.property("saver")
    saver.saved.connect(lambda: print("ACK " + editor.toPlainText(), flush=True))
    editor.setFocus()
    counter = iter(range(10**6))

    def type_a_word() -> None:
        QTest.keyClicks(editor, WORDS[next(counter) % len(WORDS)] + " ")

    typing = QTimer()
    typing.timeout.connect(type_a_word)
    typing.start(60)  # a brisk typist: a word every 60 ms, so saves happen mid-stream
    print("READY", page.session_id, flush=True)
    app.exec()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
