"""Writing a finished document to disk: all of it or none of it."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomically(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write beside the target, sync, then rename over it; a failure leaves no half file."""
    target = Path(path)
    part = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, kept past the with
        dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
    )
    try:
        with part:
            part.write(data)
            part.flush()
            os.fsync(part.fileno())
        os.replace(part.name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(part.name)
        raise
    _fsync_directory(target.parent)
    return target


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable where the platform allows it (not on Windows)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
