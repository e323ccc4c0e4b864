"""Civilian counts: a quantity, the people it counts, and what happened to them.

  QTY [adjectives] NOUN ... VERB     "some 2,300 villagers are thought to remain cut off"
  VERB QTY [adjectives] NOUN         "left nearly 15 villagers dead", "displaced 80000 civilians"
  VERB QTY and VERB QTY NOUN         "killing nine and injuring 41 residents" (the noun is shared)
  toll of/to QTY                      "the death toll rose to more than 340"
  QTY ATTRIBUTE NOUN                  "90,000 uprooted families now shelter in the valley"
Civilians only: fighters' tolls are skipped; 'people', 'others' and demonyms count only in a civilian
context (or when an armed actor killed them); breakdowns ('including five children', or a count of children beside
a larger total), mixed and whole-war death tolls and 'trapped under rubble' are skipped. A few cues depend on
context (`held`, `hosted`, `left`, `transferred`: see `_resolve`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schemas.events import CivilianCategory, Event, EventKind, Place, Quantity

from .actors import ARMED_HEADS
from .build import make_event
from .document import Document, Sentence
from .lexicons import PhraseSet
from .numbers import Number, find_numbers
from .places import PlaceMention, possessive
from .sentences import Token, headline
from .times import MONTHS

UNITS = frozenset(
    "years year months month weeks week days day hours hour minutes km kilometres kilometers miles mile metres "
    "meters percent per cent am pm o'clock times kg tonnes tons dollars usd euros pounds mm feet yards degrees".split()
)
_SINGULAR = frozenset("woman man child girl boy civilian baby infant toddler teenager resident villager".split())


def _attributive(word: str) -> bool:
    """Whether the word after 'a civilian' makes 'civilian' a modifier of the noun it starts ('a civilian relief
    commission', 'a child protection officer'), not the person counted ('a civilian also died')."""
    return word in _MODIFIED


#: Nouns (and their own modifiers) that 'civilian', 'child' or 'woman' may modify: 'a civilian aid convoy'.
_MODIFIED = frozenset(
    "aid relief humanitarian rights protection commission mission convoy population casualty casualties toll "
    "death deaths area areas target targets infrastructure building buildings vehicle vehicles plane aircraft "
    "airport flight ship boat court government administration authority council committee agency police defence "
    "defense official officials leader militia guard hospital school shelter soldier soldiers fighter fighters "
    "labour labor support care welfare".split()
)
_STOPS = frozenset({",", ";", "(", ")", ":", '"', "but", "while", "said", "says", "according"})
_PASSIVE_FILL = frozenset(
    "were was are is have has had been being be believed thought reported reportedly still also later already "
    "now being said to estimated feared confirmed who allegedly".split()
)
#: Cues whose category depends on the noun or the sentence (see `_resolve`).
_PSEUDO = frozenset({"held", "hosted", "left", "transferred", "rescued", "arrived", "expel", "counted"})
#: Words that tell a report of captivity, where people rescued were freed from their captors.
_CAPTIVITY_WORDS = ("hostage", "captive", "captivity", "kidnap", "abduct", "from the hands of")
_BE = frozenset("were was are is been be being".split())
#: Finite auxiliaries that end a breakdown ('including children were killed'), unless a relative opens them.
_FINITE = frozenset("were was are is have has had".split())
_WHO = frozenset("who that which".split())
#: "a population of 40,000", "his company of 90", "a force of 5,000": a size, not a count of people something
#: happened to.
_SIZE_OF = frozenset(
    "population populations platoon company battalion brigade regiment division unit garrison force army detachment "
    "contingent squad column town city village capacity strength".split()
)
#: People whose trade or errand, not displacement, brings them somewhere ("50 journalists gathered at the centre").
_NOT_MOVERS = frozenset(
    "journalists reporters photographers workers staff employees teachers doctors nurses medics paramedics "
    "humanitarians volunteers mourners worshippers worshipers shoppers guests protesters demonstrators pilgrims "
    "tourists passengers drivers traders vendors commuters students pupils bodies".split()
)
_NOUN_CATEGORY = {"bodies": "killed", "idps": "displaced", "refugees": "fled"}
_MOVES = frozenset({"fled", "displaced", "evacuated", "trapped", "besieged"})
_POSSESSIVE = frozenset("her his their my our its your".split())
_ARMED_UNITS = frozenset("army armies troops soldiers division corps regiment brigade battalion garrison".split())
#: Combatant nouns that name attackers, never the victims of an attack on forces.
_ATTACKERS = frozenset("gunmen attackers bombers assailants captors kidnappers militants terrorists extremists".split())
_AT_TARGET = frozenset("carrying transporting of on at targeting against hit attacked ambushed struck".split())
#: "the number of displaced ... has exceeded N": verbs that give a total its value.
_TOTAL_VERBS = frozenset("exceeded exceeds surpassed passed topped reached reaches to at is was hit stands".split())
#: A number of refugees that shrinks, or people going home: the figure left is no count of those who fled.
_SHRINKING = frozenset(
    "fallen fell falls falling dropped drops dropping declined declining decreased decreasing dwindled shrunk shrank "
    "returned return returns returning".split()
)
#: Words of a report about displacement, which lets movement verbs ("have arrived in", "reached") count people.
_DISPLACEMENT_WORDS = (
    "displace",
    "idp",
    "fled",
    "flee",
    "refugee",
    "evacuat",
    "uprooted",
    "from their homes",
    "homeless",
)
_SKIPS = ("#skip", "#combat")
_DEMONYM_ENDS = ("ians", "ans", "ese", "is")
_AWAY = frozenset("from out off away".split())
_GONE_BACK = _SHRINKING | {"home", "repatriated", "resettled", "went"}
_CLAUSE_OPENERS = frozenset("the a an they he she it we its their".split())
#: What a long toll phrase must be the toll of: one incident ("the toll from the strike on <a place> rose to 45"),
#: not a region's or a period's violence.
_INCIDENTS = frozenset("strike airstrike attack bombing blast explosion raid massacre".split())
#: In a long toll phrase these make it the toll of a period or a region, however it began.
_NOT_ONE_INCIDENT = frozenset(
    "months years weeks days since past over region regions province provinces war campaign offensive".split()
)
_LOCATIVE = frozenset("in at from near into to outside inside across around within toward towards of".split())
_NOT_PLACE_OF = frozenset("by with against".split())


@dataclass(frozen=True)
class _Sets:
    """Word sets derived once per lexicon load."""

    civ: frozenset[str]
    weak: frozenset[str]
    combat: frozenset[str]
    captive: frozenset[str]
    subgroup: frozenset[str]
    cats: PhraseSet


_CACHE: dict[int, _Sets] = {}


def _cached(doc: Document) -> _Sets:
    key = id(doc.lex)
    if key not in _CACHE:
        sets = doc.lex.sets
        cats = {
            p: name.rsplit(".", 1)[1]
            for name, ps in sets.items()
            if name.startswith("civilian.categories.")
            for p in ps.values
        }
        _CACHE[key] = _Sets(
            sets["civilian.nouns"].strings(),
            sets["civilian.weak"].strings(),
            sets["civilian.combatant"].strings(),
            sets["civilian.captive"].strings(),
            sets["civilian.subgroup"].strings(),
            PhraseSet(cats),
        )
    return _CACHE[key]


def _category_at(doc: Document, words: list[str], k: int) -> tuple[str, int] | None:
    cats = _cached(doc).cats
    p = cats.match_at(words, k)
    return (cats.values[p], len(p)) if p else None


_FAMILY = ("family", "families", "household")
_HEAD_BREAK = frozenset("and or were was who in on at from the a an this that these those number of".split())
_ELLIPTIC_NEXT = frozenset(
    {
        ",",
        "and",
        "or",
        "were",
        "was",
        "are",
        "have",
        "had",
        "in",
        "on",
        "at",
        "during",
        "after",
        "when",
        "as",
        ";",
        "(",
        ")",
        ":",
        '"',
        "by",
        "with",
        "from",
        "since",
        "last",
        "today",
        "yesterday",
        "so",
        "according",
        "while",
    }
)
#: After a cue right behind a quantity, these make the cue a verb ("thousands fleeing to the border"), not an
#: attribute of a noun ("two besieged towns").
_PREDICATIVE_NEXT = frozenset(
    "to into toward towards across through out their its his her the a an amid due because for under inside near "
    "within following over along before back home between this these those of".split()
)


@dataclass
class _Context:
    """What a sentence says around its counts, looked up once per sentence."""

    doc: Document
    sent: Sentence
    sets: _Sets
    camp: bool
    evacuation: bool
    cites: frozenset[int]
    spoken: dict[tuple[str, ...], bool] = field(default_factory=dict)

    def speaks_of(self, words: tuple[str, ...]) -> bool:
        """Whether the report speaks of any of `words` anywhere (displacement, captivity), looked up on first use."""
        found = self.spoken.get(words)
        if found is None:
            found = self.spoken[words] = any(w in self.doc.low for w in words)
        return found


def _demonym(doc: Document, tokens: list[Token], words: list[str], x: int) -> bool:
    """'Armenians', 'Sudanese', 'Yemenis': a capitalised plural of a people's name, not a place's name."""
    w = words[x]
    if tokens[x].cap and (w,) in doc.lex.sets["peoples"].values:
        return True  # "800,000 Tutsi", "tens of thousands of Rohingya": a people (cues.yaml `peoples`)
    if tokens[x].cap and w.endswith("s") and (w[:-1],) in doc.lex.states.demonyms:
        return True  # "60,000 Greeks", "2,000 Poles": a nationality's plural (states.tsv)
    return (
        len(w) > 4
        and w.endswith(_DEMONYM_ENDS)
        and tokens[x].cap
        and w.isalpha()
        and w not in doc.lex.gazetteer
        and (x > 0 or w.endswith("s"))
    )


def _population_of(tokens: list[Token], words: list[str], i: int) -> int | None:
    """Where 'of' stands when the figure at i is a place's whole population: 'of its 30,000 inhabitants', 'of the
    town's 30,000 inhabitants', 'the city and its 400,000 residents'; None otherwise."""
    if i > 1 and words[i - 1] == "its" and words[i - 2] in ("of", "and"):
        return i - 2
    if i > 2 and possessive(tokens, i - 1) and words[i - 2] == "the" and words[i - 3] in ("of", "and"):
        return i - 3  # "of the town's 30,000 inhabitants"
    if i > 1 and possessive(tokens, i - 1) and tokens[i - 1].cap and words[i - 2] in ("of", "and"):
        return i - 2  # "of Warsaw's 1,300,000 people": a named place's population
    return None


def _head(ctx: _Context, k: int) -> tuple[str | None, int, str | None]:
    """The counted noun after a quantity: (noun, index, attributive category). (None, k, None) when the quantity
    stands alone ("22 wounded"); ("#skip" or "#combat", k, None) when it counts something else ("two villages",
    "four of them", "300 fighters")."""
    words, tokens, sets = ctx.sent.words, ctx.sent.tokens, ctx.sets
    civ, combat = sets.civ, sets.combat
    n = len(words)
    if k + 1 < n and words[k] == '"':
        k += 1  # '"at least 5,000" civilian deaths': a figure quoted from a source
    if k >= n:
        return None, k - 1, None
    if words[k] == "of" and k + 1 < n and words[k + 1] in ("them", "those", "whom", "which"):
        return ("#part", k + 1, None) if words[k + 1] in ("them", "whom") else ("#skip", k, None)
    m = k + 1 if words[k] == "of" else k
    if m > k and m + 2 < n and words[m] == "the" and possessive(ctx.sent.tokens, m + 1):
        m += 2  # "100,000 of the city's inhabitants": the place's people
    while m < n and words[m] in ("more", "other"):
        m += 1  # "millions more displaced", "two other civilians"
    if m == n:
        return None, m - 1, None  # "... and wounded dozens more": the quantity ends the sentence
    attrib: str | None = None
    x = m
    while x < min(n, m + 4):
        w = words[x]
        if w in civ and w in combat:  # "members": of a family yes, of a militia no
            if x + 1 < n and words[x + 1] == "of":
                for f in range(x + 2, min(n, x + 5)):
                    if words[f] in _FAMILY:  # the head ends at the family: "members of one family were killed"
                        return "people", f, attrib
            return "#combat", x, None
        if w in civ:
            if x + 1 < n and words[x + 1] in combat:
                return "#combat", x + 1, None  # "hostage takers", "child soldiers", "women fighters"
            return w, x, attrib
        if w in combat:
            return "#combat", x, None
        if w in UNITS:
            return "#skip", x, None
        if x == m and w in _ELLIPTIC_NEXT:
            return None, m - 1, None
        if x == m and w == "to" and x + 1 < n and _category_at(ctx.doc, words, x + 1):
            return None, m - 1, None  # "forcing thousands to flee", "forced 500 to leave their homes"
        if x == m and w == "to" and any(g.i == x + 1 for g in ctx.sent.places):
            return None, m - 1, None  # "50,000 fled to Chad and 20,000 to South Sudan"
        if _demonym(ctx.doc, tokens, words, x):
            if x + 1 < n and (words[x + 1] in civ or words[x + 1] in combat):
                x += 1  # "Chinese civilians", "Afghan soldiers": the nationality is an adjective
                continue
            return "#demonym", x, attrib
        cue = _category_at(ctx.doc, words, x)
        if cue and cue[0] not in _PSEUDO:
            after = x + cue[1]
            if x == m and (after >= n or words[after] in _ELLIPTIC_NEXT or words[after] in _PREDICATIVE_NEXT):
                return None, m - 1, None  # "22 wounded", "thousands fleeing to the border"
            attrib = attrib or cue[0]  # "150,000 displaced people"; "two besieged towns" finds no noun below
            x = after
            continue
        if not w.replace("-", "").isalpha() or w in _HEAD_BREAK:
            break
        x += 1
    return "#skip", k, None


def _resolve(ctx: _Context, cat: str, noun: str | None, forward: bool) -> str | None:
    """A context-dependent cue's category, None when it says nothing here, '#drop' when the count is not one.

    held: hostages still held are `other`; transferred: hostages handed over are `released`, bodies handed over
    are no count; rescued: freed from captors (`released`) in a report of captivity, else `evacuated`; hosted:
    people a camp houses are `displaced`; left: `evacuated` in an evacuation, else `fled` (only after the count: "the blast left 12 dead" is no departure); arrived: `displaced`, only after the count and
    in a report about displacement."""
    if cat not in _PSEUDO:
        return cat
    if cat in ("expel", "counted"):
        return None  # `expel` only with its particle after the object (`_expelled`); `counted` by its noun
    captive = noun is not None and noun in ctx.sets.captive
    if cat == "held":
        return "other" if captive else None
    if cat == "transferred":
        return "released" if captive else "#drop" if noun == "bodies" else None
    if cat == "hosted":
        return "displaced" if ctx.camp else None
    if cat == "rescued":
        return "released" if captive or ctx.speaks_of(_CAPTIVITY_WORDS) else "evacuated"
    if not forward:
        return None
    if cat == "arrived":  # refugees who reached a place fled to it; others who arrived are displaced there
        moved = noun not in _NOT_MOVERS and ctx.speaks_of(_DISPLACEMENT_WORDS)
        return ("fled" if noun in ("refugees", "refugee") else "displaced") if moved else None
    return "evacuated" if ctx.evacuation else "fled"


def _citations(doc: Document, tokens: list[Token]) -> frozenset[int]:
    """Token indexes of reference markers ('[6]'), which are neither figures nor words of the sentence."""
    text = doc.text
    return frozenset(
        k
        for k, t in enumerate(tokens)
        if t.low.isdigit() and text[t.start - 1 : t.start] == "[" and text[t.end : t.end + 1] == "]"
    )


def extract_civilians(doc: Document, sent: Sentence) -> list[Event]:
    lex, words, tokens = doc.lex, sent.words, sent.tokens
    sets = lex.sets
    ws = _cached(doc)
    n = len(words)
    cites = _citations(doc, tokens) if "[" in doc.text[sent.start : sent.end] else frozenset()
    nums = [
        q for q in find_numbers(words) if _plausible(words, q) and q.i not in cites and not _percent(doc, tokens, q)
    ]
    for k in [k for k, w in enumerate(words[: n - 1]) if w in ("a", "an")]:
        head = k + 1 if words[k + 1] in _SINGULAR else k + 2 if k + 2 < n and words[k + 2] in _SINGULAR else None
        if head is not None and (head + 1 == n or not _attributive(words[head + 1])):
            nums.append(Number(k, k + 1, 1, 1, True, None, 1))
    nums.sort(key=lambda q: q.i)
    ctx = _Context(
        doc,
        sent,
        ws,
        sets["civilian.camp_context"].any_in(words),
        sets["civilian.categories.evacuated"].any_in(words),
        cites,
    )
    heads = [_head(ctx, q.j) for q in nums]
    populations: set[int] = set()
    for idx, q in enumerate(nums):
        of = _population_of(tokens, words, q.i)
        if of is not None:  # "killing 300 of the town's 30,000 inhabitants": 30,000 is the town, 300 the count
            populations.add(idx)
            if idx > 0 and nums[idx - 1].j == of:
                heads[idx - 1] = heads[idx]
    if all(noun in _SKIPS for noun, _, _ in heads):
        return []  # no quantity here counts people: spare the context look-ups below
    prev_words: list[str] = []
    if sent.index > 0:  # the sentence before, cheaply: "Ten people were killed. ... a toll of eight"
        p_start, p_end = doc.spans[sent.index - 1]
        prev_words = doc.text[max(p_start, p_end - 400) : p_end].lower().replace(",", " ").split()
    civil_ctx = sets["civilian.context"].any_in(words) or sets["civilian.context"].any_in(prev_words[-60:])
    combat_ctx = sets["civilian.combat_context"].any_in(words)
    combat_site = sets["civilian.combat_site"].any_in(words)
    rubble = sets["civilian.rubble"].any_in(words)
    country_toll = sets["civilian.country_toll"].any_in(words) or _national_toll(tokens, words)
    period_toll = sets["civilian.period_toll"]
    # "as many as 60,000 residents may have died when the town was razed": one massacre's toll, however large
    one_incident = civil_ctx and sets["civilian.one_incident"].any_in(words)
    disasters = [k for k, _ in sets["civilian.disaster"].find_all(words)]
    breakdown = sets["civilian.breakdown"]
    out: list[Event] = []
    said: dict[int, tuple[str, str | None]] = {}  # figure index -> (category, noun) of the figures read so far
    emitted: dict[int, Event] = {}
    for idx, q in enumerate(nums):
        noun, hx, attrib = heads[idx]
        if (
            idx in populations
            or noun in _SKIPS
            or _size_of(words, q.i)
            or (noun != "#demonym" and headline(tokens, q.j, q.j + 2) and not _place_next(sent, q))
        ):
            continue
        whole: int | None = None  # the earlier figure this one is a part of
        if noun == "#part" or any(breakdown.match_at(words, m) for m in range(max(0, q.i - 3), q.i)):
            whole = max(said, default=None)
            if whole is None:
                continue
            if noun == "#part":
                noun = said[whole][1]
            civ_of_mixed = noun in ("civilians", "civilian") and (said[whole][1] is None or said[whole][1] in ws.weak)
            if noun in ws.subgroup or not (civ_of_mixed or _located(sent, words, hx + 1)):
                continue  # a breakdown by victim type ("including five children") is not recorded
        elliptic = noun is None
        named_after = False  # the noun is a civilian one, named in the next conjunct ("killed six and injured
        # dozens of civilians"): the text says whom, so no guess from the target below
        if noun is None:  # "killing nine and injuring 41 residents", "10 killed and 22 wounded"
            near = [heads[x][0] for x in (idx + 1, idx - 1) if 0 <= x < len(nums) and abs(nums[x].i - q.i) <= 8]
            shared = next((h for h in near if h and h != "#part"), None)
            if shared == "#combat":
                continue  # "two soldiers were killed and five wounded"
            noun = None if shared == "#skip" else shared
            if noun is None and q.min == 1:
                continue
            named_after = (
                noun is not None
                and noun not in ws.weak
                and noun in ws.civ
                and idx + 1 < len(nums)
                and heads[idx + 1][0] == noun
                and "and" in words[q.j : nums[idx + 1].i]
            )
        fwd = _forward(ctx, hx + 1, nums, idx, noun)
        back = _backward(ctx, q.i, noun)
        if fwd is None and back is None and _clause_initial(words, q.i):
            fwd = _forward(ctx, hx + 1, nums, idx, noun, reach=30)  # "1,000 residents from villages ... fled"
        if back is not None and fwd is None and back[1] > 0 and "and" in words[q.i - back[1] : q.i]:
            if hx + 1 < n and words[hx + 1] in _BE | {"have", "has", "had"}:
                back = None  # "dozens were executed and 5,000 residents were <verb>": a new clause, its own verb
        cat = _choose(fwd, back, elliptic) or attrib or _expelled(ctx, q.i, hx)
        if cat is None and whole is not None:
            cat = said[whole][0]  # "1,500 of whom went to Goma", "including five at the market": the whole's category
        if (
            cat is None
            and elliptic
            and said
            and q.i > 0
            and words[q.i - 1] in (",", "and")
            and _located(sent, words, q.j)
        ):
            cat = said[max(said)][0]  # "killed 20 civilians, 12 in Aleppo and eight in Idlib": a count per place
        if cat == "fled" and (attrib == "displaced" or noun in ("idps", "evacuees")):
            cat = "displaced"  # people already displaced who flee again are counted as displaced
        if cat is not None and cat[0] != "#":
            said[idx] = (cat, noun)
        if cat is None and noun in _NOUN_CATEGORY and (noun != "refugees" or _GONE_BACK.isdisjoint(words)):
            cat = _NOUN_CATEGORY[noun]  # "12 bodies were found", "40,000 IDPs"; not "refugees returned home"
        if cat is None and noun == "arrivals" and ctx.speaks_of(_DISPLACEMENT_WORDS):
            cat = "displaced"  # "15,000 new arrivals in the camp"
        if cat is None or cat == "#drop" or (noun == "bodies" and cat != "killed"):
            continue
        weak = noun is None or noun in ws.weak or noun == "#demonym"
        if weak and cat in ("killed", "wounded", "other", "released"):
            at_site = combat_site and not _in_civil_place(sets["civilian.context"], words, hx + 1)
            if whole is not None and whole in emitted:
                pass  # a part of a civilian toll ("including five at a checkpoint") is civilian too
            elif combat_ctx or at_site or not (civil_ctx or (cat == "killed" and _by_armed_actor(sent, hx + 1))):
                continue
        if cat in ("killed", "wounded") and back is None and _prospect(ctx, hx + 1):
            continue  # "up to 600 villagers may die if the siege goes on": a prospect ("may have died" is told)
        if weak and cat in ("killed", "wounded") and _war_subject(sets["civilian.war_subject"], words, q.i):
            continue  # "the rebellion has by now claimed tens of thousands of lives": a whole war's toll
        if elliptic and cat in ("killed", "wounded") and noun is None and _own_losses(words, q.i):
            continue  # "kept the ridge at a price of 130 dead": a side's own losses
        if (weak or elliptic) and _mixed(words, hx + 1, ws.combat):
            continue  # mixed toll: "people including several rebels", "identified as fighters or residents"
        if noun in ("civilians", "civilian") and words[hx + 1 : hx + 2] in (["and"], ["or"]) and hx + 2 < n:
            if words[hx + 2] in ws.combat or words[hx + 2 : hx + 4] == ["security", "forces"]:
                continue  # "25 civilians and soldiers": one figure for both
        if disasters and _disaster_cause(words, disasters, q.i, hx):
            continue  # "displaced by conflict and floods", "floods displaced 400,000": not the war's alone
        if _mostly_civilians(sets["civilian.mostly"], words, hx + 1):
            continue  # "1,200 people, mostly civilians": civilians and others
        if cat in ("trapped", "evacuated") and rubble:
            continue  # people trapped under or rescued from rubble are no siege and no evacuation
        if cat == "trapped" and noun in ws.captive:
            cat = "other"  # "holed up with some 20 hostages": captives held by a side, not people trapped by fighting
        if q.max == 1 and cat in _MOVES:
            continue  # "a woman who fled the city": one person's story, not a count
        if q.i > 0 and words[q.i - 1] in _POSSESSIVE:
            continue  # "with her two children": a family in someone's story
        if noun in ("men", "man") and (combat_ctx or combat_site or any(w in _ARMED_UNITS for w in words)):
            continue  # "the army's 250,000 men were encircled": soldiers
        if elliptic and not named_after and _forces_targeted(words, ws.combat):
            continue  # "hit a bus carrying soldiers, killing 15": the dead were soldiers or mixed
        if (cat == "killed" and weak and (q.min or 0) >= 50000 and not one_incident) or (
            country_toll and cat in ("killed", "wounded") and (weak or noun in ws.combat)
        ):
            continue  # whole-war and nation-wide tolls count fighters too
        if weak and cat in ("killed", "wounded") and _period_of(period_toll, tokens, q.i, hx):
            continue  # "killed more than 4,000 people last year": a year's toll of many events
        if cat == "released" and noun is None:
            continue
        if noun in ws.subgroup and cat in ("killed", "wounded") and not sent.places and _larger_total(ctx, q, cat):
            continue  # "40 children were killed. The strike killed 51 people": a breakdown (one naming its own place
            # is a count per place)
        count = _quantity(tokens, q)
        end = max(hx + 1, q.j)
        if whole is not None and whole in emitted and noun in ("civilians", "civilian") and said[whole][1] != noun:
            out.remove(emitted.pop(whole))  # "30 people, including 12 civilians": the total is a mixed toll
        emitted[idx] = make_event(
            doc,
            EventKind.civilian_count,
            sent,
            min(q.i, max(0, q.i - 2)),
            end + 2,
            0.75,
            category=CivilianCategory(cat),
            count=count,
            place=_place(doc, sent, q),
            acled_sub_event_type=None,
        )
        out.append(emitted[idx])
    if out and "total" in words:
        out.extend(_running_total(doc, sent, nums, out))
    return out


def _quantity(tokens: list[Token], q: Number) -> Quantity:
    """A count as an event carries it: the range, its hedge and the words that gave it."""
    return Quantity(
        min=q.min, max=q.max, exact=q.exact, hedge=q.hedge, text=" ".join(t.text for t in tokens[q.i : q.j])
    )


def _running_total(doc: Document, sent: Sentence, nums: list[Number], out: list[Event]) -> list[Event]:
    """'A further 3,500 refugees arrived, bringing the total to 41,000': the total counts the same people, in the
    category and place of the count before it."""
    words, tokens = sent.words, sent.tokens
    found: list[Event] = []
    for idx, q in enumerate(nums):
        k = q.i - 1
        if k < 2 or words[k] != "to" or "total" not in words[max(0, k - 4) : k] or idx == 0:
            continue
        sign = doc.text[max(0, tokens[q.i].start - 1) : tokens[q.i].start]
        if sign in ("$", "\u20ac", "\u00a3") or not _MONEY.isdisjoint(words[q.j : q.j + 2]):
            continue  # "bringing the total to $40 million": money, not people
        at = doc.clean.to_original(tokens[q.i].start)
        before = [e for e in out if e.evidence.start < at]
        last = nums[idx - 1]  # the figure the total adds up: the count right before it, no other figure between
        if (
            before
            and before[-1].count
            and before[-1].count.min == last.min
            and not _TOTALLING.isdisjoint(words[max(0, k - 6) : k - 1])
        ):
            prior = before[-1]
            count = _quantity(tokens, q)
            found.append(
                make_event(
                    doc,
                    EventKind.civilian_count,
                    sent,
                    max(0, k - 3),
                    q.j,
                    0.7,
                    category=prior.category,
                    count=count,
                    place=prior.place,
                    acled_sub_event_type=None,
                )
            )
    return found


_MONEY = frozenset("dollars euros pounds usd eur".split())
#: Verbs that carry a running total: 'bringing the total to N', 'raising the total number to N'.
_TOTALLING = frozenset("bringing brings brought raising raises raised taking takes took pushing pushes".split())


def _period_of(periods: PhraseSet, tokens: list[Token], i: int, hx: int) -> bool:
    """Whether a period is the figure's own span: 'killed 4,000 people last year', 'so far this year, 300 people
    died'; not 'this year's deadliest attack' or a period told clauses away ('the worst in the country this year')."""
    words = [t.low for t in tokens]
    end = next(
        (m for m in range(hx + 1, min(len(words), hx + 12)) if words[m] in (",", ";", ":", "but", "while")), None
    )
    for m in range(max(0, i - 6), end if end is not None else min(len(words), hx + 12)):
        p = periods.match_at(words, m)
        e = m + len(p) if p else 0
        if p and not (e < len(tokens) and tokens[e].start - tokens[e - 1].end >= 2):  # "this year's": possessive
            return True
    return False


def _forces_targeted(words: list[str], combat: frozenset[str]) -> bool:
    """Whether the sentence tells of an attack on soldiers or police: 'a bus carrying soldiers', 'ambushed a convoy
    of troops', 'opened fire on policemen' (not 'soldiers opened fire', where they are the attackers)."""
    for k, w in enumerate(words):
        if w in combat and w not in _ATTACKERS and k > 0:
            if words[k - 1] in _AT_TARGET or (k > 1 and words[k - 2] in _AT_TARGET and words[k - 1].isalpha()):
                return True
    return False


def _in_civil_place(context: PhraseSet, words: list[str], k: int) -> bool:
    """'killed 12 people in the village': the figure is placed in a civilian site."""
    if k >= len(words) or words[k] not in ("in", "at", "inside", "near", "on"):
        return False
    return any(context.match_at(words, m) for m in range(k + 1, min(len(words), k + 4)))


def _place_next(sent: Sentence, q: Number) -> bool:
    """'4 in Zaporizhzhia': a place name after a figure, not a headline's Title Case."""
    return any(q.j <= g.i <= q.j + 1 for g in sent.places)


def _size_of(words: list[str], i: int) -> bool:
    """'a population of 40,000', 'his platoon of 90': the size of a group or a place, not a count."""
    return i > 1 and words[i - 1] == "of" and words[i - 2] in _SIZE_OF


def _located(sent: Sentence, words: list[str], k: int) -> bool:
    """Whether a part of a figure is told by its place: 'five at a checkpoint', 'of whom 300 went to Goma'."""
    if k < len(words) and words[k] in ("at", "in", "near", "inside", "outside", "on", "into"):
        return True
    return any(k <= g.i <= k + 5 and words[g.i - 1] in _LOCATIVE for g in sent.places if g.i > 0)


def _clause_initial(words: list[str], i: int) -> bool:
    """A quantity that opens its sentence or clause is the subject: its verb may follow a long modifier."""
    return i == 0 or words[i - 1] in (",", ";", ":", '"', "and", "but", "while", "that", "whereas")


def _by_armed_actor(sent: Sentence, k: int) -> bool:
    """'five farmers were killed by the Janjaweed': people killed by an armed actor, outside combat, are civilians."""
    words = sent.words
    tokens = sent.tokens
    for m in range(k, min(len(words), k + 6)):
        if words[m] == "by":
            near = range(m + 1, min(len(words), m + 4))
            if any(tokens[x].text.isupper() and len(words[x]) > 1 and words[x].isalpha() for x in near):
                return True  # an acronym: "the RSF", "the ADF"
            return any(words[x] in ARMED_HEADS for x in near) or any(m < a.i <= m + 3 for a in sent.actors)
        if words[m] in _STOPS:
            break
    return False


def _national_toll(tokens: list[Token], words: list[str]) -> bool:
    """'the Palestinian death toll', 'the Ukrainian toll': a nation's toll of the war, which counts fighters."""
    for k in range(1, len(words)):
        if words[k] == "toll":
            m = k - 2 if words[k - 1] == "death" else k - 1
            if m >= 0 and tokens[m].cap and words[m].endswith(("ian", "ese", "ish", "an", "i")) and words[m].isalpha():
                return True
    return False


def _mostly_civilians(mostly: PhraseSet, words: list[str], k: int) -> bool:
    """'1,200 people, mostly civilians', also after the place of the toll: '27 people in a raid on the bus depot,
    most of them civilians' (an aside after a comma, before any other figure or clause)."""
    for m in range(k, min(len(words), k + 3)):
        p = mostly.match_at(words, m)
        if p:
            return words[m + len(p) : m + len(p) + 1] in (["civilians"], ["civilian"])
    for m in range(k, min(len(words), k + 14)):
        w = words[m]
        if w in (";", ":", "but", "while", "and") or w[:1].isdigit():
            return False
        if w == "," and m + 1 < len(words):
            p = mostly.match_at(words, m + 1)
            after = m + 1 + len(p) if p else 0
            return bool(p) and words[after : after + 1] in (["civilians"], ["civilian"])
    return False


_MODALS = frozenset("may might could would will shall can must".split())
_MODAL_FILL = frozenset("be still also soon well likely yet easily".split())


def _prospect(ctx: _Context, k: int) -> bool:
    """'may die', 'could be killed', 'will be wounded' right after the counted people: a prospect, not a toll; a
    perfect modal ('may have perished', 'are thought to have died') tells a death and stays, and a modal of another
    verb ('who could not flee were killed') says nothing of the toll."""
    words = ctx.sent.words
    for m in range(k, min(len(words) - 1, k + 4)):
        if words[m] in _STOPS:
            return False
        if words[m] in _MODALS:
            v = m + 1
            while v < len(words) and words[v] in _MODAL_FILL:
                v += 1
            got = _category_at(ctx.doc, words, v) if v < len(words) else None
            return got is not None and got[0] in ("killed", "wounded")
    return False


def _own_losses(words: list[str], i: int) -> bool:
    """'kept the ridge at a cost of 130 dead', 'lost 40 dead', 'suffering 300 casualties': a figure with no noun
    that a side pays as its own loss counts its men, not civilians."""
    before = words[max(0, i - 3) : i]
    return (
        before[-2:] in (["cost", "of"], ["losses", "of"], ["loss", "of"])
        or bool(before[-1:])
        and before[-1] in ("lost", "losing", "loses", "suffered", "suffering", "suffers", "sustained", "sustaining")
    )


def _war_subject(war: PhraseSet, words: list[str], i: int) -> bool:
    """'The decade-long rebellion has killed some 30,000', 'the war has by now killed': a war or
    conflict as the killer gives a whole war's toll, which counts fighters."""
    for m in range(i - 1, max(-1, i - 9), -1):
        if words[m] not in _WAR_VERB_FILL:
            p = war.match_at(words, m)
            return p is not None and all(w in _WAR_VERB_FILL for w in words[m + len(p) : i])
    return False


#: What may stand between a war word and the figure it killed: 'the uprising has by now killed hundreds'.
_WAR_VERB_FILL = frozenset(
    "has have had so far already now reportedly also since then thus killed kills left claimed the lives of".split()
)


def _larger_total(ctx: _Context, q: Number, cat: str) -> bool:
    """Whether this or a nearby sentence gives a larger count of the same category for people in general."""
    doc, sets = ctx.doc, ctx.sets
    last = len(doc.spans) - 1
    for index in range(max(0, ctx.sent.index - 2), min(last, ctx.sent.index + 2) + 1):
        if index == ctx.sent.index:
            continue  # within one sentence a breakdown says so ("including"); there counts per place are summed
        sent = doc.view(index)
        if doc.lex.sets["civilian.country_toll"].any_in(sent.words):
            continue
        other = _Context(doc, sent, sets, ctx.camp, ctx.evacuation, frozenset())
        nums = [p for p in find_numbers(sent.words) if _plausible(sent.words, p)]
        for idx, p in enumerate(nums):
            if p.min is None or q.max is None or p.min <= q.max:
                continue
            noun, hx, _ = _head(other, p.j)
            if noun is None or noun in _SKIPS or noun in sets.subgroup or noun in ("#demonym", "#part"):
                continue
            if _choose(_forward(other, hx + 1, nums, idx, noun), _backward(other, p.i, noun), False) == cat:
                return True
    return False


def _place(doc: Document, sent: Sentence, q: Number) -> Place | None:
    """Where the count happened: the nearest place after it in the sentence, else before it, else in the two
    sentences before; places named as an agent or partner ('by Azerbaijan', 'the frontier with Chad') or as
    a possessor ('Gaza's health ministry') are not where it happened."""
    after = [g for g in sent.places if g.i >= q.j and _where(doc, sent, g)]
    if after:
        return after[0].place
    before = [g for g in sent.places if g.j <= q.i and _where(doc, sent, g)]
    if before:
        return before[-1].place
    for index in range(sent.index - 1, max(-1, sent.index - 3), -1):
        prev = doc.view(index)
        found = [g for g in prev.places if _where(doc, prev, g)]
        if found:
            return found[-1].place
    return doc.last_place(sent.start)


def _where(doc: Document, sent: Sentence, g: PlaceMention) -> bool:
    words, tokens = sent.words, sent.tokens
    if all(words[x] in _cached(doc).combat for x in range(g.i, g.j)):
        return False  # a town named like a force ('Marines', 'Gendarmes') read from 'the Marines': no place
    if (
        words[g.i] in doc.lex.actor_firsts
        and (words[g.i],) not in doc.lex.states.words.values
        and any(a.i <= g.i < a.j and not a.generic for a in sent.actors)
    ):
        return False  # 'Hamas released 24 hostages': a side's name, whatever town shares it
    if g.i > 0 and words[g.i - 1] in _NOT_PLACE_OF:
        return False
    if g.i > 1 and words[g.i - 1] == "the" and words[g.i - 2] in _NOT_PLACE_OF:
        return False
    end = tokens[g.j - 1]
    if end.low.endswith(("'s", "\u2019s")) or doc.text[end.end : end.end + 2] in ("'s", "\u2019s"):
        # a possessor is where only when it owns the people counted: "of Seoul's 1,200,000 people", "Mostar's people"
        nxt = words[g.j] if g.j < len(words) else ""
        return nxt[:1].isdigit() or nxt in _cached(doc).civ
    return True


def _percent(doc: Document, tokens: list[Token], q: Number) -> bool:
    """'90%' is a share, not a count (the tokeniser drops the sign)."""
    return doc.text[tokens[q.j - 1].end : tokens[q.j - 1].end + 1] == "%"


def _plausible(words: list[str], q: Number) -> bool:
    if q.j < len(words) and (words[q.j] in MONTHS or words[q.j] in UNITS):
        return False
    if q.i > 0 and words[q.i - 1] in MONTHS and words[q.i].isdigit() and int(words[q.i]) <= 31:
        return False
    if q.j < len(words) and len(words[q.j]) == 4 and words[q.j].isdigit():
        return False
    if q.i > 0 and (words[q.i - 1] in MONTHS or words[q.i - 1] in ("in", "since", "of", "by", "until", "no", "number")):
        w = words[q.i]
        if w.isdigit() and len(w) == 4:
            return False
    w = words[q.i]
    if q.hedge is None and w.isdigit() and len(w) == 4 and 1900 <= int(w) <= 2100:
        return False
    if w.isdigit() and len(w) == 4 and q.i > 1 and words[q.i - 1] == ",":
        day = words[q.i - 2]
        if day.isdigit() and int(day) <= 31 and q.i > 2 and words[q.i - 3] in MONTHS:
            return False  # "on July 28, 1870, a column fled": the year of a date with its day
        if day in MONTHS and words[q.j : q.j + 1] in ([","], []):
            return False  # "on 28 July, 1870, a column fled", "in July, 1870,": not "In May, 1500 refugees"
    if q.max is not None and q.max <= 31 and _two_day_date(words, q):
        return False  # "on 29 and 30 May", "May 29 and 30": days of a date
    return True


#: What links a count's verb to its cause: 'displaced by floods', 'died from cholera', 'due to the drought'.
_CAUSE_LINKS = frozenset("by from to of amid".split())
_PLACE_LINKS = frozenset("in at near inside outside across".split())


def _disaster_cause(words: list[str], disasters: list[int], qi: int, hx: int) -> bool:
    """Whether a natural disaster named in the sentence is the count's cause: its verb's subject just before the
    figure ('Floods displaced 400,000'), or after by/from right after the count ('displaced by conflict and
    floods'); not a disaster that only describes a place ('in a town already ravaged by cholera')."""
    if any(d < qi and qi - d <= 4 for d in disasters):
        return True
    for k in range(hx + 1, min(len(words), hx + 5)):
        if words[k] in _PLACE_LINKS or words[k] in (",", ";"):
            return False
        if words[k] in _CAUSE_LINKS and any(k < d <= k + 4 for d in disasters):
            return True
    return False


def _two_day_date(words: list[str], q: Number) -> bool:
    """Whether q is a day of a two-day date ('on 29 and 30 May', 'May 29 and 30'): days, not people."""
    n = len(words)
    if q.j + 2 < n and words[q.j] in ("and", "to", "-") and words[q.j + 1].isdigit() and words[q.j + 2] in MONTHS:
        return True
    return q.i > 2 and words[q.i - 1] in ("and", "to", "-") and words[q.i - 2].isdigit() and words[q.i - 3] in MONTHS


def _cue_is(ctx: _Context, m: int, category: str) -> bool:
    got = _category_at(ctx.doc, ctx.sent.words, m)
    return got is not None and got[0] == category


def _clause_after(words: list[str], m: int) -> bool:
    """'as the rebels advanced': 'as' opening a clause of time, not 'identified as fighters or residents'."""
    return m + 1 < len(words) and words[m + 1] in _CLAUSE_OPENERS


def _expelled(ctx: _Context, i: int, hx: int) -> str | None:
    """'drove 100,000 people out of the capital', 'forced 3,000 families from X': a verb of expulsion (cue `expel`)
    split by its object from its particle, which no contiguous cue sees."""
    words = ctx.sent.words
    if i == 0 or hx + 1 >= len(words) or words[hx + 1] not in _AWAY or words[hx] in _NOT_MOVERS:
        return None
    if not _cue_is(ctx, i - 1, "expel"):
        return None
    killed = any(_cue_is(ctx, m, "killed") for m in range(hx + 2, min(len(words), hx + 14)))
    return None if killed else "displaced"  # "forced 12 villagers out of the school and executed them": not moved


def _mixed(words: list[str], k: int, combat: frozenset[str]) -> bool:
    joined = False
    for m in range(k, min(len(words), k + 9)):
        w = words[m]
        if w in ("and", "or", "including", "among", "both") or (w == "as" and not _clause_after(words, m)):
            joined = True
        elif w in ("by", "from", "against", "targeting", ",", ";"):
            joined = False
        elif joined and w in combat:
            return True
    return False


def _choose(fwd: tuple[str, int] | None, back: tuple[str, int] | None, elliptic: bool) -> str | None:
    if fwd and back:
        if elliptic:
            return fwd[0] if fwd[1] <= back[1] else back[0]  # "seven dead 20 wounded": the cue right after
        # a verb right before the quantity governs it ("shells wound a boy kill 6"); else the passive after it
        return back[0] if back[1] == 0 else fwd[0]
    got = fwd or back
    return got[0] if got else None


def _appositive_end(ctx: _Context, m: int, nxt: int) -> int | None:
    """Index after ', <aside> ,' starting at the comma m, when the aside holds no cue and no other figure:
    'over 100,000 Armenians, nearly the whole population, had fled'."""
    words = ctx.sent.words
    for close in range(m + 1, min(len(words), m + 14, nxt)):
        if words[close] == ",":
            return close + 1
        if words[close] in _STOPS or _category_at(ctx.doc, words, close):
            return None
    return None


def _forward(
    ctx: _Context, k: int, nums: list[Number], idx: int, noun: str | None, reach: int = 3
) -> tuple[str, int] | None:
    """The category cue after the counted noun; distance counts words other than auxiliaries ('were', 'have been').
    `reach` is how many other words may come first (more for a subject whose verb follows a long modifier)."""
    words = ctx.sent.words
    limit = min(len(words), k + 6 + reach)
    nxt = len(words)
    for later in nums[idx + 1 :]:
        if later.i < k:
            continue  # a figure inside the head: "members of one family"
        if later.i == k + 1 and words[k] == "and" and _head(ctx, later.j)[0] not in (None, "#skip"):
            continue  # "twelve civilians and four militiamen died": a second subject shares the verb
        if not any(words[m] in ("including", "among") for m in range(max(0, later.i - 2), later.i)):
            nxt = later.i
            break
    m = k
    dist = 0
    while m < limit:
        if m >= nxt:
            break
        w = words[m]
        if w == "," and (m == k or reach > 3):
            close = _appositive_end(ctx, m, nxt)
            if close is not None:
                limit = min(len(words), limit + close - m)
                m = close
                continue
        if w in _STOPS and not (reach > 3 and w == ","):
            break
        if w == "among" and words[m + 1 : m + 2] in (["those"], ["the"]):
            m += 2  # "five aid workers were among those killed": the cue follows
            continue
        if w in ("including", "among"):  # skip a breakdown: "27 people including six pupils were killed"
            end = next(
                (x for x in range(m + 1, min(len(words), m + 7)) if words[x] in _FINITE and words[x - 1] not in _WHO),
                m + 4,
            )  # to the breakdown's verb: "15 civilians including children were killed", "including two who had
            limit = min(len(words), limit + end - m)  # been abducted were killed"; else four words, as before
            m = end
            continue
        if m in ctx.cites:
            m += 1
            continue
        got = _category_at(ctx.doc, words, m)
        if got and got[0] == "left" and words[m - 1] in _BE:
            got = None  # "were left homeless", "30 of them were left": no departure
        if got:
            if got[0] == "besieged" and m + got[1] < len(words) and words[m + got[1]] in ("a", "an", "the"):
                return None  # "villagers besieged a police station": they are the besiegers
            cat = _resolve(ctx, got[0], noun, True)
            if cat is not None and words[m + got[1] - 1] != "of":  # "the return of X" speaks of X, not of us
                return cat, dist
        if w not in _PASSIVE_FILL:
            dist += 1
            if m > k + reach:
                break
        m += 1
    return None


def _backward(ctx: _Context, i: int, noun: str | None) -> tuple[str, int] | None:
    """The nearest cue before the quantity, the longest one on ties ('cost the lives of 17 farmers')."""
    words = ctx.sent.words
    best: tuple[str, int, int] | None = None
    for m in range(i - 1, max(-1, i - 7), -1):
        if words[m] in _STOPS:
            break
        got = _category_at(ctx.doc, words, m)
        if got and words[m] == "number" and not _SHRINKING.isdisjoint(words):
            continue  # "the number of refugees has fallen to 2,000 as families return"
        if got and m + got[1] <= i:
            cat = _resolve(ctx, got[0], noun, False)
            dist = i - (m + got[1])
            if cat is not None and (best is None or (dist, -got[1]) < (best[1], -best[2])):
                best = (cat, dist, got[1])
    if best is not None:
        return best[0], best[1]
    # "the toll from the stadium collapse climbed to over 190"
    if i > 0 and words[i - 1] in ("to", "of", "at", "reached", "hit", "hits"):
        for m in range(i - 2, max(-1, i - 22), -1):
            if words[m] in ("toll", "tolls"):
                one = not _INCIDENTS.isdisjoint(words[m + 1 : m + 6]) and _NOT_ONE_INCIDENT.isdisjoint(words[m:i])
                if i - m <= 11 or one:
                    return "killed", i - m  # "the toll of <the bombing of the bus station in X> reached 45"
                return None
            if words[m] in (";", "said", "says", "but", "while", "according"):
                break
    if words[i] in _TOTAL_VERBS:  # "has exceeded 200,000": the verb is the count's hedge ('more than')
        i += 1
    if i > 0 and words[i - 1] in _TOTAL_VERBS:  # "the number of displaced, <a long aside>, has exceeded 200,000"
        for m in range(i - 2, max(0, i - 30), -1):
            if words[m] == "number" and words[m + 1] == "of":
                for x in range(m + 2, min(i, m + 6)):
                    if words[x] in ("refugees", "refugee"):
                        if not _SHRINKING.isdisjoint(words):
                            return None  # "has fallen to 2,000 as families return": no count of people who fled
                        return "fled", i - m  # "the number of refugees is estimated at 40,000"
                    got = _category_at(ctx.doc, words, x)
                    cat = _resolve(ctx, got[0], noun, True) if got else None
                    if cat is not None:
                        return cat, i - m
                return None
    return None
