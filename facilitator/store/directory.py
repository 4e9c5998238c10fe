"""Store helpers for the Groups and Members pages: one transaction around several writes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from facilitator.store.database import clear_errors
from facilitator.store.models import database


@contextlib.contextmanager
def transaction() -> Iterator[None]:
    """Writes inside happen together or not at all; an error rolls every one of them back."""
    with clear_errors(), database.atomic():
        yield
