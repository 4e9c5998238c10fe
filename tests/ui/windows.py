"""Opening the window at today's group, and committing grid cells, for the window tests."""

from facilitator.ui.main_window import MainWindow
from tests.conftest import PASSWORD

EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)


def open_today(qtbot, location):
    window = MainWindow(location, "ada")
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.start_page.password.setText(PASSWORD)
    window.start_page.submit()
    window.today_page.start.click()
    assert window.session_page is not None
    return window, window.session_page


def open_with_everyone_present(qtbot, location, member_ids):
    """Today's group opened, and its members marked present from another sign-in (the window
    follows through its live view)."""
    from facilitator.services import accounts
    from tests.factories import all_present

    window, page = open_today(qtbot, location)
    other = accounts.sign_in(location, "ada", PASSWORD)
    all_present(other, page.session_id, member_ids)
    other.close()
    window.ws.make_current()
    qtbot.waitUntil(lambda: len(page.check_in.model.rows) == len(member_ids), timeout=3000)
    return window, page


def edit(model, member_id, column, value):
    """Commit a value into a grid cell through the model, as the cell's editor does."""
    row = next(i for i, r in enumerate(model.rows) if r.member_id == member_id)
    return model.setData(model.index(row, model.column(column)), value)


def laid_out(qtbot, preview):
    """A preview dialog, once its PDF (laid out on the preview thread) is shown."""
    qtbot.addWidget(preview)
    qtbot.waitUntil(lambda: preview.is_ready, timeout=60_000)
    return preview
