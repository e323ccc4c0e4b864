"""The board's place list: how long `GET /v1/places` takes with many places, the first time (each place's point
rendered from one of its events) and after (points kept in the process), and the size of its answer.

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
        pipe.execute()
    return len(ids)


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
                    first = api.get("/v1/places")
                    cold = time.perf_counter() - start
                    warm = []
                    for _ in range(5):
                        start = time.perf_counter()
                        again = api.get("/v1/places")
                        warm.append(time.perf_counter() - start)
                    assert first.status_code == again.status_code == 200 and len(orjson.loads(again.content)) == count
                    start = time.perf_counter()
                    history = api.get("/v1/places/place-0")
                    one = time.perf_counter() - start
                    assert history.status_code == 200
                print(
                    f"{count:>6} places: GET /v1/places first {cold * 1000:7.1f} ms, then {statistics.median(warm) * 1000:7.1f} ms"
                    f" (median of 5), {len(again.content) / 1e6:.2f} MB; GET /v1/places/place-0 {one * 1000:.1f} ms"
                )
            client.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
