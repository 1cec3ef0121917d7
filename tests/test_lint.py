"""`advise rules lint`: one broken file per finding kind, each named with file and rule id."""

import textwrap

import pytest
from click.testing import CliRunner

from advisor.catalog import load_catalog
from advisor.cli import main
from advisor.lint import lint

SIGNALS = """
[[signal]]
id = "poem"
about = "poems"
patterns = ['\\bpoem']

[[signal]]
id = "maths"
about = "maths"
patterns = ['\\bmaths?\\b']
"""

CASES = {
    "schema": """
[[rule]]
id = "r.bad"
when = "poem"
model = "gpt-4.5"
because = "x"
colour = "blue"
""",
    "unknown-signal": """
[[rule]]
id = "r.bad"
when = { all = ["poem", "sonnet"] }
model = "gpt-4.5"
because = "x"
""",
    "unknown-model": """
[[rule]]
id = "r.bad"
when = "poem"
model = "gpt-9"
because = "x"
""",
    "unknown-citation": """
[[rule]]
id = "r.bad"
when = "poem"
model = "gpt-4.5"
because = "x"
cite = ["no_such_figure"]
""",
    "never-fires": """
[[rule]]
id = "r.bad"
when = { all = ["poem"], not = ["poem"] }
model = "gpt-4.5"
because = "x"
""",
    "shadowed": """
[[rule]]
id = "r.broad"
when = "poem"
model = "gpt-4.5"
because = "x"

[[rule]]
id = "r.bad"
when = { all = ["poem", "maths"] }
model = "gpt-4.5"
because = "x"
""",
    "conflict": """
[[rule]]
id = "r.bad"
when = "maths"
model = "o3-mini"
weight = 2
because = "x"

[[rule]]
id = "r.other"
when = "maths"
model = "gpt-4.5"
weight = 2
because = "x"
""",
}


def _write(tmp_path, name, body, with_signals=True):
    path = tmp_path / name
    path.write_text(textwrap.dedent((SIGNALS if with_signals else "") + body), encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", sorted(CASES))
def test_each_finding_kind(tmp_path, kind):
    path = _write(tmp_path, f"{kind}.toml", CASES[kind])
    findings = [f for f in lint([path], load_catalog()) if f.kind == kind]
    assert findings, f"no {kind} finding"
    assert findings[0].file == str(path)
    assert kind == "schema" or findings[0].id == "r.bad"


def test_duplicate_ids_across_files(tmp_path):
    a = _write(tmp_path, "a.toml", CASES["unknown-model"].replace("gpt-9", "gpt-4.5"))
    b = _write(tmp_path, "b.toml", CASES["unknown-model"].replace("gpt-9", "gpt-4o"), with_signals=False)
    kinds = {(f.kind, f.id) for f in lint([a, b], load_catalog())}
    assert ("duplicate-id", "r.bad") in kinds


def test_unused_signal(tmp_path):
    path = _write(tmp_path, "u.toml", CASES["unknown-model"].replace("gpt-9", "gpt-4.5"))
    assert ("unused-signal", "maths") in {(f.kind, f.id) for f in lint([path], load_catalog())}


def test_clean_file_has_no_findings(tmp_path):
    path = _write(tmp_path, "ok.toml", """
[[rule]]
id = "r.ok"
when = "poem"
model = "gpt-4.5"
because = "x"

[[rule]]
id = "r.maths"
when = "maths"
model = "o3-mini"
because = "x"
""")
    assert lint([path], load_catalog()) == []


def test_cli_exit_codes(tmp_path):
    runner = CliRunner()
    broken = _write(tmp_path, "broken.toml", CASES["never-fires"])
    result = runner.invoke(main, ["rules", "lint", str(broken)])
    assert result.exit_code == 1 and "r.bad" in result.output and str(broken) in result.output
    missing = runner.invoke(main, ["rules", "lint", str(tmp_path / "missing.toml")])
    assert missing.exit_code == 2


def test_broken_rule_file_on_route_exits_2(tmp_path):
    broken = _write(tmp_path, "broken.toml", CASES["unknown-model"])
    result = CliRunner().invoke(main, ["--rules", str(broken), "write a poem"])
    assert result.exit_code == 2
    assert "broken.toml" in result.output and "r.bad" in result.output and "model" in result.output
    assert "Traceback" not in result.output
