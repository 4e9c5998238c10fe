"""Facts the printed records derive: local times, minutes attended, one member's view."""

import datetime as dt

from facilitator.domain.documents import OTHER_MEMBER, name_and_initial, redact
from facilitator.domain.rules import to_local


def test_stored_utc_reads_on_the_clinics_clock():
    stored = dt.datetime(2026, 7, 1, 22, 30)  # UTC
    assert to_local(stored, "America/New_York") == dt.datetime(2026, 7, 1, 18, 30)  # EDT
    assert to_local(stored, "Etc/GMT+5") == dt.datetime(2026, 7, 1, 17, 30)
    assert to_local(stored, "UTC") == stored


def test_redact_replaces_whole_words_only_and_longest_first():
    others = ["Bram Quillfeather", "Bram", "Quillfeather", "T-1-001"]
    text = "Bram Quillfeather and bram helped; Brambles grew; record T-1-001."
    assert redact(text, others) == (
        f"{OTHER_MEMBER} and {OTHER_MEMBER} helped; Brambles grew; record {OTHER_MEMBER}."
    )
    assert name_and_initial("Zoë", "Nguyễn-Fable") == "Zoë N."
    assert name_and_initial("Cher", "") == "Cher"
