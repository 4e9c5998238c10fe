"""What must be done before a session can be signed."""

from __future__ import annotations

import difflib
import functools
import re

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


# Two notes this alike read as one note copied to two charts (the top audit finding).
NEAR_IDENTICAL = 0.9


def note_warnings(record: SessionRecord) -> list[str]:
    """Notes that look cloned, and notes that name another member of the group."""
    names = {a.member_id: a.display_name for a in record.attendance}
    texts = {
        n.member_id: " ".join((n.data, n.assessment, n.plan)).strip() for n in record.member_notes
    }
    texts = {member: text for member, text in texts.items() if text}
    warnings = []
    members = sorted(texts)
    for index, first in enumerate(members):
        for second in members[index + 1 :]:
            if similarity(texts[first], texts[second]) >= NEAR_IDENTICAL:
                warnings.append(
                    f"the notes of {names.get(first)} and {names.get(second)} are nearly identical"
                )
    for member, text in texts.items():
        lowered = text.lower()
        for other, name in names.items():
            if other != member and _names_in(name, lowered):
                warnings.append(f"the note of {names.get(member)} names another member ({name})")
    return warnings


@functools.lru_cache(maxsize=4096)
def similarity(first: str, second: str) -> float:
    """How alike two notes read (0-1). Cached: while one note is edited, only its own pairs
    are compared again, the rest come from the cache."""
    return difflib.SequenceMatcher(None, first, second, autojunk=False).ratio()


def _names_in(display: str, lowered_text: str) -> bool:
    """Whether the full display name, or a first or last name of 3+ letters, appears as a word."""
    parts = [display, *display.split()]
    return any(
        len(part) >= 3 and re.search(rf"(?<!\w){re.escape(part.lower())}(?!\w)", lowered_text)
        for part in parts
    )


def signing_summary(record: SessionRecord) -> list[tuple[str, str]]:
    """What a signature covers, in brief: shown beside the checklist before signing."""
    present = record.present
    noted = {n.member_id for n in record.member_notes if (n.data + n.assessment + n.plan).strip()}
    given = {a.member_id for a in record.assignments}
    concerns = [c for c in record.check_ins if c.safety_concern]
    open_follow_ups = sum(1 for c in concerns if not c.safety_follow_up.strip())
    topic = record.group_note.topic.strip() if record.group_note else ""
    safety = "none raised"
    if concerns:
        safety = f"{len(concerns)} raised, {open_follow_ups} without a follow-up"
    return [
        ("Present", f"{len(present)} of {len(record.attendance)} on the roster"),
        ("Topic", topic or "not chosen"),
        ("Notes written", f"{sum(1 for a in present if a.member_id in noted)} of {len(present)}"),
        (
            "Homework given",
            f"{len(record.assignments)} assignments to {len(given)} of {len(present)} present",
        ),
        ("Safety concerns", safety),
    ]
