"""The laptop's journal of typing the clinic server has not got yet (store.journal).

While the server is unreachable, each note field typed into is kept here (``keep``), and its
entry goes once the text is saved (``saved``). When the person signs in again, after a crash
or a restart, ``replay`` saves what is kept, with the same version check as any save: text
that meets a later change, or a session signed meanwhile, stays kept and is reported, never
applied over someone else's work.

The journal's key is derived from the person's own signing key, which only their password
opens (their slot on the server): another user of the laptop cannot read it. Someone without
a signing key has no journal (the window says their typing is kept in the window only).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from facilitator.domain.errors import FacilitatorError, ServerUnreachable
from facilitator.services import sessions
from facilitator.services.workspace import Workspace
from facilitator.store.journal import Journal, Kept

__all__ = ["Kept", "Replayed", "available", "describe", "discard", "keep", "replay", "saved"]
from facilitator.store.locations import APP_NAME

MEMBER_NOTE = ("data", "assessment", "plan")
GROUP_NOTE = ("topic", "interventions", "narrative", "summary")
FOLDER_VARIABLE = "FACILITATOR_JOURNAL_DIR"  # where journals go (default: the user data folder)


@dataclass
class Replayed:
    saved: int = 0
    waiting: list[Kept] = field(default_factory=list)  # met later changes, or a signature


def folder() -> Path:
    chosen = os.environ.get(FOLDER_VARIABLE)
    if chosen:
        return Path(chosen)
    import platformdirs

    return platformdirs.user_data_path(APP_NAME, appauthor=False) / "journals"


def available(ws: Workspace) -> bool:
    """Whether typing held during an outage can be kept on this laptop (else only in the
    window): a clinic server, and a person with a signing key to key the journal."""
    return ws.store.is_postgres and ws.signer is not None


def describe(kept: Kept) -> str:
    """Where a kept text belongs, in the clinic's words, without any of its content."""
    from facilitator.store import session_reads

    part = kept.field.replace("_", " ")
    record = session_reads.load_session(kept.session_id)
    where = f"{record.group_name}, {record.date:%d %b %Y}"
    attendance = None if kept.member_id is None else record.attendance_of(kept.member_id)
    if attendance is None:
        return f"{where}: group note, {part}"
    return f"{where}: {attendance.display_name}'s note, {part}"


def _journal(ws: Workspace) -> Journal | None:
    """This person's journal for this server (opened once per sign-in), or None."""
    if not available(ws) or ws.signer is None:
        return None
    if ws.journal is None:
        place = f"{ws.store.location}\n{ws.actor.username}".encode()
        name = hashlib.sha256(place).hexdigest()[:24] + ".db"
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=b"facilitator journal", info=place
        ).derive(ws.signer.private_key)
        ws.journal = Journal(folder() / name, key)
    journal: Journal = ws.journal
    return journal


def keep(
    ws: Workspace, session_id: int, member_id: int | None, name: str, text: str, seen: str
) -> bool:
    """Keep a field's typing on this laptop; False when there is no journal to keep it in."""
    journal = _journal(ws)
    if journal is None:
        return False
    journal.keep(session_id, member_id, name, text, seen)
    ws.kept_fields.add((session_id, member_id, name))
    return True


def saved(ws: Workspace, session_id: int, member_id: int | None, name: str) -> None:
    """The field's text reached the server: its kept copy goes (costs nothing when none)."""
    key = (session_id, member_id, name)
    if key in ws.kept_fields:
        journal = _journal(ws)
        if journal is not None:
            journal.drop(session_id, member_id, name)
        ws.kept_fields.discard(key)


def replay(ws: Workspace) -> Replayed:
    """Save what the journal keeps (at sign-in, or when the server is back)."""
    journal = _journal(ws)
    done = Replayed()
    if journal is None:
        return done
    for kept in journal.entries():
        try:
            _save(ws, kept)
        except ServerUnreachable:
            done.waiting.extend(e for e in journal.entries() if e not in done.waiting)
            return done
        except FacilitatorError:  # EditConflict, or signed meanwhile
            done.waiting.append(kept)  # kept: the person chooses (reported by the window)
            ws.kept_fields.add((kept.session_id, kept.member_id, kept.field))
            continue
        journal.drop(kept.session_id, kept.member_id, kept.field)
        done.saved += 1
    return done


def discard(ws: Workspace, kept: Kept) -> None:
    """The person has read a kept text and let it go (copied it, or it is not needed)."""
    saved(ws, kept.session_id, kept.member_id, kept.field)
    journal = _journal(ws)
    if journal is not None:
        journal.drop(kept.session_id, kept.member_id, kept.field)


def _save(ws: Workspace, kept: Kept) -> None:
    seen = {kept.field: kept.seen}
    text: dict[str, Any] = {kept.field: kept.text}
    if kept.member_id is None and kept.field in GROUP_NOTE:
        sessions.write_group_note(ws, kept.session_id, seen=seen, **text)
    elif kept.field in MEMBER_NOTE and kept.member_id is not None:
        sessions.write_member_note(ws, kept.session_id, kept.member_id, seen=seen, **text)
    else:
        raise FacilitatorError(f"a kept {kept.field} cannot be saved")
