"""The session runner, one module per part of the screen (see page.py)."""

from facilitator.ui.session.page import SessionPage

__all__ = ["SessionPage"]
