"""Civilian counts: a quantity, the people it counts, and what happened to them.

  QTY [adjectives] NOUN ... VERB     "an estimated 4,000 civilians are believed still trapped"
  VERB QTY [adjectives] NOUN         "killed at least 21 civilians", "displaced 100000 civilians"
  VERB QTY and VERB QTY NOUN         "killing six and wounding 32 people" (the noun is shared)
  toll of/to QTY                      "the death toll rose to more than 340"
Civilians only: fighters' tolls are skipped; 'people', 'others' and demonyms count only in a civilian
context; breakdowns ('including five children'), whole-war death tolls and 'trapped under rubble' are skipped.
"""

from __future__ import annotations

from schemas.events import CivilianCategory, Event, EventKind, Quantity

from .build import make_event
from .document import Document, Sentence
from .lexicons import PhraseSet
from .numbers import Number, find_numbers
from .sentences import headline
from .times import MONTHS

UNITS = frozenset(
    "years year months month weeks week days day hours hour minutes km kilometres kilometers miles mile metres "
    "meters percent per cent am pm o'clock times kg tonnes tons dollars usd euros pounds mm feet yards degrees".split()
)
_SINGULAR = frozenset("woman man child girl boy civilian baby infant toddler teenager resident villager".split())
_STOPS = frozenset({",", ";", "(", ")", ":", '"', "but", "while", "said", "says", "according"})
_PASSIVE_FILL = frozenset(
    "were was are is have has had been being be believed thought reported reportedly still also later already "
    "now being said to estimated feared confirmed who allegedly".split()
)


_CACHE: dict[int, tuple[set[str], set[str], set[str], PhraseSet]] = {}


def _word_sets(doc: Document) -> tuple[set[str], set[str], set[str]]:
    civ, weak, combat, _ = _cached(doc)
    return civ, weak, combat


def _cached(doc: Document) -> tuple[set[str], set[str], set[str], PhraseSet]:
    key = id(doc.lex)
    if key not in _CACHE:
        sets = doc.lex.sets
        cats = {
            p: name.rsplit(".", 1)[1]
            for name, ps in sets.items()
            if name.startswith("civilian.categories.")
            for p in ps.values
        }
        _CACHE[key] = (
            set(sets["civilian.nouns"].strings()),
            set(sets["civilian.weak"].strings()),
            set(sets["civilian.combatant"].strings()),
            PhraseSet(cats),
        )
    return _CACHE[key]


def _category_at(doc: Document, words: list[str], k: int) -> tuple[str, int] | None:
    cats = _cached(doc)[3]
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


def _head(doc: Document, words: list[str], k: int, civ: set[str], combat: set[str]) -> tuple[str | None, int]:
    """The counted noun after a quantity: (noun, index); (None, k) when the quantity stands alone ("22 wounded");
    ("#skip", k) when it counts something else ("two villages", "four of them")."""
    n = len(words)
    if k >= n:
        return None, k - 1
    if words[k] == "of" and k + 1 < n and words[k + 1] in ("them", "those", "whom", "which"):
        return "#skip", k
    m = k + 1 if words[k] == "of" else k
    while m < n - 1 and words[m] in ("more", "other"):
        m += 1  # "millions more displaced", "two other civilians"
    for x in range(m, min(n, m + 4)):
        w = words[x]
        if w in civ and w in combat:  # "members": of a family yes, of a militia no
            family = x + 1 < n and words[x + 1] == "of" and any(f in words[x + 2 : x + 5] for f in _FAMILY)
            return ("people", x) if family else ("#skip", x)
        if w in civ:
            return w, x
        if w in combat or w in UNITS:
            return "#skip", x
        if x == m and w in _ELLIPTIC_NEXT:
            return None, m - 1
        cue = _category_at(doc, words, x) if x == m else None
        if cue:  # "22 wounded" yes; "two besieged towns" (attributive) no
            after = x + cue[1]
            return (None, m - 1) if after >= n or words[after] in _ELLIPTIC_NEXT else ("#skip", k)
        if not w.replace("-", "").isalpha() or w in _HEAD_BREAK:
            break
    return "#skip", k


def extract_civilians(doc: Document, sent: Sentence) -> list[Event]:
    lex, words, tokens = doc.lex, sent.words, sent.tokens
    sets = lex.sets
    civ, weak, combat = _word_sets(doc)
    n = len(words)
    nums = [q for q in find_numbers(words) if _plausible(words, q)]
    for k in [k for k, w in enumerate(words[: n - 1]) if w in ("a", "an")]:
        if words[k + 1] in _SINGULAR or (k + 2 < n and words[k + 2] in _SINGULAR):
            nums.append(Number(k, k + 1, 1, 1, True, None, 1))
    nums.sort(key=lambda q: q.i)
    heads = [_head(doc, words, q.j, civ, combat) for q in nums]
    if all(noun == "#skip" for noun, _ in heads):
        return []  # no quantity here counts people: spare the context look-ups below
    prev_words: list[str] = []
    if sent.index > 0:  # the sentence before, cheaply: "Ten people were killed. ... a toll of eight"
        p_start, p_end = doc.spans[sent.index - 1]
        prev_words = doc.text[max(p_start, p_end - 200) : p_end].lower().replace(",", " ").split()
    civil_ctx = sets["civilian.context"].any_in(words) or sets["civilian.context"].any_in(prev_words[-25:])
    combat_ctx = sets["civilian.combat_context"].any_in(words)
    rubble = sets["civilian.rubble"].any_in(words)
    country_toll = sets["civilian.country_toll"].any_in(words)
    breakdown = sets["civilian.breakdown"]
    out: list[Event] = []
    for idx, q in enumerate(nums):
        noun, hx = heads[idx]
        if noun == "#skip" or headline(sent.tokens, q.j, q.j + 2):
            continue
        if any(breakdown.match_at(words, m) for m in range(max(0, q.i - 3), q.i)):
            continue
        elliptic = noun is None
        if noun is None:  # "killing six and wounding 32 people", "10 killed and 22 wounded"
            near = [heads[x][0] for x in (idx + 1, idx - 1) if 0 <= x < len(nums) and abs(nums[x].i - q.i) <= 8]
            noun = next((h for h in near if h), None)
            if noun == "#skip" or noun is None and q.min == 1:
                continue
        fwd = _forward(doc, words, hx + 1, nums, idx)
        back = _backward(doc, words, q.i)
        cat = _choose(fwd, back, elliptic)
        if cat is None and noun == "bodies":
            cat = "killed"
        if cat is None:
            continue
        if noun is None or noun in weak:
            if cat in ("killed", "wounded", "other", "released") and (not civil_ctx or combat_ctx):
                continue
        if (noun in weak or elliptic) and _mixed(words, hx + 1, combat):
            continue  # mixed toll: "people including several rebels", "identified as fighters or residents"
        if cat == "trapped" and rubble:
            continue
        if cat == "killed" and (country_toll or (noun in weak and (q.min or 0) >= 50000)):
            continue  # whole-war tolls count fighters too
        if cat == "released" and noun is None:
            continue
        places = [g for g in sent.places if g.i >= q.j] or sent.places
        place = places[0].place if places else doc.last_place(sent.start)
        count = Quantity(
            min=q.min, max=q.max, exact=q.exact, hedge=q.hedge, text=" ".join(t.text for t in tokens[q.i : q.j])
        )
        end = max(hx + 1, q.j)
        out.append(
            make_event(
                doc,
                EventKind.civilian_count,
                sent,
                min(q.i, max(0, q.i - 2)),
                end + 2,
                0.75,
                category=CivilianCategory(cat),
                count=count,
                place=place,
                acled_sub_event_type=None,
            )
        )
    return out


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
    return True


def _mixed(words: list[str], k: int, combat: set[str]) -> bool:
    joined = False
    for m in range(k, min(len(words), k + 9)):
        w = words[m]
        if w in ("and", "or", "including", "among", "as", "both"):
            joined = True
        elif w in ("by", "from", "against", "targeting", ",", ";"):
            joined = False
        elif joined and w in combat:
            return True
    return False


def _choose(fwd: tuple[str, int] | None, back: tuple[str, int] | None, elliptic: bool) -> str | None:
    if fwd and back:
        if elliptic:
            return fwd[0] if fwd[1] < back[1] else back[0]
        # a verb right before the quantity governs it ("kill a woman injure 9"); else the passive after it
        return back[0] if back[1] == 0 else fwd[0]
    got = fwd or back
    return got[0] if got else None


def _forward(doc: Document, words: list[str], k: int, nums: list[Number], idx: int) -> tuple[str, int] | None:
    """The category cue after the counted noun; distance counts words other than auxiliaries ('were', 'have been')."""
    limit = min(len(words), k + 9)
    nxt = len(words)
    for later in nums[idx + 1 :]:
        if not any(words[m] in ("including", "among") for m in range(max(0, later.i - 2), later.i)):
            nxt = later.i
            break
    m = k
    dist = 0
    while m < limit:
        if m >= nxt or words[m] in _STOPS:
            break
        if words[m] in ("including", "among"):  # skip a breakdown: "19 people including five children were killed"
            m += 4
            limit = min(len(words), limit + 4)
            continue
        got = _category_at(doc, words, m)
        if got:
            if got[0] == "besieged" and m + got[1] < len(words) and words[m + got[1]] in ("a", "an", "the"):
                return None  # "villagers besieged a police station": they are the besiegers
            return got[0], dist
        if words[m] not in _PASSIVE_FILL:
            dist += 1
            if m > k + 3:
                break
        m += 1
    return None


def _backward(doc: Document, words: list[str], i: int) -> tuple[str, int] | None:
    """The nearest cue before the quantity, the longest one on ties ('claimed the lives of 20 civilians')."""
    best: tuple[str, int, int] | None = None
    for m in range(i - 1, max(-1, i - 7), -1):
        if words[m] in _STOPS:
            break
        got = _category_at(doc, words, m)
        if got and m + got[1] <= i:
            dist = i - (m + got[1])
            if best is None or (dist, -got[1]) < (best[1], -best[2]):
                best = (got[0], dist, got[1])
    if best is not None:
        return best[0], best[1]
    # "the death toll in the schoolhouse siege soared to more than 340"
    if i > 0 and words[i - 1] in ("to", "of", "at", "reached", "hit", "hits"):
        for m in range(i - 2, max(-1, i - 12), -1):
            if words[m] in ("toll", "tolls"):
                return "killed", i - m
    return None
