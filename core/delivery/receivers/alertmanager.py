"""Alertmanager: alerts POSTed to `/api/v2/alerts`, kept firing while they hold, ended when they stop.

Alertmanager treats an alert as firing until its `endsAt`, and expects whoever sends it to send it
again before then. So per subscription sitrep keeps the alerts it has told Alertmanager are firing
(`sitrep:subscription:{id}:am-firing`, one per rule, place and category: the notifier's own unit),
sends each with `endsAt` four resend periods ahead, and the dispatcher has them all sent again every
`resend_seconds`. If sitrep stops, they end by themselves a few periods later, which is what
Alertmanager assumes of a sender that has gone.

A new state of the same rule, place and category (a new holder, a higher level) ends the previous
one in the same POST; a `superseded` or `resolved` notice ends the alert it names (`endsAt` now), so
the team's routing, silences and on-call see it resolve. A one-off change (`civilian_change`) fires
for `notice_seconds` and is not sent again. Reading that record, sending, and writing it back happen
under one lock per subscription, so a resend can never revive an alert a notice just ended.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson
import redis

from core import keys
from core.delivery import addresses, http_post, messages, stream
from core.delivery.http_post import Answer
from core.delivery.receiver_settings import AlertmanagerSettings
from core.delivery.subscriptions import Subscription
from core.errors import AddressRefused
from core.settings import DeliverySettings

log = logging.getLogger(__name__)

ENDPOINT = "/api/v2/alerts"
KEPT_FOR_RESENDS = 4
"""`endsAt` is this many resend periods ahead: a few lost resends do not end an alert that holds."""
FIRING_KINDS = frozenset({"control_changed", "control_baseline", "civilian_threshold"})
ENDING_FIELDS = {"superseded": "supersedes", "resolved": "resolves"}
ENDED_TTL_SECONDS = 7 * 86400
LOCK_WAIT_SECONDS = 5.0
LOCK_MARGIN_SECONDS = 5.0


def endpoint(url: str) -> str:
    """The alerts API under the subscription's base URL (a URL already ending in it is kept; a query
    string stays after the path)."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    return urlunsplit(parts._replace(path=path if path.endswith(ENDPOINT) else path + ENDPOINT))


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def severity(kind: str, category: str | None) -> str:
    """critical: a change of control, or people killed or wounded; info: a baseline; else warning."""
    if kind == "control_changed" or (kind == "civilian_threshold" and category in ("killed", "wounded")):
        return "critical"
    return "info" if kind == "control_baseline" else "warning"


def identity(alert: dict[str, Any]) -> str:
    """Rule, place and category: what the notifier keeps one state of, so one firing alert of each."""
    data = alert.get("data") or {}
    return "\n".join((str(data.get("rule") or ""), str(alert.get("subject") or ""), str(data.get("category") or "")))


def labels(alert: dict[str, Any], options: AlertmanagerSettings) -> dict[str, str]:
    """The label set, which is the alert's identity in Alertmanager: place, kind, category, severity,
    and what makes this state a new alert there (the holder, the level, the new value)."""
    data = alert.get("data") or {}
    kind = str(alert.get("type", "")).removeprefix(messages.TYPE_PREFIX)
    category = data.get("category")
    found = {
        **options.labels,
        "alertname": f"sitrep_{kind}",
        "place": str(alert.get("subject") or ""),
        "kind": kind,
        "severity": severity(kind, category),
    }
    if data.get("rule"):
        found["rule"] = str(data["rule"])
    if category:
        found["category"] = str(category)
    after = data.get("after") or {}
    if kind in ("control_changed", "control_baseline") and after.get("controller"):
        found["controller"] = str(after["controller"])
    if kind == "civilian_threshold" and data.get("level") is not None:
        found["level"] = str(data["level"])
    if kind == "civilian_change" and data.get("value") is not None:
        found["value"] = str(data["value"])
    return found


def annotations_of(message: messages.Message) -> dict[str, str]:
    found = {
        "summary": message.summary or message.headline,
        "description": messages.plain_text(message),
        "sources": ", ".join(message.sources) or "none named",
    }
    evidence = "; ".join(part for part in (message.change, message.civilians, message.evidence) if part)
    if evidence:
        found["evidence"] = evidence
    if message.situation_link:
        found["situation"] = message.situation_link
    return found


def build(alert: dict[str, Any], options: AlertmanagerSettings, public_url: str, now: float) -> dict[str, Any]:
    """The alert as Alertmanager takes it, without `endsAt` (the caller decides how long it fires)."""
    message = messages.build(alert, public_url)
    try:
        started = datetime.fromisoformat(str(alert.get("time"))).timestamp()
    except ValueError:
        started = now
    built: dict[str, Any] = {
        "labels": labels(alert, options),
        "annotations": annotations_of(message),
        "startsAt": _iso(min(started, now)),
    }
    link = message.report_link or message.situation_link
    if link:
        built["generatorURL"] = link
    return built


def _send(settings: DeliverySettings, url: str, alerts: list[dict[str, Any]], deadline: float) -> Answer:
    try:
        targets = addresses.pin(endpoint(url), settings.webhook_allow_private_addresses)
    except AddressRefused as refused:
        return Answer(None, f"not sent: {refused}")
    headers = {"content-type": "application/json", "user-agent": "sitrep-receivers/0.1"}
    return http_post.send(targets, orjson.dumps(alerts), headers, settings.webhook_timeout_seconds, deadline=deadline)


def _records(connection: redis.Redis, key: str) -> dict[str, Any]:
    raw: Any = connection.hgetall(key)
    return {name.decode(): orjson.loads(value) for name, value in raw.items()}


def _lock_timeout(settings: DeliverySettings) -> float:
    """The lock outlives the POST's deadline (http_post.budget_seconds) with room for the Redis writes."""
    return http_post.budget_seconds(settings.webhook_timeout_seconds) + LOCK_MARGIN_SECONDS


def _order(stream_id: str | None) -> tuple[int, int]:
    try:
        return stream.parse_id(stream_id or "0-0")
    except ValueError:
        return (0, 0)


def _ended_at(now: float, alerts: list[dict[str, Any]]) -> bytes:
    """An am-ended entry: when, and the alerts it ended (a retry of the notice sends them ended again)."""
    return orjson.dumps({"ms": int(now * 1000), "alerts": alerts})


def _ended_alerts(entry: Any) -> list[dict[str, Any]]:
    return list(entry.get("alerts") or []) if isinstance(entry, dict) else []


def deliver(
    connection: redis.Redis,
    settings: DeliverySettings,
    subscription: Subscription,
    body: bytes,
    stream_id: str | None = None,
) -> Answer:
    """One attempt for one alert (`stream_id`: its place in the alert log): fire it, end what it replaces
    or names, and remember what fires."""
    alert = messages.parse(body)
    if alert is None:
        return Answer(None, "not sent: the alert is not a JSON object")
    assert subscription.url is not None
    options = subscription.alertmanager or AlertmanagerSettings()
    kind = str(alert.get("type", "")).removeprefix(messages.TYPE_PREFIX)
    data = alert.get("data") or {}
    lock = connection.lock(
        keys.alertmanager_lock(subscription.id), timeout=_lock_timeout(settings), blocking_timeout=LOCK_WAIT_SECONDS
    )
    if not lock.acquire():
        return Answer(None, "not sent: another attempt to this Alertmanager is under way")
    deadline = time.monotonic() + http_post.budget_seconds(settings.webhook_timeout_seconds)
    firing_key, ended_key = keys.alertmanager_firing(subscription.id), keys.alertmanager_ended(subscription.id)
    try:
        now = time.time()
        firing = _records(connection, firing_key)
        ended = _records(connection, ended_key)
        key = identity(alert)
        order = _order(stream_id)
        payload: list[dict[str, Any]] = []
        keep: dict[str, Any] | None = None
        if kind in FIRING_KINDS:
            new = build(alert, options, settings.public_url, now)
            own = str(data.get("fingerprint") or alert.get("id") or "")
            base = str(data.get("repeat_of") or own)  # a repeat is the same alert as the state it repeats
            previous = firing.get(key)
            same = previous is not None and previous["alert"]["labels"] == new["labels"]
            if own in ended or base in ended:
                payload.append({**new, "endsAt": _iso(now)})  # a late retry of an alert already ended
            elif previous is not None and _order(previous.get("stream")) > order:
                if same:  # an older copy of what fires: sending it would shorten the newer one
                    return Answer(None, "nothing to send: a newer state of it fires already", accepted=True)
                payload.append({**new, "endsAt": _iso(now)})  # an older state, late: it ended when the newer came
            else:
                if previous is not None and same:
                    new["startsAt"] = previous["alert"]["startsAt"]  # the same alert again (a repeat): still one
                elif previous is not None:
                    payload.append({**previous["alert"], "endsAt": _iso(now)})  # replaced by the new state
                keep = {"fingerprint": base, "alert": new, "stream": stream_id or "0-0"}
                payload.append({**new, "endsAt": _iso(now + KEPT_FOR_RESENDS * options.resend_seconds)})
        elif kind in ENDING_FIELDS:
            named = str(data.get(ENDING_FIELDS[kind]) or "")
            ends = [name for name, record in firing.items() if record["fingerprint"] == named]
            record = firing.get(key)
            if kind == "resolved" and record is not None and key not in ends and _order(record.get("stream")) < order:
                ends.append(key)  # what fires here is older than the notice: e.g. a repeat seen first
            if ends:
                # Ended here and now, before the POST: a notice that never gets through must not leave
                # its alert resent for ever; its retries send the alerts ended again (from am-ended).
                alerts = [firing[name]["alert"] for name in ends]
                with connection.pipeline(transaction=True) as pipe:
                    pipe.hdel(firing_key, *ends)
                    for name in {named, *(firing[name]["fingerprint"] for name in ends)}:
                        pipe.hset(ended_key, name, _ended_at(now, alerts))
                    pipe.expire(ended_key, ENDED_TTL_SECONDS)
                    pipe.execute()
                payload = [{**found, "endsAt": _iso(now)} for found in alerts]
            elif alerts := _ended_alerts(ended.get(named)):
                payload = [{**found, "endsAt": _iso(now)} for found in alerts]  # a retry of this notice
            elif named not in ended:
                connection.hset(ended_key, named, _ended_at(now, []))
                connection.expire(ended_key, ENDED_TTL_SECONDS)
        else:  # a one-off change: it fires for a while and ends by itself
            new = build(alert, options, settings.public_url, now)
            payload.append({**new, "endsAt": _iso(now + options.notice_seconds)})
        if not payload:
            return Answer(None, "nothing to send: the alert it ends is no longer firing here", accepted=True)
        answer = _send(settings, subscription.url, payload, deadline)
        if answer.ok and keep is not None:
            connection.hset(firing_key, key, orjson.dumps(keep))
        return answer
    finally:
        try:
            lock.release()
        except redis.exceptions.LockError:
            log.warning("alertmanager lock of %s expired before its attempt ended", subscription.id)


def resend(connection: redis.Redis, settings: DeliverySettings, subscription: Subscription) -> Answer | None:
    """Send every alert still firing again, each ending four periods from now; None if none fires."""
    if subscription.url is None:
        return None
    options = subscription.alertmanager or AlertmanagerSettings()
    lock = connection.lock(
        keys.alertmanager_lock(subscription.id), timeout=_lock_timeout(settings), blocking_timeout=LOCK_WAIT_SECONDS
    )
    if not lock.acquire():
        return Answer(None, "an attempt to this Alertmanager is under way; the next period resends")
    deadline = time.monotonic() + http_post.budget_seconds(settings.webhook_timeout_seconds)
    try:
        now = time.time()
        firing = _records(connection, keys.alertmanager_firing(subscription.id))
        if not firing:
            return None
        until = _iso(now + KEPT_FOR_RESENDS * options.resend_seconds)
        alerts = [{**record["alert"], "endsAt": until} for record in firing.values()]
        return _send(settings, subscription.url, alerts, deadline)
    finally:
        try:
            lock.release()
        except redis.exceptions.LockError:
            log.warning("alertmanager lock of %s expired before its resend ended", subscription.id)
