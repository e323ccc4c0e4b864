"""Receiver input that once broke an attempt, a listing or the command line: a line break in a place
name bound for a mail header, a secret no key opens, an address email would read differently, a
binary `--set @FILE`, and the dispatcher's resend check with a worker stopped. Real Redis and a
real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pydantic
import pytest
import redis
from aiosmtpd.controller import Controller
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from rq import Queue

from core import keys
from core.delivery import messages, subscriptions, webhooks
from core.delivery.receiver_settings import EmailSettings
from core.delivery.receivers import email as email_receiver
from core.delivery.subscriptions import SubscriptionIn
from core.embedded_redis import free_port
from core.errors import InvalidInput
from core.settings import DeliverySettings, IngestSettings
from services.api.app import create_app
from services.cli.subscribe import _setting_value
from services.dispatcher import Dispatcher
from tests.delivery.receivers import Mailbox, civilian_alert

TOKEN = "123456789:AAFakeTokenForTheTestsOnly_0123456789"


def test_a_line_break_in_a_place_name_stays_out_of_the_mail_headers(r: redis.Redis, redis_url: str) -> None:
    mailbox, port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        made = subscriptions.create(
            r,
            SubscriptionIn.model_validate(
                {
                    "type": "email",
                    "email": {"host": "127.0.0.1", "port": port, "security": "none"}
                    | {"sender": "sitrep@example.org", "to": ["desk@example.org"]},
                }
            ),
        )
        alert: dict[str, Any] = json.loads(civilian_alert("fp"))
        alert["data"]["place"]["name"] = "Raqqa\r\nBcc: someone@example.org\r\n"
        settings = DeliverySettings(redis_url=redis_url, webhook_allow_private_addresses=True)
        answer = email_receiver.deliver(settings, made, messages.build(alert, None), "msg_line_break")
        assert answer.ok, answer.error
        ((_, recipients, content),) = mailbox.wait_for(1)
    finally:
        controller.stop()
    mail = email.message_from_bytes(content, policy=email.policy.default)
    assert recipients == ["desk@example.org"] and mail["Bcc"] is None
    assert mail["Subject"] == "[sitrep] Civilians trapped: Raqqa Bcc: someone@example.org"


def test_a_secret_no_key_opens_reads_back_as_a_placeholder_not_an_error(
    r: redis.Redis, redis_url: str, use_keys: Callable[[str | None], None]
) -> None:
    use_keys(Fernet.generate_key().decode())
    mail = {"host": "smtp.example.org", "sender": "sitrep@example.org", "to": ["desk@example.org"]}
    long_password = {"username": "sitrep", "password": "p" * 400}  # sealed, far longer than the field allows
    made = [
        subscriptions.create(r, SubscriptionIn.model_validate({"type": "email", "email": mail | long_password})),
        subscriptions.create(
            r, SubscriptionIn.model_validate({"type": "telegram", "telegram": {"bot_token": TOKEN, "chat_id": 5}})
        ),
        subscriptions.create(
            r, SubscriptionIn.model_validate({"type": "slack", "url": "https://hooks.example.org/services/T/B/x"})
        ),
    ]
    use_keys(Fernet.generate_key().decode())  # another key: opens none of them
    for subscription in made:
        found = subscriptions.get(r, subscription.id)
        assert found is not None and found.secret_problem is not None
    assert len(subscriptions.list_all(r)) == 3
    with TestClient(create_app(IngestSettings(redis_url=redis_url))) as client:
        listed = client.get("/v1/subscriptions")
        assert listed.status_code == 200 and len(listed.json()) == 3
        shown = {item["type"]: item for item in listed.json()}
        assert shown["email"]["email"]["password"] == "…" and shown["telegram"]["telegram"]["bot_token"] == "…:…"
        assert shown["slack"]["url"] is None and "fernet:" not in listed.text
        assert client.get(f"/v1/subscriptions/{made[0].id}").status_code == 200


@pytest.mark.parametrize(
    "address", ["a(b@c.de", "Desk <desk@example.org>", "desk@example.org, duty@example.org", "desk@localhost", "@x.org"]
)
def test_an_address_email_would_read_differently_is_refused(address: str) -> None:
    with pytest.raises(pydantic.ValidationError, match="not an email address"):
        EmailSettings(host="smtp.example.org", sender=address, to=["desk@example.org"])
    with pytest.raises(pydantic.ValidationError, match="not an email address"):
        EmailSettings(host="smtp.example.org", sender="sitrep@example.org", to=[address])
    assert EmailSettings(host="smtp.example.org", sender="sitrep@example.org", to=["desk.1+x@mail.example.org"])


def test_a_binary_set_file_is_a_one_line_error(tmp_path: Path) -> None:
    binary = tmp_path / "blob"
    binary.write_bytes(bytes(range(256)))
    with pytest.raises(InvalidInput, match="is not UTF-8 text"):
        _setting_value(f"@{binary}")


def test_a_stopped_worker_gets_one_resend_queued_not_one_per_period(
    r: redis.Redis, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = subscriptions.create(
        r,
        SubscriptionIn.model_validate(
            {"type": "alertmanager", "url": "https://am.example.org", "alertmanager": {"resend_seconds": 1}}
        ),
    )
    r.hset(keys.alertmanager_firing(made.id), "rule\nplace\n", b'{"fingerprint":"fp","alert":{},"stream":"1-0"}')

    def unsealing_every_subscription(connection: redis.Redis) -> list[Any]:
        raise AssertionError("the resend check reads the index of periods only")

    monkeypatch.setattr(subscriptions, "list_all", unsealing_every_subscription)
    dispatcher = Dispatcher(r, DeliverySettings(redis_url=redis_url), consumer_name="resend-test")
    for _ in range(3):  # three periods pass, and no worker takes the job
        r.delete(keys.alertmanager_resend(made.id))
        dispatcher._next_resend_check = 0.0
        dispatcher._maybe_resend()
    queue = Queue(DeliverySettings().webhook_queue_name, connection=r)
    assert queue.job_ids == [webhooks.resend_job_id(made.id)] and dispatcher.resends == 1
    subscriptions.delete(r, made.id)
    assert not r.hexists(keys.ALERTMANAGER_RESENDS, made.id)
