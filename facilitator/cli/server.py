"""The clinic server's commands, for its IT: init, upgrade, trust (docs/server.md).

init and upgrade connect as libpq's PGUSER, with PGPASSWORD or the password file: a role that
may create roles. The new administrator's password comes from FACILITATOR_NEW_PASSWORD or a
prompt. No password is ever taken from argv or a URL.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from facilitator.cli.common import ENV_NEW_PASSWORD, location_of, password_from_env_or_prompt
from facilitator.domain.errors import UsageError
from facilitator.domain.rules import normalise_recovery_key
from facilitator.store import locations

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
