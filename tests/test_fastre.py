"""Patterns compiled with first-character lookaheads find exactly what their plain compilation finds."""

from __future__ import annotations

import re
import string
from re import _constants as _c, _parser  # the transform works on the stdlib's parse tree

import pytest
from hypothesis import given, settings, strategies as st

import corpus
from advisor.fastre import _add_lookaheads, _first_charset, _letter_folds, compile_fast, compile_lowered, digit_followers


# Case folding's corners: the Kelvin sign folds to k, the long s to s, dotless and dotted i to i.
FOLDS = "K ſ ı İ k s i K S I ß ẞ µ μ Ω ω"

PATTERNS = [
    (r"\b(?:python|java|c\+\+|go|golang) (?:code|class|function)", re.I),
    (r"\b(?:Kelvin|kilo|sigma|stress|Iris|icon) units?", re.I),
    (r"(?:a|bb|cc|)x", re.I),                          # an empty branch: no first set
    (r"(?:ab|cd|ef|[gh]i|\d+j)+k", re.I),               # sets, categories and repeats as first items
    (r"(?:x?ab|cd|ef)z", re.I),                         # an optional first item: no first set
    (r"(?-i:Err|Exc|Warn)\w+", re.I),                  # IGNORECASE turned off inside
    (r"(?i:err|exc|warn)\w+", 0),                       # IGNORECASE turned on inside a case-sensitive pattern
    (r"(?:err|exc|warn|(?i:fail))\w*", 0),
    (r"(?<=\b(?:on|at|in))\s(?:monday|tuesday|friday)", re.I),  # lookbehinds keep their fixed width
    (r"(?:诗|故事|小说)|(?:poem|story|novel)", re.I),   # uncased first characters
    (r"^(?:what|why|how) (?:is|are|do)\b", re.I | re.M),
    (r"(?=(?:foo|bar|baz))\w+(?!(?:qux|quux|corge))", re.I),
    (r"\b(?:straße|strasse|sss|ſs)\b", re.I),
    # Opening with an assertion, then a set the search loop is told of (or, cased, is not):
    (r"\b\d+(?:\.\d+)?\s?(?:k|kg|km)\b", re.I),
    (r"(?<![$£])\b[0-9]+[+−]", 0),
    (r"\b[0-9a-f]{2,}h\b", re.I),                       # a cased range: not told
    (r"\b(?:\d|[+=])\s?x", re.I),
    (r"(?=\d)\b\w+", 0),
    (r"\b(?:écris|élève|über)\b", re.I),                # cased letters beyond ASCII: not told
    (r"\b(?:kelvin|ski|iris|Ice)\b", re.I),              # cased ASCII letters: told, with their folds
    (r"(?:what|why|sky)(?:'s| is)", re.I),              # opening with cased letters, no assertion
    (r"\b[a-k]\d", re.I),
]


def spans(regex: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in regex.finditer(text)]


# Greek: the final sigma, which lower() makes "ς" at the end of a word and the matcher folds to "σ".
SIGMAS = "ΣΟΦΟΣ σοφος ΟΔΟΣ σοφός Σ"


def same_matches(source: str, flags: int, texts: list[str]) -> None:
    """compile_fast finds in each text what re.compile does, and so does compile_lowered in the
    lowered text, where lowering keeps characters in place (see fastre.compile_lowered)."""
    plain, fast, lowered = re.compile(source, flags), compile_fast(source, flags), compile_lowered(source, flags)
    for text in texts:
        found = spans(plain, text)
        assert spans(fast, text) == found, (source, text[:80])
        if lowered is not None and len(text.lower()) == len(text):
            assert spans(lowered, text.lower()) == found, ("lowered", source, text[:80])


@pytest.mark.parametrize("source,flags", PATTERNS)
def test_constructed_patterns_match_as_compiled_plainly(source, flags):
    texts = corpus.texts()[:200] + [FOLDS, FOLDS.upper(), FOLDS.lower(), SIGMAS, "Java code, GO class, Kelvin unit, ERRor, Failure",
                              "on Monday at  Friday in tuesday", "诗 poem STORY novel 故事",
                              "٣٤ km, 12.5 KG, 7K, $5+ 4−, ff0h FFh, + x = x 3x",
                              "ÉCRIS Élève ÜBER écris \u212aelvin ſki ıris İce \u212a9 İ3 WHAT'S Why is \u017fky is"]
    same_matches(source, flags, texts)


def test_every_rule_base_pattern_matches_as_compiled_plainly(router):
    texts = corpus.texts()
    texts += [t.upper() for t in texts[::4]] + [FOLDS, SIGMAS]
    for signal in router.rulebase.signals.values():
        flags = 0 if signal.case_sensitive else re.IGNORECASE
        for source in signal.patterns:
            same_matches(source, flags, texts)


@pytest.mark.parametrize("source,flags,lowered", [
    (r"\bwrite (?:a|an) (?:poem|song)", re.I, True),
    (r"(?<![$£])\b\d+k", re.I, True),
    (r"\bpoem", 0, False),                             # case-sensitive: it must see the text as it is
    (r"(?-i:Test)\w+", re.I, False),                    # a part that is
    (r"\b(?:x|(?-i:Y))z", re.I, False),
    (r"(?<=(?-i:A))b", re.I, False),                     # inside a lookbehind too
    (r"(?a:k)", re.I, False),                            # ASCII folding: lower() folds more
])
def test_only_patterns_folding_case_throughout_run_on_the_lowered_text(source, flags, lowered):
    assert (compile_lowered(source, flags) is not None) == lowered


@pytest.mark.parametrize("source,flags,added", [
    (r"\b(?:python|java|rust) code", re.I, 1),
    (r"\b(?:python|java|rust) code", 0, 0),            # the matcher dismisses case-sensitive branches itself
    (r"\b(?:诗|故事|小说)", re.I, 0),                  # and uncased ones
    (r"(?:python|java|rust) code", re.I, 1),
    (r"\b(?:python|java) code", re.I, 0),               # two branches cost less than the lookahead
    (r"\b(?:a|bb|cc|) (?:x|yy|zz|ww)", re.I, 1),        # the first alternation can match empty: no first set
])
def test_lookaheads_go_where_they_help(source, flags, added):
    parsed = _parser.parse(source, flags)
    before = len(parsed.data)
    _add_lookaheads(parsed.data, parsed.state, flags)
    assert len(parsed.data) - before == added


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PATTERNS), st.text(alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyz KſıİSIßΣσς诗\n+-0123456789٣.$−=")), max_size=60))
def test_random_text(pattern, text):
    same_matches(*pattern, [text])


def test_the_folds_of_ascii_letters_are_every_character_ignorecase_matches():
    """The search loop is told an ASCII letter's folds; one left out would lose matches."""
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    for letter in string.ascii_lowercase:
        matched = set(re.findall(f"(?i){letter}", every))
        told = {chr(value) for _, value in _letter_folds(letter)}
        assert told == matched == {chr(value) for _, value in _letter_folds(letter.upper())}, letter


@pytest.mark.parametrize("source,flags,told", [
    (r"\bwrite (?:a|an)", re.I, "wW"),
    (r"what(?:'s| is)", re.I, "wW"),                    # no assertion first: the stdlib tells nothing under IGNORECASE
    (r"\b(?:ski|kit)", re.I, "sSſkK\u212a"),
    (r"\b\d+k", re.I, "digits"),                        # a category: told as one, not as characters
    (r"\bécris", re.I, ""),                             # a cased letter beyond ASCII: nothing told
    (r"what", 0, ""),                                   # the stdlib tells it itself
])
def test_the_characters_a_match_starts_with_are_told_with_their_folds(source, flags, told):
    found = _first_charset(_parser.parse(source, flags), flags | re.UNICODE)
    if told == "":
        assert found is None
    elif told == "digits":
        assert found == [(_c.CATEGORY, _c.CATEGORY_DIGIT)]
    else:
        assert {chr(value) for _, value in found} == set(told)


# What must follow a number's digits for a match to start at it: (pattern, flags, characters
# that may follow, characters that may not).
FOLLOWERS = [
    (r"\b\d+(?:\.\d+)?[kKmM]\+?\s", 0, "kKmM.", " /x5%"),
    (r"\b\d+(?:\.\d+)?\s?(?:J|kJ|eV)\b", re.I, " .jJkKeE\t", "x/%-"),
    (r"(?<![$£€])\b\d+\s?%", 0, " %", "a-."),
    (r"\b\d{1,9} (?:cats|dogs)", re.I, " ", "c/"),
    (r"(?:\b\d+/\d+)", 0, "/", " ."),
]
# Patterns that say nothing of it: a repeat that may stop inside the run, a run that is not of
# digits alone, an empty end, a branch first, a set with digits in it.
NO_FOLLOWERS = [r"\b\d+\b", r"\b\d+\d", r"\b\d[\d,.]{0,15}x", r"\b(?:\d+|x)y", r"\b\d+(?:a|)", r"\b\d+\w", r"\b\d+[^a]",
                r"\b\d+(?:x)?", r"(?i)\bwords? \d+"]


@pytest.mark.parametrize("source, flags, may, may_not", FOLLOWERS)
def test_a_number_pattern_says_what_follows_a_numbers_digits(source, flags, may, may_not):
    followers = digit_followers(source, flags)
    assert followers is not None
    assert [c for c in may if not followers.match(c)] == [] and [c for c in may_not if followers.match(c)] == []


@pytest.mark.parametrize("source", NO_FOLLOWERS)
def test_a_number_pattern_that_cannot_tell_says_nothing(source):
    assert digit_followers(source, 0) is None


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="0123456789٣ .,/%kKmMxj-+=°\n", max_size=40), pick=st.integers(min_value=0))
def test_every_match_of_a_rule_number_pattern_starts_at_a_number_its_followers_allow(router_patterns_with_numbers, text, pick):
    source, flags = router_patterns_with_numbers[pick % len(router_patterns_with_numbers)]
    followers = digit_followers(source, flags)
    runs = {m.start(): text[m.end():m.end() + 1] for m in re.finditer(r"\b\d+", text)}
    for match in re.finditer(source, text, flags):
        assert match.start() in runs and (followers is None or followers.match(runs[match.start()])), (source, text)


@pytest.fixture(scope="module")
def router_patterns_with_numbers(router):
    from advisor.patterns import analyse

    found = [(p, 0 if s.case_sensitive else re.I) for s in router.rulebase.signals.values() for p in s.patterns
             if analyse(p, s.case_sensitive).digit_start]
    assert len(found) > 20 and sum(digit_followers(p, f) is not None for p, f in found) > 15
    return found
