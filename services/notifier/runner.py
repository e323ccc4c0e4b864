"""`sitrep notifier`: run the notifier loop until SIGTERM/SIGINT."""

from __future__ import annotations

import signal

from core.gc_freeze import freeze_startup_objects
from core.redis_conn import sync_client
from core.settings import NotifierSettings
from services.notifier.consumer import Notifier


def run_notifier(settings: NotifierSettings, until_idle: bool = False) -> int:
    notifier = Notifier(sync_client(settings.redis_url), settings)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: notifier.stop.set())
    freeze_startup_objects()
    if until_idle:
        notifier.ensure_group()
        while notifier.hold_lease() and notifier.step(block_milliseconds=None):
            pass
        if notifier.hold_lease():
            notifier.flush_open()  # idle means done: do not leave a burst waiting for its group wait
        return 0
    notifier.run()
    return 0
