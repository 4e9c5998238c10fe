"""Who has a session open, and where (migration 0015): one row per open session screen.

A screen writes its row when its user settles somewhere (a part, a member's note, typing or
not) and every ``REFRESH_S`` seconds besides; it deletes it on closing. A row older than
``GONE_AFTER_S`` by the database's own clock is a screen that closed without saying so (a
crash, a lid shut), and counts as gone. On a clinic server row security lets each user write
only their own rows (store.server_policies).
"""

from __future__ import annotations

from peewee import SQL, PostgresqlDatabase

from facilitator.domain.records import OtherSeat
from facilitator.store.models import Presence, User, database

REFRESH_S = 30
GONE_AFTER_S = 90


def _now() -> SQL:
    return SQL("CURRENT_TIMESTAMP")


def _fresh() -> SQL:
    """Rows refreshed within GONE_AFTER_S, by the database's clock (SQLite keeps it as text
    in UTC, which compares in order)."""
    if isinstance(database.obj, PostgresqlDatabase):
        return SQL(f"seen_at > CURRENT_TIMESTAMP - INTERVAL '{GONE_AFTER_S} seconds'")
    return SQL(f"seen_at > datetime('now', '-{GONE_AFTER_S} seconds')")


def here(
    seat: str,
    session_id: int,
    user_id: int,
    workstation: str,
    part: str,
    member_id: int | None,
    typing: bool,
) -> None:
    """This screen's place now (its row made, moved or refreshed)."""
    values = dict(
        session=session_id,
        user=user_id,
        workstation=workstation,
        part=part,
        member_id=member_id,
        typing=typing,
    )
    (
        Presence.insert(seat=seat, seen_at=_now(), **values)
        .on_conflict(
            conflict_target=[Presence.seat],
            update={
                **{getattr(Presence, k): v for k, v in values.items()},
                Presence.seen_at: _now(),
            },
        )
        .execute()
    )


def gone(seat: str) -> None:
    """This screen closed."""
    Presence.delete().where(Presence.seat == seat).execute()


def others_in(session_id: int, seat: str) -> list[OtherSeat]:
    """Every other open screen of the session (this one's own ``seat`` left out), by name."""
    columns = (
        Presence.user, User.full_name, Presence.workstation, Presence.part, Presence.member_id,
        Presence.typing,
    )  # fmt: skip
    rows = (
        Presence.select(*columns)
        .join(User)
        .where((Presence.session == session_id) & (Presence.seat != seat) & _fresh())
        .order_by(User.full_name, Presence.workstation, Presence.id)
        .tuples()
    )
    return [
        OtherSeat(user_id, name, workstation, part, member_id, bool(typing))
        for user_id, name, workstation, part, member_id, typing in rows
    ]
