"""Signing keys: signatures, addenda and audit entries that only their author can make.

Any user's password opens the database, so a hash alone proves nothing: whoever can write the
file can recompute it. Each clinician therefore has an Ed25519 key pair. The private key is
kept only in their key slot, wrapped by their password (store.keys); the public key is here,
in ``signing_key``, certified by the clinic's *root key*. The root's private part is wrapped by
the recovery key and by each administrator's password, and its fingerprint is printed on paper
(the recovery sheet, every signed record), so `check --root FINGERPRINT` catches even a
database whose every key was replaced.

What is signed is a short statement (``*_statement``): a kind, the ids and times involved and
the hash of the content, so a signature never moves to another record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from facilitator.store import people
from facilitator.store.models import Addendum, ImportedSeal, Signature, SigningKey, database

ROOT_KEY_ID = 0  # the key id of an audit entry signed with the clinic's root key
ROOT_PUBLIC_KEY = "root_public_key"  # program settings
SEALED_BEFORE_KEYS = "sealed_before_keys"  # {"signature": id, "addendum": id, "audit_entry": id}
SEALED_BEFORE_KEYS_SIGNATURE = "sealed_before_keys_signature"
SIGNING, ROOT = "signing", "root"  # what a key slot holds besides the database key


# ----------------------------------------------------------------------------- the keys


def new_private_key() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes_raw()


def public_of(private_key: bytes) -> str:
    public = Ed25519PrivateKey.from_private_bytes(private_key).public_key()
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def sign_with(private_key: bytes, statement: bytes) -> str:
    return Ed25519PrivateKey.from_private_bytes(private_key).sign(statement).hex()


def verifies(public_key: str, statement: bytes, signature: str | None) -> bool:
    if not signature:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key)).verify(
            bytes.fromhex(signature), statement
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def fingerprint(public_key: str) -> str:
    """What people compare on paper: 128 bits of the key's SHA-256, in groups of four."""
    digest = hashlib.sha256(bytes.fromhex(public_key)).hexdigest()[:32].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def same_fingerprint(a: str, b: str) -> bool:
    def plain(text: str) -> str:
        return "".join(c for c in text.upper() if c.isalnum())

    return plain(a) == plain(b)


@dataclass(frozen=True)
class Signer:
    """A private key in memory, with the id it is known by (``ROOT_KEY_ID`` for the root)."""

    key_id: int
    private_key: bytes

    def sign(self, statement: bytes) -> str:
        return sign_with(self.private_key, statement)


# ----------------------------------------------------------------------------- statements


def _at(moment: dt.datetime | str) -> str:
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


def _statement(kind: str, *parts: object) -> bytes:
    # An enum part is written as its value, so a statement reads the same whoever builds it.
    text = (str(getattr(part, "value", part)) for part in parts)
    return "\n".join((f"facilitator-{kind}/1", *text)).encode()


def key_statement(user_id: int, public_key: str, created_at: dt.datetime) -> bytes:
    return _statement("key", user_id, public_key, _at(created_at))


def revocation_statement(key_id: int, public_key: str, revoked_at: dt.datetime) -> bytes:
    return _statement("revocation", key_id, public_key, _at(revoked_at))


def seal_statement(
    session_id: int, kind: object, user_id: int, signed_at: dt.datetime, content_hash: str
) -> bytes:
    return _statement("seal", session_id, kind, user_id, _at(signed_at), content_hash)


def addendum_statement(
    session_id: int, author_id: int, signed_at: dt.datetime, content_hash: str
) -> bytes:
    return _statement("addendum", session_id, author_id, _at(signed_at), content_hash)


def audit_statement(entry_id: int, entry_hash: str) -> bytes:
    return _statement("audit", entry_id, entry_hash)


def sealed_before_statement(text: str) -> bytes:
    return _statement("sealed-before-keys", text)


def import_statement(
    import_id: int,
    root_public_key: str,
    sealed_before: str,
    audit_entries: int,
    audit_head: str,
    imported_at: dt.datetime,
) -> bytes:
    """What the server's root certifies of a laptop brought in (services.moving_in): its root
    key, and so every key and seal it certified, and its audit trail as it came."""
    return _statement(
        "laptop-import", import_id, root_public_key, sealed_before, audit_entries, audit_head,
        _at(imported_at),
    )  # fmt: skip


# ----------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class KeyInfo:
    id: int
    user_id: int
    public_key: str
    certificate: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    revocation: str | None

    def valid_at(self, moment: dt.datetime) -> bool:
        """Whether a signature made at this moment counts: after revocation it does not (times
        are to the second; one in the revocation's own second was made before it)."""
        return self.revoked_at is None or _at(moment) <= _at(self.revoked_at)


def _info(row: SigningKey) -> KeyInfo:
    return KeyInfo(
        row.id, row.user_id, row.public_key, row.certificate, _when(row.created_at),
        None if row.revoked_at is None else _when(row.revoked_at), row.revocation,
    )  # fmt: skip


def _when(value: dt.datetime | str) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


def all_keys() -> dict[int, KeyInfo]:
    return {row.id: _info(row) for row in SigningKey.select().order_by(SigningKey.id)}


def key_of(user_id: int, public_key: str) -> KeyInfo | None:
    row = (
        SigningKey.select()
        .where((SigningKey.user == user_id) & (SigningKey.public_key == public_key))
        .order_by(SigningKey.id.desc())
        .first()
    )
    return None if row is None else _info(row)


def add_key(user_id: int, public_key: str, created_at: dt.datetime, certificate: str) -> int:
    return int(
        SigningKey.insert(
            user=user_id, public_key=public_key, certificate=certificate, created_at=created_at
        ).execute()
    )


def certify(key_id: int, certificate: str) -> None:
    SigningKey.update(certificate=certificate).where(
        (SigningKey.id == key_id) & (SigningKey.certificate == "")
    ).execute()


def uncertified() -> list[KeyInfo]:
    query = SigningKey.select().where(
        (SigningKey.certificate == "") & SigningKey.revoked_at.is_null()
    )
    return [_info(row) for row in query]


def live_keys_of(user_id: int) -> list[KeyInfo]:
    query = SigningKey.select().where(
        (SigningKey.user == user_id) & SigningKey.revoked_at.is_null()
    )
    return [_info(row) for row in query]


def revoke(key_id: int, revoked_at: dt.datetime, revocation: str) -> None:
    SigningKey.update(revoked_at=revoked_at, revocation=revocation).where(
        (SigningKey.id == key_id) & SigningKey.revoked_at.is_null()
    ).execute()


def root_public_key() -> str | None:
    return people.get_setting(ROOT_PUBLIC_KEY) or None


def set_root(public_key: str, sealed_before_signature: str) -> None:
    with database.atomic():
        people.set_setting(ROOT_PUBLIC_KEY, public_key)
        people.set_setting(SEALED_BEFORE_KEYS_SIGNATURE, sealed_before_signature)


def sealed_before_keys() -> tuple[str, dict[str, int], str]:
    """The note of what was sealed before signing keys (its text, parsed, and its signature).
    A database made with keys has none: nothing there may go without a signature."""
    text = people.get_setting(SEALED_BEFORE_KEYS)
    if not text:
        text = json.dumps({"addendum": 0, "audit_entry": 0, "signature": 0}, sort_keys=True)
    try:
        parsed = {str(k): int(v) for k, v in json.loads(text).items()}
    except (ValueError, TypeError, AttributeError):
        parsed = {}
    return text, parsed, people.get_setting(SEALED_BEFORE_KEYS_SIGNATURE)


def users_with_keys(user_ids: Iterable[int]) -> set[int]:
    ids = list(user_ids)
    if not ids:
        return set()
    query = SigningKey.select(SigningKey.user).where(SigningKey.user.in_(ids)).distinct()
    return {row.user_id for row in query}


# ----------------------------------------------------------------------------- what was signed


@dataclass(frozen=True)
class SealRow:
    """A signature or an addendum as `check` verifies its key: ``kind`` is the signature's
    kind, or "addendum"."""

    id: int
    session_id: int
    user_id: int
    kind: str
    signed_at: dt.datetime
    content_hash: str
    key_id: int | None
    signature: str | None


def _brought_in(kind: str) -> Any:
    """Signatures or addenda a laptop made (services.imported_trust checks those)."""
    return ImportedSeal.select(ImportedSeal.server_id).where(ImportedSeal.kind == kind)


def seal_rows() -> Iterator[SealRow]:
    """The server's own signatures and addenda."""
    query = Signature.select(
        Signature.id, Signature.session, Signature.user, Signature.kind, Signature.signed_at,
        Signature.content_hash, Signature.key_id, Signature.signature,
    ).where(Signature.id.not_in(_brought_in("signature"))).order_by(Signature.id).tuples()  # fmt: skip
    for row in query.iterator():
        yield SealRow(row[0], row[1], row[2], row[3], _when(row[4]), *row[5:])
    addenda = Addendum.select(
        Addendum.id, Addendum.session, Addendum.author, Addendum.signed_at,
        Addendum.content_hash, Addendum.key_id, Addendum.signature,
    ).where(Addendum.id.not_in(_brought_in("addendum"))).order_by(Addendum.id).tuples()  # fmt: skip
    for row in addenda.iterator():
        yield SealRow(row[0], row[1], row[2], "addendum", _when(row[3]), *row[4:])
