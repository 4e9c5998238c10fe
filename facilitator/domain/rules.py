"""Checks on single values, shared by every service that accepts them."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from facilitator.domain.errors import InvalidInput

MIN_PASSWORD_LENGTH = 12
SCALE_MIN, SCALE_MAX = 0, 10


def check_scale(field: str, value: int | None, *, allow_none: bool = False) -> int | None:
    """A 0-10 rating such as mood or craving."""
    if value is None:
        if allow_none:
            return None
        raise InvalidInput(field, f"{field} is required (a whole number from 0 to 10)")
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(field, f"{field} must be a whole number from 0 to 10, not {value!r}")
    if not SCALE_MIN <= value <= SCALE_MAX:
        raise InvalidInput(field, f"{field} must be from 0 to 10, not {value}")
    return value


def parse_rating(field: str, text: object) -> int | None:
    """A 0-10 rating typed into a cell: empty clears it, anything else must be a whole number."""
    typed = str(text).strip() if text is not None else ""
    if not typed:
        return None
    try:
        value = int(typed)
    except ValueError:
        raise InvalidInput(
            field, f"{field} must be a whole number from 0 to 10, not {typed!r}"
        ) from None
    return check_scale(field, value)


def check_attendance_times(
    arrival: dt.time | None, departure: dt.time | None, session_end: dt.time | None
) -> None:
    """An arrival before the session's end, and a departure after the arrival."""
    if arrival is not None and session_end is not None and arrival >= session_end:
        raise InvalidInput(
            "arrival",
            f"the arrival time {arrival:%H:%M} is not before the session's end at {session_end:%H:%M}",
        )
    if arrival is not None and departure is not None and departure <= arrival:
        raise InvalidInput(
            "departure",
            f"the departure time {departure:%H:%M} must be after the arrival at {arrival:%H:%M}",
        )


# The longest free text each kind of field takes. A note of NOTE_LIMIT characters is about 20
# printed pages; the window shows how much is left as a note nears it.
NOTE_LIMIT = 50_000
CHECK_IN_TEXT_LIMIT = 2_000
TOPIC_LIMIT = 500


def limited_text(field: str, value: str, limit: int) -> str:
    """Free text that may be empty, stripped, refused (nothing saved) past ``limit``."""
    text = value.strip()
    if len(text) > limit:
        raise InvalidInput(
            field,
            f"the {field} is {len(text):,} characters long; the most it can hold is {limit:,}",
        )
    return text


def require_text(field: str, value: str | None, *, max_length: int = 200) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(field, f"{field} cannot be empty")
    if len(text) > max_length:
        raise InvalidInput(field, f"{field} is longer than {max_length} characters")
    return text


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            "password", f"the password must be at least {MIN_PASSWORD_LENGTH} characters long"
        )
    return password


_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise InvalidInput(
            "username",
            "a username is 2-32 lowercase letters, digits, dots, dashes or underscores",
        )
    return name


_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def parse_clock_time(field: str, text: str) -> dt.time:
    """A 24-hour clock time typed by a person, e.g. "09:05" or "18:30"."""
    match = _TIME.match(text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour < 24 and minute < 60:
            return dt.time(hour, minute)
    raise InvalidInput(field, f"{field} must be a 24-hour time like 18:30, not {text.strip()!r}")


def parse_weekdays(text: str) -> tuple[int, ...]:
    """Weekdays as stored: "0,2,4" for Monday, Wednesday, Friday."""
    if not text:
        return ()
    days = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    if any(not 0 <= d <= 6 for d in days):
        raise InvalidInput("meeting weekdays", "weekdays run from 0 (Monday) to 6 (Sunday)")
    return days


def thirds(length_minutes: int) -> tuple[int, int, int]:
    """SAMHSA's default plan: the session split into three near-equal parts."""
    base, extra = divmod(length_minutes, 3)
    return (base + (1 if extra > 0 else 0), base + (1 if extra > 1 else 0), base)


def next_meeting(weekdays: tuple[int, ...], after: dt.date) -> dt.date:
    """The group's first meeting day after ``after`` (a week later if it has no schedule)."""
    for offset in range(1, 8):
        day = after + dt.timedelta(days=offset)
        if day.weekday() in weekdays:
            return day
    return after + dt.timedelta(days=7)


def to_local(moment: dt.datetime, zone: str = "") -> dt.datetime:
    """A stored (naive UTC) timestamp as the clinic's wall clock shows it, naive.

    ``zone`` is an IANA name such as "America/Chicago"; empty means this computer's zone.
    """
    aware = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
    return aware.astimezone(ZoneInfo(zone) if zone else None).replace(tzinfo=None)


def utcnow() -> dt.datetime:
    """Now in UTC, naive, to the second: what every stored timestamp holds."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


FREE_SIGN_IN_FAILURES = 5


def sign_in_delay(failures: int) -> dt.timedelta:
    """How long after the last failure the next try must wait: nothing for the first five in a
    row, then 30 seconds, doubling with each further failure, at most 15 minutes."""
    if failures < FREE_SIGN_IN_FAILURES:
        return dt.timedelta()
    seconds = 30 * 2 ** (failures - FREE_SIGN_IN_FAILURES)
    return dt.timedelta(seconds=min(seconds, 15 * 60))


# Crockford's base32: no I, L, O or U, so a printed key cannot be misread.
RECOVERY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECOVERY_GROUPS, RECOVERY_GROUP_LENGTH = 6, 5  # 30 characters, 150 bits


def new_recovery_key() -> str:
    import secrets

    chars = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(30))
    return normalise_recovery_key(chars)


def normalise_recovery_key(text: str) -> str:
    """The key as stored, however it was typed: capitals, groups of five joined by dashes,
    and the letters people confuse with digits read as those digits."""
    cleaned = "".join(c for c in text.upper() if c.isalnum())
    cleaned = cleaned.translate(str.maketrans("ILO", "110"))
    size = RECOVERY_GROUP_LENGTH
    return "-".join(cleaned[i : i + size] for i in range(0, len(cleaned), size))
