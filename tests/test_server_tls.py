"""Across the clinic's network the app speaks only TLS, with the server's certificate verified
against the clinic's CA (issue 12): a real PostgreSQL with ssl = on and a test CA.

The server listens on loopback; the laptops' URL names it ``clinic-db.test`` and tells libpq
its address (``hostaddr``), so the connection is treated, and verified, as one across a
network: the certificate must match the name.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from facilitator.domain.errors import AuthenticationFailed, FacilitatorError, RuleViolation
from facilitator.services import accounts
from facilitator.services import server as clinic_server
from facilitator.store.keys import FAST_FOR_TESTS
from tests.clinic_ca import TestCA
from tests.conftest import ADMIN, PASSWORD
from tests.pgserver import PostgresServer

HOST = "clinic-db.test"
# Staff only over TLS; the harness's superuser on loopback as before.
TLS_HBA = """\
host       all  postgres  127.0.0.1/32  trust
hostssl    all  all       127.0.0.1/32  scram-sha-256
hostnossl  all  all       127.0.0.1/32  reject
"""


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    ca = TestCA()
    ca.write_ca(folder / "clinic-ca.pem")
    ca.issue([HOST], folder / "server.crt", folder / "server.key")
    other = TestCA("Some Other CA")
    other.write_ca(folder / "other-ca.pem")
    with PostgresServer(tls=(folder / "server.crt", folder / "server.key"), hba=TLS_HBA) as pg:
        pg.create_database("clinic")
        clinic_server.init(pg.url("clinic"), password=PASSWORD, kdf=FAST_FOR_TESTS, **ADMIN)
        pg.ca_folder = folder
        yield pg


def url(pg, host=HOST, extra=""):
    return f"postgresql://{host}:{pg.port}/clinic?hostaddr=127.0.0.1{extra}"


@pytest.fixture(autouse=True)
def no_ca_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("PGSSLROOTCERT", raising=False)
    monkeypatch.delenv("PGSSLMODE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.postgresql/root.crt of the machine's


def test_a_laptop_that_trusts_the_clinics_ca_connects_over_verified_tls(tls_server):
    with pytest.raises(RuleViolation, match="server trust"):
        accounts.sign_in(url(tls_server), "ada", PASSWORD)
    clinic_server.trust(tls_server.ca_folder / "clinic-ca.pem")
    ws = accounts.sign_in(url(tls_server), "ada", PASSWORD)
    try:
        row = ws.store.db.execute_sql(
            "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
        ).fetchone()
        assert row[0] is True and row[1].startswith("TLS")
    finally:
        ws.close()
    with pytest.raises(AuthenticationFailed):
        accounts.sign_in(url(tls_server), "ada", "not-her-password-1")


def test_the_wrong_ca_and_the_wrong_host_name_are_refused(tls_server):
    clinic_server.trust(tls_server.ca_folder / "other-ca.pem")
    with pytest.raises(FacilitatorError, match="could not be verified") as refused:
        accounts.sign_in(url(tls_server), "ada", PASSWORD)
    assert "certificate verify failed" in str(refused.value)
    clinic_server.trust(tls_server.ca_folder / "clinic-ca.pem")
    with pytest.raises(FacilitatorError, match="could not be verified") as refused:
        accounts.sign_in(url(tls_server, host="not-the-clinic.test"), "ada", PASSWORD)
    assert "not-the-clinic.test" in str(refused.value)


def test_plain_tcp_is_refused_by_the_app_and_by_the_server(tls_server):
    clinic_server.trust(tls_server.ca_folder / "clinic-ca.pem")
    for mode in ("disable", "prefer", "require", "verify-ca"):
        with pytest.raises(RuleViolation, match=f"sslmode={mode}"):
            accounts.sign_in(url(tls_server, extra=f"&sslmode={mode}"), "ada", PASSWORD)
    # psql as a staff login without TLS: the server itself says no.
    psql = tls_server.bin / "psql"
    done = subprocess.run(
        [str(psql), "-h", "127.0.0.1", "-p", str(tls_server.port), "-U", "ada", "-d", "clinic",
         "-c", "SELECT 1"],
        env={**os.environ, "PGPASSWORD": PASSWORD, "PGSSLMODE": "disable"},
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode != 0
    assert "no encryption" in done.stderr


def test_a_url_with_a_password_is_refused_and_never_echoed(tls_server):
    leaky = f"postgresql://ada:{PASSWORD}@127.0.0.1:{tls_server.port}/clinic"
    with pytest.raises(RuleViolation, match="carries a password") as refused:
        accounts.sign_in(leaky, "ada", PASSWORD)
    assert PASSWORD not in str(refused.value)


def test_a_connection_counts_as_local_only_where_libpq_really_goes(monkeypatch):
    """A review found three ways past the TLS rule: a loopback name with another address,
    a host from the environment, a service file entry. Each now needs verified TLS."""
    from facilitator.store import server_connect

    for url, env in (
        ("postgresql://localhost/clinic?hostaddr=192.0.2.10", {}),
        ("postgresql:///clinic", {"PGHOST": "clinic-db.test"}),
        ("postgresql:///clinic?service=clinic", {}),
        ("postgresql://127.0.0.1/clinic", {"PGHOSTADDR": "192.0.2.10"}),
    ):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        with pytest.raises(RuleViolation, match="server trust"):
            server_connect.connection_parameters(url, "ada", PASSWORD)
        for name in env:
            monkeypatch.delenv(name)
    for url in (
        "postgresql://127.0.0.1/clinic",
        "postgresql:///clinic",
        "postgresql://localhost/c",
    ):
        assert "sslmode" not in server_connect.connection_parameters(url, "ada", PASSWORD)
