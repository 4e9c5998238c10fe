"""Homework from several seats at once (issue 13): the same item given by two seats at one
moment is given once; a review another seat changed meanwhile is refused with both, never
overwritten, and changes to different parts of one review merge."""

from __future__ import annotations

import datetime as dt

import pytest

from facilitator.domain.enums import ReviewStatus
from facilitator.domain.errors import EditConflict
from facilitator.services import accounts, homework, sessions
from facilitator.store import library
from tests import factories
from tests.conftest import PASSWORD
from tests.seats import at_once, two_seats
from tests.services.test_homework import ITEM

ROUNDS = 6


def test_the_same_homework_given_on_two_seats_at_once_is_given_once(location):
    seated = two_seats(location)
    ws, group_id, member_ids, (ada, lena) = next(seated)
    session_id = factories.started(ws, group_id, dt.date(2026, 3, 2))
    factories.all_present(ws, session_id, member_ids)
    items = [library.add_item(**{**ITEM, "slug": f"test-urge-log-{n}"}) for n in range(ROUNDS)]
    for item_id in items:
        answers = at_once(
            (ada, f"give {session_id} {item_id}"), (lena, f"give {session_id} {item_id}")
        )
        # one gives it; the other gives it too only to whoever did not have it: nobody
        assert "ok" in answers, answers
        assert all(a == "ok" or "already has this homework" in a for a in answers), answers
    ws.make_current()
    given = [(a.member_id, a.item_id) for a in sessions.load(session_id).assignments]
    assert sorted(given) == sorted((m, i) for m in member_ids for i in items)
    next(seated, None)


@pytest.fixture
def review_seats(ws, location, today):
    """A member's homework from last session, open at this one; ada on two laptops."""
    group_id = factories.group(ws)
    (member_id,) = factories.members(ws, group_id, 1)
    first = factories.started(ws, group_id, today)
    factories.all_present(ws, first, [member_id])
    homework.assign_homework(ws, first, library.add_item(**ITEM))
    second = factories.started(ws, group_id, today + dt.timedelta(days=2))
    factories.all_present(ws, second, [member_id])
    (assignment,) = homework.outstanding_for_session(second)[member_id]
    other = accounts.sign_in(location, "ada", PASSWORD)
    ws.make_current()
    yield ws, other, second, member_id, assignment.id
    other.close()
    ws.make_current()


def _review(session_id, member_id):
    (review,) = sessions.load(session_id).reviews
    assert review.member_id == member_id
    return review.status, review.comment


def test_a_review_changed_on_another_seat_meanwhile_is_refused_with_both(review_seats):
    ws, other, session_id, member_id, assignment = review_seats
    unreviewed = (None, "")  # both seats show the line before anyone reviewed it
    homework.review_at_check_in(other, session_id, member_id,
                                {assignment: (ReviewStatus.DONE, "Logged every day")},
                                seen={assignment: unreviewed})  # fmt: skip
    with pytest.raises(EditConflict) as refused:
        homework.review_at_check_in(ws, session_id, member_id,
                                    {assignment: (ReviewStatus.PARTLY, "Two days")},
                                    seen={assignment: unreviewed})  # fmt: skip
    assert refused.value.theirs == {"status": "done", "comment": "Logged every day"}
    assert refused.value.mine == {"status": "partly", "comment": "Two days"}
    assert "Ada Testwood changed the status and comment" in refused.value.message
    ws.make_current()
    assert _review(session_id, member_id) == ("done", "Logged every day")  # nothing written
    # Shown theirs, the user saves again: theirs read, hers goes over it.
    homework.review_at_check_in(ws, session_id, member_id,
                                {assignment: (ReviewStatus.PARTLY, "Two days")},
                                seen={assignment: (ReviewStatus.DONE, "Logged every day")})  # fmt: skip
    assert _review(session_id, member_id) == ("partly", "Two days")


def test_different_parts_of_one_review_changed_on_two_seats_merge(review_seats):
    ws, other, session_id, member_id, assignment = review_seats
    homework.review_at_check_in(ws, session_id, member_id,
                                {assignment: (ReviewStatus.DONE, "")},
                                seen={assignment: (None, "")})  # fmt: skip
    shown = (ReviewStatus.DONE, "")  # both seats show it done, no comment
    homework.review_at_check_in(other, session_id, member_id,
                                {assignment: (ReviewStatus.DONE, "Brought the log")},
                                seen={assignment: shown})  # fmt: skip
    homework.review_at_check_in(ws, session_id, member_id,
                                {assignment: (ReviewStatus.PARTLY, "")},
                                seen={assignment: shown})  # fmt: skip
    ws.make_current()
    assert _review(session_id, member_id) == ("partly", "Brought the log")
