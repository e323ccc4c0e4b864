"""Control changes and continuing states.

Clause patterns around a trigger:  ACTOR seized PLACE (from PREV);  PLACE was captured by ACTOR;  PLACE fell
to ACTOR;  the capture of PLACE by ACTOR;  PREV withdrew from PLACE, leaving it to ACTOR;  PLACE held by
ACTOR since T (a change at T).  Triggers under an attempt, intention, negation or denial are dropped
(`stance.blocked`); 'rebel-held X' and 'held by X' without 'since' are states, never changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache

from schemas.events import Actor, Event, EventKind, Place

from .actors import ActorMention, adverb, fallback_actor, prefix_actor
from .actors import dateline_end as _dateline_end
from .arguments import (
    actor_at,
    actor_left,
    after_preposition,
    agent_people,
    commander_taker,
    dashed_aside,
    discourse_actor,
    discourse_commander,
    named_commander,
    nationality_at,
    opening_adjunct_subject,
    people_at,
    state_at,
    subject_position,
)
from .build import make_event
from .document import Document, Sentence
from .gazetteer import COUNTRY, CURATED, REGION, PlaceEntry
from .lexicons import ARMED_HEADS, RANKS, Lexicons, PhraseSet, fold, phrase, slug
from .places import (
    FACILITIES,
    KIND_MODIFIERS,
    KINDS,
    NOT_ASIDE,
    REGION_HEADS,
    SETTLEMENTS,
    SPOKEN,
    LastPlace,
    PlaceMention,
    antecedent,
    count_place,
    facility_place,
    listed_places,
    make_place,
    noun_phrase,
    partitive_at,
    possessive,
    region_modifier,
    sub_place,
)
from .sentences import Token, headline
from .stance import blocked, denied
from .times import MONTHS, WEEKDAYS, is_year
from .wordlist import load_wordlist

TERRITORY = KINDS | frozenset(
    "positions position buildings building territory territories parts part towns posts post station headquarters "
    "bases areas ground land villages hills neighborhoods neighbourhoods districts city east west north south "
    "centre center palace ministry compound facility facilities oil gas camps sites site command".split()
)
NOT_TERRITORY = frozenset(
    "fighters soldiers militants weapons tanks vehicles ammunition hostages prisoners members leader commander "
    "people civilians journalists men women children arms equipment cars trucks drugs ship boat aircraft plane "
    "documents cash money power initiative lead momentum place part office note time steps refuge shelter care "
    "hostage hostages captive captives prisoner aim responsibility action measures advantage charge over fire fires "
    "blaze situation outbreak epidemic crowd crowds traffic prices damage flooding floods boats ships haul cache "
    "caches stockpile stockpiles rifles guns mines missiles rockets helicopters planes jets convoy convoys supplies "
    "cattle livestock".split()
)
#: Titles before a person's name and words of organisations' names: what a capture verb's object is then not.
_TITLES = frozenset(
    "general gen. colonel col. commander president minister leader chief mr mrs ms dr sheikh emir warlord "
    "lieutenant major captain brigadier prince king former deputy governor mayor head spokesman envoy".split()
)
_BODIES = frozenset(
    "nations council union committee organisation organization agency bank party movement commission government "
    "administration authorities regime cabinet parliament assembly".split()
)
_PASSIVE_AUX = frozenset("was were been being is are".split())
#: What may stand between a subject and its verb, walked over leftwards: 'Y has finally been driven out'.
_AUX = _PASSIVE_AUX | {"has", "have", "had"}
_AUX_OR_ADVERB = _AUX | {"finally", "eventually", "quickly", "later", "then", "also", "already", "soon", "subsequently"}
_REGAIN = ("regained", "retook", "recaptured", "won", "restored", "took", "retaken", "recapture", "liberated")
_BUILDINGS = frozenset(
    "school theatre theater building hospital embassy church mosque hotel bus plane ship station office".split()
)
_ADJ_BEFORE = frozenset("the a an its their newly recently already previously once".split())
_FORCE = frozenset("forced forcing compelled drove pushed".split())


_COUNTS = frozenset(
    "two three four five six seven eight nine ten dozen dozens several scores hundreds string series handful number "
    "couple cluster chain".split()
)
_RELATIVES = frozenset(("that", "which", "where"))
_PRONOUNS = frozenset("it they he she we which that this who them".split())


def _said_that(sent: Sentence, k: int) -> bool:
    """Whether 'that' at k follows a verb of saying, directly or past its hearer ('said that', 'told Reuters that',
    'told them that'): what was said follows; 'said the airport that the rebels seized' keeps its relative."""
    words, tokens = sent.words, sent.tokens
    if k > 0 and words[k - 1] in SPOKEN:
        return True
    hearer = k > 1 and (tokens[k - 1].cap or words[k - 1] in ("them", "him", "her", "us", "me", "reporters"))
    return hearer and words[k - 2] in SPOKEN


def _partial_after(sent: Sentence, i: int) -> bool:
    """'seized most of Aleppo', 'took control of large parts of the city': the change covers part of the place.
    Read right after the trigger, up to the first place the gazetteer names."""
    stop = next((g.i for g in sent.places if g.i > i), min(len(sent.tokens), i + 7))
    return any(partitive_at(sent.tokens, k) for k in range(i + 1, min(stop, i + 7)))


#: Words opening a description of an unnamed member of a set: 'one of the main cities', 'another of its towns'.
_PARTITIVE_HEADS = frozenset("one another each either any".split())


#: Verbs and nouns that take a whole country, of any size: 'Egypt had conquered Sudan', 'the conquest of Peru'.
_CONQUERING = ("conquer", "reconquer", "conquest", "reconquest")


def _whole_country(place: Place) -> bool:
    """A country as a whole (the gazetteer's country entry, no point on the map), not a place in it."""
    return place.resolved and place.country == place.name and place.lat is None


def _is_territory(place: Place, sent: Sentence) -> bool:
    words = place.name.lower().split()
    if not words or words[0] in _PRONOUNS or words[0] in ("command", "where", "when", "how", "what"):
        return False  # "took command of the brigade" is leadership; a unit's command post is "the X command"
    if _whole_country(place):
        # a whole country is not what a unit captures, unless it is small enough to be taken whole (`emit` also
        # wants an armed taker for it: a team or a film hero takes none)
        return place.name in sent.binder.lex.states.small
    if not place.resolved and words[1:2] == ["of"] and words[0] in _PARTITIVE_HEADS:
        return False  # "one of the region's largest towns": a description, not a place an alert can name
    if any(w in NOT_TERRITORY for w in words) and not place.resolved and FACILITIES.isdisjoint(words):
        return False  # "a handful of captives in Goma" is located, but people are no territory
    if not place.resolved and sent.binder.lex.states.words.match_at(words, 0) == tuple(words):
        return False  # "parts of Marawi, Philippine officials said": a nationality, not a second place
    named = place.name.split()
    if not place.resolved and words[0] in _TITLES and (len(words) == 1 or words[1] == "of" or named[1][:1].isupper()):
        return (
            False  # "captured General X", "the deputy of Kassala province": a person ('the general hospital' is none)
        )
    if not place.resolved and TERRITORY.isdisjoint(words) and FACILITIES.isdisjoint(words):
        if not _BODIES.isdisjoint(words):
            return False  # "the United Nations": a body, not a place
    if place.resolved:
        return True
    if place.parent:  # located ('the title in Belgrade', 'Athens' stock exchange'): still a name or a place noun
        has_name = any(w[:1].isupper() or w[:3] in ("al-", "el-") for w in place.name.split())
        if not has_name and all(w in SETTLEMENTS for w in words):
            return False  # "seized villages in X district": no count and no name, so no place an alert can name
        return has_name or not (
            TERRITORY.isdisjoint(words) and FACILITIES.isdisjoint(words) and SETTLEMENTS.isdisjoint(words)
        )
    if words[0][:1].isdigit() or words[0] in _COUNTS:
        return any(w in SETTLEMENTS for w in words)  # "70 villages"
    # a place the gazetteer does not know needs a name: "the building" or "the eastern border" is no place
    return any(w[:1].isupper() or w[:3] in ("al-", "el-") for w in place.name.split()) and not any(
        a.actor.mention and a.actor.mention.lower() in place.name.lower() for a in sent.actors
    )


def _named_or_territory(place: Place) -> bool:
    """A place that a hold can be about: a gazetteer place, a proper name, or a place noun ('a rally' is none)."""
    words = place.name.split()
    return place.resolved or any(w[:1].isupper() for w in words) or not TERRITORY.isdisjoint(map(str.lower, words))


_TIME_WORDS = frozenset(
    "on in at by during late early last this the of morning afternoon evening night dawn noon midday day week "
    "month year , monday tuesday wednesday thursday friday saturday sunday january february march april may june "
    "july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec".split()
)


def _past_time(words: list[str], k: int, limit: int = 10) -> int:
    """End of a time phrase at k ('on Tuesday, March 4, 2031,', 'in early June'); k if there is none."""
    if k >= len(words) or words[k] not in ("on", "in", "at", "by", "during", "late", "early", "last", ","):
        return k
    m = k
    while m < len(words) and m - k < limit and (words[m] in _TIME_WORDS or words[m][:1].isdigit()):
        m += 1
    return m if any(w not in ("on", "in", "at", "by", ",", "the", "of") for w in words[k:m]) else k


def _appositive_subject(sent: Sentence, i: int) -> Place | None:
    """'Bukavu, the capital of South Kivu, fell ...', 'Goma, Congo's largest eastern city, fell ...': the place
    before a comma-enclosed description at i."""
    words, tokens = sent.words, sent.tokens
    if i < 3 or words[i - 1] != ",":
        return None
    for c in range(i - 2, max(0, i - 25), -1):
        if words[c] == ",":
            d = c + 1 + (words[c + 1] in ("once", "formerly", "long", "until", "then"))  # "X, once a stronghold of Y,"
            if words[d] in ("the", "a", "an", "its") or (d + 2 < i and tokens[d].cap and possessive(tokens, d)):
                g = next((g for g in sent.places if g.j == c), None)
                return g.place if g else None
            return None
    return None


def dateline_end(doc: Document) -> int:
    """End offset of the report's dateline ('CAIRO (Reuters) -'): its place is no antecedent or subject."""
    return _dateline_end(doc.text)


def _located(sent: Sentence, doc: Document) -> list[PlaceMention]:
    """The sentence's gazetteer places, less a dateline's."""
    if sent.index:
        return sent.places
    end = dateline_end(doc)
    return [g for g in sent.places if sent.tokens[g.i].start >= end] if end else sent.places


def _town_hits(doc: Document, floor: int, pos: int) -> Iterator[tuple[int, PlaceEntry]]:
    """The gazetteer hits between `floor` and `pos` that 'the town' may point back to: no country, no curated
    sub-place, no reference point of a distance ('60 km from X')."""
    for start, entry in doc.local_hits:
        if start >= pos:
            break
        if start < floor or entry.kind == COUNTRY or (entry.kind == CURATED and entry.parent):
            continue
        if not _measures_only(doc, start):
            yield start, entry


def last_place(doc: Document, pos: int) -> Place | None:
    """The place 'the town', 'it' or 'the stronghold' before `pos` refers to: the last one named, neither a
    country, a first-level region ('Rakhine state' is no town), a curated sub-place, nor the dateline's."""
    best, best_start = None, 0
    for start, entry in _town_hits(doc, dateline_end(doc), pos):
        if entry.kind == REGION and _region_named(doc, start):
            continue
        if best is not None and best.parent and entry.name != best.name and fold(entry.name) == fold(best.parent):
            continue  # "Ciudad Juarez, Chihuahua", "Mitu, the capital of Vaupes": the region only locates it
        best, best_start = entry, start
    # a respelt name of this sentence ('the retreat from Izium, ... the town') is not among the document's hits
    view = doc.view(doc.sentence_of(pos))
    near = [
        g
        for g in view.places
        if best_start < view.tokens[g.i].start < pos and g.place.resolved and not _in_distance_aside(view, g.i)
    ]
    if near and near[-1].place.id.count("/") >= 2 and not _region_named(doc, view.tokens[near[-1].i].start):
        return near[-1].place
    if best is None:
        return _unknown_antecedent(doc, pos)
    return _as_written(doc, best_start, best)


def last_places(doc: Document, pos: int, count: int) -> list[Place]:
    """The places 'both towns' or 'the two cities' before `pos` refer to: the last `count` distinct towns named in
    its sentence or the two before (no country, region or the dateline's place), or none if fewer were named."""
    floor = max(dateline_end(doc), doc.spans[max(0, doc.sentence_of(pos) - 2)][0])  # this and two sentences before
    found: list[Place] = []
    for start, entry in _town_hits(doc, floor, pos):
        if entry.kind == REGION:
            continue
        place = _as_written(doc, start, entry)  # as written: two names GeoNames merges are two towns here
        found = [p for p in found if p.name != place.name] + [place]
    return found[-count:] if len(found) >= count else []


def _both_before(words: list[str], k: int) -> bool:
    """'Both towns' or 'the two towns' at k, all of them: not 'one of the two towns', 'neither of', 'another two'."""
    if k > 0 and words[k - 1] == "both":
        start = k - 1
    elif k > 1 and words[k - 2 : k] == ["the", "two"]:
        start = k - 2
    else:
        return False
    return start == 0 or words[start - 1] not in ("of", "one", "neither", "either", "another", "only")


#: Plural place nouns that 'both' or 'the two' make an anaphor of: 'Both cities fell to the Mongols'.
_PLURAL_ANAPHORA = frozenset("cities towns villages ports forts fortresses strongholds garrisons".split())


#: Words after which a capitalised name is a place: 'attacked Baga', 'fighting in Gwoza'.
_PUT_BEFORE = frozenset(
    "in at near into towards toward outside attacked reached besieged stormed entered raided shelled surrounded "
    "encircled overran "
    # the historic present of timelines ('Hannibal lays siege to X ... the Carthaginians take the city'); not
    # the forms that are nouns too ('the attack', 'Storm Ciara')
    "attacks reaches besiege besieges storms enter enters raids shells surround surrounds encircle encircles "
    "overruns".split()
)


def _kind_of_name(sent: Sentence, region: PlaceMention, limit: int) -> Place | None:
    """A name the gazetteer lacks after 'town of' that follows a region ('the Darfur town of Tawila'), before the
    verb at `limit`: that town, located in the region."""
    words, tokens = sent.words, sent.tokens
    k = region.j
    if k + 2 >= limit or words[k] not in _TOWN_HEADS or words[k + 1] != "of" or not tokens[k + 2].cap:
        return None
    end = k + 2
    while end < limit and end - k < 5 and tokens[end].cap:
        end += 1
    if any(g.i == k + 2 for g in sent.places) or any(a.i <= k + 2 < a.j for a in sent.actors):
        return None  # a known place is read as itself; a side is no town
    return make_place(" ".join(t.text for t in tokens[k + 2 : end]), region.place.name)


def _unknown_antecedent(doc: Document, pos: int) -> Place | None:
    """A place the gazetteer does not know that 'the town' at `pos` refers to, when no known place comes before it:
    the last capitalised name put as a place ('attacked Baga ... the town') in this sentence or the one before."""
    index = doc.sentence_of(pos)
    for k in (index, index - 1):
        if k < 0:
            return None
        view = doc.view(k)
        tokens, words = view.tokens, view.words
        for t in range(len(tokens) - 1, 0, -1):
            if tokens[t].start >= pos or not tokens[t].cap:
                continue
            named = t > 1 and words[t - 1] == "of" and words[t - 2] in KINDS  # "the village of Qassiab"
            if _in_distance_aside(view, t):
                continue  # "200 km west of the city of X": X only measures where the town is
            if words[t - 1] in ("and", "or") and t > 1 and tokens[t - 2].cap:
                return None  # the last of a list of names ("attacked Dorgoye and Kaleri"): no single town meant
            if words[t - 1] not in _PUT_BEFORE and not named:
                continue
            end = t + 1
            while end < len(tokens) and end - t < 3 and tokens[end].cap and not possessive(tokens, end - 1):
                end += 1  # "in Ann's Myo Thit neighbourhood": the town is Ann
            if end < len(words) and words[end] in REGION_HEADS:
                continue  # "in Hasakeh province": a region, not what 'the village' refers to
            name = " ".join(x.text for x in tokens[t:end])
            listed = end + 1 < len(tokens) and words[end] in (",", "and", "or") and tokens[end + 1].cap
            if (
                not all(x.text[1:].islower() for x in tokens[t:end])
                or listed  # "attacked Dorgoye and Kaleri": which of them 'the town' is, nothing says
                or (end - t == 1 and not named and load_wordlist().zipf(words[t]) >= 3.0)  # "at Christmas"
                or len(name) < 3
                or words[t] in MONTHS
                or words[t] in WEEKDAYS
                or (words[t],) in doc.lex.states.words.values
                or any(a.i < end and t < a.j for a in view.actors)
            ):
                return None  # the last name put as a place is no unknown name: no guess
            return make_place(name)
    return None


def _as_written(doc: Document, start: int, entry: PlaceEntry) -> Place:
    """The place named at `start`, with the name as the sentence wrote it when its view found it there."""
    view = doc.view(doc.sentence_of(start))
    found = next((g.place for g in view.places if view.tokens[g.i].start == start and g.place.id == entry.id), None)
    return found or make_place(entry.name, entry=entry)


def _named_before(sent: Sentence, rel: int) -> Place | None:
    """The place named right before a relative word at `rel` ('Goma, which', 'Mahadday, Somalia, where'): a
    gazetteer place, past a country in apposition, or a capitalised name the gazetteer lacks."""
    words, tokens = sent.words, sent.tokens
    end = rel - 1 if rel > 0 and words[rel - 1] == "," else rel
    g = next((g for g in sent.places if g.j == end), None)
    if g is not None and g.place.resolved and g.place.lat is None and g.i > 1 and words[g.i - 1] == ",":
        end, g = g.i - 1, next((x for x in sent.places if x.j == g.i - 1), None)  # ", Somalia," is apposition
    if g is not None:
        return g.place
    start = end
    while start > 0 and end - start < 3 and tokens[start - 1].cap and words[start - 1] not in _PRONOUNS:
        start -= 1
    if start == end or start == 0 or any(a.i < end and start < a.j for a in sent.actors):
        return None  # no name, the sentence's first word, or an actor's name
    return make_place(" ".join(t.text for t in tokens[start:end]))


#: Kinds of place a report names that the gazetteer seldom knows: 'Kalma camp', 'the Namada outpost'.
_UNKNOWN_KINDS = frozenset("camp outpost base garrison checkpoint hill village neighbourhood neighborhood".split())


def _named_unknown(sent: Sentence, k: int) -> Place | None:
    """A place the gazetteer does not know, named earlier in this sentence ('Kalma camp in South Darfur ..., after
    it was taken'): what 'it' at k refers to, unless a gazetteer place that is not its parent comes after it."""
    tokens, words = sent.tokens, sent.words
    for t in range(k - 1, 0, -1):
        if words[t] not in _UNKNOWN_KINDS:
            continue
        end = t - 1 if words[t - 1] in KIND_MODIFIERS and t > 1 else t  # "Zamzam displacement camp"
        if not tokens[end - 1].cap:
            continue
        start = end - 1
        while (
            start > 0 and tokens[start - 1].cap and end - start < 3 and tokens[start].start - tokens[start - 1].end < 2
        ):
            start -= 1  # "Sudan's Abu Shouk camp": the possessive names its country, not the camp
        found = sub_place(tokens, start, sent.places)
        if found is None and end < t:  # "Zamzam displacement camp": the name before the modifier
            found = make_place(" ".join(x.text for x in tokens[start:end]))
        if found is None or found.resolved:
            return None
        later = [g for g in sent.places if t < g.i < k]
        parent = later[:1] if t + 1 < len(words) and words[t + 1] in ("in", "near", "outside", "of") else []
        return found if later == parent or all(g.place.name == found.parent for g in later) else None
    return None


_LOCATIVES = frozenset("in at near from into to around outside inside".split())


def _located_name(sent: Sentence, region: PlaceMention) -> Place | None:
    """'... remain in Paletwa after the Chin State township fell': a name the gazetteer lacks, put in a place by a
    preposition earlier in the sentence, is the town a region-modified descriptor refers to (in that region)."""
    tokens, words = sent.tokens, sent.words
    for t in range(region.i - 2, 0, -1):
        if any(g.i <= t < g.j for g in sent.places) or any(a.i <= t < a.j for a in sent.actors):
            return None  # a known place or an actor comes first: the gazetteer's antecedent decides
        if words[t - 1] in _LOCATIVES and tokens[t].cap and (t + 1 >= len(words) or not tokens[t + 1].cap):
            if load_wordlist().zipf(words[t]) >= 4.3:
                return None  # "in January", "at Christmas": a common word, no town's name
            return make_place(tokens[t].text, region.place.name)
    return None


def _appositive_name(sent: Sentence, b: int, parent: Place | None) -> Place | None:
    """'the last remaining outpost, Namada, being ...' (b at 'being'): the named facility or place, in `parent`."""
    tokens, words = sent.tokens, sent.words
    k = b - 1 if b > 0 and words[b - 1] == "," else b
    start = k
    while start > 0 and tokens[start - 1].cap and k - start < 3:
        start -= 1
    if start == k or start < 2 or words[start - 1] != ",":
        return None
    kind = words[start - 2]
    name = " ".join(t.text for t in tokens[start:k])
    if kind in FACILITIES:
        return facility_place(kind, parent, name)
    return make_place(name, parent.name if parent else None) if kind in KINDS else None


_AREA_UNITS = frozenset("kilometres kilometers km miles hectares".split())


def _area(sent: Sentence, k: int) -> list[Place]:
    """'1,200 square kilometres (of territory) in the Kursk region': an area taken, as a place in the region that
    locates it; an area located nowhere in the sentence is no place."""
    words, tokens = sent.words, sent.tokens
    n = len(words)
    if k + 2 >= n or not words[k][:1].isdigit():
        return []
    m = k + 1 + (words[k + 1] == "square")
    if m >= n or words[m] not in _AREA_UNITS:
        return []
    end = m + 1 + 2 * (words[m + 1 : m + 2] == ["of"])  # "of territory", "of land"
    if end < n and words[end] in ("in", "inside", "of"):
        inside = next((g for g in sent.places if end < g.i <= end + 3), None)
        if inside is not None:
            return [make_place(" ".join(t.text for t in tokens[k:end]), inside.place.name)]
    return []


_KIND_HEADS = FACILITIES | frozenset("field oilfield camp".split())
_MADE = frozenset("oil gas steel power military army naval air".split())


_POSTS = FACILITIES | frozenset(("command",))


def _share_parent(places: list[Place]) -> list[Place]:
    """Facilities listed before the last one, which alone names where it is, are in that place too."""
    last = places[-1] if len(places) > 1 else None
    if last is None or last.parent is None or "/" not in last.id or last.name.split()[-1].lower() not in _POSTS:
        return places
    home = last.id.rsplit("/", 1)[0]
    return [
        Place(
            id=f"{home}/{p.id}",
            name=p.name if " " in p.name else f"{last.parent} {p.name}",  # "Goma airport"
            parent=last.parent,
            country=last.country,
            lat=last.lat,
            lon=last.lon,
            resolved=last.resolved,
        )
        if p.parent is None and not p.resolved and p.name.split()[-1].lower() in _POSTS
        else p
        for p in places
    ]


def _kind_antecedent(doc: Document, sent: Sentence, i: int, parts: list[str], last: LastPlace) -> Place | None:
    """'parts of the refinery', 'the presidential palace' after a trigger at i: the place of that kind named before
    ('the Shaer gas field in Homs'), else a facility of the last town named. Only for a definite phrase."""
    head = parts[-1]
    m = next((m for m in range(i + 1, min(len(sent.words), i + 10)) if sent.words[m] == head), None)
    if m is None or "the" not in sent.words[i + 1 : m]:
        return None
    for idx in range(sent.index, max(-1, sent.index - 4), -1):
        view = doc.view(idx)
        tokens = view.tokens
        for t in range((i if idx == sent.index else len(tokens)) - 1, 1, -1):
            if view.words[t] != head:
                continue
            end = t - 1 if view.words[t - 1] in _MADE and tokens[t - 2].cap else t  # "the Jazal oil field"
            if not tokens[end - 1].cap:
                continue
            start = end - 1
            while start > 0 and tokens[start - 1].cap and end - start < 4:
                start -= 1
            if any(g.i == start and g.j == end and g.place.country == g.place.name for g in view.places):
                continue  # "a Syria oil field": the country, not the field's name
            found = sub_place(tokens, start, view.places)
            if found is not None and found.name.lower().endswith(head):
                return found
            inside = next((g for g in view.places if g.i == t + 2 and view.words[t + 1] in ("in", "near")), None)
            return make_place(" ".join(x.text for x in tokens[start : t + 1]), inside.place.name if inside else None)
    town = last()
    if head in FACILITIES and town is not None and town.lat is not None:
        return facility_place(head, town, " ".join(parts[:-1]) or None)
    return None


#: Modals after a nominal capture's object: "the capture of X would ..." imagines it.
_HYPOTHETICAL = frozenset("would could might should will".split())
#: "The capture of X was announced by Y": who announces a capture is, in the press, who made it.
_ANNOUNCED = frozenset("announced claimed declared proclaimed hailed celebrated".split())
_SPREAD = frozenset("territory territories areas parts swathes swaths land lands".split())
_DIRECTIONS = frozenset(
    "north south east west northeast northwest southeast southwest northern southern eastern western".split()
)


def _directional(sent: Sentence, k: int, doc: Document) -> list[Place]:
    """'(control over) districts south and east of the province / of Kabul': territory placed by directions
    from a place; 'the country' is the last country the report named."""
    words, tokens = sent.words, sent.tokens
    n = len(words)
    while k < n and words[k] in ("control", "over", "of", "full", "total", "vast", "large", "the", "some"):
        k += 1
    if k >= n or words[k] not in _SPREAD:
        return []
    m = k + 1
    while m < n and (words[m] in _DIRECTIONS or (words[m] in ("and", ",", "or") and m > k + 1)):
        m += 1
    if m == k + 1 or m >= n or words[m] != "of" or words[m - 1] not in _DIRECTIONS:
        return []
    if words[m + 1 : m + 3] == ["the", "country"]:
        country = _last_country(doc, tokens[m].start)
        if country is None:
            return []
        return [make_place(" ".join([*(t.text for t in tokens[k : m + 1]), country.name]), country.name)]
    inside = next((g for g in sent.places if g.i in (m + 1, m + 2)), None)
    if inside is None:
        return []
    return [make_place(" ".join(t.text for t in tokens[k : inside.j]), inside.place.name)]


def _last_country(doc: Document, pos: int) -> Place | None:
    """The last country the report named before `pos`: what 'the country' refers to."""
    best = None
    for start, entry in doc.local_hits:
        if start >= pos:
            break
        if entry.kind == COUNTRY:
            best = entry
    return make_place(best.name, entry=best) if best else None


def _since(words: list[str], e: int) -> int | None:
    """Where a hold's start is told after e: 'since May', 'beginning in December', 'starting from 2014'."""
    for m in range(e, min(len(words), e + 8)):
        if words[m] == "since" or (
            words[m] in ("beginning", "starting") and words[m + 1 : m + 2] in (["in"], ["on"], ["from"])
        ):
            return m
    return None


#: Words that may follow a bare 'fell' that ends its predicate: a time, a clause break or a subordinator.
_AFTER_FELL = frozenset(
    ", . ; : on in at as after when while following within without last late early overnight yesterday today "
    "days weeks months hours before amid".split()
)
_TAKING = frozenset("entered entering took taking captured capturing seized seizing overran marched swept".split())
_BESIEGERS = frozenset("siege offensive assault onslaught advance encirclement".split())


def _time_after(words: list[str], k: int) -> bool:
    """A time phrase without a preposition at k: 'the next morning', 'the following day', 'two days later'."""
    if words[k : k + 2] in (["the", "next"], ["the", "following"], ["the", "same"]):
        return k + 2 < len(words) and words[k + 2] in _TIME_WORDS
    m = k
    while m < min(len(words), k + 3) and (words[m][:1].isdigit() or words[m] in _FEW):
        m += 1
    return m > k and m + 1 < len(words) and words[m].rstrip("s") in _UNITS_OF_TIME and words[m + 1] == "later"


_FEW = frozenset("a two three four five six seven eight nine ten few several".split())
_UNITS_OF_TIME = frozenset("day week month year hour".split())


def _bare_fall_taker(sent: Sentence, i: int, doc: Document) -> ActorMention | None:
    """Who took a place that 'fell' with no 'to': the subject of a taking verb after 'as/when/after' in the same
    sentence ('as Taliban fighters entered the city'), or the agent of a siege or offensive ('after a siege by
    Russian forces')."""
    words = sent.words
    for m in range(i + 1, min(len(words), i + 20)):
        if words[m] in _TAKING and any(words[x] in ("as", "when", "after", "while") for x in range(i + 1, m)):
            a = actor_left(sent, m, doc)
            if a is not None and a.i > i:
                return a
        if words[m] == "by" and _BESIEGERS.intersection(words[max(i, m - 4) : m]):
            return actor_at(sent, m + 1, 3)
    return None


#: Words of an assault on a place: the side that made it is who a bare 'P fell' in the next sentence fell to.
_ASSAULTS = frozenset(
    "attacked attacking assaulted stormed besieged encircled surrounded advanced pushed shelled siege assault "
    "offensive attack push advance attacks storm storms shell shells besiege besieges overran over-ran overrun "
    "over-run".split()
)


#: An assault that was repelled or failed hands its side nothing: 'troops repelled a rebel attack on X'.
_REPELLED = frozenset("repelled repulsed repel repels failed thwarted foiled".split())
#: Two-word forms: 'beat back', 'fought off'; 'fought' alone is fighting, not a repelled assault.
_REPELLED_BY = frozenset("beat beaten fought fended held".split())
_REPELLED_PARTICLES = frozenset("back off".split())


def _repelled(words: list[str]) -> bool:
    """Whether the sentence tells an assault repelled or failed ('troops beat back the assault on X')."""
    if not _REPELLED.isdisjoint(words):
        return True
    return any(
        w in _REPELLED_BY and words[k + 1 : k + 4] and not _REPELLED_PARTICLES.isdisjoint(words[k + 1 : k + 4])
        for k, w in enumerate(words)
    )


def _attacker_before(sent: Sentence, place: Place, doc: Document) -> ActorMention | None:
    """The side that assaulted `place` in one of the two sentences before ('Rebels attacked Kassala on Sunday.'):
    the assault verb's own subject (or its by-agent), not the sentence's first actor; none if it was repelled.
    An assault earlier in the fall's own sentence needs no object ('the guerrillas struck, and the garrison fell')."""
    here = _assault_here(sent, place, doc)
    if here is not None:
        return here
    for back in range(sent.index - 1, max(-1, sent.index - 3), -1):
        view = doc.view(back)
        words = view.words
        at = [m.i for m in view.places if m.place.id == place.id]
        hits = [k for k, w in enumerate(words) if w in _ASSAULTS]
        if not at or not hits:
            continue
        if _repelled(words):
            return None  # 'troops beat back the rebels' assault on X': the assailant took nothing
        k = min(hits, key=lambda h: (abs(at[0] - h), h > at[0]))  # the assault nearest the place
        if _passive(words, k):  # 'X was attacked by rebels'
            by = next((m for m in range(k + 1, min(len(words), k + 6)) if words[m] == "by"), None)
            return actor_at(view, by + 1, 3) if by is not None else None
        a = actor_left(view, k, doc)
        if a is not None and a.j <= at[0] < k and all(w in ("of", "at", "in", "the") for w in words[a.j : at[0]]):
            return None  # "the garrison of X attacked the French lines": X is in the assailant's own name
        return a
    return None


def _assault_here(sent: Sentence, place: Place, doc: Document) -> ActorMention | None:
    """The side that assaulted in the fall's own sentence, before the place that fell: 'X attacked, and the camp
    fell', 'Tam Ky is overrun by X, and on the 25th Hue falls'."""
    words = sent.words
    at = next((g.i for g in sent.places if g.place.id == place.id), None)
    end = at if at is not None else next((k for k, w in enumerate(words) if w in ("fell", "falls")), len(words))
    hits = [k for k in range(end) if words[k] in _ASSAULTS]
    if not hits or _repelled(words):
        return None
    k = hits[-1]
    if _passive(words, k):
        by = next((m for m in range(k + 1, min(end, k + 6)) if words[m] == "by"), None)
        return actor_at(sent, by + 1, 3) if by is not None else None
    if k + 2 < end and words[k + 1] == "by" and words[k] in _ASSAULT_NOUNS and (a := actor_at(sent, k + 2, 3)):
        return a  # "after a siege by Russian troops, X fell": the noun's own agent (not 'an assault by night')
    return actor_left(sent, k, doc)


#: Assaults named as nouns, whose agent follows 'by' ('a siege by the Romans').
_ASSAULT_NOUNS = frozenset("siege assault offensive attack attacks storm push advance".split())


_TOWN_HEADS = frozenset("town city village settlement township hamlet port".split())
#: Verbs that place a town ('Kassala lies near the river'), and 'is/was located/situated'; 'has condemned' is none.
_LOCATIVE_VERBS = frozenset("lies sits stands lay sat stood".split())
_LOCATED = frozenset("located situated".split())
#: What places a town after such a verb: a preposition, a direction or a distance ('lies 40 km north of').
_PLACE_PREPS = frozenset(
    "near in on at along by beside between across astride close off inland north south east west northeast "
    "northwest southeast southwest about some roughly".split()
)


def _named_later(sent: Sentence, e: int, doc: Document) -> Place | None:
    """The name of 'a (border) town' captured at e, given after it: in apposition later in the sentence ('a town
    on Monday, Kassala, which ...') or as the subject of the next sentence ('Kassala lies near the river')."""
    words = sent.words
    head = next((m for m in range(e + 1, min(len(words), e + 4)) if words[m] in _TOWN_HEADS), None)
    if head is None:
        return None
    for g in sent.places:
        if g.i > head and words[g.i - 1] == "," and (g.j == len(words) or words[g.j] in (",", ".", ";")):
            return g.place
    if sent.index + 1 < len(doc.spans):
        nxt = doc.view(sent.index + 1)
        first = nxt.places[0] if nxt.places else None
        if first is not None and first.i == 0 and _placed(nxt.words, first.j):
            return first.place
    return None


def _placed(words: list[str], k: int) -> bool:
    """Whether the words from k place the subject before them: 'lies near', 'is located on', 'sits 40 km north'."""
    if k + 1 < len(words) and words[k] in ("is", "was") and words[k + 1] in _LOCATED:
        k += 1
    elif k >= len(words) or words[k] not in _LOCATIVE_VERBS:
        return False
    return k + 1 < len(words) and (words[k + 1] in _PLACE_PREPS or words[k + 1][:1].isdigit())


#: Heads of 'the town', 'the capital', 'it': a place named before.
_ANAPHORIC_HEADS = frozenset("it town city village capital port township".split())


_DESCRIBING = frozenset(
    "regional provincial state district besieged embattled strategic northern southern eastern western".split()
)


def _fallen_subject(sent: Sentence, i: int, doc: Document) -> list[Place]:
    """The place that fell: a gazetteer place or an unread name that is the verb's subject, right before it."""
    k = i - 1
    while k > 0 and sent.words[k] in _AUX_OR_ADVERB:
        k -= 1
    if sent.words[k] == "," and (aside := _located_aside(sent.words, k) or _relative_aside(sent.words, k)) is not None:
        k = aside - 1  # "Gao, in the north-east of the country, fell to the rebels"
    elif sent.words[k] == "which" and k > 1 and sent.words[k - 1] == "," and sent.words[i + 1 : i + 2] != ["within"]:
        k -= 2  # "troops besieged Avdiivka, which fell in February" (not 'which fell within range'): the antecedent
    g = next((g for g in _located(sent, doc) if g.j == k + 1), None)
    if g is not None:
        return [] if g.i > 0 and after_preposition(sent.words, g.i) else [g.place]
    if sent.words[k] == "capital" and k > 0 and (named_capital := _capital_at(sent, k - 1)) is not None:
        return [named_capital]  # "The Iraqi capital fell on 9 April"
    d = k - 1 if k > 1 and sent.words[k - 1] in _DESCRIBING else k  # "the regional capital", "the besieged town"
    if sent.words[k] in _ANAPHORIC_HEADS and (d == 0 or sent.words[d - 1] in ("the", "it")):
        lp = last_place(doc, sent.tokens[k].start)
        return [lp] if lp else []
    return _unknown_subject(sent, i, doc)


def _unknown_subject(sent: Sentence, i: int, doc: Document, listed: bool = True) -> list[Place]:
    """'Bakhmut fell to Russian forces' where the gazetteer did not read the name (a small town in a country the
    report names only through a side): the capitalised subject right before a verb only places take ('fell to',
    'came under the control of'), past a relative aside, and with `listed` each name of a list before it ('A and B
    were in Serbian hands'). See `_name_before` for what is no name."""
    words = sent.words
    k = i - 1
    while k > 0 and words[k] in _AUX_OR_ADVERB:
        k -= 1
    if k > 0 and words[k] == "," and (aside := _relative_aside(words, k)) is not None:
        k = aside - 1  # "Vrenica, which the Croats had held since 1992, fell ...": the name before the aside
    out: list[Place] = []
    while k >= 0:
        named = _name_before(sent, k, doc)
        if named is None:
            break
        start, place = named
        out.insert(0, place)
        k = start - 1  # "Vrenica and Dolac were in Serbian hands": each name of a list
        if not listed:
            break
        if k > 0 and words[k] == "and":
            k -= 1 + (words[k - 1] == ",")
        elif k > 0 and words[k] == ",":
            k -= 1
        else:
            break
    return out


def _rare_names(places: list[Place]) -> list[Place]:
    """Unknown names rare enough in English to be a small town's ('Vrenica', 'Fort Blauberg'), not a person's
    ('Mohammed was captured by the rebels'): the subject of a passive capture may be either."""
    zipf = load_wordlist().zipf
    return [p for p in places if zipf(p.name.split()[0].lower()) < 3.0 or p.name.split()[0] in ("Fort", "Camp")]


def _name_before(sent: Sentence, k: int, doc: Document) -> tuple[int, Place] | None:
    """(start, place) of a name the gazetteer lacks ending at k: capitalised, no actor, nationality, word of the
    text's own (a common English word opening the sentence), nor the object of a preposition."""
    words, tokens = sent.words, sent.tokens
    if k < 0 or not tokens[k].cap or any(a.i <= k < a.j for a in sent.actors):
        return None
    start = k
    while start > 0 and tokens[start - 1].cap and k - start < 2:
        start -= 1
    name = words[start : k + 1]
    if doc.lex.states.words.match_at(name, 0) or (
        start > 0 and after_preposition(words, start) and not _described_subject(words, start)
    ):
        return None
    if start == 0 and not (len(name) > 1 and name[0] in _NAME_HEADS) and load_wordlist().zipf(name[0]) >= 4.3:
        return None  # "It fell to ...", "Prime Minister X fell to": a common first word is no name ('Port X' is)
    known = next((g.place for g in sent.places if g.i == start and g.j == k + 1), None)
    return start, known or make_place(" ".join(t.text for t in tokens[start : k + 1]))


def _described_subject(words: list[str], start: int) -> bool:
    """'The town of X', 'the strategic island of X' opening a clause: X is the subject's place, though after 'of'
    (not 'the people of the town of X', whose head is people)."""
    if start < 3 or words[start - 1] != "of" or words[start - 2] not in _DESCRIBED_HEADS:
        return False
    the = next((m for m in range(start - 3, max(-1, start - 6), -1) if words[m] == "the"), None)
    if the is None:
        return False
    before = words[the - 1] if the > 0 else ","
    # after a clause's start, or a date that opens it ('On 2 January the fortress of X fell')
    return before in (",", ";", ":", "and", "but", "then") or before[:1].isdigit() or before in _FULL_MONTHS


#: Heads of a described place before its name: 'the town of X', 'the island of X'.
_DESCRIBED_HEADS = _TOWN_HEADS | frozenset("island fortress district".split())


#: Common words that begin place names of two or more words: 'Port Arthur', 'Fort Sumter', 'New Market'.
_NAME_HEADS = frozenset(
    "port fort camp mount mt lake cape saint st san santa sao old new upper lower north south east west".split()
)


def _own_clause_subject(sent: Sentence, after: int, i: int, doc: Document) -> list[Place]:
    """A name the gazetteer lacks that opens its own clause between a known place (ending at `after`) and the verb
    at i ('..., north of Uskub, and Verisovitz has also fallen'): that clause's subject is the place, and the
    known one belongs to the clause before. Only past a comma and a conjunction, so 'Kherson and X fell' stays
    a list."""
    words = sent.words
    k = i - 1
    while k > after and words[k] in _AUX_OR_ADVERB:
        k -= 1
    start = k
    while start > after and sent.tokens[start - 1].cap and k - start < 2:
        start -= 1
    if start - 2 < after or words[start - 1] not in _CLAUSE_JOINS or words[start - 2] != ",":
        return []
    return _unknown_subject(sent, i, doc, listed=False)


#: Conjunctions that open a clause with its own subject after a comma.
_CLAUSE_JOINS = frozenset(("and", "but", "while", "whereas"))


def _relative_antecedent(sent: Sentence, rel: int) -> list[Place]:
    """The place a relative pronoun at `rel` stands for: a gazetteer place just before it ('Goma, which ...'), or
    a described place whose head is a place noun ('the border post that ...'); 'Fighting near Goma, which' is
    neither."""
    named = _named_before(sent, rel)
    if named is not None:
        return [named]
    ante = antecedent(sent.tokens, rel, sent.places)
    if ante is None or ante.resolved:
        return [ante] if ante else []
    head = ante.name.lower().split()[-1:]
    return [ante] if head and head[0] in TERRITORY and head[0] not in ("oil", "gas", "part") else []


_DISTANCE_UNITS = frozenset("km kilometres kilometers miles mi metres meters".split())


def _distance_aside(words: list[str], end: int) -> int | None:
    """Where a distance aside ending at `end` begins ('Bambari, 40 km to the north', ', 30 km east of X'): the
    position of the comma before it, if the words between hold a distance unit; else None."""
    comma = next((m for m in range(end - 1, max(-1, end - 15), -1) if words[m] == ","), None)
    if comma is None or _DISTANCE_UNITS.isdisjoint(words[comma + 1 : end]):
        return None
    return comma


#: Prepositions that open an aside locating a place ('Gao, in the north-east of the country, fell').
_LOCATING = frozenset("in near on along at outside inside north south east west".split())


def _located_aside(words: list[str], end: int) -> int | None:
    """Where an aside that locates the place before it ends at the comma `end`: a distance ('X, 30 km north of Y,')
    or a prepositional phrase ('X, in the north-east of the country,'); the comma before it, else None."""
    comma = _distance_aside(words, end)
    if comma is not None:
        return comma
    comma = next((m for m in range(end - 1, max(-1, end - 10), -1) if words[m] == ","), None)
    if comma is None or comma + 1 >= end or words[comma + 1] not in _LOCATING:
        return None
    return None if any(w in NOT_ASIDE or w == "and" for w in words[comma + 1 : end]) else comma


def _relative_aside(words: list[str], end: int) -> int | None:
    """Where a relative aside ending at the comma `end` begins ('Tobruk, which had withstood a siege in 1941,
    fell to ...'): the comma before 'which', else None."""
    for m in range(end - 1, max(0, end - 25), -1):
        if words[m] in (";", ":", '"'):
            return None
        if words[m] == "," and words[m + 1] in ("which", "that"):
            return m
    return None


def _measures_only(doc: Document, start: int) -> bool:
    """Whether the place named at offset `start` only measures where another is ('Tiebissou, 40 km north of the
    capital, Yamoussoukro, ...'): no antecedent for 'it' or 'the town'."""
    view = doc.view(doc.sentence_of(start))
    k = next((g.i for g in view.places if view.tokens[g.i].start == start), None)
    return k is not None and _in_distance_aside(view, k)


def _in_distance_aside(sent: Sentence, k: int) -> bool:
    """Whether the place at k measures a distance, also through an apposition ('40 km north of the capital, X')."""
    words = sent.words
    m = k
    while not _in_distance(words, m):  # "40 km north of the capital, X", "some 90 km west of the city of Y"
        if m == 0 or k - m >= 5 or words[m - 1] not in _APPOSITION_HEADS:
            return False
        m -= 1
    return True


#: Words of a description that stands between a distance's 'of' and the place it names.
_APPOSITION_HEADS = _TOWN_HEADS | {"capital", "the", ",", "of"}


def _in_distance(words: list[str], k: int) -> bool:
    """Whether the place at k only measures a distance: '30 km east of Bangassou', 'some 40 miles from Goma'."""
    return k > 1 and words[k - 1] in ("of", "from") and not _DISTANCE_UNITS.isdisjoint(words[max(0, k - 5) : k])


#: Plural heads of posts and settlements whose places a list after 'in' or 'of' names ('police posts in A and B').
_LISTING_HEADS = (
    SETTLEMENTS
    | {f[:-1] + "ies" if f.endswith("y") else f + "es" if f.endswith("s") else f + "s" for f in FACILITIES}
    | {"headquarters", "barracks", "offices", "positions"}
)


def _places_listed_after_head(words: list[str], k: int) -> bool:
    """'The towns of A and B fell', 'police posts in A and B fell': the list after the preposition names the
    places of the subject, unlike 'talks in A and B'."""
    m = k - 1 - (k > 1 and words[k - 1] == "the")
    return m > 0 and words[m] in ("in", "of", "at") and words[m - 1] in _LISTING_HEADS


def _coordinated_left(words: list[str], gaz: list[PlaceMention]) -> list[Place]:
    """The last place before a verb and the places coordinated with it: 'Herat in the west and Kandahar in the south
    have fallen' gives both (a compass aside after each name is skipped)."""
    out = [gaz[-1].place]
    by_end = {g.j: g for g in gaz}
    k = gaz[-1].i
    while k > 0 and words[k - 1] in ("and", ","):
        k -= 1 + (k > 1 and words[k - 2] == "," and words[k - 1] == "and")
        m = k
        if m > 2 and words[m - 1] in _DIRECTIONS and words[m - 2] in ("the", "in"):
            m -= 2 + (words[m - 3] == "in" and words[m - 2] == "the")  # "in the west"
        g = by_end.get(m)
        if g is None and (aside := _distance_aside(words, m)) is not None:
            g = by_end.get(aside)  # "Bambari, 40 km to the north, and Alindao": past the distance aside
        if g is None or (after_preposition(words, g.i) and not _places_listed_after_head(words, g.i)):
            break  # "talks in Doha and Kandahar ...": the first name is no subject
        out.insert(0, g.place)
        k = g.i
    return out


def _region_named(doc: Document, start: int) -> bool:
    """Whether the region named at `start` is written as one ('Rakhine state', 'Kherson oblast'): a bare name
    ('Marib') may be its namesake town."""
    after = doc.low[start : start + 60].split(maxsplit=2)[1:2]
    return bool(after) and after[0].strip(".,;") in REGION_HEADS


def _aux_or_adverb(sent: Sentence, k: int) -> bool:
    """An auxiliary or an adverb between a subject and its verb: 'was', 'finally', 'officially' (any lower-case
    '-ly' word: 'Italy' is a name)."""
    return sent.words[k] in _AUX_OR_ADVERB or adverb(sent.tokens[k])


def _place_left(sent: Sentence, i: int, doc: Document) -> list[Place]:
    a = i
    while a > 0 and _aux_or_adverb(sent, a - 1):
        a -= 1  # "Bopolu, a stronghold of the rebels, was recaptured": the aside ends before the auxiliary
    appositive = _appositive_subject(sent, i) or (_appositive_subject(sent, a) if a < i else None)
    if appositive is not None:
        return [appositive]
    v = i - 1
    while v > 0 and _aux_or_adverb(sent, v):
        v -= 1
    aside = (  # "X, 30 km north of Y, was taken", "X, which had held out for months, fell"
        (_located_aside(sent.words, v) or _relative_aside(sent.words, v)) if sent.words[v] == "," else None
    )
    dashed = dashed_aside(doc.clean.text, sent, v + 1) if aside is None else None
    if dashed is not None and not (dashed > 1 and sent.words[dashed - 2] in _PREPS_BEFORE):
        aside = dashed  # "Sirte - the last stronghold of the regime - has fallen to": not "Fighters from Sirte - ..."
    limit = i if aside is None else aside
    gaz = [g for g in _located(sent, doc) if g.j <= limit and not _in_distance(sent.words, g.i)]
    if len(gaz) > 1 and _locates(sent.words, gaz[-2], gaz[-1]):
        gaz.pop()  # "the river port of Kherson in southern Ukraine fell to ...": the place, not its region
    if gaz and (named := _kind_of_name(sent, gaz[-1], limit)) is not None:
        return [named]  # "The Darfur town of Tawila was captured": the town, in the region named before it
    if gaz and (own := _own_clause_subject(sent, gaz[-1].j, i, doc)):
        return own  # "took X, north of Y, and Z has also fallen": Z, the new clause's subject, not Y
    if gaz and limit - gaz[-1].j <= (6 if aside is None else 0):
        if region_modifier(sent.tokens, gaz[-1]):  # "the western Kayah State town fell to ...": a town
            lp = _located_name(sent, gaz[-1]) or last_place(doc, sent.tokens[gaz[-1].i].start)
            return [lp] if lp else []
        if sent.words[gaz[-1].j : i][:1] in (["was"], ["has"], ["is"]):
            return [gaz[-1].place]  # a singular verb: one place
        return _coordinated_left(sent.words, gaz)
    rel = next((m for m in range(i - 1, max(-1, i - 12), -1) if sent.words[m] in ("which", "that")), None)
    if rel is not None and gaz and gaz[-1].j == rel:
        return [gaz[-1].place]  # "Daraya which was evacuated ... and surrendered to regime control"
    k = i - 1
    while k > 0 and (sent.words[k] == "," or _aux_or_adverb(sent, k)):
        k -= 1
    if sent.words[k] == "capital" and k > 0 and (named_capital := _capital_at(sent, k - 1)) is not None:
        return [named_capital]  # "The Afghan capital fell to the Taliban"
    if sent.words[k] in _PLURAL_ANAPHORA and _both_before(sent.words, k):
        return last_places(doc, sent.tokens[k].start, 2)  # "Both cities fell to the Mongols": the two named before
    # "The town", "That city": no name
    capital = k > 0 and sent.tokens[k - 1].cap and sent.words[k - 1] not in _ADJ_BEFORE | {"that", "this"}
    if (sent.words[k] in _ANAPHORIC_HEADS or sent.words[k] == "area") and not capital:
        lp = _named_unknown(sent, k) if sent.words[k] in ("it", "area") else None
        lp = lp or last_place(doc, sent.tokens[k].start)
        return [lp] if lp else []
    if sent.words[k] in KINDS:  # "Zamzam camp had fallen ...": a named place the gazetteer does not know
        while k > 1 and sent.words[k - 1] in KIND_MODIFIERS and sent.tokens[k - 2].cap:
            k -= 1  # "the Dbayeh refugee camp fell": the name before the kind's modifiers
        start = k
        floor = dateline_end(doc) if sent.index == 0 else 0
        while start > 0 and sent.tokens[start - 1].cap and k - start < 4 and sent.tokens[start - 1].start >= floor:
            start -= 1
        named = sub_place(sent.tokens, start, sent.places) if start < k else None
        return [named] if named else []
    return []


_COMPASS = _DIRECTIONS | {"central", "far", "north-eastern", "north-western", "south-eastern", "south-western"}


def _locates(words: list[str], place: PlaceMention, region: PlaceMention) -> bool:
    """'Izium in eastern Ukraine', 'Kidal in northern Mali': the second place only says where the first is."""
    k = region.i - 1
    while k > place.j and words[k] in _COMPASS:
        k -= 1
    return k == place.j and words[k] in ("in", "near")


_LIBERATED = frozenset("liberated freed recaptured retaken regained".split())
_SAYS = frozenset("said says announced claimed stated reported added".split())
#: Who speaks for a side: 'the (Russian) defence ministry said', 'Ukraine's general staff said'.
_SPEAKER_ROLES = frozenset("ministry military army command staff headquarters spokesman spokeswoman".split())


def _role_state(words: list[str], tokens: list[Token], r: int, doc: Document) -> str | None:
    """ISO code of the state named in the few words before the role noun at r ('Russia's defence ministry')."""
    sw = doc.lex.states.words
    for k in range(max(0, r - 4), r):
        p = sw.match_at(words, k) if words[k] in sw.index else None
        if p and tokens[k].cap:
            return str(sw.values[p])
    return None


def _speaker_side(sent: Sentence, doc: Document) -> Actor | None:
    """The state whose ministry, army or command the sentence quotes ('..., the ministry said'); an unnamed
    one is the state whose same office the report named before. None when no state is named for it."""
    words, tokens = sent.words, sent.tokens
    n = len(words)
    for m, w in enumerate(words):
        if w not in _SAYS:
            continue
        role = next((r for r in (m - 1, m + 2, m + 3) if 0 <= r < n and words[r] in _SPEAKER_ROLES), None)
        if role is None:
            continue
        named = [a for a in sent.actors if a.i <= role < a.j + 1 and not a.generic]
        if named:
            return named[0].actor
        iso = _role_state(words, tokens, role, doc)
        for back in range(sent.index - 1, max(-1, sent.index - 8), -1):
            if iso is not None:
                break
            view = doc.view(back)
            iso = next(
                (
                    found
                    for r, x in enumerate(view.words)
                    if x == words[role] and (found := _role_state(view.words, view.tokens, r, doc))
                ),
                None,
            )
        if iso is not None and iso in doc.lex.states.forces:
            entry = doc.lex.states.forces[iso]
            said = " ".join(t.text for t in tokens[max(0, role - 3) : role + 1] if t.low[:1].isalnum())
            return Actor(id=entry.id, name=entry.name, mention=said)
        return None
    return None


def _subject_place(sent: Sentence, b: int, doc: Document) -> list[Place]:
    """The place a passive clause ending at b is about: a named place or facility in its subject ('The grounds of
    the Ilyich steel works have been freed')."""
    tokens = sent.tokens
    start = b
    while start > 0 and sent.words[start - 1] not in (",", ";", '"', "\u201c", "\u201d", "that") and b - start < 12:
        start -= 1
    for p in range(start, b):
        if tokens[p].cap:
            found = sub_place(tokens, p, sent.places)
            if found is not None:
                return [found]
    return _place_left(sent, b + 1, doc)


def _previous(sent: Sentence, k: int) -> Actor | None:
    for m in range(k, min(len(sent.words), k + 10)):
        if sent.words[m] == "from":
            a = actor_at(sent, m + 1, 3)
            return a.actor if a else None
    return None


def _sub_type(actor: Actor, verb: str, transfer: bool, doc: Document) -> str:
    if transfer:
        return "Non-violent transfer of territory"
    entry = doc.binder.entries.get(actor.id)
    if (entry and entry.kind == "government") or actor.id in ("syrian-government", "iraqi-government"):
        return "Government regains territory"
    if verb in _REGAIN and entry and entry.kind == "foreign":
        return "Government regains territory"
    return "Non-state actor overtakes territory"


#: Heads of a side's noun phrase that no actor lexicon names: "forced the (recognised) government of X out of P".
_ARMED_HEADS = frozenset(
    "government administration regime army forces troops soldiers garrison defenders militia militias fighters "
    "militants rebels insurgents jihadists separatists".split()
)


#: What is handed over besides territory: authority, people and things ('handed over command to his deputy').
_HANDED_THINGS = frozenset(
    "command authority power leadership presidency duties reins keys weapons arms bodies remains prisoners detainees "
    "hostages captives systems missiles aid funds list documents evidence suspects equipment vehicles tanks".split()
)


def _ceded(place: Place, thing: bool) -> bool:
    """Whether a handed-over object is territory: a known or located place, or a name where no thing is named
    ('the Patriot systems')."""
    return place.resolved or place.parent is not None or not thing


def _place_subject(sent: Sentence, i: int) -> bool:
    """Whether the subject right before the verb at i is a place ('the town surrendered to ...', 'Kidal
    surrendered ...'), not people ('the garrison', 'fighters in Raqqa')."""
    k = i - 1
    while k > 0 and sent.words[k] in _AUX_OR_ADVERB:
        k -= 1
    if k < 0:
        return False
    heads = ("town", "city", "village", "fortress", "port")
    for g in sent.places:
        if g.j == k + 1 and (g.i == 0 or sent.words[g.i - 1] not in _PREPS_BEFORE):
            return True
        if g.j == k + 1 and g.i > 1 and sent.words[g.i - 1] == "of" and sent.words[g.i - 2] in heads:
            return True  # "the town of Edirne capitulated to ..."
    return sent.words[k] in heads and k > 0 and sent.words[k - 1] in ("the", "that", "this")


def _it_place(sent: Sentence, i: int, doc: Document) -> Place | None:
    """The place 'It' opening a sentence stands for when the last sentence's subject was that place ('Acre had been
    a crusader port. It surrendered to X'); not when the last sentence's subject was a side ('The Sixth Army was
    cut off at Stalingrad. It surrendered'), which is that side's own surrender."""
    k = i - 1
    while k > 0 and sent.words[k] in _AUX_OR_ADVERB:
        k -= 1
    if k != 0 or sent.words[0] != "it" or sent.index == 0:
        return None
    prev = doc.view(sent.index - 1)
    first = next((g for g in _located(prev, doc) if not after_preposition(prev.words, g.i)), None)
    if first is None or any(a.i < first.i for a in prev.actors) or not subject_position(prev, first.i):
        return None  # the dateline's place is no subject ('KHARTOUM (Reuters) - The army's base ...')
    if first.j >= len(prev.words) or prev.words[first.j] not in _SUBJECT_VERBS:
        return None  # "Sidon and Tyre were ...", "Kars's governor was ...", "Mosul residents ...": not the place
    return first.place


#: Verbs and auxiliaries right after a place that is its sentence's subject ('Tyre was ...', 'Acre had been').
_SUBJECT_VERBS = _AUX | {"held", "remained", "stood", "lay", "became", "withstood"}


def _garrison_place(sent: Sentence, i: int) -> Place | None:
    """The post whose garrison is the subject of the verb at i ('the garrison of Metz', 'the Greek garrison at
    Navarino', "Kars's garrison", 'the Ulm garrison'): a garrison that gives itself up gives up its post."""
    words = sent.words
    k = i - 1
    while k > 0 and _aux_or_adverb(sent, k):
        k -= 1
    for g in sent.places:
        if g.j == k + 1 and g.i >= 2 and words[g.i - 1] in ("of", "at", "in") and words[g.i - 2] == "garrison":
            return g.place
        if words[k] == "garrison" and (g.j == k or (g.j == k - 1 and words[k - 1] in ("'s", "\u2019s"))):
            return g.place
    return None


def _place_held(sent: Sentence, i: int) -> bool:
    """Whether what is 'held/controlled/run by' at i is a place: the verb's subject ('Tikrit was long held by'), or
    its relative pronoun after one ('Lyman, which Russia has held'), not a preposition's object ('talks in X')."""
    if _place_subject(sent, i):
        return True
    k = i - 1
    while k > 0 and sent.words[k] in _AUX:
        k -= 1
    if k < 2 or sent.words[k] not in ("which", "that") or sent.words[k - 1] != ",":
        return False
    return any(g.j == k - 1 and (g.i == 0 or sent.words[g.i - 1] not in _PREPS_BEFORE) for g in sent.places)


_PREPS_BEFORE = frozenset("in at near from of outside inside around".split())


def _lost_place(place: Place) -> bool:
    """What a side loses that is territory: a place the gazetteer or the phrase locates, not 'their lives', 'ground',
    '20 soldiers' or a capitalised thing ('lost Colonel X', 'lost the Moskva', 'lost Parliament')."""
    if place.resolved:
        return True
    words = place.name.split()
    return place.parent is not None and bool(words) and (words[0][:1].isupper() or words[-1].lower() in TERRITORY)


def _armed_object(words: list[str], k: int) -> bool:
    """Whether the object after an expulsion verb at k is a side ('the government of President X'), not people
    or things ('thousands of civilians', 'the convoy')."""
    if k >= len(words) or words[k] not in ("the", "its", "their"):
        return False
    head = next((m for m in range(k + 1, min(len(words), k + 5)) if words[m] in _ARMED_HEADS), None)
    return head is not None and "civilians" not in words[k:head]


def _passive(words: list[str], i: int) -> bool:
    """'was driven', 'had been pushed', 'were quickly forced': a passive participle at i."""
    b = i - 1
    while b > 0 and words[b].endswith("ly") and i - b <= 2:
        b -= 1
    return b >= 0 and words[b] in ("was", "were", "been", "being", "is", "are", "get", "got")


def _blocked(words: list[str], i: int, lex: Lexicons) -> bool:
    """`stance.blocked`, and for a participle after a comma ('..., ceding the city to X') the stance of the clause
    it hangs on: 'was working to evacuate the port, ceding it' is no completed change."""
    if blocked(words, i, lex) or _rumoured(words, i):
        return True
    return words[i].endswith("ing") and i > 1 and words[i - 1] == "," and blocked(words, i - 1, lex, window=30)


_RUMOURS = frozenset("rumours rumors rumour rumor".split())


def _rumoured(words: list[str], i: int) -> bool:
    """'rumours are swirling that X have taken P': a rumour scopes over its that-clause, however long."""
    for k in range(max(0, i - 15), i):
        if words[k] in _RUMOURS and "that" in words[k + 1 : i]:
            return True
    return False


def _hostage_scene(words: list[str]) -> bool:
    """A hostage taking or siege is told: then seizing a building is not taking territory. Asked only about
    building places, so most sentences never pay for the scan."""
    return any(w.startswith(("hostage", "kidnap", "captive", "siege")) for w in words)


@cache
def _trigger_words(lex: Lexicons) -> frozenset[str]:
    """First words of every control trigger phrase; built once per lexicon, not per sentence."""
    names = (
        "control.held",
        "control.fell",
        "control.withdraw",
        "control.forced_leave",
        "control.leave",
        "control.nominal",
        "control.expel",
        "control.active",
        "control.give",
        "control.hold",
        "control.cede",
        "control.enter",
        "control.under",
        "control.clear",
        "control.lose",
        "control.hands",
        "control.flag",
        "control.overrun",
        "control.gave_up",
    )
    return frozenset(w for name in names for w in lex.sets[name].index)


def _possessor(sent: Sentence, j: int, doc: Document) -> tuple[int, Actor] | None:
    """The side named right before the noun at j ('Taliban hands', 'Azerbaijani control', 'rebel control'): an
    actor mention, a nationality (its state's forces) or a generic side's adjective (bound in the report)."""
    mention = next((a for a in sent.actors if a.j == j), None)
    if mention is not None:
        return mention.i, mention.actor
    if j < 1:
        return None
    start, word, lex = j - 1, sent.words[j - 1], doc.lex
    iso = lex.states.words.values.get((word,)) if sent.tokens[start].cap else None
    entry = lex.states.forces[iso] if iso else None
    generic = (
        lex.generic.values.get((word + "s",))
        or lex.generic.values.get((word,))
        or lex.generic.values.get((word, "forces"))
    )
    if entry is None and generic is not None:
        entry = sent.binder.bind(generic)  # 'rebel hands', 'government hands': the side the report names, if any
    if entry is None and sent.tokens[start].cap and (side := sent.binder.side_plural(word)) is not None:
        return start, Actor(id=side.id, name=side.name, mention=sent.tokens[start].text)  # 'in Nationalist hands'
    if entry is None:
        return None
    return start, Actor(id=entry.id, name=entry.name, mention=sent.tokens[start].text)


#: Nominals whose taker follows 'to' ('the fall of X to Y', 'the handover of X to Y').
_TO_NOMINALS = frozenset("fall handover surrender loss".split())
_MILITARY_POSTS = frozenset("base airbase barracks garrison outpost post headquarters fort fortress citadel".split())
_LEFT_AGAIN = frozenset(
    "withdrew withdrawing withdrawn retreated retreating left leaving fled fleeing pulled pulling abandoned abandoning".split()
)


def _match_unquoted(phrases: PhraseSet, words: list[str], i: int) -> tuple[tuple[str, ...], int] | None:
    """A phrase at i read across quotation marks ('seized "total control" over'): the phrase and where it ends."""
    kept = [(k, w) for k, w in enumerate(words[i : i + 10], i) if w != '"']
    found = phrases.match_at([w for _, w in kept], 0)
    if not found or len(found) < 2:
        return None
    return found, kept[len(found) - 1][0] + 1


def _police(actor: Actor) -> bool:
    """Police clear, secure and enter places to keep order, not to take them."""
    return "police" in actor.name.lower() or "police" in (actor.mention or "").lower()


def _facility_of(place: Place) -> bool:
    """A facility located in a named place ('Kandahar airport'), by its head word."""
    return place.parent is not None and place.name.lower().rsplit(" ", 1)[-1] in FACILITIES


def _military_post(place: Place) -> bool:
    """Whether a place is a military post ('the army base at Mullaitivu', 'a police outpost'), by its head word."""
    return not _MILITARY_POSTS.isdisjoint(place.name.lower().split())


def _post_at(sent: Sentence, k: int, post: Place) -> Place:
    """A military post located by the name after it ('the army base at Mullaitivu'), also a name the gazetteer lacks."""
    if post.resolved or post.parent:
        return post
    words, tokens = sent.words, sent.tokens
    head = next((m for m in range(k, min(len(words), k + 6)) if words[m] in _MILITARY_POSTS), None)
    if head is None or head + 2 >= len(words) or words[head + 1] not in ("at", "in", "near", "outside", "of"):
        return post
    start = head + 2
    end = start
    while end < len(tokens) and end - start < 4 and tokens[end].cap:
        end += 1
    if end == start:
        return post
    at = next((g.place for g in sent.places if g.i == start), None) or make_place(
        " ".join(t.text for t in tokens[start:end])
    )
    return facility_place(words[head], at)


_FLAGS = frozenset("flag flags banner banners standard".split())
_FLAG_PREPS = frozenset("over above atop".split())
#: 'in the centre of X' is the one 'in' that places a raised flag as a taking; 'in X' alone is where a crowd waved it.
_FLAG_CENTRES = frozenset("centre center heart".split())
#: Words of a celebration, rally or protest: a flag raised there marks a feast, not a taking.
_FESTIVE = (
    "celebrat",
    "rally",
    "rallies",
    "parade",
    "ceremon",
    "anniversar",
    "protest",
    "festiv",
    "commemorat",
    "demonstrat",
    "supporters",
)
_HANDS_VERBS = frozenset("fell fallen falls falling passed passes went gone came come back returned delivered".split())
#: Verbs of a state kept ('remained in Ukrainian hands'), and the verbs before 'in X hands' with the passive ones.
_REMAIN = frozenset("remains remained remain stays stayed stay".split())
_IN_HANDS_AUX = _PASSIVE_AUX | _REMAIN
_BY_TIME = frozenset("nightfall dawn morning evening noon midday afternoon night weekend end".split())


def _hands(sent: Sentence, i: int, doc: Document) -> tuple[int, Actor, bool] | None:
    """'into/in X hands' at the word 'hands' (i): (the preposition's position, X, whether a change is told).
    'into' is a change ('fell into rebel hands'); 'in' is a state ('remains in Ukrainian hands') unless the
    sentence tells it as new ('is now in M23 hands', 'was in Taliban hands by nightfall')."""
    words, lex = sent.words, doc.lex
    owner = _possessor(sent, i, doc)
    if owner is None and i > 0 and words[i - 1] == "their":
        # "The rebels reached Bangui(,| and by evening) the city was in their hands": this clause's subject first
        here = [a for a in sent.actors if a.j < i - 1 and not after_preposition(words, a.i)]
        side = here[0] if here else discourse_actor(sent, doc)
        if side is not None:
            owner = i - 1, side.actor
    if owner is None:
        return None
    start, holder = owner
    p = start - (start > 0 and words[start - 1] == "the")
    if p < 1 or words[p - 1] not in ("into", "in", "to"):
        return None
    p -= 1
    if blocked(words, p, lex):
        return None
    if words[p] == "to":  # "transferring the stronghold of X to Federal hands", "passed to rebel hands"
        verb = next((m for m in range(p - 1, max(-1, p - 9), -1) if words[m] in _TRANSFER_VERBS), None)
        if verb is None or not _TRANSFER_HYPOTHETICAL.isdisjoint(words[max(0, verb - 6) : verb]):
            return None  # "the plan, by transferring X to Russian hands, would ...", "refuses any deal passing X"
        return p, holder, True
    if words[p] == "into":
        return (p, holder, True) if p > 0 and words[p - 1] in _HANDS_VERBS else None
    aux = p - 1 - (p > 1 and words[p - 1] in ("now", "firmly", "back", "fully", "entirely"))
    if aux < 0 or words[aux] not in _IN_HANDS_AUX:
        return None
    if words[aux] in _REMAIN:
        return p, holder, False  # 'remained in X hands', even 'by nightfall': a state kept is never news
    told = (
        (words[p - 1] in ("now", "back") and words[aux] in _PASSIVE_AUX)
        or _by_time(words, i + 1)
        or any(_by_time(words, k) for k in range(p) if words[k] == "by")  # "(and) by nightfall the town was in ..."
        or _within_time(words, p)  # "within ten days the island was in German hands"
    )
    return p, holder, told


#: Words before a transfer that make it a plan, a demand or a means, not a change: 'by transferring', 'any deal'.
_TRANSFER_HYPOTHETICAL = frozenset(
    "by would could might plan plans deal deals refuses refuse refused any proposal proposed demand demands "
    "demanded threatened threatens".split()
)
#: Verbs that move a place to a side's hands: 'transferring X to Federal hands', 'X passed to rebel hands'.
_TRANSFER_VERBS = frozenset(
    "transferring transferred transfers transfer passed passing passes handed handing returned returning "
    "delivered delivering".split()
)


def _within_time(words: list[str], end: int) -> bool:
    """'within ten days', 'within a week' before `end`: the time it took to reach a state, so a change."""
    for k in range(max(0, end - 12), end):
        if words[k] != "within" or _TIME_UNITS.isdisjoint(words[k + 1 : k + 4]):
            continue
        opens = k == 0 or words[k - 1] in ("and", ",", "then")  # "(and) within ten days the town was in ..."
        if opens and _CLAUSE_BREAKS.isdisjoint(words[k:end]):
            return True
    return False


_TIME_UNITS = frozenset("hours hour days day weeks week months month".split())
#: What shows a 'within' phrase to belong to another clause than the hold after it.
_CLAUSE_BREAKS = frozenset(", ; which that but drive walk march".split())


def _by_time(words: list[str], k: int) -> bool:
    """'by nightfall', 'by Sunday', 'by the end of May' at k: the time a state was reached, so a change."""
    if k + 1 >= len(words) or words[k] != "by":
        return False
    return words[k + 1] in _BY_TIME or words[k + 1 : k + 3] == ["the", "end"] or _past_time(words, k) > k


def _other_side(doc: Document, loser: Actor) -> Actor | None:
    """The other side when the report names exactly two armed sides and `loser` is one: who a withdrawal leaves
    the place to. Asked only at a withdrawal, so most documents never list all their actors."""
    sides: dict[str, Actor] = {}
    for k in range(len(doc.spans)):
        for a in doc.view(k).actors:
            sides.setdefault(a.actor.id, a.actor)
            if len(sides) > 2:
                return None
    if len(sides) != 2 or loser.id not in sides:
        return None
    return next(a for key, a in sides.items() if key != loser.id)


def _told_new(words: list[str], i: int, lex: Lexicons) -> bool:
    """Whether the sentence tells a hold at i as new: '... now in control of', '... following the flight of B',
    '... as the garrison troops laid down their arms' (a cue within a few words either side)."""
    cues = lex.sets["control.hold_new"]
    return any(cues.match_at(words, m) for m in range(max(0, i - 3), min(len(words), i + 16)))


def _taker(sent: Sentence, end: int | None, doc: Document) -> ActorMention | None:
    """The subject of an active capture in `sent` (before `end`): who 'the fall of X' that follows is owed to."""
    active = doc.lex.sets["control.active"]
    for m in range(len(sent.words) if end is None else end):
        if active.match_at(sent.words, m) and not blocked(sent.words, m, doc.lex):
            a = actor_left(sent, m, doc)
            if a is not None and not a.generic:
                return a
    return None


#: Countries whose capital moved within living memory or is not the city reports mean by it (Myanmar: Yangon
#: until 2005; Brazil: Rio until 1960; Nigeria: Lagos until 1991; Ivory Coast: Abidjan; Tanzania: Dar es Salaam;
#: Kazakhstan, Germany, Pakistan, Malawi, Belize, Bolivia, the Netherlands, Israel and Palestine), and Georgia,
#: which is also a US state: 'the capital of X' for these is left to the names the report gives.
_CAPITAL_UNCLEAR = frozenset("MM BR NG CI TZ KZ DE PK MW BZ BO NL IL PS GE".split())


def _capital_at(sent: Sentence, k: int) -> Place | None:
    """A country's capital named by its country at k: 'the Ugandan capital', 'Uganda's capital', 'the capital of
    Uganda'. The capital comes from GeoNames' country table, its place from the gazetteer."""
    words, tokens, n = sent.words, sent.tokens, len(sent.words)
    k += k < n and words[k] == "the"
    states = sent.binder.lex.states
    iso: str | None = None
    named = states.words.match_at(words, k) if k < n and tokens[k].cap else None  # 'Sierra Leone': two words
    end = k + len(named) + 1 if named else k + 2
    if named and words[end - 1 : end] == ["capital"]:
        iso = states.words.values[named]  # 'the Ugandan capital', "Uganda's capital", 'the Sierra Leone capital'
    elif k + 2 < n and words[k] == "capital" and words[k + 1] == "of" and tokens[k + 2].cap:
        country = states.words.match_at(words, k + 2)
        end = k + 2 + (len(country) if country else 1)
        owned = end < n and tokens[end].start - tokens[end - 1].end == 3  # "the capital of Mali's neighbour"
        iso = states.words.values[country] if country and not owned else None  # 'the capital of Uganda'
    if iso is None and k < n and words[k] == "country" and "capital" in words[k + 1 : k + 3]:
        home = sent.binder.named_countries() | sent.context()  # "the country's (destroyed) capital"
        iso = next(iter(home)) if len(home) == 1 else None
        end = k + 2 if words[k + 1 : k + 2] == ["capital"] else k + 3
    name = states.capital_of.get(iso or "")
    if not name or (words[k],) in states.capitals or iso in _CAPITAL_UNCLEAR:
        return None
    if end < n and words[end] == "," and end + 1 < n and tokens[end + 1].cap:
        return None  # "the Georgia capital, Milledgeville": the report names the capital it means
    lex = sent.binder.lex
    entry = next((e for e in lex.gazetteer.candidates(fold(name).lower()) if e.country_code == iso), None)
    return make_place(name, entry=entry) if entry is not None else None


class _Clause:
    """One sentence read for control frames: what every frame needs, and the events found so far."""

    def __init__(self, doc: Document, sent: Sentence) -> None:
        self.doc, self.sent, self.lex = doc, sent, doc.lex
        self.sets = doc.lex.sets
        self.words, self.tokens = sent.words, sent.tokens
        self.n = len(sent.words)
        self.out: list[Event] = []
        self.seen: set[tuple[str, str]] = set()
        self.consumed: set[int] = set()  # trigger words another frame has read already
        self.i = 0  # the trigger being read
        self.subject: tuple[int, int] | None = None  # the offsets of the trigger's subject, once found
        self._last: dict[int, Place | None] = {}

    def emit(
        self,
        kind: EventKind,
        i: int,
        j: int,
        places: list[Place],
        actor: Actor | None,
        prev: Actor | None,
        verb: str,
        transfer: bool = False,
        conf: float = 0.8,
    ) -> None:
        """One event per territorial place not emitted before with that actor."""
        if actor is None and kind is not EventKind.control_denial:
            return
        if kind is EventKind.control_change and _brief(self.words, i, j):
            return  # "briefly seized the airport", "captured the base briefly": a raid, no change of hands
        sent, doc = self.sent, self.doc
        extent = "partial" if _partial_after(sent, i) else "whole"
        for place in places:
            actor_id = actor.id if actor is not None else "-"
            conquest = (
                _whole_country(place)
                and verb.startswith(_CONQUERING)
                and sent.binder.at_war
                and not (actor is not None and _home_town(self.lex, actor, place))
            )
            if not (_is_territory(place, sent) or conquest) or (place.id, actor_id) in self.seen:
                continue  # a whole country is taken only by conquest ('Italy conquered Ethiopia in 1936')
            if _whole_country(place) and (actor is None or not _armed(actor) or not sent.binder.at_war):
                continue  # a whole (small) state is taken only by an armed side in a war, not by a team or a film hero
            if actor is not None and place.name.lower() in (actor.name.lower(), (actor.mention or "").lower()):
                continue  # 'It fell to the Danes' with 'the Danes' read as a town abroad: a side takes no place of its name
            if any(w in _BUILDINGS for w in place.name.lower().split()) and _hostage_scene(self.words):
                continue  # hostage-takers seizing a school or a theatre do not take territory
            if prev is not None and actor is not None and prev.id == actor.id:
                prev = None
            self.seen.add((place.id, actor_id))
            if kind == EventKind.control_change and actor is not None:
                doc.takers.setdefault(sent.index, []).append(actor)
            sub = _sub_type(actor, verb, transfer, doc) if kind == EventKind.control_change and actor else None
            self.out.append(
                make_event(
                    doc,
                    kind,
                    sent,
                    i,
                    j,
                    conf,
                    place=place,
                    actor=actor,
                    previous_actor=prev,
                    acled_sub_event_type=sub,
                    extent=extent,
                )
            )

    def last(self) -> Place | None:
        """The place an anaphor at the current trigger refers to (named before it, in this sentence or earlier);
        looked up only if one needs it."""
        i = self.i
        if i not in self._last:
            found = last_place(self.doc, self.tokens[i].start)
            if found is not None and self.subject is not None and self._inside(found, self.subject):
                found = last_place(self.doc, self.subject[0])  # 'Villa and Urbina took the town': not Urbina
            self._last[i] = found
        return self._last[i]

    def _inside(self, place: Place, span: tuple[int, int]) -> bool:
        """Whether the words at `span` (the trigger's subject) name `place`: a person the gazetteer also knows."""
        return place.name.lower() in self.doc.text[span[0] : span[1]].lower()

    def phrase(self, k: int) -> list[Place]:
        """The places of the noun phrase starting at k ('the Ugandan capital' is Kampala)."""
        capital = _capital_at(self.sent, k)
        return [capital] if capital is not None else noun_phrase(self.tokens, k, self.sent.places, self.last)

    def resolve(self, places: list[Place]) -> list[Place]:
        """'those villages' -> the villages the document listed before; facilities listed before one located
        facility share its place ('the command of A and the base of B in Wad Madani')."""
        doc, sent = self.doc, self.sent
        places = _share_parent(places)
        out_places: list[Place] = []
        for p in places:
            parts = p.name.lower().split()
            if len(parts) == 2 and parts[0] in ("those", "these", "both") and sent.index > 0:
                for back in range(sent.index - 1, max(-1, sent.index - 4), -1):
                    view = doc.view(back)
                    found = listed_places(view.tokens, parts[1], view.places)
                    if found:
                        out_places.extend(found)
                        break
                else:
                    out_places.append(p)
            elif not p.resolved and p.parent is None and parts and parts[-1] in _KIND_HEADS and p.name.islower():
                out_places.append(_kind_antecedent(doc, sent, self.i, parts, self.last) or p)
            else:
                out_places.append(p)
        return out_places


# Each frame reads the trigger at i and says whether it claimed it (no later frame then reads that word).


#: Weapons named after a state's word before a '-held' place: that state strikes it, so it holds nothing there.
_STRIKERS = frozenset(
    "bombs jets drones missiles warplanes aircraft planes shells rockets strikes airstrikes artillery gunboats".split()
)


def _held_prefix(c: _Clause, i: int) -> bool:
    """'rebel-held Idlib': a state."""
    w = c.words[i]
    if not w.endswith(("-held", "-controlled")):
        return False
    places = c.phrase(i + 1)[:1]
    states = c.lex.states.words
    country = places[0].country if places else None  # a country's name: its ISO code is the state's key
    where = states.values.get(phrase(country)) if country else None
    words = c.words
    striking = frozenset(  # 'Russian glide bombs hit army-held positions': the state whose weapons strike
        states.values[p]
        for k, x in enumerate(words[:i])
        if x in states.index
        and (p := states.match_at(words, k))
        and not _STRIKERS.isdisjoint(words[k + len(p) : k + len(p) + 2])
    )
    holder = prefix_actor(w, c.sent.binder, where, striking)
    if holder:
        c.emit(EventKind.control_state, i, i + 2, places, holder, None, w, conf=0.6)
    return True


def _hands_frame(c: _Clause, i: int) -> bool:
    """'fell into Taliban hands', 'in M23 hands by nightfall'."""
    if c.words[i] != "hands":
        return False
    hands = _hands(c.sent, i, c.doc)
    if hands is not None:
        p_i, holder, change = hands
        verb = p_i - 1 if p_i > 0 and c.words[p_i - 1] in _HANDS_VERBS else p_i  # "The city fell into their hands"
        mover = next((m for m in range(p_i - 1, max(-1, p_i - 9), -1) if c.words[m] in _TRANSFER_VERBS), None)
        if c.words[p_i] == "to" and mover is not None and mover + 1 < p_i and c.words[mover + 1] != "to":
            places = c.resolve(c.phrase(mover + 1))  # "transferring the stronghold of X to Federal hands"
        elif c.words[p_i] == "to" and mover is not None:
            # "Bor passed to rebel hands": only the verb's own subject, not a place it merely names ('grain
            # from Odesa passed to Turkish hands')
            places = [g.place for g in c.sent.places if g.j == mover and not after_preposition(c.words, g.i)]
        else:
            places = _place_left(c.sent, verb, c.doc) or _unknown_subject(c.sent, verb, c.doc)
        since = _hands_since(c.words, i + 1) if not change and c.words[p_i] == "in" else None
        kind = EventKind.control_change if change or since is not None else EventKind.control_state
        end = _time_end(c.words, since + 1) if since is not None else i + 1  # "in X hands since 12 September"
        c.emit(kind, p_i, end, places, holder, None, "hands", conf=0.8 if c.words[p_i] == "into" else 0.6)
    return True


def _time_words_end(words: list[str], k: int) -> int:
    """Where the words of a time told at k end ('12 September 1936', 'on Sunday'), at most four, before any 'of'."""
    m = k
    while m < len(words) and m - k < 4 and words[m] != "of" and (words[m] in _TIME_WORDS or words[m][:1].isdigit()):
        m += 1
    return m


def _time_end(words: list[str], k: int) -> int:
    """Where the date that starts at k ends ('12 September 1936'), at least one word on."""
    return max(_time_words_end(words, k), k + 1)


def _hands_since(words: list[str], e: int) -> int | None:
    """Where 'since' tells when a place came into a side's hands, right after 'hands' ('in X hands (again) since
    May'), not a clause later ('..., and aid has not come since March') nor 'for the first time since'."""
    k = e
    while k < len(words) and k - e < 2 and words[k] in ("again", "ever", "now", "back"):
        k += 1
    return k if k + 1 < len(words) and words[k] == "since" else None


def _under(c: _Clause, i: int) -> bool:
    """'Kunduz is now under Taliban control': the actor names whose control it is."""
    words, sent, doc, n = c.words, c.sent, c.doc, c.n
    under = c.sets["control.under"].match_at(words, i)
    if not under or c.sets["control.held"].match_at(words, i + len(under) - 1):
        return False
    u = i + len(under)
    a = next((x for x in sent.actors if x.i in (u, u + 1) and x.j < n and words[x.j] == "control"), None)
    if (v := _bringer(words, i)) is not None and not blocked(words, v, c.lex):
        # "the offensive put all of the province under rebel control": the verb tells a change, in a report of
        # war or for a named armed group ("the reforms brought Bavaria under federal control" is none)
        ctrl = next((m for m in range(u, min(n, u + 5)) if words[m] == "control"), None)
        side = _possessor(sent, ctrl, doc) if ctrl is not None else None
        named = side is not None and any(x.i == side[0] and not x.generic for x in sent.actors)
        if ctrl is not None and side is not None and side[0] >= u and (named or sent.binder.at_war):
            places = c.resolve(c.phrase(v + 1))
            c.emit(EventKind.control_change, v, ctrl + 1, places, side[1], None, "under", conf=0.7)
            return True
    places = _place_left(sent, i, doc) if a is not None and i > 0 and words[i - 1] != "came" else []
    if a is not None and places and not blocked(words, i, c.lex):
        since = _since(words, a.j + 1)  # "under M23 control since January": a change then
        # told as new only as the clause's predicate ("P is now under X control"); in an aside ("P, now
        # under X control, was shelled") the same words describe a state
        said = i > 0 and words[i - 1] in _PASSIVE_AUX and _told_new(words, i, c.lex)
        new = since is not None or said
        kind = EventKind.control_change if new else EventKind.control_state
        c.emit(kind, i, since + 2 if since is not None else a.j + 1, places, a.actor, None, "under", conf=0.6)
    return True


#: Verbs that move their object under a side's control: "put / brought / placed P under X control".
_BRING = frozenset("put puts putting brought brings bringing placed places placing".split())


def _bringer(words: list[str], i: int) -> int | None:
    """The verb of 'put P under' before 'under' at i, with only the place's words between (no clause break)."""
    for m in range(i - 1, max(-1, i - 9), -1):
        if words[m] in _BRING:
            return m if m + 1 < i else None
        if words[m] in (",", ";", "and", "which", "that", "after", "before", "when"):
            return None
    return None


def _held(c: _Clause, i: int) -> bool:
    """'P held by X (since T)', 'in the hands of X'."""
    words, sent, doc = c.words, c.sent, c.doc
    held = c.sets["control.held"].match_at(words, i)
    if not held:
        return False
    e = i + len(held)
    a = actor_at(sent, e, 4)
    if a is not None and (st := state_at(sent, e)) is not None and (st.i, st.j) == (a.i, a.j):
        if not _place_held(sent, i):
            a = None  # "talks in Istanbul held by Turkey": a bare country is an agent of territory only
    since = _since(words, a.j if a is not None else e)  # after the holder's name, however long
    places = _place_left(sent, i, doc)
    if a and places:
        # a hold with a start is a change at that start, but weaker evidence than a change told as one;
        # so is one reached by a time ('was in the hands of X by nightfall') or told as new ('is now ...')
        reached = (
            _by_time(words, a.j)
            or _by_time(words, 0)
            or (i > 1 and words[i - 1] == "now" and words[i - 2] in _PASSIVE_AUX and not blocked(words, i, c.lex))
        )
        kind = EventKind.control_change if since is not None or reached else EventKind.control_state
        c.emit(kind, i, since + 2 if since else e + 1, places, a.actor, None, words[i], conf=0.6 if since else 0.8)
    return True


def _hold(c: _Clause, i: int) -> bool:
    """'militiamen who have controlled the town since 2009': a change at its start."""
    words, sent, doc = c.words, c.sent, c.doc
    hold = c.sets["control.hold"].match_at(words, i)
    if not hold:
        return False
    e = i + len(hold)
    since = _since(words, e)
    told = since is not None or _told_new(words, i, c.lex) or _by_time(words, 0)
    keeper = actor_left(sent, i, doc) if told else None
    if keeper is not None and not blocked(words, i, c.lex):
        places = c.phrase(e)  # "since" ends the phrase
        rel = keeper.i - 1 - (keeper.i > 1 and words[keeper.i - 1] == "the")
        if not places and rel >= 0 and words[rel] in ("that", "which"):
            places = _relative_antecedent(sent, rel)  # "Kupiansk, which X have held since T"
        # 'held' also takes meetings, talks and elections: only a name or a place noun is held
        places = [p for p in places if _named_or_territory(p)]
        c.emit(
            EventKind.control_change, i, (since + 2) if since else e + 2, places, keeper.actor, None, words[i], conf=0.6
        )
    return True


def _give(c: _Clause, i: int) -> bool:
    """'handing the Wa army full control of Pangsang'."""
    words, n = c.words, c.n
    if not c.sets["control.give"].match_at(words, i):
        return False
    receiver = next((a for a in c.sent.actors if i < a.i <= i + 4), None)
    if receiver is None and not _WAR_EVENTS.isdisjoint(words[max(0, i - 4) : i]):
        # "the retreat gave the Germans control of X": a people receives it from a military event
        receiver = next((r for k in range(i + 1, min(n, i + 3)) if (r := people_at(c.sent, k)) is not None), None)
    if receiver is None or blocked(words, i, c.lex):
        return True
    k = next((m for m in range(receiver.j, min(n, receiver.j + 4)) if words[m] == "control"), None)
    if k is not None and k + 1 < n and words[k + 1] in ("of", "over"):
        c.emit(EventKind.control_change, i, k + 3, c.phrase(k + 2), receiver.actor, None, words[i])
    return True


#: Military events that may give a side control: 'the withdrawal gave the Russians control of X'.
_WAR_EVENTS = frozenset(
    "withdrawal retreat victory capture fall offensive advance assault defeat collapse surrender pullout".split()
)


def _fall(c: _Clause, i: int) -> bool:
    """'X fell to Y', 'X came under the control of Y', a bare 'X fell' with its taker, and the denial of a fall."""
    words, sent, doc, lex, sets, n = c.words, c.sent, c.doc, c.lex, c.sets, c.n
    w = words[i]
    fallen = sets["control.fallen"].match_at(words, i)
    if fallen and denied(words, i, lex):  # "officials denied that Palmyra had fallen (to IS)"
        e = i + (len(sets["control.fell"].match_at(words, i) or (w,)))
        a = actor_at(sent, e, 4) if e > i + 1 else None
        c.emit(EventKind.control_denial, i, e + 1, _place_left(sent, i, doc), a.actor if a else None, None, w)
        return True
    fell = sets["control.fell"].match_at(words, i)
    if not fell and fallen:  # "X fell on Tuesday, March 4, under the control of Y"
        k = _past_time(words, i + 1)
        later = sets["control.fell"].match_at([w, *words[k : k + 8]], 0) if k > i + 1 else None
        if later:
            fell = tuple(words[i:k]) + later[1:]
            c.consumed.update(range(k, i + len(fell)))  # no second reading of "under the control of"
        elif not blocked(words, i, lex) and (i + 1 == n or words[i + 1] in _AFTER_FELL or _time_after(words, i + 1)):
            # "Kabul fell on Sunday as Taliban fighters entered the city", "Mariupol fell after a siege by X";
            # not "Khartoum fell into chaos", "Bakhmut fell silent": 'fell' must end its predicate
            taker = _bare_fall_taker(sent, i, doc)
            places = _fallen_subject(sent, i, doc)
            if taker is None and places:  # "Rebels attacked Kassala on Sunday. On Monday the town fell."
                taker = _attacker_before(sent, places[0], doc)
            if taker is not None and places:
                c.emit(EventKind.control_change, i, i + 1, places, taker.actor, None, w, conf=0.6)
            return True
    if not fell:
        return False
    if blocked(words, i, lex):
        return True
    e = i + len(fell)
    a = actor_at(sent, e, 4)
    if a is None and e < n and words[e] == "them":
        a = discourse_actor(sent, doc)  # "the town fell to them": the side the last sentence named
    if a is None and e < n and words[e - 1] == "to":
        a = _commander_at(sent, e, handed=True)  # "Acre fell to Saladin": a commander in a report of war
    if a is None and e < n and words[e] == "him" and sent.binder.at_war:
        a = discourse_commander(sent, doc)  # "X laid siege to Calais. ... the town surrendered to him"
    ctl = next((m for m in range(e, min(n, e + 3)) if words[m] in _CONTROL_NOUNS), None)
    if ctl is not None and words[ctl] == "rule" and words[ctl - 1] in ("military", "martial", "civilian", "direct"):
        return True  # "came under military rule after the coup": a regime, not a side taking the place
    possessed = _possessor(sent, ctl, doc) if ctl is not None and (a is None or a.i > ctl) else None
    if ctl is not None and possessed is not None and possessed[0] >= e:
        a = ActorMention(possessed[0], ctl, possessed[1])  # "returned to Azerbaijani control"
    garrison = _garrison_place(sent, i) if w in ("surrendered", "capitulated") else None
    it_place = _it_place(sent, i, doc) if w in ("surrendered", "capitulated") and garrison is None else None
    if _duty_before(words, i):
        return True  # "the job of feeding Jaffna fell to the Tamils": a task fell to them, not the town
    if (
        sets["control.fell_needs_control"].match_at(words, i) == fell
        and (a is None or _CONTROL_NOUNS.isdisjoint(words[a.j : a.j + 2]))
        and not (
            w in ("surrendered", "capitulated")
            and (_place_subject(sent, i) or garrison is not None or it_place is not None)
        )
    ):
        return True
    given = garrison or it_place
    places = [given] if given is not None else _place_left(sent, i, doc) or _unknown_subject(sent, i, doc)
    if not places and w in ("brought", "back"):
        lp = c.last()
        places = [lp] if lp else []
    if a:
        c.emit(EventKind.control_change, i, e + 1, places, a.actor, None, w)
    return True


#: Nouns of a task or an honour that may 'fall to' someone: 'the job of feeding X fell to Y'.
_DUTIES = frozenset("job task honour honor responsibility duty role burden privilege credit chore".split())


def _duty_before(words: list[str], i: int) -> bool:
    """Whether the subject of 'fell to' at i is a task or an honour ('the job of feeding X', 'responsibility for
    X'): a duty noun heading the clause that 'fell' ends, with no comma or conjunction between."""
    for m in range(i - 2, max(-1, i - 11), -1):
        if words[m] in (",", ";", "and", "but", "while", "as"):
            return False
        if words[m] in _DUTIES and words[m + 1] in ("of", "for"):
            return True
    return False


def _gave_itself_up(c: _Clause, i: int) -> bool:
    """'Vicksburg surrendered on 4 July', 'the garrison of Metz capitulated' (no 'to'): a place that gives itself up
    passes to the side that besieged or assaulted it, in this sentence or the two before."""
    words, sent, doc = c.words, c.sent, c.doc
    if not c.sets["control.gave_up"].match_at(words, i) or blocked(words, i, c.lex):
        return False
    if i + 1 < c.n and words[i + 1] not in _AFTER_GIVING_UP:
        return False  # "surrendered its claim", "surrendered 30 guns to the French": an object, not itself
    garrison = _garrison_place(sent, i)
    if garrison is not None:
        places = [garrison]
    elif _place_subject(sent, i):
        places = _place_left(sent, i, doc)
    else:
        places = []
    if _passive(words, i) and words[i + 1 : i + 2] == ["by"]:
        return True  # "X was surrendered by the rebels": the agent gave it up; who took it is not said
    if _passive(words, i) and garrison is None:  # "the town of X was surrendered": the place was given up
        places = [p for p in places if p.resolved or not TERRITORY.isdisjoint(p.name.lower().split())]
    taker = _attacker_before(sent, places[0], doc) if places else None
    if taker is None:
        return False
    c.emit(EventKind.control_change, i, i + 1, places, taker.actor, None, words[i], conf=0.6)
    return True


#: What may follow a place that gave itself up (no object): a time, a manner, a clause ('surrendered on 4 July').
_AFTER_GIVING_UP = frozenset(
    ", ; . on in at after before within when as following without unconditionally formally finally early late and "
    "then today yesterday tonight two three four five six several".split()
) | frozenset(WEEKDAYS)
#: What a side holds a place under: 'returned to Azerbaijani control', 'came under Bulgarian occupation'.
_CONTROL_NOUNS = frozenset("control rule occupation".split())


def _unopposed(words: list[str], e: int) -> bool:
    """'unopposed', 'without a fight', 'without resistance', 'without firing a shot' within a few words of e."""
    for m in range(e, min(len(words), e + 8)):
        if words[m] == "unopposed" or (words[m] == "without" and not _WITHOUT_A_FIGHT.isdisjoint(words[m + 1 : m + 4])):
            return True
    return False


#: Adverbs that make a capture a raid: the place did not change hands.
_BRIEFLY = frozenset("briefly temporarily momentarily".split())
#: Words that end the verb phrase an adverb of 'briefly' may stand in.
_PHRASE_ENDS = frozenset(", ; after before and but when while as until".split())


def _brief(words: list[str], i: int, j: int) -> bool:
    """'briefly seized', 'had briefly held', 'took the base briefly': the adverb on the trigger at i (or its
    phrase up to j and a little after), not in another clause ('after briefly clashing', 'was briefly the capital')."""
    if any(w in _BRIEFLY for w in words[max(0, i - 2) : i]):
        return True
    for m in range(i + 1, min(len(words), j + 4)):
        if words[m] in _PHRASE_ENDS:
            return False
        if words[m] in _BRIEFLY:
            return True
    return False


#: Event nouns whose own by-phrase names their agent, not a capture's: 'a retreat by UN forces'.
_OTHER_EVENTS = frozenset(
    "retreat withdrawal pullout offensive attack advance assault push bombardment shelling".split()
)
_WITHOUT_A_FIGHT = frozenset("fight resistance opposition shot battle struggle".split())
_WITHDRAWALS = frozenset("withdrawal retreat pullout pull-out evacuation".split())


def _withdrew_before(c: _Clause, i: int, place: Place, entrant: Actor) -> Actor | None:
    """The side that withdrew from `place`, told earlier in this sentence or in the one before ('Russia completed
    its withdrawal from Kherson'); None when no other armed side is told leaving it."""
    sent, doc = c.sent, c.doc
    views = [(sent, i)] + ([(doc.view(sent.index - 1), None)] if sent.index > 0 else [])
    for view, end in views:
        words = view.words[:end] if end is not None else view.words
        at = [g.i for g in view.places if g.place.id == place.id and g.i < len(words)]
        cue = [
            m
            for m in range(len(words))
            if words[m] in _WITHDRAWALS or doc.lex.sets["control.withdraw"].match_at(words, m)
        ]
        near = [k for k in cue if any(0 < a - k <= 4 for a in at)]
        if not near and end is not None and not at:
            # "the garrison withdrew overnight, and Soviet troops marched into Budapest": the leaving told bare
            leaver = _bare_leaver(view, end, entrant)
            if leaver is not None:
                return leaver
        if not near:
            continue
        k = near[-1]  # the withdrawal told of this place, not an earlier one from elsewhere
        gone = actor_left(view, k, doc)
        side = gone.actor if gone is not None else nationality_at(view, k - 1)  # "the Russian retreat"
        if side is not None and side.id != entrant.id and not blocked(words, k, doc.lex):
            return side
    return None


#: Verbs of leaving told without a place, whose subject's side then no longer holds the place entered after.
_LEFT_BARE = frozenset("withdrew retreated fled evacuated".split())
#: Nouns naming a place's armed holders without a side: 'the garrison withdrew', 'the defenders fled'.
_HOLDERS = frozenset("garrison garrisons defenders defender".split())


def _dated_after(words: list[str], e: int) -> bool:
    """Whether a time phrase with a year or a named period follows at e ('in 1998', 'in June 2014', 'last year'):
    a past change told with its date, not a description ('the largest city IS had seized')."""
    k = _past_time(words, e)
    return k > e and any(
        (w.isdigit() and len(w) == 4) or w in MONTHS or w in ("year", "month", "week") for w in words[e:k]
    )


def _counted_subject(sent: Sentence, i: int) -> list[Place]:
    """A set of places counted as the subject of the passive verb at i ('Nine villages east of Mosul were
    recaptured by ...', 'On Monday, 12 villages were retaken by ...'): the counted set, located by the place after
    it, not that place itself."""
    words = sent.words
    starts = [0] + [m + 1 for m in range(i) if words[m] == ","]
    s = starts[-1]
    s += s < i and words[s] in ("the", "some", "another")
    counted = count_place(sent.tokens, s, sent.places)
    if counted is None or any(w in _CLAUSE_VERBS for w in words[s:i]):
        return []
    return [counted]


#: Verbs that show a second clause between a counted subject and the passive verb read for it.
_CLAUSE_VERBS = frozenset("said says reported reports claimed claims announced announces told".split())


def _contact_antecedent(sent: Sentence, k: int) -> Place | None:
    """The place a relative clause without 'which' describes, when its subject starts at k right after a town
    noun set off after the place's name: 'Kilinochchi, the northern town the Tigers seized', 'Gao, a market town
    the rebels held'."""
    words = sent.words
    h = k - 1 - (k > 1 and words[k - 1] == "the")  # "the town the LTTE seized": the subject's own article
    if h < 2 or words[h] not in _TOWN_HEADS:
        return None
    d = h - 1
    while d > 0 and h - d < 4 and words[d] not in ("the", "a", "an", ","):
        d -= 1  # describing words: "northern", "strategic river"
    if words[d] not in ("the", "a", "an") or d < 2 or words[d - 1] != ",":
        return None
    named = next((g for g in sent.places if g.j == d - 1), None)
    return named.place if named is not None else None


def _bare_leaver(sent: Sentence, end: int, entrant: Actor) -> Actor | None:
    """The side told leaving, with no place, before the entry at `end` in its sentence ('the last garrison withdrew
    overnight, and'): an armed subject of a leaving verb that is not the entrant; None if there is none."""
    words = sent.words
    k = next((m for m in range(end - 1, 0, -1) if words[m] in _LEFT_BARE), None)
    if k is None or blocked(words, k, sent.binder.lex):
        return None
    if words[k - 1] in _HOLDERS:
        return Actor(id=slug(words[k - 1]), name=sent.tokens[k - 1].text, mention=sent.tokens[k - 1].text)
    gone = next((a for a in sent.actors if a.j in (k, k - 1) and not after_preposition(words, a.i)), None)
    return gone.actor if gone is not None and gone.actor.id != entrant.id else None


def _leave(c: _Clause, i: int) -> bool:
    """'the army left Kunduz to the Taliban', 'troops abandoned Bentiu to the rebels': the place passes to the side
    named after 'to'. Without such a side 'abandoned' is read as a withdrawal, 'left' as nothing."""
    words, sent, doc, n = c.words, c.sent, c.doc, c.n
    if not c.sets["control.leave"].match_at(words, i) or _passive(words, i) or blocked(words, i, c.lex):
        return False
    places = c.resolve(c.phrase(i + 1))
    to = next((m for m in range(i + 2, min(n, i + 10)) if words[m] in ("to", ",", ";", "and", "after")), None)
    if not places or to is None or words[to] != "to":
        return False
    taker = actor_at(sent, to + 1, 3)
    if taker is not None and taker.i > to + 1 + (words[to + 1] == "the"):
        taker = None  # "left Kabul to the applause of supporters": the side must follow 'to (the)'
    giver = actor_left(sent, i, doc)
    if taker is None or (giver is not None and taker.actor.id == giver.actor.id):
        return False
    gave = giver.actor if giver is not None else None
    c.emit(EventKind.control_change, i, to + 2, places, taker.actor, gave, words[i], transfer=True, conf=0.7)
    return True


def _withdraw(c: _Clause, i: int) -> bool:
    """'B withdrew from P (leaving it to A)', 'A forced B to retreat from P', and a two-sided report's other side."""
    words, sent, doc, lex, sets, n = c.words, c.sent, c.doc, c.lex, c.sets, c.n
    w = words[i]
    wd = sets["control.withdraw"].match_at(words, i)
    compelled = sets["control.forced_leave"].match_at(words, i) if not wd else None
    if not wd and not compelled:
        return False
    e = i + len(wd or compelled or ())
    places = c.phrase(e)
    if compelled:
        return _compelled(c, i, e, places)
    forced = next((m for m in range(max(0, i - 8), i) if words[m] in _FORCE), None)
    if forced is not None and not blocked(words, forced, lex):
        if _passive(words, forced):  # "B were forced to retreat from P (by A)": P passes to A, or the other side
            gone = actor_left(sent, forced, doc)
            side = _forced_taker(sent, doc, e, gone) if gone is not None else None
            if side is not None and gone is not None and not _police(side):  # protesters moved on by police: none
                c.emit(EventKind.control_change, forced, e + 3, places, side, gone.actor, "forced")
            return True
        # "A forced B to retreat from P": P passes to A
        winner = actor_left(sent, forced, doc)
        loser = next((x for x in sent.actors if forced < x.i < i), None)
        if winner:
            lost = loser.actor if loser else None
            c.emit(EventKind.control_change, forced, e + 3, places, winner.actor, lost, "forced")
        return True
    if blocked(words, i, lex):
        return True
    prev = actor_left(sent, i, doc)
    for m in range(e, min(n, e + 14)):
        h = sets["control.handover"].match_at(words, m)
        if h:
            a = actor_at(sent, m + len(h), 4)
            to = next((t for t in range(m + len(h), min(n, m + len(h) + 6)) if words[t] == "to"), None)
            if a is None and to is not None:  # "leaving the city to the Islamic State"
                a = actor_at(sent, to + 1, 3)
                given = c.resolve(c.phrase(m + len(h)))
                if any(_is_territory(p, sent) for p in given):  # "handing its last base in X to Y"
                    places = given
            if a:
                gave = prev.actor if prev else None
                c.emit(EventKind.control_change, i, m + len(h) + 1, places, a.actor, gave, w, transfer=True)
            break
    else:
        other = _other_side(doc, prev.actor) if prev is not None and not prev.generic else None
        if other is not None:  # "Russia withdrew from Lyman" in a report of two sides: Ukraine's now
            c.emit(EventKind.control_change, i, e + 2, places, other, prev.actor if prev else None, w, conf=0.6)
    return True


def _compelled(c: _Clause, i: int, e: int, places: list[Place]) -> bool:
    """'Georgian units were forced to abandon the city (by X)', 'troops, forced to abandon Y, regrouped': armed men
    named before gave the place up to the side after 'by' or to the report's only other side; people or a club
    made to leave, and a risk of it ('risk being forced to leave'), change no hands."""
    words, sent, doc, lex = c.words, c.sent, c.doc, c.lex
    if blocked(words, i, lex) or (i > 0 and words[i - 1] == "being"):
        return True
    gone = actor_left(sent, i, doc)
    if gone is None or not _armed_men(sent, gone):
        return True
    side = _forced_taker(sent, doc, e, gone)
    if side is not None and side.id != gone.actor.id and not _police(side):
        c.emit(EventKind.control_change, i, e + 3, places, side, gone.actor, "forced")
    return True


def _forced_taker(sent: Sentence, doc: Document, e: int, gone: ActorMention) -> Actor | None:
    """Who a side forced out of the place ending at e left it to: the side after 'by', else the report's only other
    side (not when the side forced out is only a generic word)."""
    words = sent.words
    by = next((m for m in range(e, min(len(words), e + 8)) if words[m] == "by"), None)
    taker = actor_at(sent, by + 1, 3) if by is not None else None
    if taker is not None:
        return taker.actor
    return _other_side(doc, gone.actor) if not gone.generic else None


def _armed_men(sent: Sentence, mention: ActorMention) -> bool:
    """Whether a mention names armed men: an armed noun ('Georgian soldiers', 'Wagner fighters') or a known armed
    group by name ('the RSF'), not a people ('Palestinians') or a country's name alone."""
    words = sent.words[mention.i : mention.j]
    if not ARMED_HEADS.isdisjoint(words):
        return True
    entry = sent.binder.entries.get(mention.actor.id)
    return entry is not None and entry.state is None and not mention.generic


def _lose(c: _Clause, i: int) -> bool:
    """'Ukraine lost Avdiivka to Russia', 'the town was lost to the Taliban', 'the army lost control of X'."""
    words, sent, doc, lex, n = c.words, c.sent, c.doc, c.lex, c.n
    lose = c.sets["control.lose"].match_at(words, i)
    if not lose or _blocked(words, i, lex):
        return False
    e = i + len(lose)
    passive = _passive(words, i)
    to = next((m for m in range(e, min(n, e + 10)) if words[m] in ("to", ",", ";", "after", "in")), None)
    taker = actor_at(sent, to + 1, 3) if to is not None and words[to] == "to" else None
    loser = actor_left(sent, i, doc) if not passive else None
    conf = 0.8
    if taker is None and loser is not None and not loser.generic and not passive:
        other = _other_side(doc, loser.actor)
        taker, conf = (ActorMention(i, i, other, True) if other else None), 0.6
    if taker is not None:
        if passive:
            places = _place_left(sent, i, doc)
        else:
            places = [p for p in c.resolve(c.phrase(e)) if _lost_place(p)]
        lost_by = loser.actor if loser is not None else None
        c.emit(EventKind.control_change, i, (to or e) + 2, places, taker.actor, lost_by, words[i], conf=conf)
    return True


def _clear(c: _Clause, i: int) -> bool:
    """'the army cleared Marawi of militants': P passes from B to A."""
    words, sent, doc, lex, n = c.words, c.sent, c.doc, c.lex, c.n
    clear = c.sets["control.clear"].match_at(words, i)
    if not clear or _blocked(words, i, lex) or _passive(words, i):
        return False
    e = i + len(clear)
    of = next((m for m in range(e + 1, min(n, e + 8)) if words[m] in ("of", ",", ";")), None)
    loser = actor_at(sent, of + 1, 3) if of is not None and words[of] == "of" else None
    winner = actor_left(sent, i, doc) if loser is not None else None
    if loser is not None and winner is not None and winner.actor.id != loser.actor.id:
        places = c.resolve(c.phrase(e))
        c.emit(EventKind.control_change, i, loser.j, places, winner.actor, loser.actor, words[i])
    elif (of is None or words[of] != "of") and words[i] != "rid":
        # "the army said forces had cleared Mingora": a named town cleared is taken (not 'cleared the road')
        places = [p for p in c.phrase(e) if p.resolved]
        winner = actor_left(sent, i, doc) if places else None
        if winner is not None and not _police(winner.actor):  # "riot police cleared Maidan": a square emptied
            c.emit(EventKind.control_change, i, e + 2, places, winner.actor, None, words[i], conf=0.6)
    return True


def _cede(c: _Clause, i: int) -> bool:
    """'B surrendered its headquarters in P to A', 'B handed P back to A': P passes from B to A."""
    words, sent, doc, lex, n = c.words, c.sent, c.doc, c.lex, c.n
    cede = c.sets["control.cede"].match_at(words, i)
    if not cede or _blocked(words, i, lex) or _passive(words, i):
        return False
    e = i + len(cede)
    to = next((m for m in range(e + 1, min(n, e + 12)) if words[m] in ("to", ";", '"')), None)
    receiver = actor_at(sent, to + 1, 3) if to is not None and words[to] == "to" else None
    if receiver is None or e >= n or words[e] in ("to", "themselves", "himself", "their", "arms"):
        return False  # another frame may read the word ('surrendered' as a fall, 'handed' as a handover)
    giver = actor_left(sent, i, doc)
    thing = not _HANDED_THINGS.isdisjoint(words[e:to])
    places = [p for p in c.resolve(c.phrase(e)) if _ceded(p, thing)]
    gave = giver.actor if giver is not None else None
    c.emit(EventKind.control_change, i, (to or e) + 2, places, receiver.actor, gave, words[i], transfer=True)
    return True


def _enter(c: _Clause, i: int) -> bool:
    """'A entered P, the third district to be returned by B', 'A marched into P after B's troops fled':
    a handover or the other side's flight, not a raid or a patrol."""
    words, sent, doc, lex, sets, n = c.words, c.sent, c.doc, c.lex, c.sets, c.n
    w = words[i]
    ent = sets["control.enter"].match_at(words, i)
    if not ent:
        return False
    e = i + len(ent)
    handed = next((m for m in range(e, min(n, e + 16)) if sets["control.entered_handed"].match_at(words, m)), None)
    if handed is None and not blocked(words, i, lex) and _unopposed(words, e) and (a := actor_left(sent, i, doc)):
        # "Ottoman forces entered Kut unopposed", "troops entered the town without a fight": nobody held it; a
        # stadium entered without a fight, or police entering a square, take nothing
        places = [p for p in c.resolve(c.phrase(e)) if p.resolved or _military_post(p)] if not _police(a.actor) else []
        c.emit(EventKind.control_change, i, e + 2, places, a.actor, None, w, conf=0.7)
        return True
    if handed is None:  # "A marched into P after B's troops fled": B's flight leaves P to A
        after = next((m for m in range(e, min(n, e + 8)) if words[m] in ("after", "following", "as", "which")), None)
        left = after if after is not None else n
        if not any(sets["control.entered_left"].match_at(words, m) for m in range(left, min(n, left + 8))):
            # "Russia completed its withdrawal from Kherson. Ukrainian troops entered the city": told before
            if not blocked(words, i, lex) and (a := actor_left(sent, i, doc)) is not None:
                places = c.resolve(c.phrase(e))
                gone = _withdrew_before(c, i, places[0], a.actor) if places and places[0].resolved else None
                if gone is not None:
                    c.emit(EventKind.control_change, i, e + 2, places[:1], a.actor, gone, w, conf=0.6)
                elif ent in _TRIUMPHAL and _armed(a.actor) and not _raid_told(words):
                    # "paramilitaries swept into the town of X": an entry told as a victor's is a takeover,
                    # not a side entering its own country's town ('French troops marched into Paris')
                    towns = [
                        p for p in places if (p.resolved or _named_town(words, e)) and not _home_town(lex, a.actor, p)
                    ]
                    c.emit(EventKind.control_change, i, e + 2, towns[:1], a.actor, None, w, conf=0.6)
            return True
        if not blocked(words, i, lex) and (a := actor_left(sent, i, doc)) is not None:
            loser = next((x for x in sent.actors if left < x.i and x.actor.id != a.actor.id), None)
            if loser is None:  # "..., which the Germans had abandoned", "after the Croats fled": a people as the side
                loser = next(
                    (s for m in range(left, min(n, left + 4)) if (s := state_at(sent, m) or agent_people(sent, m))),
                    None,
                )
                loser = loser if loser is not None and loser.actor.id != a.actor.id else None
            if loser is not None:  # an armed side left, not 'fans' or 'residents'
                places = c.resolve(c.phrase(e))
                c.emit(EventKind.control_change, i, e + 2, places, a.actor, loser.actor, w, conf=0.6)
        return True
    a = actor_left(sent, i, doc) if not blocked(words, i, lex) else None
    if a is not None:
        by = next((m for m in range(handed, min(n, handed + 6)) if words[m] == "by"), None)
        giver = actor_at(sent, by + 1, 3) if by is not None else None
        places = c.resolve(c.phrase(e))
        gave = giver.actor if giver is not None else None
        c.emit(EventKind.control_change, i, e + 2, places, a.actor, gave, w, transfer=True, conf=0.7)
    return True


#: Entries a victor makes: rolling, sweeping or marching into a town takes it unless the sentence says otherwise.
_TRIUMPHAL = frozenset(
    (("rolled", "into"), ("swept", "into"), ("marched", "into"), ("rode", "into"), ("rumbled", "into"))
)
#: Words after an entry that make it a raid, a passage or a ceremony: 'rolled into X before pulling back',
#: 'briefly', 'for the parade'.
_RAID_WORDS = frozenset(
    "briefly temporarily pulling pulled withdrew withdrawing retreated retreating raid looting parade parades "
    "ceremony celebration celebrations exercise exercises drill drills visit festival search arrested arrest "
    "carrying aid reinforce reinforcements funeral patrol patrols peacekeepers escort escorting".split()
)


def _raid_told(words: list[str]) -> bool:
    """Whether the entry's sentence tells it as a raid, a passage or a ceremony: 'before pulling
    back', 'briefly', 'the parade ended, and troops rolled into X'."""
    return not _RAID_WORDS.isdisjoint(words)


def _armed(actor: Actor) -> bool:
    """Whether an entry's side is an armed one that may take a town (not police, peacekeepers, protesters)."""
    return not _police(actor) and "peacekeep" not in actor.id and actor.id not in ("protesters", "fans", "crowds")


def _home_town(lex: Lexicons, actor: Actor, place: Place) -> bool:
    """Whether `place` lies in the state whose forces `actor` is ('French troops' in Paris, the Somali army in
    Mogadishu): a gazetteer place's id starts with its country's ISO code; a whole country is named by it."""
    entry = lex.actor_entries.get(actor.id)
    if entry is None or entry.state is None:
        return False
    if _whole_country(place):
        return lex.states.words.values.get(tuple(place.name.lower().split())) == entry.state
    return place.id.split("/", 1)[0] == entry.state.lower()


def _named_town(words: list[str], e: int) -> bool:
    """Whether the object at e is told as a settlement ('the town of Zepa', 'the village of X')."""
    return words[e : e + 1] == ["the"] and e + 2 < len(words) and words[e + 1] in _TOWN_HEADS and words[e + 2] == "of"


def _expel(c: _Clause, i: int) -> bool:
    """'A drove B out of P', 'Y was driven out of P (by X)': P passes from the expelled to the expeller."""
    words, sent, doc, lex, n = c.words, c.sent, c.doc, c.lex, c.n
    w = words[i]
    ex = c.sets["control.expel"].match_at(words, i)
    if not ex or blocked(words, i, lex):
        return False
    if _passive(words, i):
        # "Y was driven out of P (by X)": P passes to X, or to the other side of a two-sided report
        k = i + len(ex)
        pp = 2 if words[k : k + 2] == ["out", "of"] else 1 if k < n and words[k] == "from" else 0
        if pp:
            by = next((m for m in range(k + pp + 1, min(n, k + pp + 14)) if words[m] == "by"), None)
            winner = actor_at(sent, by + 1, 3) if by is not None else None
            loser = actor_left(sent, i, doc)
            conf = 0.8
            if winner is None and loser is not None and not loser.generic:
                other = _other_side(doc, loser.actor)
                winner, conf = (ActorMention(i, i, other, True) if other else None), 0.6
            if winner is not None:
                places = c.resolve(c.phrase(k + pp))
                lost = loser.actor if loser else None
                c.emit(EventKind.control_change, i, k + pp + 2, places, winner.actor, lost, w, conf=conf)
        return True
    loser = next((m for m in sent.actors if i < m.i <= i + len(ex) + 4), None)
    if loser is None and _armed_object(words, i + len(ex)):
        loser = ActorMention(i, i, Actor(id="-", name="-"), True)  # "forced the government of X out of P"
    elif loser is not None and "from" not in words[loser.j : loser.j + 3] and "out" not in words[loser.j : loser.j + 3]:
        # "P, where X had dislodged Y on <date>": P is the place before 'where'
        winner = actor_left(sent, i, doc)
        where = winner is not None and winner.i > 0 and words[winner.i - 1] == "where"
        places = [p] if winner and where and (p := _named_before(sent, winner.i - 1)) else []
        if winner is not None and places:
            c.emit(EventKind.control_change, i, loser.j, places, winner.actor, loser.actor, w)
            return True
    given_up = _made_to_leave(words, loser.j) if loser is not None and w in _FORCE else None
    if loser is not None and given_up is not None:
        winner = actor_left(sent, i, doc)  # "the rebels forced the army to abandon Bunia"
        if winner is not None:
            places = c.resolve(c.phrase(given_up))
            c.emit(EventKind.control_change, i, given_up + 2, places, winner.actor, loser.actor, w)
        return True
    if loser is not None:
        # "forced the government of President X out of the capital": the loser's phrase may run on
        k = next(
            (
                m
                for m in range(loser.j, min(n, loser.j + 10))
                if words[m] == "from" or words[m : m + 2] == ["out", "of"]
            ),
            loser.j,
        )
        pp = 2 if words[k : k + 2] == ["out", "of"] else 1 if k < n and words[k] == "from" else 0
        winner = actor_left(sent, i, doc)
        if pp and winner is not None:
            places = c.resolve(c.phrase(k + pp))
            lost = loser.actor if loser.actor.id != "-" else None
            c.emit(EventKind.control_change, i, k + pp + 2, places, winner.actor, lost, w)
            return True
    return False


#: What a side is forced to do with a place it loses: 'forced the army to abandon X / withdraw from X'.
_GIVE_UP = frozenset("abandon leave evacuate quit cede surrender".split())
_GIVE_UP_FROM = frozenset("withdraw retreat flee pull".split())


#: What may follow 'flee' when its object is not the place left: 'flee from X', 'flee to Y', 'flee on foot'.
_FLEE_PREPS = frozenset("from to into across towards toward on in by for with".split())


def _made_to_leave(words: list[str], j: int) -> int | None:
    """Where the place starts in 'forced <side> to abandon X' / 'to withdraw from X' / 'to pull out of X' (j is
    after the side); None when the side is made to do something else."""
    n = len(words)
    if not (j + 1 < n and words[j] == "to"):
        return None
    verb = words[j + 1]
    if verb in _GIVE_UP:
        return j + 2
    if verb == "flee" and j + 2 < n and words[j + 2] not in _FLEE_PREPS:
        return j + 2  # "made the garrison flee the town": 'flee' takes the place as its object
    if verb in _GIVE_UP_FROM:
        for k in range(j + 2, min(n, j + 4)):
            if words[k] == "from":
                return k + 1
            if words[k : k + 2] == ["out", "of"]:
                return k + 2
    return None


def _nominal(c: _Clause, i: int) -> bool:
    """'the capture of P by A', 'Russia's capture of P', 'the fall of P' (to whoever captured just before)."""
    words, tokens, sent, doc, lex, n = c.words, c.tokens, c.sent, c.doc, c.lex, c.n
    w = words[i]
    nom = c.sets["control.nominal"].match_at(words, i)
    if not nom:
        return False
    if blocked(words, i, lex):
        return True
    e = i + len(nom)
    if not _HYPOTHETICAL.isdisjoint(words[e : e + 5]):
        return True  # "the capture of X would be claimed by Y if ...": a capture imagined, not told
    places = c.phrase(e)
    agent = ("to",) if w == "loss" else ("by", "to") if w in _TO_NOMINALS else ("by",)  # "loss of X by Y": Y lost X
    by = next((m for m in range(e, min(n, e + 8)) if words[m] in agent), None)
    if by is not None and not _PASSIVE_AUX.isdisjoint(words[e:by]) and words[by - 1] not in _ANNOUNCED:
        by = None  # "claims about the capture of X were rejected by Y": Y is the agent of another verb
    if by is not None and words[by - 1] in _OTHER_EVENTS:
        by = None  # "the town's loss came after a pullout by NATO troops": the pullout's agent
    a = actor_at(sent, by + 1, 3) if by is not None else None
    if a is None and by is not None:
        a = _commander_at(sent, by + 1)  # "the fall of X to Madero", "the capture of X by Grant"
    possessed = i > 0 and tokens[i].start - tokens[i - 1].end >= 2  # "Zapata's taking of X"
    if w in _TO_NOMINALS:  # "the fall of X" names no taker: one who captured in this or the last sentence
        a = a or _taker(sent, i, doc) or (_taker(doc.view(sent.index - 1), None, doc) if sent.index else None)
        if a is None and places and places[0].resolved and w != "loss" and not _never_came(words[e : e + 6]):
            a = _attacker_before(sent, places[0], doc)  # "Greeks besieged X in June. The fall of X in July": theirs
    elif not _UNREAL_BEFORE.isdisjoint(words[max(0, i - 4) : i]):
        return True  # "fears of a Russian capture of X", "a failed capture of Y": no capture told
    else:
        owner = state_at(sent, i - 1) if possessed else None
        if owner is None and possessed:
            owner = _commander_before(sent, i - 1)
        nation = nationality_at(sent, i - 1) if owner is None and not possessed else None
        if nation is not None:
            owner = ActorMention(i - 1, i, nation)  # "the Iranian recapture of X"
        a = a or owner or actor_left(sent, i, doc)  # "Russia's capture of X"
        opener = a is None and 0 < i <= 3 and words[0] in _NOMINAL_OPENERS
        if opener:
            a = opening_adjunct_subject(sent, i)  # "After the capture of X, the rebels ...": they, or no one
        if a is None and not (opener and _side_after_comma(sent, i)):
            a = discourse_actor(sent, doc)  # "After the capture of the town, aid deliveries stopped": the last side
    if a:
        c.emit(EventKind.control_change, i, e + 2, places, a.actor, _previous(sent, e), w, conf=0.7)
    return True


def _possessed_nominal(c: _Clause, i: int) -> bool:
    """'P's capture (by A)', 'P's fall (to A)': the place owns the noun, which its verb tells as done; the taker is
    the agent right after it, else one who captured P (or, for a capture or a fall, assaulted it) just before."""
    words, tokens, sent, doc = c.words, c.tokens, c.sent, c.doc
    if not c.sets["control.possessed"].match_at(words, i) or i == 0 or not possessive(tokens, i - 1):
        return False
    owner = next((g for g in sent.places if g.j == i), None)
    if owner is None or any(a.i < i <= a.j for a in sent.actors):
        return False  # "Russia's capture of X" (a side owns it) is `_nominal`'s
    nxt = words[i + 1] if i + 1 < c.n else "."
    if nxt == "of" or (nxt.isalpha() and nxt not in _AFTER_POSSESSED):
        return nxt != "of"  # "Kabul's fall semester", "Kassala's liberation front": a noun's modifier
    if blocked(words, i, c.lex) or not _UNREAL_BEFORE.isdisjoint(words[max(0, i - 4) : i]):
        return True  # "To prevent Kassala's fall", "reports of Kassala's capture"
    if not _UNTOLD_AFTER.isdisjoint(words[i + 1 : i + 8]):
        return True  # "Kabul's fall seemed imminent", "Kassala's capture would have ...", "was denied"
    agent = ("by", "to") if words[i] == "fall" else ("by",)
    a = actor_at(sent, i + 2, 3) if nxt in agent else None
    a = a or _taker(sent, owner.i, doc) or (_taker(doc.view(sent.index - 1), None, doc) if sent.index else None)
    if a is None and words[i] in ("capture", "fall", "seizure", "takeover", "conquest"):
        a = _attacker_before(sent, owner.place, doc)  # not for its liberation or recapture: the assailant's foes
    if a is not None:
        c.emit(EventKind.control_change, i, i + 1, [owner.place], a.actor, None, words[i], conf=0.7)
    return True


#: Words that may follow a place's possessive capture noun told as done: 'Kassala's fall came', 'Kabul's fall to'.
_AFTER_POSSESSED = frozenset(
    "to by in on at after within during following came comes was had has marked ended opened cut left followed "
    "forced meant brought sealed sent gave made and but".split()
)
#: Words after it that leave it untold: a prospect, a wish, a doubt, a denial.
_UNTOLD_AFTER = frozenset(
    "would could might may will seemed seems seem unlikely imminent matter prevented averted false denied feared "
    "expected appeared looked if rumoured rumored".split()
)


#: Openers of an adjunct that may hold a capture noun (arguments' `_ADJUNCT_OPENERS` precede gerunds): 'After the capture of X, ...', 'Before the fall of Y, ...'.
_NOMINAL_OPENERS = frozenset("after following upon before since while during until".split())


def _side_after_comma(sent: Sentence, i: int) -> bool:
    """Whether the main clause after an opening adjunct at i names a side as its subject (read, and maybe rejected,
    by `opening_adjunct_subject`)."""
    comma = next((m for m in range(i + 2, min(len(sent.words), i + 20)) if sent.words[m] == ","), None)
    return comma is not None and any(comma < a.i <= comma + 3 for a in sent.actors)


def _never_came(after: list[str]) -> bool:
    """Whether the words after a capture noun say it did not happen ('the fall of X never came', 'did not come');
    not 'was not long in coming', 'did not come until June'."""
    return "never" in after or ("not" in after and "until" not in after and "long" not in after)


#: Words before a capture noun that make it feared, planned or failed: 'fears of a Russian capture of X'.
_UNREAL_BEFORE = frozenset(
    "fears fear feared possible failed attempted threat risk prospect planned potential prevent prevented avert "
    "averted".split()
)


def _commander_at(sent: Sentence, k: int, handed: bool = False) -> ActorMention | None:
    """A person's name at k in an agent slot ('to Madero', 'by General Villa'), up to three capitalised words that
    end the phrase: not a possessor ("to Biden's critics") nor a name before a noun ('by Reuters photographers').
    `handed`: the slot is the agent of a place's fall or capture (see `named_commander`)."""
    words, tokens = sent.words, sent.tokens
    k += k < len(words) and words[k] in RANKS
    end = k
    while end < len(words) and end - k < 3 and tokens[end].cap:
        end += 1
    nxt = words[end] if end < len(words) else ""
    if (
        end == k
        or possessive(tokens, end - 1)
        or (nxt.isalpha() and nxt not in _AFTER_AGENT and not nxt.endswith("ed"))
    ):
        return None  # a name before a noun ('by Reuters photographers'); a verb may follow ('to Madero shocked')
    return named_commander(sent, k, end, handed)


#: Words that may follow an agent's name: a time, a place or a clause break ('to Madero in May', 'by Villa, who').
_AFTER_AGENT = frozenset(
    "in on at after before during when while and but as with without following within until near outside was were "
    "is are has had came left".split()
)


def _commander_before(sent: Sentence, j: int) -> ActorMention | None:
    """A person's possessive name ending at j ("Zapata's taking of X", "General Grant's capture of Y")."""
    start = j
    while start > 0 and j - start < 2 and sent.tokens[start - 1].cap and sent.words[start - 1] not in RANKS:
        start -= 1
    return named_commander(sent, start, j + 1, handed=True, possessor=True)


def _overrun(c: _Clause, i: int) -> bool:
    """'the LTTE overran the army base at Mullaitivu': a military post overrun is taken; a village overrun in a
    raid is not ('overran the village, killed 30 and withdrew')."""
    words, sent, doc = c.words, c.sent, c.doc
    if not c.sets["control.overrun"].match_at(words, i):
        return False
    if blocked(words, i, c.lex) or (i > 0 and words[i - 1] in ("nearly", "almost")):
        return True  # "failed to overrun X", "nearly overran X"
    if _passive(words, i):  # "X was overrun by Y": Y, the place before the verb
        by = i + 1 + (i + 1 < c.n and words[i + 1].endswith("ly"))
        agent = actor_at(sent, by + 1, 4) if words[by : by + 1] == ["by"] else None
        if agent is None or _held_in_raid(words) or not sent.binder.at_war or not _place_subject(sent, i):
            return True  # not "positions outside X were overrun": the place must be the subject
        places = [p for p in _place_left(sent, i, doc) if p.resolved or _military_post(p)]
        c.emit(EventKind.control_change, i, by + 2, places, agent.actor, None, words[i], conf=0.6)
        return True
    a = actor_left(sent, i, doc)
    if a is None:
        return True
    found = c.resolve(c.phrase(i + 1))  # "overran the citadel": the citadel of the town named before
    leaving = next((m for m in range(i + 1, len(words)) if words[m] in _LEFT_AGAIN), None)
    # "overran X when the garrison withdrew": another side named as the leaver left X to the attackers
    defenders_left = leaving is not None and not words[leaving].endswith("ing") and _other_leaver(sent, i, leaving, a)
    places = [_post_at(sent, i + 1, p) for p in found if _military_post(p)]
    places += [p for p in found if p.resolved and p.id.count("/") <= 1]  # "overran Manchuria": a region, conquered
    if leaving is None and sent.binder.at_war and not _held_in_raid(words):
        places += [p for p in found if p not in places and p.resolved]  # "overran Lule Burgas": in a war, taken
    if defenders_left:
        places += [p for p in found if p not in places and _concrete(p)]
    if places and (leaving is None or defenders_left):
        c.emit(EventKind.control_change, i, i + 3, places, a.actor, None, words[i], conf=0.6)
    return True


#: What tells an overrun place as a raid or a massacre, not a place held: killing, burning, looting, leaving, or
#: being thrown out again.
_RAID_ACTS = frozenset(
    "killing killed kill massacred massacre massacring slaughtered burned burning burnt torched looted looting "
    "razed razing abducted abducting kidnapped hostages".split()
)


def _held_in_raid(words: list[str]) -> bool:
    """Whether an overrun is told as a raid: a killing, a burning, a looting, a passage, or the overrunning side
    thrown back ('a counterattack drove them out', 'were driven back', 'repulsed'); not 'drove out the defenders'."""
    if not _RAID_ACTS.isdisjoint(words) or _raid_told(words) or "repulsed" in words or "repelled" in words:
        return True
    return any(
        (w == "drove" and words[k + 1 : k + 2] == ["them"] and words[k + 2 : k + 3] in (["out"], ["back"]))
        or (w == "driven" and words[k + 1 : k + 2] in (["out"], ["back"]))
        for k, w in enumerate(words)
    )


#: Verbs that state a place's new status in the participle after it: 'declared Mosul liberated'.
_DECLARE = frozenset("declared declares declaring declare announced announces proclaimed proclaims pronounced".split())
#: Words a place phrase may hold between such a verb and the name: 'declared the whole city of X liberated'.
_DECLARED_FILLER = frozenset("the city town village of entire whole".split())


def _declared_place(sent: Sentence, end: int) -> Place | None:
    """The gazetteer place ending at `end` when a verb of declaring opens its phrase: 'Iraq declared Ramadi
    (fully) liberated', 'the army announced the town of X retaken'."""
    words = sent.words
    place = next((p for p in sent.places if p.j == end), None)
    if place is None:
        return None
    k = place.i - 1
    while k >= 0 and place.i - k <= 4 and words[k] in _DECLARED_FILLER:
        k -= 1
    return place.place if k >= 0 and words[k] in _DECLARE else None


def _other_leaver(sent: Sentence, i: int, leaving: int, taker: ActorMention) -> bool:
    """Whether the subject of the leaving verb at `leaving` is a side other than the taker ('when the garrison
    withdrew'): an armed noun phrase just before the verb, after the trigger at i."""
    words = sent.words
    named = next((b for b in sent.actors if i < b.i and leaving - 2 <= b.j <= leaving), None)
    if named is None:
        named = fallback_actor(sent.tokens, words, leaving, i + 1)
        if named is None or named.j < leaving - 1:
            return False
    if named.actor.id == taker.actor.id:
        return False
    for k in range(named.i - 1, max(i, named.i - 6), -1):  # "when Kenyan and allied troops pulled out"
        if words[k] in _LEAVER_OPENS:
            return True
        if words[k] in (",", ";") or not (words[k] in ("the", "its", "their", "his", "and") or sent.tokens[k].cap):
            return False
    return False


#: Words that open a clause whose subject left: 'when the garrison withdrew', 'after government troops fled'.
_LEAVER_OPENS = frozenset("when after as once while because since".split())


def _flag(c: _Clause, i: int) -> bool:
    """'Ukrainian soldiers raised their flag over Kherson's main square': the side marks the place as taken."""
    words, sent, doc, lex, n = c.words, c.sent, c.doc, c.lex, c.n
    if not c.sets["control.flag"].match_at(words, i):
        return False
    f = next((m for m in range(i + 1, min(n, i + 6)) if words[m] in _FLAGS), None)
    at = f + 1 if f is not None else n
    passive = _passive(words, i)
    if passive:  # "the flag was raised over X by Soviet soldiers": only a flag is raised so
        at = i + 1 if not _FLAGS.isdisjoint(words[max(0, i - 5) : i]) else n
    if at + 3 < n and words[at : at + 2] == ["in", "the"] and words[at + 2] in _FLAG_CENTRES:
        at += 3  # "hoisted their banner in the centre of Herat"
        at = at if words[at] == "of" else n
        ok = at < n
    else:
        ok = at < n and words[at] in _FLAG_PREPS
    if ok and not any(x.startswith(_FESTIVE) for x in words) and not blocked(words, i, lex):
        by = next((m for m in range(at + 1, min(n, at + 10)) if words[m] == "by"), None)
        a = (actor_at(sent, by + 1, 3) if by is not None else None) if passive else actor_left(sent, i, doc)
        if a is not None:  # an armed side: fans or residents raising a flag are no actor
            places = c.resolve(c.phrase(at + 1))
            c.emit(EventKind.control_change, i, at + 2, places, a.actor, None, words[i], conf=0.6)
    return True


def _active(c: _Clause, i: int) -> bool:
    """'A seized P (from B)', 'P was captured by A', 'P has been liberated, the ministry said', and the
    denial of a capture."""
    words, tokens, sent, doc, lex, n = c.words, c.tokens, c.sent, c.doc, c.lex, c.n
    w = words[i]
    act = c.sets["control.active"].match_at(words, i)
    e_quoted = 0
    if i + 1 < n and words[i + 1] == '"' and (quoted := _match_unquoted(c.sets["control.active"], words, i)):
        act, e_quoted = quoted  # 'now hold "complete control" of Gao'
    if not act or (i > 0 and words[i - 1] in _ADJ_BEFORE) or headline(tokens, i, i + len(act)):
        return False  # "the liberated neighborhoods" is an adjective, not an event
    e = e_quoted or i + len(act)
    e += e < n - 1 and words[e] == '"'  # 'had gained "full control of the depot ..."': a quoted object
    if denied(words, i, lex):  # "the army denied that IS had captured the base": a dispute, no change
        a = actor_left(sent, i, doc)  # the nearest subject: "X denied taking Y" and "... that X took Y"
        if a is not None:
            c.emit(EventKind.control_denial, i, e + 2, c.resolve(c.phrase(e)), a.actor, None, w, conf=0.6)
        return True
    if _blocked(words, i, lex):
        return True
    b = i - 1
    while b > 0 and words[b].endswith("ly") and i - b <= 2:  # "has been completely liberated"
        b -= 1
    aux = i > 0 and w != "able" and words[b] in _PASSIVE_AUX and not any(m.i <= b < m.j for m in sent.actors)
    if (e < n and words[e] == "by") or aux:
        _passive_capture(c, i, e, b)
        return True
    a = actor_left(sent, i, doc)
    if a is None and w in _TAKING_VERBS and _MEDIA.isdisjoint(words):
        a = commander_taker(sent, i)  # "Then Cortes captured the city": a commander, in a sentence of war
    war = (
        a is not None and sent.binder.at_war and _armed(a.actor) and all(_aux_or_adverb(sent, m) for m in range(a.j, i))
    )
    if a is None or (w.startswith("t") and (_takes_positions(words, e) or _take_idiom(words, e, war))):
        return True  # "fighters took up defensive positions in X", "took Odesa off the list": nothing taken
    if a.i < i:
        c.subject = (tokens[a.i].start, tokens[a.j - 1].end)
    if e < n and words[e] == "control" and (of := _control_of_after_time(words, e + 1)) is not None:
        e = of  # "took control Friday of the airport": the object past the time
    places = _directional(sent, e, doc) or c.resolve(c.phrase(e)) or _area(sent, e)
    # "Kupiansk, which the army captured", "Bukavu, which they seized": the relative's antecedent
    before = a.i - 1 - (1 < a.i <= i and words[a.i - 1] == "the")  # "X, which (the) Communist armies had taken"
    open_object = not any(_is_territory(p, sent) for p in places)  # "had taken two days before": no place after
    rel = before if open_object and 0 <= before < i and words[before] in _RELATIVES else None
    if rel is not None and words[rel] == "that" and _said_that(sent, rel):
        rel = None  # "told Reuters that his fighters had taken ...": what was said, no relative clause
    if open_object and rel is None and i > 1 and words[i - 1] in ("they", "it", "we") and words[i - 2] in _RELATIVES:
        rel = i - 2
    if rel is not None:
        ante = antecedent(tokens, rel, sent.places)
        places = [ante] if ante else _place_left(sent, rel, doc)
    elif open_object and _dated_after(words, e) and (contact := _contact_antecedent(sent, a.i)) is not None:
        places = [contact]  # "Kilinochchi, the northern town the Tigers seized in 1998": dated, so told
    if e < n and words[e] in ("a", "an") and all(not p.resolved and p.name.islower() for p in places):
        named = _named_later(sent, e, doc)  # "captured a border town on Monday. Kassala lies near the river."
        if named is not None:
            c.emit(EventKind.control_change, i, e + 2, [named], a.actor, _previous(sent, e), w, conf=0.6)
            return True
    if not places and (declared := _declared_place(sent, b + 1)) is not None:
        places = [declared]  # "the army declared Ramadi liberated": the place stands before the participle
    if not places and e < n and words[e] == "control" and words[e + 1 : e + 2] not in (["of"], ["over"]):
        places = _assailed_before(c, i, a)  # "Red regiments attacked Kazan and took back control"
    if not places and e < n and words[e] == "and" and (shared := _shared_object(words, e)) is not None:
        places = c.resolve(c.phrase(shared))  # "seized and later took full control of X": one object for both
    if not places and w in ("regained", "retook", "recaptured", "liberated", "captured", "seized"):
        return True
    if w.startswith(_FIGURATIVE):  # "grabbed headlines in X", "conquered their fears": only places or posts
        places = [p for p in places if _concrete(p)]
        if w.startswith(_NAMED_ONLY):  # "police secured the area", "gained ground": a named place or post only
            armed = not _police(a.actor)
            places = (
                [p for p in places if p.resolved or (p.parent and _military_post(p) or _facility_of(p))]
                if armed
                else []
            )
        if not places:
            return True
    c.emit(EventKind.control_change, i, e + 2, places, a.actor, _previous(sent, e), w)
    return True


def _coordinated_taker(sent: Sentence, b: int, i: int, doc: Document) -> ActorMention | None:
    """The armed subject of a clause of taking joined by 'and' to the agentless passive whose auxiliary is at b and
    verb at i ('the Americans secured Intramuros and Manila was liberated'); the passive's subject stands between."""
    words = sent.words
    after = words[i + 1 : i + 10]
    back = words[i] in _RETAKING and words[i] not in ("liberated", "freed")  # taken back: by the other side
    if back or "by" in after or "later" in after or "within" in after:
        return None  # "X took A and B was recaptured weeks later", "B was captured after a siege by Y": not X's
    k = next((m for m in range(b - 1, max(-1, b - 6), -1) if words[m] in ("and", ";")), None)
    if k is None or words[k] == ";":
        return None
    verb = next((m for m in range(k - 1, max(-1, k - 10), -1) if words[m] in _SECURING), None)
    if verb is None or any(w in (",", ";", "and", "but") for w in words[verb + 1 : k - 1]):
        return None  # the verb's own object runs to the 'and': "took X and Y was ...", not "took X, then ... and"
    a = actor_left(sent, verb, doc)
    return a if a is not None and a.j <= verb and _armed(a.actor) else None


def _shared_object(words: list[str], e: int) -> int | None:
    """Where the object of two coordinated verbs starts ('seized and later took full control of X', 'took and held X'):
    after 'control of / over' or a verb of holding within a few words of the 'and' at e; else None."""
    for m in range(e + 1, min(len(words) - 1, e + 5)):
        if words[m] == "control" and words[m + 1] in ("of", "over"):
            return m + 2
        if words[m] in _HOLDING and (m == e + 1 or words[m - 1] in ("then", "and", "later", "also")):
            return m + 1
    return None


#: Verbs of holding that may share an object with a verb of taking: 'took and held X', 'seized and occupied Y'.
_HOLDING = frozenset("held kept occupied secured fortified garrisoned".split())


#: Month names in full (abbreviations such as "mar" are also words).
_FULL_MONTHS = frozenset(m for m in MONTHS if len(m) > 3) | {"may"}
#: Words that end a time told between 'took control' and 'of': 'on Sunday', 'late Tuesday', 'in March'.
_DAY_WORDS = frozenset(WEEKDAYS) | _FULL_MONTHS | {"today", "yesterday", "tonight"}


def _control_of_after_time(words: list[str], k: int) -> int | None:
    """Where the object starts in 'took control <time> of P' ('on Sunday', 'late Tuesday', 'Sunday'), else None."""
    m = _time_words_end(words, k)
    if m == k or m + 1 >= len(words) or words[m] not in ("of", "over"):
        return None
    last = words[m - 1]  # a day, a month or a number ends the time: not 'in the month of Ramadan'
    return m + 1 if last in _DAY_WORDS or last[:1].isdigit() else None


def _take_idiom(words: list[str], e: int, war: bool) -> bool:
    """'took X by storm', 'took X off the list', 'took X to the brink', 'took X offline': idioms of 'take' whose
    object is no place taken. Read in the few words after the object. An armed side in a report of war that takes a
    town by storm takes it ('Montenegrin forces took Scutari by storm')."""
    after = words[e + 1 : e + 5]
    if after[:1] in (["to"], ["into"]) and "war" in after[1:4] or "apart" in after[:2]:
        return True  # "Hezbollah took Lebanon to war", "took the defence apart"; not "took X when the war began"
    return "off" in after or "offline" in after or ("storm" in after and not war) or "brink" in after


#: Words between 'took' and 'positions' when a side places itself: 'took up defensive positions'.
_POSITIONING = frozenset("up their its new defensive firing forward fresh".split())


def _takes_positions(words: list[str], e: int) -> bool:
    """Whether the object after a form of 'take' ending at e is where a side sets itself ('took up positions',
    'have taken defensive positions', 'took cover', 'took shelter'), not a place it captured."""
    k = e
    while k < len(words) and k - e < 3 and words[k] in _POSITIONING:
        k += 1
    return k < len(words) and words[k] in ("positions", "position", "cover", "shelter", "refuge")


def _assailed_before(c: _Clause, i: int, a: ActorMention) -> list[Place]:
    """The place an armed side assaulted earlier in the clause of 'took (back) control' at i, as the assault's own
    object ('attacked Kazan and took back control'): a place merely named there ('fired from Belgorod', 'a bus in
    Manila') or a police action takes nothing."""
    if _police(a.actor):
        return []
    words = c.words
    for k in range(i - 1, max(-1, i - 12), -1):
        if words[k] in (";", ":") or (words[k] == "," and k < i - 1):
            return []
        if words[k] in _ASSAULTS:
            g = next((p for p in c.sent.places if p.i in (k + 1, k + 2) and p.j <= i), None)
            return [g.place] if g is not None and (g.i == k + 1 or words[k + 1] == "the") else []
    return []


#: Passive verbs that tell a place went back to an earlier holder: the last side that took places is not its taker.
_RETAKING = frozenset(
    "retaken recaptured regained reoccupied reconquered liberated freed restored won reclaimed retook".split()
)


def _recent_taker(c: _Clause) -> Actor | None:
    """The side that took the last place told before (in this sentence, or one of the two before it), if only one
    side has been taking places there and this sentence names no year of its own: an agentless capture in a
    narrative is its."""
    doc, index = c.doc, c.sent.index
    told = [(k, a) for k in range(max(0, index - 2), index + 1) for a in doc.takers.get(k, [])]
    if not told or len({a.id for _, a in told}) > 1:
        return None
    years = {w for w in c.words if is_year(w)}
    if years - {w for w in doc.view(told[-1][0]).words if is_year(w)}:
        return None  # "Herat was taken in 2001": another time than the captures told before
    return told[-1][1]


#: What may follow an agentless passive capture told in a narrative: a time, a clause break, nothing.
_AFTER_PLAIN_PASSIVE = frozenset(
    ", ; : on in at after within shortly soon later early late that two three four five several the".split()
)


def _plain_passive(c: _Clause, i: int, e: int, b: int) -> bool:
    """'Woerth was taken two days later': the place is the subject right before the auxiliary, and nothing after
    the participle makes it an idiom ('taken aback', 'taken off the list', 'captured on film', 'occupied with
    talks'), another side's operation ('in a Ukrainian counteroffensive') or another time ('years later')."""
    words, sent = c.words, c.sent
    if b < 1 or not sent.tokens[b - 1].cap or after_preposition(words, b - 1):
        return False
    if e < c.n and words[e] not in _AFTER_PLAIN_PASSIVE:
        return False
    if words[e : e + 2] == ["on", "film"] or "years" in words or "decades" in words:
        return False
    states = c.lex.states.words.values
    return not any(a.i > i for a in sent.actors) and not any(
        sent.tokens[k].cap and (words[k],) in states for k in range(i + 1, c.n)
    )


def _passive_capture(c: _Clause, i: int, e: int, b: int) -> None:
    """'P was captured by A'; 'P was liberated from B' (by the other side); 'P has been liberated, the ministry
    said' (by its side); an agentless 'the town was captured' after an assault (by the assailant)."""
    words, sent, doc, n = c.words, c.sent, c.doc, c.n
    w = words[i]
    if _people_taken(words, b):
        return  # "Fighters from X were captured by rebels": men taken prisoner, not X
    while (
        e < n - 1 and e - i <= 3 and (words[e] in _AGENT_ADVERBS or (words[e].endswith("ly") and words[e + 1] == "by"))
    ):
        e += 1  # "was taken easily by X", "was retaken again by X"
    later = _past_time(words, e)  # "was captured at dawn by X", "was taken on Sunday by X"
    e = next((m for m in range(e + 1, min(n, later + 1)) if words[m] == "by"), e) if later > e else e
    if e < n and words[e] == "by":
        a = (
            actor_at(sent, e + 1, 4)
            or agent_people(sent, e + 1)  # "was taken by the Serbs"
            or (discourse_actor(sent, doc) if words[e + 1 : e + 2] == ["them"] and _MEDIA.isdisjoint(words) else None)
            or _commander_at(sent, e + 1, handed=True)  # "was taken by Saladin" in a report of war
        )
        if a:
            places = (
                _counted_subject(sent, i)
                or _place_left(sent, i, doc)
                or _rare_names(_unknown_subject(sent, b + 1, doc))
                or _first_passive_subject(sent, b, doc)
            )
            if not places and i == 0:  # "Captured by Japan in 1942, Rangoon ...": the main clause's subject
                comma = next((m for m in range(a.j, min(n, a.j + 10)) if words[m] == ","), None)
                places = c.resolve(c.phrase(comma + 1)) if comma is not None else []
            c.emit(EventKind.control_change, i, e + 2, places, a.actor, None, w)
    elif w in _LIBERATED and e < n and words[e] == "from" and (gone := actor_at(sent, e + 1, 3)):
        # "the city was liberated from IS": by the other side of a two-sided report
        other = _other_side(doc, gone.actor) if not gone.generic else None
        if other is not None:
            c.emit(EventKind.control_change, i, e + 2, _place_left(sent, i, doc), other, gone.actor, w, conf=0.6)
    elif words[b] != "being" and (joined := _coordinated_taker(sent, b, i, doc)) is not None:
        # "the Americans secured Intramuros and Manila was liberated": the side of the clause before 'and'
        c.emit(EventKind.control_change, i, e + 1, _place_left(sent, i, doc), joined.actor, None, w, conf=0.6)
    elif w in _LIBERATED and words[b] != "being":
        side = _speaker_side(sent, doc)  # "X has been liberated, the defence ministry said": its side
        if side is not None:  # (an assailant named before may be the side that lost it: no guess)
            c.emit(EventKind.control_change, i, e + 1, _subject_place(sent, b, doc), side, None, w, conf=0.6)
    elif (
        words[b] != "being"
        and (subject := _place_left(sent, i, doc))
        and (taker := _attacker_before(sent, subject[0], doc))
    ):
        # "Rebels attacked Kassala on Sunday. The town was captured on Monday.": the assailant took it
        c.emit(EventKind.control_change, i, e + 1, subject, taker.actor, None, w, conf=0.6)
    elif (
        words[b] != "being"
        and w not in _RETAKING
        and _plain_passive(c, i, e, b)
        and (subject := _place_left(sent, i, doc))
        and (recent := _recent_taker(c)) is not None
    ):
        # "The British took the Bend in January. Another position, Dahra, was taken on 16 February.": a
        # narrative's captures in the passive belong to the side that has been taking places
        c.emit(EventKind.control_change, i, e + 1, subject, recent, None, w, conf=0.6)
    elif words[b] == "being" and c.out and "with" in words[max(0, b - 12) : b]:
        # "P came under X's control, with the last outpost, N, being seized on <date>": X took N too
        prior = c.out[-1]
        named = _appositive_name(sent, b, prior.place)
        places = [named] if named else _place_left(sent, i, doc)
        c.emit(EventKind.control_change, i, e + 1, places, prior.actor, prior.previous_actor, w, conf=0.7)


#: Words of a picture, a film or a game: 'the city was captured by them in hundreds of images' is no capture.
_MEDIA = frozenset(
    "photograph photographs photo photos images image film films footage documentary camera cameras poem poems "
    "portrait painting paintings penalties match final election vote novel book magazine dispatch mural canvas "
    "lens".split()
)


#: Verbs whose subject takes a place by force: the ones a commander's name may be the subject of.
_TAKING_VERBS = frozenset(
    "captured captures seized seizes took takes conquered conquers stormed storms occupied occupies recaptured "
    "recaptures retook retakes".split()
)
#: Verbs of a side taking or making safe a place, whose subject a following agentless capture shares.
_SECURING = _TAKING_VERBS | frozenset("entered taken secured cleared liberated overran".split())


def _first_passive_subject(sent: Sentence, b: int, doc: Document) -> list[Place]:
    """'X was evacuated by the garrison and occupied by Y': the subject of the first passive of a pair that shares
    its auxiliary, when the second participle follows 'and' (at b)."""
    words = sent.words
    if words[b] != "and":
        return []
    aux = next((m for m in range(b - 1, max(-1, b - 15), -1) if words[m] in _PASSIVE_AUX), None)
    if aux is None or any(words[m] in (";", "which", "who", "that") for m in range(aux, b)):
        return []
    return _place_left(sent, aux + 1, doc)


#: People who may be taken prisoner: a passive capture whose subject they head takes no place.
_CAPTIVE_HEADS = (ARMED_HEADS - {"garrison", "army", "alliance"}) | frozenset(
    "civilians people residents men women children villagers prisoners hostages officers officials crew crews".split()
)


def _people_taken(words: list[str], b: int) -> bool:
    """Whether the subject of the passive whose auxiliary is at b is people ('Fighters from X', 'twelve civilians in
    X', 'Soldiers of the garrison at X'): they were captured, not the place named after them."""
    start = next((m + 1 for m in range(b - 1, -1, -1) if words[m] in (",", ";", "which", "that", "and")), 0)
    for k in range(start, b):
        if words[k] in _CAPTIVE_HEADS and (k == b - 1 or words[k + 1] in ("from", "in", "of", "at")):
            return True
    return False


#: Adverbs between a passive participle and its agent that are not '-ly' words: 'retaken again by X'.
_AGENT_ADVERBS = frozenset("again soon back later finally".split())


#: Plural place nouns after which a participle of capture may open a list: 'the towns taken'.
_PLURAL_PLACES = _PLURAL_ANAPHORA | frozenset("places posts bases positions outposts settlements".split())


#: Participles of capture after a plural place noun: 'Among the towns taken ... were A and B'.
_TAKEN_PARTICIPLES = frozenset("taken captured seized occupied recaptured retaken liberated conquered".split())


def _among_taken(c: _Clause, i: int) -> bool:
    """'Among the cities taken (by X) in the offensive were A, B and C': the list after the copula names the places
    the participle took; the taker is its agent after 'by', else the side the last sentence named."""
    words, sent = c.words, c.sent
    if words[i] not in _TAKEN_PARTICIPLES or i < 2 or words[i - 1] not in _PLURAL_PLACES:
        return False
    if "among" not in words[max(0, i - 4) : i - 1]:
        return False
    copula = next((m for m in range(i + 1, min(c.n, i + 16)) if words[m] in ("were", "was")), None)
    if copula is None or any(w in (";", ":", "which", "that", "who") for w in words[i:copula]):
        return False
    if words[copula + 1 : copula + 2] in (["not"], ["never"]) or blocked(words, i, c.lex):
        return True  # "Among the towns taken were not A and B"
    places = noun_phrase(c.tokens, copula + 1, sent.places, lambda: None)
    by = next((m for m in range(i + 1, copula) if words[m] == "by"), None)
    side = actor_at(sent, by + 1, 4) if by is not None else discourse_actor(sent, c.doc)
    if places and side is not None:
        c.emit(EventKind.control_change, i, i + 1, places, side.actor, None, words[i])
    return True


_FRAMES: tuple[Callable[[_Clause, int], bool], ...] = (
    _among_taken,
    _possessed_nominal,
    _held_prefix,
    _hands_frame,
    _under,
    _held,
    _hold,
    _give,
    _fall,
    _gave_itself_up,
    _leave,
    _withdraw,
    _lose,
    _clear,
    _cede,
    _enter,
    _expel,
    _nominal,
    _overrun,
    _flag,
    _active,
)


def extract_control(doc: Document, sent: Sentence) -> list[Event]:
    """The control events of one sentence: each trigger word is offered to the frames in order until one claims it."""
    c = _Clause(doc, sent)
    firsts = _trigger_words(doc.lex)
    for i in [i for i, w in enumerate(c.words) if w in firsts or ("-" in w and w.endswith(("-held", "-controlled")))]:
        if i in c.consumed:
            continue
        c.i = i
        c.subject = None
        for frame in _FRAMES:
            if frame(c, i):
                break
    return c.out


#: Verbs that take abstract objects as readily as places ('grabbed headlines', 'conquered their fears',
#: 'reclaimed the narrative'): their object must be a gazetteer place or name territory or a facility.
_FIGURATIVE = ("grab", "conquer", "reconquer", "reclaim", "secur", "gain")
#: Of those, verbs whose object must be a place the gazetteer knows or a post located in one: 'secured the area'
#: after a blast and 'gained ground' take nothing.
_NAMED_ONLY = ("secur", "gain")


def _concrete(place: Place) -> bool:
    words = place.name.lower().split()
    return place.resolved or not TERRITORY.isdisjoint(words) or not FACILITIES.isdisjoint(words)
