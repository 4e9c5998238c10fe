"""How a laptop reaches the clinic's PostgreSQL server: who it connects as, and over what.

Everyone connects as their own login role (docs/server.md): the sign-in page's username and
password go to the server as connection parameters, never into a URL, argv or a file. A URL
that carries a password is refused.

Anything other than the local socket or loopback needs TLS with the server's certificate
verified against the clinic's CA (libpq's ``sslmode=verify-full``). The CA file is set once
per laptop (``facilitator server trust FILE``, which copies it into the app's configuration
folder); libpq's own ``sslrootcert`` parameter, ``PGSSLROOTCERT`` or ``~/.postgresql/root.crt``
also count.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import peewee
import psycopg
from psycopg.conninfo import conninfo_to_dict

from facilitator.domain.errors import (
    AuthenticationFailed,
    FacilitatorError,
    RuleViolation,
    ServerUnreachable,
)
from facilitator.store.keys import WRONG_CREDENTIALS
from facilitator.store.locations import APP_NAME, describe
from facilitator.store.server_link import LINK_PARAMETERS, ClinicServerDatabase

LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1"})
CA_FILE_NAME = "clinic-ca.pem"
# Seconds: a server that does not answer is reported, not waited on for minutes.
CONNECT_TIMEOUT = 10
SERVER_GUIDE = "docs/server.md"


def trusted_ca_path() -> Path:
    """Where ``server trust`` keeps the clinic's CA certificate on this laptop."""
    import platformdirs

    return platformdirs.user_config_path(APP_NAME, appauthor=False) / CA_FILE_NAME


def url_parts(url: str) -> dict[str, Any]:
    """libpq's parameters of a URL; a password in it is refused (it would show in ``ps``)."""
    try:
        parts = conninfo_to_dict(url.replace("postgres://", "postgresql://", 1))
    except psycopg.ProgrammingError as exc:
        raise RuleViolation(f"{describe(url)} is not a PostgreSQL URL ({exc})") from None
    if parts.get("password"):
        raise RuleViolation(
            f"the database URL {describe(url)} carries a password, which other programs on "
            "this computer can read; remove it: the app asks for your password, and server "
            "commands read PGPASSWORD or libpq's password file (~/.pgpass)"
        )
    return parts


def is_local(parts: dict[str, Any]) -> bool:
    """The local socket (a folder as host) or loopback: no network in between. Said only of
    what libpq will really use: the URL's host, else PGHOST; a hostaddr beside it (libpq
    connects there, whatever the name); a service file entry is never taken as local."""
    if parts.get("service") or os.environ.get("PGSERVICE"):
        return False
    host = str(parts.get("host") or os.environ.get("PGHOST") or "")
    address = str(parts.get("hostaddr") or os.environ.get("PGHOSTADDR") or "")
    named = all(h in LOCAL_HOSTS or h.startswith("/") for h in host.split(","))
    return named and all(a in ("", "127.0.0.1", "::1") for a in address.split(","))


def _ca_file(parts: dict[str, Any]) -> str | None:
    for candidate in (
        parts.get("sslrootcert"),
        os.environ.get("PGSSLROOTCERT"),
        str(trusted_ca_path()),
        str(Path.home() / ".postgresql" / "root.crt"),
    ):
        if candidate and (candidate == "system" or Path(candidate).is_file()):
            return str(candidate)
    return None


def tls_parameters(url: str, parts: dict[str, Any]) -> dict[str, Any]:
    """verify-full against the clinic's CA for a server across the network; refuses with how
    to fix it when that cannot be had."""
    if is_local(parts):
        return {}
    mode = parts.get("sslmode") or os.environ.get("PGSSLMODE")
    if mode and mode != "verify-full":
        raise RuleViolation(
            f"{describe(url)} asks for sslmode={mode}; the records cross the clinic's network "
            "only over TLS with the server's certificate verified: remove sslmode from the URL "
            f"(see {SERVER_GUIDE})"
        )
    ca_file = _ca_file(parts)
    if ca_file is None:
        raise RuleViolation(
            "this laptop does not yet trust the clinic server's certificate: ask the clinic's "
            "IT for its CA file and run 'facilitator server trust FILE' once "
            f"(see {SERVER_GUIDE})"
        )
    return {"sslmode": "verify-full", "sslrootcert": ca_file}


def connection_parameters(url: str, user: str | None, password: str | None) -> dict[str, Any]:
    """Everything psycopg needs, the password kept out of the URL."""
    parts = url_parts(url)
    params: dict[str, Any] = dict(parts)
    params.update(tls_parameters(url, parts))
    params.setdefault("connect_timeout", CONNECT_TIMEOUT)
    params.setdefault("application_name", "facilitator")
    for name, value in LINK_PARAMETERS.items():
        params.setdefault(name, value)
    if user:
        params["user"] = user
    if password:
        params["password"] = password
    return params


def connect(url: str, user: str | None = None, password: str | None = None) -> peewee.Database:
    """A connected database object for this login (libpq's PGUSER, PGPASSWORD and password
    file when none is given: the server commands of the clinic's IT)."""
    params = connection_parameters(url, user, password)
    dbname = params.pop("dbname", None) or params.get("user") or os.environ.get("PGDATABASE")
    db = ClinicServerDatabase(dbname, prefer_psycopg3=True, **params)
    db.refused = lambda exc: explain_refusal(url, user, exc)
    db.connect()
    return db


# libpq's words for a login it refused; the server says the same for an unknown role, on
# purpose, so a wrong username and a wrong password look alike here too.
_LOGIN_REFUSED = (
    "password authentication failed",
    "is not permitted to log in",
    "no password supplied",
    'role "',
)
_TLS_REFUSED = ("certificate", "ssl", "tls")


def explain_refusal(url: str, user: str | None, exc: Exception) -> FacilitatorError:
    text = str(exc).strip()
    first = text.splitlines()[0] if text else "no answer"
    lowered = text.lower()
    if any(words in lowered for words in _LOGIN_REFUSED):
        if user:
            return AuthenticationFailed(WRONG_CREDENTIALS)
        return AuthenticationFailed(
            f"the server {describe(url)} refused the login: {first} (server commands use "
            "PGUSER and PGPASSWORD or libpq's password file)"
        )
    if "pg_hba.conf" in lowered and "no encryption" in lowered:
        return FacilitatorError(
            f"the server {describe(url)} accepts this laptop only over TLS: {first} "
            f"(see {SERVER_GUIDE})"
        )
    if any(word in lowered for word in _TLS_REFUSED):
        return FacilitatorError(
            f"the server {describe(url)} could not be verified: {first}; check the address "
            f"and that this laptop trusts the clinic's CA (see {SERVER_GUIDE})"
        )
    return ServerUnreachable(f"cannot reach the database server {describe(url)}: {first}")
