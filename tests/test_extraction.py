"""The fast extractor finds exactly what scanning every pattern over the whole task finds.

Extraction skips patterns whose literals are absent, matches only where a literal occurs,
matches word-level patterns once per distinct word, and skips digit patterns on digit-free
text. The reference here does none of that: each pattern's finditer over the task.

Every test that extracts runs twice: with advisor/signals.py, and with its twin compiled to C
(see advisor/native.py), where the install built one.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import corpus
from advisor import native, signals
from advisor.patterns import wide
from advisor.signals import MAX_EVIDENCE, Extractor
from advisor.signals import _negated as negated  # the negation rule itself is not what is tested



@pytest.fixture(scope="module", params=["pure Python", "compiled"])
def extraction(request):
    """The module that extracts: advisor.signals, or its compiled twin (the same names)."""
    if request.param == "pure Python":
        return signals
    twin = native.compiled_module("signals")
    if twin is None:
        pytest.skip("no compiled extractor was built from this signals.py (see setup.py)")
    return twin


@pytest.fixture(scope="module")
def scan(router):
    compiled = [(sid, re.compile(p, 0 if sig.case_sensitive else re.IGNORECASE))
                for sid, sig in router.rulebase.signals.items() for p in sig.patterns]

    def reference(text: str) -> dict[str, tuple[tuple[int, int], ...]]:
        found: dict[str, list[tuple[int, int]]] = {}
        for sid, regex in compiled:
            kept = [m.span() for m in regex.finditer(text) if not negated(text, m.start())]
            found.setdefault(sid, []).extend(kept[:MAX_EVIDENCE])
        return {sid: first_spans(spans) for sid, spans in found.items() if spans}

    return reference


def first_spans(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    kept: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda s: (s[0], -s[1])):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return tuple(kept[:MAX_EVIDENCE])


def corpus_sample() -> list[str]:
    texts = corpus.texts()
    # Long texts are searched differently (literals at their words' starts): eight tasks in one.
    joined = [" \n".join(texts[i:i + 8]) for i in range(1, len(texts), 8)]
    return [v for t in texts[::3] for v in (t, t.upper(), "Not a question: " + t)] + joined


EDGE_CASES = [
    "poem poems poetry POEM, poem-like poem_s: a poem",        # one word in many forms and places
    "write a poem. Write a POEM! write   a poem? not a poem",   # repeats, case, spacing, negation
    "İstanbul poem: write a haiku about İzmir",                # lower() changes the length here
    "İzmir, not a poem: write a haiku, no limerick",           # ... with negations in it too
    "写一首诗,然后证明这个定理。不是诗",                           # CJK: no spaces between words
    "solve 3x + 5 = 20, then 12k users, 4.5 kJ, 1/2 + 3/4",      # digit patterns
    "٣/٤ + ١/٢ and ٠/0×0/0",                                      # other scripts' digits are \\d too
    "x" * 50 + " poem " + "y" * 50,
    "see averyveryverylongidentifier.py:12",                  # a run of word characters as long as any word
    "we want a real-time voice assistant, in real time",      # literals keyed by a word they do not hold ("real" by "time")
    "art history, restart history: how can I make friends? showhow can I make friends",  # a literal in a word and at a word's start
    "nothing but a poem; notpoem; no-poem; NOT a poem; isn't a poem; 不需要诗; kein Gedicht, ohne Gedicht",  # negation cues
]
EDGE_CASES += [case + " Some filler, then the same again. " * 15 + case for case in EDGE_CASES]  # long ones


def test_fast_extraction_equals_the_full_scan_on_the_corpus(router, scan, extraction):
    extractor = extraction.Extractor(router.rulebase.signals)
    different = [t[:60] for t in corpus_sample() if extractor.extract(t).spans != scan(t)]
    assert different == []


@pytest.mark.parametrize("text", EDGE_CASES)
def test_fast_extraction_equals_the_full_scan_on_edge_cases(router, scan, extraction, text):
    assert extraction.Extractor(router.rulebase.signals).extract(text).spans == scan(text)


def test_word_memo_does_not_change_answers(router, extraction):
    extractor = extraction.Extractor(router.rulebase.signals)
    first = [extractor.extract(t).spans for t in EDGE_CASES]
    assert [extractor.extract(t).spans for t in EDGE_CASES] == first  # now from remembered words


def test_a_word_memo_that_starts_over_mid_task_changes_nothing(router, extraction, monkeypatch):
    expected = [extraction.Extractor(router.rulebase.signals).extract(t).spans for t in EDGE_CASES]
    monkeypatch.setattr(extraction, "_TOKEN_CACHE", 3)  # it fills up within every task below
    small = extraction.Extractor(router.rulebase.signals)
    assert [small.extract(t).spans for t in EDGE_CASES + EDGE_CASES] == expected + expected


def test_an_index_read_back_from_marshal_finds_the_same(router, scan, extraction, monkeypatch):
    # A start reads the precompiled index with each table value still marshal bytes, decoded
    # when first looked up (see signals._Table): every way a table is read must decode it.
    from advisor import precompiled

    tables = signals.index_tables(signals.pattern_sources(router.rulebase.signals))
    packed = precompiled._packed({"index": {"tables": tables}})["index"]["tables"]
    assert any(type(value) is bytes for value in packed["by_token"].values())
    monkeypatch.setattr(precompiled, "extractor_index", lambda key: packed)
    extractor = extraction.Extractor(router.rulebase.signals)
    assert [extractor.extract(t).spans for t in EDGE_CASES] == [scan(t) for t in EDGE_CASES]


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(min_codepoint=0x2E70, max_codepoint=0xFFFF) | st.characters(), max_size=100))
def test_wide_text_is_what_a_regex_of_the_wide_ranges_finds(text):
    # Short texts are looked at character by character, long ones by a regex compiled on first use.
    assert wide(text) == (re.search(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]", text) is not None)


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from("ab \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u3000é字")) | st.text())
def test_words_are_counted_as_split_counts_them(extraction, text):
    assert extraction._word_count(text) == len(text.split())


@settings(max_examples=500, deadline=None)
@given(st.text() | st.text(st.sampled_from("ab1_ \n.'’—é字٣İK\u0301\ud800\xa0\u3000")))
def test_words_and_digits_are_what_the_regexes_find(extraction, text):
    # A task's words are split with translate tables and its digits found in its bytes, not
    # by the regexes: the same words and digits either way.
    task = extraction._Text(text)
    assert task.tokens == set(re.findall(r"\w+", text.lower()))
    assert task.has_digit == (re.search(r"\d", text) is not None)
    numbers = list(re.finditer(r"\b\d+", text))
    assert task.numbers == [m.start() for m in numbers]
    assert task.numbers_by_follower == {after: [m.start() for m in numbers if text[m.end():m.end() + 1] == after]
                                        for after in {text[m.end():m.end() + 1] for m in numbers}}


@pytest.fixture(scope="module")
def rule_words(router) -> list[str]:
    """The rule base's own literals and anchors, and the corpus's words: text made of these
    reaches the patterns' rare paths (anchors, windows, digit starts) far more often than
    arbitrary text does."""
    from advisor.patterns import analyse

    found = set()
    for sig in router.rulebase.signals.values():
        for pattern in sig.patterns:
            done = analyse(pattern, sig.case_sensitive)
            found |= done.literals | done.anchor
    words = re.findall(r"\w+", " ".join(corpus.texts()[::7]))
    return sorted(found | set(words))


SEPARATORS = [" ", " ", " ", ", ", ". ", "\n", "  ", "'", "-", "(", ") ", " 12 ", " 3.5 ", " + ", " = ", "? ", " not "]


@pytest.fixture(scope="module")
def extractor(router, extraction) -> Extractor:
    return extraction.Extractor(router.rulebase.signals)


@pytest.fixture(scope="module")
def rule_patterns(router) -> list[re.Pattern[str]]:
    return [re.compile(p, 0 if sig.case_sensitive else re.IGNORECASE) for sig in router.rulebase.signals.values() for p in sig.patterns]


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_fast_extraction_equals_the_full_scan_on_texts_made_of_the_rules(extractor, scan, rule_words, rule_patterns, data):
    # Words of the rule base with, among them, texts that patterns match (generated from the
    # patterns themselves), in short and long texts and in either case.
    piece = st.one_of(st.sampled_from(rule_words), st.sampled_from(rule_patterns).flatmap(lambda p: st.from_regex(p, fullmatch=True)))
    pieces = data.draw(st.lists(st.tuples(piece, st.sampled_from(SEPARATORS)), min_size=1 if data.draw(st.booleans()) else 70, max_size=140))
    text = "".join(word + sep for word, sep in pieces)
    if data.draw(st.booleans()):
        text = text.upper()
    assert extractor.extract(text).spans == scan(text)
