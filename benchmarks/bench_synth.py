"""Benchmark: how long generating the demo data set takes (helpers.synth.generate_demo).

tests/test_synth.py checks what the generator writes; how long it takes is measured here, not
asserted there::

    python benchmarks/bench_synth.py              # the full demo set into a temporary folder
    python benchmarks/bench_synth.py --repeat 3   # three fresh generations; the median is judged

Each run generates the whole set (every track of helpers.synth.DEMO_TRACKS) into a fresh
temporary folder, then calls generate_demo on it again with the same settings, which must be a
no-op. Prints both times and exits with status 1 if one is over its budget.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

# Budgets (seconds). The full set: `make test` and `make lab` generate it before anything else
# runs, so it must stay well under a minute on a 2-core machine (the bound tests/test_synth.py
# used to assert). The no-op: `make` runs `python -m helpers demo` whenever helpers/synth changed,
# and the notebook tests call generate_demo when the marker is missing; with the same settings it
# must only read the completeness marker (the bound the test used to assert).
GENERATE_BUDGET_S = 60.0
NOOP_BUDGET_S = 1.0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeat", type=int, default=1, help="fresh generations to time (default 1)")
    args = p.parse_args(argv)

    from helpers.synth import DEMO_TRACKS, generate_demo

    full, noop = [], []
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="bench-synth-") as tmp:
            out = Path(tmp) / "demo"
            t0 = time.perf_counter()
            generate_demo(out, progress=False)
            full.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            generate_demo(out, progress=False)
            noop.append(time.perf_counter() - t0)
        print(f"run {i + 1}: {len(DEMO_TRACKS)} tracks in {full[-1]:.1f} s; again (no-op) in {1000 * noop[-1]:.1f} ms",
              flush=True)
    rows = [("generate the demo set", statistics.median(full), GENERATE_BUDGET_S),
            ("generate it again (no-op)", statistics.median(noop), NOOP_BUDGET_S)]
    print(f"\nload average {os.getloadavg()[0]:.1f}; median of {args.repeat} run(s)\n")
    print("| step | seconds | budget (s) | |\n|---|---:|---:|---|")
    for step, seconds, budget in rows:
        print(f"| {step} | {seconds:.4f} | {budget:g} | {'ok' if seconds <= budget else 'OVER BUDGET'} |")
    over = [step for step, seconds, budget in rows if seconds > budget]
    if over:
        print(f"\nover budget: {', '.join(over)}", file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
