"""Protecting an open screen: the inactivity lock, unlocking, handing the laptop to someone else.

The window decides *when* to lock; these functions keep the rules (the program's lock time,
who may change it, whose password unlocks) and write the audit trail.
"""

from __future__ import annotations

import datetime as dt
import math

from facilitator.domain.audit import Action
from facilitator.domain.changes import Changes
from facilitator.domain.enums import Role
from facilitator.domain.errors import AuthenticationFailed, FacilitatorError, InvalidInput
from facilitator.domain.rules import sign_in_delay
from facilitator.services import accounts, audit
from facilitator.services.workspace import Workspace
from facilitator.store import database, people

LOCK_MINUTES = "lock_minutes"
DEFAULT_LOCK_MINUTES = 10
MAX_LOCK_MINUTES = 30


class SignedOut(FacilitatorError):
    """The first user was signed out but the newcomer's workspace did not open."""


def lock_minutes() -> int:
    """Minutes without keyboard or mouse input before the window locks (1 to 30)."""
    stored = people.get_setting(LOCK_MINUTES, "")
    try:
        minutes = int(stored)
    except ValueError:
        return DEFAULT_LOCK_MINUTES
    return minutes if 1 <= minutes <= MAX_LOCK_MINUTES else DEFAULT_LOCK_MINUTES


def set_lock_minutes(ws: Workspace, minutes: int) -> Changes:
    ws.require_role(Role.ADMIN, doing="change the automatic lock time")
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise InvalidInput("lock_minutes", "the lock time is a whole number of minutes")
    if not 1 <= minutes <= MAX_LOCK_MINUTES:
        raise InvalidInput(
            "lock_minutes",
            f"the lock time must be between 1 and {MAX_LOCK_MINUTES} minutes",
        )
    people.set_setting(LOCK_MINUTES, str(minutes))
    audit.record(ws, Action.SETTING_CHANGE, detail=LOCK_MINUTES)
    return Changes(settings=True, audit=True)


def check_password(ws: Workspace, password: str) -> None:
    """Raise AuthenticationFailed unless this is the signed-in user's current password."""
    database.verify_password(ws.store, ws.actor.username, password)


def record_lock(ws: Workspace, *, manual: bool = False) -> None:
    audit.record(ws, Action.LOCK, detail="manual" if manual else "inactivity")


def unlock(ws: Workspace, password: str) -> None:
    """The same user resumes with their password; a wrong one is audited and raised."""
    try:
        check_password(ws, password)
    except AuthenticationFailed:
        audit.record(ws, Action.LOGIN_FAILED, outcome="failed", detail="unlock")
        raise
    audit.record(ws, Action.UNLOCK)


def hand_over(ws: Workspace, username: str, password: str) -> Workspace:
    """Close the locked user's workspace and sign another user in on the same database.

    The newcomer's password is checked against the open database first, so a wrong one leaves
    the locked user's workspace exactly as it was (still locked, still open). On success the
    first user is logged out and ``ws`` is closed; the new user's workspace is returned (their
    login is audited by ``accounts.sign_in``).
    """
    username = username.strip().lower()
    try:
        database.verify_password(ws.store, username, password)
    except AuthenticationFailed:
        audit.record(ws, Action.LOGIN_FAILED, outcome="failed", detail="sign in as someone else")
        raise
    location = ws.store.location
    audit.record(ws, Action.LOGOUT, detail="signed in as someone else")
    ws.close()
    try:
        return accounts.sign_in(location, username, password)  # audits the login
    except FacilitatorError as exc:
        raise SignedOut(exc.message) from None


def seconds_to_wait(failures: int, last_failure: dt.datetime | None, now: dt.datetime) -> int:
    """How long the lock screen refuses another password after ``failures`` wrong ones in a
    row, the same back-off as signing in (the first five are free)."""
    if last_failure is None:
        return 0
    ready_at = last_failure + sign_in_delay(failures)
    return max(0, math.ceil((ready_at - now).total_seconds()))
