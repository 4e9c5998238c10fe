import tomllib
from pathlib import Path

import pytest

from facilitator.domain.errors import InvalidInput
from facilitator.domain.worksheet import from_text, to_text

LIBRARY = Path(__file__).parents[2] / "resources" / "library"


def test_every_shipped_worksheet_survives_the_text_round_trip():
    for path in LIBRARY.glob("*/*.toml"):
        fields = tomllib.loads(path.read_text("utf-8"))["worksheet"]
        assert from_text(to_text(fields)) == fields, path.name


@pytest.mark.parametrize(
    "text,line",
    [("Situation", "line 1"), ("A | lines 2\nB | colour", "line 2"), ("", "at least one")],
)
def test_unreadable_lines_are_named(text, line):
    with pytest.raises(InvalidInput, match=line):
        from_text(text)
