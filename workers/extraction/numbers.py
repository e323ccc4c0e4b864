"""Number grammar: digits ('4,000', '100000', '1.2 million'), words ('twenty-three', 'a dozen'), vague
quantities ('dozens', 'tens of thousands') and hedges ('at least', 'more than', 'an estimated').

Ranges follow the annotation rules: dozens 24-99, hundreds 200-999, thousands and several thousand
2000-9999, tens of thousands 20000-99999, millions 2-9.99 million; 'at least/about/around/an estimated N'
is N..N inexact; 'more than/over N' is N+1..open.
"""

from __future__ import annotations

from dataclasses import dataclass

_UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen".split()
    )
}
_TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_VAGUE: dict[tuple[str, ...], tuple[int, int]] = {
    ("tens", "of", "thousands"): (20_000, 99_999),
    ("hundreds", "of", "thousands"): (200_000, 999_999),
    ("several", "thousand"): (2000, 9999),
    ("several", "hundred"): (200, 999),
    ("several", "dozen"): (24, 99),
    ("a", "few", "thousand"): (2000, 9999),
    ("a", "few", "hundred"): (200, 999),
    ("many", "thousands"): (2000, 9999),
    ("millions",): (2_000_000, 9_999_999),
    ("thousands",): (2000, 9999),
    ("hundreds",): (200, 999),
    ("dozens",): (24, 99),
    ("scores",): (40, 99),
}
# hedge -> kind: "approx" N..N inexact, "more" N+1..open, "less" ..N-1
_HEDGES: dict[tuple[str, ...], str] = {
    ("at", "least"): "approx",
    ("about",): "approx",
    ("around",): "approx",
    ("an", "estimated"): "approx",
    ("estimated",): "approx",
    ("approximately",): "approx",
    ("roughly",): "approx",
    ("some",): "approx",
    ("nearly",): "approx",
    ("almost",): "approx",
    ("up", "to"): "approx",
    ("as", "many", "as"): "approx",
    ("close", "to"): "approx",
    ("a", "reported"): "approx",
    ("perhaps",): "approx",
    ("possibly",): "approx",
    ("more", "than"): "more",
    ("over",): "more",
    ("upwards", "of"): "more",
    ("in", "excess", "of"): "more",
    ("fewer", "than"): "less",
    ("less", "than"): "less",
    ("under",): "less",
}


@dataclass(frozen=True)
class Number:
    """A quantity found at token positions [i, j)."""

    i: int
    j: int
    min: int | None
    max: int | None
    exact: bool
    hedge: str | None
    value: int


def _digits(word: str) -> float | None:
    w = word.replace(",", "")
    if not w.replace(".", "", 1).isdecimal() or len(w) > 15:
        return None  # float() would also read '1e5', '1_000', 'inf'; 16 digits and more are no head count
    return float(w)


def _word_number(words: list[str], i: int) -> tuple[int, int] | None:
    """Parse a written number at i: returns (value, tokens used)."""
    w = words[i]
    if "-" in w:
        a, _, b = w.partition("-")
        if a in _TENS and b in _UNITS and _UNITS[b] > 0:
            return _TENS[a] + _UNITS[b], 1
    if w in _UNITS and w != "zero":
        return _UNITS[w], 1
    if w in _TENS:
        if i + 1 < len(words) and words[i + 1] in _UNITS and 0 < _UNITS[words[i + 1]] < 10:
            return _TENS[w] + _UNITS[words[i + 1]], 2
        return _TENS[w], 1
    if w == "dozen":
        return 12, 1
    if w in ("a", "one") and i + 1 < len(words) and words[i + 1] == "dozen":
        return 12, 2
    if w == "half" and words[i + 1 : i + 3] == ["a", "dozen"]:
        return 6, 3
    return None


_HEDGE_BY_FIRST: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _hedge, _kind in _HEDGES.items():
    _HEDGE_BY_FIRST.setdefault(_hedge[0], []).append((_hedge, _kind))
_VAGUE_BY_FIRST: dict[str, list[tuple[tuple[str, ...], tuple[int, int]]]] = {}
for _vague, _range in _VAGUE.items():
    _VAGUE_BY_FIRST.setdefault(_vague[0], []).append((_vague, _range))
#: Words a value can start with (besides digits and hyphenated tens): vague quantities and written numbers.
_VALUE_FIRST = frozenset({v[0] for v in _VAGUE} | set(_UNITS) | set(_TENS) | {"dozen", "a", "one", "half"})
_FIRST = frozenset({h[0] for h in _HEDGES} | _VALUE_FIRST)


def number_at(words: list[str], i: int) -> Number | None:
    """Parse a quantity starting exactly at token i (hedge included)."""
    first = words[i]
    if first not in _FIRST and not first[:1].isdigit() and "-" not in first:
        return None
    n = len(words)
    hedge_kind: str | None = None
    hedge: str | None = None
    k = i
    for h, kind in _HEDGE_BY_FIRST.get(first, ()):
        if tuple(words[i : i + len(h)]) == h and i + len(h) < n:
            hedge_kind, hedge, k = kind, " ".join(h), i + len(h)
            break
    if k == i and first not in _VALUE_FIRST and not first[:1].isdigit() and "-" not in first:
        return None  # a hedge word ("at", "over", "some") that starts no hedge here
    for vague, (lo, hi) in _VAGUE_BY_FIRST.get(words[k], ()) if k < n else ():
        if tuple(words[k : k + len(vague)]) == vague:
            return Number(i, k + len(vague), lo, hi, False, hedge or " ".join(vague), lo)
    value: float | None = None
    used = 0
    if k < n:
        d = _digits(words[k])
        if d is not None:
            value, used = d, 1
        else:
            parsed = _word_number(words, k)
            if parsed:
                value, used = float(parsed[0]), parsed[1]
    if value is None:
        return None
    if k + used < n and words[k + used] in _SCALES:
        value *= _SCALES[words[k + used]]
        used += 1
    value = round(value, 3)
    if value != int(value) or value <= 0:
        return None
    v = int(value)
    j = k + used
    if hedge_kind == "more":
        return Number(i, j, v + 1, None, False, hedge, v)
    if hedge_kind == "less":
        return Number(i, j, 1, max(v - 1, 1), False, hedge, v)
    return Number(i, j, v, v, hedge_kind is None, hedge, v)


def find_numbers(words: list[str]) -> list[Number]:
    """All non-overlapping quantities in a token list, left to right.

    Only positions where a quantity can start are tried; `i` is the next position not inside a quantity."""
    out: list[Number] = []
    i = 0
    starts = [
        k for k, w in enumerate(words) if w in _FIRST or w[:1].isdigit() or ("-" in w and w.partition("-")[0] in _TENS)
    ]
    for k in starts:
        if k < i:
            continue
        num = number_at(words, k)
        if num:
            out.append(num)
            i = num.j
    return out
