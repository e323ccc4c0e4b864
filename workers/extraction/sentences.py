"""Sentence spans and word tokens.

Sentences end at `.`, `!` or `?` followed by space and an upper-case letter, digit or quote, or at a line
break that does not merely wrap a sentence (see `_wrapped`). Texts whose punctuation was stripped become long "sentences"; the rules downstream work on clauses
and token windows, so they still cope.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import accumulate, repeat
from typing import NamedTuple

_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*|\.{3}\s*")
_MARKS = re.compile(r"[.!?\n]")  # where a _BOUNDARY match can start: at a mark or just after one
# ASCII word characters are listed beside \w (which already contains them) so that sre tests them with a bitmap
# before its slower Unicode category check: same tokens, a faster tokeniser.
_TOKEN = re.compile(
    r"\d{1,2}(?:,\d\d)+,\d{3}(?!\d)|\d{1,3}(?:,\d{3})+(?:\.\d+)?|[0-9A-Za-z_\w][0-9A-Za-z_\w'.-]*|[,;:()\"]"
)
# The same tokens, kept by split() between the gaps. Written to open with one character class (the first
# character of any token), which the regex engine tests before trying the rest; the lookbehinds then choose
# what the first character began: a figure with thousands ('1,200'), a word, or a mark. 8 % fewer instructions.
# A number keeps its thousands separators, Western ('270,000') or South Asian ('2,70,000', a lakh grouping).
_PIECES = re.compile(
    r"([0-9A-Za-z_\w,;:()\"](?:(?<=\d)(?:\d?(?:,\d\d)+,\d{3}(?!\d)|\d{0,2}(?:,\d{3})+(?:\.\d+)?)"
    r"|(?<=\w)[0-9A-Za-z_\w'.-]*|))"
)
_ABBREV = frozenset(
    "mr mrs ms dr gen lt col sgt st u.s u.n jan feb aug sept oct nov dec no capt maj rep sen gov brig u.k e.g i.e".split()
)
MAX_SENTENCE = 1200


class Token(NamedTuple):
    text: str
    low: str
    start: int
    end: int

    @property
    def cap(self) -> bool:
        return self.text[:1].isupper()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return (start, end) spans covering the non-blank sentences of `text`."""
    spans: list[tuple[int, int]] = []
    start = 0
    hard = _hard_wrapped(text) if "\n" in text else 0
    for match in _boundaries(text):
        end = match.start()
        if text[end] == "\n" and _wrapped(text, end, match.end(), hard):
            continue
        word = text[max(start, end - 6) : end].rsplit(" ", 1)[-1].rstrip(".").lower()
        if word in _ABBREV or (len(word) == 1 and word.isalpha()):
            continue
        _add(spans, text, start, end)
        start = match.end()
    _add(spans, text, start, len(text))
    return spans


#: Words a line cannot end a sentence on: a line that ends on one was wrapped ('seized by\nRussian forces').
_OPEN_ENDS = frozenset("the a an of by to in at on from with for and or but as into over than that its their".split())


def _hard_wrapped(text: str) -> int:
    """The column a text is broken at (scanned books, old wire copy, mail), or 0: at least four lines, at least half
    of them ending without a closing mark, a quarter of those plainly inside a sentence (ending on a comma or a word
    no sentence ends with), and a median line of 30 to 110 characters. Headline lists and tables are not so."""
    lines = [line.rstrip() for line in text.split("\n")[:-1]]
    lines = [line for line in lines if line]
    if len(lines) < 4:
        return 0
    open_lines = [line for line in lines if line[-1] not in _CLOSING]
    inside = sum(1 for line in open_lines if line[-1] == "," or line.rsplit(" ", 1)[-1].lower() in _OPEN_ENDS)
    if len(open_lines) * 2 < len(lines) or inside * 4 < len(open_lines):
        return 0
    middle = sorted(len(line) for line in lines)[len(lines) // 2]
    return middle if 30 <= middle <= 110 else 0


_CLOSING = frozenset(".!?:;\"'\u201d)]")
#: Marks that open a list item: a break before one is kept.
_BULLETS = frozenset("-*\u2022")


def _wrapped(text: str, at: int, after: int, hard: int = 0) -> bool:
    """Whether the line break at `at` only wraps a sentence (wire and book copy broken at a column): one break,
    the line ends without a closing mark, and the next begins in lower case, the line ends on a comma or on a
    word no sentence ends with, or the whole text is broken at column `hard` and this line is near that long
    (a short line is a heading or a paragraph's end) and the next is no list item."""
    if text.count("\n", at, after) != 1 or after >= len(text) or at == 0:
        return False
    if text[at - 1] == "\r" and at > 1:
        at -= 1  # a Windows line end
    last = text[at - 1]
    if last in _CLOSING or last.isspace():
        return False
    if text[after].islower() or last == ",":
        return True
    if hard and at - (text.rfind("\n", 0, at) + 1) >= 0.6 * hard and text[after] not in _BULLETS:
        return True
    word = text[max(0, at - 6) : at].rsplit(" ", 1)[-1].lower()
    return word in _OPEN_ENDS


def _boundaries(text: str) -> Iterator[re.Match[str]]:
    """The matches of `_BOUNDARY.finditer(text)`, found faster.

    A boundary can only start just after '.', '!' or '?' or at a line break or a dot, so instead of trying the
    pattern at every character, try it (left to right, never inside the previous match) only at those places.
    """
    pos = 0
    for mark in _MARKS.finditer(text):
        at = mark.start()
        for candidate in (at, at + 1):
            if candidate >= pos and (match := _BOUNDARY.match(text, candidate)):
                pos = match.end()
                yield match
                break


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while end - start > MAX_SENTENCE:
        cut = text.rfind(" ", start, start + MAX_SENTENCE)
        cut = cut if cut > start else start + MAX_SENTENCE
        _add(spans, text, start, cut)
        start = cut
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        lead = len(chunk) - len(chunk.lstrip())
        spans.append((start + lead, start + lead + len(stripped)))


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Word tokens with absolute offsets; trailing dots and hyphens are dropped except in 'U.S.'-style words."""
    return tokenize_words(text, offset)[0]


def tokenize_words(text: str, offset: int = 0) -> tuple[list[Token], list[str]]:
    """`tokenize`'s tokens, and their lower-case forms as a list (what a sentence view keeps beside them).

    Tokenising is a large share of extraction time, so the per-word work is done by one regex split and
    C-level maps; Python looks only at the few words that end in '.' or '-' (or, where the sentence has an
    apostrophe, in "'" or 's'). Word ends come from the same running sum as the starts."""
    pieces = _PIECES.split(text)  # gap, word, gap, word, ..., gap
    words = pieces[1::2]
    bounds = list(accumulate(map(len, pieces), initial=offset))  # where each piece starts, and the text's end
    starts = bounds[1:-1:2]
    ends = bounds[2:-1:2]  # where each word ends as split; a word shortened below ends earlier
    lone_s: list[int] = []
    # a word ending in "s" needs a look only if an apostrophe may be part of it or stand before it
    marks = ".-'s" if "'" in text else ".-"
    for k in [k for k, w in enumerate(words) if w[-1] in marks]:
        word = words[k]
        if word[-1] != "s":
            if not (len(word) > 2 and word[-3] == "."):
                word = word.rstrip(".-'")
                words[k] = word[:-2] if word[-2:] == "'s" and len(word) > 2 else word  # "Assad's."
                ends[k] = starts[k] + len(words[k])
        elif word[-2:] == "'s" and len(word) > 2:
            words[k] = word[:-2]
            ends[k] -= 2
        elif word == "s" and starts[k] > offset and text[starts[k] - offset - 1] == "'":
            lone_s.append(k)  # "Guinea-Bissau 's" after artefact repair
    lows = list(map(str.lower, words))
    if "re-" in text or "Re-" in text:  # "re-captured", "re-took": the verb the cue lists spell without a hyphen
        lows = [("re" + w[3:] if w.startswith("re-") and w[3:].isalpha() else w) for w in lows]
    tokens = list(map(tuple.__new__, repeat(Token), zip(words, lows, starts, ends, strict=True)))
    for k in reversed(lone_s):
        del tokens[k]
        del lows[k]
    return tokens, lows


def headline(tokens: list[Token], i: int, j: int) -> bool:
    """Title Case ('Nine Die as Rebels Shell Border Post'): the words at [i, j) are capitalised mid-sentence and so
    are most words around them. Sentences full of names but with lower-case verbs are not headlines."""
    key = [t for k, t in enumerate(tokens[i:j], i) if k > 0 and t.low.isalpha() and len(t.low) > 2]
    if not key or not any(t.cap for t in key):
        return False
    window = [t for t in tokens[max(0, i - 4) : j + 6] if t.low.isalpha() and len(t.low) > 3]
    return len(window) >= 3 and sum(t.cap for t in window) >= 0.6 * len(window)
