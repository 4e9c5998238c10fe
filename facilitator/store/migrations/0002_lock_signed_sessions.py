"""Database triggers that keep a signed session's content from changing, on both engines.

The services refuse such edits first; these triggers are the second wall, for any writer
that goes around the services (a script, a bug, a hand-typed UPDATE). The message carries
the marker FACILITATOR_LOCKED so the store can turn it into a clear error.
"""

from peewee import PostgresqlDatabase

# Rows of a session's content, each with a session_id column.
CONTENT_TABLES = (
    "phase_log",
    "attendance",
    "check_in",
    "member_note",
    "group_note",
    "homework_assignment",
    "homework_review",
)
LOCKED = "FACILITATOR_LOCKED: the session is signed; add an addendum instead"
IMMUTABLE = "FACILITATOR_LOCKED: signatures and addenda cannot be changed or removed"


def _sqlite_statements():
    signed = "(SELECT state FROM session WHERE id = {ref}.session_id) = 'signed'"
    for table in CONTENT_TABLES:
        for op, refs in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            when = " OR ".join(signed.format(ref=ref) for ref in refs)
            yield (
                f"CREATE TRIGGER lock_{table}_{op.lower()} BEFORE {op} ON {table} "
                f"WHEN {when} BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END"
            )
    for op in ("UPDATE", "DELETE"):
        yield (
            f"CREATE TRIGGER lock_session_{op.lower()} BEFORE {op} ON session "
            f"WHEN OLD.state = 'signed' BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END"
        )
        for table in ("signature", "addendum"):
            yield (
                f"CREATE TRIGGER lock_{table}_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END"
            )


def _postgres_statements():
    yield f"""
        CREATE FUNCTION facilitator_lock_content() RETURNS trigger AS $$
        BEGIN
            IF TG_OP <> 'INSERT' AND EXISTS (
                SELECT 1 FROM session WHERE id = OLD.session_id AND state = 'signed') THEN
                RAISE EXCEPTION '{LOCKED}';
            END IF;
            IF TG_OP <> 'DELETE' AND EXISTS (
                SELECT 1 FROM session WHERE id = NEW.session_id AND state = 'signed') THEN
                RAISE EXCEPTION '{LOCKED}';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql"""
    yield f"""
        CREATE FUNCTION facilitator_lock_session() RETURNS trigger AS $$
        BEGIN
            IF OLD.state = 'signed' THEN RAISE EXCEPTION '{LOCKED}'; END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql"""
    yield f"""
        CREATE FUNCTION facilitator_immutable() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '{IMMUTABLE}';
        END $$ LANGUAGE plpgsql"""
    for table in CONTENT_TABLES:
        yield (
            f"CREATE TRIGGER lock_{table} BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION facilitator_lock_content()"
        )
    yield (
        "CREATE TRIGGER lock_session BEFORE UPDATE OR DELETE ON session "
        "FOR EACH ROW EXECUTE FUNCTION facilitator_lock_session()"
    )
    for table in ("signature", "addendum"):
        yield (
            f"CREATE TRIGGER lock_{table} BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION facilitator_immutable()"
        )


def up(migrator, db):
    statements = _postgres_statements if isinstance(db, PostgresqlDatabase) else _sqlite_statements
    for sql in statements():
        db.execute_sql(sql)
