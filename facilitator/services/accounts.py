"""Creating a database, signing in, and managing users and their passwords."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import math
from typing import TYPE_CHECKING

from facilitator.domain.audit import Action, AuditFacts, RecordKind
from facilitator.domain.changes import Changes
from facilitator.domain.enums import Role
from facilitator.domain.errors import (
    AuthenticationFailed,
    FacilitatorError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RuleViolation,
)
from facilitator.domain.records import UserInfo
from facilitator.domain.rules import (
    check_password,
    check_username,
    normalise_recovery_key,
    require_text,
    sign_in_delay,
    utcnow,
)
from facilitator.domain.rules import new_recovery_key as generate_recovery_key
from facilitator.services import audit, keys, library
from facilitator.services.audit import audited
from facilitator.services.workspace import Workspace
from facilitator.store import database, failures, people, recovery, signin_guard
from facilitator.store.keys import STRONG, KdfParams
from facilitator.store.locations import is_server_url
from facilitator.store.signing_keys import ROOT, SIGNING

if TYPE_CHECKING:
    from collections.abc import Callable

PROGRAM_NAME = people.PROGRAM_NAME


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
    return _first_administrator(store, username, password, full_name, credentials, program_name)


def _first_administrator(
    store: database.Store,
    username: str,
    password: str,
    full_name: str,
    credentials: str,
    program_name: str,
) -> Workspace:
    """The person setting a database up: its first user, an administrator holding the clinic's
    root key and their own signing key certified by it; the shipped library; a recovery key."""
    try:
        if people.user_count():
            raise RuleViolation("this database already has users; sign in instead")
        user_id = people.add_user(username, full_name, credentials.strip(), Role.ADMIN)
        # The clinic's root key and the administrator's own key, certified by it.
        root = keys.make_root()
        signer = keys.new_key(user_id, root)
        held = {SIGNING: signer.private_key, ROOT: root}
        database.set_credential(store, username, password, held, Role.ADMIN)
        store.held = held
        if program_name.strip():
            people.set_setting(PROGRAM_NAME, program_name.strip())
        library.load_shipped()
        key = generate_recovery_key()
        recovery.set_recovery_key(store, key, {ROOT: root})
    except Exception:
        store.close()
        raise
    ws = Workspace(store, people.actor_for(username), recovery_key=key, signer=signer)
    audit.record(ws, Action.CREATE, record_kind=RecordKind.DATABASE)
    return ws


def first_server_administrator(
    location: str,
    *,
    username: str,
    password: str,
    full_name: str,
    credentials: str = "",
    program_name: str = "",
    kdf: KdfParams = STRONG,
) -> Workspace:
    """On a clinic server whose IT has just made this login (services.server.init): the
    administrator's own connection does the rest, so the server records them as its author."""
    store = database.connect_new_server(location, username, password, kdf)
    return _first_administrator(store, username, password, full_name, credentials, program_name)


def sign_in(
    location: str, username: str, password: str, *, now: dt.datetime | None = None
) -> Workspace:
    """Open the database as this user; wrong or empty passwords raise AuthenticationFailed.

    After five failures in a row for a username, each further try waits longer (30 s, then
    doubling, at most 15 minutes); every failure is audited.
    """
    username = username.strip().lower()
    now = now or utcnow()
    _wait_after_failures(location, username, now)
    try:
        store = database.open_store(location, username, password)
    except AuthenticationFailed:
        _remember_failure(location, username, now)
        raise
    try:
        # A file too large to check at open is read here first: damage found now is damage.
        with failures.told_truly(store.path):
            actor = people.actor_for(store.username)
            ws = Workspace(store, actor)
            keys.take_up(ws, password)
            signin_guard.move_into_trail(location, username, audit.workstation())
            audit.record(ws, Action.LOGIN)
            _bring_library_up_to_date()
    except NotFound:
        store.close()
        # A slot without an active user row (removed user) must not open the records.
        _remember_failure(location, username, now)
        raise AuthenticationFailed("wrong username or password") from None
    except BaseException:
        store.close()
        raise
    return ws


def _failures(location: str, username: str) -> list[dt.datetime]:
    return signin_guard.recent_failures(location, username)


def _wait_after_failures(location: str, username: str, now: dt.datetime) -> None:
    failures = _failures(location, username)
    if not failures:
        return
    ready_at = failures[-1] + sign_in_delay(len(failures))
    if now < ready_at:
        seconds = math.ceil((ready_at - now).total_seconds())
        raise AuthenticationFailed(
            f"too many failed sign-ins for {username}; try again in {seconds} seconds"
        )


def _remember_failure(location: str, username: str, now: dt.datetime) -> None:
    with contextlib.suppress(FacilitatorError, OSError):  # never hide the failure itself
        signin_guard.record_failure(
            location,
            AuditFacts(
                at=now,
                user_id=None,
                username=username,
                workstation=audit.workstation(),
                action=Action.LOGIN_FAILED,
                outcome="failed",
            ),
        )


def new_recovery_key(ws: Workspace) -> str:
    """Replace the recovery key (the old one stops working); shown once to the administrator."""
    try:
        ws.require_role(Role.ADMIN, doing="make a new recovery key")
    except PermissionDenied:
        audit.record(ws, Action.SETTING_CHANGE, outcome="denied", detail="recovery key")
        raise
    key = generate_recovery_key()
    root = keys.root_of(ws)
    recovery.set_recovery_key(ws.store, key, None if root is None else {ROOT: root})
    audit.record(ws, Action.SETTING_CHANGE, detail="recovery key replaced")
    return key


def reset_with_recovery_key(
    location: str, recovery_key: str, username: str, new_password: str
) -> None:
    """Give an administrator a new password using the recovery key (audited as such)."""
    check_password(new_password)
    username = username.strip().lower()
    if is_server_url(location):  # the clinic's IT, as PGUSER (docs/server.md)
        from facilitator.services import server

        server.reset_admin(location, normalise_recovery_key(recovery_key), username, new_password)
        return
    store = recovery.open_with_recovery_key(
        location, normalise_recovery_key(recovery_key), username
    )
    try:
        try:
            actor = people.actor_for(username)
        except NotFound:
            raise AuthenticationFailed("no active administrator by that username") from None
        if actor.role is not Role.ADMIN:
            raise PermissionDenied("the recovery key resets only an administrator's password")
        ws = Workspace(store, actor)
        keys.take_up_recovery(ws)
        if keys.root_of(ws) is not None:
            keys.give_new_key(ws, actor.user_id, username, new_password, Role.ADMIN)
        else:  # a recovery key from before the root key: the new key waits for certification
            database.set_credential(store, username, new_password)
        audit.record(
            ws,
            Action.USER_CHANGE,
            record_kind=RecordKind.USER,
            record_id=actor.user_id,
            detail="password reset with the recovery key",
        )
    finally:
        store.close()


def sign_out(ws: Workspace) -> None:
    """Close the workspace, noting it in the audit trail."""
    if not ws.store.writes_stopped:  # a damaged file gets no more writes, not even this
        with contextlib.suppress(FacilitatorError):
            audit.record(ws, Action.LOGOUT)
    ws.close()


def _bring_library_up_to_date() -> None:
    """Add new versions of shipped homework items after an upgrade of the app."""
    # On a shared server another laptop may have loaded the same versions a moment ago.
    with contextlib.suppress(RuleViolation):
        library.load_shipped()


@audited(Action.USER_CHANGE, RecordKind.USER)
def add_user(
    ws: Workspace,
    *,
    username: str,
    password: str,
    full_name: str,
    credentials: str = "",
    role: Role = Role.FACILITATOR,
    clinician: bool = True,
) -> Changes:
    """A new user with their own key slot. ``clinician`` matters only for administrators: an
    administrator who is not also a clinician runs and signs no sessions."""
    ws.require_role(Role.ADMIN, doing="add users")
    username = check_username(username)
    check_password(password)
    full_name = require_text("full name", full_name)
    if people.username_taken(username):
        raise RuleViolation(f"the username {username} is already taken")
    clinician = clinician or role is not Role.ADMIN
    keys.require_root(ws)
    # The administrator knows this password: the user chooses their own at first sign-in.
    user_id = people.add_user(
        username, full_name, credentials.strip(), role, clinician, password_chosen=False
    )
    keys.give_new_key(ws, user_id, username, password, role)
    return Changes(users=frozenset({user_id}), created_id=user_id)


def list_users(ws: Workspace) -> list[UserInfo]:
    ws.require_role(Role.ADMIN, Role.CLINICAL_LEAD, doing="list the users")
    return people.list_users()


def _other_user(ws: Workspace, username: str, doing: str) -> UserInfo:
    """Another user's account, for an administrator; a refusal goes in the audit trail."""
    try:
        ws.require_role(Role.ADMIN, doing=doing)
        user = people.get_user(username.strip().lower())
        if user.username == ws.actor.username:
            raise RuleViolation(f"you cannot {doing} for your own account")
    except FacilitatorError as exc:
        outcome = "denied" if isinstance(exc, PermissionDenied) else "refused"
        audit.record(
            ws, Action.USER_CHANGE, record_kind=RecordKind.USER, outcome=outcome, detail=doing
        )
        raise
    return user


@audited(Action.USER_CHANGE, RecordKind.USER, record="user_id")
def _reset(ws: Workspace, user_id: int, username: str, new_password: str) -> Changes:
    check_password(new_password)
    keys.give_new_key(ws, user_id, username, new_password, people.get_user(username).role)
    people.update_user_by_id(user_id, password_chosen=False)  # theirs to replace
    return Changes(users=frozenset({user_id}))


def reset_password(ws: Workspace, username: str, new_password: str) -> Changes:
    """An administrator gives a user a new password: their key slot is rewrapped with it."""
    user = _other_user(ws, username, "reset the password")
    if not user.active:
        raise RuleViolation(f"{user.username} is deactivated; add a new account instead")
    return _reset(ws, user.id, user.username, new_password)


@audited(Action.USER_CHANGE, RecordKind.USER)
def change_own_password(ws: Workspace, current_password: str, new_password: str) -> Changes:
    """Everyone chooses their own password: the one an administrator gave them is theirs to
    replace, so no one else knows it. Their slot keeps their signing key, wrapped anew; on a
    server their login's password changes too (this connection stays open)."""
    held = database.verify_password(ws.store, ws.actor.username, current_password)
    check_password(new_password)
    if new_password == current_password:
        raise InvalidInput("password", "the new password must differ from the current one")
    database.set_credential(ws.store, ws.actor.username, new_password, held, ws.actor.role)
    ws.store.held = held
    people.update_user_by_id(ws.actor.user_id, password_chosen=True)
    ws.actor = dataclasses.replace(ws.actor, password_chosen=True)
    return Changes(users=frozenset({ws.actor.user_id}))


@audited(Action.USER_CHANGE, RecordKind.USER, record="user_id")
def _deactivate(ws: Workspace, user_id: int, username: str) -> Changes:
    people.update_user(username, active=False)
    keys.revoke_keys_of(user_id, keys.require_root(ws))
    database.remove_credential(ws.store, username)
    return Changes(users=frozenset({user_id}))


def deactivate_user(
    ws: Workspace, username: str, progress: Callable[[int, int], None] | None = None
) -> Changes:
    """The user can no longer sign in; what they wrote stays. Their key slot is removed, their
    signing keys revoked, and (on the embedded database) their slot is taken out of the kept
    backups' key files and the database is re-encrypted under a new key, so no copy of the
    key file they may have kept opens it. If the database is open elsewhere, the deactivation
    stands and the re-encryption is refused with its reason: rotate the key later."""
    user = _other_user(ws, username, "deactivate the account")
    changes = _deactivate(ws, user.id, user.username)
    if not ws.store.is_postgres:
        keys.forget_in_backups(ws, user.username)
        try:
            keys.rotate_database_key(ws, without=user.username, progress=progress)
        except FacilitatorError as exc:
            raise RuleViolation(
                f"{user.username} is deactivated (slot removed, signing keys revoked), but the "
                f"database key was not rotated: {exc.message}"
            ) from None
    return changes


@audited(Action.USER_CHANGE, RecordKind.USER, record="user_id")
def _supervise(ws: Workspace, user_id: int, supervisor_id: int | None) -> Changes:
    people.update_user_by_id(
        user_id, requires_supervision=supervisor_id is not None, supervisor_id=supervisor_id
    )
    return Changes(users=frozenset({user_id}))


def set_supervision(ws: Workspace, username: str, supervisor_username: str | None) -> Changes:
    """Notes signed by this user wait for a co-signature by their supervisor (a clinical lead);
    None lifts the requirement."""
    ws.require_role(Role.ADMIN, doing="set who supervises whom")
    user = people.get_user(username.strip().lower())
    supervisor_id = None
    if supervisor_username:
        supervisor = people.get_user(supervisor_username.strip().lower())
        if supervisor.role is not Role.CLINICAL_LEAD or not supervisor.active:
            raise InvalidInput("supervisor", "a supervisor must be an active clinical lead")
        if supervisor.id == user.id:
            raise InvalidInput("supervisor", "nobody supervises themselves")
        supervisor_id = supervisor.id
    return _supervise(ws, user.id, supervisor_id)


TIME_ZONE = people.TIME_ZONE


def time_zone() -> str:
    """The clinic's IANA time zone for printing stored UTC times; "" means this computer's."""
    return people.time_zone()


def time_zones() -> list[str]:
    """The IANA zone names the clinic's clock may be set to."""
    import zoneinfo

    return sorted(zoneinfo.available_timezones())


@audited(Action.SETTING_CHANGE, RecordKind.SETTING)
def set_time_zone(ws: Workspace, zone: str) -> Changes:
    """The clinic's zone, used to print and show stored (UTC) times; "" is this computer's."""
    ws.require_role(Role.ADMIN, doing="set the clinic's time zone")
    zone = zone.strip()
    if zone and zone not in set(time_zones()):
        raise InvalidInput("time_zone", f"{zone!r} is not a time zone (e.g. America/Chicago)")
    people.set_setting(TIME_ZONE, zone)
    return Changes(settings=True)


def program_name() -> str:
    return people.program_name()
