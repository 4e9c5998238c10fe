"""Moving a laptop in (`server import`, services.moving_in): a laptop's whole database brought
onto the clinic's server, its ids renumbered to the server's, and everything it signed still
provably its signers'.

What the laptop signed is kept as the laptop signed it, beside the renumbered rows:
- ``laptop_import``: one row per laptop brought in: its root key, its note of what was sealed
  before signing keys, its audit trail's length and newest hash, all certified by the server's
  root key (which an administrator holds);
- ``imported_row``: the laptop's id of each row and the server's id it was given;
- ``imported_seal``: for each signature and addendum, the laptop's ids its signature statement
  names (its own id, the session's and the signer's);
- ``imported_body``: each signed session's frozen record exactly as the laptop froze it (with
  the laptop's ids), whose SHA-256 the signatures cover; ``signed_content`` holds the same
  record with the server's ids, for reading;
- ``imported_key``: the laptop's signing keys, as certified by the laptop's root;
- ``imported_audit_entry``: the laptop's audit trail, verbatim, a chain of its own.

Nothing in them is ever changed or removed. On a server, signatures and addenda written by
someone other than their author are refused as before, except by an administrator for rows
named in ``imported_seal`` (which checks them against the laptop's keys).
"""

from peewee import *
from peewee import PostgresqlDatabase

KEPT = "FACILITATOR_LOCKED: what was brought in from a laptop is kept as it came"
NOT_AUTHOR = "FACILITATOR_NOT_AUTHOR: only its author can write this; sign in as yourself"
TABLES = (
    "laptop_import",
    "imported_row",
    "imported_seal",
    "imported_body",
    "imported_key",
    "imported_audit_entry",
)


def up(migrator, db):
    class Session(Model):
        class Meta:
            database = db
            table_name = "session"

    class LaptopImport(Model):
        imported_at = DateTimeField()
        imported_by = IntegerField()
        workstation = CharField(default="")
        source = CharField(default="")
        root_public_key = CharField(max_length=64)
        sealed_before = TextField()
        sealed_before_signature = CharField(max_length=128, default="")
        audit_entries = IntegerField()
        audit_head = CharField(max_length=64)
        counts = TextField(default="{}")
        certificate = CharField(max_length=128)

        class Meta:
            database = db
            table_name = "laptop_import"

    class ImportedRow(Model):
        laptop_import = ForeignKeyField(LaptopImport, on_delete="RESTRICT")
        kind = CharField()
        origin_id = IntegerField()
        server_id = IntegerField()

        class Meta:
            database = db
            table_name = "imported_row"
            indexes = (
                (("laptop_import", "kind", "origin_id"), True),
                (("kind", "server_id"), False),
            )

    class ImportedSeal(Model):
        laptop_import = ForeignKeyField(LaptopImport, on_delete="RESTRICT")
        kind = CharField()
        server_id = IntegerField()
        origin_id = IntegerField()
        origin_session_id = IntegerField()
        origin_user_id = IntegerField()

        class Meta:
            database = db
            table_name = "imported_seal"
            indexes = ((("kind", "server_id"), True),)

    class ImportedBody(Model):
        laptop_import = ForeignKeyField(LaptopImport, on_delete="RESTRICT")
        session = ForeignKeyField(Session, unique=True, on_delete="RESTRICT")
        origin_body = BlobField()
        origin_hash = CharField(max_length=64)

        class Meta:
            database = db
            table_name = "imported_body"

    class ImportedKey(Model):
        laptop_import = ForeignKeyField(LaptopImport, on_delete="RESTRICT")
        origin_id = IntegerField()
        origin_user_id = IntegerField()
        public_key = CharField(max_length=64)
        certificate = CharField(max_length=128, default="")
        created_at = DateTimeField()
        revoked_at = DateTimeField(null=True)
        revocation = CharField(max_length=128, null=True)

        class Meta:
            database = db
            table_name = "imported_key"
            indexes = ((("laptop_import", "origin_id"), True),)

    class ImportedAuditEntry(Model):
        laptop_import = ForeignKeyField(LaptopImport, on_delete="RESTRICT")
        origin_id = IntegerField()
        at = DateTimeField()
        user_id = IntegerField(null=True)
        username = CharField(default="")
        workstation = CharField(default="")
        action = CharField()
        member_id = IntegerField(null=True)
        record_kind = CharField(default="")
        record_id = IntegerField(null=True)
        outcome = CharField(default="ok")
        detail = TextField(default="")
        prev_hash = CharField(max_length=64)
        entry_hash = CharField(max_length=64)
        key_id = IntegerField(null=True)
        signature = CharField(max_length=128, null=True)

        class Meta:
            database = db
            table_name = "imported_audit_entry"
            indexes = ((("laptop_import", "origin_id"), True),)

    db.create_tables(
        [LaptopImport, ImportedRow, ImportedSeal, ImportedBody, ImportedKey, ImportedAuditEntry]
    )
    if isinstance(db, PostgresqlDatabase):
        _server_triggers(db)
    else:
        for table in TABLES:
            for op in ("UPDATE", "DELETE"):
                db.execute_sql(
                    f"CREATE TRIGGER keep_{table}_{op.lower()} BEFORE {op} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{KEPT}'); END"
                )


def _server_triggers(db):
    db.execute_sql(
        "CREATE OR REPLACE FUNCTION facilitator_keep_imported() RETURNS trigger AS $$ BEGIN "
        f"RAISE EXCEPTION '{KEPT}'; END $$ LANGUAGE plpgsql"
    )
    for table in TABLES:
        db.execute_sql(
            f"CREATE TRIGGER keep_{table} BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION facilitator_keep_imported()"
        )
        db.execute_sql(
            f"CREATE TRIGGER keep_{table}_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION facilitator_keep_imported()"
        )
    # As 0008's, and: an administrator may write a laptop's signature or addendum that
    # imported_seal names (`check` verifies it against the laptop's keys).
    db.execute_sql(
        "CREATE OR REPLACE FUNCTION facilitator_author_is_login() RETURNS trigger AS $$ "
        "DECLARE author text; "
        "BEGIN "
        "IF TG_TABLE_NAME = 'audit_entry' THEN "
        "author := NEW.username; "
        "IF NEW.user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM app_user "
        "WHERE id = NEW.user_id AND username = NEW.username) THEN author := NULL; END IF; "
        "ELSIF TG_TABLE_NAME = 'addendum' THEN "
        "SELECT username INTO author FROM app_user WHERE id = NEW.author_id; "
        "ELSE "
        "SELECT username INTO author FROM app_user WHERE id = NEW.user_id; "
        "END IF; "
        "IF author IS DISTINCT FROM session_user::text AND NOT (TG_TABLE_NAME <> 'audit_entry' "
        "AND public.facilitator_is_admin() AND EXISTS (SELECT 1 FROM public.imported_seal i "
        "WHERE i.kind = TG_TABLE_NAME AND i.server_id = NEW.id)) THEN "
        f"RAISE EXCEPTION '{NOT_AUTHOR}'; "
        "END IF; "
        "RETURN NEW; "
        "END $$ LANGUAGE plpgsql"
    )
