"""The command line: a contract clinic scripts rely on.

    facilitator [--db PATH|URL] [--user NAME] [COMMAND]

Exit codes: 0 ok, 2 usage, 3 authentication failed, 4 not found, 5 integrity problem,
1 anything else. Every error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from facilitator.domain.enums import HomeworkCategory, Role
from facilitator.domain.errors import (
    AuthenticationFailed,
    FacilitatorError,
    NotAllowed,
    NotFound,
    UsageError,
)
from facilitator.services import startup
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


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{PROG} --help')")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-31") from None


READER_GONE = 141  # what a shell reports for a process ended by a closed pipe (128 + SIGPIPE)
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
    return parser


# ----------------------------------------------------------------------------- helpers


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


def _sign_in(args: argparse.Namespace) -> Workspace:
    from facilitator.services import accounts

    user = username_of(args)
    return accounts.sign_in(
        location_of(args), user, password_from_env_or_prompt(f"Password for {user}: ")
    )


# ----------------------------------------------------------------------------- commands


def cmd_demo(args: argparse.Namespace) -> int:
    if not getattr(args, "db", None):
        raise UsageError("demo needs --db PATH for the new demo database")
    if not 1 <= args.groups <= 200 or not 1 <= args.weeks <= 1040:
        raise UsageError("--groups is 1-200 and --weeks is 1-1040")
    password = password_from_env_or_prompt("Password for the demo user: ", confirm=True)
    from facilitator.services import demo  # only this command needs the generator

    started = dt.datetime.now()
    summary = demo.create_demo(
        location_of(args),
        password,
        groups=args.groups,
        weeks=args.weeks,
        seed=args.seed,
        until=args.until,
    )
    seconds = (dt.datetime.now() - started).total_seconds()
    print(
        f"demo database {locations.describe(location_of(args))}: {summary.groups} groups, {summary.members} members, "
        f"{summary.sessions} sessions ({summary.unsigned} unsigned) in {seconds:.1f} s; user 'demo'"
    )
    return 0


def cmd_list_sessions(args: argparse.Namespace) -> int:
    from facilitator.services import home

    ws = _sign_in(args)
    try:
        found = home.list_sessions(args.date_from, args.date_to, args.group)
    finally:
        ws.close()
    if args.json:
        rows = [
            {
                "id": s.id,
                "group": s.group,
                "date": s.date.isoformat(),
                "state": s.state,
                "members": [
                    {"id": m.id, "name": m.name, "attendance": m.attendance} for m in s.members
                ],
            }
            for s in found
        ]
        import json

        print(json.dumps(rows, ensure_ascii=False))
    else:
        for s in found:
            present = sum(1 for m in s.members if m.attendance in ("present", "late", "left_early"))
            print(f"{s.id:>7}  {s.date}  {s.state:<6}  {present:>2}/{len(s.members):<2}  {s.group}")
    return 0


def cmd_users_add(args: argparse.Namespace) -> int:
    location = location_of(args)
    from facilitator.services import accounts

    if startup.needs_setup(location):
        # A new embedded database: the first user is its administrator and opens it.
        password = password_from_env_or_prompt(f"New password for {args.username}: ", confirm=True)
        ws = accounts.create_database(
            location,
            username=args.username,
            password=password,
            full_name=args.name,
            credentials=args.credentials,
            program_name=args.program,
        )
        key, ws.recovery_key = ws.recovery_key, None
        ws.close()
        print(f"created {location} with administrator {args.username}")
        # Shown this once: it resets an administrator's password if all are lost.
        print(f"recovery key (print it and lock it away; it is not shown again): {key}")
        return 0
    ws = _sign_in(args)
    try:
        password = password_from_env_or_prompt(
            f"New password for {args.username}: ", env=ENV_NEW_PASSWORD, confirm=True
        )
        accounts.add_user(
            ws,
            username=args.username,
            password=password,
            full_name=args.name,
            credentials=args.credentials,
            role=Role(args.role or Role.FACILITATOR),
        )
    finally:
        ws.close()
    print(f"added user {args.username}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from facilitator.services import integrity
    from facilitator.services.trust import parse_head

    head = parse_head(args.head) if args.head else None
    ws = _sign_in(args)
    try:
        report = integrity.check(ws, root=args.root, head=head)
    finally:
        ws.close()
    if not report.ok:
        for line in (*report.problems, *report.notes):
            print(line)
        print(
            f"{PROG}: {len(report.problems)} integrity problem(s) found: the database is damaged "
            "or was altered; restore the last good backup ('facilitator restore')",
            file=sys.stderr,
        )
        return 5
    print(f"ok: database intact, {report.signed_sessions} signed sessions match their signatures")
    for note in report.notes:  # after the first line, which scripts read
        print(note)
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from facilitator.services import backup

    location = location_of(args)
    if locations.is_server_url(location):
        raise UsageError(backup.SERVER_MESSAGE)
    ws = _sign_in(args)
    try:
        report = backup.backup_now(ws, Path(args.output))
    finally:
        ws.close()
    print(
        f"backed up {location} to {report.path} and {report.keys_path.name} "
        f"({report.rows} rows in {report.tables} tables, verified); keep the two files together"
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Restore into a new location; the user's password in the backup's key file checks it."""
    from facilitator.services import backup

    location = location_of(args)
    if locations.is_server_url(location):
        raise UsageError(backup.SERVER_MESSAGE)
    user = username_of(args)
    password = password_from_env_or_prompt(f"Password for {user} (in the backup): ")
    report = backup.restore(Path(args.file), location, user, password)
    print(
        f"restored {args.file} to {report.path} ({report.rows} rows in {report.tables} tables, "
        "checked); its users sign in with the passwords they had"
    )
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from facilitator.services import audit
    from facilitator.services.trust import parse_head

    head = parse_head(args.head) if args.head else None
    ws = _sign_in(args)
    try:
        report = audit.verify(head)
    finally:
        ws.close()
    for problem in report.problems:
        print(problem)
    if not report.ok:
        first = (
            f"audit entry {report.broken_at} {report.reason}"
            if report.broken_at is not None
            else f"{len(report.problems)} problem(s) in the audit trail"
        )
        print(f"{PROG}: {first}", file=sys.stderr)
        return 5
    print(
        f"ok: the audit trail's {report.entries} entries are intact, in order and signed by "
        f"their users; head {report.head}"
    )
    return 0


def cmd_library_list(args: argparse.Namespace) -> int:
    from facilitator.services import library

    ws = _sign_in(args)
    try:
        items = library.search(category=args.category)
    finally:
        ws.close()
    if args.json:
        import json

        fields = ("id", "title", "category", "module", "minutes", "version")
        print(json.dumps([{f: getattr(i, f) for f in fields} for i in items], ensure_ascii=False))
    else:
        for i in items:
            print(
                f"{i.id:>5}  {i.category:<18}  {i.module:<28}  {i.minutes:>3} min  v{i.version}  {i.title}"
            )
    return 0


def cmd_library_export(args: argparse.Namespace) -> int:
    from facilitator.services import library

    ws = _sign_in(args)
    try:
        text = library.export_item(args.id)
    finally:
        ws.close()
    write_text_atomically(str(output_of(args)), text)
    print(f"exported item {args.id} to {args.output}")
    return 0


def cmd_library_import(args: argparse.Namespace) -> int:
    from facilitator.services import library

    text = read_text(args.file)
    ws = _sign_in(args)
    try:
        changes = library.import_item(ws, text, os.path.basename(args.file))
        item = library.get_item(changes.created_id or 0)
    finally:
        ws.close()
    print(f"imported {item.title!r} as item {item.id}")
    return 0


def cmd_export_handout(args: argparse.Namespace) -> int:
    from facilitator.export.handout import write_handout
    from facilitator.services import accounts, library, roster

    ws = _sign_in(args)
    try:
        item = library.get_item(args.id)
        member = roster.get_member(args.member).display_name if args.member else None
        program = accounts.program_name()
    finally:
        ws.close()
    _written(
        output_of(args), lambda path: write_handout(path, item, program=program, member_name=member)
    )
    print(f"wrote the handout for {item.title!r} to {args.output}")
    return 0


def _written(path: Path, write: Callable[[Path], object]) -> None:
    """Write a PDF; a folder that is missing or not writable is one clear line."""
    try:
        write(path)
    except OSError as exc:
        raise FacilitatorError(f"cannot write {path}: {exc.strerror or exc}") from None


def cmd_export_session(args: argparse.Namespace) -> int:
    from facilitator.domain.audit import RecordKind
    from facilitator.export.session_record import write_session_record
    from facilitator.services import documents

    ws = _sign_in(args)
    try:
        doc = documents.session_document(ws, args.id)
        _written(output_of(args), lambda path: write_session_record(path, doc))
        documents.record_output(ws, RecordKind.SESSION, args.id)
    finally:
        ws.close()
    print(f"wrote session {args.id} to {args.output}")
    return 0


def cmd_export_member_note(args: argparse.Namespace) -> int:
    from facilitator.domain.audit import RecordKind
    from facilitator.export.member_note import write_member_note
    from facilitator.services import documents

    ws = _sign_in(args)
    try:
        doc = documents.member_note_document(ws, args.session_id, args.member_id)
        _written(output_of(args), lambda path: write_member_note(path, doc))
        documents.record_output(
            ws, RecordKind.MEMBER_NOTE, args.session_id, member_id=args.member_id
        )
    finally:
        ws.close()
    print(
        f"wrote the note of member {args.member_id} in session {args.session_id} to {args.output}"
    )
    return 0


def cmd_export_sign_in(args: argparse.Namespace) -> int:
    from facilitator.domain.audit import RecordKind
    from facilitator.export.sign_in import write_sign_in
    from facilitator.services import documents

    ws = _sign_in(args)
    try:
        sheet = documents.sign_in_sheet(ws, args.id)
        _written(output_of(args), lambda path: write_sign_in(path, sheet))
        documents.record_output(ws, RecordKind.SIGN_IN, args.id)
    finally:
        ws.close()
    print(f"wrote the sign-in sheet of session {args.id} to {args.output}")
    return 0


def cmd_export_sessions(args: argparse.Namespace) -> int:
    """One PDF per session, named by date, group id and session id; a progress bar on a tty."""
    folder = Path(args.output)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{args.output} is a file; -o takes a folder")
    ws = _sign_in(args)
    try:
        from facilitator.services import documents

        found = documents.session_ids_between(args.date_from, args.date_to, args.group)
        ids = documents.visible_session_ids(ws, found)
        if found and not ids:
            raise NotAllowed("not allowed: these sessions are of groups you do not staff")
        _refuse_existing_records(folder, ids, args.force)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FacilitatorError(f"cannot create {args.output}: {exc.strerror}") from None
        progress = Progress(len(ids))
        written = export_session_records(
            ws, ids, folder, progress.show, lambda path: _safe(path, args)
        )
        progress.finish()
    finally:
        ws.close()
    left_out = len(found) - len(ids)
    note = f" ({left_out} of groups you do not staff left out)" if left_out else ""
    print(f"wrote {written} session records to {args.output}{note}")
    return 0


def _refuse_existing_records(folder: Path, ids: list[int], force: bool) -> None:
    """Nothing is written when any record would replace an earlier file, unless --force."""
    wanted = set(ids)
    found = [
        path.name
        for path in (folder.glob("*-session*.pdf") if folder.is_dir() else ())
        if (number := path.stem.rpartition("-session")[2]).isdigit() and int(number) in wanted
    ]
    if found and not force:
        raise FacilitatorError(
            f"{len(found)} of these records are already in {folder} (e.g. {found[0]}); "
            "add --force to replace them"
        )


def _safe(path: Path, args: argparse.Namespace) -> Path:
    from facilitator.services.outputs import output_path

    return output_path(path, database=location_of(args), force=True)


def export_session_records(
    ws: Workspace,
    ids: list[int],
    folder: Path,
    shown: Callable[[int], None],
    output: Callable[[Path], Path] = lambda path: path,
) -> int:
    """Read each session here and lay its PDF out in worker processes (one per core); each
    file written is audited. The bench times exactly this."""
    from facilitator.domain.audit import RecordKind
    from facilitator.export.batch import default_workers, write_session_records
    from facilitator.services import documents

    def jobs() -> Iterator[tuple[int, Path, Any]]:
        for session_id in ids:
            doc = documents.session_document(ws, session_id)
            name = (
                f"{doc.record.date.isoformat()}-group{doc.record.group_id}-session{session_id}.pdf"
            )
            yield session_id, output(folder / name), doc

    done = 0

    def written(session_id: int) -> None:
        nonlocal done
        documents.record_output(ws, RecordKind.SESSION, session_id)
        done += 1
        shown(done)

    try:
        return write_session_records(jobs(), workers=default_workers(), written=written)
    except OSError as exc:
        raise FacilitatorError(f"cannot write in {folder}: {exc.strerror or exc}") from None


def cmd_report(args: argparse.Namespace) -> int:
    from facilitator.domain.audit import RecordKind
    from facilitator.export.lead_report import write_lead_report
    from facilitator.services import documents

    ws = _sign_in(args)
    try:
        report = documents.lead_report(ws, args.date_from, args.date_to, args.group)
        _written(output_of(args), lambda path: write_lead_report(path, report))
        documents.record_output(ws, RecordKind.LEAD_REPORT, None)
    finally:
        ws.close()
    print(f"wrote the summary of {len(report.sessions)} sessions to {args.output}")
    return 0


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


COMMANDS: dict[tuple[str, str | None], Callable[[argparse.Namespace], int]] = {
    ("demo", None): cmd_demo,
    ("list", "sessions"): cmd_list_sessions,
    ("users", "add"): cmd_users_add,
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


def fail(message: str, code: int) -> int:
    first_line = message.strip().splitlines()[0] if message.strip() else "failed"
    print(f"{PROG}: {first_line}", file=sys.stderr)
    return code
