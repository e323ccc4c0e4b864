"""Two notifier processes and a crash mid-stream: the same alert list as one notifier, each alert once."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path
from typing import Any

import redis

from core import keys
from tests.conftest import sitrep_command
from tests.helpers import wait_until
from tests.notifier.conftest import NotifierFactory, alerts, drain, push, rules_yaml
from tests.notifier.test_grouping import ARCHIVE, EXPECTED


def start_notifier(env: dict[str, str], name: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        sitrep_command("notifier"),
        env={**env, "SITREP_CONSUMER_NAME": name},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def leader(r: redis.Redis) -> str | None:
    value: Any = r.get(keys.NOTIFIER_LEADER)
    return value.decode() if value else None


def test_two_notifiers_and_a_killed_leader_emit_each_alert_exactly_once(
    r: redis.Redis, make_notifier: NotifierFactory, child_env: dict[str, str], tmp_path: Path
) -> None:
    # The reference: one notifier, in process, no group wait.
    single = make_notifier(group_wait=0)
    for item, published, source in ARCHIVE:
        push(r, item, published, source=source, report_id=f"r-{item.id}")
    drain(single)
    expected = [alert["id"] for alert in alerts(r)]
    assert len(expected) == len(EXPECTED)
    r.flushall()

    env = {**child_env, "SITREP_RULES_FILE": str(rules_yaml(tmp_path / "live.yaml", group_wait=0.2))}
    processes = {name: start_notifier(env, name) for name in ("a", "b")}
    try:
        first: str = wait_until(lambda: leader(r) or "", what="a leader")
        half = len(ARCHIVE) // 2
        for item, published, source in ARCHIVE[:half]:
            push(r, item, published, source=source, report_id=f"r-{item.id}")
        wait_until(lambda: len(alerts(r)) >= 2, what="the first alerts")
        processes[first].send_signal(signal.SIGKILL)  # no goodbye: its lease must run out
        processes[first].wait(timeout=10)
        for item, published, source in ARCHIVE[half:]:
            push(r, item, published, source=source, report_id=f"r-{item.id}")
        processes["c"] = start_notifier(env, "c")  # a restart, joining the survivor
        wait_until(lambda: len(alerts(r)) >= len(expected), timeout_seconds=30, what="every alert")
        wait_until(lambda: r.xpending(keys.EVENTS_STREAM, keys.NOTIFIER_GROUP)["pending"] == 0, what="all acked")
        assert leader(r) != first
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            process.wait(timeout=30)
    assert [alert["id"] for alert in alerts(r)] == expected


def test_until_idle_flushes_open_groups_before_it_exits(
    r: redis.Redis, child_env: dict[str, str], tmp_path: Path
) -> None:
    for item, published, source in ARCHIVE:
        push(r, item, published, source=source, report_id=f"r-{item.id}")
    env = {**child_env, "SITREP_RULES_FILE": str(rules_yaml(tmp_path / "slow.yaml", group_wait=600))}
    done = subprocess.run(sitrep_command("notifier", "--until-idle"), env=env, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    assert [(a["type"].removeprefix("sitrep.alert."), a["subject"]) for a in alerts(r)] == EXPECTED
    assert r.zcard(keys.ALERT_GROUPS) == 0
