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
    here SESSION PART [MEMBER]    this seat's place (services.presence), typing there -> ok
    give SESSION ITEM             assign_homework(ITEM) to everyone present without it
                                                                        -> ok | refused: …

As a window does, a seat remembers what it last showed of each part it edits (read by
``open``, then what it saved), and the commands below send that as ``seen``:

    open SESSION                  read the session's notes and check-ins -> ok
    type SESSION MEMBER FIELD TEXT    the member note's FIELD            -> ok | conflict …
    group SESSION FIELD TEXT          the group note's FIELD             -> ok | conflict …
    cell SESSION MEMBER FIELD VALUE   the check-in's FIELD               -> ok | conflict …
    take SESSION MEMBER FIELD     take what the last conflict there showed as theirs (the user
                                  read it): the next save goes over it  -> ok

A conflict answers ``conflict: THEIRS | MINE`` and remembers nothing new.
"""

from __future__ import annotations

import os
import sys
import time

from facilitator.domain.errors import EditConflict, FacilitatorError
from facilitator.services import accounts, homework, presence, sessions, signing
from facilitator.store import session_reads

NUMBERS = ("mood", "craving")
MAX_SAVES = 2000  # a seat never loops for ever, whatever a test does
SEAT = presence.new_seat()  # as one open session screen


# (session, member or None, field) -> what this seat last showed there; conflicts: theirs.
shown: dict[tuple[int, int | None, str], object] = {}
theirs: dict[tuple[int, int | None, str], object] = {}
CHECK_IN = ("mood", "craving", "use_detail", "safety_follow_up", "homework_review", "current_issue")


def _open(session_id: int) -> None:
    record = session_reads.load_session(session_id)
    for note in record.member_notes:
        for field in ("data", "assessment", "plan"):
            shown[(session_id, note.member_id, field)] = getattr(note, field)
    for check_in in record.check_ins:
        for field in CHECK_IN:
            shown[(session_id, check_in.member_id, field)] = getattr(check_in, field)
    if record.group_note is not None:
        for field in ("topic", "interventions", "narrative", "summary"):
            shown[(session_id, None, field)] = getattr(record.group_note, field)


def _edit(ws, words: list[str]) -> str:
    command, session, *rest = words
    session_id = int(session)
    member_id = None if command == "group" else int(rest.pop(0))
    field, text = rest[0], " ".join(rest[1:])
    key = (session_id, member_id, field)
    value: object = int(text) if field in NUMBERS else text
    default = None if field in NUMBERS else ""
    seen = {field: shown.get(key, default)}
    try:
        if command == "type":
            sessions.write_member_note(ws, session_id, member_id, seen=seen, **{field: value})
        elif command == "group":
            sessions.write_group_note(ws, session_id, seen=seen, **{field: value})
        else:
            sessions.record_check_in(ws, session_id, member_id, seen=seen, **{field: value})
    except EditConflict as exc:
        theirs[key] = exc.theirs[field]
        return f"conflict: {exc.theirs[field]} | {exc.mine[field]}"
    shown[key] = value
    return "ok"


def _run(ws, password: str, words: list[str]) -> str:
    command, *rest = words
    if command == "open":
        _open(int(rest[0]))
    elif command in ("type", "group", "cell"):
        return _edit(ws, words)
    elif command == "take":
        key = (int(rest[0]), None if rest[1] == "-" else int(rest[1]), rest[2])
        shown[key] = theirs.pop(key)
    elif command == "note":
        sessions.write_member_note(ws, int(rest[0]), int(rest[1]), data=" ".join(rest[2:]))
    elif command == "notes":
        return _notes(ws, int(rest[0]), int(rest[1]), rest[2])
    elif command == "checkin":
        value: object = int(rest[3]) if rest[2] in NUMBERS else " ".join(rest[3:])
        sessions.record_check_in(ws, int(rest[0]), int(rest[1]), **{rest[2]: value})
    elif command == "sign":
        signing.sign_session(ws, int(rest[0]), password)
    elif command == "give":
        homework.assign_homework(ws, int(rest[0]), int(rest[1]))
    elif command == "here":
        member = int(rest[2]) if len(rest) > 2 else None
        presence.here(ws, SEAT, int(rest[0]), rest[1], member, typing=member is not None)
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
