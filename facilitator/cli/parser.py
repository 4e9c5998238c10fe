"""The command line's grammar: every command, option and type (a contract: add, never rename)."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from typing import NoReturn

from facilitator.cli.common import FORCE_HELP, PROG
from facilitator.domain.enums import HomeworkCategory, Role
from facilitator.domain.errors import (
    NotFound,
    UsageError,
)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{PROG} --help')")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-31") from None


LARGEST_ID = 2**63 - 1  # both engines keep ids as signed 64-bit integers


def _record_id(kind: str) -> Callable[[str], int]:
    """An id on the command line: not a number is a usage error (exit 2); a number no record
    can have (0, negative, past 64 bits) is "not found" (exit 4), like any absent id."""

    def record_id(text: str) -> int:
        number = int(text)
        if not 1 <= number <= LARGEST_ID:
            raise NotFound(f"no {kind} with id {text}")
        return number

    record_id.__name__ = "int"  # argparse names the type in "invalid int value"
    return record_id


def build_parser() -> argparse.ArgumentParser:
    # --db and --user are accepted before or after the command ("facilitator demo --db X").
    common = _Parser(add_help=False)
    common.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        metavar="PATH|URL",
        help="database file or postgresql:// URL",
    )
    common.add_argument(
        "--user", default=argparse.SUPPRESS, metavar="NAME", help="username to sign in as"
    )

    parser = _Parser(
        prog=PROG, parents=[common], description="Run IOP therapy groups and keep their records."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo_cmd = commands.add_parser(
        "demo", parents=[common], help="create a database of fictitious demo data"
    )
    demo_cmd.add_argument(
        "--groups",
        type=int,
        default=3,
        metavar="G",
        help="groups across the three tracks (default 3)",
    )
    demo_cmd.add_argument(
        "--weeks", type=int, default=4, metavar="W", help="weeks of sessions (default 4)"
    )
    demo_cmd.add_argument(
        "--seed", type=int, default=1, metavar="S", help="random seed (default 1)"
    )
    demo_cmd.add_argument(
        "--until",
        type=_date,
        default=None,
        metavar="DATE",
        help="last day of demo sessions (default today)",
    )

    list_cmd = commands.add_parser("list", parents=[common], help="list records")
    list_what = list_cmd.add_subparsers(
        dest="what", metavar="WHAT", required=True, parser_class=_Parser
    )
    sessions = list_what.add_parser("sessions", parents=[common], help="sessions in a date range")
    sessions.add_argument("--from", dest="date_from", type=_date, metavar="DATE")
    sessions.add_argument("--to", dest="date_to", type=_date, metavar="DATE")
    sessions.add_argument("--group", metavar="NAME|ID")
    sessions.add_argument("--json", action="store_true", help="print JSON")

    users = commands.add_parser("users", parents=[common], help="manage user accounts")
    users_what = users.add_subparsers(
        dest="what", metavar="ACTION", required=True, parser_class=_Parser
    )
    add = users_what.add_parser(
        "add",
        parents=[common],
        help="add a user (on a new database: create it with this user as administrator)",
    )
    add.add_argument("username")
    add.add_argument("--name", required=True, help="full name as it appears on signatures")
    add.add_argument("--credentials", default="", help='e.g. "LCSW"')
    add.add_argument("--role", choices=[r.value for r in Role], default=None)
    add.add_argument("--program", default="", help="program name, when creating a new database")
    users_what.add_parser(
        "password",
        parents=[common],
        help="change your own password (the current one from FACILITATOR_PASSWORD or a prompt, "
        "the new one from FACILITATOR_NEW_PASSWORD or a prompt)",
    )
    deactivate = users_what.add_parser(
        "deactivate",
        parents=[common],
        help="stop a user signing in; their keys are revoked and the database re-encrypted",
    )
    deactivate.add_argument("username")

    keys = commands.add_parser("keys", parents=[common], help="the database's keys")
    keys_what = keys.add_subparsers(
        dest="what", metavar="ACTION", required=True, parser_class=_Parser
    )
    keys_what.add_parser(
        "rotate",
        parents=[common],
        help="re-encrypt the database under a new key (other windows must be closed)",
    )

    check = commands.add_parser(
        "check", parents=[common], help="verify the database and every signed session"
    )
    check.add_argument(
        "--root",
        metavar="FINGERPRINT",
        help="the root key's fingerprint as printed on the recovery sheet or a signed record",
    )
    check.add_argument(
        "--head",
        metavar="COUNT:HASH",
        help="the audit trail's head as printed earlier (lead's summary, audit export, backup)",
    )

    backup = commands.add_parser(
        "backup", parents=[common], help="write a verified, encrypted backup of the database file"
    )
    backup.add_argument("-o", dest="output", required=True, metavar="FILE")
    restore = commands.add_parser(
        "restore",
        parents=[common],
        help="copy a backup (and its key file) to the new location --db NEW, then sign in there",
    )
    restore.add_argument("file", metavar="FILE")

    library = commands.add_parser("library", parents=[common], help="the homework library")
    library_what = library.add_subparsers(
        dest="what", metavar="ACTION", required=True, parser_class=_Parser
    )
    listing = library_what.add_parser("list", parents=[common], help="list library items")
    listing.add_argument("--category", choices=[c.value for c in HomeworkCategory])
    listing.add_argument("--json", action="store_true", help="print JSON")
    export_item = library_what.add_parser(
        "export", parents=[common], help="write one item to a file another clinic can import"
    )
    export_item.add_argument("id", type=_record_id("library item"), metavar="ID")
    export_item.add_argument("-o", dest="output", required=True, metavar="FILE")
    export_item.add_argument("--force", action="store_true", help=FORCE_HELP)
    import_item = library_what.add_parser(
        "import", parents=[common], help="add the item in FILE as this clinic's own"
    )
    import_item.add_argument("file", metavar="FILE")

    export = commands.add_parser("export", parents=[common], help="write PDF documents")
    export_what = export.add_subparsers(
        dest="what", metavar="DOCUMENT", required=True, parser_class=_Parser
    )
    handout = export_what.add_parser(
        "handout", parents=[common], help="a library item's take-home worksheet for members"
    )
    handout.add_argument("id", type=_record_id("library item"), metavar="ID")
    handout.add_argument("-o", dest="output", required=True, metavar="FILE.pdf")
    handout.add_argument("--force", action="store_true", help=FORCE_HELP)
    handout.add_argument(
        "--member",
        type=_record_id("member"),
        metavar="MEMBER_ID",
        help="print this member's name on it",
    )
    session = export_what.add_parser(
        "session", parents=[common], help="a session record (group note)"
    )
    session.add_argument("id", type=_record_id("session"), metavar="ID")
    session.add_argument("-o", dest="output", required=True, metavar="FILE")
    session.add_argument("--force", action="store_true", help=FORCE_HELP)
    member_note = export_what.add_parser(
        "member-note", parents=[common], help="one member's note of one session, for their chart"
    )
    member_note.add_argument("session_id", type=_record_id("session"), metavar="SESSION_ID")
    member_note.add_argument("member_id", type=_record_id("member"), metavar="MEMBER_ID")
    member_note.add_argument("-o", dest="output", required=True, metavar="FILE")
    member_note.add_argument("--force", action="store_true", help=FORCE_HELP)
    sign_in = export_what.add_parser("sign-in", parents=[common], help="a session's sign-in sheet")
    sign_in.add_argument("id", type=_record_id("session"), metavar="ID")
    sign_in.add_argument("-o", dest="output", required=True, metavar="FILE")
    sign_in.add_argument("--force", action="store_true", help=FORCE_HELP)
    many = export_what.add_parser(
        "sessions", parents=[common], help="one session record PDF per session in a date range"
    )
    many.add_argument("--from", dest="date_from", type=_date, required=True, metavar="DATE")
    many.add_argument("--to", dest="date_to", type=_date, required=True, metavar="DATE")
    many.add_argument("--group", metavar="NAME|ID")
    many.add_argument("-o", dest="output", required=True, metavar="DIR")
    many.add_argument("--force", action="store_true", help=FORCE_HELP)

    audit = commands.add_parser("audit", parents=[common], help="the audit trail")
    audit_what = audit.add_subparsers(
        dest="what", metavar="ACTION", required=True, parser_class=_Parser
    )
    audit_verify = audit_what.add_parser(
        "verify", parents=[common], help="check the audit trail's hash chain (exit 5 if broken)"
    )
    audit_verify.add_argument(
        "--head",
        metavar="COUNT:HASH",
        help="the trail's head as printed earlier: a tail cut off or rewritten since is caught",
    )

    report = commands.add_parser(
        "report", parents=[common], help="the clinical lead's summary for a date range"
    )
    report.add_argument("--from", dest="date_from", type=_date, required=True, metavar="DATE")
    report.add_argument("--to", dest="date_to", type=_date, required=True, metavar="DATE")
    report.add_argument("--group", metavar="NAME|ID")
    report.add_argument("-o", dest="output", required=True, metavar="FILE")
    report.add_argument("--force", action="store_true", help=FORCE_HELP)
    groups = commands.add_parser("groups", parents=[common], help="the program's groups")
    groups_what = groups.add_subparsers(
        dest="what", metavar="ACTION", required=True, parser_class=_Parser
    )
    staff = groups_what.add_parser(
        "staff",
        parents=[common],
        help="put a facilitator on a group's staff, or cover it for some days (leads, admins)",
    )
    staff.add_argument("group", metavar="GROUP", help="the group's name or number")
    staff.add_argument("username", metavar="USERNAME")
    staff.add_argument("--cover-from", type=_date, metavar="DATE", help="first day of cover")
    staff.add_argument("--cover-until", type=_date, metavar="DATE", help="last day of cover")
    _server_commands(commands, common)
    return parser


def _server_commands(commands: argparse._SubParsersAction[_Parser], common: _Parser) -> None:
    """For the clinic's IT (facilitator.cli.server, docs/server.md)."""
    server = commands.add_parser(
        "server", parents=[common], help="set up and upgrade a clinic's PostgreSQL server"
    )
    what = server.add_subparsers(dest="what", metavar="ACTION", required=True, parser_class=_Parser)
    init = what.add_parser(
        "init",
        parents=[common],
        help="set the server's database up and make its first administrator (as PGUSER)",
    )
    init.add_argument("--admin", required=True, metavar="USERNAME", help="the first administrator")
    init.add_argument("--name", required=True, help="their full name as it appears on signatures")
    init.add_argument("--credentials", default="", help='e.g. "LCSW"')
    init.add_argument("--program", default="", help="the program's name")
    what.add_parser(
        "upgrade",
        parents=[common],
        help="apply this version's schema changes to the server's database (as PGUSER)",
    )
    reset = what.add_parser(
        "reset-admin",
        parents=[common],
        help="give an administrator a new password with the recovery key (as PGUSER)",
    )
    reset.add_argument("username")
    trust = what.add_parser(
        "trust", parents=[common], help="trust the clinic's CA certificate on this laptop"
    )
    trust.add_argument("ca_file", metavar="CA.pem")
    moving = what.add_parser(
        "import",
        parents=[common],
        help="bring a laptop's database onto the server (as a server administrator, --user)",
    )
    moving.add_argument("laptop_db", metavar="LAPTOP.db", help="the laptop's database file")
    moving.add_argument(
        "--laptop-user",
        metavar="NAME",
        help="the laptop's administrator (default: --user); password from "
        "FACILITATOR_LAPTOP_PASSWORD or a prompt",
    )
    moving.add_argument(
        "--same-members",
        action="store_true",
        help="confirm that members whose record numbers the server has already are the same "
        "people (otherwise they are listed, and asked about in a terminal)",
    )
    moving.add_argument(
        "--passwords-file",
        metavar="FILE",
        default="one-time-passwords.txt",
        help="a new file for the new logins' one-time passwords, readable by you only "
        "(default: %(default)s)",
    )
