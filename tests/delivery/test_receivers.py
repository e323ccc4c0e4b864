"""Receivers end to end on the suite's Redis: an API process and a real `sitrep worker` with sealing
keys, the real dispatcher loop, and on 127.0.0.1 a fake Alertmanager, Slack, Mattermost and Telegram
API (tests/delivery/receivers.py) and a real SMTP server (aiosmtpd). Retry waits are cut to 0.3 s
without jitter; the code path is the production one."""

from __future__ import annotations

import base64
import email
import email.policy
import json
import ssl
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
import redis
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient

from core import keys
from core.delivery import messages, sealing, subscriptions
from core.delivery.receivers import email as email_receiver
from core.delivery.subscriptions import SubscriptionIn
from core.embedded_redis import EmbeddedRedis, free_port
from core.settings import DeliverySettings, IngestSettings
from services.api.app import create_app
from services.dispatcher import Dispatcher
from tests.conftest import REPO, sitrep_command
from tests.delivery.conftest import FAST_RETRIES, dispatcher_running, log_alert, process_env, start, stop
from tests.delivery.receivers import SOURCES, Answer, FakeHttp, Mailbox, civilian_alert, control_alert
from tests.helpers import wait_for_line, wait_until

KEY = Fernet.generate_key().decode()
PUBLIC = "https://sitrep.example.org"
TOKEN = "123456789:AAFakeTokenForTheTestsOnly_0123456789"
RETRY_WAIT = 0.3
"""The first waits of FAST_RETRIES, without jitter: attempts of one delivery are at least this far apart."""


@pytest.fixture(scope="module")
def api(redis_server: EmbeddedRedis) -> Iterator[str]:
    """An API that seals what it stores with KEY, as a deployment with SITREP_WEBHOOK_SECRET_KEYS does."""
    port = free_port()
    process = start(["api", "--port", str(port)], process_env(redis_server.url, SITREP_WEBHOOK_SECRET_KEYS=KEY))
    try:
        wait_for_line(process, "Application startup complete")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@pytest.fixture
def sealed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process (the dispatcher thread, the checks) opens what the API sealed."""
    monkeypatch.setenv("SITREP_WEBHOOK_SECRET_KEYS", KEY)
    sealing.configured.cache_clear()
    yield
    sealing.configured.cache_clear()


def settings_for(redis_url: str) -> DeliverySettings:
    return DeliverySettings(
        redis_url=redis_url,
        webhook_retry_seconds=FAST_RETRIES,
        webhook_retry_jitter=0,
        webhook_allow_private_addresses=True,
        public_url=PUBLIC,
    )


@pytest.fixture
def worker(r: redis.Redis, redis_url: str, sealed: None) -> Iterator[subprocess.Popen[str]]:
    env = process_env(
        redis_url,
        SITREP_WEBHOOK_RETRY_SECONDS=FAST_RETRIES,
        SITREP_WEBHOOK_RETRY_JITTER="0",
        SITREP_WEBHOOK_TIMEOUT_SECONDS="3",
        SITREP_WEBHOOK_SECRET_KEYS=KEY,
        SITREP_PUBLIC_URL=PUBLIC,
        SITREP_LOG_LEVEL="DEBUG",
    )
    process = start(["worker", "sitrep-webhooks"], env)
    wait_for_line(process, "Listening on")
    yield process
    stop(process)


@pytest.fixture
def dispatcher(r: redis.Redis, redis_url: str, sealed: None) -> Iterator[Dispatcher]:
    """The real dispatcher loop in a thread of the test process."""
    with dispatcher_running(redis_url, settings_for(redis_url), "receivers-test") as running:
        yield running


def subscribe(api: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(f"{api}/v1/subscriptions", json=body, timeout=10)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def delivered(api: str, subscription_id: str, count: int) -> list[dict[str, Any]]:
    """Wait until `count` deliveries are settled, and return them oldest first."""

    def settled() -> list[dict[str, Any]]:
        found = httpx.get(f"{api}/v1/subscriptions/{subscription_id}/deliveries", timeout=10).json()
        done = [d for d in found if d["status"] != "pending"]
        return list(reversed(done)) if len(done) >= count else []

    return wait_until(settled, what=f"{count} deliveries to settle")


def outcomes(delivery: dict[str, Any]) -> list[tuple[int | None, str]]:
    return [(attempt["status_code"], attempt["outcome"]) for attempt in delivery["attempts"]]


def backed_off(times: list[float]) -> bool:
    return all(later - earlier >= RETRY_WAIT * 0.9 for earlier, later in zip(times, times[1:], strict=False))


def _moment(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


# -- Alertmanager --------------------------------------------------------------------------------


def test_alertmanager_gets_the_alert_once_after_5xx_keeps_it_firing_and_resolves_it(
    api: str, r: redis.Redis, worker: Any, dispatcher: Dispatcher, fakes: Callable[..., FakeHttp]
) -> None:
    manager = fakes(Answer(500), Answer(503), Answer(200))

    def shown_now() -> dict[str, Any]:
        found: dict[str, Any] = httpx.get(f"{api}/v1/subscriptions/{made['id']}", timeout=10).json()
        return found

    made = subscribe(
        api,
        {
            "type": "alertmanager",
            "url": manager.base,
            "filters": {"place": ["raqqa"]},
            "alertmanager": {"resend_seconds": 1, "labels": {"team": "levant"}},
        },
    )
    log_alert(r, civilian_alert("fp-trapped-1000"))
    hits = manager.wait_for(3)
    assert [hit.answered for hit in hits] == [500, 503, 200] and backed_off([hit.at for hit in hits])
    assert {hit.path for hit in hits} == {"/api/v2/alerts"}
    (firing,) = hits[2].json()
    assert firing["labels"] == {
        "alertname": "sitrep_civilian_threshold",
        "place": "raqqa",
        "kind": "civilian_threshold",
        "category": "trapped",
        "severity": "warning",
        "rule": "civilians",
        "level": "1000",
        "team": "levant",
    }
    notes = firing["annotations"]
    assert notes["summary"].startswith("Civilians trapped in Raqqa: none known → 4,000")
    assert notes["sources"] == SOURCES[0]
    assert "4,000 trapped (above 1,000)" in notes["evidence"]
    assert "Place: Raqqa" in notes["description"] and f"{PUBLIC}/v1/reports/field-desk%3Ar-17" in notes["description"]
    assert firing["generatorURL"] == f"{PUBLIC}/v1/reports/field-desk%3Ar-17"
    assert firing["startsAt"] == "2017-10-14T15:00:00.000Z"
    assert _moment(firing["endsAt"]) > time.time() + 2  # four resend periods ahead
    (delivery,) = delivered(api, made["id"], 1)
    assert outcomes(delivery) == [(500, "retry"), (503, "retry"), (200, "delivered")]

    # Alertmanager expects a firing alert again before its endsAt: the dispatcher has it resent.
    resent = manager.wait_for(4)[3].json()
    assert [alert["labels"] for alert in resent] == [firing["labels"]]
    assert _moment(resent[0]["endsAt"]) > _moment(firing["endsAt"]) and resent[0]["startsAt"] == firing["startsAt"]
    shown = wait_until(lambda: [found for found in [shown_now()] if found["resent_at"]], what="the resend on record")
    assert shown[0]["resend_error"] is None

    # The count falls back under the level: the notice ends the alert in Alertmanager.
    log_alert(r, civilian_alert("fp-trapped-down", kind="resolved", value=400, resolves="fp-trapped-1000"))

    def resolve_posts() -> list[dict[str, Any]]:
        """Alerts sent already ended (endsAt at or before the POST), as a resolve is."""
        return [a for hit in list(manager.hits) for a in hit.json() if _moment(a["endsAt"]) <= hit.wall + 0.001]

    (ended,) = wait_until(resolve_posts, what="the alert to be ended in Alertmanager")
    assert ended["labels"] == firing["labels"] and ended["startsAt"] == firing["startsAt"]
    delivered(api, made["id"], 2)
    assert not r.exists(keys.alertmanager_firing(made["id"]))
    seen = len(manager.hits)
    time.sleep(2.5)  # two resend periods: nothing fires any more, so nothing is resent (an absence to observe)
    assert len(manager.hits) == seen and len(resolve_posts()) == 1


def test_a_new_holder_ends_the_old_alert_and_a_late_superseded_notice_sends_nothing(
    api: str, r: redis.Redis, worker: Any, dispatcher: Dispatcher, fakes: Callable[..., FakeHttp]
) -> None:
    manager = fakes(Answer(200))
    made = subscribe(api, {"type": "alertmanager", "url": f"{manager.base}/api/v2/alerts"})
    log_alert(r, control_alert("fp-sdf", holder="Syrian Democratic Forces", was="Islamic State"))
    (first,) = manager.wait_for(1)[0].json()
    assert first["labels"]["controller"] == "syrian-democratic-forces" and first["labels"]["severity"] == "critical"
    assert "Islamic State → Syrian Democratic Forces" in first["annotations"]["evidence"]
    assert "2 independent sources" in first["annotations"]["evidence"]
    log_alert(r, control_alert("fp-is", holder="Islamic State", was="Syrian Democratic Forces"))
    log_alert(r, control_alert("fp-superseded", "Islamic State", "Syrian Democratic Forces", "superseded", "fp-sdf"))
    deliveries = delivered(api, made["id"], 3)
    second = manager.hits[1].json()
    assert [(a["labels"]["controller"], _moment(a["endsAt"]) <= manager.hits[1].wall + 0.001) for a in second] == [
        ("syrian-democratic-forces", True),
        ("islamic-state", False),
    ]
    assert [hit.path for hit in manager.hits[:2]] == ["/api/v2/alerts"] * 2
    (notice,) = [d for d in deliveries if d["alert_type"] == "sitrep.alert.superseded"]
    assert notice["alert_type"] == "sitrep.alert.superseded" and notice["status"] == "delivered"
    assert notice["attempts"][0]["error"].startswith("nothing to send")
    firing = r.hgetall(keys.alertmanager_firing(made["id"]))
    assert len(firing) == 1 and b"fp-is" in next(iter(firing.values()))


# -- Slack and Mattermost ------------------------------------------------------------------------


def test_slack_and_mattermost_get_one_readable_message_each_after_a_5xx(
    api: str, r: redis.Redis, worker: Any, dispatcher: Dispatcher, fakes: Callable[..., FakeHttp]
) -> None:
    slack = fakes(Answer(500, b"internal_error"), Answer(200))
    chat = fakes(Answer(502), Answer(200))
    hook = f"{slack.base}/services/T000/B000/secretpart"
    made_slack = subscribe(api, {"type": "slack", "url": hook, "slack": {"username": "sitrep"}})
    made_mm = subscribe(
        api, {"type": "mattermost", "url": f"{chat.base}/hooks/abc123", "mattermost": {"channel": "ops"}}
    )
    assert made_slack["url"] == f"{slack.base}/…"  # the hook URL is a secret: never shown again
    assert httpx.get(f"{api}/v1/subscriptions/{made_slack['id']}", timeout=10).json()["url"] == f"{slack.base}/…"
    assert b"secretpart" not in r.hget(keys.subscription(made_slack["id"]), "subscription")  # type: ignore[operator]
    log_alert(r, control_alert("fp-sdf", holder="Syrian Democratic Forces", was="Islamic State"))

    hits = slack.wait_for(2)
    assert (
        [hit.answered for hit in hits] == [500, 200]
        and hits[0].body == hits[1].body
        and backed_off([h.at for h in hits])
    )
    assert hits[0].path == "/services/T000/B000/secretpart"
    body = hits[1].json()
    assert body["username"] == "sitrep"
    assert body["text"].startswith("Control changed: al-Nahda (Raqqa)")
    header, summary, facts, links = body["blocks"]
    assert header["text"]["text"] == "Control changed: al-Nahda (Raqqa)"
    assert "Islamic State → Syrian Democratic Forces" in summary["text"]["text"]
    fields = {item["text"].split("\n", 1)[0]: item["text"].split("\n", 1)[1] for item in facts["fields"]}
    assert fields["*Change*"] == "Islamic State → Syrian Democratic Forces"
    assert fields["*Sources*"] == "Field desk &lt;Raqqa&gt; &amp; partners"  # mrkdwn escaped
    assert f"<{PUBLIC}/v1/reports/field-desk%3Ar-18|Report>" in links["elements"][0]["text"]

    posts = chat.wait_for(2)
    assert [hit.answered for hit in posts] == [502, 200] and posts[0].body == posts[1].body
    text = posts[1].json()["text"]
    assert posts[1].json()["channel"] == "ops"
    assert text.startswith("#### Control changed: al\\-Nahda \\(Raqqa\\)")
    assert "**Sources:** Field desk \\<Raqqa\\> & partners" in text
    assert f"[Report]({PUBLIC}/v1/reports/field-desk%3Ar-18)" in text
    for made in (made_slack, made_mm):
        (delivery,) = delivered(api, made["id"], 1)
        assert [outcome for _, outcome in outcomes(delivery)] == ["retry", "delivered"]
    time.sleep(0.5)  # a duplicate would come within a retry wait or two
    assert len(slack.hits) == 2 and len(chat.hits) == 2


# -- Email ---------------------------------------------------------------------------------------


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., tuple[Mailbox, int]]]:
    controllers: list[Controller] = []

    def make(busy: int = 0, **options: Any) -> tuple[Mailbox, int]:
        mailbox = Mailbox(busy=busy)
        port = free_port()
        controller = Controller(mailbox, hostname="127.0.0.1", port=port, **options)
        controller.start()
        controllers.append(controller)
        return mailbox, port

    yield make
    for controller in controllers:
        controller.stop()


def test_an_email_arrives_once_as_text_and_escaped_html_after_a_busy_server(
    api: str,
    r: redis.Redis,
    worker: Any,
    dispatcher: Dispatcher,
    smtp_server: Callable[..., tuple[Mailbox, int]],
) -> None:
    mailbox, port = smtp_server(busy=1)
    made = subscribe(
        api,
        {
            "type": "email",
            "email": {
                "host": "127.0.0.1",
                "port": port,
                "security": "none",
                "sender": "sitrep@example.org",
                "to": ["desk@example.org", "duty@example.org"],
            },
        },
    )
    log_alert(r, civilian_alert("fp-trapped-1000"))
    ((sender, recipients, content),) = mailbox.wait_for(1)
    assert sender == "sitrep@example.org" and recipients == ["desk@example.org", "duty@example.org"]
    assert mailbox.tries == 2  # one 451, then accepted
    mail = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(mail, EmailMessage)
    assert mail["Subject"] == "[sitrep] Civilians trapped: Raqqa"
    first = email.message_from_bytes(mailbox.offered[0], policy=email.policy.default)
    assert first["Message-ID"] == mail["Message-ID"]  # the retry is recognisably the same mail
    text = mail.get_body(("plain",))
    page = mail.get_body(("html",))
    assert text is not None and page is not None
    plain = text.get_content()
    assert "Civilians: 4,000 trapped (above 1,000)" in plain and "Change: none known → 4,000 trapped" in plain
    assert f"Sources: {SOURCES[0]}" in plain and f"Report: {PUBLIC}/v1/reports/field-desk%3Ar-17" in plain
    markup = page.get_content()
    assert "Field desk &lt;Raqqa&gt; &amp; partners" in markup and "<Raqqa>" not in markup
    assert f'<a href="{PUBLIC}/v1/reports/field-desk%3Ar-17">the report</a>' in markup
    (delivery,) = delivered(api, made["id"], 1)
    assert outcomes(delivery) == [(451, "retry"), (250, "delivered")]
    time.sleep(0.5)  # a duplicate would come within a retry wait or two
    assert len(mailbox.accepted) == 1


def test_email_over_starttls_logs_in_and_checks_the_servers_name(
    r: redis.Redis, redis_url: str, smtp_server: Callable[..., tuple[Mailbox, int]]
) -> None:
    authority = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(server_tls)
    client_tls = ssl.create_default_context()
    authority.configure_trust(client_tls)
    logins: list[tuple[bytes, bytes]] = []

    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"s3cret pass")

    mailbox, port = smtp_server(
        tls_context=server_tls, require_starttls=True, authenticator=check, auth_require_tls=True
    )
    spec = SubscriptionIn.model_validate(
        {
            "type": "email",
            "email": {
                "host": "localhost",
                "port": port,
                "username": "sitrep",
                "password": "s3cret pass",
                "sender": "sitrep@example.org",
                "to": ["desk@example.org"],
            },
        }
    )
    made = subscriptions.create(r, spec)
    message = messages.build(json.loads(civilian_alert("fp-1")), PUBLIC)
    answer = email_receiver.deliver(settings_for(redis_url), made, message, "msg_1", tls=client_tls)
    assert answer.ok and answer.code == 250, answer
    assert logins == [(b"sitrep", b"s3cret pass")] and len(mailbox.wait_for(1)) == 1
    # The same server reached by an address its certificate does not name: refused before any login.
    by_address = made.model_copy(update={"email": made.email.model_copy(update={"host": "127.0.0.1"})})  # type: ignore[union-attr]
    refused = email_receiver.deliver(settings_for(redis_url), by_address, message, "msg_2", tls=client_tls)
    assert not refused.ok and "CERTIFICATE_VERIFY_FAILED" in (refused.error or "")
    assert len(logins) == 1


# -- Telegram ------------------------------------------------------------------------------------


def test_telegram_gets_one_message_after_a_5xx_and_waits_out_a_429_and_its_token_stays_sealed(
    api: str, r: redis.Redis, worker: Any, dispatcher: Dispatcher, fakes: Callable[..., FakeHttp]
) -> None:
    busy = (
        b'{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}'
    )
    bot = fakes(Answer(500), Answer(429, busy), Answer(200, b'{"ok":true,"result":{"message_id":7}}'))
    made = subscribe(
        api,
        {"type": "telegram", "telegram": {"bot_token": TOKEN, "chat_id": -1001234567, "api_url": bot.base}},
    )
    assert made["telegram"]["bot_token"] == "123456789:…"
    listed = httpx.get(f"{api}/v1/subscriptions", timeout=10).text
    assert TOKEN not in listed and TOKEN.split(":")[1] not in listed
    stored = r.hget(keys.subscription(made["id"]), "subscription")
    assert isinstance(stored, bytes) and TOKEN.encode() not in stored and b'"bot_token":"fernet:' in stored
    log_alert(r, civilian_alert("fp-trapped-1000"))

    hits = bot.wait_for(3)
    assert [hit.answered for hit in hits] == [500, 429, 200]
    assert {hit.path for hit in hits} == {f"/bot{TOKEN}/sendMessage"}
    assert hits[2].at - hits[1].at >= 0.95  # retry_after 1 s, longer than the schedule's 0.3 s
    sent = hits[2].json()
    assert sent["chat_id"] == -1001234567 and sent["parse_mode"] == "HTML"
    assert sent["text"].startswith("<b>Civilians trapped: Raqqa</b>\nCivilians trapped in Raqqa: none known → 4,000")
    assert "<b>Sources:</b> Field desk &lt;Raqqa&gt; &amp; partners" in sent["text"]
    assert f'<a href="{PUBLIC}/v1/reports/field-desk%3Ar-17">Report</a>' in sent["text"]
    (delivery,) = delivered(api, made["id"], 1)
    assert outcomes(delivery) == [(500, "retry"), (429, "retry"), (200, "delivered")]
    assert TOKEN not in str(delivery)
    time.sleep(0.5)  # a duplicate would come within a retry wait or two
    assert len(bot.hits) == 3


def test_the_worker_log_never_shows_a_bot_token_a_hook_url_or_a_url_password(
    api: str, r: redis.Redis, redis_url: str, dispatcher: Dispatcher, fakes: Callable[..., FakeHttp], sealed: None
) -> None:
    bot, slack, manager = fakes(Answer(200, b'{"ok":true}')), fakes(Answer(200)), fakes(Answer(200))
    hook_path = "/services/T0SITREP/B0SITREP/hooksecretpart42"
    password = "am-pass-w0rd"
    subscribe(
        api, {"type": "telegram", "telegram": {"bot_token": TOKEN, "chat_id": "@sitrep_desk", "api_url": bot.base}}
    )
    subscribe(api, {"type": "slack", "url": slack.base + hook_path})
    guarded = manager.base.replace("http://", f"http://desk:{password}@")
    made = subscribe(api, {"type": "alertmanager", "url": guarded})
    # Shown without the password, and sealed at rest like the other secrets.
    assert made["url"] == manager.base.replace("http://", "http://…@") + "/"
    listed = httpx.get(f"{api}/v1/subscriptions", timeout=10).text
    assert password not in listed and "hooksecretpart42" not in listed
    assert password.encode() not in r.hget(keys.subscription(made["id"]), "subscription")  # type: ignore[operator]
    log_alert(r, civilian_alert("fp-1"))
    wait_until(lambda: r.llen("rq:queue:sitrep-webhooks") == 3, what="the deliveries to be queued")
    env = process_env(redis_url, SITREP_WEBHOOK_SECRET_KEYS=KEY, SITREP_LOG_LEVEL="DEBUG")
    process = start(["worker", "sitrep-webhooks", "--burst"], env)
    output, _ = process.communicate(timeout=60)
    assert len(bot.hits) == 1 and bot.hits[0].path == f"/bot{TOKEN}/sendMessage"
    assert len(slack.hits) == 1 and slack.hits[0].path == hook_path
    (sent,) = manager.hits
    assert sent.headers["authorization"] == "Basic " + base64.b64encode(f"desk:{password}".encode()).decode()
    for fake in (bot, slack, manager):  # each request is logged, by where it went only
        assert f"HTTP Request: POST {fake.base}/… " in output, output
    for secret in (TOKEN.split(":")[1], "hooksecretpart42", "B0SITREP", password):
        assert secret not in output


# -- Subscriptions: validation, secrets, the command line ----------------------------------------


def test_receiver_subscriptions_are_validated_with_clear_422s(r: redis.Redis, redis_url: str) -> None:
    mail = {"host": "smtp.example.org", "sender": "sitrep@example.org", "to": ["desk@example.org"]}
    cases: list[tuple[dict[str, Any], list[str], str]] = [
        ({"type": "slack"}, ["body", "url"], "url is required for type slack"),
        ({"type": "pager", "url": "https://example.org"}, ["body", "type"], "'webhook'"),
        ({"type": "email"}, ["body", "email"], "type email needs `email` settings"),
        ({"type": "email", "url": "https://example.org", "email": mail}, ["body", "url"], "takes no url"),
        ({"type": "slack", "url": "https://hooks.example.org/x", "secret": "whsec_x"}, ["body", "secret"], "secret"),
        ({"type": "slack", "url": "https://hooks.example.org/x", "email": mail}, ["body", "email"], "do not go with"),
        ({"type": "email", "email": {**mail, "to": ["not-an-address"]}}, ["body", "email", "to"], "not an email"),
        (
            {"type": "email", "email": {**mail, "security": "none", "username": "u", "password": "p"}},
            ["body", "email"],
            "only sent over TLS",
        ),
        ({"type": "email", "email": {**mail, "host": "bad host!"}}, ["body", "email", "host"], "not a host"),
        (
            {"type": "email", "email": {**mail, "subject_prefix": "x\r\nBcc: a@b.c"}},
            ["body", "email", "subject_prefix"],
            "one line",
        ),
        (
            {"type": "telegram", "telegram": {"bot_token": "nope", "chat_id": 5}},
            ["body", "telegram", "bot_token"],
            "123456789",
        ),
        (
            {"type": "telegram", "telegram": {"bot_token": TOKEN, "chat_id": "x y"}},
            ["body", "telegram", "chat_id"],
            "chat_id",
        ),
        (
            {"type": "alertmanager", "url": "https://am.example.org", "alertmanager": {"labels": {"place": "x"}}},
            ["body", "alertmanager", "labels"],
            "set by sitrep",
        ),
        # The SSRF guard, on every address a subscription would reach.
        ({"type": "alertmanager", "url": "http://127.0.0.1:9093"}, ["body", "url"], "127.0.0.1"),
        ({"type": "email", "email": {**mail, "host": "10.0.0.5"}}, ["body", "email", "host"], "10.0.0.5"),
        (
            {"type": "telegram", "telegram": {"bot_token": TOKEN, "chat_id": 5, "api_url": "http://169.254.169.254"}},
            ["body", "telegram", "api_url"],
            "169.254.169.254",
        ),
    ]
    with TestClient(create_app(IngestSettings(redis_url=redis_url))) as client:
        for body, loc, words in cases:
            response = client.post("/v1/subscriptions", json=body)
            assert response.status_code == 422, (body, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            problems = response.json()["errors"]
            assert any(p["loc"][: len(loc)] == loc and words in p["msg"] for p in problems), (body, problems)
        assert r.scard(keys.SUBSCRIPTIONS_INDEX) == 0
        made = client.post(
            "/v1/subscriptions",
            json={"type": "email", "email": {**mail, "username": "sitrep", "password": "hunter2"}},
        )
        assert made.status_code == 201, made.text
        shown = client.get(f"/v1/subscriptions/{made.json()['id']}").json()
        assert shown["email"]["password"] == "…" and made.json()["email"]["password"] == "…"
        assert "hunter2" not in client.get("/v1/subscriptions").text


def test_keys_reseal_seals_every_receivers_secret(r: redis.Redis, child_env: dict[str, str]) -> None:
    sealing.configured.cache_clear()
    try:
        hook = subscriptions.create(
            r, SubscriptionIn.model_validate({"type": "mattermost", "url": "https://chat.example.org/hooks/k3y"})
        )
        bot = subscriptions.create(
            r, SubscriptionIn.model_validate({"type": "telegram", "telegram": {"bot_token": TOKEN, "chat_id": 5}})
        )
        assert b"k3y" in r.hget(keys.subscription(hook.id), "subscription")  # type: ignore[operator]
        done = subprocess.run(
            sitrep_command("keys", "reseal"),
            env={**child_env, "SITREP_WEBHOOK_SECRET_KEYS": KEY},
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert "2 subscription(s)" in done.stderr
        for made, secret in ((hook, b"k3y"), (bot, TOKEN.encode())):
            assert secret not in r.hget(keys.subscription(made.id), "subscription")  # type: ignore[operator]
    finally:
        sealing.configured.cache_clear()


def test_sitrep_subscribe_to_makes_a_receiver_subscription_or_says_what_is_wrong(
    api: str, r: redis.Redis, child_env: dict[str, str], tmp_path: Any
) -> None:
    password = tmp_path / "smtp-password"
    password.write_text("from a file\n")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            sitrep_command("subscribe", "--url", api, *args),
            env=child_env,
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=60,
        )

    done = run(
        "--to", "email", "--place", "raqqa", "--kind", "civilian_threshold",
        "--set", "host=smtp.example.org", "--set", "port=465", "--set", "security=tls",
        "--set", "username=sitrep", "--set", f"password=@{password}",
        "--set", "sender=sitrep@example.org", "--set", "to=desk@example.org,duty@example.org",
        "--description", "Raqqa desk by mail",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["type"] == "email" and shown["email"]["to"] == ["desk@example.org", "duty@example.org"]
    assert shown["email"]["port"] == 465 and shown["email"]["password"] == "…"
    assert shown["filters"] == {"place": ["raqqa"], "kind": ["civilian_threshold"], "category": []}
    sealing.configured.cache_clear()
    stored = subscriptions.get(r, shown["id"])
    sealing.configured.cache_clear()
    assert stored is not None and stored.secret_problem is not None  # sealed with the API's key, which we lack here
    alert_manager = run("--to", "alertmanager", "--set", "url=https://am.example.org", "--set", "label.team=ops")
    assert alert_manager.returncode == 0, alert_manager.stderr
    assert json.loads(alert_manager.stdout)["alertmanager"]["labels"] == {"team": "ops"}

    wrong = run("--to", "telegram", "--set", "bot_token=nope", "--set", "chat_id=5")
    assert wrong.returncode == 2 and wrong.stdout == ""
    assert wrong.stderr.startswith("sitrep subscribe: HTTP 422: body.telegram.bot_token:")
    assert "Traceback" not in wrong.stderr
    bad = run("--to", "slack", "--set", "url")
    assert bad.returncode == 2 and "--set wants NAME=VALUE" in bad.stderr
