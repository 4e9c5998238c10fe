"""Many session records written by worker processes: every file lands, failures surface."""

import pytest
from pypdf import PdfReader

from facilitator.export.batch import write_session_records
from tests.export import samples


def test_workers_write_every_record_and_report_each_one(tmp_path):
    doc = samples.session_document()
    jobs = [(n, tmp_path / f"record-{n}.pdf", doc) for n in range(6)]
    seen: list[int] = []
    assert write_session_records(iter(jobs), workers=2, written=seen.append) == 6
    assert sorted(seen) == list(range(6))
    for _n, path, _doc in jobs:
        assert samples.GROUP in PdfReader(path).pages[0].extract_text()
    assert not list(tmp_path.glob("*.part"))


def test_a_failing_write_stops_the_batch_with_its_error(tmp_path):
    doc = samples.session_document()
    jobs = [(1, tmp_path / "ok.pdf", doc), (2, tmp_path / "missing" / "x.pdf", doc)]
    with pytest.raises(OSError):
        write_session_records(iter(jobs), workers=2, written=lambda _id: None)
