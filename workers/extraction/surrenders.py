"""Completed surrenders: '100 IS fighters surrendered to U.S.-backed forces' -> who, how many, to whom.

Intentions and offers ('ready to surrender', 'called on them to surrender') are dropped by `stance.blocked`.
"""

from __future__ import annotations

from schemas.events import Event, EventKind, Quantity

from .actors import fallback_actor
from .build import make_event
from .document import Document, Sentence
from .numbers import find_numbers
from .stance import blocked


def extract_surrenders(doc: Document, sent: Sentence) -> list[Event]:
    lex, words, tokens = doc.lex, sent.words, sent.tokens
    out: list[Event] = []
    done = lex.sets["surrender.done"]
    for i in range(len(words)):
        p = done.match_at(words, i)
        if not p or (i > 0 and done.match_at(words, i - 1)):
            continue
        if blocked(words, i, lex):
            continue
        e = i + len(p)
        if "control" in words[e : e + 6]:
            continue  # "surrendered to regime control" hands over a place, see control.py
        if p[-1] == "of":  # "the surrender of 300 fighters"
            window_nums = [q for q in find_numbers(words[e : e + 4]) if q.i == 0]
            actor_m = next((a for a in sent.actors if e <= a.i <= e + 5), None) or fallback_actor(
                tokens, words, min(len(words), e + 6), e
            )
            num = window_nums[0] if window_nums else None
        else:
            lo = max(0, i - 10)
            left = [a for a in sent.actors if lo <= a.i and a.j <= i]
            actor_m = (
                left[-1]
                if left
                else fallback_actor(tokens, words, i - (1 if words[i - 1] in ("who", "had", "have", "has") else 0), lo)
            )
            if actor_m is None and i > 1 and words[i - 1] in ("had", "have", "has"):
                actor_m = fallback_actor(tokens, words, i - 2, lo)
            num = None
            if actor_m is not None:
                for q in find_numbers(words[max(0, actor_m.i - 5) : actor_m.i + 1]):
                    num = q
                if num is not None:
                    off = max(0, actor_m.i - 5)
                    num = type(num)(num.i + off, num.j + off, num.min, num.max, num.exact, num.hedge, num.value)
        if actor_m is None:
            continue
        to = None
        for m in range(e, min(len(words), e + 3)):
            if words[m] == "to":
                to = next((a.actor for a in sent.actors if m < a.i <= m + 4), None)
                break
        if to is None and words[e - 1] == "to":
            to = next((a.actor for a in sent.actors if e <= a.i <= e + 3), None)
        count = None
        if num is not None:
            count = Quantity(
                min=num.min,
                max=num.max,
                exact=num.exact,
                hedge=num.hedge,
                text=" ".join(t.text for t in tokens[num.i : num.j]),
            )
        start = num.i if num is not None else actor_m.i
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
