"""A starting draft of a member's individual note, from what the session recorded about them."""

from __future__ import annotations

from facilitator.domain.enums import AttendanceStatus, Location, UseSinceLast
from facilitator.domain.records import MemberNoteRecord, SessionRecord

USE_WORDS = {
    UseSinceLast.NO: "reported no use since the last session",
    UseSinceLast.YES: "reported use since the last session",
    UseSinceLast.DECLINED: "declined to say whether they used since the last session",
}


def prefill_note(record: SessionRecord, member_id: int) -> tuple[str, str, str]:
    """Data, assessment and plan drafted from this member's own check-in, participation and
    homework; the facilitator edits it into the member's own words. Names no one."""
    attendance = record.attendance_of(member_id)
    check_in = next((c for c in record.check_ins if c.member_id == member_id), None)
    note = next((n for n in record.member_notes if n.member_id == member_id), None)
    homework = [a for a in record.assignments if a.member_id == member_id]
    reviews = [r for r in record.reviews if r.member_id == member_id]

    data: list[str] = []
    if attendance is not None and attendance.status is not None:
        where = "by telehealth" if attendance.location is Location.TELEHEALTH else "in person"
        line = f"Attended {record.group_name} {where}"
        if attendance.status is AttendanceStatus.LATE and attendance.arrival:
            line += f", arrived late at {attendance.arrival:%H:%M}"
        if attendance.status is AttendanceStatus.LEFT_EARLY and attendance.departure:
            line += f", left early at {attendance.departure:%H:%M}"
        data.append(line + ".")
    if check_in is not None:
        ratings = [f"mood {check_in.mood}/10"] if check_in.mood is not None else []
        if check_in.craving is not None:
            ratings.append(f"craving {check_in.craving}/10")
        if ratings:
            data.append("Check-in: " + ", ".join(ratings) + ".")
        use = USE_WORDS.get(check_in.use_since_last)
        if use:
            detail = f" ({check_in.use_detail})" if check_in.use_detail else ""
            data.append(f"Member {use}{detail}.")
        if check_in.current_issue:
            data.append(f"Current issue: {check_in.current_issue}.")
        if check_in.safety_concern:
            data.append(
                f"Safety concern raised; follow-up: {check_in.safety_follow_up or 'pending'}."
            )
    for review in reviews:
        data.append(f"Homework review: {review.title} {review.status.label.lower()}.")

    topic = record.group_note.topic if record.group_note and record.group_note.topic else ""
    assessment: list[str] = []
    if note is not None and note.participation:
        skill = f" in the work on {topic}" if topic else ""
        assessment.append(f"Participation{skill}: {note.participation.value}.")
    if note is not None and note.goal_text:
        assessment.append(f"Progress toward the goal \u201c{note.goal_text}\u201d: ")

    plan = [
        f"Homework: {h.title}, due {h.due_date:%b %d}." if h.due_date else f"Homework: {h.title}."
        for h in homework
    ]
    plan.append("Continue the group as scheduled.")
    return " ".join(data), " ".join(assessment), " ".join(plan)


def merge_draft(
    current: MemberNoteRecord | None, draft: tuple[str, str, str]
) -> tuple[str, str, str]:
    """Data, assessment and plan with the draft added after what is already written, so a
    draft never overwrites the facilitator's own words."""
    if current is None:
        return draft
    written = (current.data, current.assessment, current.plan)
    merged = (
        f"{old}\n{new}".strip() if new else old for old, new in zip(written, draft, strict=True)
    )
    data, assessment, plan = merged
    return data, assessment, plan
