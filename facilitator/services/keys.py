"""Who holds which signing key, from set-up to deactivation (store.signing_keys has the why).

- Set-up makes the clinic's root key and the first administrator's key, certified by it.
- Adding a user makes their key, certified by the adding administrator's copy of the root.
- A password reset gives the user a new key (the old one was wrapped by the forgotten
  password) and revokes the old one from that moment: what it signed stays valid.
- Deactivating a user revokes their keys: their past signatures stay valid, new ones are
  refused, and their slot is gone.
- A database from before signing keys gets its root at an administrator's first sign-in, and
  each user their key at their own; an administrator's sign-in certifies keys made since.
"""

from __future__ import annotations

from collections.abc import Callable

from facilitator.domain.audit import Action, RecordKind
from facilitator.domain.changes import Changes
from facilitator.domain.enums import Role
from facilitator.domain.errors import FacilitatorError, RuleViolation
from facilitator.domain.rules import utcnow
from facilitator.services import audit
from facilitator.services.workspace import Workspace
from facilitator.store import backup as store_backup
from facilitator.store import database, people, rekey
from facilitator.store import signing_keys as keys
from facilitator.store.signing_keys import ROOT, ROOT_KEY_ID, SIGNING, Signer

NO_ROOT = (
    "your account does not hold the clinic's root key, which certifies every user's signing "
    "key; an administrator who holds it (or the recovery key) must do this"
)


def root_fingerprint() -> str:
    """The root key's fingerprint as people compare it on paper ("" before there is one)."""
    root = keys.root_public_key()
    return "" if root is None else keys.fingerprint(root)


def make_root() -> bytes:
    """The clinic's root key, made once; it signs the note of what was sealed before keys."""
    root = keys.new_private_key()
    text, _, _ = keys.sealed_before_keys()
    keys.set_root(keys.public_of(root), keys.sign_with(root, keys.sealed_before_statement(text)))
    return root


def new_key(user_id: int, root: bytes | None) -> Signer:
    """A new key pair for a user, certified if the root is at hand."""
    private = keys.new_private_key()
    public, created = keys.public_of(private), utcnow()
    certificate = (
        "" if root is None else keys.sign_with(root, keys.key_statement(user_id, public, created))
    )
    return Signer(keys.add_key(user_id, public, created, certificate), private)


def revoke_keys_of(user_id: int, root: bytes, keep: int | None = None) -> None:
    """Revoke a user's keys from now on (all but ``keep``): past signatures stay valid."""
    at = utcnow()
    for info in keys.live_keys_of(user_id):
        if info.id != keep:
            statement = keys.revocation_statement(info.id, info.public_key, at)
            keys.revoke(info.id, at, keys.sign_with(root, statement))


def root_of(ws: Workspace) -> bytes | None:
    """The root key this session holds, if it is the database's current one."""
    return _current_root(ws.store.held)


def _current_root(held: dict[str, bytes]) -> bytes | None:
    """The root among what a slot holds, unless it has since been replaced (then it is worth
    nothing)."""
    root = held.get(ROOT)
    if root is None or keys.public_of(root) != keys.root_public_key():
        return None
    return root


def require_root(ws: Workspace) -> bytes:
    root = root_of(ws)
    if root is None:
        raise RuleViolation(NO_ROOT)
    return root


def give_new_key(ws: Workspace, user_id: int, username: str, password: str, role: Role) -> None:
    """A user's new slot and key: the key certified by this administrator's root, the root
    handed on to an administrator, the user's older keys revoked."""
    root = require_root(ws)
    signer = new_key(user_id, root)
    revoke_keys_of(user_id, root, keep=signer.key_id)
    held = {SIGNING: signer.private_key}
    if role is Role.ADMIN:
        held[ROOT] = root
    database.set_credential(ws.store, username, password, held, role)


def take_up(ws: Workspace, password: str) -> None:
    """At sign-in: the user's signer from their slot, made (and the root too, for an
    administrator of an upgraded database) where missing; an administrator holding the root
    certifies the keys made since its last sign-in."""
    store, actor = ws.store, ws.actor
    held = dict(store.held)
    if keys.root_public_key() is None and actor.role is Role.ADMIN:
        held[ROOT] = make_root()
    root = _current_root(held)
    signer = signer_from(actor.user_id, held)
    if signer is None and not keys.users_with_keys([actor.user_id]):  # first, after an upgrade
        signer = new_key(actor.user_id, root)
        held[SIGNING] = signer.private_key
    # Otherwise the slot holds no live key of theirs (a slot made by hand, say): they sign
    # nothing, and what they do is audited unsigned, which `check` reports.
    if held != store.held:
        database.set_credential(store, actor.username, password, held)
        store.held = held
    ws.signer = signer
    if root is not None:
        certify_waiting(root)


def signer_from(user_id: int, held: dict[str, bytes]) -> Signer | None:
    """The user's live signing key among what their slot holds, if it is there."""
    private = held.get(SIGNING)
    info = None if private is None else keys.key_of(user_id, keys.public_of(private))
    if private is None or info is None or info.revoked_at is not None:
        return None
    return Signer(info.id, private)


def act_as(ws: Workspace, username: str, password: str) -> Workspace:
    """Another user at this window, after their own password: a supervisor co-signing at the
    facilitator's laptop, say. They act with their own key; the window's user is unchanged.
    On a server they act on a connection of their own login, so the server records them as
    the author of what they do."""
    if ws.store.is_postgres:
        store = database.open_store(ws.store.location, username, password)
        actor = people.actor_for(username)
        other = Workspace(store, actor, signer=signer_from(actor.user_id, store.held))
        ws.make_current()
        return other
    held = database.verify_password(ws.store, username, password)
    actor = people.actor_for(username)
    return Workspace(ws.store, actor, signer=signer_from(actor.user_id, held))


def take_up_recovery(ws: Workspace) -> None:
    """Signed in with the recovery key: what is done is signed with the root it holds."""
    root = root_of(ws)
    ws.signer = None if root is None else Signer(ROOT_KEY_ID, root)


def certify_waiting(root: bytes) -> None:
    """Certify the first keys of users who signed in after an upgrade, before any
    administrator did (every other key is certified when it is made)."""
    for info in keys.uncertified():
        statement = keys.key_statement(info.user_id, info.public_key, info.created_at)
        keys.certify(info.id, keys.sign_with(root, statement))


def rotate_database_key(
    ws: Workspace, *, without: str | None = None, progress: Callable[[int, int], None] | None = None
) -> Changes:
    """An administrator's "Rotate the database key" (and the last step of a deactivation):
    the embedded database re-encrypted under a new key sealed into every slot but
    ``without``'s. Slots too old to take the key are named in the entry and the refusal."""
    ws.require_role(Role.ADMIN, doing="rotate the database key")
    if ws.store.is_postgres:
        raise RuleViolation(
            "a server database has no key of the app's: its logins are the server's to revoke"
        )
    try:
        rows = rekey.rotate(ws.store, without, progress)
    except FacilitatorError as exc:
        audit.record(
            ws, Action.KEY_ROTATION, record_kind=RecordKind.DATABASE, outcome="refused",
            detail=type(exc).__name__,
        )  # fmt: skip
        raise
    audit.record(ws, Action.KEY_ROTATION, record_kind=RecordKind.DATABASE, detail=f"{rows} rows")
    return Changes(settings=True, audit=True)


def forget_in_backups(ws: Workspace, username: str) -> int:
    """Take a deactivated user's slot out of the kept backups' key files."""
    from facilitator.services.backup import default_backup_folder

    location = ws.store.location
    return store_backup.forget_slot(location, default_backup_folder(location), username)
