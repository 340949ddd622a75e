"""Whether a web address may be fetched: refused when it leads into a private network.

One guard for the two kinds of address veoui does not choose itself: picture addresses members paste (kie.ai
fetches those) and the video addresses kie.ai hands back (veoui fetches those, on every redirect hop). The name
is looked up here, every address it gives is checked, and the caller connects to a checked address, not to the
name again: a name that answers "public" to the check and "127.0.0.1" to the connection (DNS rebinding) gets
nowhere. Hosts the configuration trusts (the simulator in demo mode, listed hosts) skip the check.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 forms that carry an IPv4 address inside: IPv4-compatible (deprecated, and on some systems still routed
# to the IPv4 address) and NAT64, which a NAT64 gateway turns into a connection to the IPv4 address it embeds.
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# The local-use NAT64 prefix (64:ff9b:1::/48) is not globally reachable, so ``is_global`` refuses it already;
# so are 6to4 (2002::/16) and Teredo (2001::/32).

# getaddrinfo's answers for a name that certainly does not exist; anything else (a timeout, a resolver that
# failed) leaves the question open.
NO_SUCH_NAME = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}


class AddressRefused(Exception):
    """The address may not be fetched."""


class PrivateAddress(AddressRefused):
    """The address, or one its name resolves to, is on a private, loopback, link-local or otherwise local network."""


class LookupFailed(AddressRefused):
    """The name could not be looked up in time, so whether it is private is unknown: refused all the same."""


class NameNotFound(AddressRefused):
    """The name does not exist (here, at least)."""


class NotAnAddress(AddressRefused):
    """Not a web address at all (no host, a port that isn't a number)."""


@dataclass(frozen=True)
class Target:
    """Where a checked URL leads: the name it gave, and the addresses that were checked for it."""

    scheme: str
    host: str
    port: int
    addresses: tuple[IPAddress, ...]


def is_public(address: IPAddress) -> bool:
    """Whether an address is on the public internet, looking through the IPv6 forms that embed an IPv4 one."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public(address.ipv4_mapped)
        if address in IPV4_COMPATIBLE:
            return False
        if address in NAT64:
            return is_public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    # Not globally reachable covers private, loopback, link-local, reserved, shared and unspecified ranges.
    return address.is_global and not address.is_multicast


def lookup(host: str, port: int, timeout: float) -> tuple[IPAddress, ...]:
    """Every address ``host`` resolves to, waiting at most ``timeout`` seconds for the resolver."""
    try:
        return (ipaddress.ip_address(host),)
    except ValueError:
        pass
    answer: dict[str, object] = {}
    done = threading.Event()

    def resolve() -> None:
        try:
            answer["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            answer["error"] = error
        done.set()

    # A daemon thread: a resolver that never answers is left behind instead of holding the caller.
    threading.Thread(target=resolve, name="veoui-lookup", daemon=True).start()
    if not done.wait(timeout):
        raise LookupFailed(f"no answer for {host!r} within {timeout:g} s")
    error = answer.get("error")
    if isinstance(error, socket.gaierror) and error.errno in NO_SUCH_NAME:
        raise NameNotFound(host)
    if error is not None:
        raise LookupFailed(f"{host!r}: {type(error).__name__}")
    addresses = []
    for info in answer["infos"]:  # type: ignore[union-attr]
        try:
            addresses.append(ipaddress.ip_address(str(info[4][0]).split("%")[0]))
        except ValueError:
            continue
    if not addresses:
        raise LookupFailed(f"{host!r}: no usable address")
    return tuple(addresses)


def is_allowed(host: str, port: int, allowed: Iterable[str]) -> bool:
    """Whether ``host`` is one the configuration trusts: listed alone (any port) or as ``host:port``."""
    names = {entry.strip().lower() for entry in allowed}
    return not names.isdisjoint({host, f"{host}:{port}", f"[{host}]:{port}"})


def check(url: str, *, allowed: Iterable[str] = (), timeout: float = 2.0) -> Target:
    """Where ``url`` leads, once every address of its host was found public (or the host is allowed).

    Raises ``PrivateAddress``, ``LookupFailed``, ``NameNotFound`` or ``NotAnAddress``. An allowed host is not
    refused even when its name can't be looked up here; its target then has no addresses.
    """
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").strip("[]").lower()
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        raise NotAnAddress("the port is not a number") from None
    if not host:
        raise NotAnAddress("no host")
    scheme = parts.scheme.lower()
    if is_allowed(host, port, allowed):
        try:
            return Target(scheme, host, port, lookup(host, port, timeout))
        except AddressRefused:
            return Target(scheme, host, port, ())
    addresses = lookup(host, port, timeout)
    for address in addresses:
        if not is_public(address):
            raise PrivateAddress(f"{host} is on a private network ({address})")
    return Target(scheme, host, port, addresses)


def host_of(url: str) -> str:
    """``host:port`` of a configured URL, as an entry for ``allowed``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host
