"""The audit trail: one append-only table whose rows triggers refuse to change or remove."""

from peewee import *
from peewee import PostgresqlDatabase

APPEND_ONLY = "FACILITATOR_LOCKED: the audit trail is append-only"


def up(migrator, db):
    class AuditEntry(Model):
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

        class Meta:
            database = db
            table_name = "audit_entry"
            indexes = ((("at",), False), (("user_id",), False), (("member_id",), False))

    db.create_tables([AuditEntry])
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(
            "CREATE FUNCTION facilitator_audit_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$ LANGUAGE plpgsql"
        )
        db.execute_sql(
            "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_entry "
            "FOR EACH ROW EXECUTE FUNCTION facilitator_audit_append_only()"
        )
        db.execute_sql(
            "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_entry "
            "FOR EACH STATEMENT EXECUTE FUNCTION facilitator_audit_append_only()"
        )
    else:
        for op in ("UPDATE", "DELETE"):
            db.execute_sql(
                f"CREATE TRIGGER audit_append_only_{op.lower()} BEFORE {op} ON audit_entry "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )
