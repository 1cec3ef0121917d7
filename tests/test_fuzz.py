"""Property tests: the Router lets only AdvisorError subclasses escape and its evidence spans
slice the task exactly; the loader lets only RuleFileError escape, whatever the file holds."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from advisor import AdvisorError, Constraints, Recommendation, Router, RuleFileError, Task
from advisor.types import CAPABILITIES

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def router():
    with Router() as r:
        yield r


def _vocabulary() -> list[str]:
    """Words the packaged signals react to (literal heads of their patterns), plus negations."""
    with Router(engine="reference") as r:
        words = set()
        for sig in r.rulebase.signals.values():
            for pattern in sig.patterns[:40]:
                head = re.match(r"(?:\\b)?([A-Za-z\u00c0-\u024f\u3040-\u30ff\u4e00-\u9fff]{3,})", pattern)
                if head:
                    words.add(head.group(1))
        return sorted(words) + ["not", "no", "never", "2 million", "1,000,000", "cheaply", "AIME", "poem", "photo"]


VOCAB = _vocabulary()
ANY_CHAR = st.characters(blacklist_categories=())  # everything, surrogates and controls included
ODD = st.sampled_from(["\x00", "\x1b[0m", "\u200b", "\u202e", "\ufeff", "\ud800", "\r\n", "\t", "İ", "ß", "ﬃ", "\u0301", "字", "🙂"])

texts = st.one_of(
    st.text(ANY_CHAR, max_size=200),
    st.text(max_size=300),
    st.lists(st.one_of(st.sampled_from(VOCAB), ODD, st.text(ANY_CHAR, max_size=5)), max_size=40).map(" ".join),
    st.lists(st.sampled_from(VOCAB), min_size=1, max_size=30).map(" ".join),
)
_known_models = st.sampled_from(["gpt-4.5", "gpt-4o", "o3-mini", "o1"])
model_names = st.one_of(_known_models, _known_models, _known_models, st.sampled_from(["gpt-5", "", "GPT-4o", "o3-mini "]))
ordinary_prices = st.one_of(st.none(), st.decimals(min_value="0.01", max_value="10000", places=2).map(float))
any_prices = st.one_of(st.none(), st.floats(min_value=5e-324, allow_nan=False))


def constraints(prices):
    return st.builds(
        Constraints,
        budget=st.sampled_from([None, "low", "medium", "high"]),
        needs=st.frozensets(st.sampled_from(CAPABILITIES)),
        max_price=prices,
        exclude=st.frozensets(model_names, max_size=3),
        allow=st.frozensets(model_names, max_size=3),
        min_context=st.one_of(st.none(), st.integers(1, 10**7)),
    )


def check(router: Router, task, cons=None) -> None:
    text = task.text if isinstance(task, Task) else task
    try:
        rec = router.route(task, cons)
    except AdvisorError as err:
        assert err.message and err.exit_code in (2, 3)
        return
    assert isinstance(rec, Recommendation)
    assert rec.model in router.catalog.ids
    for firing in rec.fired:
        for e in firing.evidence:
            assert 0 <= e.start < e.end <= len(text)
            assert text[e.start:e.end] == e.text, (e, text[e.start:e.end])
    json.loads(rec.model_dump_json())
    assert rec.explanation


@FUZZ
@given(text=texts)
def test_any_text_gives_a_recommendation_or_an_advisor_error(router, text):
    check(router, text)


@FUZZ
@given(text=texts, cons=constraints(ordinary_prices))
def test_any_text_under_any_ordinary_constraints(router, text, cons):
    check(router, text, cons)
    if text.strip():
        try:
            task = Task(text=text, constraints=cons)
        except ValueError:
            return
        check(router, task)


@FUZZ
@example(text="solve AIME problem", cons=Constraints(max_price=1e16))
@example(text="solve AIME problem", cons=Constraints(max_price=1e-05))
@given(text=texts, cons=constraints(any_prices))
def test_any_text_under_any_valid_constraints(router, text, cons):
    check(router, text, cons)


invalid_constraints = st.fixed_dictionaries({}, optional={
    "budget": st.one_of(st.sampled_from(["low", "huge", "", None]), st.integers()),
    "needs": st.one_of(st.lists(st.sampled_from(list(CAPABILITIES) + ["telepathy", ""])), st.text(max_size=5)),
    "max_price": st.one_of(st.floats(), st.integers(-5, 5), st.text(max_size=4)),
    "exclude": st.lists(model_names, max_size=2),
    "allow": st.lists(model_names, max_size=2),
    "colour": st.just("red"),
})


@FUZZ
@given(text=texts, cons=invalid_constraints)
def test_constraints_as_a_mapping_with_a_text(router, text, cons):
    check(router, text, cons)


@FUZZ
@example(text="solve AIME problem", cons={"budget": "low"})
@given(text=texts.filter(lambda t: t.strip()), cons=invalid_constraints)
def test_constraints_as_a_mapping_with_a_task(router, text, cons):
    check(router, Task(text=text), cons)


# ---- the loader ------------------------------------------------------------------------------

CATALOG_IDS = ["gpt-4.5", "gpt-4o", "o3-mini", "o1"]
SIGNAL_IDS = ["zebra", "okapi"]


def load(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data)
    try:
        with Router(rules=[path], include_default_rules=False):
            pass
    except RuleFileError as err:
        assert str(path) in err.message


toml_ish = st.lists(st.sampled_from(list('[]{}=."\',\n #abcz_019-+:') + ["rule", "signal", "id", "when", "all", "any",
                                                                    "not", "fact", "patterns", "true", "[[rule]]", "[[signal]]"]),
                   max_size=120).map("".join)


@FUZZ
@given(data=st.one_of(st.binary(max_size=400), toml_ish.map(lambda s: s.encode("utf-8")),
                      st.text(ANY_CHAR, max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass"))))
def test_arbitrary_bytes_as_a_rule_file(tmp_path_factory, data):
    load(tmp_path_factory.mktemp("bytes"), data)


# Values a TOML file can hold; the numbers come in two flavours: ordinary ones and any at all.
def toml_values(numbers):
    scalars = st.one_of(st.text(max_size=12), numbers, st.booleans())
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=6), inner, max_size=3)), max_leaves=8)


ordinary_numbers = st.one_of(st.integers(-1000, 100000), st.decimals(min_value="-100", max_value="1000", places=2).map(float))
any_numbers = st.one_of(st.integers(-(2**63), 2**63 - 1), st.floats())


def mostly(good, bad):
    """Mostly well-formed values, so generated files get past the first check to the later ones."""
    return st.one_of(*[good] * 9, bad)


def conditions(numbers):
    leaf = st.one_of(
        mostly(st.sampled_from(SIGNAL_IDS), st.sampled_from(["unknown_sig", ""])),
        st.builds(lambda f, op, v: {"fact": f, op: v},
                  st.sampled_from(["budget", "needs", "max_price", "words", "colour"]),
                  st.sampled_from(["eq", "neq", "lt", "lte", "gt", "gte", "has", "like"]),
                  st.one_of(numbers, st.sampled_from(["low", "unset", "vision", "telepathy"]))),
    )
    return st.recursive(leaf, lambda inner: st.dictionaries(st.sampled_from(["all", "any", "not", "every"]),
                                                            st.lists(inner, max_size=3), min_size=0, max_size=3), max_leaves=8)


def rule_tables(numbers):
    fields = {
        "id": mostly(st.sampled_from(["r.one", "r.two", "r-3"]), st.one_of(st.just("R!"), st.text(max_size=6))),
        "when": mostly(conditions(numbers), toml_values(numbers)),
        "effect": mostly(st.sampled_from(["support", "oppose"]), st.sampled_from(["require", "promote"])),
        "model": mostly(st.sampled_from(CATALOG_IDS), st.sampled_from(["gpt-7", ""])),
        "needs": st.lists(mostly(st.sampled_from(CAPABILITIES), st.just("telepathy")), max_size=2),
        "weight": mostly(st.floats(0.1, 100), numbers),
        "because": mostly(st.text(min_size=1, max_size=20), st.text(max_size=400)),
        "cite": st.lists(mostly(st.sampled_from(["price_blended", "aime_2024"]), st.just("nope")), max_size=2),
        "params": st.dictionaries(st.sampled_from(["reasoning_effort", "x"]), mostly(st.text(max_size=5), numbers), max_size=2),
        "extra": toml_values(numbers),
    }
    optional = {k: v for k, v in fields.items() if k not in ("id", "when", "because", "extra")}
    return mostly(st.fixed_dictionaries({"id": fields["id"], "when": fields["when"], "because": fields["because"],
                               "model": fields["model"]},
                              optional={k: v for k, v in optional.items() if k != "model"}),
                  st.fixed_dictionaries({"id": fields["id"], "when": fields["when"], "because": fields["because"]},
                                        optional={**optional, "extra": fields["extra"]}))


patterns = mostly(
    st.sampled_from([r"\bzebra\b", r"okapi", r"(?i)zebra", r"\d[\d,.]*\s?k", "字", r"(?:zeb|ok)ra\b"]),
    st.one_of(st.sampled_from([r"(a+)+$", r"(\w*)*x", r"(zebra)", r"z*", r"(?:unclosed", r"\b", r"[", "x" * 600,
                               r"(?:\w+\s?)+$"]), st.text(max_size=10)),
)


def signal_tables(numbers):
    return mostly(st.fixed_dictionaries(
        {"id": mostly(st.sampled_from(SIGNAL_IDS), st.sampled_from(["Bad Id", ""])), "about": st.text(max_size=10),
         "patterns": mostly(st.lists(patterns, min_size=1, max_size=4), toml_values(numbers))},
        optional={"case_sensitive": mostly(st.booleans(), numbers)},
    ), st.fixed_dictionaries({"id": st.sampled_from(SIGNAL_IDS)}, optional={"about": st.text(max_size=5), "extra": st.booleans()}))


def rule_files(numbers):
    tables = {"signal": st.lists(signal_tables(numbers), max_size=3), "rule": st.lists(rule_tables(numbers), max_size=3)}
    return mostly(st.fixed_dictionaries(tables), st.fixed_dictionaries({}, optional={**tables, "stray": toml_values(numbers)}))


def to_toml(doc: dict) -> str:
    """A small TOML writer: arrays of tables for rule/signal, inline values everywhere else."""
    lines = []
    for key, value in doc.items():
        if key in ("rule", "signal") and isinstance(value, list):
            continue
        lines.append(f"{_key(key)} = {_value(value)}")
    for key in ("signal", "rule"):
        for table in doc.get(key, []) if isinstance(doc.get(key), list) else []:
            lines.append(f"\n[[{key}]]")
            lines += [f"{_key(k)} = {_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _value(key)


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"


@FUZZ
@given(doc=rule_files(ordinary_numbers))
def test_arbitrary_rule_and_signal_tables(tmp_path_factory, doc):
    load(tmp_path_factory.mktemp("tables"), to_toml(doc).encode("utf-8", "surrogatepass"))


well_formed_files = st.builds(
    lambda rules: {"signal": [{"id": "zebra", "about": "z", "patterns": [r"\bzebra"]},
                              {"id": "okapi", "about": "o", "patterns": ["okapi", "字"]}],
                   "rule": [dict(r, id=f"r.{i}") for i, r in enumerate(rules)]},
    st.lists(st.fixed_dictionaries({"when": conditions(ordinary_numbers), "model": st.sampled_from(CATALOG_IDS),
                                    "because": st.just("b"), "weight": st.floats(0.5, 5)},
                                   optional={"effect": st.sampled_from(["support", "oppose"])}), min_size=1, max_size=4),
)


@FUZZ
@given(doc=well_formed_files)
def test_well_formed_rule_files_with_random_conditions_load_or_say_why(tmp_path_factory, doc):
    path = tmp_path_factory.mktemp("conds") / "rules.toml"
    path.write_text(to_toml(doc), encoding="utf-8")
    try:
        router = Router(rules=[path], include_default_rules=False)
    except RuleFileError as err:
        assert str(path) in err.message
        return
    with router:
        for text in ("a zebra", "okapi 字", "nothing"):
            check(router, text)


@FUZZ
@example(doc={"signal": [{"id": "zebra", "about": "z", "patterns": ["zebra"]}],
              "rule": [{"id": "r.one", "when": {"all": [{"fact": "words", "gt": 1e20}]}, "because": "b", "model": "o1"}]})
@given(doc=rule_files(any_numbers))
def test_arbitrary_rule_and_signal_tables_with_any_numbers(tmp_path_factory, doc):
    load(tmp_path_factory.mktemp("numbers"), to_toml(doc).encode("utf-8", "surrogatepass"))


@FUZZ
@given(doc=rule_files(ordinary_numbers))
def test_the_writer_writes_valid_toml(doc):
    """So the table fuzz above reaches validation, not just the TOML parser."""
    import tomllib

    parsed = tomllib.loads(to_toml(doc))
    assert len(parsed.get("rule", [])) == len(doc.get("rule", []))
