"""Going behind the app's back, as a test of what `check` and the triggers catch.

On a laptop whoever holds the key can write to the file with any SQLite tool: that is the app's
own connection. On a clinic server no staff login can (tests/store/test_server_privileges.py);
someone with the owner's rights (the server's superuser, a DBA with psql) can, so that is who
tampers there: a superuser connection to the same database.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import peewee
from psycopg.conninfo import conninfo_to_dict


@contextlib.contextmanager
def owner_db(ws) -> Iterator[peewee.Database]:
    if not ws.store.is_postgres:
        yield ws.store.db
        return
    parts = conninfo_to_dict(ws.store.location)
    db = peewee.PostgresqlDatabase(
        parts["dbname"], host=parts["host"], port=parts["port"], user="postgres",
        prefer_psycopg3=True,
    )  # fmt: skip
    db.connect()
    try:
        yield db
    finally:
        db.close()


def as_owner(ws, *statements: str) -> None:
    """Run each statement with the owner's rights, each committed at once."""
    with owner_db(ws) as db:
        for sql in statements:
            db.execute_sql(sql)


@contextlib.contextmanager
def owner_bound(ws) -> Iterator[peewee.Database]:
    """The app's models work on the owner's connection for the block (on a server), so a
    test can rewrite rows with them as the tamperer would; then back to the app's own."""
    from facilitator.store import models

    with owner_db(ws) as db:
        previous = models.database.obj
        models.database.initialize(db)
        try:
            yield db
        finally:
            models.database.initialize(previous)


@contextlib.contextmanager
def unguarded(ws):
    """The adversary's first step: the protective triggers out of the way, then back. On a
    server that takes the owner's rights (no staff login has them)."""
    if ws.store.is_postgres:
        with owner_bound(ws) as db:
            db.execute_sql("SET session_replication_role = replica")
            yield
        return
    db = ws.store.db
    saved = db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _ in saved:
        db.execute_sql(f"DROP TRIGGER {name}")
    yield
    for _, sql in saved:
        db.execute_sql(sql)
