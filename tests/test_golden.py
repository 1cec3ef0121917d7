"""Golden files for the explanation text and Markdown: a change in wording is a reviewed change.

Regenerate after an intended change with:  UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""

import os
from pathlib import Path

import pytest

from advisor import Constraints, Task
from advisor.explain import render_markdown

GOLDEN = Path(__file__).parent / "golden"
CASES = {
    "aime": ("solve AIME problem", {}),
    "wedding-toast": ("Write a heartfelt toast for my sister's wedding", {}),
    "failed-exam": ("I failed my exam and feel terrible", {}),
    "tickets-cheap": ("Classify 2 million support tickets as cheaply as possible", {}),
    "aime-needs-vision": ("solve AIME problem", {"needs": {"vision"}}),
    "toast-budget-low": ("Write a heartfelt toast for my sister's wedding", {"budget": "low"}),
    "no-rule-default": ("hello there", {}),
    "geometry-photo": ("Solve the geometry problem in the attached photo and prove the angle is 40 degrees", {}),
    "bugfix-tests": ("Fix the bug so the failing pytest tests pass: test_parse raises KeyError", {}),
    "lay-physics": ("Explain to a five-year-old why the sky is blue", {}),
    "voice-assistant": ("Build a real-time voice assistant that answers phone calls", {}),
    "painting": ("Which painting by Claude Lorrain shows the Trojan women setting fire to their ships?", {}),
    "german-maths": ("Berechne das Integral von x^2 von 0 bis 3 und beweise das Ergebnis", {}),
    "max-price": ("Write a short story about a lighthouse keeper", {"max_price": 5}),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_golden(router, name, fmt):
    text, constraints = CASES[name]
    rec = router.route(Task(text=text, constraints=Constraints(**constraints)), counterfactuals=True)
    got = rec.explanation + "\n" if fmt == "txt" else render_markdown(rec)
    path = GOLDEN / f"{name}.{fmt}"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8")


def test_golden_cases_cover_every_model(router):
    models = {router.route(Task(text=t, constraints=Constraints(**c))).model for t, c in CASES.values()}
    assert models == set(router.catalog.ids)
