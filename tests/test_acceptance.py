"""The end-to-end promises of the README, through the public API."""

import pytest

import corpus
from advisor import Constraints, NoModelError, Task


@pytest.mark.parametrize(
    "text, model",
    [
        ("solve AIME problem", "o3-mini"),
        ("Write a heartfelt toast for my sister's wedding", "gpt-4.5"),
        ("I failed my exam and feel terrible", "gpt-4.5"),
        ("Classify 2 million support tickets as cheaply as possible", "gpt-4o"),
    ],
)
def test_headline_examples(router, text, model):
    assert router.route(text).model == model


def test_aime_cites_the_figure_and_spans(router):
    rec = router.route("solve AIME problem")
    firing = next(f for f in rec.fired if f.model == "o3-mini")
    assert "87.3" in firing.citations[0].text
    span = firing.evidence[0]
    assert "solve AIME problem"[span.start:span.end] == span.text == "AIME"
    assert rec.params == {"reasoning_effort": "high"}


def test_needs_vision_removes_o3_mini_and_says_why(router):
    rec = router.route(Task(text="solve AIME problem", constraints=Constraints(needs={"vision"})))
    assert rec.model != "o3-mini"
    reasons = {e.model: e.reason for e in rec.excluded}
    assert "vision" in reasons["o3-mini"]


def test_low_budget_moves_writing_off_gpt45(router):
    text = "Write a heartfelt toast for my sister's wedding"
    assert router.route(text).model == "gpt-4.5"
    assert router.route(text, Constraints(budget="low")).model != "gpt-4.5"


def test_no_model_left_names_each_removal(router):
    with pytest.raises(NoModelError) as err:
        router.route("hi", Constraints(allow={"o3-mini"}, needs={"vision"}))
    assert set(err.value.reasons) == {"gpt-4.5", "gpt-4o", "o3-mini", "o1"}
    assert "vision" in err.value.reasons["o3-mini"]


def test_updated_copy_renders_its_own_explanation(router):
    rec = router.route("solve AIME problem")
    assert "a note added later" not in rec.explanation  # renders and caches the text
    noted = rec.updated(warnings=[*rec.warnings, "a note added later"])
    assert "a note added later" in noted.explanation
    assert "a note added later" not in rec.explanation


@pytest.mark.parametrize("budget", [None, "low"])
def test_trace_names_a_failed_condition_exactly_for_rules_that_did_not_fire(router, budget):
    for text in corpus.texts()[::7]:
        trace = router.trace(text, Constraints(budget=budget))
        for check in trace.rules:
            assert (check.failed is None) == check.fired, (check.rule, check.failed)
