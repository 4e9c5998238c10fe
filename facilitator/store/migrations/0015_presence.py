"""Who has a session open, and where: one row per open session screen (``seat``, a token the
screen makes when it opens), naming its user and workstation, the part on view, whose note (if
any) and whether its user is typing there. A screen refreshes its row every 30 seconds and
removes it on closing; a row not refreshed for 90 seconds (a crashed laptop) counts as gone.

Not a clinical record: never audited or signed. It is announced like a session's content
(migration 0013), by table, session and member ids only, so other seats' headers follow within
a second. ``seen_at`` is the database's own clock, so
laptops with wrong clocks still agree on who is gone.
"""

from peewee import PostgresqlDatabase


def up(migrator, db):
    server = isinstance(db, PostgresqlDatabase)
    key = "SERIAL PRIMARY KEY" if server else "INTEGER PRIMARY KEY AUTOINCREMENT"
    stamp = "TIMESTAMPTZ" if server else "DATETIME"
    db.execute_sql(
        f"CREATE TABLE presence (id {key}, seat VARCHAR(40) NOT NULL UNIQUE, "
        "session_id INTEGER NOT NULL REFERENCES session (id) ON DELETE CASCADE, "
        "user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE, "
        "workstation VARCHAR(120) NOT NULL, part VARCHAR(20) NOT NULL, member_id INTEGER, "
        f"typing BOOLEAN NOT NULL DEFAULT FALSE, seen_at {stamp} NOT NULL)"
    )
    db.execute_sql("CREATE INDEX presence_session ON presence (session_id)")
    if server:
        db.execute_sql(
            "CREATE TRIGGER announce_presence AFTER INSERT OR UPDATE OR DELETE ON presence "
            "FOR EACH ROW EXECUTE FUNCTION facilitator_announce()"
        )
        return
    for op, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        db.execute_sql(
            f"CREATE TRIGGER announce_presence_{op.lower()} AFTER {op} ON presence BEGIN "
            "INSERT INTO change_log (tbl, row_id, session_id, member_id, group_id) "
            f"VALUES ('presence', {row}.id, {row}.session_id, {row}.member_id, NULL); "
            "DELETE FROM change_log WHERE id <= (SELECT max(id) FROM change_log) - 5000; "
            "END"
        )
