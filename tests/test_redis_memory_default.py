"""The embedded Redis's default maxmemory follows the memory limit of sitrep's own cgroup, wherever that sits
in the hierarchy (fake cgroup trees in a temporary directory: the machine's own has no limit)."""

from __future__ import annotations

from pathlib import Path

from core.embedded_redis import machine_memory_bytes

LIMIT = 512 << 20


def test_a_cgroup_v2_limit_below_the_mount_root_counts(tmp_path: Path) -> None:
    """A systemd unit with MemoryMax= (no cgroup namespace): the limit is on our cgroup, not on the root."""
    unit = tmp_path / "system.slice" / "sitrep.service"
    unit.mkdir(parents=True)
    (unit / "memory.max").write_text(f"{LIMIT}\n")
    (tmp_path / "system.slice" / "memory.max").write_text("max\n")
    proc = tmp_path / "cgroup"
    proc.write_text("0::/system.slice/sitrep.service\n")
    assert machine_memory_bytes(tmp_path, proc) == LIMIT


def test_a_parents_limit_counts_and_the_lowest_wins(tmp_path: Path) -> None:
    (tmp_path / "kubepods" / "pod1" / "c1").mkdir(parents=True)
    (tmp_path / "kubepods" / "pod1" / "memory.max").write_text(f"{LIMIT}\n")
    (tmp_path / "kubepods" / "pod1" / "c1" / "memory.max").write_text(f"{2 * LIMIT}\n")
    proc = tmp_path / "cgroup"
    proc.write_text("0::/kubepods/pod1/c1\n")
    assert machine_memory_bytes(tmp_path, proc) == LIMIT


def test_a_cgroup_v1_memory_controller_path_counts(tmp_path: Path) -> None:
    (tmp_path / "memory" / "docker" / "abc").mkdir(parents=True)
    (tmp_path / "memory" / "memory.limit_in_bytes").write_text("9223372036854771712\n")  # v1's "no limit"
    (tmp_path / "memory" / "docker" / "abc" / "memory.limit_in_bytes").write_text(f"{LIMIT}\n")
    proc = tmp_path / "cgroup"
    proc.write_text("9:pids:/docker/abc\n4:memory:/docker/abc\n0::/\n")
    assert machine_memory_bytes(tmp_path, proc) == LIMIT


def test_no_limit_anywhere_is_the_machines_memory(tmp_path: Path) -> None:
    proc = tmp_path / "cgroup"
    proc.write_text("0::/user.slice\n")
    assert machine_memory_bytes(tmp_path, proc) > LIMIT
