"""The situation board in a real browser: Debian's headless Chromium, driven by Playwright, against the
real API, a worker and the notifier on the suite's Redis. One browser and one pipeline for the module;
the tests run in file order and build on each other's reports.

Without /usr/bin/chromium (or the playwright package) the module is skipped, saying why, unless
SITREP_REQUIRE_BROWSER=1 (as in .ci/run), which makes that a failure. SITREP_BOARD_SCREENSHOT=PATH saves
the board with its places to PATH (docs/board.png is made so).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx
import pytest
import redis

from core import api_keys
from core.api_keys import ApiKeyIn
from core.embedded_redis import EmbeddedRedis, free_port
from services.board.outlines import outlines_path
from tests.conftest import REPO, wait_for_outlines
from tests.helpers import start, stop_all, wait_for_line, wait_until

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Request

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the suite runs as root
    "--disable-gpu",
    "--disable-background-networking",  # the machine has no network beyond registries: no update checks
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT_MS = 15_000


def _unavailable(reason: str) -> None:
    if os.environ.get("SITREP_REQUIRE_BROWSER") == "1":
        pytest.fail(f"SITREP_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(f"{reason}; set SITREP_REQUIRE_BROWSER=1 to make this a failure")


@dataclass
class Pipeline:
    """The API (restartable on its port), a worker and the notifier, and a Redis client."""

    env: dict[str, str]
    port: int
    redis: redis.Redis
    api: subprocess.Popen[str] | None = None
    others: list[subprocess.Popen[str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start_api(self, port: int | None = None) -> subprocess.Popen[str]:
        process = start(["api", "--port", str(port or self.port)], self.env)
        wait_for_line(process, "Application startup complete", timeout_seconds=30)
        return process

    def post(self, report: dict[str, Any], url: str | None = None, key: str | None = None) -> str:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        response = httpx.post(f"{url or self.url}/v1/reports", json=report, headers=headers, timeout=10)
        assert response.status_code == 202, response.text
        report_id: str = response.json()["id"]
        return report_id


@pytest.fixture(scope="module", autouse=True)
def _browser_available() -> None:
    """Checked before anything starts, so a machine without the browser skips the module at once."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")


@pytest.fixture(scope="module")
def pipeline(redis_server: EmbeddedRedis) -> Iterator[Pipeline]:
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    env = {key: value for key, value in os.environ.items() if not key.startswith("SITREP_")}
    env.update(REDIS_URL=redis_server.url, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
    env["SITREP_GROUP_WAIT_SECONDS"] = "0.1"
    if "SITREP_CACHE_DIR" in os.environ:  # where the suite built the map outlines
        env["SITREP_CACHE_DIR"] = os.environ["SITREP_CACHE_DIR"]
    pipeline = Pipeline(env=env, port=free_port(), redis=client)
    wait_for_outlines()  # the session's build (tests/conftest.py) has ended: the checks below know if there is a file
    pipeline.others = [start(["worker"], env), start(["notifier"], env)]
    try:
        pipeline.api = pipeline.start_api()
        yield pipeline
    finally:
        stop_all([process for process in [pipeline.api, *pipeline.others] if process is not None])
        client.flushall()
        client.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Watched:
    page: Page
    errors: list[str]


@pytest.fixture(scope="module")
def board(browser: Browser, pipeline: Pipeline) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"script error: {error}"))
    page.on(
        "console", lambda message: errors.append(message.text) if "Content Security Policy" in message.text else None
    )
    yield Watched(page, errors)
    context.close()


def _expect() -> Any:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    return expect


NAHDA = {
    "id": "board-nahda",
    "source": "Field desk",
    "published_at": "2017-10-14T15:00:00Z",
    "url": "https://example.org/raqqa-report",
    "text": "The Syrian Democratic Forces captured the al-Nahda neighborhood in western Raqqa from the Islamic State "
    "group on Saturday, SDF spokesman Mustafa Bali said. Aid groups say an estimated 4,000 civilians remain trapped inside the city.",
}
PALMYRA = {
    "id": "board-palmyra",
    "source": "Wire desk",
    "published_at": "2017-10-20T10:00:00Z",
    "text": "Syrian government forces recaptured the town of Palmyra from the Islamic State group on Friday, "
    "the army said in a statement.",
}
HOSTILE_SOURCE = "<b>Bold desk</b>"
HOSTILE = {
    "id": "board-hawija",
    "source": HOSTILE_SOURCE,
    "published_at": "2017-10-16T09:00:00Z",
    "url": "javascript:document.title='pwned'",
    "text": "Iraqi forces captured the town of Hawija from the Islamic State group on Monday, the army said "
    "<img src=x onerror=\"document.title='pwned'\">.",
}
MAYADIN = {
    "id": "board-mayadin",
    "source": "Radio desk",
    "published_at": "2017-10-17T09:00:00Z",
    "text": "Syrian government forces captured the town of Mayadin from the Islamic State group on Saturday, "
    "state media said.",
}
AZAZ = {
    "id": "board-azaz",
    "source": "Monitor desk",
    "published_at": "2017-10-18T09:00:00Z",
    "text": "Turkish-backed rebels took control of the town of Azaz from the Syrian Democratic Forces on Tuesday, "
    "a monitor said.",
}


def test_the_board_is_served_with_a_strict_policy_and_starts_empty(pipeline: Pipeline, board: Watched) -> None:
    expect = _expect()
    answer = httpx.get(pipeline.url + "/", timeout=10)
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert answer.headers["x-content-type-options"] == "nosniff"
    page = board.page
    page.goto(pipeline.url + "/")
    expect(page.locator("#status")).to_have_text("live")
    expect(page.locator("#places-empty")).to_be_visible()
    assert page.locator("#places tbody tr").count() == 0
    if outlines_path().exists():
        expect(page.locator("#map path.country").first).to_be_attached()
        assert page.locator("#map path.country").count() > 100  # the world, before any place narrows it
    else:
        expect(page.locator("#map-note")).to_contain_text("No country outlines")
    assert board.errors == []


def test_posted_reports_change_the_feed_the_table_and_the_map(pipeline: Pipeline, board: Watched) -> None:
    expect = _expect()
    page = board.page
    page.evaluate("window.boardTestMarker = 'same page'")
    asked: list[Request] = []
    page.on("request", lambda request: asked.append(request) if "/v1/places" in request.url else None)
    pipeline.post(NAHDA)
    pipeline.post(PALMYRA)
    expect(page.locator("#feed li.alert", has_text="al-Nahda")).to_have_count(1)
    expect(page.locator("#feed li.alert", has_text="Palmyra")).to_have_count(1)
    expect(page.locator("#feed li.alert", has_text="trapped")).to_have_count(1)
    nahda_row = page.locator("#places tbody tr[data-place='raqqa/al-nahda']")
    expect(nahda_row).to_contain_text("Syrian Democratic Forces")
    expect(page.locator("#places tbody tr[data-place='raqqa']")).to_contain_text("trapped 4,000")
    expect(page.locator("#places tbody tr[data-place='palmyra']")).to_contain_text("Syrian government forces")
    palmyra_dot = page.locator("#map g.place[data-place='palmyra'] circle")
    nahda_dot = page.locator("#map g.place[data-place='raqqa/al-nahda'] circle")  # drawn at Raqqa's point
    expect(palmyra_dot).to_be_attached()
    expect(nahda_dot).to_have_class("dot approximate")
    assert palmyra_dot.get_attribute("fill") != nahda_dot.get_attribute("fill")  # coloured by controller
    if outlines_path().exists():  # the map has narrowed to the places: Syria and its neighbours
        expect(page.locator("#map path.country title", has_text="Syria")).to_have_count(1)
        assert page.locator("#map path.country").count() < 60
    assert page.evaluate("window.boardTestMarker") == "same page"  # no reload
    # The alerts made the board ask for the places they name, not the whole list; asked for again with its
    # ETag, an unchanged list is a 304.
    assert any("/v1/places?place=" in request.url for request in asked)
    for answers in ("changed since the page's tag", "unchanged"):
        with page.expect_response(lambda response: response.url.endswith("/v1/places")) as answered:
            page.click("#filters button[type=submit]")
        if answers == "unchanged":
            assert answered.value.status == 304
    assert page.locator("#places tbody tr").count() == 3
    nahda_row.click()
    entry = page.locator("#history li.entry").first
    expect(entry).to_contain_text("captured the al-Nahda neighborhood")
    expect(entry).to_contain_text("Field desk")
    report_button = entry.locator("button.report-link")
    expect(report_button).to_have_attribute("data-report", "board-nahda")
    report_button.click()  # fetched with the page's key (none here) and shown in the panel as text
    expect(page.locator("#report-view")).to_be_visible()
    expect(page.locator("#report-body")).to_contain_text('"id": "board-nahda"')
    expect(page.locator("#report-body")).to_contain_text("captured the al-Nahda neighborhood")
    expect(entry.locator("a[target=_blank]")).to_have_attribute("href", "https://example.org/raqqa-report")
    assert "place=raqqa%2Fal-nahda" in page.url
    assert board.errors == []


def test_the_feed_resumes_after_its_connection_drops(pipeline: Pipeline, board: Watched) -> None:
    """The board's API stops; an alert is emitted meanwhile (its report sent to another API); when the API
    is back on its port, the page reconnects after the last alert it saw and shows the one it missed."""
    expect = _expect()
    page = board.page
    assert pipeline.api is not None
    stop_all([pipeline.api])
    expect(page.locator("#status")).to_have_text("reconnecting")
    other_port = free_port()
    other = pipeline.start_api(other_port)
    try:
        pipeline.post(MAYADIN, url=f"http://127.0.0.1:{other_port}")
        wait_until(
            lambda: any(
                "Mayadin" in a["data"]["summary"] for a in httpx.get(f"http://127.0.0.1:{other_port}/v1/alerts").json()
            ),
            what="the Mayadin alert in the log",
        )
    finally:
        stop_all([other])
    assert page.locator("#feed li.alert", has_text="Mayadin").count() == 0
    pipeline.api = pipeline.start_api()
    expect(page.locator("#feed li.alert", has_text="Mayadin")).to_have_count(1)
    expect(page.locator("#status")).to_have_text("live")
    expect(page.locator("#places tbody tr[data-place='mayadin']")).to_be_attached()
    pipeline.post(AZAZ)
    expect(page.locator("#feed li.alert", has_text="Azaz")).to_have_count(1)
    ids = page.locator("#feed li.alert").evaluate_all("items => items.map(item => item.dataset.streamId)")
    assert len(ids) == len(set(ids))  # nothing shown twice
    assert page.evaluate("window.boardTestMarker") == "same page"
    assert [e for e in board.errors if "script error" in e] == []


def test_filters_live_in_a_shareable_url(pipeline: Pipeline, board: Watched) -> None:
    expect = _expect()
    page = board.page
    page.goto(pipeline.url + "/?place=raqqa%2Fal-nahda")
    expect(page.locator("#places tbody tr")).to_have_count(5)
    expect(page.locator("#history li.entry").first).to_contain_text("al-Nahda")
    screenshot = os.environ.get("SITREP_BOARD_SCREENSHOT")
    if screenshot:
        expect(page.locator("#feed li.alert", has_text="Azaz")).to_have_count(1)
        page.screenshot(path=screenshot, full_page=True)
    page.goto(pipeline.url + "/?actor=sdf")
    expect(page.locator("#f-actor")).to_have_value("sdf")
    # al-Nahda is held by the SDF; Azaz was taken from them.
    expect(page.locator("#places tbody tr")).to_have_count(2)
    assert set(page.locator("#places tbody tr").evaluate_all("rows => rows.map(row => row.dataset.place)")) == {
        "raqqa/al-nahda",
        "azaz",
    }
    expect(page.locator("#feed li.alert")).to_have_count(2)
    page.fill("#f-actor", "")
    page.select_option("#f-kind", "civilian_count")
    page.click("#filters button[type=submit]")
    expect(page.locator("#places tbody tr")).to_have_count(1)
    expect(page.locator("#places tbody tr[data-place='raqqa']")).to_be_attached()
    assert page.url.endswith("/?kind=civilian_count")
    page.goto(pipeline.url + "/?from=2017-10-20&to=2017-10-31")
    expect(page.locator("#f-from")).to_have_value("2017-10-20")
    expect(page.locator("#places tbody tr")).to_have_count(1)
    expect(page.locator("#places tbody tr[data-place='palmyra']")).to_be_attached()  # taken on the 20th
    page.go_back()
    expect(page.locator("#places tbody tr[data-place='raqqa']")).to_be_attached()
    expect(page.locator("#f-kind")).to_have_value("civilian_count")
    assert board.errors == []


def test_report_text_is_shown_as_text_never_as_html(pipeline: Pipeline, board: Watched) -> None:
    expect = _expect()
    page = board.page
    page.goto(pipeline.url + "/")
    title = page.title()
    pipeline.post(HOSTILE)
    row = page.locator("#places tbody tr[data-place='hawija']")
    expect(row.locator("td.sources")).to_have_text(HOSTILE_SOURCE)  # the markup as characters
    assert row.locator("b").count() == 0
    row.click()
    sentence = page.locator("#history li.entry blockquote.sentence").first
    expect(sentence).to_contain_text("<img src=x onerror=\"document.title='pwned'\">")
    assert page.locator("#history img, #feed img, #places img").count() == 0
    feed_item = page.locator("#feed li.alert", has_text="Hawija")
    expect(feed_item).to_contain_text(HOSTILE_SOURCE)
    # A javascript: link from a report is not made a link.
    assert page.locator("#history a[href^='javascript']").count() == 0
    page.locator("#history button.report-link").first.click()
    expect(page.locator("#report-body")).to_contain_text("<img src=x onerror=")
    assert page.locator("#report-view img").count() == 0
    assert page.title() == title
    assert board.errors == []


def test_the_board_works_without_outlines(pipeline: Pipeline, board: Watched) -> None:
    expect = _expect()
    page = board.page
    page.route("**/v1/map/outlines", lambda route: route.fulfill(status=404, body="{}"))
    try:
        page.goto(pipeline.url + "/")
        expect(page.locator("#map-note")).to_contain_text("No country outlines")
        expect(page.locator("#map g.place")).to_have_count(6)  # al-Nahda sits on Raqqa's point
        assert page.locator("#map path.country").count() == 0
    finally:
        page.unroute("**/v1/map/outlines")


def test_a_keyed_api_makes_the_board_ask_for_a_key(pipeline: Pipeline, board: Watched) -> None:
    expect = _expect()
    page = board.page
    new = api_keys.create(pipeline.redis, ApiKeyIn(name="board", scopes=["read", "ingest"]))
    wait_until(lambda: httpx.get(pipeline.url + "/v1/places").status_code == 401, what="the API to want a key")
    page.goto(pipeline.url + "/")
    expect(page.locator("#key-form")).to_be_visible()
    expect(page.locator("#status")).to_have_text("key needed")
    page.fill("#key-input", "sitrep_wrong_key")
    page.click("#key-form button[type=submit]")
    expect(page.locator("#key-message")).to_contain_text("refused")
    page.fill("#key-input", new.key)
    page.click("#key-form button[type=submit]")
    expect(page.locator("#key-form")).to_be_hidden()
    expect(page.locator("#places tbody tr")).to_have_count(6)
    expect(page.locator("#status")).to_have_text("live")  # the stream took ?access_token=
    pipeline.post(
        {
            "source": "Night desk",
            "published_at": "2017-10-19T09:00:00Z",
            "text": "Iraqi forces captured the town of Rawa from the Islamic State group on Thursday, the army said.",
        },
        key=new.key,
    )
    expect(page.locator("#feed li.alert", has_text="Rawa")).to_have_count(1)
    assert page.evaluate("sessionStorage.getItem('sitrep.apiKey')") == new.key
    # A report link works on a keyed API: the page fetches the report with its key and shows it.
    page.locator("#places tbody tr", has_text="Rawa").click()
    page.locator("#history button.report-link").first.click()
    expect(page.locator("#report-body")).to_contain_text("captured the town of Rawa")
    # A place id from the URL never takes the key elsewhere: '..' segments are refused, and an id is encoded
    # as a whole ('/' too), so the browser cannot resolve it to another path.
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url))
    for hostile in ("../../v1/keys", "..", "raqqa/../../../v1/keys"):
        page.goto(pipeline.url + "/?place=" + quote(hostile, safe=""))
        expect(page.locator("#error")).to_contain_text("Not a place id")
    expect(page.locator("#status")).to_have_text("live")
    assert [url for url in sent if "/v1/keys" in url or url.endswith("/v1/")] == []
    assert page.evaluate("window.sitrepBoard.placePath('raqqa/al-nahda')") == "/v1/places/raqqa%2Fal-nahda"
    assert page.evaluate("window.sitrepBoard.placePath('a/./b')") is None
    assert page.evaluate("window.sitrepBoard.reportPath('../keys')") == "/v1/reports/..%2Fkeys"
    # Revoked: the stream ends at the next alert, its reconnect is refused, and the board asks again.
    sender = api_keys.create(pipeline.redis, ApiKeyIn(name="sender", scopes=["ingest"]))
    api_keys.revoke(pipeline.redis, new.id)
    wait_until(
        lambda: (
            httpx.get(pipeline.url + "/v1/places", headers={"Authorization": f"Bearer {new.key}"}).status_code == 401
        ),
        what="the revocation to reach the API",
    )
    pipeline.post(
        {
            "source": "Late desk",
            "published_at": "2017-10-21T09:00:00Z",
            "text": "Iraqi forces captured the town of Anah from the Islamic State group on Friday, the army said.",
        },
        key=sender.key,
    )
    expect(page.locator("#key-form")).to_be_visible()
    expect(page.locator("#key-message")).to_contain_text("revoked")
    assert [e for e in board.errors if "script error" in e or "Content Security Policy" in e] == []
