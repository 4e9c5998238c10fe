"""Writing many generated rows at once (the demo database), bypassing the per-row queries.

Clinical work goes through the services one change at a time; a ten-year demo has millions of
rows, so ``BulkWriter`` assigns ids itself, buffers plain tuples per table and inserts them
with one prepared ``executemany`` per table, in foreign-key order, one transaction per flush.

The lock triggers refuse content for a signed session, so sessions go in as drafts with all
their content and signatures, and only then are the ones to be signed switched to signed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from peewee import PostgresqlDatabase

from facilitator.store import models
from facilitator.store.database import clear_errors
from facilitator.store.models import database

# Every column is listed: peewee keeps the defaults in Python, not in the schema.
# Columns a bulk load leaves to the database's defaults: an edit's version starts at 0, made by
# no seat (migration 0012).
LEFT_TO_DEFAULTS = frozenset({"version", "changed_by", "changed_at"})
COLUMNS: dict[type[models.Base], tuple[str, ...]] = {
    models.User: (
        "id", "username", "full_name", "credentials", "role", "password_hash", "active",
        "created_at", "clinician", "requires_supervision", "supervisor_id", "password_chosen",
    ),
    models.Group: (
        "id", "name", "track", "group_type", "open_enrollment", "meeting_weekdays", "start_time",
        "length_minutes", "phase_plan", "soft_capacity", "active", "created_at",
        "created_by_login",
    ),
    models.Member: (
        "id", "first_name", "last_name", "preferred_name", "record_number", "pronouns",
        "date_of_birth", "created_at", "created_by_login",
    ),
    models.TreatmentGoal: ("id", "member_id", "text", "status", "created_at"),
    models.Enrollment: (
        "id", "member_id", "group_id", "start_date", "end_date", "status", "discharge_reason",
    ),
    models.Session: (
        "id", "group_id", "date", "scheduled_start", "scheduled_end", "actual_start",
        "actual_end", "mode", "facilitator_id", "co_facilitator_id", "state", "current_phase",
        "created_at",
    ),
    models.PhaseLog: ("id", "session_id", "phase", "planned_minutes", "started_at", "ended_at"),
    models.Attendance: (
        "id", "session_id", "member_id", "status", "arrival", "departure", "location",
        "late_joiner",
    ),
    models.CheckIn: (
        "id", "session_id", "member_id", "mood", "craving", "use_since_last", "use_detail",
        "safety_concern", "safety_follow_up", "homework_review", "current_issue",
    ),
    models.MemberNote: (
        "id", "session_id", "member_id", "data", "assessment", "plan", "participation",
        "goal_id", "author_id", "updated_at",
    ),
    models.GroupNote: (
        "id", "session_id", "topic_item_id", "topic", "interventions", "narrative", "summary",
    ),
    models.HomeworkAssignment: (
        "id", "session_id", "member_id", "item_id", "title", "instructions", "due_date",
    ),
    models.HomeworkReview: ("id", "assignment_id", "session_id", "member_id", "status", "comment"),
    models.Signature: (
        "id", "session_id", "user_id", "kind", "signed_at", "content_hash", "canonical_version",
        "signer_line", "key_id", "signature",
    ),
    models.SignedContent: ("id", "session_id", "body", "created_at"),
}  # fmt: skip

# SQLite's cache during a load (negative = KiB); the index pages of the big tables stay in memory.
LOAD_CACHE_KIB = 256 * 1024


class Table:
    """The buffered rows of one table; each row is a tuple in ``columns`` order, id first."""

    __slots__ = ("columns", "last_id", "name", "rows", "written")

    def __init__(self, name: str, columns: tuple[str, ...], last_id: int) -> None:
        self.name = name
        self.columns = columns
        self.last_id = last_id
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0

    def new_id(self) -> int:
        self.last_id += 1
        return self.last_id


class BulkWriter:
    """Buffered inserts into the open store, with ids continuing after the stored ones."""

    def __init__(self) -> None:
        _check_columns()
        self.is_postgres = isinstance(database.obj, PostgresqlDatabase)
        mark = database.param
        self.tables: dict[type[models.Base], Table] = {}
        self._sql: dict[type[models.Base], str] = {}
        for model, columns in COLUMNS.items():
            name = model._meta.table_name
            (last,) = database.execute_sql(f'SELECT max(id) FROM "{name}"').fetchone()
            self.tables[model] = Table(name, columns, int(last or 0))
            quoted = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join([mark] * len(columns))
            self._sql[model] = f'INSERT INTO "{name}" ({quoted}) VALUES ({marks})'
        self._to_sign: list[tuple[int]] = []
        self._sign_sql = f"UPDATE session SET state = 'signed' WHERE id = {mark}"

    def table(self, model: type[models.Base]) -> Table:
        return self.tables[model]

    def sign_later(self, session_id: int) -> None:
        """Switch this session to signed after the next flush has written its content."""
        self._to_sign.append((session_id,))

    @property
    def rows_written(self) -> int:
        return sum(t.written for t in self.tables.values())

    def flush(self) -> None:
        """Write every buffered row, then lock the sessions marked for signing; one transaction."""
        with clear_errors(), database.atomic():
            cursor = database.cursor()
            for model, table in self.tables.items():
                if table.rows:
                    cursor.executemany(self._sql[model], table.rows)
                    table.written += len(table.rows)
                    table.rows = []
            if self._to_sign:
                cursor.executemany(self._sign_sql, self._to_sign)
                self._to_sign = []

    def finish(self) -> None:
        """Flush, and on PostgreSQL move each id sequence past the ids written here."""
        self.flush()
        if not self.is_postgres:
            return
        for table in self.tables.values():
            if table.written:
                database.execute_sql(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                    f'(SELECT max(id) FROM "{table.name}"))'
                )

    @contextmanager
    def fast_load(self) -> Iterator[None]:
        """SQLite settings for a one-off load of a new file, put back afterwards.

        A crash half-way leaves a half-built demo to delete, so the per-commit fsync buys
        nothing here; the store's settings are restored before anyone else uses the file.
        """
        if self.is_postgres:
            yield
            return
        (cache,) = database.execute_sql("PRAGMA cache_size").fetchone()
        database.execute_sql("PRAGMA synchronous = OFF")
        database.execute_sql(f"PRAGMA cache_size = -{LOAD_CACHE_KIB}")
        try:
            yield
        finally:
            database.execute_sql("PRAGMA synchronous = 2")
            database.execute_sql(f"PRAGMA cache_size = {int(cache)}")


def _check_columns() -> None:
    """Fail at once, with the column's name, if the schema and this file drift apart."""
    for model, columns in COLUMNS.items():
        known = {f.column_name for f in model._meta.sorted_fields} - LEFT_TO_DEFAULTS
        missing = [c for c in columns if c not in known] + [c for c in known if c not in columns]
        if missing:
            raise RuntimeError(f"bulk columns of {model._meta.table_name} out of date: {missing}")
