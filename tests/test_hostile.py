"""Hostile input through the public entry points: the Router and the `advise` command.

Every bad input ends in a recommendation or a clear message with the documented exit code
(2 bad input or rule file, 3 no model left); never a traceback.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings, strategies as st

from advisor import Constraints, InputError, NoModelError, Recommendation, Router, RuleFileError, Task
from advisor.cli import main
from advisor.router import _NOT_TEXT as NOT_TEXT  # the definition the fast counts must agree with

ADVISE = Path(sys.executable).with_name("advise")


@pytest.fixture(scope="module")
def router():
    with Router() as r:
        yield r


@pytest.fixture(scope="module")
def model_ids(router):
    return router.catalog.ids


def cli(*args: str, input: bytes | str | None = None):
    result = CliRunner().invoke(main, list(args), input=input)
    assert "Traceback" not in result.output, result.output[-3000:]
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def real_cli(*args: str | bytes, input: bytes | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(ADVISE), *args], input=input, capture_output=True, timeout=timeout)
    assert b"Traceback" not in proc.stdout + proc.stderr, proc.stderr.decode(errors="replace")[-3000:]
    return proc


def assert_recommendation(rec, model_ids) -> None:
    assert isinstance(rec, Recommendation)
    assert rec.model in model_ids
    assert rec.explanation.startswith("Use ")


# ---- empty and whitespace-only tasks --------------------------------------------------------


@pytest.mark.parametrize("text", ["", " ", "   ", "\t\n", "\n\n\r\n", "\u3000\u2003"])
def test_empty_task_is_an_input_error(router, text):
    with pytest.raises(InputError) as err:
        router.route(text)
    assert "empty" in err.value.message


@pytest.mark.parametrize("args", [[""], ["   "], ["\t", "\n"]])
def test_cli_empty_task_exits_2_with_a_message(args):
    result = cli(*args)
    assert result.exit_code == 2
    assert "empty" in result.stderr and result.stdout == ""


@pytest.mark.parametrize("stdin", [b"", b"   \n\t\n"])
def test_cli_empty_stdin_exits_2_with_a_message(stdin):
    result = cli("-", input=stdin)
    assert result.exit_code == 2
    assert "empty" in result.stderr


# ---- bad bytes on stdin -----------------------------------------------------------------------


@pytest.mark.parametrize("stdin", [
    b"\xff\xfe solve AIME problem",
    b"solve AIME problem \xc3\x28 and \xa0\xa1",
    b"\xed\xa0\x80 write a poem \xf0\x28\x8c\xbc",  # an encoded surrogate, a broken 4-byte sequence
    "solve AIME problem".encode("utf-16"),
    b"\x80\x81\x82\x83" * 50,
])
def test_cli_invalid_utf8_on_stdin_is_answered_or_refused_clearly(stdin, model_ids):
    result = cli("-", input=stdin)
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 0:
        assert result.stdout.startswith("Use ") and any(m in result.stdout for m in model_ids)
    else:
        assert result.stderr.startswith("advise: error:") and ("binary" in result.stderr or "text" in result.stderr)


def test_real_process_invalid_utf8_stdin_and_argv(model_ids):
    proc = real_cli("-", input=b"\xff\xfe solve AIME problem \xc0")
    assert proc.returncode == 0 and proc.stdout.startswith(b"Use ")
    proc = real_cli(b"\xff\xfe solve AIME problem")  # argv bytes arrive as surrogate escapes
    assert proc.returncode in (0, 2)
    proc = real_cli("--json", b"solve \xff AIME problem")
    assert proc.returncode in (0, 2)
    if proc.returncode == 0:
        assert b'"model"' in proc.stdout


# ---- binary garbage -----------------------------------------------------------------------------


BINARY = [
    bytes(range(256)) * 8,
    random.Random(7).randbytes(4096),
    b"\x00" * 1000,
    b"\x7fELF\x02\x01\x01\x00" + bytes(500),
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(8).randbytes(2000),
]


@pytest.mark.parametrize("blob", BINARY, ids=["all-bytes", "random", "nul", "elf", "png"])
def test_cli_binary_garbage_on_stdin_exits_2(blob):
    result = cli("-", input=blob)
    assert result.exit_code == 2, result.output[:500]
    assert "binary" in result.stderr and result.stdout == ""


@pytest.mark.parametrize("blob", BINARY[:3], ids=["all-bytes", "random", "nul"])
def test_binary_text_through_the_api_is_an_input_error(router, blob):
    with pytest.raises(InputError) as err:
        router.route(blob.decode("utf-8", errors="replace"))
    assert "binary" in err.value.message


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("ab .\n\t\r\x00\x07\x0b\x1b\x7f\x85\xa0\ufffd\ue000\ud800é字"), min_size=1, max_size=40))
def test_a_task_is_binary_exactly_when_over_30_percent_of_it_is_not_text(router, text):
    # Routing counts the characters that are not text in C, by ways that depend on the text
    # (bytes deleted in ASCII, a printable test, else the regex): the same count as the regex.
    assume(text.strip())
    binary = len(re.findall(NOT_TEXT, text)) > 0.3 * len(text)
    try:
        router.route(text)
    except InputError as err:
        assert binary == ("binary" in err.message)
    else:
        assert not binary


def test_bytes_and_other_types_are_input_errors(router):
    for value in (b"solve AIME problem", None, 42, ["solve AIME problem"], {"text": "x"}):
        with pytest.raises(InputError):
            router.route(value)


# ---- control characters and NUL bytes inside text ----------------------------------------------


CONTROL_TEXTS = [
    "solve\x00 AIME\x00 problem",
    "write a poem\x1b[31m in red\x1b[0m",
    "\x07\x08 solve AIME problem \x0b\x0c",
    "solve AIME problem" + "\x00" * 3,
    "tag 2M tweets\r\rcheaply\x7f",
    "\ufeffsolve AIME problem\u200b\u200e\u202e",
    "write a poem \ud800 about the sea",
    "a" + "\u0301" * 500 + " poem",
]


@pytest.mark.parametrize("text", CONTROL_TEXTS)
def test_control_characters_give_a_recommendation_or_an_input_error(router, model_ids, text):
    try:
        rec = router.route(text)
    except InputError as err:
        assert err.message
        return
    assert_recommendation(rec, model_ids)
    rec.model_dump_json()
    for firing in rec.fired:
        for e in firing.evidence:
            assert text[e.start:e.end] == e.text


@pytest.mark.parametrize("text", CONTROL_TEXTS[:6])
def test_cli_control_characters(text):
    result = cli(text)
    assert result.exit_code in (0, 2)
    assert result.stdout.startswith("Use ") if result.exit_code == 0 else "advise: error:" in result.stderr
    result = cli("--json", "-", input=text.encode("utf-8"))
    assert result.exit_code in (0, 2)


def test_control_characters_in_a_task_object_are_checked_like_text(router):
    """route(Task(...)) must refuse what route(str) refuses."""
    binary = "\x00\x01\x02\x03" * 100
    with pytest.raises(InputError):
        router.route(binary)
    with pytest.raises(InputError):
        router.route(Task(text=binary))


# ---- big tasks ---------------------------------------------------------------------------------


def _big_text(size: int) -> str:
    paragraph = ("We are planning the quarterly review. Please read the notes below, then write a short, warm "
                 "speech for the team dinner that thanks everyone by name, and keep it under three minutes. ")
    return (paragraph * (size // len(paragraph) + 1))[:size]


def test_a_5_mb_task_is_answered(router, model_ids):
    text = _big_text(5 * 1024 * 1024)
    rec = router.route(text)
    assert_recommendation(rec, model_ids)
    for firing in rec.fired:
        for e in firing.evidence:
            assert text[e.start:e.end] == e.text


def test_a_task_over_the_read_limit_is_read_at_its_start_and_its_end(router):
    from advisor.signals import READ_LIMIT

    filler = _big_text(READ_LIMIT)
    text = "Write a poem about the sea. " + filler + " Solve this AIME problem. " + filler + " Translate it into German."
    trace = router.trace(text)
    found = {e.signal for e in trace.signals}
    assert "creative_writing" in found and "translation_tone" in found  # at the start, at the end
    assert "competition_math" not in found  # in the middle: not read
    for e in trace.signals:
        assert text[e.start:e.end] == e.text
    warning = f"The task is {len(text):,} characters long; its signals were read from its first and last {READ_LIMIT // 2:,}."
    assert warning in router.route(text).warnings
    assert not any("signals were read" in w for w in router.route(filler[:READ_LIMIT]).warnings)


def test_a_task_over_the_limit_is_refused_with_its_size(router):
    from advisor.router import MAX_TASK_CHARS

    with pytest.raises(InputError) as err:
        router.route("x " * (MAX_TASK_CHARS // 2 + 10))
    assert "limit" in err.value.message


def test_an_oversized_task_object_is_refused_too(router):
    from advisor.router import MAX_TASK_CHARS

    with pytest.raises(InputError):
        router.route(Task(text="x " * (MAX_TASK_CHARS // 2 + 10)))


# ---- bad options ---------------------------------------------------------------------------------


@pytest.mark.parametrize("args, needle", [
    (["--needs", "telepathy", "hi"], "telepathy"),
    (["--needs", "Vision", "hi"], "Vision"),
    (["--budget", "infinite", "hi"], "infinite"),
    (["--max-price", "abc", "hi"], "abc"),
    (["--max-price", "0", "hi"], "max-price"),
    (["--max-price", "-5", "hi"], "max-price"),
    (["--frobnicate", "hi"], "frobnicate"),
])
def test_bad_option_values_exit_2(args, needle):
    result = cli(*args)
    assert result.exit_code == 2
    assert needle in result.stderr


@pytest.mark.parametrize("value", ["nan", "NaN", "-nan"])
def test_nan_max_price_exits_2(value):
    result = cli("--max-price", value, "hi")
    assert result.exit_code == 2
    assert "max-price" in result.stderr or "max_price" in result.stderr


@pytest.mark.parametrize("flag", ["--exclude", "--allow"])
@pytest.mark.parametrize("model", ["gpt-5", "GPT-4o", "", "o3-mini; rm -rf /"])
def test_unknown_model_ids_exit_2_and_name_the_model(flag, model):
    result = cli(flag, model, "solve AIME problem")
    assert result.exit_code == 2
    assert f"unknown model {model!r}" in result.stderr
    assert flag.lstrip("-") in result.stderr


def test_unknown_model_ids_through_the_api(router):
    with pytest.raises(InputError):
        router.route("hi", Constraints(exclude={"gpt-5"}))
    with pytest.raises(InputError):
        router.route(Task(text="hi", constraints=Constraints(allow={"gpt-5"})))


@pytest.mark.parametrize("value", ["1e16", "1e-05", "inf", "1e300"])
def test_extreme_but_valid_max_price_is_answered_not_crashed(value):
    """Any positive price is a valid --max-price; the answer is a recommendation (0) or no model (3)."""
    result = cli("--max-price", value, "solve AIME problem")
    assert result.exit_code in (0, 3), result.output[-2000:]


@pytest.mark.parametrize("price", [1e16, 1e-05, float("inf"), 2e22])
def test_extreme_but_valid_max_price_through_the_api(router, price):
    try:
        rec = router.route("Classify 2 million support tickets cheaply", Constraints(max_price=price))
    except NoModelError:
        return
    assert rec.model in router.catalog.ids


def test_constraints_given_as_a_mapping_are_validated_for_tasks_too(router):
    with pytest.raises(InputError):
        router.route("solve AIME problem", {"budget": "huge"})
    assert router.route("solve AIME problem", {"budget": "low"}).model == router.route(
        "solve AIME problem", Constraints(budget="low")).model
    assert router.route(Task(text="solve AIME problem"), {"budget": "low"}).model == router.route(
        "solve AIME problem", Constraints(budget="low")).model


# ---- no model left ---------------------------------------------------------------------------------


@pytest.mark.parametrize("args, reasons", [
    (["--allow", "o3-mini", "--needs", "vision"], {"o3-mini": "vision", "*": "allowed"}),
    (["--max-price", "0.01"], {"*": "max_price"}),
    (["--exclude", "gpt-4.5", "--exclude", "gpt-4o", "--exclude", "o3-mini", "--exclude", "o1"], {"*": "exclude"}),
])
def test_no_model_left_exits_3_naming_each_removal(model_ids, args, reasons):
    result = cli(*args, "hi there")
    assert result.exit_code == 3, result.output
    lines = {line.strip().split(":")[0]: line for line in result.stderr.splitlines() if ":" in line}
    for model in model_ids:
        assert model in lines, result.stderr
        assert reasons.get(model, reasons["*"]) in lines[model], lines[model]


def test_no_model_left_through_the_api_names_every_model(router):
    with pytest.raises(NoModelError) as err:
        router.route("hi", Constraints(max_price=0.01))
    assert set(err.value.reasons) == set(router.catalog.ids)
    assert err.value.exit_code == 3


# ---- hostile rule files ---------------------------------------------------------------------------


def _signal_file(tmp_path: Path, pattern: str, sid: str = "hostile_sig") -> Path:
    path = tmp_path / "hostile.toml"
    path.write_text(f"[[signal]]\nid = \"{sid}\"\nabout = \"x\"\npatterns = ['{pattern}']\n", encoding="utf-8")
    return path


CATASTROPHIC = [r"(a+)+$", r"(\w*)*x", r"(?:a+)+$", r"(?:\d+)*\.", r"(?:x+x+)+y", r"(?:[a-z]{1,10}){1,10}!"]
# Also exponential, but past a check that only looks for a group whose last token is + * or {m,n}:
# a group ending in ?, an alternation of overlapping branches.
CATASTROPHIC_SUBTLE = [r"(?:\w+\s?)+$", r"(?:a|aa)+$", r"(?:\w+\W?)*=="]


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_catastrophic_patterns_are_rejected_at_load(tmp_path, pattern):
    path = _signal_file(tmp_path, pattern)
    with pytest.raises(RuleFileError) as err:
        Router(rules=[path], include_default_rules=False)
    message = err.value.message
    assert str(path) in message and "hostile_sig" in message and "patterns" in message


@pytest.mark.parametrize("pattern", CATASTROPHIC_SUBTLE)
def test_catastrophic_patterns_the_simple_check_misses_are_rejected_too(tmp_path, pattern):
    path = _signal_file(tmp_path, pattern)
    with pytest.raises(RuleFileError) as err:
        Router(rules=[path], include_default_rules=False)
    assert "hostile_sig" in err.value.message


def test_cli_names_a_catastrophic_pattern(tmp_path):
    path = _signal_file(tmp_path, r"(\w*)*x")
    result = cli("--rules", str(path), "hi")
    assert result.exit_code == 2
    assert str(path) in result.stderr and "hostile_sig" in result.stderr and "patterns" in result.stderr


def test_oversized_rule_file_is_refused(tmp_path):
    path = tmp_path / "huge.toml"
    path.write_text("# padding\n" * 120_000, encoding="utf-8")
    assert path.stat().st_size > 1_000_000
    result = cli("--rules", str(path), "hi")
    assert result.exit_code == 2
    assert str(path) in result.stderr and "limit" in result.stderr
    with pytest.raises(RuleFileError):
        Router(rules=[path])


def test_deeply_nested_conditions_are_refused(tmp_path):
    when = "{ all = [" * 9 + '"competition_math"' + "] }" * 9
    path = tmp_path / "deep.toml"
    path.write_text(f'[[rule]]\nid = "deep.one"\nwhen = {when}\nmodel = "o3-mini"\nbecause = "Deep."\n', encoding="utf-8")
    result = cli("--rules", str(path), "hi")
    assert result.exit_code == 2
    assert str(path) in result.stderr and "deep.one" in result.stderr and "when" in result.stderr and "deeper" in result.stderr


def test_a_wide_condition_that_durable_rules_cannot_expand_is_refused_as_a_rule_file_error(tmp_path):
    """14 two-way `any` groups ANDed: 16,384 branches once expanded. durable-rules refuses such a
    ruleset with a bare 'error code: 113'; it must be a RuleFileError naming the rule instead."""
    when = "{ all = [" + ", ".join('{ any = ["competition_math", "creative_writing"] }' for _ in range(14)) + "] }"
    path = tmp_path / "wide.toml"
    path.write_text(f'[[rule]]\nid = "wide.one"\nwhen = {when}\nmodel = "o3-mini"\nbecause = "Wide."\n', encoding="utf-8")
    with pytest.raises(RuleFileError) as err:
        Router(rules=[path])
    assert "wide.one" in err.value.message
    result = cli("--rules", str(path), "hi")
    assert result.exit_code == 2


@pytest.mark.parametrize("value", ["1e20", "-1e300", "inf", "nan"])
def test_rule_file_numbers_durable_rules_cannot_read_are_refused(tmp_path, value):
    path = tmp_path / "num.toml"
    path.write_text(f'[[rule]]\nid = "num.one"\nwhen = {{ all = [{{ fact = "words", gt = {value} }}] }}\n'
                    f'model = "o3-mini"\nbecause = "Numbers."\n', encoding="utf-8")
    with pytest.raises(RuleFileError) as err:
        Router(rules=[path])
    assert "num.one" in err.value.message and "when" in err.value.message


PAYLOAD = "__import__('os').system('touch {marker}')"


def test_python_in_a_rule_file_is_only_data(tmp_path, monkeypatch):
    marker = tmp_path / "PWNED"
    payload = PAYLOAD.format(marker=marker)
    path = tmp_path / "code.toml"
    path.write_text(
        "[[signal]]\n"
        'id = "code_sig"\n'
        f'about = "{payload}"\n'
        "patterns = ['\\bzebra\\b']\n\n"
        "[[rule]]\n"
        'id = "code.rule"\n'
        'when = { all = ["code_sig"] }\n'
        'model = "o1"\n'
        f'because = "{payload}"\n'
        f'params = {{ reasoning_effort = "{payload}" }}\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    with Router(rules=[path]) as r:
        rec = r.route("a zebra and an AIME problem")
        firing = next(f for f in rec.fired if f.rule == "code.rule")
        assert firing.because == payload
        assert payload in rec.explanation.replace("\n      ", " ") or payload[:30] in rec.explanation
    shown = cli("rules", "show", "code.rule", "--rules", str(path))
    assert shown.exit_code == 0 and payload in shown.stdout
    listed = cli("rules", "signals", "--rules", str(path))
    assert listed.exit_code == 0 and payload in listed.stdout
    routed = cli("--json", "--rules", str(path), "a zebra")
    assert routed.exit_code == 0 and "__import__" in routed.stdout
    assert not marker.exists()


def test_code_in_a_condition_is_an_unknown_signal_not_code(tmp_path):
    marker = tmp_path / "PWNED"
    payload = PAYLOAD.format(marker=marker)
    path = tmp_path / "when.toml"
    path.write_text(f'[[rule]]\nid = "code.when"\nwhen = {{ all = ["{payload}"] }}\nmodel = "o1"\nbecause = "b"\n',
                    encoding="utf-8")
    result = cli("--rules", str(path), "hi")
    assert result.exit_code == 2
    assert "unknown signal" in result.stderr and "__import__" in result.stderr
    assert not marker.exists()


def test_cli_tracebacks_never_leak_from_engine_errors(tmp_path):
    """The CLI turns every failure into a message: a rule file durable-rules refuses included."""
    path = tmp_path / "num.toml"
    path.write_text('[[rule]]\nid = "num.one"\nwhen = { all = [{ fact = "words", gt = 1e20 }] }\n'
                    'model = "o3-mini"\nbecause = "Numbers."\n', encoding="utf-8")
    proc = subprocess.run([str(ADVISE), "--rules", str(path), "hi"], capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr[-1500:]
    assert proc.returncode == 2


