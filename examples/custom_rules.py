"""Extending the rule base with your own rules: examples/custom_rules.toml.

The file adds a `legal_contract` signal and two rules (contract review goes to GPT-4.5, or to
GPT-4o on a low budget). This script loads it next to the packaged rules and shows which rules
fired and on which words. The path is resolved relative to this script, so it runs from any
working directory.
"""

from pathlib import Path

from advisor import Constraints, Router

RULES = Path(__file__).resolve().parent / "custom_rules.toml"

TASKS = [
    ("Review this NDA and flag any unusual indemnification terms", Constraints()),
    ("Review this NDA and flag any unusual indemnification terms", Constraints(budget="low")),
    ("solve AIME problem", Constraints()),
]


def main() -> None:
    with Router(rules=[RULES]) as router:
        print(f"loaded {RULES.name}: {len(router.rulebase.rules)} rules, {len(router.rulebase.signals)} signals")
        for text, constraints in TASKS:
            rec = router.route(text, constraints)
            fired = ", ".join(f"{f.rule} on {[e.text for e in f.evidence]}" for f in rec.fired) or "none"
            print(f"{text!r} (budget {constraints.budget or 'unset'}) -> {rec.model} (confidence {rec.confidence:.2f})")
            print(f"  rules fired: {fired}")
            print(f"  {rec.explanation.splitlines()[0]}")


if __name__ == "__main__":
    main()
