"""The open database and the person working in it, handed to every service."""

from __future__ import annotations

import functools
from collections.abc import Hashable
from dataclasses import dataclass, field

from facilitator.domain.enums import Role
from facilitator.domain.errors import PermissionDenied
from facilitator.domain.records import Actor
from facilitator.store import people
from facilitator.store.database import Store, use
from facilitator.store.journal import Journal
from facilitator.store.signing_keys import Signer

# Set on databases made by `facilitator demo`; the window marks them DEMO everywhere.
DEMO_SETTING = "demo"
# Editing spans whose entry is written; only the newest few can still be under way.
SPANS_KEPT = 256


@dataclass
class Workspace:
    store: Store
    actor: Actor
    # Set only on the workspace create_database returns: shown once at setup, then forgotten.
    recovery_key: str | None = None
    # The actor's signing key (services.keys): their signatures, addenda and audit entries are
    # signed with it. None: they sign nothing, and their audit entries go unsigned.
    signer: Signer | None = field(default=None, repr=False)
    # Tokens of the editing spans (stretches of typing in one field) already in the audit
    # trail: services.audit writes one entry per span, not one per autosave.
    _recorded_spans: dict[Hashable, None] = field(default_factory=dict, repr=False)
    # This person's journal of typing the server has not got (services.journal), once opened,
    # and the fields it holds.
    journal: Journal | None = field(default=None, repr=False)
    kept_fields: set[tuple[int, int | None, str]] = field(default_factory=set, repr=False)

    @functools.cached_property
    def demo(self) -> bool:
        """A demo database (set when it is made, never changed): read once."""
        return people.get_setting(DEMO_SETTING) == "yes"

    def make_current(self) -> None:
        """Its checks and its work run on its own store's connection (database.use)."""
        use(self.store)

    def require_role(self, *roles: Role, doing: str) -> None:
        self.make_current()
        if self.actor.role not in roles:
            allowed = " or ".join(r.value.replace("_", " ") for r in roles)
            raise PermissionDenied(f"only a {allowed} can {doing}")

    def require_clinician(self, doing: str) -> None:
        """Facilitators and clinical leads; an administrator only if also a clinician."""
        self.make_current()
        if not self.actor.signs_clinically:
            raise PermissionDenied(f"an administrator who is not a clinician cannot {doing}")

    def span_recorded(self, token: Hashable) -> bool:
        return token in self._recorded_spans

    def record_span(self, token: Hashable) -> None:
        self._recorded_spans[token] = None
        while len(self._recorded_spans) > SPANS_KEPT:  # oldest first: dicts keep insertion order
            del self._recorded_spans[next(iter(self._recorded_spans))]

    def close(self) -> None:
        if self.journal is not None:
            self.journal.close()
            self.journal = None
        self.store.close()
