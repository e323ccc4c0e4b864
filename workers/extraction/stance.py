"""Scope of negation, modality and attribution around a trigger.

`blocked` says whether a trigger sits under an attempt, intention, modal, negation or denial in its clause
("trying to retake", "on the verge of capturing", "denied seizing"). `stance` labels a sentence asserted,
claimed (attributed to a party), denied or hedged. `attribution` finds who said it.
"""

from __future__ import annotations

from collections.abc import Callable

from schemas.events import Attribution, Stance

from .actors import ActorMention
from .lexicons import Lexicons
from .sentences import Token

CLAUSE_BREAKS = frozenset(
    {
        ";",
        "but",
        "while",
        "whereas",
        "although",
        "though",
        "after",
        "before",
        "since",
        "as",
        "when",
        "and",
        "which",
        "who",
        "that",
    }
)
_SUCCESS = ("managed", "succeeded", "finally", "able")  # "was able to take X" took it; "unable" is no match


def _went_on(words: list[str], to: int) -> bool:
    """'went on to capture X', 'proceeded to take Y': a sequel told as done, not an aim."""
    return (to > 1 and words[to - 1] == "proceeded") or (
        to > 2 and words[to - 1] == "on" and words[to - 2] in ("went", "moved", "pressed")
    )


def _month_may(words: list[str], k: int) -> bool:
    """'May' as the month: a day or year beside it, or a preposition of time before it."""
    after = words[k + 1] if k + 1 < len(words) else ""
    before = words[k - 1] if k > 0 else ""
    return (
        after[:1].isdigit() or before[:1].isdigit() or before in ("in", "since", "until", "of", "early", "late", "mid")
    )


def clause_start(words: list[str], i: int, limit: int = 10) -> int:
    """Index where the clause containing token i begins (looking back at most `limit` tokens)."""
    k = i - 1
    while k >= 0 and i - k <= limit:
        if words[k] in CLAUSE_BREAKS or (words[k] == "," and i - k > 2):
            return k + 1
        k -= 1
    return max(k + 1, 0)


def denied(words: list[str], i: int, lex: Lexicons) -> bool:
    """True when the trigger at i is the complement of a denial: 'officials denied that the town had fallen'."""
    denial = lex.sets["denial"]
    return not denial.index.keys().isdisjoint(words[max(0, i - 15) : i]) and any(
        words[k] in denial.index and denial.match_at(words, k) for k in range(max(0, i - 15), i)
    )


#: Verbs that keep something 'from' happening: 'to prevent Kavala from being taken', 'kept the rebels from taking X'.
_PREVENTING = frozenset("prevent prevents prevented preventing stop stops stopped stopping keep keeps kept".split())


def _prevented(words: list[str], start: int, i: int) -> bool:
    """Whether the trigger at i is what a verb of preventing (between `start` and it) kept 'from' happening: the
    trigger must follow 'from' or 'from being' ('who stopped ships from sailing, seized X' blocks nothing)."""
    if i >= 1 and words[i - 1] == "from":
        f = i - 1
    elif i >= 2 and words[i - 2] == "from" and words[i - 1] == "being":
        f = i - 2
    else:
        return False
    return any(words[k] in _PREVENTING for k in range(start, f))


def blocked(words: list[str], i: int, lex: Lexicons, window: int = 8) -> bool:
    """True when the trigger at i is an attempt, intention, prospect, negation or denial."""
    if i > 0 and words[i - 1] == "to" and not (i > 1 and words[i - 2] in _SUCCESS) and not _went_on(words, i - 1):
        if not (i > 1 and words[i - 2] in ("back", "returned", "fell", "handed", "over")):
            return True
    if words[i].endswith("ing") and i > 0 and words[i - 1] in ("on", "at", "toward", "towards", "for", "of"):
        return True  # "focusing on capturing X", "aimed at seizing X": a goal, not a result
    if denied(words, i, lex):
        return True  # a denial scopes over its complement: "denied that it had captured the dam"
    start = max(clause_start(words, i, window), i - window)
    if _prevented(words, start, i):
        return True
    not_change = lex.sets["not_change"]
    k = start
    while k < i:
        p = not_change.match_at(words, k) if words[k] in not_change.index else None
        if p == ("may",) and _month_may(words, k):
            p = None  # "in May 1945", "on 8 May": the month, not the modal
        if p:
            if p[0] in _SUCCESS:
                k += len(p)
                continue
            return True
        k += 1
    return False


def stance(
    words: list[str], lex: Lexicons, attribution: Attribution | None, mentions: Callable[[], list[ActorMention]]
) -> Stance:
    """`mentions` gives the sentence's actor mentions, asked for only when an attribution names someone."""
    if lex.sets["denial"].any_in(words):
        return "denied"
    if lex.sets["hedge"].any_in(words):
        return "hedged"
    if attribution is not None and (attribution.organisation or attribution.speaker):
        org = (attribution.organisation or "").lower()
        actors = mentions()
        parties = {a.actor.name.lower() for a in actors} | {a.actor.id for a in actors}
        if org and any(org in p or p in org for p in parties):
            return "claimed"
        if lex.sets["claim"].any_in(words) and any(w in ("claimed", "claims", "claim") for w in words):
            return "claimed"
    return "asserted"


def _name_after(tokens: list[Token], k: int) -> int:
    """End of a capitalised name from k; connectors join names ('Bureau of Investigative Journalism')."""
    j = k
    end = k
    while j < len(tokens) and j - k < 9:
        t = tokens[j]
        if t.cap and t.low.replace("-", "").isalpha():
            j += 1
            end = j
        elif j > k and t.low in ("for", "of", "the", "al") and j + 1 < len(tokens) and tokens[j + 1].cap:
            j += 1
        else:
            break
    return end


def _name_before(tokens: list[Token], k: int) -> int:
    """Start of a capitalised name ending at k, connectors included ('Bureau of Investigative Journalism')."""
    i = k
    start = k
    while i > 0 and k - i < 9:
        t = tokens[i - 1]
        if t.cap and t.low.replace("-", "").isalpha():
            i -= 1
            start = i
        elif i < k and t.low in ("for", "of", "al") and i > 1 and tokens[i - 2].cap:
            i -= 1
        else:
            break
    return start


_ORG_WORDS = frozenset(
    "council observatory ministry agency committee forces army monitor command office center centre network group "
    "organization organisation commission coalition front brigade union authority authorities media".split()
)


def attribution(
    tokens: list[Token], words: list[str], lex: Lexicons, mentions: Callable[[], list[ActorMention]]
) -> Attribution | None:
    """'said Mustafa Bali, the SDF spokesman' / 'SDF spokesman Mustafa Bali said' / 'according to the Observatory'.

    `mentions` gives the sentence's actor mentions, asked for only at a speech verb: finding them may mean
    reading the whole report (its actors and places), which most sentences without one never need."""
    verbs = lex.sets["attribution.verbs"]
    roles = lex.sets["attribution.roles"]
    for k in [k for k, w in enumerate(words) if w in verbs.index]:
        p = verbs.match_at(words, k)
        if not p:
            continue
        actors = mentions()
        speaker: str | None = None
        after = k + len(p)
        if after < len(tokens) and words[after] == "the":
            after += 1
        j = _name_after(tokens, after)
        if (
            j - after >= 1
            and (j - after >= 2 or p[0] == "according")
            and not (j - after <= 3 and any(a.i == after for a in actors) and p[0] != "according")
        ):
            speaker, lo, hi = " ".join(t.text for t in tokens[after:j]), j, min(len(words), j + 10)
        else:
            i = _name_before(tokens, k)
            lo, hi = max(0, k - 10), k
            for m in range(k - 1, lo - 1, -1):
                if words[m] in (",", ";", '"') and m < i:
                    lo = m + 1
                    break
            if k - i >= 1:
                speaker = " ".join(t.text for t in tokens[i:k])
        role = None
        for m in range(lo, hi):
            r = roles.match_at(words, m) if words[m] in roles.index else None
            if r:
                role = " ".join(r)
                break
        org = None
        near = [a for a in actors if lo <= a.i < hi]
        if near:
            org = near[0].actor.name
        else:
            for m in range(lo, hi - 1):
                if words[m] in ("of", "for", "from"):
                    s = m + 2 if words[m + 1] == "the" else m + 1
                    e = _name_after(tokens, s)
                    if e > s:
                        org = " ".join(t.text for t in tokens[s:e])
                        break
        if speaker and any(w.lower() in _ORG_WORDS for w in speaker.split()):
            org, speaker = speaker, None  # "the Committee to Protect Journalists said"
        if speaker and role and speaker.lower() in (role, "the"):
            speaker = None
        if speaker or role or org:
            return Attribution(speaker=speaker, role=role, organisation=org)
    return None
