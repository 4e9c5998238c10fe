"""Small builders of fictitious groups, members and sessions for tests."""

from __future__ import annotations

import datetime as dt

from facilitator.domain.enums import AttendanceStatus, GroupType, Role, Track
from facilitator.services import accounts, roster, sessions
from facilitator.services.workspace import Workspace

MEMBER_NAMES = [
    ("Zoë", "Nguyễn-Fable"),
    ("Bram", "Quillfeather"),
    ("Cass", "Bramblewood"),
    ("Dov", "Thistledown"),
    ("Edie", "Pebbleworth"),
    ("Finn", "Larkspur"),
    ("Gus", "Moonbeam"),
    ("Hal", "Wrenfield"),
]


def group(
    ws: Workspace,
    name: str = "Evening Recovery A",
    track: Track = Track.SUBSTANCE_USE,
    **extra: object,
) -> int:
    settings: dict[str, object] = {
        "meeting_weekdays": (0, 2, 4),
        "start_time": dt.time(18, 0),
        **extra,
    }
    changes = roster.create_group(
        ws,
        name=name,
        track=track,
        group_type=GroupType.RELAPSE_PREVENTION,
        **settings,  # type: ignore[arg-type]
    )
    assert changes.created_id is not None
    return changes.created_id


def members(
    ws: Workspace, group_id: int, count: int = 3, since: dt.date = dt.date(2026, 1, 5)
) -> list[int]:
    ids = []
    for index in range(count):
        first, last = MEMBER_NAMES[index % len(MEMBER_NAMES)]
        created = roster.create_member(
            ws,
            first_name=first,
            last_name=f"{last}{index // len(MEMBER_NAMES) or ''}",
            record_number=f"T-{group_id}-{index:03d}",
        )
        assert created.created_id is not None
        roster.enroll(ws, created.created_id, group_id, since)
        ids.append(created.created_id)
    return ids


def started(ws: Workspace, group_id: int, on: dt.date) -> int:
    created = sessions.start_session(ws, group_id, date=on).created_id
    assert created is not None
    return created


def all_present(ws: Workspace, session_id: int, member_ids: list[int]) -> None:
    for member_id in member_ids:
        sessions.record_attendance(ws, session_id, member_id, AttendanceStatus.PRESENT)


def ready_to_sign(
    ws: Workspace, session_id: int, member_ids: list[int], topic: str = "Urge surfing"
) -> None:
    """Fill in everything the signing checklist asks for, all members present."""
    all_present(ws, session_id, member_ids)
    for member_id in member_ids:
        sessions.record_check_in(
            ws, session_id, member_id, mood=6, craving=2, current_issue="steady week"
        )
        sessions.write_member_note(
            ws,
            session_id,
            member_id,
            data=f"Member {member_id} shared.",
            assessment="Engaged.",
            plan="Continue.",
        )
    sessions.write_group_note(
        ws, session_id, topic=topic, interventions="Skill demo", narrative="Practised."
    )


def lead(ws: Workspace, password: str, username: str = "rowan") -> int:
    changes = accounts.add_user(
        ws,
        username=username,
        password=password,
        full_name="Rowan Testwood",
        credentials="LPC",
        role=Role.CLINICAL_LEAD,
    )
    assert changes.created_id is not None
    return changes.created_id
