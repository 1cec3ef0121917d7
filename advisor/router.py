"""The Router: the advisor's entry point for apps and the CLI."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from . import _collector, engine as _engine, native
from .catalog import Catalog, load_catalog
from .errors import InputError
from .counterfactuals import find_counterfactuals
from .rulebase import RuleBase, load_rulebase
from .features import Features
from .types import NO_CONSTRAINTS, Constraints, Recommendation, Task

if TYPE_CHECKING:
    from .decide import Decision, Outline
    from .trace import Trace

MAX_TASK_CHARS = 8_000_000  # about 8 MB of text; matching stays linear, this only bounds memory
_BINARY_SHARE = 0.3  # tasks with more control characters than this are taken for binary data
# C0/C1 controls (but tab, newline, return), surrogates, private use, and U+FFFD from bad UTF-8.
_NOT_TEXT = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\ufffd]"
# The ASCII characters that are text: in an ASCII task the others are what is left once these
# are deleted from its bytes (one pass in C, a tenth of a regex's findall). Compiling the whole
# set above takes a millisecond (its ranges are thousands of characters wide), which a task in
# ASCII, most of them, need not pay.
_ASCII_TEXT = b"\t\n\r" + bytes(range(0x20, 0x7F))


class Router:
    """Loads a rule base and catalog once; `route()` is then cheap and safe to call from threads."""

    def __init__(
        self,
        rules: list[str | Path] | None = None,
        catalog: str | Path | None = None,
        *,
        include_default_rules: bool = True,
        engine: str | None = None,
        memo_size: int = 4096,
    ) -> None:
        """`memo_size`: how many classes of equivalent tasks (same signals, constraints and
        threshold bands) keep their engine answer and decision outline; 0 asks the engine
        every time. The memo saves time and never changes an answer."""
        with _collector.paused():  # what loading makes stays alive: see _collector
            self.catalog: Catalog = load_catalog(catalog)
            self.rulebase: RuleBase = load_rulebase([Path(p) for p in rules or []], self.catalog, packaged=include_default_rules)
            self._extractor = native.make_extractor(self.rulebase.signals)
            self._decisions = native.module("decide")  # advisor.decide, or its compiled twin
            self._engine = _engine.make_engine(self.rulebase.rules, engine)
            self._bands = _engine.WordBands(self.rulebase.rules)
        self._memo_size = memo_size
        self._memo: dict[tuple[object, ...], Outline] = {}

    @property
    def engine_name(self) -> str:
        return self._engine.name

    def route(self, task: str | Task, constraints: Constraints | None = None, *, counterfactuals: bool = False) -> Recommendation:
        """Recommend a model for a task; raises InputError or NoModelError on unusable input.

        With counterfactuals=True the rule base is evaluated again under each smallest change
        (one constraint, or one detected signal dropped) and those that change the answer are listed.
        """
        constraints, features = self._prepare(task, constraints)
        chosen = self._outline(features, constraints)
        found = find_counterfactuals(self._outline, features, constraints, chosen.model.id) if counterfactuals else []
        return self._decisions.recommend(chosen, features, found)  # type: ignore[no-any-return]

    def decide(self, task: Task) -> Decision:
        """The decision behind a recommendation, before anything is rendered."""
        constraints, features = self._prepare(task, None)
        return self._decide(features, constraints)

    def route_messages(self, messages: list[dict], tools: list[dict] | None = None, response_format: dict | None = None,
                       constraints: Constraints | None = None) -> Recommendation:
        """Recommend a model for a chat conversation: its latest user message decides, earlier turns as weaker evidence."""
        from .messages import route_messages  # its pydantic models are imported by apps that use them only

        return route_messages(self, messages, tools, response_format, constraints)

    def trace(self, task: str | Task, constraints: Constraints | None = None) -> Trace:
        """Every signal, every rule (fired or not, and the condition that failed), the arithmetic."""
        from .trace import build_trace  # its types are built by those who trace, only

        constraints, features = self._prepare(task, constraints)
        fired = self._fire(features, constraints)
        decision = self._decisions.decide(self.catalog, self.rulebase, fired, features, constraints)
        return build_trace(self.rulebase, features, constraints, fired, decision)

    def _prepare(self, task: str | Task, constraints: Constraints | None) -> tuple[Constraints, Features]:
        """The checked task's constraints (text, size, model names checked) and what its text shows."""
        text, constraints = _checked(task, constraints)
        self._check_models(constraints)
        return constraints, self._extractor.extract(text)

    def _decide(self, features: Features, constraints: Constraints) -> Decision:
        return self._decisions.decision(self._outline(features, constraints), features)  # type: ignore[no-any-return]

    def _outline(self, features: Features, constraints: Constraints) -> Outline:
        """The decision without its evidence, remembered for the task's class: the same signals,
        constraints and word band fire the same rules (see engine.WordBands)."""
        # No constraints (most calls) keys as None: hashing a pydantic model costs a microsecond.
        key = (frozenset(features.spans), self._bands.band(features.words), None if constraints is NO_CONSTRAINTS else constraints)
        known = self._memo.get(key)
        if known is None:
            known = self._decisions.outline(self.catalog, self.rulebase, self._fire(features, constraints), constraints, features.spans.keys())
            if self._memo_size:
                if len(self._memo) >= self._memo_size:
                    self._memo.clear()  # bounded memory; a miss only costs the work again
                self._memo[key] = known
        return known

    def _fire(self, features: Features, constraints: Constraints) -> list[str]:
        return self._engine.fire(_engine.build_fact(features.spans, features.words, constraints))

    def close(self) -> None:
        """Free the engine's native resources; the Router is unusable afterwards."""
        self._memo_size = 0
        self._memo.clear()
        self._engine.close()

    def __enter__(self) -> Router:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_models(self, constraints: Constraints) -> None:
        if constraints is NO_CONSTRAINTS:
            return
        for field in ("exclude", "allow"):
            for model in sorted(getattr(constraints, field)):
                if model not in self.catalog.ids:
                    raise InputError(f"unknown model {model!r} in {field}{_did_you_mean(model, self.catalog.ids)}")


def _checked(task: str | Task, constraints: Constraints | dict | None) -> tuple[str, Constraints]:
    """A task's text, checked (empty, size, binary), and its constraints, validated."""
    if isinstance(task, Task):
        text, constraints = task.text, task.constraints if constraints is None else constraints
    elif isinstance(task, str):
        text = task
    else:
        raise InputError(f"a task is text, not {type(task).__name__}")
    _check_text(text)
    return text, _as_constraints(constraints)


def _as_constraints(constraints: Constraints | dict | None) -> Constraints:
    if constraints is None:
        return NO_CONSTRAINTS
    if isinstance(constraints, Constraints):
        return constraints
    try:
        return Constraints.model_validate(constraints)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"{where}: {first['msg'].removeprefix('Value error, ')}" if where else first["msg"]) from None


def _check_text(text: str) -> None:
    if not text.strip():
        raise InputError("the task is empty: describe what you want the model to do")
    if len(text) > MAX_TASK_CHARS:
        raise InputError(f"the task is {len(text):,} characters; the limit is {MAX_TASK_CHARS:,}")
    sample = text[:4096]
    if sample.isascii():
        not_text = len(sample.encode("ascii").translate(None, _ASCII_TEXT))
    elif "\ufffd" not in sample and sample.replace("\n", "").replace("\t", "").replace("\r", "").isprintable():
        return  # (tests in C, not a regex scan)
    else:
        not_text = len(_compiled(_NOT_TEXT).findall(sample))
    if not_text > _BINARY_SHARE * len(sample):
        raise InputError("the task looks like binary data, not text")


@lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)  # kept here: re's own cache can drop it among thousands of patterns


def _did_you_mean(name: str, known: list[str]) -> str:
    import difflib  # only a mistyped model name gets here

    close = difflib.get_close_matches(name, known, n=1)
    return f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(known)})"
