"""Store reports and give them to an RQ job in one atomic step: a 202 means the work is in Redis.

One Lua script decides, report by report, whether it is new or an exact resend (same id, or
the same normalised text from the same source) and writes the report record. The new reports
then go to a job, in the same script:

- if the newest report job still waits in the queue list (no worker has taken it) and has room,
  they join it: its report list (`sitrep:job-reports:{job}`) grows and no new RQ job is made;
- else, if a worker runs a report job it keeps open (`sitrep:ingest:running-job:{queue}`) and waits with
  nothing in hand, and the job has room, they join that and wake its worker;
- otherwise the script enqueues new RQ job(s) and remembers the last as the open one.

RQ costs a worker several milliseconds per job whatever the job carries, so when workers fall
behind, lone POSTs pile into a few jobs instead of one job each, and the backlog drains instead
of growing. The RQ job records are built by RQ itself (`Queue.enqueue_many` on a pipeline that is
never sent); the script replays those commands only when it needs a new job. A worker closes a
queued job to new reports when it starts it; the running job then takes newcomers only through the
running-job key, which its worker reads and renews in the same script that claims them
(workers/dedup/event_store.py), so no report can join a job after the job has ended or been closed. A worker
that dies leaves that key to lapse (1 s): until then up to 25 reports may join its job, which RQ's
retry of the abandoned job processes (only jobs with a retry left stay open).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis
import redis.asyncio
from rq import Queue, Retry

from core import defaults, keys
from schemas.reports import ReportIn

log = logging.getLogger(__name__)

_STORE_REPORTS_LUA = """
-- ARGV: received_at, ttl_seconds, job_max_reports, the RQ queue's list key, open-job key, job report-list
--   key prefix, running-job key, job wake-list key prefix, most reports a running job may have waiting,
--   report count N, then (id, content_hash, payload) per report, then per job prepared by the caller:
--   its id, the count of words that follow, and RQ's commands that enqueue it, each as (argument count,
--   arguments...).
-- Returns a flat list of (position, duplicate_of) for the duplicates only: the usual reply is empty.
local received_at = ARGV[1]
local ttl = tonumber(ARGV[2])
local job_max = tonumber(ARGV[3])
local queue_key = ARGV[4]
local open_key = ARGV[5]
local list_prefix = ARGV[6]
local running_key = ARGV[7]
local wake_prefix = ARGV[8]
local backlog_max = tonumber(ARGV[9])
local n = tonumber(ARGV[10])
local out = {}
local new_ids = {}
for p = 0, n - 1 do
  local i = 11 + 3 * p
  local id, content_hash, payload = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local report_key = 'sitrep:report:' .. id
  local content_key = 'sitrep:report-content:' .. content_hash
  if redis.call('EXISTS', report_key) == 1 then
    out[#out + 1] = p
    out[#out + 1] = redis.call('HGET', report_key, 'duplicate_of') or id
  else
    local claimed
    if ttl > 0 then
      claimed = redis.call('SET', content_key, id, 'NX', 'EX', ttl)
    else
      claimed = redis.call('SET', content_key, id, 'NX')
    end
    if claimed then
      redis.call('HSET', report_key, 'status', 'queued', 'received_at', received_at, 'report', payload)
      new_ids[#new_ids + 1] = id
    else
      local first = redis.call('GET', content_key)
      redis.call('HSET', report_key, 'status', 'duplicate', 'duplicate_of', first,
                 'received_at', received_at, 'report', payload)
      out[#out + 1] = p
      out[#out + 1] = first
    end
    if ttl > 0 then redis.call('EXPIRE', report_key, ttl) end
  end
end

local function add_to(list_key, first, last)
  for k = first, last, 1000 do
    redis.call('RPUSH', list_key, unpack(new_ids, k, math.min(k + 999, last)))
  end
  if ttl > 0 then redis.call('EXPIRE', list_key, ttl) end
end

if #new_ids == 0 then return out end
-- Join the open job only while it still waits in the queue list: once a worker has taken it (or it
-- was cancelled, or the queue emptied) it is no longer there, and a worker that took it and died
-- before running it must not keep swallowing reports. The open job is the newest, near the tail.
-- (The job also closes itself to newcomers when it runs, which a retried job relies on.)
-- pcall: a server without LPOS (before Redis 6.0.6) must not fail the script after the reports were
-- written; it makes a new job every time instead.
local open = redis.call('GET', open_key)
if open then
  local list_key = list_prefix .. open
  local waiting = redis.pcall('LPOS', queue_key, open, 'RANK', -1, 'MAXLEN', 1000)
  if waiting and type(waiting) ~= 'table' and redis.call('LLEN', list_key) + #new_ids <= job_max then
    add_to(list_key, 1, #new_ids)
    return out
  end
end
-- Else join the job a worker is running and keeps open (workers/processing.py), but only while that
-- worker waits with nothing in hand (a busy one would make newcomers wait while another worker may be
-- idle), and with at most `backlog_max` reports not yet claimed (a worker that died draws no more than
-- that, until its lease lapses). The token wakes the waiting worker.
local running = redis.call('HMGET', running_key, 'job', 'claimed', 'waiting')
if running[1] then
  local list_key = list_prefix .. running[1]
  local length = redis.call('LLEN', list_key)
  if running[3] == '1' and length - (tonumber(running[2]) or length) + #new_ids <= backlog_max
      and length + #new_ids <= job_max then
    add_to(list_key, 1, #new_ids)
    redis.call('RPUSH', wake_prefix .. running[1], '1')
    redis.call('PEXPIRE', wake_prefix .. running[1], 60000)
    return out
  end
  -- The new job below is now the newest: the running one takes no more, and its worker, if it waits,
  -- is woken to end it and free itself for the queue.
  redis.call('DEL', running_key)
  redis.call('RPUSH', wake_prefix .. running[1], '1')
  redis.call('PEXPIRE', wake_prefix .. running[1], 60000)
end
-- Otherwise enqueue the prepared jobs, job_max reports each, and leave the last one open.
local a = 11 + 3 * n
local first = 1
local job_id
while first <= #new_ids do
  job_id = ARGV[a]
  local stop = a + 2 + tonumber(ARGV[a + 1])
  a = a + 2
  while a < stop do
    local argc = tonumber(ARGV[a])
    redis.call(unpack(ARGV, a + 1, a + argc))
    a = a + 1 + argc
  end
  local last = math.min(first + job_max - 1, #new_ids)
  add_to(list_prefix .. job_id, first, last)
  first = last + 1
end
redis.call('SET', open_key, job_id)
return out
"""


PROCESS_REPORTS = "workers.jobs.process_reports"
"""The job function, by name: importing it would load the extractor (its lexicons) into every API process."""

_REPLAYABLE = frozenset({b"SADD", b"HSET", b"RPUSH", b"LPUSH", b"EXPIRE", b"PERSIST"})
"""Commands RQ's enqueue may send for the store script to replay. Anything else (a script, a read whose
reply RQ would need) could fail inside the script after the reports were written: refused up front."""


class UnexpectedEnqueueError(RuntimeError):
    """This RQ version enqueues a job with commands the store script cannot replay safely."""


def replay_words(commands: list[tuple[Any, ...]]) -> list[bytes | str | int | float]:
    """RQ's enqueue commands as the store script reads them: (argument count, arguments...) each.

    Raises UnexpectedEnqueueError, before anything is sent, if one is not a plain write the script can
    replay: a script that failed half-way would leave reports stored with no job.
    """
    words: list[bytes | str | int | float] = []
    for command in commands:
        head = command[0]
        name = head.encode().upper() if isinstance(head, str) else bytes(head).upper()
        if name not in _REPLAYABLE:
            raise UnexpectedEnqueueError(
                f"RQ enqueues with {name.decode(errors='replace')!r}, which the store script does not replay; "
                "nothing was stored (sitrep is tested with rq 2 and 3)"
            )
        words += [len(command), *command]
    return words


def content_hash(source: str, text: str) -> str:
    """Hash of (source, trimmed text): equal for an exact resend.

    Only leading and trailing white space is ignored. Folding all white space and case cost 20 µs
    per 3 KB report, a fifth of the ingest route; resends that differ inside the text are caught
    as near-duplicates by the workers instead.
    """
    digest = hashlib.sha256(source.casefold().encode())
    digest.update(b"\x00")
    digest.update(text.strip().encode())
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class ReportToStore:
    """A validated report with its id and content hash, ready to store."""

    id: str
    content_hash: str
    payload: str


@dataclass(frozen=True)
class StoreOutcome:
    id: str
    status: str
    duplicate_of: str | None


def prepare(report: ReportIn) -> ReportToStore:
    """Give the report an id (the client's, else one derived from its content) and serialise it.

    The stored payload carries the client's fields only; the id lives in the key.
    """
    digest = content_hash(report.source, report.text)
    return ReportToStore(
        id=report.id or f"r-{digest[:24]}", content_hash=digest, payload=report.model_dump_json(exclude_none=True)
    )


class ReportStore:
    """Writes batches of prepared reports and gives them to RQ jobs, atomically, from sync or async code.

    A commit is one script call (atomic in Redis), so the blocking and the asyncio client send the
    same thing; the API awaits the write on its event loop.
    """

    def __init__(
        self,
        connection: redis.Redis,
        async_connection: redis.asyncio.Redis | None = None,
        queue_name: str = defaults.QUEUE_NAME,
        job_max_reports: int = defaults.JOB_MAX_REPORTS,
        job_timeout_seconds: int = defaults.JOB_TIMEOUT_SECONDS,
        report_ttl_seconds: int = defaults.REPORT_TTL_SECONDS,
    ) -> None:
        if job_max_reports < 1:
            raise ValueError(f"job_max_reports must be at least 1, not {job_max_reports}")
        self._connection = connection
        self._queue = Queue(queue_name, connection=connection)
        self._script = connection.register_script(_STORE_REPORTS_LUA)
        self._async_script = async_connection.register_script(_STORE_REPORTS_LUA) if async_connection else None
        self._job_max_reports = job_max_reports
        self._job_timeout_seconds = job_timeout_seconds
        self._report_ttl_seconds = report_ttl_seconds
        self._retry = Retry(
            max=len(defaults.JOB_RETRY_INTERVALS_SECONDS), interval=list(defaults.JOB_RETRY_INTERVALS_SECONDS)
        )

    def warm_up(self) -> None:
        """Ask Redis for its version now, as RQ does once per queue before its first enqueue, so that the
        blocking call is not made on the API's event loop later; a Redis that is down is asked later."""
        try:
            self._queue.get_redis_server_version()
        except redis.RedisError as error:
            log.warning("Redis did not answer at start (%s); RQ will ask for its version on the first commit", error)

    def _job_words(self, first_report_id: str) -> list[bytes | str | int | float]:
        """A new report job as the script takes it: id, word count, RQ's own enqueue commands.

        RQ writes the commands to a pipeline that is never sent; the script runs them only if no
        open job can take the reports. (RQ reads the server version once per queue, the first time.)
        """
        job_id = f"reports-{uuid.uuid4().hex}"
        data = Queue.prepare_data(
            PROCESS_REPORTS,
            timeout=self._job_timeout_seconds,
            retry=self._retry,
            job_id=job_id,
            description=f"process the reports queued from {first_report_id} on",
        )
        pipe = self._connection.pipeline(transaction=False)
        try:
            self._queue.enqueue_many([data], pipeline=pipe)
            commands = replay_words([command for command, _options in pipe.command_stack])
        finally:
            pipe.reset()
        return [job_id, len(commands), *commands]

    def _args(self, reports: list[ReportToStore]) -> list[bytes | str | int | float]:
        args: list[bytes | str | int | float] = [
            datetime.now(UTC).isoformat(),
            self._report_ttl_seconds,
            self._job_max_reports,
            self._queue.key,
            keys.open_job(self._queue.name),
            keys.job_reports(""),
            keys.running_job(self._queue.name),
            keys.job_wake(""),
            defaults.RUNNING_JOB_MAX_WAITING,
            len(reports),
        ]
        for report in reports:
            args += [report.id, report.content_hash, report.payload]
        for start in range(0, len(reports), self._job_max_reports):
            args += self._job_words(reports[start].id)
        return args

    @staticmethod
    def _outcomes(reports: list[ReportToStore], reply: list[int | bytes]) -> list[StoreOutcome]:
        duplicates = {
            int(reply[i]): (value.decode() if isinstance(value := reply[i + 1], bytes) else str(value))
            for i in range(0, len(reply), 2)
        }
        return [
            StoreOutcome(report.id, "duplicate", duplicates[i])
            if i in duplicates
            else StoreOutcome(report.id, "queued", None)
            for i, report in enumerate(reports)
        ]

    def commit(self, reports: list[ReportToStore]) -> list[StoreOutcome]:
        """Store the reports and give the new ones to a queued job (the open one, or new ones), atomically."""
        if not reports:
            return []
        return self._outcomes(reports, self._script(args=self._args(reports)))

    async def acommit(self, reports: list[ReportToStore]) -> list[StoreOutcome]:
        """`commit` on the asyncio client."""
        if not reports:
            return []
        if self._async_script is None:
            raise RuntimeError("ReportStore was built without an asyncio client")
        return self._outcomes(reports, await self._async_script(args=self._args(reports)))
