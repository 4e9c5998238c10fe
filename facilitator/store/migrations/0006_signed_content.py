"""A signed session's record, frozen at the signature (facilitator.domain.frozen).

One row per signed session holds the whole record as it was signed, names and all, as
canonical JSON (compressed: a full group's is 30 KB, 4 KB compressed); the record is shown,
printed and checked from it. Like signatures and
addenda, the rows can be neither changed nor removed. Signatures and addenda also keep the
signer's name and credentials as they were ("Ada Example, LCSW").

Sessions signed before this migration are frozen once, right after the migrations run
(facilitator.store.database.migrate), from their rows as they then are, if their seals still
hold: from then on, renaming a member or a group changes none of them.
"""

from peewee import *
from peewee import PostgresqlDatabase

IMMUTABLE = "FACILITATOR_LOCKED: signatures and addenda cannot be changed or removed"


def up(migrator, db):
    class Session(Model):
        class Meta:
            database = db
            table_name = "session"

    class SignedContent(Model):
        session = ForeignKeyField(Session, unique=True, on_delete="RESTRICT")
        body = BlobField()  # canonical JSON, UTF-8, zlib-compressed
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "signed_content"

    db.create_tables([SignedContent])
    server = isinstance(db, PostgresqlDatabase)
    for table in ("signature", "addendum"):
        db.execute_sql(f"ALTER TABLE {table} ADD COLUMN signer_line VARCHAR(255) NULL")
    if server:
        db.execute_sql(
            "CREATE TRIGGER lock_signed_content BEFORE UPDATE OR DELETE ON signed_content "
            "FOR EACH ROW EXECUTE FUNCTION facilitator_immutable()"
        )
        db.execute_sql(
            "CREATE TRIGGER lock_signed_content_truncate BEFORE TRUNCATE ON signed_content "
            "FOR EACH STATEMENT EXECUTE FUNCTION facilitator_immutable()"
        )
    else:
        for op in ("UPDATE", "DELETE"):
            db.execute_sql(
                f"CREATE TRIGGER lock_signed_content_{op.lower()} BEFORE {op} ON signed_content "
                f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END"
            )
