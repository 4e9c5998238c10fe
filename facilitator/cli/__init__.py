"""The command line: a contract clinic scripts rely on.

    facilitator [--db PATH|URL] [--user NAME] [COMMAND]

The grammar is in parser.py, the shared helpers in common.py, the commands in records.py
(the database, users, checks, backups, the audit trail) and documents.py (library, exports,
report). The services (and the database drivers behind them) are imported by the commands that
use them, and so are json and getpass: `facilitator` with no command opens the window, and that
should start at once.

Exit codes: 0 ok, 2 usage, 3 authentication failed, 4 not found, 5 integrity problem, 6 not
allowed, 1 anything else. Every error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from facilitator.cli.common import (
    ENV_DB,
    ENV_NEW_PASSWORD,
    ENV_PASSWORD,
    ENV_USER,
    PROG,
    READER_GONE,
    Progress,
    _sign_in,
    fail,
    location_of,
)
from facilitator.cli.documents import (
    cmd_export_handout,
    cmd_export_member_note,
    cmd_export_session,
    cmd_export_sessions,
    cmd_export_sign_in,
    cmd_library_export,
    cmd_library_import,
    cmd_library_list,
    cmd_report,
    export_session_records,
)
from facilitator.cli.parser import build_parser
from facilitator.cli.records import (
    cmd_audit_verify,
    cmd_backup,
    cmd_check,
    cmd_demo,
    cmd_groups_staff,
    cmd_keys_rotate,
    cmd_list_sessions,
    cmd_restore,
    cmd_users_add,
    cmd_users_deactivate,
    cmd_users_password,
)
from facilitator.cli.server import (
    cmd_server_import,
    cmd_server_init,
    cmd_server_reset_admin,
    cmd_server_trust,
    cmd_server_upgrade,
)
from facilitator.domain.errors import FacilitatorError

__all__ = [
    "ENV_DB", "ENV_NEW_PASSWORD", "ENV_PASSWORD", "ENV_USER", "PROG", "Progress", "_sign_in",
    "export_session_records", "fail", "location_of", "parse", "run",
]  # fmt: skip

COMMANDS: dict[tuple[str, str | None], Callable[[argparse.Namespace], int]] = {
    ("demo", None): cmd_demo,
    ("list", "sessions"): cmd_list_sessions,
    ("users", "add"): cmd_users_add,
    ("users", "deactivate"): cmd_users_deactivate,
    ("users", "password"): cmd_users_password,
    ("keys", "rotate"): cmd_keys_rotate,
    ("check", None): cmd_check,
    ("backup", None): cmd_backup,
    ("restore", None): cmd_restore,
    ("library", "list"): cmd_library_list,
    ("library", "export"): cmd_library_export,
    ("library", "import"): cmd_library_import,
    ("export", "handout"): cmd_export_handout,
    ("export", "session"): cmd_export_session,
    ("export", "member-note"): cmd_export_member_note,
    ("export", "sign-in"): cmd_export_sign_in,
    ("export", "sessions"): cmd_export_sessions,
    ("report", None): cmd_report,
    ("audit", "verify"): cmd_audit_verify,
    ("groups", "staff"): cmd_groups_staff,
    ("server", "init"): cmd_server_init,
    ("server", "upgrade"): cmd_server_upgrade,
    ("server", "trust"): cmd_server_trust,
    ("server", "reset-admin"): cmd_server_reset_admin,
    ("server", "import"): cmd_server_import,
}


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def run(args: argparse.Namespace) -> int:
    """Run one command; errors become one line on stderr and an exit code."""
    try:
        code = COMMANDS[(args.command, getattr(args, "what", None))](args)
        sys.stdout.flush()  # here, not at exit: a reader that left is seen below
        return code
    except BrokenPipeError:  # the reader left (`| head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return READER_GONE
    except FacilitatorError as exc:
        return fail(exc.message, exc.exit_code)
    except KeyboardInterrupt:
        return fail("interrupted", 1)
    except Exception as exc:
        from facilitator.services.startup import explain

        explained = explain(exc, location_of(args))
        if explained is not None:  # damage, a full disk, a read-only folder: said as such
            return fail(explained.message, explained.exit_code)
        return fail(f"unexpected error ({type(exc).__name__}): {exc}", 1)
