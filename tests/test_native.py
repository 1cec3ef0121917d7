"""Which code runs the hot path: a compiled twin only where it was built from its module's
source as it is now, else the pure module; `advise --version` says which; and a Router on the
compiled twins answers exactly as one on the pure modules.

That the extractors find the same signals is tests/test_extraction.py's work: it runs on each."""

from __future__ import annotations

import importlib

import pytest
from click.testing import CliRunner

import corpus
from advisor import Constraints, Router, native
from advisor.cli import main


@pytest.fixture(autouse=True)
def fresh_choice(monkeypatch):
    """Each test works the choice out again, without the caller's ADVISOR_PURE."""
    monkeypatch.delenv(native.PURE_ENV, raising=False)
    native.choice.cache_clear()
    yield
    native.choice.cache_clear()


def pure(name: str):
    return importlib.import_module(f"advisor.{name}")


@pytest.mark.parametrize("name", native.TWINS)
def test_asked_for_pure_python_the_pure_module_runs(monkeypatch, name):
    monkeypatch.setenv(native.PURE_ENV, "1")
    assert native.choice(name) == (pure(name), "pure Python (ADVISOR_PURE is set)")
    assert native.summary() == "pure Python (ADVISOR_PURE is set)"


@pytest.mark.parametrize("value", ["", "0"])
def test_an_empty_or_zero_setting_asks_for_nothing(monkeypatch, value):
    monkeypatch.setenv(native.PURE_ENV, value)
    for name in native.TWINS:
        assert native.module(name) is (native.compiled_module(name) or pure(name))


@pytest.mark.parametrize("name", native.TWINS)
def test_a_twin_built_from_another_source_is_not_used(monkeypatch, name):
    digest = native._digest
    # As if this module's source was edited since the build (the others as they are).
    monkeypatch.setattr(native, "_digest", lambda path: "0" * 64 if path.name == f"{name}.py" else digest(path))
    assert native.compiled_module(name) is None
    chosen = native.choice(name)
    assert chosen.module is pure(name)
    assert chosen.how == f"pure Python (the compiled {name} is of another {name}.py; reinstall to rebuild it)"


def test_where_the_modules_differ_the_summary_names_each(monkeypatch):
    if native.compiled_module("signals") is None:
        pytest.skip("no compiled modules were built (see setup.py)")
    digest = native._digest
    monkeypatch.setattr(native, "_digest", lambda path: "0" * 64 if path.name == "decide.py" else digest(path))
    assert native.summary() == ("signals compiled (mypyc), decide pure Python "
                                "(the compiled decide is of another decide.py; reinstall to rebuild it)")


def test_without_twins_the_pure_modules_run(monkeypatch):
    def no_twins(name: str):
        if name.rsplit(".", 1)[-1] in native.TWINS.values():
            raise ImportError(name)
        return importlib.import_module(name)

    monkeypatch.setattr(native, "import_module", no_twins)
    for name in native.TWINS:
        assert native.choice(name) == (pure(name), "pure Python (no compiled module was built)")


@pytest.mark.parametrize("name", native.TWINS)
def test_a_current_twin_is_the_one_that_runs(name):
    twin = native.compiled_module(name)
    if twin is None:
        pytest.skip("no compiled modules were built (see setup.py)")
    assert twin is not pure(name) and twin.SOURCE_DIGEST == native._digest(native.Path(pure(name).__file__))
    assert native.choice(name) == (twin, native.COMPILED)


def test_the_version_names_the_rule_engine_and_what_runs_the_hot_path():
    out = CliRunner().invoke(main, ["--version"]).output
    assert "rule engine:" in out and f"hot path: {native.summary()})" in out


def test_the_compiled_hot_path_answers_as_the_pure_one(monkeypatch):
    if not all(native.compiled_module(name) for name in native.TWINS):
        pytest.skip("no compiled modules were built (see setup.py)")
    compiled = Router()
    monkeypatch.setenv(native.PURE_ENV, "1")
    native.choice.cache_clear()
    plain = Router()
    assert type(plain._extractor).__module__ == "advisor.signals" and plain._decisions is pure("decide")
    tight = Constraints(budget="low", exclude=frozenset({"gpt-4.5"}))
    for text in corpus.texts()[::4]:
        for constraints in (None, tight):
            a, b = compiled.route(text, constraints, counterfactuals=True), plain.route(text, constraints, counterfactuals=True)
            assert a.model_dump() == b.model_dump(), text[:60]
            assert a.explanation == b.explanation
        assert compiled.trace(text).model_dump() == plain.trace(text).model_dump()
