"""Event construction: deterministic ids, evidence offsets into the original text, time, stance, confidence."""

from __future__ import annotations

import hashlib
from typing import Any, cast

from schemas.events import Attribution, Event, EventKind, EventTime, Evidence, Stance

from .document import Document, Sentence
from .stance import attribution, stance
from .times import all_times, find_time, is_historical

_BASE_CONFIDENCE = {"asserted": 0.8, "claimed": 0.7, "hedged": 0.5, "denied": 0.2}


def make_event(
    doc: Document,
    kind: EventKind,
    sent: Sentence,
    i: int,
    j: int,
    confidence: float = 0.8,
    time: EventTime | None = None,
    **fields: Any,
) -> Event:
    """An event whose evidence is tokens [i, j) of `sent`."""
    i = max(0, min(i, len(sent.tokens) - 1))
    j = max(i + 1, min(j, len(sent.tokens)))
    c_start, c_end = sent.tokens[i].start, sent.tokens[j - 1].end
    o_start, o_end = doc.clean.to_original(c_start), doc.clean.to_original(c_end)
    s_start, s_end = doc.clean.to_original(sent.start), doc.clean.to_original(sent.end)
    if time is None:
        if "times" not in sent.cache:
            sent.cache["times"] = all_times(sent.tokens, doc.published, sent.words)
        time = find_time(sent.tokens, i, doc.published, cast("list[tuple[int, EventTime]]", sent.cache["times"]))
    if "stance" not in sent.cache:
        found = attribution(sent.tokens, sent.words, doc.lex, lambda: sent.actors)
        sent.cache["stance"] = (found, stance(sent.words, doc.lex, found, lambda: sent.actors))
    attrib, st = cast("tuple[Attribution | None, Stance]", sent.cache["stance"])
    place = fields.get("place")
    kind_value = kind.value
    key = "|".join(
        [
            doc.report_id or "",
            str(o_start),
            str(o_end),
            kind_value,
            place.id if place is not None else "",
            str(fields.get("category") or ""),
        ]
    )
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
    # a denial event reports the denial itself: its confidence is not lowered by its own stance
    weight = _BASE_CONFIDENCE["asserted" if kind is EventKind.control_denial else st]
    conf = round(min(1.0, max(0.0, confidence * weight / 0.8)), 3)
    return Event(
        id=f"{doc.report_id or 'doc'}:{kind_value}:{digest}",
        kind=kind,
        report_id=doc.report_id,
        time=time,
        historical=is_historical(time, doc.published),
        stance=st,
        attribution=attrib,
        evidence=Evidence(start=o_start, end=o_end, text=doc.raw[o_start:o_end], sentence=doc.raw[s_start:s_end]),
        confidence=conf,
        **fields,
    )
