"""The timed scenarios on the ten-year database, each beside its floor."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw

from bench.floors import capture, replay
from bench.timing import compared
from facilitator.services import accounts, homework
from facilitator.store import reports
from facilitator.store import session_reads as reads
from facilitator.store.keys import KeySlots, keys_path_for
from facilitator.store.models import database


@dataclass(frozen=True)
class Picks:
    """Which session and member each scenario reads, chosen from the data itself."""

    full_session: int  # the signed session with the most members on its roster
    full_session_members: int
    long_history_member: int
    history_sessions: int
    recent_session: int  # the latest draft session with the most members
    largest_draft: int  # the draft session with the most members on its roster
    largest_draft_members: int

    def sessions_to_copy(self) -> list[int]:
        """Every session the scenarios touch: the three sessions and their members' histories."""
        members = [self.long_history_member, *self._roster(self.recent_session)]
        marks = ", ".join("?" * len(members))
        rows = database.execute_sql(
            f"SELECT DISTINCT session_id FROM attendance WHERE member_id IN ({marks})", members
        ).fetchall()
        return [self.full_session, self.recent_session, self.largest_draft, *(r[0] for r in rows)]

    @staticmethod
    def _roster(session_id: int) -> list[int]:
        sql = "SELECT member_id FROM attendance WHERE session_id = ?"
        return [r[0] for r in database.execute_sql(sql, (session_id,)).fetchall()]


def _largest(state: str) -> tuple[int, int]:
    """The session in this state with the most members on its roster (the newest of a tie)."""
    found: tuple[int, int] = database.execute_sql(
        "SELECT a.session_id, count(*) FROM attendance a JOIN session s ON s.id = a.session_id "
        "WHERE s.state = ? GROUP BY a.session_id ORDER BY count(*) DESC, a.session_id DESC LIMIT 1",
        (state,),
    ).fetchone()
    return found


def pick() -> Picks:
    full, members = _largest("signed")
    member, history = database.execute_sql(
        "SELECT member_id, count(*) FROM attendance GROUP BY member_id "
        "ORDER BY count(*) DESC, member_id LIMIT 1"
    ).fetchone()
    (recent,) = database.execute_sql(
        "SELECT s.id FROM session s JOIN attendance a ON a.session_id = s.id "
        "WHERE s.state = 'draft' GROUP BY s.id ORDER BY s.date DESC, count(*) DESC, s.id LIMIT 1"
    ).fetchone()
    return Picks(full, members, member, history, recent, *_largest("draft"))


def _with_floor(run: Any, plain: sqlite3.Connection, runs: int) -> dict[str, Any]:
    statements = capture(run)
    result: dict[str, Any] = compared(run, lambda: replay(plain, statements), runs)
    result["queries"] = len(statements)
    return result


def load_session(picks: Picks, plain: sqlite3.Connection, runs: int) -> dict[str, Any]:
    result = _with_floor(lambda: reads.load_session(picks.full_session), plain, runs)
    note = "" if picks.full_session_members >= 15 else " (no demo session has 15)"
    return result | {
        "session_id": picks.full_session,
        "members": picks.full_session_members,
        "which": f"the signed session with the most rostered members{note}",
        "floor": "the same SELECTs replayed by stdlib sqlite3 on a plain copy of its rows",
    }


def member_history(picks: Picks, plain: sqlite3.Connection, runs: int) -> dict[str, Any]:
    result = _with_floor(lambda: reports.member_history(picks.long_history_member), plain, runs)
    return result | {
        "member_id": picks.long_history_member,
        "sessions": picks.history_sessions,
        "which": "the member rostered in the most sessions",
        "floor": "the same SELECTs replayed by stdlib sqlite3 on a plain copy of the member's rows",
    }


def outstanding_homework(picks: Picks, plain: sqlite3.Connection, runs: int) -> dict[str, Any]:
    result = _with_floor(
        lambda: homework.outstanding_for_session(picks.recent_session), plain, runs
    )
    return result | {
        "session_id": picks.recent_session,
        "which": "the latest draft session with the most rostered members",
        "floor": "the same SELECTs replayed by stdlib sqlite3 on a plain copy of its members' rows",
    }


def open_database(path: Path, password: str, plain_file: Path, runs: int) -> dict[str, Any]:
    """Sign in (argon2 unwraps the key slot, SQLCipher opens, migrations checked) and close."""
    kdf = KeySlots.load(keys_path_for(path)).params_of("demo")

    def sign_in_and_close() -> None:
        accounts.sign_in(str(path), "demo", password).close()

    def bare_kdf_and_open() -> None:
        hash_secret_raw(
            password.encode(), b"sixteen byte salt", time_cost=kdf.time_cost,
            memory_cost=kdf.memory_kib, parallelism=kdf.parallelism, hash_len=32, type=Type.ID,
        )  # fmt: skip
        connection = sqlite3.connect(plain_file)
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        connection.close()

    return compared(sign_in_and_close, bare_kdf_and_open, runs) | {
        "floor": "argon2id hash_secret_raw with the slot's parameters, then a stdlib sqlite3 "
        "connect to a small plain file, SELECT count(*) FROM sqlite_master, close",
    }
