"""Row-level security on a clinic's server: who reads and writes which rows.

- A facilitator sees the members and sessions of the groups they staff, cover today, made, or
  have run a session of (services.visibility says the same on a laptop); leads and
  administrators see everything.
- A key slot is readable by its owner alone (administrators also read the recovery slot).
- Settings are written by leads and administrators; a facilitator writes only their own place.
- Users are written by administrators; anyone marks only their own password as chosen.

Also: every function of the schema gets a fixed search_path, and the look-ups that pass row
security are the staff's alone to call. Run as the owner by store.server_setup.
"""

from __future__ import annotations

import peewee

from facilitator.domain.enums import Role
from facilitator.store.server_roles import RECOVERY_SLOT, ServerRoles, literal, quoted


def apply(db: peewee.Database, roles: ServerRoles) -> None:
    _protect_slots(db, roles)
    _rows_facilitators_see(db, roles)
    _functions_fixed(db, roles)


def _protect_slots(db: peewee.Database, roles: ServerRoles) -> None:
    """A key slot is readable by its owner alone (administrators also read the recovery
    slot); the login keeper writes slots for the functions below."""
    db.execute_sql("ALTER TABLE key_slot ENABLE ROW LEVEL SECURITY")
    db.execute_sql("ALTER TABLE key_slot FORCE ROW LEVEL SECURITY")
    db.execute_sql("DROP POLICY IF EXISTS own_slot ON key_slot")
    db.execute_sql(
        "CREATE POLICY own_slot ON key_slot FOR SELECT USING (username = session_user::text "
        f"OR (username = {literal(RECOVERY_SLOT)} "
        f"AND pg_has_role(session_user, {literal(roles.group(Role.ADMIN))}, 'MEMBER')))"
    )
    db.execute_sql("DROP POLICY IF EXISTS slot_keeper ON key_slot")
    db.execute_sql(
        f"CREATE POLICY slot_keeper ON key_slot TO {quoted(roles.logins)} "
        "USING (true) WITH CHECK (true)"
    )
    db.execute_sql("DROP POLICY IF EXISTS owner_all ON key_slot")
    db.execute_sql(
        f"CREATE POLICY owner_all ON key_slot TO {quoted(roles.owner)} USING (true) WITH CHECK (true)"
    )


# What a facilitator sees (leads and administrators see everything): the groups they staff,
# cover today, made, or have run a session of; their members and sessions, and everything in
# those sessions. Owned by the owner (who is not held to row security), so a policy's own
# look-ups are not filtered again. services.visibility applies the same rule on a laptop.
_SEES = """
CREATE OR REPLACE FUNCTION facilitator_sees_group(g integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM therapy_group t WHERE t.id = g
                 AND t.created_by_login = session_user::text)
      OR EXISTS (SELECT 1 FROM group_staff s JOIN app_user u ON u.id = s.user_id
                 WHERE s.group_id = g AND u.username = session_user::text
                 AND (s.starts_on IS NULL OR s.starts_on <= current_date)
                 AND (s.ends_on IS NULL OR s.ends_on >= current_date))
      OR EXISTS (SELECT 1 FROM session x JOIN app_user u
                 ON u.id = x.facilitator_id OR u.id = x.co_facilitator_id
                 WHERE x.group_id = g AND u.username = session_user::text)
$$;
CREATE OR REPLACE FUNCTION facilitator_sees_member(m integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM member x WHERE x.id = m
                 AND x.created_by_login = session_user::text)
      OR EXISTS (SELECT 1 FROM enrollment e WHERE e.member_id = m
                 AND facilitator_sees_group(e.group_id))
$$;
CREATE OR REPLACE FUNCTION facilitator_group_of_session(s integer) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT group_id FROM session WHERE id = s
$$;
CREATE OR REPLACE FUNCTION facilitator_sees_session(s integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT facilitator_sees_group((SELECT group_id FROM session WHERE id = s))
$$;
"""
# What a facilitator may write, where it is narrower than what they see: they enroll only a
# member they see into a group they see (else enrolling anyone into a group of their own
# would show them everyone).
WRITTEN_BY_FACILITATORS = {
    "enrollment": "facilitator_sees_group(group_id) AND facilitator_sees_member(member_id)",
}
SEEN_BY_FACILITATORS = {
    "therapy_group": "created_by_login = session_user::text OR facilitator_sees_group(id)",
    "member": "created_by_login = session_user::text OR facilitator_sees_member(id)",
    "enrollment": "facilitator_sees_group(group_id) OR facilitator_sees_member(member_id)",
    "treatment_goal": "facilitator_sees_member(member_id)",
    "session": "facilitator_sees_group(group_id)",
    **{
        table: "facilitator_sees_session(session_id)"
        for table in (
            "phase_log", "attendance", "check_in", "member_note", "group_note",
            "homework_assignment", "homework_review", "signature", "addendum", "signed_content",
            "imported_body",
        )
    },
}  # fmt: skip


_IS_ADMIN = """
CREATE OR REPLACE FUNCTION facilitator_is_admin() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT pg_has_role(session_user, {admin}, 'MEMBER')
$$;
"""


def _functions_fixed(db: peewee.Database, roles: ServerRoles) -> None:
    """Every function of the schema finds its tables in it whatever the caller's search_path
    says (no one's temporary table stands in for app_user or session), and the look-ups that
    pass row security are the staff's alone to call."""
    db.execute_sql(_IS_ADMIN.format(admin=literal(roles.group(Role.ADMIN))))
    rows = db.execute_sql(
        "SELECT p.oid::regprocedure::text, p.prosecdef FROM pg_proc p "
        "WHERE p.pronamespace = 'public'::regnamespace"
    ).fetchall()
    for signature, definer in rows:
        db.execute_sql(f"ALTER FUNCTION {signature} SET search_path = public, pg_temp")
        if definer:
            db.execute_sql(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
            db.execute_sql(f"GRANT EXECUTE ON FUNCTION {signature} TO {quoted(roles.staff)}")


def _user_policies(db: peewee.Database, roles: ServerRoles) -> None:
    """Everyone reads the users; administrators write them; anyone marks their own password
    as chosen, no one else's."""
    db.execute_sql("ALTER TABLE app_user ENABLE ROW LEVEL SECURITY")
    for policy in ("reads_users", "admins_write", "own_password"):
        db.execute_sql(f"DROP POLICY IF EXISTS {policy} ON app_user")
    readers = f"{quoted(roles.staff)}, {quoted(roles.logins)}"
    db.execute_sql(f"CREATE POLICY reads_users ON app_user FOR SELECT TO {readers} USING (true)")
    db.execute_sql(
        f"CREATE POLICY admins_write ON app_user TO {quoted(roles.group(Role.ADMIN))} "
        "USING (true) WITH CHECK (true)"
    )
    own = "username = session_user::text"
    db.execute_sql(
        f"CREATE POLICY own_password ON app_user FOR UPDATE TO {quoted(roles.staff)} "
        f"USING ({own}) WITH CHECK ({own})"
    )


def _settings_policies(db: peewee.Database, roles: ServerRoles, everyone_else: str) -> None:
    """The clinic's settings (its root key among them) are written by leads and
    administrators; a facilitator writes only their own place in the app (last_place:NAME)."""
    db.execute_sql("ALTER TABLE program_setting ENABLE ROW LEVEL SECURITY")
    for policy in ("sees_all", "reads_settings", "own_place", "own_place_update"):
        db.execute_sql(f"DROP POLICY IF EXISTS {policy} ON program_setting")
    facilitator = quoted(roles.group(Role.FACILITATOR))
    db.execute_sql(
        f"CREATE POLICY sees_all ON program_setting TO {everyone_else} USING (true) WITH CHECK (true)"
    )
    db.execute_sql(
        f"CREATE POLICY reads_settings ON program_setting FOR SELECT TO {facilitator} USING (true)"
    )
    own = "key = 'last_place:' || session_user::text"
    db.execute_sql(
        f"CREATE POLICY own_place ON program_setting FOR INSERT TO {facilitator} WITH CHECK ({own})"
    )
    db.execute_sql(
        f"CREATE POLICY own_place_update ON program_setting FOR UPDATE TO {facilitator} "
        f"USING ({own}) WITH CHECK ({own})"
    )


def _presence_policies(db: peewee.Database, roles: ServerRoles) -> None:
    """Who has a session open is seen by whoever sees the session; each user writes (and
    removes) only their own seats, a lead or an administrator included."""
    db.execute_sql("ALTER TABLE presence ENABLE ROW LEVEL SECURITY")
    for policy in ("sees_presence", "sees_staffed_presence", "own_seats"):
        db.execute_sql(f"DROP POLICY IF EXISTS {policy} ON presence")
    sees_all = ", ".join(quoted(roles.group(r)) for r in (Role.CLINICAL_LEAD, Role.ADMIN))
    db.execute_sql(f"CREATE POLICY sees_presence ON presence FOR SELECT TO {sees_all} USING (true)")
    db.execute_sql(
        f"CREATE POLICY sees_staffed_presence ON presence FOR SELECT "
        f"TO {quoted(roles.group(Role.FACILITATOR))} USING (facilitator_sees_session(session_id))"
    )
    own = "user_id = (SELECT id FROM app_user WHERE username = session_user::text)"
    db.execute_sql(
        f"CREATE POLICY own_seats ON presence TO {quoted(roles.staff)} USING ({own}) WITH CHECK ({own})"
    )


def _rows_facilitators_see(db: peewee.Database, roles: ServerRoles) -> None:
    db.execute_sql(_SEES.replace("%", "%%"))
    everyone_else = ", ".join(
        quoted(g) for g in (roles.group(Role.CLINICAL_LEAD), roles.group(Role.ADMIN), roles.logins)
    )
    for table, rule in SEEN_BY_FACILITATORS.items():
        name = quoted(table)
        db.execute_sql(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY")
        for policy in ("sees_all", "sees_staffed"):
            db.execute_sql(f"DROP POLICY IF EXISTS {policy} ON {name}")
        db.execute_sql(
            f"CREATE POLICY sees_all ON {name} TO {everyone_else} USING (true) WITH CHECK (true)"
        )
        check = WRITTEN_BY_FACILITATORS.get(table, rule)
        db.execute_sql(
            f"CREATE POLICY sees_staffed ON {name} TO {quoted(roles.group(Role.FACILITATOR))} "
            f"USING ({rule}) WITH CHECK ({check})"
        )
    _settings_policies(db, roles, everyone_else)
    _user_policies(db, roles)
    _presence_policies(db, roles)
    # Who staffs what is no secret; a facilitator adds only themselves, to a group they made.
    db.execute_sql("ALTER TABLE group_staff ENABLE ROW LEVEL SECURITY")
    for policy in ("sees_all", "reads_staffing", "staffs_own_group"):
        db.execute_sql(f"DROP POLICY IF EXISTS {policy} ON group_staff")
    facilitator = quoted(roles.group(Role.FACILITATOR))
    db.execute_sql(
        f"CREATE POLICY sees_all ON group_staff TO {everyone_else} USING (true) WITH CHECK (true)"
    )
    db.execute_sql(
        f"CREATE POLICY reads_staffing ON group_staff FOR SELECT TO {facilitator} USING (true)"
    )
    db.execute_sql(
        f"CREATE POLICY staffs_own_group ON group_staff FOR INSERT TO {facilitator} WITH CHECK ("
        "kind = 'staff' AND user_id = (SELECT id FROM app_user WHERE username = session_user::text) "
        "AND EXISTS (SELECT 1 FROM therapy_group t WHERE t.id = group_id "
        "AND t.created_by_login = session_user::text))"
    )


# The body of each function is fixed SQL with the clinic's role names written in; the caller's
# arguments are only ever quoted (format %I / %L), never pasted.
