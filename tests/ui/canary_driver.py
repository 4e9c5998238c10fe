"""Run by test_canary in a child process whose HOME, XDG folders and TMPDIR all point into one
scratch folder: set up a clinic, then run a whole session in the real window with a member
whose name and notes carry a canary string, sign it, preview its PDF, lock and close.

The parent then searches every file in the scratch folder, outside the database itself, for
the canary.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from facilitator.domain.enums import AttendanceStatus
from facilitator.services import accounts, roster
from facilitator.store.keys import FAST_FOR_TESTS
from facilitator.ui.main_window import MainWindow
from tests.factories import group

PASSWORD = "canary-password-01"


def main(location: str, canary: str) -> None:
    ws = accounts.create_database(
        location, username="ada", password=PASSWORD, full_name="Ada Testwood",
        credentials="LCSW", program_name="Canary Valley IOP (fictitious)", kdf=FAST_FOR_TESTS,
    )  # fmt: skip
    group_id = group(ws, "Canary Group", meeting_weekdays=(0, 1, 2, 3, 4, 5, 6))
    import datetime as dt

    member_id = roster.create_member(
        ws, first_name=canary, last_name="Quillfeather", record_number=f"R-{canary}"
    ).created_id
    assert member_id is not None
    roster.enroll(ws, member_id, group_id, dt.date.today() - dt.timedelta(days=7))
    roster.add_goal(ws, member_id, f"Goal of {canary}: call a support daily")
    ws.close()

    app = QApplication(sys.argv[:1])
    window = MainWindow(location, "ada")
    window.show()
    window.start_page.password.setText(PASSWORD)
    window.start_page.submit()
    window.today_page.start.click()
    page = window.session_page
    assert page is not None
    row = next(i for i, r in enumerate(page.roster.model.rows) if r.member_id == member_id)
    page.roster.model.setData(
        page.roster.model.index(row, page.roster.model.column("status")),
        AttendanceStatus.PRESENT.value,
    )
    app.processEvents()
    page.show_part("skill_work")
    page.skill.narrative.setPlainText(f"{canary} led the practice of urge surfing.")
    page.show_part("notes")
    page.notes.members.setCurrentRow(0)
    page.notes.data.setPlainText(f"{canary} shared a plan for the weekend.")
    page.notes.assessment.setPlainText(f"{canary} engaged well.")
    page.notes.plan.setPlainText("Continue the craving plan.")
    page.flush()
    preview = page.document_preview("session")  # built in memory; nothing written
    assert preview is not None
    while not preview.is_ready:  # laid out on the preview thread
        app.processEvents()
    preview.close()
    window.close()
    app.processEvents()
    print("DONE", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
