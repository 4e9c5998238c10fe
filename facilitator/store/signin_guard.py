"""Failed sign-ins, remembered where they can be before anyone has signed in.

An embedded database cannot be written until a password has unlocked it, so its failed
sign-ins wait in a small side file (usernames and times only) and move into the audit trail
at the next successful sign-in. A server checks the password itself, and a refused login
cannot write to it: there the failures wait in this computer's state folder, named by the
server's address, and each user's move into the audit trail when that user signs in here (the
server accepts an entry only from the login it names; the server's own log has every refusal).

The side file beside the database has a twin in this computer's own state folder, named by
the database's id (from its key file, so renaming the files does not shake it off). Both are
written and read together: deleting the side file, or putting a folder in its place, does not
stop the waiting after repeated failures.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

from facilitator.domain.audit import Action, AuditFacts
from facilitator.domain.errors import FacilitatorError
from facilitator.store import audit
from facilitator.store.keys import KeySlots, keys_path_for, write_atomically
from facilitator.store.locations import APP_NAME, describe, is_server_url

KEEP = 50  # failures remembered per user; the delay stops growing long before this


Failures = dict[str, dict[str, list[str]]]
PARTS = ("pending", "streak")


def _side_file(location: str) -> Path:
    path = Path(location)
    return path.with_name(path.name + ".signin-failures.json")


def _twin_file(location: str) -> Path | None:
    """The side file's twin in this computer's state folder, named by the database's id; None
    without a readable key file (then no one signs in at all)."""
    import platformdirs

    try:
        database_id = KeySlots.load(keys_path_for(Path(location))).database_id
    except FacilitatorError:
        return None
    folder = platformdirs.user_state_path(APP_NAME, appauthor=False) / "signin-failures"
    return folder / f"{database_id}.json"


def _server_file(location: str) -> Path:
    import hashlib

    import platformdirs

    digest = hashlib.sha256(describe(location).encode()).hexdigest()[:24]
    folder = platformdirs.user_state_path(APP_NAME, appauthor=False) / "signin-failures"
    return folder / f"server-{digest}.json"


def _files(location: str) -> list[Path]:
    if is_server_url(location):
        return [_server_file(location)]
    return [path for path in (_side_file(location), _twin_file(location)) if path is not None]


def _read_one(path: Path) -> Failures:
    try:
        raw = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError, RecursionError):  # missing, a folder, unreadable: nothing
        raw = {}
    if not isinstance(raw, dict):
        raw = {}
    found: Failures = {}
    for part in PARTS:
        users = raw.get(part)
        users = users if isinstance(users, dict) else {}
        found[part] = {str(k): [str(t) for t in v] for k, v in users.items() if isinstance(v, list)}
    return found


def _read(location: str) -> Failures:
    """{"pending": {user: [times not yet in the trail]}, "streak": {user: [times since their
    last successful sign-in]}}: what the side file and its twin hold between them."""
    merged: Failures = {part: {} for part in PARTS}
    for path in _files(location):
        for part, users in _read_one(path).items():
            for user, times in users.items():
                # The same failure is in both files: a union that keeps repeats (max of counts).
                both = Counter(merged[part].get(user, [])) | Counter(times)
                merged[part][user] = sorted(both.elements())
    return merged


def _write(location: str, failures: Failures) -> None:
    """Both files, each as well as it can be; an error only when neither could be written."""
    failures = {part: {k: v for k, v in users.items() if v} for part, users in failures.items()}
    body = json.dumps(failures, indent=1, sort_keys=True).encode("utf-8")
    problems: list[OSError] = []
    places = _files(location)
    for path in places:
        try:
            if not any(failures.values()):
                path.unlink(missing_ok=True)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, body)
        except OSError as exc:  # e.g. a folder put where the side file was
            problems.append(exc)
    if len(problems) == len(places):
        raise problems[0]


def recent_failures(location: str, username: str) -> list[dt.datetime]:
    """This user's failed sign-ins since their last successful one, oldest first."""
    streak = _read(location)["streak"].get(username, [])
    return [dt.datetime.fromisoformat(t) for t in streak]


def record_failure(location: str, facts: AuditFacts) -> None:
    """Remember one failed sign-in (the server's audit trail, or the side file)."""
    if not is_server_url(location) and not Path(location).is_file():
        return  # no database here: nothing to protect, and nothing is created
    failures = _read(location)
    for part in PARTS:
        times = failures[part].setdefault(facts.username, [])
        times.append(facts.at.isoformat())
        failures[part][facts.username] = times[-KEEP:]
    _write(location, failures)


def move_into_trail(location: str, username: str, workstation: str) -> int:
    """After a successful sign-in: every waiting failure becomes an audit entry (with the time
    it happened), and this user's streak starts again (others' streaks go on). Returns how
    many were moved. On a server, only this user's own failures move (see above)."""
    failures = _read(location)
    moved = 0
    waiting = sorted(failures["pending"].items())
    if is_server_url(location):
        waiting = [(name, times) for name, times in waiting if name == username]
    for name, times in waiting:
        for stamp in times:
            audit.append(
                AuditFacts(
                    at=dt.datetime.fromisoformat(stamp),
                    user_id=None,
                    username=name,
                    workstation=workstation,
                    action=Action.LOGIN_FAILED,
                    outcome="failed",
                    detail="recorded before the database was unlocked",
                )
            )
            moved += 1
    for name, _times in waiting:
        failures["pending"].pop(name, None)
    failures["streak"].pop(username, None)
    _write(location, failures)
    return moved
