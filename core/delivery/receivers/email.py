"""Email over SMTP: one message per alert, plain text and HTML, to the subscription's recipients.

The server is reached the way webhooks are: its name is checked by the SSRF guard and resolved once,
and the connection goes to that checked address while STARTTLS or implicit TLS verify the name. The
`Message-ID` is made from the delivery id, so a retry after a lost answer is recognisably the same
mail. A password is only ever sent inside TLS (the settings refuse it otherwise).
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from core.delivery import addresses
from core.delivery.http_post import Answer
from core.delivery.messages import Message, html_body, plain_text
from core.delivery.receiver_settings import EmailSettings
from core.delivery.subscriptions import Subscription
from core.errors import AddressRefused
from core.settings import DeliverySettings

SENT = 250


class _PinnedSMTP(smtplib.SMTP):
    """SMTP to a checked address; STARTTLS still presents and verifies the server's name."""

    def __init__(self, address: str, name: str, timeout: float) -> None:
        self.pinned_address = address
        super().__init__(timeout=timeout)
        self._host = name  # what STARTTLS presents (SNI) and checks the certificate against

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return socket.create_connection((self.pinned_address, port), timeout, self.source_address)


class _PinnedSMTPSSL(smtplib.SMTP_SSL):
    """Implicit TLS (port 465) to a checked address, verifying the server's name."""

    def __init__(self, address: str, name: str, timeout: float, context: ssl.SSLContext) -> None:
        self.pinned_address = address
        self.server_name = name
        super().__init__(timeout=timeout, context=context)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        plain = socket.create_connection((self.pinned_address, port), timeout, self.source_address)
        return self.context.wrap_socket(plain, server_hostname=self.server_name)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str) -> str:
    """A header value from report text: control characters and line breaks become one space (a CR or
    LF in a place name would otherwise make the header refused, or start another one)."""
    return _CONTROL.sub(" ", text).strip()


def compose(options: EmailSettings, message: Message, identifier: str) -> EmailMessage:
    """The mail for one alert: a subject a person can scan, text and HTML bodies."""
    mail = EmailMessage()
    mail["Subject"] = one_line(f"{options.subject_prefix} {message.headline}")[:250]
    mail["From"] = options.sender
    mail["To"] = ", ".join(options.to)
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = f"<{identifier}@sitrep>"
    mail.set_content(plain_text(message))
    mail.add_alternative(html_body(message), subtype="html")
    return mail


def deliver(
    settings: DeliverySettings,
    subscription: Subscription,
    message: Message,
    identifier: str,
    tls: ssl.SSLContext | None = None,
) -> Answer:
    """Send one mail; the SMTP reply code is the attempt's status code (250 when accepted)."""
    options = subscription.email
    assert options is not None
    context = tls or ssl.create_default_context()
    host = f"[{options.host}]" if ":" in options.host else options.host
    try:
        targets = addresses.pin(f"smtp://{host}:{options.port}", settings.webhook_allow_private_addresses)
    except AddressRefused as refused:
        return Answer(None, f"not sent: {refused}")
    try:
        mail = compose(options, message, identifier)
    except (ValueError, TypeError, LookupError) as error:  # retried, then failed: never a dead job
        return Answer(None, f"not sent: the mail cannot be made: {type(error).__name__}: {error}"[:300])
    failures: list[str] = []
    for target in targets:
        client: smtplib.SMTP
        try:
            if options.security == "tls":
                client = _PinnedSMTPSSL(target.address, options.host, settings.webhook_timeout_seconds, context)
            else:
                client = _PinnedSMTP(target.address, options.host, settings.webhook_timeout_seconds)
            client.connect(options.host, options.port)
        except (OSError, smtplib.SMTPException) as error:  # nothing was sent: the next address may answer
            failures.append(f"{target.address}: {type(error).__name__}: {error}")
            continue
        try:
            with client:
                if options.security == "starttls":
                    client.starttls(context=context)
                if options.username is not None and options.password is not None:
                    client.login(options.username, options.password)
                some_refused = client.send_message(mail, from_addr=options.sender, to_addrs=options.to)
        except smtplib.SMTPRecipientsRefused as error:
            codes = sorted({code for code, _ in error.recipients.values()})
            return Answer(codes[-1] if codes else None, f"every recipient refused: {_said(error.recipients)}"[:300])
        except smtplib.SMTPResponseException as error:
            text = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else ""
            return Answer(error.smtp_code, f"SMTP {error.smtp_code}: {text}"[:300])
        except (OSError, ValueError, smtplib.SMTPException) as error:
            return Answer(None, f"{target.address}: {type(error).__name__}: {error}"[:300])
        if some_refused:
            return Answer(SENT, f"sent; refused: {_said(some_refused)}"[:300], accepted=True)
        return Answer(SENT, accepted=True)
    return Answer(None, ("; ".join(failures) or "no address to send to")[:300])


def _said(recipients: dict[str, tuple[int, bytes]]) -> str:
    return ", ".join(f"{who} ({code})" for who, (code, _) in recipients.items())
