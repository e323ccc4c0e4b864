"""Group commit: requests that arrive while a write is in flight share the next write.

Every POST waits for its own reports to be committed (so a 202 still means "in Redis"), but
under load one MULTI/EXEC and one RQ job carry many requests: the Redis round trip and RQ's
per-job cost are paid per batch, not per report. At low load a batch is one request and adds
no delay.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from services.api.report_store import ReportStore, ReportToStore, StoreOutcome

log = logging.getLogger(__name__)

_Waiter = tuple[list[ReportToStore], "asyncio.Future[list[StoreOutcome]]"]


class IngestBatcher:
    """Collects prepared reports from concurrent requests and commits them in batches.

    Up to `max_in_flight` commits run at once, so the event loop prepares the next batch while
    Redis executes the previous one.
    """

    def __init__(self, store: ReportStore, max_reports_per_commit: int = 1000, max_in_flight: int = 1) -> None:
        self._store = store
        self._max = max_reports_per_commit
        self._waiting: deque[_Waiter] = deque()
        self._wakeup = asyncio.Event()
        self._slots = asyncio.Semaphore(max_in_flight)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="ingest-batcher")

    async def stop(self) -> None:
        """Commit what is waiting, then stop."""
        if self._task is None:
            return
        while self._waiting or self._in_flight:
            self._wakeup.set()
            await asyncio.sleep(0)  # yields to the batcher task; not a timed wait
            if self._in_flight:
                await asyncio.wait(set(self._in_flight))
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        self._task = None

    async def submit(self, reports: list[ReportToStore]) -> list[StoreOutcome]:
        """Queue reports for the next commit and wait until it is done."""
        future: asyncio.Future[list[StoreOutcome]] = asyncio.get_running_loop().create_future()
        self._waiting.append((reports, future))
        self._wakeup.set()
        return await future

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._waiting:
                await self._slots.acquire()
                taken = self._take()
                task = asyncio.get_running_loop().create_task(self._commit(taken))
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)

    def _take(self) -> list[_Waiter]:
        taken: list[_Waiter] = []
        count = 0
        while self._waiting and (not taken or count + len(self._waiting[0][0]) <= self._max):
            waiter = self._waiting.popleft()
            taken.append(waiter)
            count += len(waiter[0])
        return taken

    async def _commit(self, taken: list[_Waiter]) -> None:
        reports = [report for batch, _ in taken for report in batch]
        try:
            outcomes = await self._store.acommit(reports)
        except Exception as error:  # every waiter hears of the failure; nothing is silently dropped
            log.warning("commit of %s reports failed: %s", len(reports), error)
            for _, future in taken:
                if not future.done():
                    future.set_exception(error)
            return
        finally:
            self._slots.release()
        start = 0
        for batch, future in taken:
            if not future.done():
                future.set_result(outcomes[start : start + len(batch)])
            start += len(batch)
