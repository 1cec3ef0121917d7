"""The trace of one decision: every signal, every rule (fired or not, and why), the arithmetic."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from .conditions import describe, unmet
from .decide import Decision, counted
from .engine import build_fact, compile_condition, evaluate
from .rulebase import RuleBase
from .features import Features
from .types import Constraints, Evidence


class RuleCheck(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    rule: str
    fired: bool
    effect: str
    model: str | None
    weight: float
    condition: str
    failed: str | None = None


class Trace(BaseModel):
    """Everything considered for one task, in rule-base order."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    signals: list[Evidence]
    facts: dict[str, object]
    rules: list[RuleCheck]
    arithmetic: list[str]
    decision: str


def build_trace(base: RuleBase, features: Features, constraints: Constraints, fired: list[str], decision: Decision) -> Trace:
    fact = build_fact(features.spans, features.words, constraints)
    holds = lambda cond: evaluate(compile_condition(cond), fact)  # noqa: E731 - as the engine reads it
    fired_set = set(fired)
    checks = [
        RuleCheck(
            rule=r.id, fired=r.id in fired_set, effect=r.effect, model=r.model, weight=r.weight,
            condition=describe(r.when), failed=None if r.id in fired_set else unmet(r.when, holds),
        )
        for r in base.rules
    ]
    return Trace(
        signals=[e for spans in features.signals.values() for e in spans],
        facts=_facts(features, constraints),
        rules=checks,
        arithmetic=_arithmetic(decision, base, fired),
        decision=f"{decision.model.id} (confidence {decision.confidence:.2f})",
    )


def _facts(features: Features, constraints: Constraints) -> dict[str, object]:
    """The constraint facts, for people to read beside the rules."""
    return {"budget": constraints.budget or "unset", "needs": sorted(constraints.needs),
            "max_price": constraints.max_price if constraints.max_price is not None else float("inf"), "words": features.words}


def _arithmetic(decision: Decision, base: RuleBase, fired: list[str]) -> list[str]:
    lines = []
    for model, total in sorted(decision.scores.items(), key=lambda kv: -kv[1]):
        terms = [f"{'+' if r.effect == 'support' else '-'}{r.weight:g} {r.id}" for r in counted([base.rule(f) for f in fired]) if r.model == model]
        lines.append(f"{model} = {' '.join(terms) if terms else '0'} = {total:g}")
    lines += [f"{e.model}: excluded ({e.reason})" for e in decision.excluded]
    return lines


def render_trace(trace: Trace) -> str:
    lines = ["Signals:"] + ([f'  {e.signal}: "{e.text}" [{e.start}:{e.end}]' for e in trace.signals] or ["  (none)"])
    lines += ["", "Facts: " + ", ".join(f"{k}={v}" for k, v in trace.facts.items()), "", "Rules:"]
    for r in trace.rules:
        mark = "FIRED" if r.fired else "-    "
        why = "" if r.fired else f"   [{r.failed}]"
        lines.append(f"  {mark} {r.rule} ({r.effect} {r.model or 'capability'} {r.weight:g}){why}")
    lines += ["", "Scores:"] + [f"  {a}" for a in trace.arithmetic] + ["", f"Decision: {trace.decision}"]
    return "\n".join(lines)
