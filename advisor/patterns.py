"""Signal patterns: compiled once, and read for the literals every match must contain.

Each pattern is parsed once by the standard library's own regex parser; the parse tree is both
compiled and searched for required literals (text every match contains), which lets feature
extraction skip patterns that cannot match a task without running them.
"""

from __future__ import annotations

import itertools
import re
from functools import cached_property, lru_cache
from typing import Any

from . import precompiled
from .fastre import compile_fast

try:  # the standard library's regex parser (private, stable since 3.11)
    from re import _constants as _c, _parser
except ImportError:  # pragma: no cover - older layouts
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]

_MAX_PREFIXES = 64  # alternatives expanded per pattern before settling for shorter literals
_RISK = "it repeats, many times, a group that can match the same text in several ways"
_FEW_REPEATS = 4  # an ambiguous group may repeat this often before it counts as a backtracking risk
_SELECTIVE = 4  # a literal this long is rare enough: stop looking for a longer one
_WEAK = 3  # shorter literals are too frequent to be worth preferring
_MANY_LITERALS = 4  # more literals than this under one word are looked for by their common start
# Function words of the six languages the rule base covers: a literal made only of these
# ("for ", " of a", "what is ") occurs in most tasks, so another literal of the same pattern
# is preferred, even a shorter one.
_COMMON = frozenset("""
a an the of to for in on at by with from and or but is are was were be been this that these those
my your our his her their its it i me we you he she they what which who how why when where do does
did can could will would should give make take get let please just some any about as into than
then so if not no all one there here have has had
el la los las un una unos unas de del en con por para que y o es son mi tu su lo al se
le les des du et ou pour par avec est sont mon ma mes ce cette ces il elle je tu
der die das ein eine einen einem einer dem den des und oder für mit von zu ist sind mein meine
ich du sie es im am
""".split())
_WORDS = re.compile(r"\w+")
_INNER_WORD = re.compile(r"(?<=\W)\w+")
# CJK, kana, hangul: scripts without spaces between words.
_WIDE_RANGES = ((0x2E80, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF))
_WIDE_SHORT = 64  # characters: a shorter text is looked at character by character


def wide(text: str) -> bool:
    """Whether the text has a CJK, kana or hangul character. (A regex of these ranges costs
    some 4 ms to compile, a tenth of a start: it is compiled only for a long non-ASCII text.)"""
    if text.isascii():
        return False
    if len(text) < _WIDE_SHORT:
        return any(low <= ord(c) <= high for c in text for low, high in _WIDE_RANGES)
    return _wide_regex().search(text) is not None


@lru_cache(maxsize=None)
def _wide_regex() -> re.Pattern[str]:
    return re.compile("[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in _WIDE_RANGES) + "]")


_SKIP = (_c.AT, _c.ASSERT, _c.ASSERT_NOT, _c.MAX_REPEAT, _c.MIN_REPEAT, _c.ANY, _c.CATEGORY)


class Analysed:
    """A pattern and what every one of its matches must contain; compiled when first used."""

    # A plain class: a dataclass costs most of a millisecond of every start to define.
    def __init__(self, source: str, flags: int, literals: frozenset[str], lead: int | None, at_word_start: bool,
                 risk: str | None = None, needs_digit: bool = False, digit_start: bool = False, checked: bool = False,
                 within_word: bool = False, anchor: frozenset[str] = frozenset(), anchor_lead: int = 0) -> None:
        self.source, self.flags = source, flags
        self.literals = literals  # lower-cased; every match contains one; empty when unknown
        self.lead = lead  # at most this many characters precede the literal in a match (None: unbounded)
        self.at_word_start = at_word_start  # the literal starts a word: what the pattern matches before it ends in a non-word
        self.risk = risk  # why it could backtrack without end (see _risky)
        self.needs_digit = needs_digit  # every match contains a decimal digit
        self.digit_start = digit_start  # every match starts with a digit at a word boundary
        self.checked = checked  # from the index: it compiled and passed the loader's checks when indexed
        self.within_word = within_word  # every match starts a word and stays inside it (see _within_word)
        # Literals (lower-cased) one of which starts at most `anchor_lead` characters into every
        # match: where a match can start, when `literals` (the rarer ones) cannot say. Empty: none.
        self.anchor, self.anchor_lead = anchor, anchor_lead

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return compile_fast(self.source, self.flags)

    @cached_property
    def keys(self) -> list[tuple[str, str | None, bool]]:
        """The (literal, word) pairs extraction indexes the pattern by: each literal with the word
        that must begin one of a task's words wherever it occurs (see `word_in`). Where one word
        keys many literals ("explain like i'm 5", "explain like i'm five", ...) their common
        beginning stands for them under that word: every match still contains it, and one look
        for it replaces many."""
        by_word: dict[str | None, list[str]] = {}
        for literal in self.literals:
            by_word.setdefault(word_in(literal, self.at_word_start), []).append(literal)
        pairs: set[tuple[str, str | None]] = set()
        for word, literals in by_word.items():
            common = _common_start(literals) if word and len(literals) > _MANY_LITERALS else ""
            if len(common) >= _WEAK:  # shorter, it would be found in almost any task
                pairs.add((common, word))
            else:
                pairs.update((literal, word) for literal in literals)
        # The third item says whether a non-word character follows the word in the literal: then
        # a task's word must be that very word, not merely begin with it.
        return [(lit, word, bool(word) and _closed(lit, word)) for lit, word in sorted(pairs, key=lambda k: (k[0], k[1] or ""))]


@lru_cache(maxsize=None)
def analyse(source: str, case_sensitive: bool = False) -> Analysed:
    """A pattern's required literals: precompiled when the packaged rule base has this very
    pattern, otherwise worked out by parsing it (raising re.error when it is not a regex)."""
    known = precompiled.pattern_entry(pattern_key(source, case_sensitive))
    if known is None:
        return analyse_afresh(source, case_sensitive)
    keys, within_word, at_word_start, literals, lead, needs_digit, digit_start, anchor, anchor_lead = known + _ENTRY_DEFAULTS[len(known):]
    literals = {literal for literal, _, _ in keys} if literals is None else literals
    done = Analysed(source, _flags(case_sensitive), frozenset(literals), lead, at_word_start, None, needs_digit, digit_start,
                    True, within_word, frozenset(anchor), anchor_lead)
    done.__dict__["keys"] = list(map(tuple, keys))  # the cached_property's slot
    return done


def index_keys(source: str, case_sensitive: bool = False) -> list[Any]:
    """A pattern's `keys` (see Analysed.keys), read straight from the precompiled analysis when
    there is one: indexing the packaged rule base needs no more than these."""
    known = precompiled.pattern_entry(pattern_key(source, case_sensitive))
    return analyse(source, case_sensitive).keys if known is None else known[0]  # see index_entry


def analyse_afresh(source: str, case_sensitive: bool = False) -> Analysed:
    """Parse a pattern once: compile it from the parse tree and read its literals from it."""
    flags = _flags(case_sensitive)
    try:
        parsed = _parser.parse(source, flags)
    except re.error:
        raise
    except Exception:  # a private parser: on any surprise, compile plainly and always scan
        return _with_regex(Analysed(source, flags, frozenset(), None, False), re.compile(source, flags))
    found = required_literals(parsed)
    risk = _RISK if _risky(list(parsed)) else None
    literals, lead, at_word_start = found if found else (set(), None, False)
    items = _flat(parsed)
    anchor, anchor_lead = _anchor(parsed, lead)
    return Analysed(source, flags, frozenset(literals), lead, at_word_start, risk, _needs_digit(items), _digit_start(items),
                    within_word=not case_sensitive and bool(literals) and _within_word(list(parsed)),
                    anchor=frozenset(anchor), anchor_lead=anchor_lead)


def problem(done: Analysed) -> str | None:
    """Why the loader refuses a pattern it could parse (None: it does not)."""
    if done.risk:
        return f"could backtrack without end: {done.risk}"
    if done.regex.groups:
        return "has a capturing group; use (?:...)"
    if done.regex.match(""):
        return "matches the empty string"
    return None


def pattern_key(source: str, case_sensitive: bool) -> str:
    return ("cs:" if case_sensitive else "ci:") + source


# An index entry's fields after the keys, in order, and the value of each when left out: most
# patterns need their keys only, and each value in the file costs time to read at every start.
_ENTRY_DEFAULTS: list[Any] = [None, False, True, None, 0, False, False, [], 0]


def index_entry(done: Analysed) -> list[Any]:
    """What `analyse` needs to rebuild an analysis without parsing (see `advisor.precompiled`):
    its keys, whether it stays within a word, whether its literal starts a word, its literals
    (None: those of its keys, as for nine patterns in ten), lead, needs_digit, digit_start, anchor
    and anchor_lead; the trailing fields that have their usual values (_ENTRY_DEFAULTS) left out."""
    keys = [list(k) for k in done.keys]
    literals = None if done.literals == {literal for literal, _, _ in keys} else sorted(done.literals)
    entry = [keys, done.within_word, done.at_word_start, literals, done.lead, done.needs_digit, done.digit_start,
             sorted(done.anchor), done.anchor_lead]
    while len(entry) > 1 and entry[-1] == _ENTRY_DEFAULTS[len(entry) - 1]:
        entry.pop()
    return entry


def _closed(literal: str, word: str) -> bool:
    for run in _WORDS.finditer(literal):
        if run.group() == word:
            return run.end() < len(literal)
    return False


def _common_start(literals: list[str]) -> str:
    first, last = min(literals), max(literals)
    size = next((i for i, (a, b) in enumerate(zip(first, last)) if a != b), min(len(first), len(last)))
    return first[:size]


def word_in(literal: str, at_word_start: bool) -> str | None:
    """The longest word that must begin one of a task's words wherever the literal occurs (the
    key extraction looks it up by); None when there is none (a CJK or symbol literal)."""
    runs = _INNER_WORD.findall(literal)
    lead = _WORDS.match(literal)
    if at_word_start and lead:
        runs.append(lead.group())
    runs = [r for r in runs if not wide(r)]
    # The rarest word keys it best: a content word of three letters or more before a function
    # word ("son" in " is the son of "), a function word before a letter or two ("why" in
    # "why can't": every contraction has a "t" or an "s"), a whole word before the start of
    # one ("in" in "in c": many words begin with "c"), then the longest.
    return max(runs, key=lambda r: (len(r) >= _WEAK and r not in _COMMON, len(r) >= _WEAK, _closed(literal, r),
                                    r not in _COMMON, len(r))) if runs else None


def keyed_at_word_start(literal: str, word: str) -> bool:
    """Whether a literal keyed by this word (see `word_in`) starts a word wherever it occurs in
    a match: the word is its first run and no later one, which `word_in` picks only for a
    pattern whose literal starts a word."""
    lead = _WORDS.match(literal)
    return lead is not None and lead.group() == word and word not in _INNER_WORD.findall(literal)


def _flags(case_sensitive: bool) -> int:
    return 0 if case_sensitive else int(re.IGNORECASE)  # a plain int: enum flag arithmetic is slow


def _with_regex(done: Analysed, regex: re.Pattern[str]) -> Analysed:
    done.__dict__["regex"] = regex  # already compiled: the cached_property's slot
    return done


def required_literals(parsed: Any) -> tuple[set[str], int | None, bool] | None:
    """Lower-cased literals one of which every match contains; how many characters can precede
    it in a match (None: unbounded); whether it starts a word (see `_ends_in_non_word`).
    None when no literal is known: such a pattern is scanned on every task."""
    found = _required(parsed)
    if found is None:
        return None
    literals, i = found
    items = _flat(parsed)
    return literals, _lead(parsed, items[:i]), _ends_in_non_word(items[:i] + _opening(items[i]))


def _required(parsed: Any) -> tuple[set[str], int] | None:
    """The required literals (see `required_literals`) and the top-level item they start at."""
    items = _flat(parsed)
    best: tuple[set[str], int] | None = None
    for i in range(len(items)):
        # Every match contains the text matched from any top-level item on, so a literal
        # that item sequence begins with is required. The first selective set will do.
        if items[i][0] in _SKIP:
            continue
        found, _ = _extend(items[i:], {""})
        if "" in found:
            continue
        if best is not None and _common(best[0]):
            # "(this|the|my) (\w+ )?video": a word after function words is a far rarer
            # literal, even where the match may start any distance before it.
            if items[i - 1][0] is not _c.LITERAL and min(map(len, found)) >= _WEAK and not _common(found):
                return found, i
            continue
        if best is None or _selectivity(found) > _selectivity(best[0]):
            best = (found, i)
        if min(map(len, best[0])) >= _SELECTIVE and not _common(best[0]):
            break
    return best


def word_lead(source: str, flags: int) -> tuple[int, int] | None:
    """Where `lead` is unbounded, a bound in two parts, (fixed, words): at most fixed + words x
    (the task's longest word) characters precede the required literal, when what repeats
    without bound repeats word characters only ('\\b\\w+\\.py:', '\\b\\d*[a-z] ?[+-]'): such a
    run cannot be longer than the longest word. None where there is no such bound."""
    try:
        parsed = _parser.parse(source, flags)
        found = _required(parsed)
        return None if found is None else _word_width(parsed.state, _flat(parsed)[:found[1]])
    except Exception:  # not parsed here, not known
        return None


def _word_width(state: Any, items: list[Any]) -> tuple[int, int] | None:
    fixed = words = 0
    for op, arg in items:
        part = _item_word_width(state, op, arg)
        if part is None:
            return None
        fixed, words = fixed + part[0], words + part[1]
    return fixed, words


def _item_word_width(state: Any, op: Any, arg: Any) -> tuple[int, int] | None:
    width = _parser.SubPattern(state, [(op, arg)]).getwidth()[1]
    if width < _c.MAXREPEAT:
        return width, 0
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        if arg[1] >= _c.MAXREPEAT:  # unbounded: over word characters only, a run within one word
            return (0, 1) if all(_word_only(o, a) for o, a in arg[2]) else None
        body = _word_width(state, list(arg[2]))
        return None if body is None else (arg[1] * body[0], arg[1] * body[1])
    if op is _c.SUBPATTERN:
        return _word_width(state, list(arg[-1]))
    if op is _c.BRANCH:
        widths = [_word_width(state, list(alt)) for alt in arg[1]]
        return None if None in widths else (max(w[0] for w in widths), max(w[1] for w in widths))  # type: ignore[index]
    return None


def _anchor(parsed: Any, lead: int | None) -> tuple[set[str], int]:
    """The literals nearest the start of every match, if nearer than the required literals
    (`lead`): "build", "create", ... in '\\b(?:build|create|...) (?:\\w+ )?app', whose "app" can
    be any distance in. Function words count here: they say where to look, not whether to."""
    items = _flat(parsed)
    for i in range(len(items)):
        if items[i][0] in _SKIP:
            continue
        before = _lead(parsed, items[:i])
        if before is None or (lead is not None and before >= lead):
            break
        found, _ = _extend(items[i:], {""})
        if "" not in found and min(map(len, found)) >= _WEAK:
            # "build me " adds no place to look that "build " does not
            return {lit for lit in found if not any(lit != other and lit.startswith(other) for other in found)}, before
    return set(), 0


def _flat(parsed: Any) -> list[Any]:
    """The top-level items, with a pattern-wide group ('(?-i:...)', '(?:a|b)c') opened up, so
    the literals inside it count as top-level ones."""
    items = list(parsed)
    while len(items) == 1 and items[0][0] is _c.SUBPATTERN:
        items = list(items[0][1][-1])
    return items


def opens_at_boundary(source: str, flags: int) -> bool:
    """Whether every match starts at a word boundary ('\\b(?:write|code) ...'), so that a
    literal the match starts with, if it starts with a word character, starts a word."""
    try:
        items = _flat(_parser.parse(source, flags))
    except Exception:  # not parsed here, not known
        return False
    return bool(items) and (items[0][0], items[0][1]) == (_c.AT, _c.AT_BOUNDARY)


def _within_word(items: list[Any]) -> bool:
    """Whether every match starts a word and consumes word characters only ('\\bpoe(?:m|try)',
    '\\btoasts?\\b'): whether it matches is then a property of the word alone, which
    extraction works out once per distinct word. Case-insensitive patterns only (words are
    looked at lower-cased), and nothing that looks outside the word."""
    if not items or (items[0][0], items[0][1]) != (_c.AT, _c.AT_BOUNDARY):
        return False
    body = items[1:]
    if body and (body[-1][0], body[-1][1]) == (_c.AT, _c.AT_BOUNDARY):
        body = body[:-1]
    return bool(body) and all(_word_only(op, arg) for op, arg in body)


def _word_only(op: Any, arg: Any) -> bool:
    if op is _c.LITERAL:
        return _is_word_char(arg)
    if op is _c.IN:
        return all(_word_set_item(kind, value) for kind, value in arg)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        return all(_word_only(o, a) for o, a in arg[2])
    if op is _c.SUBPATTERN:
        return not arg[1] and not arg[2] and all(_word_only(o, a) for o, a in arg[-1])  # no flag changes inside
    if op is _c.BRANCH:
        return all(alt and all(_word_only(o, a) for o, a in alt) for alt in arg[1])
    return False


def _word_set_item(kind: Any, value: Any) -> bool:
    if kind is _c.LITERAL:
        return _is_word_char(value)
    if kind is _c.RANGE:
        return all(_is_word_char(c) for c in range(value[0], value[1] + 1))
    return kind is _c.CATEGORY and value in (_c.CATEGORY_WORD, _c.CATEGORY_DIGIT)


def _is_word_char(code: int) -> bool:
    return _WORDS.fullmatch(chr(code)) is not None


def _needs_digit(items: list[Any]) -> bool:
    """Whether a sequence cannot match without a decimal digit: a task without digits skips it."""
    return any(_item_needs_digit(op, arg) for op, arg in items)


def _item_needs_digit(op: Any, arg: Any) -> bool:
    if op is _c.IN:
        return all(_is_digit_set(kind, value) for kind, value in arg)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        return arg[0] >= 1 and _needs_digit(list(arg[2]))
    if op is _c.SUBPATTERN:
        return _needs_digit(list(arg[-1]))
    if op is _c.BRANCH:
        return all(_needs_digit(list(alt)) for alt in arg[1])
    return op is _c.LITERAL and chr(arg).isdigit() and chr(arg).isascii()


def _digit_start(items: list[Any]) -> bool:
    """Whether a match starts at a word boundary with a digit ('\\b\\d+k'): such a pattern is
    tried only where a number starts."""
    boundary = False
    for op, arg in items:
        if (op, arg) == (_c.AT, _c.AT_BOUNDARY):
            boundary = True
        elif op not in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            return boundary and _starts_with_digit(op, arg)
    return False


def _starts_with_digit(op: Any, arg: Any) -> bool:
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        body = list(arg[2])
        return arg[0] >= 1 and bool(body) and _starts_with_digit(*body[0])
    if op is _c.SUBPATTERN:
        body = list(arg[-1])
        return bool(body) and _starts_with_digit(*body[0])
    if op is _c.BRANCH:
        return all(alt and _starts_with_digit(*list(alt)[0]) for alt in arg[1])
    return op in (_c.IN, _c.LITERAL) and _item_needs_digit(op, arg)


def _is_digit_set(kind: Any, value: Any) -> bool:
    if kind is _c.CATEGORY:
        return value is _c.CATEGORY_DIGIT
    if kind is _c.RANGE:
        return ord("0") <= value[0] and value[1] <= ord("9")
    return kind is _c.LITERAL and ord("0") <= value <= ord("9")


def _opening(item: tuple[Any, Any]) -> list[Any]:
    """The zero-width assertions a group opens with ('\\b' in '(?-i:\\bin [CR]\\b)'): they
    stand just before the literal the group begins with."""
    op, arg = item
    if op is not _c.SUBPATTERN:
        return []
    body = list(arg[-1])
    zero_width = list(itertools.takewhile(lambda x: x[0] in (_c.AT, _c.ASSERT, _c.ASSERT_NOT), body))
    return zero_width + (_opening(body[len(zero_width)]) if len(zero_width) < len(body) else [])


def _ends_in_non_word(items: list[Any]) -> bool:
    """Whether the text these items match always ends in a non-word character (or they assert
    a word boundary last), so that what follows them starts a word."""
    for k in range(len(items) - 1, -1, -1):
        op, arg = items[k]
        if op is _c.AT and arg in (_c.AT_BEGINNING, _c.AT_BEGINNING_STRING):
            return True  # the start of the text
        if op in (_c.ASSERT, _c.ASSERT_NOT) or (op is _c.AT and arg is not _c.AT_BOUNDARY):
            continue
        if op is _c.AT:
            return True  # \b just before a literal that starts with a word character
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            if not _ends_in_non_word(list(arg[2])):
                return False
            if arg[0] >= 1:
                return True
            continue  # it may match nothing: what comes before must end in a non-word too
        if op is _c.SUBPATTERN:
            return _ends_in_non_word(items[:k] + list(arg[-1]))
        if op is _c.BRANCH:
            return all(_ends_in_non_word(items[:k] + list(alt)) for alt in arg[1])
        return _non_word_item(op, arg)
    return False


def _non_word_item(op: Any, arg: Any) -> bool:
    if op is _c.LITERAL:
        return not _is_word_char(arg)
    if op is _c.IN:
        return all(_non_word_set_item(kind, v) for kind, v in arg)
    return False


def _non_word_set_item(kind: Any, value: Any) -> bool:
    if kind is _c.LITERAL:
        return not _is_word_char(value)
    return kind is _c.CATEGORY and value in (_c.CATEGORY_SPACE, _c.CATEGORY_NOT_WORD)


def _selectivity(literals: set[str]) -> tuple[int, bool, int]:
    """Longer literals first; then non-ASCII ones (rarer in most tasks); then fewer of them."""
    return (min(map(len, literals)), any(not lit.isascii() for lit in literals), -len(literals))


def _common(literals: set[str]) -> bool:
    """Whether some literal consists of function words only ("for ", " of a")."""
    for literal in literals:
        words = _WORDS.findall(literal)
        if words and all(w in _COMMON for w in words):
            return True
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
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and arg[1] == 1:
        # An optional part ("photos?", "(?:me )?") spells out both ways: longer, rarer literals.
        return [[], arg[2]] if arg[0] == 0 else [arg[2]]
    return None




def _risky(items: list[Any]) -> bool:
    """A repeat (more than a few times, or unbounded) around anything that can match the same
    text in several ways (a variable repeat, an alternation) can backtrack exponentially:
    '(a+)+', '(\\w+\\s?)*', '(a|aa)+', '([a-z]{1,10}){1,10}'."""
    for op, arg in items:
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            # A few repeats of an ambiguous body cost a small power of the text's length;
            # many (or unbounded) cost an exponential.
            if arg[1] > _FEW_REPEATS and _ambiguous(list(arg[2])):
                return True
            if _risky(list(arg[2])):
                return True
        elif any(_risky(list(sub)) for sub in _children(op, arg)):
            return True
    return False


def _ambiguous(items: list[Any]) -> bool:
    for op, arg in items:
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and arg[0] != arg[1] or op is _c.BRANCH:
            return True  # a variable-length repeat or an alternation can split text many ways
        if any(_ambiguous(list(sub)) for sub in _children(op, arg)):
            return True
    return False


def _children(op: Any, arg: Any) -> list[Any]:
    if op is _c.SUBPATTERN:
        return [arg[-1]]
    if op is _c.BRANCH:
        return list(arg[1])
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        return [arg[1]]
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        return [arg[2]]
    return []
