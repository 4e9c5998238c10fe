"""Everything a laptop's database holds that moves onto the clinic's server, read at once.

services.moving_in opens a copy of the laptop's file, reads it here (bound to that copy), and
writes it to the server with store.moving_in. Rows are plain dicts keyed by field name (a
foreign key by its field's name, holding the id), in id order, table by table in the order
they can be written (a row's references before it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from facilitator.store import models as m
from facilitator.store.signing_keys import ROOT_PUBLIC_KEY, sealed_before_keys

# What moves, in the order it can be written. Not moved: the laptop's settings (the server
# has its own program name and time zone; every signed record carries those it was signed
# with) and its key slots (each user gets a login and a key of their own on the server).
MOVED: tuple[type[m.Base], ...] = (
    m.User,
    m.Group,
    m.Member,
    m.Enrollment,
    m.TreatmentGoal,
    m.HomeworkItem,
    m.Curriculum,
    m.CurriculumItem,
    m.GroupStaff,
    m.Session,
    m.PhaseLog,
    m.Attendance,
    m.CheckIn,
    m.MemberNote,
    m.GroupNote,
    m.HomeworkAssignment,
    m.HomeworkReview,
    m.SignedContent,
    m.Signature,
    m.Addendum,
    m.SigningKey,
    m.AuditEntry,
)
# A laptop that was itself filled by an import (never: imports go to a server) is refused.
IMPORT_TABLES: tuple[type[m.Base], ...] = (m.LaptopImport, m.ImportedRow)


@dataclass
class LaptopRows:
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by table name
    root_public_key: str = ""
    sealed_before: str = ""
    sealed_before_signature: str = ""

    def of(self, model: type[m.Base]) -> list[dict[str, Any]]:
        return self.rows.get(model._meta.table_name, [])

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.rows.items()}


def _setting(key: str) -> str:
    row = m.ProgramSetting.get_or_none(m.ProgramSetting.key == key)
    return "" if row is None else str(row.value)


def read() -> LaptopRows:
    """All of it, in one read transaction (one consistent snapshot)."""
    found = LaptopRows()
    with m.database.atomic():
        for model in MOVED:
            query = model.select().order_by(model.id).dicts()
            found.rows[model._meta.table_name] = list(cast(Iterable[dict[str, Any]], query))
        found.root_public_key = _setting(ROOT_PUBLIC_KEY)
        found.sealed_before, _parsed, found.sealed_before_signature = sealed_before_keys()
    return found


def was_filled_by_import() -> bool:
    return any(model.select().exists() for model in IMPORT_TABLES)
