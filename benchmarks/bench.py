"""How fast, how flat: latency per decision, the regex floor, CLI cold start and memory growth.

Prints numbers against the project's targets; asserts nothing. Run from the project root:

    .venv/bin/python benchmarks/bench.py                      # durable-rules, 1,000,000 decisions for RSS
    .venv/bin/python benchmarks/bench.py --decisions 200000   # a shorter memory run
    .venv/bin/python benchmarks/bench.py --engine reference   # the plain-Python evaluator
    ADVISOR_PURE=1 .venv/bin/python benchmarks/bench.py       # the pure-Python hot path (see advisor/native.py)
    .venv/bin/python benchmarks/bench.py --profile 20000      # also cProfile 20,000 route() calls

Targets: p50 <= 100 us and p99 <= 500 us per decision, CLI cold start <= 2x
`python -c "import click, pydantic"`, RSS growth < 5 MB over 1M decisions.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import io
import json
import os
import pstats
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from advisor import Router, Task
from advisor import native

print = functools.partial(print, flush=True)  # noqa: A001 - progress shows while the long runs go

ROOT = Path(__file__).resolve().parent.parent
TASKS = ROOT / "tests" / "data" / "tasks.jsonl"

TARGET_P50_US = 100.0
TARGET_P99_US = 500.0
TARGET_COLD_RATIO = 2.0
TARGET_RSS_MB = 5.0
TARGET_RSS_OVER = 1_000_000


# ---- the task set ---------------------------------------------------------------------------

_SUBJECTS = [
    "solve this AIME problem about divisors", "write a poem for my grandmother's birthday",
    "I failed my exam and feel terrible", "classify 2 million support tickets cheaply",
    "prove that sqrt(2) is irrational", "fix the off-by-one bug in this Python loop",
    "what is the capital of Mongolia and why did it move", "translate this letter into German",
    "describe what is in this photo of a circuit board", "summarise this podcast transcript",
    "plan a week of vegetarian dinners on a budget", "draft a professional email declining an offer",
    "olympiad geometry: find the locus of the midpoint", "tag 50,000 tweets by sentiment",
    "write my sister's wedding toast", "explain entropy to a ten-year-old",
    "derive the time complexity of this recursive algorithm", "说明这个数学竞赛题的解法",
    "écris un poème sur la mer", "escribe una historia corta sobre un perro",
]
_FRAMES = [
    "{}", "Please {}.", "Can you {}?", "{} -- it is urgent", "Hi! {} Thanks a lot.",
    "My manager asked me to {}. Keep it short.", "{} (not a maths question)",
    "Quick one: {}", "{}. Also, no fancy writing please.", "For a client deliverable, {}.",
]


def built_in_tasks() -> list[str]:
    """200 varied tasks: 20 subjects in 10 frames, some padded to a few hundred words."""
    texts = []
    for i, subject in enumerate(_SUBJECTS):
        for j, frame in enumerate(_FRAMES):
            text = frame.format(subject)
            if (i + j) % 7 == 0:
                text += " Context: " + " ".join(["the quarterly figures look fine overall"] * 40)
            texts.append(text)
    return texts


LONG_TASK = 600  # characters; the corpus has 17 tasks over this, pasted code and long stories


def unique_texts(texts: list[str], count: int) -> list[str]:
    """`count` texts, each a corpus text with a distinct made-up reference appended."""
    return [f"{texts[i % len(texts)]} (ref {i:06d}-{(i * 7919) % 100003:05d})" for i in range(count)]


def load_texts() -> tuple[list[str], str]:
    if TASKS.exists():
        texts = [json.loads(line)["text"] for line in TASKS.read_text(encoding="utf-8").splitlines() if line.strip()]
        return texts, f"{TASKS.relative_to(ROOT)} ({len(texts)} texts)"
    texts = built_in_tasks()
    return texts, f"built-in mixed set ({len(texts)} texts)"


# ---- measuring --------------------------------------------------------------------------------


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(q / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def time_calls(fn, items: list, samples: int, warm: bool = True) -> dict[str, float]:
    """Per-call latency (us) over `samples` calls cycling through `items`, plus throughput.

    Steady state, as in a server that has been up a while: one untimed pass over the items
    first compiles the patterns they use (each pattern compiles on first use) and fills the
    word memo. With warm=False the first 200 items warm up and the rest, never seen, are timed."""
    for item in items if warm else items[:200]:
        fn(item)
    items = items if warm else items[200:]
    gc.collect()
    latencies = []
    clock = time.perf_counter_ns
    n = len(items)
    wall = clock()
    for i in range(samples):
        item = items[i % n]
        t0 = clock()
        fn(item)
        latencies.append(clock() - t0)
    wall = clock() - wall
    latencies.sort()
    return {
        "p50": percentile(latencies, 50) / 1000,
        "p90": percentile(latencies, 90) / 1000,
        "p99": percentile(latencies, 99) / 1000,
        "max": latencies[-1] / 1000,
        "mean": statistics.fmean(latencies) / 1000,
        "per_s": samples / (wall / 1e9),
    }


def floor_pattern(router: Router) -> re.Pattern[str]:
    """Every signal pattern of the rule base as one compiled alternation."""
    parts = []
    for sig in router.rulebase.signals.values():
        scope = "?:" if sig.case_sensitive else "?i:"
        parts += [f"({scope}{p})" for p in sig.patterns]
    return re.compile("|".join(parts))


def vm_rss_kb() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux; a high-water mark


def cold_start(runs: int) -> dict[str, float]:
    advise = Path(sys.executable).with_name("advise")
    cmds = {
        "advise": [str(advise), "--json", "solve AIME problem"],
        "baseline": [sys.executable, "-c", "import click, pydantic"],
    }
    # Both sides with compiled bytecode, as after a normal install: pip compiles click and
    # pydantic, but an editable install of the advisor is compiled on first import, which a
    # PYTHONDONTWRITEBYTECODE environment would repeat on every run.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for cmd in cmds.values():
        subprocess.run(cmd, capture_output=True, env=env)  # the untimed run that writes bytecode
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(runs):  # interleaved, so drift in machine load hits both equally
        for key, cmd in cmds.items():
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, env=env)
            times[key].append(time.perf_counter() - t0)
            if proc.returncode != 0:
                raise SystemExit(f"{cmd} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
    return {k: statistics.median(v) * 1000 for k, v in times.items()}


def profile(router: Router, texts: list[str], calls: int, top: int = 25) -> str:
    prof = cProfile.Profile()
    n = len(texts)
    prof.enable()
    for i in range(calls):
        router.route(texts[i % n])
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def profile_cold(top: int = 40) -> str:
    advise = Path(sys.executable).with_name("advise")
    proc = subprocess.run([sys.executable, "-m", "cProfile", "-s", "cumulative", str(advise), "--json", "solve AIME problem"],
                          capture_output=True, text=True)
    lines = proc.stdout.splitlines()
    start = next((i for i, line in enumerate(lines) if "Ordered by" in line), 0)
    return "\n".join(lines[start:start + top + 3])


def hostile_scans(router: Router, size: int = 4000) -> list[str]:
    """Patterns whose scan of hostile text (digit runs, long tokens) is far slower than of prose:
    the signature of backtracking. A measurement, so it lives here and not in the tests."""
    natural = ("The quick brown fox jumps over the lazy dog 12 times in 2024, said the report. " * 60)[:size]
    hostile = {name: (unit * size)[:size] for name, unit in
               [("digits-commas", "1,"), ("digits-dots", "1."), ("long-word", "ab"), ("long-cjk", "字"), ("letters-digits", "a1")]}
    slow = []
    for sid, sig in router.rulebase.signals.items():
        for pattern in sig.patterns:
            compiled = re.compile(pattern, 0 if sig.case_sensitive else re.IGNORECASE)
            base = _scan_time(compiled, natural)
            for name, text in hostile.items():
                took = min(_scan_time(compiled, text) for _ in range(3))
                if took > 0.02 and took > 20 * base:
                    slow.append(f"{sid} {pattern[:60]!r} on {name}: {took * 1000:.0f} ms vs {base * 1000:.1f} ms")
    return slow


def _scan_time(pattern: re.Pattern[str], text: str) -> float:
    t0 = time.perf_counter()
    for _ in pattern.finditer(text):
        pass
    return time.perf_counter() - t0


def machine_speed() -> float:
    """A yardstick printed with the numbers, so runs on a busier or slower machine show as such."""
    import timeit

    return min(timeit.repeat("sum(range(10000))", number=200, repeat=5)) / 200 * 1e6


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["durable-rules", "reference"], default=None,
                        help="the rule engine (default: the one this Python uses; 'reference' is plain Python)")
    parser.add_argument("--decisions", type=int, default=1_000_000, help="decisions for the RSS-growth run (default 1,000,000)")
    parser.add_argument("--samples", type=int, default=50_000, help="timed calls per latency row, over all rounds (default 50,000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds the latency rows are measured in, interleaved (default 5)")
    parser.add_argument("--cold-runs", type=int, default=10, help="subprocess runs per cold-start command (default 10)")
    parser.add_argument("--skip-cold", action="store_true", help="skip the CLI cold-start measurement")
    parser.add_argument("--floor-samples", type=int, default=5_000,
                        help="timed scans for the one-regex floor, over all rounds (default 5,000; it is slow on big rule bases)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile N route() calls and print the top functions")
    parser.add_argument("--profile-cold", action="store_true", help="cProfile one cold `advise --json` run in a subprocess")
    args = parser.parse_args(argv)

    texts, source = load_texts()
    router = Router(engine=args.engine)
    tasks = [Task(text=t) for t in texts]

    print(f"python        {sys.version.split()[0]} on {sys.platform}, os.cpu_count() = {os.cpu_count()}")
    print(f"engine        {router.engine_name}; hot path {native.hot_path().how}")
    print(f"rule base     {len(router.rulebase.rules)} rules, {len(router.rulebase.signals)} signals, "
          f"{sum(len(s.patterns) for s in router.rulebase.signals.values())} patterns")
    print(f"tasks         {source}, mean {statistics.fmean(len(t) for t in texts):.0f} chars")
    print(f"machine speed {machine_speed():.0f} us for sum(range(10000)), best of 5 (shared machines vary by half)")
    print()

    floor_re = floor_pattern(router)
    # The memo serves repeated signal sets; these rows show the cost without it, and on texts
    # never seen before (each one made unique, so the extraction's word memo also meets new words).
    plain = Router(engine=args.engine, memo_size=0)
    fresh = Router(engine=args.engine)
    unseen = unique_texts(texts, args.samples + 200 * args.rounds)
    short = [t for t in texts if len(t) <= LONG_TASK]
    per_round = args.samples // args.rounds
    rows = {  # name -> a function of the round that measures the row once
        "route(text)": lambda r: time_calls(router.route, texts, per_round),
        "decide(Task)": lambda r: time_calls(router.decide, tasks, per_round),
        "route(text), no memo": lambda r: time_calls(plain.route, texts, per_round),
        "route(text), every text unseen": lambda r: time_calls(fresh.route, unseen[r * per_round:(r + 1) * per_round + 200], per_round, warm=False),
        f"route(text), {len(short)} tasks <= {LONG_TASK} chars": lambda r: time_calls(router.route, short, per_round),
        "floor: one regex scan": lambda r: time_calls(lambda t: list(floor_re.finditer(t)), texts, min(per_round, args.floor_samples // args.rounds)),
    }
    # A shared machine's speed drifts by half within minutes: the rows are measured in rounds,
    # each row once per round, and each row's round with the lowest median is shown (as timeit
    # reports the best of its repeats), with the spread of the medians over the rounds.
    found: dict[str, list[tuple[dict[str, float], float]]] = {name: [] for name in rows}
    for r in range(args.rounds):
        for name, measure in rows.items():
            found[name].append((measure(r), machine_speed()))
    plain.close()
    fresh.close()
    best = {name: min(results, key=lambda result: result[0]["p50"]) for name, results in found.items()}
    route, decide, floor = best["route(text)"][0], best["decide(Task)"][0], best["floor: one regex scan"][0]

    print(f"latency per decision: {args.rounds} rounds of {per_round:,} calls each (us; the floor over "
          f"{min(per_round, args.floor_samples // args.rounds):,}); each row's round with the lowest p50, the yardstick "
          f"right after it, and the p50 of every round")
    print(f"  {'':<34} {'p50':>8} {'p90':>8} {'p99':>8} {'max':>9} {'mean':>8} {'per s':>9} {'yard':>5}  p50 by round")
    for name, (r, yard) in best.items():
        spread = " ".join(f"{result['p50']:.0f}" for result, _ in found[name])
        print(f"  {name:<34} {r['p50']:8.1f} {r['p90']:8.1f} {r['p99']:8.1f} {r['max']:9.1f} {r['mean']:8.1f} {r['per_s']:9,.0f} {yard:5.0f}  {spread}")
    print(f"  route / floor: p50 {route['p50'] / floor['p50']:.3f}x, mean {route['mean'] / floor['mean']:.3f}x; "
          f"decide / floor: p50 {decide['p50'] / floor['p50']:.3f}x")
    print(f"  target p50 <= {TARGET_P50_US:g} us: route {verdict(route['p50'] <= TARGET_P50_US)}, decide {verdict(decide['p50'] <= TARGET_P50_US)}")
    print(f"  target p99 <= {TARGET_P99_US:g} us: route {verdict(route['p99'] <= TARGET_P99_US)}, decide {verdict(decide['p99'] <= TARGET_P99_US)}")
    print(f"  machine speed after these rows: {machine_speed():.0f} us (a change since the start shows drift between rows)")
    print()

    if not args.skip_cold:
        cold = cold_start(args.cold_runs)
        ratio = cold["advise"] / cold["baseline"]
        print(f"CLI cold start, median of {args.cold_runs} runs")
        print(f"  advise --json 'solve AIME problem'   {cold['advise']:7.1f} ms")
        print(f"  python -c 'import click, pydantic'   {cold['baseline']:7.1f} ms")
        print(f"  ratio {ratio:.2f}x   target <= {TARGET_COLD_RATIO:g}x: {verdict(ratio <= TARGET_COLD_RATIO)}")
        print()

    slow = hostile_scans(router)
    print(f"pattern scans of 4,000 hostile characters over 20x slower than of prose: {len(slow)}")
    for line in slow:
        print(f"  {line}")
    print()

    gc.collect()
    before = vm_rss_kb()
    n = len(texts)
    t0 = time.perf_counter()
    for i in range(args.decisions):
        router.route(texts[i % n])
    elapsed = time.perf_counter() - t0
    gc.collect()
    after = vm_rss_kb()
    growth_mb = (after - before) / 1024
    per_decision = (after - before) * 1024 / max(args.decisions, 1)
    scaled = growth_mb * TARGET_RSS_OVER / max(args.decisions, 1)
    print(f"RSS over {args.decisions:,} route() calls ({elapsed:.1f} s, {args.decisions / elapsed:,.0f}/s)")
    print(f"  VmRSS before {before / 1024:.1f} MB, after {after / 1024:.1f} MB, growth {growth_mb:+.2f} MB "
          f"({per_decision:+.2f} bytes per decision)")
    print(f"  ru_maxrss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB")
    scaled_note = "" if args.decisions == TARGET_RSS_OVER else f" (scaled to 1M: {scaled:+.2f} MB)"
    print(f"  target < {TARGET_RSS_MB:g} MB over 1M{scaled_note}: {verdict(scaled < TARGET_RSS_MB)}")

    if args.profile:
        print()
        print(f"cProfile of {args.profile:,} route() calls")
        print(profile(router, texts, args.profile))

    if args.profile_cold:
        print()
        print("cProfile of one cold `advise --json 'solve AIME problem'` (cumulative)")
        print(profile_cold())

    router.close()


if __name__ == "__main__":
    main()
