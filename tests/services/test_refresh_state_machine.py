"""An open session follows every change by re-reading only what the change names.

Random sequences of the edits a session screen and the other screens make; after each one the
record kept up to date through ``sessions.refreshed(record, changes)`` must equal the session
read whole from the database. A Changes that forgot to name something fails here.
"""

import contextlib
import datetime as dt
import shutil
import tempfile
from dataclasses import fields
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from facilitator.domain.changes import Changes
from facilitator.domain.enums import (
    PHASE_ORDER,
    AttendanceStatus,
    Location,
    Participation,
    ReviewStatus,
    UseSinceLast,
)
from facilitator.domain.errors import FacilitatorError
from facilitator.services import homework, roster, sessions, signing
from facilitator.store import library
from tests.conftest import PASSWORD, new_workspace
from tests.factories import group, members, started
from tests.services.test_homework import ITEM

SEATS = 4
DAY = dt.date(2026, 3, 3)
texts = st.text(alphabet="abc xyz.", max_size=12)
ratings = st.one_of(st.none(), st.integers(-1, 11))
times = st.one_of(st.none(), st.builds(dt.time, st.integers(17, 22), st.sampled_from([0, 30])))


class FollowingSession(RuleBasedStateMachine):
    @initialize()
    def open_session(self):
        self.folder = Path(tempfile.mkdtemp(prefix="facilitator-follow-"))
        self.ws = new_workspace(str(self.folder / "clinic.db"))
        self.group = group(self.ws, meeting_weekdays=(0, 1, 2, 3, 4, 5, 6))
        self.members = members(self.ws, self.group, SEATS, since=DAY - dt.timedelta(days=30))
        self.item = library.add_item(**ITEM)
        # Last session's homework, for this session's check-in to review.
        earlier = started(self.ws, self.group, DAY - dt.timedelta(days=1))
        for member_id in self.members:
            sessions.record_attendance(self.ws, earlier, member_id, AttendanceStatus.PRESENT)
        homework.assign_homework(self.ws, earlier, self.item)
        self.session = started(self.ws, self.group, DAY)
        self.record = sessions.load(self.session)
        self.outsiders: list[int] = []

    def teardown(self):
        if hasattr(self, "ws"):
            self.ws.close()
            shutil.rmtree(self.folder, ignore_errors=True)

    def apply(self, action) -> None:
        with contextlib.suppress(FacilitatorError):
            changes = action()
            assert isinstance(changes, Changes)
            self.record = sessions.refreshed(self.record, changes)

    @rule(seat=st.integers(0, SEATS - 1), status=st.sampled_from(list(AttendanceStatus)))
    def mark(self, seat, status):
        self.apply(
            lambda: sessions.record_attendance(
                self.ws, self.session, self.members[seat], status=status
            )
        )

    @rule(seat=st.integers(0, SEATS - 1), arrival=times, departure=times)
    def times_typed(self, seat, arrival, departure):
        self.apply(
            lambda: sessions.record_attendance(
                self.ws, self.session, self.members[seat], arrival=arrival, departure=departure
            )
        )

    @rule(seat=st.integers(0, SEATS - 1))
    def telehealth(self, seat):
        self.apply(
            lambda: sessions.record_attendance(
                self.ws, self.session, self.members[seat], location=Location.TELEHEALTH
            )
        )

    @rule(
        seat=st.integers(0, SEATS - 1),
        field=st.sampled_from(["mood", "craving", "use", "safety", "issue"]),
        rating=ratings,
        text=texts,
    )
    def check_in(self, seat, field, rating, text):
        given = {
            "mood": {"mood": rating},
            "craving": {"craving": rating},
            "use": {"use_since_last": UseSinceLast.YES, "use_detail": text},
            "safety": {"safety_concern": bool(text), "safety_follow_up": text},
            "issue": {"current_issue": text},
        }[field]
        self.apply(
            lambda: sessions.record_check_in(self.ws, self.session, self.members[seat], **given)
        )

    @rule(seat=st.integers(0, SEATS - 1), status=st.sampled_from(list(ReviewStatus)), text=texts)
    def review(self, seat, status, text):
        member_id = self.members[seat]
        outstanding = homework.outstanding_for_session(self.session).get(member_id, [])
        reviewed = [r.assignment_id for r in self.record.reviews if r.member_id == member_id]
        ids = [o.id for o in outstanding] + reviewed
        self.apply(
            lambda: homework.review_at_check_in(
                self.ws, self.session, member_id, dict.fromkeys(ids, (status, text or None))
            )
        )

    @rule(
        seat=st.integers(0, SEATS - 1),
        text=texts,
        level=st.sampled_from([None, "", *Participation]),
        span=st.integers(1, 3),
    )
    def note(self, seat, text, level, span):
        self.apply(
            lambda: sessions.write_member_note(
                self.ws,
                self.session,
                self.members[seat],
                data=text,
                participation=level,
                span=span,
            )
        )

    @rule(seat=st.integers(0, SEATS - 1))
    def draft(self, seat):
        self.apply(lambda: sessions.draft_member_note(self.ws, self.session, self.members[seat]))

    @rule(text=texts, topic=st.booleans())
    def group_note(self, text, topic):
        extra = {"topic_item_id": self.item} if topic else {}
        self.apply(
            lambda: sessions.write_group_note(self.ws, self.session, narrative=text, **extra)
        )

    @rule()
    def give_homework(self):
        self.apply(lambda: homework.assign_homework(self.ws, self.session, self.item))

    @rule(seat=st.integers(0, SEATS - 1), title=texts)
    def extra_homework(self, seat, title):
        self.apply(
            lambda: homework.assign_custom(
                self.ws, self.session, self.members[seat], title=title, instructions="Do it."
            )
        )

    @rule(data=st.data())
    def remove_homework(self, data):
        if self.record.assignments:
            chosen = data.draw(st.sampled_from(self.record.assignments))
            self.apply(lambda: homework.remove_assignment(self.ws, chosen.id))

    @rule(phase=st.one_of(st.none(), st.sampled_from(PHASE_ORDER)))
    def move(self, phase):
        self.apply(lambda: sessions.advance_phase(self.ws, self.session, phase))

    @rule(name=st.sampled_from(["Ivo", "Juno"]))
    def walk_in(self, name):
        member_id = roster.create_member(
            self.ws,
            first_name=name,
            last_name="Kettleby",
            record_number=f"T-W{len(self.outsiders)}",
        ).created_id
        self.outsiders.append(member_id)
        self.apply(lambda: sessions.add_late_joiner(self.ws, self.session, member_id))

    @rule(seat=st.integers(0, SEATS - 1), name=st.sampled_from(["Aaron", "Zed", "Mo"]))
    def rename_elsewhere(self, seat, name):
        """The Members screen renames someone on the roster: the roster's order may change."""
        self.apply(lambda: roster.update_member(self.ws, self.members[seat], first_name=name))

    @rule(seat=st.integers(0, SEATS - 1), text=texts)
    def goal_elsewhere(self, seat, text):
        member_id = self.members[seat]
        goal = roster.add_goal(self.ws, member_id, text.strip() or "A goal").created_id
        self.apply(
            lambda: sessions.write_member_note(self.ws, self.session, member_id, goal_id=goal)
        )
        self.apply(lambda: roster.update_goal(self.ws, goal, text="Reworded goal"))

    @rule()
    def end(self):
        self.apply(lambda: sessions.end_session(self.ws, self.session))

    @rule()
    def sign(self):
        self.apply(lambda: signing.sign_session(self.ws, self.session, PASSWORD))

    @invariant()
    def the_followed_record_is_the_stored_one(self):
        if not hasattr(self, "ws"):
            return
        stored = sessions.load(self.session)
        for f in fields(stored):  # signatures and addenda too, which == leaves out
            assert getattr(self.record, f.name) == getattr(stored, f.name), f.name


FollowingSession.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestFollowingSession = FollowingSession.TestCase
