"""A throwaway PostgreSQL behind a network link the tests can cut: the server runs in a network
namespace of its own, reached over a veth pair, and ``cut()`` takes the server's end of the
link down, so every packet to it is dropped without a word (no refusal, no reset: a pulled
cable, a dead switch). Connections already open hang; new ones fail after ARP gives up.
``mend()`` brings the link back, and TCP carries on where it stopped.

    with ServerBehindLink() as server:
        server.cut(); ...; server.mend()

The link is a network's, not loopback, so the app insists on verified TLS there, as at a
clinic: the server's certificate (for HOST) comes from a test CA whose file laptops trust
(``ca_file``), and staff URLs name HOST and give the address as ``hostaddr``.

Needs root (ip netns), as the rest of the suite does for its servers; ``available()`` says
whether this machine allows network namespaces.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg

from tests.clinic_ca import TestCA
from tests.pgserver import HBA, PostgresServer

HOST = "clinic-db.test"


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)


def available() -> bool:
    probe = f"facprobe{os.getpid()}"
    made = _ip("netns", "add", probe)
    _ip("netns", "del", probe)
    return made.returncode == 0


class ServerBehindLink(PostgresServer):
    """A PostgresServer in a network namespace of its own; this process reaches it over a
    veth pair whose server end ``cut`` takes down."""

    def __init__(self, **kwargs: object) -> None:
        # A /30 of 10.0.0.0/8 of this process's own (process ids fit in 22 bits), so test
        # workers running side by side never share an address or a name.
        base = ipaddress.IPv4Address("10.0.0.0") + (os.getpid() % (1 << 22)) * 4
        self.near, self.far = str(base + 1), str(base + 2)
        self.namespace = f"faccut{os.getpid()}"
        self.near_link, self.far_link = f"fc{os.getpid()}a", f"fc{os.getpid()}b"
        hba = HBA.replace("127.0.0.1/32", f"{self.near}/32")
        self.certificates = Path(tempfile.mkdtemp(prefix="facilitator-cut-ca-"))
        ca = TestCA()
        self.ca_file = ca.write_ca(self.certificates / "clinic-ca.pem")
        tls = (self.certificates / "server.crt", self.certificates / "server.key")
        ca.issue([HOST], *tls)
        super().__init__(hba=hba, tls=tls, **kwargs)  # type: ignore[arg-type]
        self.host = self.far

    def verified_url(self, dbname: str) -> str:
        """The superuser's URL as the app takes it across a network: verified TLS (``server
        init`` is run so by the clinic's IT), the CA named in it."""
        return (
            f"{self.staff_url(dbname).replace('//', '//postgres@', 1)}&sslrootcert={self.ca_file}"
        )

    def staff_url(self, dbname: str) -> str:
        """As a laptop names it: the server's name (its certificate's), its address aside."""
        return f"postgresql://{HOST}:{self.port}/{quote(dbname, safe='')}?hostaddr={self.far}"

    def start(self) -> ServerBehindLink:
        self._make_link()
        try:
            super().start()
        except BaseException:
            self._remove_link()
            raise
        return self

    def _make_link(self) -> None:
        self._remove_link()  # left by a run that was killed outright
        steps = [
            ("netns", "add", self.namespace),
            ("link", "add", self.near_link, "type", "veth", "peer", "name", self.far_link),
            ("link", "set", self.far_link, "netns", self.namespace),
            ("addr", "add", f"{self.near}/30", "dev", self.near_link),
            ("link", "set", self.near_link, "up"),
            ("-n", self.namespace, "addr", "add", f"{self.far}/30", "dev", self.far_link),
            ("-n", self.namespace, "link", "set", self.far_link, "up"),
            ("-n", self.namespace, "link", "set", "lo", "up"),
        ]
        for step in steps:
            done = _ip(*step)
            if done.returncode != 0:
                raise RuntimeError(f"ip {' '.join(step)}: {done.stderr.strip()}")

    def _remove_link(self) -> None:
        _ip("netns", "del", self.namespace)  # takes the far end with it, and so the pair
        _ip("link", "del", self.near_link)

    def _command(self, program: str, *args: str) -> list[str]:
        return ["ip", "netns", "exec", self.namespace, *super()._command(program, *args)]

    def _initdb(self) -> None:
        super()._initdb()
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(f"listen_addresses = '{self.far}'\n")  # the last setting wins

    def connect(self, dbname: str = "postgres", **kwargs: Any) -> psycopg.Connection[Any]:
        """The harness's connection. Once, right after the link is mended, the server may still
        hold its half of a connection from a process killed during the cut, on the very port
        the kernel gives this one: that first try is reset, and a second goes through."""
        try:
            return super().connect(dbname, **kwargs)
        except psycopg.OperationalError:
            return super().connect(dbname, **kwargs)

    def cut(self) -> None:
        """Drop every packet to the server from now on."""
        self._link("down")

    def mend(self) -> None:
        self._link("up")

    def _link(self, state: str) -> None:
        done = _ip("-n", self.namespace, "link", "set", self.far_link, state)
        if done.returncode != 0:
            raise RuntimeError(f"could not set the server's link {state}: {done.stderr.strip()}")

    def stop(self) -> None:
        try:
            super().stop()
        finally:
            self._remove_link()
            shutil.rmtree(self.certificates, ignore_errors=True)
