"""Clean report text for analysis while keeping a map back to offsets in the original.

Corpus artefacts (`#39;`, `quot;`, `&amp;`, literal backslashes), HTML tags, citation marks (`[12]`) and control
characters are replaced. Length-preserving replacements keep offsets; the few shortening ones record an anchor so
`to_original` can map a cleaned offset back to the report text.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

# Every alternative is a bounded literal or a bounded character class: no backtracking blow-up.
_SHORTENING = re.compile(
    r"&#?[A-Za-z0-9]{1,8};|#39;|quot;|amp;|<[^<>]{0,400}>|\[(?:\d{1,3}|[a-z]|citation needed|note \d{1,3})\]"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\\\u200b-\u200f\u2028\u2029\ufeff]")
#: Typographic marks and their plain forms (replacements of one character: offsets are kept).
_QUOTE_PAIRS = (
    ("\u2019", "'"),
    ("\u2018", "'"),
    ("\u201c", '"'),
    ("\u201d", '"'),
    ("\u2013", "-"),
    ("\u2014", "-"),
    ("\u00a0", " "),
    ("\u202f", " "),
    ("\u2009", " "),
    ("`", "'"),
)


@dataclass
class CleanText:
    """Cleaned text plus anchors (clean_offset, original_offset) where the two diverge."""

    text: str
    original: str
    anchors_clean: list[int] = field(default_factory=list)
    anchors_orig: list[int] = field(default_factory=list)

    def to_original(self, pos: int) -> int:
        i = bisect.bisect_right(self.anchors_clean, pos) - 1
        if i < 0:
            return min(pos, len(self.original))
        return min(self.anchors_orig[i] + (pos - self.anchors_clean[i]), len(self.original))


def _replacement(token: str) -> str:
    if token.startswith(("<", "[")):
        return " "  # a tag, or an encyclopedia's citation mark ('region.[9] Until ...'), which hides a sentence end
    if token in ("#39;",):
        return "'"
    if token == "quot;":
        return '"'
    if token == "amp;":
        return "&"
    out = html.unescape(token)
    return out if out != token and len(out) <= len(token) else " "


#: Digit groups separated by spaces ('10 000', '1 500 000'), as many outlets and the UN write them. Written to
#: open with a digit, so the engine skips to digits instead of trying the lookbehind at every character.
_SPACED_THOUSANDS = re.compile(r"\d(?<![\d,.]\d)\d{0,2}(?: \d{3})+(?![\d,])")
_MONTH_BEFORE = re.compile(r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? $", re.IGNORECASE)
#: A month with its day before it ('12 March '): a number after it is no day ('On 12 March 2 000 people fled').
_DAY_MONTH_BEFORE = re.compile(
    r"(?<!\d)\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? $", re.IGNORECASE
)


def _joined_thousands(match: re.Match[str]) -> str:
    """'10 000' -> '10,000' (same length); not a day right after its month ('May 29 100 people')."""
    start = match.start()
    if _MONTH_BEFORE.search(match.string, max(0, start - 11), start) and not _DAY_MONTH_BEFORE.search(
        match.string, max(0, start - 14), start
    ):
        return match.group()
    return match.group().replace(" ", ",")


#: Scare quotes around one or two lower-case words ('the Communist "capital" of X', 'the UN "safe area" of Y'): the
#: words are read as if unquoted (the marks become spaces, so offsets are kept).
_SCARE_QUOTES = re.compile(r'"([a-z]+(?: [a-z]+)?)"')


#: A name of one to three capitalised words in quotes where a list or a place phrase puts a name ('the villages of
#: "Talish" and "Madagiz"', 'in "Kobani"'): read as the name (marks become spaces, offsets kept); quoted speech has
#: words in lower case and stays quoted.
_QUOTED_NAMES = re.compile(
    r'(?:(?<=\bof )|(?<=\bin )|(?<=\bor )|(?<=\band )|(?<=, ))"([A-Z][\w\'-]*(?: [A-Z][\w\'-]*){0,2})"(?=[\s,.;:)]|$)'
)
#: What a list's later name follows: an earlier name, quoted or not ('"Talish" and "Madagiz"'); after a quotation in
#: lower case ('"We will fight" and "Never"') the quoted word is speech.
_NAME_BEFORE_LIST = re.compile(r'[A-Z][\w\'-]*"?,? (?:and |or )?$')


def _unquoted_name(match: re.Match[str]) -> str:
    start = match.start()
    if match.string[start - 3 : start] not in ("of ", "in ") and not _NAME_BEFORE_LIST.search(
        match.string, max(0, start - 40), start
    ):
        return match.group(0)
    return f" {match.group(1)} "


#: A figure quoted from a source, with its hedge and a few words ('the flight of "more than 100,000 people," the UN
#: said'): read as if unquoted (marks become spaces, offsets kept), like any figure in the text.
_QUOTED_FIGURE = re.compile(
    r'"((?:(?:more|fewer|less) than |at least |about |nearly |almost |some |over |around |up to )?\d[\d,.]*'
    r'(?: [a-z]+){0,4}[,.]?)"',
    re.IGNORECASE,
)


def _unquoted(match: re.Match[str]) -> str:
    return f" {match.group(1)} "


#: A word split by a hyphen at a line's end ('cap-\ntured', 'Franco-\nPrussian'), as printed and scanned text has.
_LINE_HYPHEN = re.compile(r"(?<=[A-Za-z])-[ \t]*\r?\n[ \t]*(?=[A-Za-z])")
_SHORTENING_OR_HYPHEN = re.compile(f"{_SHORTENING.pattern}|{_LINE_HYPHEN.pattern}")
#: Words of a print lead-in set in capitals ('MILITIAS SEIZED the oil port', 'TROOPS RETOOK Kidal'): two or
#: more, at the start of the text or a line, before a word in lower case or a capitalised name.
_CAPS_LEAD = re.compile(r"(?:^|(?<=\n))[ \t]*((?:[A-Z][A-Z'.-]+ ){2,6})(?=[a-z]|[A-Z][a-z])")
#: Words that keep their hyphen across a line's end: the first part of a compound ('twenty-|five', 'pro-|government',
#: 'cease-|fire'). Any other lower-case pair is one word split by the printer ('recap-|tured', 're-|took').
_COMPOUND_FIRSTS = frozenset(
    "pro anti non self ex well so cease half multi post pre semi quasi one two three four five six seven eight nine "
    "ten twenty thirty forty fifty sixty seventy eighty ninety hundred thousand".split()
)


#: Words that end a compound across a line's end: 'rebel-|held', 'army-|backed', 'Kurdish-|led'.
_COMPOUND_TAILS = frozenset(
    "held controlled backed led allied linked occupied based run range scale style wing year old born made owned "
    "affiliated aligned armed".split()
)


#: A compound's tail set off by a space after its hyphen ('Ghanaian- led troops', 'rebel- held'), as text copied
#: from a printed line's end has: joined again, the space moved after the word (same length, offsets kept).
_SPACED_TAIL = re.compile(r"(?<=[A-Za-z])- (" + "|".join(sorted(_COMPOUND_TAILS)) + r")\b(?! by\b)")


#: Short English words that also start names in the lexicons ('the' of 'The Hague', 'of'): in capitals in a
#: lead-in they are the words, not the names ('IS' and 'US' are left as acronyms).
_FUNCTION_WORDS = frozenset("the of in on at to as an a and or for by it its we he she they his her".split())


def _lead_in_case(match: re.Match[str], is_name: Callable[[str], bool]) -> str:
    """'REBELS OVERRAN ' -> 'Rebels overran ': same length; a name the lexicons know keeps its capital ('KABUL' ->
    'Kabul'), and a short word its capitals ('UN', 'IS', 'SDF'), which may be an acronym's."""
    words = match.group(1).split(" ")
    out = []
    for k, word in enumerate(words):
        low = word.lower()
        if not word.isascii() or (len(word) <= 3 and low not in _FUNCTION_WORDS):
            out.append(word)  # "UN", "IS", "SDF": a short word in capitals may be an acronym
        elif k == 0 or (low not in _FUNCTION_WORDS and is_name(low)):
            out.append(word[0] + word[1:].lower())
        else:
            out.append(low)
    return match.group(0)[: match.start(1) - match.start(0)] + " ".join(out)


def _line_hyphen(match: re.Match[str], text: str) -> str:
    """The replacement for a hyphen and line break inside a word: nothing for a lower-case word split by the
    printer ('cap-|tured'), the hyphen alone for a compound or a name ('Franco-|Prussian', 'twenty-|five')."""
    start, end = match.span()
    left = re.search(r"[A-Za-z]+$", text[max(0, start - 30) : start])
    right = re.match(r"[A-Za-z]+", text[end : end + 30])
    first, second = (left.group(0) if left else ""), (right.group(0) if right else "")
    compound = first in _COMPOUND_FIRSTS or second in _COMPOUND_TAILS
    return "" if first.islower() and second.islower() and not compound else "-"


def clean(original: str, is_name: Callable[[str], bool] | None = None) -> CleanText:
    """Return the cleaned text with offset anchors into `original`; `is_name` (a lower-case word) tells names from
    common words in a lead-in set in capitals (without it, such lead-ins are left as they are)."""
    text = _CONTROL.sub(" ", original)
    if "- " in text:  # before dashes become hyphens: 'the rebels— led by X' is an aside, not 'rebels-led'
        text = _SPACED_TAIL.sub(r"-\1 ", text)  # same length: offsets kept
    for char, plain in _QUOTE_PAIRS:  # str.replace per mark: thirty times faster than translate() on a report
        if char in text:
            text = text.replace(char, plain)
    text = _SPACED_THOUSANDS.sub(_joined_thousands, text)  # same length: offsets kept
    if '"' in text:
        text = _SCARE_QUOTES.sub(_unquoted, text)  # same length: offsets kept
        text = _QUOTED_NAMES.sub(_unquoted_name, text)  # same length: offsets kept
        text = _QUOTED_FIGURE.sub(_unquoted, text)  # same length: offsets kept
    if is_name is not None and (text[:2].isupper() or "\n" in text):
        text = _CAPS_LEAD.sub(lambda m: _lead_in_case(m, is_name), text)  # same length: offsets kept
    result = CleanText(text="", original=original)
    hyphens = "-" in text and "\n" in text and _LINE_HYPHEN.search(text) is not None
    if ";" not in text and "<" not in text and "[" not in text and not hyphens:
        result.text = text  # every _SHORTENING alternative holds one of these: most reports have none, skip its scan
        return result
    pieces: list[str] = []
    clean_pos = 0
    last = 0
    for match in (_SHORTENING_OR_HYPHEN if hyphens else _SHORTENING).finditer(text):
        start, end = match.span()
        if start > last:
            pieces.append(text[last:start])
            clean_pos += start - last
        token = match.group()
        rep = _line_hyphen(match, text) if token[0] == "-" else _replacement(token)
        pieces.append(rep)
        clean_pos += len(rep)
        result.anchors_clean.append(clean_pos)
        result.anchors_orig.append(end)
        last = end
    pieces.append(text[last:])
    result.text = "".join(pieces)
    return result
