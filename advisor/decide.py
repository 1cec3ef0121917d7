"""The decision: hard constraints remove models, fired rules add weighted support, ties break
deterministically, and a declared default answers when no rule supports any model."""

from __future__ import annotations

import math
from operator import attrgetter
from typing import Collection, NamedTuple

from .catalog import Catalog, Model
from .errors import NoModelError
from .rulebase import Rule, RuleBase
from .features import READ_LIMIT, Features
from .trusted import trusted, trusted_from
from .types import Alternative, Citation, Constraints, Counterfactual, Evidence, Exclusion, Firing, Recommendation

DEFAULT_CONFIDENCE = 0.3  # no rule spoke for any model: the default is a guess, and says so
_EFFORT_ORDER = {"minimal": 0, "low": 1, "medium": 2, "high": 3}


# Named tuples, not dataclasses: as immutable, cheaper to make per decision, and a dataclass
# costs most of a millisecond of every start to define.
class Decision(NamedTuple):
    """Everything the explanation needs; `Recommendation` is built from it."""

    model: Model
    params: dict[str, str]
    confidence: float
    scores: dict[str, float]
    default_used: bool
    fired: list[Firing]
    alternatives: list[Alternative]
    excluded: list[Exclusion]
    warnings: list[str]


class Outline(NamedTuple):
    """A decision without its evidence: it depends only on the fired rules and the constraints."""

    model: Model
    params: dict[str, str]
    confidence: float
    scores: dict[str, float]
    default_used: bool
    # Each firing's fields but its evidence, and the signals it shows that the task has (an
    # outline is remembered per set of signals found, so this is the same for every task it serves).
    fired: tuple[tuple[dict[str, object], tuple[str, ...]], ...]
    alternatives: tuple[Alternative, ...]
    excluded: tuple[Exclusion, ...]
    warnings: tuple[str, ...]


def recommend(outline: Outline, features: Features, counterfactuals: list[Counterfactual]) -> Recommendation:
    """The answer for one task: its decision's outline with the task's own evidence."""
    model = outline.model
    return trusted(
        Recommendation,
        model=model.id,
        api_model=model.api_model,
        params=dict(outline.params),
        confidence=outline.confidence,
        score=outline.scores[model.id],
        default_used=outline.default_used,
        fired=_firings(outline, features),
        alternatives=list(outline.alternatives),
        excluded=list(outline.excluded),
        warnings=_task_warnings(outline, features),
        counterfactuals=counterfactuals,
        token_limit_param=model.token_limit_param,
        accepts_temperature=model.accepts_temperature,
    )


def decide(catalog: Catalog, base: RuleBase, fired_ids: list[str], features: Features, constraints: Constraints) -> Decision:
    """The decision for the rules that fired on a task, without any memo."""
    return decision(outline(catalog, base, fired_ids, constraints, features.spans.keys()), features)


def outline(catalog: Catalog, base: RuleBase, fired_ids: list[str], constraints: Constraints, signals: Collection[str]) -> Outline:
    """The decision for these fired rules under these constraints, without evidence, for a task
    with these signals."""
    rules = [base.rule(rid) for rid in fired_ids]
    excluded = exclusions(catalog, constraints, rules)
    candidates = [m for m in catalog.model if m.id not in excluded]
    if not candidates:
        raise NoModelError(excluded)
    weighed = counted(rules)
    scores = _scores(candidates, weighed)
    ranking = sorted(candidates, key=lambda m: _rank_key(m, scores, catalog))
    chosen = ranking[0]
    supported = any(r.effect == "support" and r.model in scores for r in rules)
    kept = {id(r) for r in weighed}
    return Outline(
        model=chosen,
        params=_params(chosen, rules),
        confidence=_confidence(ranking, scores) if supported else DEFAULT_CONFIDENCE,
        scores=scores,
        default_used=not supported,
        fired=tuple((_firing_fields(r, id(r) in kept, catalog), tuple(s for s in r.shown_signals if s in signals)) for r in rules),
        alternatives=tuple(_alternative(m, chosen, scores, weighed, catalog) for m in ranking[1:]),
        excluded=tuple(trusted(Exclusion, model=m, reason=why) for m, why in excluded.items()),
        warnings=tuple(_warnings(chosen, catalog)),
    )


def decision(outline: Outline, features: Features) -> Decision:
    """An outline with a task's own evidence."""
    return Decision(
        model=outline.model,
        params=dict(outline.params),
        confidence=outline.confidence,
        scores=dict(outline.scores),
        default_used=outline.default_used,
        fired=_firings(outline, features),
        alternatives=list(outline.alternatives),
        excluded=list(outline.excluded),
        warnings=_task_warnings(outline, features),
    )


def _firings(outline: Outline, features: Features) -> list[Firing]:
    """The outline's firings, each with the task's evidence for the signals its rule shows."""
    evidence: dict[str, tuple[Evidence, ...]] = {}  # shared by the firings of one decision
    firings = []
    for fields, present in outline.fired:
        spans: list[Evidence] = []
        for sid in present:
            spans += evidence.get(sid) or evidence.setdefault(sid, features.evidence(sid))
        if len(present) > 1:  # one signal's spans are in order already
            spans.sort(key=_evidence_order)
        values = fields.copy()  # in field order, with this decision's own lists
        values["evidence"], values["citations"] = spans, list(fields["citations"])  # type: ignore[call-overload]
        # Built from validated rules and our own matches: no need to validate again per decision.
        firings.append(trusted_from(Firing, values))
    return firings


_evidence_order = attrgetter("start", "signal")  # in C: no Python call per item sorted


def exclusions(catalog: Catalog, constraints: Constraints, rules: list[Rule]) -> dict[str, str]:
    """Model id -> the first hard constraint that removes it, in catalog order."""
    needed = _needs(constraints, rules)
    reasons: dict[str, str] = {}
    for model in catalog.model:
        why = _exclusion(model, constraints, needed)
        if why:
            reasons[model.id] = why
    return reasons


def _needs(constraints: Constraints, rules: list[Rule]) -> dict[str, str]:
    """Capability -> where the need comes from (the caller, or the rule that requires it)."""
    needed: dict[str, str] = {cap: f"--needs {cap}" for cap in sorted(constraints.needs)}
    for rule in rules:
        for cap in rule.needs if rule.effect == "require" else ():
            needed.setdefault(cap, f"rule {rule.id}")
    return needed


def _exclusion(model: Model, constraints: Constraints, needed: dict[str, str]) -> str | None:
    if constraints.allow and model.id not in constraints.allow:
        return f"not in the allowed models ({', '.join(sorted(constraints.allow))})"
    if model.id in constraints.exclude:
        return "excluded by the caller (--exclude)"
    for cap, source in needed.items():
        if not model.capabilities.has(cap):
            return f"has no {cap} capability, needed by {source}"
    if constraints.max_price is not None and model.blended_price > constraints.max_price:
        return f"costs {model.blended_price:g} USD per 1M blended tokens, above max_price {constraints.max_price:g}"
    if constraints.min_context is not None and model.limits.context < constraints.min_context:
        return f"its context window of {model.limits.context:,} tokens is smaller than the {constraints.min_context:,} the input needs"
    return None


def _scores(candidates: list[Model], weighed: list[Rule]) -> dict[str, float]:
    scores = {m.id: 0.0 for m in candidates}
    for rule in weighed:
        if rule.model in scores:
            scores[rule.model] += rule.weight if rule.effect == "support" else -rule.weight
    return {m: round(s, 6) for m, s in scores.items()}


def counted(rules: list[Rule]) -> list[Rule]:
    """The fired rules whose weight counts: all ungrouped ones, and the heaviest (first on a
    tie) of each group for each model and effect."""
    best: dict[tuple[str | None, str, str], Rule] = {}
    for rule in rules:
        key = (rule.model, rule.effect, rule.group or f"rule:{rule.id}")
        if key not in best or rule.weight > best[key].weight:
            best[key] = rule
    keep = {id(r) for r in best.values()}
    return [r for r in rules if id(r) in keep]


def _rank_key(model: Model, scores: dict[str, float], catalog: Catalog) -> tuple[float, bool, float, int]:
    # Highest score; on a tie the declared default, then the cheaper model, then catalog order.
    return (-scores[model.id], model.id != catalog.default_model, model.blended_price, catalog.ids.index(model.id))


def _confidence(ranking: list[Model], scores: dict[str, float]) -> float:
    best = scores[ranking[0].id]
    runner_up = max(scores[ranking[1].id], 0.0) if len(ranking) > 1 else 0.0
    margin = max(best - runner_up, 0.0)
    return round(1 - 0.5 * math.exp(-margin / 2), 2)


def _params(model: Model, rules: list[Rule]) -> dict[str, str]:
    efforts = model.capabilities.reasoning_effort
    if not efforts:
        return {}
    asked = [r.params["reasoning_effort"] for r in rules if r.model == model.id and r.effect == "support" and r.params.get("reasoning_effort") in efforts]
    effort = max(asked, key=_EFFORT_ORDER.__getitem__) if asked else ("medium" if "medium" in efforts else efforts[-1])
    return {"reasoning_effort": effort}


def _citation(figure: str, catalog: Catalog) -> Citation:
    return trusted(Citation, figure=figure, text=catalog.citations[figure])


def _firing_fields(rule: Rule, is_counted: bool, catalog: Catalog) -> dict[str, object]:
    """A firing's fields, in order, but its evidence (the task's own)."""
    return {"rule": rule.id, "model": rule.model, "effect": rule.effect, "weight": rule.weight, "because": rule.because,
            "evidence": None, "citations": tuple(_citation(c, catalog) for c in rule.cite), "counted": is_counted}


def _alternative(model: Model, chosen: Model, scores: dict[str, float], rules: list[Rule], catalog: Catalog) -> Alternative:
    mine, best = scores[model.id], scores[chosen.id]
    if mine < best:
        why = f"scored {mine:g} against {best:g} for {chosen.id}: {_contributions(chosen.id, rules)}; {_contributions(model.id, rules)}"
    else:
        why = f"tied with {chosen.id} at {best:g}; {_tie_break(model, chosen, catalog)}"
    return trusted(Alternative, model=model.id, score=mine, why_not=why)


def _contributions(model_id: str, rules: list[Rule]) -> str:
    parts = [f"{r.id} {'+' if r.effect == 'support' else '-'}{r.weight:g}" for r in rules if r.model == model_id]
    return f"{model_id} from {', '.join(parts)}" if parts else f"no rule supports {model_id}"


def _tie_break(model: Model, chosen: Model, catalog: Catalog) -> str:
    if chosen.id == catalog.default_model:
        return f"ties go to the default model, {chosen.id}"
    if chosen.blended_price < model.blended_price:
        return f"ties go to the cheaper model ({chosen.blended_price:g} vs {model.blended_price:g} USD per 1M tokens)"
    return "ties go to the model listed first in the catalog"


def _task_warnings(outline: Outline, features: Features) -> list[str]:
    """The decision's warnings, and the task's own."""
    size = len(features.text)
    if size <= READ_LIMIT:
        return list(outline.warnings)
    return [*outline.warnings, f"The task is {size:,} characters long; its signals were read from its first and last {READ_LIMIT // 2:,}."]


def _warnings(model: Model, catalog: Catalog) -> list[str]:
    life = model.lifecycle
    warnings: list[str] = []
    if life.shutdown or life.deprecated:
        when = [f"deprecated on {life.deprecated}" if life.deprecated else "", f"shut down in the API on {life.shutdown}" if life.shutdown else ""]
        text = f"{model.api_model} was {' and '.join(w for w in when if w)}"
        if life.replacement:
            where = "in this catalog" if life.replacement in catalog.ids else "not in this catalog"
            text += f"; OpenAI names {life.replacement} as its replacement ({where})"
        warnings.append(text + ".")
    return warnings
