"""Fixtures shared by the whole suite.

Every store, service and CLI test that takes ``location`` or ``ws`` runs twice: on a real
SQLCipher file and on a real PostgreSQL database of a throwaway server started once per run.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator

import pytest

from facilitator.services import accounts
from facilitator.services.workspace import Workspace
from facilitator.store.keys import FAST_FOR_TESTS

PASSWORD = "test-password-0001"
TEMPLATE = "facilitator_template"
_names = itertools.count(1)
_template: dict[str, str | None] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that spend minutes waiting go first: on several workers (make test), one waits
    while the others get on with the rest, instead of the wait coming last."""
    items.sort(key=lambda item: item.get_closest_marker("long_wait") is None)  # stable


@pytest.fixture(autouse=True)
def backups_in_scratch(tmp_path_factory, monkeypatch):
    """The app's automatic backups go to a scratch folder, never the real user's data folder;
    and the window takes none at sign-in (its thread would write to the trail mid-test), except
    where a test turns it back on."""
    monkeypatch.setenv("FACILITATOR_BACKUP_DIR", str(tmp_path_factory.mktemp("backups")))
    # So does the journal of typing kept through a server outage (services.journal).
    monkeypatch.setenv("FACILITATOR_JOURNAL_DIR", str(tmp_path_factory.mktemp("journals")))
    monkeypatch.setenv("FACILITATOR_DAILY_BACKUP", "off")


@pytest.fixture(autouse=True)
def settings_in_scratch(tmp_path_factory, monkeypatch):
    """What the window remembers on this computer (the last username) goes to a scratch
    folder: in this process through Qt's settings path, in child processes through XDG. So
    does what the app keeps in this computer's state folder (failed sign-ins)."""
    from PySide6.QtCore import QSettings

    folder = str(tmp_path_factory.mktemp("settings"))
    monkeypatch.setenv("XDG_CONFIG_HOME", folder)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, folder)


ADMIN = dict(
    username="ada",
    full_name="Ada Testwood",
    credentials="LCSW",
    program_name="Test Valley IOP (fictitious)",
)


OUTAGE_TEMPLATE = "outage_template"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[object]:
    from facilitator.services import server as clinic_server
    from tests.pgserver import PostgresServer

    with PostgresServer() as server:
        server.create_database(TEMPLATE)
        # Set the template up once as the clinic's IT would (server init, as the superuser);
        # each test copies it. Its administrator ada signs in with her own login.
        report = clinic_server.init(
            server.url(TEMPLATE), password=PASSWORD, kdf=FAST_FOR_TESTS, **ADMIN
        )
        server.template_roles = report.roles
        _template["recovery_key"] = report.recovery_key
        yield server


def _outage_server(server) -> Iterator[object]:
    """A clinic server of its own, set up once as server init does (OUTAGE_TEMPLATE)."""
    from facilitator.services import server as clinic_server

    with server:
        server.create_database(OUTAGE_TEMPLATE)
        url = getattr(server, "verified_url", server.url)(OUTAGE_TEMPLATE)  # TLS off loopback
        report = clinic_server.init(url, password=PASSWORD, kdf=FAST_FOR_TESTS, **ADMIN)
        server.template_roles = report.roles
        yield server


@pytest.fixture(scope="session")
def pausable_server() -> Iterator[object]:
    """A clinic server of its own that tests stop and start again (a real outage); each test
    works on its own copy of a database set up as server init does (``outage_location``)."""
    from tests.pgserver import PostgresServer

    yield from _outage_server(PostgresServer())


@pytest.fixture(scope="session")
def server_behind_link() -> Iterator[object]:
    """A clinic server in a network namespace of its own, whose link tests cut (every packet
    dropped: tests/netns.py); each test works on its own copy (``cut_location``)."""
    from tests.netns import ServerBehindLink

    yield from _outage_server(ServerBehindLink())


def _outage_copy(server) -> Iterator[tuple[object, str, str]]:
    name = f"outage_{next(_names)}"
    server.create_database(name, template=OUTAGE_TEMPLATE)
    with server.connect(autocommit=True) as conn:
        conn.execute(f'REVOKE ALL ON DATABASE "{name}" FROM PUBLIC')
        conn.execute(f'GRANT CONNECT ON DATABASE "{name}" TO "{server.template_roles.staff}"')
    yield server, server.staff_url(name), name
    server.drop_database(name)


@pytest.fixture
def outage_location(pausable_server) -> Iterator[tuple[object, str, str]]:
    """(the pausable server, a URL of a database for this test alone, its name)."""
    yield from _outage_copy(pausable_server)


@pytest.fixture
def cut_location(server_behind_link) -> Iterator[tuple[object, str, str]]:
    """(the server behind a link, a URL of a database for this test alone, its name); this
    laptop trusts the server's CA (the link is not loopback: the app insists on TLS)."""
    from facilitator.services import server as clinic_server

    clinic_server.trust(server_behind_link.ca_file)
    yield from _outage_copy(server_behind_link)


def forget_logins(server) -> None:
    """Logins are the server's, not one database's: what a test made goes, and ada is as
    server init left her, so the next test starts alike."""
    roles = server.template_roles
    with server.connect(autocommit=True) as conn:
        made = conn.execute(
            "SELECT DISTINCT u.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
            " JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = ANY(%s) AND u.rolcanlogin"
            " OR u.rolname <> %s AND g.rolname = ANY(%s)",
            (roles.groups, ADMIN["username"], roles.groups),
        ).fetchall()
        for (name,) in made:
            if name != ADMIN["username"]:
                conn.execute(f'DROP ROLE IF EXISTS "{name}"')
        conn.execute(f"ALTER ROLE {ADMIN['username']} LOGIN PASSWORD '{PASSWORD}'")
        for group in roles.groups:
            conn.execute(f'REVOKE "{group}" FROM {ADMIN["username"]}')
        conn.execute(f'GRANT "{roles.prefix}_admin" TO {ADMIN["username"]}')


@pytest.fixture(params=["sqlcipher", "postgresql"])
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def location(engine: str, tmp_path, request: pytest.FixtureRequest) -> Iterator[str]:
    """Where a fresh, empty database for this test lives (a file path or a URL)."""
    if engine == "sqlcipher":
        yield str(tmp_path / "clinic.db")
        return
    yield from _server_copy(request.getfixturevalue("pg_server"))


@pytest.fixture
def server_location(pg_server) -> Iterator[str]:
    """A clinic server's database for this test alone (a copy of the set-up template)."""
    yield from _server_copy(pg_server)


def _server_copy(server) -> Iterator[str]:
    name = f"test_{next(_names)}"
    server.create_database(name, template=TEMPLATE)
    # A copy does not take its template's database privileges: lock it down as server init
    # locked the template (no TEMP, CONNECT for the clinic's staff only).
    with server.connect(autocommit=True) as conn:
        conn.execute(f'REVOKE ALL ON DATABASE "{name}" FROM PUBLIC')
        conn.execute(f'GRANT CONNECT ON DATABASE "{name}" TO "{server.template_roles.staff}"')
    yield server.staff_url(name)
    server.drop_database(name)
    forget_logins(server)


@pytest.fixture
def sqlite_location(tmp_path) -> str:
    return str(tmp_path / "clinic.db")


def new_workspace(location: str) -> Workspace:
    """A database just set up, signed in as its first administrator ada: a new file; on a
    server, a copy of the template its IT set up."""
    from facilitator.store.locations import is_server_url

    if is_server_url(location):
        ws = accounts.sign_in(location, ADMIN["username"], PASSWORD)
        ws.recovery_key = _template.get("recovery_key")
        return ws
    return accounts.create_database(
        location,
        username="ada",
        password=PASSWORD,
        full_name="Ada Testwood",
        credentials="LCSW",
        program_name="Test Valley IOP (fictitious)",
        kdf=FAST_FOR_TESTS,
    )


@pytest.fixture
def ws(location: str) -> Iterator[Workspace]:
    workspace = new_workspace(location)
    workspace.store.kdf = FAST_FOR_TESTS
    yield workspace
    workspace.close()


@pytest.fixture
def today() -> dt.date:
    return dt.date(2026, 3, 2)  # a Monday
