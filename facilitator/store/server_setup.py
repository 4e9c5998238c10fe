"""A clinic's PostgreSQL database as its IT sets it up: roles, ownership, privileges.

``server init`` and ``server upgrade`` run this as a PostgreSQL role that may create roles
(the ``postgres`` superuser, or a role with CREATEROLE that owns the database). Per database,
with a prefix taken from its name (``clinic`` below):

- ``clinic_owner`` (cannot log in) owns the tables, the triggers and the migrations. Nobody
  signs in as it, so no login can alter or disable a trigger, truncate a table or change the
  schema.
- ``clinic_staff`` may connect and holds what every staff member needs; ``clinic_facilitator``,
  ``clinic_lead`` and ``clinic_admin`` are in it. Each staff member's own login role is in one
  of those three. The audit trail, signatures, addenda, signed records and signing keys get
  SELECT and INSERT only; nothing gets TRUNCATE.
- ``clinic_logins`` (cannot log in; may create roles) owns the three functions in the schema
  ``facilitator_logins`` through which an administrator adds, resets and disables logins and
  anyone writes their own key slot. The functions accept only SCRAM verifiers (the password
  never reaches the server in clear, so never its logs) and act only on this clinic's staff.

Who reads which rows is store.server_policies; the login functions are store.server_logins;
the role names store.server_roles. Everything here is idempotent and serialised by the
migration lock, so running it twice at once is safe.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import peewee

from facilitator.domain.enums import Role
from facilitator.domain.errors import RuleViolation
from facilitator.store import server_logins, server_policies
from facilitator.store.database import MIGRATION_LOCK_ID, migrate
from facilitator.store.server_roles import (
    ServerRoles,
    one_value,
    quoted,
    role_exists,
    roles_of,
)

INIT_LOCK_ID = 7_447_003  # (7_447_001: migrations; 7_447_002: the audit trail)

# Tables whose rows are never changed once written (the triggers say so too): staff may only
# add to them. signing_key may be certified and revoked (its trigger allows only that).
APPEND_ONLY = (
    "audit_entry", "audit_head", "signature", "addendum", "signed_content", "signing_key",
)  # fmt: skip
# Rows the app removes as part of ordinary work (a curriculum's order, an unsent assignment,
# a closed session screen's place).
DELETABLE = ("curriculum_item", "homework_assignment", "presence")
# Administrators' alone to write; a key slot goes through facilitator_logins.set_slot.
ADMIN_ONLY = ("app_user",)
NOT_FOR_STAFF = ("key_slot", "schema_migration")
# What `server import` brought in from laptops: everyone reads it (`check`), an administrator
# adds to it, nobody changes it (its triggers say so too).
ADMIN_APPEND_ONLY = (
    "laptop_import", "imported_row", "imported_seal", "imported_body", "imported_key",
    "imported_audit_entry",
)  # fmt: skip


def set_up(db: peewee.Database) -> ServerRoles:
    """Roles, ownership, the schema's migrations, privileges and the login functions, as the
    privileged role connected on ``db``. Idempotent; two at once take turns."""
    db.execute_sql("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_ID,))
    try:
        roles = roles_of(db)
        _make_roles(db, roles)
        _lock_down_database(db, roles)
        _hand_over_existing(db, roles)
        db.execute_sql(f"SET ROLE {quoted(roles.owner)}")
        try:
            migrate(db, None)
            _grant(db, roles)
            server_policies.apply(db, roles)
        finally:
            db.execute_sql("RESET ROLE")
        server_logins.install(db, roles)
        return roles
    finally:
        db.execute_sql("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_ID,))


@contextlib.contextmanager
def init_lock(db: peewee.Database) -> Iterator[None]:
    """Held for the whole of a ``server init``, so a second one started at the same moment
    waits, then finds the administrator the first one made."""
    db.execute_sql("SELECT pg_advisory_lock(%s)", (INIT_LOCK_ID,))
    try:
        yield
    finally:
        if not db.is_closed():
            db.execute_sql("SELECT pg_advisory_unlock(%s)", (INIT_LOCK_ID,))


@contextlib.contextmanager
def acting_as_owner(db: peewee.Database, roles: ServerRoles) -> Iterator[None]:
    """The privileged role reads as the owner (who reads every key slot) for the block."""
    db.execute_sql(f"SET ROLE {quoted(roles.owner)}")
    try:
        yield
    finally:
        db.execute_sql("RESET ROLE")


def _make_roles(db: peewee.Database, roles: ServerRoles) -> None:
    _refuse_look_alikes(db, roles)
    for name in (roles.owner, roles.staff, *roles.groups):
        if not role_exists(db, name):
            db.execute_sql(f"CREATE ROLE {quoted(name)} NOLOGIN")
    for group in roles.groups:
        db.execute_sql(f"GRANT {quoted(roles.staff)} TO {quoted(group)}")
    if not role_exists(db, roles.logins):
        db.execute_sql(f"CREATE ROLE {quoted(roles.logins)} NOLOGIN CREATEROLE")
    db.execute_sql(f"GRANT pg_signal_backend TO {quoted(roles.logins)}")
    if int(str(one_value(db, "SHOW server_version_num"))) >= 160000:
        # From PostgreSQL 16 a role that may create roles needs ADMIN OPTION on the groups it
        # puts logins in.
        for group in roles.groups:
            db.execute_sql(
                f"GRANT {quoted(group)} TO {quoted(roles.logins)} "
                "WITH ADMIN OPTION, INHERIT FALSE, SET FALSE"
            )
    if not one_value(db, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"):
        # The IT role acts as the owner (migrations) and the login keeper (their functions).
        for name in (roles.owner, roles.logins):
            db.execute_sql(f"GRANT {quoted(name)} TO CURRENT_USER")


def _refuse_look_alikes(db: peewee.Database, roles: ServerRoles) -> None:
    """A role with one of this clinic's names that can log in, or holds more than this set-up
    gives, was not made by it (someone may have made it to be let in): refuse, naming it."""
    for name in (roles.owner, roles.staff, *roles.groups, roles.logins):
        row = db.execute_sql(
            "SELECT rolcanlogin, rolsuper, rolcreaterole, rolbypassrls FROM pg_roles "
            "WHERE rolname = %s",
            (name,),
        ).fetchone()
        if row is None:
            continue
        can_login, superuser, createrole, bypass = row
        if can_login or superuser or bypass or (createrole and name != roles.logins):
            raise RuleViolation(
                f"the server already has a role {name} that can log in or holds more than this "
                "set-up gives it; it was not made by 'server init': remove or rename it first"
            )


def _lock_down_database(db: peewee.Database, roles: ServerRoles) -> None:
    name = quoted(str(one_value(db, "SELECT current_database()")))
    # A database an earlier version made belongs to the login every laptop shared: the
    # database passes to the IT role, and the schema to the owner role, so that login (and
    # whoever learned its password) owns nothing here any more.
    owner_can_login = one_value(
        db,
        "SELECT r.rolcanlogin AND r.rolname <> current_user FROM pg_database d "
        "JOIN pg_roles r ON r.oid = d.datdba WHERE d.datname = current_database()",
    )
    if owner_can_login:
        db.execute_sql(f"ALTER DATABASE {name} OWNER TO CURRENT_USER")
    db.execute_sql(f"ALTER SCHEMA public OWNER TO {quoted(roles.owner)}")
    db.execute_sql(f"REVOKE ALL ON DATABASE {name} FROM PUBLIC")
    db.execute_sql(f"GRANT CONNECT ON DATABASE {name} TO {quoted(roles.staff)}")
    db.execute_sql("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    db.execute_sql(f"GRANT USAGE, CREATE ON SCHEMA public TO {quoted(roles.owner)}")
    db.execute_sql(f"GRANT USAGE ON SCHEMA public TO {quoted(roles.staff)}")


def _hand_over_existing(db: peewee.Database, roles: ServerRoles) -> None:
    """A database an earlier version made under one shared login: its tables, sequences and
    functions pass to the owner role, so that login holds nothing any more."""
    rows = db.execute_sql(
        "SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END, "
        "c.relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
        "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'S', 'v', 'p') "
        "AND r.rolname <> %s AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid "
        "AND d.deptype IN ('a', 'i') AND c.relkind = 'S')",
        (roles.owner,),
    ).fetchall()
    for kind, name in rows:
        db.execute_sql(f"ALTER {kind} {quoted(name)} OWNER TO {quoted(roles.owner)}")
    functions = db.execute_sql(
        "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner "
        "WHERE p.pronamespace = 'public'::regnamespace AND r.rolname <> %s",
        (roles.owner,),
    ).fetchall()
    for (signature,) in functions:
        db.execute_sql(f"ALTER FUNCTION {signature} OWNER TO {quoted(roles.owner)}")


def _tables(db: peewee.Database) -> list[str]:
    rows = db.execute_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    ).fetchall()
    return [str(row[0]) for row in rows]


def _grant(db: peewee.Database, roles: ServerRoles) -> None:
    """Least privilege, set afresh (what an earlier version granted is taken back first)."""
    staff = quoted(roles.staff)
    everyone = ", ".join(["PUBLIC", staff, *map(quoted, roles.groups)])
    db.execute_sql(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {everyone}")
    db.execute_sql(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {everyone}")
    for table in _tables(db):
        name = quoted(table)
        if table in NOT_FOR_STAFF:
            continue
        db.execute_sql(f"GRANT SELECT ON {name} TO {staff}")
        if table in APPEND_ONLY:
            db.execute_sql(f"GRANT INSERT ON {name} TO {staff}")
        elif table in ADMIN_APPEND_ONLY:
            db.execute_sql(f"GRANT INSERT ON {name} TO {quoted(roles.group(Role.ADMIN))}")
        elif table in ADMIN_ONLY:
            db.execute_sql(f"GRANT INSERT, UPDATE ON {name} TO {quoted(roles.group(Role.ADMIN))}")
        else:
            db.execute_sql(f"GRANT INSERT, UPDATE ON {name} TO {staff}")
        if table in DELETABLE:
            db.execute_sql(f"GRANT DELETE ON {name} TO {staff}")
    # Certifying and revoking a key, by an administrator holding the root (its trigger
    # refuses any other change).
    db.execute_sql(
        "GRANT UPDATE (certificate, revoked_at, revocation) ON signing_key TO "
        f"{quoted(roles.group(Role.ADMIN))}"
    )
    # Staff read which schema version the database is at; only the owner changes it.
    db.execute_sql(f"GRANT SELECT ON schema_migration TO {staff}")
    db.execute_sql(f"GRANT SELECT ON key_slot TO {staff}")
    db.execute_sql(f"GRANT SELECT, INSERT, DELETE ON key_slot TO {quoted(roles.logins)}")
    db.execute_sql(f"GRANT SELECT ON app_user TO {quoted(roles.logins)}")
    # Anyone marks their own password as chosen (row security: their own row only).
    db.execute_sql(f"GRANT UPDATE (password_chosen) ON app_user TO {staff}")
    db.execute_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {staff}")
    db.execute_sql(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {quoted(roles.logins)}")
