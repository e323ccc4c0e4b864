"""The embedded Redis's secrets on disk (the stored password, the config file with `requirepass`): readable by
their owner only from the first byte, whatever file or symlink was there before; a real redis-server."""

from __future__ import annotations

import stat
from pathlib import Path

import redis

from core.embedded_redis import PASSWORD_FILE, EmbeddedRedis, stored_password


def test_looser_files_and_symlinks_left_in_the_data_dir_become_private_files(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / PASSWORD_FILE).write_text("kept-from-an-older-run\n")
    (data_dir / PASSWORD_FILE).chmod(0o644)  # copied in with a backup, say
    elsewhere = tmp_path / "someone-elses.conf"
    elsewhere.write_text("# not ours\n")
    (data_dir / "auth.conf").symlink_to(elsewhere)
    password = stored_password(data_dir)
    assert password == "kept-from-an-older-run"
    server = EmbeddedRedis(data_dir=data_dir, persistent=False, password=password)
    server.start()
    try:
        assert redis.Redis.from_url(server.url).ping()
    finally:
        server.stop()
    for name in (PASSWORD_FILE, "auth.conf"):
        mode = (data_dir / name).lstat().st_mode
        assert stat.S_ISREG(mode) and stat.S_IMODE(mode) == 0o600, (name, oct(mode))
    assert elsewhere.read_text() == "# not ours\n"  # the symlink was replaced, not written through
    assert sorted(p.name for p in data_dir.iterdir() if p.name.startswith(".")) == []  # no temporary file left


def test_a_symlinked_password_file_is_not_read_through(tmp_path: Path) -> None:
    secret = tmp_path / "planted"
    secret.write_text("chosen-by-someone-else\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / PASSWORD_FILE).symlink_to(secret)
    password = stored_password(tmp_path / "data")
    assert password != "chosen-by-someone-else" and len(password) >= 32
    assert not (tmp_path / "data" / PASSWORD_FILE).is_symlink() and secret.read_text() == "chosen-by-someone-else\n"
