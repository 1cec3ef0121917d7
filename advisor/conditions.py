"""The rule condition grammar: all / any / not over signal names and constraint comparisons.

A condition is data, never code. In a rule file it reads::

    when = { all = ["competition_math"], not = ["lay_audience", { fact = "budget", eq = "low" }] }

A string names a signal; a table with ``fact`` compares a constraint; a table with ``all``,
``any`` and/or ``not`` combines conditions (its keys are ANDed; ``not`` means none of them).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, NamedTuple, Union

MAX_DEPTH = 8
MAX_ITEMS = 64
COMPARE_OPS = ("eq", "neq", "lt", "lte", "gt", "gte", "has")
FACTS: dict[str, tuple[str, ...]] = {
    "budget": ("eq", "neq"),
    "needs": ("has",),
    "max_price": ("lt", "lte", "gt", "gte"),
    "words": ("lt", "lte", "gt", "gte"),
}
BUDGETS = ("low", "medium", "high", "unset")
# The rule engine reads numbers only in plain decimal notation (no exponent, no inf or nan).
MIN_NUMBER, MAX_NUMBER = 1e-4, 1e12


# Named tuples: immutable and hashable records like frozen dataclasses, which take most of a
# millisecond of every start to define, each. A rule's dump writes them as the dicts of their
# fields all the same (see `as_data`).
class Signal(NamedTuple):
    name: str


class Compare(NamedTuple):
    fact: str
    op: str
    value: str | float


class Group(NamedTuple):
    all: tuple[Condition, ...] = ()
    any: tuple[Condition, ...] = ()
    none: tuple[Condition, ...] = ()


Condition = Union[Signal, Compare, Group]


def as_data(cond: Condition) -> dict[str, Any]:
    """A condition as its fields by name, the parts of a group likewise: how a rule is dumped."""
    if isinstance(cond, Group):
        return {key: tuple(as_data(part) for part in parts) for key, parts in zip(Group._fields, cond)}
    return cond._asdict()


class ConditionError(ValueError):
    """A malformed condition; the message names the path inside `when`."""


def parse(raw: Any, where: str = "when", depth: int = 0) -> Condition:
    """Turn the TOML form of a condition into a tree, with a precise message on any mistake."""
    if depth > MAX_DEPTH:
        raise ConditionError(f"{where}: conditions nest deeper than {MAX_DEPTH} levels")
    if isinstance(raw, str):
        return Signal(raw)
    if not isinstance(raw, dict):
        raise ConditionError(f"{where}: expected a signal name or a table, got {type(raw).__name__}")
    if "fact" in raw:
        return _parse_compare(raw, where)
    return _parse_group(raw, where, depth)


def _parse_group(raw: dict[str, Any], where: str, depth: int) -> Group:
    unknown = sorted(set(raw) - {"all", "any", "not"})
    if unknown:
        raise ConditionError(f"{where}: unknown key {unknown[0]!r} (use all, any, not, or fact)")
    if not raw:
        raise ConditionError(f"{where}: an empty table matches nothing; give all, any or not")
    parts = {key: _parse_list(raw[key], f"{where}.{key}", depth) for key in raw}
    return Group(all=parts.get("all", ()), any=parts.get("any", ()), none=parts.get("not", ()))


def _parse_list(raw: Any, where: str, depth: int) -> tuple[Condition, ...]:
    if not isinstance(raw, list) or not raw:
        raise ConditionError(f"{where}: expected a non-empty list of conditions")
    if len(raw) > MAX_ITEMS:
        raise ConditionError(f"{where}: more than {MAX_ITEMS} conditions")
    return tuple(parse(item, f"{where}[{i}]", depth + 1) for i, item in enumerate(raw))


def _parse_compare(raw: dict[str, Any], where: str) -> Compare:
    fact = raw["fact"]
    if fact not in FACTS:
        raise ConditionError(f"{where}.fact: unknown fact {fact!r} (known: {', '.join(FACTS)})")
    ops = [key for key in raw if key != "fact"]
    if len(ops) != 1 or ops[0] not in FACTS[fact]:
        raise ConditionError(f"{where}: fact {fact!r} takes exactly one of {', '.join(FACTS[fact])}")
    op, value = ops[0], raw[ops[0]]
    return Compare(fact, op, _check_value(fact, value, f"{where}.{op}"))


def _check_value(fact: str, value: Any, where: str) -> str | float:
    if fact in ("max_price", "words"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConditionError(f"{where}: expected a number")
        if not (value == 0 or MIN_NUMBER <= abs(value) <= MAX_NUMBER):
            raise ConditionError(f"{where}: {value!r} is out of range (0, or {MIN_NUMBER:g} to {MAX_NUMBER:g} in size)")
        return float(value)
    if fact == "budget" and value not in BUDGETS:
        raise ConditionError(f"{where}: budget is one of {', '.join(BUDGETS)}")
    if fact == "needs" and not isinstance(value, str):
        raise ConditionError(f"{where}: expected a capability name")
    return value


@lru_cache(maxsize=4096)
def signals_in(cond: Condition) -> frozenset[str]:
    """Every signal name a condition mentions."""
    if isinstance(cond, Signal):
        return frozenset({cond.name})
    if isinstance(cond, Compare):
        return frozenset()
    return frozenset().union(*(signals_in(c) for c in cond.all + cond.any + cond.none))


@lru_cache(maxsize=4096)
def positive_signals(cond: Condition) -> frozenset[str]:
    """The signals a condition needs present (those under `not` are left out): the evidence."""
    if isinstance(cond, Signal):
        return frozenset({cond.name})
    if isinstance(cond, Compare):
        return frozenset()
    return frozenset().union(*(positive_signals(c) for c in cond.all + cond.any))


def describe(cond: Condition) -> str:
    """A one-line human form: 'competition_math and not (lay_audience)'."""
    if isinstance(cond, Signal):
        return cond.name
    if isinstance(cond, Compare):
        return f"{cond.fact} {cond.op} {cond.value:g}" if isinstance(cond.value, float) else f"{cond.fact} {cond.op} {cond.value}"
    parts = [" and ".join(_wrap(c) for c in cond.all)] if cond.all else []
    parts += [f"any of ({', '.join(describe(c) for c in cond.any)})"] if cond.any else []
    parts += [f"none of ({', '.join(describe(c) for c in cond.none)})"] if cond.none else []
    return " and ".join(parts)


def _wrap(cond: Condition) -> str:
    text = describe(cond)
    return f"({text})" if isinstance(cond, Group) else text


def unmet(cond: Condition, holds: Callable[[Condition], bool]) -> str | None:
    """Why a condition does not hold (None when it does): the first part that fails.

    `holds` answers for any part of the condition, the way the engine evaluates it; this
    function only finds which part to name for a rule that did not fire.
    """
    if holds(cond):
        return None
    if isinstance(cond, Signal):
        return f"no {cond.name}"
    if isinstance(cond, Compare):
        return f"{describe(cond)} is false"
    for part in cond.all:
        if not holds(part):
            return unmet(part, holds)
    if cond.any and not any(holds(part) for part in cond.any):
        return f"none of ({', '.join(describe(c) for c in cond.any)})"
    for part in cond.none:
        if holds(part):
            return f"{describe(part)} holds (excluded by not)"
    return None
