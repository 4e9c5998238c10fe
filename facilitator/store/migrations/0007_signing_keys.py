"""Signatures only their signer can make (facilitator.store.signing_keys).

Each clinician's Ed25519 public key, certified by the clinic's root key, in ``signing_key``;
the private keys live in key slots, wrapped by their owners' passwords. On PostgreSQL, where
there is no key file, the slots are rows of ``key_slot``. Signatures, addenda and audit entries
gain the id of the key that made them and the signature itself.

What was sealed before this migration keeps its SHA-256 seal: ``program_setting`` notes the
newest signature, addendum and audit entry of that time, so `check` knows which may carry no
key; the clinic's root key signs that note when it is made.
"""

import json

from peewee import *
from peewee import PostgresqlDatabase

IMMUTABLE = "FACILITATOR_LOCKED: a signing key is never changed or removed; it may be revoked"


def up(migrator, db):
    class AppUser(Model):
        class Meta:
            database = db
            table_name = "app_user"

    class SigningKey(Model):
        user = ForeignKeyField(AppUser, on_delete="RESTRICT")
        public_key = CharField(max_length=64)
        certificate = CharField(max_length=128, default="")
        created_at = DateTimeField()
        revoked_at = DateTimeField(null=True)
        revocation = CharField(max_length=128, null=True)

        class Meta:
            database = db
            table_name = "signing_key"

    class KeySlot(Model):
        username = CharField(unique=True)
        slot = TextField()

        class Meta:
            database = db
            table_name = "key_slot"

    db.create_tables([SigningKey, KeySlot])
    for table in ("signature", "addendum", "audit_entry"):
        db.execute_sql(f"ALTER TABLE {table} ADD COLUMN key_id INTEGER NULL")
        db.execute_sql(f"ALTER TABLE {table} ADD COLUMN signature VARCHAR(128) NULL")
    newest = {
        table: db.execute_sql(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0]
        for table in ("signature", "addendum", "audit_entry")
    }
    db.execute_sql(
        "INSERT INTO program_setting (key, value) VALUES (%s, %s)"
        if isinstance(db, PostgresqlDatabase)
        else "INSERT INTO program_setting (key, value) VALUES (?, ?)",
        ("sealed_before_keys", json.dumps(newest, sort_keys=True)),
    )
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(
            "CREATE FUNCTION facilitator_keep_signing_key() RETURNS trigger AS $$ BEGIN "
            "IF TG_OP = 'UPDATE' THEN "
            "IF OLD.revoked_at IS NULL AND NEW.user_id = OLD.user_id "
            "AND NEW.public_key = OLD.public_key AND NEW.created_at = OLD.created_at "
            "AND (OLD.certificate = '' OR NEW.certificate = OLD.certificate) THEN RETURN NEW; "
            f"END IF; END IF; RAISE EXCEPTION '{IMMUTABLE}'; END $$ LANGUAGE plpgsql"
        )
        db.execute_sql(
            "CREATE TRIGGER keep_signing_key BEFORE UPDATE OR DELETE ON signing_key "
            "FOR EACH ROW EXECUTE FUNCTION facilitator_keep_signing_key()"
        )
        db.execute_sql(
            "CREATE TRIGGER keep_signing_key_truncate BEFORE TRUNCATE ON signing_key "
            "FOR EACH STATEMENT EXECUTE FUNCTION facilitator_keep_signing_key()"
        )
    else:
        db.execute_sql(
            "CREATE TRIGGER keep_signing_key_delete BEFORE DELETE ON signing_key "
            f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END"
        )
        # Only two changes are allowed: certifying an uncertified key, and revoking it once.
        db.execute_sql(
            "CREATE TRIGGER keep_signing_key_update BEFORE UPDATE ON signing_key "
            "WHEN OLD.revoked_at IS NOT NULL OR NEW.user_id IS NOT OLD.user_id "
            "OR NEW.public_key IS NOT OLD.public_key OR NEW.created_at IS NOT OLD.created_at "
            "OR (OLD.certificate != '' AND NEW.certificate IS NOT OLD.certificate) "
            f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END"
        )
