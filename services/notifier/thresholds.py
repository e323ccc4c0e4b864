"""Default civilian-count levels per category: crossing one, up or down, is worth an alert."""

from __future__ import annotations

from bisect import bisect_right

DEFAULT_LEVELS: dict[str, tuple[int, ...]] = {
    "trapped": (100, 1_000, 10_000, 100_000),
    "besieged": (1_000, 10_000, 100_000),
    "displaced": (1_000, 10_000, 100_000, 1_000_000),
    "fled": (1_000, 10_000, 100_000, 1_000_000),
    "evacuated": (100, 1_000, 10_000),
    "released": (10, 100, 1_000),
    "killed": (1, 10, 50, 100, 500),
    "wounded": (10, 50, 100, 500),
    "other": (10, 100, 1_000),
}


def level_index(levels: tuple[int, ...], value: int | None) -> int:
    """How many levels `value` has reached (0 when below the first, or unknown)."""
    if value is None:
        return 0
    return bisect_right(levels, value)
