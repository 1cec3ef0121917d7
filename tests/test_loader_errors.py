"""Broken rule and catalog files: each is refused with a RuleFileError naming file, id and field,
and the CLI turns that into exit 2 with the message on stderr and no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from advisor import Router, RuleFileError
from advisor.catalog import default_catalog_path, load_catalog
from advisor.cli import main

CATALOG = load_catalog()
MODEL = CATALOG.default_model
FIGURE = CATALOG.figure[0].id if CATALOG.figure else None

SIGNAL = """
[[signal]]
id = "zebra_talk"
about = "Zebras."
patterns = ['\\bzebra']
"""


def rule_toml(**fields: str) -> str:
    """A valid [[rule]] table, with fields replaced (value None drops the field)."""
    base = {
        "id": '"zoo.zebra"',
        "when": '{ all = ["zebra_talk"] }',
        "model": f'"{MODEL}"',
        "weight": "1.5",
        "because": '"Zebras are what this rule is about."',
    }
    if FIGURE:
        base["cite"] = f'["{FIGURE}"]'
    base.update(fields)
    return "\n[[rule]]\n" + "".join(f"{k} = {v}\n" for k, v in base.items() if v is not None)


def signal_toml(patterns: str, sid: str = "zebra_talk", extra: str = "") -> str:
    return f'\n[[signal]]\nid = "{sid}"\nabout = "Zebras."\npatterns = {patterns}\n{extra}'


# (case id, file text, words the message must contain besides the file name)
RULE_CASES = [
    ("unknown-field", SIGNAL + rule_toml(colour='"red"'), ["zoo.zebra", "colour", "unknown field"]),
    ("unknown-signal-field", signal_toml("['\\bzebra']", extra='colour = "red"\n') + rule_toml(), ["zebra_talk", "colour"]),
    ("missing-field", SIGNAL + rule_toml(because=None), ["zoo.zebra", "because", "missing"]),
    ("missing-signal-patterns", '\n[[signal]]\nid = "zebra_talk"\nabout = "Zebras."\n' + rule_toml(), ["zebra_talk", "patterns", "missing"]),
    ("wrong-type", SIGNAL + rule_toml(weight='"heavy"'), ["zoo.zebra", "weight"]),
    ("wrong-type-list", SIGNAL + rule_toml(cite='"not-a-list"'), ["zoo.zebra", "cite"]),
    ("weight-out-of-range", SIGNAL + rule_toml(weight="1000"), ["zoo.zebra", "weight"]),
    ("unknown-effect", SIGNAL + rule_toml(effect='"promote"'), ["zoo.zebra", "effect"]),
    ("bad-rule-id", SIGNAL + rule_toml(id='"Zoo Zebra!"'), ["Zoo Zebra!", "id"]),
    ("unknown-signal-in-when", SIGNAL + rule_toml(when='{ all = ["zebra_talk", "unicorn_talk"] }'), ["zoo.zebra", "when", "unicorn_talk"]),
    ("unknown-model", SIGNAL + rule_toml(model='"gpt-7"'), ["zoo.zebra", "model", "gpt-7"]),
    ("unknown-citation", SIGNAL + rule_toml(cite='["no_such_figure"]'), ["zoo.zebra", "cite", "no_such_figure"]),
    ("duplicate-rule-id", SIGNAL + rule_toml() + rule_toml(), ["zoo.zebra", "id", "duplicate"]),
    ("duplicate-signal-id", SIGNAL + SIGNAL + rule_toml(), ["zebra_talk", "id", "duplicate"]),
    ("bad-regex", signal_toml("['\\bzebra', '(?:unclosed']") + rule_toml(), ["zebra_talk", "patterns", "(?:unclosed"]),
    ("capturing-group", signal_toml("['(zebra|okapi)']") + rule_toml(), ["zebra_talk", "patterns", "capturing"]),
    ("empty-matching", signal_toml("['\\bzebra', 'z*']") + rule_toml(), ["zebra_talk", "patterns", "empty"]),
    ("nested-quantifier", signal_toml("['(?:zeb+)+ra']") + rule_toml(), ["zebra_talk", "patterns", "(?:zeb+)+ra"]),
    ("pattern-too-long", signal_toml("['" + "z" * 2000 + "']") + rule_toml(), ["zebra_talk", "patterns", "longer"]),
    ("require-with-model", SIGNAL + rule_toml(effect='"require"', needs='["vision"]'), ["zoo.zebra", "effect", "model"]),
    ("support-without-model", SIGNAL + rule_toml(model=None), ["zoo.zebra", "effect", "model"]),
    ("support-with-needs", SIGNAL + rule_toml(needs='["vision"]'), ["zoo.zebra", "effect", "needs"]),
    ("bad-fact", SIGNAL + rule_toml(when='{ all = [{ fact = "temperature", gt = 1 }] }'), ["zoo.zebra", "when", "temperature"]),
    ("bad-fact-operator", SIGNAL + rule_toml(when='{ all = [{ fact = "budget", lt = 5 }] }'), ["zoo.zebra", "when", "budget"]),
    ("bad-fact-value", SIGNAL + rule_toml(when='{ all = [{ fact = "words", gt = "many" }] }'), ["zoo.zebra", "when", "number"]),
    ("bad-budget-value", SIGNAL + rule_toml(when='{ all = [{ fact = "budget", eq = "huge" }] }'), ["zoo.zebra", "when", "budget"]),
    ("bad-condition-key", SIGNAL + rule_toml(when='{ every = ["zebra_talk"] }'), ["zoo.zebra", "when", "every"]),
    ("empty-condition", SIGNAL + rule_toml(when="{}"), ["zoo.zebra", "when"]),
    ("unknown-capability-needs", SIGNAL + rule_toml(effect='"require"', model=None, needs='["telepathy"]'), ["zoo.zebra", "needs", "telepathy"]),
    ("unknown-capability-in-when", SIGNAL + rule_toml(when='{ all = [{ fact = "needs", has = "telepathy" }] }'), ["zoo.zebra", "when", "telepathy"]),
    ("deep-nesting", SIGNAL + rule_toml(when="{ all = [" * 10 + '"zebra_talk"' + "] }" * 10), ["zoo.zebra", "when", "deeper"]),
    ("invalid-toml", SIGNAL + '\n[[rule]]\nid = "zoo.zebra"\nwhen = { all = ["zebra_talk"]\n', ["TOML"]),
    ("unknown-top-level-table", SIGNAL + rule_toml() + '\n[[rules]]\nid = "zoo.typo"\n', ["rules"]),
]


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def load_rules(path: Path) -> Router:
    return Router(rules=[path], include_default_rules=False)


def test_the_valid_base_file_loads(tmp_path):
    path = write(tmp_path, "ok.toml", SIGNAL + rule_toml())
    with load_rules(path) as router:
        assert router.route("a zebra walks in").fired[0].rule == "zoo.zebra"


@pytest.mark.parametrize("case, text, needles", RULE_CASES, ids=[c[0] for c in RULE_CASES])
def test_broken_rule_files_name_file_id_and_field(tmp_path, case, text, needles):
    path = write(tmp_path, f"{case}.toml", text)
    with pytest.raises(RuleFileError) as err:
        load_rules(path)
    message = err.value.message
    assert str(path) in message
    assert err.value.path == str(path)
    for needle in needles:
        assert needle in message, f"{needle!r} missing from: {message}"


def test_the_entry_named_is_the_broken_one_not_its_neighbour(tmp_path):
    text = SIGNAL + rule_toml(id='"zoo.fine"') + rule_toml(id='"zoo.broken"', weight='"x"') + rule_toml(id='"zoo.also-fine"')
    path = write(tmp_path, "second.toml", text)
    with pytest.raises(RuleFileError) as err:
        load_rules(path)
    assert "zoo.broken" in err.value.message and "zoo.fine" not in err.value.message.replace("zoo.broken", "")


def test_an_entry_without_id_is_named_by_position(tmp_path):
    path = write(tmp_path, "noid.toml", SIGNAL + rule_toml() + rule_toml(id=None))
    with pytest.raises(RuleFileError) as err:
        load_rules(path)
    assert "#2" in err.value.message and "id" in err.value.message


def test_a_problem_in_a_later_file_names_that_file(tmp_path):
    good = write(tmp_path, "good.toml", SIGNAL + rule_toml())
    bad = write(tmp_path, "bad.toml", rule_toml(id='"zoo.other"', model='"gpt-7"'))
    with pytest.raises(RuleFileError) as err:
        Router(rules=[good, bad], include_default_rules=False)
    assert str(bad) in err.value.message and "zoo.other" in err.value.message


def test_non_utf8_file(tmp_path):
    path = write(tmp_path, "latin1.toml", (SIGNAL + rule_toml(because='"Zèbres."')).encode("latin-1"))
    with pytest.raises(RuleFileError) as err:
        load_rules(path)
    assert str(path) in err.value.message and "UTF-8" in err.value.message


def test_oversized_file(tmp_path):
    path = write(tmp_path, "big.toml", SIGNAL + rule_toml() + "# " + "x" * 1_100_000 + "\n")
    with pytest.raises(RuleFileError) as err:
        load_rules(path)
    assert str(path) in err.value.message and "limit" in err.value.message


def test_missing_file_and_directory(tmp_path):
    for path in (tmp_path / "nope.toml", tmp_path):
        with pytest.raises(RuleFileError) as err:
            load_rules(path)
        assert str(path) in err.value.message


# ---- catalogs --------------------------------------------------------------------------------

CATALOG_TEXT = default_catalog_path().read_text(encoding="utf-8")


def _model_block(model_id: str) -> str:
    """The packaged catalog's [[model]] table for one id, verbatim (sub-tables included)."""
    blocks = CATALOG_TEXT.split("\n[[")
    for block in blocks:
        if block.startswith("model]]") and f'\nid = "{model_id}"' in block:
            return "\n[[" + block.rstrip() + "\n"
    raise AssertionError(f"no [[model]] {model_id} in the packaged catalog")


def _replace_default(text: str, new: str) -> str:
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("default_model"):
            lines[i] = f'default_model = "{new}"'
            return "\n".join(lines) + "\n"
    raise AssertionError("the packaged catalog has no default_model line")


CATALOG_CASES = [
    ("duplicate-model-id", lambda: CATALOG_TEXT + _model_block(MODEL), [MODEL, "duplicate", "model id"]),
    ("default-model-unknown", lambda: _replace_default(CATALOG_TEXT, "gpt-7"), ["gpt-7", "default_model"]),
    ("figure-for-unknown-model", lambda: CATALOG_TEXT + '\n[[figure]]\nid = "zebra_bench"\nbenchmark = "Zebra"\n'
     'measures = "zebras"\nsource = "a zoo"\nvalues = { "gpt-7" = 1.0 }\n', ["zebra_bench", "gpt-7", "values"]),
    ("duplicate-figure-id", lambda: CATALOG_TEXT + "\n".join(
        ["", "[[figure]]", f'id = "{FIGURE}"', 'benchmark = "B"', 'measures = "m"', 'source = "s"', f'values = {{ "{MODEL}" = 1.0 }}', ""]),
     [str(FIGURE), "duplicate", "figure id"]),
    ("model-unknown-field", lambda: CATALOG_TEXT.replace('[[model]]\nid = "', '[[model]]\nflavour = "mint"\nid = "', 1), ["flavour", "unknown field"]),
    ("model-negative-price", lambda: CATALOG_TEXT.replace("[model.price]\ninput = ", "[model.price]\ninput = -", 1), ["price", "input"]),
    ("no-models", lambda: 'default_model = "gpt-4o"\n', ["model", "missing"]),
]


@pytest.mark.parametrize("case, make, needles", CATALOG_CASES, ids=[c[0] for c in CATALOG_CASES])
def test_broken_catalogs_name_file_id_and_field(tmp_path, case, make, needles):
    path = write(tmp_path, f"{case}.toml", make())
    with pytest.raises(RuleFileError) as err:
        Router(catalog=path, include_default_rules=False)
    message = err.value.message
    assert str(path) in message
    for needle in needles:
        assert needle in message, f"{needle!r} missing from: {message}"


# ---- through the CLI -------------------------------------------------------------------------

CLI_CASES = ["unknown-field", "missing-field", "unknown-signal-in-when", "unknown-model", "bad-regex", "invalid-toml", "deep-nesting"]


@pytest.mark.parametrize("case", CLI_CASES)
def test_cli_reports_broken_rule_files_on_stderr(tmp_path, case):
    _, text, needles = next(c for c in RULE_CASES if c[0] == case)
    path = write(tmp_path, "broken.toml", text)
    result = CliRunner().invoke(main, ["--rules", str(path), "x"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert str(path) in result.stderr
    for needle in needles:
        assert needle in result.stderr


def test_cli_reports_a_broken_catalog_on_stderr(tmp_path):
    path = write(tmp_path, "catalog.toml", _replace_default(CATALOG_TEXT, "gpt-7"))
    for args in (["--catalog", str(path), "x"], ["models", "--catalog", str(path)], ["rules", "list", "--catalog", str(path)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
        assert str(path) in result.stderr and "gpt-7" in result.stderr


def test_real_process_exit_code_and_streams(tmp_path):
    path = write(tmp_path, "broken.toml", SIGNAL + rule_toml(model='"gpt-7"'))
    advise = Path(sys.executable).with_name("advise")
    proc = subprocess.run([str(advise), "--rules", str(path), "x"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert str(path) in proc.stderr and "zoo.zebra" in proc.stderr and "gpt-7" in proc.stderr
