"""Many session records at once, built in parallel worker processes.

Reading the records stays in the calling process (one database connection); the workers only
lay out PDFs, which is where the time goes. Each file is still written atomically.
"""

from __future__ import annotations

import concurrent.futures as futures
import multiprocessing
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from facilitator.domain.documents import SessionDocument
from facilitator.export.session_record import write_session_record

Job = tuple[int, Path, SessionDocument]  # session id, where to write, what to write


def _write(job: Job) -> int:
    session_id, path, doc = job
    write_session_record(path, doc)
    return session_id


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def write_session_records(
    jobs: Iterable[Job], *, workers: int, written: Callable[[int], None]
) -> int:
    """Write every job's PDF; ``written`` gets each session id as its file lands, in the
    calling process. The first failure stops the rest and is raised. Returns the count."""
    if workers <= 1:
        count = 0
        for job in jobs:
            written(_write(job))
            count += 1
        return count
    count = 0
    # "spawn": a clean interpreter per worker, safe beside open database connections.
    context = multiprocessing.get_context("spawn")
    with futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: set[futures.Future[int]] = set()

        def collect(when: str) -> None:
            nonlocal count, pending
            done, pending = futures.wait(pending, return_when=when)
            for future in done:
                written(future.result())  # re-raises a worker's failure here
                count += 1

        try:
            for job in jobs:
                pending.add(pool.submit(_write, job))
                if len(pending) >= workers * 4:  # read ahead a little, not the whole range
                    collect(futures.FIRST_COMPLETED)
            collect(futures.ALL_COMPLETED)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return count
