"""The precompiled packaged rule base and catalog are current, and loading through them changes nothing."""

from __future__ import annotations

import json
import marshal
import sys
import tomllib
from pathlib import Path

import pytest

from advisor import Router, RuleFileError
from advisor import patterns, precompiled, signals
from advisor._files import load_packaged
from advisor.catalog import Catalog, default_catalog_path, load_catalog
from advisor.rulebase import Rule, RuleFile, default_rule_paths, load_rule_file, load_rulebase, packaged_rule_files, restore_rule_file

TASKS = Path(__file__).parent / "data" / "tasks.jsonl"


def corpus_texts() -> list[str]:
    return [json.loads(line)["text"] for line in TASKS.read_text(encoding="utf-8").splitlines() if line.strip()]


def without_precompiled(monkeypatch) -> None:
    monkeypatch.setattr(precompiled, "_load", lambda: {"validated": {}, "patterns": {}, "index": {}})
    monkeypatch.setattr(precompiled, "_files", dict)


def test_the_packaged_precompiled_file_is_current():
    fresh = precompiled.render(precompiled.build(default_rule_paths(), default_catalog_path()))
    shipped = precompiled.packaged_path().read_text(encoding="utf-8")
    assert fresh == shipped, "the rule base changed: run `advise rules precompile`"


def test_precompiling_does_not_depend_on_the_form_it_replaces(monkeypatch):
    shipped = precompiled.render(precompiled.build(default_rule_paths(), default_catalog_path()))
    without_precompiled(monkeypatch)
    patterns.analyse.cache_clear()
    try:
        assert precompiled.render(precompiled.build(default_rule_paths(), default_catalog_path())) == shipped
    finally:
        patterns.analyse.cache_clear()


def test_the_packaged_rule_base_reads_its_pattern_index_from_it_and_no_other_does():
    with Router() as router:
        packaged = router.rulebase.signals
    sources = signals.pattern_sources(packaged)
    kept = precompiled.extractor_index(signals.signals_digest(packaged))
    assert kept is not None
    read = {name: dict(signals._Table(table).items()) if isinstance(table, dict) else table for name, table in kept.items()}
    assert read == json.loads(json.dumps(signals.index_tables(sources)))  # (its values may be kept as marshal bytes)
    # A pattern more, the signals in another order, a signal's case changed: each is another rule base.
    first, *rest = packaged.values()
    changed = [{**packaged, first.id: first.model_copy(update={"patterns": [*first.patterns, r"\bzebra\b"]})},
               {s.id: s for s in [*rest, first]},
               {**packaged, first.id: first.model_copy(update={"case_sensitive": not first.case_sensitive})}]
    for other in changed:
        assert precompiled.extractor_index(signals.signals_digest(other)) is None


def test_a_file_read_from_it_is_the_one_tomllib_gives_down_to_key_order():
    for path in default_rule_paths():
        assert json.dumps(precompiled.parsed_file(path.read_bytes())) == json.dumps(tomllib.loads(path.read_text(encoding="utf-8")))


def test_it_covers_every_packaged_file_and_pattern():
    for path in default_rule_paths():
        assert precompiled.parsed_file(path.read_bytes()) is not None, path.name
        assert precompiled.validated("RuleFile", path.read_bytes()) is not None, path.name
    assert precompiled.validated("Catalog", default_catalog_path().read_bytes()) is not None
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
    without_precompiled(monkeypatch)
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


def test_it_reads_in_two_parts_as_it_would_whole():
    whole = json.loads(precompiled.packaged_path().read_text(encoding="utf-8"))
    assert precompiled._load()["validated"] == whole["validated"] and _entries(precompiled._load()) == whole["patterns"]
    assert precompiled._files() == whole["files"]


def test_a_missing_or_broken_file_means_work_afresh(monkeypatch, tmp_path):
    path = tmp_path / precompiled.FILE_NAME
    monkeypatch.setattr(precompiled, "packaged_path", lambda: path)
    current = {"format": precompiled._FORMAT, "files": {"x": {}}, "validated": {"Catalog": {}}, "index": {}, "patterns": {"ci:x": [[]]}}
    for text in (None, "{not json", json.dumps({**current, "format": 999}), precompiled.render({**current, "format": 999}),
                 json.dumps(current), precompiled.render(current).replace("\n", " ")):
        if text is not None:
            path.write_text(text, encoding="utf-8")
        precompiled._load.cache_clear()
        precompiled._files.cache_clear()
        assert precompiled._load() == {"validated": {}, "patterns": {}, "index": {}}, text
        assert precompiled._files() == {}
    path.write_text(precompiled.render(current), encoding="utf-8")
    precompiled._load.cache_clear()
    precompiled._files.cache_clear()
    assert (precompiled._load()["patterns"], precompiled._files()) == (current["patterns"], current["files"])
    precompiled._load.cache_clear()
    precompiled._files.cache_clear()


def _entries(loaded: dict) -> dict:
    """The pattern entries as `pattern_entry` gives them (the marshal form keeps each as bytes)."""
    return {key: marshal.loads(entry) if isinstance(entry, bytes) else entry for key, entry in loaded["patterns"].items()}


def _unpacked(loaded: dict) -> dict:
    """What was loaded, as it is read (each pattern entry and index value kept as bytes made back into its lists)."""
    index = dict(loaded["index"])
    if "tables" in index:
        index["tables"] = {name: dict(signals._Table(table).items()) if isinstance(table, dict) else table for name, table in index["tables"].items()}
    return {**loaded, "patterns": _entries(loaded), "index": index}


def _fresh_load() -> dict:
    precompiled._load.cache_clear()
    precompiled._files.cache_clear()
    return precompiled._load()


@pytest.fixture
def packaged_copy(monkeypatch, tmp_path):
    """The packaged precompiled file, copied where loading may keep its marshal form."""
    path = tmp_path / precompiled.FILE_NAME
    path.write_bytes(precompiled.packaged_path().read_bytes())
    monkeypatch.setattr(precompiled, "packaged_path", lambda: path)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    yield path
    precompiled._load.cache_clear()
    precompiled._files.cache_clear()


def test_what_loading_parsed_is_read_back_from_its_marshal_form(packaged_copy, monkeypatch):
    first = _fresh_load()
    assert precompiled._cache_path().exists() and first["patterns"]
    monkeypatch.setattr(precompiled, "_parsed", lambda raw: pytest.fail("the JSON was parsed again"))
    assert _unpacked(_fresh_load()) == _unpacked(first)


def test_a_kept_marshal_form_of_other_json_or_broken_is_not_read(packaged_copy):
    current = {"format": precompiled._FORMAT, "files": {}, "validated": {}, "patterns": {"ci:x": [[["x", "x", False]]]}}
    _fresh_load()
    packaged_copy.write_text(precompiled.render(current), encoding="utf-8")
    assert _entries(_fresh_load()) == current["patterns"]  # the kept form was of the old file
    precompiled._cache_path().write_bytes(b"not marshal")
    assert _entries(_fresh_load()) == current["patterns"]
    assert _entries(_fresh_load()) == current["patterns"]  # kept afresh, and read back


def test_a_hand_edit_that_keeps_the_first_line_is_read_from_the_json(packaged_copy):
    _fresh_load()
    text = packaged_copy.read_text(encoding="utf-8")
    first, rest = text.split("\n", 1)
    packaged_copy.write_text(first + "\n" + rest.replace('"patterns": {\n', '"patterns": {\n"ci:edited": [[]],\n', 1), encoding="utf-8")
    assert "ci:edited" in _fresh_load()["patterns"]


def test_nothing_is_kept_where_python_keeps_no_bytecode(packaged_copy, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert _fresh_load()["patterns"]
    assert not precompiled._cache_path().exists()


def test_a_rule_is_dumped_with_its_condition_as_fields_by_name():
    # Conditions are named tuples; their dump is what restore_rule_file reads back.
    rule = Rule(id="x", when={"all": ["a", {"fact": "words", "gt": 5}], "not": ["b"]}, model="gpt-4o", because="b")
    parts = [{"name": "a"}, {"fact": "words", "op": "gt", "value": 5.0}], [], [{"name": "b"}]
    assert rule.model_dump(mode="json")["when"] == dict(zip(("all", "any", "none"), parts))
    assert rule.model_dump()["when"] == dict(zip(("all", "any", "none"), map(tuple, parts)))
    assert restore_rule_file(RuleFile(rule=[rule]).model_dump(mode="json")).rule == [rule]


def _same(restored, validated) -> None:
    """Equal, and equal down to the types and order of every value (which `==` on dicts and
    numbers would not tell): a restored model prints as the validated one does."""
    assert restored == validated
    assert repr(restored) == repr(validated)
    assert restored.model_dump_json() == validated.model_dump_json()


def test_the_packaged_catalog_from_its_validated_form_equals_a_validated_one():
    _same(load_catalog(), load_catalog(default_catalog_path()))


def test_the_packaged_rule_files_from_their_validated_form_equal_validated_ones():
    for path, restored in packaged_rule_files():
        fresh = load_rule_file(path)
        _same(restored, fresh)
        for mine, theirs in zip(restored.rule, fresh.rule):
            assert mine.when == theirs.when and repr(mine.when) == repr(theirs.when), mine.id


def test_the_router_loads_the_rule_base_a_validating_load_gives():
    catalog = load_catalog(default_catalog_path())
    fresh = load_rulebase(default_rule_paths(), catalog)  # paths given: every file validated
    with Router() as router:
        _same(router.catalog, catalog)
        assert router.rulebase == fresh
        assert [repr(r) for r in router.rulebase.rules] == [repr(r) for r in fresh.rules]


def test_user_files_are_validated_even_with_the_packaged_bytes(monkeypatch, tmp_path):
    looked_up = []
    monkeypatch.setattr(precompiled, "validated", lambda model, data: looked_up.append(model))
    rules = []
    for path in default_rule_paths():
        rules.append(tmp_path / path.name)
        rules[-1].write_bytes(path.read_bytes())
    catalog = tmp_path / "catalog.toml"
    catalog.write_bytes(default_catalog_path().read_bytes())
    with Router(rules=rules, catalog=catalog, include_default_rules=False) as router:
        assert router.route("solve AIME problem").model == "o3-mini"
    assert looked_up == []


@pytest.mark.parametrize("model, source, restore", [
    (RuleFile, next(p for p in default_rule_paths() if p.name == "rules.toml"), restore_rule_file),
    (Catalog, default_catalog_path(), lambda data: precompiled.restore(Catalog, data)),
])
def test_a_packaged_file_whose_bytes_changed_is_validated(tmp_path, model, source, restore):
    copy = tmp_path / source.name
    copy.write_bytes(source.read_bytes())
    assert load_packaged(model, copy, lambda data: "rebuilt") == "rebuilt"  # the same bytes: the same result
    copy.write_bytes(source.read_bytes() + b"\n# a comment\n")
    assert load_packaged(model, copy, _refuse) == load_packaged(model, source, restore)
    copy.write_bytes(source.read_bytes().replace(b'id = "', b'id = "Not An Id ', 1))
    with pytest.raises(RuleFileError, match="field 'id'"):
        load_packaged(model, copy, _refuse)


def _refuse(data):
    raise AssertionError("rebuilt from the precompiled form")
