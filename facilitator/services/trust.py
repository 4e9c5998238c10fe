"""Whether every key, signature, addendum and audit entry is its author's (store.signing_keys).

`check` and `audit verify` use this: ``Trust.read`` reads the root and the keys once and
notes what is wrong with them; ``seals`` and ``audit`` return what is wrong with what was
signed. Notes are what a reader should know (the root key's fingerprint, how many seals are
SHA-256 seals from before signing keys).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from facilitator.domain.audit import AuditEntryRecord
from facilitator.domain.errors import UsageError
from facilitator.store import signing_keys as keys
from facilitator.store.signing_keys import KeyInfo, SealRow


@dataclass
class Trust:
    """The root and the keys it certifies, read once for a whole check."""

    root: str | None
    good: dict[int, KeyInfo]  # certified (and, if revoked, revoked by the root)
    sealed_before: dict[str, int]
    problems: list[str] = field(default_factory=list)  # with the root and the keys
    notes: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, root_fingerprint: str | None = None) -> Trust:
        root = keys.root_public_key()
        text, sealed_before, signature = keys.sealed_before_keys()
        trust = cls(root, {}, sealed_before)
        if root is None:
            trust.notes.append(
                "no root key yet (a database from before signing keys): an administrator's "
                "next sign-in makes it"
            )
            if root_fingerprint:
                trust.problems.append("the database has no root key, though one was given")
        else:
            printed = keys.fingerprint(root)
            trust.notes.append(f"root key fingerprint: {printed}")
            if root_fingerprint and not keys.same_fingerprint(printed, root_fingerprint):
                trust.problems.append(
                    f"the root key is not the clinic's: its fingerprint is {printed}, not "
                    f"{root_fingerprint.strip()}; every key in the database may have been replaced"
                )
            if not keys.verifies(root, keys.sealed_before_statement(text), signature):
                trust.problems.append(
                    "the note of what was sealed before signing keys is not the root key's"
                )
        for info in keys.all_keys().values():
            trust._certify(info)
        return trust

    @classmethod
    def of_laptop(
        cls, root: str, sealed_before: str, signature: str, laptop_keys: Iterable[KeyInfo]
    ) -> Trust:
        """A laptop's root and keys as it certified them, in the laptop's ids: what its seals
        and audit trail, brought onto the server, are checked against
        (services.imported_trust)."""
        try:
            parsed = {str(k): int(v) for k, v in json.loads(sealed_before).items()}
        except (ValueError, TypeError, AttributeError):
            parsed = {}
        trust = cls(root, {}, parsed)
        if not keys.verifies(root, keys.sealed_before_statement(sealed_before), signature):
            trust.problems.append(
                "the note of what was sealed before signing keys is not the laptop root key's"
            )
        for info in laptop_keys:
            trust._certify(info)
        return trust

    def _certify(self, info: KeyInfo) -> None:
        statement = keys.key_statement(info.user_id, info.public_key, info.created_at)
        if self.root is None or not keys.verifies(self.root, statement, info.certificate):
            self.problems.append(
                f"signing key {info.id} of user {info.user_id} is not certified by the root key"
            )
            return
        if info.revoked_at is not None:
            revoked = keys.revocation_statement(info.id, info.public_key, info.revoked_at)
            if not keys.verifies(self.root, revoked, info.revocation):
                self.problems.append(f"the revocation of signing key {info.id} is not the root's")
                return
        self.good[info.id] = info

    def seals(self, rows: Iterable[SealRow]) -> list[str]:
        """Every signature and addendum made since signing keys carries its signer's valid
        signature; older ones are SHA-256 seals (counted in the notes)."""
        problems, older = [], 0
        for row in rows:
            what = "addendum" if row.kind == "addendum" else "signature"
            if row.key_id is None and row.id <= self.sealed_before.get(what, 0):
                older += 1
                continue
            statement = (
                keys.addendum_statement(
                    row.session_id, row.user_id, row.signed_at, row.content_hash
                )
                if what == "addendum"
                else keys.seal_statement(
                    row.session_id, row.kind, row.user_id, row.signed_at, row.content_hash
                )
            )
            problem = self._signed(row.key_id, row.user_id, row.signed_at, statement, row.signature)
            if problem:
                problems.append(f"session {row.session_id}: its {row.kind} {row.id} {problem}")
        if older:
            self.notes.append(
                f"{older} signatures and addenda are SHA-256 seals from before signing keys "
                "(checked against their records, not against a signer's key)"
            )
        return problems

    def audit(self, entries: Iterable[AuditEntryRecord]) -> list[str]:
        """Every entry since signing keys that names a user is signed by that user's key (or,
        for work done with the recovery key, by the root)."""
        problems, boundary = [], self.sealed_before.get("audit_entry", 0)
        for entry in entries:
            if entry.id <= boundary or entry.facts.user_id is None:
                continue
            statement = keys.audit_statement(entry.id, entry.entry_hash)
            if entry.key_id == keys.ROOT_KEY_ID and entry.signature:
                if self.root is None or not keys.verifies(self.root, statement, entry.signature):
                    problems.append(f"audit entry {entry.id} is not signed by the root key")
                continue
            problem = self._signed(
                entry.key_id, entry.facts.user_id, entry.facts.at, statement, entry.signature
            )
            if problem:
                problems.append(f"audit entry {entry.id} {problem}")
        return problems

    def _signed(
        self,
        key_id: int | None,
        user_id: int,
        at: dt.datetime,
        statement: bytes,
        signature: str | None,
    ) -> str:
        if key_id is None or not signature:
            return "carries no signature"
        key = self.good.get(key_id)
        if key is None or key.user_id != user_id:
            return f"is not signed with a certified key of user {user_id}"
        if not key.valid_at(at):
            return f"was made after its key was revoked ({key.revoked_at:%Y-%m-%d %H:%M})"
        if not keys.verifies(key.public_key, statement, signature):
            return "does not match its signature"
        return ""


def parse_head(text: str) -> tuple[int, str]:
    """``COUNT:HASH`` as printed on the lead's summary, the audit export and with backups."""
    count, _, digest = text.strip().partition(":")
    digest = digest.strip().lower()
    if (
        not count.strip().isdigit()
        or int(count) < 1
        or len(digest) != 64
        or any(c not in "0123456789abcdef" for c in digest)
    ):
        raise UsageError(
            f"--head wants COUNT:HASH, as printed on the audit export (e.g. 120:3fa9…), not {text!r}"
        )
    return int(count), digest
