"""Signing, co-signing and addenda: how a note becomes a locked record."""

from __future__ import annotations

import datetime as dt

from facilitator.domain.audit import Action, RecordKind
from facilitator.domain.changes import Changes
from facilitator.domain.checklist import missing_before_signing
from facilitator.domain.enums import Role, SessionState, SignatureKind
from facilitator.domain.errors import IntegrityProblem, PermissionDenied, RuleViolation
from facilitator.domain.frozen import (
    body_hash,
    clinical_facts,
    clinical_facts_of_body,
    freeze,
    thaw,
)
from facilitator.domain.records import (
    FROZEN_VERSION,
    SessionRecord,
    SignatureRecord,
    addendum_hash,
    content_hash,
    signer_line,
)
from facilitator.domain.rules import NOTE_LIMIT, require_text, utcnow
from facilitator.services import accounts, documents
from facilitator.services.audit import audited
from facilitator.services.sessions import require_session_staff
from facilitator.services.workspace import Workspace
from facilitator.store import database, reports
from facilitator.store import session_reads as reads
from facilitator.store import sessions as store
from facilitator.store.signing_keys import ROOT_KEY_ID, Signer


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
    store.sign(session_id, ws.actor.user_id, at or utcnow(), frozen_body, _signer(ws), _key(ws))
    return Changes(sessions=frozenset({session_id}), signatures=True, phases=True)


def frozen_body(record: SessionRecord) -> bytes:
    """The record as it is signed, with everything else its documents print (see
    domain.frozen): read inside the signing transaction."""
    facilitator, co_facilitator = documents.facilitator_lines(record)
    return freeze(
        record,
        facilitator=facilitator,
        co_facilitator=co_facilitator,
        program=accounts.program_name(),
        time_zone=accounts.time_zone(),
    )


def _signer(ws: Workspace) -> str:
    return signer_line(ws.actor.full_name, ws.actor.credentials)


def _key(ws: Workspace) -> Signer:
    """The signer's own key: without it nothing is signed in their name."""
    signer = ws.signer
    if signer is None or signer.key_id == ROOT_KEY_ID:
        raise RuleViolation(
            "your key slot holds no signing key of yours (or you signed in with the recovery "
            "key); sign in with your own password, or ask an administrator to reset it"
        )
    return signer


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
    if verify_seal(record):
        raise IntegrityProblem(
            "the session's content no longer matches its signature; it cannot be co-signed"
        )
    database.verify_password(ws.store, ws.actor.username, password)
    version = record.signatures[0].canonical_version  # the co-signer signs what was signed
    store.add_signature(
        session_id, ws.actor.user_id, SignatureKind.COSIGN, content_hash(record, version),
        version, utcnow(), _signer(ws), _key(ws),
    )  # fmt: skip
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
    addendum_id = store.add_addendum(
        session_id, ws.actor.user_id, at, reason, text, digest, _signer(ws), _key(ws)
    )
    return Changes(sessions=frozenset({session_id}), addenda=True, created_id=addendum_id)


def verify_seal(record: SessionRecord) -> list[str]:
    """Problems with a signed session's seal, on the record as read (frozen if signed since
    records were frozen): its content changed since signing, or a forged addendum."""
    if record.state is not SessionState.SIGNED:
        return []
    if not record.signatures:
        return [f"session {record.id} is marked signed but has no signature"]
    problems = []
    for s in record.signatures:
        if s.canonical_version >= FROZEN_VERSION and record.frozen is None:
            problems.append(f"session {record.id}: the record its {s.kind.value} covers is missing")
        elif s.content_hash != content_hash(record, s.canonical_version):
            problems.append(_differs(record.id, s))
    return problems + _addenda_problems(record)


def verify_signed(
    live: SessionRecord, body: bytes | None, *, laptop_body: bytes | None = None
) -> list[str]:
    """What `check` finds in one signed session, read as its rows hold it now (``live``) with
    its frozen body: the body must hash to what each signature covers and hold the same
    clinical facts as the rows (names aside, which may change elsewhere), and each addendum
    must match its own signature. The record is built from the body only for a signature of
    the first kind, which covers the record itself.

    ``laptop_body``: for a session brought in from a laptop, its body as the laptop froze it,
    which is what its signatures cover (services.imported_trust compares it, renumbered, with
    ``body``)."""
    if live.state is not SessionState.SIGNED:
        return []
    if not live.signatures:
        return [f"session {live.id} is marked signed but has no signature"]
    if body is None:  # signed before bodies were kept, and not frozen at the upgrade
        return verify_seal(live)
    problems = []
    sealed = body if laptop_body is None else laptop_body
    digest = body_hash(sealed)
    for s in live.signatures:
        if s.canonical_version >= FROZEN_VERSION:
            if s.content_hash != digest:
                problems.append(_differs(live.id, s))
        elif s.content_hash != content_hash(thaw(sealed, live), s.canonical_version):
            problems.append(_differs(live.id, s))
    if clinical_facts_of_body(body) != clinical_facts(live):
        problems.append(f"session {live.id}: its rows differ from the record as signed")
    return problems + _addenda_problems(live)


def _differs(session_id: int, signature: SignatureRecord) -> str:
    return (
        f"session {session_id}: content differs from the {signature.kind.value} of "
        f"{signature.signed_at:%Y-%m-%d}"
    )


def _addenda_problems(record: SessionRecord) -> list[str]:
    sign_hash = record.signatures[0].content_hash
    return [
        f"session {record.id}: addendum {addendum.id} differs from its signature"
        for addendum in record.addenda
        if addendum.content_hash
        != addendum_hash(
            sign_hash, addendum.hashed_author_id, addendum.signed_at, addendum.reason, addendum.text
        )
    ]
