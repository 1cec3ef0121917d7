"""Reviewing a rule base: schema errors, dangling references, duplicates, rules that can never
fire, shadowed rules, unused signals, and equal-weight rules that pull one condition two ways."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, Iterator

from pydantic import BaseModel, ConfigDict

from . import conditions as c
from .catalog import Catalog
from .engine import compile_condition, evaluate, need_field, signal_field
from .errors import RuleFileError
from .rulebase import Rule, RuleFile, SignalDef, load_rule_file, rule_problems

MAX_CASES = 1 << 14  # truth-table size beyond which a pair is not checked (said in the finding)


class Finding(BaseModel):
    """One problem in a rule file, with where to find it."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    file: str
    id: str | None
    kind: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.id}" if self.id else self.file
        return f"{where}: [{self.kind}] {self.message}"


def lint(paths: list[Path | str], catalog: Catalog) -> list[Finding]:
    """Every finding over the given rule files, taken together as one rule base."""
    findings: list[Finding] = []
    loaded: list[tuple[str, RuleFile]] = []
    for path in paths:
        try:
            loaded.append((str(path), load_rule_file(path)))
        except RuleFileError as err:
            findings += [Finding(file=err.path, id=None, kind="schema", message=p) for p in err.problems]
    signals, rules, origin = _merge(loaded, findings)
    findings += _references(rules, signals, catalog, origin)
    findings += _never_fire(rules, origin)
    findings += _shadowed(rules, origin)
    findings += _conflicts(rules, origin)
    if len(loaded) == len(paths):  # with a file unread, its rules' signals would all look unused
        findings += _unused_signals(signals, rules, origin)
    return findings


def _merge(loaded: list[tuple[str, RuleFile]], findings: list[Finding]) -> tuple[dict[str, SignalDef], list[Rule], dict[str, str]]:
    signals: dict[str, SignalDef] = {}
    rules: dict[str, Rule] = {}
    origin: dict[str, str] = {}
    for path, rule_file in loaded:
        for kind, items, into in (("signal", rule_file.signal, signals), ("rule", rule_file.rule, rules)):
            for item in items:
                if item.id in into:
                    findings.append(Finding(file=path, id=item.id, kind="duplicate-id", message=f"{kind} id also defined in {origin[kind + ':' + item.id]}"))
                into[item.id] = item
                origin[f"{kind}:{item.id}"] = path
    return signals, list(rules.values()), origin


def _references(rules: list[Rule], signals: dict[str, SignalDef], catalog: Catalog, origin: dict[str, str]) -> list[Finding]:
    return [Finding(file=origin[f"rule:{r.id}"], id=r.id, kind=kind, message=msg) for r in rules for kind, msg in rule_problems(r, signals, catalog)]


def _never_fire(rules: list[Rule], origin: dict[str, str]) -> list[Finding]:
    return [
        Finding(file=origin[f"rule:{r.id}"], id=r.id, kind="never-fires", message=f"its condition can never hold: {c.describe(r.when)}")
        for r in rules
        if _always(lambda fact, r=r: not _holds(r.when, fact), [r.when]) is True
    ]


def _shadowed(rules: list[Rule], origin: dict[str, str]) -> list[Finding]:
    found = []
    for a, b in itertools.permutations(rules, 2):
        if a.model == b.model and a.effect == b.effect and a.when != b.when and _implies(a.when, b.when) and not _implies(b.when, a.when):
            found.append(Finding(file=origin[f"rule:{a.id}"], id=a.id, kind="shadowed",
                                 message=f"fires only when {b.id} fires too and pushes {a.model} the same way; fold it into {b.id} or narrow {b.id}"))
    return found


def _conflicts(rules: list[Rule], origin: dict[str, str]) -> list[Finding]:
    found = []
    for a, b in itertools.combinations(rules, 2):
        if a.effect == b.effect == "support" and a.model != b.model and a.weight == b.weight and _implies(a.when, b.when) and _implies(b.when, a.when):
            found.append(Finding(file=origin[f"rule:{a.id}"], id=a.id, kind="conflict",
                                 message=f"same condition and weight as {b.id} but supports {a.model}, not {b.model}: the answer is a tie-break"))
    return found


def _unused_signals(signals: dict[str, SignalDef], rules: list[Rule], origin: dict[str, str]) -> list[Finding]:
    used = set().union(*(c.signals_in(r.when) for r in rules)) if rules else set()
    return [Finding(file=origin[f"signal:{s}"], id=s, kind="unused-signal", message="no rule mentions this signal") for s in signals if s not in used]


def _implies(a: c.Condition, b: c.Condition) -> bool:
    return _always(lambda fact: not _holds(a, fact) or _holds(b, fact), [a, b]) is True


def _holds(cond: c.Condition, fact: dict[str, Any]) -> bool:
    return evaluate(compile_condition(cond), fact)


def _always(predicate: Any, conds: list[c.Condition]) -> bool | None:
    """True if the predicate holds on every fact over the variables the conditions mention."""
    cases = _cases(conds)
    if cases is None:
        return None
    return all(predicate(fact) for fact in cases)


def _cases(conds: list[c.Condition]) -> Iterator[dict[str, Any]] | None:
    signals = sorted(set().union(*(c.signals_in(x) for x in conds)))
    compares = [cmp for x in conds for cmp in _compares(x)]
    needs = sorted({str(cmp.value) for cmp in compares if cmp.fact == "needs"})
    axes: list[list[tuple[str, Any]]] = [[(signal_field(s), 1), (signal_field(s), None)] for s in signals]
    axes += [[(need_field(n), 1), (need_field(n), None)] for n in needs]
    axes.append([("budget", b) for b in c.BUDGETS])
    axes += [[(fact, v) for v in _sample_values(fact, compares)] for fact in ("max_price", "words")]
    size = 1
    for axis in axes:
        size *= len(axis)
    if size > MAX_CASES:
        return None
    return ({k: v for k, v in combo if v is not None} for combo in itertools.product(*axes))


def _compares(cond: c.Condition) -> list[c.Compare]:
    if isinstance(cond, c.Compare):
        return [cond]
    if isinstance(cond, c.Group):
        return [x for part in cond.all + cond.any + cond.none for x in _compares(part)]
    return []


def _sample_values(fact: str, compares: list[c.Compare]) -> list[float]:
    points = {float(cmp.value) for cmp in compares if cmp.fact == fact}
    return sorted({0.0, 1e12} | {p + d for p in points for d in (-0.5, 0.0, 0.5)})
