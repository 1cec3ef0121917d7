"""Feature extraction: which signals a task shows, with the words that show them.

All text matching is Python's `re` (durable-rules' own regex dialect misses alternations).
Each signal is one compiled alternation scanned once, so time is linear in the task's length
for the patterns the loader admits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .rulebase import SignalDef
from .types import Evidence

MAX_EVIDENCE = 3  # spans kept per signal; enough to show why, small enough to read

# A match right after a negation ("not a maths question", "no fancy writing") does not count.
_NEGATION_BEFORE = re.compile(
    r"(?:\b(?:not|no|never|without|nor|isn't|aren't|don't|doesn't|sin|sans|pas|kein|keine|keinen|nicht|ohne)"
    r")\b\W{0,3}(?:\w+\W{1,3}){0,2}$"
    r"|(?:不是|并非|不需要|不用|没有|ではなく|じゃなく)\S{0,4}$",
    re.IGNORECASE,
)
_LOOKBEHIND = 40


@dataclass(frozen=True)
class Features:
    """What extraction found: signal id -> evidence spans, plus simple measures of the text."""

    signals: dict[str, tuple[Evidence, ...]]
    words: int


class Extractor:
    """Compiled signal patterns; build once per rule base, call many times (thread-safe)."""

    def __init__(self, signals: dict[str, SignalDef]) -> None:
        self._compiled = [(sid, _compile(sig)) for sid, sig in signals.items()]

    def extract(self, text: str) -> Features:
        found: dict[str, tuple[Evidence, ...]] = {}
        for sid, pattern in self._compiled:
            spans = _spans(sid, pattern, text)
            if spans:
                found[sid] = spans
        return Features(signals=found, words=len(text.split()))


def _compile(signal: SignalDef) -> re.Pattern[str]:
    flags = 0 if signal.case_sensitive else re.IGNORECASE
    return re.compile("|".join(f"(?:{p})" for p in signal.patterns), flags)


def _spans(sid: str, pattern: re.Pattern[str], text: str) -> tuple[Evidence, ...]:
    spans: list[Evidence] = []
    for match in pattern.finditer(text):
        if _negated(text, match.start()):
            continue
        spans.append(Evidence(signal=sid, text=match.group(), start=match.start(), end=match.end()))
        if len(spans) == MAX_EVIDENCE:
            break
    return tuple(spans)


def _negated(text: str, start: int) -> bool:
    return _NEGATION_BEFORE.search(text, max(0, start - _LOOKBEHIND), start) is not None
