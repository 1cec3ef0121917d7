"""Views of the catalog and rule base for reviewers: tables and details, as plain text."""

from __future__ import annotations

import difflib
from pathlib import Path
import json

from .catalog import Catalog
from .conditions import describe
from .errors import InputError
from .rulebase import RuleBase


def catalog_table(catalog: Catalog) -> str:
    """The catalog as an 80-column table."""
    header = f"{'model':<9} {'api model':<18} {'in':>6} {'out':>6} {'blend':>6} {'context':>7}  capabilities"
    lines = [header, "-" * len(header)]
    for m in catalog.model:
        caps = [c for c in ("vision", "audio", "tools", "json", "streaming") if m.capabilities.has(c)]
        caps += ["reasoning"] if m.is_reasoning else []
        lines.append(f"{m.id:<9} {m.api_model:<18} {m.price.input:>6g} {m.price.output:>6g} {m.blended_price:>6.2f} {m.limits.context // 1000:>6}k  {','.join(caps)}")
    lines.append("")
    lines.append("Prices: USD per 1M tokens; blend is 3 parts input to 1 part output.")
    lines += [f"{m.id}: deprecated {m.lifecycle.deprecated}, shut down {m.lifecycle.shutdown}, replacement {m.lifecycle.replacement}" for m in catalog.model if m.lifecycle.shutdown]
    lines.append(f"Default when no rule fires: {catalog.default_model}")
    return "\n".join(lines)


def catalog_json(catalog: Catalog) -> str:
    return json.dumps(catalog.model_dump(mode="json", by_alias=True), indent=2, ensure_ascii=False)


def rules_table(base: RuleBase) -> str:
    lines = []
    for r in base.rules:
        target = r.model if r.model else "needs " + ",".join(r.needs)
        lines.append(f"{r.id:<34} {r.effect:<8} {target:<10} {r.weight:>4g}  when {describe(r.when)}")
    return "\n".join(lines)


def signals_table(base: RuleBase) -> str:
    return "\n".join(f"{s.id:<24} {s.about}" for s in base.signals.values())


def rule_detail(base: RuleBase, catalog: Catalog, rule_id: str) -> str:
    try:
        r = base.rule(rule_id)
    except KeyError:
        close = difflib.get_close_matches(rule_id, [x.id for x in base.rules], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InputError(f"no rule {rule_id!r}{hint}") from None
    figures, names = catalog.figures(), catalog.names()
    lines = [
        f"rule     {r.id}",
        f"file     {base.origin['rule:' + r.id]}",
        f"when     {describe(r.when)}",
        f"effect   {r.effect} {r.model or 'needs ' + ', '.join(r.needs)}",
        f"weight   {r.weight:g}",
        f"because  {r.because}",
    ]
    lines += [f"params   {k} = {v}" for k, v in r.params.items()]
    lines += [f"cites    {figures[c].render(names)}" for c in r.cite]
    return "\n".join(lines)


def rules_markdown(base: RuleBase, catalog: Catalog) -> str:
    """The rule base as a Markdown document for review: one section per rule, then the signals."""
    figures, names = catalog.figures(), catalog.names()
    lines = ["# Rule base", "", f"{len(base.rules)} rules over {len(base.signals)} signals; default model `{catalog.default_model}`.", ""]
    for r in base.rules:
        effect = f"{r.effect} **{r.model}**" if r.model else f"requires {', '.join(r.needs)}"
        lines += [f"## `{r.id}`", "", f"- when: `{describe(r.when)}`", f"- effect: {effect}, weight {r.weight:g}", f"- because: {r.because}"]
        lines += [f"- params: `{k} = {v}`" for k, v in r.params.items()]
        lines += [f"- cites: {figures[cid].render(names)}" for cid in r.cite]
        lines += [f"- file: `{Path(base.origin['rule:' + r.id]).name}`", ""]
    lines += ["## Signals", "", "| signal | detects | patterns |", "|---|---|---|"]
    lines += [f"| `{s.id}` | {s.about} | {len(s.patterns)} |" for s in base.signals.values()]
    return "\n".join(lines) + "\n"
