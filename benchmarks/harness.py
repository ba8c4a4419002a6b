"""The benchmark harness: every variant in one process, interleaved, checked first.

A benchmark is a list of variants, each a function ``prepare(seed) -> run`` where
``run()`` does one measured unit of work and returns numbers that must agree across
variants (checked once before timing, on the same seed). Then, after a warm-up, the
variants run in rounds (A B C, B C A, ...: the order rotates so none always goes
first) and we report each one's median time, its spread, and its ratio to a named
baseline. A variant whose package is missing is reported as absent, not as a failure.

With ``--baseline DIR`` (or ``BENCH_BASELINE=DIR``) every variant of our engine also runs
on the old copy of the project in DIR (baseline.py loads it), as "<name> (old engine)",
and the table gains a column with each of our variants' time over its old counterpart's.

Results go into benchmarks/RESULTS.md, section by section, with the machine they ran on.
Each benchmark also states its goals (issue 15) and where the run leaves each; those rows
are copied into the README's performance summary, so the README never quotes a number
the scripts did not measure.
"""

from __future__ import annotations

import os

# PyTorch's OpenMP threads spin-wait after each operation by default, stealing the CPU
# from whichever variant runs next in the same process; make them sleep instead.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import datetime
import gc
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from baseline import CURRENT, OLD_LABEL, Engine, load

from autograd.files import replacing

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
README = RESULTS.parent.parent / "README.md"
# The benchmarks with goals: the README's summary is rewritten once every one of them has
# a goals table in RESULTS.md (a table of some would silently drop the others' rows).
GOAL_SECTIONS = ("scalar", "notebook", "mlp", "scaling", "moons")
GOALS_HEADER = "| goal | this run | |"
Run = Callable[[], object]


class Absent(Exception):
    """Raised by a variant's prepare() when what it needs is not installed."""


def optional(module: str, install: str) -> Any:
    """Import an optional competitor, or raise Absent saying how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise Absent(install) from error


@dataclass
class Variant:
    name: str
    prepare: Callable[[int], Run]  # seed -> run()


@dataclass
class Timing:
    name: str
    seconds: list[float] = field(default_factory=list)
    faults: list[float] = field(default_factory=list)  # minor page faults per call, each timed run
    absent: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def median_faults(self) -> float:
        """Minor page faults per call (fresh memory the system zeroes: a cost the timing
        includes), the median over the timed runs; nan where they cannot be counted."""
        return statistics.median(self.faults) if self.faults else float("nan")

    @property
    def spread(self) -> tuple[float, float]:
        """The 25th and 75th percentiles."""
        q = np.percentile(self.seconds, [25, 75])
        return float(q[0]), float(q[1])


def old_name(name: str) -> str:
    """The name of a variant's run on the old engine."""
    return f"{name} ({OLD_LABEL})"


def engines(args: argparse.Namespace) -> list[Engine]:
    """The current engine, and the old one when ``--baseline`` names a tree."""
    try:
        return [CURRENT] + ([load(args.baseline)] if args.baseline else [])
    except ValueError as error:  # a wrong folder: say which and how to make one, no traceback
        raise SystemExit(f"--baseline: {error}") from error


def on_engines(engines: Sequence[Engine], name: str, make: Callable[[Engine, int], Run]) -> list[Variant]:
    """One variant per engine of the same workload: ``make(engine, seed) -> run``."""
    return [Variant(name if engine is CURRENT else old_name(name), lambda seed, e=engine: make(e, seed))
            for engine in engines]


def check_agreement(variants: Sequence[Variant], seed: int, rtol: float, atol: float) -> dict[str, Run]:
    """Prepare every variant and run it once on the same seed; all must give the same
    numbers as the first (the baseline). Returns the prepared runs (absent ones left out)."""
    runs: dict[str, Run] = {}
    reference = None
    for variant in variants:
        try:
            run = variant.prepare(seed)
        except Absent as why:
            print(f"  {variant.name}: absent ({why})", file=sys.stderr)
            continue
        result = np.concatenate([np.ravel(np.asarray(r, dtype=float)) for r in _as_list(run())])
        if reference is None:
            reference = result
        elif result.shape != reference.shape or not np.allclose(result, reference, rtol=rtol, atol=atol):
            worst = np.max(np.abs(result - reference)) if result.shape == reference.shape else "shape"
            raise SystemExit(f"{variant.name} computes different numbers from {variants[0].name} "
                             f"(max difference {worst}); not timing a wrong answer")
        runs[variant.name] = variant.prepare(seed)  # fresh state for the timed runs
    return runs


def _as_list(result: object) -> list:
    return list(result) if isinstance(result, (list, tuple)) else [result]


def measure(variants: Sequence[Variant], *, rounds: int, warmup: int = 2, repeat: int = 1, seed: int = 0,
            rtol: float = 1e-9, atol: float = 1e-12) -> list[Timing]:
    """Check, warm up, then time ``repeat`` calls per variant per round, interleaved."""
    runs = check_agreement(variants, seed, rtol, atol)
    timings = {v.name: Timing(v.name) for v in variants}
    for v in variants:
        if v.name not in runs:
            timings[v.name].absent = "not installed"
    names = list(runs)
    for name in names:
        for _ in range(warmup):
            runs[name]()
    for r in range(rounds):
        rotated = names[r % len(names):] + names[:r % len(names)]
        for name in rotated:
            run = runs[name]
            # Each run starts from a clean heap, so no variant pays for collecting
            # another's garbage (micrograd leaves reference cycles behind); the
            # collections its own allocations trigger stay in its timing.
            gc.collect()
            faults = _minor_faults()
            start = time.perf_counter()
            for _ in range(repeat):
                run()
            timings[name].seconds.append((time.perf_counter() - start) / repeat)
            if faults is not None:
                timings[name].faults.append((_minor_faults() - faults) / repeat)
    return [timings[v.name] for v in variants]


def _minor_faults() -> int | None:
    """This process's minor page faults so far (``getrusage``), or None where there is no
    ``resource`` module (Windows)."""
    try:
        import resource
    except ImportError:
        return None
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def format_seconds(s: float) -> str:
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if s >= scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s / 1e-9:.3g} ns"


def table(timings: Sequence[Timing], baseline: str, *, per: float = 1.0, per_label: str = "per run",
          extra: dict[str, dict[str, str]] | None = None) -> str:
    """A markdown table: median, spread (25th-75th percentile) and ratio to the baseline
    (below 1 is faster than the baseline)."""
    base = next(t for t in timings if t.name == baseline)
    extra = {name: dict(cells) for name, cells in (extra or {}).items()}
    for name, cell in versus_old(timings).items():
        extra.setdefault(name, {})[f"× {OLD_LABEL}"] = cell
    columns = sorted({k for row in extra.values() for k in row})
    header = ["variant", f"median {per_label}", "spread (p25-p75)", f"× {baseline}"] + columns
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for t in timings:
        if t.absent:
            cells = [t.name, f"absent ({t.absent})", "", ""]
        else:
            low, high = t.spread
            ratio = t.median / base.median if not base.absent else float("nan")
            spread = f"{format_seconds(low / per)} - {format_seconds(high / per)}"
            cells = [t.name, format_seconds(t.median / per), spread, f"{ratio:.2f}"]
        cells += [extra.get(t.name, {}).get(c, "") for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def versus_old(timings: Sequence[Timing]) -> dict[str, str]:
    """Each variant's median over its old-engine counterpart's (below 1: faster now)."""
    by_name = {t.name: t for t in timings if not t.absent}
    return {name: f"{t.median / by_name[old_name(name)].median:.2f}"
            for name, t in by_name.items() if old_name(name) in by_name}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    parts = [f"{cpu}, {os.cpu_count()} cores", f"Python {platform.python_version()}", f"NumPy {np.__version__}"]
    if hasattr(os, "getloadavg"):  # a shared machine's other work slows every variant unevenly: say how busy it was
        parts.insert(1, f"load average {os.getloadavg()[0]:.1f} at the end")
    try:
        import torch

        parts.append(f"PyTorch {torch.__version__}")
    except ImportError:
        parts.append("PyTorch absent")
    return "; ".join(parts)


def report(args: argparse.Namespace, name: str, title: str, body: str) -> None:
    """Print a benchmark's results and, unless ``--quick`` or ``--no-write``, write them as
    section ``name`` of RESULTS.md (and its goals into the README's summary), with the
    command that reran them."""
    if args.baseline:
        body += (f"\n\nOld engine: the project copy in `{args.baseline}`, loaded beside ours in the same "
                 f"process (benchmarks/baseline.py); × {OLD_LABEL} is our time over its time.")
    print(body)
    if not args.no_write and not args.quick:
        command = f"python benchmarks/bench_{name}.py" + (f" --baseline {args.baseline}" if args.baseline else "")
        write_section(name, title, body, command)


def write_section(name: str, title: str, body: str, command: str) -> None:
    """Replace (or add) one benchmark's section of RESULTS.md."""
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    section = (f"<!-- begin {name} -->\n## {title}\n\n`{command}` — {stamp} on {machine()}\n\n{body}\n"
               f"<!-- end {name} -->")
    text = RESULTS.read_text() if RESULTS.exists() else (
        "# Benchmark results\n\nWritten by the scripts in `benchmarks/` (`make bench`), not by hand. "
        "Ratios are median time over the baseline's median time in the same run: below 1 is faster.\n")
    text = _replace_between(text, f"<!-- begin {name} -->", f"<!-- end {name} -->", section)
    _write(RESULTS, text)
    _copy_goals_into_readme(text)


def _replace_between(text: str, begin: str, end: str, replacement: str) -> str:
    pattern = re.compile(rf"{re.escape(begin)}.*?{re.escape(end)}", re.S)
    if pattern.search(text):
        return pattern.sub(lambda _: replacement, text)
    return text.rstrip() + "\n\n" + replacement + "\n"


def goals(rows: Sequence[tuple[str, str, bool | None]]) -> str:
    """A benchmark's goals as a table: (goal, where this run stands, met?), met None when a
    competitor the goal is measured against is absent.

    >>> print(goals([("at most 1.3x NumPy", "1.25x", True)]))
    | goal | this run | |
    |---|---|---|
    | at most 1.3x NumPy | 1.25x | met |
    """
    lines = [GOALS_HEADER, "|---|---|---|"]
    for goal, now, met in rows:
        verdict = "not measured" if met is None else "met" if met else "**not met**"
        lines.append(f"| {goal} | {now} | {verdict} |")
    return "\n".join(lines)


def at_most(ratio: float, goal: float) -> bool:
    """Whether a ratio meets an upper goal as printed (two decimals), so that the verdict
    agrees with the number beside it."""
    return round(ratio, 2) <= goal


def goal_rows(results: str) -> dict[str, list[str]]:
    """The goal rows of each section of RESULTS.md, by section name."""
    found: dict[str, list[str]] = {}
    for name, section in re.findall(r"<!-- begin (\w+) -->(.*?)<!-- end \1 -->", results, flags=re.S):
        lines = section.splitlines()
        if GOALS_HEADER in lines:
            start = lines.index(GOALS_HEADER) + 2  # past the header and the |---| line
            rows = []
            for line in lines[start:]:
                if not line.startswith("|"):
                    break
                rows.append(line)
            found[name] = rows
    return found


def _copy_goals_into_readme(results: str) -> None:
    """The README's performance summary is the goal rows of every benchmark in
    RESULTS.md, copied by the scripts so that it never drifts from what they measured
    (the full tables stay in RESULTS.md, which docs/performance.md explains)."""
    begin, end = "<!-- begin goals -->", "<!-- end goals -->"
    if not README.exists() or begin not in README.read_text():
        return
    found = goal_rows(results)
    missing = [name for name in GOAL_SECTIONS if name not in found]
    if missing:
        print(f"(the README's goals table is left as it was until {', '.join(missing)} "
              f"{'has' if len(missing) == 1 else 'have'} run with goals: make bench)", file=sys.stderr)
        return
    rows = [row for name in GOAL_SECTIONS for row in found[name]]
    table = "\n".join([GOALS_HEADER, "|---|---|---|", *rows])
    _write(README, _replace_between(README.read_text(), begin, end, f"{begin}\n{table}\n{end}"))


def _write(path: Path, text: str) -> None:
    with replacing(path) as temporary:  # whole or not at all
        temporary.write_text(text)


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="tiny sizes and few rounds (a smoke test)")
    parser.add_argument("--rounds", type=int, default=None, help="timed rounds per variant")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    parser.add_argument("--baseline", metavar="DIR", default=os.environ.get("BENCH_BASELINE") or None,
                        help="an old copy of the project (e.g. from git archive) to run as one more variant "
                             "of each of our engine's; default $BENCH_BASELINE")
    return parser.parse_args()
