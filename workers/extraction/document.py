"""A report under analysis: cleaned text, sentences, document-level actors and places, and lazily built
per-sentence views (tokens, actor and place mentions) for the sentences a cue points at. The document-level
actor counts and place list are also built on first use.

A view tokenises its sentence when it is made; actor and place mentions are found on first use, because
many cue sentences are dismissed by their rules on the words alone."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from schemas.events import Place

from .actors import ActorMention, Binder, find_actors
from .lexicons import Lexicons, PlaceEntry
from .places import PlaceMention, gazetteer, make_place, person_like
from .sentences import Token, sentence_spans, tokenize
from .textnorm import CleanText, clean


@dataclass
class Sentence:
    index: int
    start: int
    end: int
    tokens: list[Token]
    words: list[str]
    binder: Binder = field(repr=False, compare=False)
    cache: dict[str, object] = field(default_factory=dict)

    @cached_property
    def actors(self) -> list[ActorMention]:
        """Actor mentions, found on first use (the binder is complete once the document is built)."""
        return find_actors(self.tokens, self.words, self.binder)

    @cached_property
    def places(self) -> list[PlaceMention]:
        """Gazetteer places, found on first use."""
        return gazetteer(self.tokens, self.words, self.binder.lex)


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

    def __post_init__(self) -> None:
        self.clean = clean(self.raw)
        text = self.clean.text
        self.spans = sentence_spans(text)
        low = text.lower()
        if len(low) != len(text):  # 'İ'.lower() is two characters: keep such letters as they are
            low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        self.low = low
        self.binder = Binder(self.lex, text, self.low)
        self._starts = [s for s, _ in self.spans]

    @cached_property
    def place_hits(self) -> list[tuple[int, PlaceEntry]]:
        """Gazetteer places named in the document with their offsets, for `last_place`; found on first use
        (about a third of the documents never look back for a place)."""
        text, low = self.text, self.low
        hits: list[tuple[int, PlaceEntry]] = []
        for end, (length, entry) in self.lex.place_automaton.iter(low):
            start = end - length + 1
            if (start > 0 and low[start - 1].isalnum()) or (end + 1 < len(low) and low[end + 1].isalnum()):
                continue
            if (text[start].isupper() or low[start : start + 3] in ("al-", "el-")) and not person_like(
                text, start, end + 1
            ):
                if low[end + 1 : end + 14].lstrip().startswith(("province", "governorate", "countryside", "region")):
                    continue  # "Homs province" is not what "the town" refers back to
                hits.append((start, entry))
        return hits

    @property
    def text(self) -> str:
        return self.clean.text

    def sentence_of(self, pos: int) -> int:
        return max(bisect.bisect_right(self._starts, pos) - 1, 0)

    def view(self, index: int) -> Sentence:
        if index not in self._views:
            start, end = self.spans[index]
            tokens = tokenize(self.text[start:end], start)
            words = [t.low for t in tokens]
            self._views[index] = Sentence(index, start, end, tokens, words, self.binder)
        return self._views[index]

    def last_place(self, pos: int, city: bool = True) -> Place | None:
        """The last gazetteer place named before `pos` (cities preferred for 'the city'/'the town')."""
        best: PlaceEntry | None = None
        for start, entry in self.place_hits:
            if start >= pos:
                break
            if not city or entry.parent is None:
                best = entry
        return make_place(best.name, entry=best) if best else None
