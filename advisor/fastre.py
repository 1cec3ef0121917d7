"""Compile a signal pattern into an equivalent regex that fails faster.

The stdlib's matcher tries an alternation's branches one by one, and under IGNORECASE it cannot
dismiss a branch by its first character: `\\b(?:python|java|...|go) code` enters twenty branches
at every word start of a task. A lookahead for the characters the branches can begin with,
placed before the alternation, dismisses most positions with one set test. A lookahead for a
character every match needs anyway removes no match and adds none, so the compiled regex finds
exactly what the pattern's plain compilation finds (tests/test_fastre.py holds it to that).

The stdlib's search loop also skips, in C, positions where no match can start, but only for a
pattern that opens with its first characters, and under IGNORECASE only where they are uncased:
'\\b\\d+k' opens with an assertion, '(?i)what' with a cased letter, and so each gets a full
match tried at every position. Such a pattern is compiled with the set of characters its
matches start with told to the search loop (under IGNORECASE, with every character that folds
to one of them).
"""

from __future__ import annotations

import re
import types
from functools import lru_cache
from typing import Any, Callable

import _sre

try:  # the standard library's regex parser and compiler (private, stable since 3.11)
    from re import _compiler, _constants as _c, _parser
except ImportError:  # pragma: no cover - older layouts
    import sre_compile as _compiler  # type: ignore[no-redef]
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]

_MIN_BRANCHES = 3  # fewer branches cost less to try than the lookahead costs to pass
_ZERO_WIDTH = (_c.AT, _c.ASSERT, _c.ASSERT_NOT)
_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT))

Items = list[tuple[Any, Any]]


def compile_fast(source: str, flags: int) -> re.Pattern[str]:
    """`re.compile(source, flags)`, with first-character lookaheads before its alternations."""
    try:
        return _compile(_with_lookaheads(source, flags), flags)
    except re.error:
        raise
    except Exception:  # pragma: no cover - a changed private API: the plain compilation is as right
        return re.compile(source, flags)


def compile_lowered(source: str, flags: int) -> re.Pattern[str] | None:
    """For an IGNORECASE pattern, a regex that finds in `text.lower()` exactly the matches
    `compile_fast(source, flags)` finds in `text`, wherever lowering keeps each character in its
    place (`len(text.lower()) == len(text)`); None for other patterns.

    Under IGNORECASE the matcher lowers each character of the text before it compares it, and
    it cannot dismiss an alternation's branch by its first character without entering it. In a
    text already lowered, the same compiled pattern with its case-folding operations made plain
    compares the same characters (the pattern's own are lowered, with the characters that fold
    together with them, like 's' and 'ſ', already in a set) and dismisses branches at once."""
    if not flags & re.IGNORECASE or flags & re.ASCII:
        return None
    try:
        parsed = _with_lookaheads(source, flags)
        if _case_changed(parsed.data):
            return None  # a part that turns IGNORECASE off must see the text as it is
        return _compile(parsed, flags, _plain_code())
    except re.error:
        raise
    except Exception:  # pragma: no cover - a changed private API: the caller matches the text itself
        return None


def _with_lookaheads(source: str, flags: int) -> Any:
    """The pattern's parse tree, with the lookaheads of `_add_lookaheads` put in."""
    parsed = _parser.parse(source, flags)
    # The matcher finds the first character of a pattern by itself where it can.
    keep_first = _compiler._get_charset_prefix(parsed, flags) is not None
    _add_lookaheads(parsed.data, parsed.state, flags | parsed.state.flags, keep_first)
    return parsed


def _case_changed(items: Items) -> bool:
    """Whether some part of the pattern turns IGNORECASE off or ASCII on (or is a conditional)."""
    for op, arg in items:
        if op is _c.SUBPATTERN:
            _, add_flags, del_flags, _ = arg
            if del_flags & re.IGNORECASE or add_flags & re.ASCII:
                return True
        if op is _c.GROUPREF_EXISTS:
            return True
        lookarounds = [arg[1].data] if op in (_c.ASSERT, _c.ASSERT_NOT) else []  # behind as well as ahead
        if any(_case_changed(child) for child in lookarounds + _nested(op, arg)):
            return True
    return False


@lru_cache(maxsize=None)
def _plain_code() -> Callable[[Any, int], list[int]]:
    """The stdlib's `_code`, emitting each case-folding operation as its plain form: a copy of
    its functions over a copy of its module's names, so no other compilation is touched."""
    names = dict(vars(_compiler))
    names.update(OP_UNICODE_IGNORE={_c.LITERAL: _c.LITERAL, _c.NOT_LITERAL: _c.NOT_LITERAL}, IN_UNI_IGNORE=_c.IN)
    for name in ("_compile", "_code"):
        original = getattr(_compiler, name)
        names[name] = types.FunctionType(original.__code__, names, name, original.__defaults__, original.__closure__)
    return names["_code"]


def _compile(parsed: Any, flags: int, code_of: Callable[[Any, int], list[int]] | None = None) -> re.Pattern[str]:
    """`_compiler.compile`, telling the search loop the characters a match can start with where
    the stdlib would not (see `_first_charset`): it would try a full match at every position.
    `code_of` stands for the stdlib's `_code` (see `_plain_code`)."""
    flags |= parsed.state.flags
    code = (code_of or _compiler._code)(parsed, flags)
    first = _first_charset(parsed, flags)
    if first is not None:
        code = _info(parsed, first, flags) + code[code[1] + 1:]  # in place of the INFO block
    indexgroup = [None] * parsed.state.groups
    for name, index in parsed.state.groupdict.items():
        indexgroup[index] = name
    return _sre.compile(None, flags, code, parsed.state.groups - 1, parsed.state.groupdict, tuple(indexgroup))


def digit_followers(source: str, flags: int) -> re.Pattern[str] | None:
    """For a pattern every match of which opens with a run of digits ('\\b\\d+(?:\\.\\d+)?[km]'),
    a regex of one character: what must follow a number's whole run of digits for a match to
    start at that number. None where that is not known. (The run's repeat cannot stop short of
    the run's end, leaving the rest to begin on a digit: the set holds no digit.)"""
    try:
        items = list(_parser.parse(source, flags).data)
    except Exception:  # not parsed here, not known
        return None
    while len(items) == 1 and items[0][0] is _c.SUBPATTERN and not items[0][1][1] and not items[0][1][2]:
        items = list(items[0][1][-1].data)  # a pattern-wide group, without flags of its own
    at = next((i for i, (op, _) in enumerate(items) if op not in _ZERO_WIDTH), len(items))
    if at == len(items) or not _digit_run(*items[at]):
        return None
    follow = _follow_set(items[at + 1:])
    if follow is None or not all(_digit_free(kind, value) for kind, value in follow):
        return None
    return re.compile("[" + "".join(_set_source(kind, value) for kind, value in follow) + "]", flags)


def _digit_run(op: Any, arg: Any) -> bool:
    """A repeat, at least once, of `\\d` (or [0-9]) alone."""
    return op in _REPEATS and arg[0] >= 1 and list(arg[2].data) in (
        [(_c.IN, [(_c.CATEGORY, _c.CATEGORY_DIGIT)])], [(_c.IN, [(_c.RANGE, (48, 57))])])


def _follow_set(items: Items) -> list[tuple[Any, Any]] | None:
    """Set items covering every character a match of `items` can begin with, through optional
    parts; None when that is unknown or the sequence can match the empty string."""
    sets = []
    for op, arg in items:
        if op in _ZERO_WIDTH:
            continue
        if op in _REPEATS and arg[0] == 0:
            sets.append(_first_set(arg[2].data))  # it may match nothing: what follows it may begin too
            continue
        return _union([*sets, _first_set([(op, arg)])])
    return None


def _digit_free(kind: Any, value: Any) -> bool:
    if kind is _c.LITERAL:
        return not chr(value).isdecimal()
    if kind is _c.RANGE:
        return value[1] < 128 and (value[1] < 48 or value[0] > 57)
    return kind is _c.CATEGORY and value in (_c.CATEGORY_SPACE, _c.CATEGORY_NOT_WORD, _c.CATEGORY_NOT_DIGIT)


def _set_source(kind: Any, value: Any) -> str:
    if kind is _c.LITERAL:
        return re.escape(chr(value))
    if kind is _c.RANGE:
        return f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}"
    return {_c.CATEGORY_SPACE: r"\s", _c.CATEGORY_NOT_WORD: r"\W", _c.CATEGORY_NOT_DIGIT: r"\D"}[value]


def _first_charset(parsed: Any, flags: int) -> list[tuple[Any, Any]] | None:
    """The set every match starts with, where the search loop is not told it otherwise: for a
    pattern that opens with zero-width assertions, or, under IGNORECASE, with cased letters.
    Under IGNORECASE the set holds every character the matcher folds to its own (it tests the
    set without folding). None where that is not known, or where a match can be empty."""
    items = parsed.data
    if not items or parsed.getwidth()[0] == 0:
        return None
    if items[0][0] not in _ZERO_WIDTH and (not flags & re.IGNORECASE or _compiler._get_charset_prefix(parsed, flags) is not None
                                           or _compiler._get_literal_prefix(parsed, flags)[0]):
        return None  # the stdlib tells the search loop itself
    first = _first_set(items)
    return _folded(first) if first is not None and flags & re.IGNORECASE else first


# The characters other than its upper case that IGNORECASE matches for an ASCII letter: the
# dotted capital and the dotless small i, the Kelvin sign, the long s (tests/test_fastre.py
# checks this against the matcher over every code point).
_OTHER_FOLDS = {"i": "\u0130\u0131", "k": "\u212a", "s": "\u017f"}


def _folded(first: list[tuple[Any, Any]]) -> list[tuple[Any, Any]] | None:
    """The set with each ASCII letter's folds added; None where it holds another cased character."""
    folded: list[tuple[Any, Any]] = []
    for kind, value in first:
        if _fold_closed(kind, value):
            folded.append((kind, value))
        elif kind is _c.LITERAL and value < 128:
            folded += _letter_folds(chr(value))
        elif kind is _c.RANGE and value[1] < 128:
            folded += [fold for code in range(value[0], value[1] + 1) for fold in _letter_folds(chr(code))]
        else:
            return None
    return folded


def _fold_closed(kind: Any, value: Any) -> bool:
    iscased = _compiler._get_iscased(re.IGNORECASE | re.UNICODE)  # "é" is cased too
    if kind is _c.LITERAL:
        return not iscased(value)
    if kind is _c.RANGE:
        return value[1] <= 0xFFFF and not any(map(iscased, range(value[0], value[1] + 1)))
    return kind is _c.CATEGORY  # digits, spaces, word characters: each class holds both cases


def _letter_folds(char: str) -> list[tuple[Any, Any]]:
    lower = char.lower()
    return [(_c.LITERAL, ord(c)) for c in dict.fromkeys(lower + char.upper() + _OTHER_FOLDS.get(lower, ""))]


def _info(parsed: Any, charset: list[tuple[Any, Any]], flags: int) -> list[int]:
    """An INFO block as `_compiler._compile_info` writes it for a pattern with a charset prefix."""
    low, high = parsed.getwidth()
    code = [_c.INFO, 0, _c.SRE_INFO_CHARSET, min(low, _compiler.MAXCODE), min(high, _compiler.MAXCODE)]
    _compiler._compile_charset(_compiler._optimize_charset(charset)[0], flags, code)
    code[1] = len(code) - 1
    return code


def compile_window(source: str, flags: int, lead: int, lowered: bool = False) -> re.Pattern[str] | None:
    """A regex whose match at a position finds the pattern's first match starting at most
    `lead` characters after it, in its group 1: one call in C for what would be `lead + 1`
    matches tried from Python (with `lowered`, in the lowered text: see `compile_lowered`).
    None where the pattern cannot be wrapped (a global inline flag)."""
    try:
        return (compile_lowered if lowered else compile_fast)(f"(?s:.{{0,{lead}}}?)({source})", flags)
    except re.error:
        return None


def _add_lookaheads(items: Items, state: Any, flags: int, keep_first: bool = False) -> None:
    """Put a lookahead before each alternation (here and nested) whose first characters are
    known and cased: without IGNORECASE, or for uncased characters, the matcher already
    dismisses a branch by its first character."""
    for at, (op, arg) in enumerate(items):
        inner = _combine(flags, arg) if op is _c.SUBPATTERN else flags
        for child in _nested(op, arg):
            _add_lookaheads(child, state, inner, keep_first and at == 0)
    at = 0
    while at < len(items):
        op, arg = items[at]
        if op is _c.BRANCH and len(arg[1]) >= _MIN_BRANCHES and not (keep_first and at == 0) and flags & re.IGNORECASE:
            first = _first_set([(op, arg)])
            if first is not None and _cased(first, flags):
                items.insert(at, (_c.ASSERT, (1, _parser.SubPattern(state, [(_c.IN, first)]))))
                at += 1
        at += 1


def _combine(flags: int, arg: Any) -> int:
    _, add_flags, del_flags, _ = arg
    return (flags | add_flags) & ~del_flags


def _cased(first: list[tuple[Any, Any]], flags: int) -> bool:
    iscased = _compiler._get_iscased(flags)
    return iscased is not None and any(kind is not _c.LITERAL or iscased(value) for kind, value in first)


def _nested(op: Any, arg: Any) -> list[Items]:
    """The item sequences inside one item that may take a lookahead. Lookbehinds keep their
    fixed width untouched, and conditionals are left as written."""
    if op is _c.BRANCH:
        return [alt.data for alt in arg[1]]
    if op is _c.SUBPATTERN:
        return [arg[3].data]
    if op in _REPEATS:
        return [arg[2].data]
    if op in (_c.ASSERT, _c.ASSERT_NOT) and arg[0] == 1:
        return [arg[1].data]
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return [arg.data]
    return []


def _first_set(items: Items) -> list[tuple[Any, Any]] | None:
    """Set items covering every character a match of `items` can begin with; None when that is
    unknown or the sequence can match the empty string."""
    for op, arg in items:
        if op in _ZERO_WIDTH:
            continue
        if op is _c.LITERAL:
            return [(op, arg)]
        if op is _c.IN:
            return None if any(kind is _c.NEGATE for kind, _ in arg) else list(arg)
        if op is _c.BRANCH:
            return _union([_first_set(alt.data) for alt in arg[1]])
        if op is _c.SUBPATTERN:
            # A group that turns IGNORECASE on could match characters the outer scope's set
            # would not; one that turns it off only narrows them.
            _, add_flags, _, body = arg
            return None if add_flags & re.IGNORECASE else _first_set(body.data)
        if op in _REPEATS:
            low, _, body = arg
            return _first_set(body.data) if low > 0 else None
        return None
    return None


def _union(sets: list[list[tuple[Any, Any]] | None]) -> list[tuple[Any, Any]] | None:
    if any(s is None for s in sets):
        return None
    merged: list[tuple[Any, Any]] = []
    for items in sets:
        merged += [item for item in items if item not in merged]  # type: ignore[union-attr]
    return merged
