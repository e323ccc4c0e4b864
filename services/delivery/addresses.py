"""Where a webhook may go: not to this host or a private network unless the operator allows it.

Anyone who may create a subscription could otherwise make sitrep POST to services that only trust
their own network (Redis on loopback, a cloud metadata address, an admin panel). The URL's host is
checked when the subscription is created and again before every attempt, since a name can be
pointed elsewhere after it was checked. The check and the connection resolve the name separately,
so a name that changes between the two in a few milliseconds is not caught; an egress firewall is
the complete answer, this is the default that needs none.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

ALLOW_SETTING = "SITREP_WEBHOOK_ALLOW_PRIVATE_ADDRESSES"


def _not_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global


def private_address(url: str) -> str | None:
    """The first address the URL's host is, or resolves to, that is not on the public internet.

    None when every address is public, and also when the name does not resolve now (nothing can
    be sent to it then; each attempt checks again before it connects)."""
    host = urlsplit(url).hostname or ""
    try:
        addresses = {ipaddress.ip_address(host)}
    except ValueError:
        try:
            found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            return None
        addresses = {ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in found}
    for address in sorted(addresses, key=str):
        if _not_public(address):
            return str(address)
    return None


def refusal(url: str) -> str:
    """Why `url` is refused, in words an operator can act on."""
    host, address = urlsplit(url).hostname, private_address(url)
    where = (
        f"{host} is not a public address" if host == address else f"{host} resolves to {address}, not a public address"
    )
    return f"{where}; set {ALLOW_SETTING}=true to allow private and loopback webhook targets"
