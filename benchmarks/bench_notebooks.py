"""Benchmark: every course notebook executed headless on the demo set, with its fill-ins blank
and with the reference solutions filled in, against the course's time budget.

tests/test_notebooks.py runs the notebooks both ways and checks what they print; how long they
take is measured here, not asserted there (a busy machine must not fail a test)::

    python benchmarks/bench_notebooks.py                 # every notebook, both ways
    python benchmarks/bench_notebooks.py --only 02a 03   # these notebooks
    python benchmarks/bench_notebooks.py --warm          # keep build/results/demo from earlier runs

Each run is ``helpers.course.execute_notebook`` (a fresh kernel, kernel start included). The
notebooks open the demo set even where the real Harmonix set is installed: the kernels see a
temporary ``HELPERS_DATA_DIR`` that holds only a link to ``<data root>/demo`` (generated in the
temporary folder if it is missing). The batch results the notebooks cache in
``build/results/demo`` are removed at the start (unless ``--warm``), so the first run of each
notebook starts as a learner's first run does; the run with the solutions comes second and may
reuse what the first cached, as a learner's second run would.

Prints one row per notebook (seconds with the stubs blank, seconds with the solutions, the
checks' verdicts, the budget) and exits with status 1 if a run took longer than its budget or
failed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Seconds per notebook run on the demo set: the course's promise (README, "The notebooks": each
# week runs headless in well under a minute on the demo set). A notebook that needs more gets
# its own entry here, named by its prefix ("03"), with the reason.
BUDGET_S = 60.0
BUDGET_BY_NOTEBOOK_S: dict[str, float] = {}


def _demo_only_data_root(tmp: Path) -> Path:
    """A data root holding only the demo set: a link to the installed one, or a fresh one."""
    from helpers.data import data_root
    from helpers.synth import generate_demo

    root = tmp / "data"
    root.mkdir()
    installed = data_root() / "demo"
    if (installed / ".complete").is_file():
        (root / "demo").symlink_to(installed.resolve(), target_is_directory=True)
    else:
        print(f"{installed} is not a complete demo set: generating one in {root / 'demo'}", flush=True)
        generate_demo(root / "demo", progress=False)
    return root


def _run(path: Path, *, with_solutions: bool) -> tuple[float | None, str]:
    """(seconds, what the checks said) of one run; seconds None when the notebook failed."""
    from helpers.course import NotebookFailed, check_statuses, execute_notebook

    try:
        nb, seconds = execute_notebook(path, with_solutions=with_solutions)
    except NotebookFailed as exc:
        return None, str(exc).splitlines()[0]
    first = next((o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "text" in o), None)
    if first is None or "demo" not in "".join(first["text"]):
        return seconds, "did not open the demo set"
    statuses = check_statuses(nb)
    counts = {s: list(statuses.values()).count(s) for s in ("passed", "failed", "not done")}
    return seconds, ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no check"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", nargs="+", metavar="PREFIX", help="only these notebooks (01, 02a, 02b, 03, ...)")
    p.add_argument("--warm", action="store_true", help="keep the cached batch results in build/results/demo")
    p.add_argument("--budget", type=float, default=BUDGET_S, help=f"seconds per run (default {BUDGET_S:.0f})")
    args = p.parse_args(argv)

    from helpers.course import notebook_paths

    paths = notebook_paths(REPO / "notebooks")
    if args.only:
        unknown = set(args.only) - {q.name.split("_")[0] for q in paths}
        if unknown:
            p.error(f"no notebook with prefix {', '.join(sorted(unknown))}")
        paths = [q for q in paths if q.name.split("_")[0] in args.only]
    if not args.warm:
        shutil.rmtree(REPO / "build" / "results" / "demo", ignore_errors=True)

    rows, over = [], False
    with tempfile.TemporaryDirectory(prefix="bench-notebooks-") as tmp:
        os.environ["HELPERS_DATA_DIR"] = str(_demo_only_data_root(Path(tmp)))    # the kernels inherit it
        print(f"load average {os.getloadavg()[0]:.1f}; {len(paths)} notebooks on the demo set, "
              f"each run in a fresh kernel", flush=True)
        for path in paths:
            prefix = path.name.split("_")[0]
            budget = BUDGET_BY_NOTEBOOK_S.get(prefix, args.budget)
            runs = []
            for with_solutions in (False, True):
                seconds, checks = _run(path, with_solutions=with_solutions)
                print(f"  {path.name} {'with the solutions' if with_solutions else 'stubs blank'}: "
                      f"{'FAILED' if seconds is None else f'{seconds:.1f} s'} ({checks})", flush=True)
                runs.append((seconds, checks))
                over |= seconds is None or seconds > budget
            rows.append((path.name, budget, runs))
    print(f"\nload average {os.getloadavg()[0]:.1f}\n")
    print("| notebook | stubs blank (s) | checks | with solutions (s) | checks | budget (s) | |")
    print("|---|---:|---|---:|---|---:|---|")
    for name, budget, runs in rows:
        cells = []
        for seconds, checks in runs:
            cells += ["failed" if seconds is None else f"{seconds:.1f}", checks]
        ok = all(s is not None and s <= budget for s, _ in runs)
        print(f"| {name} | {' | '.join(cells)} | {budget:.0f} | {'ok' if ok else 'OVER BUDGET or FAILED'} |")
    if over:
        print("\nA run took longer than its budget or failed.", file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
