"""The `advise` command: parse arguments, call the library, render. No logic lives here."""

from __future__ import annotations

import atexit
import importlib
import os
import sys
import threading
from typing import Any, NoReturn

import click
from pydantic import ValidationError

from . import __version__, native
from .engine import available
from .errors import AdvisorError
from .explain import render
from .router import Router
from .types import CAPABILITIES, NO_CONSTRAINTS, Constraints

# Commands other than routing import what they need when they run: `advise TEXT` is the
# common case, and its start-up time is the import time.

_ROUTE = "route"
# Commands kept in modules of their own, imported when they run or are listed: `advise TEXT`,
# the common case, makes none of their options. Name -> module, attribute.
_ELSEWHERE = {"batch": ("cli_batch", "batch_command"), "models": ("cli_rules", "models"), "rules": ("cli_rules", "rules_group")}


class _DefaultGroup(click.Group):
    """`advise TEXT...` means `advise route TEXT...`: the common case needs no subcommand."""

    def main(self, args: list[str] | None = None, *rest: Any, **kwargs: Any) -> Any:
        if args is not None:  # called from Python (tests, other programs): return as click does
            return super().main(args, *rest, **kwargs)
        try:  # the `advise` program itself, on its own command line
            return super().main(args, *rest, **kwargs)
        except SystemExit as done:
            _end_process(done)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.list_commands(ctx) and args[0] not in ("--help", "-h", "--version"):
            args = [_ROUTE, *args]
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *_ELSEWHERE})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in _ELSEWHERE and name not in self.commands:
            module, attribute = _ELSEWHERE[name]
            self.add_command(getattr(importlib.import_module(f"{__package__}.{module}"), attribute), name)
        return super().get_command(ctx, name)


def _end_process(done: SystemExit) -> NoReturn:
    """End the process as `sys.exit` would, without tearing down the interpreter.

    The process ends with its command, and Python's teardown at exit (a garbage collection
    over every object loaded, then freeing them and every module one by one: the rule base,
    pydantic's classes, some 100,000 objects) frees nothing the system would not, at a cost of
    a tenth of a start. Exit handlers still run and the output is flushed; anything unusual
    (a code that is not a number, another thread still running, output that cannot be
    flushed) exits the ordinary way."""
    code = done.code
    if not (code is None or isinstance(code, int)) or threading.active_count() > 1:
        raise done
    atexit._run_exitfuncs()  # as at exit: worker pools, logging and the like clean up
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # a closed pipe: Python reports it at exit, its own way
        raise done from None
    os._exit(code or 0)


def _router(rules: tuple[str, ...], catalog: str | None) -> Router:
    """The Router for these files; a bad file ends the command with its message and exit 2."""
    try:
        return Router(rules=list(rules), catalog=catalog)
    except AdvisorError as err:
        _fail(err)


def _fail(err: AdvisorError) -> NoReturn:
    click.echo(f"advise: error: {err.message}", err=True)
    sys.exit(err.exit_code)


def _rule_options(fn: Any) -> Any:
    fn = click.option("--catalog", type=click.Path(dir_okay=False), help="A model catalog TOML file instead of the packaged one.")(fn)
    return click.option("--rules", "rules", multiple=True, type=click.Path(dir_okay=False), help="A rule file to add to the packaged rule base (repeatable); same ids override.")(fn)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    # Worked out when asked, not at import as version_option's message would be: what runs
    # the hot path is known once the compiled modules have been looked for.
    if value and not ctx.resilient_parsing:
        click.echo(f"advise {__version__} (rule engine: {available()}; hot path: {native.hot_path().how})")
        ctx.exit()


@click.group(cls=_DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version, the rule engine and whether the hot path is compiled, and exit.")
def main() -> None:
    """Recommend an LLM for a task and explain, rule by rule, why.

    \b
    Examples:
      advise "solve AIME problem"
      advise --budget low "write my sister's wedding toast"
      echo "tag 2M tweets cheaply" | advise --json -
      advise explain "prove that sqrt(2) is irrational"
      advise batch prompts.jsonl > routed.jsonl
      advise eval labelled.jsonl
      advise models
      advise rules list

    A task that is exactly a command name goes through 'advise route', e.g.
    advise route models.
    """


def _task_options(fn: Any) -> Any:
    for option in reversed([
        click.option("--budget", type=click.Choice(["low", "medium", "high"]), help="How much cost matters."),
        click.option("--needs", multiple=True, type=click.Choice(CAPABILITIES), help="A capability the model must have (repeatable)."),
        click.option("--max-price", type=click.FloatRange(min=0, min_open=True), help="Highest price in USD per 1M tokens (3:1 input:output blend)."),
        click.option("--exclude", multiple=True, metavar="MODEL", help="A model never to recommend (repeatable)."),
        click.option("--allow", multiple=True, metavar="MODEL", help="Only recommend these models (repeatable)."),
    ]):
        fn = option(fn)
    return _rule_options(fn)


def _constraints(opts: dict[str, Any]) -> Constraints:
    if all(value is None or value == () for value in opts.values()):
        return NO_CONSTRAINTS  # nothing to check, and no validator to build for it
    try:
        return Constraints(budget=opts["budget"], needs=frozenset(opts["needs"]), max_price=opts["max_price"],
                           exclude=frozenset(opts["exclude"]), allow=frozenset(opts["allow"]))
    except ValidationError as err:
        first = err.errors()[0]
        raise click.UsageError(f"--{'-'.join(map(str, first['loc'])).replace('_', '-')}: {first['msg']}") from None


def _task_text(text: tuple[str, ...]) -> str:
    return _read_stdin() if text == ("-",) else " ".join(text)


@main.command(_ROUTE)
@click.argument("text", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", help="Output format.")
@click.option("--json", "as_json", is_flag=True, help="Short for --format json.")
@click.option("--trace", is_flag=True, help="Show every signal, every rule considered and the arithmetic.")
@_task_options
def route(text: tuple[str, ...], fmt: str, as_json: bool, trace: bool, rules: tuple[str, ...], catalog: str | None, **opts: Any) -> None:
    """Recommend a model for TEXT (words are joined; '-' reads the task from stdin)."""
    if trace:
        return _explain(text, as_json or fmt == "json", rules, catalog, opts)
    try:
        rec = _router(rules, catalog).route(_task_text(text), _constraints(opts), counterfactuals=True)
    except AdvisorError as err:
        _fail(err)
    click.echo(render(rec, "json" if as_json else fmt))


@main.command("explain")
@click.argument("text", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the trace as JSON.")
@_task_options
def explain_cmd(text: tuple[str, ...], as_json: bool, rules: tuple[str, ...], catalog: str | None, **opts: Any) -> None:
    """Trace the decision for TEXT: signals, every rule (fired or not, and why), the scores."""
    _explain(text, as_json, rules, catalog, opts)


def _explain(text: tuple[str, ...], as_json: bool, rules: tuple[str, ...], catalog: str | None, opts: dict[str, Any]) -> None:
    try:
        trace = _router(rules, catalog).trace(_task_text(text), _constraints(opts))
    except AdvisorError as err:
        _fail(err)
    from .trace import render_trace

    click.echo(trace.model_dump_json(indent=2) if as_json else render_trace(trace))


@main.command("eval")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--category-map", type=click.Path(dir_okay=False), help="JSON {category: expected model} for lines that carry only a category.")
@_rule_options
def eval_cmd(path: str, as_json: bool, category_map: str | None, rules: tuple[str, ...], catalog: str | None) -> None:
    """Score the advisor on labelled JSONL lines: {"id", "text", "expected", "constraints"?}."""
    from .evaluate import evaluate, load_category_map, read_labelled, render_report

    try:
        router = _router(rules, catalog)
        items = read_labelled(path, load_category_map(category_map) if category_map else None)
        with click.progressbar(items, label="routing", file=sys.stderr) as bar:
            report = evaluate(router, items, progress=lambda xs: iter(bar))
    except AdvisorError as err:
        _fail(err)
    click.echo(report.model_dump_json(indent=2) if as_json else render_report(report))


def _read_stdin() -> str:
    # Undecodable bytes become U+FFFD rather than a crash; binary input is refused by the router.
    return sys.stdin.buffer.read().decode("utf-8", errors="replace")
