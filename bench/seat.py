"""One seat of the many-seats bench (bench.seats), in a process of its own:

    python -m bench.seat URL USER      (password in FACILITATOR_PASSWORD; a plan as JSON on stdin)

For the plan's seconds it saves as a co-facilitator does, each save stating what it last showed
(as the window does): a member note every second, a check-in cell every 3 s, the group note
every 5 s, attendance every 10 s, starting ``offset`` seconds after "go" (people do not type
in step: the seats' offsets spread over the first second). A thread hears the other seat's changes and reads the session
again, as the window's live view does. The seat that signs signs at the end; the other keeps
saving until it is refused. One JSON line of what happened goes to stdout.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading
import time
from typing import Any

from facilitator.domain.enums import Location
from facilitator.domain.errors import EditConflict, FacilitatorError
from facilitator.services import accounts, live, sessions, signing
from facilitator.store import audit as audit_store
from facilitator.store import session_reads

EVERY = {"note": 1.0, "cell": 3.0, "group": 5.0, "attendance": 10.0}
# A facilitator types one member's note for a while, then the next: the window's autosaves of
# one stretch of typing share an editing span (one audit entry), as here.
NOTE_STRETCH = 10  # saves per member's note before moving on
LOCATIONS = (Location.IN_PERSON, Location.TELEHEALTH)


class Seat:
    def __init__(self, ws: Any, plan: dict[str, Any]) -> None:
        self.ws, self.plan = ws, plan
        self.session_id: int = plan["session"]
        self.shown: dict[str, Any] = {}  # what this seat last showed of each field it edits
        self.acked: dict[str, Any] = {}  # each field's last save acknowledged to this seat
        self.latencies: list[float] = []
        self.conflicts = 0
        self.refused: list[str] = []
        self.commits: list[tuple[str, float]] = []  # (what, when committed)
        self.seen_at: list[tuple[str, float]] = []  # (what, when the other seat's showed here)
        self.stop = threading.Event()
        self.listen_cpu_s = 0.0

    def open(self) -> None:
        """What the window shows on opening the session: where each save starts from."""
        record = session_reads.load_session(self.session_id)
        notes = {n.member_id: n.data for n in record.member_notes}
        check_ins = {c.member_id: c.current_issue for c in record.check_ins}
        places = {a.member_id: a.location for a in record.attendance}
        for member in self.plan["mine"]:
            self.shown[f"note:{member}"] = notes.get(member, "")
            self.shown[f"cell:{member}"] = check_ins.get(member, "")
            self.shown[f"attendance:{member}"] = places.get(member)
        self.shown["group"] = record.group_note.summary if record.group_note else ""

    # ------------------------------------------------------------------------- saving

    def save(self, key: str, field: str, value: Any, write: Any) -> None:
        seen = {field: self.shown.get(key)}
        started = time.perf_counter()
        try:
            write(seen)
        except EditConflict as exc:
            self.conflicts += 1
            self.shown[key] = exc.theirs[field]  # the user reads theirs; the next save merges
            return
        except FacilitatorError as exc:
            self.refused.append(exc.message)
            return
        finally:
            self.latencies.append((time.perf_counter() - started) * 1000)
        self.shown[key] = value
        self.acked[key] = value
        self.commits.append((key, time.time()))

    def note(self, n: int) -> None:
        stretch = n // NOTE_STRETCH
        member = self.plan["mine"][stretch % len(self.plan["mine"])]
        text = f"{self.plan['name']} note {n}"
        span = hash((self.plan["name"], stretch))
        self.save(
            f"note:{member}",
            "data",
            text,
            lambda seen: sessions.write_member_note(
                self.ws, self.session_id, member, data=text, seen=seen, span=span
            ),
        )

    def cell(self, n: int) -> None:
        member = self.plan["mine"][n % len(self.plan["mine"])]
        text = f"{self.plan['name']} issue {n}"
        self.save(
            f"cell:{member}",
            "current_issue",
            text,
            lambda seen: sessions.record_check_in(
                self.ws, self.session_id, member, current_issue=text, seen=seen
            ),
        )

    def group(self, n: int) -> None:
        text = f"{self.plan['name']} summary {n}"
        self.save(
            "group",
            "summary",
            text,
            lambda seen: sessions.write_group_note(
                self.ws, self.session_id, summary=text, seen=seen
            ),
        )

    def attendance(self, n: int) -> None:
        member = self.plan["mine"][n % len(self.plan["mine"])]
        where = LOCATIONS[n % 2]
        self.save(
            f"attendance:{member}",
            "location",
            where,
            lambda seen: sessions.record_attendance(
                self.ws, self.session_id, member, location=where, seen=seen
            ),
        )

    def run(self) -> None:
        start = time.monotonic()
        # Seats do not type in step: each starts its round a moment after the one before.
        due = dict.fromkeys(EVERY, start + self.plan.get("offset", 0.0))
        counts = dict.fromkeys(EVERY, 0)
        while time.monotonic() - start < self.plan["seconds"]:
            now = time.monotonic()
            for kind, every in EVERY.items():
                if now >= due[kind]:
                    getattr(self, kind)(counts[kind])
                    counts[kind] += 1
                    due[kind] += every
            time.sleep(max(0.0, min(due.values()) - time.monotonic()))

    # ------------------------------------------------------------------------- hearing

    def listen(self) -> None:
        """The live view: hear the other seat's commits and read what they name again, as the
        window's session screen does (services.sessions.refreshed)."""
        feed = live.ServerFeed(self.ws)
        record = session_reads.load_session(self.session_id)
        while not self.stop.is_set():
            try:
                heard = feed.wait(0.2)
            except FacilitatorError:
                continue
            others = [
                (pid, a)
                for pid, a in heard
                if a.get("s") == self.session_id and pid != self.plan["pid"]
            ]
            if not others:
                continue
            changes = live.changes_heard(self.ws, others)
            record = sessions.refreshed(record, changes)
            shown_at = time.time()
            for _pid, a in others:
                self.seen_at.append((_heard_key(a), shown_at))
        feed.close()
        self.listen_cpu_s = time.thread_time()  # this thread's own CPU, for the report


def _heard_key(announcement: dict[str, Any]) -> str:
    table, member = announcement.get("t"), announcement.get("m")
    kind = {"member_note": "note", "check_in": "cell", "group_note": "group"}.get(str(table))
    if kind == "group":
        return "group"
    return f"{kind or table}:{member}"


def main(argv: list[str]) -> int:
    url, username = argv
    password = os.environ["FACILITATOR_PASSWORD"]
    ws = accounts.sign_in(url, username, password)
    plan = json.loads(sys.stdin.readline())
    plan["pid"] = ws.store.db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    seat = Seat(ws, plan)
    seat.open()
    listener = threading.Thread(target=seat.listen, daemon=True)
    listener.start()
    print("ready", flush=True)
    sys.stdin.readline()  # "go": every seat starts at one moment
    cpu_before = time.process_time()  # signing in and opening are not the scenario's
    seat.run()
    signed_at = None
    if plan["signs"]:
        try:
            signing.sign_session(ws, seat.session_id, password)
            signed_at = time.time()
        except FacilitatorError as exc:
            seat.refused.append(f"sign: {exc.message}")
    else:  # the other seat saves on until the signature refuses it
        deadline = time.monotonic() + 5
        n = 10_000
        while time.monotonic() < deadline and not any("signed" in r for r in seat.refused):
            seat.note(n)
            n += 1
            time.sleep(0.05)
    time.sleep(1.0)  # the last changes heard
    seat.stop.set()
    listener.join(timeout=2)
    print(
        json.dumps(
            {
                "name": plan["name"],
                "session": seat.session_id,
                "latencies_ms": seat.latencies,
                "conflicts": seat.conflicts,
                "refused": seat.refused,
                "acked": {key: str(value) for key, value in seat.acked.items()},
                "commits": seat.commits,
                "seen_at": seat.seen_at,
                "signs": plan["signs"],
                "signed": signed_at is not None,
                "audit_wait_s": audit_store.LOCK_WAITS["seconds"],
                "cpu_s": time.process_time() - cpu_before,
                "listen_cpu_s": seat.listen_cpu_s,
                "at": dt.datetime.now().isoformat(),
            }
        ),
        flush=True,
    )
    ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
