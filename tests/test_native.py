"""Which extractor routes: the compiled twin of advisor/signals.py only where it was built from
the file as it is now, else the pure module, and `advise --version` says which.

That both find the same signals is tests/test_extraction.py's work: it runs against each."""

from __future__ import annotations

import importlib

import pytest
from click.testing import CliRunner

from advisor import native, signals
from advisor.cli import main


@pytest.fixture(autouse=True)
def fresh_choice(monkeypatch):
    """Each test works the choice out again, without the caller's ADVISOR_PURE."""
    monkeypatch.delenv(native.PURE_ENV, raising=False)
    native.extraction.cache_clear()
    yield
    native.extraction.cache_clear()


def test_asked_for_pure_python_the_pure_module_routes(monkeypatch):
    monkeypatch.setenv(native.PURE_ENV, "1")
    chosen = native.extraction()
    assert chosen.module is signals
    assert chosen.name == "pure Python (ADVISOR_PURE is set)"


@pytest.mark.parametrize("value", ["", "0"])
def test_an_empty_or_zero_setting_asks_for_nothing(monkeypatch, value):
    monkeypatch.setenv(native.PURE_ENV, value)
    assert native.extraction().module is (native.compiled_module() or signals)


def test_a_twin_built_from_another_signals_py_is_not_used(monkeypatch):
    monkeypatch.setattr(native, "_digest", lambda path: "0" * 64)  # as if signals.py was edited since the build
    assert native.compiled_module() is None
    chosen = native.extraction()
    assert chosen.module is signals
    assert "another signals.py" in chosen.name and "reinstall" in chosen.name


def test_without_a_twin_the_pure_module_routes(monkeypatch):
    def no_twin(name: str):
        if name.endswith("._signals_native"):
            raise ImportError(name)
        return importlib.import_module(name)

    monkeypatch.setattr(native, "import_module", no_twin)
    chosen = native.extraction()
    assert chosen.module is signals
    assert chosen.name == "pure Python (no compiled extractor was built)"


def test_a_current_twin_is_the_one_that_routes():
    twin = native.compiled_module()
    if twin is None:
        pytest.skip("no compiled extractor was built from this signals.py (see setup.py)")
    assert twin is not signals and twin.SOURCE_DIGEST == native._digest(native.Path(signals.__file__))
    assert native.extraction() == (twin, native.COMPILED)


def test_the_version_names_the_rule_engine_and_the_extraction():
    out = CliRunner().invoke(main, ["--version"]).output
    assert "rule engine:" in out and "extraction: " in out
    assert ("compiled (mypyc)" in out) == (native.compiled_module() is not None)
