"""Time expressions resolved against the publication date.

'on Saturday' is the latest Saturday on or before publication; 'yesterday', 'last week', 'earlier this
month', 'last year', 'in 2014', 'since 2014', 'October 5', 'in December', '5 October 2016'. Without a
publication date only absolute dates resolve.
"""

from __future__ import annotations

from datetime import date, timedelta

from schemas.events import EventTime

from .sentences import Token

WEEKDAYS = {d: i for i, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())}
MONTHS = {
    m: i + 1
    for i, m in enumerate(
        "january february march april may june july august september october november december".split()
    )
}
MONTHS.update({m[:3]: v for m, v in list(MONTHS.items())})
MONTHS["sept"] = 9
HISTORICAL_DAYS = 90


def is_year(word: str) -> bool:
    """A year a report of any war may name, written in digits ('1631', '1948', '2024')."""
    return len(word) == 4 and word.isdigit() and 1000 <= int(word) <= 2100


def _year(word: str) -> int | None:
    if len(word) == 4 and word.isdecimal() and 1900 <= int(word) <= 2100:
        return int(word)
    return None


def _day(word: str) -> int | None:
    w = word.rstrip("stndrh") if word[:1].isdigit() else word
    if w.isdecimal() and len(w) <= 2 and 1 <= int(w) <= 31:
        return int(w)
    return None


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _month_back(pub: date | None, month: int, year: int | None) -> int | None:
    if year:
        return year
    if pub is None:
        return None
    return pub.year if month <= pub.month else pub.year - 1


_RELATIVE: dict[tuple[str, str], tuple[str, int]] = {  # (first two words) -> (precision, offset)
    ("last", "week"): ("week", -7),
    ("this", "week"): ("week", 0),
    ("last", "month"): ("month", -1),
    ("this", "month"): ("month", 0),
    ("last", "year"): ("year", -1),
    ("this", "year"): ("year", 0),
    ("earlier", "this"): ("month", 0),
}
_FIRST = frozenset(set(WEEKDAYS) | set(MONTHS) | {"yesterday", "today", "tonight", "last", "this", "earlier"})


def parse_at(tokens: list[Token], i: int, pub: date | None) -> tuple[EventTime, int] | None:
    """A time expression starting at token i: (time, tokens used)."""
    first = tokens[i].low
    if first not in _FIRST and not first[:1].isdigit():
        return None
    w = [t.low for t in tokens[i : i + 4]] + ["", "", "", ""]

    def text(k: int) -> str:
        return " ".join(t.text for t in tokens[i : i + k])

    if w[0] in WEEKDAYS:
        if pub is None:
            return EventTime(date=None, precision="day", text=text(1)), 1
        back = (pub.weekday() - WEEKDAYS[w[0]]) % 7
        return EventTime(date=pub - timedelta(days=back), precision="day", text=text(1)), 1
    if w[0] in ("yesterday", "today", "tonight"):
        d = pub - timedelta(days=1 if w[0] == "yesterday" else 0) if pub else None
        return EventTime(date=d, precision="day", text=text(1)), 1
    if (w[0], w[1]) in _RELATIVE:
        prec, delta = _RELATIVE[(w[0], w[1])]
        used = 3 if w[0] == "earlier" and w[2] in ("month", "week", "year") else 2
        if w[0] == "earlier":
            prec = w[2] if used == 3 else "month"
        if pub is None:
            return EventTime(date=None, precision=prec, text=text(used)), used
        if prec == "week":
            d = pub + timedelta(days=delta)
        elif prec == "month":
            m = pub.month - 1 + delta
            d = date(pub.year + m // 12, m % 12 + 1, 1)
        else:
            d = date(pub.year + delta, 1, 1)
        return EventTime(date=d, precision=prec, text=text(used)), used
    if w[0] in MONTHS and tokens[i].cap and (w[0] != "may" or _day(w[1]) or _year(w[1]) or _time_prep(tokens, i)):
        month = MONTHS[w[0]]
        day, year, used = _day(w[1]), None, 1
        if day:
            used = 2
            year = _year(w[2])
            used += 1 if year else 0
        else:
            year = _year(w[1])
            used += 1 if year else 0
        y = _month_back(pub, month, year)
        if y is None:
            return EventTime(date=None, precision="day" if day else "month", text=text(used)), used
        d = _safe(y, month, day or 1)
        return EventTime(date=d, precision="day" if day and d else "month", text=text(used)), used
    if _day(w[0]) and w[1] in MONTHS and tokens[i].low.isdigit() and tokens[i + 1].cap:
        month, day = MONTHS[w[1]], _day(w[0]) or 1
        year = _year(w[2])
        y = _month_back(pub, month, year)
        used = 3 if year else 2
        d = _safe(y, month, day) if y else None
        return EventTime(date=d, precision="day", text=text(used)), used
    y = _year(w[0])
    if y and i > 0 and tokens[i - 1].low in ("in", "since", "of", "late", "early", "mid", "until", "during", "summer"):
        return EventTime(date=date(y, 1, 1), precision="year", text=text(1)), 1
    return None


def _time_prep(tokens: list[Token], i: int) -> bool:
    """'since May', 'in May': a preposition of time makes a bare 'May' the month."""
    return i > 0 and tokens[i - 1].low in ("since", "in", "until", "by", "early", "late", "mid", "during", "from")


def all_times(tokens: list[Token], pub: date | None, words: list[str] | None = None) -> list[tuple[int, EventTime]]:
    """Every time expression in a sentence with its token index (`words`: the tokens' lower-case forms, if the
    caller has them).

    Only positions where `parse_at` can start (a date word or a number) are tried; `i` is the next position
    not inside an expression."""
    out: list[tuple[int, EventTime]] = []
    i = 0
    lows = [t.low for t in tokens] if words is None else words
    for k in [k for k, w in enumerate(lows) if w in _FIRST or w[:1].isdigit()]:
        if k < i:
            continue
        try:
            got = parse_at(tokens, k, pub)
        except (OverflowError, ValueError):  # 'yesterday' a day before date.min, 'last year' in year 1
            got = None
        if got:
            out.append((k, got[0]))
            i = k + got[1]
    return out


def find_time(
    tokens: list[Token], anchor: int, pub: date | None, found: list[tuple[int, EventTime]] | None = None
) -> EventTime:
    """The time expression nearest to token `anchor` in the sentence (the earlier one on ties)."""
    times = all_times(tokens, pub) if found is None else found
    if not times:
        return EventTime(date=None, precision="day", text=None)
    return min(times, key=lambda it: abs(it[0] - anchor))[1]


def is_historical(t: EventTime, pub: date | None) -> bool:
    if pub is None or t.date is None:
        return False
    if t.precision == "year":
        return t.date.year < pub.year
    end = t.date
    if t.precision == "month":  # a month counts from its last day
        end = date(t.date.year + t.date.month // 12, t.date.month % 12 + 1, 1) - timedelta(days=1)
    return (pub - end).days > HISTORICAL_DAYS
