"""Feature extraction: which signals a task shows, with the words that show them.

All text matching is Python's `re` (durable-rules' own regex dialect misses alternations).
Scanning every pattern over every task would cost milliseconds, so extraction first finds the
few patterns that *can* match: each pattern's required literals (text every match contains,
read from the stdlib's regex parser; see `patterns`) are looked up among the task's words, or
as substrings (in a long task, all of them in one pass of an Aho-Corasick automaton), and
patterns that need a digit are skipped on tasks without one. Only those candidates run, and
each runs only where a literal of it occurs (or, for a number pattern, where a number starts;
in a long task, near the literals a match starts with, its anchor), whichever of a scan in C
or matches tried from Python is cheaper there; the few characters before a literal where a
match can start are searched in one call (see `fastre.compile_window`; where a match can start
any distance before it through a run of word characters, the run is no longer than the task's
longest word, see `patterns.word_lead`). A pattern whose every match starts with a word the
task lacks does not run at all. Patterns are compiled with lookaheads that dismiss
alternations early, and a pattern that ignores case runs on the task's lowered text, as one
that need not fold case (see `fastre`). Patterns that match within a single word are
decided once per distinct word and remembered. What a task's words tell is remembered per word, so a task
costs little more than looking its words up. The result is exactly what scanning every
pattern over the task would find (tests/test_extraction.py holds it to that), in time
linear in the task's length.
"""

from __future__ import annotations

import marshal
import re
from bisect import bisect_left
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, KeysView, NamedTuple, Sequence, cast

from . import precompiled
from .fastre import compile_fast, compile_lowered, compile_window, digit_followers
from .patterns import Analysed, analyse, index_keys, keyed_at_word_start, opens_at_boundary, wide
from .patterns import word_lead as _word_lead
from .features import READ_LIMIT, Features, Span
from .rulebase import SignalDef

if TYPE_CHECKING:
    from ahocorasick_rs import AhoCorasick

MAX_EVIDENCE = 3  # spans kept per signal; enough to show why, small enough to read

# A match right after a negation ("not a maths question", "no fancy writing") does not count.
_NEGATION_BEFORE = re.compile(
    r"(?:\b(?:not|no|never|without|nor|isn't|aren't|don't|doesn't|sin|sans|pas|kein|keine|keinen|nicht|ohne)"
    r")\b\W{0,3}(?:\w+\W{1,3}){0,2}$"
    r"|(?:不是|并非|不需要|不用|没有|ではなく|じゃなく)\S{0,4}$",
    re.IGNORECASE,
)
# The words and strings the negation pattern starts with: a task with none of them has no
# negated match, and skips the check (most tasks).
_NEGATION_WORDS = frozenset("not no never without nor isn aren don doesn sin sans pas kein keine keinen nicht ohne".split())
_NEGATION_WIDE = ("不是", "并非", "不需要", "不用", "没有", "ではなく", "じゃなく")
_LOOKBEHIND = 40
_WORD = re.compile(r"\w+")
_NON_WORD_CHAR = re.compile(r"\W")
# A bytes.translate table: ASCII characters that are not word characters become spaces (UTF-8
# bytes of other characters stay as they are).
_ASCII_NON_WORD = bytes(c if c >= 128 or chr(c).isalnum() or c == ord("_") else ord(" ") for c in range(256))
# A bytes.translate table: ASCII characters str.split() splits at become spaces, others "x".
_ASCII_SPACES = bytes(ord(" ") if chr(c).isspace() else ord("x") for c in range(256))
_DIGIT = re.compile(r"\d")  # any decimal digit, as a pattern's \d matches ("٠" too, not only 0-9)
_ASCII_BYTES = bytes(range(128))
_NOT_ASCII_DIGITS = bytes(c for c in range(256) if not 48 <= c <= 57)  # deleted, they leave a text's ASCII digits
_NUMBER = compile_fast(r"\b\d+", 0)  # (its search skips to digits: see fastre)
_ASCII_NUMBER = compile_fast(r"\b[0-9]+", 0)  # the same in ASCII text, told apart by a range, not a lookup per character
_SCAN_COST = 20  # a match tried from Python costs about this many characters of a scan in C
_PUNCTUATION = frozenset("'\".,:;!?-_")  # in most tasks: a poor key for a literal
_LONG = 500  # characters: in a longer text a pattern is matched near the literals it starts with (its anchor)
_WEAK = 3  # literals shorter than this occur too often to try a match at each occurrence
# In a long text, a pattern whose literal can be this far into a match is tried where a match
# starts (at its anchors) rather than searched for in the window before each literal.
_FAR = 16
_TOKEN_CACHE = 20_000  # distinct words whose candidate patterns are remembered (then it starts over)

_NO_MATCH: tuple[re.Match[str], ...] = ()  # what most candidate patterns find, told apart by identity


def _anchor_words(analysed: Analysed) -> dict[str, str] | None:
    """Each anchor with the word a task must have for a match to start at it: its first word,
    where every anchor starts a word and its first word ends within it ("write " in
    '\\b(?:write|code) ...'). None where that is not known."""
    if not analysed.anchor or analysed.anchor_lead or not opens_at_boundary(analysed.source, analysed.flags):
        return None
    words = {}
    for anchor in sorted(analysed.anchor):
        run = _WORD.match(anchor)
        if run is None or run.end() == len(anchor) or wide(run.group()):
            return None
        words[anchor] = run.group()
    return words


class _Pattern:
    """A signal's pattern as extraction uses it."""

    __slots__ = ("signal", "analysed", "lead", "needs_digit", "digit_start", "anchored", "within_word", "anchor", "anchor_lead",
                 "regex", "low", "low_known", "_windows", "anchor_words", "anchor_first_words", "_word_lead", "_followers", "_follows")

    def __init__(self, signal: str, analysed: Analysed) -> None:
        self.signal, self.analysed = signal, analysed
        self.regex: re.Pattern[str] | None = None  # compiled when first run (see `compiled`): many never run
        self.low: re.Pattern[str] | None = None  # for the lowered text (see `lowered`), once `low_known`
        self.low_known = False
        self.lead = analysed.lead  # at most this many characters precede the literal in a match; None: unbounded
        self.needs_digit, self.digit_start = analysed.needs_digit, analysed.digit_start
        self.within_word = analysed.within_word  # matched word by word (see Extractor._word_matches)
        self.anchor, self.anchor_lead = analysed.anchor, analysed.anchor_lead  # where a match can start, in a long text
        # Try a match at each occurrence of the literal, rather than scan from the first one.
        literals = [literal for literal, _, _ in analysed.keys]  # every match contains one (lower-cased)
        self.anchored = self.lead == 0 and bool(literals) and min(map(len, literals)) >= _WEAK
        self._windows: dict[tuple[int, bool], re.Pattern[str] | None] = {}
        self.anchor_words = _anchor_words(analysed)  # a task without one of these has no match
        self.anchor_first_words = frozenset(self.anchor_words.values()) if self.anchor_words else None
        self._word_lead: tuple[int, int] | None | bool = False  # False: not worked out yet
        self._followers: re.Pattern[str] | None | bool = False  # see `number_starts`; False: not worked out yet
        self._follows: dict[str, bool] = {}  # a character after a number's digits -> whether it is one of those

    # Plain methods that fill slots, not __getattr__: a class with one pays for it on every
    # attribute read, and these are read a dozen times per candidate pattern.
    def compiled(self) -> re.Pattern[str]:
        if self.regex is None:  # two threads may both set it: the same regex either way
            self.regex = self.analysed.regex
        return self.regex

    def lowered(self) -> re.Pattern[str] | None:
        """The regex that finds in a task's lowered text what `compiled()` finds in the text (see
        fastre.compile_lowered: it runs faster there); None where there is none."""
        if not self.low_known:  # two threads may both set it: the same regex either way
            self.low = compile_lowered(self.analysed.source, self.analysed.flags)
            self.low_known = True
        return self.low

    def word_lead(self) -> tuple[int, int] | None:
        """See patterns.word_lead; worked out when a task first needs it."""
        if self._word_lead is False:
            self._word_lead = _word_lead(self.analysed.source, self.analysed.flags) if self.lead is None else None
        return self._word_lead  # type: ignore[return-value]

    def number_starts(self, task: _Text) -> list[int]:
        """Where a match of a number pattern can start: where a number starts and, where the
        pattern says what must follow a number's digits (fastre.digit_followers), is followed by
        that: one test per character, remembered, in place of a match tried at every number."""
        if self._followers is False:
            self._followers = digit_followers(self.analysed.source, self.analysed.flags)
        if self._followers is None:
            return task.numbers
        follows, kept = self._follows, []
        for after, starts in task.numbers_by_follower.items():  # a few characters, however many numbers
            known = follows.get(after)
            if known is None:  # two threads may both work it out: the same answer either way
                known = follows[after] = self._followers.match(after) is not None  # type: ignore[union-attr]
            if known:
                kept.append(starts)
        return _merged(kept) if kept else []

    def window(self, lead: int, lowered: bool) -> re.Pattern[str] | None:
        """A regex that finds a match starting up to `lead` (or a few more) characters on, in
        the lowered text or the text itself (see fastre). A wider window finds the same matches,
        so sizes are powers of two: a pattern compiles a few, however many leads the tasks'
        longest words make."""
        key = (1 << max(lead - 1, 0).bit_length(), lowered)
        if key not in self._windows:  # two threads may both compile it: the same regex either way
            self._windows[key] = compile_window(self.analysed.source, self.analysed.flags, key[0], lowered)
        return self._windows[key]


class _Table:
    """A table of the index: key -> literals and patterns. The precompiled index keeps each
    value as marshal bytes (see precompiled._packed), made into its list when first asked for;
    a table built here holds its lists from the start. (It holds a dict rather than being one:
    compiled, a dict subclass's own `get` would be passed over for dict's.)"""

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __getitem__(self, key: str) -> Any:
        value = self._values[key]
        if type(value) is bytes:  # two threads may both read it: the same list either way
            value = self._values[key] = marshal.loads(value)
        return value

    def __contains__(self, key: str) -> bool:
        return key in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self._values else default

    def keys(self) -> KeysView[str]:
        return self._values.keys()

    def values(self) -> list[Any]:
        return [self[key] for key in self._values]

    def items(self) -> list[tuple[str, Any]]:
        return [(key, self[key]) for key in self._values]


class _TokenCandidates(NamedTuple):
    """What one word of a task tells about candidate patterns (a named tuple: read by unpacking,
    once per word of every task)."""

    certain: tuple[tuple[int, str], ...]  # (pattern, literal): the word itself contains the literal
    # (literal, patterns): literals that run past the word, so the word alone cannot say whether
    # they occur (a short task is searched for each; a long one for all at once, see _literals_in)
    if_present: tuple[tuple[str, tuple[int, ...]], ...]
    # Those of them without the word in them (the common start of a word's many literals, see
    # patterns.Analysed.keys): the one pass over a long task, which cannot tell whether the
    # word is there, leaves them to be searched for as in a short task.
    apart: tuple[tuple[str, tuple[int, ...]], ...]
    within: tuple[tuple[int, str], ...]  # like `certain`, for patterns that match within one word
    hits: tuple[tuple[int, int], ...]  # (pattern, length): those of them that match this word, and how much of it


_NOTHING = _TokenCandidates((), (), (), (), ())  # what most words tell (they are kept in Extractor._silent)


class Extractor:
    """Compiled signal patterns; build once per rule base, call many times (thread-safe)."""

    def __init__(self, signals: dict[str, SignalDef]) -> None:
        self._sources = pattern_sources(signals)  # a pattern's number is its place here
        # The packaged rule base's index is precompiled (building it takes a tenth of a start).
        tables = precompiled.extractor_index(signals_digest(signals)) or index_tables(self._sources)
        # word -> (literal, pattern): a literal that must begin one of the task's words, keyed
        # by that word; a task's word finds them by looking up its own prefixes.
        self._by_word = _Table(tables["by_word"])
        # word -> (literal, pattern), where a non-word character follows the word in the literal,
        # so the task's word must be that very word ("km in " is looked for only if "in" is).
        self._by_token = _Table(tables["by_token"])
        self._in_word = _Table(tables["in_word"])  # word characters only, anywhere in a word
        self._by_symbol = _Table(tables["by_symbol"])  # other literals, by a rare character of theirs
        self._wide_by_first = _Table(tables["wide_by_first"])  # those with CJK, kana or hangul
        self._always: list[int] = tables["always"]  # patterns without a known literal: run on every task
        self._tokens: dict[str, _TokenCandidates] = {}  # words that tell something, and what
        self._silent: set[str] = set()  # words known to tell nothing: most of a task's, set aside in one C call
        # Those and the words that tell only of literals that run past them, which a long task
        # finds in one pass instead (see _literals_in): a third of the rest of a long task's.
        self._silent_long: set[str] = set()
        self._literal_search: tuple[AhoCorasick | None, list[tuple[str, tuple[int, ...], tuple[int, ...]]]] | None = None  # see _literals_in
        self._order = {sid: n for n, sid in enumerate(signals)}
        # Patterns by number, each made ready when a task first needs it (a task needs a few of
        # the thousands, and making them all costs a third of a cold start).
        self._patterns: list[_Pattern | None] = [None] * len(self._sources)
        self._longest_word = max(map(len, self._by_word), default=0)
        # Which of those characters a task has (most have none): in ASCII text, what is left once
        # every other byte is deleted (bytes.translate, one pass in C); in other text, what a
        # regex of them all finds, compiled when a non-ASCII task first needs it (a set beyond
        # Latin-1 costs a millisecond to compile).
        self._not_symbols = bytes(c for c in range(128) if chr(c) not in self._by_symbol)
        self._all_symbols: re.Pattern[str] | None = None

    def _pattern(self, number: int) -> _Pattern:
        pattern = self._patterns[number]
        if pattern is None:  # two threads may both make it: the same pattern either way
            signal, source, case_sensitive = self._sources[number]
            done = analyse(source, case_sensitive)
            pattern = self._patterns[number] = _Pattern(signal, done)
        return pattern

    def extract(self, text: str) -> Features:
        """Every signal the task shows, with up to MAX_EVIDENCE non-negated spans each. A task
        longer than READ_LIMIT is read at its start and its end, half the limit each."""
        if len(text) <= READ_LIMIT:
            found = self._found(text)
        else:
            found, half = self._found(text[:READ_LIMIT // 2]), len(text) - READ_LIMIT // 2
            for sid, later in self._found(text[half:]).items():
                found.setdefault(sid, []).extend((start + half, end + half) for start, end in later)
        order = self._order
        spans = {sid: _first(found[sid]) for sid in sorted(found, key=order.__getitem__)}
        return Features(text=text, spans=spans, words=_word_count(text))

    def _found(self, text: str) -> dict[str, list[Span]]:
        """Signal id -> spans, each pattern's first MAX_EVIDENCE, in no order."""
        task = _Text(text)
        found: dict[str, list[Span]] = {}
        candidates, hits = self._candidates(task)
        if hits and task.aligned:
            self._word_matches(found, task.lowered, hits, task.negatable)
        patterns, negatable, has_digit = self._patterns, task.negatable, task.has_digit
        for number, present in candidates.items():  # in any order: each pattern adds its own spans, sorted at the end
            pattern = patterns[number] or self._pattern(number)
            if has_digit or not pattern.needs_digit:
                matches = _matches(pattern, present, task)
                if matches is not _NO_MATCH:  # most candidates (a call saved)
                    _collect(found, pattern.signal, matches, negatable)
        return found

    def _candidates(self, task: _Text) -> tuple[dict[int, set[str]], list[tuple[str, tuple[tuple[int, int], ...]]]]:
        """Patterns whose required literal occurs in the text (the only ones that can match),
        each with the literals of it that occur; where lower-casing moved characters, also
        those matched word by word. Also the words that word-level patterns match, with those
        patterns."""
        lowered, within, long = task.lowered, not task.aligned, task.long
        found: dict[int, set[str]] = defaultdict(set)
        hits: list[tuple[str, tuple[tuple[int, int], ...]]] = []
        for number in self._always:
            found[number] = set()
        remembered = self._tokens
        for token in task.tokens - (self._silent_long if long else self._silent):
            known = remembered.get(token) or self._remember(token)
            if known is _NOTHING:
                continue  # a word met for the first time
            certain, if_present, apart, within_word, matched = known
            if matched:
                hits.append((token, matched))
            for number, literal in certain + within_word if within else certain:
                found[number].add(literal)
            for literal, numbers in apart if long else if_present:
                if literal in lowered:
                    for number in numbers:
                        found[number].add(literal)
        if long:
            self._literals_in(task, found)
            return found, hits
        for symbol in self._symbols_in(lowered):
            for literal, number in self._by_symbol[symbol]:
                if literal in lowered:
                    found[number].add(literal)
        if wide(lowered):  # CJK literals need CJK text
            for first in self._wide_by_first.keys() & set(lowered):
                for literal, number in self._wide_by_first[first]:
                    if literal in lowered:
                        found[number].add(literal)
        return found, hits

    def _literals_in(self, task: _Text, found: dict[int, set[str]]) -> None:
        """Add the literals a word cannot vouch for (those that run past it, of symbols, of CJK)
        that occur in a long text: all are found in one pass (an Aho-Corasick automaton, in
        Rust), where a search for each would scan the text a hundred times or more. Where a
        pattern's literal starts with the word it is keyed by, that word must start a word of
        the task (as the index asks of it): "art " in "start " is no art. Where each occurs is
        kept for matching (see `_Text.places`)."""
        search, literals = self._literal_search or self._build_literal_search()
        if search is None:
            return  # a rule base without such literals
        lowered, found_at = task.lowered, task.found_at
        for index, start, _ in search.find_matches_as_indexes(lowered, overlapping=True):
            literal, anywhere, at_word_start = literals[index]
            if literal in found_at:
                found_at[literal].append(start)  # (in order: matches come in the order they end)
            else:
                found_at[literal] = [start]
            for number in anywhere:
                found[number].add(literal)
            if at_word_start and (start == 0 or not _is_word_char(lowered[start - 1])):
                for number in at_word_start:
                    found[number].add(literal)

    def _build_literal_search(self) -> tuple[AhoCorasick | None, list[tuple[str, tuple[int, ...], tuple[int, ...]]]]:
        """Built when a long task first needs it (some 20 ms: a short task never does)."""
        by_literal: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
        for table in (self._by_word, self._by_token):
            for word, pairs in table.items():
                for literal, number in pairs:
                    if literal != word and word in literal:  # see _TokenCandidates
                        by_literal[literal][keyed_at_word_start(literal, word)].append(number)
        for table in (self._by_symbol, self._wide_by_first):
            for pairs in table.values():
                for literal, number in pairs:
                    by_literal[literal][0].append(number)
        literals = [(literal, tuple(anywhere), tuple(at_start)) for literal, (anywhere, at_start) in sorted(by_literal.items())]
        from ahocorasick_rs import AhoCorasick  # here: a short task, and so a CLI start, never loads it

        built = (AhoCorasick([literal for literal, _, _ in literals]) if literals else None, literals)
        self._literal_search = built  # two threads may both build it: the same search either way
        return built

    def _symbols_in(self, lowered: str) -> set[str]:
        if lowered.isascii():
            return set(lowered.encode("ascii").translate(None, self._not_symbols).decode("ascii"))
        if self._all_symbols is None:  # two threads may both compile it: the same regex either way
            self._all_symbols = _any_of(list(self._by_symbol)) or re.compile("(?!)")
        return set(self._all_symbols.findall(lowered))

    def _word_matches(self, found: dict[str, list[Span]], lowered: str, hits: list[tuple[str, tuple[tuple[int, int], ...]]],
                      negatable: _Negations | None) -> None:
        """Spans of the patterns that match within one word, from the words' remembered matches:
        for each pattern, its first MAX_EVIDENCE non-negated occurrences (as finditer would)."""
        by_pattern: dict[int, list[Span]] = defaultdict(list)
        for token, matched in hits:
            starts = list(_word_starts(lowered, token))
            for number, size in matched:
                by_pattern[number] += [(at, at + size) for at in starts]
        for number, spans in by_pattern.items():
            kept = [s for s in sorted(spans) if negatable is None or not negatable.before(s[0])]
            if kept:
                found.setdefault(self._pattern(number).signal, []).extend(kept[:MAX_EVIDENCE])

    def _remember(self, token: str) -> _TokenCandidates:
        """The candidates one word gives, worked out once per distinct word."""
        certain: list[tuple[int, str]] = []
        if_present: dict[str, list[int]] = defaultdict(list)  # literal -> patterns
        apart: dict[str, list[int]] = defaultdict(list)
        prefixes = {token[:i] for i in range(1, min(len(token), self._longest_word) + 1)}
        for word in sorted(prefixes & self._by_word.keys()):
            for literal, n in self._by_word[word]:
                if literal == word:
                    certain.append((n, literal))
                else:
                    if_present[literal].append(n)
                    if word not in literal:
                        apart[literal].append(n)
        for literal, n in self._by_token.get(token, ()):
            if_present[literal].append(n)
        certain += [(n, literal) for literal, ns in self._in_word.items() if literal in token for n in ns]
        within = [(n, lit) for n, lit in certain if self._pattern(n).within_word]
        hits = {n: _length(self._pattern(n).compiled().match(token)) for n, _ in within}
        known = _TokenCandidates(tuple(c for c in certain if not self._pattern(c[0]).within_word),
                                 tuple((literal, tuple(ns)) for literal, ns in if_present.items()),
                                 tuple((literal, tuple(ns)) for literal, ns in apart.items()),
                                 tuple(within), tuple((n, size) for n, size in sorted(hits.items()) if size))
        if len(self._tokens) + len(self._silent) >= _TOKEN_CACHE:
            self._tokens.clear()  # bounded memory; the results do not depend on it
            self._silent.clear()
            self._silent_long.clear()
        if not (known.certain or known.apart or known.within or known.hits):
            self._silent_long.add(token)
        if known == _NOTHING:
            self._silent.add(token)
            return _NOTHING
        self._tokens[token] = known
        return known


def pattern_sources(signals: dict[str, SignalDef]) -> list[tuple[str, str, bool]]:
    """Every pattern of the rule base, in order, as (signal, pattern, case-sensitive)."""
    return [(signal.id, source, signal.case_sensitive) for signal in signals.values() for source in signal.patterns]


def signals_digest(signals: dict[str, SignalDef]) -> str:
    """A content key of a rule base's patterns, in order (see `precompiled.extractor_index`)."""
    parts = []
    for signal in signals.values():
        parts.append(f"{signal.id}\t{int(signal.case_sensitive)}\t{len(signal.patterns)}")
        parts += signal.patterns
    return precompiled.digest("\n".join(parts).encode("utf-8", "surrogatepass"))


def index_tables(sources: list[tuple[str, str, bool]], keys_of: Callable[[str, bool], list[Any]] = index_keys) -> dict[str, Any]:
    """Each pattern's literals (`keys_of` gives them, see patterns.Analysed.keys) in the table
    its kind of literal is looked up in, by the pattern's number (its place in `sources`)."""
    by_word: dict[str, list[tuple[str, int]]] = defaultdict(list)
    by_token: dict[str, list[tuple[str, int]]] = defaultdict(list)
    in_word: dict[str, list[int]] = defaultdict(list)
    by_symbol: dict[str, list[tuple[str, int]]] = defaultdict(list)
    wide_by_first: dict[str, list[tuple[str, int]]] = defaultdict(list)
    always: list[int] = []
    for number, (_, source, case_sensitive) in enumerate(sources):
        keys = keys_of(source, case_sensitive)
        if not keys:
            always.append(number)
        for literal, word, closed in keys:
            if word and len(word) < _WEAK and _symbol_in(literal):
                by_symbol[_rarest(literal)].append((literal, number))  # "→ p": any word may begin with "p"
            elif word:
                (by_token if closed else by_word)[word].append((literal, number))
            elif not literal.isascii() and wide(literal):
                wide_by_first[literal[0]].append((literal, number))
            elif _WORD.fullmatch(literal):
                in_word[literal].append(number)
            else:
                by_symbol[_rarest(literal)].append((literal, number))
    return {"by_word": dict(by_word), "by_token": dict(by_token), "in_word": dict(in_word), "by_symbol": dict(by_symbol),
            "wide_by_first": dict(wide_by_first), "always": always}


def _any_of(chars: list[str]) -> re.Pattern[str] | None:
    return re.compile("[" + "".join(map(re.escape, sorted(chars))) + "]") if chars else None


def _rarest(literal: str) -> str:
    """The character a literal of symbols is looked up by: a space, a letter or common
    punctuation occurs in nearly every task, a symbol in few."""
    return min(literal, key=lambda c: (c.isspace(), c.isalnum(), c in _PUNCTUATION))


def _symbol_in(literal: str) -> bool:
    return any(not (c.isspace() or c.isalnum() or c in _PUNCTUATION) for c in literal)


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"  # as \\w, in Python's regexes


def _length(match: re.Match[str] | None) -> int:
    return match.end() if match else 0


def _word_starts(lowered: str, word: str) -> Iterator[int]:
    """Where the word occurs as a whole word (as `\\w+` would find it)."""
    end = len(word)
    for at in _occurrences(lowered, word):
        before = lowered[at - 1] if at else " "
        after = lowered[at + end] if at + end < len(lowered) else " "
        if not _is_word_char(before) and not _is_word_char(after):
            yield at


def _matches_at(regex: re.Pattern[str], text: str, lowered: str, literals: set[str]) -> Iterable[re.Match[str]]:
    if len(literals) == 1:  # the common case: one literal, found once
        (literal,) = literals
        at = lowered.find(literal)
        if lowered.find(literal, at + 1) < 0:
            match = regex.match(text, at)
            return (match,) if match else _NO_MATCH
    return _matches_in_turn(regex, text, _places(lowered, literals))


class _Text:
    """A task's text with what matching it needs, each worked out once."""

    __slots__ = ("text", "lowered", "aligned", "long", "tokens", "negatable", "has_digit", "found_at", "_other_digits", "_numbers", "_by_follower", "_longest")

    def __init__(self, text: str) -> None:
        self.text = text
        self.lowered = lowered = text.lower()
        self.aligned = len(lowered) == len(text)  # lower() can change lengths in rare scripts
        self.long = len(lowered) > _LONG
        encoded = lowered.encode("utf-8", "surrogatepass")
        # The characters beyond ASCII (most tasks have none; most others, a dash or a quote):
        # what is left of the bytes once the ASCII ones are deleted, one pass in C. The tests
        # below that only such characters can pass look at these, not the whole text.
        others = "" if lowered.isascii() else encoded.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")
        self.tokens = _words(encoded, others)
        cues = _NEGATION_WORDS.intersection(self.tokens)
        if others:  # the CJK cues need CJK text
            cues = cues.union([n for n in _NEGATION_WIDE if n[0] in others and n in text])
        self.negatable = _Negations(text, lowered if self.aligned else None, cues) if cues else None
        # Another script's digits are \d too (a pattern's \d matches "٣").
        self._other_digits = bool(others) and _DIGIT.search(others) is not None
        self.has_digit = self._other_digits or bool(encoded.translate(None, _NOT_ASCII_DIGITS))
        self.found_at: dict[str, list[int]] = {}  # literal -> where it starts, in order (see `places`)
        self._numbers: list[int] | None = None
        self._by_follower: dict[str, list[int]] | None = None
        self._longest: int | None = None  # characters in the longest word

    def lead(self, bound: tuple[int, int] | None) -> int | None:
        """A pattern's `word_lead` in this task (None: unbounded)."""
        if bound is None:
            return None
        if self._longest is None:
            self._longest = max(map(len, self.tokens), default=0)
        return bound[0] + bound[1] * self._longest

    def places(self, literals: Iterable[str]) -> list[int]:
        """Where any of the literals occurs in the lowered text, in order: as the one pass over
        a long task found them (Extractor._literals_in), where it found each, else searched for."""
        found_at = self.found_at
        if found_at:
            known = [found_at.get(literal) for literal in literals]
            if None not in known:
                return _merged(cast("list[list[int]]", known))
        return _places(self.lowered, literals)

    @property
    def numbers(self) -> list[int]:
        """Where numbers start, in order (the only places a number pattern can match)."""
        if self._numbers is None:
            self._find_numbers()
        return self._numbers  # type: ignore[return-value]

    @property
    def numbers_by_follower(self) -> dict[str, list[int]]:
        """The character after a number's digits ("" at the end) -> where such numbers start."""
        if self._by_follower is None:
            self._find_numbers()
        return self._by_follower  # type: ignore[return-value]

    def _find_numbers(self) -> None:
        text = self.text
        starts: list[int] = []
        by_follower: dict[str, list[int]] = {}
        for match in (_NUMBER if self._other_digits else _ASCII_NUMBER).finditer(text):
            start, end = match.span()
            starts.append(start)
            after = text[end:end + 1]
            if after in by_follower:
                by_follower[after].append(start)
            else:
                by_follower[after] = [start]
        self._numbers, self._by_follower = starts, by_follower  # two threads may both find them: the same either way


def _word_count(text: str) -> int:
    """len(text.split()), without making the words: in ASCII text, where a word starts is where
    a space (as split sees spaces) precedes a non-space, counted in its bytes in C."""
    if not text.isascii():
        return len(text.split())
    marked = text.encode("ascii").translate(_ASCII_SPACES)
    return marked.count(b" x") + marked.startswith(b"x")


def _words(encoded: bytes, others: str) -> set[str]:
    """The distinct words of a text (its UTF-8 bytes, and its characters beyond ASCII), as
    `\\w+` finds them: ASCII punctuation becomes a space, and so does each other character
    that is not a word character, and the text is split (five times faster than the regex on
    long texts)."""
    spaced = encoded.translate(_ASCII_NON_WORD).decode("utf-8", "surrogatepass")
    for char in set(_NON_WORD_CHAR.findall(others)) if others else ():
        spaced = spaced.replace(char, " ")
    return set(spaced.split())


def _matches(pattern: _Pattern, present: set[str], task: _Text) -> Iterable[re.Match[str]]:
    """A candidate pattern's matches, tried only where they can start (see the module's doc)."""
    lowered = task.lowered
    if not task.aligned:
        return (pattern.regex or pattern.compiled()).finditer(task.text)
    # An IGNORECASE pattern runs on the lowered text, where it runs faster; the spans are the same.
    regex = pattern.low if pattern.low_known else pattern.lowered()
    if regex is not None:
        text = lowered
    else:
        regex, text = pattern.regex or pattern.compiled(), task.text
    if pattern.digit_start:
        return _matches_at_starts(regex, text, pattern.number_starts(task))
    if pattern.anchored:
        if task.long:
            return _matches_in_turn(regex, text, task.places(present))
        return _matches_at(regex, text, lowered, present)
    first_words = pattern.anchor_first_words
    if first_words is not None and first_words.isdisjoint(task.tokens):
        return _NO_MATCH  # no match can start
    if task.long and pattern.anchor and (pattern.lead is None or pattern.lead > _FAR):  # near where a match starts
        anchors = pattern.anchor if first_words is None else _anchors_in(pattern.anchor_words, task.tokens)  # type: ignore[arg-type]
        return _matches_near(pattern, regex, text, task, anchors, pattern.anchor_lead)
    lead = pattern.lead if pattern.lead is not None else task.lead(pattern.word_lead())
    if lead is None:
        return regex.finditer(text)
    return _matches_near(pattern, regex, text, task, present, lead)


def _anchors_in(anchor_words: dict[str, str], tokens: set[str]) -> list[str]:
    return [anchor for anchor, word in anchor_words.items() if word in tokens]


def _matches_near(pattern: _Pattern, regex: re.Pattern[str], text: str, task: _Text, literals: set[str] | frozenset[str] | list[str],
                  lead: int) -> Iterable[re.Match[str]]:
    """Matches of a pattern (compiled: `regex`) with one of these literals at most `lead`
    characters after a match's start: a scan from the first place one can start, or, where the
    literals are rare in a long text, a look in the window before each."""
    if "" in literals:
        return regex.finditer(text)
    if not task.long:  # a short scan costs less than finding every place
        return regex.finditer(text, max(0, _first_place(task.lowered, literals) - lead))
    found = task.places(literals)
    if not found:
        return _NO_MATCH
    first = max(0, found[0] - lead)
    window = pattern.window(lead, regex is pattern.low)
    if window is None or len(found) * (_SCAN_COST + lead) > len(text) - first:
        return regex.finditer(text, first)
    return _matches_in_windows(regex, window, text, found, lead)


def _matches_in_windows(regex: re.Pattern[str], window: re.Pattern[str], text: str, places: list[int], lead: int) -> Iterator[re.Match[str]]:
    """What finditer finds for a pattern whose matches start at most `lead` characters before
    one of these places (in order): the window before each place is searched in one call."""
    end = 0
    for at in places:
        if at >= end:
            found = window.match(text, max(at - lead, end))
            if found:
                match = regex.match(text, found.start(1))  # the same match, as the pattern's own
                if match:  # (always: the window found it there)
                    end = match.end()
                    yield match


def _matches_at_starts(regex: re.Pattern[str], text: str, starts: list[int]) -> Iterable[re.Match[str]]:
    """What finditer finds for a pattern that can only match at these starts: where they are
    dense, a scan in C from the first is cheaper than a match tried at each."""
    if starts and len(starts) * _SCAN_COST > len(text) - starts[0]:
        return regex.finditer(text, starts[0])
    return _matches_in_turn(regex, text, starts)


def _matches_in_turn(regex: re.Pattern[str], text: str, starts: list[int]) -> Sequence[re.Match[str]]:
    """What finditer finds for a pattern that can only match at these starts (in order): each
    match, then the next from where it ends."""
    end, matches = 0, []
    for position in starts:
        if position >= end:
            match = regex.match(text, position)
            if match:
                end = match.end()
                matches.append(match)
    return matches or _NO_MATCH


def _merged(places: list[list[int]]) -> list[int]:
    """Places from one or more lists (each in order), in order."""
    return places[0] if len(places) == 1 else sorted({i for each in places for i in each})


def _first_place(text: str, literals: set[str] | frozenset[str] | list[str]) -> int:
    """Where the first of the literals occurs (0 where none does)."""
    found = [i for i in map(text.find, literals) if i >= 0]
    return min(found) if found else 0


def _places(text: str, literals: Iterable[str]) -> list[int]:
    """Where any of the literals occurs, in order."""
    return sorted({i for literal in literals for i in _occurrences(text, literal)})


def _occurrences(text: str, literal: str) -> Iterator[int]:
    i = text.find(literal)
    while i >= 0:
        yield i
        i = text.find(literal, i + 1)


def _collect(found: dict[str, list[Span]], signal: str, matches: Iterable[re.Match[str]], negatable: _Negations | None) -> None:
    """Add a pattern's first non-negated matches (at most MAX_EVIDENCE) to its signal's spans."""
    taken: list[Span] = []
    for match in matches:
        if negatable is None or not negatable.before(match.start()):
            taken.append(match.span())
            if len(taken) == MAX_EVIDENCE:
                break
    if taken:
        found.setdefault(signal, []).extend(taken)


def _first(spans: list[Span]) -> tuple[Span, ...]:
    """The first spans by position, without overlaps, at most MAX_EVIDENCE."""
    if len(spans) == 1:
        return (spans[0],)
    kept: list[Span] = []
    for start, end in sorted(spans, key=_by_start_longest_first):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
            if len(kept) == MAX_EVIDENCE:
                break
    return tuple(kept)


def _by_start_longest_first(span: Span) -> tuple[int, int]:
    return span[0], -span[1]


class _Negations:
    """Where a task's negation cues occur, so that most matches are cleared without the
    negation pattern: it can only match from a cue in the few characters before a match."""

    __slots__ = ("text", "cues")

    def __init__(self, text: str, lowered: str | None, cues: frozenset[str]) -> None:
        self.text = text
        # None where lower() moved characters (positions in it are not the text's): every match is checked.
        self.cues = None if lowered is None else _places(lowered, cues)

    def before(self, start: int) -> bool:
        """Whether the match starting here is negated (see `_negated`)."""
        if self.cues is None:
            return _negated(self.text, start)
        i = bisect_left(self.cues, start - _LOOKBEHIND)
        return i < len(self.cues) and self.cues[i] < start and _negated(self.text, start)


def _negated(text: str, start: int) -> bool:
    return _NEGATION_BEFORE.search(text, max(0, start - _LOOKBEHIND), start) is not None
