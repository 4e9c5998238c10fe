"""Every control a facilitator can reach has a name a screen reader can say, at 1366x768."""

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextBrowser,
    QWidget,
)

from tests.ui.windows import open_today

CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QPlainTextEdit, QAbstractItemView, QTextBrowser)


def _controls(root: QWidget) -> list[QWidget]:
    return [
        widget
        for widget in root.findChildren(QWidget)
        if isinstance(widget, CONTROLS)
        and widget.isVisibleTo(root)
        # a combo box's own line edit and a view's inner widgets are named through their owner
        and not isinstance(widget.parent(), (QComboBox, QAbstractItemView))
    ]


def _unnamed(root: QWidget) -> list[str]:
    return [
        f"{type(w).__name__} {w.objectName() or w.toolTip()}"
        for w in _controls(root)
        if not w.accessibleName().strip()
    ]


def test_every_control_of_every_part_is_named_and_fits(qtbot, clinic):
    location, _members, _walk_in = clinic
    window, page = open_today(qtbot, location)
    for part in ("check_in", "skill_work", "summary", "notes", "sign"):
        page.show_part(part)
        assert len(_controls(window)) >= 12, part  # the check looks at the real controls
        assert _unnamed(window) == [], part
        # Nothing is cut off: the window's layout fits a 1366x768 screen.
        assert window.minimumSizeHint().width() <= 1366, part
        assert window.minimumSizeHint().height() <= 768, part
    window.close()
