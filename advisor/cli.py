"""The `advise` command: parse arguments, call the library, render. No logic lives here."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .engine import available
from .errors import AdvisorError
from .router import Router
from .types import CAPABILITIES, Constraints
from . import report

_ROUTE = "route"


class _DefaultGroup(click.Group):
    """`advise TEXT...` means `advise route TEXT...`: the common case needs no subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = [_ROUTE, *args]
        return super().parse_args(ctx, args)


def _router(rules: tuple[str, ...], catalog: str | None) -> Router:
    return Router(rules=list(rules), catalog=catalog)


def _fail(err: AdvisorError) -> None:
    click.echo(f"advise: error: {err.message}", err=True)
    sys.exit(err.exit_code)


def _rule_options(fn: Any) -> Any:
    fn = click.option("--catalog", type=click.Path(dir_okay=False), help="A model catalog TOML file instead of the packaged one.")(fn)
    return click.option("--rules", "rules", multiple=True, type=click.Path(dir_okay=False), help="A rule file to add to the packaged rule base (repeatable); same ids override.")(fn)


@click.group(cls=_DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, message=f"advise %(version)s (rule engine: {available()})")
def main() -> None:
    """Recommend an LLM for a task and explain, rule by rule, why.

    \b
    Examples:
      advise "solve AIME problem"
      advise --budget low "write my sister's wedding toast"
      echo "tag 2M tweets cheaply" | advise --json -
      advise models
      advise rules list
    """


@main.command(_ROUTE)
@click.argument("text", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the recommendation as JSON.")
@click.option("--budget", type=click.Choice(["low", "medium", "high"]), help="How much cost matters.")
@click.option("--needs", multiple=True, type=click.Choice(CAPABILITIES), help="A capability the model must have (repeatable).")
@click.option("--max-price", type=click.FloatRange(min=0, min_open=True), help="Highest price in USD per 1M tokens (3:1 input:output blend).")
@click.option("--exclude", multiple=True, metavar="MODEL", help="A model never to recommend (repeatable).")
@click.option("--allow", multiple=True, metavar="MODEL", help="Only recommend these models (repeatable).")
@_rule_options
def route(text: tuple[str, ...], as_json: bool, budget: str | None, needs: tuple[str, ...], max_price: float | None,
          exclude: tuple[str, ...], allow: tuple[str, ...], rules: tuple[str, ...], catalog: str | None) -> None:
    """Recommend a model for TEXT (words are joined; '-' reads the task from stdin)."""
    task = _read_stdin() if text == ("-",) else " ".join(text)
    constraints = Constraints(budget=budget, needs=frozenset(needs), max_price=max_price, exclude=frozenset(exclude), allow=frozenset(allow))
    try:
        rec = _router(rules, catalog).route(task, constraints)
    except AdvisorError as err:
        _fail(err)
    click.echo(rec.model_dump_json(indent=2) if as_json else rec.explanation)


def _read_stdin() -> str:
    # Undecodable bytes become U+FFFD rather than a crash; binary input is refused by the router.
    return sys.stdin.buffer.read().decode("utf-8", errors="replace")


@main.command("models")
@click.option("--json", "as_json", is_flag=True, help="Print the catalog as JSON.")
@click.option("--catalog", type=click.Path(dir_okay=False), help="A model catalog TOML file instead of the packaged one.")
def models(as_json: bool, catalog: str | None) -> None:
    """List the models in the catalog: prices, limits, capabilities, lifecycle."""
    try:
        router = _router((), catalog)
    except AdvisorError as err:
        _fail(err)
    click.echo(report.catalog_json(router.catalog) if as_json else report.catalog_table(router.catalog))


@main.group("rules")
def rules_group() -> None:
    """Inspect the rule base."""


@rules_group.command("list")
@_rule_options
def rules_list(rules: tuple[str, ...], catalog: str | None) -> None:
    """List every rule: id, effect, model, weight and condition."""
    try:
        router = _router(rules, catalog)
    except AdvisorError as err:
        _fail(err)
    click.echo(report.rules_table(router.rulebase))


@rules_group.command("show")
@click.argument("rule_id")
@_rule_options
def rules_show(rule_id: str, rules: tuple[str, ...], catalog: str | None) -> None:
    """Show one rule in full, with the figures it cites."""
    try:
        router = _router(rules, catalog)
        click.echo(report.rule_detail(router.rulebase, router.catalog, rule_id))
    except AdvisorError as err:
        _fail(err)


@rules_group.command("signals")
@_rule_options
def rules_signals(rules: tuple[str, ...], catalog: str | None) -> None:
    """List every signal a rule may mention, with what it detects."""
    try:
        router = _router(rules, catalog)
    except AdvisorError as err:
        _fail(err)
    click.echo(report.signals_table(router.rulebase))
