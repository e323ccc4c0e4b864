"""Completed surrenders: 'some 90 ELN fighters surrendered to the army' -> who, how many, to whom.

The surrendering side is the subject noun phrase before the trigger (a known actor, else a unit's name such as
'12th Rifle Brigade', else an armed noun); its count is a figure of people in that phrase ('400 soldiers of ...')
or after the trigger ('numbered 85 men'). A bare 'the group' or 'militants' takes the actor of an earlier
surrender in the report. Intentions and offers ('ready to surrender') are dropped by `stance.blocked`; handing
over a place ('surrendered its headquarters') is no surrender of the people.
"""

from __future__ import annotations

from schemas.events import Actor, Event, EventKind, Quantity

from .actors import ARMED_HEADS, ActorMention, adverb, fallback_actor
from .arguments import actor_left, people_counted
from .build import make_event
from .document import Document, Sentence
from .lexicons import RANKS, PhraseSet, slug
from .numbers import Number, find_numbers
from .sentences import Token
from .stance import blocked, clause_start
from .times import MONTHS, WEEKDAYS, is_year
from .wordlist import load_wordlist

#: Words between a subject and its verb: "who had all surrendered", "have voluntarily laid down their arms".
_AUX = frozenset(
    "who that which had have has had been also all reportedly finally eventually later then voluntarily".split()
)
#: Where a subject phrase begins, looking back from its verb.
_NP_BREAK = frozenset(
    "; : said says told that after before when while as since because and but after whereas according until till".split()
)
#: Words naming a military unit inside a proper name: "No. 7 Rifle Battalion", "Coastal Command".
_UNIT_HEADS = frozenset(
    "battalion brigade regiment division command corps company garrison army force forces unit squadron guard platoon "
    "detachment contingent".split()
)
#: Nouns of people a surrender count can measure (not 'two battalions').
_PERSONS = frozenset(
    "soldiers troops fighters militants rebels men members personnel people officers marines servicemen gunmen "
    "insurgents jihadists combatants policemen guards militiamen defenders paramilitaries commandos leaders "
    "commanders cadres guerrillas conscripts reservists legionnaires riflemen infantrymen sailors seamen airmen "
    "burghers partisans regulars irregulars cavalrymen dragoons gunners crewmen".split()
)
#: A singular person of an armed side: "an ELN fighter surrendered" is a count of one.
_PERSON = frozenset(
    "soldier fighter militant rebel man member officer commander leader gunman insurgent jihadist combatant "
    "policeman militiaman guerrilla cadre".split()
)
#: Nouns of the people holding a place, who surrender as a side: 'the defenders of the fortress capitulated'.
_DEFENDERS = frozenset(("defenders",))
#: Prepositions after which an actor's name says where a side was, not who it was ('the garrison on South Georgia').
_LOCATIVE = frozenset("on in at near inside outside around".split())
#: Verbs whose subject receives a surrender: 'accepted the surrender of', 'took the surrender of'.
_RECEIVED = frozenset("accepted accepts received receives took takes obtained secured negotiated".split())
_COUNT_AFTER = frozenset("comprised comprising numbered numbering totalled totaled totalling totaling of".split())
_OBJECTS_OF_SURRENDER = frozenset("weapons arms guns themselves rifles".split())
#: What may follow a present-tense surrender told as an event (not an object: 'surrenders his sword', 'surrender
#: weapons'; not a noun: 'surrender terms').
_PRESENT_NEXT = frozenset(", ; . to at in on after as with without and unconditionally".split())
#: Adverbs between a subject and a present-tense verb: 'the garrison finally surrenders'.
_PRESENT_ADVERBS = frozenset("then finally eventually also soon promptly duly".split())
#: Clause openers that make a present-tense verb a condition or a rule, not a told event.
_CONDITIONS = frozenset("if unless until once when whenever before lest".split())
#: Words of time that date a chronology's sentence.
_DATE_WORDS = frozenset("dawn morning afternoon evening night nightfall midday noon day week".split())


def extract_surrenders(doc: Document, sent: Sentence) -> list[Event]:
    words, tokens = sent.words, sent.tokens
    out: list[Event] = []
    for i, e, actor_m, num in _surrenders(doc, sent):
        to = None
        for m in range(e, min(len(words), e + 12)):
            if words[m] == "to":  # "surrendered to X", "surrendered his garrison of 3,000 troops to X"
                to = next((a.actor for a in sent.actors if m < a.i <= m + 4), None)
                if to is None:  # "surrenders to General Grant"
                    ranked = _ranked_at(sent, m + 1)
                    to = ranked.actor if ranked is not None else None
                break
            if words[m] in (",", ";", "and", "but", "after", "when"):
                break
        if to is None and words[e - 1] == "to":
            to = next((a.actor for a in sent.actors if e <= a.i <= e + 3), None)
            ranked = _ranked_at(sent, e) if to is None else None
            to = ranked.actor if ranked is not None else to
        if to is None and i > 1 and words[i - 1] == "the" and words[i - 2] in _RECEIVED:
            # "the army accepted the surrender of 200 rebels": the receiver is the verb's subject
            taker = actor_left(sent, i - 2, doc)
            to = taker.actor if taker is not None and taker.actor.id != actor_m.actor.id else None
        count = None
        if num is not None:
            count = Quantity(
                min=num.min,
                max=num.max,
                exact=num.exact,
                hedge=num.hedge,
                text=" ".join(t.text for t in tokens[num.i : num.j]),
            )
        start = min(num.i if num is not None else actor_m.i, actor_m.i)
        out.append(
            make_event(
                doc,
                EventKind.surrender,
                sent,
                min(start, i),
                e + 4,
                0.75,
                actor=actor_m.actor,
                to=to,
                count=count,
                acled_sub_event_type=None,  # ACLED has no surrender sub-event type; none fits
                place=None,
            )
        )
    return out


def _surrenders(doc: Document, sent: Sentence, bind: bool = True) -> list[tuple[int, int, ActorMention, Number | None]]:
    """(trigger start, trigger end, who, how many) for each completed surrender in a sentence."""
    lex, words, tokens = doc.lex, sent.words, sent.tokens
    done = lex.sets["surrender.done"]
    found: list[tuple[int, int, ActorMention, Number | None]] = []
    for i in range(len(words)):
        if words[i] in _TO_SURRENDER and words[i - 1 : i] == ["to"]:
            forced = _forced(doc, sent, i)
            if forced is not None:  # "the Bulgars forced the Turks to surrender, taking 12,000 prisoners"
                found.append(forced)
            continue
        p = done.match_at(words, i)
        if not p and _historic_present(doc, sent, i):
            p = (words[i],)
        g = lex.sets["surrender.gerund"].match_at(words, i) if not p else None
        if g:  # cues.yaml: 'surrendering', 'giving themselves up'
            told = _told_gerund(doc, sent, i, i + len(g))
            if told is not None:
                found.append(told)
            continue
        if not p or (i > 0 and done.match_at(words, i - 1)):
            continue
        if blocked(words, i, lex):
            continue
        e = i + len(p)
        after = words[e : e + 6]
        stop = next((k for k, w in enumerate(after) if w in ("and", ",", ";", "but")), len(after))
        if "control" in after[:stop]:
            continue  # "surrendered to regime control" hands over a place, see control.py (not "... and X took control")
        obj = _object(doc, sent, e) if p[-1] not in ("of", "to") else None
        if obj is None and p[-1] not in ("of", "to") and e < len(words) and words[e] in _DETERMINERS:
            told_when = not _DATE_WORDS.isdisjoint(words[e + 1 : e + 3])  # "surrendered the following morning"
            if not _OBJECTS_OF_SURRENDER.intersection(words[e + 1 : e + 3]) and not told_when:
                continue  # "surrendered its headquarters": a place handed over, see control.py
        num: Number | None
        if obj is not None:  # "General K surrendered the remaining 20,000 men of the Ninth Army"
            actor_m, num = obj
            if actor_m is None:
                actor_m, _ = _subject(doc, sent, i, bind)
        elif p[-1] == "of":  # "the surrender of 300 fighters", "the surrender of the Republic of X"
            window_nums = [q for q in find_numbers(words[e : e + 4]) if q.i == 0]
            num = window_nums[0] if window_nums else None
            if num is not None:
                num = _shift(num, e)
            town = next((g for g in sent.places if g.i in (e, e + 1) and g.place.lat is not None), None)
            if town is not None and num is None and words[town.j : town.j + 1] == ["to"]:
                continue  # "the surrender of Kassala to the rebels": a town handed over, see control.py
            to = next((m for m in range(e, min(len(words), e + 6)) if words[m] == "to"), min(len(words), e + 6))
            actor_m = (  # who surrendered is named before 'to' ('the surrender of 300 fighters to the army')
                next((a for a in sent.actors if e <= a.i < to), None)
                or fallback_actor(tokens, words, to, e)
                or _proper_name(sent, e)
            )
            if actor_m is not None and _place_of(sent, actor_m, e):
                actor_m = _holders(sent, actor_m, e)  # "the surrender of the garrison of Kut", not of Kut
        else:
            actor_m, num = _subject(doc, sent, i, bind)
        if actor_m is None and (led := _with_men(sent, i, e)) is not None:
            actor_m, num = led  # "Burgoyne surrendered with 5,800 men": a commander and the men he led
        if actor_m is not None and p[-1] != "of" and _is_place_name(sent, actor_m):
            continue  # a town does not surrender; its holders do ("Kars surrendered": see control.py)
        if actor_m is None:
            continue
        if num is None:
            num = _count_after(words, e)
        found.append((i, e, actor_m, num))
    return found


_DETERMINERS = frozenset(("its", "the", "their", "his", "a", "an"))


#: Nouns naming a place, not the people in it: 'the castle of K capitulated', 'the city surrendered'.
_PLACE_HEADS = frozenset(
    "castle fort fortress citadel city town village capital port harbour harbor stronghold bastion redoubt "
    "fortifications garrison-town township hamlet island".split()
)
#: Nouns after a place's name that make it the people or the force there: 'the Stalingrad pocket', 'Kut garrison'.
_HOLDER_NOUNS = _PERSONS | _DEFENDERS | _UNIT_HEADS | {"pocket"}


def _is_place_name(sent: Sentence, a: ActorMention) -> bool:
    """Whether the mention is nothing but the name of a gazetteer town or region (not a country: 'the surrender
    of Japan' is a state's)."""
    return any(
        g.i <= a.i
        and a.j <= g.j
        and g.place.lat is not None
        and a.actor.name.lower() == " ".join(sent.words[g.i : g.j])
        for g in sent.places
    )


def _place_of(sent: Sentence, a: ActorMention, e: int) -> bool:
    """Whether the mention after 'the surrender of' names a place: a place noun before it ('the castle of K',
    'the fortress of K') or after it ('Osaka castle'), or a town's name alone ('Edo', 'the garrison of Kut')."""
    words = sent.words
    if any(words[k] in _PLACE_HEADS for k in range(e, a.i)) or words[a.j : a.j + 1] in ([h] for h in _PLACE_HEADS):
        return True
    return _is_place_name(sent, a)


def _holders(sent: Sentence, a: ActorMention, e: int) -> ActorMention | None:
    """The people holding a place named after 'the surrender of': 'the garrison of Kut' (a body of people before the
    place) or 'the Stalingrad pocket', 'Berlin's defenders' (one after its name); None when only the place is named."""
    words, tokens = sent.words, sent.tokens
    k = next((k for k in range(e, a.i) if words[k] in _HOLDER_NOUNS), None)
    if k is not None and not any(words[m] in _PLACE_HEADS for m in range(e, k + 2)):
        text = " ".join(t.text for t in tokens[k : a.j])  # "garrison of Kut"
        return ActorMention(k, a.j, Actor(id=slug(text), name=text, mention=text), False)
    j = a.j + 1 if words[a.j : a.j + 1] in (["'s"], ["\u2019s"]) else a.j
    if j < len(words) and words[j] in _HOLDER_NOUNS:
        text = " ".join(t.text for t in tokens[a.i : a.j]) + " " + tokens[j].text  # "Stalingrad pocket"
        return ActorMention(a.i, j + 1, Actor(id=slug(text), name=text, mention=text), True)
    return None


#: Verbs that make their object surrender: 'forced the garrison to surrender', 'compelled the Turks to capitulate'.
_FORCE = frozenset("forced compelled obliged".split())
#: Verbs of a surrender after 'to' in 'forced X to surrender'.
_TO_SURRENDER = frozenset("surrender capitulate".split())


def _forced(doc: Document, sent: Sentence, i: int) -> tuple[int, int, ActorMention, Number | None] | None:
    """'A forced X to surrender', 'A compelled X to capitulate': a completed surrender by X (not 'tried to force X
    to surrender', not 'will force'). X's count is its own figure, else 'taking N prisoners' later in the sentence."""
    words = sent.words
    if words[i] not in _TO_SURRENDER or i < 3:
        return None
    f = next((k for k in range(i - 2, max(0, i - 21), -1) if words[k] in _FORCE), None)
    if f is None or any(w in (";", ":", ".") for w in words[f:i]) or blocked(words, f, doc.lex):
        return None
    aux = f - 1
    while aux > 0 and adverb(sent.tokens[aux]):
        aux -= 1  # "were finally forced to surrender"
    if aux >= 0 and words[aux] in ("was", "were", "been", "be", "being"):
        return _forced_passive(doc, sent, aux, i)  # "the garrison was forced to surrender": its side comes first
    stop = next((k for k in range(f + 1, i - 1) if words[k] in ("who", "that", "which", ",")), i - 1)
    actor_m, num = _subject(doc, sent, stop, True, f + 1) if stop > f + 1 else (None, None)
    if actor_m is None:  # "forced the Turks to surrender", "the Italian column": the object as the report names it
        a = f + 1 + (words[f + 1] in _DETERMINERS)
        if stop - a > 4 or stop <= a or not any(sent.tokens[k].cap for k in range(a, stop)):
            return None
        text = " ".join(t.text for t in sent.tokens[a:stop])
        actor_m = ActorMention(a, stop, Actor(id=slug(text), name=text, mention=text), False)
    if actor_m.i <= f or _is_place_name(sent, actor_m):
        return None  # "forced Metz to surrender": a town, see control.py
    if _gives_up_thing(words, i):
        return None  # "forced Djokovic to surrender the final set": a thing given up ("their weapons" is a surrender)
    captives = None  # "..., taking 12,000 prisoners": the side's count, and a sign of war
    for k in range(i + 1, len(words) - 2):
        if words[k] in ("taking", "took", "capturing", "captured") and words[k + 1] != "the":
            nums = [q for q in find_numbers(words[k + 1 : k + 4]) if q.i == 0]
            if nums and words[k + 1 + nums[0].j : k + 2 + nums[0].j] == ["prisoners"]:
                captives = _shift(nums[0], k + 1)
            break
    war = captives is not None
    if not _armed_side(sent, max(0, clause_start(words, f, 12)), f, war) and not _armed_side(sent, f + 1, i - 1, war):
        return None  # "Sanctions forced Iran to capitulate": no armed side on either end
    return i, i + 1, actor_m, num if num is not None else captives


def _gives_up_thing(words: list[str], i: int) -> bool:
    """Whether the surrender verb at i takes a thing as its object ('surrender the final set', 'the fortress'), not
    the side's own arms ('their weapons') and not nothing ('to surrender at Adwa')."""
    weapons = i + 2 < len(words) and words[i + 1] in _DETERMINERS and words[i + 2] in _OBJECTS_OF_SURRENDER
    return i + 1 < len(words) and words[i + 1] not in _NO_OBJECT_NEXT and not weapons


def _forced_passive(
    doc: Document, sent: Sentence, aux: int, i: int
) -> tuple[int, int, ActorMention, Number | None] | None:
    """'The Melians were forced to surrender (to the Athenians)': a completed surrender by the armed subject right
    before the passive's auxiliary at `aux`, when nothing is given up after the verb at i (not 'was forced to
    surrender the fortress'), no choice is left open ('or starve') and no prospect is told ('risk being forced')."""
    words = sent.words
    if _gives_up_thing(words, i) or words[i + 1 : i + 2] == ["or"]:
        return None  # "forced to surrender the fortress", "forced to surrender or starve"
    if words[aux] in ("be", "being") or blocked(words, aux, doc.lex):
        return None  # "would be forced", "risk being forced to surrender": not told as done
    actor_m, num = _subject(doc, sent, aux, True)
    if actor_m is None or actor_m.j < aux - 1 or _is_place_name(sent, actor_m):
        return None  # "Kut was forced to surrender" (a town, see control.py); "X claimed the defenders were ..."
    if not _armed_side(sent, actor_m.i, actor_m.j) and words[actor_m.j - 1] not in _DEFENDERS:
        return None  # "the company was forced to surrender to creditors"
    return i, i + 1, actor_m, num


#: What may follow a surrender that takes no object ('to surrender at Adwa', 'surrendering en masse'); a determiner,
#: a possessive, a figure or a noun next is a thing given up ('to surrender their title', 'surrendering two goals').
_NO_OBJECT_NEXT = _PRESENT_NEXT | frozenset("near within by before outside inside under from into en or but".split())


def _armed_word(w: str) -> bool:
    """A noun of armed people or of a force: 'troops', 'column', 'garrison', 'defenders'."""
    return (
        w in ARMED_HEADS
        or w + "s" in ARMED_HEADS
        or w in _PERSONS
        or w in _PERSON
        or w in _DEFENDERS
        or w.rstrip("s") in _UNIT_HEADS
    )


def _armed_side(sent: Sentence, start: int, end: int, war: bool = False) -> bool:
    """Whether words[start:end] name an armed side: a known actor, an armed noun, or (in a report of war, or a
    sentence that counts prisoners (`war`), where a capitalised name is a side) a people or a nation ('the Turks')."""
    if start >= end:
        return False
    at_war = war or sent.binder.at_war
    words, tokens = sent.words, sent.tokens
    if any(start <= a.i < end and (at_war or not a.generic) for a in sent.actors):
        return True  # a named side; a generic one ('the government') only in a report of war
    for k in range(start, end):
        w = words[k]
        if w.rstrip("s") in _UNIT_HEADS and w not in ARMED_HEADS:
            if tokens[k].cap or (k > start and words[k - 1][:1].isdigit()):
                return True  # "B Company", "3rd Company": a unit, not a firm
            continue
        if _armed_word(w):
            return True
    return at_war and any(_people_at(sent, k) for k in range(max(start, 1), end))


def _people_at(sent: Sentence, k: int) -> bool:
    """A people or a nation at k: a capitalised plural ('the Turks', 'the Boers'), a country or a demonym ('Japan',
    'the French'); not a firm's name ('Credit Suisse')."""
    token, word = sent.tokens[k], sent.words[k]
    if not token.cap:
        return False
    if len(word) >= 5 and word.endswith("s") and not word.endswith("ss") and token.text[1:].islower():
        return True
    states = sent.binder.lex.states
    found = states.words.match_at(sent.words, k)
    return bool(found) and found not in states.capitals


#: What opens a phrase whose gerund tells what happened: 'with thousands of troops surrendering', ', the bulk of the
#: army surrendering', 'found the garrison surrendering'.
_GERUND_OPENERS = frozenset(", with found find finds saw see sees watched".split())
#: Words that make the phrase before a gerund a plan, a prospect or a talk, not a told event ('talk of soldiers
#: surrendering', 'before surrendering', 'refused surrendering').
_NOT_TOLD = frozenset(
    "talk threat threats prospect prospects possibility risk fear fears hope hopes rumours rumors report reports idea "
    "chance option question images footage video videos photos pictures plan plans offer terms demand demands call "
    "calls before after without instead refused refusing by about for on against to than rather avoid not no never "
    "nor if unless".split()
)
#: Words after the gerund that make it part of a clause with its own verb ('soldiers surrendering will be spared').
_FINITE_AFTER = frozenset(
    "said says told were was are is have has had will would could should must may might can face faces risk".split()
)


def _told_gerund(doc: Document, sent: Sentence, i: int, e: int) -> tuple[int, int, ActorMention, Number | None] | None:
    """A gerund surrender told as an event: 'with thousands of troops surrendering en masse', ', the bulk of the
    army surrendering', 'found the garrison giving themselves up'. A body of people names the gerund's subject right
    before it, an opener ('with', a comma, a verb of seeing) starts that phrase, and nothing in it or after it makes
    the surrender a plan, a prospect or a clause of its own ('soldiers surrendering will be spared')."""
    words = sent.words
    k = i - 1
    if k < 1:
        return None
    head = words[k]
    named = any(a.j == i and not a.generic for a in sent.actors)
    if not (named or head in _PERSONS or head in _DEFENDERS or head.rstrip("s") in _UNIT_HEADS):
        return None
    o = next((m for m in range(k - 1, max(-1, k - 12), -1) if words[m] in _GERUND_OPENERS), None)
    if o is None or any(w in _NOT_TOLD or w in (";", ":", "and", "or", "but") for w in words[o + 1 : i]):
        return None
    for w in words[e : e + 6]:
        if w in (",", ";", "."):
            break
        if w in _FINITE_AFTER:
            return None
    if e < len(words) and words[e] not in _NO_OBJECT_NEXT:
        if not (words[e] in _DETERMINERS and _OBJECTS_OF_SURRENDER.intersection(words[e + 1 : e + 3])):
            return None  # "the defenders surrendering two late goals": a thing given up (not 'their weapons')
    if blocked(sent.words, i, doc.lex):
        return None
    actor_m, num = _subject(doc, sent, i, True, o + 1)
    if actor_m is None or _is_place_name(sent, actor_m):
        return None
    return i, e, actor_m, num


def _historic_present(doc: Document, sent: Sentence, i: int) -> bool:
    """A present-tense surrender told as an event in a dated chronology: 'On 2 June ... its 12,000 defenders
    surrender', 'In 1781 Cornwallis surrenders at Yorktown'. The verb agrees with a subject that names people or a
    force right before it, nothing but a preposition or the sentence's end follows it, and a date opens the sentence
    or the clause (or a told act comes before: `_after_told_act`); not a plan, a habit or a story ('under the deal',
    'each year', 'in the film'), a rule or a condition ('soldiers who surrender are spared', 'if the garrison surrenders'), an infinitive or
    a modal ('refused to surrender', 'will surrender': `blocked`), or a noun ('the Japanese surrender is signed')."""
    words, tokens = sent.words, sent.tokens
    if i + 1 < len(words) and words[i + 1] not in _PRESENT_NEXT:
        return False  # the cheap test first: most words are followed by a word
    w = words[i]
    plural, forms = _present_forms(doc.lex.sets["surrender.present"])
    if w not in forms:
        return False
    k = i - 1
    while k >= 0 and words[k] in _PRESENT_ADVERBS:
        k -= 1
    if k < 0:
        return False
    head = words[k]
    if w in plural:
        subject = head in _PERSONS or head in _DEFENDERS or (head.endswith("s") and head.rstrip("s") in _UNIT_HEADS)
    else:
        subject = (
            head in _PERSON
            or (head in _UNIT_HEADS and not head.endswith("s"))
            or (tokens[k].cap and head.isalpha() and k > 0)
        )
    if not subject:
        return False
    start = clause_start(words, k + 1, 12)
    if start > 0 and words[start - 1] in _CONDITIONS or any(x in _CONDITIONS for x in words[start:k]):
        return False
    if _not_narrative(words):
        return False  # a plan, a habit, a show or a text's provision: "under the deal, on 1 June the rebels surrender"
    return _opens_dated(words, 0) or (start > 0 and _opens_dated(words, start)) or _after_told_act(sent, k)


#: Words of a sentence whose present tense tells no event: a plan or a deal, a habit, fiction or a staged show.
_NOT_NARRATIVE = frozenset(
    "plan plans planned agreement agreements deal accord accords treaty proposal proposals roadmap timetable "
    "schedule scheduled envisages stipulates each every annually usually often always traditionally typically "
    "film films movie movies novel novels game games festival festivals mock re-enactment reenactment re-enactments "
    "reenactments re-enact reenact re-enacted reenacted staged episode fiction fictional".split()
)
#: Verbs of a text that, before 'that', make what follows its provision: 'the agreement says that ...'.
_PROVIDES = frozenset("says say states provides stipulates envisages requires".split())


def _not_narrative(words: list[str]) -> bool:
    """Whether the sentence speaks of a plan, a habit or a show, or cites what a text provides ('says that')."""
    return any(
        w in _NOT_NARRATIVE or (w in _PROVIDES and words[k + 1 : k + 2] == ["that"]) for k, w in enumerate(words)
    )


#: Words that may open a date phrase: 'On 2 June', 'In 1781', 'At dawn', 'Early on Monday'.
_DATE_OPENERS = frozenset("on in by at early late".split())


def _opens_dated(words: list[str], k: int) -> bool:
    """Whether a date phrase opens the words at k, as in a chronology's entry: 'On 2 June', 'March 30,', 'In 1781',
    'On Monday', 'At dawn' (not a date told later: 'Each year in May', 'In the film, released in 2019')."""
    first = k
    while k < len(words) and k < first + 2 and words[k] in _DATE_OPENERS:
        k += 1
    if k >= len(words):
        return False
    w, after = words[k], words[k + 1] if k + 1 < len(words) else ""
    if w in WEEKDAYS or w in _DATE_WORDS or is_year(w):
        return True
    if w.isdigit() and after in MONTHS:
        return True
    return w in MONTHS and (len(w) > 3 or w == "may") and (after[:1].isdigit() or (k > 0 and words[k - 1] == "in"))


_PRESENT_CACHE: dict[int, tuple[PhraseSet, frozenset[str], frozenset[str]]] = {}


def _present_forms(present: PhraseSet) -> tuple[frozenset[str], frozenset[str]]:
    """(plural forms, plural and singular forms) of the present-tense verbs, built once per lexicon (cues.yaml lists
    the plural forms; the singular adds -s)."""
    hit = _PRESENT_CACHE.get(id(present))
    if hit is None or hit[0] is not present:
        plural = present.strings()
        hit = (present, plural, plural | frozenset(p + "s" for p in plural))
        _PRESENT_CACHE[id(present)] = hit
    return hit[1], hit[2]


#: Past forms that do not end in -ed: 'the rebels took the guns and the soldiers surrender'.
_PAST = frozenset("took fell won drove broke struck overran fought held shot blew hit stormed".split())


def _after_told_act(sent: Sentence, k: int) -> bool:
    """A present-tense surrender joined by 'and' to a told act of an armed side: 'the rebels seized the guns and the
    soldiers surrender' (the first clause's subject is a body of people or a known side right before a past verb; no
    condition anywhere before: 'if the army attacked and the soldiers surrender')."""
    words = sent.words
    j = k
    while j > 0 and k - j < 4 and words[j - 1] not in ("and", ",", ";"):
        j -= 1
    if j < 3 or words[j - 1] != "and" or any(w in _CONDITIONS for w in words[: j - 1]):
        return False
    ends = {a.j for a in sent.actors}
    for m in range(1, j - 1):
        past = words[m] in _PAST or (words[m].endswith("ed") and len(words[m]) > 4)
        armed = words[m - 1] in _PERSONS or words[m - 1] in ARMED_HEADS or m in ends
        if past and armed and not any(w in (",", ";", "and") for w in words[m + 1 : j - 1]):
            return True
    return False


def _object(doc: Document, sent: Sentence, e: int) -> tuple[ActorMention | None, Number | None] | None:
    """The people a commander surrendered: 'surrendered the remaining 20,000 men of the Ninth Army', 'surrendered
    his garrison'. None when the object is no body of people ('surrendered its headquarters', 'the town')."""
    words = sent.words
    if e < len(words) and words[e] in ("and", "but", "while", "as"):
        return None  # "the garrison surrendered and Serbian troops occupied X": a new clause, no object
    end = e
    while end < min(len(words), e + 10) and words[end] not in (",", ";", "to", "on", "in", "at", "after", "when"):
        end += 1
    persons = [k for k in range(e, end) if words[k] in _PERSONS or words[k] in _UNIT_HEADS]
    if not persons or _OBJECTS_OF_SURRENDER.intersection(words[e : e + 3]):
        return None
    num = _count_of_persons(words, e, end)
    named = [a for a in sent.actors if e <= a.i < end and not a.generic]
    actor_m = named[0] if named else _unit_name(sent, e - 1, end)
    if actor_m is None and words[persons[0]] in _UNIT_HEADS:
        actor_m = _armed_noun(sent, e, end)
    return actor_m, num


def _shift(num: Number, off: int) -> Number:
    return Number(num.i + off, num.j + off, num.min, num.max, num.exact, num.hedge, num.value)


def _subject(
    doc: Document, sent: Sentence, i: int, bind: bool, floor: int = 0
) -> tuple[ActorMention | None, Number | None]:
    """The surrendering side and its count, from the noun phrase before the trigger at i (not before `floor`)."""
    words, tokens = sent.words, sent.tokens
    end = i
    while end > 0 and (words[end - 1] in _AUX or (words[end - 1].endswith("ly") and not tokens[end - 1].cap)):
        end -= 1  # "the garrison formally surrendered"
    if end > 0 and words[end - 1] == ",":  # "400 soldiers of X, among them 30 officers, had surrendered"
        k = end - 2
        while k > max(0, end - 10) and words[k] != ",":
            k -= 1
        if k > 0 and words[k] == "," and words[k + 1] in ("including", "among"):
            end = k
        elif k > 0 and words[k] == "," and words[k + 1] in _ASIDE_COUNT:
            # "the last garrison, consisting of 90 sick gunners, surrendered": the side before the
            # aside, its count inside
            aside = _count_of_persons(words, k + 1, end)
            if aside is not None:
                inner, _ = _subject(doc, sent, k, bind)
                if inner is not None:
                    return inner, aside
    if _place_gives_up(sent, end):
        return None, None  # "until the city surrendered": the control rules read a place that gives itself up
    if end > 1 and words[end - 1] == "and" and (first := _first_predicate(words, end - 1, floor)) is not None:
        return _subject(doc, sent, first, bind, floor)  # "a British force was besieged at Kut and surrendered"
    start = end
    while start > max(floor, end - 30) and words[start - 1] not in _NP_BREAK:
        if words[start - 1] == "," and _has_head(words[start:end]):
            break  # a comma ends the phrase once it has a head; before that it may sit inside a name's parent
        start -= 1
    if start == end:
        return None, None
    text = doc.text
    named = [
        a
        for a in sent.actors
        if start <= a.i
        and a.j <= end
        and not (
            text[tokens[a.j - 1].end : tokens[a.j - 1].end + 2] in ("'s", "\u2019s")
            or tokens[a.j - 1].low.endswith("'s")
        )
    ]  # "the junta's Northern Command": a possessor is not the one surrendering
    # where the side was is not who it was: "the garrison on South Georgia" (a country inside a place's name)
    named = [a for a in named if not _located_at(sent, a, start)]
    if end < i and words[end] in ("who", "that", "which"):  # "executed eight militants who had surrendered"
        start = max(start, end - 6)
        named = [a for a in named if a.j == end] or [a for a in named if a.i >= start]
    actor_m = next((a for a in reversed(named) if not a.generic), None) or _unit_name(sent, start, end)
    if actor_m is None:
        actor_m = next((a for a in named if not _bare(a)), None) or _acronym(sent, start, end)
    if actor_m is None:
        actor_m = next(iter(named), None) or fallback_actor(tokens, words, end, start)
        if actor_m is None:
            actor_m = _armed_noun(sent, start, end)
        if actor_m is not None and bind and _bare(actor_m):
            actor_m = _earlier_surrender(doc, sent, actor_m)
    if actor_m is None:
        actor_m = _commander(sent, start, end)  # "General Cronje surrendered at Paardeberg"
    if actor_m is None:
        head = end - 1
        while head > start and (words[head] in _AUX | _PRESENT_ADVERBS or words[head].endswith("ly")):
            head -= 1
        actor_m = people_counted(sent, head)  # "the Austrians then surrendered", "some 4,000 Bavarians"
    num = _count_of_persons(words, start, end, tokens)
    if num is None and start > 1 and words[start - 1] == "and" and tokens[start - 2].cap:
        ext = start - 2  # "12,000 Austrian and Bavarian soldiers": one phrase, its modifiers joined by 'and'
        while ext > max(floor, start - 6) and tokens[ext - 1].cap:
            ext -= 1
        num = _count_of_persons(words, max(floor, ext - 2), end, tokens)
    if actor_m is None and num is not None and start > 1 and words[start - 1] == "and":
        actor_m = _commander_and_men(sent, start, num)  # "General Osman and some 40,000 weary men surrendered"
    if actor_m is None and num is not None and num.i <= start + 1 and start > 1:
        if words[start - 1] == ",":  # "the entire battalion, some 700 men, surrendered": the side before the comma
            actor_m, _ = _subject(doc, sent, start - 1, bind)
    if num is None and words[start] in ("a", "an") and any(w in _PERSON for w in words[start + 1 : end]):
        num = Number(start, start + 1, 1, 1, True, None, 1)  # "an ELN fighter surrendered"
    return actor_m, num


def _place_gives_up(sent: Sentence, end: int) -> bool:
    """Whether the subject ending at `end` is a place ('the city', 'Vicksburg'), not its garrison ('the garrison of
    Metz') or a side: no armed side is named as surrendering then."""
    words = sent.words
    if end < 2:
        return False
    if words[end - 1] in _PLACE_HEADS and words[end - 2] in ("the", "that", "this"):
        return end == 2 or words[end - 3] in _NP_BREAK or words[end - 3] == ","  # not 'fighters in the fortress'
    return any(
        g.j == end
        and (g.i == 0 or words[g.i - 1] in _NP_BREAK or words[g.i - 1] in (",", "the"))
        and not any(a.i <= g.i < a.j for a in sent.actors)
        for g in sent.places
    )  # the place opens its clause: not 'battalions in northern Shan State', 'the garrison of Metz'


def _first_predicate(words: list[str], conj: int, floor: int) -> int | None:
    """Where the first of two predicates sharing one subject begins, looking back from 'and' at `conj`: 'was
    besieged at Kut and surrendered', 'held out for weeks and surrendered'. None when a comma, a relative or
    another subject-like break comes first, or no verb form is found within nine words."""
    for k in range(conj - 1, max(floor, conj - 9) - 1, -1):
        w = words[k]
        if w in _NP_BREAK or w in (",", "which", "who", "that"):
            return None
        if w in ("was", "were") or (w in ("had", "has", "have") and k + 1 < conj and words[k + 1].endswith("ed")):
            return k if k > floor else None
        if w in _PAST_HEADS or (len(w) > 4 and w.endswith("ed") and w.isalpha()):
            prior = words[k - 1] if k > floor else ""
            return k if prior not in ("the", "a", "an", "of", "by") and not prior.endswith("ed") else None
    return None


#: Irregular past forms that open a first predicate before 'and surrendered' ('held out for a month and ...').
_PAST_HEADS = frozenset("held fought stood fell ran hid lay".split())

#: Words opening an aside that counts the side before it: ', consisting of 90 men,', ', some 3,000 men,'.
_ASIDE_COUNT = frozenset(
    "consisting comprising numbering totalling totaling some about around nearly almost roughly approximately".split()
)


def _has_head(words: list[str]) -> bool:
    return any(w in ARMED_HEADS or w in _PERSONS or w.rstrip("s") in _UNIT_HEADS for w in words)


def _bare(a: ActorMention) -> bool:
    """A generic word in lower case: 'the group', 'militants', 'fighters' (also 'The group' starting a sentence)."""
    name = a.actor.name[:1].lower() + a.actor.name[1:] if a.i == 0 else a.actor.name
    return a.generic and name == name.lower()


def _armed_noun(sent: Sentence, start: int, end: int) -> ActorMention | None:
    """'the group', 'the battalions': the first armed or group noun of the phrase."""
    words, tokens = sent.words, sent.tokens
    for k in range(start, end):
        if words[k] in ARMED_HEADS or words[k].rstrip("s") in ARMED_HEADS:  # "the final group of Serb forces"
            return fallback_actor(tokens, words, k + 1, start)
    for k in range(start, end):
        if words[k] in _DEFENDERS:  # "2,500 Ukrainian defenders", "the defenders of the fortress"
            return fallback_actor(tokens, words, k + 1, start) or _as_named(sent, k)
    for k in range(start, end):
        if words[k + 1 : k + 2] and words[k + 1] in _PLACE_HEADS:
            continue  # "the garrison town of Kut": a place
        if words[k] in _UNIT_HEADS or words[k] in ("group", "groups"):  # "the presidential guard", "the garrison"
            i = k - 1 if k > start and words[k - 1] in ("the", "this", "that") else k
            if words[k] in _UNIT_HEADS and i == k and k > start and words[k - 1].isalpha():
                i = k - 1  # "the presidential guard": its modifier names it
            text = " ".join(t.text for t in tokens[i : k + 1])
            return ActorMention(i, k + 1, Actor(id=slug(text), name=text, mention=text), True)
    return None


def _located_at(sent: Sentence, a: ActorMention, start: int) -> bool:
    """Whether the mention says where the side was, not who: after 'on', 'in', 'at' (also within a capitalised
    name: 'on New Britain'), or inside a longer place name ('Georgia' in 'South Georgia')."""
    k = a.i
    while k > start and sent.tokens[k - 1].cap:
        k -= 1
    if k > start and sent.words[k - 1] in _LOCATIVE:
        return True
    return any(g.i <= a.i and a.j <= g.j and g.j - g.i > a.j - a.i for g in sent.places)


def _as_named(sent: Sentence, k: int) -> ActorMention:
    """The noun at k with the modifiers before it, as the report names that side: 'the defenders'."""
    tokens = sent.tokens
    i = k
    while i > 0 and k - i < 2 and sent.words[i - 1].isalpha() and sent.words[i - 1] not in _DETERMINERS:
        i -= 1
    text = " ".join(t.text for t in tokens[i : k + 1])
    return ActorMention(i, k + 1, Actor(id=slug(text), name=text, mention=text), True)


def _acronym(sent: Sentence, start: int, end: int) -> ActorMention | None:
    """An unknown group's acronym beside a person noun: 'two LTTE leaders', 'senior leaders of the LTTE'."""
    words, tokens = sent.words, sent.tokens
    if not any(w in _PERSONS or w in _PERSON for w in words[start:end]):
        return None
    for k in range(start, end):
        t = tokens[k].text
        if len(t) >= 2 and t.isalpha() and t.isupper() and not (k == start and len(t) < 3):
            return ActorMention(k, k + 1, Actor(id=slug(t), name=t, mention=t), False)
    return None


def _unit_name(sent: Sentence, start: int, end: int) -> ActorMention | None:
    """A capitalised unit name in the phrase: 'No. 7 Rifle Battalion', 'Coastal Regional Command'."""
    words, tokens = sent.words, sent.tokens
    for k in range(start, end):
        if tokens[k].cap and words[k].rstrip("s") in _UNIT_HEADS and k > start:
            i = k
            while i > start and (tokens[i - 1].cap or words[i - 1][:1].isdigit() or words[i - 1] == "no."):
                i -= 1
            if words[i] == "the":
                i += 1  # "The Republican Guard" opening a sentence
            if i < k:
                text = " ".join(t.text for t in tokens[i : k + 1])
                return ActorMention(i, k + 1, Actor(id=slug(text), name=text, mention=text), False)
    return None


def _proper_name(sent: Sentence, k: int) -> ActorMention | None:
    """The proper name after 'the surrender of': 'the breakaway Republic of K'."""
    words, tokens = sent.words, sent.tokens
    n = len(words)
    i = k + 1 if k < n and words[k] == "the" else k
    while i < min(n, k + 3) and not tokens[i].cap and words[i].replace("-", "").isalpha():
        i += 1  # "the self-declared Republic of X", "the breakaway Republic of X"
    j = i
    while j < min(n, i + 8) and (tokens[j].cap or (words[j] == "of" and j > i)):
        j += 1
    while j > i and not tokens[j - 1].cap:
        j -= 1
    if j == i or not any(t.cap for t in tokens[i:j]):
        return None
    text = " ".join(t.text for t in tokens[i:j])
    return ActorMention(i, j, Actor(id=slug(text), name=text, mention=text), False)


def _with_men(sent: Sentence, i: int, e: int) -> tuple[ActorMention, Number] | None:
    """'Mack surrendered with 25,000 men', 'Cronje capitulated with some 4,000 Boers': a name right before the verb
    that surrendered with a count of men is a commander; his side is named after him, the count is the men's."""
    words, tokens = sent.words, sent.tokens
    if e >= len(words) or words[e] != "with":
        return None
    nums = [q for q in find_numbers(words[e + 1 : e + 6]) if q.i <= 1]
    if nums and nums[0].value < 50 and not sent.binder.at_war:
        return None  # "the suspect surrendered with two other men": a few men outside a war are no force
    after = range(e + 1 + nums[0].j, min(len(words), e + 4 + nums[0].j)) if nums else range(0)
    if not any(words[m] in _PERSONS or words[m] in ARMED_HEADS or _people_plural(tokens[m]) for m in after):
        return None  # "with 25,000 men", "with some 4,000 Boers"; not "with his lawyer"
    j = i
    while j > 0 and words[j - 1] in _AUX:
        j -= 1
    k = j
    common = load_wordlist().zipf
    while k > 0 and j - k < 2 and tokens[k - 1].cap and words[k - 1].isalpha() and common(words[k - 1]) < 4.0:
        k -= 1  # "Then Cronje": the opening word is no part of the name
    if k == j or (k > 0 and words[k - 1] not in (",", "and", "later", "then", "days", "weeks", "soon")):
        return None
    if any(g.i < j and k < g.j for g in sent.places) or common(words[k]) >= 4.0:
        return None  # a town does not surrender, and "The" or "Then" is no name
    text = " ".join(t.text for t in tokens[k:j])
    name = f"{text}'s forces"  # the men he led, named after him
    return ActorMention(k, j, Actor(id=slug(name), name=name, mention=text), True), _shift(nums[0], e + 1)


def _people_plural(token: Token) -> bool:
    """A capitalised plural ('Boers', 'Austrians'): a people counted as the men who surrendered."""
    return token.cap and len(token.low) > 4 and token.low.endswith("s") and token.text[1:].islower()


def _count_after(words: list[str], e: int) -> Number | None:
    """'the band that surrendered numbered 85 men'."""
    for m in range(e, min(len(words), e + 3)):
        if words[m] in _COUNT_AFTER:
            nums = [q for q in find_numbers(words[m + 1 : m + 5]) if q.i == 0]
            if nums and any(w in _PERSONS for w in words[m + 1 + nums[0].j : m + 4 + nums[0].j]):
                return _shift(nums[0], m + 1)
            return None
    return None


def _earlier_surrender(doc: Document, sent: Sentence, bare: ActorMention) -> ActorMention:
    """'the band who gave up': the side of the latest earlier surrender in the report, if any."""
    for index in range(sent.index - 1, max(-1, sent.index - 6), -1):
        prev = doc.view(index)
        if not doc.lex.sets["surrender.done"].any_in(prev.words):
            continue
        for _, _, actor_m, _ in reversed(_surrenders(doc, prev, bind=False)):
            if not _bare(actor_m):
                return ActorMention(bare.i, bare.j, actor_m.actor, True)
    return bare


def _count_of_persons(words: list[str], start: int, end: int, tokens: list[Token] | None = None) -> Number | None:
    """The first figure in words[start:end] that counts people ('265 fighters', 'some 40 of his men'). With the
    tokens, a capitalised plural right after the figure counts too: the subject of a surrender is a body of armed
    men, and a side's own name for its men ('some 900 footsore Hessians', '4,000 Boers') is no common
    noun."""
    for q in find_numbers(words[start:end]):
        q = _shift(q, start)
        if q.i > 2 and words[q.i - 1] in _DETERMINERS and words[q.i - 2] == "of" and words[q.i - 3] in _PARTS:
            continue  # "most of the 80,000 troops": a part of them, of no stated size
        if q.hedge is None and q.j == q.i + 1 and is_year(words[q.i]):
            if q.j >= end or words[q.j] not in _PERSONS:
                continue  # "in 1940 the soldiers surrendered": a year, not a count
        if _day_of_month(words, q):
            continue  # "On 2 June its 12,000 defenders surrender": a day of a date, not a count
        if any(w in _PERSONS for w in _unbracketed(words[q.j : q.j + 9])[:4]):  # "dozens of Boko Haram fighters"
            return q
        if tokens is not None and _men_named(tokens, q.j, min(end, q.j + 3)) is not None:
            return q
    return None


def _unbracketed(words: list[str]) -> list[str]:
    """The words less a parenthesis: '2,000 Islamic State (IS) fighters' counts the fighters past the acronym."""
    out: list[str] = []
    depth = 0
    for w in words:
        if w == "(":
            depth += 1
        elif w == ")" and depth:
            depth -= 1
        elif not depth:
            out.append(w)
    return out


def _men_named(tokens: list[Token], start: int, end: int) -> int | None:
    """Where a capitalised plural stands in tokens[start:end] after only modifiers: 'footsore Hessians'."""
    for k in range(start, end):
        t = tokens[k]
        if k == start and t.low == "of":
            continue  # "thousands of Boers"
        if t.cap and t.low.endswith("s") and t.low.isalpha() and len(t.low) > 4 and t.low not in _FUNCTION_WORDS:
            return k
        if not t.low.replace("-", "").isalpha() or t.low in _FUNCTION_WORDS:
            return None
    return None


def _day_of_month(words: list[str], q: Number) -> bool:
    """Whether a figure is the day of a date: a whole number up to 31 beside a month's name ('2 June', 'June 2'; not
    'On 3 May 12 soldiers surrendered', where a noun of people follows)."""
    if q.j != q.i + 1 or not words[q.i].isdigit() or not 1 <= int(words[q.i]) <= 31:
        return False
    if q.j < len(words) and words[q.j] in MONTHS:
        return True  # "2 June"
    return q.i > 0 and words[q.i - 1] in MONTHS and not (q.j < len(words) and words[q.j] in _PERSONS)  # "June 2"


#: Nouns of a part of a counted body: 'the bulk of its 80,000 troops', 'most of its 3,000 men'.
_PARTS = frozenset("bulk most majority many some part portion half rest remainder much few several".split())
_FUNCTION_WORDS = frozenset("of the a an and or with in on at to from by their his its".split())


#: Ranks before a commander's name: a ranked officer who surrenders surrenders his force.


def _commander(sent: Sentence, start: int, end: int) -> ActorMention | None:
    """A ranked commander right before the verb: 'General Cronje', 'Field Marshal Paulus' (not a bare surname:
    a suspect handing himself to a court is no armed side's surrender)."""
    words, tokens = sent.words, sent.tokens
    j = end
    i = j
    while i > start and tokens[i - 1].cap and _name_word(words[i - 1]) and j - i < 3:
        i -= 1
    if i == j or i == start or words[i - 1] not in RANKS or not tokens[i - 1].cap:
        return None
    if any(g.i < j and i < g.j for g in sent.places):
        return None
    if not _person_named(sent, i, j):
        return None  # "General Electric capitulated to activist investors": a company
    r = i - 1
    while r > start and tokens[r - 1].cap and words[r - 1] in RANKS | {"field", "rear", "vice"}:
        r -= 1  # "Field Marshal", "Rear Admiral", "Lt. Gen."
    text = " ".join(t.text for t in tokens[r:j])
    return ActorMention(r, j, Actor(id=slug(text), name=text, mention=text), False)


#: Words after a name, or in its sentence, that make a 'General X' a company: 'General Mills Inc', 'its shares'.
_COMPANY_AFTER = frozenset("inc inc. corp corp. co co. ltd ltd. llc plc group holdings".split())
_COMPANY_WORDS = frozenset("shares stock stocks investors shareholders shareholder dividend earnings".split())


def _person_named(sent: Sentence, i: int, j: int) -> bool:
    """Whether words[i:j] after a rank name a person: no company word after the name or in the sentence, and a name
    word that is no common English word ('Cronje', 'Paulus'), else a report of war ('General Lee' beside troops;
    not 'General Electric', 'General Mills' in a report of markets)."""
    words = sent.words
    if j < len(words) and words[j] in _COMPANY_AFTER or _COMPANY_WORDS.intersection(words):
        return False
    common = load_wordlist()
    return any(common.zipf(w) < 3.0 for w in words[i:j]) or sent.binder.at_war


def _name_word(w: str) -> bool:
    """A word of a person's name: 'Cronje', 'Baden-Powell' (not a rank)."""
    return w.replace("-", "").isalpha() and w not in RANKS


def _ranked_at(sent: Sentence, k: int) -> ActorMention | None:
    """A ranked commander starting at k: 'General Grant' in 'surrendered to General Grant'."""
    words, tokens = sent.words, sent.tokens
    j = k
    while j < len(words) and tokens[j].cap and (words[j] in RANKS or words[j] in ("field", "rear", "vice")):
        j += 1
    if j == k:
        return None
    end = j
    while end < min(len(words), j + 3) and tokens[end].cap and _name_word(words[end]):
        end += 1
    return _commander(sent, k, end) if end > j else None


def _commander_and_men(sent: Sentence, start: int, num: Number) -> ActorMention | None:
    """'General Osman and some 40,000 weary soldiers', 'Knyphausen and some 900 footsore Hessians': a commander
    named before 'and' surrenders with his men. The side is the men's own name when it is capitalised, else the
    commander (with his rank)."""
    words, tokens = sent.words, sent.tokens
    k = start - 2  # the word before 'and'
    if k < 0 or not tokens[k].cap or not words[k].isalpha():
        return None
    men = _men_named(tokens, num.j, min(len(words), num.j + 3))
    if men is not None:
        text = tokens[men].text
        return ActorMention(men, men + 1, Actor(id=slug(text), name=text, mention=text), False)
    i = k
    while i > 0 and tokens[i - 1].cap and words[i - 1].replace(".", "").isalpha() and k - i < 3:
        i -= 1  # "General Sir Redvers Buller", "Lt. Col. Smith"
    text = " ".join(t.text for t in tokens[i : k + 1])
    return ActorMention(i, k + 1, Actor(id=slug(text), name=text, mention=text), False)
