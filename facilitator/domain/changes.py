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
    group_note: bool = False
    phases: bool = False
    signatures: bool = False
    addenda: bool = False
    settings: bool = False
    audit: bool = False
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
