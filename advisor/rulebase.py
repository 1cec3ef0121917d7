"""Loading the rule base: signal definitions and rules from TOML, validated strictly."""

# No `from __future__ import annotations` in this module: pydantic would read each field's type
# back from its string (a compile and an eval apiece), which costs milliseconds of every start.

import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from . import conditions, precompiled
from ._files import load_packaged, read_toml, validate
from .catalog import Catalog
from .errors import RuleFileError
from .patterns import analyse, problem
from .rules import FOLDER
from .trusted import trusted
from .types import CAPABILITIES

MAX_PATTERN_LENGTH = 500


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class SignalDef(_Strict):
    """A concept to detect in a task, as Python regular expressions (matched case-insensitively)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    about: str
    case_sensitive: bool = False  # before `patterns`: their validation compiles with it
    patterns: list[str] = Field(min_length=1, max_length=200)

    @field_validator("patterns")
    @classmethod
    def _compile(cls, patterns: list[str], info: ValidationInfo) -> list[str]:
        for i, pattern in enumerate(patterns):
            _check_pattern(pattern, i, bool(info.data.get("case_sensitive")))
        return patterns


def _check_pattern(pattern: str, index: int, case_sensitive: bool) -> None:
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ValueError(f"pattern {index} is longer than {MAX_PATTERN_LENGTH} characters")
    try:
        analysed = analyse(pattern, case_sensitive)
    except re.error as err:
        raise ValueError(f"pattern {index} {pattern!r} is not a valid regular expression: {err}") from None
    why = None if analysed.checked else problem(analysed)  # precompiled ones passed when indexed
    if why:
        raise ValueError(f"pattern {index} {pattern!r} {why}")


class _WrittenAsData:
    """Marks a condition field: pydantic writes a condition as the dict of its fields (see
    `conditions.as_data`), as it would a dataclass, where it would write a tuple's items."""

    @staticmethod
    def __get_pydantic_core_schema__(source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema  # built when a rule is first validated or dumped

        return core_schema.any_schema(serialization=core_schema.plain_serializer_function_ser_schema(conditions.as_data))


class Rule(_Strict):
    """When a condition holds, support or oppose a model, or require a capability."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$", max_length=80)
    when: Annotated[Any, _WrittenAsData]
    effect: Literal["support", "oppose", "require"] = "support"
    model: str | None = None
    needs: list[str] = []
    weight: float = Field(default=1.0, gt=0, le=100)
    # Rules sharing a group count once per model: only the heaviest that fired adds its weight
    # (several topic words are one cue, and must not outweigh what the task asks for).
    group: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_\-]*$")
    because: str = Field(min_length=1, max_length=300)
    cite: list[str] = []
    params: dict[str, str] = {}

    @field_validator("when", mode="before")
    @classmethod
    def _parse_when(cls, raw: Any) -> conditions.Condition:
        try:
            return conditions.parse(raw)
        except conditions.ConditionError as err:
            raise ValueError(str(err)) from None

    @field_validator("needs")
    @classmethod
    def _known_needs(cls, needs: list[str]) -> list[str]:
        unknown = sorted(set(needs) - set(CAPABILITIES))
        if unknown:
            raise ValueError(f"unknown capability {unknown[0]!r} (known: {', '.join(CAPABILITIES)})")
        return needs

    @cached_property
    def shown_signals(self) -> tuple[str, ...]:
        """The signals whose spans are this rule's evidence: those its condition needs present."""
        return tuple(sorted(conditions.positive_signals(self.when)))

    @model_validator(mode="after")
    def _effect_shape(self) -> "Rule":
        if self.effect == "require" and (not self.needs or self.model):
            raise ValueError("effect 'require' takes 'needs' (capabilities) and no 'model'")
        if self.effect != "require" and (not self.model or self.needs):
            raise ValueError(f"effect {self.effect!r} takes a 'model' and no 'needs'")
        return self


class RuleFile(_Strict):
    signal: list[SignalDef] = []
    rule: list[Rule] = []


class RuleBase:
    """The merged, cross-checked signals and rules; later files override earlier ids."""

    # A plain class: a dataclass costs most of a millisecond of every start to define.
    __slots__ = ("signals", "rules", "origin", "_by_id")

    def __init__(self, signals: dict[str, SignalDef], rules: list[Rule], origin: dict[str, str] | None = None) -> None:
        self.signals = signals
        self.rules = rules
        self.origin = {} if origin is None else origin  # "rule:ID" / "signal:ID" -> file
        self._by_id = {r.id: r for r in rules}

    def rule(self, rule_id: str) -> Rule:
        return self._by_id[rule_id]

    def __eq__(self, other: object) -> bool:
        if type(other) is not RuleBase:
            return NotImplemented
        return (self.signals, self.rules, self.origin) == (other.signals, other.rules, other.origin)

    def __repr__(self) -> str:
        return f"RuleBase(signals={self.signals!r}, rules={self.rules!r}, origin={self.origin!r})"


def default_rule_paths() -> list[Path]:
    return sorted(p for p in FOLDER.glob("*.toml") if p.name != "catalog.toml")


def load_rule_file(path: Path | str) -> RuleFile:
    return validate(RuleFile, read_toml(path), path)


def packaged_rule_files() -> list[tuple[Path, RuleFile]]:
    """The packaged rule files, from their validated form when precompiled (see precompiled)."""
    return [(path, load_packaged(RuleFile, path, restore_rule_file)) for path in default_rule_paths()]


def restore_rule_file(data: dict[str, Any]) -> RuleFile:
    """A RuleFile from its `model_dump(mode="json")`: its models as `precompiled.restore` rebuilds
    them, and each rule's condition from the fields of its dataclasses."""
    return trusted(
        RuleFile,
        signal=[precompiled.restore(SignalDef, s) for s in data["signal"]],
        rule=[precompiled.restore(Rule, {**r, "when": _condition(r["when"])}) for r in data["rule"]],
    )


def _condition(data: dict[str, Any]) -> conditions.Condition:
    if "name" in data:
        return conditions.Signal(data["name"])
    if "fact" in data:
        return conditions.Compare(data["fact"], data["op"], data["value"])
    return conditions.Group(*(tuple(_condition(part) for part in data[key]) for key in ("all", "any", "none")))


def load_rulebase(paths: list[Path | str], catalog: Catalog, *, packaged: bool = False) -> RuleBase:
    """Load, merge and cross-check rule files against each other and the catalog; with
    `packaged`, the packaged rule files come first."""
    files = packaged_rule_files() if packaged else []
    files += [(path, load_rule_file(path)) for path in paths]
    signals: dict[str, SignalDef] = {}
    rules: dict[str, Rule] = {}
    origin: dict[str, str] = {}
    for path, loaded in files:
        _merge(loaded.signal, signals, origin, "signal", str(path))
        _merge(loaded.rule, rules, origin, "rule", str(path))
    base = RuleBase(signals=signals, rules=list(rules.values()), origin=origin)
    _cross_check(base, catalog)
    return base


def _merge(items: list[Any], into: dict[str, Any], origin: dict[str, str], kind: str, path: str) -> None:
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise RuleFileError(path, [f"{kind} {item.id!r}: field 'id': duplicate id in this file"])
        seen.add(item.id)
        into[item.id] = item
        origin[f"{kind}:{item.id}"] = path


def _cross_check(base: RuleBase, catalog: Catalog) -> None:
    for rule in base.rules:
        problems = [message for _, message in rule_problems(rule, base.signals, catalog)]
        if problems:
            raise RuleFileError(base.origin[f"rule:{rule.id}"], [f"rule {rule.id!r}: {p}" for p in problems])


def rule_problems(rule: Rule, signals: dict[str, SignalDef], catalog: Catalog) -> list[tuple[str, str]]:
    """(kind, message) for each reference a rule makes to something that does not exist."""
    problems = [("unknown-signal", f"field 'when': unknown signal {s!r}") for s in sorted(conditions.signals_in(rule.when)) if s not in signals]
    if rule.model and rule.model not in catalog.ids:
        problems.append(("unknown-model", f"field 'model': unknown model {rule.model!r} (catalog has {', '.join(catalog.ids)})"))
    figures = catalog.figures()
    problems += [("unknown-citation", f"field 'cite': unknown figure {c!r}") for c in rule.cite if c not in figures]
    problems += [("schema", f"field 'when': {p}") for p in _compare_problems(rule.when)]
    from .engine import MAX_BRANCHES, branch_count, compile_condition  # the engine imports this module

    branches = branch_count(compile_condition(rule.when))
    if branches > MAX_BRANCHES:
        problems.append(("schema", f"field 'when': the condition expands to {branches} alternatives; the limit is {MAX_BRANCHES}"))
    return problems
def _compare_problems(cond: conditions.Condition) -> list[str]:
    if isinstance(cond, conditions.Compare):
        bad = cond.fact == "needs" and cond.value not in CAPABILITIES
        return [f"unknown capability {cond.value!r}"] if bad else []
    if isinstance(cond, conditions.Group):
        return [p for c in cond.all + cond.any + cond.none for p in _compare_problems(c)]
    return []
