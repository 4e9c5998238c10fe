"""The audit trail in lanes, so one lock does not serialise a whole clinic's saves.

Until now every entry chained to the one before it across the whole trail, and on a server
every save waited for one advisory lock to append its entry. Now each seat (a user on one
workstation) appends to its own lane: ``lane`` names it, ``prev_hash`` links to the lane's
previous entry, and only appends to one lane wait for each other. Entries written before (and
every entry of a laptop's file, where SQLite has one writer anyway) stay in lane '' with
hashes exactly as they were.

- ``(lane, prev_hash)`` is unique: two entries can never follow the same one, so a lane cannot
  fork even if a lock were skipped.
- A server's ids now come from the table's sequence (the ids stay increasing within a lane; a
  rolled-back append leaves a gap, which the chain does not mind).
- ``audit_head`` keeps each printed head of a trail in lanes: its digest covers every lane's
  newest entry at that moment, so ``audit verify --head`` can later tell a cut or rewritten
  lane. It is append-only like the trail.
"""

from peewee import PostgresqlDatabase

APPEND_ONLY = "FACILITATOR_LOCKED: the audit trail is append-only"


def up(migrator, db):
    server = isinstance(db, PostgresqlDatabase)
    for table in ("audit_entry", "imported_audit_entry"):
        db.execute_sql(f"ALTER TABLE {table} ADD COLUMN lane VARCHAR(200) NOT NULL DEFAULT ''")
    db.execute_sql("CREATE UNIQUE INDEX audit_entry_lane_prev ON audit_entry (lane, prev_hash)")
    db.execute_sql("CREATE INDEX audit_entry_lane_id ON audit_entry (lane, id)")
    key = "SERIAL PRIMARY KEY" if server else "INTEGER PRIMARY KEY AUTOINCREMENT"
    stamp = "TIMESTAMP" if server else "DATETIME"
    db.execute_sql(
        f"CREATE TABLE audit_head (id {key}, at {stamp} NOT NULL, "
        "digest VARCHAR(64) NOT NULL UNIQUE, entries INTEGER NOT NULL, lanes TEXT NOT NULL)"
    )
    if server:
        db.execute_sql(
            "SELECT setval(pg_get_serial_sequence('audit_entry', 'id'), "
            "COALESCE((SELECT MAX(id) FROM audit_entry), 0) + 1, false)"
        )
        db.execute_sql(
            "CREATE TRIGGER audit_head_append_only BEFORE UPDATE OR DELETE ON audit_head "
            "FOR EACH ROW EXECUTE FUNCTION facilitator_audit_append_only()"
        )
    else:
        for op in ("UPDATE", "DELETE"):
            db.execute_sql(
                f"CREATE TRIGGER audit_head_append_only_{op.lower()} BEFORE {op} ON audit_head "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )
