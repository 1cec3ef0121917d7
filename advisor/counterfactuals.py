"""Counterfactuals: the smallest changes to the input that would change the recommendation.

Each candidate change (one constraint, or dropping one detected signal) is applied and the rule
base is evaluated again by the engine; only changes that lead to another model are kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from .errors import NoModelError
from .features import Features
from .trusted import trusted
from .types import CAPABILITIES, Constraints, Counterfactual

if TYPE_CHECKING:
    from .decide import Outline

# Only the model each change leads to matters: a decision's outline says it without the
# evidence a whole decision would gather for every rule that fired.
DecideFn = Callable[[Features, Constraints], "Outline"]


def find_counterfactuals(decide: DecideFn, features: Features, constraints: Constraints, chosen: str) -> list[Counterfactual]:
    found = []
    for change, feats, cons in _changes(features, constraints, chosen):
        try:
            model = decide(feats, cons).model.id
        except NoModelError:
            continue
        if model != chosen:
            found.append(trusted(Counterfactual, change=change, model=model))
    return found


def _changes(features: Features, constraints: Constraints, chosen: str):
    for budget in ("low", "medium", "high", None):
        if budget != constraints.budget:
            yield f"budget={budget or 'unset'}", features, constraints.model_copy(update={"budget": budget})
    for cap in CAPABILITIES:
        if cap not in constraints.needs:
            yield f"needs={cap}", features, constraints.model_copy(update={"needs": constraints.needs | {cap}})
    for signal in sorted(features.spans):
        yield f"without signal: {signal}", features.without(signal), constraints
    yield f"exclude={chosen}", features, constraints.model_copy(update={"exclude": constraints.exclude | {chosen}})
