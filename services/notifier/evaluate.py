"""Which alerts a situation calls for, given the rules and what was already notified (pure).

Like Alertmanager, an alert is a condition that holds (control of a place changed, a count is above
a level) identified by a fingerprint of the state it describes. Comparing the conditions that hold
now with the record of what was notified gives new alerts, repeats and superseded/resolved
notices, so a burst evaluated once yields one alert, and evaluating the same state twice yields
nothing new.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from schemas.situation import ControlState, CountState, Situation
from services.notifier.rules import BaselineRule, ControlRule, PercentRule, RuleSet, ThresholdRule
from services.notifier.thresholds import level_index

_SHOWN_EVENTS = 20


@dataclass
class AlertIntent:
    """An alert the situation calls for; the emitter turns it into a CloudEvent."""

    type: str
    fingerprint: str
    rule: str
    before: dict[str, Any] | None
    after: dict[str, Any]
    summary: str
    time: datetime
    events: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


class Notified(BaseModel):
    """What was last notified for one rule (and category) at one place."""

    fingerprint: str = Field(description="Of the state notified; repeats derive theirs from it.")
    type: str
    state: dict[str, Any] = Field(default_factory=dict)
    sent: bool = Field(description="False when a silence muted it.")
    sent_at: float = Field(description="Wall-clock seconds: repeats are timed on the wall clock.")
    repeats: int = 0


@dataclass
class Outcome:
    intents: list[AlertIntent] = field(default_factory=list)
    notified: dict[str, Notified] = field(default_factory=dict)
    repeat_due: float | None = None


def fingerprint(*parts: object) -> str:
    """Stable id of an alert's state: the same parts always give the same fingerprint."""
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:24]


def place_label(situation: Situation) -> str:
    return f"{situation.name} ({situation.parent})" if situation.parent else situation.name


def _sources_words(count: int) -> str:
    return f"{count} independent source{'' if count == 1 else 's'}"


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else "-"


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else "date unknown"


class _Evaluation:
    def __init__(
        self,
        situation: Situation,
        rules: RuleSet,
        notified: dict[str, Notified],
        now: float,
        silenced: Callable[[str], bool],
    ) -> None:
        self.situation = situation
        self.rules = rules
        self.previous = notified
        self.now = now
        self.silenced = silenced
        self.out = Outcome()

    def run(self) -> Outcome:
        place = self.situation
        for rule in self.rules.active():
            if not rule.matches(place.place_id, place.country):
                continue
            if isinstance(rule, ControlRule):
                self._control(rule)
            elif isinstance(rule, BaselineRule):
                self._baseline(rule)
            elif isinstance(rule, ThresholdRule):
                for count in place.counts.values():
                    if rule.watches(count.category):
                        self._threshold(rule, count)
            elif isinstance(rule, PercentRule):
                for count in place.counts.values():
                    if rule.watches(count.category):
                        self._percent(rule, count)
        return self.out

    # -- bookkeeping -----------------------------------------------------------------------------

    def _send(self, key: str, base: str, state: dict[str, Any], intent: AlertIntent | None) -> None:
        """Record `state` as notified under `key`; emit `intent` unless a silence mutes its rule here."""
        sent = intent is not None and not self.silenced(intent.rule)
        if intent is not None and sent:
            self.out.intents.append(intent)
        self.out.notified[key] = Notified(
            fingerprint=base,
            type=intent.type if intent else "none",
            state=state,
            sent=sent,
            sent_at=self.now,
        )
        if sent:
            self._schedule_repeat(self.now)

    def _schedule_repeat(self, sent_at: float) -> None:
        interval = self.rules.repeat_interval_seconds
        if interval > 0:
            due = sent_at + interval
            self.out.repeat_due = due if self.out.repeat_due is None else min(self.out.repeat_due, due)

    def _repeat(self, key: str, previous: Notified, make: Callable[[str], AlertIntent]) -> None:
        """The condition still holds: notify again once the repeat interval has passed."""
        if not previous.sent or self.rules.repeat_interval_seconds <= 0:
            return
        if self.now - previous.sent_at < self.rules.repeat_interval_seconds:
            self._schedule_repeat(previous.sent_at)
            return
        number = previous.repeats + 1
        intent = make(fingerprint(previous.fingerprint, "repeat", number))
        intent.summary = f"Still holds: {intent.summary}"
        intent.extra["repeat"] = number
        intent.extra["repeat_of"] = previous.fingerprint  # what a receiver keeps one alert of (Alertmanager)
        if self.silenced(intent.rule):
            return
        self.out.intents.append(intent)
        self.out.notified[key] = previous.model_copy(update={"sent_at": self.now, "repeats": number})
        self._schedule_repeat(self.now)

    # -- control ---------------------------------------------------------------------------------

    def _control_intent(self, rule: ControlRule, state: ControlState, alert_fp: str) -> AlertIntent:
        place = self.situation
        arrow = f"{state.previous_name or 'unknown'} → {state.controller_name}"
        contested = "; contested" if state.contested else ""
        return AlertIntent(
            type="sitrep.alert.control_changed",
            fingerprint=alert_fp,
            rule=rule.name,
            before={"controller": state.previous, "controller_name": state.previous_name},
            after=state.model_dump(mode="json"),
            summary=(
                f"Control of {place_label(place)}: {arrow}, {state.claimed_by}, {_day(state.since)}; "
                f"{_sources_words(state.independent_sources)}{contested}"
            ),
            time=state.since or place.report_time or datetime.fromtimestamp(self.now, UTC),
            events=state.events[-_SHOWN_EVENTS:],
            reports=state.reports[-_SHOWN_EVENTS:],
            sources=state.sources,
        )

    def _control_for(self, rule: ControlRule | BaselineRule, basis: str) -> ControlState | None:
        """The place's control if it was learnt this way (a change, or a state) with the rule's backing."""
        state = self.situation.control
        if (
            state is None
            or state.basis != basis
            or state.independent_sources < rule.min_sources
            or state.confidence < rule.min_confidence
        ):
            return None
        return state

    def _control(self, rule: ControlRule) -> None:
        state = self._control_for(rule, "change")
        if state is None:
            return
        key = rule.name
        base = fingerprint(rule.name, self.situation.place_id, state.controller, _iso(state.since))
        previous = self.previous.get(key)
        if previous is not None and previous.fingerprint == base:
            self._repeat(key, previous, lambda alert_fp: self._control_intent(rule, state, alert_fp))
            return
        notified_state = {"controller": state.controller, "since": _iso(state.since)}
        if previous is not None and previous.state.get("controller") == state.controller:
            # A flip and a flip back between two evaluations: subscribers already know this holder.
            self.out.notified[key] = previous.model_copy(update={"fingerprint": base, "state": notified_state})
            return
        intent = self._control_intent(rule, state, base)
        self._send(key, base, notified_state, intent)
        if previous is not None and previous.sent and key in self.out.notified and self.out.notified[key].sent:
            self.out.intents.append(
                AlertIntent(
                    type="sitrep.alert.superseded",
                    fingerprint=fingerprint("superseded", previous.fingerprint),
                    rule=rule.name,
                    before=previous.state,
                    after=intent.after,
                    summary=(
                        f"Superseded: {state.previous_name or previous.state.get('controller')} no longer holds "
                        f"{place_label(self.situation)} ({state.previous_name or 'unknown'} → "
                        f"{state.controller_name}, {_day(state.since)})"
                    ),
                    time=intent.time,
                    events=intent.events,
                    reports=intent.reports,
                    sources=intent.sources,
                    extra={"supersedes": previous.fingerprint},
                )
            )

    def _baseline(self, rule: BaselineRule) -> None:
        state = self._control_for(rule, "state")
        if state is None:
            return
        key = rule.name
        previous = self.previous.get(key)
        if previous is not None and previous.state.get("controller") == state.controller:
            return
        base = fingerprint(rule.name, self.situation.place_id, state.controller, _iso(state.since))
        intent = AlertIntent(
            type="sitrep.alert.control_baseline",
            fingerprint=base,
            rule=rule.name,
            before=None,
            after=state.model_dump(mode="json"),
            summary=(
                f"Baseline for {place_label(self.situation)}: held by {state.controller_name}, {state.claimed_by}, "
                f"{_day(state.since)}; {_sources_words(state.independent_sources)}"
            ),
            time=state.since or datetime.fromtimestamp(self.now, UTC),
            events=state.events[-_SHOWN_EVENTS:],
            reports=state.reports[-_SHOWN_EVENTS:],
            sources=state.sources,
        )
        self._send(key, base, {"controller": state.controller, "since": _iso(state.since)}, intent)

    # -- civilian counts -------------------------------------------------------------------------

    @staticmethod
    def _value(rule: ThresholdRule | PercentRule, count: CountState) -> int | None:
        if count.kind == "flow":
            return count.totals.get(rule.window, count.min)
        return count.min if count.min is not None else count.max

    def _count_words(self, rule: ThresholdRule | PercentRule, count: CountState, value: int) -> str:
        if count.kind == "flow":
            span = "in all" if rule.window == "all" else f"in the last {rule.window}"
            return f"{value:,} {span} ({len(count.events)} event{'s' if len(count.events) != 1 else ''})"
        if count.max is not None and count.min is not None and count.max != count.min:
            return f"{count.min:,}–{count.max:,}"
        return f"{value:,}"

    def _count_intent(
        self, type_: str, rule: ThresholdRule | PercentRule, count: CountState, alert_fp: str, summary: str
    ) -> AlertIntent:
        return AlertIntent(
            type=type_,
            fingerprint=alert_fp,
            rule=rule.name,
            before=None,
            after=count.model_dump(mode="json", exclude={"contributions"}),
            summary=summary,
            time=count.as_of or self.situation.report_time or datetime.fromtimestamp(self.now, UTC),
            events=count.events[-_SHOWN_EVENTS:],
            reports=count.reports[-_SHOWN_EVENTS:],
            sources=count.sources,
            extra={"category": count.category, "kind": count.kind},
        )

    def _threshold(self, rule: ThresholdRule, count: CountState) -> None:
        value = self._value(rule, count)
        if value is None:
            return
        levels = rule.levels_for(self.situation.place_id, count.category)
        reached = level_index(levels, value)
        level = levels[reached - 1] if reached else None
        key = f"{rule.name}:{count.category}"
        previous = self.previous.get(key)
        was = previous.state.get("level") if previous else None
        if (level is None or (was is not None and level <= was)) and (
            was is None or (level is not None and level >= was)
        ):
            if previous is None or level is None:
                return  # no level crossed and none to repeat (most counts): the summary's words are not made
        old_value = previous.state.get("value") if previous else None
        old_words = f"{old_value:,}" if isinstance(old_value, int) else "none known"
        where = f"Civilians {count.category} in {place_label(self.situation)}"
        said = f"{', '.join(count.sources[-3:]) or 'unknown source'}, {_day(count.as_of)}"
        state = {"level": level, "value": value}

        def intent(alert_fp: str, direction: str, crossed: int, summary: str) -> AlertIntent:
            made = self._count_intent(
                "sitrep.alert.civilian_threshold" if direction == "up" else "sitrep.alert.resolved",
                rule,
                count,
                alert_fp,
                summary,
            )
            made.before = previous.state if previous else None
            made.extra.update(level=crossed, direction=direction, value=value)
            return made

        words = self._count_words(rule, count, value)
        if level is not None and (was is None or level > was):
            base = fingerprint(
                rule.name, self.situation.place_id, count.category, level, "up", value, _iso(count.as_of)
            )
            summary = f"{where}: {old_words} → {words}, above {level:,}; reported by {said}"
            self._send(key, base, state, intent(base, "up", level, summary))
        elif was is not None and (level is None or level < was):
            base = fingerprint(
                rule.name, self.situation.place_id, count.category, was, "down", value, _iso(count.as_of)
            )
            summary = f"{where}: {old_words} → {words}, back under {was:,}; reported by {said}"
            made = intent(base, "down", was, summary) if previous is not None and previous.sent else None
            if made is not None and previous is not None:
                made.extra["resolves"] = previous.fingerprint
            self._send(key, base, state, made)
        elif previous is not None and level is not None:
            up = f"{where}: {words}, above {level:,}; reported by {said}"
            self._repeat(key, previous, lambda alert_fp: intent(alert_fp, "up", level, up))

    def _percent(self, rule: PercentRule, count: CountState) -> None:
        value = self._value(rule, count)
        if value is None:
            return
        key = f"{rule.name}:{count.category}"
        previous = self.previous.get(key)
        state = {"value": value}
        if previous is None:
            self._send(key, fingerprint(rule.name, self.situation.place_id, count.category, value), state, None)
            return
        old = previous.state.get("value")
        if not isinstance(old, int) or old == value or max(old, value) < rule.min_count:
            return
        change = abs(value - old) / max(old, 1) * 100
        if change < rule.percent:
            return
        base = fingerprint(rule.name, self.situation.place_id, count.category, old, value, _iso(count.as_of))
        sign = "+" if value > old else "−"
        summary = (
            f"Civilians {count.category} in {place_label(self.situation)}: {old:,} → "
            f"{self._count_words(rule, count, value)} ({sign}{change:.0f}%); reported by "
            f"{', '.join(count.sources[-3:]) or 'unknown source'}, {_day(count.as_of)}"
        )
        made = self._count_intent("sitrep.alert.civilian_change", rule, count, base, summary)
        made.before = previous.state
        made.extra.update(percent=round(change, 1), value=value, previous_value=old)
        self._send(key, base, state, made)


def evaluate(
    situation: Situation,
    rules: RuleSet,
    notified: dict[str, Notified],
    now: float,
    silenced: Callable[[str], bool] = lambda rule: False,
) -> Outcome:
    """Alerts the situation calls for now, and the notified records to store with them."""
    return _Evaluation(situation, rules, notified, now, silenced).run()
