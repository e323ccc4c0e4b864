"""Actor mentions: alias dictionary, document-level binding of generic words, fallback actors from words."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache

from schemas.events import Actor

from .lexicons import ActorEntry, Lexicons, fold, phrase
from .sentences import Token

ARMED_HEADS = frozenset(
    "soldiers troops forces fighters militants rebels peacekeepers gunmen insurgents militia militias militiamen "
    "supporters tribesmen jihadists guerrillas army police policemen mutineers units brigade brigades battalion "
    "separatists loyalists paramilitaries commandos marines guardsmen guards mutineers alliance".split()
)
_FUNCTION = frozenset(
    "the a an and or of in on at to by for from with as that which who whom whose its their his her this these "
    "those said says had has have was were is are be been after before when while since".split()
)
_SLUG = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=8192)
def slug(text: str) -> str:
    """Id form of a name: 'Ḩamāh' -> 'hamah'. Cached: the same few names (gazetteer places, actors) recur."""
    return _SLUG.sub("-", fold(text)).strip("-") or "unknown"


@dataclass(frozen=True)
class ActorMention:
    i: int
    j: int
    actor: Actor
    generic: bool = False


class Binder:
    """Counts named actors over a whole document, then binds generic words ('the militants') to them.

    The count is made on first use: most documents never bind a generic word."""

    def __init__(self, lex: Lexicons, text: str, low_text: str | None = None) -> None:
        self.lex = lex
        self.entries: dict[str, ActorEntry] = lex.actor_entries
        self._text = text
        self._low_text = low_text

    @cached_property
    def _tally(self) -> tuple[Counter[str], dict[str, int]]:
        """(mentions per actor id, offset of the first mention) over the whole document."""
        text = self._text
        low = self._low_text if self._low_text is not None and len(self._low_text) == len(text) else text.lower()
        if len(low) != len(text):
            low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        counts: Counter[str] = Counter()
        first: dict[str, int] = {}
        for end, (length, entry) in self.lex.actor_automaton.iter(low):
            start = end - length + 1
            if (start > 0 and low[start - 1].isalnum()) or (end + 1 < len(low) and low[end + 1].isalnum()):
                continue
            if length <= 4 and not text[start : end + 1].isupper():
                continue  # short aliases ("IS", "SDF") count only in capitals
            counts[entry.id] += 1
            first.setdefault(entry.id, start)
        return counts, first

    @property
    def counts(self) -> Counter[str]:
        return self._tally[0]

    @property
    def first(self) -> dict[str, int]:
        return self._tally[1]

    def note(self, entry_id: str, pos: int) -> None:
        self.counts[entry_id] += 1
        self.first[entry_id] = min(self.first.get(entry_id, pos), pos)

    def bind(self, kinds: tuple[str, ...]) -> ActorEntry | None:
        best: ActorEntry | None = None
        best_key = (0, 0)
        for eid, n in self.counts.items():
            entry = self.entries[eid]
            if n and entry.kind in kinds:
                key = (n, -self.first.get(eid, 0))
                if key > best_key:
                    best, best_key = entry, key
        return best


def _make(entry: ActorEntry, mention: str) -> Actor:
    return Actor(id=entry.id, name=entry.name, mention=mention)


def find_actors(tokens: list[Token], words: list[str], binder: Binder) -> list[ActorMention]:
    """Actor mentions in a token list, longest alias first; generic words are bound via the document.

    Only positions whose word starts an alias are visited; `i` is the next position not inside a mention."""
    lex = binder.lex
    out: list[ActorMention] = []
    i = 0
    firsts = lex.actor_firsts
    for k in [k for k, w in enumerate(words) if w in firsts]:
        if k < i:
            continue
        i = k
        p = lex.actors.match_at(words, i)
        if p and len(p) == 1 and len(p[0]) <= 4 and not tokens[i].text.isupper():
            p = None  # "is", "saa", "ndf" must be written in capitals
        if p and p == ("is",) and i + 1 < len(words) and words[i + 1] in ("a", "the", "not", "to"):
            p = None
        g = lex.generic.match_at(words, i)
        if g and (not p or len(g) > len(p)):
            mention = " ".join(t.text for t in tokens[i : i + len(g)])
            qualified = (
                i > 0
                and tokens[i - 1].cap
                and tokens[i - 1].low.isalpha()
                and not (out and out[-1].j == i)
                and words[i - 1] not in ("the", "a", "an")
            )
            entry = None if qualified else binder.bind(lex.generic.values[g])
            if qualified:
                i -= 1
                mention = " ".join(t.text for t in tokens[i : i + len(g) + 1])
                fallback = Actor(id=slug(mention), name=mention, mention=mention)
                out.append(ActorMention(i, i + len(g) + 1, fallback, True))
                i += len(g) + 1
                continue
            if entry:
                out.append(ActorMention(i, i + len(g), _make(entry, mention), True))
            else:
                out.append(ActorMention(i, i + len(g), Actor(id=slug(mention), name=mention, mention=mention), True))
            i += len(g)
            continue
        if p:
            mention = " ".join(t.text for t in tokens[i : i + len(p)])
            out.append(ActorMention(i, i + len(p), _make(lex.actors.values[p], mention)))
            i += len(p)
            continue
        i += 1
    return out


def prefix_actor(word: str, lex: Lexicons) -> Actor | None:
    """The actor in a hyphenated prefix: 'IS-held' -> Islamic State, 'rebel-held' -> Rebels."""
    head = word.rsplit("-", 1)[0]
    if head in ("rebel", "opposition"):
        head = "rebels"
    if head in ("government", "regime", "army"):
        head = "regime"
    p = phrase(head)
    entry = lex.actors.values.get(p)
    return _make(entry, head) if entry else None


def fallback_actor(tokens: list[Token], words: list[str], end: int, start: int = 0) -> ActorMention | None:
    """An unknown armed actor named by words just before `end`: 'Mutinous soldiers' -> mutinous-soldiers."""
    for j in range(end - 1, max(start, end - 6) - 1, -1):
        if words[j] in ARMED_HEADS:
            i = j
            while i > max(start, j - 3) and words[i - 1].isalpha() and words[i - 1] not in _FUNCTION:
                i -= 1
            text = " ".join(t.text for t in tokens[i : j + 1])
            return ActorMention(i, j + 1, Actor(id=slug(text), name=text, mention=text), True)
        if words[j] in (",", ";", "(", ")"):
            break
    return None
