"""Lexicon loading: actors, cue phrases, and the world gazetteer (`gazetteer.py`). Loaded once per process.

Phrases are matched on word tokens (see `sentences.tokenize`), longest first. Candidate sentences are found
with one Aho-Corasick automaton over the lower-cased text, so the token rules only run where a cue occurs.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ahocorasick
import yaml

from .sentences import tokenize

if TYPE_CHECKING:
    from .gazetteer import Gazetteer

HERE = Path(__file__).resolve().parent / "lexicons"
Phrase = tuple[str, ...]


def fold(text: str) -> str:
    """Lower-case ASCII folding: 'Ḩamāh' -> 'hamah'."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.replace("\u2018", "").replace("\u2019", "").replace("\u02bf", "").replace("\u02be", "").lower()


def phrase(text: str) -> Phrase:
    return tuple(t.low for t in tokenize(fold(text)))


class PhraseSet:
    """Phrases indexed by first token; `match_at` returns the longest phrase that matches at a position.

    `match_at` looks the words up once per distinct phrase length of the first word (a hash look-up) instead of
    comparing every phrase that starts with it: 'the', 'syrian' start dozens of actor phrases."""

    def __init__(self, items: dict[Phrase, Any] | list[str]) -> None:
        if isinstance(items, list):
            items = {phrase(p): p for p in items}
        self.values: dict[Phrase, Any] = {p: v for p, v in items.items() if p}
        self.index: dict[str, list[Phrase]] = {}
        self.words: set[str] = {w for p in self.values for w in p}
        for p in self.values:
            self.index.setdefault(p[0], []).append(p)
        for lst in self.index.values():
            lst.sort(key=len, reverse=True)
        self.lengths: dict[str, tuple[int, ...]] = {
            w: tuple(sorted({len(p) for p in lst}, reverse=True)) for w, lst in self.index.items()
        }

    def match_at(self, words: list[str], i: int) -> Phrase | None:
        values = self.values
        for n in self.lengths.get(words[i], ()):
            p = tuple(words[i : i + n])
            if p in values:  # near the end of `words` p is shorter than n; then it is the longest match there is
                return p
        return None

    def find_all(self, words: list[str]) -> list[tuple[int, Phrase]]:
        out: list[tuple[int, Phrase]] = []
        i = 0
        while i < len(words):
            p = self.match_at(words, i)
            if p:
                out.append((i, p))
                i += len(p)
            else:
                i += 1
        return out

    def any_in(self, words: list[str]) -> bool:
        if self.index.keys().isdisjoint(words):
            return False
        return any(self.match_at(words, i) for i in range(len(words)) if words[i] in self.index)

    def strings(self) -> frozenset[str]:
        """The phrases as space-joined strings (for one-word membership tests)."""
        return frozenset(" ".join(p) for p in self.values)


@dataclass(frozen=True)
class ActorEntry:
    id: str
    name: str
    kind: str
    group: str | None = None


@dataclass(eq=False)
class Lexicons:
    """All lexicons of one `load()`. Compared and hashed by identity, so rule modules can cache what they derive
    from it (`functools.cache`) instead of rebuilding it per document or per sentence."""

    actors: PhraseSet
    generic: PhraseSet
    gazetteer: Gazetteer
    cues: dict[str, Any]
    sets: dict[str, PhraseSet]
    automaton: Any
    actor_automaton: Any

    @cached_property
    def actor_firsts(self) -> frozenset[str]:
        """First words of actor names and generic actor words: where `find_actors` has something to match."""
        return frozenset(self.actors.index.keys() | self.generic.index.keys())

    @cached_property
    def actor_entries(self) -> dict[str, ActorEntry]:
        """Actor entries by id (read-only; shared by every document)."""
        return {e.id: e for e in self.actors.values.values()}


@lru_cache(maxsize=1)
def load() -> Lexicons:
    from .gazetteer import load_gazetteer  # it imports `fold` from here

    with open(HERE / "actors.yaml", encoding="utf-8") as handle:
        actor_data = yaml.safe_load(handle)
    actors: dict[Phrase, ActorEntry] = {}
    for a in actor_data["actors"]:
        entry = ActorEntry(a["id"], a["name"], a.get("kind", "other"), a.get("group"))
        for alias in [a["name"], *a["aliases"]]:
            actors[phrase(str(alias))] = entry
    generic: dict[Phrase, tuple[str, ...]] = {}
    for g in actor_data.get("generic", []):
        for w in g["words"]:
            generic[phrase(str(w))] = tuple(g["kinds"])
    with open(HERE / "cues.yaml", encoding="utf-8") as handle:
        cues = yaml.safe_load(handle)
    sets: dict[str, PhraseSet] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}.{k}" if path else str(k))
        elif isinstance(node, list):
            sets[path] = PhraseSet([str(x) for x in node])

    walk(cues, "")
    families: dict[str, set[str]] = {}
    for name, ps in sets.items():
        family = name.split(".", 1)[0]
        if family == "civilian" and name.startswith("civilian.categories"):
            family = "civilian.categories"
        elif family not in ("control", "surrender", "other_kinds"):
            continue
        for p in ps.values:
            families.setdefault(" ".join(p), set()).add(family)
    automaton = ahocorasick.Automaton()
    for key, fams in families.items():
        automaton.add_word(key, tuple(sorted(fams)))
    automaton.make_automaton()
    actor_automaton = ahocorasick.Automaton()
    for p, a_entry in actors.items():
        key = " ".join(p)
        actor_automaton.add_word(key, (len(key), a_entry))
    actor_automaton.make_automaton()
    return Lexicons(
        PhraseSet(actors),
        PhraseSet(generic),
        load_gazetteer(),
        cues,
        sets,
        automaton,
        actor_automaton,
    )
