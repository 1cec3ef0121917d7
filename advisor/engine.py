"""The rule engine: validated rules compiled to durable-rules rulesets and evaluated there.

This is the only module that imports durable-rules, and it follows every point of the
project's durable-rules notes: no `Host` (so no timer threads and no global registry), a
unique ruleset name per engine, one fixed session, facts (never events) asserted with a
unique id and retracted in `finally`, firings recorded by rule id only (no Python actions),
a positive `kind = task` guard on every rule, a catch-all rule so "nothing matched" is not
an exception, one lock around each decision, and an explicit `close()` that frees the ruleset.

Where durable-rules cannot be imported (CPython 3.13+), `ReferenceEngine` evaluates the very
same compiled dictionaries in plain Python.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import threading
from typing import TYPE_CHECKING, Any, Callable, Iterable, Protocol

from .conditions import Compare, Condition, Group, Signal
from .errors import EngineError

if TYPE_CHECKING:
    from .rulebase import Rule
    from .types import Constraints

_CATCH_ALL = "$catch-all"
_SID = "advisor"
_names = itertools.count(1)

try:  # durable-rules is a C extension without a build for CPython 3.13+.
    import durable_rules_engine as _native
except ImportError:  # pragma: no cover - exercised on 3.13+ only
    _native = None


def signal_field(name: str) -> str:
    return "sig_" + name


def need_field(capability: str) -> str:
    return "need_" + capability


# ---- compiling conditions to durable-rules' JSON grammar -----------------------------------

_NEGATED_OP = {"eq": "neq", "neq": "eq", "lt": "gte", "lte": "gt", "gt": "lte", "gte": "lt"}


def compile_condition(cond: Condition, negate: bool = False) -> dict[str, Any]:
    """One condition as a durable-rules expression; negation is pushed down to the leaves."""
    if isinstance(cond, Signal):
        return {"$nex" if negate else "$ex": {signal_field(cond.name): 1}}
    if isinstance(cond, Compare):
        return _compile_compare(cond, negate)
    return _compile_group(cond, negate)


def _compile_compare(cond: Compare, negate: bool) -> dict[str, Any]:
    if cond.op == "has":
        return {"$nex" if negate else "$ex": {need_field(str(cond.value)): 1}}
    op = _NEGATED_OP[cond.op] if negate else cond.op
    return {cond.fact: cond.value} if op == "eq" else {f"${op}": {cond.fact: cond.value}}


def _compile_group(cond: Group, negate: bool) -> dict[str, Any]:
    # all(A) and any(B) and none(C)  ==  A1 and .. and (B1 or ..) and not C1 and ..
    terms = [compile_condition(c, negate=False) for c in cond.all]
    if cond.any:
        terms.append(_join("$or", [compile_condition(c) for c in cond.any]))
    terms += [compile_condition(c, negate=True) for c in cond.none]
    if not negate:
        return _join("$and", terms)
    return _join("$or", [_negate_compiled(t) for t in terms])


def _negate_compiled(expr: dict[str, Any]) -> dict[str, Any]:
    (op, body), = expr.items()
    if op in ("$and", "$or"):
        return _join("$or" if op == "$and" else "$and", [_negate_compiled(e) for e in body])
    if op in ("$ex", "$nex"):
        return {"$nex" if op == "$ex" else "$ex": body}
    if op.startswith("$"):
        (fact, value), = body.items()
        negated = _NEGATED_OP[op[1:]]
        return {fact: value} if negated == "eq" else {f"${negated}": {fact: value}}
    return {"$neq": {op: body}}


def _join(op: str, terms: list[dict[str, Any]]) -> dict[str, Any]:
    return terms[0] if len(terms) == 1 else {op: terms}


MAX_BRANCHES = 64  # durable-rules expands `or` into branches; beyond a few hundred it fails


def branch_count(expr: dict[str, Any]) -> int:
    """How many branches durable-rules expands a compiled condition into."""
    (op, body), = expr.items()
    if op == "$and":
        return math.prod(branch_count(e) for e in body)
    if op == "$or":
        return sum(branch_count(e) for e in body)
    return 1


def compile_rules(rules: list[Rule]) -> dict[str, dict[str, Any]]:
    """The whole rule base as one durable-rules ruleset; `pri` keeps file order."""
    ruleset = {
        rule.id: {"all": [{"m": {"$and": [{"kind": "task"}, compile_condition(rule.when)]}}], "pri": i + 1, "run": rule.id}
        for i, rule in enumerate(rules)
    }
    ruleset[_CATCH_ALL] = {"all": [{"m": {"kind": "task"}}], "pri": len(rules) + 1, "run": _CATCH_ALL}
    return ruleset


# ---- engines --------------------------------------------------------------------------------


class Engine(Protocol):
    name: str

    def fire(self, fact: dict[str, Any]) -> list[str]: ...

    def close(self) -> None: ...


class ReferenceEngine:
    """Plain-Python evaluation of the compiled rulesets; same rules, same order as durable-rules.

    Each rule's expression is turned once into nested closures (data to functions, never
    `eval`), so a decision costs a few microseconds.
    """

    name = "reference"

    def __init__(self, rules: list[Rule]) -> None:
        compiled = compile_rules(rules)
        ordered = sorted(compiled.items(), key=lambda kv: kv[1]["pri"])
        self._rules = [(rid, predicate(body["all"][0]["m"])) for rid, body in ordered if rid != _CATCH_ALL]

    def fire(self, fact: dict[str, Any]) -> list[str]:
        return [rid for rid, test in self._rules if test(fact)]

    def close(self) -> None:
        pass


def predicate(expr: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    """A compiled durable-rules expression as a function of the fact."""
    (op, body), = expr.items()
    if op in ("$and", "$or"):
        parts = [predicate(e) for e in body]
        return (lambda f: all(p(f) for p in parts)) if op == "$and" else (lambda f: any(p(f) for p in parts))
    if op in ("$ex", "$nex"):
        (field, _), = body.items()
        return (lambda f: field in f) if op == "$ex" else (lambda f: field not in f)
    if not op.startswith("$"):
        return lambda f: f.get(op, _MISSING) == body
    (field, value), = body.items()
    return lambda f: _compare(op, f.get(field, _MISSING), value)


_MISSING = object()


def evaluate(expr: dict[str, Any], fact: dict[str, Any]) -> bool:
    """Evaluate one durable-rules expression against a fact, as durable-rules does."""
    return predicate(expr)(fact)


def _compare(op: str, left: Any, right: Any) -> bool:
    if left is _MISSING:
        return False
    if op == "$neq":
        return left != right
    return {"$lt": left < right, "$lte": left <= right, "$gt": left > right, "$gte": left >= right}[op]


class DurableEngine:
    """The rule base as one durable-rules ruleset, driven through durable-rules' C engine.

    These are the calls `durable.engine.Ruleset` makes, without its `Host`: so no timer
    threads, no process-wide registry, and no per-action round-trip of session state (which
    the advisor never writes). A firing is only recorded by its rule id; one decision at a time.
    """

    name = "durable-rules"

    def __init__(self, rules: list[Rule]) -> None:
        if _native is None:
            raise RuntimeError("durable-rules is not importable on this Python")
        definition = {rid: {k: v for k, v in body.items() if k != "run"} for rid, body in compile_rules(rules).items()}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._decided = False
        try:
            self._handle = _native.create_ruleset(f"advisor-{next(_names)}", json.dumps(definition, ensure_ascii=False))
        except _native.error as err:
            raise EngineError(f"durable-rules refused the rule base: {err}") from None
        self._closed = False

    def fire(self, fact: dict[str, Any]) -> list[str]:
        """Rule ids that match the fact, in priority order."""
        with self._lock:
            if self._closed:
                raise RuntimeError("engine is closed")
            payload = json.dumps(dict(fact, sid=_SID, id=next(self._ids)), ensure_ascii=False)
            try:
                fired = self._assert(payload)
                self._decided = True
            except _native.error as err:
                raise EngineError(f"durable-rules could not evaluate the task: {err}") from None
            finally:
                _native.retract_fact(self._handle, payload)
        # A rule with `any` compiles to several durable-rules branches, each of which
        # fires on its own; a rule counts once, at its first firing.
        return [rid for rid in dict.fromkeys(fired) if rid != _CATCH_ALL]

    def _assert(self, payload: str) -> list[str]:
        code, state = _native.assert_fact(self._handle, payload)
        if code not in (0, 3):  # 1: nothing matched (the catch-all prevents it); 2: seen before
            raise RuntimeError(f"durable-rules refused the fact (code {code})")
        fired: list[str] = []
        result = _native.start_action_for_state(self._handle, state)
        while result:
            fired.append(_action_name(result[1]))
            message = _native.complete_and_start_action(self._handle, state)
            result = (None, message) if message else None
        return fired

    def facts(self) -> list[Any]:
        """Facts left in the engine's session (none between decisions)."""
        with self._lock:
            return json.loads(_native.get_facts(self._handle, _SID))

    def close(self) -> None:
        """Free the native ruleset; idempotent."""
        with self._lock:
            if not self._closed:
                self._closed = True
                # delete_state crashes on a session where no rule ever fired; ours has fired
                # (the catch-all fires on every fact) once a decision was made.
                if self._decided:
                    _native.delete_state(self._handle, _SID)
                _native.delete_ruleset(self._handle)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


class WordBands:
    """Word counts that no rule tells apart: rules compare the word count only with the
    constants written in them, so counts in one band (between two constants, or at one) fire
    the same rules. Tasks with the same signals, constraints and band are one class."""

    def __init__(self, rules: list[Rule]) -> None:
        limits: set[float] = set()

        def walk(cond: Condition) -> None:
            if isinstance(cond, Compare) and cond.fact == "words":
                limits.add(float(cond.value))
            elif isinstance(cond, Group):
                for part in cond.all + cond.any + cond.none:
                    walk(part)

        for rule in rules:
            walk(rule.when)
        self._limits = tuple(sorted(limits))

    def band(self, words: int) -> tuple[int, bool]:
        # Where a count falls among the constants, and whether it equals one, decides every
        # comparison with them.
        return bisect.bisect_left(self._limits, words), words in self._limits


def _action_name(message: str) -> str:
    """The rule id that keys durable-rules' action message '{"<rule id>": {...}}'.

    Rule ids are plain ([a-z0-9_.-], validated at load), so the key needs no JSON decoding."""
    return message[2:message.index('"', 2)]


def available() -> str:
    """The engine this interpreter uses: durable-rules, or the reference evaluator on 3.13+."""
    return DurableEngine.name if _native is not None else ReferenceEngine.name


def make_engine(rules: list[Rule], kind: str | None = None) -> Engine:
    """The engine named (durable-rules or reference), or the best this interpreter has."""
    kind = kind or available()
    if kind == DurableEngine.name and _native is not None:
        return DurableEngine(rules)
    if kind == ReferenceEngine.name:
        return ReferenceEngine(rules)
    raise EngineError(f"rule engine {kind!r} is not available here (this Python has: {available()}, reference)")




def build_fact(signals: Iterable[str], words: int, constraints: Constraints) -> dict[str, Any]:
    """The one fact a decision asserts: detected signals, the caller's constraints, simple measures."""
    fact: dict[str, Any] = {
        "kind": "task",
        "budget": constraints.budget or "unset",
        # Plain decimals only: the engine's JSON reader refuses exponents (1e-05, 1e+16).
        "max_price": min(max(round(constraints.max_price, 4), 0.0001), 1e12) if constraints.max_price is not None else 1e12,
        "words": words,
    }
    fact.update(dict.fromkeys(map(signal_field, signals), 1))
    fact.update(dict.fromkeys(map(need_field, sorted(constraints.needs)), 1))
    return fact
