"""MinHash signatures of report texts over word 3-shingles, and the LSH band keys that find near-duplicates.

One-permutation hashing: each shingle is hashed once and falls into one of `SLOTS` slots by its top
bits; a slot keeps its smallest value. That costs one hash per shingle instead of one per shingle
and permutation, so the pure-Python signature is as fast as a numpy MinHash with 64 permutations
(measured in docs/dedup.md), without the dependency.

Every hash here is CRC-32 or plain integer arithmetic: the same text gives the same signature in
every process and on every host (Python's `hash()` is salted per process and would not).
"""

from __future__ import annotations

import re
import struct
import zlib

SLOTS = 64
"""Values in a signature."""

BANDS = 16
"""LSH bands; a pair of reports becomes a candidate when all values of one band agree."""

ROWS = SLOTS // BANDS

_MASK = (1 << 64) - 1
_VALUE_BITS = 58  # the top 6 bits pick the slot, the low 58 are the value
_LOW = (1 << _VALUE_BITS) - 1
_M1, _M2, _M3 = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9
_EMPTY = _LOW + 1
_WORD = re.compile(rb"\w+")  # the runs between non-word characters, as a split on \W+ gives
_PACK = struct.Struct(f">{SLOTS}I")
_BAND_MULTIPLIERS = (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 0xD6E8FEB86659FD93)
_HEX = 8  # each value is kept as 32 bits (8 hex digits) in Redis: enough to compare signatures


_PRODUCTS: dict[bytes, tuple[int, int, int]] = {}
"""Per word: its CRC-32 times each shingle multiplier, to 64 bits. Most words of a report are common ones, and
the big-integer products were most of a signature's cost."""
_PRODUCTS_MAX = 1 << 15  # words kept; emptied when full
_CACHED_WORD_MAX = 32  # bytes: longer runs (hashes, base64) rarely recur, so 32,768 words stay under about 8 MB


def _products(word: bytes) -> tuple[int, int, int]:
    crc = zlib.crc32(word)
    value = ((crc * _M1) & _MASK, (crc * _M2) & _MASK, (crc * _M3) & _MASK)
    if len(word) <= _CACHED_WORD_MAX:
        if len(_PRODUCTS) >= _PRODUCTS_MAX:
            _PRODUCTS.clear()
        _PRODUCTS[word] = value
    return value


def _words(text: str) -> list[tuple[int, int, int]]:
    known = _PRODUCTS.get
    return [known(word) or _products(word) for word in _WORD.findall(text.lower().encode())]


def signature(text: str) -> list[int]:
    """The text's MinHash signature: `SLOTS` integers, equal in proportion to the shingles two texts share.

    A shingle of words a, b, c hashes to (a*M1 ^ b*M2 ^ c*M3) masked to 64 bits: the XOR of the words' masked
    products."""
    words = _words(text)
    if len(words) < 3:
        words = words + [(0, 0, 0)] * (3 - len(words))
    mins = [_EMPTY] * SLOTS
    for value in {a[0] ^ b[1] ^ c[2] for a, b, c in zip(words, words[1:], words[2:], strict=False)}:
        slot = value >> _VALUE_BITS
        low = value & _LOW
        if low < mins[slot]:
            mins[slot] = low
    if _EMPTY not in mins:
        return mins
    # Densify: an empty slot (short texts) borrows from the next filled one, shifted by the distance,
    # so two texts agree on it exactly when they agree on the slot it borrowed from.
    for slot in range(SLOTS):
        if mins[slot] == _EMPTY:
            for distance in range(1, SLOTS):
                donor = mins[(slot + distance) % SLOTS]
                if donor != _EMPTY:
                    mins[slot] = (donor + distance * _M1) & _LOW
                    break
    return mins


def to_hex(values: list[int]) -> str:
    """The signature as Redis keeps it: `SLOTS` fixed-width 8-digit hex values (what the Lua script compares)."""
    return _PACK.pack(*[value & 0xFFFFFFFF for value in values]).hex()


def band_keys(values: list[int]) -> list[str]:
    """One `band:hash` name per band: a field of the bucket hash `sitrep:lsh:{bucket}` (workers/dedup/merge.lua)
    holds the first report seen with it.

    A band's hash mixes its values with fixed odd multipliers (64 bits): a pure function of the values.
    """
    m0, m1, m2, m3 = _BAND_MULTIPLIERS
    keys = []
    for band in range(BANDS):  # ROWS == 4, unrolled: this runs for every report
        a, b, c, d = values[band * ROWS : (band + 1) * ROWS]
        mixed = (a * m0) & _MASK
        mixed = ((mixed ^ b) * m1) & _MASK
        mixed = ((mixed ^ c) * m2) & _MASK
        mixed = ((mixed ^ d) * m3) & _MASK
        keys.append(f"{band}:{mixed:016x}")
    return keys


def similarity(first: str, second: str) -> float:
    """Estimated Jaccard similarity of two hex signatures: the share of slots that agree."""
    slots = len(first) // _HEX
    same = sum(first[i * _HEX : (i + 1) * _HEX] == second[i * _HEX : (i + 1) * _HEX] for i in range(slots))
    return same / slots if slots else 0.0
