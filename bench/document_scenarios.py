"""The printed records on the ten-year database, each beside a bare reportlab build of a
document with as many pages (built-in Helvetica, plain paragraphs, no tables, no footer)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tempfile
import time
from functools import cache
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate

from bench.scenarios import Picks
from bench.timing import compared
from facilitator.domain.rules import NOTE_LIMIT
from facilitator.export.lead_report import lead_report_bytes
from facilitator.export.session_record import session_record_bytes
from facilitator.services import documents
from facilitator.services.workspace import Workspace
from facilitator.store.models import database

FILLER = (
    "Members practised the skill and named one situation to try it in this week. " * 8
).strip()


def pages_of(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def _bare(paragraphs: int) -> bytes:
    import io

    buffer = io.BytesIO()
    style = getSampleStyleSheet()["BodyText"]
    SimpleDocTemplate(buffer, pagesize=letter).build(
        [Paragraph(FILLER, style) for _ in range(paragraphs)]
    )
    return buffer.getvalue()


@cache
def paragraphs_for(pages: int) -> int:
    """How many filler paragraphs a bare document needs to have this many pages (the least
    such number, found by doubling then bisecting: each try is a whole build)."""
    high = 1
    while pages_of(_bare(high)) < pages:
        high *= 2
    low = high // 2  # has fewer pages (or is 0)
    while high - low > 1:
        middle = (low + high) // 2
        if pages_of(_bare(middle)) >= pages:
            high = middle
        else:
            low = middle
    return high


def bare_document(pages: int) -> bytes:
    return _bare(paragraphs_for(pages))


def session_record(ws: Workspace, picks: Picks, runs: int) -> dict[str, Any]:
    """Assemble the largest signed session's record from the database and build its PDF."""

    def end_to_end() -> bytes:
        return session_record_bytes(documents.session_document(ws, picks.full_session))

    pages = pages_of(end_to_end())
    return compared(end_to_end, lambda: bare_document(pages), runs) | {
        "session_id": picks.full_session,
        "members": picks.full_session_members,
        "pages": pages,
        "which": "the signed session with the most rostered members, read and built in memory",
    }


# Two notes at the 50,000-character limit: sentences on short lines (about a thousand, the
# shape that took 101 s as one paragraph), and the most lines it can hold (25,000 of one
# letter: hundreds of pages, as slow as any document of that many pages, which the floor shows).
LONG_NOTES = {
    "sentences": "\n".join(
        f"Line {n}: named a trigger and the skill to meet it." for n in range(NOTE_LIMIT)
    )[:NOTE_LIMIT],
    "most_lines": "\n".join("x" * (NOTE_LIMIT // 2)),
}


def long_note_record(ws: Workspace, picks: Picks, runs: int, shape: str) -> dict[str, Any]:
    """The largest session's record with one member's note at the note limit (LONG_NOTES)."""
    doc = documents.session_document(ws, picks.full_session)
    text = LONG_NOTES[shape]
    note = doc.record.member_notes[0]
    notes = (dataclasses.replace(note, data=text), *doc.record.member_notes[1:])
    doc = dataclasses.replace(doc, record=dataclasses.replace(doc.record, member_notes=notes))

    def build() -> bytes:
        return session_record_bytes(doc)

    pages = pages_of(build())
    return compared(build, lambda: bare_document(pages), runs) | {
        "session_id": picks.full_session,
        "note_characters": len(text),
        "note_lines": text.count("\n") + 1,
        "pages": pages,
        "which": f"the largest signed session's record, one note at the limit ({shape})",
    }


def _recent_signed(count: int) -> list[int]:
    rows = database.execute_sql(
        "SELECT id FROM session WHERE state = 'signed' ORDER BY date DESC, id DESC LIMIT ?",
        (count,),
    ).fetchall()
    return [row[0] for row in rows]


def thousand_records(ws: Workspace, count: int = 1000) -> dict[str, Any]:
    """Export `count` session records to files exactly as `export sessions` does: read here,
    laid out by one worker process per core, each file written atomically and audited."""
    from facilitator.cli import export_session_records
    from facilitator.export.batch import default_workers

    ids = _recent_signed(count)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        written = export_session_records(ws, ids, Path(folder), lambda _done: None)
        seconds = time.perf_counter() - started
        pages = sum(pages_of(path.read_bytes()) for path in Path(folder).glob("*.pdf"))
    each = max(1, round(pages / len(ids)))
    started = time.perf_counter()
    for _ in ids:
        bare_document(each)
    floor_seconds = time.perf_counter() - started
    return {
        "sessions": written,
        "pages": pages,
        "workers": default_workers(),
        "seconds": round(seconds, 1),
        "floor_seconds": round(floor_seconds, 1),
        "ratio": round(seconds / floor_seconds, 1),
        "which": "the most recent signed sessions, each read and written to its own file",
        "floor": f"{len(ids)} bare documents of {each} page(s), in memory, one process",
    }


def lead_summary(ws: Workspace, until: dt.date, runs: int) -> dict[str, Any]:
    """The 13-week summary of all groups, from the database to PDF bytes."""
    start = until - dt.timedelta(weeks=13) + dt.timedelta(days=1)

    def end_to_end() -> bytes:
        return lead_report_bytes(documents.lead_report(ws, start, until))

    pdf = end_to_end()
    pages = pages_of(pdf)
    result = compared(end_to_end, lambda: bare_document(pages), runs)
    return result | {
        "from": start.isoformat(),
        "to": until.isoformat(),
        "pages": pages,
        "sessions": len(documents.session_ids_between(start, until)),
        "which": "13 weeks of all 50 groups, read and built in memory",
    }
