"""`advise --json` writes a recommendation with json.dumps: the very bytes pydantic would write."""

from __future__ import annotations


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic_core import PydanticSerializationError

import corpus
from advisor import Constraints, Recommendation
from advisor._dump import model_json
from advisor.trusted import trusted
from advisor.types import Alternative, Citation, Evidence, Firing

CONSTRAINTS = [Constraints(), Constraints(budget="low"), Constraints(needs=frozenset({"vision"}), max_price=5), Constraints(exclude=frozenset({"o3-mini"}))]


def test_every_corpus_answer_is_written_as_pydantic_writes_it(router, monkeypatch):
    texts = corpus.texts()
    recs = [router.route(t, CONSTRAINTS[i % len(CONSTRAINTS)], counterfactuals=True) for i, t in enumerate(texts)]
    expected = [rec.model_dump_json(indent=2) for rec in recs]
    monkeypatch.setattr(Recommendation, "model_dump_json", _not_called)  # and without falling back to it
    assert [model_json(rec) for rec in recs] == expected


def _not_called(*args, **kwargs):
    raise AssertionError("fell back to model_dump_json")


_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
_number = st.floats(allow_nan=True, allow_infinity=True) | st.integers(-10**20, 10**20) | st.sampled_from([0.0, -0.0, 1e-4, 9.99e-5, 1e16, 9.99e15, 2.5e-7])


@settings(max_examples=300, deadline=None)
@given(model=_text, score=_number, weight=_number, because=_text, evidence=_text, start=st.integers(0, 10**6),
       params=st.dictionaries(_text, _text, max_size=3), effect=st.sampled_from(["support", "oppose", "require", "not-an-effect"]))
def test_any_recommendation_is_written_as_pydantic_writes_it(model, score, weight, because, evidence, start, params, effect):
    firing = trusted(Firing, rule="r", model=None, effect=effect, weight=weight, because=because, counted=False,
                     evidence=[trusted(Evidence, signal="s", text=evidence, start=start, end=start + len(evidence))],
                     citations=[trusted(Citation, figure="f", text=because)])
    rec = trusted(Recommendation, model=model, api_model=model, params=params, confidence=score, score=score, default_used=True,
                  fired=[firing], alternatives=[trusted(Alternative, model=model, score=weight, why_not=because)], excluded=[],
                  warnings=[because], counterfactuals=[], token_limit_param="max_tokens", accepts_temperature=True)
    assert _outcome(model_json, rec) == _outcome(lambda r: r.model_dump_json(indent=2), rec)


def _outcome(write, rec):
    try:
        return write(rec)
    except Exception as err:  # the same failure is the same outcome
        return type(err), str(err)


_FIELDS = dict(model="o1", api_model="o1", params={}, confidence=0.5, score=1.0, default_used=False, fired=[], alternatives=[],
               excluded=[], warnings=["w"], counterfactuals=[], token_limit_param="max_tokens", accepts_temperature=True)


def test_text_that_is_not_unicode_fails_as_with_pydantic():
    rec = trusted(Recommendation, **dict(_FIELDS, warnings=["\udcff"]))
    with pytest.raises(PydanticSerializationError):
        rec.model_dump_json(indent=2)
    with pytest.raises(PydanticSerializationError):
        model_json(rec)


def test_fields_are_written_in_the_order_pydantic_writes_them():
    # pydantic follows the instance's __dict__: a model built from keywords in another order, or
    # without some fields, is written that way, and so it must be here.
    rec = trusted(Recommendation, **dict(reversed([(k, v) for k, v in _FIELDS.items() if k != "accepts_temperature"])))
    rec.__dict__["not_a_field"] = 1
    assert model_json(rec) == rec.model_dump_json(indent=2)
