"""Commands that read or write documents: the homework library, exports, the lead's report."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from facilitator.cli.common import (
    Progress,
    _sign_in,
    location_of,
    output_of,
    read_text,
    write_text_atomically,
)
from facilitator.domain.errors import (
    FacilitatorError,
    NotAllowed,
    UsageError,
)

if TYPE_CHECKING:
    from facilitator.services.workspace import Workspace


def cmd_library_list(args: argparse.Namespace) -> int:
    from facilitator.services import library

    ws = _sign_in(args)
    try:
        items = library.search(category=args.category)
    finally:
        ws.close()
    if args.json:
        import json

        fields = ("id", "title", "category", "module", "minutes", "version")
        print(json.dumps([{f: getattr(i, f) for f in fields} for i in items], ensure_ascii=False))
    else:
        for i in items:
            print(
                f"{i.id:>5}  {i.category:<18}  {i.module:<28}  {i.minutes:>3} min  v{i.version}  {i.title}"
            )
    return 0


def cmd_library_export(args: argparse.Namespace) -> int:
    from facilitator.services import library

    ws = _sign_in(args)
    try:
        text = library.export_item(args.id)
    finally:
        ws.close()
    write_text_atomically(str(output_of(args)), text)
    print(f"exported item {args.id} to {args.output}")
    return 0


def cmd_library_import(args: argparse.Namespace) -> int:
    from facilitator.services import library

    text = read_text(args.file)
    ws = _sign_in(args)
    try:
        changes = library.import_item(ws, text, os.path.basename(args.file))
        item = library.get_item(changes.created_id or 0)
    finally:
        ws.close()
    print(f"imported {item.title!r} as item {item.id}")
    return 0


def cmd_export_handout(args: argparse.Namespace) -> int:
    from facilitator.export.handout import write_handout
    from facilitator.services import accounts, library, roster

    ws = _sign_in(args)
    try:
        item = library.get_item(args.id)
        member = roster.get_member(args.member).display_name if args.member else None
        program = accounts.program_name()
    finally:
        ws.close()
    _written(
        output_of(args), lambda path: write_handout(path, item, program=program, member_name=member)
    )
    print(f"wrote the handout for {item.title!r} to {args.output}")
    return 0


def _written(path: Path, write: Callable[[Path], object]) -> None:
    """Write a PDF; a folder that is missing or not writable is one clear line."""
    try:
        write(path)
    except OSError as exc:
        raise FacilitatorError(f"cannot write {path}: {exc.strerror or exc}") from None


def cmd_export_session(args: argparse.Namespace) -> int:
    from facilitator.domain.audit import RecordKind
    from facilitator.export.session_record import write_session_record
    from facilitator.services import documents

    ws = _sign_in(args)
    try:
        doc = documents.session_document(ws, args.id)
        _written(output_of(args), lambda path: write_session_record(path, doc))
        documents.record_output(ws, RecordKind.SESSION, args.id)
    finally:
        ws.close()
    print(f"wrote session {args.id} to {args.output}")
    return 0


def cmd_export_member_note(args: argparse.Namespace) -> int:
    from facilitator.domain.audit import RecordKind
    from facilitator.export.member_note import write_member_note
    from facilitator.services import documents

    ws = _sign_in(args)
    try:
        doc = documents.member_note_document(ws, args.session_id, args.member_id)
        _written(output_of(args), lambda path: write_member_note(path, doc))
        documents.record_output(
            ws, RecordKind.MEMBER_NOTE, args.session_id, member_id=args.member_id
        )
    finally:
        ws.close()
    print(
        f"wrote the note of member {args.member_id} in session {args.session_id} to {args.output}"
    )
    return 0


def cmd_export_sign_in(args: argparse.Namespace) -> int:
    from facilitator.domain.audit import RecordKind
    from facilitator.export.sign_in import write_sign_in
    from facilitator.services import documents

    ws = _sign_in(args)
    try:
        sheet = documents.sign_in_sheet(ws, args.id)
        _written(output_of(args), lambda path: write_sign_in(path, sheet))
        documents.record_output(ws, RecordKind.SIGN_IN, args.id)
    finally:
        ws.close()
    print(f"wrote the sign-in sheet of session {args.id} to {args.output}")
    return 0


def cmd_export_sessions(args: argparse.Namespace) -> int:
    """One PDF per session, named by date, group id and session id; a progress bar on a tty."""
    folder = Path(args.output)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{args.output} is a file; -o takes a folder")
    ws = _sign_in(args)
    try:
        from facilitator.services import documents

        found = documents.session_ids_between(args.date_from, args.date_to, args.group)
        ids = documents.visible_session_ids(ws, found)
        if found and not ids:
            raise NotAllowed("not allowed: these sessions are of groups you do not staff")
        _refuse_existing_records(folder, ids, args.force)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FacilitatorError(f"cannot create {args.output}: {exc.strerror}") from None
        progress = Progress(len(ids))
        written = export_session_records(
            ws, ids, folder, progress.show, lambda path: _safe(path, args)
        )
        progress.finish()
    finally:
        ws.close()
    left_out = len(found) - len(ids)
    note = f" ({left_out} of groups you do not staff left out)" if left_out else ""
    print(f"wrote {written} session records to {args.output}{note}")
    return 0


def _refuse_existing_records(folder: Path, ids: list[int], force: bool) -> None:
    """Nothing is written when any record would replace an earlier file, unless --force."""
    wanted = set(ids)
    found = [
        path.name
        for path in (folder.glob("*-session*.pdf") if folder.is_dir() else ())
        if (number := path.stem.rpartition("-session")[2]).isdigit() and int(number) in wanted
    ]
    if found and not force:
        raise FacilitatorError(
            f"{len(found)} of these records are already in {folder} (e.g. {found[0]}); "
            "add --force to replace them"
        )


def _safe(path: Path, args: argparse.Namespace) -> Path:
    from facilitator.services.outputs import output_path

    return output_path(path, database=location_of(args), force=True)


def export_session_records(
    ws: Workspace,
    ids: list[int],
    folder: Path,
    shown: Callable[[int], None],
    output: Callable[[Path], Path] = lambda path: path,
) -> int:
    """Read each session here and lay its PDF out in worker processes (one per core); each
    file written is audited. The bench times exactly this."""
    from facilitator.domain.audit import RecordKind
    from facilitator.export.batch import default_workers, write_session_records
    from facilitator.services import documents

    def jobs() -> Iterator[tuple[int, Path, Any]]:
        for session_id in ids:
            doc = documents.session_document(ws, session_id)
            name = (
                f"{doc.record.date.isoformat()}-group{doc.record.group_id}-session{session_id}.pdf"
            )
            yield session_id, output(folder / name), doc

    done = 0

    def written(session_id: int) -> None:
        nonlocal done
        documents.record_output(ws, RecordKind.SESSION, session_id)
        done += 1
        shown(done)

    try:
        return write_session_records(jobs(), workers=default_workers(), written=written)
    except OSError as exc:
        raise FacilitatorError(f"cannot write in {folder}: {exc.strerror or exc}") from None


def cmd_report(args: argparse.Namespace) -> int:
    from facilitator.domain.audit import RecordKind
    from facilitator.export.lead_report import write_lead_report
    from facilitator.services import documents

    ws = _sign_in(args)
    try:
        report = documents.lead_report(ws, args.date_from, args.date_to, args.group)
        _written(output_of(args), lambda path: write_lead_report(path, report))
        documents.record_output(ws, RecordKind.LEAD_REPORT, None)
    finally:
        ws.close()
    print(f"wrote the summary of {len(report.sessions)} sessions to {args.output}")
    return 0
