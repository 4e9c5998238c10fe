"""What the Groups and Members pages need beyond roster.py's single steps."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from facilitator.domain.changes import Changes
from facilitator.domain.enums import EnrollmentStatus
from facilitator.domain.records import EnrollmentInfo, GroupInfo, MemberInfo
from facilitator.services import roster
from facilitator.services.workspace import Workspace
from facilitator.store import directory, people


@dataclass(frozen=True)
class GroupRoster:
    """A group's settings with everyone ever enrolled in it, current members first."""

    group: GroupInfo
    rows: list[tuple[EnrollmentInfo, MemberInfo]]

    @property
    def active(self) -> int:
        return sum(1 for e, _m in self.rows if e.status == EnrollmentStatus.ACTIVE)

    @property
    def over_capacity(self) -> bool:
        return self.active > self.group.soft_capacity

    @property
    def capacity_text(self) -> str:
        """One line on how full the group is; the soft cap is a warning, never a refusal."""
        cap = self.group.soft_capacity
        if self.over_capacity:
            return f"{self.active} enrolled, above the soft cap of {cap}"
        return f"{self.active} enrolled (soft cap {cap})"


def group_roster(group_id: int) -> GroupRoster:
    rows = roster.group_roster(group_id)
    # Current members first (newest enrollment first, as roster gives them), then the past.
    rows.sort(key=lambda pair: pair[0].status != EnrollmentStatus.ACTIVE)
    return GroupRoster(people.get_group(group_id), rows)


def group_names() -> dict[int, str]:
    """Every group's name by id, inactive ones too: a member's old enrollments name them."""
    return {g.id: g.name for g in people.list_groups(include_inactive=True)}


def enroll_new_member(
    ws: Workspace,
    group_id: int,
    start_date: dt.date,
    *,
    first_name: str,
    last_name: str,
    record_number: str,
    preferred_name: str | None = None,
    pronouns: str = "",
) -> Changes:
    """Add a member and enroll them in one step; if either is refused, neither is saved.

    ``created_id`` is the new member's id.
    """
    with directory.transaction():
        created = roster.create_member(
            ws,
            first_name=first_name,
            last_name=last_name,
            record_number=record_number,
            preferred_name=preferred_name,
            pronouns=pronouns,
        )
        assert created.created_id is not None
        enrolled = roster.enroll(ws, created.created_id, group_id, start_date)
    return dataclasses.replace(created | enrolled, created_id=created.created_id)
