"""The engine wrapper against every durable-rules trap, and the durable engine against the
plain-Python reference evaluator (same rule ids, same order) on the corpus, on generated facts
and on generated condition trees."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import corpus
from advisor import Constraints, NoModelError, Router, Task
from advisor import engine as eng
from advisor.conditions import BUDGETS, Compare, Group, Signal
from advisor.engine import DurableEngine, ReferenceEngine, build_fact, compile_condition, compile_rules, evaluate
from advisor.rulebase import Rule
from advisor.signals import Extractor
from advisor.types import CAPABILITIES

HAVE_DURABLE = eng.available() == "durable-rules"
durable_only = pytest.mark.skipif(not HAVE_DURABLE, reason="durable-rules is not importable on this Python")

ROOT = Path(__file__).resolve().parent.parent


def rule(rule_id: str, when, model: str = "gpt-4o", **kw) -> Rule:
    return Rule(id=rule_id, when=when, model=model, because=f"because {rule_id}", **kw)


def leftover_facts(engine) -> list:
    """Facts left in a durable engine's session; there must be none between decisions."""
    if hasattr(engine, "facts"):
        return list(engine.facts())
    return list(engine._host.get_facts(engine._ruleset, "advisor"))


def run_python(code: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run code in a fresh interpreter: a segfault or an endless loop must not take pytest down."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout, cwd=ROOT)


@pytest.fixture(scope="module")
def packaged():
    with Router() as r:
        yield r


@pytest.fixture(scope="module")
def corpus_features(packaged):
    """Signals of every corpus task, extracted once for the whole module."""
    extractor = Extractor(packaged.rulebase.signals)
    return [(text, extractor.extract(text)) for text in corpus.texts()]


@pytest.fixture(scope="module")
def engines(packaged):
    ref = ReferenceEngine(packaged.rulebase.rules)
    dur = DurableEngine(packaged.rulebase.rules) if HAVE_DURABLE else ref
    yield ref, dur
    dur.close()


# ---- trap 1: events fire one rule; every matching rule must fire, in priority order -----------


@durable_only
def test_every_matching_rule_fires_in_file_order():
    rules = [
        rule("a", {"all": ["s1"]}),
        rule("b", {"any": ["s1", "s2"]}),
        rule("c", {"all": [{"fact": "budget", "eq": "low"}]}, model="o3-mini"),
        rule("d", {"all": ["s3"]}),
        rule("e", {"all": ["s2"], "not": ["s3"]}, model="o1", effect="oppose"),
    ]
    fact = build_fact(["s1", "s2"], 5, Constraints(budget="low"))
    engine = DurableEngine(rules)
    try:
        assert engine.fire(fact) == ["a", "b", "c", "e"]
    finally:
        engine.close()
    backwards = DurableEngine(list(reversed(rules)))
    try:
        assert backwards.fire(fact) == ["e", "c", "b", "a"]
    finally:
        backwards.close()


def test_packaged_rules_fire_several_rules_on_one_task(engines, corpus_features):
    ref, dur = engines
    counts = []
    for _, features in corpus_features:
        counts.append(len(dur.fire(build_fact(features.spans, features.words, Constraints()))))
    assert max(counts) >= 2, "no task fires two rules: the 'all rules fire' promise is untested"


# ---- trap 2: a global registry; several rule bases must coexist ------------------------------


@durable_only
def test_two_routers_have_their_own_rulesets_and_close_independently(tmp_path):
    extra = tmp_path / "extra.toml"
    extra.write_text('[[rule]]\nid = "extra.always-o1"\nwhen = { all = [{ fact = "words", gte = 0 }] }\n'
                     'model = "o1"\nweight = 50\nbecause = "Always o1."\n', encoding="utf-8")
    first, second = Router(), Router(rules=[extra])
    try:
        assert first.route("xyzzy plugh").model != "o1"
        assert second.route("xyzzy plugh").model == "o1"
        first.close()
        assert second.route("xyzzy plugh").model == "o1"
        with Router() as third:  # a fresh one after a close still registers fine
            assert third.route("xyzzy plugh").model == Router(engine="reference").route("xyzzy plugh").model
    finally:
        first.close()
        second.close()


def test_the_global_durable_host_is_never_used():
    out = run_python("""
        import sys
        from advisor import Router
        with Router() as r:
            r.route("solve AIME problem")
        print(sorted(m for m in sys.modules if m.startswith("durable.lang")))
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# ---- trap 3: Host() starts timer threads ----------------------------------------------------


@durable_only
def test_no_background_threads():
    before = {t.ident for t in threading.enumerate()}
    router = Router()
    try:
        router.route("solve AIME problem")
        time.sleep(0.3)  # durable's timers start at once and restart themselves
        after = {t.ident for t in threading.enumerate()}
        assert after == before, [t for t in threading.enumerate() if t.ident not in before]
    finally:
        router.close()


# ---- trap 4: not thread-safe ---------------------------------------------------------------


def test_one_engine_shared_by_threads_matches_sequential(engines, corpus_features):
    _, dur = engines
    facts = []
    for i, (_, features) in enumerate(corpus_features[:120]):
        facts.append(build_fact(features.spans, features.words, Constraints(budget=("low", None)[i % 2])))
    expected = [dur.fire(f) for f in facts]
    errors, mismatches = [], []

    def work(offset: int) -> None:
        try:
            for rnd in range(3):
                for i in range(len(facts)):
                    k = (i + offset + rnd) % len(facts)
                    if dur.fire(facts[k]) != expected[k]:
                        mismatches.append(k)
        except Exception as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(n * 17,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and not mismatches


# ---- trap 5: delete_state segfaults on a session where nothing fired -------------------------


@durable_only
def test_closing_engines_that_never_fired_does_not_crash():
    out = run_python("""
        from advisor import Constraints
        from advisor.engine import DurableEngine, build_fact
        from advisor.rulebase import Rule
        rules = [Rule(id="only-s1", when={"all": ["s1"]}, model="gpt-4o", because="b")]
        for i in range(50):
            e = DurableEngine(rules)
            if i % 3 == 1:
                assert e.fire(build_fact([], 1, Constraints())) == []
            if i % 3 == 2:
                assert e.fire(build_fact(["s1"], 1, Constraints())) == ["only-s1"]
            e.close()
            e.close()
        print("ok")
    """)
    assert out.returncode == 0, (out.returncode, out.stderr[-2000:])
    assert out.stdout.strip() == "ok"


# ---- trap 6: identical content raises MessageObservedException; sessions must not pile up ------


def test_identical_tasks_and_identical_facts_repeat_cleanly(packaged, engines):
    first = packaged.route("solve AIME problem")
    for _ in range(5):
        again = packaged.route("solve AIME problem")
        assert again.model_dump() == first.model_dump()
    _, dur = engines
    fact = build_fact(["competition_math"], 3, Constraints())
    results = {tuple(dur.fire(fact)) for _ in range(5)}
    assert len(results) == 1


def test_fire_does_not_change_the_callers_fact(engines):
    _, dur = engines
    fact = build_fact(["competition_math"], 3, Constraints())
    copy = dict(fact)
    dur.fire(fact)
    assert fact == copy


@durable_only
def test_a_thousand_decisions_leave_no_facts(packaged, corpus_features):
    engine = packaged._engine
    for i in range(1000):
        _, features = corpus_features[i % len(corpus_features)]
        engine.fire(build_fact(features.spans, features.words, Constraints(budget=("low", "high", None)[i % 3])))
    assert leftover_facts(engine) == []
    for text, _ in corpus_features[:20]:
        packaged.route(text)
    assert leftover_facts(engine) == []


# ---- trap 7: no rule matched raises MessageNotHandledException -----------------------------


@durable_only
def test_no_rule_fires_is_an_empty_list_not_an_exception():
    engine = DurableEngine([rule("a", {"all": ["s1"]}), rule("b", {"all": [{"fact": "budget", "eq": "low"}]})])
    try:
        for _ in range(3):
            assert engine.fire(build_fact([], 0, Constraints())) == []
    finally:
        engine.close()


def test_a_task_no_rule_fires_on_gets_the_default(packaged, engines):
    ref, _ = engines
    text = "xyzzy plugh"
    features = Extractor(packaged.rulebase.signals).extract(text)
    assert ref.fire(build_fact(features.spans, features.words, Constraints())) == []
    rec = packaged.route(text)
    assert rec.fired == [] and rec.default_used
    assert rec.model == packaged.catalog.default_model


# ---- trap 8: actions take exactly one parameter and must only record ------------------------


@durable_only
def test_python_actions_if_any_take_one_parameter(engines):
    _, dur = engines
    host = getattr(dur, "_host", None)
    if host is None:
        pytest.skip("the engine drives durable-rules' C calls directly and runs no Python actions")
    action = host.get_action("anything")
    assert len(inspect.signature(action).parameters) == 1


@durable_only
def test_consecutive_decisions_are_never_held_by_an_async_action():
    # An action durable-rules takes for asynchronous locks the session for about 60 s.
    out = run_python("""
        import time
        from advisor import Constraints
        from advisor.engine import DurableEngine, build_fact
        from advisor.rulebase import Rule
        e = DurableEngine([Rule(id="a", when={"all": ["s1"]}, model="gpt-4o", because="b")])
        t0 = time.monotonic()
        for i in range(200):
            assert e.fire(build_fact(["s1"], i, Constraints())) == ["a"]
        print(round(time.monotonic() - t0))
    """, timeout=100)
    assert out.returncode == 0, out.stderr[-2000:]
    assert int(out.stdout) < 30


# ---- trap 9: rules with only negative conditions re-fire on the session state ----------------


@durable_only
def test_only_negative_conditions_fire_once_and_return():
    out = run_python("""
        from advisor import Constraints
        from advisor.engine import DurableEngine, build_fact
        from advisor.rulebase import Rule
        rules = [
            Rule(id="neg", when={"not": ["s1", "s2"]}, model="gpt-4o", because="b"),
            Rule(id="neg-fact", when={"not": [{"fact": "budget", "eq": "low"}]}, model="o1", because="b"),
        ]
        e = DurableEngine(rules)
        for i in range(200):
            assert e.fire(build_fact([], i, Constraints())) == ["neg", "neg-fact"]
        assert e.fire(build_fact(["s1"], 1, Constraints(budget="low"))) == []
        facts = e.facts() if hasattr(e, "facts") else e._host.get_facts(e._ruleset, "advisor")
        assert list(facts) == [], facts
        e.close()
        print("ok")
    """, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"


@durable_only
def test_a_negative_only_rule_file_through_the_router(tmp_path):
    path = tmp_path / "neg.toml"
    path.write_text('[[rule]]\nid = "neg.not-maths"\nwhen = { not = ["competition_math"] }\n'
                    'model = "o1"\nweight = 0.5\nbecause = "Not maths."\n', encoding="utf-8")
    out = run_python(f"""
        from advisor import Router
        with Router(rules=[{str(path)!r}]) as r:
            for _ in range(50):
                fired = [f.rule for f in r.route("write a poem about the sea").fired]
                assert fired.count("neg.not-maths") == 1, fired
                assert "neg.not-maths" not in [f.rule for f in r.route("solve AIME problem").fired]
        print("ok")
    """, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"


def test_every_compiled_rule_is_guarded_by_the_task_kind(packaged):
    for rule_id, body in compile_rules(packaged.rulebase.rules).items():
        (cond,) = body["all"]
        m = cond["m"]
        assert m == {"kind": "task"} or m["$and"][0] == {"kind": "task"}, rule_id


# ---- trap 10: durable's regex is broken; no text matching may reach it ----------------------


def test_no_regex_operators_reach_the_engine(packaged):
    compiled = json.dumps(compile_rules(packaged.rulebase.rules))
    assert "$mt" not in compiled and "$imt" not in compiled


def test_alternation_that_durable_misses_is_found(packaged):
    rec = packaged.route("Solve this AIME problem")
    assert rec.model == "o3-mini"
    assert any(e.text == "AIME" for f in rec.fired for e in f.evidence)


# ---- trap 11: bad definitions fail with bare codes; only known operators are emitted --------

_OPERATORS = {"$and", "$or", "$ex", "$nex", "$lt", "$lte", "$gt", "$gte", "$neq"}


def _operators(expr, found):
    (op, body), = expr.items()
    if op in ("$and", "$or"):
        found.add(op)
        for e in body:
            _operators(e, found)
    elif op.startswith("$"):
        found.add(op)
        assert isinstance(body, dict) and len(body) == 1
    return found


def test_compiled_rules_use_only_the_supported_grammar(packaged):
    found: set[str] = set()
    for body in compile_rules(packaged.rulebase.rules).values():
        _operators(body["all"][0]["m"], found)
        assert set(body) == {"all", "pri", "run"}
    assert found <= _OPERATORS


# ---- trap 12: no unloading API; close() must free the ruleset ------------------------------


@durable_only
def test_close_is_idempotent_and_final():
    router = Router()
    router.route("solve AIME problem")
    router.close()
    router.close()
    with pytest.raises(RuntimeError):
        router._engine.fire(build_fact([], 1, Constraints()))
    with Router() as r:
        assert r.route("solve AIME problem").model == "o3-mini"
    r.close()  # after __exit__, once more


@durable_only
def test_created_and_closed_engines_do_not_leak():
    out = run_python("""
        import gc
        from advisor import Router, Constraints
        from advisor.engine import DurableEngine, build_fact
        def rss():
            for line in open("/proc/self/status"):
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        rules = Router(engine="reference").rulebase.rules
        def churn(n):
            for _ in range(n):
                e = DurableEngine(rules)
                e.fire(build_fact(["competition_math"], 3, Constraints()))
                e.close()
        churn(50)   # warm up allocators
        gc.collect()
        before = rss()
        churn(300)
        gc.collect()
        print(rss() - before)
    """)
    assert out.returncode == 0, out.stderr[-2000:]
    growth_kb = int(out.stdout.strip())
    # Without delete_ruleset each engine keeps a few hundred KB (tens of MB for 300).
    assert growth_kb < 8 * 1024, f"{growth_kb} KB for 300 engines"


# ---- differential: durable-rules against the reference evaluator ---------------------------

_VARIANTS = [Constraints(), Constraints(budget="low"), Constraints(budget="medium", needs={"vision"}),
             Constraints(budget="high", max_price=5.0, needs={"audio", "tools"})]


def test_corpus_fires_the_same_rules_in_the_same_order(engines, corpus_features):
    ref, dur = engines
    differences = []
    for text, features in corpus_features:
        for constraints in _VARIANTS:
            fact = build_fact(features.spans, features.words, constraints)
            a, b = dur.fire(fact), ref.fire(fact)
            if a != b:
                differences.append((text[:60], constraints, a, b))
    assert not differences, differences[:5]


def test_the_two_routers_agree_on_a_corpus_sample():
    texts = corpus.texts()[::12]
    with Router() as default, Router(engine="reference") as reference:
        for text in texts:
            a, b = default.decide(Task(text=text)), reference.decide(Task(text=text))
            assert [f.rule for f in a.fired] == [f.rule for f in b.fired], text
            assert a.model.id == b.model.id and a.confidence == b.confidence


def _numbers_in(cond, found: set[float]) -> set[float]:
    if isinstance(cond, Compare) and isinstance(cond.value, float):
        found.add(cond.value)
    if isinstance(cond, Group):
        for c in cond.all + cond.any + cond.none:
            _numbers_in(c, found)
    return found


def _fact_strategy(signal_ids: list[str], boundaries: list[float], max_price: st.SearchStrategy):
    near = [v + d for v in boundaries for d in (-1, -0.5, 0, 0.5, 1)]
    words = st.one_of(st.integers(0, 5000), st.sampled_from([int(v) for v in near if 0 <= v < 1e9] or [0]))
    return st.builds(
        lambda sigs, w, budget, needs, price: build_fact(sigs, w, Constraints(budget=budget, needs=needs, max_price=price)),
        st.lists(st.sampled_from(signal_ids), unique=True, max_size=len(signal_ids)),
        words,
        st.sampled_from([None, "low", "medium", "high"]),
        st.frozensets(st.sampled_from(CAPABILITIES)),
        max_price,
    )


def _packaged_bits():
    with Router(engine="reference") as r:
        boundaries = sorted({v for rl in r.rulebase.rules for v in _numbers_in(rl.when, set())})
        return sorted(r.rulebase.signals), boundaries


_SIGNAL_IDS, _BOUNDARIES = _packaged_bits()
# Prices as callers write them: cents, dollars, the odd large figure.
_ORDINARY_PRICES = st.one_of(st.none(), st.sampled_from([b for b in _BOUNDARIES if b > 0] or [1.0]),
                             st.decimals(min_value="0.01", max_value="100000", places=2).map(float))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fact=_fact_strategy(_SIGNAL_IDS, _BOUNDARIES, _ORDINARY_PRICES))
def test_generated_facts_fire_the_same_rules(engines, fact):
    ref, dur = engines
    assert dur.fire(fact) == ref.fire(fact)


@durable_only
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(fact=build_fact([], 3, Constraints(max_price=1e16)))
@example(fact=build_fact([], 3, Constraints(max_price=1e-05)))
@example(fact=build_fact([], 3, Constraints(max_price=5e-324)))
@example(fact=build_fact([], 3, Constraints(max_price=float("inf"))))
@given(fact=_fact_strategy(_SIGNAL_IDS, _BOUNDARIES, st.one_of(st.none(), st.floats(min_value=5e-324, allow_nan=False))))
def test_generated_facts_with_any_valid_price_fire_the_same_rules(engines, fact):
    ref, dur = engines
    assert dur.fire(fact) == ref.fire(fact)


# ---- differential: generated condition trees -------------------------------------------------

_SIGNALS = ["s0", "s1", "s2", "s3"]
_NUMBERS = [0.0, 1.0, 2.5, 5.0, 100.0, 300.0]

_leaf = st.one_of(
    st.sampled_from(_SIGNALS).map(Signal),
    st.sampled_from(BUDGETS).flatmap(lambda b: st.sampled_from(["eq", "neq"]).map(lambda op: Compare("budget", op, b))),
    st.sampled_from(CAPABILITIES).map(lambda c: Compare("needs", "has", c)),
    st.tuples(st.sampled_from(["max_price", "words"]), st.sampled_from(["lt", "lte", "gt", "gte"]), st.sampled_from(_NUMBERS))
    .map(lambda t: Compare(*t)),
)


def _groups(children):
    parts = st.lists(children, max_size=3).map(tuple)
    return st.builds(Group, all=parts, any=parts, none=parts).filter(lambda g: g.all or g.any or g.none)


def depth(cond) -> int:
    if isinstance(cond, Group):
        return 1 + max((depth(c) for c in cond.all + cond.any + cond.none), default=0)
    return 0


_conditions = st.recursive(_leaf, _groups, max_leaves=10).filter(lambda c: depth(c) <= 6)
_tree_facts = st.builds(
    lambda sigs, words, budget, needs, price: build_fact(sigs, words, Constraints(budget=budget, needs=needs, max_price=price)),
    st.lists(st.sampled_from(_SIGNALS), unique=True),
    st.sampled_from([0, 1, 2, 3, 5, 100, 299, 300, 301]),
    st.sampled_from([None, "low", "medium", "high"]),
    st.frozensets(st.sampled_from(CAPABILITIES)),
    st.sampled_from([None, 1.0, 2.5, 3.0, 5.0, 100.0]),
)


def holds(cond, fact) -> bool:
    """The meaning of a condition, straight from the grammar (an oracle independent of compiling)."""
    if isinstance(cond, Signal):
        return f"sig_{cond.name}" in fact
    if isinstance(cond, Compare):
        if cond.op == "has":
            return f"need_{cond.value}" in fact
        left, right = fact[cond.fact], cond.value
        return {"eq": left == right, "neq": left != right, "lt": left < right, "lte": left <= right,
                "gt": left > right, "gte": left >= right}[cond.op]
    return (all(holds(c, fact) for c in cond.all) and (not cond.any or any(holds(c, fact) for c in cond.any))
            and not any(holds(c, fact) for c in cond.none))


def to_toml_form(cond):
    if isinstance(cond, Signal):
        return cond.name
    if isinstance(cond, Compare):
        return {"fact": cond.fact, cond.op: cond.value}
    raw = {"all": [to_toml_form(c) for c in cond.all], "any": [to_toml_form(c) for c in cond.any],
           "not": [to_toml_form(c) for c in cond.none]}
    return {k: v for k, v in raw.items() if v}


_DOUBLE_NEGATION = Group(none=(Group(none=(Compare("budget", "eq", "low"),)),))


@pytest.mark.parametrize("budget", ["low", None])
def test_double_negation_of_an_equality(budget):
    raw = {"not": [{"not": [{"fact": "budget", "eq": "low"}]}]}
    fact = build_fact([], 1, Constraints(budget=budget))
    expected = ["x"] if budget == "low" else []
    assert ReferenceEngine([rule("x", raw)]).fire(fact) == expected


@settings(max_examples=300, deadline=None)
@example(cond=_DOUBLE_NEGATION, facts=[build_fact([], 1, Constraints(budget="low"))])
@given(cond=_conditions, facts=st.lists(_tree_facts, min_size=1, max_size=6))
def test_compiled_conditions_mean_what_the_grammar_says(cond, facts):
    for negate in (False, True):
        expr = compile_condition(cond, negate=negate)
        for fact in facts:
            assert evaluate(expr, fact) == (holds(cond, fact) != negate)


@durable_only
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(conds=[_DOUBLE_NEGATION], facts=[build_fact([], 1, Constraints(budget="low"))])
@given(conds=st.lists(_conditions, min_size=1, max_size=4), facts=st.lists(_tree_facts, min_size=1, max_size=6))
def test_generated_condition_trees_fire_alike_in_both_engines(conds, facts):
    rules = [rule(f"r{i}", to_toml_form(c)) for i, c in enumerate(conds)]
    assert [r.when for r in rules] == conds  # the TOML form parses back to the same tree
    ref, dur = ReferenceEngine(rules), DurableEngine(rules)
    try:
        for fact in facts:
            expected = [f"r{i}" for i, c in enumerate(conds) if holds(c, fact)]
            assert ref.fire(fact) == expected
            assert dur.fire(fact) == expected
    finally:
        dur.close()


# ---- the memo: tasks of one class share one answer, which is the engine's ------------------


@settings(max_examples=200, deadline=None)
@given(conds=st.lists(_conditions, min_size=1, max_size=4), sigs=st.lists(st.sampled_from(_SIGNALS), unique=True),
       budget=st.sampled_from([None, "low", "medium", "high"]), needs=st.frozensets(st.sampled_from(CAPABILITIES)),
       price=st.sampled_from([None, *_NUMBERS[1:]]), words=st.lists(st.integers(0, 400), min_size=2, max_size=12))
def test_word_counts_in_one_band_fire_the_same_rules(conds, sigs, budget, needs, price, words):
    rules = [rule(f"r{i}", to_toml_form(c)) for i, c in enumerate(conds)]
    bands, ref = eng.WordBands(rules), ReferenceEngine(rules)
    constraints = Constraints(budget=budget, needs=needs, max_price=price)
    seen: dict[tuple[int, bool], list[str]] = {}
    for count in words + [int(v) for v in _NUMBERS]:
        fired = ref.fire(build_fact(sigs, count, constraints))
        assert seen.setdefault(bands.band(count), fired) == fired, (count, bands.band(count))


def test_the_memo_is_bounded(corpus_features):
    with Router(memo_size=16) as router:
        for text, _ in corpus_features[:200]:
            router.route(text)
            assert len(router._memo) <= 16


@durable_only
def test_a_closed_router_refuses_even_what_it_remembers():
    router = Router()
    router.route("solve AIME problem")
    router.close()
    with pytest.raises(RuntimeError):
        router.route("solve AIME problem")


def test_routers_with_and_without_the_memo_agree(corpus_features):
    texts = [text for text, _ in corpus_features]
    constraints = [Constraints(), Constraints(budget="low"), Constraints(max_price=3.0)]

    def outcome(router: Router, text: str, c: Constraints) -> str:
        try:
            return router.route(text, c).model_dump_json()
        except NoModelError as err:
            return f"NoModelError: {err}"

    with Router() as memo, Router(memo_size=0) as plain:
        for i, text in enumerate(texts + texts):
            c = constraints[i % len(constraints)]
            assert outcome(memo, text, c) == outcome(plain, text, c), text


def test_objects_built_on_the_hot_path_equal_validated_ones(corpus_features):
    """Recommendations are assembled without re-validation: each must equal its validated copy."""
    with Router() as router:
        for i, (text, _) in enumerate(corpus_features[::7]):
            constraints = [None, {"exclude": {"gpt-4o"}}, {"needs": {"vision"}}][i % 3]  # exclusions too
            try:
                rec = router.route(text, constraints, counterfactuals=True)
            except NoModelError:  # an audio task without gpt-4o: nothing to compare
                continue
            again = type(rec).model_validate_json(rec.model_dump_json())
            assert again == rec and again.explanation == rec.explanation, text
            for firing in rec.fired:
                assert all(text[e.start:e.end] == e.text for e in firing.evidence)
