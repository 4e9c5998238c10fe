"""A writer process for the durability and backup tests: commits, then says so.

    python -m tests.writer_driver DB USER audit
    python -m tests.writer_driver DB USER members GROUP_ID PREFIX

The password comes from FACILITATOR_PASSWORD. ``audit`` appends one audit entry per
transaction through ``services.audit.record`` and prints its id; ``members`` adds a member and
their enrollment in one transaction and prints the member's running number. A line is printed
(and flushed) only after the commit returned, so every complete line is an acknowledged commit.
The process stops by itself after a minute, in case a test forgets it.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time

from facilitator.domain.audit import Action
from facilitator.services import audit, keys
from facilitator.services.workspace import Workspace
from facilitator.store import database, people
from facilitator.store.models import database as bound

LIFETIME_SECONDS = 60


def main(argv: list[str]) -> int:
    location, username, mode, *rest = argv
    store = database.open_store(location, username, os.environ["FACILITATOR_PASSWORD"])
    actor = people.actor_for(username)
    ws = Workspace(store, actor, signer=keys.signer_from(actor.user_id, store.held))
    deadline = time.monotonic() + LIFETIME_SECONDS
    number = 0
    print("ready", flush=True)
    while time.monotonic() < deadline:
        if mode == "audit":
            acknowledged = audit.record(ws, Action.CHANGE, detail="durability test")
        else:
            group_id, prefix = int(rest[0]), rest[1]
            with bound.atomic():
                member_id = people.create_member(
                    first_name="Writer",
                    last_name=f"Test{number}",
                    preferred_name=None,
                    record_number=f"{prefix}{number}",
                    pronouns="",
                    date_of_birth=None,
                )
                people.enroll(member_id, group_id, dt.date(2026, 1, 5))
            acknowledged = number
            number += 1
        sys.stdout.write(f"{acknowledged}\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
