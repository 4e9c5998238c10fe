"""Floors: the same reads done by bare stdlib sqlite3 on a small plain copy of the rows.

A scenario's queries are captured from peewee's log while it runs once, then replayed verbatim
on an unencrypted copy holding just the rows they touch. The gap between the two is what the
app adds: the ORM, building records, the encryption, and the size of the ten-year tables.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from facilitator.store.models import database

Statement = tuple[str, tuple[Any, ...]]
# Tables whose rows belong to one session; copied for every session the scenarios read.
SESSION_TABLES = (
    "phase_log",
    "attendance",
    "check_in",
    "member_note",
    "group_note",
    "homework_assignment",
    "homework_review",
    "signature",
    "addendum",
)
SMALL_TABLES = ("app_user", "therapy_group", "homework_item")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[Statement] = []

    def emit(self, record: logging.LogRecord) -> None:
        sql, params = record.msg if isinstance(record.msg, tuple) else (str(record.msg), ())
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            self.statements.append((sql, tuple(params or ())))


def capture(scenario: Callable[[], object]) -> list[Statement]:
    """The SELECTs one run of the scenario sends to the database, with their parameters."""
    logger, handler = logging.getLogger("peewee"), _Collect()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        scenario()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return handler.statements


def replay(connection: sqlite3.Connection, statements: list[Statement]) -> int:
    """Run the statements in one read transaction, as the store does; the rows fetched."""
    fetched = 0
    connection.execute("BEGIN")
    for sql, params in statements:
        fetched += len(connection.execute(sql, params).fetchall())
    connection.execute("COMMIT")
    return fetched


def plain_copy(target: Path, session_ids: Iterable[int]) -> Path:
    """An unencrypted file with the app's schema and only these sessions' rows (and people)."""
    ids = sorted(set(session_ids))
    plain = sqlite3.connect(target, isolation_level=None)
    schema = database.execute_sql(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND type IN ('table', 'index') "
        "AND name NOT LIKE 'sqlite_%' "
        # The library's FTS5 index (a virtual table and the tables it makes itself): the
        # floors read none of it.
        "AND name NOT LIKE 'homework_item_search%' "
        "ORDER BY type DESC"  # tables before their indexes
    ).fetchall()
    for (ddl,) in schema:
        plain.execute(ddl)
    plain.execute("BEGIN")
    _copy(plain, "session", "id", ids)
    for table in SESSION_TABLES:
        _copy(plain, table, "session_id", ids)
    members = [row[0] for row in plain.execute("SELECT DISTINCT member_id FROM attendance")]
    _copy(plain, "member", "id", members)
    _copy(plain, "treatment_goal", "member_id", members)
    for table in SMALL_TABLES:
        _copy(plain, table, None, [])
    plain.execute("COMMIT")
    plain.execute("ANALYZE")
    plain.close()
    return target


def _copy(plain: sqlite3.Connection, table: str, key: str | None, values: list[int]) -> None:
    where, params = "", values
    for start in range(0, max(len(values), 1), 10_000):
        chunk = values[start : start + 10_000]
        if key is not None:
            where = f" WHERE {key} IN ({', '.join('?' * len(chunk))})"
            params = chunk
        rows = database.execute_sql(f'SELECT * FROM "{table}"{where}', params).fetchall()
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            plain.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)
