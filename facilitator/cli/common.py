"""What every command shares: who and where, the password, one-line failures, text files."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from facilitator.domain.errors import (
    AuthenticationFailed,
    FacilitatorError,
    NotFound,
    UsageError,
)
from facilitator.store import locations

# The services (and the database drivers behind them) are imported by the commands that use
# them, and so are json and getpass: `facilitator` with no command opens the window, and that
# should start at once.
if TYPE_CHECKING:
    from facilitator.services.workspace import Workspace

PROG = "facilitator"
ENV_DB, ENV_USER, ENV_PASSWORD, ENV_NEW_PASSWORD = (
    "FACILITATOR_DB",
    "FACILITATOR_USER",
    "FACILITATOR_PASSWORD",
    "FACILITATOR_NEW_PASSWORD",
)


READER_GONE = 141  # what a shell reports for a process ended by a closed pipe (128 + SIGPIPE)


FORCE_HELP = "replace the file if it exists (never a database, its key file or a backup)"


def output_of(args: argparse.Namespace) -> Path:
    """Where -o may write: not over the records, not over any file unless --force."""
    from facilitator.services.outputs import output_path

    return output_path(args.output, database=location_of(args), force=args.force)


def location_of(args: argparse.Namespace) -> str:
    return str(
        getattr(args, "db", None) or os.environ.get(ENV_DB) or locations.default_database_path()
    )


def username_of(args: argparse.Namespace) -> str:
    user = getattr(args, "user", None) or os.environ.get(ENV_USER)
    if not user:
        raise UsageError(f"say who you are with --user NAME (or {ENV_USER})")
    return str(user)


def password_from_env_or_prompt(prompt: str, env: str = ENV_PASSWORD, confirm: bool = False) -> str:
    """The password from the environment or the terminal. Taken out of the environment once
    read, so no process started later (the export workers) inherits it."""
    if env in os.environ:
        return _text(os.environ.pop(env), f"the password in {env}")
    if not sys.stdin.isatty():
        raise AuthenticationFailed(f"no password given: set {env} or run in a terminal")
    import getpass

    first = _text(getpass.getpass(prompt), "the password typed")
    if confirm and getpass.getpass("Again: ") != first:
        raise UsageError("the two passwords differ")
    return first


def _text(password: str, what: str) -> str:
    """Bytes that are not UTF-8 reach Python as lone surrogates, which no key derives from."""
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        raise AuthenticationFailed(
            f"{what} is not UTF-8 text; check the terminal's encoding"
        ) from None
    return password


def _sign_in(
    args: argparse.Namespace, password: str | None = None, *, choosing: bool = False
) -> Workspace:
    """Sign in as --user, with ``password`` or the one from the environment or a prompt.

    Someone still on a password an administrator gave them does nothing else until they
    choose their own (``users password``, which passes ``choosing``)."""
    from facilitator.services import accounts

    user = username_of(args)
    if password is None:
        password = password_from_env_or_prompt(f"Password for {user}: ")
    ws = accounts.sign_in(location_of(args), user, password)
    if not ws.actor.password_chosen and not choosing:
        ws.close()
        raise AuthenticationFailed(
            f"{user} is signing in with a password an administrator gave them: choose your own "
            f"first with '{PROG} users password'"
        )
    return ws


class Progress:
    """A one-line progress bar on stderr, only when stderr is a terminal (scripts get none)."""

    WIDTH = 30

    def __init__(self, total: int) -> None:
        self.total = total
        self.shown = sys.stderr.isatty() and total > 0

    def show(self, done: int) -> None:
        if not self.shown:
            return
        filled = self.WIDTH * done // self.total
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        print(f"\r[{bar}] {done}/{self.total}", end="", file=sys.stderr, flush=True)

    def pages(self, done: int, total: int) -> None:
        """As a progress callback that learns its total as it goes (pages copied)."""
        self.total = total
        self.shown = sys.stderr.isatty() and total > 0
        self.show(done)

    def finish(self) -> None:
        if self.shown:
            print(file=sys.stderr)


def read_text(name: str) -> str:
    try:
        with open(name, encoding="utf-8") as file:
            return file.read()
    except FileNotFoundError:
        raise NotFound(f"no file {name}") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise FacilitatorError(f"cannot read {name}: {reason}") from None


def write_text_atomically(name: str, text: str) -> None:
    """Write beside the target, then rename over it: a failure never leaves half a file."""
    target = Path(name)
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=target.parent, suffix=".part", delete=False
        ) as part:
            part.write(text)
            part.flush()
            os.fsync(part.fileno())
        os.replace(part.name, target)
    except OSError as exc:
        with contextlib.suppress(NameError, OSError):
            os.unlink(part.name)
        raise FacilitatorError(f"cannot write {name}: {exc.strerror}") from None


def fail(message: str, code: int) -> int:
    first_line = message.strip().splitlines()[0] if message.strip() else "failed"
    print(f"{PROG}: {first_line}", file=sys.stderr)
    return code
