"""Reading canonical events: Redis renders each from its merge state (core/render.lua).

The merge script keeps only an event's state (`sitrep:canon:{id}` and its mentions) and does not
write its JSON: rewriting every changed event's JSON in every batch cost a tenth of the merge,
for reads that are far rarer than writes. A read renders the events it needs, a page in one call,
from the same code the merge script uses for the notifier's copy, so the two cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import redis
import redis.asyncio

from core import lua

RENDER_LUA = lua.source("core", "render.lua")
"""`render(cid, mentions_last)`: a canonical event's JSON from its state; loaded in front of the scripts that use it."""

READ_LUA = lua.source("core", "render.lua", "read_events.lua")
_EVENT_ID = re.compile(r"ev-[0-9a-f]{24}")
"""What `canonical_id` makes; anything else (a user's typo, `ev-…:mentions`) is no event, not a Redis error."""


def _known(event_ids: Sequence[str]) -> list[str]:
    return [event_id for event_id in event_ids if _EVENT_ID.fullmatch(event_id)]


def _in_order(event_ids: Sequence[str], known: list[str], reply: Any) -> list[bytes | None]:
    found = dict(zip(known, _texts(reply), strict=True))
    return [found.get(event_id) for event_id in event_ids]


def _args(event_ids: Sequence[str], mentions: int) -> list[str]:
    return ["-" if mentions <= 0 else str(mentions - 1), *event_ids]


def _texts(reply: Any) -> list[bytes | None]:
    return [item if isinstance(item, bytes) else None for item in reply]


def read_events(connection: redis.Redis, event_ids: Sequence[str], mentions: int) -> list[bytes | None]:
    """Each event's JSON with its earliest `mentions` mentions, or None where no such event is stored."""
    known = _known(event_ids)
    if not known:
        return [None] * len(event_ids)
    reply = connection.register_script(READ_LUA)(args=_args(known, mentions))  # EVALSHA, loaded if missing
    return _in_order(event_ids, known, reply)


async def read_events_async(
    connection: redis.asyncio.Redis, event_ids: Sequence[str], mentions: int
) -> list[bytes | None]:
    """`read_events` for the API's asyncio client."""
    known = _known(event_ids)
    if not known:
        return [None] * len(event_ids)
    reply = await connection.register_script(READ_LUA)(args=_args(known, mentions))
    return _in_order(event_ids, known, reply)
