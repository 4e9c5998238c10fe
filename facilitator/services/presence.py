"""Who else has a session open, and where (the session header, the notes list).

Each open session screen is a seat of its own (``new_seat``): it says where its user is
(``here``: the part on view, whose note, typing or not), again every ``REFRESH_S`` seconds
while open, and ``gone`` on closing. ``others`` lists every other seat's place; a seat not
refreshed for a minute and a half (a crash, a lid shut) drops off by itself.
"""

from __future__ import annotations

import secrets

from facilitator.domain.changes import Changes
from facilitator.domain.records import OtherSeat
from facilitator.services import visibility
from facilitator.services.audit import workstation
from facilitator.services.workspace import Workspace
from facilitator.store import presence
from facilitator.store.database import clear_errors

REFRESH_S = presence.REFRESH_S


def new_seat() -> str:
    """A token for one open session screen (its row in the presence table)."""
    return secrets.token_hex(16)


def here(
    ws: Workspace,
    seat: str,
    session_id: int,
    part: str,
    member_id: int | None = None,
    typing: bool = False,
) -> Changes:
    """This seat's place in the session now."""
    if not _writable(ws):
        return Changes()
    with clear_errors():
        presence.here(seat, session_id, ws.actor.user_id, workstation(), part, member_id, typing)
    return Changes(presence=frozenset({session_id}))


def gone(ws: Workspace, seat: str, session_id: int) -> Changes:
    """This seat closed the session."""
    if not _writable(ws):
        return Changes()
    with clear_errors():
        presence.gone(seat)
    return Changes(presence=frozenset({session_id}))


def _writable(ws: Workspace) -> bool:
    """On ws's connection; False for a damaged file, which takes no writes, not even these."""
    ws.make_current()
    return ws.store.writes_stopped is None


def others(ws: Workspace, seat: str, session_id: int) -> list[OtherSeat]:
    """Every other seat with the session open (this one left out); none for a session this
    user does not see (on a server its rows are hidden from them too)."""
    if not visibility.sees_session(ws, session_id):
        return []
    with clear_errors():
        return presence.others_in(session_id, seat)
