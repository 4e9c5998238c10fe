"""What `check` and `audit verify` find in what was brought in from laptops (`server import`).

Each laptop brought in is checked as the laptop itself would have been, in the laptop's ids:
its root key (certified, with its audit trail's length and head, by the server's root), the
keys that root certified, every signature and addendum it made, and its audit trail as a chain
of its own. Each of its signed sessions must also read, on the server, exactly as the laptop
froze it, renumbered (domain.moving).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from facilitator.domain.audit import first_broken
from facilitator.domain.frozen import body_hash
from facilitator.domain.moving import MissingId, renumber_body
from facilitator.domain.records import SessionRecord
from facilitator.services.signing import verify_signed
from facilitator.services.trust import Trust
from facilitator.store import moving_in as imported
from facilitator.store import signing_keys as keys
from facilitator.store.session_reads import unpack_body


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def laptops(server: Trust) -> Findings:
    """Every laptop brought in: certified by the server's root, its keys by its own root, its
    seals and its audit trail whole."""
    found = Findings()
    for info, laptop in _laptops(server, found):
        name = f"laptop import {info.id}"
        found.problems += [f"{name}: {p}" for p in laptop.problems]
        found.problems += [f"{name}: {p}" for p in laptop.seals(imported.imported_seals(info.id))]
        found.problems += [f"{name}: {p}" for p in trail_problems(info, laptop)]
        found.notes.append(
            f"{name} ({info.imported_at:%Y-%m-%d}, {info.source}): root key fingerprint "
            f"{keys.fingerprint(info.root_public_key)}, audit trail {info.audit_entries}:"
            f"{info.audit_head}"
        )
        found.notes += [f"{name}: {n}" for n in laptop.notes if "fingerprint" not in n]
    return found


def laptop_trails(server: Trust) -> tuple[int, list[str]]:
    """For `audit verify`: how many entries came with laptops, and what is wrong with them."""
    found, entries = Findings(), 0
    for info, laptop in _laptops(server, found):
        entries += info.audit_entries
        found.problems += [f"laptop import {info.id}: {p}" for p in trail_problems(info, laptop)]
    return entries, found.problems


def _laptops(server: Trust, found: Findings) -> Iterator[tuple[imported.ImportInfo, Trust]]:
    """Each import, with its laptop's keys as its root certified them; an import the server's
    root did not certify is a problem (its laptop's root may have been replaced)."""
    for info in imported.imports():
        statement = keys.import_statement(
            info.id, info.root_public_key, info.sealed_before, info.audit_entries,
            info.audit_head, info.imported_at,
        )  # fmt: skip
        if server.root is None or not keys.verifies(server.root, statement, info.certificate):
            found.problems.append(
                f"laptop import {info.id} is not certified by the server's root key"
            )
        yield info, Trust.of_laptop(
            info.root_public_key, info.sealed_before, info.sealed_before_signature,
            imported.imported_keys(info.id),
        )  # fmt: skip


def trail_problems(info: imported.ImportInfo, laptop: Trust) -> list[str]:
    """The laptop's audit trail: a whole chain, each entry its user's, as long as it came."""
    entries = list(imported.imported_entries(info.id))
    problems = laptop.audit(entries)
    broken = first_broken(entries)
    if broken is not None:
        problems.insert(0, f"its audit entry {broken[0]} {broken[1]}")
    newest = (len(entries), entries[-1].entry_hash if entries else "")
    if newest != (info.audit_entries, info.audit_head):
        problems.append(
            f"its audit trail holds {len(entries)} entries, not the {info.audit_entries} "
            "it came with (or its newest is another)"
        )
    return problems


class SessionChecker:
    """A signed session brought in from a laptop, for `check`: as the laptop froze it, the same
    record renumbered, and its seals over the laptop's body."""

    def __init__(self) -> None:
        self._maps: dict[int, dict[str, dict[int, int]]] = {}

    def origins(self, session_ids: list[int]) -> dict[int, tuple[int, bytes, str]]:
        return imported.origin_bodies(session_ids)

    def problems(
        self, live: SessionRecord, body: bytes | None, origin: tuple[int, bytes, str]
    ) -> list[str]:
        import_id, packed, digest = origin
        laptop_body = unpack_body(packed)
        if body_hash(laptop_body) != digest:
            return [f"session {live.id}: the record its laptop signed was altered"]
        if import_id not in self._maps:
            self._maps[import_id] = imported.id_map(import_id)
        try:
            renumbered = renumber_body(laptop_body, self._maps[import_id])
        except MissingId as exc:
            return [f"session {live.id}: the record its laptop signed names an unknown {exc}"]
        if body != renumbered:
            return [f"session {live.id}: its record differs from the one its laptop signed"]
        return verify_signed(live, body, laptop_body=laptop_body)
