"""The audit trail is a hash chain that triggers keep append-only, on both engines."""

import pytest

from facilitator.domain.audit import Action
from facilitator.domain.errors import FacilitatorError
from facilitator.services import audit
from tests.tampering import as_owner, owner_db


def _raw(ws, sql):
    as_owner(ws, sql)


def test_entries_chain_and_verify(ws):
    ids = [
        audit.record(ws, Action.EXPORT, record_kind="session", record_id=n, detail="pdf")
        for n in range(1, 5)
    ]
    assert ids == sorted(ids) and len(set(ids)) == 4
    report = audit.verify()
    assert report.ok and report.entries >= 4
    newest = audit.entries(ws)
    assert [e.id for e in newest[:4]] == ids[::-1]
    assert newest[0].facts.username == "ada" and newest[0].facts.workstation
    assert [e.id for e in audit.entries(ws, action=Action.EXPORT)] == ids[::-1]


def test_triggers_refuse_changes_to_the_trail(ws):
    audit.record(ws, Action.PRINT, record_kind="session", record_id=1)
    for sql in ("UPDATE audit_entry SET action = 'x'", "DELETE FROM audit_entry"):
        # The owner's rights meet the trigger; on a server a staff login meets no privilege.
        with owner_db(ws) as db, pytest.raises(Exception, match="append-only"), db.atomic():
            db.execute_sql(sql)
        if ws.store.is_postgres:
            with pytest.raises(Exception, match="permission denied"), ws.store.db.atomic():
                ws.store.db.execute_sql(sql)
    assert audit.verify().ok


def _drop_triggers(ws):
    if ws.store.is_postgres:
        _raw(ws, "ALTER TABLE audit_entry DISABLE TRIGGER USER")
    else:
        _raw(ws, "DROP TRIGGER audit_append_only_update")
        _raw(ws, "DROP TRIGGER audit_append_only_delete")


SWAP = (  # reorder two entries: the primary key is checked per row, so via a spare id
    "UPDATE audit_entry SET id = -1 WHERE id = {second}",
    "UPDATE audit_entry SET id = {second} WHERE id = {third}",
    "UPDATE audit_entry SET id = {third} WHERE id = -1",
)


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (("UPDATE audit_entry SET record_id = 99 WHERE id = {second}",), "altered"),
        (("DELETE FROM audit_entry WHERE id = {second}",), "removed or moved"),
        (SWAP, ""),
    ],
)
def test_a_tampered_trail_names_the_first_bad_entry(ws, tamper, reason):
    ids = [audit.record(ws, Action.EXPORT, record_kind="session", record_id=n) for n in range(5)]
    _drop_triggers(ws)
    for sql in tamper:
        _raw(ws, sql.format(second=ids[1], third=ids[2]))
    report = audit.verify()
    assert not report.ok
    assert report.broken_at in (ids[1], ids[2])
    assert reason in report.reason


def test_only_leads_and_admins_read_the_trail(ws):
    from facilitator.domain.enums import Role
    from facilitator.services.workspace import Workspace

    facilitator = Workspace(
        ws.store,
        ws.actor.__class__(**{**vars(ws.actor), "role": Role.FACILITATOR}),
        signer=ws.signer,
    )
    with pytest.raises(FacilitatorError, match="audit"):
        audit.entries(facilitator)
