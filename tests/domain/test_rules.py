import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facilitator.domain.errors import InvalidInput
from facilitator.domain.rules import (
    check_password,
    check_scale,
    check_username,
    next_meeting,
    parse_clock_time,
    thirds,
)


@pytest.mark.parametrize("value", [0, 5, 10])
def test_scale_accepts_zero_to_ten(value):
    assert check_scale("mood", value) == value


@pytest.mark.parametrize("value", [-1, 11, 2.5, True, "7"])
def test_scale_rejects_anything_else_naming_the_field(value):
    with pytest.raises(InvalidInput) as caught:
        check_scale("mood", value)
    assert caught.value.field == "mood"
    assert "mood" in str(caught.value)


def test_scale_none_only_when_allowed():
    assert check_scale("craving", None, allow_none=True) is None
    with pytest.raises(InvalidInput):
        check_scale("craving", None)


@pytest.mark.parametrize("text", ["7pm", "25:00", "18:75", "", "six"])
def test_clock_time_rejects_what_is_not_a_24_hour_time(text):
    with pytest.raises(InvalidInput, match="24-hour time"):
        parse_clock_time("arrival", text)


def test_clock_time_reads_hours_and_minutes():
    assert parse_clock_time("arrival", " 9:05 ") == dt.time(9, 5)


def test_password_needs_twelve_characters():
    with pytest.raises(InvalidInput, match="12 characters"):
        check_password("short-pass1")
    assert check_password("twelve-chars") == "twelve-chars"


def test_username_is_normalised_and_checked():
    assert check_username(" Ada.T ") == "ada.t"
    with pytest.raises(InvalidInput):
        check_username("a b")


@given(st.integers(min_value=30, max_value=480))
def test_thirds_add_up_to_the_length(length):
    parts = thirds(length)
    assert sum(parts) == length
    assert max(parts) - min(parts) <= 1


def test_next_meeting_follows_the_weekly_schedule():
    monday = dt.date(2026, 3, 2)
    assert next_meeting((0, 2, 4), monday) == dt.date(2026, 3, 4)
    assert next_meeting((0, 2, 4), dt.date(2026, 3, 6)) == dt.date(2026, 3, 9)
    assert next_meeting((), monday) == dt.date(2026, 3, 9)
