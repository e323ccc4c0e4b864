"""Clause arguments: who did it. Subjects left of a verb (skipping objects of prepositions, merging adjacent
names, following relative pronouns and coordinated predicates), agents after 'by'/'to', and the previous
sentence's subject for nominals with none of their own ('The capture of X came ...')."""

from __future__ import annotations

from schemas.events import Actor

from .actors import (
    AFTER_AGENT,
    PLAIN_ADVERBS,
    ActorMention,
    adverb,
    fallback_actor,
    parenthesis_start,
    person_side,
    unknown_acronym,
)
from .document import Document, Sentence
from .lexicons import ARMED_HEADS, RANKS, slug
from .places import people_not_town, possessive
from .times import MONTHS, WEEKDAYS
from .wordlist import load_wordlist

_SUBJECT_PRONOUNS = frozenset("they it he she we".split())

#: Prepositions whose object is no subject: in "M23 rebels in eastern Congo have seized ..." Congo is none.
_PREPS = frozenset(
    "on against from with of by to at for toward towards targeting in inside near outside across around within over "
    "among between".split()
)


#: Openers of an adjunct whose -ing verb shares the main clause's subject: 'after capturing', 'by seizing'.
_ADJUNCT_OPENERS = frozenset("after before by while since upon".split())
_DETS = frozenset("the a an its their his her some".split())
#: Adjectives between a preposition and its object: "in eastern Congo", "across northern Syria".
_PP_ADJECTIVES = frozenset(
    "northern southern eastern western central northeastern northwestern southeastern southwestern "
    "neighbouring neighboring nearby".split()
)
_AUX = frozenset("has have had was were is are been also".split())


def _side_before(sent: Sentence, units: list[ActorMention], start: int) -> bool:
    """Whether a side is named before an aside that opens at `start`; if not, the side is the aside's own ('two
    groups - the Nusra Front and Ahrar al-Sham - seized X')."""
    words = sent.words
    return (
        any(a.j <= start for a in units)
        or fallback_actor(sent.tokens, words, start) is not None
        or _people_subject(sent, start - 1) is not None
    )


def dashed_aside(text: str, sent: Sentence, i: int) -> int | None:
    """The first word of an aside set off by dashes right before the word at i ('the Dinka militia - in a pact with
    the Nuer - took X'): dashes are no tokens, so they are read in the gaps between tokens."""
    tokens = sent.tokens
    if i < 2 or _DASHES.isdisjoint(text[tokens[i - 1].end : tokens[i].start]):
        return None
    return next(
        (
            m
            for m in range(i - 1, max(0, i - 25), -1)
            if not _DASHES.isdisjoint(text[tokens[m - 1].end : tokens[m].start])
        ),
        None,
    )


_DASHES = frozenset("-")  # the cleaned text has only this one


def merged_units(sent: Sentence) -> list[ActorMention]:
    """Actor mentions with adjacent ones merged ("Al-Nusra Front jihadist rebels", "ISIL terrorists")."""
    out: list[ActorMention] = []
    for a in sent.actors:
        adjacent = bool(out) and (out[-1].j == a.i or (out[-1].j == a.i - 1 and _modifier(sent.words[a.i - 1])))
        if adjacent and not out[-1].generic:
            out[-1] = ActorMention(out[-1].i, a.j, out[-1].actor, False)
        elif adjacent and not a.generic:
            out[-1] = ActorMention(out[-1].i, a.j, a.actor, False)
        else:
            out.append(a)
    return out


_MODIFIERS = frozenset(
    "jihadist jihadists islamist militant extremist terrorist allied loyalist opposition rebel kurdish arab "
    "group's group".split()
)


def _modifier(word: str) -> bool:
    """A word that may sit between a name and its head noun: 'Al-Nusra Front jihadist rebels'."""
    return word in _MODIFIERS or word.endswith(("-backed", "-led", "-allied"))


def after_preposition(words: list[str], i: int) -> bool:
    k = i - 1
    while k >= 0 and (words[k] in _DETS or words[k] in _PP_ADJECTIVES):
        k -= 1
    return k >= 0 and words[k] in _PREPS


#: Adverbs of time between a subject and its verb: 'they first took', 'the rebels then seized'.
_TIME_ADVERBS = PLAIN_ADVERBS | {"since"}  # "the militia that has kept it since 2009"


def actor_left(sent: Sentence, i: int, doc: Document) -> ActorMention | None:
    words = sent.words
    units = merged_units(sent)
    r = i - 1
    while r > 0 and i - r <= 3 and (words[r] in _AUX or words[r].endswith("ly") or words[r] in _TIME_ADVERBS):
        r -= 1  # "the militia that has kept it since 2009", "once they briefly seized"
    end = i  # where the subject phrase ends
    if r > 0 and words[r] == ")" and (opening := parenthesis_start(words, r)) is not None and opening > 0:
        if _side_before(sent, units, opening):  # "the Eastern Alliance (Chad, ...) captured X": not Chad
            units = [a for a in units if not opening < a.i < r]
            r, end = opening - 1, opening
    elif r > 0 and r == i - 1 and (dashed := dashed_aside(doc.clean.text, sent, i)) is not None:
        if _side_before(sent, units, dashed):  # "the Dinka militia - in a pact with X - seized Y": not X
            units = [a for a in units if not dashed <= a.i < i]
            r, end = dashed - 1, dashed
    if r > 0 and words[r] == "," and (subject := _before_relative_aside(units, words, r)) is not None:
        return subject  # "Chadian troops, who serve in MINUSMA beside men from Niger, had taken the village"
    if r >= 0 and words[r] in ("which", "who", "that"):
        rel = [a for a in units if a.j == r]
        if rel:  # "the Taliban which overran the valley": the antecedent is the subject
            return rel[0]
        end = r - (r > 0 and words[r - 1] == ",")
        launcher = _launcher(sent, units, end - 1) if end > 0 and words[end - 1] in _OPERATIONS else None
        if launcher is not None:
            return launcher  # "the Nationalists began an offensive which then took Aragon"
        unit = fallback_actor(sent.tokens, words, end, max(0, end - 5)) if end > 0 else None
        if unit is not None and unit.j == end:  # "The 36th Division, which then captured ...": an unnamed unit
            named = next((a for a in units if unit.i <= a.i and a.j <= end), None)
            return named or unit  # "Kurdish YPG forces, which ...": the named side within the phrase
    if (
        i > 0
        and words[i - 1] == "and"
        or (i > 1 and words[i - 2] == "and" and words[i - 1] in ("had", "have", "has", "then", "later", "also"))
    ):
        # coordinated predicate "X killed ... and seized ...": the subject of the clause is the actor ("Yemen has
        # been at war since 2014, when the Houthis seized X and forced Y out of Z": the Houthis)
        start = next((m for m in range(i - 1, -1, -1) if words[m] in _CLAUSE_OPENERS), -1)
        head = [a for a in units if start < a.i and a.j <= i and not after_preposition(words, a.i)] or [
            a for a in units if a.j <= i and not after_preposition(words, a.i)
        ]
        if head:
            return head[0]
        first = min(len(words), start + 5)  # the clause's first words: "..., in which the Eastern Alliance encircled"
        fb = fallback_actor(
            sent.tokens, words, next((m for m in range(start + 1, first) if words[m] == "("), first), start + 1
        )
        if fb:
            return fb
        people = _people_near(sent, range(1, i - 1))
        if people is not None:
            return people  # "The Serbs reached Drnis on Sunday and captured the town": a people as the subject
    if i > 0 and words[i - 1] == "having" and (subject := _having_subject(sent, units, i - 1)) is not None:
        return subject  # "Having taken Lashio, the alliance ...", "The militia, having seized Bunia, ..."
    gerund = words[i].endswith("ing")
    if gerund and i == 1 and words[0] in _ADJUNCT_OPENERS:  # "After taking Tikrit, IS fighters moved on Samarra"
        # past an apposition or a date set off by commas: "After capturing X's second city, Y, in 1992, the Serbs"
        commas = [m for m in range(2, min(len(words), 25)) if words[m] == "," and words[m + 1 : m + 2] != ["which"]]
        after = next((a for c in commas for a in units if c < a.i <= c + 3), None)
        if after is not None:
            return after
    if gerund and i > 0 and words[i - 1] in _ADJUNCT_OPENERS and (subject := _adjunct_subject(units, words, i - 1)):
        return subject  # "The SDF declared victory over IS after capturing Baghuz": the main clause's subject took it
    comma = i - 1 - (i > 2 and words[i - 1].endswith("ly"))  # ", swiftly capturing the capital"
    if gerund and comma > 0 and words[comma] == "," and (main := _main_subject(sent, units, comma + 1)) is not None:
        return main  # "the FARC routed the garrison, seizing the river port": the FARC took it
    # mentions right after a preposition are objects ("heavy losses on the Boko Haram militants"), not subjects,
    # except the subject of a gerund: "with the Arakan Army taking control of the town"
    allies = _ally_spans(words, i)
    left = [
        a
        for a in units
        if a.j <= i
        and (not after_preposition(words, a.i) or (gerund and a.j == i) or _member_of(words, a.i))
        and not any(s <= a.i < e for s, e in allies)
    ]
    if left and r >= left[-1].j and (people := _people_subject(sent, r)) is not None:
        return people  # "troops marched north, and the Jacobites captured Perth": the nearest subject
    if left:
        leader = _leader(units, words, left[-1], i)
        return (
            leader
            or _named_after(units, words, left[-1])
            or _people_group(sent, left[-1], doc)
            or _first_conjunct(left, words)
            or left[-1]
        )
    fb = fallback_actor(sent.tokens, words, end) or _people_subject(sent, r) or _operation_side(sent, r)
    if fb:
        return fb
    if (acronym := _acronym_subject(sent, i)) is not None:
        return acronym  # "the KNDO was able to occupy Mandalay": a side the lexicon does not know
    if r >= 0 and gerund is False and (commander := _commander_subject(sent, r)) is not None:
        return commander  # "Villa and Urbina seized that town"
    if 0 < r and words[r] == "they" and words[r - 1] in ("which", "that", "where"):
        # "the rebels moved on Bukavu, which they seized in February": the clause's subject, standing at 'they'
        head = [a for a in units if a.j < r - 1 and not after_preposition(words, a.i)]
        if head:
            return ActorMention(r, r + 1, head[0].actor, True)
    if r >= 0 and words[r] == "we" and (speaker := _speaker_after(sent, i)) is not None:
        return speaker  # '"We have taken X," a TNLA spokesman said': the speaker's side
    if r > 1 and words[r] in ("it", "they", "we") and (speaker := _speaker_before(sent, units, r)) is not None:
        return speaker  # "The Arakan Army claimed it had seized the base": the side that speaks of itself
    if r > 2 and words[r] == "they" and (earlier := _earlier_subject(sent, units, r)) is not None:
        return earlier  # "the Bolivians took two forts, and in August they took Fort Toledo"
    pronoun = words and words[0] in _SUBJECT_PRONOUNS or (r >= 0 and words[r] in ("they", "it", "we"))
    if pronoun and sent.index > 0:  # "They seized ...", "In 1998, they drove out ...": the last sentence's subject
        view = doc.view(sent.index - 1)
        prev = [a for a in view.actors if not after_preposition(view.words, a.i)] or view.actors
        if prev:
            return prev[0]
        # "The Serbs reached Drnis. They captured the town.", "In May 1710 the Danes landed near X": a people
        # named as the last sentence's subject, past an opening adjunct (not 'the cavalry routed the Danes')
        people = _people_near(view, range(1, min(len(view.words), 12)))
        return people if people is not None and subject_position(view, people.i - 1) else None
    return None


#: Words of an opening adjunct of time or place before a sentence's subject ('Early in the spring of 1710, the').
_ADJUNCT_WORDS = frozenset(
    "in on at of during after before by early late later that this the a an spring summer autumn fall winter "
    "morning evening night dawn week weeks month months year years day days , near".split()
)


#: Words between a subject and its capture verb: 'the KNDO was able to occupy', 'the FDS had finally retaken'.
_TO_VERB = _AUX | frozenset("able to managed then later finally eventually soon quickly also".split())
#: Words before a subject that open its clause.
_SUBJECT_OPENERS = frozenset(", ; and when after then as but while".split())


def _acronym_subject(sent: Sentence, i: int) -> ActorMention | None:
    """An acronym the lexicon lacks, opening the clause of the capture verb at i: the side it names."""
    words = sent.words
    if not sent.binder.at_war:
        return None  # "the ANC took over Durban" in an election report: a party, not a side
    r = i - 1
    while r > 0 and i - r <= 4 and (words[r] in _TO_VERB or adverb(sent.tokens[r])):
        r -= 1
    if r < 0 or not sent.tokens[r].text.isupper() or any(p.i <= r < p.j for p in sent.places):
        return None
    if r > 0 and words[r - 1] != "the" and words[r - 1] not in _SUBJECT_OPENERS:
        return None
    if r > 1 and words[r - 1] == "the" and (words[r - 2] in _PREPS or words[r - 2].endswith(("ed", "ing"))):
        return None  # "backed the KNDO then occupied", "clashes with the KNDO captured": an object, no subject
    return unknown_acronym(sent.tokens, words, r, sent.binder.lex)


def subject_position(sent: Sentence, k: int) -> bool:
    """Whether a phrase starting at k is its sentence's subject: nothing before it, only an opening adjunct of time
    and place words, names and numbers ('In May 1710 the Danes'), or one opening phrase set off by a comma ('Before
    the battle of Hattin, Tyre')."""
    before = sent.words[:k]
    if before and before[-1] == "," and "," not in before[:-1]:
        return True
    return all(w in _ADJUNCT_WORDS or t.cap or w[:1].isdigit() for w, t in zip(before, sent.tokens[:k], strict=True))


#: Verbs of a reporting clause, whose subject is the teller, not the doer: 'Kyiv says Russia lost ...', 'Ukraine
#: accused Russian forces of ...'.
_REPORTING = frozenset(
    "said says say claimed claims claim accused accuses accuse reported reports told announced announces alleged "
    "alleges stated states confirmed confirms denied denies".split()
)


#: Heads of an operation named as the subject of a capture: 'the French-Malian offensive recaptured Gao'.
_OPERATIONS = frozenset("offensive counteroffensive counter-offensive operation campaign assault advance push".split())


def _commander_subject(sent: Sentence, r: int, handed: bool = False) -> ActorMention | None:
    """A person's name ending at r right before the verb, opening its clause: the commander who took the place.
    `handed`: the verb takes a place (see `named_commander`)."""
    words, tokens = sent.words, sent.tokens
    start = r
    while start > 0 and r - start < 4 and (tokens[start - 1].cap or words[start - 1] == "and"):
        start -= 1
    while start < r and (words[start] == "and" or (start == 0 and words[start] in _OPENING_ADVERBS)):
        start += 1  # "Then Cortes took ...": the sentence's first word is capitalised, not a name
    rank = next((k for k in range(start, r) if _rank_at(words, k)), None)
    opening = start = start if rank is None else rank  # "On 2 September General Sherman took": the rank opens it
    while start < r and _rank_at(words, start):
        start += 1  # "Admiral David Farragut took": the rank ties the name to troops, and is no part of it
    before = words[opening - 1] if opening > 0 else ","
    dated = rank is not None and (before[:1].isdigit() or before in MONTHS)  # "In May 1862 General X took"
    if before not in (",", ";", "and", "then", "when", "after", "as", "but", "while") and not dated:
        return None  # the name is not the clause's subject ("in Morelos took", "of Villa took")
    return named_commander(sent, start, r + 1, handed)


def _rank_at(words: list[str], k: int) -> bool:
    """A rank at k ('General', 'Admiral', 'Field Marshal')."""
    return words[k] in RANKS or words[k : k + 2] == ["field", "marshal"]


def commander_taker(sent: Sentence, i: int) -> ActorMention | None:
    """A commander named as the subject of the capture verb at i ('Cortes captured the city', 'Then Baibars
    finally took Tyre'), in a sentence that speaks of armed men or a military post (a battle or a fight alone is
    also a match's, a vote's or a takeover's)."""
    words = sent.words
    r = i - 1
    while r > 0 and i - r <= 3 and (words[r] in _AUX or adverb(sent.tokens[r])):
        r -= 1
    if ARMED_HEADS.isdisjoint(words) and _POSTS_AND_SIEGES.isdisjoint(words):
        return None  # "Then Sinner took Melbourne after a four-set battle": no armed men, no post
    return _commander_subject(sent, r, handed=True) if r >= 0 and sent.tokens[r].cap else None


#: Regnal numbers after a ruler's name, in capitals as written ('Louis XIV'); not 'I', a pronoun.
_REGNAL = frozenset("II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI".split())


def discourse_commander(sent: Sentence, doc: Document) -> ActorMention | None:
    """The commander 'him' stands for: a person named as the last sentence's subject past an opening adjunct ('In
    1347 Edward III laid siege to Calais. ... the town surrendered to him')."""
    if sent.index == 0:
        return None
    prev = doc.view(sent.index - 1)
    start = next((k for k, t in enumerate(prev.tokens[:12]) if t.cap and prev.words[k] not in _ADJUNCT_WORDS), None)
    if start is None or not subject_position(prev, start) or (start == 0 and prev.words[0] in _OPENING_ADVERBS):
        return None
    if any(g.i <= start < g.j for g in prev.places) or any(a.i <= start < a.j for a in prev.actors):
        return None  # "In 1415 Harfleur was besieged ...": a place or a side opens the sentence, no person
    end = start
    while end < len(prev.tokens) and end - start < 3 and prev.tokens[end].cap:
        end += 1
    return named_commander(prev, start, end, handed=True)


#: Sentence-initial words that are capitalised only by their place: "Then Cortes took ...".
_OPENING_ADVERBS = PLAIN_ADVERBS | {"meanwhile", "next"}


def _speaker_before(sent: Sentence, units: list[ActorMention], r: int) -> ActorMention | None:
    """The side named right before a reporting verb whose clause the pronoun at r opens ('X claimed (that) it had
    seized', 'X said they took', 'X on Tuesday claimed it had seized'): the speaker speaks of itself."""
    words = sent.words
    verb = r - 1 - (words[r - 1] == "that")
    if verb < 1 or words[verb] not in _REPORTING:
        return None
    end = verb
    if end > 2 and words[end - 2] == "on" and words[end - 1] in WEEKDAYS:
        end -= 2  # "X on Monday said"
    elif words[end - 1] in ("yesterday", "today", "also", "later", "earlier"):
        end -= 1
    named = next((a for a in units if a.j == end), None)
    if named is not None:
        return named
    unit = fallback_actor(sent.tokens, words, end)
    return unit if unit is not None and unit.j == end else None


def _earlier_subject(sent: Sentence, units: list[ActorMention], r: int) -> ActorMention | None:
    """The subject of an earlier clause of this sentence that 'they' at r refers to, when 'and' or 'but' joins the
    clauses: an actor, or a people or nationality named in the plural ('the Bolivians'), first in the sentence."""
    words = sent.words
    if "and" not in words[:r] and "but" not in words[:r]:
        return None
    named = next((a for a in units if a.j <= r and not after_preposition(words, a.i)), None)
    if named is not None:
        return named
    return _people_near(sent, range(1, r))


def _before_relative_aside(units: list[ActorMention], words: list[str], close: int) -> ActorMention | None:
    """The actor before a relative aside that the comma at `close` ends (', who are part of X,'): the subject of
    the verb after it, not the last side the aside names."""
    for m in range(close - 1, max(0, close - 25), -1):
        if words[m] in (";", ":"):
            return None
        if words[m] == "," and words[m + 1] in ("who", "which"):
            return next((a for a in units if a.j == m), None)
    return None


def _main_subject(sent: Sentence, units: list[ActorMention], i: int) -> ActorMention | None:
    """The subject of the clause a participle at i (after a comma) hangs on: the first actor before it that is no
    object of a preposition, no possessor ('the junta's posts') and not inside an earlier aside."""
    words = sent.words
    start = next((m for m in range(i - 2, -1, -1) if words[m] in (";", ":")), -1)
    for a in units:
        if start < a.i and a.j < i - 1 and not after_preposition(words, a.i) and not possessive(sent.tokens, a.j - 1):
            return a
    # "the 4th Brigade pushed east, taking X and Y": an unnamed unit as the clause's subject
    head = next((m for m in range(start + 1, i - 1) if words[m] in ARMED_HEADS), None)
    if head is None or after_preposition(words, head) or possessive(sent.tokens, head):
        return None
    unit = fallback_actor(sent.tokens, words, head + 1, start + 1)
    return unit if unit is not None and not after_preposition(words, unit.i) else None


def _launcher(sent: Sentence, units: list[ActorMention], op: int) -> ActorMention | None:
    """The side whose operation at `op` a relative clause's capture is told of: the operation's own adjective ('a
    Russian offensive that ...'), or the subject of the verb that launched it ('X launched an offensive which')."""
    side = _operation_side(sent, op)
    if side is not None:
        return side
    words = sent.words
    verb = next((m for m in range(op - 1, max(-1, op - 4), -1) if words[m] in _LAUNCHES), None)
    if verb is None:
        return None
    subject = [a for a in units if a.j <= verb and not after_preposition(words, a.i)]
    if subject:
        return subject[-1]
    unit = fallback_actor(sent.tokens, words, verb, max(0, verb - 6))
    return unit if unit is not None and unit.j == verb else None


#: Verbs that open an operation: 'launched an offensive', 'began a campaign'.
_LAUNCHES = frozenset("launched started began mounted opened unleashed staged".split())


def _operation_side(sent: Sentence, r: int) -> ActorMention | None:
    """The side whose operation is the subject at r: an actor or a nationality before the operation's name ('the
    Franco-Chadian offensive', 'a Russian counteroffensive'), the first of joined nationalities leading."""
    words = sent.words
    if r < 1 or words[r] not in _OPERATIONS:
        return None
    mention = next((a for a in sent.actors if r - 3 <= a.i and a.j <= r), None)
    if mention is not None:
        return mention
    for k in range(r - 1, max(-1, r - 4), -1):
        for part in words[k].split("-"):  # "Franco-Chadian": the first known nationality leads
            side = nationality_at(sent, k, part)
            if side is not None:
                return ActorMention(k, k + 1, side, True)
    return None


def nationality_at(sent: Sentence, k: int, word: str | None = None) -> Actor | None:
    """The state's forces a capitalised nationality at k names ('the Russian retreat', 'the French-Malian
    offensive' with `word` one part of the token)."""
    if k < 0 or not sent.tokens[k].cap:
        return None
    states = sent.binder.lex.states
    word = word if word is not None else sent.words[k]
    if (word,) not in states.demonyms:
        return None
    entry = states.forces.get(str(states.words.values[(word,)]))
    return Actor(id=entry.id, name=entry.name, mention=sent.tokens[k].text) if entry is not None else None


def opening_adjunct_subject(sent: Sentence, i: int) -> ActorMention | None:
    """'After the recapture of Kassala, the rebel troops moved south': the main clause's subject after an opening
    adjunct ('after', 'following', 'upon' and a capture noun at i) is the side that made the capture."""
    words = sent.words
    if not (0 < i <= 3 and words[0] in _CAPTURE_OPENERS):
        return None  # not 'before' or 'since'
    units = merged_units(sent)
    comma = next((m for m in range(i + 2, min(len(words), i + 20)) if words[m] == ","), None)
    if comma is None or not _RETAKING_WORDS.isdisjoint(words[comma:]):
        return None  # "..., troops vowed to retake the town": they lost it
    after = next((a for a in units if comma < a.i <= comma + 3 and not after_preposition(words, a.i)), None)
    after = after or fallback_actor(sent.tokens, words, min(len(words), comma + 5), comma + 1)
    if after is None or "peacekeep" in after.actor.id:
        return None
    verb = after.j
    while verb < len(words) and (words[verb] in _AUX or words[verb].endswith("ly") or words[verb] in _TIME_ADVERBS):
        verb += 1
    if verb < len(words) and (words[verb] in _REPORTING or words[verb] in _NOT_CAPTORS):
        return None  # "After the capture of X, the army said ... / retreated south": a speaker or the loser
    if verb + 1 < len(words) and words[verb] in ("pulled", "fell") and words[verb + 1] in ("back", "out"):
        return None  # "..., the army pulled back / fell back"
    return after


#: Openers of an adjunct after which the main clause's subject is the one who made the capture.
_CAPTURE_OPENERS = frozenset("after following upon".split())
#: Verbs of a side that lost or left a place, or of a plan: its subject is no captor.
_NOT_CAPTORS = frozenset("retreated retreat withdrew withdraw fled flee evacuated evacuate regrouped".split())
#: Verbs of taking back: a side that will retake a place lost it.
_RETAKING_WORDS = frozenset("retake retaking recapture recapturing regain regaining".split())


def _having_subject(sent: Sentence, units: list[ActorMention], having: int) -> ActorMention | None:
    """The subject of a perfect participle set off by commas: the clause's subject after it when it opens the
    sentence ('Having taken Lashio, the alliance pushed south'), before it when it follows one ('The militia,
    having seized Bunia in 2003, handed it back')."""
    words, tokens = sent.words, sent.tokens
    if having == 0:
        comma = next((m for m in range(1, min(len(words), 25)) if words[m] == ","), None)
        if comma is None:
            return None
        after = next((a for a in units if comma < a.i <= comma + 3), None)
        return after or fallback_actor(tokens, words, min(len(words), comma + 4), comma + 1)
    if words[having - 1] != ",":
        return None
    before = [a for a in units if a.j == having - 1 and not after_preposition(words, a.i)]
    return before[0] if before else fallback_actor(tokens, words, having - 1, max(0, having - 5))


def _adjunct_subject(units: list[ActorMention], words: list[str], opener: int) -> ActorMention | None:
    """The subject of the clause an adjunct ('after capturing X', at `opener`) hangs on: the first actor, not after a
    preposition nor a count ('lost 500 soldiers'), of the clause after the last reporting verb or ';'/':' before it."""
    start = next((m for m in range(opener - 1, -1, -1) if words[m] in (";", ":") or words[m] in _REPORTING), -1)
    for a in units:
        if start < a.i and a.j <= opener and not after_preposition(words, a.i):
            if a.i > 0 and (words[a.i - 1][:1].isdigit() or words[a.i - 1] in _DETS - {"the"}):
                continue  # an object: 'lost 500 soldiers', 'killed some soldiers'
            return a
    return None


_ROLES = frozenset("spokesman spokeswoman spokesperson commander official leader statement said says told".split())


def _speaker_after(sent: Sentence, i: int) -> ActorMention | None:
    """The side a quoted 'we' speaks for: an actor named after the quote beside a speaker's role or speech verb
    ('..., a TNLA spokesman said', '..., confirmed MNDAA spokesperson X')."""
    words = sent.words
    for a in sent.actors:
        if a.i > i and not a.generic and not _ROLES.isdisjoint(words[max(0, a.i - 2) : a.j + 2]):
            return a
    lex = sent.binder.lex
    for r in range(i + 1, len(words)):
        if words[r] in _ROLES and r > 0 and words[r - 1] not in _ROLES:
            # '..., a rebel spokesman said': the rebels the report names (or rebels)
            generic = lex.generic.values.get((words[r - 1] + "s",)) or lex.generic.values.get((words[r - 1],))
            entry = sent.binder.bind(generic) if generic is not None else None
            if entry is not None:
                mention = sent.tokens[r - 1].text
                return ActorMention(r - 1, r, Actor(id=entry.id, name=entry.name, mention=mention), True)
    return None


#: Heads of a subject that names a group's members: "Units of the Dnipro group", "fighters from al-Shabab".
_MEMBERS = frozenset("units unit members soldiers fighters troops elements militants gunmen men insurgents".split())


def _member_of(words: list[str], k: int) -> bool:
    """Whether the mention at k is the group in 'units of (the) X' / 'fighters from X': the subject itself."""
    m = k - 1 - (k > 0 and words[k - 1] == "the")
    return m > 0 and words[m] in ("of", "from") and words[m - 1] in _MEMBERS and (m < 2 or words[m - 2] not in _PREPS)


_ALLY_OPENERS = (("along", "with"), ("together", "with"), ("alongside",), ("backed", "by"), ("supported", "by"))


def _ally_spans(words: list[str], i: int) -> list[tuple[int, int]]:
    """Comma-enclosed asides before the verb at i that name allies: 'its militia, together with two smaller factions
    and their allies, had overrun ...'. Their actors are not the subject."""
    spans: list[tuple[int, int]] = []
    for c in range(max(0, i - 25), i):
        if words[c] != ",":
            continue
        if any(tuple(words[c + 1 : c + 1 + len(o)]) == o for o in _ALLY_OPENERS):
            end = next((m for m in range(c + 1, i) if words[m] == ","), None)
            if end is not None:
                spans.append((c, end))
    return spans


_PEOPLE = frozenset("minority community ethnic people tribe clan".split())


def _people_near(sent: Sentence, where: range) -> ActorMention | None:
    """The first people or nationality named as a subject at a position in `where`, read as a side only in a report
    of armed conflict ('The Serbs reached Drnis ... and captured it'; not 'The Irish fans reached Cardiff')."""
    if not sent.binder.at_war:
        return None
    return next((p for k in where if (p := _people_subject(sent, k)) is not None), None)


def agent_people(sent: Sentence, k: int) -> ActorMention | None:
    """A people named as the agent of a capture at k ('was taken by the Serbs', 'by Croats', 'fell to the Turks').
    After a passive the verb itself tells a war; `actor_at` asks for a report of war too, as 'fell to' is used of
    titles and tasks."""
    k += k < len(sent.words) and sent.words[k] == "the"
    return _people_subject(sent, k, agent=True) if k < len(sent.words) else None


def people_at(sent: Sentence, r: int) -> ActorMention | None:
    """A people or nationality named at r as a side ('gave the Russians control of X'), in a report of war only."""
    return _people_subject(sent, r) if sent.binder.at_war else None


def people_counted(sent: Sentence, r: int) -> ActorMention | None:
    """A people or nationality heading a counted or definite subject at r ('the Austrians', 'about 4,000
    Bavarians', 'thousands of Zulus'): the side whose men did what the verb says, in a report of war only."""
    words = sent.words
    if not sent.binder.at_war or r < 1 or (ARMED_HEADS.isdisjoint(words) and _MILITARY_PLACES.isdisjoint(words)):
        return None  # "the Austrians surrendered in the final": no armed men or post in the sentence
    before = words[r - 1]
    counted = before[:1].isdigit() or before in ("of", "some", "about", "nearly", "almost", "over")
    found = _people_subject(sent, r, agent=counted, counted=counted)
    if found is not None and found.actor.id == slug(sent.tokens[r].text):
        if (words[r],) not in sent.binder.lex.sets["peoples"].values:
            return None  # only a nationality or a known people: not 'the Olympics', 'about 300 Democrats'
    return found


#: A weekday or month after a people ('retaken by the Ukrainians Friday'): a date, not the rest of a name.
_DATE_WORDS = frozenset(MONTHS) | frozenset(WEEKDAYS)


def _fought_over(words: list[str]) -> bool:
    """Whether a sentence speaks of a military post or fighting (armed nouns alone, 'forces' or 'supporters', also
    speak of campaigns and matches)."""
    return not (_POSTS_AND_SIEGES.isdisjoint(words) and _FIGHTING.isdisjoint(words))


def _told_in_war(words: list[str]) -> bool:
    """Whether a sentence itself speaks of armed men, a military post or fighting."""
    return not (ARMED_HEADS.isdisjoint(words) and _MILITARY_PLACES.isdisjoint(words) and _FIGHTING.isdisjoint(words))


#: Words of fighting that tie a sentence to a war besides its posts and engagements ('without a fight').
_FIGHTING = frozenset(
    "besieged besieging besiegers assault assaults stormed fight fighting fought battles bombardment breach breached "
    "defenders".split()
)


#: Words of a military post or an engagement that make a sentence's people a body of armed men.
_MILITARY_PLACES = frozenset("garrison garrisons fortress fort citadel siege battle redoubt trenches".split())
#: A military post or a siege: what a capture by a commander needs in its sentence when no armed men are named (a
#: battle alone is also a match's or a vote's).
_POSTS_AND_SIEGES = _MILITARY_PLACES - {"battle"}


def _people_subject(sent: Sentence, r: int, agent: bool = False, counted: bool = False) -> ActorMention | None:
    """'The Croats captured X', 'the Germans took Y': a known people named as the verb's subject (at r) is the side;
    a nationality is its state's forces. Not after a preposition (but as a passive's `agent`: 'taken by the
    Serbs'), not a place."""
    words, tokens = sent.words, sent.tokens
    if r < 0 or not tokens[r].cap or not words[r].isalpha() or len(words[r]) < 4:
        return None
    if r > 0 and words[r - 1] not in _PEOPLE_BEFORE and not counted or (after_preposition(words, r) and not agent):
        return None
    if any(g.i <= r < g.j for g in sent.places) and not _a_people_after_the(sent, r):
        return None
    if r + 1 < len(words) and tokens[r + 1].cap and words[r + 1].isalpha() and words[r + 1] not in _DATE_WORDS:
        return None  # "the Polish Succession War", "the French Foreign Legion": a name's first word, not a people
    lex = sent.binder.lex
    if words[r].endswith(_PLURAL_DEMONYMS) and r > 0 and words[r - 1] == "the":  # "the French", "the Japanese"
        iso = lex.states.words.values.get((words[r],))
        if iso is not None:
            entry = lex.states.forces[iso]
            return ActorMention(r, r + 1, Actor(id=entry.id, name=entry.name, mention=tokens[r].text), True)
    iso = lex.states.words.values.get((words[r][:-1],)) if words[r].endswith("s") else None
    if iso is not None:
        entry = lex.states.forces[iso]
        return ActorMention(r, r + 1, Actor(id=entry.id, name=entry.name, mention=tokens[r].text), True)
    if (words[r],) not in lex.sets["peoples"].values and not _side_plural(sent, r) and not _side_demonym(sent, r):
        return None  # "The Yankees", "the Tories": only a known people (cues.yaml `peoples`) or nationality is a side
    return ActorMention(r, r + 1, Actor(id=slug(tokens[r].text), name=tokens[r].text, mention=tokens[r].text), True)


def _side_plural(sent: Sentence, r: int) -> bool:
    """'the Nationalists took Badajoz', 'which the Confederates captured': a capitalised plural after an article
    or a relative, in a report of armed conflict, names a side; the capital is a name's, not a sentence's."""
    word = sent.words[r]
    return (
        r > 0
        and len(word) >= 5
        and word.endswith("s")
        and not word.endswith("ss")
        and sent.tokens[r].text[1:].islower()
        and sent.binder.at_war
    )


def _side_demonym(sent: Sentence, r: int) -> bool:
    """'fell to the English', 'the Genoese held the port': a demonym that is its own plural noun, after 'the', in a
    report of armed conflict, names a side even where it is no state's ('the French' is read as France's forces
    before this is asked)."""
    words = sent.words
    word = words[r]
    return (
        r > 0
        and words[r - 1] == "the"
        and len(word) >= 5
        and word.endswith(_PLURAL_DEMONYMS)
        and sent.tokens[r].text[1:].islower()
        and (r + 1 == len(words) or words[r + 1] in _AFTER_A_PEOPLE or words[r + 1] in _DATE_WORDS)
        and sent.binder.at_war
    )


#: What may follow a demonym used as a people's name ('fell to the English in May', 'the Genoese had taken'), not
#: a noun it qualifies ('the English press', 'the Genoese merchants').
_AFTER_A_PEOPLE = frozenset(
    ', . ; : ( ) " in on at after before under by from with without during until and or but had have has were was '
    "then who which that when as for themselves".split()
)


def _a_people_after_the(sent: Sentence, r: int) -> bool:
    """'capitulated to the Romans', 'fell to the Danes': a capitalised plural after 'the' names a people in a report of
    war even where small towns abroad bear the word (Romans in France, Danes in Romania): a town takes no article."""
    words = sent.words
    if r < 1 or words[r - 1] != "the" or not sent.binder.at_war:
        return False
    return people_not_town(words[r], sent.binder.lex.gazetteer.candidates(words[r]))


#: What may stand before a people named as subject: 'the Serbs', 'Kassala, which Serbs captured'.
_PEOPLE_BEFORE = frozenset("the which that who whom".split())
#: Demonyms that are their own plural nouns: 'the French', 'the Japanese', 'the Dutch', 'the Swiss'.
_PLURAL_DEMONYMS = ("ese", "sh", "ch", "ss")


def _people_group(sent: Sentence, head: ActorMention, doc: Document) -> ActorMention | None:
    """'Fighters drawn from the Kachin people': the group the report names after that people (the Kachin
    Independence Army), when exactly one such group is named."""
    words, tokens = sent.words, sent.tokens
    k = head.j
    if not head.generic or k + 3 >= len(words) or words[k] != "from" or words[k + 1] != "the":
        return None
    if not tokens[k + 2].cap or _PEOPLE.isdisjoint(words[k + 3 : k + 5]):
        return None
    people = words[k + 2]
    named = {
        a.actor.id: a.actor
        for index in range(len(doc.spans))
        for a in doc.view(index).actors
        if not a.generic and people in a.actor.name.lower().split()
    }
    if len(named) != 1:
        return None
    return ActorMention(head.i, head.j, next(iter(named.values())), False)


def _first_conjunct(left: list[ActorMention], words: list[str]) -> ActorMention | None:
    """'Sudanese troops and Janjaweed militiamen retook X': of coordinated subjects the first leads (the schema keeps
    one actor; docs/extraction.md, coalitions)."""
    last = left[-1]
    if len(left) < 2 or last.i < 2 or words[last.i - 1] != "and":
        return None
    before = left[-2]
    return before if before.j == last.i - 1 else None


def _named_after(units: list[ActorMention], words: list[str], head: ActorMention) -> ActorMention | None:
    """'Islamist fighters from al-Shabab', 'militants of the Islamic State': the named group after a generic head."""
    if not head.generic or head.j >= len(words) or words[head.j] not in ("from", "of"):
        return None
    k = head.j + 1 + (head.j + 1 < len(words) and words[head.j + 1] == "the")
    return next((a for a in units if a.i == k and not a.generic), None)


def discourse_actor(sent: Sentence, doc: Document) -> ActorMention | None:
    """The last subject-like actor of the previous sentence, for nominals without one ('The capture of X came ...');
    past a sentence whose subject is 'they' to the one it stands for ('Y attacked. Then they drove into X. Among the
    towns taken were ...': Y)."""
    for back in (1, 2):
        if sent.index < back:
            return None
        prev = doc.view(sent.index - back)
        subjects = [a for a in merged_units(prev) if not after_preposition(prev.words, a.i)]
        if subjects:
            return subjects[-1]
        if not _they_act(prev.words):
            return None
    return None


def _they_act(words: list[str]) -> bool:
    """Whether 'they' is the active subject of a sentence's first clause ('During the assault they drove ...'), not
    of a passive ('they were pushed back'): the sentence then names its side no better than the one before."""
    k = next((m for m in range(min(len(words), 12)) if words[m] == "they"), None)
    if k is None:
        return False
    return words[k + 1 : k + 2] not in (["were"], ["are"], ["was"]) and words[k + 2 : k + 3] != ["been"]


_LED_BY = frozenset("led headed spearheaded commanded".split())


def _leader(units: list[ActorMention], words: list[str], head: ActorMention, end: int) -> ActorMention | None:
    """'Insurgents led by HTS': the leader named after 'led by' (between `head` and `end`) is the actor; allies
    after 'backed by' / 'supported by' are not."""
    for a in units:
        if head.j <= a.i < end:
            k = a.i - 1
            while k >= 0 and words[k] in _DETS:
                k -= 1
            if k >= 1 and words[k] == "by" and words[k - 1] in _LED_BY:
                return a
    return None


def actor_at(sent: Sentence, k: int, span: int = 3) -> ActorMention | None:
    """The actor in the agent slot at k ('fell to the advancing rebels'), looking at most `span` words ahead; the
    slot ends at a new clause ('fell to the floor as rebels shelled the town' has no agent)."""
    words = sent.words
    span = next((m - k for m in range(k, min(len(words), k + span)) if words[m] in _SLOT_ENDS), span)
    for a in sent.actors:
        if k <= a.i < k + span:
            return _leader(sent.actors, sent.words, a, a.j + 4) or a
    found = state_at(sent, k) or fallback_actor(sent.tokens, sent.words, min(len(sent.tokens), k + span + 1), k)
    if found is None and sent.binder.at_war:
        found = _acronym_agent(sent, k)  # "fell to the KNDO": a side the lexicon does not know
    return found or (agent_people(sent, k) if sent.binder.at_war else None)  # "fell to the Turks"


def _acronym_agent(sent: Sentence, k: int) -> ActorMention | None:
    """An acronym the lexicon lacks in the agent slot at k, ending it ('fell to the KNDO in March'), not
    qualifying a noun ('fell to the NYSE floor traders') nor a place's name."""
    words, n = sent.words, len(sent.words)
    m = k + (k + 1 < n and words[k] == "the")
    if m >= n or not sent.tokens[m].text.isupper():
        return None
    if m + 1 < n and words[m + 1].isalpha() and words[m + 1] not in AFTER_AGENT:
        return None
    if any(p.i <= m < p.j for p in sent.places):
        return None
    return unknown_acronym(sent.tokens, words, m, sent.binder.lex)


#: Words after a nationality used as a noun ('captured by the Japanese in 1942'): no head noun follows.
_AFTER_PEOPLE = frozenset(
    "in on at and , . ; after during before from to who which until when had have has were was".split()
)  # "by the Japanese in 1942", "which the Germans had abandoned": a people, then no noun


_CLAUSE_OPENERS = frozenset("when after as while because since which who whereas that".split())
_SLOT_ENDS = _CLAUSE_OPENERS | frozenset(", ; : ( ) and but".split())


def named_commander(
    sent: Sentence, start: int, end: int, handed: bool = False, possessor: bool = False
) -> ActorMention | None:
    """A person named at [start, end) as the side that took a place ('the fall of X to Madero', "Zapata's taking
    of Y", 'Orozco and Villa took control'): one to three capitalised words (or two names joined by 'and'), no
    month, day, country, people or common word. A person the lexicon knows ('Haftar', 'Zapata') is the side the
    lexicon names; anyone else only in a report of war that ties them to troops ('General Villa', 'forces of
    Francisco Madero', 'Villa commanded ...'), as a side named after them: a player, a singer or an agency that
    'took Paris' is none. `handed`: the name is the agent of a place's fall or capture ('Acre fell to Saladin',
    'was taken by Saladin'), which ties it to troops when a rank precedes it or the sentence itself speaks of
    armed men or fighting ('Richmond was captured by Brady in photographs', 'Lviv fell to Dynamo' are none).
    `possessor`: the name owns a capture noun ("Grant's capture of X"), which, like a rank before it, admits a
    surname that is also a common word (Grant, Lee, Jackson)."""
    if end <= start or end - start > 5:
        return None
    words, tokens = sent.words, sent.tokens
    names = [k for k in range(start, end) if words[k] != "and"]
    regnal = len(names) == 2 and tokens[names[1]].text in _REGNAL  # "Edward III", "Mehmed II": a ruler's name
    if regnal:
        names = names[:1]
    if not names or any(not tokens[k].cap or not words[k].isalpha() or len(words[k]) < 3 for k in names):
        return None
    if any(words[k] in MONTHS or words[k] in WEEKDAYS or words[k] in _NOT_COMMANDERS for k in names):
        return None
    lex = sent.binder.lex
    if any(lex.states.words.values.get((words[k],)) is not None for k in names):
        return None  # countries and nationalities are their states' forces, read elsewhere
    zipf = load_wordlist().zipf
    ranked = start > 0 and words[start - 1] in RANKS
    common = _COMMON_SURNAME if ranked or possessor else _COMMON_NAME
    given = _COMMON_GIVEN if ranked else _COMMON_NAME  # "Admiral David Farragut"; not "Red Bull", "West Ham"
    if not regnal and (zipf(words[names[-1]]) >= common or any(zipf(words[k]) >= given for k in names[:-1])):
        return None  # "The", "Government", "Army": common words, no person's name
    text = " ".join(tokens[k].text for k in range(start, end))
    known = next((e for k in names if (e := person_side(lex, words[k])) is not None), None)
    handed = handed and (ranked or (_fought_over(words) if possessor else _told_in_war(words)))
    if known is None and not (sent.binder.at_war and (handed or any(sent.binder.commands(words[k]) for k in names))):
        return None
    actor = (
        Actor(id=known.id, name=known.name, mention=text)
        if known is not None
        else Actor(id=slug(text), name=text, mention=text)
    )
    return ActorMention(start, end, actor, known is None)


#: Zipf frequencies (wordfreq) from which a capitalised word reads as a common word, not a person's name: a surname
#: alone ('Saladin' 2.6, 'Sherman' 3.9); a surname after a rank or owning a capture ('Grant' 4.7, 'Lee' 4.7; not
#: 'King' 5.2 or 'Army' 5.1); a given name between a rank and a surname ('David' 5.1; not 'The', 'New').
_COMMON_NAME = 4.5
_COMMON_SURNAME = 4.8
_COMMON_GIVEN = 5.8
#: Capitalised words that open a sentence or name an office, never a commander by themselves.
_NOT_COMMANDERS = frozenset("president general colonel king queen prince minister battle siege fall".split())


def state_at(sent: Sentence, k: int) -> ActorMention | None:
    """A country or its capital in an agent slot ('held by Russia', 'fell to Moscow', 'captured from Ukraine'):
    the state's forces. Only at k (after an article); a nationality ('by Russian ...') is an actor's adjective."""
    words, tokens = sent.words, sent.tokens
    the = k < len(words) and words[k] == "the"
    k += the
    states = sent.binder.lex.states
    p = states.words.match_at(words, k) if k < len(words) and words[k] in states.words.index else None
    if p is None and the and k < len(words) and words[k].endswith("s") and (words[k][:-1],) in states.demonyms:
        p = (words[k][:-1],)  # "retaken by the Ukrainians": a plural nationality, one word
    if not p or not tokens[k].cap:
        return None
    j = k + len(p)
    if p in states.demonyms and not (the and (j == len(words) or words[j] in _AFTER_PEOPLE)):
        return None  # "by the Japanese in 1942" is the state's forces; "by Russian ..." an adjective
    if j < len(words) and (tokens[j].cap or words[j] in ("'s", "\u2019s")):
        return None  # "by Russia's army" is an actor mention, "by Ukraine Forces" a name
    entry = states.forces.get(str(states.words.values[p]))
    if entry is None:
        return None
    return ActorMention(k, j, Actor(id=entry.id, name=entry.name, mention=" ".join(t.text for t in tokens[k:j])))
