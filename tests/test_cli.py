"""The `advise` command through click's runner: exit codes, output shapes, stdin."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from advisor.cli import main


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args, input=None):
        result = runner.invoke(main, list(args), input=input)
        assert "Traceback" not in result.output
        return result

    return invoke


@pytest.mark.parametrize(
    "args, code, needle",
    [
        (["solve AIME problem"], 0, "o3-mini"),
        (["solve", "AIME", "problem"], 0, "o3-mini"),
        (["--budget", "low", "write a poem"], 0, "Use gpt-4o"),
        (["--needs", "vision", "solve AIME problem"], 0, "o3-mini: has no vision"),
        (["--needs", "telepathy", "hi"], 2, "telepathy"),
        (["--exclude", "gpt-5", "hi"], 2, "unknown model 'gpt-5'"),
        (["--allow", "o3-mini", "--needs", "vision", "hi"], 3, "o3-mini: has no vision"),
        (["--max-price", "-1", "hi"], 2, "max-price"),
        (["   "], 2, "empty"),
        (["--rules", "/nonexistent/rules.toml", "hi"], 2, "cannot read"),
        (["--catalog", "/nonexistent/catalog.toml", "hi"], 2, "cannot read"),
        (["rules", "show", "no.such-rule"], 2, "no rule"),
    ],
)
def test_exit_codes(run, args, code, needle):
    result = run(*args)
    assert result.exit_code == code, result.output
    assert needle in result.output


def test_json_is_the_recommendation(run):
    out = json.loads(run("--json", "solve AIME problem").output)
    assert out["model"] == "o3-mini" and out["api_model"] == "o3-mini"
    assert {"params", "confidence", "fired", "alternatives", "excluded", "warnings", "explanation", "counterfactuals"} <= set(out)
    firing = out["fired"][0]
    assert {"rule", "model", "effect", "weight", "because", "evidence", "citations"} <= set(firing)
    assert {"signal", "text", "start", "end"} == set(firing["evidence"][0])


@pytest.mark.parametrize("args, code", [(["--json", "solve AIME problem"], 0), (["--exclude", "gpt-5", "hi"], 2), (["--allow", "o3-mini", "--needs", "vision", "hi"], 3)])
def test_the_program_ends_with_its_output_and_code(run, args, code):
    # The program ends without the interpreter's teardown (see cli._end_process): all its
    # output is still written, and its exit code is the command's.
    advise = Path(sys.executable).with_name("advise")
    proc = subprocess.run([str(advise), *args], capture_output=True, text=True, timeout=120)
    result = run(*args)
    assert (proc.returncode, proc.stdout, proc.stderr) == (code, result.stdout, result.stderr)


def test_format_json_equals_json_flag(run):
    assert run("--format", "json", "write a poem").output == run("--json", "write a poem").output


def test_stdin(run):
    result = run("--json", "-", input="Solve this AIME problem: find the remainder.")
    assert json.loads(result.output)["model"] == "o3-mini"


@pytest.mark.parametrize("args", [["batch", "-"], ["models"], ["rules", "list"]])
def test_commands_kept_elsewhere_run_and_are_listed(run, args):
    # They are added to the group when first asked for (see cli._DefaultGroup.get_command).
    result = run(*args, input='{"id": "a", "text": "solve AIME problem"}\n')
    assert result.exit_code == 0 and "o3-mini" in result.stdout
    assert f"\n  {args[0]} " in run("--help").output


def test_stdin_empty_is_an_error(run):
    result = run("-", input="")
    assert result.exit_code == 2 and "empty" in result.output


def test_markdown_starts_with_the_decision(run):
    out = run("--format", "markdown", "solve AIME problem").output
    assert out.startswith("**Use o3-mini")
    assert "### Why not the others" in out


@pytest.mark.parametrize("args", [["solve AIME problem"], ["--format", "markdown", "write a toast"], ["--json", "--budget", "low", "tag 2M tweets"]])
def test_deterministic(run, args):
    assert run(*args).output == run(*args).output


def test_text_fits_80_columns(run):
    out = run("Write a heartfelt toast for my sister's wedding").output
    assert max(len(line) for line in out.splitlines()) <= 80


def test_explain_lists_every_rule(run, router):
    out = run("explain", "solve AIME problem").output
    for rule in router.rulebase.rules:
        assert rule.id in out
    assert "FIRED stem.competition-math" in out and "Decision: o3-mini" in out


def test_models_table(run):
    out = run("models").output
    for model in ("gpt-4.5", "gpt-4o", "o3-mini", "o1"):
        assert model in out
    assert "2025-07-14" in out


def test_rules_list_and_show(run, router):
    listing = run("rules", "list").output
    assert all(r.id in listing for r in router.rulebase.rules)
    shown = run("rules", "show", "stem.competition-math").output
    assert "87.3" in shown and "o3-mini" in shown


def test_rules_lint_clean_on_packaged(run):
    result = run("rules", "lint")
    assert result.exit_code == 0, result.output


def test_rules_doc_is_markdown(run, router):
    out = run("rules", "doc").output
    assert out.startswith("# Rule base")
    assert all(f"`{r.id}`" in out for r in router.rulebase.rules)


def test_version_names_engine(run):
    out = run("--version").output
    assert "rule engine:" in out
