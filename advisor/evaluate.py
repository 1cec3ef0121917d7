"""Measuring routing quality on labelled tasks: accuracy, per-model P/R/F1, confusion, coverage."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable, Iterator

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import AdvisorError, InputError
from .explain import headline
from .router import Router
from .types import Constraints, Task

AMBIGUOUS = "ambiguous"
BUCKETS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.85), (0.85, 1.01))


class LabelledTask(BaseModel):
    """One line of an evaluation file."""

    model_config = ConfigDict(extra="forbid")

    id: str
    text: str
    expected: str | None = None
    constraints: Constraints | None = None
    area: str | None = None
    category: str | None = None
    source: str | None = None


class Miss(BaseModel):
    id: str
    expected: str
    got: str
    confidence: float
    first_line: str


class ModelScore(BaseModel):
    precision: float
    recall: float
    f1: float
    support: int


class Bucket(BaseModel):
    low: float
    high: float
    count: int
    accuracy: float | None


class EvalReport(BaseModel):
    """What `advise eval` reports; `--json` prints exactly this."""

    total: int
    scored: int
    correct: int
    accuracy: float
    ambiguous: int
    errors: list[str]
    per_model: dict[str, ModelScore]
    confusion: dict[str, dict[str, int]]
    misses: list[Miss]
    rule_coverage: dict[str, int]
    rules_never_fired: list[str]
    confidence_buckets: list[Bucket]
    mean_confidence_clear: float | None
    mean_confidence_ambiguous: float | None


def read_labelled(path: Path | str, category_map: dict[str, str] | None = None) -> list[LabelledTask]:
    """Read a JSONL file of labelled tasks; `category_map` labels lines that only carry a category."""
    items = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            items.append(_parse_line(line, number, path, category_map or {}))
    return items


def _parse_line(line: str, number: int, path: Path | str, category_map: dict[str, str]) -> LabelledTask:
    try:
        item = LabelledTask.model_validate(json.loads(line))
    except (json.JSONDecodeError, ValidationError) as err:
        raise InputError(f"{path}:{number}: not a labelled task: {str(err).splitlines()[0]}") from None
    if item.expected is None:
        if item.category not in category_map:
            raise InputError(f"{path}:{number}: no 'expected' and no category mapping for {item.category!r}")
        item = item.model_copy(update={"expected": category_map[item.category]})
    return item


def evaluate(router: Router, items: list[LabelledTask], progress: Callable[[Iterable[LabelledTask]], Iterator[LabelledTask]] = iter) -> EvalReport:
    """Route every item and compare with its label."""
    rows, errors, coverage = [], [], Counter({r.id: 0 for r in router.rulebase.rules})
    for item in progress(items):
        try:
            rec = router.route(Task(text=item.text, constraints=item.constraints or Constraints()))
        except AdvisorError as err:
            errors.append(f"{item.id}: {err.message}")
            continue
        coverage.update(f.rule for f in rec.fired)
        rows.append((item, rec.model, rec.confidence, headline(rec)))
    return _report(rows, errors, coverage, len(items), router.catalog.ids)


def _report(rows, errors, coverage, total, models) -> EvalReport:
    scored = [r for r in rows if r[0].expected != AMBIGUOUS]
    correct = sum(1 for item, got, _, _ in scored if got == item.expected)
    return EvalReport(
        total=total,
        scored=len(scored),
        correct=correct,
        accuracy=round(correct / len(scored), 4) if scored else 0.0,
        ambiguous=len(rows) - len(scored),
        errors=errors,
        per_model={m: _model_score(m, scored) for m in models},
        confusion=_confusion(scored, models),
        misses=[Miss(id=i.id, expected=i.expected, got=g, confidence=c, first_line=h) for i, g, c, h in scored if g != i.expected],
        rule_coverage=dict(coverage),
        rules_never_fired=sorted(r for r, n in coverage.items() if n == 0),
        confidence_buckets=[_bucket(lo, hi, scored) for lo, hi in BUCKETS],
        mean_confidence_clear=_mean([c for _, _, c, _ in scored]),
        mean_confidence_ambiguous=_mean([c for i, _, c, _ in rows if i.expected == AMBIGUOUS]),
    )


def _model_score(model: str, scored) -> ModelScore:
    tp = sum(1 for i, g, _, _ in scored if g == model and i.expected == model)
    predicted = sum(1 for _, g, _, _ in scored if g == model)
    actual = sum(1 for i, _, _, _ in scored if i.expected == model)
    p = tp / predicted if predicted else 0.0
    r = tp / actual if actual else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return ModelScore(precision=round(p, 4), recall=round(r, 4), f1=round(f1, 4), support=actual)


def _confusion(scored, models: list[str]) -> dict[str, dict[str, int]]:
    table = {e: {g: 0 for g in models} for e in models}
    for item, got, _, _ in scored:
        table.setdefault(item.expected, {g: 0 for g in models})[got] += 1
    return table


def _bucket(low: float, high: float, scored) -> Bucket:
    inside = [(i, g) for i, g, c, _ in scored if low <= c < high]
    acc = round(sum(1 for i, g in inside if g == i.expected) / len(inside), 4) if inside else None
    return Bucket(low=low, high=min(high, 1.0), count=len(inside), accuracy=acc)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def render_report(report: EvalReport) -> str:
    """The report as text: headline numbers, P/R/F1, confusion, buckets, coverage, misses."""
    lines = [f"accuracy {report.accuracy:.1%} ({report.correct}/{report.scored} scored; {report.ambiguous} ambiguous not scored; {len(report.errors)} errors)", ""]
    lines.append(f"{'model':<9} {'precision':>9} {'recall':>7} {'f1':>6} {'n':>5}")
    lines += [f"{m:<9} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f} {s.support:>5}" for m, s in report.per_model.items()]
    lines += ["", "confusion (rows expected, columns routed):", _confusion_table(report.confusion)]
    lines += ["", "accuracy by confidence:"] + [f"  {b.low:.2f}-{b.high:.2f}: {b.count:>4} tasks, accuracy {'-' if b.accuracy is None else f'{b.accuracy:.1%}'}" for b in report.confidence_buckets]
    lines.append(f"mean confidence: clear items {report.mean_confidence_clear}, ambiguous items {report.mean_confidence_ambiguous}")
    lines += ["", f"rules never fired ({len(report.rules_never_fired)}): {', '.join(report.rules_never_fired) or 'none'}"]
    lines += ["", f"misses ({len(report.misses)}):"] + [f"  {m.id}: expected {m.expected}, got {m.got} -- {m.first_line}" for m in report.misses]
    lines += [f"  error {e}" for e in report.errors]
    return "\n".join(lines)


def _confusion_table(confusion: dict[str, dict[str, int]]) -> str:
    cols = list(next(iter(confusion.values())).keys()) if confusion else []
    rows = [f"{'':<9}" + "".join(f"{c:>9}" for c in cols)]
    rows += [f"{e:<9}" + "".join(f"{row.get(c, 0):>9}" for c in cols) for e, row in confusion.items()]
    return "\n".join(rows)


def load_category_map(path: Path | str) -> dict[str, str]:
    """{category: model} or {source: {category: model}} (keys starting with '_' are notes)."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise InputError(f"{path}: cannot read the category map: {err}") from None
    flat: dict[str, str] = {}
    for key, value in raw.items():
        if isinstance(value, dict):
            flat.update(value)
        elif not key.startswith("_"):
            flat[key] = value
    return flat
