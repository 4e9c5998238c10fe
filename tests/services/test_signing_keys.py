"""Signatures only their signer can make: what a facilitator holding the database key tried
(issue 11, finding 2), each now caught by `check` or refused, on both engines."""

import datetime as dt

import pytest

from facilitator.domain.audit import Action
from facilitator.domain.enums import Role, SessionState
from facilitator.domain.errors import RuleViolation
from facilitator.domain.frozen import body_hash
from facilitator.services import accounts, audit, integrity, keys, sessions, signing
from facilitator.services.trust import parse_head
from facilitator.store import database, people
from facilitator.store import signing_keys as sk
from facilitator.store.models import AuditEntry, MemberNote, Signature, SignedContent, SigningKey
from facilitator.store.session_reads import pack_body, unpack_body
from tests.conftest import PASSWORD
from tests.tampering import unguarded

COLLEAGUE_PASSWORD = "colleague-password-01"
MALLORY_PASSWORD = "mallory-knows-this-1"


def _reseal(ws, session_id, old, new):
    """Rewrite the frozen note and its seal, as the finding's script did with SHA-256."""
    stored = SignedContent.get(SignedContent.session == session_id)
    body = unpack_body(stored.body).replace(old, new)
    with unguarded(ws):
        for note in MemberNote.select().where(MemberNote.session == session_id):
            rewritten = note.assessment.replace(old.decode(), new.decode())
            MemberNote.update(assessment=rewritten).where(MemberNote.id == note.id).execute()
        SignedContent.update(body=pack_body(body)).where(SignedContent.id == stored.id).execute()
        Signature.update(content_hash=body_hash(body)).where(
            Signature.session == session_id
        ).execute()


def test_a_rewritten_and_resealed_signed_note_is_caught(ws, ready):
    signing.sign_session(ws, ready, PASSWORD)
    assert integrity.check(ws).ok
    _reseal(ws, ready, b"Engaged.", b"Hostile.")
    assert "Hostile." in sessions.load(ready).member_notes[0].assessment  # the rewrite took
    problems = integrity.check(ws).problems
    assert any(f"session {ready}: its sign" in p and "does not match" in p for p in problems)


def test_a_forged_key_slot_signs_nothing_in_the_colleagues_name(ws, ready):
    accounts.add_user(
        ws, username="rowan", password=COLLEAGUE_PASSWORD, full_name="Rowan Testwood",
        credentials="LCSW", role=Role.FACILITATOR,
    )  # fmt: skip
    session = sessions.load(ready)
    sessions_store_co = session.id
    # The adversary makes a slot for the colleague with a password of their own choosing.
    database.set_credential(ws.store, "rowan", MALLORY_PASSWORD)
    from facilitator.store.models import Session

    Session.update(co_facilitator=people.actor_for("rowan").user_id).where(
        Session.id == sessions_store_co
    ).execute()
    forged = keys.act_as(ws, "rowan", MALLORY_PASSWORD)  # the slot opens...
    assert forged.signer is None  # ...but holds no key of the colleague's
    with pytest.raises(RuleViolation, match="no signing key"):
        signing.sign_session(forged, ready, MALLORY_PASSWORD)
    assert sessions.load(ready).state is SessionState.DRAFT

    # Going further: a key of their own, made to look like the colleague's.
    private = sk.new_private_key()
    key_id = sk.add_key(
        forged.actor.user_id, sk.public_of(private), dt.datetime(2026, 1, 1), "00" * 64
    )
    forged.signer = sk.Signer(key_id, private)
    signing.sign_session(forged, ready, MALLORY_PASSWORD)
    problems = integrity.check(ws).problems
    assert any(f"signing key {key_id}" in p and "not certified" in p for p in problems)
    assert any(f"session {ready}: its sign" in p and "certified key" in p for p in problems)


def test_a_replaced_root_key_is_caught_against_the_fingerprint_on_paper(ws, ready):
    on_paper = sk.fingerprint(sk.root_public_key())
    signing.sign_session(ws, ready, PASSWORD)
    # The adversary replaces every key: a root of their own certifying a key of their own for
    # the signer, the note rewritten and signed again with it.
    root = sk.new_private_key()
    text, _, _ = sk.sealed_before_keys()
    mine = sk.new_private_key()
    signer_id = ws.actor.user_id
    with unguarded(ws):
        sk.set_root(sk.public_of(root), sk.sign_with(root, sk.sealed_before_statement(text)))
        for row in SigningKey.select():
            statement = sk.key_statement(row.user_id, row.public_key, row.created_at)
            SigningKey.update(certificate=sk.sign_with(root, statement)).where(
                SigningKey.id == row.id
            ).execute()
        created = dt.datetime(2026, 1, 1)
        key_id = sk.add_key(
            signer_id, sk.public_of(mine),
            created, sk.sign_with(root, sk.key_statement(signer_id, sk.public_of(mine), created)),
        )  # fmt: skip
    _reseal(ws, ready, b"Engaged.", b"Hostile.")
    seal = Signature.get(Signature.session == ready)
    statement = sk.seal_statement(ready, seal.kind, signer_id, seal.signed_at, seal.content_hash)
    with unguarded(ws):
        Signature.update(key_id=key_id, signature=sk.sign_with(mine, statement)).where(
            Signature.id == seal.id
        ).execute()
    # Audit entries are still signed with the real key, now certified by the forged root;
    # without the paper the seals hold...
    unaided = integrity.check(ws).problems
    assert not any("session" in p for p in unaided), unaided
    # ...against the paper they do not.
    problems = integrity.check(ws, root=on_paper).problems
    assert any("root key is not the clinic's" in p for p in problems)
    assert integrity.check(ws, root=on_paper.lower().replace(" ", "")).problems  # as typed


def test_a_truncated_audit_tail_is_caught_against_the_head_printed_earlier(ws, ready):
    signing.sign_session(ws, ready, PASSWORD)
    printed = audit.head()
    assert audit.verify(parse_head(printed)).ok
    newest_three = [e.id for e in audit.store.all_entries()][-3:]
    with unguarded(ws):
        AuditEntry.delete().where(AuditEntry.id.in_(newest_three)).execute()
    assert audit.verify().ok  # the chain itself still holds: a cut tail leaves no gap
    report = audit.verify(parse_head(printed))
    assert not report.ok and "newest entries were removed" in report.problems[0]
    assert not integrity.check(ws, head=parse_head(printed)).ok
    # Entries appended after the cut do not hide it: on a laptop the entry at COUNT is another
    # one; on a server (ids from a sequence, never reused) the head's newest entry stays gone.
    for _ in range(4):
        audit.record(ws, Action.LOGIN)
    report = audit.verify(parse_head(printed))
    assert any("was rewritten" in p or "entries were removed" in p for p in report.problems)


def test_an_audit_entry_rewritten_and_rechained_is_caught(ws, ready):
    """Recomputing every hash after an edit is easy; re-signing another user's entries is not."""
    from facilitator.domain.audit import entry_hash

    accounts.add_user(
        ws, username="rowan", password=COLLEAGUE_PASSWORD, full_name="Rowan Testwood",
        role=Role.FACILITATOR,
    )  # fmt: skip
    rowan = keys.act_as(ws, "rowan", COLLEAGUE_PASSWORD)
    audit.record(rowan, Action.EXPORT)
    audit.record(ws, Action.LOGIN)
    target = next(e for e in audit.store.all_entries() if e.facts.user_id == rowan.actor.user_id)
    lane = [e for e in audit.store.all_entries() if e.lane == target.lane]  # its chain
    prev = target.prev_hash
    with unguarded(ws):
        for entry in lane[lane.index(target) :]:
            facts = entry.facts
            if entry.id == target.id:
                facts = facts.__class__(**{**vars(facts), "action": Action.LOGIN})
            digest = entry_hash(entry.id, facts, prev, entry.lane)
            AuditEntry.update(action=facts.action, prev_hash=prev, entry_hash=digest).where(
                AuditEntry.id == entry.id
            ).execute()
            prev = digest
    report = audit.verify()
    assert report.broken_at is None  # the chain was rebuilt...
    assert any(f"audit entry {target.id}" in p for p in report.problems)  # ...the keys say no


def test_a_deactivated_users_key_is_revoked_and_their_past_signatures_stay_valid(ws, ready):
    accounts.add_user(
        ws, username="rowan", password=COLLEAGUE_PASSWORD, full_name="Rowan Testwood",
        credentials="LCSW", role=Role.CLINICAL_LEAD,
    )  # fmt: skip
    signing.sign_session(ws, ready, PASSWORD)
    rowan = keys.act_as(ws, "rowan", COLLEAGUE_PASSWORD)
    signing.cosign_session(rowan, ready, COLLEAGUE_PASSWORD)
    accounts.deactivate_user(ws, "rowan")
    (info,) = [k for k in sk.all_keys().values() if k.user_id == rowan.actor.user_id]
    assert info.revoked_at is not None
    assert integrity.check(ws).ok  # the co-signature from before stays valid
    # A signature made with the revoked key afterwards (its private key kept by the user) is
    # refused by check.
    later = info.revoked_at + dt.timedelta(seconds=5)
    statement = sk.seal_statement(ready, "cosign", rowan.actor.user_id, later, "ab" * 32)
    with unguarded(ws):
        Signature.insert(
            session=ready, user=rowan.actor.user_id, kind="cosign", signed_at=later,
            content_hash="ab" * 32, canonical_version=2, key_id=info.id,
            signature=rowan.signer.sign(statement),
        ).execute()  # fmt: skip
    problems = integrity.check(ws).problems
    assert any("after its key was revoked" in p for p in problems), problems


def test_a_password_reset_gives_a_new_key_and_check_names_the_root(ws, ready):
    accounts.add_user(
        ws, username="rowan", password=COLLEAGUE_PASSWORD, full_name="Rowan Testwood",
        role=Role.FACILITATOR,
    )  # fmt: skip
    first = keys.act_as(ws, "rowan", COLLEAGUE_PASSWORD).signer
    accounts.reset_password(ws, "rowan", "a-new-password-0004")
    second = keys.act_as(ws, "rowan", "a-new-password-0004").signer
    assert first is not None and second is not None and first.key_id != second.key_id
    assert sk.all_keys()[first.key_id].revoked_at is not None
    report = integrity.check(ws)
    assert report.ok
    assert f"root key fingerprint: {sk.fingerprint(sk.root_public_key())}" in report.notes


def test_signed_records_and_the_recovery_sheet_print_the_root_fingerprint(ws, ready):
    from facilitator.export.member_note import member_note_bytes
    from facilitator.export.recovery_sheet import recovery_sheet_bytes
    from facilitator.export.session_record import session_record_bytes
    from facilitator.services import documents
    from tests.export.samples import page_texts

    printed = keys.root_fingerprint()
    assert len(printed.replace(" ", "")) == 32
    draft = page_texts(session_record_bytes(documents.session_document(ws, ready)))
    assert not any(printed in page for page in draft)  # a draft is not signed with anything
    signing.sign_session(ws, ready, PASSWORD)
    record = page_texts(session_record_bytes(documents.session_document(ws, ready)))
    member = sessions.load(ready).attendance[0].member_id
    note = page_texts(member_note_bytes(documents.member_note_document(ws, ready, member)))
    assert all(printed in page for page in record + note)
    sheet = page_texts(
        recovery_sheet_bytes("Test Valley IOP", "AAAAA-BBBBB", root_fingerprint=printed)
    )
    assert printed in sheet[0]
    # and what is printed is what check --root accepts
    assert integrity.check(ws, root=printed).ok


def test_the_audit_head_is_on_the_summary_the_audit_export_and_beside_each_backup(
    ws, ready, tmp_path
):
    from facilitator.export.audit_report import AuditReport, audit_report_bytes
    from facilitator.export.lead_report import lead_report_bytes
    from facilitator.services import backup, documents
    from tests.export.samples import page_texts

    signing.sign_session(ws, ready, PASSWORD)
    day = sessions.load(ready).date
    summary = documents.lead_report(ws, day, day)
    count, digest = parse_head(summary.audit_head)
    assert audit.verify((count, digest)).ok
    text = " ".join(page_texts(lead_report_bytes(summary)))
    assert f"{count}:{digest[:20]}" in text.replace("\n", "")
    entries = audit.entries(ws)
    exported = " ".join(
        page_texts(audit_report_bytes(AuditReport("P", entries, head=audit.head())))
    )
    assert audit.head()[:20] in exported
    if ws.store.is_postgres:
        return  # backed up with the server's tools
    report = backup.backup_now(ws, tmp_path / "copy.db")
    kept = backup.head_path_for(report.path).read_text().strip()
    assert audit.verify(parse_head(kept)).ok
    with unguarded(ws):  # the newest entries cut off after the backup
        AuditEntry.delete().where(AuditEntry.id >= parse_head(kept)[0]).execute()
    assert not audit.verify(parse_head(kept)).ok
