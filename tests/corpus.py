"""The team's task corpus (tests/data/tasks.jsonl), read one way by every test that uses it."""

from __future__ import annotations

import functools
import json
from pathlib import Path

PATH = Path(__file__).parent / "data" / "tasks.jsonl"

# For a copy of the tests without the data file: a few tasks across the rule base.
FALLBACK = [
    "solve AIME problem",
    "Write a heartfelt toast for my sister's wedding",
    "I failed my exam and feel terrible",
    "Classify 2 million support tickets as cheaply as possible",
    "prove that there are infinitely many primes",
    "what is in this photo? describe the image",
    "transcribe this podcast audio",
    "fix the off-by-one bug in this Python loop",
    "xyzzy plugh",
    "not a maths question: write a poem",
]


@functools.cache
def _rows() -> tuple[dict, ...]:
    if not PATH.exists():
        return tuple({"text": text} for text in FALLBACK)
    return tuple(json.loads(line) for line in PATH.read_text(encoding="utf-8").splitlines() if line.strip())


def rows() -> list[dict]:
    """Every corpus line as a dict (text, and the labels where the file has them)."""
    return [dict(row) for row in _rows()]


def texts() -> list[str]:
    return [row["text"] for row in _rows()]
