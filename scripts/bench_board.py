"""The board's place list: how long `GET /v1/places` takes with many places (every page), the first time (each
place's point rendered from one of its events) and after (points kept in the process), the size of its answer,
an unchanged list asked with its ETag (304), and one place asked for with `place=` (what an alert costs).

Fills its own redis-server with canonical events through the merge script (scripts/bench.py's `_prefill`) and
gives each event's place a situation held by one of a few actors, then calls the app in process.

    .venv/bin/python scripts/bench_board.py [--sizes 1000 10000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import orjson  # noqa: E402
import redis  # noqa: E402
from bench import _prefill  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from core import keys  # noqa: E402
from core.embedded_redis import EmbeddedRedis  # noqa: E402
from core.settings import IngestSettings  # noqa: E402
from schemas.situation import ControlState, Situation  # noqa: E402
from services.api import places  # noqa: E402
from services.api.app import create_app  # noqa: E402

ACTORS = ["sdf", "islamic-state", "syrian-government", "rebels"]


def _situations(client: redis.Redis) -> int:
    """A situation per stored event's place, naming that event as the evidence of its holder."""
    ids = [item.decode() for item in client.zrange(keys.EVENTS_BY_SEQUENCE, 0, -1)]
    with client.pipeline(transaction=False) as pipe:
        for n, event_id in enumerate(ids):
            place = f"place-{n}"
            actor = ACTORS[n % len(ACTORS)]
            control = ControlState(controller=actor, controller_name=actor, events=[event_id], sources=["desk"])
            pipe.set(keys.situation(place), Situation(place_id=place, name=place, control=control).model_dump_json())
            pipe.sadd(keys.SITUATION_INDEX, place)
        pipe.set(keys.SITUATION_VERSION, f"bench-{len(ids)}")
        pipe.execute()
    return len(ids)


def _all_pages(api: TestClient) -> tuple[int, int, str]:
    """Rows and bytes of every page, following `Link: rel="next"` as the board does; the first page's ETag."""
    path: str | None = "/v1/places"
    rows = size = 0
    tag = ""
    while path:
        answer = api.get(path)
        assert answer.status_code == 200
        tag = tag or answer.headers["etag"]
        rows += len(orjson.loads(answer.content))
        size += len(answer.content)
        link = answer.headers.get("link")
        path = link[1 : link.index(">")] if link else None
    return rows, size, tag


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = EmbeddedRedis(data_dir=Path(folder), persistent=False)
        server.start()
        try:
            client = redis.Redis.from_url(server.url)
            for size in args.sizes:
                _prefill(client, size)
                count = _situations(client)
                places._points.clear()
                with TestClient(create_app(IngestSettings(redis_url=server.url, map_outlines=False))) as api:
                    start = time.perf_counter()
                    rows, size, tag = _all_pages(api)
                    cold = time.perf_counter() - start
                    warm = []
                    for _ in range(5):
                        start = time.perf_counter()
                        rows, size, tag = _all_pages(api)
                        warm.append(time.perf_counter() - start)
                    assert rows == count
                    unchanged = []
                    for _ in range(5):
                        start = time.perf_counter()
                        same = api.get("/v1/places", headers={"If-None-Match": tag})
                        unchanged.append(time.perf_counter() - start)
                        assert same.status_code == 304
                    start = time.perf_counter()
                    alone = api.get("/v1/places?place=place-7")
                    one_row = time.perf_counter() - start
                    assert alone.status_code == 200 and len(alone.json()) == 1
                    start = time.perf_counter()
                    history = api.get("/v1/places/place-0")
                    one = time.perf_counter() - start
                    assert history.status_code == 200
                print(
                    f"{count:>6} places: GET /v1/places (all pages) first {cold * 1000:7.1f} ms, then"
                    f" {statistics.median(warm) * 1000:7.1f} ms (median of 5), {size / 1e6:.2f} MB; 304 with its ETag"
                    f" {statistics.median(unchanged) * 1000:.1f} ms; ?place=place-7 {one_row * 1000:.1f} ms;"
                    f" GET /v1/places/place-0 {one * 1000:.1f} ms"
                )
            client.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
