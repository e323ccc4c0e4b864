"""Number grammar: digits ('4,000', '100000', '1.2 million'), words ('twenty-three', 'a dozen'), vague
quantities ('dozens', 'tens of thousands'), ranges ('between 100 and 300', '10 to 15') and hedges ('at least',
'more than', 'an estimated', 'fewer than'). Runs of number words ('one hundred and twenty-five') are valued by
`text2num`; which words form a quantity is decided here.

Ranges follow the annotation rules: dozens 24-99, hundreds 200-999, thousands and several thousand
2000-9999, tens of thousands 20000-99999, millions 2-9.99 million; 'at least/about/around/an estimated N'
is N..N inexact; 'more than/over N' is N+1..open; 'fewer than N' is open..N-1. A negated hedge turns its sense:
'no fewer than/not less than N' is 'at least N' (N..N inexact), 'no more than/not more than N' is open..N.
"""

from __future__ import annotations

from dataclasses import dataclass

from text_to_num import text2num

_UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen".split()
    )
}
_TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
#: Scale words; lakh and crore (100,000 and 10,000,000) are how South Asian English writes large figures.
_SCALES = {
    "hundred": 100,
    "thousand": 1000,
    "lakh": 100_000,
    "million": 1_000_000,
    "crore": 10_000_000,
    "billion": 1_000_000_000,
}
#: Every word that spells a number or its scale ('six', 'forty', 'thousands'), for rules that only ask whether one does.
NUMBER_WORDS = frozenset(_UNITS) | frozenset(_TENS) | frozenset(_SCALES) | frozenset(w + "s" for w in _SCALES)
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
# hedge -> kind: "approx" N..N inexact, "more" N+1..open, "less" ..N-1, "most" ..N
_HEDGES: dict[tuple[str, ...], str] = {
    # negated hedges first: 'no fewer than N' is at least N, never 'fewer than N'
    ("no", "fewer", "than"): "approx",
    ("no", "less", "than"): "approx",
    ("not", "fewer", "than"): "approx",
    ("not", "less", "than"): "approx",
    ("no", "more", "than"): "most",
    ("not", "more", "than"): "most",
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
    ("exceeds",): "more",
    ("exceeded",): "more",
    ("surpassed",): "more",
    ("topped",): "more",
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


_FRACTIONS = {"half": 2, "quarter": 4}


def _number_word(w: str) -> bool:
    """A word inside a run of written numbers: 'two', 'twenty-three', 'hundred'."""
    if w in _UNITS or w in _TENS or w in _SCALES:
        return True
    a, _, b = w.partition("-")
    return a in _TENS and b in _UNITS


def _word_number(words: list[str], i: int) -> tuple[int, int] | None:
    """Parse a written number at i: returns (value, tokens used). 'a dozen', 'half a million' and 'a quarter of
    a million' are read here; a run of number words ('two thousand five hundred') is valued by text2num."""
    n = len(words)
    w = words[i]
    if w == "dozen":
        return 12, 1
    if w in ("a", "one") and i + 1 < n and words[i + 1] == "dozen":
        return 12, 2
    if w == "half" and words[i + 1 : i + 3] == ["a", "dozen"]:
        return 6, 3
    if w == "a" and i + 1 < n and words[i + 1] in _SCALES:  # "a million people"; a bare "a" is no number
        run = _word_number(["one", *words[i + 1 :]], 0)  # "a hundred and fifty": the run goes on as after "one"
        return run if run is not None else (_SCALES[words[i + 1]], 2)
    k = i + 1 if w == "a" else i
    if k < n and words[k] in _FRACTIONS:  # "half a million", "a quarter of a million"
        m = k + 2 if words[k + 1 : k + 2] == ["of"] else k + 1
        if words[m : m + 1] == ["a"] and m + 1 < n and words[m + 1] in _SCALES:
            return _SCALES[words[m + 1]] // _FRACTIONS[words[k]], m + 2 - i
        return None
    if not _number_word(w) or w in _SCALES or w == "zero":
        return None
    j = i + 1
    while j < n:
        if _number_word(words[j]) and words[j] != "zero":
            j += 1
        elif words[j] == "and" and j + 1 < n and words[j - 1] in _SCALES and _number_word(words[j + 1]):
            j += 2  # "one hundred and twenty"
        else:
            break
    while j > i + 1:
        try:
            return int(text2num(" ".join(words[i:j]), "en")), j - i
        except ValueError:  # "two three" or "twenty five hundred": keep the longest prefix that is a number
            j -= 1
    return (_UNITS[w] if w in _UNITS else _word_number_single(w)), 1


def _word_number_single(w: str) -> int:
    """The value of one number word that is not a scale: 'seven', 'forty', 'forty-two'."""
    a, _, b = w.partition("-")
    return _TENS[a] + (_UNITS[b] if b else 0) if a in _TENS else _UNITS[w]


_HEDGE_BY_FIRST: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _hedge, _kind in _HEDGES.items():
    _HEDGE_BY_FIRST.setdefault(_hedge[0], []).append((_hedge, _kind))
_VAGUE_BY_FIRST: dict[str, list[tuple[tuple[str, ...], tuple[int, int]]]] = {}
for _vague, _range in _VAGUE.items():
    _VAGUE_BY_FIRST.setdefault(_vague[0], []).append((_vague, _range))
#: Words a value can start with (besides digits and hyphenated tens): vague quantities and written numbers.
_VALUE_FIRST = frozenset({v[0] for v in _VAGUE} | set(_UNITS) | set(_TENS) | {"dozen", "a", "one", "half", "quarter"})
_FIRST = frozenset({h[0] for h in _HEDGES} | _VALUE_FIRST | {"between"})


def _year(word: str) -> bool:
    """A year written in digits: '2019' (not '2,019')."""
    return len(word) == 4 and word.isdigit() and 1900 <= int(word) <= 2100


def number_at(words: list[str], i: int) -> Number | None:
    """Parse a quantity starting exactly at token i (hedge included)."""
    first = words[i]
    if first == "between":  # "between 40 and several hundred"
        low = number_at(words, i + 1) if i + 1 < len(words) else None
        if low is None or low.j + 1 >= len(words) or words[low.j] != "and":
            return None
        high = number_at(words, low.j + 1)
        if _year(words[low.i]) and high is not None and _year(words[high.i]):
            return None  # "between 2019 and 2023" is a span of time
        if high is None or high.max is None or low.min is None or high.max < low.min:
            return None
        floor = _scaled_low(words, low, high)
        return Number(i, high.j, floor, high.max, False, "between", floor)
    single = _single(words, i, first)
    n = len(words)
    if single is not None and single.j < n and "," in words[single.j] and "," in words[single.j - 1]:
        # "2,000-3,000 civilians": the tokenizer keeps no dash between two comma-grouped figures
        span = _dash_range(words[single.j - 1], words[single.j], words[single.j + 1] if single.j + 1 < n else "")
        if span is not None and single.max == span[0] and single.min == span[0] and words[i - 1 : i] != ["aged"]:
            return Number(i, single.j + 1, span[0], span[1], False, single.hedge or "-", span[0])
    if single is None or (single.hedge is not None and single.hedge not in _APPROXIMATE):
        return single
    # "10 to 15 people", "300-400 people": a range of two plain figures
    if single.j + 1 < n and words[single.j] == "to" and (i == 0 or words[i - 1] not in ("from", "to")):
        high = _single(words, single.j + 1, words[single.j + 1])
        if high is not None and high.hedge is None and high.exact and high.value > single.value:
            if _year(words[i]) and _year(words[high.i]):
                return None  # "2015 to 2016"
            floor = _scaled_low(words, single, high)
            return Number(i, high.j, floor, high.value, False, single.hedge or "to", floor)
    return single


#: Hedges that may open a range ('some 3 to 4 million', 'about 10 to 15'): the range is the hedged figure.
_APPROXIMATE = frozenset("some about around approximately roughly".split())


def _scaled_low(words: list[str], low: Number, high: Number) -> int:
    """The low end of a range whose scale is written once, after the high end: '5 to 6 million' is 5,000,000 to
    6,000,000 ('between 2 and 3 million' too); '500 to 2 million' keeps its 500."""
    value = low.min if low.min is not None else low.value
    scale = _SCALES.get(words[high.j - 1]) if high.j - 1 > high.i else None
    if scale is None or words[low.j - 1] in _SCALES or value * scale > (high.max or high.value):
        return value
    return int(value * scale)


def _single(words: list[str], i: int, first: str) -> Number | None:
    """One quantity starting at token i: a hedge, then a vague quantity, digits or written number."""
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
        if d is None and "-" in words[k]:  # "1.7-million": a figure joined to its scale
            head, _, scale = words[k].partition("-")
            span = _dash_range(head, scale, words[k + 1] if k + 1 < n else "")
            if span is not None and not (k > 0 and words[k - 1] in _AGE_WORDS):  # "300-500 civilians"; not "aged 5-12"
                return Number(i, k + 1, span[0], span[1], False, hedge or "-", span[0])
            after = words[k + 1] if k + 1 < n else ""
            low_d, high_d = _digits(head), _digits(scale)
            if after in _SCALES and low_d is not None and high_d is not None and 0 < low_d < high_d:
                # "1.5-2 million": both ends of the range take the scale written after it
                a, b = round(low_d * _SCALES[after]), round(high_d * _SCALES[after])
                return Number(i, k + 2, a, b, False, hedge or "-", a)
            d = _digits(head) if scale in _SCALES else None
            d = d * _SCALES[scale] if d is not None else None
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
        return Number(i, j, None, max(v - 1, 1), False, hedge, v)
    if hedge_kind == "most":
        return Number(i, j, None, v, False, hedge, v)
    return Number(i, j, v, v, hedge_kind is None, hedge, v)


_AGE_WORDS = frozenset("aged ages age".split())


def _dash_range(low: str, high: str, after: str) -> tuple[int, int] | None:
    """'300-500' (or '2,000-3,000', the dash lost between two tokens): a range when both ends are whole figures
    and the second is the larger, not two years ('1914-1918') and not a figure before its scale ('1.5-2 million')."""
    a, b = _digits(low), _digits(high)
    if a is None or b is None or a != int(a) or b != int(b) or not 0 < a < b or after in _SCALES:
        return None
    if _year(low) and (_year(high) or len(high) == 2):
        return None  # "1914-1918", "1992-95"
    return int(a), int(b)


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
