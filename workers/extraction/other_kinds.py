"""Attacks, air strikes, shelling, clashes, negotiations, evacuation deals and releases, with ACLED sub-event
types from the lexicon. One event per kind per sentence: actor nearest before the cue, first place named."""

from __future__ import annotations

from functools import cache
from typing import Any

from schemas.events import Event, EventKind

from .build import make_event
from .document import Document, Sentence
from .lexicons import Lexicons, PhraseSet
from .stance import blocked


@cache
def _kinds(lex: Lexicons) -> tuple[tuple[EventKind, PhraseSet, dict[str, Any]], ...]:
    """(event kind, cue phrases, lexicon entry) per kind in lexicon order; built once per lexicon, not per sentence."""
    kinds: dict[str, Any] = lex.cues["other_kinds"]
    return tuple(
        (EventKind(spec.get("kind", name)), lex.sets[f"other_kinds.{name}.cues"], spec) for name, spec in kinds.items()
    )


def extract_other(doc: Document, sent: Sentence) -> list[Event]:
    lex, words = doc.lex, sent.words
    out: list[Event] = []
    done: set[EventKind] = set()
    present = set(words)
    for kind, ps, spec in _kinds(lex):
        if kind in done:
            continue
        if ps.index.keys().isdisjoint(present):
            continue
        hit = next(((i, p) for i, w in enumerate(words) if w in ps.index and (p := ps.match_at(words, i))), None)
        if hit is None:
            continue
        i, p = hit
        if blocked(words, i, lex, window=4) and kind not in (EventKind.negotiation, EventKind.evacuation_deal):
            continue
        done.add(kind)
        left = [a for a in sent.actors if a.j <= i]
        actor = left[-1].actor if left else (sent.actors[0].actor if sent.actors else None)
        first = sent.first_place()
        place = first.place if first is not None else None
        out.append(
            make_event(
                doc, kind, sent, i, i + len(p), 0.5, actor=actor, place=place, acled_sub_event_type=str(spec["sub"])
            )
        )
    return out
