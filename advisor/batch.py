"""Routing many tasks at once: one JSON line out per task, in input order, and a cost summary.

Input lines are JSON objects (`{"id": ..., "text": ..., "constraints": {...}}`; other keys are
ignored, so evaluation files can be fed as they are) or, when a line does not start with `{`,
the task text itself, with the line number as its id. Blank lines are skipped. A line that
cannot be routed gives an error record `{"id", "line", "error"}`; the batch goes on.

Cost estimate: input tokens per task come from its text, estimated as `advisor.messages` does
(one user message); output is assumed to be ASSUMED_OUTPUT_TOKENS per task, a typical short
answer. Hidden reasoning tokens, which o-series models bill as output, are not counted, so the
routed mix is underestimated when it uses reasoning models. Prices are the catalog's.

With jobs > 1, worker processes are spawned; a script calling `run_batch` that way needs the
usual `if __name__ == "__main__":` guard.
"""

from __future__ import annotations

import json
import multiprocessing
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from .catalog import Catalog, Model
from .errors import AdvisorError, InputError
from .messages import MESSAGE_TOKENS, estimate_text_tokens
from .router import Router
from .types import Constraints, Recommendation

ASSUMED_OUTPUT_TOKENS = 500
BASELINES = ("gpt-4.5", "gpt-4o")
CHUNK_LINES = 64  # lines per worker task: large enough to amortise pickling, small enough to stream
_WINDOW_PER_JOB = 4  # chunks in flight per worker; bounds memory however long the input is
# Workers are spawned, not forked: the parent may hold a durable-rules engine whose native
# state and threads a fork would copy mid-flight. Each worker builds its own Router.
_START_METHOD = "spawn"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BatchOptions(_Strict):
    """What a worker process needs to build its own Router and format its output."""

    rules: tuple[Path, ...] = ()
    catalog: Path | None = None
    full: bool = False


class LineResult(_Strict):
    """One input line's outcome: the JSON line to print, and what the summary needs."""

    line: int
    output: str
    model: str | None = None  # None for an error record
    input_tokens: int = 0


class _Line(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    text: str
    constraints: Constraints | None = None


class Summary(_Strict):
    """Counts, the model mix and the estimated cost of the routed mix against single-model baselines."""

    count: int
    routed: int
    errors: int
    mix: dict[str, int]
    input_tokens: int
    output_tokens_per_task: int
    routed_usd: float
    baseline_usd: dict[str, float]
    savings_usd: dict[str, float]


# ---- one line ---------------------------------------------------------------------------------


def route_line(router: Router, number: int, line: str, full: bool = False) -> LineResult | None:
    """Route one input line; None for a blank line, an error record for one that cannot be routed."""
    if not line.strip():
        return None
    ident: Any = number
    try:
        data = _as_object(line)
        ident = _ident(data, number)
        task = _validate_line(data)
        rec = router.route(task.text, task.constraints)
    except AdvisorError as err:
        return _error(ident, number, err.message)
    return _routed(ident, number, rec, task.text, full)


def _as_object(line: str) -> dict[str, Any]:
    text = line.strip()
    if not text.startswith("{"):
        return {"text": text}
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise InputError(f"not valid JSON: {err}") from None
    if not isinstance(data, dict):
        raise InputError("expected a JSON object with 'text'")
    return data


def _ident(data: dict[str, Any], number: int) -> Any:
    ident = data.get("id", number)
    if isinstance(ident, bool) or not isinstance(ident, (str, int)):
        raise InputError("field 'id': expected a string or an integer")
    return ident


def _validate_line(data: dict[str, Any]) -> _Line:
    try:
        return _Line.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        what = "required field is missing" if first["type"] == "missing" else first["msg"].removeprefix("Value error, ")
        raise InputError(f"field '{where}': {what}") from None


def _routed(ident: Any, number: int, rec: Recommendation, text: str, full: bool) -> LineResult:
    record: dict[str, Any] = {"id": ident, "model": rec.model, "confidence": rec.confidence}
    if full:
        record["recommendation"] = rec.model_dump(mode="json")
    tokens = estimate_text_tokens(text) + MESSAGE_TOKENS
    return LineResult(line=number, output=json.dumps(record), model=rec.model, input_tokens=tokens)


def _error(ident: Any, number: int, message: str) -> LineResult:
    # One line per record: multi-line messages (no model left) become '; '-separated.
    lines = [part.strip() for part in message.splitlines() if part.strip()]
    text = lines[0] + (" " + "; ".join(lines[1:]) if len(lines) > 1 else "")
    return LineResult(line=number, output=json.dumps({"id": ident, "line": number, "error": text}))


# ---- many lines ---------------------------------------------------------------------------------


def run_batch(lines: Iterable[str], options: BatchOptions, *, jobs: int = 1, router: Router | None = None) -> Iterator[LineResult]:
    """Route every line in input order; with jobs > 1 in worker processes, with identical output."""
    numbered = enumerate(lines, start=1)
    if jobs > 1:
        return _parallel(numbered, options, jobs)
    return _serial(numbered, options, router or Router(list(options.rules), options.catalog))


def _serial(numbered: Iterable[tuple[int, str]], options: BatchOptions, router: Router) -> Iterator[LineResult]:
    for number, line in numbered:
        result = route_line(router, number, line, options.full)
        if result is not None:
            yield result


def _parallel(numbered: Iterable[tuple[int, str]], options: BatchOptions, jobs: int) -> Iterator[LineResult]:
    context = multiprocessing.get_context(_START_METHOD)
    with context.Pool(jobs, initializer=_init_worker, initargs=(options,)) as pool:
        pending: deque[Any] = deque()
        for chunk in _chunks(numbered, CHUNK_LINES):
            pending.append(pool.apply_async(_work, (chunk,)))
            if len(pending) >= _WINDOW_PER_JOB * jobs:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def _chunks(numbered: Iterable[tuple[int, str]], size: int) -> Iterator[list[tuple[int, str]]]:
    it = iter(numbered)
    while chunk := list(islice(it, size)):
        yield chunk


_worker: tuple[Router, bool] | None = None  # this worker process's own Router, built once


def _init_worker(options: BatchOptions) -> None:
    global _worker
    _worker = (Router(list(options.rules), options.catalog), options.full)


def _work(chunk: list[tuple[int, str]]) -> list[LineResult]:
    if _worker is None:
        raise RuntimeError("a batch worker ran before _init_worker built its Router")
    router, full = _worker
    return [r for number, line in chunk if (r := route_line(router, number, line, full)) is not None]


# ---- the summary ------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Running counts over results as they stream past; `summary()` prices them.

    A mutable accumulator rather than a pydantic model: it changes once per line.
    """

    count: int = 0
    errors: int = 0
    mix: Counter[str] = field(default_factory=Counter)
    tokens: Counter[str] = field(default_factory=Counter)  # model -> input tokens routed to it

    def add(self, result: LineResult) -> None:
        self.count += 1
        if result.model is None:
            self.errors += 1
            return
        self.mix[result.model] += 1
        self.tokens[result.model] += result.input_tokens

    def summary(self, catalog: Catalog, output_tokens: int = ASSUMED_OUTPUT_TOKENS) -> Summary:
        """Counts and estimated cost; baselines put every routed task on one model."""
        routed, tokens = sum(self.mix.values()), sum(self.tokens.values())
        cost = round(sum(_cost(catalog.get(m), n, self.tokens[m], output_tokens) for m, n in self.mix.items()), 6)
        baseline = {b: round(_cost(catalog.get(b), routed, tokens, output_tokens), 6) for b in BASELINES if b in catalog.ids}
        return Summary(
            count=self.count,
            routed=routed,
            errors=self.errors,
            mix=dict(sorted(self.mix.items(), key=lambda kv: (-kv[1], kv[0]))),
            input_tokens=tokens,
            output_tokens_per_task=output_tokens,
            routed_usd=cost,
            baseline_usd=baseline,
            savings_usd={b: round(usd - cost, 6) for b, usd in baseline.items()},
        )


def _cost(model: Model, tasks: int, input_tokens: int, output_tokens: int) -> float:
    return (input_tokens * model.price.input + tasks * output_tokens * model.price.output) / 1_000_000


def summarize(results: Iterable[LineResult], catalog: Catalog, output_tokens: int = ASSUMED_OUTPUT_TOKENS) -> Summary:
    """The summary of a finished batch."""
    tally = Tally()
    for result in results:
        tally.add(result)
    return tally.summary(catalog, output_tokens)


def render_summary(summary: Summary) -> str:
    """The summary as a few lines of text for people (the CLI prints it on stderr)."""
    s = summary
    lines = [f"{s.count} tasks: {s.routed} routed, {s.errors} {'error' if s.errors == 1 else 'errors'}"]
    if s.routed:
        lines.append("model mix: " + ", ".join(f"{m} {n} ({n / s.routed:.0%})" for m, n in s.mix.items()))
        lines += _cost_lines(s)
    return "\n".join(lines)


def _cost_lines(s: Summary) -> list[str]:
    lines = [
        f"estimated cost, from {s.input_tokens:,} input tokens (estimated from the text)",
        f"  and {s.output_tokens_per_task:,} output tokens per task (assumed; reasoning tokens not counted):",
        f"  routed mix        {_usd(s.routed_usd)}",
    ]
    for model, usd in s.baseline_usd.items():
        lines.append(f"  all on {model:<10} {_usd(usd)}  ({_saving(s.savings_usd[model], usd)})")
    return lines


def _usd(amount: float) -> str:
    return f"{f'${amount:,.4f}':>12}"


def _saving(saved: float, baseline: float) -> str:
    if saved >= 0:
        share = f", {saved / baseline:.0%}" if baseline else ""
        return f"routing saves ${saved:,.4f}{share}"
    return f"routing costs ${-saved:,.4f} more"


__all__ = ["BatchOptions", "LineResult", "Summary", "Tally", "route_line", "run_batch", "summarize", "render_summary", "ASSUMED_OUTPUT_TOKENS"]
