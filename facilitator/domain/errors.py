"""Errors a user can act on. Each carries one clear sentence; none is a crash."""

from __future__ import annotations


class FacilitatorError(Exception):
    """Base of every error the app reports to a person instead of crashing."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class RuleViolation(FacilitatorError):
    """A clinical or record-keeping rule refused the change; nothing was written."""


class InvalidInput(RuleViolation):
    """A value is outside what the field accepts (mood 11, a blank name)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class SessionLocked(RuleViolation):
    """The session is signed; it changes only through a signed addendum."""


class PermissionDenied(FacilitatorError):
    """The user's role does not allow this."""


class NotAllowed(PermissionDenied):
    """The records exist, but this user may not see them (a group they do not staff)."""

    exit_code = 6


class NotFound(FacilitatorError):
    exit_code = 4


class AuthenticationFailed(FacilitatorError):
    exit_code = 3


class IntegrityProblem(FacilitatorError):
    """The stored records are damaged, tampered with, or not what they claim to be."""

    exit_code = 5


class UsageError(FacilitatorError):
    exit_code = 2


class EditConflict(RuleViolation):
    """Another seat changed a part of a record since this seat read it: nothing was written.

    ``theirs`` holds what those parts hold now and ``mine`` what this seat tried to write
    (both by field), so the seat can show them side by side and its user keeps one or merges
    them; the typing is never dropped. ``by`` and ``at`` say who changed the row last, when.
    """

    def __init__(
        self,
        message: str,
        theirs: dict[str, object],
        mine: dict[str, object],
        by: str,
        at: object,
        changes: object = None,
    ) -> None:
        super().__init__(message)
        self.theirs, self.mine, self.by, self.at = theirs, mine, by, at
        self.changes = changes  # the Changes naming the record, for a seat to read it again


class ServerUnreachable(FacilitatorError):
    """The clinic server cannot be reached (stopped, or the network is down): nothing was
    lost; what is typed waits on this laptop until it is back."""
