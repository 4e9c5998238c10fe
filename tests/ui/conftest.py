"""The window tests' small fictitious clinic."""

import datetime as dt

import pytest

from facilitator.services import roster
from tests.conftest import new_workspace
from tests.factories import group, members
from tests.ui.windows import EVERY_DAY


@pytest.fixture
def clinic(sqlite_location):
    ws = new_workspace(sqlite_location)
    # No set time: the group is on whatever the hour the test runs (a late arrival is stamped
    # with the time it is marked, which must fall inside the session).
    group_id = group(ws, "Evening Recovery", meeting_weekdays=EVERY_DAY, start_time=None)
    member_ids = members(ws, group_id, 4, since=dt.date.today() - dt.timedelta(days=30))
    for member_id in member_ids:
        roster.add_goal(ws, member_id, "Use the craving plan when urges rise")
    walk_in = roster.create_member(
        ws, first_name="Ivo", last_name="Kettleby", record_number="T-WALK"
    ).created_id
    ws.close()
    return sqlite_location, member_ids, walk_in
