"""One Router shared by threads gives the sequential answers; several Routers coexist."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import corpus
from advisor import Constraints, Router, Task
from advisor import engine as eng

THREADS = 8
ROUNDS = 3
CONSTRAINTS = [Constraints(), Constraints(budget="low"), Constraints(needs={"vision"}), Constraints(budget="high", exclude={"o1"})]


def mixed_tasks(limit: int = 24) -> list[Task]:
    """One task per corpus area (so the mix spans the rule base), each with one of a few constraints."""
    texts: list[str] = []
    seen: set[str | None] = set()
    for row in corpus.rows():
        if row.get("area") not in seen or row.get("area") is None:
            seen.add(row.get("area"))
            texts.append(row["text"])
    texts = texts[:limit]
    return [Task(text=t, constraints=CONSTRAINTS[i % len(CONSTRAINTS)]) for i, t in enumerate(texts)]


def summary(rec) -> tuple:
    return (rec.model, [f.rule for f in rec.fired], rec.confidence, rec.explanation, rec.model_dump_json())


def leftover_facts(engine) -> list:
    if hasattr(engine, "facts"):
        return list(engine.facts())
    return list(engine._host.get_facts(engine._ruleset, "advisor"))


@pytest.mark.parametrize("memo_size", [0, 4096], ids=["engine-every-time", "memo"])
@pytest.mark.parametrize("engine", [None, "reference"])
def test_threads_sharing_a_router_match_the_sequential_answers(engine, memo_size):
    tasks = mixed_tasks()
    with Router(engine=engine, memo_size=memo_size) as router:
        expected = [summary(router.route(t)) for t in tasks]
        assert len({e[0] for e in expected}) >= 2, "the mix should not all go to one model"
        results: dict[tuple[int, int, int], tuple[int, tuple]] = {}
        errors: list[BaseException] = []
        start = threading.Barrier(THREADS)

        def work(n: int) -> None:
            try:
                start.wait()
                for rnd in range(ROUNDS):
                    for i in range(len(tasks)):
                        k = (i * (n + 1) + rnd) % len(tasks)  # each thread walks the list in its own order
                        results[(n, rnd, i)] = (k, summary(router.route(tasks[k])))
            except BaseException as err:  # noqa: BLE001 - every error is a failure here
                errors.append(err)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
        assert not any(t.is_alive() for t in threads), "a thread did not finish"
        assert errors == []
        assert len(results) == THREADS * ROUNDS * len(tasks)
        wrong = [(tasks[k].text[:50], got[:3], expected[k][:3]) for k, got in results.values() if got != expected[k]]
        assert wrong == []
        if router.engine_name != eng.ReferenceEngine.name:
            assert leftover_facts(router._engine) == []


def test_threads_mixing_good_and_bad_input_raise_only_their_own_errors():
    good = "solve AIME problem"
    bad = [("   ", "InputError"), ("hi", "NoModelError")]
    with Router(memo_size=0) as router:
        want = summary(router.route(good))
        outcomes: list[tuple[str, str]] = []
        lock = threading.Lock()

        def work(n: int) -> None:
            for i in range(30):
                text, kind = (good, "ok") if (i + n) % 3 == 0 else bad[(i + n) % 2]
                constraints = Constraints(allow={"o3-mini"}, needs={"vision"}) if kind == "NoModelError" else None
                try:
                    got = "ok" if summary(router.route(text, constraints)) == want else "WRONG"
                except Exception as err:  # noqa: BLE001
                    got = type(err).__name__
                with lock:
                    outcomes.append((kind, got))

        threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
        assert outcomes and all(kind == got for kind, got in outcomes), [o for o in outcomes if o[0] != o[1]][:5]
        if router.engine_name != eng.ReferenceEngine.name:
            assert leftover_facts(router._engine) == []


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_routers_with_different_rule_bases_coexist_and_close_independently(tmp_path):
    o1_always = _write(tmp_path / "o1.toml", """
[[rule]]
id = "local.o1-for-everything"
when = { all = [{ fact = "words", gte = 0 }] }
model = "o1"
weight = 90
because = "This team sends everything to o1."
""")
    new_signal = _write(tmp_path / "sonnet.toml", """
[[signal]]
id = "sonnet_word"
about = "The word sonnet."
patterns = ['\\bsonnetz\\b']

[[rule]]
id = "local.sonnetz"
when = { all = ["sonnet_word"] }
model = "o3-mini"
weight = 80
because = "Sonnetz are a house speciality."
""")
    plain, always, sonnet = Router(), Router(rules=[o1_always]), Router(rules=[new_signal])
    try:
        text = "write sonnetz about the sea"
        answers = {name: r.route(text).model for name, r in (("plain", plain), ("always", always), ("sonnet", sonnet))}
        assert answers["always"] == "o1"
        assert answers["sonnet"] == "o3-mini"
        assert answers["plain"] not in ("o1",) and answers["plain"] == Router(engine="reference").route(text).model
        assert "local.sonnetz" not in [f.rule for f in plain.route(text).fired]

        # Threads hitting all three at once still get each Router's own answer.
        errors: list[BaseException] = []
        got: list[tuple[str, str]] = []

        def work(name: str, router: Router) -> None:
            try:
                for _ in range(10):
                    got.append((name, router.route(text).model))
            except BaseException as err:  # noqa: BLE001
                errors.append(err)

        threads = [threading.Thread(target=work, args=(name, r)) for name, r in
                   (("plain", plain), ("always", always), ("sonnet", sonnet)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
        assert errors == [] and all(model == answers[name] for name, model in got)

        always.close()
        if always.engine_name != eng.ReferenceEngine.name:
            with pytest.raises(RuntimeError):
                always.route(text)
        assert plain.route(text).model == answers["plain"]
        assert sonnet.route(text).model == "o3-mini"
        sonnet.close()
        assert plain.route("solve AIME problem").model == "o3-mini"
    finally:
        for r in (plain, always, sonnet):
            r.close()


def test_many_routers_in_one_process_one_after_another(tmp_path):
    extra = _write(tmp_path / "x.toml", '[[rule]]\nid = "local.o1"\nwhen = { all = [{ fact = "words", gte = 0 }] }\n'
                                        'model = "o1"\nweight = 90\nbecause = "o1."\n')
    for i in range(6):
        with Router(rules=[extra] if i % 2 else []) as r:
            assert (r.route("xyzzy plugh").model == "o1") == bool(i % 2)
