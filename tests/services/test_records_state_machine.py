"""Random sequences of what happens to records over weeks: create, edit, sign, addend,
co-sign, lock, back up and restore. Whatever the order, signed content never changes, the
audit chain stays valid, every action (done or refused) is in it, and a restored backup
holds exactly the signed content it was taken with."""

import contextlib
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from facilitator.domain.enums import AttendanceStatus, Phase, SessionState
from facilitator.domain.errors import FacilitatorError
from facilitator.domain.records import content_hash
from facilitator.services import accounts, audit, backup, keys, security, sessions, signing
from facilitator.store import audit as audit_store
from tests.conftest import PASSWORD, new_workspace
from tests.factories import group, lead, members

LEAD_PASSWORD = "lead-password-0002"
FIRST_DAY = dt.date(2026, 3, 2)
texts = st.text(max_size=40)


class RecordsMachine(RuleBasedStateMachine):
    @initialize()
    def set_up(self):
        self.folder = Path(tempfile.mkdtemp(prefix="facilitator-records-"))
        self.location = str(self.folder / "clinic.db")
        ws = new_workspace(self.location)
        self.group = group(ws)
        self.members = members(ws, self.group, 2, since=FIRST_DAY - dt.timedelta(days=30))
        lead(ws, LEAD_PASSWORD)
        ws.close()
        self.sign_in()
        self.sessions: list[int] = []
        self.sealed: dict[int, str] = {}
        self.backups: list[tuple[Path, dict[int, str]]] = []
        self.restores = 0

    def sign_in(self):
        self.ws = accounts.sign_in(self.location, "ada", PASSWORD)
        self.lead = keys.act_as(self.ws, "rowan", LEAD_PASSWORD)
        self.expected = self.trail_length()

    def trail_length(self):
        return sum(1 for _ in audit_store.all_entries())

    def teardown(self):
        if hasattr(self, "ws"):
            self.ws.close()
        shutil.rmtree(getattr(self, "folder", ""), ignore_errors=True)

    def call(self, action, *args, **kwargs):
        """One audited service call: done or refused, it adds exactly one audit entry."""
        self.expected += 1
        with contextlib.suppress(FacilitatorError):
            return action(*args, **kwargs)
        return None

    def state_of(self, session_id):
        return sessions.load(session_id).state

    # ----------------------------------------------------------------- rules

    @rule()
    def create(self):
        day = FIRST_DAY + dt.timedelta(days=len(self.sessions))
        changes = self.call(sessions.start_session, self.ws, self.group, date=day)
        assert changes is not None and changes.created_id
        self.sessions.append(changes.created_id)

    @precondition(lambda self: self.sessions)
    @rule(pick=st.integers(0, 50), seat=st.integers(0, 1), text=texts)
    def edit(self, pick, seat, text):
        session_id = self.sessions[pick % len(self.sessions)]
        member = self.members[seat]
        self.call(sessions.record_attendance, self.ws, session_id, member, AttendanceStatus.PRESENT)
        self.call(sessions.write_member_note, self.ws, session_id, member, data=text)

    @precondition(lambda self: self.sessions)
    @rule(pick=st.integers(0, 50))
    def sign(self, pick):
        session_id = self.sessions[pick % len(self.sessions)]
        for member in self.members:
            self.call(
                sessions.record_attendance, self.ws, session_id, member, AttendanceStatus.PRESENT
            )
            self.call(sessions.record_check_in, self.ws, session_id, member, mood=5, craving=2)
            self.call(
                sessions.write_member_note, self.ws, session_id, member,
                data="Shared.", assessment="Engaged.", plan="Continue.",
            )  # fmt: skip
        self.call(
            sessions.write_group_note,
            self.ws,
            session_id,
            topic="Urge surfing",
            interventions="Modelled",
        )
        self.call(sessions.advance_phase, self.ws, session_id, Phase.CHECK_IN)
        was_signed = self.state_of(session_id) is SessionState.SIGNED
        self.call(signing.sign_session, self.ws, session_id, PASSWORD)
        record = sessions.load(session_id)
        if record.state is SessionState.SIGNED and not was_signed:
            self.sealed[session_id] = record.signatures[0].content_hash

    @precondition(lambda self: self.sealed)
    @rule(pick=st.integers(0, 50), text=st.text(min_size=1, max_size=60))
    def addend(self, pick, text):
        session_id = sorted(self.sealed)[pick % len(self.sealed)]
        self.call(
            signing.add_addendum, self.ws, session_id, PASSWORD, reason="Late detail", text=text
        )

    @precondition(lambda self: self.sealed)
    @rule(pick=st.integers(0, 50))
    def cosign(self, pick):
        session_id = sorted(self.sealed)[pick % len(self.sealed)]
        self.call(signing.cosign_session, self.lead, session_id, LEAD_PASSWORD)

    @rule(right=st.booleans())
    def lock(self, right):
        self.expected += 2  # the lock, then the unlock or the failed try
        security.record_lock(self.ws)
        with contextlib.suppress(FacilitatorError):
            security.unlock(self.ws, PASSWORD if right else "not-the-password")

    @rule()
    def back_up(self):
        target = self.folder / f"backup-{len(self.backups)}.db"
        self.call(backup.backup_now, self.ws, target)
        self.backups.append((target, dict(self.sealed)))

    @precondition(lambda self: self.backups)
    @rule()
    def restore(self):
        source, sealed_then = self.backups[-1]
        self.restores += 1
        target = self.folder / f"restored-{self.restores}.db"
        self.ws.close()
        backup.restore(source, str(target), "ada", PASSWORD)
        restored = accounts.sign_in(str(target), "ada", PASSWORD)
        try:
            for session_id, digest in sealed_then.items():
                assert content_hash(sessions.load(session_id)) == digest
            assert audit.verify().ok
        finally:
            restored.close()
        self.sign_in()

    # ----------------------------------------------------------------- invariants

    @invariant()
    def signed_content_never_changes(self):
        if not hasattr(self, "ws"):
            return
        for session_id, digest in self.sealed.items():
            record = sessions.load(session_id)
            assert record.state is SessionState.SIGNED
            assert content_hash(record) == digest

    @invariant()
    def the_chain_holds_and_every_action_is_in_it(self):
        if not hasattr(self, "ws"):
            return
        assert audit.verify().ok
        assert self.trail_length() == self.expected


RecordsMachine.TestCase.settings = settings(
    max_examples=12,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_records_machine = RecordsMachine.TestCase
