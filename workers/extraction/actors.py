"""Actor mentions: alias dictionary, states' forces ('Malian soldiers', 'Israel's army', 'its forces' after a
speaker), acronyms a report defines, document-level binding of generic words, fallback actors from words."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from schemas.events import Actor

from .lazy import lazy
from .lexicons import ARMED_HEADS as ARMED_HEADS  # re-exported: the armed nouns are read with the actors
from .lexicons import FORMATIONS, RANKS, ActorEntry, GenericEntry, Lexicons, PhraseSet, phrase, slug
from .lexicons import load as load_lexicons
from .numbers import NUMBER_WORDS
from .sentences import Token
from .times import MONTHS, WEEKDAYS
from .wordlist import load_wordlist

# Heads of organisation names, taken as armed only when capitalised ('Oromo Liberation Front', not 'the front').
_ORG_HEADS = frozenset("front movement corps guard army forces force brigades brigade alliance battalion".split())
# What a nationality or a country names when it means the state's forces: 'Malian soldiers', 'Israel's military'.
STATE_HEADS = frozenset(
    "forces force troops soldiers army military servicemen units paratroopers commandos marines navy warplanes jets "
    "aircraft drones regime junta guards armies tanks garrison garrisons".split()
)
_STATE_MODIFIERS = frozenset(
    "armed air special security government military ground federal national defence defense regular elite border "
    "state army naval republican presidential coast airborne".split()
)
# After 'its' / 'their' / 'our': heads that name the speaker's own forces ('Russia said its forces ...').
_OWN_HEADS = STATE_HEADS | frozenset("fighters militants members men units combatants wing".split())
# A country name alone is an actor only as the subject of one of these ('Russia captured ...', 'Israel said ...').
_COUNTRY_VERBS = frozenset(
    "said says claimed announced captured seized took retook recaptured occupied controls controlled has had have "
    "withdrew launched gained regained liberated".split()
)
_SPEECH_VERBS = frozenset(
    "said says claimed claims announced announces declared declares".split()
)  # 'Moscow said': a capital speaks for its state
_NOT_SUBJECT = frozenset("in of from to on at by across into against with near for inside over than".split())
# Capitalised words that begin a sentence or clause but do not belong to a name before a head noun.
_NAME_STOP = frozenset(
    "the a an on in but and meanwhile yesterday today earlier later when after before while since as at by for from "
    "with then also monday tuesday wednesday thursday friday saturday sunday january february march april may june "
    "july august september october november december last this on".split()
)
#: Words of armed conflict; a report with two different ones is about fighting (sport writes of a single 'army of
#: fans' or 'war of attrition', not of troops and artillery).
_MILITARY = re.compile(
    r"\b(?:troops|soldiers|army|armies|militia|militias|militiamen|artillery|garrison|regiments?|infantry|cavalry|"
    r"rebels|guerrillas|insurgents|shelling|bombardment|airstrikes?|air strikes?|gunfire|civil war|ceasefire|"
    r"cease-fire|siege|besieged|fortress|trenches|battles?|invasion|invaded|generals|admirals?|marines|"
    r"paratroopers|battalions?|platoons?|militants|warplanes|warships|gunboats|snipers)\b"
)
#: Military words also said of crowds, wits and privacy ('an army of fans', 'a battle of wits', 'an invasion of
#: privacy'): before 'of' and a lower-case word they tell no war. Before a name ('the siege of Orleans', 'the Battle
#: of Hastings'), a number ('an army of 20,000') or as other words ('a siege of six weeks') they do.
_FIGURATIVE_OF = frozenset("army armies battle battles invasion bombardment fortress siege".split())
#: Words after 'of' that measure a real army or siege ('a siege of six weeks', 'an army of several thousand').
_MEASURES = NUMBER_WORDS | frozenset(
    "several many some about nearly almost over more days weeks months years hours".split()
)


def _figurative_of(low: str, text: str, m: re.Match[str]) -> bool:
    """Whether the military word matched at m is said of something else: before 'of' and (past an article) a
    lower-case word that measures nothing ('an army of fans', 'a siege of the boardroom'), not a name or a number
    ('the Battle of the Ebro', 'an army of 20,000', 'a siege of six weeks')."""
    if m.group(0) not in _FIGURATIVE_OF or not low.startswith(" of ", m.end()):
        return False
    after = text[m.end() + 4 : m.end() + 40].split()
    if after and after[0].lower() in ("the", "a", "an"):
        after = after[1:]
    if not after:
        return False
    word = after[0]
    return word[:1].islower() and word.strip(",.;:").lower() not in _MEASURES


#: What ties a name to troops, before it and after it (see Binder.commands).
_COMMAND_BEFORE = re.compile(
    r"(?:general|gen\.|marshal|colonel|col\.|commander|admiral|captain|led by|under|(?:forces|army|troops|men) "
    r"(?:of|loyal to)|(?:forces|army|troops|men) under)(?: [a-z.]+){0,2} $"
)
_COMMAND_AFTER = re.compile(r"(?: and [a-z]+)?(?: commanded| led |'s (?:army|troops|forces|men|division|column))")
_CONNECTORS = frozenset("of for the and de du la des al wal".split())
_THE_PLURAL = re.compile(r"\b[Tt]he ([A-Z][a-z]+s)\b")
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)$")  # "the 9th Division", "3rd Brigade"
_DEFINED = re.compile(r"\(([A-Z][A-Za-z0-9-]{1,9})\)")
_ARMED_NAME = frozenset(
    "army forces force front brigade brigades movement alliance militia militias corps guard rebels liberation "
    "defence defense resistance mujahideen jihad battalion battalions fighters group".split()
)
_HEAD_AFTER = re.compile(
    r"(?:['\u2019]s)?[ ](?:(?:"
    + "|".join(sorted(_STATE_MODIFIERS))
    + r") ){0,2}(?:"
    + "|".join(sorted(STATE_HEADS))
    + r")\b"
)
_FUNCTION = (
    frozenset(
        "the a an and or of in on at to by for from with as that which who whom whose its their his her this these "
        "those said says had has have was were is are be been after before when while since".split()
    )
    | frozenset(m for m in MONTHS if len(m) > 3)
    | frozenset(WEEKDAYS)
)  # "In September three Red regiments ..."


# "CAIRO, April 25, 2025 (AFP) -", "KHARTOUM (Reuters) -", "Cairo —": capitalised words, numbers and one
# parenthesis at the start of a report, then a dash.
_DATELINE = re.compile(r"\s*(?:(?:[A-Z][\w.'\u2019/-]*|\d{1,4}),?\s+){1,7}(?:\([^()\n]{1,40}\)\s*)?[-\u2013\u2014]+\s")


def dateline_end(text: str) -> int:
    """End offset of the dateline opening a report (0 if none): where it was filed, often not where it happened."""
    m = _DATELINE.match(text, 0, 160)
    return m.end() if m else 0


@dataclass(frozen=True)
class ActorMention:
    i: int
    j: int
    actor: Actor
    generic: bool = False


class Binder:
    """Counts named actors and countries over a whole document, then binds generic words ('the militants',
    'the army') to them. The count is made on first use: most documents never bind a generic word."""

    def __init__(
        self,
        lex: Lexicons,
        text: str,
        low_text: str | None = None,
        place_countries: Callable[[], frozenset[str]] | None = None,
        every_place_country: Callable[[], frozenset[str]] | None = None,
    ) -> None:
        self.lex = lex
        self.entries: dict[str, ActorEntry] = lex.actor_entries
        self._text = text
        self._low_text = low_text
        self._place_countries = place_countries  # where the report's places are (Document.countries)
        self._every_place_country = every_place_country  # the countries of every place it names, however small

    @lazy
    def _low(self) -> str:
        text = self._text
        low = self._low_text if self._low_text is not None and len(self._low_text) == len(text) else text.lower()
        if len(low) != len(text):
            low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        return low

    def side_plural(self, adjective: str) -> Actor | None:
        """The side a report names in the plural ('the Nationalists') for its adjective at another mention
        ('Nationalist troops', 'in Nationalist hands'): one side, one id. Only in a report of war, for a word that
        is no country's; callers try the known actors first."""
        if len(adjective) < 5 or not adjective.isalpha() or not self.at_war:
            return None
        if adjective in self.lex.states.words.index:
            return None  # 'the Germans' is a state's forces, read by the nationality rules
        plural = adjective[:1].upper() + adjective[1:] + "s"
        if plural not in self._plurals:
            return None
        return Actor(id=slug(plural), name=plural, mention=plural)

    @lazy
    def _plurals(self) -> frozenset[str]:
        """Capitalised plurals after 'the' in the report ('the Royalists'), read once."""
        return frozenset(_THE_PLURAL.findall(self._text))

    def commands(self, name: str) -> bool:
        """Whether the report ties a person's name to troops: a rank before it ('General Villa'), 'forces of /
        led by / under' before it, or 'commanded', 'led' or a possessive army after it ("Villa's army")."""
        low = self._low
        for m in re.finditer(rf"\b{re.escape(name)}\b", low):
            before, after = low[max(0, m.start() - 30) : m.start()], low[m.end() : m.end() + 30]
            if _COMMAND_BEFORE.search(before) or _COMMAND_AFTER.match(after):
                return True
        return False

    @lazy
    def at_war(self) -> bool:
        """Whether the report speaks of armed forces or fighting at all: a capitalised plural ('the Nationalists')
        is then read as a side; in a report of sport or elections ('the Seahawks took Dallas') it is not."""
        low, text = self._low, self._text
        found = {m.group(0).rstrip("s") for m in _MILITARY.finditer(low) if not _figurative_of(low, text, m)}
        return (
            len(found) >= 2
        )  # two kinds of military word ('battle' and 'battles' are one): one loose 'army of fans' is not

    @lazy
    def _tally(self) -> tuple[Counter[str], dict[str, int], Counter[str]]:
        """(mentions per actor id, offset of the first mention, mentions per country) over the whole document.

        A country word ('Malian', 'Sudan') counts for its country, and for its state's forces when an armed noun
        follows ('Malian soldiers'); a named actor counts for itself and for the country it fights in."""
        text, low = self._text, self._low
        counts: Counter[str] = Counter()
        first: dict[str, int] = {}
        countries: Counter[str] = Counter()
        forces = self.lex.states.forces
        hits = []
        last = len(low) - 1
        for end, (length, value) in self.lex.actor_automaton.iter(low):
            if end < last and low[end + 1].isalnum():
                continue  # most hits end inside a word ('is' in 'this'): the cheaper test first
            start = end - length + 1
            if start > 0 and (low[start - 1].isalnum() or low[start - 1] == "-"):
                continue
            if length <= (3 if isinstance(value, str) else 4) and not text[start : end + 1].isupper():
                continue  # short aliases ("IS", "SDF", "US") count only in capitals
            if isinstance(value, str) and (not text[start].isupper() or low[end + 1 : end + 2] == "-"):
                continue  # "turkey" in lower case, "Russian-backed": not the country
            hits.append((start, -length, end, value))
        hits.sort(key=lambda h: (h[0], h[1]))
        covered = -1
        filed = dateline_end(text)
        filed_in: list[str] = []
        for start, _, end, value in hits:
            if end <= covered:
                continue  # "Emirates" inside "United Arab Emirates" is the same mention
            covered = end
            if isinstance(value, str) and start < filed:
                filed_in.append(value)  # "CAIRO (AFP) -": where it was filed, counted only if nothing else is
                continue
            if isinstance(value, str):
                countries[value] += 1
                if _HEAD_AFTER.match(low, end + 1):
                    eid = forces[value].id
                    counts[eid] += 1
                    first.setdefault(eid, start)
                continue
            counts[value.id] += 1
            first.setdefault(value.id, start)
            if value.country:
                countries[value.country] += 1
        if not countries:
            countries.update(filed_in)
        for entry, n, pos in self._defined_tally:
            counts[entry.id] += n
            first.setdefault(entry.id, pos)
        return counts, first, countries

    @property
    def counts(self) -> Counter[str]:
        return self._tally[0]

    def named_countries(self) -> frozenset[str]:
        """Every country the report names in any way ('Sudan', 'Ukrainian', an actor's home): wider than where
        its places are, for telling a place abroad from one the report may mean."""
        return self._named

    @lazy
    def _named(self) -> frozenset[str]:
        return frozenset(self._tally[2])

    def may_fight_in(self, country: str) -> bool:
        """Whether an actor of `country` may be meant: the report names no country or place of any country, or
        names that one (a word several wars use for a side binds to one war's side only in that war's report)."""
        seen = self._named
        if self._every_place_country is not None:
            seen = seen | self._every_place_country()
        return not seen or country in seen

    @property
    def first(self) -> dict[str, int]:
        return self._tally[1]

    @lazy
    def home(self) -> str | None:
        """The ISO code of the country the report is about: where its places are, when they say (a nationality
        may be a foreign force's: 'backed by Russian air strikes'); else the most-mentioned country (names,
        nationalities and the actors that fight there), the first named on ties."""
        countries = self._tally[2]
        where = self._place_countries() if self._place_countries is not None else frozenset()
        if where:
            named = [iso for iso in countries if iso in where]
            if named:
                return max(named, key=lambda iso: countries[iso])
            if len(where) == 1:
                return next(iter(where))
        if not countries:
            return None
        return max(countries, key=lambda iso: countries[iso])

    def note(self, entry_id: str, pos: int) -> None:
        self.counts[entry_id] += 1
        self.first[entry_id] = min(self.first.get(entry_id, pos), pos)

    def kind_of(self, entry: ActorEntry) -> str:
        """A state's forces are 'government' in a report about that state and 'foreign' elsewhere."""
        if entry.state and entry.kind == "government":
            home = self.home
            if home and entry.state != home:
                return "foreign"
        return entry.kind

    def bind(self, kinds: tuple[str, ...] | GenericEntry) -> ActorEntry | None:
        """The actor a generic word names: the most-mentioned named actor of the kinds (earliest on ties); for
        words of a government's forces ('the army') without one, the forces of the report's country when it clearly
        leads, else of the most-mentioned state; else the generic entry's fallback."""
        generic = kinds if isinstance(kinds, GenericEntry) else GenericEntry(kinds)
        best: ActorEntry | None = None
        best_key = (0, 0)
        states: ActorEntry | None = None
        states_key = (0, 0)
        for eid, n in self.counts.items():
            entry = self.entries[eid]
            if not n:
                continue
            key = (n, -self.first.get(eid, 0))
            if self.kind_of(entry) in generic.kinds and key > best_key:
                best, best_key = entry, key
            if entry.state and entry.kind == "government" and key > states_key:
                states, states_key = entry, key
        if best is None and generic.kinds == ("government",):
            home = self.home
            countries = self._tally[2]
            clear = home is not None and all(n < countries[home] for iso, n in countries.items() if iso != home)
            best = self.lex.states.forces.get(home) if home and (clear or states is None) else states
        if best is None and generic.fallback:
            best = self.entries.get(generic.fallback)
        return best

    @lazy
    def _definitions(self) -> tuple[PhraseSet | None, list[tuple[ActorEntry, int, int]]]:
        """Armed organisations the report names with an acronym: 'the Tigray Defence Forces (TDF)'."""
        text = self._text
        if "(" not in text:
            return None, []
        found: dict[tuple[str, ...], ActorEntry] = {}
        tally: list[tuple[ActorEntry, int, int]] = []
        for m in _DEFINED.finditer(text):
            acronym = m.group(1)
            name = _defined_name(text[max(0, m.start() - 160) : m.start()], acronym)
            if not name:
                continue
            known = self.lex.actors.values.get(phrase(acronym))
            entry = known or self.lex.actors.values.get(phrase(name))
            if entry is None:
                if not _ARMED_NAME.intersection(w.lower() for w in name.split()):
                    continue
                entry = ActorEntry(slug(acronym), f"{name} ({acronym})", "rebel")
            found[phrase(acronym)] = entry
            found[phrase(name)] = entry
            if not known and entry.id not in self.entries:
                pattern = re.compile(r"\b(?:" + re.escape(acronym) + "|" + re.escape(name) + r")\b")
                hits = [h.start() for h in pattern.finditer(text)]
                if hits:
                    tally.append((entry, len(hits), hits[0]))
        if not found:
            return None, []
        if tally:  # this document's own entries, beside the shared ones (which are never changed)
            self.entries = {**self.entries, **{entry.id: entry for entry, _, _ in tally}}
        return PhraseSet(found), tally

    @property
    def defined(self) -> PhraseSet | None:
        return self._definitions[0]

    @lazy
    def firsts(self) -> frozenset[str]:
        """Words where `find_actors` may find a mention: the lexicon's, and the first words of the acronyms and
        names this report defines. Made once per report, not per sentence (the union copies a thousand words)."""
        defined = self.defined
        return self.lex.actor_firsts if defined is None else self.lex.actor_firsts | defined.index.keys()

    @property
    def _defined_tally(self) -> list[tuple[ActorEntry, int, int]]:
        return self._definitions[1]

    def countries_in(self, tokens: list[Token], words: list[str], end: int) -> Iterator[tuple[int, str]]:
        """(position, ISO code) of the country words before `end` in a sentence ('Russia', 'Ukrainian')."""
        sw = self.lex.states.words
        k = 0
        while k < end:
            p = sw.match_at(words, k) if words[k] in sw.index else None
            if p and _capitalised(tokens[k], p):
                yield k, sw.values[p]
                k += len(p)
            else:
                k += 1


def _capitalised(token: Token, p: tuple[str, ...]) -> bool:
    """Country words are written with a capital; short ones ('US', 'UK', 'DRC') wholly in capitals."""
    if len(p) == 1 and len(token.low) <= 3:
        return token.text.isupper()
    return token.text[:1].isupper()


def _initial(word: str) -> str:
    """The letter an acronym takes from a word: 'al-Islam' -> 'I', 'wal-Muslimin' -> 'M', 'Army' -> 'A'."""
    for c in word:
        if c.isupper():
            return c
    return word[:1].upper()


def _defined_name(before: str, acronym: str) -> str | None:
    """The capitalised name just before '(ACRONYM)' whose initials spell the acronym, or None."""
    parts = before.rstrip().split()
    name: list[str] = []
    for w in reversed(parts):
        w = w.strip(',;:"')
        if not w or not (w[0].isupper() or w.lower() in _CONNECTORS or w.lower().startswith(("al-", "wal-"))):
            break
        name.append(w)
        if len(name) > 10:
            break
    name.reverse()
    letters = [c for c in acronym if c.isupper()]
    if not letters or len(letters) < 2:
        return None
    for s in range(len(name)):
        if name[s].lower() in _CONNECTORS or _initial(name[s]) != letters[0]:
            continue
        initials = [_initial(w) for w in name[s:] if w[0].isupper() or "-" in w]
        it = iter(initials)
        if all(c in it for c in letters) and len(initials) <= len(letters) + 2:
            return " ".join(name[s:])
    return None


def _make(entry: ActorEntry, mention: str) -> Actor:
    return Actor(id=entry.id, name=entry.name, mention=mention)


def _allegiance_prefix(token: Token) -> bool:
    """'pro-Gbagbo', 'anti-Taliban', 'anti-government': a word naming whose side the armed noun after it is on."""
    head, _, rest = token.text.partition("-")
    return head.lower() in ("pro", "anti") and rest.replace("-", "").isalpha() and len(rest) > 2


def _rare_name(token: Token) -> bool:
    """A short acronym written as a name ('Lurd', 'Fretilin' style): capitalised and no English word at all."""
    return token.cap and token.text[1:].islower() and len(token.low) == 4 and load_wordlist().zipf(token.low) == 0.0


def _text(tokens: list[Token], i: int, j: int) -> str:
    return " ".join(t.text for t in tokens[i:j])


def _ranked_officer(tokens: list[Token], words: list[str], k: int, lex: Lexicons) -> ActorMention | None:
    """'British General William Howe', 'Confederate General Stonewall Jackson': a side's adjective before a rank
    and a name is that side's officer, who acts for its forces. The side is a nationality, or a word whose
    'X forces' / 'X army' the lexicon knows. Only in a report of war, and not a body or an office named after the
    rank ('the Egyptian General Petroleum Corporation', 'the Russian General Staff'), nor a faction's leader whose
    own men follow ("Libyan General Khalifa Haftar's forces" are his, not Libya's)."""
    n = len(words)
    if not tokens[k].cap or not tokens[k + 1].cap:
        return None
    m = k + 1
    while m < n and words[m] in RANKS and tokens[m].cap:  # "Lt. Gen.", "Major General"
        m += 1
    end = m
    while end < n and end - m < 4 and tokens[end].cap and (words[end].isalpha() or _INITIAL.match(tokens[end].text)):
        end += 1
    if end == m or (end < n and words[end] == "'s"):
        return None
    if any(words[x] in _OFFICES for x in range(m, end)):
        return None  # "General Staff", "Major League Baseball", "General Petroleum Corporation"
    if any(lex.actors.match_at(words, x) is not None for x in range(m, end)):
        return None  # a commander the lexicon knows names his own side
    entry = None
    if (words[k],) in lex.states.demonyms:
        entry = lex.states.forces.get(lex.states.words.values[(words[k],)])
    if entry is None:
        entry = next((lex.actors.values[a] for h in _SIDE_NOUNS if (a := (words[k], h)) in lex.actors.values), None)
    if entry is None:
        return None
    return ActorMention(k, end, _make(entry, _text(tokens, k, end)))


#: Words after a rank that make an office or a body of it, not an officer's name ('the General Staff').
_OFFICES = frozenset(
    "staff assembly command headquarters directorate prosecutor secretariat secretary council hospital election "
    "elections strike mobilisation mobilization amnesty intelligence security inspector inspectorate consulate "
    "services service motors electric dynamics court governor corporation company confederation federation union "
    "league group association authority".split()
)
#: Nouns with which a side's adjective names its forces in the lexicon ('confederate forces', 'union army').
_SIDE_NOUNS = ("forces", "army", "troops")
_INITIAL = re.compile(r"^[A-Z]\.?$")  # "Ulysses S. Grant"


def state_span(tokens: list[Token], words: list[str], k: int, lex: Lexicons) -> tuple[int, str] | None:
    """(end, ISO code) when a state's forces are named at k: 'Malian soldiers', 'the Sudanese Armed Forces',
    'Azerbaijan's army', 'Malian and allied troops' (the first-named state leads). Not 'pro-Russian separatists'."""
    sw = lex.states.words
    p = sw.match_at(words, k)
    if not p or not _capitalised(tokens[k], p):
        return None
    n = len(words)
    j = k + len(p)
    if j + 1 < n and words[j] == "and" and (words[j + 1] in ("allied", "partner", "foreign") or tokens[j + 1].cap):
        j += 2
    m = j
    while m < n and m - j < 3 and words[m] in _STATE_MODIFIERS:
        m += 1
    if m < n and words[m] in STATE_HEADS:
        m += 1
    elif m > j and words[m - 1] in STATE_HEADS:
        pass  # "the Malian army" ends on a modifier that is also a head
    else:
        return None
    if m < n and words[m] in ("troops", "soldiers", "units", "forces"):
        m += 1  # "Malian army soldiers"
    return m, sw.values[p]


def _speaker(out: list[ActorMention], binder: Binder, tokens: list[Token], words: list[str], k: int) -> Actor | None:
    """Whose forces 'its forces' / 'his country's forces' at k are: the nearest actor or country named before."""
    country = words[k] == "country"
    places = list(binder.countries_in(tokens, words, k))
    best_pos, best = -1, None
    if places:
        pos, iso = places[-1]
        best_pos, best = pos, _make(binder.lex.states.forces[iso], tokens[pos].text)
    if not country:
        for a in reversed(out):
            if a.i < k and a.i > best_pos:
                best_pos, best = a.i, a.actor
                break
    if best is None and country and binder.home:
        home = binder.lex.states.forces.get(binder.home)
        best = _make(home, binder.home) if home is not None else None
    return best


def find_actors(tokens: list[Token], words: list[str], binder: Binder) -> list[ActorMention]:
    """Actor mentions in a token list, longest alias first; generic words are bound via the document.

    Only positions whose word may start a mention are visited; `i` is the next position not inside a mention."""
    lex = binder.lex
    out: list[ActorMention] = []
    i = 0
    defined = binder.defined
    firsts = binder.firsts
    n = len(words)
    visit = [k for k, w in enumerate(words) if w in firsts or (w == "from" and k and words[k - 1] in ARMED_HEADS)]
    if "-" in " ".join(words):  # 'HTS-led rebels', a joint name in capitals ('TPLF-EPRDF')
        extra = {k for k, w in enumerate(words) if w.endswith("-led") or ("-" in w and tokens[k].text.isupper())}
        visit = sorted(set(visit) | extra)
    seconds = lex.actor_seconds
    for k in visit:
        if k < i:
            continue
        w = words[k]
        officer = (
            _ranked_officer(tokens, words, k, lex) if k + 2 < n and words[k + 1] in RANKS and binder.at_war else None
        )
        if officer is not None:
            out.append(officer)
            i = officer.j
            continue
        after = seconds.get(w)
        if (
            after is not None
            and (k + 1 == n or words[k + 1] not in after)
            and (defined is None or w not in defined.index)
            and not (w == "his" and k + 2 < n and words[k + 1][:1].isdigit())
        ):
            continue  # no phrase starts here ('the' before 'town'): nothing below would match
        i = k
        if w == "from":  # "Troops from Indonesia's Aceh province": that province's forces
            origin = _origin(tokens, words, k, lex)
            if origin is not None:
                if out and out[-1].j == k:
                    out.pop()
                out.append(ActorMention(k - 1, origin[0], origin[1]))
                i = origin[0]
            continue
        if w in _OWNERS:
            own = _own_forces(out, binder, tokens, words, k)
            if own:
                out.append(own)
                i = own.j
            continue
        if w in ("his", "her"):
            own = _role_forces(out, tokens, words, k, binder.at_war)
            if own:
                out.append(own)
                i = own.j
            continue
        p = lex.actors.match_at(words, i)
        if p and len(p) == 1 and len(p[0]) <= 4 and not tokens[i].text.isupper() and not _rare_name(tokens[i]):
            p = None  # "is", "saa", "ndf" must be written in capitals ('Lurd', a rare word capitalised, need not)
        if p and p == ("is",) and i + 1 < n and words[i + 1] in ("a", "the", "not", "to"):
            p = None
        if p and p in lex.sets["former_states"].values and not _state_as_side(tokens, words, i, i + len(p)):
            p = None  # "defeated Prussia at Jena", "fled to North Vietnam": a state's name that is no subject
        if defined is not None:
            d = defined.match_at(words, i)
            if d and (len(d) > 1 or tokens[i].text.isupper()) and (not p or len(d) > len(p)):
                out.append(ActorMention(i, i + len(d), _make(defined.values[d], _text(tokens, i, i + len(d)))))
                i += len(d)
                continue
        st = state_span(tokens, words, i, lex) if w in lex.states.words.index else None
        if st and (not p or st[0] - i > len(p)):
            forces = lex.states.forces[st[1]]
            out.append(ActorMention(i, st[0], _make(forces, _text(tokens, i, st[0]))))
            i = st[0]
            continue
        if w.endswith("-led") and not p:
            led = _led(tokens, words, i, lex)
            if led:
                out.append(led)
                i = led.j
                continue
        if not p and "-" in w and (joint := _joint_name(tokens, words, i, lex)) is not None:
            out.append(joint)
            i = joint.j
            continue
        g = lex.generic.match_at(words, i)
        if g and (not p or len(g) > len(p)):
            mention = _text(tokens, i, i + len(g))
            end = i + len(g)
            if end + 1 < n and words[end] == "of" and words[end + 1] in lex.states.words.index:
                owner = state_span_of(tokens, words, end + 1, lex)
                if owner:  # "the armed forces of Peru"
                    out.append(
                        ActorMention(i, owner[0], _make(lex.states.forces[owner[1]], _text(tokens, i, owner[0])))
                    )
                    i = owner[0]
                    continue
            named = _forces_of(tokens, words, i, end, lex) if end + 1 < n and words[end] == "of" else None
            if named is not None:  # "soldiers of the Ottoman Empire", "troops of the Islamic State"
                out.append(named)
                i = named.j
                continue
            qualified = (
                i > 0
                and (tokens[i - 1].cap and tokens[i - 1].low.isalpha() or _numbered(words, i, end))
                and not (out and out[-1].j == i)
                and words[i - 1] not in ("the", "a", "an")
            )
            allegiance = (
                not qualified and i > 0 and "-" in words[i - 1] and not (out and out[-1].j == i)
            ) and _allegiance_prefix(tokens[i - 1])
            if qualified or allegiance:
                s = i - 1 if allegiance else _name_start(tokens, words, i, out)
                mention = _text(tokens, s, end)
                known = _qualifiers(lex).get(words[i - 1]) if s == i - 1 else None
                if known is not None and known.country and not binder.may_fight_in(known.country):
                    known = None  # "Nationalist troops" in a report about Spain are not China's Nationalists
                if known is not None:  # "Arakan rebels": the one known actor whose name starts so
                    out.append(ActorMention(s, end, _make(known, mention)))
                    i = end
                    continue
                side = binder.side_plural(words[i - 1]) if s == i - 1 and tokens[i - 1].cap else None
                fallback = (
                    Actor(id=side.id, name=side.name, mention=mention)
                    if side is not None
                    else Actor(id=slug(mention), name=mention, mention=mention)
                )
                out.append(ActorMention(s, end, fallback, True))
                i = end
                continue
            entry = binder.bind(lex.generic.values[g])
            if entry:
                out.append(ActorMention(i, end, _make(entry, mention), True))
            else:
                out.append(ActorMention(i, end, Actor(id=slug(mention), name=mention, mention=mention), True))
            i = end
            continue
        if p:
            out.append(ActorMention(i, i + len(p), _make(lex.actors.values[p], _text(tokens, i, i + len(p)))))
            i += len(p)
            continue
        if w in lex.states.words.index and _country_subject(tokens, words, i, lex):
            sp = lex.states.words.match_at(words, i)
            assert sp is not None
            out.append(
                ActorMention(i, i + len(sp), _make(lex.states.forces[lex.states.words.values[sp]], tokens[i].text))
            )
            i += len(sp)
            continue
        i += 1
    if not _ALLEGIANCE.isdisjoint(words):
        out = _allegiance(tokens, words, out, lex)
    return out


#: 'forces loyal to X' are X's side; 'forces allied with X' are a side of their own, named so.
_ALLEGIANCE = frozenset("loyal allied aligned affiliated".split())
#: Hyphenated attributes before an allegiance's name: 'UN-recognised', 'Iran-backed', 'Tripoli-based'.
_ATTRIBUTIVE_TAILS = ("-recognized", "-recognised", "-backed", "-based", "-supported", "-sponsored")
_BEFORE_NAME = frozenset(
    "the late former ousted deposed exiled renegade rogue warlord general gen commander president leader strongman "
    "field marshal sheikh cleric colonel col".split()
)


def _allegiance(tokens: list[Token], words: list[str], out: list[ActorMention], lex: Lexicons) -> list[ActorMention]:
    """'Forces loyal to Khalifa Haftar', 'militias allied with the Houthis': one mention from the armed noun to the
    end of the name. Loyal to a known actor (or to a person a known actor's aliases name) is that actor; any
    other allegiance keeps the whole phrase as the side's name."""
    n = len(words)
    for k in [k for k, w in enumerate(words) if w in _ALLEGIANCE]:
        if not (0 < k < n - 2 and words[k - 1] in ARMED_HEADS and words[k + 1] in ("to", "with")):
            continue
        m = k + 2
        while m < n and (words[m] in _BEFORE_NAME or words[m].endswith(_ATTRIBUTIVE_TAILS)):
            m += 1  # "allied with the UN-recognised Government of ...": the name after its attribute
        known = next((a for a in out if a.i == m or (a.i == m - 1 and words[a.i] == "the")), None)
        actor: Actor | None
        if known is not None:
            end, actor = known.j, known.actor
        else:
            end = m
            while (
                end < n
                and end - m < 6
                and (
                    (tokens[end].cap and tokens[end].low.isalpha())
                    or (end > m and words[end] in _CONNECTORS and end + 1 < n and tokens[end + 1].cap)
                )
            ):
                end += 1  # "Government of National Accord": a name's connectors between its capitals
            if end == m:
                continue
            entry = next((e for w in words[m:end] if (e := _person_index(lex).get(w)) is not None), None)
            actor = _make(entry, _text(tokens, m, end)) if entry is not None else None
        mention = _text(tokens, k - 1, end)
        if actor is None or words[k] != "loyal":
            actor = Actor(id=slug(mention), name=mention, mention=mention)
        else:
            actor = Actor(id=actor.id, name=actor.name, mention=mention)
        kept = [a for a in out if a.j <= k - 1 or a.i >= end]
        out = sorted([*kept, ActorMention(k - 1, end, actor, known is None and words[k] != "loyal")], key=lambda a: a.i)
    return out


def person_side(lex: Lexicons, word: str) -> ActorEntry | None:
    """The known side a person's rare name stands for ('haftar' -> the LNA), if the lexicon's aliases name one."""
    return _person_index(lex).get(word)


@cache
def _person_index(lex: Lexicons) -> dict[str, ActorEntry]:
    """Rare words that only one actor's aliases contain ('haftar', 'hemedti'): a person named after 'loyal to'
    whose forces the lexicon knows. Country words and common English words are left out."""
    return _unique_words(lex, False, ARMED_HEADS | _FUNCTION)


def _origin(tokens: list[Token], words: list[str], k: int, lex: Lexicons) -> tuple[int, Actor] | None:
    """(end, actor) for the armed noun before 'from' at k when a region follows: 'forces from Ethiopia's Tigray
    region' are Tigray's forces (the lexicon's actor, else '<Region> forces'); 'troops from Chad' are left to the
    country rules."""
    n = len(words)
    m = k + 1
    if m < n and words[m] == "the":
        m += 1
    sp = lex.states.words.match_at(words, m) if m < n else None
    if sp and m + len(sp) < n and tokens[m + len(sp)].start - tokens[m + len(sp) - 1].end == 3:
        m += len(sp)  # "Ethiopia's": the tokenizer leaves a gap where "'s" was
    e = m
    while e < n and e - m < 3 and tokens[e].cap and words[e] not in _NAME_STOP:
        e += 1
    if e == m or (m == k + 1 and lex.states.words.match_at(words, m)):
        return None
    name = _text(tokens, m, e)
    entry = lex.actors.values.get(phrase(f"{name} forces"))
    if e < n and words[e] in _REGION_WORDS:
        e += 1
    elif entry is None:
        return None
    if entry is not None:
        return e, _make(entry, _text(tokens, k - 1, e))
    label = f"{name} forces"
    return e, Actor(id=slug(label), name=label, mention=_text(tokens, k - 1, e))


_REGION_WORDS = frozenset("region state province governorate oblast zone district".split())
_OWNERS = frozenset("its their our country".split())
#: Who hold a place: "its garrison" after a place is that place's, whoever the sentence names before it.
_DEFENDERS = frozenset("garrison garrisons defenders".split())
#: A qualifier at least this common in English (wordfreq's Zipf scale) names no group by itself.
COMMON_WORD_ZIPF = 4.0


@cache
def _qualifiers(lex: Lexicons) -> dict[str, ActorEntry]:
    """First words that start the aliases of exactly one actor ('arakan', 'kokang'): 'Arakan rebels' is that actor.
    Country words, short words and common English words ('three', 'national') are left out."""
    return _unique_words(lex, True, _FUNCTION)


def _unique_words(lex: Lexicons, first_only: bool, skip: frozenset[str]) -> dict[str, ActorEntry]:
    """Words that one actor's aliases alone contain (`first_only`: as their first word) and that name it by
    themselves: longer than three letters, rare in English, no country word and not in `skip`."""
    common = load_wordlist()
    ids: dict[str, set[str]] = {}
    entry_of: dict[str, ActorEntry] = {}
    for p, entry in lex.actors.values.items():
        entry_of[entry.id] = entry
        for w in p[:1] if first_only else p:
            ids.setdefault(w, set()).add(entry.id)
    return {
        w: entry_of[next(iter(s))]
        for w, s in ids.items()
        if len(s) == 1
        and len(w) > 3
        and w.isalpha()
        and w not in lex.states.words.index
        and w not in skip
        and common.zipf(w) < COMMON_WORD_ZIPF
    }


def _forces_of(tokens: list[Token], words: list[str], i: int, end: int, lex: Lexicons | None) -> ActorMention | None:
    """An armed noun at i..end followed by 'of (the) Name': the named body's forces ('soldiers of the Ottoman
    Empire'), a known actor when the name is one ('fighters of the Islamic State'); None without a capitalised
    name ('soldiers of fortune'); a numbered formation is one ('troops of the 3rd Division')."""
    k = end + 1 + (end + 1 < len(words) and words[end + 1] == "the")
    if words[end - 1] not in ARMED_HEADS or k >= len(words):
        return None
    numbered = _ORDINAL.match(words[k]) is not None and k + 1 < len(words) and words[k + 1] in FORMATIONS
    if not tokens[k].cap and not numbered:
        return None
    known = lex.actors.match_at(words, k) if lex is not None else None
    if lex is not None and known is not None:
        return ActorMention(i, k + len(known), _make(lex.actors.values[known], _text(tokens, i, k + len(known))))
    titled = k
    while titled < len(words) - 1 and (
        words[titled] in _BEFORE_NAME or (tokens[titled].cap and words[titled + 1] in _BEFORE_NAME)
    ):
        titled += 1  # "troops of the warlord X Y": the person after the title
    if titled > k and tokens[titled].cap:
        end_name = _cap_end(tokens, titled)
        entry = next((e for w in words[titled:end_name] if (e := _person_index(lex).get(w))), None) if lex else None
        text = _text(tokens, i + (words[i] == "the"), end_name)
        actor = _make(entry, text) if entry is not None else Actor(id=slug(text), name=text, mention=text)
        return ActorMention(i, end_name, actor, entry is None)
    stop = k
    while stop < len(tokens) and stop - k < 5 and (tokens[stop].cap or (words[stop] == "of" and stop > k)):
        stop += 1
    while stop > k and not tokens[stop - 1].cap:
        stop -= 1  # "of the Republic of": not ending on 'of'
    if stop == k and numbered:  # "troops of the 9th Army": that formation, named by itself
        stop = _cap_end(tokens, k + 1) if tokens[k + 1].cap else k + 2
        unit = _text(tokens, k, stop)
        return ActorMention(i, stop, Actor(id=slug(unit), name=unit, mention=_text(tokens, i, stop)), True)
    if stop == k or any(g.isdigit() for g in words[k:stop]):
        return None
    text = _text(tokens, i + (words[i] == "the"), stop)
    return ActorMention(i, stop, Actor(id=slug(text), name=text, mention=text), True)


def _cap_end(tokens: list[Token], k: int) -> int:
    """Where the run of capitalised words at k ends (at most four words)."""
    end = k
    while end < len(tokens) and end - k < 4 and tokens[end].cap and tokens[end].low.isalpha():
        end += 1
    return end


def state_span_of(tokens: list[Token], words: list[str], k: int, lex: Lexicons) -> tuple[int, str] | None:
    """(end, ISO code) of a country name at k ('... of Ukraine')."""
    sw = lex.states.words
    p = sw.match_at(words, k)
    if p and _capitalised(tokens[k], p):
        return k + len(p), sw.values[p]
    return None


def _own_forces(
    out: list[ActorMention], binder: Binder, tokens: list[Token], words: list[str], k: int
) -> ActorMention | None:
    """'its forces', 'their fighters', 'his country's army': the forces of the speaker named before them."""
    if words[k] == "country" and not (k > 0 and words[k - 1] in ("his", "her", "the", "their", "our", "whose")):
        return None
    n = len(words)
    m = k + 1
    while m < n and m - k <= 3 and words[m] in _STATE_MODIFIERS:
        m += 1
    if m < n and words[m] in _OWN_HEADS:
        m += 1
    elif not (m > k + 1 and words[m - 1] in STATE_HEADS):
        return None
    if words[k] == "its" and words[m - 1] in _DEFENDERS and _place_taken_since(out, words, k):
        return None  # "captured Fort Donelson ...; its garrison surrendered": the place's defenders, not the taker's
    start = k - 1 if words[k] == "country" else k
    mention = _text(tokens, start, m)
    actor = _speaker(out, binder, tokens, words, k)
    if actor is None:
        entry = binder.bind(("government",)) if words[m - 1] in STATE_HEADS else None
        if entry is None:
            return None
        actor = _make(entry, mention)
    return ActorMention(start, m, Actor(id=actor.id, name=actor.name, mention=mention), True)


def _place_taken_since(out: list[ActorMention], words: list[str], k: int) -> bool:
    """Whether a capture or siege was told between the last actor before k and k ('took Amiens ...; its garrison'):
    'its' then reads as the place taken, the nearest holder; 'the army said in Bamako that its garrison' is the
    army's."""
    start = max((a.j for a in out if a.j <= k), default=0)
    return not _TAKEN.isdisjoint(words[start:k])


#: Verbs of a place taken or besieged, after which 'its garrison' is that place's.
_TAKEN = frozenset(
    "took taken captured seized besieged stormed occupied retook recaptured overran invested surrounded".split()
)


def _role_forces(
    out: list[ActorMention], tokens: list[Token], words: list[str], k: int, war: bool = True
) -> ActorMention | None:
    """'A spokesman for the LNA said X had fallen to his fighters': 'his' at k is the side the speaking role stands
    for, named right after the role ('for/of X', "X's spokesman" is read by the role's own rules)."""
    if war and k + 1 < len(words) and words[k] == "his" and (led := _commander_forces(tokens, words, k)) is not None:
        return led  # only in a report of war: 'Captain X and his men conquered Melbourne' is cricket
    if k + 1 >= len(words) or words[k + 1] not in ARMED_HEADS:
        return None
    role = next((m for m in range(k - 1, max(-1, k - 25), -1) if words[m] in _PERSON_ROLES), None)
    if (
        role is None
        or words[role] not in _SPEAKING_ROLES
        or role + 1 >= len(words)
        or words[role + 1] not in ("for", "of")
    ):
        return None  # the nearest person named before 'his' speaks: "... the Saudi envoy, who said his forces"
    side = next((a for a in out if role + 1 < a.i <= role + 9 and a.j <= k and not a.generic), None)
    if side is None or any(a.i >= side.j and a.j <= k and a.actor.id != side.actor.id for a in out):
        return None
    mention = _text(tokens, k, k + 2)
    return ActorMention(k, k + 2, Actor(id=side.actor.id, name=side.actor.name, mention=mention), True)


def parenthesis_start(words: list[str], close: int) -> int | None:
    """Where the parenthesis that closes at `close` opens (at most 25 words back)."""
    return next((m for m in range(close - 1, max(-1, close - 25), -1) if words[m] == "("), None)


def _commander_forces(tokens: list[Token], words: list[str], k: int) -> ActorMention | None:
    """'Colonel Arriaga (an aside) and his 900 troops took X': 'his [N] troops/men' right after 'RANK NAME and' are
    the men that commander led, named after him ("Arriaga's forces"), as a surrender's 'NAME with N men' is."""
    m = k + 1
    while m < len(words) and m - k <= 3 and (words[m].replace(",", "").isdigit() or words[m] in _MEN_MODIFIERS):
        m += 1
    if m >= len(words) or not (words[m] in ARMED_HEADS or words[m] == "men") or k < 2 or words[k - 1] != "and":
        return None
    b = k - 2
    if words[b] == ")":  # "Colonel X (a veteran of two wars) and his troops"
        opening = parenthesis_start(words, b)
        b = opening - 1 if opening is not None else -1
    end = b + 1
    start = end
    while (
        start > 0
        and end - start < 3
        and tokens[start - 1].cap
        and tokens[start - 1].low.isalpha()
        and words[start - 1] not in RANKS
    ):
        start -= 1
    if start == end or start == 0 or words[start - 1] not in RANKS:
        return None
    if words[m] == "men" and words[start - 1] in _CREW_RANKS:
        return None  # "Captain X and his men": a crew or a team as often as a force
    text = _text(tokens, start, end)
    name = f"{text}'s forces"
    return ActorMention(k, m + 1, Actor(id=slug(name), name=name, mention=_text(tokens, k, m + 1)), True)


#: Words between 'his' and the men he led: 'his remaining 300 men', 'his own troops'.
_MEN_MODIFIERS = frozenset("own remaining some about nearly almost".split())
#: Ranks of a ship's or a team's head as much as of a soldier's: their 'men' alone are no armed force.
_CREW_RANKS = frozenset("captain capt commander".split())


#: Roles that speak for a side: 'a spokesman for X', 'the commander of X'.
_SPEAKING_ROLES = frozenset("spokesman spokeswoman spokesperson commander leader chief head".split())
#: Any person a later 'his' may be: the nearest of them is the one who speaks.
_PERSON_ROLES = _SPEAKING_ROLES | frozenset("envoy officer official minister general colonel soldier president".split())


def _led(tokens: list[Token], words: list[str], k: int, lex: Lexicons) -> ActorMention | None:
    """'HTS-led rebels', 'Saudi-led forces': the leader named in the prefix is the actor."""
    prefix = words[k][:-4]
    key = phrase(prefix)
    entry = lex.actors.values.get(key)
    if entry is not None and len(prefix) <= 4 and not tokens[k].text[: len(prefix)].isupper():
        entry = None
    if entry is None:
        iso = lex.states.words.values.get(key)
        entry = lex.states.forces[iso] if iso and tokens[k].text[:1].isupper() else None
    if entry is None:
        return None
    j = k + 1
    m = j
    while m < len(words) and m - j < 2 and words[m].isalpha() and not tokens[m].cap and words[m] not in ARMED_HEADS:
        m += 1  # "Ghanaian-led peacekeeping troops": a modifier before the armed noun
    if m > j and m < len(words) and words[m] in ARMED_HEADS:
        j = m
    while j < len(words) and j - k <= 3 and (words[j] in ARMED_HEADS or words[j] in _LED_HEADS):
        j += 1
    return ActorMention(k, j, _make(entry, _text(tokens, k, j)))


#: Nouns after 'A-B' that make the pair two sides facing each other: 'the LNA-GNA front line', 'talks'.
_BETWEEN_SIDES = frozenset(
    "front frontline line lines talks clashes fighting war conflict border ceasefire truce deal agreement "
    "negotiations rivalry divide standoff".split()
)


def _joint_name(tokens: list[Token], words: list[str], k: int, lex: Lexicons) -> ActorMention | None:
    """'TPLF-EPRDF', 'MNLA-HCUA': acronyms in capitals joined by a hyphen may name one front, led by its first
    known member; not before a noun of two sides facing each other ('LNA-GNA talks', 'the LNA-GNA front line').
    Only capitals, so 'Hamas-Fatah' or 'Russia-Ukraine war' are never read so."""
    if not tokens[k].text.isupper() or (k + 1 < len(words) and words[k + 1] in _BETWEEN_SIDES):
        return None  # "the LNA-GNA front line", "LNA-GNA talks": two sides facing each other, not one front
    for part in words[k].split("-"):
        entry = lex.actors.values.get(phrase(part)) if len(part) >= 2 else None
        if entry is not None:
            return ActorMention(k, k + 1, _make(entry, tokens[k].text))
    return None


_LED_HEADS = frozenset("coalition force forces alliance mission offensive group groups operation".split())


# Past forms without '-ed' that a state as subject takes: 'after Russia withdrew', 'Ukraine won back'.
_IRREGULAR_PAST = frozenset(
    "took retook withdrew won lost fled left drove began fought held gave struck shot sent overran seized broke "
    "brought made kept let put ran rode saw says said told went".split()
)


def _finite(tokens: list[Token], words: list[str], j: int) -> bool:
    """Whether the word at j reads as the finite verb of a clause: a listed verb, a past form ('abandoned',
    'withdrew') or an auxiliary with a past participle ('has abandoned')."""
    w = words[j]
    if w in _COUNTRY_VERBS or w in _IRREGULAR_PAST:
        return True
    if w in ("has", "had", "have") and j + 1 < len(words):
        w = words[j + 1]
        return w in _IRREGULAR_PAST or w.endswith(("ed", "en"))
    return w.endswith("ed") and len(w) > 4 and w.isalpha() and not tokens[j].cap


#: Adverbs that may stand between a subject and its verb besides '-ly' words: 'Russia later took ...'.
PLAIN_ADVERBS = frozenset("soon later then also again once first afterwards thereafter eventually finally".split())


def adverb(token: Token) -> bool:
    """An adverb between a subject and its verb: a listed one or a lower-case '-ly' word ('successfully')."""
    w = token.low
    return w in PLAIN_ADVERBS or (w.endswith("ly") and len(w) > 4 and w.isalpha() and not token.cap)


def _state_as_side(tokens: list[Token], words: list[str], i: int, j: int) -> bool:
    """Whether a state's name at [i, j) stands as a side: an agent ('captured by North Vietnam', 'fell to the Soviet
    Union'), a possessor ("the Soviet Union's army") or the subject of a finite verb ('Prussia annexed ...')."""
    k = i - (i > 0 and words[i - 1] == "the")
    if k > 0 and words[k - 1] in ("by", "to"):
        return True
    while j < len(words) - 1 and adverb(tokens[j]):
        j += 1
    if j + 1 < len(words) and words[j] == "and" and tokens[j + 1].cap:  # "Prussia and Austria occupied ..."
        j += 1
        while j < len(words) - 1 and tokens[j].cap:
            j += 1
    return j < len(words) and (words[j] in ("'s", "\u2019s") or _finite(tokens, words, j))


def _country_subject(tokens: list[Token], words: list[str], i: int, lex: Lexicons) -> bool:
    """A country name (not a nationality) as the subject of a military or speech verb: 'Russia captured ...'."""
    sp = lex.states.words.match_at(words, i)
    if not sp or sp in lex.states.demonyms or not _capitalised(tokens[i], sp):
        return False
    j = i + len(sp)
    while j < len(words) - 1 and adverb(tokens[j]):
        j += 1  # "Ethiopia successfully recaptured Badme"
    if j >= len(words):
        return False
    if sp in lex.states.capitals:
        if words[j] not in _SPEECH_VERBS or tokens[j].start - tokens[j - 1].end == 3:
            return False  # "Moscow's claims": a possessive, its noun no verb
    elif not _finite(tokens, words, j):
        return False
    k = i - 1
    while k >= 0 and words[k] in ("the", "a", "an"):
        k -= 1
    return k < 0 or words[k] not in _NOT_SUBJECT


def _name_start(tokens: list[Token], words: list[str], i: int, out: list[ActorMention]) -> int:
    """Where the capitalised name before a head noun at i begins: 'Kachin Independence Army', not 'Independence
    Army'. Stops at sentence-opening words, dates, earlier mentions and after seven words."""
    s = i
    floor = out[-1].j if out else 0
    while (
        s > floor
        and i - s < 7
        and tokens[s - 1].cap
        and tokens[s - 1].low not in _NAME_STOP
        and (tokens[s - 1].low.replace("'", "").replace("-", "").isalpha())
    ):
        s -= 1
    if s > floor and words[i] in FORMATIONS and _ORDINAL.match(words[s - 1]) and not (s > 1 and words[s - 2] in MONTHS):
        s -= 1  # "the 101st Airborne Division": the number is part of a formation's name ('March 3rd' is a date)
    return s


def _numbered(words: list[str], i: int, end: int) -> bool:
    """'the 9th Army', 'the 3rd Division': an ordinal before a formation noun names one formation, not any army."""
    return _ORDINAL.match(words[i - 1]) is not None and end - i == 1 and words[i] in FORMATIONS


#: Prefixes of '-held' that name a side by its role, read as the plural or definite word would be ('rebel-held' as
#: 'the rebels', 'army-held' as 'the army').
_ROLE_PREFIXES = {
    "rebel": "rebels",
    "opposition": "rebels",
    "insurgent": "insurgents",
    "militant": "militants",
    "jihadist": "jihadists",
    "government": "government forces",
    "army": "the army",
    "military": "the military",
    "regime": "the regime",
    "junta": "the junta",
    "separatist": "separatists",
}


def prefix_actor(
    word: str, binder: Binder, where: str | None = None, attackers: frozenset[str] = frozenset()
) -> Actor | None:
    """The actor in a hyphenated prefix: 'IS-held' -> Islamic State; a side named by its role ('rebel-held',
    'army-held', 'government-held') is bound as that word alone would be, so it is a side of the report's own war,
    not one war's side everywhere. A government's hold is the state's where the held place lies (`where`, an ISO
    code), and never a state whose weapons the sentence names striking it (`attackers`: 'Russian bombs hit
    army-held positions')."""
    lex = binder.lex
    head = word.rsplit("-", 1)[0]
    entry = lex.actors.values.get(phrase(head))
    if entry is not None:
        return _make(entry, head)
    role = _ROLE_PREFIXES.get(head)
    generic = lex.generic.values.get(phrase(role)) if role is not None else None
    if role is None or generic is None:
        return None
    if generic.kinds == ("government",) and where is not None and where in lex.states.forces:
        return _make(lex.states.forces[where], head)
    bound = binder.bind(generic)
    if bound is not None and bound.state is not None and bound.state in attackers:
        bound = binder.entries.get(generic.fallback) if generic.fallback else None  # 'regime-held': Syria's
    if bound is not None:
        return _make(bound, head)
    name = role.removeprefix("the ")
    return Actor(id=slug(name), name=name[:1].upper() + name[1:], mention=head)


#: "joined forces", "combining forces": to act together, said of parties, firms and teams as of armed groups.
_JOINING = frozenset("join joins joined joining combine combines combined combining pool pooled pooling".split())
_JOINED = frozenset(("forces", "force"))


def _joined_forces(words: list[str], j: int) -> bool:
    """'X joined forces (with Y)': the verb after a subject; not 'the combined forces of the two clans' nor a
    sentence's 'Combined forces captured ...', where the participle qualifies the forces."""
    if j < 2 or words[j] not in _JOINED or words[j - 1] not in _JOINING:
        return False
    return words[j - 2] not in _FUNCTION and (j + 1 == len(words) or words[j + 1] != "of")


#: An acronym of two to seven capitals (digits and hyphens allowed after the first letter): 'KNDO', 'FDS', 'AFDL'.
_ACRONYM = re.compile(r"[A-Z][A-Z0-9-]{1,6}")
_ROMAN = re.compile(r"[IVXLC]+")


def unknown_acronym(tokens: list[Token], words: list[str], k: int, lex: Lexicons) -> ActorMention | None:
    """An acronym at k that the lexicon does not know, as a side in a slot that holds one (the subject of a capture,
    the agent after 'fell to'): 'the KNDO occupied Mandalay'. Not in a headline in capitals, not a state's name,
    not a body that bears no arms (cues.yaml `acronyms.unarmed`)."""
    text = tokens[k].text
    if not _ACRONYM.fullmatch(text) or _ROMAN.fullmatch(text) or sum(c.isalpha() for c in text) < 2:
        return None
    if lex.sets["acronyms.unarmed"].match_at(words, k) or lex.states.words.match_at(words, k):
        return None
    if any(0 <= m < len(tokens) and len(tokens[m].text) > 1 and tokens[m].text.isupper() for m in (k - 1, k + 1)):
        return None  # "REBELS TAKE TOWN": a headline in capitals, not a name
    return ActorMention(k, k + 1, Actor(id=slug(text), name=text, mention=text), True)


#: Words that may follow an acronym that ends an agent slot ('fell to the KNDO in March'); any other word makes the
#: acronym qualify a noun ('fell to the NYSE floor traders').
AFTER_AGENT = frozenset(
    "in on at after during before from near with and or but which who that when until since following".split()
)


def fallback_actor(tokens: list[Token], words: list[str], end: int, start: int = 0) -> ActorMention | None:
    """An unknown armed actor named by words just before `end`: 'Mutinous soldiers' -> mutinous-soldiers; a
    capitalised name is kept whole ('Sudan Liberation Front')."""
    for j in range(end - 1, max(start, end - 6) - 1, -1):
        if _joined_forces(words, j) or (words[j] == "legions" and words[j + 1 : j + 2] == ["of"]):
            continue  # "the Greens joined forces with ...", "legions of fans": an idiom, no armed men
        if words[j] in ARMED_HEADS or (words[j] in _ORG_HEADS and tokens[j].cap):
            i = j
            if tokens[j].cap:
                i = max(_name_start(tokens, words, j, []), start)
            if i == j:
                while (
                    i > max(start, j - 3)
                    and (words[i - 1].replace("-", "").isalpha() or _ORDINAL.match(words[i - 1]))
                    and words[i - 1] not in _FUNCTION
                ):
                    i -= 1
            if (
                j + 2 < len(words)
                and words[j + 1] == "of"
                and (named := _forces_of(tokens, words, i, j + 1, load_lexicons()))
            ):
                return named  # "soldiers of the Ottoman Empire"
            text = _text(tokens, i, j + 1)
            return ActorMention(i, j + 1, Actor(id=slug(text), name=text, mention=text), True)
        if words[j] in (",", ";", "(", ")"):
            break
    return None
