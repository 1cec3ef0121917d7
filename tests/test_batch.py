"""Batch routing: one output line per input line, in order; error records; summary; parallel output."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from advisor import batch
from advisor.batch import BatchOptions, LineResult, Tally, render_summary, route_line, run_batch, summarize
from advisor.cli_batch import batch_command

LINES = [
    '{"id": "a", "text": "solve AIME problem"}',
    "Write a heartfelt toast for my sister's wedding",
    '{"id": "b", "text": "broken',
    '{"id": "c", "text": "Classify 2 million support tickets as cheaply as possible", "constraints": {"budget": "low"}}',
    '{"id": "d"}',
    '{"id": "e", "text": "   "}',
    '{"id": "f", "text": "hi", "constraints": {"needs": ["telepathy"]}}',
    '{"id": "g", "text": "hi", "constraints": {"exclude": ["gpt-9"]}}',
    '{"id": "h", "text": "hi", "constraints": {"allow": ["o3-mini"], "needs": ["vision"]}}',
    '{"id": ["x"], "text": "hi"}',
    '{"text": "I failed my exam and feel terrible", "expected": "gpt-4.5"}',
]

ERRORS = {
    3: "not valid JSON",
    5: "field 'text': required field is missing",
    6: "the task is empty",
    7: "field 'constraints.needs.0'",
    8: "unknown model 'gpt-9'",
    9: "no model meets the constraints",
    10: "field 'id'",
}


@pytest.fixture(scope="module")
def results(router):
    return list(run_batch(LINES, BatchOptions(), router=router))


def test_one_output_line_per_input_line_in_order(results):
    assert [r.line for r in results] == list(range(1, len(LINES) + 1))
    ids = [json.loads(r.output)["id"] for r in results]
    assert ids == ["a", 2, 3, "c", "d", "e", "f", "g", "h", 10, 11]


@pytest.mark.parametrize("line, expected", sorted(ERRORS.items()))
def test_bad_lines_give_error_records(results, line, expected):
    record = json.loads(results[line - 1].output)
    assert set(record) == {"id", "line", "error"} and record["line"] == line
    assert expected in record["error"] and "\n" not in record["error"]
    assert results[line - 1].model is None


@pytest.mark.parametrize("line, model", [(1, "o3-mini"), (2, "gpt-4.5"), (4, "gpt-4o"), (11, "gpt-4.5")])
def test_good_lines_give_model_and_confidence(results, line, model):
    record = json.loads(results[line - 1].output)
    assert record == {"id": record["id"], "model": model, "confidence": record["confidence"]}
    assert 0 < record["confidence"] <= 1


def test_blank_lines_are_skipped(router):
    assert route_line(router, 1, "   \n") is None
    assert [r.line for r in run_batch(["solve AIME problem", "", "hello"], BatchOptions(), router=router)] == [1, 3]


def test_full_adds_the_recommendation(router):
    result = route_line(router, 1, '{"id": 7, "text": "solve AIME problem"}', full=True)
    record = json.loads(result.output)
    assert record["recommendation"] == router.route("solve AIME problem").model_dump(mode="json")


def test_summary_numbers_are_consistent(results, router):
    s = summarize(results, router.catalog)
    assert s.count == len(LINES) and s.errors == len(ERRORS) and s.routed == s.count - s.errors
    assert sum(s.mix.values()) == s.routed
    assert s.mix == {"gpt-4.5": 2, "gpt-4o": 1, "o3-mini": 1}
    assert set(s.baseline_usd) == {"gpt-4.5", "gpt-4o"}
    for model, baseline in s.baseline_usd.items():
        assert s.savings_usd[model] == pytest.approx(baseline - s.routed_usd, abs=1e-6)
    assert s.baseline_usd["gpt-4o"] < s.routed_usd < s.baseline_usd["gpt-4.5"]


def test_cost_uses_catalog_prices_and_the_output_assumption(router):
    results = [LineResult(line=1, output="{}", model="gpt-4o", input_tokens=1_000_000)]
    s = summarize(results, router.catalog, output_tokens=1_000_000)
    price = router.catalog.get("gpt-4o").price
    assert s.routed_usd == s.baseline_usd["gpt-4o"] == price.input + price.output
    assert s.savings_usd["gpt-4o"] == 0


def test_empty_batch_summary(router):
    s = Tally().summary(router.catalog)
    assert (s.count, s.routed, s.errors, s.routed_usd) == (0, 0, 0, 0)
    assert render_summary(s) == "0 tasks: 0 routed, 0 errors"


def test_render_summary(results, router):
    text = render_summary(summarize(results, router.catalog))
    assert text.startswith("11 tasks: 4 routed, 7 errors")
    assert "model mix: gpt-4.5 2 (50%)" in text
    assert "all on gpt-4.5" in text and "routing saves" in text


def test_parallel_output_is_byte_identical(monkeypatch, router):
    lines = LINES * 5
    monkeypatch.setattr(batch, "CHUNK_LINES", 4)  # many chunks, so order across workers matters
    serial = [r.output for r in run_batch(lines, BatchOptions(full=True), router=router)]
    parallel = [r.output for r in run_batch(lines, BatchOptions(full=True), jobs=2)]
    assert "\n".join(parallel).encode() == "\n".join(serial).encode()
    assert len(parallel) == len(lines)


# ---- the command ---------------------------------------------------------------------------


@pytest.fixture
def jsonl(tmp_path):
    path = tmp_path / "tasks.jsonl"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return path


def test_command_exits_0_with_error_lines(jsonl):
    result = CliRunner().invoke(batch_command, [str(jsonl)])
    assert result.exit_code == 0
    out = result.stdout.splitlines()
    assert len(out) == len(LINES)
    assert json.loads(out[2])["error"].startswith("not valid JSON")
    assert "11 tasks: 4 routed, 7 errors" in result.stderr


def test_command_reads_stdin_and_full():
    result = CliRunner().invoke(batch_command, ["--full", "-"], input="solve AIME problem\n")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["recommendation"]["model"] == "o3-mini"


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing.jsonl"], "No such file"),
        (["--rules", "missing.toml", "-"], "missing.toml"),
        (["--jobs", "0", "-"], "--jobs"),
    ],
)
def test_command_exits_2_when_input_or_rules_cannot_be_read(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(batch_command, args, input="hello\n")
    assert result.exit_code == 2
    assert message in result.stderr


def test_command_with_another_catalog_prices_with_it(jsonl):
    catalog = Path(__file__).resolve().parents[1] / "examples" / "catalog_later_models.toml"
    result = CliRunner().invoke(batch_command, ["--catalog", str(catalog), str(jsonl)])
    assert result.exit_code == 0 and "all on gpt-4o" in result.stderr
