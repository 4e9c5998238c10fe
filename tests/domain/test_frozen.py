"""A signed record frozen at the signature reads back exactly, names and all."""

import dataclasses
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from facilitator.domain import frozen
from facilitator.domain.enums import SessionState
from facilitator.domain.records import SessionRecord
from tests.export import samples

RECORDS = st.from_type(SessionRecord)
LINES = st.text(max_size=40)


@given(record=RECORDS, facilitator=LINES, co=st.none() | LINES, program=LINES, zone=LINES)
@settings(max_examples=150, deadline=None)
def test_whatever_a_record_holds_thaws_as_it_was_frozen(record, facilitator, co, program, zone):
    body = frozen.freeze(
        record, facilitator=facilitator, co_facilitator=co, program=program, time_zone=zone
    )
    thawed = frozen.thaw(body, record)
    assert thawed == record  # every field but the live ones (which come from the record)
    assert (thawed.state, thawed.current_phase) == (record.state, record.current_phase)
    facts = thawed.frozen
    assert facts is not None and facts.body_hash == frozen.body_hash(body)
    assert (facts.facilitator, facts.co_facilitator, facts.program, facts.time_zone) == (
        facilitator, co, program, zone,
    )  # fmt: skip
    # The body is canonical: the same record always freezes to the same bytes.
    again = frozen.freeze(
        thawed, facilitator=facilitator, co_facilitator=co, program=program, time_zone=zone
    )
    assert again == body
    # `check` reads the facts straight from the body: the same as from the record.
    assert frozen.clinical_facts_of_body(body) == frozen.clinical_facts(record)


def test_names_and_order_are_not_clinical_facts_but_content_is():
    record = samples.session_record()
    renamed = dataclasses.replace(
        record,
        group_name="Renamed Group",
        attendance=tuple(
            dataclasses.replace(a, display_name=f"New {a.display_name}", record_number="R-9")
            for a in reversed(record.attendance)
        ),
        member_notes=tuple(
            dataclasses.replace(n, goal_text="reworded") for n in record.member_notes
        ),
        state=SessionState.DRAFT,
    )
    assert frozen.clinical_facts(renamed) == frozen.clinical_facts(record)
    note = record.member_notes[0]
    rewritten = dataclasses.replace(
        record, member_notes=(dataclasses.replace(note, data="rewritten"), *record.member_notes[1:])
    )
    assert frozen.clinical_facts(rewritten) != frozen.clinical_facts(record)
    moved = dataclasses.replace(record, actual_end=dt.datetime(2030, 1, 1))
    assert frozen.clinical_facts(moved) != frozen.clinical_facts(record)
