"""Feature extraction: which signals a task shows, with the words that show them.

All text matching is Python's `re` (durable-rules' own regex dialect misses alternations).
Each signal is one compiled alternation scanned once, so time is linear in the task's length
for the patterns the loader admits.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

try:  # the stdlib's own regex parser, used only to find literal prefixes
    from re import _constants as _c, _parser
except ImportError:  # pragma: no cover - older layouts
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]

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
        self._compiled = [(sid, _compile(sig), _signal_prefixes(sig)) for sid, sig in signals.items()]

    def extract(self, text: str) -> Features:
        found: dict[str, tuple[Evidence, ...]] = {}
        lowered = text.lower()
        for sid, pattern, prefixes in self._compiled:
            # A substring test is far cheaper than a regex scan: skip signals none of whose
            # literal prefixes occur in the text (their patterns cannot match).
            if prefixes is not None and not any(p in lowered for p in prefixes):
                continue
            spans = _spans(sid, pattern, text)
            if spans:
                found[sid] = spans
        return Features(signals=found, words=len(text.split()))


def _signal_prefixes(signal: SignalDef) -> frozenset[str] | None:
    """Lower-cased literals one of which starts every match of the signal; None if unknown."""
    if signal.case_sensitive:
        return None
    found: set[str] = set()
    for pattern in signal.patterns:
        prefixes = literal_prefixes(pattern)
        if prefixes is None:
            return None
        found |= prefixes
    return frozenset(found)


def literal_prefixes(pattern: str) -> set[str] | None:
    """Literal strings one of which every match of `pattern` starts with (None if not known)."""
    try:
        return _prefixes(list(_parser.parse(pattern)))
    except Exception:  # a private parser: on any surprise, fall back to always scanning
        return None


def _prefixes(items: list[tuple[Any, Any]]) -> set[str] | None:
    items = list(itertools.dropwhile(lambda item: item[0] is _c.AT, items))
    if not items:
        return None
    op, arg = items[0]
    if op is _c.LITERAL:
        literal = "".join(chr(a) for _, a in itertools.takewhile(lambda item: item[0] is _c.LITERAL, items))
        return {literal.lower()}
    if op is _c.SUBPATTERN:
        return _prefixes(list(arg[-1]))
    if op is _c.BRANCH:
        alternatives = [_prefixes(list(alt)) for alt in arg[1]]
        return None if any(a is None for a in alternatives) else set().union(*alternatives)  # type: ignore[arg-type]
    if op is _c.IN and all(kind is _c.LITERAL for kind, _ in arg):
        return {chr(a).lower() for _, a in arg}
    return None


def _compile(signal: SignalDef) -> re.Pattern[str]:
    flags = 0 if signal.case_sensitive else re.IGNORECASE
    return re.compile("|".join(f"(?:{p})" for p in signal.patterns), flags)


def _spans(sid: str, pattern: re.Pattern[str], text: str) -> tuple[Evidence, ...]:
    spans: list[Evidence] = []
    for match in pattern.finditer(text):
        if _negated(text, match.start()):
            continue
        # Built from our own match, so pydantic's validation is skipped on the hot path.
        spans.append(Evidence.model_construct(signal=sid, text=match.group(), start=match.start(), end=match.end()))
        if len(spans) == MAX_EVIDENCE:
            break
    return tuple(spans)


def _negated(text: str, start: int) -> bool:
    return _NEGATION_BEFORE.search(text, max(0, start - _LOOKBEHIND), start) is not None
