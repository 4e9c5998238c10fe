"""What must be done before a session can be signed."""

from __future__ import annotations

from facilitator.domain.enums import SessionState
from facilitator.domain.records import SessionRecord


def missing_before_signing(record: SessionRecord) -> list[str]:
    """Every gap that blocks signing, in words a facilitator can act on; empty when ready."""
    if record.state is SessionState.SIGNED:
        return ["the session is already signed"]
    gaps: list[str] = []
    names = {a.member_id: a.display_name for a in record.attendance}
    unmarked = [a.display_name for a in record.attendance if a.status is None]
    if unmarked:
        gaps.append("attendance not marked for " + ", ".join(unmarked))
    if not record.present:
        gaps.append("no member is marked present")
    topic = record.group_note.topic.strip() if record.group_note else ""
    if not topic:
        gaps.append("no topic chosen for the skill work")
    for check_in in record.check_ins:
        if check_in.safety_concern and not check_in.safety_follow_up.strip():
            gaps.append(
                f"safety concern for {names.get(check_in.member_id, 'a member')} needs a follow-up note"
            )
    noted = {n.member_id for n in record.member_notes if (n.data + n.assessment + n.plan).strip()}
    for attendee in record.present:
        if attendee.member_id not in noted:
            gaps.append(f"no individual note for {attendee.display_name}")
    return gaps
