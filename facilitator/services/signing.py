"""Signing, co-signing and addenda: how a note becomes a locked record."""

from __future__ import annotations

import datetime as dt

from facilitator.domain.audit import Action, RecordKind
from facilitator.domain.changes import Changes
from facilitator.domain.checklist import missing_before_signing
from facilitator.domain.enums import Role, SessionState, SignatureKind
from facilitator.domain.errors import IntegrityProblem, PermissionDenied, RuleViolation
from facilitator.domain.records import (
    CANONICAL_VERSION,
    SessionRecord,
    addendum_hash,
    content_hash,
)
from facilitator.domain.rules import NOTE_LIMIT, require_text, utcnow
from facilitator.services.audit import audited
from facilitator.services.sessions import require_session_staff
from facilitator.services.workspace import Workspace
from facilitator.store import database, reports
from facilitator.store import session_reads as reads
from facilitator.store import sessions as store


@audited(Action.SIGN, RecordKind.SESSION, record="session_id")
def sign_session(
    ws: Workspace, session_id: int, password: str, *, at: dt.datetime | None = None
) -> Changes:
    """Sign and lock the session after re-checking the signer's password."""
    ws.require_clinician("sign a session")
    record = reads.load_session(session_id)
    if ws.actor.user_id not in (record.facilitator_id, record.co_facilitator_id):
        raise PermissionDenied("only the session's facilitator or co-facilitator can sign it")
    gaps = missing_before_signing(record)
    if gaps:
        raise RuleViolation("cannot sign yet: " + "; ".join(gaps))
    database.verify_password(ws.store, ws.actor.username, password)
    store.sign(session_id, ws.actor.user_id, at or utcnow(), content_hash, CANONICAL_VERSION)
    return Changes(sessions=frozenset({session_id}), signatures=True, phases=True)


@audited(Action.COSIGN, RecordKind.SESSION, record="session_id")
def cosign_session(ws: Workspace, session_id: int, password: str) -> Changes:
    """A supervisor's co-signature on a signed note (for notes written by unlicensed staff).

    A note whose signer works under supervision is co-signed only by their assigned lead.
    """
    ws.require_role(Role.CLINICAL_LEAD, Role.ADMIN, doing="co-sign a session")
    ws.require_clinician("co-sign a session")
    signer = reports.signer_of(session_id)
    if signer is not None and signer[1] and signer[2] != ws.actor.user_id:
        raise PermissionDenied("only the signer's assigned supervisor can co-sign this session")
    record = reads.load_session(session_id)
    if record.state is not SessionState.SIGNED:
        raise RuleViolation("a session is co-signed after it is signed")
    if any(s.user_id == ws.actor.user_id for s in record.signatures):
        raise RuleViolation("you have already signed this session")
    digest = content_hash(record)
    if verify_seal(record):
        raise IntegrityProblem(
            "the session's content no longer matches its signature; it cannot be co-signed"
        )
    database.verify_password(ws.store, ws.actor.username, password)
    store.add_signature(
        session_id, ws.actor.user_id, SignatureKind.COSIGN, digest, CANONICAL_VERSION, utcnow()
    )
    return Changes(sessions=frozenset({session_id}), signatures=True)


@audited(Action.ADDENDUM, RecordKind.SESSION, record="session_id")
def add_addendum(
    ws: Workspace, session_id: int, password: str, *, reason: str, text: str
) -> Changes:
    """A dated, signed addition to a locked note; the original stays as it was."""
    require_session_staff(ws, session_id)
    record = reads.load_session(session_id)
    if record.state is not SessionState.SIGNED:
        raise RuleViolation(
            "an unsigned session is edited directly; addenda are for signed sessions"
        )
    reason = require_text("reason", reason, max_length=500)
    text = require_text("addendum text", text, max_length=NOTE_LIMIT)
    database.verify_password(ws.store, ws.actor.username, password)
    at = utcnow()
    digest = addendum_hash(record.signatures[0].content_hash, ws.actor.user_id, at, reason, text)
    addendum_id = store.add_addendum(session_id, ws.actor.user_id, at, reason, text, digest)
    return Changes(sessions=frozenset({session_id}), addenda=True, created_id=addendum_id)


def verify_seal(record: SessionRecord) -> list[str]:
    """Problems with a signed session's seal: content changed since signing, or a forged addendum."""
    session_id = record.id
    if record.state is not SessionState.SIGNED:
        return []
    if not record.signatures:
        return [f"session {session_id} is marked signed but has no signature"]
    problems = [
        f"session {session_id}: content differs from the {s.kind.value} of {s.signed_at:%Y-%m-%d}"
        for s in record.signatures
        if s.content_hash != content_hash(record, s.canonical_version)
    ]
    sign_hash = record.signatures[0].content_hash
    for addendum in record.addenda:
        expected = addendum_hash(
            sign_hash, addendum.author_id, addendum.signed_at, addendum.reason, addendum.text
        )
        if expected != addendum.content_hash:
            problems.append(
                f"session {session_id}: addendum {addendum.id} differs from its signature"
            )
    return problems
