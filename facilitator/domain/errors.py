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
