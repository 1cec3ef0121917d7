"""Every example runs as `python examples/NAME.py`, offline, and its data files load."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from advisor import Constraints, Router
from advisor.batch import BatchOptions, run_batch, summarize

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# A line each script must print: proof it did its job, not only that it exited.
EXPECTED = {
    "quickstart.py": "model: o3-mini (confidence",
    "app_router.py": '"reasoning_effort": "high"',
    "custom_rules.py": "-> gpt-4.5",
    "openai_client.py": '"max_completion_tokens": 4000',
    "web_service.py": "/route -> 200",
}


def _offline_env():
    # No key: the OpenAI example must only print. No proxy: the web example talks to itself.
    return {k: v for k, v in os.environ.items() if k.upper() not in ("OPENAI_API_KEY", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")}


def test_every_example_script_has_an_expectation():
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs(name, tmp_path):
    # Run from elsewhere: examples must not depend on the working directory.
    done = subprocess.run([sys.executable, str(EXAMPLES / name)], cwd=tmp_path, env=_offline_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert EXPECTED[name] in done.stdout


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_says_what_it_shows(name):
    doc = ast.get_docstring(ast.parse((EXAMPLES / name).read_text(encoding="utf-8")))
    assert doc and len(doc.split()) >= 8


def test_later_models_catalog_loads_with_the_packaged_rules():
    with Router(catalog=EXAMPLES / "catalog_later_models.toml") as router:
        catalog = router.catalog
        assert set(catalog.ids) == {"gpt-4.5", "gpt-4o", "o3-mini", "o1", "gpt-4.1", "o3", "o4-mini", "gpt-5"}
        assert catalog.default_model == "gpt-4o"
        assert router.route("solve AIME problem").model == "o3-mini"
        rec = router.route("hello", Constraints(allow={"gpt-4.5"}))
        assert "gpt-4.1 as its replacement (in this catalog)" in " ".join(rec.warnings)


def test_later_models_catalog_keeps_the_launch_models_as_packaged():
    with Router() as packaged, Router(catalog=EXAMPLES / "catalog_later_models.toml") as later:
        for model in packaged.catalog.model:
            theirs = later.catalog.get(model.id)
            assert (theirs.api_model, theirs.price, theirs.limits, theirs.capabilities) == (model.api_model, model.price, model.limits, model.capabilities)
        assert set(packaged.catalog.figures()) <= set(later.catalog.figures())


def test_custom_rules_load_and_fire():
    with Router(rules=[EXAMPLES / "custom_rules.toml"]) as router:
        rec = router.route("Review this NDA for risky indemnification terms")
        assert rec.model == "gpt-4.5"
        assert "legal.contract-review" in [f.rule for f in rec.fired]


def test_prompt_log_has_one_malformed_line(router):
    lines = (EXAMPLES / "prompt_log.jsonl").read_text(encoding="utf-8").splitlines()
    summary = summarize(run_batch(lines, BatchOptions(), router=router), router.catalog)
    assert 25 <= summary.count == len(lines) and summary.errors == 1
