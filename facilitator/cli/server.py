"""The clinic server's commands, for its IT: init, upgrade, trust (docs/server.md).

init and upgrade connect as libpq's PGUSER, with PGPASSWORD or the password file: a role that
may create roles. The new administrator's password comes from FACILITATOR_NEW_PASSWORD or a
prompt. No password is ever taken from argv or a URL.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from facilitator.cli.common import (
    ENV_NEW_PASSWORD,
    _sign_in,
    location_of,
    password_from_env_or_prompt,
    username_of,
)
from facilitator.domain.errors import UsageError
from facilitator.domain.rules import normalise_recovery_key
from facilitator.store import locations

if TYPE_CHECKING:
    from facilitator.services.moving_in import ImportReport, MemberMatch

ENV_RECOVERY_KEY = "FACILITATOR_RECOVERY_KEY"


def _server_location(args: argparse.Namespace) -> str:
    location = location_of(args)
    if not locations.is_server_url(location):
        raise UsageError(f"--db must be a postgresql:// URL for a server command (not {location})")
    return location


def cmd_server_init(args: argparse.Namespace) -> int:
    from facilitator.services import server

    location = _server_location(args)
    password = password_from_env_or_prompt(
        f"New password for {args.admin}: ", env=ENV_NEW_PASSWORD, confirm=True
    )
    report = server.init(
        location,
        username=args.admin,
        password=password,
        full_name=args.name,
        credentials=args.credentials,
        program_name=args.program,
    )
    where = locations.describe(location)
    print(
        f"set up {where}: schema owned by {report.roles.owner} (no login), staff groups "
        f"{', '.join(report.roles.groups)}"
    )
    if report.created is None:
        print(f"already set up; administrators: {', '.join(report.administrators)}")
        return 0
    print(f"created administrator {report.created}, who signs in with their own login")
    print(f"recovery key (print it and lock it away; it is not shown again): {report.recovery_key}")
    return 0


def cmd_server_upgrade(args: argparse.Namespace) -> int:
    from facilitator.services import server

    location = _server_location(args)
    applied = server.upgrade(location)
    where = locations.describe(location)
    if applied:
        print(f"upgraded {where}: applied {', '.join(applied)}; privileges set afresh")
    else:
        print(f"{where} is up to date; privileges set afresh")
    return 0


def cmd_server_trust(args: argparse.Namespace) -> int:
    from facilitator.services import server

    target = server.trust(Path(args.ca_file))
    print(f"this laptop now trusts the clinic's CA in {args.ca_file} (kept in {target})")
    return 0


def cmd_server_reset_admin(args: argparse.Namespace) -> int:
    from facilitator.services import server

    location = _server_location(args)
    key = password_from_env_or_prompt("Recovery key: ", env=ENV_RECOVERY_KEY)
    password = password_from_env_or_prompt(
        f"New password for {args.username}: ", env=ENV_NEW_PASSWORD, confirm=True
    )
    server.reset_admin(location, normalise_recovery_key(key), args.username, password)
    print(f"{args.username} has a new password and a new signing key, certified by the root key")
    return 0


ENV_LAPTOP_PASSWORD = "FACILITATOR_LAPTOP_PASSWORD"


def cmd_server_import(args: argparse.Namespace) -> int:
    """Sign in to the server as its administrator, read the laptop as its administrator, say
    who and what meets what, bring it all in, and print the counts before and after."""
    import os

    from facilitator.services import moving_in

    _server_location(args)
    laptop_user = args.laptop_user or username_of(args)
    passwords_file = Path(args.passwords_file)
    ws = _sign_in(args)
    try:
        laptop_password = password_from_env_or_prompt(
            f"Password for {laptop_user} on {Path(args.laptop_db).name}: ", env=ENV_LAPTOP_PASSWORD
        )
        laptop = moving_in.read_laptop(Path(args.laptop_db), laptop_user, laptop_password)
        found = moving_in.plan(ws, laptop)
        same_members = args.same_members or _confirm_members(found.members)
        new_logins = any(row["active"] for row in found.users_new)
        descriptor = moving_in.claim_passwords_file(passwords_file) if new_logins else None
        try:
            report = moving_in.bring_in(ws, laptop, found, same_members=same_members)
        except BaseException:
            if descriptor is not None:
                os.close(descriptor)
                passwords_file.unlink(missing_ok=True)
            raise
        if descriptor is not None:
            moving_in.write_passwords(descriptor, report)
    finally:
        ws.close()
    _print_import(report, passwords_file)
    return 0


def _confirm_members(matches: list[MemberMatch]) -> bool:
    """The members both databases hold (by record number), listed; in a terminal, asked."""
    if not matches:
        return False
    print(f"{len(matches)} member(s) on the laptop have record numbers the server has already:")
    for match in matches:
        print(f"  {match.record_number}: {match.on_laptop} (laptop) = {match.on_server} (server)")
    if not sys.stdin.isatty():
        return False
    try:
        answer = input("Are these the same people, to be kept as one record each? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def _print_import(report: ImportReport, passwords_file: Path) -> None:
    print(
        f"laptop import {report.import_id}: root key {report.laptop_root}, audit trail "
        f"{report.audit_head}"
    )
    print(f"{'table':<22}{'before':>8}{'laptop':>8}{'same':>8}{'after':>8}")
    for table, after in report.after.items():
        brought, same = report.brought.get(table, 0), report.matched.get(table, 0)
        print(f"{table:<22}{report.before[table]:>8}{brought:>8}{same:>8}{after:>8}")
    print(
        "(same: the laptop's rows that are the server's own; the server's audit trail and keys "
        "also gain the import's own entries and the new logins' keys)"
    )
    if report.users_matched:
        print("already on the server: " + ", ".join(report.users_matched))
    if report.matched.get("member"):
        print(f"{report.matched['member']} member(s) kept as one record with the server's")
    for old, new in report.groups_renamed:
        print(f"group {old!r} is {new!r} on the server (the name was taken)")
    if report.users_added:
        print(
            f"new logins: {', '.join(report.users_added)}; their one-time passwords are in "
            f"{passwords_file} (readable by you only): hand each to its owner, then delete it"
        )
    print("run 'facilitator check' to verify every signature, key and audit entry")
