"""Every committed change is announced to the other seats, by table and ids only (never a
row's contents), so their open screens follow it within a second (store.announcements):

- PostgreSQL: a trigger per table sends ``pg_notify('facilitator_changes', …)``; PostgreSQL
  delivers it at commit, to every connection that LISTENs, with the writer's process id.
- SQLite (one laptop's file open in several windows or processes): the same triggers write a
  row to ``change_log`` instead; a seat notices another's commit by the database's
  ``data_version`` and reads the rows after the last it saw. The log keeps its newest 5,000
  rows (a seat that was away longer reads everything again).
"""

from peewee import PostgresqlDatabase

# The tables domain.changes maps to screens' Changes (frozen here: a migration never changes).
ANNOUNCED_TABLES = (
    "attendance", "check_in", "member_note", "group_note", "homework_assignment",
    "homework_review", "phase_log", "session", "signature", "addendum", "member", "enrollment",
    "treatment_goal", "therapy_group", "group_staff", "curriculum", "curriculum_item",
    "homework_item", "app_user", "program_setting", "audit_entry",
)  # fmt: skip
KEEP = 5000
IDS = {"id": "id", "s": "session_id", "m": "member_id", "g": "group_id"}


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        _server(db)
    else:
        _laptop(db)


def _server(db):
    pairs = ", ".join(f"'{key}', r->'{column}'" for key, column in IDS.items())
    db.execute_sql(
        "CREATE OR REPLACE FUNCTION facilitator_announce() RETURNS trigger AS $$ "
        "DECLARE r jsonb; BEGIN "
        "IF TG_OP = 'DELETE' THEN r := to_jsonb(OLD); ELSE r := to_jsonb(NEW); END IF; "
        f"PERFORM pg_notify('facilitator_changes', "
        f"json_build_object('t', TG_TABLE_NAME, {pairs})::text); "
        "RETURN NULL; END $$ LANGUAGE plpgsql SET search_path = pg_catalog"
    )
    for table in ANNOUNCED_TABLES:
        db.execute_sql(
            f"CREATE TRIGGER announce_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION facilitator_announce()"
        )


def _laptop(db):
    db.execute_sql(
        "CREATE TABLE change_log (id INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, "
        "row_id INTEGER, session_id INTEGER, member_id INTEGER, group_id INTEGER)"
    )
    for table in ANNOUNCED_TABLES:
        columns = {row[1] for row in db.execute_sql(f"PRAGMA table_info({table})").fetchall()}
        for op, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            values = ", ".join(
                f"{row}.{column}" if column in columns else "NULL" for column in IDS.values()
            )
            db.execute_sql(
                f"CREATE TRIGGER announce_{table}_{op.lower()} AFTER {op} ON {table} BEGIN "
                "INSERT INTO change_log (tbl, row_id, session_id, member_id, group_id) "
                f"VALUES ('{table}', {values}); "
                f"DELETE FROM change_log WHERE id <= (SELECT max(id) FROM change_log) - {KEEP}; "
                "END"
            )
