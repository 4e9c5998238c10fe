"""Versions on homework reviews, as migration 0012 gave the other rows several seats edit at
once: each save of a review adds one to ``version`` and names who made it and when, so a seat
whose save meets another seat's change to the same review can say whose and when
(store.seat_saves.upsert). Existing reviews start at version 0, changed by no one known.

(Assignments are only ever added or removed, never edited; two seats giving the same homework
at once are kept apart by a lock instead: store.seat_saves.hold_homework.)
"""

from peewee import PostgresqlDatabase


def up(migrator, db):
    stamp = "TIMESTAMP" if isinstance(db, PostgresqlDatabase) else "DATETIME"
    db.execute_sql("ALTER TABLE homework_review ADD COLUMN version INTEGER NOT NULL DEFAULT 0")
    db.execute_sql("ALTER TABLE homework_review ADD COLUMN changed_by INTEGER")
    db.execute_sql(f"ALTER TABLE homework_review ADD COLUMN changed_at {stamp}")
