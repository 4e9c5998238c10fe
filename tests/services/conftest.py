"""Fixtures the service tests share."""

import pytest

from tests.factories import group, members, ready_to_sign, started


@pytest.fixture
def ready(ws, today):
    """A session with two members, every part done: ready to sign."""
    group_id = group(ws)
    member_ids = members(ws, group_id, 2)
    session_id = started(ws, group_id, today)
    ready_to_sign(ws, session_id, member_ids)
    return session_id
