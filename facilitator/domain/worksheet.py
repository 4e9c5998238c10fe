"""Worksheet fields written as plain lines, for editing a library item by hand.

One field per line, ``label | kind details``:

    Situation: what happened? | lines 3
    How strong was the urge? | scale
    Each day | table 7: Day; Urge 0-10; Skill used
    Which did you try? | checklist: Walk; Call a friend; Cold water
"""

from __future__ import annotations

import re

from facilitator.domain.errors import InvalidInput

Field = dict[str, object]


def to_text(fields: tuple[Field, ...] | list[Field]) -> str:
    lines = []
    for field in fields:
        kind = str(field.get("kind"))
        detail = ""
        if kind == "lines":
            detail = f" {field.get('lines', 3)}"
        elif kind == "table":
            columns = "; ".join(str(c) for c in field.get("columns", []))  # type: ignore[attr-defined]
            detail = f" {field.get('rows', 5)}: {columns}"
        elif kind == "checklist":
            detail = ": " + "; ".join(str(o) for o in field.get("options", []))  # type: ignore[attr-defined]
        lines.append(f"{field.get('label')} | {kind}{detail}")
    return "\n".join(lines)


_TABLE = re.compile(r"^table\s+(\d+)\s*:\s*(.+)$")
_LINES = re.compile(r"^lines(?:\s+(\d+))?$")
_CHECKLIST = re.compile(r"^checklist\s*:\s*(.+)$")


def from_text(text: str) -> list[Field]:
    """The fields of the text; InvalidInput names the line that does not read."""
    fields: list[Field] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        label, _, spec = raw.rpartition("|")
        label, spec = label.strip(), spec.strip()
        if not label:
            raise InvalidInput("worksheet", f"worksheet line {number}: write it as 'label | kind'")
        if spec == "scale":
            fields.append({"label": label, "kind": "scale"})
        elif match := _LINES.match(spec):
            fields.append({"label": label, "kind": "lines", "lines": int(match.group(1) or 3)})
        elif match := _TABLE.match(spec):
            columns = [c.strip() for c in match.group(2).split(";") if c.strip()]
            fields.append(
                {"label": label, "kind": "table", "columns": columns, "rows": int(match.group(1))}
            )
        elif match := _CHECKLIST.match(spec):
            options = [o.strip() for o in match.group(1).split(";") if o.strip()]
            fields.append({"label": label, "kind": "checklist", "options": options})
        else:
            raise InvalidInput(
                "worksheet",
                f"worksheet line {number}: the kind must be 'lines N', 'scale', "
                "'table N: column; column' or 'checklist: option; option'",
            )
    if not fields:
        raise InvalidInput("worksheet", "the worksheet needs at least one field")
    return fields
