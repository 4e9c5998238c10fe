"""Full-text search over the homework library, and a group's curriculum.

Search looks in each item's title, module and ``search_text`` (purpose, steps, prompts,
take-home and worksheet labels, filled in by the store). SQLite keeps an FTS5 table in step
with triggers; PostgreSQL keeps a generated, weighted tsvector column with a GIN index.
"""

import json

from peewee import *
from peewee import PostgresqlDatabase


def search_text(row):
    """The same words facilitator.store.library.search_text gathers (frozen here on purpose)."""
    parts = [row["purpose"], *json.loads(row["steps"]), *json.loads(row["prompts"])]
    parts.append(row["take_home"])
    for field in json.loads(row["worksheet_fields"]):
        parts.append(str(field.get("label", "")))
        parts.extend(str(v) for v in field.get("columns", []) or [])
        parts.extend(str(v) for v in field.get("options", []) or [])
    return "\n".join(parts)


SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE homework_item_search USING fts5("
    "title, module, search_text, tokenize = 'porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER homework_item_search_insert AFTER INSERT ON homework_item BEGIN "
    "INSERT INTO homework_item_search (rowid, title, module, search_text) "
    "VALUES (NEW.id, NEW.title, replace(NEW.module, '_', ' '), NEW.search_text); END",
    "CREATE TRIGGER homework_item_search_update AFTER UPDATE ON homework_item BEGIN "
    "DELETE FROM homework_item_search WHERE rowid = OLD.id; "
    "INSERT INTO homework_item_search (rowid, title, module, search_text) "
    "VALUES (NEW.id, NEW.title, replace(NEW.module, '_', ' '), NEW.search_text); END",
    "CREATE TRIGGER homework_item_search_delete AFTER DELETE ON homework_item BEGIN "
    "DELETE FROM homework_item_search WHERE rowid = OLD.id; END",
)
POSTGRES_SEARCH = (
    "ALTER TABLE homework_item ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', title), 'A') || "
    "setweight(to_tsvector('english', replace(module, '_', ' ')), 'B') || "
    "setweight(to_tsvector('english', search_text), 'C')) STORED",
    "CREATE INDEX homework_item_search_vector ON homework_item USING GIN (search_vector)",
)


def up(migrator, db):
    db.execute_sql("ALTER TABLE homework_item ADD COLUMN search_text TEXT NOT NULL DEFAULT ''")
    cursor = db.execute_sql(
        "SELECT id, purpose, steps, prompts, take_home, worksheet_fields FROM homework_item"
    )
    names = [c[0] for c in cursor.description]
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        db.execute_sql(
            "UPDATE homework_item SET search_text = %s WHERE id = %s"
            if isinstance(db, PostgresqlDatabase)
            else "UPDATE homework_item SET search_text = ? WHERE id = ?",
            (search_text(row), row["id"]),
        )
    if isinstance(db, PostgresqlDatabase):
        for sql in POSTGRES_SEARCH:
            db.execute_sql(sql)
    else:
        for sql in SQLITE_SEARCH:
            db.execute_sql(sql)
        db.execute_sql(
            "INSERT INTO homework_item_search (rowid, title, module, search_text) "
            "SELECT id, title, replace(module, '_', ' '), search_text FROM homework_item"
        )

    class Group(Model):
        class Meta:
            database = db
            table_name = "therapy_group"

    class HomeworkItem(Model):
        class Meta:
            database = db
            table_name = "homework_item"

    class Curriculum(Model):
        group = ForeignKeyField(Group, unique=True, on_delete="RESTRICT")
        name = CharField(default="")
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "curriculum"

    class CurriculumItem(Model):
        curriculum = ForeignKeyField(Curriculum, on_delete="CASCADE")
        position = IntegerField()
        item = ForeignKeyField(HomeworkItem, on_delete="RESTRICT")

        class Meta:
            database = db
            table_name = "curriculum_item"
            indexes = ((("curriculum", "position"), True),)

    db.create_tables([Curriculum, CurriculumItem])
