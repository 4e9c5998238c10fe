"""Key slots: the database key, wrapped once per user under a key derived from their password.

The embedded database is encrypted with one random 256-bit key. Each user has a slot in a JSON
file beside the database: an argon2id key derived from their password wraps that database key
with AES-GCM. A password change rewraps one slot; the database itself is never re-encrypted.
The slot's associated data binds it to this database and this username, so a slot copied from
another file or renamed to another user does not open.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from argon2.exceptions import Argon2Error
from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from filelock import FileLock, Timeout

from facilitator.domain.errors import AuthenticationFailed, FacilitatorError, IntegrityProblem
from facilitator.store.failures import os_error

FORMAT = "facilitator-keyslots"
KEY_BYTES = 32
SALT_BYTES, NONCE_BYTES = 16, 12  # what every slot is made with
WRONG_CREDENTIALS = "wrong username or password"
SEALED_FORM = 2  # a slot whose database key is sealed to its own X25519 key (see KeySlots.add)
OPENING, SEALED = "opening", "sealed"  # names in a slot's associated data
LOCK_WAIT_S = 30  # another process holds the key file's lock for milliseconds, not seconds


@dataclass(frozen=True)
class KdfParams:
    """argon2id cost. Stored in each slot, so a slot opens with the cost it was made with."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 2


STRONG = KdfParams()
# Tests make hundreds of slots; production never uses this.
FAST_FOR_TESTS = KdfParams(time_cost=1, memory_kib=8 * 1024, parallelism=1)


def new_database_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def keys_path_for(database_path: Path) -> Path:
    return database_path.with_name(database_path.name + ".keys")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _derive(password: str, salt: bytes, params: KdfParams) -> bytes:
    return hash_secret_raw(
        password.encode("utf-8"),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def write_atomically(path: Path, data: bytes) -> None:
    """Replace a file in one step, so a crash leaves the old or the new file, never half of one."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _seal(secret: bytes, box_public: bytes, aad: bytes) -> dict[str, str]:
    """``secret`` for the holder of the X25519 key whose public half is ``box_public``: an
    ephemeral key agreement, HKDF-SHA256, then AES-GCM (an ECIES "sealed box")."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(box_public))
    key = HKDF(hashes.SHA256(), KEY_BYTES, None, aad + ephemeral_public + box_public).derive(shared)
    nonce = secrets.token_bytes(NONCE_BYTES)
    return {
        "ephemeral": _b64(ephemeral_public),
        "nonce": _b64(nonce),
        "wrapped": _b64(AESGCM(key).encrypt(nonce, secret, aad)),
    }


def _unseal(box: object, opening_key: bytes, aad: bytes) -> bytes:
    if not isinstance(box, dict):
        raise ValueError("a sealed key that is not a record")
    opening = X25519PrivateKey.from_private_bytes(opening_key)
    ephemeral_public = _unb64(str(box["ephemeral"]))
    box_public = opening.public_key().public_bytes_raw()
    shared = opening.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    key = HKDF(hashes.SHA256(), KEY_BYTES, None, aad + ephemeral_public + box_public).derive(shared)
    return AESGCM(key).decrypt(_unb64(str(box["nonce"])), _unb64(str(box["wrapped"])), aad)


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


class KeySlots:
    """The slot file of one embedded database.

    Several processes change one key file (two windows, a script, a backup's restore). Changes
    are kept as pending until ``save``, which takes the file's lock, re-reads the file, applies
    them to what it holds now and replaces it in one step: a slot added elsewhere is never
    dropped, and a slot removed elsewhere never comes back.
    """

    def __init__(self, path: Path, database_id: str, slots: dict[str, dict[str, object]]) -> None:
        self.path = path
        self.database_id = database_id
        self._slots = slots
        # (username, slot) to set, or (username, None) to remove, in the order made
        self._pending: list[tuple[str, dict[str, object] | None]] = []

    @classmethod
    def new(cls, path: Path) -> KeySlots:
        return cls(path, secrets.token_hex(16), {})

    @classmethod
    def load(cls, path: Path) -> KeySlots:
        try:
            raw = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            raise IntegrityProblem(
                f"the key file {path.name} is missing beside the database"
            ) from None
        except OSError as exc:  # permission, a failing disk: not damage
            raise os_error(exc, path) or FacilitatorError(
                f"the key file {path.name} cannot be read ({exc.strerror or exc})"
            ) from None
        except (ValueError, RecursionError):  # not UTF-8, not JSON, absurdly nested
            raise IntegrityProblem(
                f"the key file {path.name} is damaged (it is not readable JSON); restore it "
                "from the last good backup"
            ) from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise IntegrityProblem(f"{path.name} is not a Facilitator key file")
        database_id, slots = raw.get("database_id"), raw.get("slots")
        if (
            not isinstance(database_id, str)
            or not isinstance(slots, dict)
            or not all(isinstance(slot, dict) for slot in slots.values())
        ):
            raise IntegrityProblem(
                f"the key file {path.name} is damaged (its database id or slots are missing); "
                "restore it from the last good backup"
            )
        return cls(path, database_id, dict(slots))

    def save(self) -> None:
        """Write the pending changes over the file as it is now, under its lock."""
        try:
            with FileLock(_lock_path(self.path), timeout=LOCK_WAIT_S):
                slots = self._with_pending(self._current_slots())
                write_atomically(self.path, self._body(slots))
        except Timeout:
            raise FacilitatorError(
                f"the key file {self.path.name} is being changed by another window or "
                f"command and stayed locked for {LOCK_WAIT_S} s; try again"
            ) from None
        except OSError as exc:  # a read-only folder cannot hold the lock file either
            raise os_error(exc, self.path) or FacilitatorError(
                f"the key file {self.path.name} cannot be written ({exc.strerror or exc})"
            ) from None
        self._slots, self._pending = slots, []

    def _current_slots(self) -> dict[str, dict[str, object]]:
        """The slots the file holds now (none if it is not written yet), of this database."""
        if not self.path.exists():
            return {}
        current = KeySlots.load(self.path)
        if current.database_id != self.database_id:
            raise IntegrityProblem(
                f"the key file {self.path.name} now belongs to another database; nothing was "
                "changed"
            )
        return current._slots

    def refresh(self) -> None:
        """Read the file again (a password changed elsewhere), keeping changes not yet saved."""
        self._slots = self._with_pending(self._current_slots())

    def _with_pending(self, slots: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
        for username, slot in self._pending:
            if slot is None:
                slots.pop(username, None)
            else:
                slots[username] = slot
        return slots

    @property
    def usernames(self) -> list[str]:
        return sorted(self._slots)

    def _aad(self, username: str, held: str = "") -> bytes:
        suffix = f":{held}" if held else ""
        return f"{FORMAT}:{self.database_id}:{username}{suffix}".encode()

    def add(
        self,
        username: str,
        password: str,
        database_key: bytes,
        params: KdfParams = STRONG,
        secrets_held: Mapping[str, bytes] | None = None,
    ) -> None:
        """Give a user a slot (or replace theirs) that unwraps the database key, and with it
        ``secrets_held`` (their signing key, an administrator's copy of the root key), each
        wrapped under the same password-derived key with its own nonce and name.

        The password wraps the slot's own X25519 key; the database key is sealed to that key's
        public half. So the database key can be replaced and sealed again for every slot
        without anyone's password (``rewrapped``), which revoking a user needs.
        """
        salt, nonce = secrets.token_bytes(SALT_BYTES), secrets.token_bytes(NONCE_BYTES)
        aead = AESGCM(_derive(password, salt, params))
        opening = X25519PrivateKey.generate()
        wrapped = aead.encrypt(nonce, opening.private_bytes_raw(), self._aad(username, OPENING))
        box_public = opening.public_key().public_bytes_raw()
        slot: dict[str, object] = {
            "kdf": "argon2id",
            **asdict(params),
            "salt": _b64(salt),
            "nonce": _b64(nonce),
            "wrapped": _b64(wrapped),  # the opening key (form 2), or the database key (form 1)
            "form": SEALED_FORM,
            "box_public": _b64(box_public),
            "sealed": _seal(database_key, box_public, self._aad(username, SEALED)),
        }
        held = {}
        for name, value in sorted((secrets_held or {}).items()):
            held_nonce = secrets.token_bytes(NONCE_BYTES)
            sealed = aead.encrypt(held_nonce, value, self._aad(username, name))
            held[name] = {"nonce": _b64(held_nonce), "wrapped": _b64(sealed)}
        if held:
            slot["held"] = held
        self._slots[username] = slot
        self._pending.append((username, slot))

    def remove(self, username: str) -> None:
        self._slots.pop(username, None)
        self._pending.append((username, None))

    def unwrap(self, username: str, password: str) -> bytes:
        """The database key, if this user's password opens their slot."""
        return self.open(username, password)[0]

    def holds(self, username: str) -> frozenset[str]:
        """The names of the secrets held in a user's slot besides the database key."""
        held = self._slots.get(username, {}).get("held")
        return frozenset(held) if isinstance(held, dict) else frozenset()

    def open(self, username: str, password: str) -> tuple[bytes, dict[str, bytes]]:
        """The database key and the secrets held with it, if this password opens the slot."""
        slot = self._slots.get(username)
        if not password or slot is None:
            raise AuthenticationFailed(WRONG_CREDENTIALS)
        try:
            params = KdfParams(
                int(slot["time_cost"]),  # type: ignore[call-overload]
                int(slot["memory_kib"]),  # type: ignore[call-overload]
                int(slot["parallelism"]),  # type: ignore[call-overload]
            )
            salt, nonce = _unb64(str(slot["salt"])), _unb64(str(slot["nonce"]))
            wrapped = _unb64(str(slot["wrapped"]))
            if len(salt) != SALT_BYTES or len(nonce) != NONCE_BYTES:
                raise ValueError("a salt or nonce of the wrong length")
        except (KeyError, ValueError, TypeError):
            raise self._damaged_slot(username) from None
        try:
            secret = _derive(password, salt, params)
        except (Argon2Error, ValueError, OverflowError, MemoryError):  # impossible costs
            raise self._damaged_slot(username) from None
        aead = AESGCM(secret)
        sealed_form = slot.get("form") == SEALED_FORM
        try:
            opened = aead.decrypt(
                nonce, wrapped, self._aad(username, OPENING if sealed_form else "")
            )
        except InvalidTag:
            raise AuthenticationFailed(WRONG_CREDENTIALS) from None
        try:  # the password is right: anything that does not open now is damage
            database_key = (
                _unseal(slot["sealed"], opened, self._aad(username, SEALED))
                if sealed_form
                else opened
            )
            held = slot.get("held") or {}
            return database_key, {
                str(name): aead.decrypt(
                    _unb64(str(box["nonce"])),
                    _unb64(str(box["wrapped"])),
                    self._aad(username, str(name)),
                )
                for name, box in held.items()
            }
        except (InvalidTag, KeyError, ValueError, TypeError, AttributeError):
            raise self._damaged_slot(username) from None

    def slot_of(self, username: str) -> dict[str, object] | None:
        return self._slots.get(username)

    def unsealable(self, username: str) -> bool:
        """Whether the slot can take a new database key without its password (form 2)."""
        return self._slots.get(username, {}).get("form") == SEALED_FORM

    def rewrapped(self, database_key: bytes, without: str | None) -> tuple[KeySlots, list[str]]:
        """These slots with a new database key sealed into each, ``without`` one user's; slots
        made before sealing (form 1, until their user next signs in) cannot take it and are
        left out, and named."""
        slots, left_out = {}, []
        for username, slot in self._slots.items():
            if username == without:
                continue
            if not self.unsealable(username):
                left_out.append(username)
                continue
            box_public = _unb64(str(slot["box_public"]))
            sealed = _seal(database_key, box_public, self._aad(username, SEALED))
            slots[username] = {**slot, "sealed": sealed}
        return KeySlots(self.path, self.database_id, slots), sorted(left_out)

    def locked(self) -> FileLock:
        """The key file's lock, held by a caller doing more than one step (rotating the key)."""
        return FileLock(_lock_path(self.path), timeout=LOCK_WAIT_S)

    def write_whole(self) -> None:
        """Write exactly these slots, the lock already held (see ``locked``)."""
        write_atomically(self.path, self._body(self._slots))
        self._pending = []

    def _body(self, slots: dict[str, dict[str, object]]) -> bytes:
        body = {"format": FORMAT, "version": 1, "database_id": self.database_id, "slots": slots}
        return json.dumps(body, indent=2, sort_keys=True).encode("utf-8")

    def _damaged_slot(self, username: str) -> IntegrityProblem:
        return IntegrityProblem(
            f"the key slot of {username} in the key file {self.path.name} is damaged; restore "
            "the key file from the last good backup, or reset with the recovery key"
        )

    def params_of(self, username: str) -> KdfParams:
        slot = self._slots[username]
        return KdfParams(int(slot["time_cost"]), int(slot["memory_kib"]), int(slot["parallelism"]))  # type: ignore[call-overload]
