"""`advise batch FILE|-`: route a JSONL file of tasks; the logic lives in `advisor.batch`."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

import click

from .cli import _fail, _router, _rule_options
from .errors import InputError

if TYPE_CHECKING:
    from .batch import LineResult


@click.command("batch")
@click.argument("source", metavar="FILE|-", type=click.File("r", encoding="utf-8", errors="replace"))
@click.option("--full", is_flag=True, help="Add the full recommendation to each output line.")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(min=1), help="Route in this many worker processes.")
@_rule_options
def batch_command(source: IO[str], full: bool, jobs: int, rules: tuple[str, ...], catalog: str | None) -> None:
    """Route every task in a JSONL FILE ('-' reads stdin): one JSON line per task on stdout,
    in input order, and a summary with the estimated cost on stderr. Lines that cannot be
    routed give an error record; the exit code is still 0."""
    router = _router(rules, catalog)
    from .batch import BatchOptions, Tally, render_summary, run_batch  # only batch runs pay its import

    options, tally = BatchOptions(rules=rules, catalog=catalog, full=full), Tally()
    try:
        for result in _with_progress(source, run_batch(source, options, jobs=jobs, router=router)):
            click.echo(result.output)
            tally.add(result)
    except BrokenPipeError:
        _stop_quietly()
    except OSError as err:
        _fail(InputError(f"cannot read {source.name}: {err.strerror or err}"))
    click.echo(render_summary(tally.summary(router.catalog)), err=True)


def _with_progress(source: IO[str], results: Iterator[LineResult]) -> Iterator[LineResult]:
    # The bar is for people watching a terminal; logs and pipes get only the summary.
    # run_batch is lazy: a file can be counted (and rewound) before its first line is routed.
    if not sys.stderr.isatty():
        yield from results
        return
    with click.progressbar(results, length=_count_lines(source), label="routing", file=sys.stderr) as bar:
        yield from bar


def _count_lines(source: IO[str]) -> int | None:
    if not source.seekable():
        return None  # a pipe can be read only once; the bar then shows a count without a total
    total = sum(1 for line in source if line.strip())
    source.seek(0)
    return total


def _stop_quietly() -> None:
    # The reader of stdout went away (`| head`): stop without a traceback, and point stdout at
    # devnull so the interpreter's final flush does not fail again.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(1)
