"""A clinic database's role names on its PostgreSQL server, and quoting for the SQL that
sets them up (store.server_setup, server_policies, server_logins).

Per database, with a prefix taken from its name: ``<db>_owner``, ``<db>_staff``,
``<db>_facilitator``, ``<db>_lead``, ``<db>_admin`` and ``<db>_logins`` (server_setup says
what each may do)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import peewee

from facilitator.domain.enums import Role

LOGINS_SCHEMA = "facilitator_logins"
GROUP_NAMES = {Role.FACILITATOR: "facilitator", Role.CLINICAL_LEAD: "lead", Role.ADMIN: "admin"}
RECOVERY_SLOT = "#recovery"  # store.recovery's slot name: administrators may read it


def quoted(name: str) -> str:
    """An SQL identifier, quoted (usernames may hold dots and dashes)."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class ServerRoles:
    """The group roles of one clinic database."""

    prefix: str

    @property
    def owner(self) -> str:
        return f"{self.prefix}_owner"

    @property
    def staff(self) -> str:
        return f"{self.prefix}_staff"

    @property
    def logins(self) -> str:
        return f"{self.prefix}_logins"

    def group(self, role: Role) -> str:
        return f"{self.prefix}_{GROUP_NAMES[role]}"

    @property
    def groups(self) -> list[str]:
        return [self.group(role) for role in GROUP_NAMES]


def prefix_for(dbname: str) -> str:
    """Role names come from the database's name: lowercase letters, digits and underscores."""
    cleaned = re.sub(r"[^a-z0-9_]+", "_", dbname.lower()).strip("_")[:40]
    return cleaned or "facilitator"


def one_value(db: peewee.Database, query: str, params: tuple[object, ...] = ()) -> object:
    row = db.execute_sql(query, params).fetchone()
    return None if row is None else row[0]


def roles_of(db: peewee.Database) -> ServerRoles:
    """This database's roles: from the owner of its tables once set up (anyone may read who
    owns a table), else from its name."""
    owner = one_value(
        db,
        "SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'app_user'",
    )
    if isinstance(owner, str) and owner.endswith("_owner"):
        can_login = one_value(db, "SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", (owner,))
        if can_login is False:
            return ServerRoles(owner.removesuffix("_owner"))
    return ServerRoles(prefix_for(str(one_value(db, "SELECT current_database()"))))


def is_set_up(db: peewee.Database) -> bool:
    """Whether ``server init`` has run here: the tables belong to a role that cannot log in."""
    roles = roles_of(db)
    owner = one_value(
        db,
        "SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'app_user'",
    )
    return owner == roles.owner


def role_exists(db: peewee.Database, name: str) -> bool:
    return bool(one_value(db, "SELECT count(*) FROM pg_roles WHERE rolname = %s", (name,)))
