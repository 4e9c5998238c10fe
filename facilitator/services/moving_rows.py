"""A laptop's rows written onto the server with the server's ids (services.moving_in).

``Renumbering`` keeps, per table, the laptop's id of each row and the server's id it got, and
rewrites every reference (each foreign key, and the few plain-integer references to users)
before a row is written. Tables are written in the order of store.laptop_rows.MOVED, so
whatever a row refers to already has its server id.

Signed sessions are written as a draft with their content, then frozen, sealed and marked
signed in the same transaction (as the server's triggers require, checked at commit).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from facilitator.domain.errors import IntegrityProblem
from facilitator.domain.frozen import body_hash
from facilitator.domain.moving import MissingId, renumber_body
from facilitator.store import models as m
from facilitator.store import moving_in as store
from facilitator.store.session_reads import pack_body, unpack_body

Row = dict[str, Any]
KEY_FIELDS = ("public_key", "certificate", "created_at", "revoked_at", "revocation")


class Renumbering:
    """Laptop ids to server ids, per kind, as the rows are written."""

    def __init__(self, import_id: int) -> None:
        self.import_id = import_id
        self.ids: dict[str, dict[int, int]] = {}
        self.matched: dict[str, int] = {}  # per kind, rows that are the server's own

    def of(self, kind: str) -> dict[int, int]:
        return self.ids.setdefault(kind, {})

    def same_as(self, kind: str, origin_id: int, server_id: int) -> None:
        """A laptop row that is a row the server has already (a user, a member, an item)."""
        if origin_id not in self.of(kind):
            self.matched[kind] = self.matched.get(kind, 0) + 1
        self.of(kind)[origin_id] = server_id

    def renumbered(self, model: type[m.Base], row: Row) -> Row:
        """The row with the server's ids in every reference (not its own id)."""
        out = {k: v for k, v in row.items() if k != "id"}
        for name, kind in store.references(model).items():
            if out.get(name) is not None:
                out[name] = self._server_id(kind, int(out[name]), model, row)
        return out

    def _server_id(self, kind: str, origin_id: int, model: type[m.Base], row: Row) -> int:
        try:
            return self.of(kind)[origin_id]
        except KeyError:
            raise IntegrityProblem(
                f"the laptop's {model._meta.table_name} {row.get('id')} names {kind} "
                f"{origin_id}, which the laptop does not hold; nothing was moved in"
            ) from None

    def write(
        self,
        model: type[m.Base],
        rows: list[Row],
        change: Callable[[Row, Row], None] | None = None,
    ) -> list[int]:
        """Write rows (those not already matched to a server row) with new ids; ``change``
        adjusts each (laptop row, row to write) first. Returns the new ids, in order."""
        kind = model._meta.table_name
        known = self.of(kind)
        fresh = [row for row in rows if row["id"] not in known]
        new_ids = store.new_ids(model, len(fresh))
        out = []
        for row, new_id in zip(fresh, new_ids, strict=True):
            written = {**self.renumbered(model, row), "id": new_id}
            if change is not None:
                change(row, written)
            out.append(written)
            known[row["id"]] = new_id
        store.insert(model, out)
        return new_ids

    def remember(self) -> None:
        """Every laptop id and the server id it became (``imported_row``)."""
        for kind, pairs in self.ids.items():
            store.remember_ids(self.import_id, kind, pairs.items())


def write_signed(renumbering: Renumbering, laptop: dict[str, list[Row]]) -> list[int]:
    """The signed sessions' frozen records, signatures and addenda; the sessions marked
    signed. Returns the server ids of the sessions marked signed."""
    sessions = renumbering.of("session")
    contents = laptop["signed_content"]
    bodies = {row["id"]: unpack_body(row["body"]) for row in contents}

    def renumber(old: Row, new: Row) -> None:
        try:
            new["body"] = pack_body(renumber_body(bodies[old["id"]], renumbering.ids))
        except MissingId as exc:
            raise IntegrityProblem(
                f"the laptop's signed record of session {old['session']} names {exc}, which "
                "the laptop does not hold; nothing was moved in"
            ) from None

    renumbering.write(m.SignedContent, contents, renumber)
    store.insert(
        m.ImportedBody,
        [
            {
                "laptop_import": renumbering.import_id,
                "session": sessions[row["session"]],
                "origin_body": pack_body(bodies[row["id"]]),
                "origin_hash": body_hash(bodies[row["id"]]),
            }
            for row in contents
        ],
    )
    _write_seals(renumbering, m.Signature, laptop["signature"], "user")
    signed = [sessions[row["id"]] for row in laptop["session"] if row["state"] == "signed"]
    store.mark_signed(signed)
    _write_seals(renumbering, m.Addendum, laptop["addendum"], "author")
    return signed


def _write_seals(
    renumbering: Renumbering, model: type[m.Base], rows: list[Row], signer: str
) -> None:
    """Signatures or addenda, each named in ``imported_seal`` (with the laptop's ids its
    signed statement holds) before it is written, as the server's trigger requires."""
    kind = model._meta.table_name
    new_ids = store.new_ids(model, len(rows))
    store.insert(
        m.ImportedSeal,
        [
            {
                "laptop_import": renumbering.import_id,
                "kind": kind,
                "server_id": new_id,
                "origin_id": row["id"],
                "origin_session_id": row["session"],
                "origin_user_id": row[signer],
            }
            for row, new_id in zip(rows, new_ids, strict=True)
        ],
    )
    written = [
        {**renumbering.renumbered(model, row), "id": new_id}
        for row, new_id in zip(rows, new_ids, strict=True)
    ]
    store.insert(model, written)
    renumbering.of(kind).update(
        (row["id"], new_id) for row, new_id in zip(rows, new_ids, strict=True)
    )


def write_evidence(renumbering: Renumbering, laptop: dict[str, list[Row]]) -> None:
    """The laptop's signing keys and audit trail, as they came (in the laptop's ids)."""
    store.insert(
        m.ImportedKey,
        [
            {
                "laptop_import": renumbering.import_id,
                "origin_id": row["id"],
                "origin_user_id": row["user"],
                **{k: row[k] for k in KEY_FIELDS},
            }
            for row in laptop["signing_key"]
        ],
    )
    store.insert(
        m.ImportedAuditEntry,
        [
            {
                "laptop_import": renumbering.import_id,
                "origin_id": row["id"],
                **{k: v for k, v in row.items() if k != "id"},
            }
            for row in laptop["audit_entry"]
        ],
    )
