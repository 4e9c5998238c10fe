"""`facilitator check`: is every stored record whole and every signed note unchanged?"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from facilitator.domain.errors import FacilitatorError
from facilitator.services import audit, imported_trust
from facilitator.services.signing import verify_signed
from facilitator.services.trust import Trust
from facilitator.services.workspace import Workspace
from facilitator.store import database, reports, signing_keys, triggers
from facilitator.store import session_reads as reads

CHUNK = 2000


@dataclass(frozen=True)
class CheckReport:
    signed_sessions: int
    problems: tuple[str, ...]
    notes: tuple[str, ...] = ()  # the root key's fingerprint, how many seals are SHA-256

    @property
    def ok(self) -> bool:
        return not self.problems


def check(
    ws: Workspace,
    progress: Callable[[int], None] | None = None,
    *,
    root: str | None = None,
    head: tuple[int, str] | None = None,
) -> CheckReport:
    """The engine's own check, the schema version, the protective triggers, every signed
    session's seal and every signature's key, and the audit trail (chain and signatures).

    ``root`` is the root key's fingerprint as printed on paper; ``head`` the audit trail's
    COUNT:HASH as printed earlier: with them, a database whose keys were all replaced, or whose
    trail lost its newest entries, is caught too.
    """
    problems = list(reports.engine_integrity())
    _applied, pending = database.schema_versions(ws.store)
    if pending:
        problems.append("migrations not applied: " + ", ".join(pending))
    problems += triggers.problems()
    trust = Trust.read(root)
    problems += trust.problems + trust.seals(signing_keys.seal_rows())
    chain = audit.verify(head, trust)
    if chain.broken_at is not None:
        problems.append(f"audit entry {chain.broken_at} {chain.reason}")
    problems += chain.problems
    laptops = imported_trust.laptops(trust)  # brought in by `server import`, if any
    problems += [p for p in laptops.problems if p not in chain.problems]  # trails: said once
    ids = list(reports.signed_session_ids())
    from_laptops = imported_trust.SessionChecker()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        bodies = reads.signed_bodies(chunk)
        origins = from_laptops.origins(chunk)
        for record in reads.load_sessions(chunk, live=True).values():
            body, origin = bodies.get(record.id), origins.get(record.id)
            if origin is None:
                problems.extend(verify_signed(record, body))
            else:
                problems.extend(from_laptops.problems(record, body, origin))
        if progress is not None:
            progress(min(start + CHUNK, len(ids)))
    return CheckReport(len(ids), tuple(problems), tuple(trust.notes + laptops.notes))


def start_background_check(
    ws: Workspace, on_problem: Callable[[str], None]
) -> threading.Thread | None:
    """For a file too large to check at sign-in: quick_check it on a thread of its own. If it
    is damaged, writes stop (every change is refused) and ``on_problem`` gets the message."""
    path = ws.store.path
    if path is None or path.stat().st_size <= database.QUICK_CHECK_AT_OPEN_LIMIT:
        return None

    def run() -> None:
        try:
            problems = database.quick_check_problems(ws.store)
        except FacilitatorError as exc:  # the disk failed the check: say so, do not guess
            on_problem(exc.message)
            return
        finally:
            ws.store.db.close()  # this thread's connection only
        if problems:
            message = (
                f"{path.name} is damaged ({problems[0]}); changes are stopped so nothing more "
                "is lost: restore the last good backup ('facilitator restore')"
            )
            ws.store.writes_stopped = message
            on_problem(message)

    thread = threading.Thread(target=run, name="integrity-check", daemon=True)
    thread.start()
    return thread
