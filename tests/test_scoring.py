"""Scoring: weights add up per model, except that a group counts once (its heaviest rule)."""

import textwrap

import pytest

from advisor import Router

RULES = """
[[signal]]
id = "rome"
about = "Rome"
patterns = ['\\bRome\\b']

[[signal]]
id = "opera"
about = "opera"
patterns = ['\\bopera\\b']

[[signal]]
id = "sum"
about = "a sum"
patterns = ['\\btotal\\b']

[[rule]]
id = "t.rome"
when = "rome"
model = "gpt-4.5"
weight = 2.0
group = "topic"
because = "Rome."

[[rule]]
id = "t.opera"
when = "opera"
model = "gpt-4.5"
weight = 1.5
group = "topic"
because = "Opera."

[[rule]]
id = "t.sum"
when = "sum"
model = "o3-mini"
weight = 3.0
because = "Sums."
"""


@pytest.fixture(scope="module")
def router(tmp_path_factory):
    path = tmp_path_factory.mktemp("scoring") / "rules.toml"
    path.write_text(textwrap.dedent(RULES), encoding="utf-8")
    with Router(rules=[path], include_default_rules=False) as r:
        yield r


@pytest.mark.parametrize(
    "text, model, score, uncounted",
    [
        ("an opera in Rome", "gpt-4.5", 2.0, {"t.opera"}),  # 2.0, not 3.5: one topic cue
        ("the total cost of opera tickets in Rome", "o3-mini", 3.0, {"t.opera"}),  # the task type wins
        ("opera", "gpt-4.5", 1.5, set()),
    ],
)
def test_a_group_counts_once(router, text, model, score, uncounted):
    rec = router.route(text)
    assert (rec.model, rec.score) == (model, score)
    assert {f.rule for f in rec.fired if not f.counted} == uncounted


def test_uncounted_rules_are_said_so(router):
    rec = router.route("an opera in Rome")
    assert "t.opera (gpt-4.5 +1.5, not counted: its group counts once)" in rec.explanation
    assert "gpt-4.5 = +2 t.rome = 2" in "\n".join(router.trace("an opera in Rome").arithmetic)
