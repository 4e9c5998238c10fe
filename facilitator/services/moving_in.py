"""Moving a laptop in: `server import` brings a laptop's whole database onto the clinic's
server, with the server's ids, and every signature, key and audit entry still provably its
author's (services.imported_trust; migration 0011 says what is kept and why).

1. ``read_laptop``: a copy of the laptop's file (the file itself is never opened), opened as its
   administrator, checked (a laptop whose own `check` fails is not moved in) and read whole.
2. ``plan``: what meets what on the server: users by username (the same full name, or the
   import stops), members by record number (matched only when the administrator confirms the
   list), groups by name (a clash gets the import's number), library items by slug and version.
3. ``bring_in``: everything written in one transaction, certified by the server's root key and
   audited; users who were not on the server get a login with a one-time password each, which
   they replace at their first sign-in.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from facilitator.domain.audit import Action, RecordKind
from facilitator.domain.enums import Role
from facilitator.domain.errors import IntegrityProblem, NotFound, RuleViolation, UsageError
from facilitator.domain.records import display_name
from facilitator.domain.rules import utcnow
from facilitator.services import accounts, audit, integrity, keys
from facilitator.services.moving_rows import Renumbering, write_evidence, write_signed
from facilitator.services.workspace import Workspace
from facilitator.store import laptop_rows, people
from facilitator.store import models as m
from facilitator.store import moving_in as store
from facilitator.store.audit import together
from facilitator.store.keys import keys_path_for
from facilitator.store.laptop_rows import LaptopRows
from facilitator.store.locations import is_server_url
from facilitator.store.models import SESSION_CONTENT_TABLES
from facilitator.store.signing_keys import fingerprint, import_statement, sign_with

Row = dict[str, Any]
# Compared to tell a laptop's library item from the server's item of the same slug and version.
ITEM_CONTENT = ("category", "module", "title", "tracks", "purpose", "steps", "prompts",
                "take_home", "worksheet_fields", "minutes")  # fmt: skip


@dataclass(frozen=True)
class Laptop:
    name: str  # the file's name, as the import records it
    rows: LaptopRows


@dataclass(frozen=True)
class MemberMatch:
    record_number: str
    on_laptop: str
    on_server: str


@dataclass
class Plan:
    users_matched: dict[int, int] = field(default_factory=dict)  # laptop id -> server id
    users_new: list[Row] = field(default_factory=list)
    members: list[MemberMatch] = field(default_factory=list)


@dataclass(frozen=True)
class ImportReport:
    import_id: int
    before: dict[str, int]
    after: dict[str, int]
    brought: dict[str, int]  # rows per table from the laptop
    matched: dict[str, int]  # of those, rows that are the server's own (users, members, items)
    users_added: list[str]
    users_matched: list[str]
    groups_renamed: list[tuple[str, str]]
    one_time_passwords: dict[str, str]  # username -> password, for the passwords file only
    laptop_root: str  # its fingerprint
    audit_head: str  # COUNT:HASH of the laptop's trail as it came


# ----------------------------------------------------------------------------- the laptop


def read_laptop(path: Path, username: str, password: str) -> Laptop:
    """The laptop's whole database, read from a copy opened as its administrator."""
    if is_server_url(str(path)):
        raise UsageError("server import takes a laptop's database file, not a server URL")
    if not path.is_file():
        raise NotFound(f"no database file at {path}")
    key_file = keys_path_for(path)
    if not key_file.is_file():
        raise NotFound(f"{path.name} has no key file beside it ({key_file.name})")
    with tempfile.TemporaryDirectory(prefix="facilitator-import-") as folder:
        copy = Path(folder) / path.name
        # The laptop's app should be closed; its write-ahead log is copied with it either way.
        for source, target in ((path, copy), (key_file, keys_path_for(copy))):
            shutil.copyfile(source, target)
        wal = Path(f"{path}-wal")
        if wal.is_file():
            shutil.copyfile(wal, Path(f"{copy}-wal"))
        ws = accounts.sign_in(str(copy), username, password)
        try:
            return Laptop(path.name, _checked_rows(ws))
        finally:
            ws.close()


def _checked_rows(ws: Workspace) -> LaptopRows:
    ws.require_role(Role.ADMIN, doing="move a laptop's records onto the server")
    report = integrity.check(ws)
    if not report.ok:
        raise IntegrityProblem(
            f"the laptop's own check finds {len(report.problems)} problem(s), the first: "
            f"{report.problems[0]}; resolve them on the laptop (or restore its last good "
            "backup) before moving it in"
        )
    if laptop_rows.was_filled_by_import():
        raise RuleViolation("this database holds records moved in from elsewhere already")
    rows = laptop_rows.read()
    if not rows.root_public_key:
        raise RuleViolation(
            "the laptop has no root key yet: sign in on it once as its administrator"
        )
    return rows


# ----------------------------------------------------------------------------- what meets what


def plan(ws: Workspace, laptop: Laptop) -> Plan:
    """Who and what on the laptop is already on the server."""
    ws.require_role(Role.ADMIN, doing="move a laptop's records onto the server")
    earlier = store.previous_import(laptop.rows.root_public_key)
    if earlier is not None:
        raise RuleViolation(
            f"this laptop was moved in already (laptop import {earlier[0]}, "
            f"{earlier[1]:%Y-%m-%d}); nothing was changed"
        )
    found, clashes = Plan(), []
    on_server = store.users()
    for row in laptop.rows.of(m.User):
        same = on_server.get(row["username"])
        if same is None:
            found.users_new.append(row)
        elif _same_name(same[1], row["full_name"]):
            found.users_matched[row["id"]] = same[0]
        else:
            clashes.append(f"{row['username']} ({row['full_name']} here, {same[1]} there)")
    if clashes:
        raise RuleViolation(
            "these usernames belong to someone else on the server: "
            + "; ".join(clashes)
            + "; give one of each pair another username on the laptop, then try again"
        )
    members = laptop.rows.of(m.Member)
    server_members = store.members_with_record_numbers(r["record_number"] for r in members)
    found.members = [
        MemberMatch(row["record_number"], _name(row), _name(server_members[row["record_number"]]))
        for row in members
        if row["record_number"] in server_members
    ]
    return found


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _name(row: Row) -> str:
    return display_name(row.get("preferred_name"), row["first_name"], row["last_name"])


# ----------------------------------------------------------------------------- bringing it in


def bring_in(ws: Workspace, laptop: Laptop, found: Plan, *, same_members: bool) -> ImportReport:
    """Everything, in one transaction: nothing is kept of an import that fails."""
    if found.members and not same_members:
        raise RuleViolation(
            f"{len(found.members)} member(s) of the laptop have record numbers the server has "
            "already; confirm that they are the same people (--same-members) to move them in"
        )
    ws.require_role(Role.ADMIN, doing="move a laptop's records onto the server")
    root = keys.require_root(ws)
    rows = laptop.rows
    with together():
        # One import at a time; and what was decided still holds (another import, or a new
        # member, may have come while the administrator was deciding).
        store.lock_imports()
        if plan(ws, laptop) != found:
            raise RuleViolation(
                "the server changed while the import was being decided (another import, or new "
                "users or members); run it again"
            )
        before = store.counts()
        import_id = store.new_ids(m.LaptopImport, 1)[0]
        head = _certify(ws, root, import_id, laptop)
        ids = Renumbering(import_id)
        for origin, server in found.users_matched.items():
            ids.same_as("app_user", origin, server)
        passwords = _add_users(ws, ids, found.users_new)
        _supervision(ids, found.users_new)
        renamed = _write_groups(ids, rows.of(m.Group))
        matched = _match_members(ids, rows.of(m.Member))
        ids.write(m.Member, rows.of(m.Member), _made_here)
        _write_plainly(ids, rows, (m.Enrollment, m.TreatmentGoal))
        _write_items(ids, rows.of(m.HomeworkItem))
        _write_plainly(ids, rows, (m.Curriculum, m.CurriculumItem, m.GroupStaff))
        ids.write(m.Session, rows.of(m.Session), _as_draft)
        _write_plainly(ids, rows, SESSION_CONTENT_TABLES)
        write_signed(ids, rows.rows)
        write_evidence(ids, rows.rows)
        ids.remember()
        audit.record(
            ws, Action.IMPORT, record_kind=RecordKind.DATABASE, record_id=import_id,
            detail=f"laptop import {import_id}: {len(rows.of(m.Session))} sessions, "
            f"{len(rows.of(m.Member))} members ({matched} matched), {len(passwords)} new "
            f"logins, audit trail {head[0]}:{head[1]}",
        )  # fmt: skip
        after = store.counts()
    return ImportReport(
        import_id, before, after, _brought(rows), dict(ids.matched), sorted(passwords),
        sorted(r["username"] for r in rows.of(m.User) if r["id"] in found.users_matched),
        renamed, passwords, fingerprint(rows.root_public_key), f"{head[0]}:{head[1]}",
    )  # fmt: skip


def _brought(rows: LaptopRows) -> dict[str, int]:
    """Rows per table from the laptop, under the table they went to (its keys and its audit
    trail are kept apart, as they came)."""
    brought = rows.counts()
    brought["imported_key"] = brought.pop("signing_key", 0)
    brought["imported_audit_entry"] = brought.pop("audit_entry", 0)
    return brought


def _certify(ws: Workspace, root: bytes, import_id: int, laptop: Laptop) -> tuple[int, str]:
    """The import's own row, first (what it brings refers to it): the laptop's root key and
    its audit trail's length and newest hash, certified by the server's root key."""
    rows = laptop.rows
    trail = rows.of(m.AuditEntry)
    head = (len(trail), trail[-1]["entry_hash"] if trail else "")
    at = utcnow()
    statement = import_statement(
        import_id, rows.root_public_key, rows.sealed_before, head[0], head[1], at
    )
    store.add_import(
        id=import_id, imported_at=at, imported_by=ws.actor.user_id,
        workstation=audit.workstation(), source=laptop.name,
        root_public_key=rows.root_public_key, sealed_before=rows.sealed_before,
        sealed_before_signature=rows.sealed_before_signature, audit_entries=head[0],
        audit_head=head[1], counts=json.dumps(rows.counts(), sort_keys=True),
        certificate=sign_with(root, statement),
    )  # fmt: skip
    return head


def one_time_password() -> str:
    """Four groups of four letters and digits (no look-alikes): about 80 bits."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def _add_users(ws: Workspace, ids: Renumbering, new: list[Row]) -> dict[str, str]:
    """Each user the server lacks, as a login of their own with a one-time password (an
    inactive one without a login: their name stays on what they wrote)."""
    passwords = {}
    for row in new:
        role = Role(row["role"])
        user_id = people.add_user(
            row["username"], row["full_name"], row["credentials"], role, row["clinician"],
            password_chosen=False,
        )  # fmt: skip
        ids.of("app_user")[row["id"]] = user_id
        if row["active"]:
            passwords[row["username"]] = one_time_password()
            keys.give_new_key(ws, user_id, row["username"], passwords[row["username"]], role)
        else:
            people.update_user_by_id(user_id, active=False)
        audit.record(
            ws, Action.USER_CHANGE, record_kind=RecordKind.USER, record_id=user_id,
            detail=f"added by laptop import {ids.import_id}",
        )  # fmt: skip
    return passwords


def _supervision(ids: Renumbering, added: list[Row]) -> None:
    """Who supervises whom, as on the laptop, for the users the import added."""
    users = ids.of("app_user")
    for row in added:
        if row["requires_supervision"]:
            supervisor = row["supervisor_id"]
            people.update_user_by_id(
                users[row["id"]],
                requires_supervision=True,
                supervisor_id=None if supervisor is None else users[supervisor],
            )


def _write_groups(ids: Renumbering, groups: list[Row]) -> list[tuple[str, str]]:
    """Every group comes in as a group of its own; a name the server has already gets the
    import's number."""
    taken, renamed = store.group_names(), []

    def name(old: Row, new: Row) -> None:
        _made_here(old, new)
        if old["name"] in taken:
            new["name"] = f"{old['name']} (laptop import {ids.import_id})"
            renamed.append((old["name"], new["name"]))

    ids.write(m.Group, groups, name)
    return renamed


def _match_members(ids: Renumbering, members: list[Row]) -> int:
    on_server = store.members_with_record_numbers(row["record_number"] for row in members)
    for row in members:
        same = on_server.get(row["record_number"])
        if same is not None:
            ids.same_as("member", row["id"], same["id"])
    return sum(1 for row in members if row["record_number"] in on_server)


def _write_items(ids: Renumbering, items: list[Row]) -> None:
    """A library item the server has (same slug, version and words) is the server's; one whose
    slug and version the server uses for other words comes in under a slug of its own, and a
    title the server gives another item gets the import's number (titles stay unique)."""
    on_server = store.library_items()
    titles = {row["title"].casefold(): row["slug"] for row in on_server.values()}
    for row in items:
        same = on_server.get((row["slug"], row["version"]))
        if same is not None and all(same[k] == row[k] for k in ITEM_CONTENT):
            ids.same_as("homework_item", row["id"], same["id"])

    def own_names(old: Row, new: Row) -> None:
        if (old["slug"], old["version"]) in on_server:
            new["slug"] = f"{old['slug']}-laptop-import-{ids.import_id}"
        if titles.get(old["title"].casefold(), new["slug"]) != new["slug"]:
            new["title"] = f"{old['title']} (laptop import {ids.import_id})"

    ids.write(m.HomeworkItem, items, own_names)


def _write_plainly(ids: Renumbering, rows: LaptopRows, models: tuple[type[m.Base], ...]) -> None:
    for model in models:
        ids.write(model, rows.of(model))


def _made_here(_old: Row, new: Row) -> None:
    new.pop("created_by_login", None)  # the server says who made it (the importing login)


def _as_draft(old: Row, new: Row) -> None:
    """A signed session is written as a draft, and signed with its signature (write_signed)."""
    if old["state"] == "signed":
        new["state"] = "draft"


# ----------------------------------------------------------------------------- the passwords


def claim_passwords_file(path: Path) -> int:
    """The file for the one-time passwords, made now (readable by its maker only) so an import
    never ends with passwords it cannot write down."""
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise UsageError(
            f"{path} exists already; name a new file for the one-time passwords"
        ) from None
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None


def write_passwords(descriptor: int, report: ImportReport) -> None:
    lines = [
        f"One-time passwords of laptop import {report.import_id}. Hand each to its owner, who",
        "replaces it at their first sign-in; then delete this file.",
        "",
        *(f"{name}\t{password}" for name, password in sorted(report.one_time_passwords.items())),
    ]
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
