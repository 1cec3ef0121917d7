"""What extraction found in a task (see `signals`): the signals, where, and simple measures."""

from __future__ import annotations

from typing import NamedTuple

from .trusted import trusted_from
from .types import Evidence

# Characters of a task that extraction reads: a longer one is read at its start and its end,
# where what is asked usually is (reading a 5 MB document of varied prose whole takes tens of
# seconds: each distinct word brings literals to look for in the whole text).
READ_LIMIT = 200_000

Span = tuple[int, int]


class Features(NamedTuple):
    """What extraction found: signal id -> (start, end) spans, in rule-base order, plus simple
    measures of the text. Evidence objects are built only for the spans someone shows.
    (A named tuple: one is made per decision, and it is the cheapest immutable record.)"""

    text: str
    spans: dict[str, tuple[Span, ...]]
    words: int

    @property
    def signals(self) -> dict[str, tuple[Evidence, ...]]:
        """Every signal with its evidence spans (built on each access)."""
        return {sid: self.evidence(sid) for sid in self.spans}

    def evidence(self, signal: str) -> tuple[Evidence, ...]:
        text = self.text
        return tuple([trusted_from(Evidence, {"signal": signal, "text": text[a:b], "start": a, "end": b}) for a, b in self.spans.get(signal, ())])

    def without(self, signal: str) -> Features:
        """The same task as if one signal had not been detected."""
        return Features(self.text, {s: v for s, v in self.spans.items() if s != signal}, self.words)
