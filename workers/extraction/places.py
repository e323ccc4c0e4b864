"""Places: gazetteer look-up, sub-city places ('the al-Nahda neighborhood in Raqqa'), object noun phrases of
control verbs, and anaphora ('the town', 'the city') resolved to the last place the document named."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from schemas.events import Place

from .gazetteer import CITY, COUNTRY, DISTRICT, REGION, Gazetteer, PlaceEntry, key_of, pick
from .lexicons import ARMED_HEADS, RANKS, Lexicons, fold, slug
from .sentences import Token
from .times import MONTHS, is_year
from .wordlist import load_wordlist

KINDS = frozenset(
    "neighborhood neighbourhood neighborhoods neighbourhoods district districts quarter area village villages town "
    "hill hills hilltop camp suburb suburbs field fields farms road highway square base airbase airport dam "
    "mountain mountains plain plains plateau region province governorate city crossing checkpoint border "
    "sector outskirts countryside valley island oilfield refinery bridge heights height ridge summit peak hilltops "
    "positions post posts building buildings street streets roundabout stadium university school hospital prison "
    "mosque market port enclave settlement".split()
)
_DIRECTIONAL = frozenset("northern southern eastern western central upper lower greater north south east west".split())
_DESCRIBED = frozenset("stronghold bastion heartland".split())
_ANAPHORA = frozenset("town city village area district neighborhood neighbourhood it there stronghold".split())
_STOP = frozenset(
    ") from on in at after as with by near since during before when while amid and or but which that who following "
    "above below within across into inside outside along around between toward towards through under over "
    "some about nearly almost just only located "
    'to for last this yesterday today earlier later , ; : " monday tuesday wednesday thursday friday saturday '
    "sunday was were is are has have had said says, killing leaving forcing".split()
)
_DET = frozenset("the a an its their his her control full over back complete total more".split())
_PARTITIVE = frozenset(
    "parts part much most areas area outskirts rest swathes swaths large number dozen series handful couple string "
    "dozens".split()
)
_QUANT = (("some",), ("several",))
#: Heads of places that are things in a place, named after it: "Tabqa airbase", "the airport in Goma".
FACILITIES = frozenset(
    "airport airbase airfield base dam crossing bridge port prison refinery oilfield barracks garrison outpost "
    "headquarters palace plant factory station terminal harbour harbor post compound shrine citadel fortress fort "
    "castle hall".split()
)
#: Plural heads that, with a number, name a set of places: "70 villages in Hasaka province".
SETTLEMENTS = frozenset(
    "villages towns settlements localities hamlets neighborhoods neighbourhoods districts cities communes "
    "townships provinces regions governorates counties".split()
)
_COUNT_WORDS = frozenset(
    "two three four five six seven eight nine ten eleven twelve dozen dozens several scores hundreds a".split()
)
#: "most of X": a capture of part of a place.
PARTITIVES = frozenset(
    "most much parts part half swathes swaths rest majority bulk centre center heart sections section".split()
)
#: Words before "control of/over" that qualify the control: "operational control of".
_CONTROL_QUALIFIERS = frozenset("operational effective military administrative security firm".split())
_NEARBY = frozenset("nearby neighbouring neighboring adjacent adjoining".split())
_MEASURE = re.compile(r"\d[\d,.]*-(?:acre|hectare|km|kilometre|kilometer|mile|metre|meter|square|sq)")
_PARTICLES = frozenset(
    "al el ad ar as ash at az ed en es et bin bani abu umm of de du ibn da das do dos del della di la le les los las "
    "sur van der den von".split()
)


@dataclass(frozen=True)
class PlaceMention:
    i: int
    j: int
    place: Place


def make_place(name: str, parent: str | None = None, entry: PlaceEntry | None = None) -> Place:
    if entry is not None:
        shown = written_name(name, entry)
        return _entry_place(entry, None if not parent or parent == entry.parent else parent, shown)
    return Place(id="/".join(slug(x) for x in (parent, name) if x), name=name, parent=parent)


def written_name(name: str, entry: PlaceEntry) -> str | None:
    """The name as the report spells it ('Hodeida', not GeoNames' 'Al Hudaydah'), which readers and other outlets
    recognise; the id stays the gazetteer's. Countries and shouted datelines ('KHARTOUM') keep the entry's name."""
    name = name.removesuffix("'s").removesuffix("\u2019s").strip(" ,.")
    if not name or name == entry.name or entry.kind == COUNTRY or (name.isupper() and len(name) > 3):
        return None
    return name


@lru_cache(maxsize=16384)
def _entry_place(entry: PlaceEntry, parent: str | None = None, shown: str | None = None) -> Place:
    """The Place of a gazetteer entry, made once: events share it and nothing changes a Place once made."""
    return Place(
        id=entry.id,
        name=shown or entry.name,
        parent=parent or entry.parent,
        country=entry.country,
        lat=entry.lat,
        lon=entry.lon,
        resolved=True,
    )


_ARTICLES = frozenset(("al-", "el-", "ad-", "ar-", "as-", "az-"))
#: Words after which a sentence puts a place: "in Hodeidah", "the town of Hodeidah", "seized Hodeidah".
_PLACE_CUES = frozenset(
    "in of near to from at around outside into toward towards across inside within entered city town village "
    "camp capital port seized captured took taken retook recaptured control liberated fallen fell occupied".split()
)


def _capword(tok: Token) -> bool:
    low = tok.low
    return tok.cap or (low[:3] in _ARTICLES and len(low) > 4)


def _capwords(tokens: list[Token]) -> list[int]:
    """The positions of the words `_capword` accepts, tested in one comprehension (asked of every word)."""
    articles = _ARTICLES
    return [k for k, t in enumerate(tokens) if t.text[:1].isupper() or (t.low[:3] in articles and len(t.low) > 4)]


_NAME_TITLES = frozenset(
    "spokesman spokeswoman spokesperson commander minister president general colonel official envoy leader "
    "chief mayor governor director analyst correspondent researcher activist mr mrs ms dr gen col sheikh".split()
)
_SPEECH = ("said", "says", "told", "added", "stated", "declared", "tweeted", "wrote")
#: Verbs of saying (a place after them is no subject; 'that' after them opens what was said).
SPOKEN = frozenset((*_SPEECH, "reported", "reports", "announced", "claimed", "confirmed"))


def person_like(text: str, start: int, end: int) -> bool:
    """True when a gazetteer hit at text[start:end] reads as part of a person's name: 'Mustafa Bali said',
    'spokesman Bali'. A place is not directly preceded by a capitalised given name, nor followed by 'said'."""
    after = text[end : end + 12].lstrip(" ,").lower()
    if after.startswith(_SPEECH):
        return True
    before = text[max(0, start - 40) : start]
    if not before.endswith(" "):
        return False
    words = before.split()
    if not words:
        return False
    prev = words[-1]
    sentence_start = len(words) < 2 or words[-2].endswith((".", "!", "?", ":", '"'))
    if _title(prev, not sentence_start):
        return True
    return (
        prev[:1].isupper()
        and prev.isalpha()
        and not sentence_start
        and prev.lower() not in _DIRECTIONAL
        and prev.lower() not in ("the", "of", "in", "from", "to", "and")
        and len(words) >= 2
        and _title(words[-2], len(words) > 2 and not words[-3].endswith((".", "!", "?", ":", '"')))
    )


#: Words after a name that say it names a region: "Kursk region", "Homs province".
REGION_HEADS = frozenset("region province governorate state oblast district county prefecture zone township".split())
# unions the rules test words against, made once rather than at each test
_KIND_OR_REGION = KINDS | REGION_HEADS
_KIND_OR_DESCRIBED = KINDS | _DESCRIBED
_STOP_OR_KIND = _STOP | KINDS
Context = Callable[[], frozenset[str]]


def no_context() -> frozenset[str]:
    return frozenset()


def gazetteer(
    tokens: list[Token],
    words: list[str],
    lex: Lexicons,
    context: Context = no_context,
    limit: int = 0,
    named: Context = no_context,
) -> list[PlaceMention]:
    """Gazetteer places, longest name first, left to right, at capitalised words that are not part of a person's
    name. A name several places share is read in the report's country `context`; a small town outside every
    country the report `named` is respelt inside `context` or dropped; before a region word ('Kursk region') a
    name means the region. With `limit`, stops after that many."""
    folded = words if all(map(str.isascii, words)) else [w if w.isascii() else fold(w) for w in words]
    gaz = lex.gazetteer
    demonyms = lex.states.demonyms  # 'Malian' is a people, not a respelt 'Malyan'
    out: list[PlaceMention] = []
    i = 0  # next free position: matches do not overlap
    n = len(tokens)
    starts_name = gaz.starts_name
    caps = _capwords(tokens)
    # where a name may start: a capitalised word that starts a known name or stands where a place is expected
    starts = [
        k for k in caps if starts_name(folded[k]) or (k > 0 and folded[k - 1] in _PLACE_CUES) or _subject(folded, k)
    ]
    if not starts:
        return out
    capset = set(caps)
    for k in starts:
        if k < i:
            continue
        most = 1
        while most < 6 and k + most < n and (k + most in capset or folded[k + most] in _PARTICLES):
            most += 1
        key = gaz.longest(folded, k, most)
        if key is not None and (key,) in demonyms:
            continue
        if key is not None:
            length = key.count(" ") + 1
            candidates = _in_report(
                gaz, gaz.candidates(key), folded[k : k + length], context, named, lex.states.neighbours
            )
        elif (
            ((k > 0 and folded[k - 1] in _PLACE_CUES) or _subject(folded, k))  # only where a place is put
            and tokens[k].text[1:].islower()
            and len(folded[k]) > 3
            and (folded[k],) not in demonyms
            and folded[k] not in lex.actor_firsts  # 'Daesh', 'Houthi': actors, not respelt places
        ):
            # no name spelt so: try the spelling-blind key over the capitalised run ('Hodeidah')
            length = next((m for m in range(min(most, 3), 0, -1) if gaz.variant(folded[k : k + m])), 0)
            # a respelling counts only inside the report's countries: 'Hamamiyat' in Syria is not 'Hammamet'
            variants = gaz.variant(folded[k : k + length])
            candidates = [c for c in variants if c.country_code in context()]
            if not candidates:  # a country the report names only through its sides, or none: a sizeable town
                sizeable = [c for c in variants if c.population >= _RESPELT_ALONE]
                one = len({c.country_code for c in sizeable}) == 1
                anywhere = not context() and not named()  # a side's home names a country: respell only there
                candidates = sizeable if one and (anywhere or sizeable[0].country_code in named()) else []
        else:
            continue
        if not candidates or _person_tokens(tokens, k, k + length) or inside_actor(folded, k, lex):
            continue
        if k == 0 and length == 1 and common_word_first(folded[0], candidates, context()):
            continue  # "Artillery and infantry fought ...": an English word capitalised by its place, not a hamlet
        if length == 1 and _defined_acronym(tokens, k):
            continue  # "the Presidential Council (PC)": an acronym the text defines, not a town it spells
        if (
            k + length < n
            and _capword(tokens[k + length])
            and folded[k + length] not in _KIND_OR_REGION
            and tokens[k + length].start - tokens[k + length - 1].end < 2  # "Sudan's El Fasher": two names
        ):
            continue  # "Tal" of "Tal Shair": part of a longer name the gazetteer does not know
        if length < n - k and folded[k + length] in REGION_HEADS:
            candidates = _regions(gaz, candidates, context)
        entry = pick(
            candidates, context() if ambiguous(candidates) or _local_namesake(candidates, context) else frozenset()
        )
        if entry is not None:
            out.append(
                PlaceMention(k, k + length, make_place(" ".join(t.text for t in tokens[k : k + length]), entry=entry))
            )
            i = k + length
            if len(out) == limit:  # the caller wants the first place only
                break
    return out


#: A respelt name ('Izium' for GeoNames' 'Izyum') outside the countries the report's places are in is read only as
#: a town this large, all such towns in one country, which the report names (as a side's home) or no country at all.
_RESPELT_ALONE = 20_000
#: A sentence's first word this common in English (Zipf) is read as the word unless a town of it is sizeable or
#: lies in the report's countries: 'Artillery', 'Villagers' (a suburb and a hamlet somewhere) are words there.
_INITIAL_WORD_ZIPF = 3.8
_INITIAL_TOWN = 100_000


def common_word_first(word: str, candidates: list[PlaceEntry], where: frozenset[str]) -> bool:
    """Whether a sentence's first word is the English word rather than any of the places it could name (`where`:
    the report's countries; empty where they are not known yet, as in the document's own scan for them)."""
    if load_wordlist().zipf(word) < _INITIAL_WORD_ZIPF:
        return False
    return all(c.population < _INITIAL_TOWN and c.country_code not in where for c in candidates)


#: A place outside the report's countries must be at least this large to be meant: a Sudan report's 'Tawila'
#: is not a Yemeni hamlet spelt so, nor a Yemen report's 'Shabwa' a Burmese village.
FOREIGN_POPULATION = 100_000


def inside_actor(words: list[str], k: int, lex: Lexicons) -> bool:
    """Whether the name at k ends an armed actor's name that starts one or two words before it ('Haram' of 'Boko
    Haram'), or starts one before an armed noun ('Shabab fighters'): no town, whatever town shares the word."""
    if words[k] not in lex.actor_inner_words:
        return False  # most place words are in no side's name: one set lookup
    for s in (k - 1, k - 2):
        if s >= 0 and (p := lex.actors.match_at(words, s)) is not None and s + len(p) > k:
            return p not in lex.sets["former_states"].values  # "fled to North Vietnam" still names a place
    own = lex.actors.match_at(words, k)  # "Shabab fighters": the group's name before an armed noun
    return own is not None and k + len(own) < len(words) and words[k + len(own)] in ARMED_HEADS


def _subject(words: list[str], k: int) -> bool:
    """Whether the word at k is the subject of a change of hands ('Hodeidah fell', 'Hodeidah has been under ...',
    'Hodeidah was captured'): a place stands there, so a respelt name may be read."""
    nxt = words[k + 1] if k + 1 < len(words) else ""
    if nxt in _FALLS:
        return True
    return nxt in _SUBJECT_AUX and k + 2 < len(words) and words[k + 2] in _STATE_AFTER_AUX


_FALLS = frozenset("fell falls remains remained".split())
_SUBJECT_AUX = frozenset("has had was is".split())
_STATE_AFTER_AUX = frozenset(
    "been now under captured taken seized retaken recaptured liberated held controlled lost overrun".split()
)


def _in_report(
    gaz: Gazetteer,
    candidates: list[PlaceEntry],
    words: list[str],
    context: Context,
    named: Context,
    neighbours: dict[str, frozenset[str]],
) -> list[PlaceEntry]:
    """The candidates of a name, unless they are all small towns in countries the report never names: then a
    respelling where its places are ('Shabwa' for Yemen's 'Shabwah'), else a town of one country bordering a named
    one (a side fights across its border: 'Israeli troops took Jericho'), else no place. Countries named only
    through the sides ('Russian forces took Bakhmut') say who fights, not where: while no place fixes the
    report's countries, a name the world has one town of (or one far larger than its namesakes) is kept, as it
    would be in a report that names no country at all."""
    best = candidates[0] if candidates else None
    if best is None or best.curated or best.kind != CITY or best.population >= FOREIGN_POPULATION:
        return candidates
    countries = named() | context()
    if not countries or any(c.country_code in countries for c in candidates):
        return candidates
    if not context() and not ambiguous(candidates):
        return candidates
    respelt = [c for c in gaz.variant(words) if c.country_code in context()]
    if respelt:
        return respelt
    near = {n for iso in countries for n in neighbours.get(iso, ())}
    across = [c for c in candidates if c.country_code in near]
    return across if len({c.country_code for c in across}) == 1 else []


def shared_name(candidates: list[PlaceEntry]) -> bool:
    """Whether towns of 20,000 or more in more than one country bear this name ('San Pedro', 'Leon'): the name
    alone does not say which country a report is about."""
    return len({c.country_code for c in candidates if c.kind == CITY and c.population >= _RESPELT_ALONE}) > 1


def _local_namesake(candidates: list[PlaceEntry], context: Context) -> bool:
    """Whether a town of the report's own countries shares the name of a far larger one abroad ('Leon' in a
    Nicaraguan report, not Mexico's): a town of 20,000 or more there is meant."""
    if len(candidates) < 2 or candidates[0].curated or candidates[0].kind == COUNTRY:
        return False
    here = context()
    return (
        bool(here)
        and candidates[0].country_code not in here
        and any(c.country_code in here and c.kind == CITY and c.population >= _RESPELT_ALONE for c in candidates[1:])
    )


def ambiguous(candidates: list[PlaceEntry]) -> bool:
    """Whether the report's countries are needed to choose: not for a curated place, a country, or a place ten
    times the size of its namesakes ('Goma' in Congo, not the Philippine village)."""
    if len(candidates) < 2:
        return False
    best, second = candidates[0], candidates[1]
    return not (best.curated or best.kind == COUNTRY or best.population >= 10 * max(second.population, 1))


def _regions(gaz: Gazetteer, candidates: list[PlaceEntry], context: Context) -> list[PlaceEntry]:
    """What 'X region' names: a region called X, else the region around the town X ('the Kursk region')."""
    regions = [c for c in candidates if c.kind in (REGION, DISTRICT)]
    if regions:
        return regions
    town = pick(candidates, context())
    if town is not None and town.parent:
        around = [c for c in gaz.candidates(key_of(town.parent)) if c.kind == REGION]
        around = [c for c in around if c.country_code == town.country_code]
        if around:
            return around
    return candidates


def _person_tokens(tokens: list[Token], i: int, j: int) -> bool:
    nxt = tokens[j].low if j < len(tokens) else ""
    if nxt in _SPEECH:
        return True
    prev = tokens[i - 1] if i > 0 else None
    if prev is None:
        return False
    if _title(prev.text, i - 1 > 0):
        return True
    return prev.cap and i >= 2 and _title(tokens[i - 2].text, i - 2 > 0)


def _title(word: str, inside: bool) -> bool:
    """A word that puts a person's name after it: a title ('spokesman', 'Mr') or a rank written as one ('Admiral
    David Farragut'; 'major' in lower case, or opening a sentence, is an adjective: 'Major Kharkiv districts')."""
    low = word.lower().rstrip(".")
    return low in _NAME_TITLES or (word[:1].isupper() and low in RANKS and (inside or low != "major"))


def _cap_run(tokens: list[Token], i: int, limit: int = 5) -> int:
    """End of a run of capitalised words (with Arabic particles) starting at i."""
    j = i
    while j < len(tokens) and j - i < limit:
        t = tokens[j]
        if _capword(t) or (j > i and t.low in _PARTICLES and j + 1 < len(tokens) and _capword(tokens[j + 1])):
            j += 1
        else:
            break
    return j


#: The place an anaphor ('the town', 'it') refers to. A callable, because finding it means listing every place
#: the document names, and few noun phrases are anaphors.
LastPlace = Callable[[], Place | None]


def _no_place() -> Place | None:
    return None


def noun_phrase(tokens: list[Token], i: int, gaz: list[PlaceMention], last_place: LastPlace) -> list[Place]:
    """Places named by the noun phrase starting at token i (object of a control verb)."""
    n = len(tokens)
    if i < n and tokens[i].low in ("(", ")"):
        return []  # "the hills it held (from early May)": an aside, no object
    definite = False
    while (
        i < n
        and tokens[i].low in _DET
        and not (tokens[i].low == "more" and tokens[i + 1 : i + 2] and tokens[i + 1].low == "than")
    ):
        definite = definite or tokens[i].low in ("the", "its", "their")
        i += 1
    if i + 1 < n and tokens[i].low in ("this", "that") and tokens[i + 1].low in _ANAPHORA:
        definite, i = True, i + 1  # "captured this town", "that city": the place named before, as 'the town'
    i, definite = _strip_qualifiers(tokens, i, definite)
    owner = next((g.place for g in gaz if g.i == i and g.j == i + 1), None) if i + 1 < n else None
    if owner is not None and tokens[i + 1].start - tokens[i].end >= 2 and _capword(tokens[i]):
        # "Gaza's southern Rafah Crossing", "Sudan's El Fasher": the possessor locates the place after it
        owned = noun_phrase(tokens, i + 1, gaz, _no_place)
        if any(p.resolved for p in owned):  # "Ukraine's second-largest city, Kharkiv": the name, not its description
            owned = [p for p in owned if p.resolved or p.name[:1].isupper()]
        if owned:
            return [p if p.resolved or p.parent else _owned_by(p, owner) for p in owned]
    if not definite and not (i < n and tokens[i].low == "it"):
        last_place = _no_place  # "an area" introduces a new place; only "the area" points back
    apposed = _apposed_name(tokens, i, gaz)
    if apposed is not None:  # "the chief port of Asturias, Gijon": the name after the comma is the place
        return noun_phrase(tokens, apposed, gaz, _no_place)
    such = _such_as(tokens, i)
    if such is not None:  # "their remaining bases in the hills, such as A, B and C": the names
        return noun_phrase(tokens, such, gaz, _no_place)
    i = _after_area(tokens, i)
    bracketed = _bracketed_members(tokens, i, gaz)
    if bracketed:  # "hill villages around A (B, C and D)": the names in the parentheses
        return bracketed
    counted = count_place(tokens, i, gaz)
    if counted is not None:
        return members(tokens, _count_end(tokens, i), gaz) or [counted]
    listed = kind_list(tokens, i, gaz)
    if listed:
        return listed
    i = _skip_descriptor(tokens, i, gaz)
    for q in _QUANT:
        if tuple(t.low for t in tokens[i : i + len(q)]) == q:
            i += len(q)
            break
    places: list[Place] = []
    while i < n:
        j = i
        while j < n and tokens[j].low not in _STOP and j - i < 8 and not _ends_np(tokens, i, j):
            if tokens[j].low == "(":  # "Jabal (mountain) al-Mketaa": skip a short parenthesis
                close = next((m for m in range(j + 1, min(n, j + 5)) if tokens[m].low == ")"), None)
                if close is None:
                    break
                j = close + 1
                continue
            if tokens[j].low == "of" and j + 1 < n and _armed_after_of(tokens, j):
                break  # "cleared the town of Islamist insurgents": the men it was cleared of, no name
            if tokens[j].low == "of" and tokens[j - 1].low in _LISTING_HEADS and j + 1 < n and _capword(tokens[j + 1]):
                i = j = j + 1  # "the main towns of A and B": the names are the places
                continue
            if tokens[j].low == "of":
                nxt = tokens[j + 1] if j + 1 < n else None
                if j + 2 < n and tokens[j + 1].low == "the":
                    nxt = tokens[j + 2]
                if nxt is None or not (_capword(nxt) or tokens[j - 1].low in _PARTITIVE):
                    break
            j += 1
        if j == i or (tokens[j - 1].low in ARMED_HEADS and all(t.cap for t in tokens[i : j - 1])):
            break  # "the Free Aceh rebels' final hideout": a side that owns the place, not its name
        places.append(_np_place(tokens, i, j, gaz, last_place))
        while j < n and j - i < 14 and (_capword(tokens[j]) or tokens[j].low in ("(", ")") or _unit_number(tokens, j)):
            j += 1  # a long name cut at the length limit: "the camp of the Chad National Army (ANT) 2nd Regiment"
        parent_end = _past_parent(tokens, i, j, gaz)  # "Charleston, South Carolina, and Savannah": no conjunct
        parented, j = parent_end != j, parent_end
        j = _past_compass(tokens, j)  # "Bor in the north and Pibor in the east": a locative inside the list
        after = _dated(tokens, j)
        if after > j:  # "Gulu on March 3, and Kitgum on April 19": a named place after the date
            k = after + 1 if after < n and tokens[after].low == "," else after
            k = k + 1 if k < n and tokens[k].low == "and" else k
            bare = tokens[j].low != "in" or _ends_conjunct(tokens, k)  # "and Shanghai in May", not "and Bamako sent"
            if k > after and any(g.i == k for g in gaz) and not opens_clause(tokens, k) and bare:
                i = k
                continue
            break
        # coordination: "A, B and C" -> each capitalised conjunct is its own place
        serial = len(places) >= 2 or parented  # "A, B, and C"; not "Goma, and Sake residents fled"
        c = j + 1 + (serial and j + 2 < n and tokens[j].low == "," and tokens[j + 1].low == "and")
        nxt = tokens[c + 1] if c + 1 < n and tokens[c].low in ("the", "then") else tokens[c] if c < n else None
        spoken = any(t.low in SPOKEN for t in tokens[j + 1 : j + 7])  # "..., the Russian Defence Ministry said"
        k = j + 1 + (j + 1 < n and tokens[j + 1].low == "the")
        post = k + 1 < n and tokens[k].low in _FACILITY_MODIFIERS and tokens[k + 1].low in FACILITIES  # "the army base"
        # "A and the nearby town of B", "A and the river port of B": a described conjunct with its own name
        post = post or any(
            tokens[m].low in KINDS and tokens[m + 1].low == "of" and _capword(tokens[m + 2])
            for m in range(k, min(n - 2, k + 3))
        )
        if (
            j + 1 < n
            and tokens[j].low == ","
            and tokens[j + 1].low in ("the", "a", "an")  # 'Goma, Bukavu city and Uvira' is a list, not a description
            and k < n
            and (b := _cap_run(tokens, k)) > k
            and b < n
            and tokens[b].low in _APPOSED
        ):
            past = _past_aside(tokens, j)  # "Goma, the provincial capital, and Bukavu": the list goes on after it
            if past is None:
                break  # "Mekelle, the Tigray regional capital": a description of the place, not a second one
            i = past
            continue
        if nxt is not None and tokens[j].low in (",", "and") and count_place(tokens, k, gaz) is not None:
            places.extend(members(tokens, _count_end(tokens, k), gaz))  # "A and two more towns, B and C"
            break
        if (
            nxt is not None
            and tokens[j].low in (",", "and")
            and (_capword(nxt) or nxt.low in KINDS or post)
            and not spoken
        ):
            i = j + 1
            if tokens[i].low == "and" and i + 1 < n:
                i += 1
            if tokens[i].low in ("the", "then") and i + 1 < n:  # "Konna, then Diabaly", "A, and the town of B"
                i += 1
            if opens_clause(tokens, i) or _names_a_side(tokens, i):
                break  # "captured Goma and Kigali denied any role": a new clause's subject
            continue
        past = _past_aside(tokens, j)
        if past is not None and not spoken:  # "Mopti, 600 km north of the capital, and Sevare"; "A and, on Sunday, B"
            i = past
            continue
        break
    return _named_apposition(tokens, places)


#: Where a listed place lies, said inside the list: 'A in the west and B in the east'.
_COMPASS = frozenset("north south east west northeast northwest southeast southwest centre center".split())


def _compass_at(tokens: list[Token], k: int) -> bool:
    return (
        k + 2 < len(tokens) and tokens[k].low == "in" and tokens[k + 1].low == "the" and tokens[k + 2].low in _COMPASS
    )


def _past_compass(tokens: list[Token], k: int) -> int:
    """Past 'in the north' after a listed place at k when the list goes on with a name that ends the clause or has
    its own locative ('A in the north and B in the east'); k otherwise ('Bor in the north and Kiir sent troops')."""
    n = len(tokens)
    if not _compass_at(tokens, k) or k + 3 >= n or tokens[k + 3].low not in (",", "and"):
        return k
    m = k + 4 + (k + 4 < n and tokens[k + 4].low == "and")
    m += m < n and tokens[m].low == "the"
    end = m
    while end < n and _capword(tokens[end]):
        end += 1
    if end == m:
        return k
    return k + 3 if end == n or tokens[end].low in (",", ".", ";", ":") or _compass_at(tokens, end) else k


#: Plural heads whose of-phrase lists the places themselves: 'the towns of A and B', 'the strongholds of A, B and C'.
_LISTING_HEADS = SETTLEMENTS | frozenset(
    "strongholds bastions ports bases outposts garrisons posts positions buildings facilities installations".split()
)


def _apposed_name(tokens: list[Token], i: int, gaz: list[PlaceMention]) -> int | None:
    """Where a name starts that a comma sets after a described place at i ('the chief port of the Whites, Vaasa',
    'the provincial capital, Kunduz'): a place noun, perhaps 'of' and a name, a comma, then a single name that the
    next comma or the phrase's end closes; else None. A name after the comma that holds the one after 'of' is its
    parent, not the place ('the town of Kassala, Sudan', 'the port of Charleston, South Carolina')."""
    n = len(tokens)
    m = i
    while (
        m < n
        and m - i < 3
        and tokens[m].low not in _APPOSED_HEADS
        and tokens[m].low.isalpha()
        and not _capword(tokens[m])
    ):
        m += 1  # "chief", "main", "provincial": describing words before the head
    if m >= n or tokens[m].low not in _APPOSED_HEADS or _capword(tokens[m]):
        return None
    c = m + 1
    named = c  # where the name after 'of' starts
    if c < n and tokens[c].low == "of":
        c += 1 + (c + 1 < n and tokens[c + 1].low == "the")
        named = c
        while c < n and _capword(tokens[c]) and c - m < 7:
            c += 1
    if c + 1 >= n or tokens[c].low != "," or not _capword(tokens[c + 1]):
        return None
    end = c + 1
    while end < n and _capword(tokens[end]) and end - c < 4:
        end += 1
    if named < c and _holds(tokens, named, c, c + 1, end, gaz):
        return None
    return c + 1 if end == n or tokens[end].low in (",", ".", ";") or tokens[end].low in _STOP else None


def _past_parent(tokens: list[Token], i: int, j: int, gaz: list[PlaceMention]) -> int:
    """Past a region or country set after the place at i..j by commas ('Charleston, South Carolina, fell'), which
    holds it; j if none is there."""
    n = len(tokens)
    if not (j + 1 < n and tokens[j].low == "," and _capword(tokens[j + 1])):
        return j
    inner = next((g for g in gaz if g.j == j and i <= g.i), None)
    if inner is None:
        return j
    b = j + 1
    while b < n and _capword(tokens[b]) and b - j < 4:
        b += 1
    closed = b == n or tokens[b].low in (",", ".", ";") or tokens[b].low in _STOP
    return b if closed and _holds(tokens, inner.i, inner.j, j + 1, b, gaz) else j


def _holds(tokens: list[Token], i: int, j: int, a: int, b: int, gaz: list[PlaceMention]) -> bool:
    """Whether the name at a..b holds the place named at i..j: a country, or the region or country the gazetteer
    gives the place ('Kassala, Sudan'; 'Charleston, South Carolina')."""
    words = [t.low for t in tokens[a:b]]
    if len(words) > 1 and words[-1] in _ADMIN_HEADS:
        words.pop()  # "Bakhmut, Donetsk Oblast": the region the gazetteer names "Donetsk"
    outer = " ".join(words)
    inner = next((g.place for g in gaz if g.i == i and g.j == j), None)
    if inner is not None and inner.resolved and inner.name == inner.country:
        return False  # "Poland, Denmark, and Norway": countries listed, none holds another
    if inner is not None and outer in ((inner.parent or "").lower(), (inner.country or "").lower()):
        return True
    whole = next((g.place for g in gaz if g.i == a and g.j == b), None)
    return whole is not None and whole.resolved and whole.parent is None and whole.name == whole.country


#: Words before 'like' that make it a comparison, not a list: 'much like Wagner did', 'just like X'.
_NOT_LISTING_LIKE = frozenset("much just exactly very not more less unlike".split())


def _such_as(tokens: list[Token], i: int) -> int | None:
    """Where the names start when a plural place noun at or after i is followed by 'such as' or 'including' and a
    name, or right by 'like' ('the rebel strongholds on the coast, such as Kismayo and Barawe', 'border towns like
    Kassala and Gedaref'); else None."""
    n = len(tokens)
    for m in range(i, min(n - 2, i + 12)):
        low = tokens[m].low
        if low in (";", ".", ":") or low in _FINITE:
            return None
        like = low == "like" and m > i and tokens[m - 1].low not in _NOT_LISTING_LIKE  # not ", much like A"
        start = m + 2 if low == "such" and tokens[m + 1].low == "as" else m + 1 if low == "including" or like else None
        if start is not None:
            listed = any(tokens[x].low in _LISTING_HEADS for x in range(i, m))
            owner = _capword(tokens[start]) and possessive(tokens, _cap_run(tokens, start) - 1)  # "Ibrahim's house"
            return start if listed and _capword(tokens[start]) and not owner else None
    return None


#: Heads of a description that a name set off by a comma may follow: 'the chief port of the Republic, Gijon'.
_APPOSED_HEADS = frozenset("city town port capital stronghold bastion village base seat".split())


#: Nouns of a settlement or an area that a side may be cleared out of ('cleared the town of X insurgents').
_CLEARED_AREAS = frozenset("town city village area district region province countryside valley".split())


def _armed_after_of(tokens: list[Token], j: int) -> bool:
    """Whether 'of' after a settlement's or an area's noun at j opens armed men named by a capitalised adjective
    ('cleared the town of Islamist insurgents'), not a name; after a post they own it ('the base of the Guards')."""
    if j == 0 or tokens[j - 1].low not in _CLEARED_AREAS:
        return False
    k = j + 1 + (tokens[j + 1].low == "the")
    b = _cap_run(tokens, k)
    return k < b < len(tokens) and tokens[b].low in ARMED_HEADS


def _named_apposition(tokens: list[Token], places: list[Place]) -> list[Place]:
    """'the chief port of the Whites, Vaasa', 'the provincial capital, Kunduz': a description whose head is a place
    noun, then a name after a comma, is that name once, not two places."""
    if len(places) < 2 or places[0].resolved or not places[0].name[:1].islower():
        return places
    words = places[0].name.lower().split()
    head = words[words.index("of") - 1] if "of" in words else words[-1]
    named = places[1].resolved or places[1].name[:1].isupper()
    return places[1:] if head in _APPOSED_HEADS and named else places


#: Words that make a stretch between commas a clause of its own, not an aside inside a list of places.
NOT_ASIDE = frozenset("said says which who where when after before while but that as if".split())


def _past_aside(tokens: list[Token], j: int) -> int | None:
    """Where the next conjunct starts when an aside set off by commas sits between two places of a list
    ('A, some 40 km away, and B'; 'A and, on Sunday, B'): the token after 'and' (and 'the'), if a name or a
    described place follows; else None."""
    n = len(tokens)
    if j + 1 < n and tokens[j].low == "and" and tokens[j + 1].low == ",":
        j += 1
    elif not (j < n and tokens[j].low == ","):
        return None
    close = next((m for m in range(j + 2, min(n, j + 12)) if tokens[m].low in (",", ";", "(", ")")), None)
    if close is None or tokens[close].low != "," or any(t.low in NOT_ASIDE for t in tokens[j + 1 : close]):
        return None
    k = close + 1
    if tokens[j - 1].low != "and":
        if not (k < n and tokens[k].low == "and"):
            return None
        k += 1
    k += k < n and tokens[k].low == "the"
    if k < n and (_capword(tokens[k]) or (tokens[k].low in KINDS and k + 2 < n and tokens[k + 1].low == "of")):
        return None if opens_clause(tokens, k) else k
    return None


#: Finite verbs and auxiliaries that show a name to be the subject of a new clause, not one more place.
_FINITE = SPOKEN | frozenset(
    "is was are were has had have will would can could may might must shall should did does do denied denies vowed "
    "vows visited visits welcomed welcomes called calls urged urges".split()
)


def _ends_conjunct(tokens: list[Token], k: int) -> bool:
    """Whether the name at k stands alone as one more object: the sentence, a comma or a time phrase follows it
    ('... and Shanghai in May'), not a verb or a noun of its own ('and Bamako sent troops', 'Timbuktu residents')."""
    end = _cap_run(tokens, k)
    return end >= len(tokens) or tokens[end].low in (",", ".", ";", "in", "on", "by", "at", "during", "after")


def opens_clause(tokens: list[Token], k: int) -> bool:
    """Whether the name at k is followed by its own verb ('..., and Kigali denied any role', '... and Paris
    welcomed the news'): then it begins a clause and is no conjunct of a list of places."""
    end = _cap_run(tokens, k)
    if end >= len(tokens):
        return False
    nxt = tokens[end].low
    return nxt in _FINITE or (nxt.endswith("ed") and not tokens[end].cap and nxt not in ("occupied", "held"))


#: Heads of a description set after a place: "Mekelle, the Tigray regional capital", "Goma, the North Kivu city".
_APPOSED = frozenset(
    "capital regional provincial state city town village region province stronghold hub district county seat".split()
)


def _owned_by(place: Place, owner: Place) -> Place:
    """A place the gazetteer lacks, located by a possessor: 'Gaza's southern Rafah Crossing' is the Rafah crossing
    in Gaza, 'Goma's airport' Goma airport."""
    words = place.name.split()
    while len(words) > 1 and words[0].lower() in _DIRECTIONAL:
        words = words[1:]
    if words[-1].lower() in FACILITIES:
        return facility_place(words[-1].lower(), owner, " ".join(words[:-1]) or None)
    return make_place(" ".join(words), owner.name)


_NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten eleven twelve dozens hundreds".split())
_REPORTING = frozenset("reports reported report sources source agency news monitor observatory".split())


def _strip_qualifiers(tokens: list[Token], i: int, definite: bool) -> tuple[int, bool]:
    """Skip 'operational control of', 'most of the', 'large parts of' before the place itself."""
    n = len(tokens)
    for _ in range(3):
        low = tokens[i].low if i < n else ""
        if low in _CONTROL_QUALIFIERS and i + 1 < n and tokens[i + 1].low == "control":
            i += 1
        elif low in ("control", "hold", "possession") and i + 1 < n and tokens[i + 1].low in ("of", "over"):
            i += 2
        elif low in ("whole", "entirety", "all") and i + 1 < n and tokens[i + 1].low == "of":
            i += 2  # "the whole of Kobane", "all of Raqqa": the place, whole
        elif low in ("of", "over") and i > 0 and tokens[i - 1].low == "control":  # "full control of"
            i += 1
        elif (
            low in ("only", "sole", "whole", "entire", "last", "remaining", "final")
            and definite
            and i + 1 < n
            and tokens[i + 1].low not in _STOP_TIME_OR_OF
        ):
            i += 1  # "the sole district seat (it kept)", "its last base": a description, not the phrase's end
        elif low.endswith(("-held", "-controlled", "-occupied")) and i + 1 < n and _capword(tokens[i + 1]):
            i += 1  # "conquered Republican-held Catalonia": who held it is no part of its name
        elif _MEASURE.match(low) and i + 1 < n:
            i += 1  # "the 40-hectare Kilinochchi camp", "a 30-km stretch": a size, not a count of places
        elif low in _NEARBY and i + 1 < n and _capword(tokens[i + 1]):
            i += 1  # "nearby Ann township", "neighbouring Kupiansk": where it lies, not its name
        elif partitive_at(tokens, i) or (low in ("last", "remainder") and i + 1 < n and tokens[i + 1].low == "of"):
            i = _after_of(tokens, i)  # "most of X", "the last of the rebels' camps in X"
        else:
            break
        while i < n and tokens[i].low in _DET:
            definite = definite or tokens[i].low in ("the", "its", "their")
            i += 1
    return i, definite


_TIME_NOUNS = frozenset("week weeks month months year years night nights day days time minute hour hours".split())
_STOP_TIME_OR_OF = _STOP | _TIME_NOUNS | {"of"}


def partitive_at(tokens: list[Token], i: int) -> bool:
    """'most of', 'large parts of', 'the rest of' at i: the capture covers part of the place."""
    n = len(tokens)
    k = i + 1 if i < n and tokens[i].low in ("large", "big", "vast", "the", "a", "wide", "major", "key") else i
    if k + 2 < n and tokens[k + 1].low == "side" and tokens[k + 2].low == "of":
        return True  # "the Palestinian side of the crossing", "the eastern side of the city"
    return k + 1 < n and tokens[k].low in PARTITIVES and tokens[k + 1].low == "of"


def _after_of(tokens: list[Token], i: int) -> int:
    while i < len(tokens) and tokens[i].low != "of":
        i += 1
    return i + 1


_LIST_KINDS = SETTLEMENTS | frozenset("quarters wards suburbs camps hamlets redoubts forts outposts hills".split())


def people_not_town(word: str, found: list[PlaceEntry]) -> bool:
    """'fell to the Danes', 'the Romans': a one-word plural that the gazetteer knows only as towns names a people
    when 'the' stands before it (a town takes no article); callers check the article and that the report is of war."""
    return " " not in word and word.endswith("s") and bool(found) and all(e.kind == CITY for e in found)


def possessive(tokens: list[Token], k: int) -> bool:
    """Token k was followed by "'s" (the tokenizer drops it, leaving a three-character gap): "Ann's"."""
    return k + 1 < len(tokens) and tokens[k + 1].start - tokens[k].end == 3


#: Lower-case heads of an administrative unit's name ('Falam township', 'Idlib province').
_ADMIN_HEADS = frozenset("township province district region county state governorate oblast prefecture".split())


def kind_list(tokens: list[Token], i: int, gaz: list[PlaceMention]) -> list[Place]:
    """Names listed before a plural place noun, one place each: "Ann's A, B and C neighborhoods", "the A and B
    villages of Ann", also after a described head ('the junta's last posts in ...'); the possessive or 'of' place
    is their parent."""
    n = len(tokens)
    m = next((m for m in range(i, min(n, i + 7)) if tokens[m].low in ("in", ",", ";", "and", "which", "that")), None)
    k = m + 1 if m is not None and m > i and tokens[m].low == "in" else i
    if k < n and tokens[k].low == "the":
        k += 1
    j = _cap_run(tokens, k)
    if j == k:
        return []
    parent: str | None = None
    if j < n and tokens[j].low in _ADMIN_HEADS and possessive(tokens, j):  # "Falam township's A and B villages"
        parent = " ".join(t.text for t in tokens[k : j + 1])
        k = j + 1
        j = _cap_run(tokens, k)
        if j == k:
            return []
    split = next((p for p in range(k, j - 1) if possessive(tokens, p)), None)
    if split is not None:
        parent = " ".join(t.text for t in tokens[k : split + 1])
        k = split + 1
    names = [(k, j)]
    while j < n and tokens[j].low in (",", "and"):
        a = j + 2 if j + 2 < n and tokens[j + 1].low == "and" else j + 1
        b = _cap_run(tokens, a)
        if b == a:
            break
        names.append((a, b))
        j = b
    if len(names) < 2 or j >= n or tokens[j].low not in _LIST_KINDS:
        return []
    parent = parent or _parent_after(tokens, j + 1, gaz)
    found = {(g.i, g.j): g.place for g in gaz}
    return [found.get((a, b)) or make_place(" ".join(t.text for t in tokens[a:b]), parent) for a, b in names]


_DATE_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july august "
    "september october november december jan feb mar apr jun jul aug sep sept oct nov dec".split()
)


def _dated(tokens: list[Token], j: int) -> int:
    """End of a date after a place ('on November 14', 'on Sunday', 'on the 3rd', or a bare '26 October'); j if
    none is there."""
    n = len(tokens)
    if j + 1 < n and tokens[j].low == "in" and (tokens[j + 1].low in MONTHS or is_year(tokens[j + 1].low)):
        k = j + 1  # "took Nanking in April 1949 and Shanghai in May"
        while k < n and k - j < 4 and (tokens[k].low in MONTHS or is_year(tokens[k].low)):
            k += 1
        return k
    k = j + (j < n and tokens[j].low == "on")
    k += k > j and k < n and tokens[k].low == "the"
    if not (k < n and (tokens[k].low in _DATE_WORDS or _day_number(tokens[k].low))):
        return j
    if k == j and not (k + 1 < n and _day_number(tokens[k].low) and tokens[k + 1].low in _DATE_WORDS):
        return j  # without 'on' only a day and its month ('Skopje 26 October') is a date
    start = k
    while k < n and k - start < 5 and (tokens[k].low in _DATE_WORDS or tokens[k].low[:1].isdigit()):
        k += 1
    return k


def _day_number(word: str) -> bool:
    """'15', '20th', '1st': a day of a month."""
    digits = word.removesuffix("st").removesuffix("nd").removesuffix("rd").removesuffix("th")
    return digits.isdigit() and 1 <= int(digits) <= 31


_AREA_UNITS = frozenset("kilometres kilometers km miles hectares acres sq".split())


def _after_area(tokens: list[Token], i: int) -> int:
    """Past an area told before counted places ('1,200 square kilometres of territory, 74 settlements'): the
    settlements are the places; an area alone is none. i when no such area is there."""
    n = len(tokens)
    if i >= n or not tokens[i].low[:1].isdigit():
        return i
    m = i + 1
    if m < n and tokens[m].low == "square":
        m += 1
    if m >= n or tokens[m].low not in _AREA_UNITS:
        return i
    m += 1
    if m + 1 < n and tokens[m].low == "of":
        m += 2  # "of territory", "of land"
    if m + 1 < n and tokens[m].low in (",", "and") and count_place(tokens, m + 1, []) is not None:
        return m + 1
    return i


def count_place(tokens: list[Token], i: int, gaz: list[PlaceMention]) -> Place | None:
    """A set of places named by their number: '70 villages in Hasaka province', 'dozens of towns'."""
    n = len(tokens)
    for hedge in _COUNT_HEDGES:  # "more than 20 settlements", "some 40 villages"
        if tuple(t.low for t in tokens[i : i + len(hedge)]) == hedge:
            i += len(hedge)
            break
    if i >= n or not (tokens[i].low[:1].isdigit() or tokens[i].low in _COUNT_WORDS):
        return None
    for m in range(i + 1, min(n, i + 4)):
        low = tokens[m].low
        if low in SETTLEMENTS:
            name = " ".join(t.text for t in tokens[i : m + 1])
            return make_place(name, _parent_after(tokens, m + 1, gaz))
        if low in _STOP and low != "of":
            return None
    return None


_COUNT_HEDGES = (("more", "than"), ("at", "least"), ("over",), ("some",), ("about",), ("around",), ("nearly",))


def _count_end(tokens: list[Token], i: int) -> int:
    """Just past the plural head of the counted places at i ('several towns', 'more than 20 villages')."""
    return next((m + 1 for m in range(i + 1, min(len(tokens), i + 6)) if tokens[m].low in SETTLEMENTS), i)


_INTRODUCERS = (("including",), ("namely",), ("such", "as"), ("among", "them"), ("among", "which"), ("like",))
_LIST_ENDS = frozenset(". ; ) on in at last after before during this earlier later from".split())


def members(tokens: list[Token], k: int, gaz: list[PlaceMention]) -> list[Place]:
    """The names given for a set of places just told at k: 'several towns, including A, B and C', 'two more
    towns, A and B', 'villages such as A'. Without 'including' or the like, the names must end the clause, so that
    'two towns, Russian officials said' lists none."""
    n = len(tokens)
    bracketed = k < n and tokens[k].low == "("
    explicit = k < n and tokens[k].low in (":", "(")
    if k < n and tokens[k].low in (",", ":", "("):
        k += 1
    for intro in _INTRODUCERS:
        if tuple(t.low for t in tokens[k : k + len(intro)]) == intro:
            k += len(intro)
            explicit = True
            break
    names: list[tuple[int, int]] = []
    while k < n:
        k += tokens[k].low == "the"
        b = _cap_run(tokens, k)
        if b == k:
            break
        names.append((k, b))
        k = b
        k = _past_compass(tokens, k)  # "two more towns, A in the west and B in the east"
        nxt = k + 1 + (k + 1 < n and tokens[k + 1].low == "and")
        if k < n and tokens[k].low in (",", "and") and nxt < n and _capword(tokens[nxt]):
            k = nxt
            continue
        break
    if not names:
        return []
    if not explicit and (k < n and tokens[k].low not in _LIST_ENDS or any(t.low in SPOKEN for t in tokens[k : k + 6])):
        return []
    found = {(g.i, g.j): g.place for g in gaz}
    places = [found.get((a, b)) or make_place(" ".join(t.text for t in tokens[a:b])) for a, b in names]
    if bracketed and (k >= n or tokens[k].low != ")" or any(_no_member(p) for p in places)):
        return []  # "(AP)", "(Photo: AFP)", "(Syria)": a credit, a caption or the country, not the places' names
    return places


#: Words a parenthesis after places holds that are no place: agencies, captions, page layout.
_BRACKET_WORDS = frozenset(
    "ap afp reuters upi bbc cnn dpa efe ansa tass ria xinhua pti ians anadolu photo file left right pictured "
    "map video graphic above below inset".split()
)


def _no_member(place: Place) -> bool:
    """A name in a parenthesis that is no listed place: a credit or caption word, or a whole country."""
    words = place.name.lower().split()
    return words[0] in _BRACKET_WORDS or (place.resolved and place.country == place.name and place.lat is None)


def _bracketed_members(tokens: list[Token], i: int, gaz: list[PlaceMention]) -> list[Place]:
    """The names a parenthesis lists after plural places ('several villages (A, B and C)', 'hill villages of
    district X (A and B) and Y (C)'), read instead of the phrase itself (the district is then no place taken);
    only past a plural settlement noun and words that locate it, and none for a credit or a country."""
    n = len(tokens)
    k = i
    while (
        k < n and k - i < 3 and tokens[k].low not in SETTLEMENTS and tokens[k].low.isalpha() and not _capword(tokens[k])
    ):
        k += 1  # "several", "mountain", "border": words before the plural head
    if k >= n or tokens[k].low not in SETTLEMENTS:
        return []
    out: list[Place] = []
    k += 1
    while k < n:
        start = k
        while k < n and k - start < 8 and tokens[k].low != "(" and (tokens[k].low in _LOCATING or _capword(tokens[k])):
            k += 1  # "of the Tsvera district": where the listed places lie
        if k >= n or tokens[k].low != "(" or k + 1 >= n or not _capword(tokens[k + 1]):
            break
        listed = members(tokens, k, gaz)
        if not listed:
            break
        out.extend(listed)
        close = next((m for m in range(k + 1, min(n, k + 30)) if tokens[m].low == ")"), None)
        if close is None or close + 2 >= n or tokens[close + 1].low != "and" or not _capword(tokens[close + 2]):
            break
        k = close + 2  # "... (A and B) and Y (C)": another district's names
    return out


#: Words that may stand between plural places and the parenthesis naming them: 'of the X district'.
_LOCATING = frozenset("in of the district districts province provinces region regions area areas near around".split())


#: Seats of an administration, described before the place they serve: 'the district headquarters of Rolpa'.
_SEATS = frozenset("capital centre center headquarters seat".split())


def _skip_descriptor(tokens: list[Token], i: int, gaz: list[PlaceMention]) -> int:
    """Skip a description before a name in apposition: 'the capital Sanaa', 'the strategic port city Hodeidah'."""
    n = len(tokens)
    for m in range(i, min(n - 1, i + 4)):
        low = tokens[m].low
        if low in _STOP or low == "of":
            return i
        if low in ("capital", "city", "town", "village", "port") and any(g.i == m + 1 for g in gaz):
            return m + 1
        if low in _SEATS and tokens[m + 1].low == "of" and any(g.i == m + 2 for g in gaz):
            return m + 2  # "the provincial seat of Gulu", "the district centre of Tessit"
    return i


def _ends_np(tokens: list[Token], i: int, j: int) -> bool:
    """Noun-phrase boundary at j: numbers, reporting words, -ing verbs, or a new name after a place noun."""
    low = tokens[j].low
    if low[:1].isdigit() and j > i and tokens[j - 1].cap and tokens[j - 1].low in _NUMBERED:
        return False  # "Hill 60", "Height 223", "Highway 1": the number is the name
    if low[:1].isdigit() or (j > i and low in _NUMBER_WORDS) or low in _REPORTING:
        return True
    if j > i and low.endswith("ing") and low not in KINDS and not tokens[j].cap:
        after = tokens[j + 1].low if j + 1 < len(tokens) else ""
        return not (
            after in KINDS or after in _PLACE_HEADS or after in FACILITIES
        )  # "the mining hub", "fishing village"
    if j > i and low in ("they", "he", "she", "we", "it") and not tokens[j].cap:
        return True  # "the only regional capital they had seized": a relative clause starts
    prev = tokens[j - 1].low if j > i else ""
    return prev in KINDS and low != "of" and not (tokens[j - 1].cap and tokens[j].cap)


#: Kind words that belong to a name when capitalised after it ('Tiger Hill', 'Tahrir Square', 'Haifa Street'):
#: a landform's or a street's name keeps its head, where 'Khaldiyeh District' is the place Khaldiyeh.
_NAMING_KINDS = frozenset(
    "hill hills heights height ridge summit peak mountain mountains plain plains plateau valley island bridge "
    "square street road highway".split()
)


#: Place nouns a number names ('Hill 60', 'Height 776', 'Checkpoint 5').
_NUMBERED = frozenset("hill height point highway route checkpoint outpost post base camp kilometre".split())
_TOWN_NOUNS = frozenset("town township village city settlement hamlet commune".split())


def region_modifier(tokens: list[Token], g: PlaceMention) -> bool:
    """A region named only to place a town the text names elsewhere: 'the western Kayah State town', 'the
    Donetsk region village' (not 'the Donetsk region town of Kurakhove', nor 'Goma city')."""
    n = len(tokens)
    k = g.j
    region = g.place.resolved and g.place.lat is None  # first-level regions carry no coordinates
    if k + 1 < n and tokens[k].low in REGION_HEADS and tokens[k + 1].low in _TOWN_NOUNS:
        k += 1
        region = True
    if not region or k >= n or tokens[k].low not in _TOWN_NOUNS:
        return False
    return not (k + 2 < n and tokens[k + 1].low == "of" and _capword(tokens[k + 2]))


def _np_place(tokens: list[Token], i: int, j: int, gaz: list[PlaceMention], last_place: LastPlace) -> Place:
    inside = [g for g in gaz if i <= g.i < j + 4]
    words = [t.low for t in tokens[i:j]]
    if inside and inside[0].i == i and region_modifier(tokens, inside[0]):
        return last_place() or make_place(" ".join(words))  # the town meant was named before, or nowhere
    if inside and words[-1] in _DESCRIBED and inside[0].i == i and inside[0].j < j - 1:
        return last_place() or make_place(" ".join(words))  # "an Afar rebel stronghold": a people, not the place
    if (
        inside
        and i + 1 < inside[0].i < j
        and tokens[inside[0].i - 1].low == "of"
        and _describes(tokens, i, inside[0].i - 1, gaz)
    ):
        return sub_place(tokens, inside[0].i, gaz) or inside[0].place  # "the Congolese mining hub of Walikale"
    of = next((m for m in range(i + 1, j - 1) if tokens[m].low == "of"), None)
    if (
        of is not None
        and _capword(tokens[of + 1])
        and _describes(tokens, i, of, gaz)
        and _named_after_of(tokens, i, of)
    ):
        return make_place(
            " ".join(t.text for t in tokens[of + 1 : _cap_run(tokens, of + 1)])
        )  # "the oil hub of Heglig"
    if inside:
        first = inside[0]
        if first.i == i or (
            first.i == i + 2 and tokens[i].low in ("city", "town", "village", "province") and tokens[i + 1].low == "of"
        ):
            # "Raqqa", "the city of Raqqa" ... plus "X neighborhood in Raqqa" handled by sub_place
            sub = sub_place(tokens, i, gaz)
            return sub or first.place
        sub = sub_place(tokens, i, gaz)
        if sub:
            return sub
    sub = sub_place(tokens, i, gaz)
    if sub:
        return sub
    if words and words[-1] in _ANAPHORA and len(words) <= 2 and (last := last_place()) is not None:
        return last
    if words[-1:] == ["capital"] and len(words) == 2 and words[0] in _CAPITAL_OF and (last := last_place()):
        return last  # "the regional capital": the town named before, not the country's capital
    if words and words[-1] in _DESCRIBED and len(words) <= 5 and (last := last_place()) is not None:
        return last  # "the Tuareg rebel stronghold", "another al-Shabab stronghold town": a place named before
    if words and words[-1] in _DESCRIBED:
        return make_place(" ".join(words))  # "a Tuareg rebel stronghold" names no place: 'Tuareg' is its people
    if words == ["it"] and (last := last_place()) is not None:
        return last
    run = _cap_run(tokens, i)
    if i < run < j and tokens[run].low not in KINDS and not tokens[run].low[:1].isdigit():
        j = run  # "Bunagana marked a setback": a name ends where its capitals do
    name = " ".join(t.text for t in tokens[i:j])
    parent = None
    cleared = j + 1 < len(tokens) and tokens[j].low == "of" and _armed_after_of(tokens, j)
    anchor = None if cleared else _anchor(tokens, j, gaz)  # "the district of Taliban fighters": no place 'Taliban'
    if isinstance(anchor, PlaceMention):
        parent = anchor.place.name
        if all(w in KINDS or w in _DET for w in words) and anchor.i <= j + 4:
            # "villages east of Khanasser": the bare noun says little, keep the anchor in the name
            name = " ".join(t.text for t in tokens[i : anchor.j])
    elif anchor is not None:  # "rebel trenches in the area": the place the report is about
        found = last_place()
        parent = found.name if found is not None else f"the {anchor}"
    elif words in (["east"], ["west"], ["north"], ["south"]) and (found := last_place()) is not None:
        return make_place(f"{words[0]} {found.name}", found.name)  # "seized the east (of the city)"
    return make_place(name, parent)


def _describes(tokens: list[Token], i: int, of: int, gaz: list[PlaceMention]) -> bool:
    """Whether tokens[i:of] describe the place named after 'of' ('the Congolese mining hub', 'his home town', 'the
    Sudan oil hub', 'the northern Mozambique town'): common words, or a name (a nationality, a person's possessive)
    before them or a known place among them, ending on a noun for a whole place; 'the governor of', 'the outskirts
    of' and 'the airport of' are other phrases."""
    if tokens[of - 1].low not in _DESCRIBING_HEADS:
        return False
    k = _cap_run(tokens, i) if tokens[i].cap else i  # a leading name: 'Congolese', 'Sudan', "General Bozize's"
    named = {m for g in gaz if i <= g.i and g.j <= of for m in range(g.i, g.j)}
    return k < of and all(not t.cap or m in named for m, t in enumerate(tokens[k:of], k))


def _defined_acronym(tokens: list[Token], k: int) -> bool:
    """A word in capitals alone in parentheses right after a capitalised name: the name's acronym."""
    text = tokens[k].text
    return (
        len(text) >= 2
        and text.isupper()
        and 1 < k < len(tokens) - 1
        and tokens[k - 1].low == "("
        and tokens[k + 1].low == ")"
        and tokens[k - 2].cap
    )


def _names_a_side(tokens: list[Token], i: int) -> bool:
    """Whether the capitalised words at i are followed by an armed noun ('..., Biafran troops surrendered',
    '..., Tigray forces said'): a side opening its own clause, not one more place of a list."""
    if not _capword(tokens[i]):
        return False
    run = _cap_run(tokens, i)
    if run + 1 < len(tokens) and tokens[run + 1].low in FACILITIES:
        return False  # "Rutshuru police station": a facility named after a force
    return run < len(tokens) and tokens[run].low in ARMED_HEADS


def _named_after_of(tokens: list[Token], i: int, of: int) -> bool:
    """Whether the name after 'of' is the place: after a head that says so ('the oil hub of Heglig'), or after a
    town-like head described by a name or adjective before it ('the Communist capital of Xieng Khouang', 'the
    rebel capital of X'), unless that name is a common word ('the seat of Government')."""
    if tokens[of - 1].low in _PLACE_HEADS:
        return True
    if of - 1 == i or tokens[of - 1].low not in _TOWN_HEADS_OF:
        return False
    return load_wordlist().zipf(tokens[of + 1].low) < 4.5


#: Town-like heads whose name follows 'of' once a description stands before them.
_TOWN_HEADS_OF = _TOWN_NOUNS | {"port", "capital", "seat"}


#: Heads that say the name after 'of' is a place, even one the gazetteer lacks: 'the oil hub of Heglig'.
_PLACE_HEADS = frozenset("hub gateway crossroads junction enclave bastion stronghold heartland".split())
#: Heads of a description of the whole place named after 'of' (not a part of it, a person or a facility).
_DESCRIBING_HEADS = _PLACE_HEADS | frozenset(
    "town city village port capital seat hometown birthplace settlement township district province region "
    "governorate island oasis valley hamlet commune municipality".split()
)


_CAPITAL_OF = frozenset("regional provincial state district county departmental".split())
_ANCHOR_GAP = _DIRECTIONAL | frozenset(
    "the of and large parts part northeastern northwestern southeastern southwestern key capital".split()
)


def _anchor(tokens: list[Token], j: int, gaz: list[PlaceMention]) -> PlaceMention | str | None:
    """What locates a described place ('trenches in the area', 'land over wide stretches of eastern
    Chad'): a gazetteer place after a locative word, or an anaphor's head word; None if nothing does."""
    n = len(tokens)
    if j < n and tokens[j].low == "from":  # "won ground from Boko Haram over wide stretches of Borno"
        j = next((k for k in range(j + 1, min(n, j + 6)) if tokens[k].low in _LOCATIVE), n)
    if j >= n or tokens[j].low not in _LOCATIVE_OR_PP:
        return None
    pending: str | None = None  # "the capital of ...": the anaphor, unless a name follows
    for k in range(j + 1, min(n, j + 9)):
        g = next((x for x in gaz if x.i == k), None)
        if g is not None:
            return g
        low = tokens[k].low
        if low in _ANAPHOR_HEADS and any(t.low == "the" for t in tokens[j + 1 : k]):
            if not (k + 1 < n and tokens[k + 1].low == "of"):
                return low  # "in the area", "in the southern port city"
            pending = pending or low
            continue
        if low not in _ANCHOR_GAP and low not in _PP_PLACE and low not in KINDS and not tokens[k].cap:
            return pending
    return pending


_LOCATIVE = frozenset("in near outside above around across inside within on".split())
_PP_PLACE = frozenset("in of near outside east west north south northeast northwest southeast southwest around".split())
_LOCATIVE_OR_PP = _LOCATIVE | _PP_PLACE
_ANAPHOR_HEADS = _ANAPHORA | {"capital", "country"}


def antecedent(tokens: list[Token], k: int, gaz: list[PlaceMention]) -> Place | None:
    """The noun phrase a relative clause at k ('that', 'which') refers to: 'a key ridge in Kandahar province'."""
    j = k
    m = k - 1
    while m >= 0 and k - m <= 6:
        if tokens[m].low in _PP_PLACE and any(g.i > m for g in gaz if g.i < k):
            j = m
        m -= 1
    i = j
    while i > 0 and j - i < 5 and tokens[i - 1].low not in _STOP and tokens[i - 1].low not in _DET:
        i -= 1
    if i == j:
        return None
    head = _np_place(tokens, i, j, gaz, _no_place)
    d = i - 1 if i > 0 and tokens[i - 1].low in ("a", "an", "the") else i
    named = next((g.place for g in gaz if g.j == d - 1), None) if d > 0 and tokens[d - 1].low == "," else None
    if named is not None and not head.resolved and head.name.islower():
        return named  # "Gao, a major regional capital that the rebels had captured": the place described
    if not any(w in KINDS for w in head.name.lower().split()) and not head.resolved:
        adjacent = [g for g in gaz if g.j == k or (g.j == k - 1 and tokens[k - 1].low == ",")]
        if adjacent:  # "close to Kirkuk(,) which Kurdish troops retook": the place itself
            return adjacent[0].place
    if j < k and not head.parent:
        inside = [g for g in gaz if j < g.i < k]
        if inside:
            head = make_place(head.name, inside[0].place.name)
    return head


def sub_place(tokens: list[Token], i: int, gaz: list[PlaceMention]) -> Place | None:
    """'(the) al-Nahda neighborhood in Raqqa', 'the village of Hanida', 'the town of Manbij'."""
    n = len(tokens)
    if i < n and tokens[i].low == "the":
        i += 1
    for m in range(i, min(n - 2, i + 4)):  # "the key Georgian town of Gori": skip the description
        if tokens[m].low in _KIND_OR_DESCRIBED and tokens[m + 1].low == "of" and _capword(tokens[m + 2]):
            if tokens[m].low not in FACILITIES and not any(g.j == m for g in gaz):
                i = m  # not in "the Mong Ko area of Muse district", where a place names the area
            break
        if tokens[m].low in _STOP or tokens[m].low == "of":
            break
    facility = _facility(tokens, i, gaz)
    if facility is not None:
        return facility
    if (
        i < n
        and tokens[i].low in _KIND_OR_DESCRIBED
        and i + 2 < n
        and tokens[i + 1].low == "of"
        and _capword(tokens[i + 2])
        and not _armed_after_of(tokens, i + 1)  # "the town of Islamist insurgents": cleared of them
    ):
        j = _cap_run(tokens, i + 2)
        kind = tokens[i].low
        name = " ".join(t.text for t in tokens[i + 2 : j])
        g = next((x for x in gaz if x.i == i + 2), None)
        if kind in _DESCRIBED and not g:
            return make_place(name)  # "the rebel stronghold of Kidal": Kidal
        if kind in ("city", "town", "province", *_DESCRIBED) and g:
            return g.place
        parent = _parent_after(tokens, j, gaz)
        return g.place if g and not parent else make_place(name, parent)
    j = _cap_run(tokens, i)
    if j - i >= 2 and tokens[j - 1].low in _NAMING_KINDS and tokens[j - 1].low not in ("city", "town"):
        # "Tiger Hill", "Haifa Street": the kind word is the name's own, the first word no place of its own
        return make_place(" ".join(t.text for t in tokens[i:j]), _parent_after(tokens, j, gaz))
    if j - i >= 2 and tokens[j - 1].low in KINDS and tokens[j - 1].low not in ("city", "town"):
        j -= 1  # "Khaldiyeh District": the kind word is capitalised too
    at = kind_after_modifiers(tokens, j)  # "the Dbayeh refugee camp": the name, past the kind's modifiers
    if j > i and j < n and tokens[at].low in KINDS and not all(t.low in _DIRECTIONAL for t in tokens[i:j]):
        name = " ".join(t.text for t in tokens[i:j])
        parent = _parent_after(tokens, at + 1, gaz)
        g = next((x for x in gaz if x.i == i and x.j in (j, j + 1)), None)
        if g and g.place.parent and (not parent or parent == g.place.parent):
            return g.place
        if g and (at > j or tokens[j].low in ("city", "town", "province", "governorate", "countryside", "region")):
            return g.place  # "the Bunia market town": the town the gazetteer knows
        return make_place(name, parent)
    return None


#: Lower-case words between a place's name and its kind that say what sort of place it is: 'the Dbayeh refugee
#: camp', 'the Zamzam displacement camp', 'the Mutla army post', 'the Bunia market town'.
KIND_MODIFIERS = frozenset(
    "refugee displacement idp border frontier market garrison military army air naval police mining oil fishing "
    "coastal desert mountain transit".split()
)


def kind_after_modifiers(tokens: list[Token], j: int) -> int:
    """Where a kind word stands at j past one or two `KIND_MODIFIERS` ('refugee camp', 'army base'), else j."""
    m = j
    while m < len(tokens) and m - j < 2 and tokens[m].low in KIND_MODIFIERS:
        m += 1
    return m if m > j and m < len(tokens) and tokens[m].low in KINDS else j


def _facility_head(tokens: list[Token], k: int) -> bool:
    """Whether the word at k heads a facility: 'airport', 'base'; 'camp' after an armed owner ('the army camp in X',
    'a rebel camp near Y'), where a bare 'camp' is a camp of displaced people, a place of its own."""
    low = tokens[k].low
    if low in FACILITIES:
        return True
    owners = _CAMP_OWNERS if low == "camp" else _COMPLEX_OWNERS if low == "complex" else frozenset()
    return k > 0 and tokens[k - 1].low in owners


#: Words before 'complex' that make it a facility: 'a government complex', 'the presidential complex'.
_COMPLEX_OWNERS = frozenset("government presidential military army industrial security police palace".split())
#: Kinds of settlement that name a facility's town: 'the base in the town of X'.
_TOWN_KINDS = frozenset("city town village".split())
#: Words before 'camp' that make it a military post: 'the army camp', 'a training camp'.
_CAMP_OWNERS = frozenset("army military rebel police gendarmerie training militia".split())


def facility_place(head: str, parent: Place | None, name: str | None = None) -> Place:
    """A facility in a place, one id whatever the wording: 'Goma airport', 'the airport in Goma'."""
    head = "airbase" if head == "air base" else head
    if parent is None:
        return make_place(f"{name} {head}" if name else head)
    label = f"{name or parent.name} {head}"
    return Place(
        id=f"{parent.id}/{slug(name) + '-' if name else ''}{head.replace(' ', '-')}",
        name=label,
        parent=parent.name,
        country=parent.country,
        lat=parent.lat,
        lon=parent.lon,
        resolved=parent.resolved,
    )


def _facility(tokens: list[Token], i: int, gaz: list[PlaceMention]) -> Place | None:
    """'Tabqa airbase', 'Goma's airport', 'the airport in Goma', 'the Mosul dam', 'the Bab al-Hawa border crossing'."""
    n = len(tokens)
    if i < n and tokens[i].low == "command" and i > 0 and tokens[i - 1].low == "the":
        # "the command of the 1st Infantry Division": the unit's command post, a place ('took command of' is none)
        return _owned_facility(tokens, i, gaz) if i + 2 < n and tokens[i + 1].low == "of" else None
    m = i
    while m < n and m - i < 3 and (tokens[m].low in _POST_MODIFIERS or (m == i and tokens[m].cap and i + 1 < n)):
        m += 1  # "the Burkinabe army post at Djibo", "a gendarmerie base in Arbinda": the kind of post, not a name
    if i < m < n and _facility_head(tokens, m) and not any(g.i == i for g in gaz):
        located = _facility(tokens, m, gaz)
        if located is not None and located.parent is not None:
            if tokens[m].low == "base" and tokens[m - 1].low == "air" and located.id.endswith("/base"):
                # "the Russian air base at Hmeimim" is Hmeimim airbase, one id with 'Hmeimim airbase'
                name = located.name.removesuffix("base") + "airbase"
                return located.model_copy(update={"id": located.id.removesuffix("base") + "airbase", "name": name})
            return located
    if i < n and _facility_head(tokens, i):  # "the airport in/of/near Goma"
        if i + 1 < n and tokens[i + 1].low in ("in", "of", "near", "outside", "at"):
            g = next(
                (
                    x
                    for x in gaz
                    if x.i in (i + 2, i + 3)
                    and tokens[i + 2].low in ("the", x.place.name.lower().split()[0], tokens[x.i].low)
                ),
                None,
            )
            kind = i + 2 + (i + 2 < n and tokens[i + 2].low == "the")
            if g is None and kind + 2 < n and tokens[kind].low in _TOWN_KINDS and tokens[kind + 1].low == "of":
                g = next((x for x in gaz if x.i == kind + 2), None)  # "a complex in the city of Ramadi"
            if g is not None:
                return facility_place(tokens[i].low, g.place)
            if tokens[i + 1].low == "of":
                return _owned_facility(tokens, i, gaz)
            k = i + 2 + (i + 2 < n and tokens[i + 2].low == "the")
            if (
                k < n
                and tokens[k].cap
                and tokens[i + 1].low in ("in", "at")
                and _DATE_WORDS.isdisjoint(tokens[k].low.split("-"))
            ):
                # "its headquarters in Kokang Zone": a parent the gazetteer lacks (not "the base in January")
                return facility_place(
                    tokens[i].low, make_place(" ".join(t.text for t in tokens[k : _cap_run(tokens, k)]))
                )
        return None
    if i < n and possessive(tokens, i) and not tokens[i].cap:  # "the navy's bases in Kyaukphyu township"
        m = i + 1
        while m < n and m - i <= 3 and tokens[m].low in _FACILITY_MODIFIERS:
            m += 1
        low = tokens[m].low if m < n else ""
        head = low if low in FACILITIES else low[:-1] if low.endswith("s") else ""  # "last base", "outposts"
        if head in FACILITIES and low not in ("headquarters", "barracks"):
            parent_name = _parent_after(tokens, m + 1, gaz)
            parent = next((x.place for x in gaz if x.place.name == parent_name), None)
            return facility_place(head, parent) if parent is not None else None
    j = _cap_run(tokens, i)
    if j == i or j >= n:
        return None
    name_end = m = j
    while m < n and m - j < 2 and tokens[m].low in _MATERIALS:
        m += 1
    if j < m < n and tokens[m].low in FACILITIES:
        j = m  # "the Azovstal metallurgical plant", "the Mosul oil refinery": the kind of plant is no part of its name
    head = tokens[j].low
    if head == "border" and j + 1 < n and tokens[j + 1].low == "crossing":
        head = "border crossing"
    elif head == "air" and j + 1 < n and tokens[j + 1].low == "base":
        head = "air base"
    elif head in ("military", "army") and j + 1 < n and tokens[j + 1].low in FACILITIES:
        head = tokens[j + 1].low
    elif head not in FACILITIES:
        return None
    g = next((x for x in gaz if x.i == i and x.j == name_end), None)
    if g is not None:
        return facility_place(head, g.place)
    parent_name = _parent_after(tokens, j + len(head.split()), gaz)
    parent = next((x.place for x in gaz if x.place.name == parent_name), None)
    return facility_place(head, parent, " ".join(t.text for t in tokens[i:name_end]))


#: What a facility makes or holds, between its name and its head: 'the Baiji oil refinery'.
_MATERIALS = frozenset(
    "oil gas steel iron metallurgical chemical power nuclear thermal hydroelectric cement sugar fuel grain water "
    "electricity coal coke military naval air".split()
)
_FACILITY_MODIFIERS = frozenset(
    "last remaining military army main key strategic former paramilitary police regional local".split()
)


#: Who keeps a post, before its head word: 'the army post at Djibo', 'a gendarmerie base in Arbinda'.
_POST_MODIFIERS = _FACILITY_MODIFIERS | frozenset("gendarmerie security border naval navy air government rebel".split())


#: Owners of units in a possessive before a unit's name: "the base of the army's 16th Division".
_UNIT_OWNERS = frozenset("army military junta regime militia".split())
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)")


def _unit_number(tokens: list[Token], j: int) -> bool:
    """An ordinal that starts a unit's name: '1st Infantry Division', '22nd Brigade'."""
    return j + 1 < len(tokens) and bool(_ORDINAL.fullmatch(tokens[j].low)) and tokens[j + 1].cap


def _owned_facility(tokens: list[Token], i: int, gaz: list[PlaceMention]) -> Place | None:
    """A facility named by its owner: 'the depot of the paramilitary Rapid Action Battalion in Khulna',
    'the offices of the National Treasury'. The owner must be a capitalised name; the place after it, if any,
    is the parent."""
    n = len(tokens)
    k = i + 2
    if k < n and tokens[k].low == "the":
        k += 1
    while k < n and tokens[k].low in _FACILITY_MODIFIERS and not tokens[k].cap:
        k += 1
    if k + 1 < n and tokens[k].low in _UNIT_OWNERS and tokens[k].end < tokens[k + 1].start - 1:
        k += 1  # "the base of the army's 16th Division": the unit is the name
    if k < n and _ORDINAL.fullmatch(tokens[k].low) and k + 1 < n and tokens[k + 1].cap:
        k += 1  # "16th Infantry Division": the ordinal is read with the name below
        ordinal = tokens[k - 1].text
    else:
        ordinal = ""
    j = _cap_run(tokens, k)
    if j > k and j + 1 < n and tokens[j].low in _UNIT_OWNERS and _unit_number(tokens, j + 1):
        j += 1  # "the Sudanese army 1st Infantry Division"
    if j > k and _unit_number(tokens, j):
        j = _cap_run(tokens, j + 1)  # "the Sudanese Armed Forces 1st Infantry Division"
    while j + 2 < n and tokens[j].low == "(" and tokens[j + 2].low == ")":  # "Chad National Army (ANT) Second ..."
        j = _cap_run(tokens, j + 3) if _capword(tokens[j + 3]) else j + 3 if j + 3 < n else j
    if j == k or any(g.i == k for g in gaz):
        return None
    end = j
    while j < n and j - end < 2 and tokens[j].low.isalpha() and tokens[j].low not in _STOP_OR_KIND:
        j += 1  # "the Burkinabe militia"
    if j < n and tokens[j].low not in _STOP:
        j = end
    name = " ".join([ordinal, *(t.text for t in tokens[k:j] if t.low not in ("(", ")"))]).strip()
    if j < n and tokens[j].low in ("in", "at", "near"):
        parent_name = _parent_after(tokens, j, gaz)
        parent = next((x.place for x in gaz if x.place.name == parent_name), None)
        if parent is None and j + 1 < n and tokens[j + 1].cap:  # "in Boulkessi": a town the gazetteer lacks
            parent = make_place(" ".join(t.text for t in tokens[j + 1 : _cap_run(tokens, j + 1, 3)]))
    else:
        parent = None
    return facility_place(tokens[i].low, parent, name)


def _parent_after(tokens: list[Token], j: int, gaz: list[PlaceMention]) -> str | None:
    if j < len(tokens) and tokens[j].low in ("in", "of", "near", "outside", "east", "west", "north", "south"):
        k = j + 1
        while k < len(tokens) and k <= j + 4:
            g = next((x for x in gaz if x.i == k), None)
            if g:
                return g.place.name
            if not tokens[k].low.isalpha() and tokens[k].low != "of":
                break
            k += 1
    return None


def listed_places(tokens: list[Token], kind: str, gaz: list[PlaceMention]) -> list[Place]:
    """Places listed after a plural noun: 'the hamlets of Bir Hakeim and Ain Zala (south of Tobruk)'."""
    n = len(tokens)
    for i in range(n - 2):
        if tokens[i].low != kind or tokens[i + 1].low != "of":
            continue
        names: list[tuple[int, int]] = []
        k = i + 2
        while k < n:
            j = _cap_run(tokens, k)
            if j == k:
                break
            names.append((k, j))
            if j < n and tokens[j].low in (",", "and"):
                k = j + 1
                if k < n and tokens[k].low == "and":
                    k += 1
                continue
            break
        if names:
            end = names[-1][1]
            later = [g for g in gaz if end <= g.i <= end + 8]
            parent = later[0].place.name if later else None
            out = []
            for a, b in names:
                g = next((x for x in gaz if x.i == a and x.j == b), None)
                out.append(g.place if g else make_place(" ".join(t.text for t in tokens[a:b]), parent))
            return out
    return []
