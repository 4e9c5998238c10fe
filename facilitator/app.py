"""Entry point: the command line when given a command, otherwise the app's window."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from facilitator import cli
from facilitator.domain.errors import FacilitatorError


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = cli.parse(argv)
    except FacilitatorError as exc:
        return cli.fail(exc.message, exc.exit_code)
    if args.command:
        return cli.run(args)
    # The window asks for passwords itself; nothing it starts inherits one from the shell.
    for name in (cli.ENV_PASSWORD, cli.ENV_NEW_PASSWORD):
        os.environ.pop(name, None)
    # Qt is imported only when a window is wanted, so commands start fast and run headless.
    from facilitator.ui.main_window import run_window

    return run_window(cli.location_of(args), getattr(args, "user", None), sys.argv[:1])
