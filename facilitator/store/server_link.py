"""The link to the clinic server, and what happens when it breaks.

A server can go away in three ways, and each must end as one ServerUnreachable, soon:
- it stops or restarts: the socket closes and libpq says so at once;
- the network drops packets: TCP keepalives and ``tcp_user_timeout`` (LINK_PARAMETERS) give
  up after a few seconds instead of the system's default of many minutes;
- it hangs (the machine is overloaded or paused) while its kernel still acknowledges packets:
  nothing on the wire ever fails, so ``AnswerWatch`` cuts the socket when a statement has had
  no answer for ``answer_within`` seconds (the window sets 2 s: it never freezes longer).

A broken connection is replaced by a new one at the next statement outside a transaction, so
the laptop reconnects by itself once the server is back. A transaction that was cut is gone on
the server as a whole (PostgreSQL never keeps half of one), so saying "not saved" is true.
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import peewee

from facilitator.domain.errors import FacilitatorError, ServerUnreachable

# libpq's TCP settings (ignored on the local socket): notice a dead peer within ~5 s.
LINK_PARAMETERS: dict[str, Any] = {
    "keepalives": 1,
    "keepalives_idle": 2,
    "keepalives_interval": 1,
    "keepalives_count": 3,
    "tcp_user_timeout": 5000,  # ms: data sent but never acknowledged
}
# The server's own limits on a window's connection (answer_within; it cancels, and says why):
# a lock another seat holds that long means something is stuck, and a transaction left open by
# a vanished laptop must not hold its locks for long. Not on the command line's connections:
# an import waits its turn behind another, and a prompt may come mid-transaction.
WINDOW_LIMITS = {
    "lock_timeout": "1500ms",
    "idle_in_transaction_session_timeout": "30s",
}
UNREACHABLE = "the clinic server is not answering"
LOCK_TIMEOUT = "lock timeout"
HELD_ELSEWHERE = (
    "another seat held this record longer than expected; nothing was saved: try again in a moment"
)


class AnswerWatch:
    """One thread that cuts a connection whose statement has waited too long for its answer.

    Cutting (shutting the socket down) makes the waiting libpq call fail at once, on the
    caller's thread, as if the network had gone; the caller then reports the server as
    unreachable and the next statement connects afresh.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._changed = threading.Condition()
        self._waiting: tuple[float, int] | None = None  # (deadline, the socket's descriptor)
        self.cut = False
        threading.Thread(target=self._watch, name="server answer watch", daemon=True).start()

    @contextlib.contextmanager
    def waiting(self, descriptor: int) -> Iterator[None]:
        with self._changed:
            self._waiting = (time.monotonic() + self.seconds, descriptor)
            self.cut = False
            self._changed.notify()
        try:
            yield
        finally:
            with self._changed:
                self._waiting = None

    def _watch(self) -> None:
        with self._changed:
            while True:
                if self._waiting is None:
                    self._changed.wait()
                    continue
                deadline, descriptor = self._waiting
                left = deadline - time.monotonic()
                if left > 0:
                    self._changed.wait(left)
                    continue
                _shut(descriptor)
                self.cut = True
                self._waiting = None


def _shut(descriptor: int) -> None:
    """Shut the connection's socket down in both directions (its descriptor stays libpq's)."""
    with contextlib.suppress(OSError):
        duplicate = socket.socket(fileno=os.dup(descriptor))
        try:
            duplicate.shutdown(socket.SHUT_RDWR)
        finally:
            duplicate.close()


class ClinicServerDatabase(peewee.PostgresqlDatabase):
    """peewee's PostgreSQL database that reports a lost server as ServerUnreachable and
    connects again on the next statement outside a transaction."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.watch: AnswerWatch | None = None
        self.limits: dict[str, str] = {}
        self._usual_connect_timeout = self.connect_params.get("connect_timeout")
        # What a refused connection means (server_connect.explain_refusal: a wrong password
        # is not an unreachable server).
        self.refused: Callable[[Exception], FacilitatorError] = _unreachable

    def answer_within(self, seconds: float | None) -> None:
        """From now on cut any statement that waits longer than this for the server (None:
        wait as long as the network does), and have the server keep the window's limits."""
        self.watch = AnswerWatch(seconds) if seconds else None
        self.limits = dict(WINDOW_LIMITS) if seconds else {}
        # Connecting again counts too: across a link that drops packets it would otherwise
        # wait the whole connect_timeout (libpq takes whole seconds, and 2 at the least).
        if seconds:
            self.connect_params["connect_timeout"] = max(2, math.ceil(seconds))
        elif self._usual_connect_timeout is not None:
            self.connect_params["connect_timeout"] = self._usual_connect_timeout
        if not self.is_closed() and not self.lost():
            self._apply_limits(self._state.conn)

    def _initialize_connection(self, conn: Any) -> None:
        super()._initialize_connection(conn)
        self._apply_limits(conn)  # every new connection, a reconnect too

    def _apply_limits(self, conn: Any) -> None:
        for name, value in self.limits.items():
            conn.execute(f"SET {name} = '{value}'")

    def lost(self) -> bool:
        """Whether the open connection is broken (the server went, or it was cut)."""
        return not self.is_closed() and bool(self._state.conn.closed)

    def _connected(self) -> None:
        """A usable connection for the next statement: a broken one (outside a transaction)
        is let go, and a new one made."""
        if self.lost() and self.transaction_depth() == 0:
            with contextlib.suppress(Exception):
                self._state.conn.close()
            self._state.reset()
        if self.is_closed():
            self.connect()

    @contextlib.contextmanager
    def _told(self) -> Iterator[None]:
        try:
            yield
        except (peewee.OperationalError, peewee.InterfaceError) as exc:
            if self.is_closed() or self.lost():
                watch = self.watch
                cut = watch is not None and watch.cut
                reason = f"no answer within {watch.seconds:g} s" if watch and cut else _first(exc)
                raise ServerUnreachable(f"{UNREACHABLE} ({reason})") from None
            if LOCK_TIMEOUT in str(exc):
                raise FacilitatorError(HELD_ELSEWHERE) from None
            raise

    def _watched(self) -> contextlib.AbstractContextManager[None]:
        if self.watch is None or self.is_closed():
            return contextlib.nullcontext()
        return self.watch.waiting(self._state.conn.pgconn.socket)

    def connect(self, reuse_if_open: bool = False) -> bool:
        try:
            return bool(super().connect(reuse_if_open))
        except peewee.OperationalError as exc:
            raise self.refused(exc) from None

    def execute_sql(self, sql: str, params: Any = None) -> Any:
        self._connected()
        with self._told(), self._watched():
            return super().execute_sql(sql, params)

    def begin(self, *args: Any, **kwargs: Any) -> None:
        self._connected()
        with self._told(), self._watched():
            super().begin(*args, **kwargs)

    def commit(self) -> None:
        with self._told(), self._watched():
            super().commit()

    def rollback(self) -> None:
        if self.lost():  # the server dropped the transaction with the connection
            return
        with self._told(), self._watched():
            super().rollback()


def _unreachable(exc: Exception) -> FacilitatorError:
    return ServerUnreachable(f"{UNREACHABLE} ({_first(exc)})")


def _first(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
