"""The protective triggers, as shipped: `check` compares what the database holds with the
fingerprints in ``triggers.json`` (made from a freshly migrated database of each engine, and
kept true by tests/store/test_triggers.py). A trigger dropped, changed, disabled or added
behind the app's back is named."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from peewee import PostgresqlDatabase

from facilitator.store.models import database

SHIPPED = Path(__file__).with_name("triggers.json")


def _digest(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def installed() -> tuple[str, dict[str, str]]:
    """The engine's name and, per trigger, a fingerprint of everything that makes it act:
    on SQLite its SQL; on PostgreSQL its table, timing, whether it is enabled, and the
    source and settings (its fixed search_path) of the function it runs."""
    if isinstance(database.obj, PostgresqlDatabase):
        rows = database.execute_sql(
            "SELECT t.tgname, c.relname, t.tgtype, t.tgenabled, p.proname, p.prosrc, "
            "coalesce(array_to_string(p.proconfig, ','), '') "
            "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
        ).fetchall()
        return "postgresql", {row[0]: _digest("|".join(map(str, row[1:]))) for row in rows}
    rows = database.execute_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
    ).fetchall()
    return "sqlite", {row[0]: _digest(row[1] or "") for row in rows}


def shipped(engine: str) -> dict[str, str]:
    return dict(json.loads(SHIPPED.read_text("utf-8"))[engine])


def problems() -> list[str]:
    engine, found = installed()
    expected = shipped(engine)
    out = []
    for name in sorted(expected):
        if name not in found:
            out.append(f"the protective trigger {name} is missing")
        elif found[name] != expected[name]:
            out.append(f"the protective trigger {name} is not as shipped (changed or disabled)")
    out += [
        f"an unknown trigger {name} is on the database"
        for name in sorted(set(found) - set(expected))
    ]
    return out
