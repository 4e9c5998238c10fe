"""Who staffs which group: a facilitator sees the members and sessions of the groups they staff
(assigned by a clinical lead or an administrator, or having created the group), cover (for the
dates a lead set) or have run a session of. Leads and administrators see everything.

On PostgreSQL row-level security enforces this (store.server_setup); on a laptop the services
do. ``created_by_login`` remembers, on the server, which login made a group or a member, so
its maker sees it before anyone has assigned them (the server fills it in: session_user).
"""

from peewee import *
from peewee import PostgresqlDatabase


def up(migrator, db):
    class AppUser(Model):
        class Meta:
            database = db
            table_name = "app_user"

    class TherapyGroup(Model):
        class Meta:
            database = db
            table_name = "therapy_group"

    class GroupStaff(Model):
        group = ForeignKeyField(TherapyGroup, on_delete="RESTRICT")
        user = ForeignKeyField(AppUser, on_delete="RESTRICT")
        kind = CharField(default="staff")  # "staff", or "cover" for the dates given
        starts_on = DateField(null=True)
        ends_on = DateField(null=True)
        assigned_by = IntegerField(null=True)
        assigned_at = DateTimeField()

        class Meta:
            database = db
            table_name = "group_staff"
            indexes = ((("group", "user"), False), (("user",), False))

    db.create_tables([GroupStaff])
    server = isinstance(db, PostgresqlDatabase)
    default = " DEFAULT session_user" if server else ""
    for table in ("therapy_group", "member"):
        db.execute_sql(
            f"ALTER TABLE {table} ADD COLUMN created_by_login VARCHAR(255) NULL{default}"
        )
    if server:
        _server_guards(db)


NOT_AUTHOR = "FACILITATOR_NOT_AUTHOR: only its owner or an administrator can add this"
IMMUTABLE_NAME = "FACILITATOR_LOCKED: a username never changes; add a new account instead"


def _server_guards(db):
    """On a server: who made a group or a member is the server's to say, once; a signing key
    is added for oneself (or by an administrator, for someone they add); a username never
    changes (the server names authors by it). facilitator_is_admin() is made by
    store.server_setup, with the clinic's role names."""
    db.execute_sql(
        "CREATE OR REPLACE FUNCTION facilitator_made_by_login() RETURNS trigger AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN NEW.created_by_login := session_user::text; "
        "ELSE NEW.created_by_login := OLD.created_by_login; END IF; "
        "RETURN NEW; END $$ LANGUAGE plpgsql"
    )
    for table in ("therapy_group", "member"):
        db.execute_sql(
            f"CREATE TRIGGER {table}_made_by_login BEFORE INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION facilitator_made_by_login()"
        )
    db.execute_sql(
        "CREATE OR REPLACE FUNCTION facilitator_key_of_login() RETURNS trigger AS $$ BEGIN "
        "IF NOT EXISTS (SELECT 1 FROM public.app_user WHERE id = NEW.user_id "
        "AND username = session_user::text) AND NOT public.facilitator_is_admin() THEN "
        f"RAISE EXCEPTION '{NOT_AUTHOR}'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
    )
    db.execute_sql(
        "CREATE TRIGGER signing_key_by_login BEFORE INSERT ON signing_key "
        "FOR EACH ROW EXECUTE FUNCTION facilitator_key_of_login()"
    )
    db.execute_sql(
        "CREATE OR REPLACE FUNCTION facilitator_keep_username() RETURNS trigger AS $$ BEGIN "
        f"IF NEW.username IS DISTINCT FROM OLD.username THEN RAISE EXCEPTION '{IMMUTABLE_NAME}'; "
        "END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
    )
    db.execute_sql(
        "CREATE TRIGGER keep_username BEFORE UPDATE ON app_user "
        "FOR EACH ROW EXECUTE FUNCTION facilitator_keep_username()"
    )
    # A session is signed as a whole, in one transaction: its frozen record, the signature and
    # the state. Checked when the transaction commits, so no one can freeze a draft without
    # signing it (which would block its signing) or mark it signed without a signature.
    db.execute_sql(
        "CREATE OR REPLACE FUNCTION facilitator_signed_whole() RETURNS trigger AS $$ BEGIN "
        "IF NOT EXISTS (SELECT 1 FROM public.session s WHERE s.id = NEW.session_id "
        "AND s.state = 'signed') OR NOT EXISTS (SELECT 1 FROM public.signature g "
        "WHERE g.session_id = NEW.session_id AND g.kind = 'sign') THEN "
        f"RAISE EXCEPTION '{UNSIGNED}'; END IF; RETURN NULL; END $$ LANGUAGE plpgsql"
    )
    db.execute_sql(
        "CREATE CONSTRAINT TRIGGER signed_content_with_signature AFTER INSERT ON signed_content "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION facilitator_signed_whole()"
    )
    db.execute_sql(
        "CREATE OR REPLACE FUNCTION facilitator_signed_session() RETURNS trigger AS $$ BEGIN "
        "IF NEW.state = 'signed' AND NOT EXISTS (SELECT 1 FROM public.signature g "
        "WHERE g.session_id = NEW.id AND g.kind = 'sign') THEN "
        f"RAISE EXCEPTION '{UNSIGNED}'; END IF; RETURN NULL; END $$ LANGUAGE plpgsql"
    )
    db.execute_sql(
        "CREATE CONSTRAINT TRIGGER session_signed_with_signature AFTER UPDATE ON session "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION facilitator_signed_session()"
    )


UNSIGNED = "FACILITATOR_LOCKED: a session is signed only with its signature"
