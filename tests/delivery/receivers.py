"""Test doubles of the receivers' far ends, all on 127.0.0.1: an HTTP server that records each POST
(Alertmanager, Slack, Mattermost, the Telegram Bot API) and an SMTP server (aiosmtpd), each answering
from a plan so a test can make it fail first. Alerts shaped as the notifier writes them."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from schemas.alerts import Alert, AlertData


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int
    at: float
    wall: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeHttp:
    """Answers each POST from `plan` in turn (the last answer repeats) and records it."""

    plan: list[Answer]
    hits: list[Hit] = field(default_factory=list)
    base: str = ""
    arrived: threading.Condition = field(default_factory=threading.Condition)
    server: ThreadingHTTPServer | None = None

    def wait_for(self, count: int, timeout_seconds: float = 20.0) -> list[Hit]:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.hits) >= count, timeout_seconds):
                raise AssertionError(f"{len(self.hits)} requests arrived, wanted {count}: {self.hits}")
            return list(self.hits)

    def start(self) -> FakeHttp:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802  (http.server's naming)
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with fake.arrived:
                    answer = fake.plan[min(len(fake.hits), len(fake.plan) - 1)]
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
                with fake.arrived:
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    fake.hits.append(Hit(self.path, headers, body, answer.status, time.monotonic(), time.time()))
                    fake.arrived.notify_all()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@dataclass
class Mailbox:
    """aiosmtpd handler: refuses the DATA of the first `busy` messages with a 451, then accepts."""

    busy: int = 0
    tries: int = 0
    accepted: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    offered: list[bytes] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802  (aiosmtpd's naming)
        with self.arrived:
            self.tries += 1
            self.offered.append(bytes(envelope.content))
            if self.tries <= self.busy:
                self.arrived.notify_all()
                return "451 4.3.0 mailbox busy, try again later"
            self.accepted.append((envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
            self.arrived.notify_all()
        return "250 2.0.0 accepted"

    def wait_for(self, count: int, timeout_seconds: float = 20.0) -> list[tuple[str, list[str], bytes]]:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.accepted) >= count, timeout_seconds):
                raise AssertionError(f"{len(self.accepted)} mails accepted after {self.tries} tries, wanted {count}")
            return list(self.accepted)


SOURCES = ["Field desk <Raqqa> & partners"]
"""A source name with characters every format must escape."""


def civilian_alert(
    fingerprint: str,
    kind: str = "civilian_threshold",
    value: int = 4000,
    level: int = 1000,
    resolves: str | None = None,
    place: str = "raqqa",
) -> str:
    """A count alert of the trapped in Raqqa, or (`kind="resolved"`) the notice that ends one."""
    extra: dict[str, Any] = {"category": "trapped", "kind": "stock", "level": level, "value": value}
    extra["direction"] = "down" if kind == "resolved" else "up"
    if resolves:
        extra["resolves"] = resolves
    words = "above" if kind == "civilian_threshold" else "back under"
    data = AlertData(
        place={"id": place, "name": place.title(), "parent": None},
        before={"level": None, "value": None} if kind == "civilian_threshold" else {"level": level, "value": 4000},
        after={"category": "trapped", "kind": "stock", "min": value, "max": value, "as_of": "2017-10-14T15:00:00Z"},
        events=["ev-count-1"],
        reports=["field-desk:r-17"],
        sources=SOURCES,
        summary=f"Civilians trapped in {place.title()}: none known → {value:,}, {words} {level:,}; reported by Field desk",
        fingerprint=fingerprint,
        rule="civilians",
        **extra,
    )
    return _alert(fingerprint, kind, place, data)


def control_alert(
    fingerprint: str, holder: str, was: str, kind: str = "control_changed", supersedes: str | None = None
) -> str:
    """A change of control of al-Nahda (Raqqa), or (`kind="superseded"`) the notice that ends one."""
    extra: dict[str, Any] = {"supersedes": supersedes} if supersedes else {}
    data = AlertData(
        place={"id": "raqqa/al-nahda", "name": "al-Nahda", "parent": "Raqqa"},
        before={"controller": was.lower().replace(" ", "-"), "controller_name": was},
        after={
            "controller": holder.lower().replace(" ", "-"),
            "controller_name": holder,
            "claimed_by": f"claimed by the {holder}",
            "independent_sources": 2,
            "confidence": 0.8,
            "since": "2017-10-14T00:00:00Z",
        },
        events=["ev-control-1"],
        reports=["field-desk:r-18"],
        sources=SOURCES,
        summary=f"Control of al-Nahda (Raqqa): {was} → {holder}, claimed by the {holder}, 2017-10-14; 2 independent sources",
        fingerprint=fingerprint,
        rule="control",
        **extra,
    )
    return _alert(fingerprint, kind, "raqqa/al-nahda", data)


def _alert(fingerprint: str, kind: str, place: str, data: AlertData) -> str:
    alert = Alert(
        id=fingerprint,
        source="urn:sitrep:test",
        type=f"sitrep.alert.{kind}",  # type: ignore[arg-type]
        subject=place,
        time="2017-10-14T15:00:00Z",  # type: ignore[arg-type]
        data=data,
    )
    return json.dumps(alert.model_dump(mode="json"))
