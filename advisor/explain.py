"""Rendering a recommendation for people: plain text that fits 80 columns."""

from __future__ import annotations

import textwrap

from ._dump import model_json
from .types import Firing, Recommendation

WIDTH = 80


def headline(rec: Recommendation) -> str:
    """The first sentence: the decision and its main reason, in plain words."""
    top = main_reason(rec)
    if rec.default_used:
        reason = "no rule spoke for any model on this task, so this is the catalog's declared default"
    elif top is not None:
        reason = f"{_sentence(top.because)} (rule {top.rule})"
    else:
        reason = _against_others(rec)
    return f"Use {rec.model} (confidence {rec.confidence:.2f}): {reason}"


def main_reason(rec: Recommendation) -> Firing | None:
    """The heaviest rule that supported the chosen model."""
    support = [f for f in rec.fired if f.effect == "support" and f.model == rec.model and f.counted]
    return max(support, key=lambda f: f.weight, default=None)


def _against_others(rec: Recommendation) -> str:
    against = [f for f in rec.fired if f.effect == "oppose" and f.model != rec.model]
    top = max(against, key=lambda f: f.weight, default=None)
    if top is None:
        return "it scored highest of the models the constraints left"
    return f"{_sentence(top.because)} (rule {top.rule}, against {top.model})"


def render_text(rec: Recommendation) -> str:
    """The human explanation: decision, fired rules with evidence and figures, why not, warnings."""
    lines = _wrap(headline(rec), "")
    lines += _call_line(rec)
    lines += _section("Rules that fired:", [_firing_lines(f) for f in rec.fired] or [["  (none)"]])
    lines += _section("Why not the others:", [_wrap(f"{a.model}: {a.why_not}", "  ") for a in rec.alternatives])
    lines += _section("Excluded by constraints:", [_wrap(f"{e.model}: {e.reason}", "  ") for e in rec.excluded])
    lines += _section("What would change the answer:", [_wrap(f"{c.change} -> {c.model}", "  ") for c in rec.counterfactuals])
    lines += _section("Warnings:", [_wrap(w, "  ") for w in rec.warnings])
    return "\n".join(lines)


def _call_line(rec: Recommendation) -> list[str]:
    params = "".join(f", {k}={v}" for k, v in sorted(rec.params.items()))
    return [f"Call: model={rec.api_model}{params}"]


def _section(title: str, blocks: list[list[str]]) -> list[str]:
    if not blocks:
        return []
    return ["", title] + [line for block in blocks for line in block]


def _firing_lines(f: Firing) -> list[str]:
    sign = {"support": "+", "oppose": "-", "require": "!"}[f.effect]
    target = "needs a capability" if f.model is None else f"{f.model} {sign}{f.weight:g}"
    extra = "" if f.counted else ", not counted: its group counts once"
    lines = _wrap(f"{sign} {f.rule} ({target}{extra})", "  ")
    lines += _wrap(f.because, "      ")
    if f.evidence:
        spans = ", ".join(f'"{_clip(e.text)}" [{e.start}:{e.end}]' for e in f.evidence)
        lines += _wrap(f"on {spans}", "      ")
    for c in f.citations:
        lines += _wrap(c.text, "      ")
    return lines


def _clip(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    # Lower-case an ordinary capitalised first word, never a name like "GPT-4.5".
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _wrap(text: str, indent: str) -> list[str]:
    hang = "  " if len(indent) <= 2 else ""
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + hang, break_on_hyphens=False) or [indent]


def render_markdown(rec: Recommendation) -> str:
    """The explanation as Markdown, for pasting into a review."""
    lines = [f"**{_md(headline(rec))}.**", "", f"Call: `model={rec.api_model}{''.join(f', {k}={v}' for k, v in sorted(rec.params.items()))}`"]
    lines += ["", "### Rules that fired", ""]
    lines += [line for f in rec.fired for line in _firing_md(f)] or ["_None: the declared default applies._"]
    lines += _md_section("Why not the others", [f"- **{a.model}** (score {a.score:g}): {_md(a.why_not)}" for a in rec.alternatives])
    lines += _md_section("Excluded by constraints", [f"- **{e.model}**: {_md(e.reason)}" for e in rec.excluded])
    lines += _md_section("What would change the answer", [f"- `{c.change}` → **{c.model}**" for c in rec.counterfactuals])
    lines += _md_section("Warnings", [f"- {_md(w)}" for w in rec.warnings])
    return "\n".join(lines) + "\n"


def _firing_md(f: Firing) -> list[str]:
    sign = {"support": "+", "oppose": "−", "require": "requires"}[f.effect]
    target = f"{sign} {f.weight:g} {f.model}" if f.model else "requires a capability"
    extra = "" if f.counted else ", not counted: its group counts once"
    lines = [f"- `{f.rule}` ({target}{extra}): {_md(f.because)}"]
    if f.evidence:
        lines.append("  - on " + ", ".join(f"“{_md(_clip(e.text))}” [{e.start}:{e.end}]" for e in f.evidence))
    lines += [f"  - {_md(c.text)}" for c in f.citations]
    return lines


def _md_section(title: str, items: list[str]) -> list[str]:
    return ["", f"### {title}", "", *items] if items else []


def _md(text: str) -> str:
    # Task text is user input: escape what Markdown would otherwise interpret.
    return "".join("\\" + ch if ch in "\\`*_[]<>|#" else ch for ch in text)


def render(rec: Recommendation, fmt: str) -> str:
    """text, markdown or json."""
    if fmt == "json":
        return model_json(rec)  # rec.model_dump_json(indent=2), without building its serializer
    return render_markdown(rec) if fmt == "markdown" else rec.explanation
