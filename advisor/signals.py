"""Feature extraction: which signals a task shows, with the words that show them.

All text matching is Python's `re` (durable-rules' own regex dialect misses alternations).
Scanning every pattern over every task would cost milliseconds, so extraction first finds the
few patterns that *can* match: each pattern's literal prefix (the text every match starts
with, read from the stdlib's regex parser) is looked up among the task's words, or as a
substring. Only those candidate patterns are run. Time stays linear in the task's length.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

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
_WORD = re.compile(r"\w+")
_WIDE = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")  # CJK, kana, hangul
_INNER_WORD = re.compile(r"(?<=\W)\w+")
_WEAK = 3  # literals shorter than this occur too often to try a match at each occurrence
_MAX_PREFIXES = 64  # alternatives expanded per pattern before settling for shorter prefixes


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
        found = required_literals(source)
        literals, lead, at_word_start = found if found else (set(), None, False)
        regex = re.compile(source, 0 if signal.case_sensitive else re.IGNORECASE)
        self._patterns.append(_Pattern(signal.id, regex, frozenset(literals), lead))
        if not literals:
            self._always.append(number)
        for literal in literals:
            word = _word_in(literal, at_word_start)
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
        spans: dict[str, list[Evidence]] = defaultdict(list)
        for number in sorted(self._candidates(lowered)):
            pattern = self._patterns[number]
            matches = _matches_at(pattern, text, lowered) if aligned and pattern.lead is not None else pattern.regex.finditer(text)
            spans[pattern.signal].extend(_spans(pattern.signal, matches, text))
        found = {sid: _first(spans[sid]) for sid in sorted(spans, key=self._order.__getitem__) if spans[sid]}
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


def _first(spans: list[Evidence]) -> tuple[Evidence, ...]:
    """The first spans by position, without overlaps, at most MAX_EVIDENCE."""
    kept: list[Evidence] = []
    for span in sorted(spans, key=lambda e: (e.start, -e.end)):
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
            if len(kept) == MAX_EVIDENCE:
                break
    return tuple(kept)


def required_literals(pattern: str) -> tuple[set[str], int | None, bool] | None:
    """Lower-cased literals one of which every match contains; how many characters can precede
    it in a match (None: unbounded); whether it begins the match at a word boundary.
    None when no literal is known: such a pattern is scanned on every task."""
    try:
        parsed = _parser.parse(pattern)
    except Exception:  # a private parser: on any surprise, fall back to always scanning
        return None
    items = list(parsed)
    best: tuple[set[str], int | None, bool] | None = None
    for i in range(len(items)):
        # Every match contains the text matched from any top-level item on, so a literal
        # that item sequence begins with is required. Keep the most selective (longest) set.
        found, _ = _extend(items[i:], {""})
        if "" not in found and (best is None or min(map(len, found)) > min(map(len, best[0]))):
            best = (found, _lead(parsed, items[:i]), i == 0 and _starts_at_boundary(items))
    return best


def _starts_at_boundary(items: list[Any]) -> bool:
    """Whether a word boundary is asserted before anything is consumed."""
    for op, arg in items:
        if (op, arg) == (_c.AT, _c.AT_BOUNDARY):
            return True
        if op is _c.SUBPATTERN:
            return _starts_at_boundary(list(arg[-1]))
        if op not in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            return False
    return False


def _lead(parsed: Any, before: list[Any]) -> int | None:
    width = _parser.SubPattern(parsed.state, before).getwidth()[1] if before else 0
    return None if width >= _c.MAXREPEAT else width


def _extend(items: list[tuple[Any, Any]], starts: set[str]) -> tuple[set[str], bool]:
    """Extend each start by the literal text the sequence begins with; the flag says whether
    the whole sequence was literal (so what follows may extend it further)."""
    current = starts
    for op, arg in items:
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):  # zero-width: they consume no text
            continue
        if op is _c.LITERAL:
            current = {s + chr(arg).lower() for s in current}
            continue
        alternatives = _alternatives(op, arg)
        if alternatives is None:
            return current, False
        extended = [_extend(list(alt), current) for alt in alternatives]
        grown = set().union(*(e for e, _ in extended))
        if len(grown) > _MAX_PREFIXES:
            return current, False
        current = grown
        if not all(done for _, done in extended):
            return current, False
    return current, True


def _alternatives(op: Any, arg: Any) -> list[Any] | None:
    if op is _c.SUBPATTERN:
        return [arg[-1]]
    if op is _c.BRANCH:
        return list(arg[1])
    if op is _c.IN and all(kind is _c.LITERAL for kind, _ in arg):
        return [[(_c.LITERAL, a)] for _, a in arg]
    return None


def _spans(sid: str, matches: Iterable[re.Match[str]], text: str) -> list[Evidence]:
    spans: list[Evidence] = []
    for match in matches:
        if _negated(text, match.start()):
            continue
        # Built from our own match, so pydantic's validation is skipped on the hot path.
        spans.append(Evidence.model_construct(signal=sid, text=match.group(), start=match.start(), end=match.end()))
        if len(spans) == MAX_EVIDENCE:
            break
    return spans


def _negated(text: str, start: int) -> bool:
    return _NEGATION_BEFORE.search(text, max(0, start - _LOOKBEHIND), start) is not None
