"""The precompiled packaged rule base is current, and loading through it changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor import Router, RuleFileError
from advisor import patterns, precompiled
from advisor.rulebase import default_rule_paths

TASKS = Path(__file__).parent / "data" / "tasks.jsonl"


def corpus_texts() -> list[str]:
    return [json.loads(line)["text"] for line in TASKS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_packaged_precompiled_file_is_current():
    fresh = precompiled.render(precompiled.build(default_rule_paths()))
    shipped = precompiled.packaged_path().read_text(encoding="utf-8")
    assert fresh == shipped, "the rule base changed: run `advise rules precompile`"


def test_it_covers_every_packaged_file_and_pattern():
    for path in default_rule_paths():
        assert precompiled.parsed_file(path.read_bytes()) is not None, path.name
    with Router() as router:
        for signal in router.rulebase.signals.values():
            for source in signal.patterns:
                assert patterns.analyse(source, signal.case_sensitive).checked, source


def test_precompiled_analyses_equal_fresh_ones():
    with Router() as router:
        for signal in router.rulebase.signals.values():
            for source in signal.patterns:
                known = patterns.analyse(source, signal.case_sensitive)
                fresh = patterns.analyse_afresh(source, signal.case_sensitive)
                assert patterns.index_entry(known) == patterns.index_entry(fresh), source


def test_routing_without_it_gives_the_same_answers(monkeypatch):
    texts = corpus_texts()[::5]
    with Router() as packaged:
        expected = [packaged.route(t).model_dump_json() for t in texts]
    monkeypatch.setattr(precompiled, "_load", lambda: {"files": {}, "patterns": {}})
    patterns.analyse.cache_clear()
    try:
        with Router() as fresh:
            assert not any(patterns.analyse(s, d.case_sensitive).checked for d in fresh.rulebase.signals.values() for s in d.patterns)
            assert [fresh.route(t).model_dump_json() for t in texts] == expected
    finally:
        patterns.analyse.cache_clear()


@pytest.mark.parametrize("edit", [b"\n# a comment\n", b"\n[[signal]]\nid = \"broken\"\nabout = \"x\"\npatterns = ['(a+)+b']\n"])
def test_an_edited_file_is_parsed_and_checked_afresh(tmp_path, edit):
    source = next(p for p in default_rule_paths() if p.name == "signals.toml")
    copy = tmp_path / "signals.toml"
    copy.write_bytes(source.read_bytes() + edit)
    assert precompiled.parsed_file(copy.read_bytes()) is None
    if b"broken" in edit:
        with pytest.raises(RuleFileError, match="backtrack"):
            Router(rules=[copy])
    else:
        with Router(rules=[copy]) as router:
            assert router.route("solve AIME problem").model == "o3-mini"


def test_a_missing_or_broken_file_means_work_afresh(monkeypatch, tmp_path):
    class Files:
        def __init__(self, text: str | None) -> None:
            self.text = text

        def joinpath(self, name: str) -> "Files":
            return self

        def read_text(self, encoding: str) -> str:
            if self.text is None:
                raise FileNotFoundError(precompiled.FILE_NAME)
            return self.text

    for text in (None, "{not json", json.dumps({"format": 999, "files": {}, "patterns": {}})):
        monkeypatch.setattr(precompiled.resources, "files", lambda _pkg, t=text: Files(t))
        precompiled._load.cache_clear()
        assert precompiled._load() == {"files": {}, "patterns": {}}
    precompiled._load.cache_clear()
