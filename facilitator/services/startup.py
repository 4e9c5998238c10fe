"""What the first window needs before anyone signs in; deliberately light to import."""

from __future__ import annotations

from pathlib import Path

from facilitator.domain.errors import FacilitatorError
from facilitator.store import locations


def needs_setup(location: str) -> bool:
    """Whether this database has yet to be created (first run)."""
    if not locations.is_server_url(location):
        return not Path(location).exists()
    from facilitator.store import database  # a server must be asked; that needs the drivers

    return database.is_new(location)


def describe(location: str) -> str:
    return locations.describe(location)


def instance_lock_path(location: str) -> Path:
    """Where the lock that keeps a second window off this database lives."""
    return locations.instance_lock_path(location)


def demo_location(location: str) -> str:
    """Where "Explore with demo data" keeps its own database: beside the real one, never in it."""
    if locations.is_server_url(location):
        return str(locations.default_database_path().with_name("facilitator-demo.db"))
    path = Path(location)
    return str(path.with_name(path.stem + "-demo" + path.suffix))


def explain(exc: BaseException, location: str) -> FacilitatorError | None:
    """What an unforeseen error from the database or the disk means, in a sentence; None when
    it is none of those (a fault in the app itself)."""
    from facilitator.store import failures  # loads the database drivers: not before it is needed

    return failures.explain(exc, None if locations.is_server_url(location) else location)
