"""The `kind` field of a stream entry lets the notifier pass over kinds it never applies without parsing."""

from __future__ import annotations

import logging

import pytest
import redis

from core import keys
from tests.notifier.conftest import NotifierFactory, drain, event, kinds, push


def test_entries_of_other_kinds_are_acknowledged_unparsed(
    r: redis.Redis, make_notifier: NotifierFactory, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = make_notifier()
    caplog.set_level(logging.ERROR)
    # Not JSON: had the notifier parsed it, it would be dropped as malformed; named as a strike, it is skipped.
    r.xadd(
        keys.EVENTS_STREAM,
        {"kind": "air_strike", "event": b"{unparsed", "report_id": "r-x", "source": "s", "published_at": "2017-01-01"},
    )
    push(r, event("control_change", "raqqa", "sdf"), "2017-10-14T16:00:00Z")  # no `kind`: parsed as before
    drain(notifier)
    assert kinds(r) == [("control_changed", "raqqa")]
    assert r.xpending(keys.EVENTS_STREAM, keys.NOTIFIER_GROUP)["pending"] == 0
    assert "malformed" not in caplog.text  # passed over, not parsed and dropped


def test_a_situation_kind_in_the_field_is_still_applied(r: redis.Redis, make_notifier: NotifierFactory) -> None:
    notifier = make_notifier()
    push(r, event("control_change", "palmyra", "syrian-government", "islamic-state"), "2017-03-02T08:00:00Z")
    entry_id, fields = r.xrange(keys.EVENTS_STREAM)[0]
    r.xdel(keys.EVENTS_STREAM, entry_id)
    r.xadd(keys.EVENTS_STREAM, {b"kind": b"control_change", **fields})
    drain(notifier)
    assert kinds(r) == [("control_changed", "palmyra")]
