"""What a service call changed, so a screen redraws only that."""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class Changes:
    """Ids of the records a service call touched (created, changed, deleted or signed), by kind.

    Member-keyed sets (attendance, check_ins, member_notes, homework, reviews) hold member ids
    within ``sessions``; the others hold the ids of the rows themselves. ``audit`` says the
    audit trail grew. A screen redraws only what a Changes names; changes made elsewhere (another
    window on the same records) arrive as the same kind of object.
    """

    users: frozenset[int] = frozenset()
    groups: frozenset[int] = frozenset()
    members: frozenset[int] = frozenset()
    enrollments: frozenset[int] = frozenset()
    goals: frozenset[int] = frozenset()
    sessions: frozenset[int] = frozenset()
    attendance: frozenset[int] = frozenset()
    check_ins: frozenset[int] = frozenset()
    member_notes: frozenset[int] = frozenset()
    homework: frozenset[int] = frozenset()
    reviews: frozenset[int] = frozenset()
    library: frozenset[int] = frozenset()
    # Sessions whose open screens moved (who has it open and where: store.presence).
    presence: frozenset[int] = frozenset()
    group_note: bool = False
    phases: bool = False
    signatures: bool = False
    addenda: bool = False
    settings: bool = False
    audit: bool = False
    # Others changed more than can be named (a seat back after a gap): read everything again.
    everything: bool = False
    created_id: int | None = field(default=None, compare=False)

    def __or__(self, other: Changes) -> Changes:
        merged: dict[str, object] = {}
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, frozenset):
                merged[f.name] = mine | theirs
            elif isinstance(mine, bool):
                merged[f.name] = mine or theirs
            else:
                merged[f.name] = theirs if theirs is not None else mine
        return Changes(**merged)  # type: ignore[arg-type]

    def __bool__(self) -> bool:
        """Whether any record changed (a new audit entry alone is not a change of records)."""
        return any(
            getattr(self, f.name) for f in fields(self) if f.name not in ("created_id", "audit")
        )


# A change another seat committed, as the database announces it (store.announcements): the
# table and the ids of the row it touched, never its contents. Keys: "t" table, "id" the row,
# "s" its session, "m" its member, "g" its group (each None where the table has none).
Announcement = dict[str, object]

# Per table: which Changes a row of it names (field: the key holding the id, or True for a
# flag). A session's content names the session too, so its open screens refresh.
_ANNOUNCED: dict[str, dict[str, str | bool]] = {
    "attendance": {"sessions": "s", "attendance": "m"},
    "check_in": {"sessions": "s", "check_ins": "m"},
    "member_note": {"sessions": "s", "member_notes": "m"},
    "group_note": {"sessions": "s", "group_note": True},
    "homework_assignment": {"sessions": "s", "homework": "m"},
    "homework_review": {"sessions": "s", "reviews": "m"},
    "phase_log": {"sessions": "s", "phases": True},
    "session": {"sessions": "id", "groups": "g", "phases": True},
    "signature": {"sessions": "s", "signatures": True},
    "addendum": {"sessions": "s", "addenda": True},
    "member": {"members": "id"},
    "enrollment": {"enrollments": "id", "members": "m", "groups": "g"},
    "treatment_goal": {"goals": "id", "members": "m"},
    "therapy_group": {"groups": "id"},
    "group_staff": {"groups": "g"},
    "curriculum": {"groups": "g"},
    "curriculum_item": {"settings": True},
    "homework_item": {"library": "id"},
    "app_user": {"users": "id"},
    "program_setting": {"settings": True},
    "audit_entry": {"audit": True},
    "presence": {"presence": "s"},
}
ANNOUNCED_TABLES = tuple(_ANNOUNCED)


def announced(announcements: list[Announcement]) -> Changes:
    """What other seats' changes name, as one Changes for the screens (unknown tables and
    missing ids are passed over: a screen is never told of a change it cannot read)."""
    named: dict[str, set[int]] = {}
    flags: set[str] = set()
    for announcement in announcements:
        for name, key in _ANNOUNCED.get(str(announcement.get("t")), {}).items():
            if key is True:
                flags.add(name)
            elif isinstance(value := announcement.get(str(key)), int):
                named.setdefault(name, set()).add(value)
    return Changes(
        **{name: frozenset(ids) for name, ids in named.items()},  # type: ignore[arg-type]
        **dict.fromkeys(flags, True),  # type: ignore[arg-type]
    )
