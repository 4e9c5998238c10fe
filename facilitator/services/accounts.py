"""Creating a database, signing in, and managing users and their passwords."""

from __future__ import annotations

import contextlib

from facilitator.domain.changes import Changes
from facilitator.domain.enums import Role
from facilitator.domain.errors import AuthenticationFailed, RuleViolation
from facilitator.domain.rules import check_password, check_username, require_text
from facilitator.services import library
from facilitator.services.workspace import Workspace
from facilitator.store import database, people
from facilitator.store.keys import STRONG, KdfParams

PROGRAM_NAME = "program_name"


def create_database(
    location: str,
    *,
    username: str,
    password: str,
    full_name: str,
    credentials: str = "",
    program_name: str = "",
    kdf: KdfParams = STRONG,
) -> Workspace:
    """A new database whose first user is an administrator (the person setting it up)."""
    username = check_username(username)
    check_password(password)
    full_name = require_text("full name", full_name)
    store = database.create_store(location, username, password, kdf)
    try:
        if people.user_count():
            raise RuleViolation("this database already has users; sign in instead")
        people.add_user(username, full_name, credentials.strip(), Role.ADMIN)
        if store.is_postgres:
            database.set_credential(store, username, password)
        if program_name.strip():
            people.set_setting(PROGRAM_NAME, program_name.strip())
        library.load_shipped()
    except Exception:
        store.close()
        raise
    return Workspace(store, people.actor_for(username))


def sign_in(location: str, username: str, password: str) -> Workspace:
    """Open the database as this user; wrong or empty passwords raise AuthenticationFailed."""
    store = database.open_store(location, username.strip().lower(), password)
    try:
        actor = people.actor_for(store.username)
    except Exception:
        store.close()
        # A slot without an active user row (removed user) must not open the records.
        raise AuthenticationFailed("wrong username or password") from None
    _bring_library_up_to_date()
    return Workspace(store, actor)


def _bring_library_up_to_date() -> None:
    """Add new versions of shipped homework items after an upgrade of the app."""
    # On a shared server another laptop may have loaded the same versions a moment ago.
    with contextlib.suppress(RuleViolation):
        library.load_shipped()


def add_user(
    ws: Workspace,
    *,
    username: str,
    password: str,
    full_name: str,
    credentials: str = "",
    role: Role = Role.FACILITATOR,
) -> Changes:
    ws.require_role(Role.ADMIN, doing="add users")
    username = check_username(username)
    check_password(password)
    full_name = require_text("full name", full_name)
    if people.username_taken(username):
        raise RuleViolation(f"the username {username} is already taken")
    user_id = people.add_user(username, full_name, credentials.strip(), role)
    database.set_credential(ws.store, username, password)
    return Changes(users=frozenset({user_id}), created_id=user_id)


def change_password(ws: Workspace, old_password: str, new_password: str) -> Changes:
    """Rewrap the user's own key slot (or rehash on a server); the records are not re-encrypted."""
    database.verify_password(ws.store, ws.actor.username, old_password)
    check_password(new_password)
    database.set_credential(ws.store, ws.actor.username, new_password)
    return Changes(users=frozenset({ws.actor.user_id}))


TIME_ZONE = "time_zone"


def time_zone() -> str:
    """The clinic's IANA time zone for printing stored UTC times; "" means this computer's."""
    return people.get_setting(TIME_ZONE, "")


def program_name() -> str:
    return people.get_setting(PROGRAM_NAME, "Intensive Outpatient Program")


def set_program_name(ws: Workspace, name: str) -> Changes:
    ws.require_role(Role.ADMIN, Role.CLINICAL_LEAD, doing="rename the program")
    people.set_setting(PROGRAM_NAME, require_text("program name", name))
    return Changes(settings=True)
