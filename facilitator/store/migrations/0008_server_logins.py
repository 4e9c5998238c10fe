"""On PostgreSQL everyone signs in as their own login role (store.server_setup), so the server,
not the client, says who wrote: an audit entry, a signature or an addendum is refused unless
its author is the login that writes it (``session_user``). No password hash stays in a table:
the server keeps the logins' SCRAM verifiers where no staff login can read them.

Nothing changes on SQLite, where the key file's slots are the only credentials.
"""

from peewee import *
from peewee import PostgresqlDatabase

NOT_AUTHOR = "FACILITATOR_NOT_AUTHOR: only its author can write this; sign in as yourself"


def up(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return
    db.execute_sql("UPDATE app_user SET password_hash = NULL")
    # The recovery key's hash: its slot (readable by administrators only) checks it now.
    db.execute_sql("DELETE FROM program_setting WHERE key = 'recovery_key_hash'")
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
        "IF author IS DISTINCT FROM session_user::text THEN "
        f"RAISE EXCEPTION '{NOT_AUTHOR}'; "
        "END IF; "
        "RETURN NEW; "
        "END $$ LANGUAGE plpgsql"
    )
    for table in ("audit_entry", "signature", "addendum"):
        db.execute_sql(f"DROP TRIGGER IF EXISTS {table}_by_login ON {table}")
        db.execute_sql(
            f"CREATE TRIGGER {table}_by_login BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION facilitator_author_is_login()"
        )
