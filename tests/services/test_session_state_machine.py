"""Random sequences of session actions never break the record's rules.

Whatever a facilitator clicks in whatever order: signed content never changes, absent members
never carry a check-in or note, and every refusal is a FacilitatorError (a clear message), never
a crash.
"""

import contextlib
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from facilitator.domain.enums import PHASE_ORDER, AttendanceStatus, SessionState
from facilitator.domain.errors import FacilitatorError
from facilitator.domain.records import content_hash
from facilitator.services import homework, sessions, signing
from facilitator.store import library
from tests.conftest import PASSWORD, new_workspace
from tests.factories import group, members, started
from tests.services.test_homework import ITEM

SEATS = 4
statuses = st.sampled_from(list(AttendanceStatus))
times = st.one_of(
    st.none(), st.builds(dt.time, st.integers(17, 21), st.sampled_from([0, 15, 30, 45]))
)
ratings = st.one_of(st.none(), st.integers(-2, 12))
texts = st.text(max_size=30)


class SessionMachine(RuleBasedStateMachine):
    @initialize()
    def open_session(self):
        self.folder = Path(tempfile.mkdtemp(prefix="facilitator-sm-"))
        self.ws = new_workspace(str(self.folder / "clinic.db"))
        group_id = group(self.ws)
        self.members = members(self.ws, group_id, SEATS)
        self.item = library.add_item(**ITEM)
        self.session = started(self.ws, group_id, dt.date(2026, 3, 2))
        self.sealed: tuple[str, object] | None = None

    def teardown(self):
        if hasattr(self, "ws"):
            self.ws.close()
            shutil.rmtree(self.folder, ignore_errors=True)

    def attempt(self, action):
        with contextlib.suppress(FacilitatorError):  # a refusal with a message is allowed
            action()

    @rule(seat=st.integers(0, SEATS - 1), status=statuses, arrival=times, departure=times)
    def mark(self, seat, status, arrival, departure):
        self.attempt(
            lambda: sessions.record_attendance(
                self.ws,
                self.session,
                self.members[seat],
                status,
                arrival=arrival,
                departure=departure,
            )
        )

    @rule(
        seat=st.integers(0, SEATS - 1),
        mood=ratings,
        craving=ratings,
        safety=st.booleans(),
        text=texts,
    )
    def check_in(self, seat, mood, craving, safety, text):
        self.attempt(
            lambda: sessions.record_check_in(
                self.ws,
                self.session,
                self.members[seat],
                mood=mood,
                craving=craving,
                safety_concern=safety,
                safety_follow_up=text,
                current_issue=text,
            )
        )

    @rule(seat=st.integers(0, SEATS - 1), text=texts)
    def note(self, seat, text):
        self.attempt(
            lambda: sessions.write_member_note(
                self.ws, self.session, self.members[seat], data=text, plan=text
            )
        )

    @rule(topic=texts)
    def group_note(self, topic):
        self.attempt(
            lambda: sessions.write_group_note(self.ws, self.session, topic=topic, narrative=topic)
        )

    @rule(phase=st.one_of(st.none(), st.sampled_from(PHASE_ORDER)))
    def move(self, phase):
        self.attempt(lambda: sessions.advance_phase(self.ws, self.session, phase))

    @rule()
    def give_homework(self):
        self.attempt(lambda: homework.assign_homework(self.ws, self.session, self.item))

    @rule()
    def finish_paperwork(self):
        """What a facilitator does before signing: fill every gap the checklist names."""

        def fill():
            record = sessions.load(self.session)
            for attendee in record.attendance:
                if attendee.status is None:
                    sessions.record_attendance(
                        self.ws, self.session, attendee.member_id, AttendanceStatus.PRESENT
                    )
            for check_in in record.check_ins:
                if check_in.safety_concern and not check_in.safety_follow_up.strip():
                    sessions.record_check_in(
                        self.ws,
                        self.session,
                        check_in.member_id,
                        mood=check_in.mood,
                        safety_concern=True,
                        safety_follow_up="Safety plan reviewed",
                    )
            for attendee in sessions.load(self.session).present:
                sessions.write_member_note(
                    self.ws, self.session, attendee.member_id, data="Shared.", plan="Continue."
                )
            sessions.write_group_note(self.ws, self.session, topic="Urge surfing")

        self.attempt(fill)

    @rule(password=st.sampled_from([PASSWORD, "wrong-password-1"]))
    def sign(self, password):
        self.attempt(lambda: signing.sign_session(self.ws, self.session, password))
        if sessions.load(self.session).state is SessionState.SIGNED:
            event("signed")

    @precondition(lambda self: self.sealed is not None)
    @rule(text=texts)
    def addendum(self, text):
        self.attempt(
            lambda: signing.add_addendum(
                self.ws, self.session, PASSWORD, reason="late entry", text=text
            )
        )

    @invariant()
    def absent_members_have_no_clinical_content(self):
        if not hasattr(self, "ws"):
            return
        record = sessions.load(self.session)
        away = {
            a.member_id for a in record.attendance if a.status is not None and not a.status.attended
        }
        assert not away & {c.member_id for c in record.check_ins}
        assert not away & {n.member_id for n in record.member_notes}
        assert not away & {h.member_id for h in record.assignments}

    @invariant()
    def signed_content_never_changes(self):
        if not hasattr(self, "ws"):
            return
        record = sessions.load(self.session)
        if record.state is SessionState.SIGNED:
            digest = content_hash(record)
            assert digest == record.signatures[0].content_hash
            if self.sealed is None:
                self.sealed = (digest, record)
            assert self.sealed[0] == digest
        else:
            assert self.sealed is None


SessionMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestSessionStateMachine = SessionMachine.TestCase
