"""Tunables in one place, units in the names. Settings (services/settings.py) default to these."""

from __future__ import annotations

QUEUE_NAME = "sitrep"
"""The RQ queue the ingest service fills and the workers drain (Redis list `rq:queue:sitrep`)."""

JOB_TIMEOUT_SECONDS = 180
"""RQ job timeout for one batch of reports; deployments set their stop grace period above it."""

JOB_MAX_REPORTS = 100
"""At most this many reports go into one RQ job: RQ's per-job overhead is paid per batch."""

JOB_RETRY_INTERVALS_SECONDS = (5, 30, 120)
"""Retries of a job that failed on a transient error (needs a worker started with the scheduler)."""

INGEST_MAX_BODY_BYTES = 2_000_000
"""A single-report POST larger than this is refused with 413."""

INGEST_MAX_BATCH_BODY_BYTES = 32_000_000
"""A batch POST larger than this is refused with 413."""

INGEST_MAX_BATCH_REPORTS = 1000
"""A batch POST with more reports than this is refused with 413."""

REPORT_MAX_TEXT_CHARS = 1_000_000
"""A report text longer than this is refused with 422."""

REPORT_TTL_SECONDS = 30 * 24 * 3600
"""How long a report record and its content hash are kept (0 keeps them for ever)."""

EVENT_TTL_SECONDS = 90 * 24 * 3600
"""How long an extracted event record is kept (0 keeps it for ever)."""

EVENTS_STREAM_MAXLEN = 1_000_000
"""Approximate length the `sitrep:events` stream is trimmed to."""

ALERTS_STREAM_MAXLEN = 100_000
"""Approximate length the `sitrep:alerts:log` stream is trimmed to."""

NOTIFIER_BLOCK_MILLISECONDS = 1000
"""How long the notifier blocks on XREADGROUP before looking at its pending entries again."""

NOTIFIER_BATCH = 200
"""How many stream entries the notifier reads at once."""

NOTIFIER_CLAIM_IDLE_MILLISECONDS = 30_000
"""Entries pending longer than this in a dead notifier's list are claimed by a live one."""

ALERT_FINGERPRINT_TTL_SECONDS = 365 * 24 * 3600
"""How long an alert fingerprint is remembered, so the same state never alerts twice."""

CONTESTED_WINDOW_SECONDS = 3 * 24 * 3600
"""A disagreeing report within this span (report time) of the current holder's evidence makes control contested."""

CONTESTED_MIN_CONFIDENCE = 0.5
"""Only reports at least this confident count as credible dissent."""

GROUP_WAIT_SECONDS = 2.0
"""Default group wait: alerts about one place within this span are coalesced into one."""

REPEAT_INTERVAL_SECONDS = 24 * 3600.0
"""Default repeat interval: a condition still holding is notified again after this long (0: never)."""

RULES_CHECK_SECONDS = 1.0
"""How often the notifier looks at the rules file's mtime and the rules in Redis."""

SITUATION_MAX_IDS = 500
"""A situation keeps at most this many event, report and source ids per state (the newest)."""

SITUATION_MAX_HISTORY = 100
"""A situation keeps at most this many earlier holders (the newest)."""

HISTORY_MAX_IDS = 10
"""An earlier holder in a situation's history keeps this many of its event, report and source ids."""
