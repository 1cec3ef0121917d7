"""Routing quality on the team's labelled corpus (tests/data/tasks.jsonl)."""

from pathlib import Path

import pytest

from advisor.evaluate import AMBIGUOUS, evaluate, read_labelled

CORPUS = Path(__file__).parent / "data" / "tasks.jsonl"
TARGET_ACCURACY = 0.95


@pytest.fixture(scope="module")
def items():
    return read_labelled(CORPUS)


@pytest.fixture(scope="module")
def report(router, items):
    return evaluate(router, items)


def test_corpus_is_large_and_varied(items):
    assert len(items) >= 500
    labels = {i.expected for i in items}
    assert {"gpt-4.5", "gpt-4o", "o3-mini", "o1", AMBIGUOUS} <= labels
    assert len({i.area for i in items}) >= 25
    assert sum(1 for i in items if len(i.text) > 600) >= 15


def test_accuracy_on_unambiguous_items(report):
    misses = "\n".join(f"{m.id}: expected {m.expected}, got {m.got}" for m in report.misses)
    assert report.accuracy >= TARGET_ACCURACY, misses


def test_no_item_errors(report):
    assert report.errors == []


def test_every_rule_fires_somewhere(report):
    assert report.rules_never_fired == []


def test_confidence_is_lower_on_ambiguous_items(report):
    assert report.mean_confidence_ambiguous < report.mean_confidence_clear


def test_high_confidence_is_more_accurate_than_low(report):
    buckets = [b for b in report.confidence_buckets if b.count >= 10]
    assert buckets[-1].accuracy >= buckets[0].accuracy
