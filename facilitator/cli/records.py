"""Commands about the database itself: set-up, users, checks, backups, the audit trail."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from facilitator.cli.common import (
    ENV_NEW_PASSWORD,
    PROG,
    Progress,
    _sign_in,
    location_of,
    password_from_env_or_prompt,
    username_of,
)
from facilitator.domain.enums import Role
from facilitator.domain.errors import UsageError
from facilitator.services import startup
from facilitator.store import locations

if TYPE_CHECKING:
    from facilitator.services.workspace import Workspace

Pages = Callable[[int, int], None]  # a progress callback: pages done, pages in all


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
        found = home.list_sessions(args.date_from, args.date_to, args.group, ws)
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


def cmd_users_password(args: argparse.Namespace) -> int:
    from facilitator.services import accounts

    user = username_of(args)
    current = password_from_env_or_prompt(f"Current password for {user}: ")
    ws = _sign_in(args, current, choosing=True)
    try:
        new = password_from_env_or_prompt(
            f"New password for {user}: ", env=ENV_NEW_PASSWORD, confirm=True
        )
        accounts.change_own_password(ws, current, new)
    finally:
        ws.close()
    print(f"{user} has a new password")
    return 0


def cmd_users_deactivate(args: argparse.Namespace) -> int:
    from facilitator.services import accounts

    _re_encrypting(args, lambda ws, pages: accounts.deactivate_user(ws, args.username, pages))
    rotated = "" if locations.is_server_url(location_of(args)) else "; database re-encrypted"
    print(f"deactivated {args.username}{rotated}")
    return 0


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    from facilitator.services import keys

    _re_encrypting(args, lambda ws, pages: keys.rotate_database_key(ws, progress=pages))
    print(f"re-encrypted {location_of(args)} under a new key; every user keeps their password")
    return 0


def _re_encrypting(args: argparse.Namespace, work: Callable[[Workspace, Pages], object]) -> None:
    """Sign in and do work that re-encrypts the database, its pages shown on a terminal."""
    ws = _sign_in(args)
    try:
        progress = Progress(0)
        work(ws, progress.pages)
        progress.finish()
    finally:
        ws.close()


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
    head = backup.head_path_for(report.path)
    print(f"audit trail head {head.read_text().strip()} kept in {head.name}")
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
    if report.laptop_entries:
        print(f"ok: so are the {report.laptop_entries} entries of the laptops brought in")
    return 0


def cmd_groups_staff(args: argparse.Namespace) -> int:
    from facilitator.services import visibility

    ws = _sign_in(args)
    try:
        found = visibility.assign_by_name(
            ws, args.group, args.username, cover_from=args.cover_from, cover_until=args.cover_until
        )
    finally:
        ws.close()
    if args.cover_from or args.cover_until:
        print(f"{args.username} covers {found.name} from {args.cover_from} to {args.cover_until}")
    else:
        print(f"{args.username} staffs {found.name}")
    return 0
