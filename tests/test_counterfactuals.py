"""Counterfactuals are verified by re-routing with the change applied."""

import pytest

from advisor import Constraints, Task

TASKS = [
    "Write a heartfelt toast for my sister's wedding",
    "solve AIME problem",
    "I failed my exam and feel terrible",
    "Classify 2 million support tickets as cheaply as possible",
    "hello there",
]


def _apply(change: str, constraints: Constraints) -> Constraints:
    key, _, value = change.partition("=")
    if key == "budget":
        return constraints.model_copy(update={"budget": None if value == "unset" else value})
    if key == "needs":
        return constraints.model_copy(update={"needs": constraints.needs | {value}})
    assert key == "exclude", change
    return constraints.model_copy(update={"exclude": constraints.exclude | {value}})


@pytest.mark.parametrize("text", TASKS)
def test_each_counterfactual_changes_the_answer(router, text):
    rec = router.route(text, counterfactuals=True)
    for cf in rec.counterfactuals:
        assert cf.model != rec.model
        if cf.change.startswith("without signal: "):
            signal = cf.change.removeprefix("without signal: ")
            features = router._extractor.extract(text)
            assert signal in features.signals
            kept = features.without(signal)
            assert router._decide(kept, Constraints()).model.id == cf.model
        else:
            assert router.route(Task(text=text, constraints=_apply(cf.change, Constraints()))).model == cf.model


def test_wedding_toast_has_a_way_to_gpt4o(router):
    rec = router.route("Write a heartfelt toast for my sister's wedding", counterfactuals=True)
    assert rec.model == "gpt-4.5"
    assert any(cf.model == "gpt-4o" and cf.change == "budget=low" for cf in rec.counterfactuals)


def test_counterfactuals_are_opt_in(router):
    assert router.route("write a poem").counterfactuals == []
