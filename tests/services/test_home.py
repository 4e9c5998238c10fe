import datetime as dt

from facilitator.domain.enums import AttendanceStatus, ReviewStatus, Track
from facilitator.services import home, homework, sessions, signing
from tests.conftest import PASSWORD
from tests.factories import group, members, ready_to_sign, started


def test_today_lists_groups_by_schedule_with_start_or_resume(ws, today):
    monday_group = group(ws, "Mon Wed Fri")  # meets on the Monday `today`
    group(ws, "Tuesdays", meeting_weekdays=(1,))
    assert [(t.group.name, t.action) for t in home.today(today)] == [("Mon Wed Fri", "Start")]
    members(ws, monday_group, 1)
    session_id = started(ws, monday_group, today)
    (entry,) = home.today(today)
    assert (entry.session_id, entry.action) == (session_id, "Resume")


def test_worklist_holds_my_drafts_oldest_first(ws, today):
    group_id = group(ws)
    member_ids = members(ws, group_id, 1)
    later = started(ws, group_id, today + dt.timedelta(days=2))
    earlier = started(ws, group_id, today)
    assert [s.id for s in home.my_unsigned(ws)] == [earlier, later]
    ready_to_sign(ws, earlier, member_ids)
    signing.sign_session(ws, earlier, PASSWORD)
    assert [s.id for s in home.my_unsigned(ws)] == [later]
    assert [s.id for s in home.recent()] == [later, earlier]


def test_suggested_topic_fits_the_track_and_moves_on(ws, today):
    group_id = group(ws, track=Track.SUBSTANCE_USE)
    first = home.suggested_topic(group_id)
    assert first is not None and "substance_use" in first.tracks
    members(ws, group_id, 1)
    session_id = started(ws, group_id, today)
    sessions.write_group_note(ws, session_id, topic_item_id=first.id)
    second = home.suggested_topic(group_id)
    assert second is not None and second.id != first.id


def test_member_profile_counts_attendance_and_homework_completion(ws, today):
    group_id = group(ws)
    (member_id,) = members(ws, group_id, 1)
    first = started(ws, group_id, today)
    sessions.record_attendance(ws, first, member_id, AttendanceStatus.PRESENT)
    homework.assign_custom(ws, first, member_id, title="Walk", instructions="Walk daily.")
    homework.assign_custom(ws, first, member_id, title="Call", instructions="Call once.")
    assert home.member_profile(member_id).homework_completion is None
    second = started(ws, group_id, today + dt.timedelta(days=2))
    sessions.record_attendance(ws, second, member_id, AttendanceStatus.PRESENT)
    walk, call = homework.outstanding_for_session(second)[member_id]
    homework.review_at_check_in(
        ws,
        second,
        member_id,
        {walk.id: (ReviewStatus.DONE, ""), call.id: (ReviewStatus.PARTLY, "")},
    )
    profile = home.member_profile(member_id)
    assert profile.homework_completion == 0.75
    assert profile.attended == 2
    assert [e.session_id for e in profile.history] == [second, first]
