"""Queries whose SQL peewee renders once and the database then runs again and again.

Rendering a query takes peewee longer than SQLite takes to answer it for one session, and the
session screen's every edit runs a handful of small ones. A query here is a function of its
parameters building a peewee query of tuples; its SQL is rendered the first time, for the
database it runs on, and reused with new parameter values. Only a query whose rendered
parameters are exactly the values it was built from (no constants, no conversions) is reused;
any other runs through peewee as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from facilitator.store.models import database

Query = Callable[..., Any]  # (*params) -> a peewee query of tuples
# The rendered SQL and each column's converter, by the kind of database (SQLite or PostgreSQL:
# their SQL differs), the query and how many parameters it has; None: run by peewee each time.
_RENDERED: dict[tuple[type, Query, int], tuple[str, list[Any]] | None] = {}


def rows(query: Query, *params: Any) -> list[tuple[Any, ...]]:
    """The rows of ``query(*params)``, as peewee's ``.tuples()`` would give them."""
    key = (type(database.obj), query, len(params))
    if key not in _RENDERED:
        if len(set(params)) != len(params):  # equal values: which went where cannot be told
            return list(query(*params))  # (rendered from different ones, it is reused below)
        _RENDERED[key] = _render(query(*params), params)
    rendered = _RENDERED[key]
    if rendered is None:
        return list(query(*params))
    sql, converters = rendered
    cursor = database.execute_sql(sql, params)
    return [
        tuple(
            value if convert is None else convert(value)
            for convert, value in zip(converters, row, strict=True)
        )
        for row in cursor.fetchall()
    ]


def first(query: Query, *params: Any) -> tuple[Any, ...] | None:
    found = rows(query, *params)
    return found[0] if found else None


def _render(built: Any, params: tuple[Any, ...]) -> tuple[str, list[Any]] | None:
    sql, rendered = built.sql()
    if list(rendered) != list(params):
        return None
    return sql, [getattr(column, "python_value", None) for column in built._returning]
