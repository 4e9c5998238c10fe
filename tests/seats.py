"""Seats for the many-seats tests (issue 13): each a process of its own (tests/seat_driver.py)
on one clinic server or one laptop's file, driven one command at a time."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator

from facilitator.domain.enums import Role
from facilitator.services import accounts
from facilitator.store.keys import FAST_FOR_TESTS
from tests import factories
from tests.conftest import PASSWORD, new_workspace

LENA = "lena-password-0001"


class Seat:
    """A seat process: one command in, one line out."""

    def __init__(self, location: str, username: str, password: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FACILITATOR_", "PG"))}
        env["FACILITATOR_PASSWORD"] = password
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.seat_driver", location, username],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=env,
        )  # fmt: skip
        assert self.readline() == "ready", self.process.stderr.read()

    def send(self, command: str) -> None:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def readline(self) -> str:
        return self.process.stdout.readline().strip()

    def ask(self, command: str) -> str:
        self.send(command)
        return self.readline()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def two_seats(location: str) -> Iterator[tuple]:
    """ada (facilitator of the sessions) and lena (a clinical lead, who may edit them too), on
    a clinic server or on one laptop's file shared by processes: (ada's workspace here, the
    group, its two members, [ada's seat, lena's seat])."""
    ws = new_workspace(location)
    ws.store.kdf = FAST_FOR_TESTS
    accounts.add_user(ws, username="lena", password=LENA, full_name="Lena Testwood",
                      role=Role.CLINICAL_LEAD)  # fmt: skip
    group_id = factories.group(ws)
    member_ids = factories.members(ws, group_id, 2)
    seats = [Seat(location, "ada", PASSWORD)]
    lena = accounts.sign_in(location, "lena", LENA)
    accounts.change_own_password(lena, LENA, LENA + "x")
    lena.close()
    seats.append(Seat(location, "lena", LENA + "x"))
    ws.make_current()
    yield ws, group_id, member_ids, seats
    for seat in seats:
        seat.close()
    ws.close()


def at_once(*asks: tuple[Seat, str]) -> list[str]:
    """Each seat's command sent at one moment (threads past a barrier); the answers in order."""
    barrier = threading.Barrier(len(asks))
    answers = [""] * len(asks)

    def ask(index: int, seat: Seat, command: str) -> None:
        barrier.wait()
        answers[index] = seat.ask(command)

    threads = [threading.Thread(target=ask, args=(i, *pair)) for i, pair in enumerate(asks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers
