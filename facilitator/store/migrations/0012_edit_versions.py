"""Versions on what several seats edit at once (a session's attendance, check-ins and notes):
each save adds one to the row's ``version`` and names who made it and when (``changed_by``,
``changed_at``), so a seat whose save meets a change it has not seen can say whose and when
(store.sessions). Existing rows start at version 0, changed by no one known.

Plain ALTER TABLE … ADD COLUMN on both engines: SQLite adds a column with a constant default
in place (peewee's migrator would rebuild the table for NOT NULL, dropping its triggers).
"""

from peewee import PostgresqlDatabase

TABLES = ("attendance", "check_in", "member_note", "group_note")


def up(migrator, db):
    stamp = "TIMESTAMP" if isinstance(db, PostgresqlDatabase) else "DATETIME"
    for table in TABLES:
        db.execute_sql(f"ALTER TABLE {table} ADD COLUMN version INTEGER NOT NULL DEFAULT 0")
        db.execute_sql(f"ALTER TABLE {table} ADD COLUMN changed_by INTEGER")
        db.execute_sql(f"ALTER TABLE {table} ADD COLUMN changed_at {stamp}")
