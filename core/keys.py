"""Every Redis key, stream and channel sitrep uses, named in one place.

docs/ARCHITECTURE.md lists who writes and who reads each one; keep the two in step.
"""

from __future__ import annotations

PREFIX = "sitrep:"

ALERTS_CHANNEL = "sitrep:alerts"
"""Pub/sub channel: live alerts (at most once; the stream below is the durable copy)."""

ALERTS_STREAM = "sitrep:alerts:log"
"""Stream of every alert ever emitted, trimmed to a length; SSE and `subscribe --since` read it."""

ALERTS_STREAM_FIELD = "alert"
"""The field of an ALERTS_STREAM entry that holds the alert's CloudEvents JSON (see notifier/emitter.py)."""

WEBHOOKS_GROUP = "webhooks"
"""Consumer group of the webhook dispatchers on ALERTS_STREAM."""

SUBSCRIPTIONS_INDEX = "sitrep:subscriptions"
"""Set of subscription ids (every receiver type)."""

ALERTMANAGER_RESENDS = "sitrep:subscriptions:alertmanager"
"""Hash: Alertmanager subscription id → resend period in ms (the dispatchers' resend check reads only this)."""

EVENTS_STREAM = "sitrep:events"
"""Stream of extracted events, written by workers, read by the notifier's consumer group."""

NOTIFIER_GROUP = "notifier"
"""Consumer group of the notifier processes on EVENTS_STREAM."""

NOTIFIER_LEADER = "sitrep:notifier:leader"
"""String with a short lease: the consumer name of the notifier that currently leads."""

EVENTS_INDEX = "sitrep:events:index"
"""Sorted set of event ids scored by the time they last changed (whole seconds; trimmed as events expire)."""

EVENTS_BY_SEQUENCE = "sitrep:events:sequence"
"""Sorted set of event ids scored by their creation number: the order `GET /v1/events` pages in, which a
new event can only extend, so a cursor never skips or repeats one (services/api/event_query.py)."""

EVENTS_SEQUENCE_COUNTER = "sitrep:events:sequence:counter"
"""String: the last creation number given to an event (INCR in the merge script)."""

SITUATION_INDEX = "sitrep:situation:index"
"""Set of place ids the notifier holds a situation for."""

SITUATION_VERSION = "sitrep:situation:version"
"""String: a random token the notifier sets anew in each transaction that changes a situation, so a reader can
tell "nothing changed" without reading them (the ETag of `GET /v1/places`)."""

RULES = "sitrep:rules"
"""String: the alert rules as JSON (written by `PUT /v1/rules` or from the rules file; read by notifiers)."""

RULES_ORIGIN = "sitrep:rules:origin"
"""String: where RULES came from: `file:<sha256>` or `api:<unix time>`; the newer edit of file and API wins."""

SILENCES = "sitrep:silences"
"""Hash: silence id → silence JSON (place and/or rule muted until a time)."""

FAILED_REPORTS = "sitrep:reports:failed"
"""Sorted set: ids of reports that ended `failed` (an extractor error, its time budget, or a job that failed
for good), scored by failure time in ms; `GET /v1/reports?status=failed` pages it, a retry removes them."""

BACKLOG = "sitrep:reports:backlog"
"""Counter: reports stored and not yet done or failed (the ingest adds, the merge and fail scripts take away);
the API's admission control reads it (services/api/admission.py)."""

ALERT_GROUPS = "sitrep:alert-groups"
"""Sorted set: place ids whose alert group is due (group wait or repeat), scored by due time in ms."""


def open_job(queue_name: str) -> str:
    """String: id of the newest report job on this RQ queue, which later reports may join while it still
    waits in the queue list (services/api/report_store.py)."""
    return f"sitrep:ingest:open-job:{queue_name}"


def running_job(queue_name: str) -> str:
    """Hash (`job`, `claimed`, `waiting`), with a short expiry the worker renews: the report job a worker
    is running on this queue and still keeps open to newcomers, how many of its list it has claimed, and
    whether it waits with nothing in hand, the only time the ingest joins it (workers/processing.py)."""
    return f"sitrep:ingest:running-job:{queue_name}"


def job_reports(job_id: str) -> str:
    """List: the ids of the reports one RQ job processes; the ingest appends to it while the job waits,
    and while it runs open (`running_job`)."""
    return f"sitrep:job-reports:{job_id}"


def job_wake(job_id: str) -> str:
    """List: a token the ingest pushes when it gives reports to a running open job, or closes it; the
    job's worker waits on it (BLPOP) instead of polling."""
    return f"sitrep:job-wake:{job_id}"


def report(report_id: str) -> str:
    """Hash: the report, its status, the events it yielded."""
    return f"sitrep:report:{report_id}"


def report_content(content_hash: str) -> str:
    """String: id of the first report with this (source, normalised text)."""
    return f"sitrep:report-content:{content_hash}"


def canonical_state(event_id: str) -> str:
    """Hash: a canonical event's merge state (strongest mention, best time, outlets, story origins, counts)."""
    return f"sitrep:canon:{event_id}"


def canonical_observations(event_id: str) -> str:
    """Hash: a canonical event's quantity facts and rendered observation, per day."""
    return f"sitrep:canon:{event_id}:obs"


def canonical_mentions(event_id: str) -> str:
    """Sorted set: a canonical event's mentions as JSON, scored by publication time."""
    return f"sitrep:canon:{event_id}:mentions"


def lsh_bucket(bucket: int | str) -> str:
    """Hash of one time bucket (`SITREP_NEAR_DUPLICATE_TTL_SECONDS` long, numbered from the epoch; `all` when
    that is 0): field `{band number}:{band hash}` -> the first report seen with that MinHash band."""
    return f"sitrep:lsh:{bucket}"


def situation(place_id: str) -> str:
    """String: the situation of one place as JSON."""
    return f"sitrep:situation:{place_id}"


def alert_fingerprint(fingerprint: str) -> str:
    """String: set once when an alert with this fingerprint is emitted."""
    return f"sitrep:alert-fp:{fingerprint}"


def alert_group(place_id: str) -> str:
    """Hash: the open alert group of a place (`report_time` of its first event, `opened_ms`)."""
    return f"sitrep:alert-group:{place_id}"


def notified(place_id: str) -> str:
    """Hash: rule (and category) → JSON of what was last notified for this place."""
    return f"sitrep:notified:{place_id}"


def subscription(subscription_id: str) -> str:
    """Hash: a subscription (type, url or receiver settings, filters, sealed secrets, status)."""
    return f"sitrep:subscription:{subscription_id}"


def subscription_deliveries(subscription_id: str) -> str:
    """Sorted set of a subscription's delivery ids scored by creation time (ms)."""
    return f"sitrep:subscription:{subscription_id}:deliveries"


def alertmanager_firing(subscription_id: str) -> str:
    """Hash: an Alertmanager subscription's alerts still firing, by rule/place/category → JSON (the alert
    as last sent, its fingerprint): what a resend refreshes and what a resolved notice ends."""
    return f"sitrep:subscription:{subscription_id}:am-firing"


def alertmanager_ended(subscription_id: str) -> str:
    """Hash: fingerprints an Alertmanager subscription was told ended → ms, so a late retry of the alert
    itself does not make it fire again."""
    return f"sitrep:subscription:{subscription_id}:am-ended"


def alertmanager_resend(subscription_id: str) -> str:
    """String with a lease: set by the dispatcher that queued this period's resend of firing alerts."""
    return f"sitrep:subscription:{subscription_id}:am-resend"


def alertmanager_lock(subscription_id: str) -> str:
    """Lock held while an Alertmanager subscription's firing alerts are read, sent and written back."""
    return f"sitrep:subscription:{subscription_id}:am-lock"


def delivery(delivery_id: str) -> str:
    """Hash: one alert's delivery to one subscription: body, status, attempt counters."""
    return f"sitrep:delivery:{delivery_id}"


def delivery_attempts(delivery_id: str) -> str:
    """List of JSON records, one per HTTP attempt of a delivery."""
    return f"sitrep:delivery:{delivery_id}:attempts"


API_KEYS = "sitrep:api-keys"
"""Set: the ids of the API keys not revoked (the API serves without a key only while it is empty)."""


def api_key(key_id: str) -> str:
    """Hash: one API key's record (`key`: JSON of name, scopes, times) and `hash`: SHA-256 of the key."""
    return f"sitrep:api-key:{key_id}"


FEEDS_INDEX = "sitrep:feeds"
"""Sorted set of feed ids, all scored 0: the API lists them in id order (ZRANGEBYLEX pages)."""

FEEDS_DUE = "sitrep:feeds:due"
"""Sorted set of feed ids scored by when each is next due to be polled (ms): the pollers' schedule."""


def feed(feed_id: str) -> str:
    """Hash: a feed's settings (`feed` JSON) and its polling state (validators, failures, counts)."""
    return f"sitrep:feed:{feed_id}"


def feed_seen(feed_id: str) -> str:
    """Sorted set of a feed's items already posted (`guid:`, `link:`, `hash:` markers) by ms first seen."""
    return f"sitrep:feed:{feed_id}:seen"


def feed_lease(feed_id: str) -> str:
    """String with a lease: the poller that polls this feed now (one at a time per feed)."""
    return f"sitrep:feed:{feed_id}:lease"


def import_position(identity: str) -> str:
    """Hash: how far `sitrep import` got through one file (by content and options), for resuming."""
    return f"sitrep:import:{identity}"


def metric(name: str) -> str:
    """Hash of one stored metric (core/metrics.py): a field per label set, or per label set and bucket."""
    return f"sitrep:metric:{name}"


def rate_limit(subject: str) -> str:
    """Hash: one caller's token bucket (`tokens`, `at` in ms): `key:{id}` for a key, `addr:{ip}` when open."""
    return f"sitrep:rate:{subject}"
