"""Logins on a clinic's server: three SECURITY DEFINER functions in the schema
``facilitator_logins``, owned by ``<db>_logins`` (which cannot log in but may create roles),
through which an administrator adds, resets and disables this clinic's staff logins and
anyone writes their own key slot; and the app's calls of them.

The functions accept only SCRAM verifiers (libpq computes them here, so a password never
reaches the server or its logs) and act only on this clinic's staff: never a superuser, a role
that may create roles or bypass row security, nor the owner.
"""

from __future__ import annotations

import peewee

from facilitator.domain.enums import Role
from facilitator.domain.errors import RuleViolation
from facilitator.store.server_roles import (
    GROUP_NAMES,
    LOGINS_SCHEMA,
    RECOVERY_SLOT,
    ServerRoles,
    literal,
    one_value,
    quoted,
    role_exists,
)

_CHECKS = """
  groups text[] := ARRAY[{groups}];
  caller_is_admin boolean := pg_has_role(session_user, {admin}, 'MEMBER');
  target_is_staff boolean := EXISTS (
      SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
      JOIN pg_roles u ON u.oid = m.member
      WHERE u.rolname = who AND g.rolname = ANY (groups) AND NOT u.rolsuper
      AND NOT u.rolcreaterole AND NOT u.rolbypassrls AND NOT u.rolreplication
      AND NOT pg_has_role(u.oid, {owner}, 'MEMBER') AND NOT pg_has_role(u.oid, {keeper}, 'MEMBER'));
"""

_SET_LOGIN = """
CREATE OR REPLACE FUNCTION {schema}.set_login(who text, verifier text, grp text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE {checks}
  wanted text := {prefix} || '_' || grp;
BEGIN
  IF verifier IS NULL OR verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
    RAISE EXCEPTION 'FACILITATOR_LOGIN: a password reaches the server only as a SCRAM verifier';
  END IF;
  IF who = session_user::text AND target_is_staff THEN
    EXECUTE format('ALTER ROLE %I PASSWORD %L', who, verifier);
    RETURN;
  END IF;
  IF who ~ '_(owner|staff|facilitator|lead|admin|logins)$' OR who ~ '^pg_' THEN
    RAISE EXCEPTION 'FACILITATOR_LOGIN: % is the form of a role name the server keeps for '
      'itself; choose another username', who;
  END IF;
  IF NOT caller_is_admin THEN
    RAISE EXCEPTION 'FACILITATOR_LOGIN: only an administrator manages other logins';
  END IF;
  IF NOT (wanted = ANY (groups)) THEN
    RAISE EXCEPTION 'FACILITATOR_LOGIN: no such staff group %', grp;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = who) THEN
    IF NOT target_is_staff THEN
      RAISE EXCEPTION 'FACILITATOR_LOGIN: the server already has a role named % that is not '
        'this clinic''s staff; choose another username', who;
    END IF;
    EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', who, verifier);
  ELSE
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', who, verifier);
  END IF;
  FOR i IN 1 .. array_length(groups, 1) LOOP
    IF groups[i] <> wanted AND pg_has_role(who, groups[i], 'MEMBER') THEN
      EXECUTE format('REVOKE %I FROM %I', groups[i], who);
    END IF;
  END LOOP;
  EXECUTE format('GRANT %I TO %I', wanted, who);
END $$;
"""

_DISABLE_LOGIN = """
CREATE OR REPLACE FUNCTION {schema}.disable_login(who text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE {checks}
BEGIN
  IF NOT caller_is_admin THEN
    RAISE EXCEPTION 'FACILITATOR_LOGIN: only an administrator disables a login';
  END IF;
  IF NOT target_is_staff THEN
    RETURN;  -- nothing of this clinic's to disable
  END IF;
  EXECUTE format('ALTER ROLE %I NOLOGIN', who);
  PERFORM pg_terminate_backend(pid) FROM pg_stat_activity
    WHERE usename = who AND pid <> pg_backend_pid();
END $$;
"""

_SET_SLOT = """
CREATE OR REPLACE FUNCTION {schema}.set_slot(who text, slot text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE {checks}
BEGIN
  IF who <> session_user::text
     AND NOT (caller_is_admin AND (target_is_staff OR who = {recovery})) THEN
    RAISE EXCEPTION 'FACILITATOR_LOGIN: a key slot is written by its owner, or by an '
      'administrator for this clinic''s staff';
  END IF;
  DELETE FROM public.key_slot WHERE username = who;
  IF slot IS NOT NULL THEN
    INSERT INTO public.key_slot (username, slot) VALUES (who, slot);
  END IF;
END $$;
"""

FUNCTIONS = {"set_login": "text, text, text", "disable_login": "text", "set_slot": "text, text"}


def install(db: peewee.Database, roles: ServerRoles) -> None:
    keeper = quoted(roles.logins)
    db.execute_sql(f"CREATE SCHEMA IF NOT EXISTS {LOGINS_SCHEMA} AUTHORIZATION {keeper}")
    db.execute_sql(f"REVOKE ALL ON SCHEMA {LOGINS_SCHEMA} FROM PUBLIC")
    db.execute_sql(f"GRANT USAGE ON SCHEMA {LOGINS_SCHEMA} TO {quoted(roles.staff)}")
    checks = _CHECKS.format(
        groups=", ".join(literal(g) for g in roles.groups),
        admin=literal(roles.group(Role.ADMIN)),
        owner=literal(roles.owner),
        keeper=literal(roles.logins),
    )
    db.execute_sql(f"SET ROLE {keeper}")
    try:
        for body in (_SET_LOGIN, _DISABLE_LOGIN, _SET_SLOT):
            text = body.format(
                schema=LOGINS_SCHEMA,
                checks=checks,
                prefix=literal(roles.prefix),
                recovery=literal(RECOVERY_SLOT),
            )
            db.execute_sql(text.replace("%", "%%"))  # no parameters: % is the driver's
        for name, arguments in FUNCTIONS.items():
            function = f"{LOGINS_SCHEMA}.{name}({arguments})"
            db.execute_sql(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
            db.execute_sql(f"GRANT EXECUTE ON FUNCTION {function} TO {quoted(roles.staff)}")
    finally:
        db.execute_sql("RESET ROLE")


# ----------------------------------------------------------------------------- logins


def scram_verifier(db: peewee.Database, username: str, password: str) -> str:
    """The password as the SCRAM-SHA-256 verifier the server stores (libpq computes it here,
    so the password itself never crosses to the server)."""
    conn = db.connection()
    verifier = conn.pgconn.encrypt_password(password.encode(), username.encode(), b"scram-sha-256")
    return bytes(verifier).decode()


def set_login(db: peewee.Database, username: str, password: str, role: Role) -> None:
    db.execute_sql(
        f"SELECT {LOGINS_SCHEMA}.set_login(%s, %s, %s)",
        (username, scram_verifier(db, username, password), GROUP_NAMES[role]),
    )


def disable_login(db: peewee.Database, username: str) -> None:
    db.execute_sql(f"SELECT {LOGINS_SCHEMA}.disable_login(%s)", (username,))


def set_slot(db: peewee.Database, username: str, slot: str | None) -> None:
    db.execute_sql(f"SELECT {LOGINS_SCHEMA}.set_slot(%s, %s)", (username, slot))


def make_first_login(db: peewee.Database, roles: ServerRoles, username: str, password: str) -> None:
    """The first administrator's login, made by the privileged role itself (nobody can sign
    in yet to ask the functions). Refused if the name belongs to someone else on the server."""
    verifier = scram_verifier(db, username, password)
    admin = roles.group(Role.ADMIN)
    if role_exists(db, username):
        mine = one_value(
            db,
            "SELECT count(*) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s AND g.rolname = %s "
            "AND NOT u.rolsuper",
            (username, admin),
        )
        if not mine:
            raise RuleViolation(
                f"the server already has a role named {username} that is not an administrator "
                "of this clinic; choose another username"
            )
        db.execute_sql(f"ALTER ROLE {quoted(username)} LOGIN PASSWORD {literal(verifier)}")
    else:
        db.execute_sql(f"CREATE ROLE {quoted(username)} LOGIN PASSWORD {literal(verifier)}")
    db.execute_sql(f"GRANT {quoted(admin)} TO {quoted(username)}")
    if int(str(one_value(db, "SHOW server_version_num"))) >= 160000:
        # From PostgreSQL 16 the login keeper needs ADMIN OPTION on a login it did not make,
        # to reset or disable it later (not tried here: the tests run PostgreSQL 15).
        db.execute_sql(
            f"GRANT {quoted(username)} TO {quoted(roles.logins)} "
            "WITH ADMIN OPTION, INHERIT FALSE, SET FALSE"
        )
