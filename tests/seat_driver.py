"""One seat on a session, in a process of its own, for the many-seats tests (issue 13).

    python -m tests.seat_driver DB USER

The password comes from FACILITATOR_PASSWORD. The seat signs in, prints ``ready``, then reads
one command per line from stdin and answers each with one line, printed (and flushed) only
after the command returned, so every ``ok`` is an acknowledged commit:

    note SESSION MEMBER TEXT      write_member_note(data=TEXT)          -> ok | refused: …
    notes SESSION MEMBER PREFIX   write_member_note(data=PREFIX N) for N = 0, 1, … until one
                                  is refused                            -> last N acknowledged
    checkin SESSION MEMBER FIELD VALUE   record_check_in(FIELD=VALUE)   -> ok | refused: …
    sign SESSION                  sign_session                          -> ok | refused: …
"""

from __future__ import annotations

import os
import sys
import time

from facilitator.domain.errors import FacilitatorError
from facilitator.services import accounts, sessions, signing

NUMBERS = ("mood", "craving")
MAX_SAVES = 2000  # a seat never loops for ever, whatever a test does


def _run(ws, password: str, words: list[str]) -> str:
    command, *rest = words
    if command == "note":
        sessions.write_member_note(ws, int(rest[0]), int(rest[1]), data=" ".join(rest[2:]))
    elif command == "notes":
        return _notes(ws, int(rest[0]), int(rest[1]), rest[2])
    elif command == "checkin":
        value: object = int(rest[3]) if rest[2] in NUMBERS else " ".join(rest[3:])
        sessions.record_check_in(ws, int(rest[0]), int(rest[1]), **{rest[2]: value})
    elif command == "sign":
        signing.sign_session(ws, int(rest[0]), password)
    else:
        return f"refused: unknown command {command}"
    return "ok"


def _notes(ws, session_id: int, member_id: int, prefix: str) -> str:
    """Save and save again until a save is refused; the last one acknowledged."""
    number = -1
    while number < MAX_SAVES:
        try:
            sessions.write_member_note(ws, session_id, member_id, data=f"{prefix} {number + 1}")
        except FacilitatorError as exc:
            return f"{number} refused: {exc.message}"
        number += 1
        # A person types between saves: the short pause lets another seat's writer in on
        # SQLite, whose waiting writers are not queued fairly.
        time.sleep(0.005)
    return f"{number} refused: never refused"


def main(argv: list[str]) -> int:
    location, username = argv
    password = os.environ["FACILITATOR_PASSWORD"]
    ws = accounts.sign_in(location, username, password)
    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        try:
            answer = _run(ws, password, words)
        except FacilitatorError as exc:
            answer = f"refused: {exc.message}"
        print(answer, flush=True)
    ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
