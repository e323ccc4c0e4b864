"""A feed server on 127.0.0.1 for the poller's tests: RSS with ETag, Atom with Last-Modified, a feed that
fails first, a malformed one, a slow one and article pages; it counts what it was asked and answered."""

from __future__ import annotations

import email.utils
import hashlib
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

ARTICLE = (  # an article page: the text a summary-only item's link leads to
    "<html><head><title>Crossing reopens</title></head><body><nav>Home | World | Contact</nav>"
    "<article><h1>Crossing reopens after a week</h1>"
    "<p>The northern border crossing reopened on Thursday morning after a week of closure, and the first lorries "
    "carrying flour and medicine passed through before noon, the local council said.</p>"
    "<p>Council members said about 600 families who had waited near the gate were allowed to cross into the town "
    "by the evening, while others stayed in a school turned into a shelter.</p></article>"
    "<footer>All rights reserved</footer></body></html>"
)


@dataclass
class Entry:
    guid: str
    title: str
    published: float
    """Unix time."""
    summary: str
    content: str | None = None
    link: str | None = None


def rss(entries: list[Entry], title: str = "Border desk wire") -> bytes:
    parts = [f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>{escape(title)}</title>"]
    parts.append("<link>http://127.0.0.1/</link><description>test wire</description>")
    for entry in entries:
        parts.append(
            f"<item><title>{escape(entry.title)}</title><guid isPermaLink='false'>{escape(entry.guid)}</guid>"
            f"<pubDate>{email.utils.formatdate(entry.published, usegmt=True)}</pubDate>"
            f"<description>{escape(entry.summary)}</description>"
            + (f"<link>{escape(entry.link)}</link>" if entry.link else "")
            + "</item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def atom(entries: list[Entry], title: str = "Valley monitor") -> bytes:
    def stamp(moment: float) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))

    parts = [
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>",
        f"<title>{escape(title)}</title><id>urn:test:valley</id><updated>{stamp(time.time())}</updated>",
    ]
    for entry in entries:
        content = f"<content type='html'>{escape(entry.content)}</content>" if entry.content else ""
        parts.append(
            f"<entry><title>{escape(entry.title)}</title><id>{escape(entry.guid)}</id>"
            f"<updated>{stamp(entry.published)}</updated><summary>{escape(entry.summary)}</summary>{content}"
            + (f"<link href='{escape(entry.link)}'/>" if entry.link else "")
            + "</entry>"
        )
    parts.append("</feed>")
    return "".join(parts).encode()


@dataclass
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class FeedServer:
    """Routes are callables from the request headers to an Answer; every request is logged per path."""

    routes: dict[str, Callable[[dict[str, str]], Answer]] = field(default_factory=dict)
    requests: dict[str, list[tuple[float, int]]] = field(default_factory=lambda: defaultdict(list))
    """Path → (time the request came, status answered)."""
    in_flight: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    most_in_flight: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0
    _server: ThreadingHTTPServer | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> FeedServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                path = self.path
                came = time.monotonic()
                with owner.lock:
                    owner.in_flight[path] += 1
                    owner.most_in_flight[path] = max(owner.most_in_flight[path], owner.in_flight[path])
                try:
                    route = owner.routes.get(path)
                    answer = route({k.lower(): v for k, v in self.headers.items()}) if route else Answer(404)
                    if answer.delay:
                        time.sleep(answer.delay)
                    try:
                        self.send_response(answer.status)
                        for name, value in answer.headers.items():
                            self.send_header(name, value)
                        self.send_header("Content-Length", str(len(answer.body)))
                        self.end_headers()
                        if answer.body:
                            self.wfile.write(answer.body)
                    except OSError:
                        pass  # the client gave up (a budget ran out): that is what some tests want
                finally:
                    with owner.lock:
                        owner.in_flight[path] -= 1
                        owner.requests[path].append((came, answer.status))

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def statuses(self, path: str) -> list[int]:
        with self.lock:
            return [status for _, status in self.requests[path]]

    def times(self, path: str) -> list[float]:
        with self.lock:
            return [came for came, _ in self.requests[path]]


def with_etag(body: Callable[[], bytes]) -> Callable[[dict[str, str]], Answer]:
    """200 with an ETag, or 304 when the client sends the current one."""

    def route(headers: dict[str, str]) -> Answer:
        data = body()
        tag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        if headers.get("if-none-match") == tag:
            return Answer(304, headers={"ETag": tag})
        return Answer(200, data, {"ETag": tag, "Content-Type": "application/rss+xml"})

    return route


def with_last_modified(body: Callable[[], bytes], changed: Callable[[], float]) -> Callable[[dict[str, str]], Answer]:
    """200 with Last-Modified, or 304 when the client's If-Modified-Since is not older."""

    def route(headers: dict[str, str]) -> Answer:
        stamp = email.utils.formatdate(int(changed()), usegmt=True)
        since = headers.get("if-modified-since")
        if since and email.utils.parsedate_to_datetime(since).timestamp() >= int(changed()):
            return Answer(304, headers={"Last-Modified": stamp})
        return Answer(200, body(), {"Last-Modified": stamp, "Content-Type": "application/atom+xml"})

    return route
