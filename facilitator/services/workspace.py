"""The open database and the person working in it, handed to every service."""

from __future__ import annotations

from dataclasses import dataclass

from facilitator.domain.enums import Role
from facilitator.domain.errors import PermissionDenied
from facilitator.domain.records import Actor
from facilitator.store import people
from facilitator.store.database import Store

# Set on databases made by `facilitator demo`; the window marks them DEMO everywhere.
DEMO_SETTING = "demo"


@dataclass
class Workspace:
    store: Store
    actor: Actor
    # Set only on the workspace create_database returns: shown once at setup, then forgotten.
    recovery_key: str | None = None

    @property
    def demo(self) -> bool:
        return people.get_setting(DEMO_SETTING) == "yes"

    def require_role(self, *roles: Role, doing: str) -> None:
        if self.actor.role not in roles:
            allowed = " or ".join(r.value.replace("_", " ") for r in roles)
            raise PermissionDenied(f"only a {allowed} can {doing}")

    def require_clinician(self, doing: str) -> None:
        """Facilitators and clinical leads; an administrator only if also a clinician."""
        if not self.actor.signs_clinically:
            raise PermissionDenied(f"an administrator who is not a clinician cannot {doing}")

    def close(self) -> None:
        self.store.close()
