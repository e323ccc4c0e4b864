"""A report under analysis: cleaned text, sentences, document-level actors and places, and lazily built
per-sentence views (tokens, actor and place mentions) for the sentences a cue points at. The document-level
actor counts and place list are also built on first use.

A view tokenises its sentence when it is made; actor and place mentions are found on first use, because
many cue sentences are dismissed by their rules on the words alone."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate

from schemas.events import Actor, Place

from .actors import STATE_HEADS, ActorMention, Binder, find_actors
from .gazetteer import CITY, COUNTRY, CURATED, REGION, PlaceEntry, key_of, key_words, key_words_at, pick
from .lazy import lazy
from .lexicons import Lexicons
from .places import (
    FOREIGN_POPULATION,
    Context,
    PlaceMention,
    ambiguous,
    common_word_first,
    gazetteer,
    inside_actor,
    make_place,
    no_context,
    people_not_town,
    person_like,
    shared_name,
)
from .sentences import Token, sentence_spans, tokenize_words
from .textnorm import CleanText, clean

#: Words after a capital's "'s" that make it stand for its state ("Moscow's troops").
_STATE_WORDS = frozenset(STATE_HEADS)

# A word that may start a place name: capitalised, or 'al-'/'el-'-style, and not inside a word. The same as
# (?<![\w'-])(?:[A-Z\u00c0-\u024f]|[ae]l-|a[dlrszt]-)\w*, written to open with a character class, which the
# regex engine tries before anything else: one and a half times faster over a report.
_FIRST_PIECES = re.compile(r"([A-Z\u00c0-\u024fae](?<![\w'-].)(?:(?<=a)[dlrszt]-|(?<=e)l-|(?<![ae]))\w*)")


def _tells_country(entry: PlaceEntry) -> bool:
    """Whether naming this place says which country a report is about: a country, a region, a curated place or a
    city of 100,000 or more."""
    return entry.kind in (COUNTRY, REGION, CURATED) or entry.population >= 100_000


@dataclass
class Sentence:
    index: int
    start: int
    end: int
    tokens: list[Token]
    words: list[str]
    binder: Binder = field(repr=False, compare=False)
    context: Context = field(repr=False, compare=False, default=no_context)
    cache: dict[str, object] = field(default_factory=dict)

    @lazy
    def actors(self) -> list[ActorMention]:
        """Actor mentions, found on first use (the binder is complete once the document is built)."""
        return find_actors(self.tokens, self.words, self.binder)

    @lazy
    def places(self) -> list[PlaceMention]:
        """Gazetteer places, found on first use."""
        return gazetteer(self.tokens, self.words, self.binder.lex, self.context, named=self.binder.named_countries)

    def first_place(self) -> PlaceMention | None:
        """The first gazetteer place, without finding the others unless they are known already (kept: every
        rule family of a sentence asks)."""
        found = self.__dict__.get("places")
        if found is None:
            if "first_place" in self.cache:
                return self.cache["first_place"]  # type: ignore[return-value]
            found = gazetteer(self.tokens, self.words, self.binder.lex, self.context, 1, self.binder.named_countries)
            self.cache["first_place"] = found[0] if found else None
        return found[0] if found else None


@dataclass
class Document:
    lex: Lexicons
    raw: str
    published: date | None
    report_id: str | None
    clean: CleanText = field(init=False)
    low: str = field(init=False)  # text lower-cased letter by letter: offsets in it are offsets in text
    spans: list[tuple[int, int]] = field(init=False)
    binder: Binder = field(init=False)
    _views: dict[int, Sentence] = field(init=False, default_factory=dict)
    _shared_names: dict[int, list[PlaceEntry]] = field(init=False, default_factory=dict)
    #: Sides that took a place, by sentence, in reading order: what an agentless 'X was taken' later refers to.
    takers: dict[int, list[Actor]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.clean = clean(self.raw, self.lex.is_name)
        text = self.clean.text
        self.spans = sentence_spans(text)
        low = text.lower()
        if len(low) != len(text):  # 'İ'.lower() is two characters: keep such letters as they are
            low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        self.low = low
        self.binder = Binder(self.lex, text, self.low, self._countries, self._every_place_country)
        self._starts = [s for s, _ in self.spans]

    @lazy
    def place_hits(self) -> list[tuple[int, PlaceEntry]]:
        """Gazetteer places named in the document with their offsets, for `last_place` and the country context;
        found on first use (about a third of the documents never look back for a place)."""
        text = self.text
        gaz = self.lex.gazetteer
        hits: list[tuple[int, PlaceEntry]] = []
        end = 0
        starts_name = gaz.starts_name
        low, ascii_text = self.low, text.isascii()
        demonyms = self.lex.states.demonyms
        inner = self.lex.actor_inner_words
        pieces = _FIRST_PIECES.split(text)  # gap, capitalised word, gap, ...: the words and offsets in C
        firsts = list(map(str.lower, pieces[1::2]))
        offsets = list(accumulate(map(len, pieces[:-1]), initial=0))[1::2]
        # most capitalised words start no place name: skip them (each distinct word asked once) before folding
        known = {w for w in set(firsts) if starts_name(w if w.isascii() else key_of(w))}
        for k in [k for k, w in enumerate(firsts) if w in known]:
            start = offsets[k]
            if start < end:
                continue
            if ascii_text or (window := text[start : start + 60]).isascii():
                # ASCII: the lower-cased text needs no folding; words are read only as far as a name may go
                key = gaz.longest_of(key_words_at(low, start, start + 60))
            else:
                key = gaz.longest_of(iter(key_words(window)))
            if key is None or (key,) in demonyms:
                continue  # 'Malian' names a people before a village
            if key.split(" ", 1)[0] in inner and (before := low[max(0, start - 24) : start].split()[-2:]):
                if inside_actor([*before, *key.split()], len(before), self.lex):
                    continue  # 'Haram' of 'Boko Haram'
            rest = text[start + len(key) : start + len(key) + 16].lstrip(" ")
            after = rest.lower()
            if after.startswith(("province", "governorate", "countryside", "region", "district", "neighbo", "quarter")):
                continue  # "Homs province", "Shahba district": not what "the town" refers back to
            if rest[:1].isupper() or after.startswith(("al-", "el-")):
                continue  # "Shahba al-Jadida": part of a longer name the gazetteer does not know
            if person_like(text, start, start + len(key)):
                continue
            if text[start - 1 : start] == "(" and text[start + len(key) : start + len(key) + 1] == ")":
                if text[start : start + len(key)].isupper():
                    continue  # "the Presidential Council (PC)": an acronym the text defines, not a town
            if after[:2] in ("'s", "\u2019s") and (heads := after[2:].split(maxsplit=1)) and heads[0] in _STATE_WORDS:
                continue  # "Moscow's troops": a capital standing for its state's forces, not where they are
            found = gaz.candidates(key)
            if found[0].kind == COUNTRY and (longer := _longer_country(low, start, key, self.lex)) is not None:
                # 'Republic of Congo' inside 'Democratic Republic of Congo': the longer name's country
                hits.extend((start, entry) for entry in gaz.candidates(longer)[:1])
                end = start + len(key)
                continue
            if low[max(0, start - 4) : start] == "the " and people_not_town(key, found) and self.binder.at_war:
                continue  # 'fell to the Danes', 'the Romans': a people, not a small town abroad
            if " " not in key and _sentence_initial(text, start) and common_word_first(key, found, frozenset()):
                continue  # "Artillery and infantry fought": the word, not a hamlet named so
            hits.append((start, found[0]))
            if shared_name(found):  # "San Pedro", "Leon": read in the report's countries (`local_hits`)
                self._shared_names[start] = found
            end = start + len(key)
        return hits

    @lazy
    def place_hits_at(self) -> dict[int, PlaceEntry]:
        return dict(self.place_hits)

    @lazy
    def countries(self) -> frozenset[str]:
        """Country codes the report is about: countries and regions it names, and places only one country has."""
        codes: set[str] = set()
        for start, entry in self.place_hits:
            if start in self._shared_names:
                continue  # a name several countries' towns share tells no country by itself ('San Pedro', 'Leon')
            if entry.country_code and _tells_country(entry):
                codes.add(entry.country_code)
        shared = [(self.place_hits_at[start], found) for start, found in self._shared_names.items()]
        placed = frozenset(codes)
        for first, found in shared:
            # read where the report's other places are ('Leon' beside Masaya is Nicaragua's); else the far
            # larger namesake ('Donetsk'), unless the name is shared by towns of like size ('San Pedro')
            here = pick(found, placed)
            if here is not None and here.country_code in placed:
                continue
            if not ambiguous(found) and first.country_code and _tells_country(first):
                codes.add(first.country_code)
        return frozenset(codes)

    @lazy
    def local_hits(self) -> list[tuple[int, PlaceEntry]]:
        """`place_hits` less small towns in countries the report never names (places.FOREIGN_POPULATION): what
        'the town' or a count's place may refer to."""
        countries = self.countries | self.binder.named_countries()
        hits = [
            (start, pick(self._shared_names[start], self.countries) or e) if start in self._shared_names else (start, e)
            for start, e in self.place_hits
        ]
        return [
            (start, e)
            for start, e in hits
            if not countries
            or e.country_code in countries
            or e.curated
            or e.kind != CITY
            or e.population >= FOREIGN_POPULATION
        ]

    def _countries(self) -> frozenset[str]:
        return self.countries

    def _every_place_country(self) -> frozenset[str]:
        return frozenset(e.country_code for _, e in self.place_hits if e.country_code)

    @property
    def text(self) -> str:
        return self.clean.text

    def sentence_of(self, pos: int) -> int:
        return max(bisect.bisect_right(self._starts, pos) - 1, 0)

    def view(self, index: int) -> Sentence:
        if index not in self._views:
            start, end = self.spans[index]
            tokens, words = tokenize_words(self.text[start:end], start)
            self._views[index] = Sentence(index, start, end, tokens, words, self.binder, self._countries)
        return self._views[index]

    def last_place(self, pos: int, city: bool = True) -> Place | None:
        """The last gazetteer place named before `pos` (cities preferred for 'the city'/'the town')."""
        best: PlaceEntry | None = None
        for start, entry in self.local_hits:
            if start >= pos:
                break
            if not city or entry.kind != COUNTRY and not (entry.kind == CURATED and entry.parent):
                best = entry  # 'the town' is no neighbourhood or country (a district may be named after its town)
        return make_place(best.name, entry=best) if best else None


def _longer_country(low: str, start: int, key: str, lex: Lexicons) -> str | None:
    """The look-up key of another country's longer name that the words just before a country's name make of it
    ('Democratic Republic of Congo' holds 'Republic of Congo': the capitalised word scan starts at a place name's
    first word), or None."""
    before = low[max(0, start - 40) : start].split()[-3:]
    names = lex.states.words.values
    for k in range(len(before)):
        longer = (*before[k:], *key.split())
        if longer in names:
            return key_of(" ".join(longer))
    return None


def _sentence_initial(text: str, start: int) -> bool:
    """Whether the word at `start` opens a sentence: only spaces, quotes or a line break after a full stop (or the
    text's start) before it."""
    k = start - 1
    while k >= 0 and text[k] in " \t\n\"'(":
        k -= 1
    return k < 0 or text[k] in ".!?:"
