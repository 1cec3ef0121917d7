"""`advise models` and `advise rules ...`: the catalog and the rule base, shown to reviewers and
rebuilt by maintainers. The `advise` group imports this module when one of them runs (or is
listed); no logic lives here."""

from __future__ import annotations

import sys

import click

from .cli import _fail, _router, _rule_options
from .errors import AdvisorError


@click.command("models")
@click.option("--json", "as_json", is_flag=True, help="Print the catalog as JSON.")
@click.option("--catalog", type=click.Path(dir_okay=False), help="A model catalog TOML file instead of the packaged one.")
def models(as_json: bool, catalog: str | None) -> None:
    """List the models in the catalog: prices, limits, capabilities, lifecycle."""
    from . import report

    router = _router((), catalog)
    click.echo(report.catalog_json(router.catalog) if as_json else report.catalog_table(router.catalog))


@click.group("rules")
def rules_group() -> None:
    """Inspect the rule base."""


@rules_group.command("list")
@_rule_options
def rules_list(rules: tuple[str, ...], catalog: str | None) -> None:
    """List every rule: id, effect, model, weight and condition."""
    from . import report

    router = _router(rules, catalog)
    click.echo(report.rules_table(router.rulebase))


@rules_group.command("show")
@click.argument("rule_id")
@_rule_options
def rules_show(rule_id: str, rules: tuple[str, ...], catalog: str | None) -> None:
    """Show one rule in full, with the figures it cites."""
    from . import report

    router = _router(rules, catalog)
    try:
        click.echo(report.rule_detail(router.rulebase, router.catalog, rule_id))
    except AdvisorError as err:
        _fail(err)


@rules_group.command("lint")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--catalog", type=click.Path(dir_okay=False), help="The catalog to check models and citations against.")
def rules_lint(files: tuple[str, ...], catalog: str | None) -> None:
    """Review rule FILES (default: the packaged rule base). Exit 0 clean, 1 findings, 2 unreadable."""
    from .catalog import load_catalog
    from .lint import lint
    from .rulebase import default_rule_paths

    try:
        findings = lint(list(files) or default_rule_paths(), load_catalog(catalog))
    except AdvisorError as err:
        _fail(err)
    for finding in findings:
        click.echo(str(finding))
    unreadable = any(f.kind == "schema" and "cannot read" in f.message for f in findings)
    click.echo(f"{len(findings)} finding(s)" if findings else "clean", err=True)
    sys.exit(2 if unreadable else 1 if findings else 0)


@rules_group.command("doc")
@_rule_options
def rules_doc(rules: tuple[str, ...], catalog: str | None) -> None:
    """Write the rule base as a Markdown document for review."""
    from . import report

    router = _router(rules, catalog)
    click.echo(report.rules_markdown(router.rulebase, router.catalog), nl=False)


@rules_group.command("precompile")
def rules_precompile() -> None:
    """Rebuild the precompiled form of the packaged rule base and catalog (for maintainers, after editing them)."""
    from . import precompiled
    from .catalog import default_catalog_path
    from .rulebase import default_rule_paths

    target = precompiled.packaged_path()
    try:
        target.write_text(precompiled.render(precompiled.build(default_rule_paths(), default_catalog_path())), encoding="utf-8")
    except AdvisorError as err:
        _fail(err)
    except OSError as err:
        click.echo(f"advise: error: cannot write {target}: {err.strerror or err}", err=True)
        sys.exit(2)
    click.echo(f"wrote {target}")


@rules_group.command("signals")
@_rule_options
def rules_signals(rules: tuple[str, ...], catalog: str | None) -> None:
    """List every signal a rule may mention, with what it detects."""
    from . import report

    router = _router(rules, catalog)
    click.echo(report.signals_table(router.rulebase))
