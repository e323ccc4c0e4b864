"""Where a webhook may go: not to this host or a private network unless the operator allows it.

Anyone who may create a subscription could otherwise make sitrep POST to services that only trust
their own network (Redis on loopback, a cloud metadata address, an admin panel). The URL's host is
checked when the subscription is created and again before every attempt, since a name can be
pointed elsewhere after it was checked. An attempt connects to an address it checked (`pin`): the
name is resolved once, and the request goes to that address with the name in `Host` and in TLS
(SNI and certificate check), so a name that answers a public address to the check and a private
one a moment later (DNS rebinding) gets nothing. An egress firewall is still the complete answer;
this is the default that needs none.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from core.errors import AddressRefused

ALLOW_SETTING = "SITREP_WEBHOOK_ALLOW_PRIVATE_ADDRESSES"


_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")
"""SIIT's IPv4-translated form (RFC 2765): `::ffff:0:7f00:1` is 127.0.0.1, and Python calls it global."""


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries and a router may deliver to (mapped, translated, 6to4, Teredo, NAT64)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if (
        any(address in network for network in _NAT64)
        or address in _IPV4_TRANSLATED
        or (address in _IPV4_COMPATIBLE and int(address) > 1)
    ):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _not_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if address.is_multicast or not address.is_global:
        return True
    if isinstance(address, ipaddress.IPv6Address):
        if address.is_site_local:  # fec0::/10: deprecated, yet routed inside some networks; Python calls it global
            return True
        inner = _embedded_ipv4(address)
        return inner is not None and (inner.is_multicast or not inner.is_global)
    return False


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def resolve(host: str) -> list[Address]:
    """The host's addresses in the resolver's order of preference (itself if it is one); [] if none."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    ordered: dict[Address, None] = {}
    for info in found:
        ordered.setdefault(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))
    return list(ordered)


def _first_private(addresses: list[Address]) -> str | None:
    for address in sorted(addresses, key=str):
        if _not_public(address):
            return str(address)
    return None


def private_address(url: str) -> str | None:
    """The first address the URL's host is, or resolves to, that is not on the public internet.

    None when every address is public, and also when the name does not resolve now (nothing can
    be sent to it then; each attempt checks again before it connects)."""
    return _first_private(resolve(urlsplit(url).hostname or ""))


ADDRESSES_TRIED = 3
"""Addresses of a name an attempt connects to at most, one after another while connecting fails."""


@dataclass(frozen=True)
class Pinned:
    """A request to `url`'s name, bound to one checked address."""

    address: str
    url: str
    """The URL with its host replaced by the address."""
    host: str
    """The `Host` header: the URL's host and port, as a client connecting by name sends it."""
    sni: str | None
    """For https to a name: the name TLS must present and the certificate must match."""


def _interleaved(found: list[Address]) -> list[Address]:
    """The resolver's order, alternating address families (a host whose IPv6 is broken still gets
    an IPv4 try early), starting with the family it preferred."""
    first = [a for a in found if a.version == found[0].version]
    other = [a for a in found if a.version != found[0].version]
    mixed: list[Address] = []
    for k in range(max(len(first), len(other))):
        mixed += first[k : k + 1] + other[k : k + 1]
    return mixed


def pin(url: str, allow_private: bool, limit: int = ADDRESSES_TRIED) -> list[Pinned]:
    """The URL bound to each of its host's first `limit` addresses (families alternating), in the
    order to try them.

    Raises AddressRefused when the name does not resolve, or when any of its addresses is not public and
    `allow_private` is off (a name with one private address among public ones is refused whole).
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    found = resolve(host)
    if not found:
        raise AddressRefused(f"{host or url} does not resolve")
    if not allow_private and (private := _first_private(found)) is not None:
        raise AddressRefused(refusal(url, private))
    userinfo, _, hostport = parts.netloc.rpartition("@")
    port = f":{parts.port}" if parts.port is not None else ""
    sni = host if parts.scheme == "https" and not is_ip(host) else None
    pinned = []
    for address in _interleaved(found)[:limit]:
        shown = f"[{address}]" if address.version == 6 else str(address)
        netloc = (f"{userinfo}@" if userinfo else "") + shown + port
        pinned.append(Pinned(str(address), urlunsplit(parts._replace(netloc=netloc)), hostport, sni))
    return pinned


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def refusal(url: str, address: str) -> str:
    """Why `url` (whose host is or resolves to `address`) is refused, in words an operator can act on."""
    host = urlsplit(url).hostname
    where = (
        f"{host} is not a public address" if host == address else f"{host} resolves to {address}, not a public address"
    )
    return f"{where}; set {ALLOW_SETTING}=true to allow private and loopback webhook targets"
