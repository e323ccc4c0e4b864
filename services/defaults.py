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

NEAR_DUPLICATE_TTL_SECONDS = 30 * 24 * 3600
"""How long a report stays findable as the original of near-duplicates (its LSH band keys); 0 keeps them."""

NEAR_DUPLICATE_THRESHOLD = 0.5
"""Share of MinHash slots two reports must share to be near-duplicates (estimated Jaccard of 3-shingles)."""

EVENT_MAX_MENTIONS_SHOWN = 3
"""A canonical event's JSON lists its earliest mentions up to this many; `mention_count` has them all."""

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
