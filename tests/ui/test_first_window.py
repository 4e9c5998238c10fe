"""The sign-in window loads only what it shows; the rest waits for sign-in.

What it would load otherwise costs more than drawing it (bench: login_process): json, getpass,
hashlib and platformdirs; the lock's module; and Qt's namespace of enums, which PySide6 makes
(some 20 ms) on the first use of ``Qt`` or of a key sequence.
"""

import os
import subprocess
import sys

FIRST_WINDOW = """
import sys
from PySide6 import QtCore
from PySide6.QtWidgets import QApplication

app = QApplication([])
import facilitator.app
from facilitator.ui.main_window import LoginPage, MainWindow

window = MainWindow(sys.argv[1], "ada")
window.show()
app.processEvents()
assert isinstance(window.start_page, LoginPage)
late = ("json", "getpass", "hashlib", "platformdirs", "facilitator.ui.lock")
print([name for name in late if name in sys.modules], "Qt" in vars(QtCore))
"""


def test_the_sign_in_window_loads_only_what_it_shows(tmp_path):
    location = tmp_path / "clinic.db"
    location.touch()  # the sign-in page only asks whether the file exists
    done = subprocess.run(
        [sys.executable, "-c", FIRST_WINDOW, str(location)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.stdout.strip() == "[] False"
