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


_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries and a router may deliver to (mapped, 6to4, Teredo, NAT64)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in network for network in _NAT64) or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _not_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if address.is_multicast or not address.is_global:
        return True
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        return inner is not None and (inner.is_multicast or not inner.is_global)
    return False


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


def refusal(url: str, address: str) -> str:
    """Why `url` (whose host is or resolves to `address`) is refused, in words an operator can act on."""
    host = urlsplit(url).hostname
    where = (
        f"{host} is not a public address" if host == address else f"{host} resolves to {address}, not a public address"
    )
    return f"{where}; set {ALLOW_SETTING}=true to allow private and loopback webhook targets"
