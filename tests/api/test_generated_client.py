"""A client generated from the OpenAPI document by `openapi-python-client` type-checks (mypy --strict)
and reads real answers: the document says what the routes return."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import redis
from fastapi.testclient import TestClient

from core import api_keys
from core.api_keys import ApiKeyIn
from core.settings import IngestSettings
from services.api.app import create_app
from tests.api.test_events_export import _strikes
from tests.dedup.helpers import process

USAGE = '''
from __future__ import annotations

import datetime

from sitrep_client.api.events import get_event, list_events
from sitrep_client.client import AuthenticatedClient
from sitrep_client.models import CanonicalEvent, EventPage, Problem


def syrian_strikes(client: AuthenticatedClient) -> list[tuple[str, str, int]]:
    """(id, place, mention count) of every Syrian event since October 2017, page by page."""
    found: list[tuple[str, str, int]] = []
    cursor: str | None = None
    while True:
        page = list_events.sync(client=client, country=["Syria"], from_=datetime.date(2017, 10, 1), limit=1, cursor=cursor)
        if not isinstance(page, EventPage):
            raise RuntimeError(f"not a page: {page!r}")
        for event in page.events:
            place = event.place.name if event.place else "?"
            found.append((event.id, place, event.mention_count))
        cursor = page.next_cursor
        if not page.has_more:
            return found


def missing(client: AuthenticatedClient) -> tuple[int, str]:
    answer = get_event.sync(client=client, event_id="ev-000000000000000000000000")
    if isinstance(answer, CanonicalEvent) or answer is None:
        raise RuntimeError("an event that does not exist was found")
    assert isinstance(answer, Problem)
    return answer.status, answer.detail
'''

WRONG = """
from sitrep_client.api.events import list_events
from sitrep_client.client import AuthenticatedClient
from sitrep_client.models import EventPage


def wrong(client: AuthenticatedClient) -> str:
    page = list_events.sync(client=client)
    assert isinstance(page, EventPage)
    return page.events[0].mention_count  # an int: mypy must say so
"""


def _generate(tmp_path: Path, schema: dict[str, object]) -> None:
    (tmp_path / "openapi.json").write_text(json.dumps(schema))
    tools = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": tools + os.pathsep + os.environ.get("PATH", "")}  # it runs ruff on its output
    generate = [str(Path(tools) / "openapi-python-client"), "generate", "--path", "openapi.json", "--meta", "none"]
    done = subprocess.run(
        [*generate, "--output-path", "sitrep_client"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Unable to parse" not in done.stdout and "removal" not in done.stdout, done.stdout


def _mypy(tmp_path: Path, name: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-incremental", name]
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)


def test_a_generated_client_type_checks_and_reads_real_answers(r: redis.Redis, redis_url: str, tmp_path: Path) -> None:
    process(r, _strikes(2, ["Homs", "Mosul", "Hama"]))
    with TestClient(create_app(IngestSettings(redis_url=redis_url))) as api:
        _generate(tmp_path, api.get("/openapi.json").json())
        (tmp_path / "usage.py").write_text(USAGE)
        (tmp_path / "wrong.py").write_text(WRONG)
        checked = _mypy(tmp_path, "usage.py")
        assert checked.returncode == 0, checked.stdout
        refused = _mypy(tmp_path, "wrong.py")
        assert refused.returncode == 1 and "Incompatible return value type" in refused.stdout, refused.stdout

        sys.path.insert(0, str(tmp_path))
        try:
            from sitrep_client.client import AuthenticatedClient  # type: ignore[import-not-found]
            from usage import missing, syrian_strikes  # type: ignore[import-not-found]

            key = api_keys.create(r, ApiKeyIn(name="analyst", scopes=["read"])).key
            client = AuthenticatedClient(base_url=str(api.base_url), token=key, raise_on_unexpected_status=True)
            api.headers["Authorization"] = f"Bearer {key}"  # what the client's own httpx client would send
            client.set_httpx_client(api)  # the generated client over the test app, no server process
            events = syrian_strikes(client)
            assert sorted(place for _, place, _ in events) == ["Hama", "Hama", "Homs", "Homs"]
            assert len({event_id for event_id, _, _ in events}) == 4 and {n for _, _, n in events} == {1}
            assert missing(client) == (404, "no event 'ev-000000000000000000000000'")
        finally:
            sys.path.remove(str(tmp_path))
            for module in [m for m in sys.modules if m == "usage" or m.startswith("sitrep_client")]:
                del sys.modules[module]
