"""`sitrep import`: an archive interrupted (the process killed) and resumed posts each row once, in file
order or, with --replay, in publication order; with --quiet-delivery its alerts are logged, not sent."""

from __future__ import annotations

import csv
import io
import json
import random
import signal
import subprocess
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from core import keys
from services.cli.archive_import import Progress, parse_mapping, parse_time, read_rows
from services.dispatcher import Dispatcher
from tests.conftest import REPO, sitrep_command
from tests.delivery.conftest import (  # noqa: F401  (fixtures)
    Receiver,
    api_url,
    process_env,
    receiver_factory,
    start,
    stop,
)
from tests.delivery.test_webhooks import dispatcher, start_worker, subscribe  # noqa: F401  (fixture)
from tests.feeds.server import ARTICLE, Answer, FeedServer
from tests.helpers import wait_until

PLACES = ("Raqqa", "Mosul", "Aleppo", "Homs", "Deir ez-Zor", "Idlib")
OPENINGS = (
    "About {n} civilians remain trapped in {place} as fighting goes on, a monitor said.",
    "Aid workers said some {n} civilians fled {place} during the night.",
    "At least {n} civilians were killed in {place} this week, according to a local council.",
    "Nearly {n} people were released from detention in {place}, relatives told reporters.",
)
CLOSINGS = (
    "The report could not be verified independently.",
    "Phone lines to the area were cut for most of the day.",
    "Residents described long queues for bread and water.",
    "A ceasefire announced last month has not held.",
    "The figures were gathered by volunteers on the ground.",
)


def archive_rows(count: int, seed: int) -> list[dict[str, Any]]:
    """Distinct reports of civilian counts, published an hour apart (dates shuffled by the caller)."""
    start = datetime(2017, 3, 1, 8, tzinfo=UTC)
    rows = []
    for k in range(count):
        place = PLACES[k % len(PLACES)]
        opening = OPENINGS[(k // len(PLACES)) % len(OPENINGS)].format(n=40 + 7 * k, place=place)
        rows.append(
            {
                "when": (start + timedelta(hours=k)).isoformat(),
                "notes": f"{opening} {CLOSINGS[k % len(CLOSINGS)]} Archive row {k} of seed {seed}.",
                "outlet": f"Monitor {k % 3}",
            }
        )
    return rows


def run_import(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        sitrep_command("import", *args), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO
    )


def position_of(r: redis.Redis) -> int:
    found = [r.hget(key, "position") for key in r.scan_iter(match=keys.import_position("*"))]
    return max((int(value) for value in found if value is not None), default=0)


def killed_at(r: redis.Redis, process: subprocess.Popen[str], position: int) -> None:
    """Wait until the import recorded `position` and then blocks (waiting for workers); kill it outright."""
    wait_until(lambda: position_of(r) >= position or process.poll() is not None, 30, f"position {position}")
    assert process.poll() is None, process.communicate()[0]
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def job_lists_in_queue_order(r: redis.Redis) -> list[str]:
    jobs: list[Any] = r.lrange("rq:queue:sitrep", 0, -1)
    ids: list[str] = []
    for job in jobs:
        ids += [value.decode() for value in r.lrange(keys.job_reports(job.decode()), 0, -1)]
    return ids


def test_an_interrupted_csv_import_resumes_and_posts_each_row_once_in_file_order(
    r: redis.Redis, tmp_path: Path, child_env: dict[str, str]
) -> None:
    rows = archive_rows(300, seed=1)
    path = tmp_path / "acled-like.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["when", "notes", "outlet"])
        writer.writeheader()
        writer.writerows(rows)
    mapping = ["--map", "text=notes,published_at=when,source=outlet"]
    # No worker runs: the import stops at a backlog of 100 (four batches of 25) and is killed there.
    first = run_import([str(path), *mapping, "--batch", "25", "--max-backlog", "100"], child_env)
    killed_at(r, first, 100)
    assert r.get(keys.BACKLOG) == b"100"

    second = run_import([str(path), *mapping, "--batch", "25", "--max-backlog", "0"], child_env)
    output = second.communicate(timeout=60)[0]
    assert second.returncode == 0, output
    assert "resuming acled-like.csv at row 101 of 300" in output
    assert "200 report(s) stored" in output

    ids = job_lists_in_queue_order(r)
    assert len(ids) == 300 and max(Counter(ids).values()) == 1  # each row handed to a job once
    lines = [json.loads(r.hget(keys.report(rid), "report"))["provenance"]["line"] for rid in ids]  # type: ignore[arg-type]
    assert lines == list(range(2, 302))  # file order (the header is line 1)
    assert r.get(keys.BACKLOG) == b"300"

    third = run_import([str(path), *mapping], child_env)
    assert "was imported already" in third.communicate(timeout=60)[0] and third.returncode == 0
    assert len(job_lists_in_queue_order(r)) == 300


def test_bad_rows_are_named_and_the_rest_imported(r: redis.Redis, tmp_path: Path, child_env: dict[str, str]) -> None:
    path = tmp_path / "mixed.jsonl"
    good = {"text": "Some 120 civilians fled Homs overnight, aid workers said.", "published_at": "2017-05-02"}
    path.write_text(
        json.dumps({**good, "source": "Desk"})
        + "\nnot json\n"
        + json.dumps({"text": "A row without any date.", "source": "Desk"})
        + "\n"
        + json.dumps({"text": "Mosul was quiet on Sunday, residents said.", "published_at": "2017-05-03"})
        + "\n"
    )
    process = run_import([str(path), "--source", "Fallback desk"], child_env)
    output = process.communicate(timeout=60)[0]
    assert process.returncode == 2
    assert "line 2: skipped: not JSON" in output and "line 3: skipped: published_at: no publication date" in output
    assert "Traceback" not in output
    stored = [json.loads(r.hget(keys.report(rid), "report")) for rid in job_lists_in_queue_order(r)]  # type: ignore[arg-type]
    assert [(report["source"], report["provenance"]["line"]) for report in stored] == [
        ("Desk", 1),
        ("Fallback desk", 4),
    ]


def test_mapping_and_dates_are_read_as_archives_write_them() -> None:
    assert parse_mapping("text=notes, published_at=event_date") == {"text": "notes", "published_at": "event_date"}
    with pytest.raises(Exception, match="not a report field"):
        parse_mapping("body=notes")
    assert parse_time("14 October 2017") == datetime(2017, 10, 14, tzinfo=UTC)
    assert parse_time("20171014153000") == datetime(2017, 10, 14, 15, 30, tzinfo=UTC)
    assert parse_time("2017-10-14T15:00:00+02:00") == datetime(2017, 10, 14, 13, tzinfo=UTC)


def events_stream_published(r: redis.Redis) -> list[tuple[str, str]]:
    entries: list[Any] = r.xrange(keys.EVENTS_STREAM)
    return [(fields[b"report_id"].decode(), fields[b"published_at"].decode()) for _, fields in entries]


def test_a_replayed_quiet_import_interrupted_and_resumed_goes_in_publication_order_and_sends_no_webhook(
    api_url: str,  # noqa: F811
    r: redis.Redis,
    redis_url: str,
    tmp_path: Path,
    child_env: dict[str, str],
    dispatcher: Dispatcher,  # noqa: F811
    receiver_factory: Callable[..., Receiver],  # noqa: F811
) -> None:
    receiver = receiver_factory(plan=[200])
    subscribe(api_url, receiver.url)  # every alert
    rows = archive_rows(240, seed=2)
    dates = [row["when"] for row in rows]
    random.Random(7).shuffle(dates)
    for row, when in zip(rows, dates, strict=True):
        row["when"] = when
    path = tmp_path / "archive.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    args = [str(path), "--map", "text=notes,published_at=when,source=outlet", "--replay", "--quiet-delivery"]

    # No worker yet: the first batch is stored, then the import waits for it to be processed; killed there.
    first = run_import([*args, "--batch", "40"], child_env)
    killed_at(r, first, 40)
    worker = start_worker(redis_url)
    notifier = start(["notifier"], process_env(redis_url))
    try:
        second = run_import([*args, "--batch", "40"], child_env)
        output = second.communicate(timeout=120)[0]
        assert second.returncode == 0, output
        assert "resuming archive.jsonl at row 41 of 240" in output

        # Every row once, and the events came out in publication order.
        streamed = events_stream_published(r)
        first_seen = list(dict.fromkeys(report_id for report_id, _ in streamed))
        assert len(first_seen) == 240
        published = [when for _, when in streamed]
        assert published == sorted(published)

        # The archive caused alerts: logged, read by the dispatcher, and none sent.
        wait_until(lambda: r.xlen(keys.ALERTS_STREAM) > 0, 30, "alerts from the archive")
        wait_until(lambda: _dispatched(r), 30, "the dispatcher to read every alert")
        archive_alerts = r.xlen(keys.ALERTS_STREAM)
        assert r.keys(keys.delivery("*")) == []

        # A live report still alerts the subscriber: the path works, the archive was quiet.
        live = {
            "source": "Field desk",
            "published_at": "2017-03-12T10:00:00Z",
            "text": "Government forces captured the town of Palmyra from the rebels on Tuesday, the army said.",
        }
        assert httpx.post(f"{api_url}/v1/reports", json=live, timeout=10).status_code == 202
        (request,) = receiver.wait_for(1, timeout_seconds=30)
        assert json.loads(request.body)["subject"] == "palmyra"
    finally:
        stop(notifier)
        stop(worker)
    assert r.xlen(keys.ALERTS_STREAM) >= archive_alerts + 1
    assert len(receiver.requests) == 1

    # Provenance: on the report, and in its events' mentions.
    some_id = first_seen[-1]
    shown = httpx.get(f"{api_url}/v1/reports/{some_id}", timeout=10).json()
    provenance = {name: value for name, value in shown["provenance"].items() if value is not None}
    line = provenance["line"]
    assert provenance == {"via": "import", "importer": "sitrep import", "file": "archive.jsonl", "line": line}
    assert shown["quiet_delivery"] is True and shown["status"] == "done"
    assert rows[line - 1]["notes"].split(".")[0] in json.loads(r.hget(keys.report(some_id), "report"))["text"]  # type: ignore[arg-type]
    mentions = [m for event in shown["events"] for m in event["mentions"] if m["report_id"] == some_id]
    assert mentions and all(m["provenance"] == provenance for m in mentions)


def _dispatched(r: redis.Redis) -> bool:
    groups: list[Any] = r.xinfo_groups(keys.ALERTS_STREAM)
    webhooks = [group for group in groups if group["name"] == keys.WEBHOOKS_GROUP.encode()]
    newest: list[Any] = r.xrevrange(keys.ALERTS_STREAM, count=1)
    return (
        bool(webhooks and newest) and webhooks[0]["pending"] == 0 and webhooks[0]["last-delivered-id"] == newest[0][0]
    )


def test_fetch_fills_rows_without_text_from_their_pages(
    r: redis.Redis, tmp_path: Path, child_env: dict[str, str]
) -> None:
    server = FeedServer().start()
    try:
        server.routes["/story/1"] = lambda headers: Answer(200, ARTICLE.encode(), {"Content-Type": "text/html"})
        server.routes["/story/2"] = lambda headers: Answer(404, b"gone")
        path = tmp_path / "gdelt-like.csv"
        path.write_text(
            f"DATEADDED,SOURCEURL\n20170314101500,{server.url('/story/1')}\n20170314111500,{server.url('/story/2')}\n"
        )
        env = {**child_env, "SITREP_FEED_ALLOW_PRIVATE_ADDRESSES": "true"}
        process = run_import(
            [str(path), "--map", "published_at=DATEADDED,url=SOURCEURL", "--source", "GDELT", "--fetch"], env
        )
        output = process.communicate(timeout=60)[0]
    finally:
        server.stop()
    assert process.returncode == 2 and f"line 3: skipped: --fetch {server.url('/story/2')}: HTTP 404" in output
    (report_id,) = job_lists_in_queue_order(r)
    report = json.loads(r.hget(keys.report(report_id), "report"))  # type: ignore[arg-type]
    assert "first lorries carrying flour and medicine" in report["text"] and "All rights reserved" not in report["text"]
    assert report["published_at"].startswith("2017-03-14T10:15:00")
    assert report["provenance"] == {
        "via": "import",
        "importer": "sitrep import",
        "file": "gdelt-like.csv",
        "line": 2,
        "fetched_url": server.url("/story/1"),
    }


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_shows_on_a_terminal_only() -> None:
    terminal = _Terminal()
    bar = Progress(200, terminal)
    bar.show(50)
    bar.show(100, "(waiting for the workers)")
    bar.end()
    assert "[#######-----------------------] 50/200 rows" in terminal.getvalue()
    assert "100/200 rows" in terminal.getvalue() and "(waiting for the workers)" in terminal.getvalue()
    piped = io.StringIO()
    Progress(200, piped).show(50)
    assert piped.getvalue() == ""


def test_long_csv_fields_are_read_up_to_the_text_cap_and_a_longer_one_is_named(
    r: redis.Redis, tmp_path: Path, child_env: dict[str, str]
) -> None:
    long_text = "Shelling was heard across the old city all night. " * 4_000  # 200,000 characters
    rows = read_rows(f"text,published_at,source\n{long_text},2017-05-02,Desk\n".encode(), "csv", {}, None)
    assert [(row.line, row.problem, len(row.fields["text"])) for row in rows] == [(2, None, len(long_text))]
    path = tmp_path / "huge.csv"
    path.write_text(f"text,published_at,source\nFine,2017-05-02,Desk\n{'x' * 1_000_001},2017-05-03,Desk\n")
    process = run_import([str(path)], child_env)
    output = process.communicate(timeout=60)[0]
    assert process.returncode == 2
    assert "line 3: not readable as CSV (field larger than field limit (1000000))" in output
    assert "Traceback" not in output
    assert csv.field_size_limit() == 131_072  # the module's limit is given back


def test_a_replay_at_the_default_batch_sends_one_job_at_a_time(
    r: redis.Redis, tmp_path: Path, child_env: dict[str, str]
) -> None:
    path = tmp_path / "history.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in archive_rows(250, seed=3)))
    # No worker: the first batch is stored, then the import waits for it to be processed; killed there.
    process = run_import([str(path), "--map", "text=notes,published_at=when,source=outlet", "--replay"], child_env)
    killed_at(r, process, 1)
    jobs: list[Any] = r.lrange("rq:queue:sitrep", 0, -1)
    assert len(jobs) == 1  # one job per batch: no second worker can run part of it ahead of the rest
    assert position_of(r) == r.llen(keys.job_reports(jobs[0].decode())) == 100
