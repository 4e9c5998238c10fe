"""An error nobody caught in the window is one plain sentence that says what is true."""

import sqlcipher3

from facilitator.ui import main_window
from facilitator.ui.main_window import MainWindow, _report_unexpected


def shown_for(qtbot, monkeypatch, tmp_path, error: BaseException) -> str:
    window = MainWindow(str(tmp_path / "clinic.db"), "ada")
    qtbot.addWidget(window)
    shown: list[str] = []
    monkeypatch.setattr(
        main_window.QMessageBox, "critical", lambda _parent, _title, text: shown.append(text)
    )
    _report_unexpected(window)(type(error), error, None)
    assert len(shown) == 1
    return shown[0]


def test_a_full_disk_in_the_window_says_the_disk_is_full(qtbot, monkeypatch, tmp_path):
    # The driver's own error class and SQLite's own words, as a write on a full disk raises them.
    text = shown_for(
        qtbot, monkeypatch, tmp_path, sqlcipher3.OperationalError("database or disk is full")
    )
    assert "is full" in text and str(tmp_path) in text and "damaged" not in text


def test_damage_found_mid_session_says_restore(qtbot, monkeypatch, tmp_path):
    text = shown_for(
        qtbot, monkeypatch, tmp_path, sqlcipher3.DatabaseError("database disk image is malformed")
    )
    assert "clinic.db is damaged" in text and "restore" in text


def test_a_fault_of_the_app_names_only_its_kind(qtbot, monkeypatch, tmp_path):
    text = shown_for(qtbot, monkeypatch, tmp_path, KeyError("Nia Quillby"))
    assert "KeyError" in text and "Nia" not in text and "saved work is safe" in text
