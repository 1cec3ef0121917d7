"""request_params(): the keyword arguments of a chat-completions call, with nothing the model rejects."""

from pathlib import Path

import pytest

from advisor import Constraints, Router
from advisor.catalog import load_catalog

LATER_CATALOG = Path(__file__).resolve().parents[1] / "examples" / "catalog_later_models.toml"


@pytest.mark.parametrize(
    "task, present, absent",
    [
        ("solve AIME problem", {"model", "reasoning_effort", "max_completion_tokens"}, {"temperature", "max_tokens"}),
        ("Classify 2 million support tickets as cheaply as possible", {"model", "max_tokens", "temperature"}, {"reasoning_effort", "max_completion_tokens"}),
        ("Write a heartfelt toast for my sister's wedding", {"model", "max_tokens", "temperature"}, {"reasoning_effort", "max_completion_tokens"}),
    ],
)
def test_request_params_for_tasks(router, task, present, absent):
    params = router.route(task).request_params(max_tokens=1000, temperature=0.5)
    assert present <= params.keys()
    assert not absent & params.keys()


def test_aime_asks_for_high_effort(router):
    params = router.route("solve AIME problem").request_params(max_tokens=1000, temperature=0.5)
    assert params == {"model": "o3-mini", "reasoning_effort": "high", "max_completion_tokens": 1000}


def test_gpt4o_task_keeps_temperature(router):
    rec = router.route("Classify 2 million support tickets as cheaply as possible")
    assert rec.model == "gpt-4o"
    assert rec.request_params(max_tokens=200, temperature=0.0) == {"model": "gpt-4o-2024-08-06", "max_tokens": 200, "temperature": 0.0}


def test_nothing_optional_when_not_asked(router):
    assert router.route("solve AIME problem").request_params() == {"model": "o3-mini", "reasoning_effort": "high"}


CATALOGS = {"packaged": None, "later": LATER_CATALOG}


@pytest.fixture(scope="module")
def routers():
    """One Router per catalog, built on first use: building compiles the whole rule base."""
    built = {}

    def get(key):
        if key not in built:
            built[key] = Router(catalog=CATALOGS[key])
        return built[key]

    yield get
    for r in built.values():
        r.close()


@pytest.mark.parametrize("key, model_id", [(key, m.id) for key, path in CATALOGS.items() for m in load_catalog(path).model])
def test_every_model_gets_only_what_it_accepts(routers, key, model_id):
    r = routers(key)
    model = r.catalog.get(model_id)
    params = r.route("hello", Constraints(allow={model_id})).request_params(max_tokens=100, temperature=0.7)
    assert params["model"] == model.api_model
    assert params[model.token_limit_param] == 100
    assert ("temperature" in params) == model.accepts_temperature
    assert ("reasoning_effort" in params) == model.is_reasoning
    if model.is_reasoning:
        assert params["reasoning_effort"] in model.capabilities.reasoning_effort
