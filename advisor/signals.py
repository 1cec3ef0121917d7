"""Feature extraction: which signals a task shows, with the words that show them.

All text matching is Python's `re` (durable-rules' own regex dialect misses alternations).
Scanning every pattern over every task would cost milliseconds, so extraction first finds the
few patterns that *can* match: each pattern's literal prefix (the text every match starts
with, read from the stdlib's regex parser) is looked up among the task's words, or as a
substring. Only those candidate patterns are run. Time stays linear in the task's length.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Iterator

from .patterns import analyse
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
_WORD = re.compile(r"\w+")
_WIDE = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")  # CJK, kana, hangul
_INNER_WORD = re.compile(r"(?<=\W)\w+")
_WEAK = 3  # literals shorter than this occur too often to try a match at each occurrence


@dataclass(frozen=True)
class Features:
    """What extraction found: signal id -> evidence spans, plus simple measures of the text."""

    signals: dict[str, tuple[Evidence, ...]]
    words: int


@dataclass(frozen=True)
class _Pattern:
    signal: str
    regex: re.Pattern[str]
    literals: frozenset[str]  # every match contains one of these (lower-cased); empty: unknown
    lead: int | None  # at most this many characters precede the literal in a match; None: unbounded


class Extractor:
    """Compiled signal patterns; build once per rule base, call many times (thread-safe)."""

    def __init__(self, signals: dict[str, SignalDef]) -> None:
        self._patterns: list[_Pattern] = []
        # word -> (literal, pattern): each of a task's words finds its candidate patterns by
        # looking up its own prefixes, one per distinct indexed word length.
        self._by_word: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self._longest_word = 0
        self._by_substring: dict[str, list[int]] = defaultdict(list)
        self._by_wide_substring: dict[str, list[int]] = defaultdict(list)
        self._always: list[int] = []
        self._order = {sid: n for n, sid in enumerate(signals)}
        for signal in signals.values():
            for source in signal.patterns:
                self._index(signal, source)

    def _index(self, signal: SignalDef, source: str) -> None:
        number = len(self._patterns)
        done = analyse(source, signal.case_sensitive)
        self._patterns.append(_Pattern(signal.id, done.regex, done.literals, done.lead))
        if not done.literals:
            self._always.append(number)
        for literal in done.literals:
            word = _word_in(literal, done.at_word_start)
            if word:
                self._by_word[word].append((literal, number))
                self._longest_word = max(self._longest_word, len(word))
            elif _WIDE.search(literal):
                self._by_wide_substring[literal].append(number)
            else:
                self._by_substring[literal].append(number)

    def extract(self, text: str) -> Features:
        """Every signal the task shows, with up to MAX_EVIDENCE non-negated spans each."""
        lowered = text.lower()
        aligned = len(lowered) == len(text)  # lower() can change lengths in rare scripts
        spans: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        for number in sorted(self._candidates(lowered)):
            pattern = self._patterns[number]
            matches = _matches_at(pattern, text, lowered) if aligned and pattern.lead is not None else pattern.regex.finditer(text)
            spans[pattern.signal].extend(_spans(pattern.signal, matches, text))
        found = {sid: _first(spans[sid], text) for sid in sorted(spans, key=self._order.__getitem__) if spans[sid]}
        return Features(signals=found, words=len(text.split()))

    def _candidates(self, lowered: str) -> set[int]:
        """Patterns whose required literal occurs in the text: the only ones that can match."""
        found = set(self._always)
        # Every prefix of every word of the task, intersected with the indexed words in one
        # set operation: far cheaper than a Python loop per word.
        limit = self._longest_word
        prefixes = {token[:i] for token in set(_WORD.findall(lowered)) for i in range(1, min(len(token), limit) + 1)}
        for word in self._by_word.keys() & prefixes:
            found.update(n for literal, n in self._by_word[word] if literal in lowered)
        for literal in [lit for lit in self._by_substring if lit in lowered]:
            found.update(self._by_substring[literal])
        if _WIDE.search(lowered):
            found.update(n for literal, ns in self._by_wide_substring.items() if literal in lowered for n in ns)
        return found


def _word_in(literal: str, at_word_start: bool) -> str | None:
    """The longest word that must begin one of the task's words wherever the literal occurs."""
    runs = _INNER_WORD.findall(literal)
    lead = _WORD.match(literal)
    if at_word_start and lead:
        runs.append(lead.group())
    runs = [r for r in runs if not _WIDE.search(r)]
    return max(runs, key=len) if runs else None


def _matches_at(pattern: _Pattern, text: str, lowered: str) -> Iterator[re.Match[str]]:
    """Matches of a pattern whose start lies at most `lead` characters before a literal."""
    if pattern.lead or min(map(len, pattern.literals)) < _WEAK:
        first = min(i for i in (lowered.find(lit) for lit in pattern.literals) if i >= 0)
        yield from pattern.regex.finditer(text, max(0, first - pattern.lead))
        return
    for position in sorted({i for lit in pattern.literals for i in _occurrences(lowered, lit)}):
        match = pattern.regex.match(text, position)
        if match:
            yield match


def _occurrences(text: str, literal: str) -> Iterator[int]:
    i = text.find(literal)
    while i >= 0:
        yield i
        i = text.find(literal, i + 1)


def _first(spans: list[tuple[int, int, str]], text: str) -> tuple[Evidence, ...]:
    """The first spans by position, without overlaps, at most MAX_EVIDENCE, as Evidence."""
    kept: list[tuple[int, int, str]] = []
    for start, end, sid in sorted(spans, key=lambda s: (s[0], -s[1])):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end, sid))
            if len(kept) == MAX_EVIDENCE:
                break
    # Built from our own matches, so pydantic's validation is skipped on the hot path.
    return tuple(Evidence.model_construct(signal=sid, text=text[start:end], start=start, end=end) for start, end, sid in kept)


def _spans(sid: str, matches: Iterable[re.Match[str]], text: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for match in matches:
        if not _negated(text, match.start()):
            spans.append((match.start(), match.end(), sid))
            if len(spans) == MAX_EVIDENCE:
                break
    return spans


def _negated(text: str, start: int) -> bool:
    return _NEGATION_BEFORE.search(text, max(0, start - _LOOKBEHIND), start) is not None
