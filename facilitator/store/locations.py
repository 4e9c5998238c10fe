"""Where databases live, as text: no database driver is imported here.

The window's first screen needs these before anything opens, and importing the drivers
(peewee, psycopg, SQLCipher) costs more than drawing it.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import platformdirs

APP_NAME = "Facilitator"


def default_database_path() -> Path:
    return platformdirs.user_data_path(APP_NAME, appauthor=False) / "facilitator.db"


def is_server_url(location: str) -> bool:
    return urlparse(location).scheme in ("postgres", "postgresql")


def describe(location: str) -> str:
    """The location without any password, fit for a message."""
    if not is_server_url(location):
        return location
    parts = urlparse(location)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or 'localhost'}{port}{parts.path}"
