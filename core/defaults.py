"""Tunables in one place, units in the names. Settings (core/settings.py) default to these."""

from __future__ import annotations

QUEUE_NAME = "sitrep"
"""The RQ queue the ingest service fills and the workers drain (Redis list `rq:queue:sitrep`)."""

JOB_TIMEOUT_SECONDS = 180
"""RQ job timeout for one batch of reports; deployments set their stop grace period above it."""

JOB_MAX_REPORTS = 100
"""At most this many reports go into one RQ job: RQ's per-job overhead is paid per batch."""

JOB_LINGER_SECONDS = 0.2
"""A report job whose worker has nothing left waits this long for newcomers before it ends (unless a job
waits in a queue that worker serves): a steady trickle of POSTs shares one job instead of paying RQ's per-job cost each, and
skips RQ's wait between jobs. 0 ends the job as soon as its list is done."""

JOB_OPEN_SECONDS = 10.0
"""A running report job takes newcomers for at most this long (and a third of the job timeout), so a
job ends, and a warm shutdown waits, within a bounded time."""

RUNNING_JOB_LEASE_MILLISECONDS = 1000
"""Expiry of `sitrep:ingest:running-job:{queue}`, renewed by the worker at every claim and every wait (each
`WAIT_SLICE_SECONDS`): a worker that dies stops drawing reports to its job within this time."""

RUNNING_JOB_MAX_WAITING = 25
"""Reports that may join a waiting running job before its worker has claimed them: a batch POST larger
than this gets a job of its own, and a worker that died strands at most this many until RQ retries its job."""

WORKER_MAINTENANCE_SECONDS = 60
"""How often one of the workers runs RQ's maintenance (RQ's default: 10 minutes), which is what retries the
job of a worker that died once its started-registry entry expires (the job timeout and a minute): the
reports such a job held wait minutes either way, but not a quarter of an hour. An idle worker wakes this
often to look (its RQ worker TTL is this plus 15 s)."""

WORKER_CLASS = "rq.worker.SimpleWorker"
"""RQ worker class of `sitrep worker`: no fork per job, whose cost capped a worker's job rate
(docs/benchmarks.md). Jobs are short, so going without a heartbeat during one does not bite; the job
timeout still applies. `--worker-class rq.worker.Worker` buys crash isolation per job at that cost."""

EXTRACTION_BUDGET_SECONDS = 10.0
"""One report's extraction may take this long (checked between its sentences); past it the report is
`failed` ("extraction time budget exceeded") and the batch goes on. A real report takes milliseconds;
the job timeout (above) stays the backstop for the whole batch."""

JOB_RETRY_INTERVALS_SECONDS = (5, 30, 120)
"""Retries of a job that failed on a transient error (needs a worker started with the scheduler)."""

INGEST_MAX_BODY_BYTES = 2_000_000
"""A single-report POST larger than this is refused with 413."""

INGEST_MAX_BATCH_BODY_BYTES = 32_000_000
"""A batch POST larger than this is refused with 413."""

INGEST_MAX_BATCH_REPORTS = 1000
"""A batch POST with more reports than this is refused with 413."""

ADMISSION_MAX_BACKLOG = 100_000
"""The ingest answers 503 (Retry-After) while more reports than this wait to be processed (0: no limit); its
readiness (/healthz) turns false with it. A worker processes a few hundred reports a second."""

ADMISSION_MAX_MEMORY_SHARE = 0.8
"""... and while Redis's used_memory is above this share of its maxmemory (1: no limit), so that ingest stops
before Redis refuses writes (noeviction), leaving room for the admitted backlog's events."""

ADMISSION_READING_SECONDS = 0.2
"""The API reads the backlog and Redis memory at most this often (in the background, not per request)."""

ADMISSION_RETRY_AFTER_SECONDS = 5
"""`Retry-After` of a refused ingest."""

REDIS_MAXMEMORY_SHARE_OF_RAM = 0.25
"""Default `maxmemory` of the Redis `sitrep run` starts: this share of the machine's memory (or of its
cgroup's limit, if lower). Its policy is always `noeviction`: queues and streams must never lose keys."""

REPORT_TTL_SECONDS = 30 * 24 * 3600
"""How long a report record and its content hash are kept (0 keeps them for ever)."""

EVENT_TTL_SECONDS = 90 * 24 * 3600
"""How long an extracted event record is kept (0 keeps it for ever)."""

NEAR_DUPLICATE_TTL_SECONDS = 30 * 24 * 3600
"""How long a report stays findable as the original of near-duplicates (its LSH band keys); 0 keeps them."""

NEAR_DUPLICATE_THRESHOLD = 0.5
"""Share of MinHash slots two reports must share to be near-duplicates (estimated Jaccard of 3-shingles)."""

EVENT_MAX_MENTIONS_SHOWN = 3
"""Events in lists (`GET /v1/events`, `GET /v1/reports/{id}`) show their earliest mentions up to this
many; `mention_count` counts them all and `GET /v1/events/{id}` lists them all (`?mentions=N`)."""

EVENTS_STREAM_MAXLEN = 1_000_000
"""Approximate length the `sitrep:events` stream is trimmed to."""

ALERTS_STREAM_MAXLEN = 100_000
"""Approximate length the `sitrep:alerts:log` stream is trimmed to."""

NOTIFIER_BLOCK_MILLISECONDS = 1000
"""How long the notifier blocks on XREADGROUP before looking at its pending entries again."""

NOTIFIER_BATCH = 200
"""How many stream entries the notifier reads at once."""

ALERT_FINGERPRINT_TTL_SECONDS = 365 * 24 * 3600
"""How long an alert fingerprint is remembered, so the same state never alerts twice."""

CONTESTED_WINDOW_SECONDS = 3 * 24 * 3600
"""A disagreeing report within this span (report time) of the current holder's evidence makes control contested."""

CONTESTED_MIN_CONFIDENCE = 0.5
"""Only reports at least this confident count as credible dissent."""

GROUP_WAIT_SECONDS = 0.5
"""Default group wait: alerts about one place within this span are coalesced into one. Half a second
keeps the promise of an alert within a second of the report while still folding a batch of reports
about one place (they are processed together, milliseconds apart) into one notification."""

REPEAT_INTERVAL_SECONDS = 24 * 3600.0
"""Default repeat interval: a condition still holding is notified again after this long (0: never)."""

RULES_CHECK_SECONDS = 1.0
"""How often the notifier looks at the rules file's mtime and the rules in Redis."""
WEBHOOK_QUEUE_NAME = "sitrep-webhooks"
"""The RQ queue of webhook deliveries: separate, so a slow endpoint never sits in front of extraction."""

ALERTS_STREAM_MAX_AGE_SECONDS = 0
"""Alerts older than this are trimmed from `sitrep:alerts:log` by the dispatcher (0: trim by length only)."""

SSE_HEARTBEAT_SECONDS = 15.0
"""A comment line is sent this often on an idle SSE stream, so proxies keep it open and dead peers show."""

SSE_BLOCK_MILLISECONDS = 5000
"""How long one XREAD on behalf of an SSE client blocks before it is issued again."""

WEBHOOK_RETRY_SECONDS = (5.0, 30.0, 120.0, 600.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0)
"""Waits before the 2nd, 3rd, ... attempt of a webhook (about 15 hours in all, then it is given up)."""

WEBHOOK_RETRY_JITTER = 0.2
"""Each wait is multiplied by a random factor in [1 - jitter, 1 + jitter], so retries do not stampede."""

WEBHOOK_TIMEOUT_SECONDS = 10.0
"""Read/write timeout of one webhook POST (connecting gets at most 3 s)."""

PUBLIC_URL = "http://127.0.0.1:8000"
"""Where people reach the API: the base of the report and situation links in Slack, email, Telegram and
Alertmanager messages."""

ALERTMANAGER_RESEND_CHECK_SECONDS = 1.0
"""How often a dispatcher looks for Alertmanager subscriptions whose firing alerts are due to be sent again."""

WEBHOOK_DELIVERY_TTL_SECONDS = 14 * 24 * 3600
"""How long a delivery and its attempts are kept for `GET .../deliveries` and replay."""

DISPATCHER_BLOCK_MILLISECONDS = 1000
"""How long the dispatcher blocks on XREADGROUP before it looks at stale pending entries again."""

DISPATCHER_CLAIM_IDLE_MILLISECONDS = 30_000
"""Alert log entries pending this long in a dead dispatcher's list are claimed by a live one."""

SITUATION_MAX_IDS = 500
"""A situation keeps at most this many event, report and source ids per state (the newest)."""

SITUATION_MAX_HISTORY = 100
"""A situation keeps at most this many earlier holders (the newest)."""

HISTORY_MAX_IDS = 10
"""An earlier holder in a situation's history keeps this many of its event, report and source ids."""

API_KEY_CACHE_SECONDS = 1.0
"""An API process trusts what it read about a key (or that none exists) this long: a key revoked by
another process, or the first key made, takes effect within it."""

RATE_LIMIT_PER_SECOND = 100.0
"""Requests a second one API key may make, across all API processes, unless its own `--rate` says otherwise
(0: no limit). A feed sending faster should send batches (up to 1,000 reports a request)."""

RATE_LIMIT_BURST_SECONDS = 5.0
"""A key's bucket holds this many seconds of its rate (at least 1 request): what it may send at once after
a quiet spell."""

API_KEYS_MAX = 1000
"""Active API keys at most (a bounded set the API may list in one call)."""

API_KEY_REVOKED_TTL_SECONDS = 30 * 24 * 3600
"""A revoked key's record is kept this long, so its holder hears 'revoked', not 'unknown'."""

SILENCES_MAX = 1000
"""Silences at most (each is checked against every alert); the API answers 409 past it."""

SUBSCRIPTIONS_MAX = 1000
"""Webhook subscriptions at most (each is matched against every alert); the API answers 409 past it."""

FEED_EVERY_SECONDS = 300
"""How often a feed is polled when `sitrep feeds add` is not told (`--every 5m`)."""
FEED_MIN_EVERY_SECONDS = 1
FEED_MAX_EVERY_SECONDS = 7 * 24 * 3600
FEEDS_MAX = 10_000
"""Feeds one Redis may hold: `POST /v1/feeds` answers 409 past it."""
FEEDS_LIST_MAX = 1000
"""Most feeds one `GET /v1/feeds` page lists."""
FEED_CONCURRENCY = 8
"""Feeds one poller fetches at once: a slow feed holds one slot, never the others."""
FEED_TIMEOUT_SECONDS = 20.0
"""Whole-request budget of one feed fetch (connect, headers and body)."""
FEED_MAX_BYTES = 5 * 1024 * 1024
PAGE_TIMEOUT_SECONDS = 10.0
"""Whole-request budget of one article page fetch."""
PAGE_MAX_BYTES = 2 * 1024 * 1024
PAGE_FETCHES_PER_POLL = 20
"""Article pages one poll of one feed fetches at most; the items past it keep their summary."""
FEED_JITTER = 0.1
"""Each next poll is moved by up to this share of the interval, so feeds added together spread out."""
FEED_BACKOFF_FIRST_SECONDS = 30.0
FEED_BACKOFF_MAX_SECONDS = 6 * 3600.0
"""A failing feed is retried after FEED_BACKOFF_FIRST_SECONDS, doubling per failure up to this."""
FEED_LEASE_SECONDS = 120
"""A poller holds a feed this long at most per poll; a poller that died frees it when this lapses."""
FEED_SEEN_MAX = 5000
"""Items remembered per feed (their GUID, link and content hash), newest kept: many times a feed's length."""
FEED_USER_AGENT = "sitrep-feeds/0.1"
IMPORT_BATCH = 200
IMPORT_POSITION_TTL_SECONDS = 30 * 24 * 3600
"""How long `sitrep import` remembers how far it got in a file."""
