"""Rewording a task (case, punctuation, a typo, filler, a paraphrase) keeps its decision."""

import random
from pathlib import Path


from advisor.evaluate import read_labelled

CORPUS = Path(__file__).parent / "data" / "tasks.jsonl"
TARGET = 0.98
FILLER_BEFORE = ["Hi there.", "Quick one for you.", "Hello!", "OK, here goes."]
FILLER_AFTER = ["Thanks in advance!", "Cheers.", "Much appreciated.", "Thank you so much."]
TEMPLATES = ["Could you help me with this? {}", "{} Thanks!", "Here is what I need: {}", "Please do the following. {}"]


def _typo(text: str, protected: list[tuple[int, int]], rng: random.Random) -> str:
    """Swap two inner letters of one word that no signal matched."""
    words = [(i, w) for i, w in _words(text) if len(w) >= 5 and w.isalpha() and not any(s < i + len(w) and i < e for s, e in protected)]
    if not words:
        return text
    i, w = rng.choice(words)
    j = rng.randrange(1, len(w) - 2)
    w2 = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    return text[:i] + w2 + text[i + len(w):]


def _words(text: str):
    pos = 0
    for word in text.split(" "):
        yield pos, word
        pos += len(word) + 1


def _perturbations(text: str, protected, rng: random.Random) -> list[str]:
    return [
        text.lower(),
        text.rstrip(".!?") + "!!",
        text.replace(",", ""),
        _typo(text, protected, rng),
        f"{rng.choice(FILLER_BEFORE)} {text} {rng.choice(FILLER_AFTER)}",
        rng.choice(TEMPLATES).format(text),
    ]


def test_decisions_survive_rewording(router):
    rng = random.Random(20250227)
    same = total = 0
    changed = []
    for item in read_labelled(CORPUS):
        constraints = item.constraints
        base = router.route(item.text, constraints)
        protected = [(e.start, e.end) for e in router.trace(item.text, constraints).signals]
        for variant in _perturbations(item.text, protected, rng):
            total += 1
            got = router.route(variant, constraints).model
            same += got == base.model
            if got != base.model:
                changed.append(f"{item.id}: {base.model} -> {got}: {variant[:80]!r}")
    rate = same / total
    print(f"robustness {rate:.4f} over {total} perturbed tasks")
    assert rate >= TARGET, "\n".join(changed[:40])
