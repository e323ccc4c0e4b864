"""Per-caller rate limits: a token bucket in Redis, refilled and drawn from in one script call.

Every API process draws from the same bucket (on Redis's clock), so a key gets its rate across all
replicas, not once per replica. A process draws a few tokens at a time (a tenth of a second of the rate)
and spends them itself, and remembers a refusal until the next token is due: a busy key costs one script
call per lease, not per request, and a client hammering past its limit costs Redis nothing more. A caller
is an API key (`key:{id}`) or, on an API open beyond loopback, a client address (`addr:{ip}`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import Any

import redis.asyncio

from core import keys
from core.lua import source

LEASE_SECONDS = 0.5
"""Tokens a process drew and has not spent are given up after this long (they are not returned)."""

MAX_CALLERS = 10_000
"""Callers a process remembers leases of; more, and it forgets them all (a flood of made-up addresses)."""


@dataclass(frozen=True)
class Decision:
    """What the bucket said: whether the request may go, and what to tell the caller."""

    allowed: bool
    limit: int
    """The bucket's size: requests that may come at once after a quiet spell."""
    remaining: int
    retry_after_seconds: int
    """Whole seconds until a request would be taken again (0 while allowed and tokens remain)."""
    reset_seconds: int
    """Whole seconds until the bucket is full again."""
    window_seconds: int
    """The time the rate takes to fill the bucket from empty (the policy's window)."""

    def headers(self) -> dict[str, str]:
        """`RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers), plus `Retry-After`
        when refused."""
        found = {
            "RateLimit-Policy": f'"sitrep";q={self.limit};w={self.window_seconds}',
            "RateLimit": f'"sitrep";r={self.remaining};t={self.reset_seconds}',
        }
        if not self.allowed:
            found["Retry-After"] = str(max(self.retry_after_seconds, 1))
        return found


@dataclass
class _Lease:
    tokens: int
    until: float
    decision: Decision


class RateLimiter:
    """One token a request from the caller's bucket: `rate` a second, at most `rate × burst_seconds` (at least
    1) stored up."""

    def __init__(self, default_rate: float, burst_seconds: float) -> None:
        self.default_rate = default_rate
        self.burst_seconds = burst_seconds
        self._scripts: tuple[redis.asyncio.Redis, Any] | None = None
        self._leases: dict[str, _Lease] = {}

    def burst(self, rate: float) -> int:
        return max(math.floor(rate * self.burst_seconds), 1)

    def lease_size(self, rate: float) -> int:
        """Tokens drawn at once: a tenth of a second of the rate, at most a tenth of the bucket, at least 1."""
        return max(1, min(math.ceil(rate / 10), self.burst(rate) // 10))

    async def take(self, client: redis.asyncio.Redis, subject: str, rate: float) -> Decision:
        """One request of `subject` at `rate` a second (> 0)."""
        now = time.monotonic()
        lease = self._leases.get(subject)
        if lease is not None and now < lease.until:
            if not lease.decision.allowed:
                return lease.decision  # refused until its next token is due, without asking Redis again
            if lease.tokens > 0:
                lease.tokens -= 1
                return replace(lease.decision, remaining=lease.decision.remaining + lease.tokens)
        if self._scripts is None or self._scripts[0] is not client:
            self._scripts = (client, client.register_script(source("core", "rate_limit.lua")))
        burst = self.burst(rate)
        reply: list[Any] = await self._scripts[1](
            keys=[keys.rate_limit(subject)], args=[rate, burst, self.lease_size(rate)]
        )
        taken, remaining, wait_ms, full_ms = (int(value) for value in reply)
        decision = Decision(
            allowed=taken > 0,
            limit=burst,
            remaining=max(remaining, 0),
            retry_after_seconds=math.ceil(wait_ms / 1000),
            reset_seconds=math.ceil(full_ms / 1000),
            window_seconds=max(math.ceil(burst / rate), 1),
        )
        if len(self._leases) >= MAX_CALLERS:
            self._leases.clear()
        until = now + (min(wait_ms / 1000, LEASE_SECONDS) if taken == 0 else LEASE_SECONDS)
        self._leases[subject] = _Lease(max(taken - 1, 0), until, decision)
        return replace(decision, remaining=decision.remaining + max(taken - 1, 0))
