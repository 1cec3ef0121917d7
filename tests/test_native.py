"""Which code runs the hot path: the compiled twins only where each was built from its module's
source as it is now, else the pure modules; `advise --version` says which; and a Router on the
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
    native.hot_path.cache_clear()
    yield
    native.hot_path.cache_clear()


def pure_modules() -> dict:
    return {name: importlib.import_module(f"advisor.{name}") for name in native.TWINS}


def built() -> bool:
    return all(native.compiled_module(name) for name in native.TWINS)


def test_asked_for_pure_python_the_pure_modules_run(monkeypatch):
    monkeypatch.setenv(native.PURE_ENV, "1")
    assert native.hot_path() == (pure_modules(), "pure Python (ADVISOR_PURE is set)")


@pytest.mark.parametrize("value", ["", "0"])
def test_an_empty_or_zero_setting_asks_for_nothing(monkeypatch, value):
    monkeypatch.setenv(native.PURE_ENV, value)
    assert native.hot_path().modules == ({name: native.compiled_module(name) for name in native.TWINS} if built() else pure_modules())


@pytest.mark.parametrize("name", native.TWINS)
def test_one_module_changed_since_the_build_makes_the_whole_hot_path_pure(monkeypatch, name):
    if not built():
        pytest.skip("no compiled modules were built (see setup.py)")
    digest = native._digest
    # As if this module's source was edited since the build (the others as they are): the
    # twins import each other, so none of them can run.
    monkeypatch.setattr(native, "_digest", lambda path: "0" * 64 if path.name == f"{name}.py" else digest(path))
    assert native.compiled_module(name) is None
    path = native.hot_path()
    assert path.modules == pure_modules()
    assert path.how == f"pure Python ({name}.py changed since it was compiled; reinstall to rebuild it)"


def test_without_twins_the_pure_modules_run(monkeypatch):
    def no_twins(name: str):
        if name.rsplit(".", 1)[-1] in native.TWINS.values():
            raise ImportError(name)
        return importlib.import_module(name)

    monkeypatch.setattr(native, "import_module", no_twins)
    assert native.hot_path() == (pure_modules(), "pure Python (no compiled modules were built)")


def test_current_twins_are_what_runs():
    if not built():
        pytest.skip("no compiled modules were built (see setup.py)")
    modules = pure_modules()
    for name, module in modules.items():
        twin = native.compiled_module(name)
        assert twin is not module and twin.SOURCE_DIGEST == native._digest(native.Path(module.__file__))
    assert native.hot_path() == ({name: native.compiled_module(name) for name in native.TWINS}, native.COMPILED)


def test_the_version_names_the_rule_engine_and_what_runs_the_hot_path():
    out = CliRunner().invoke(main, ["--version"]).output
    assert "rule engine:" in out and f"hot path: {native.hot_path().how})" in out


def test_the_compiled_hot_path_answers_as_the_pure_one(monkeypatch):
    if not built():
        pytest.skip("no compiled modules were built (see setup.py)")
    compiled = Router()
    monkeypatch.setenv(native.PURE_ENV, "1")
    native.hot_path.cache_clear()
    plain = Router()
    assert type(compiled._extractor).__module__ == "advisor._signals_native" and compiled._decisions is native.compiled_module("decide")
    assert type(plain._extractor).__module__ == "advisor.signals" and plain._decisions is pure_modules()["decide"]
    tight = Constraints(budget="low", exclude=frozenset({"gpt-4.5"}))
    for text in corpus.texts()[::4]:
        for constraints in (None, tight):
            a, b = compiled.route(text, constraints, counterfactuals=True), plain.route(text, constraints, counterfactuals=True)
            assert a.model_dump() == b.model_dump(), text[:60]
            assert a.explanation == b.explanation
        assert compiled.trace(text).model_dump() == plain.trace(text).model_dump()
