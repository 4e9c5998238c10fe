"""The clinic's PostgreSQL server as its IT sets it up and keeps it: ``server init`` and
``server upgrade`` (store.server_setup says what they make), run as a PostgreSQL role that may
create roles, whose password comes from libpq (PGPASSWORD or the password file), never a URL.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from facilitator.domain.audit import Action, RecordKind
from facilitator.domain.enums import Role
from facilitator.domain.errors import (
    AuthenticationFailed,
    FacilitatorError,
    NotFound,
    PermissionDenied,
    RuleViolation,
)
from facilitator.domain.rules import check_password, check_username, require_text
from facilitator.services import accounts, audit, keys
from facilitator.services.workspace import Workspace
from facilitator.store import (
    database,
    people,
    recovery,
    server_connect,
    server_logins,
    server_roles,
    server_setup,
)
from facilitator.store.keys import STRONG, KdfParams
from facilitator.store.signing_keys import ROOT


@dataclass(frozen=True)
class InitReport:
    roles: server_roles.ServerRoles
    administrators: list[str]  # the administrators there were before, if any
    created: str | None  # the administrator made now
    recovery_key: str | None  # shown once, for the new administrator


def init(
    location: str,
    *,
    username: str,
    password: str,
    full_name: str,
    credentials: str = "",
    program_name: str = "",
    kdf: KdfParams = STRONG,
) -> InitReport:
    """Set the server's database up (again, harmlessly, if it was), and make its first
    administrator if it has none."""
    username = check_username(username)
    check_password(password)
    full_name = require_text("full name", full_name)
    db = database._connect_server(location)  # as libpq's PGUSER
    try:
        with server_setup.init_lock(db):
            database._bind(db)
            roles = server_setup.set_up(db)
            admins = _administrators()
            if admins:
                return InitReport(roles, admins, None, None)
            server_logins.make_first_login(db, roles, username, password)
            ws = accounts.first_server_administrator(
                location,
                username=username,
                password=password,
                full_name=full_name,
                credentials=credentials,
                program_name=program_name,
                kdf=kdf,
            )
            key, ws.recovery_key = ws.recovery_key, None
            ws.close()
            return InitReport(roles, [], username, key)
    finally:
        db.close()


def _administrators() -> list[str]:
    return [u.username for u in people.list_users() if u.role.value == "admin" and u.active]


def upgrade(location: str) -> list[str]:
    """Apply the app's schema migrations and set the privileges afresh; returns what was
    applied. Refused on a database ``server init`` has not set up."""
    db = database._connect_server(location)
    try:
        database._bind(db)
        if not server_roles.is_set_up(db):
            raise RuleViolation(
                "this database has not been set up: run 'facilitator server init' first"
            )
        before = set(database.applied_migrations(db))
        server_setup.set_up(db)
        return [name for name in database.applied_migrations(db) if name not in before]
    finally:
        db.close()


def trust(ca_file: Path) -> Path:
    """This laptop trusts the clinic's CA from now on: the file is copied where the app looks."""
    try:
        text = ca_file.read_text("ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise FacilitatorError(f"cannot read {ca_file}: {exc}") from None
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise RuleViolation(f"{ca_file} is not a PEM certificate (-----BEGIN CERTIFICATE-----)")
    target = server_connect.trusted_ca_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ca_file, target)
    return target


def reset_admin(location: str, recovery_key: str, username: str, new_password: str) -> None:
    """An administrator who lost their password gets a new one, by the clinic's IT (as
    PGUSER) with the recovery key: the key opens the clinic's root key, which certifies the
    administrator's new signing key. The reset is audited by the administrator's own login."""
    check_password(new_password)
    db = database._connect_server(location)
    try:
        database._bind(db)
        roles = server_roles.roles_of(db)
        with server_setup.acting_as_owner(db, roles):
            root = recovery.open_server_recovery_slot(recovery_key)
            try:
                user = people.get_user(username)
            except NotFound:
                raise AuthenticationFailed("no active administrator by that username") from None
        if not user.active or user.role is not Role.ADMIN:
            raise PermissionDenied("the recovery key resets only an administrator's password")
        server_logins.make_first_login(db, roles, username, new_password)
    finally:
        db.close()
    store = database.connect_new_server(location, username, new_password, STRONG)
    try:
        store.held = {ROOT: root}
        ws = Workspace(store, people.actor_for(username))
        keys.take_up_recovery(ws)
        keys.give_new_key(ws, user.id, username, new_password, Role.ADMIN)
        audit.record(
            ws,
            Action.USER_CHANGE,
            record_kind=RecordKind.USER,
            record_id=user.id,
            detail="password reset with the recovery key",
        )
    finally:
        store.close()
