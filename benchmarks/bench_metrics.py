"""Time mir_eval's beat metrics against helpers.evaluate's fast back-end on Harmonix.

For each published system's estimates (default: Ellis) on N tracks (default: all
912), the script times every metric (or group of metrics computed together)
with both implementations, prints milliseconds per track and the speed-up, and
checks that the two give the same numbers (max |difference| per metric).

Run from the repository root::

    .venv/bin/python benchmarks/bench_metrics.py                    # Ellis, 912 tracks
    .venv/bin/python benchmarks/bench_metrics.py --n-tracks 100 --systems Ellis Krebs
    .venv/bin/python benchmarks/bench_metrics.py --systems all      # 4560 pairs, ~10 min

Timings of mir_eval's functions are taken on beats already trimmed at 5 s (as
mir_eval.beat.evaluate passes them on); timings of ``evaluate_beats`` include
its input validation and trimming.  Both rows "all metrics" are complete
evaluations: ``mir_eval.beat.evaluate(ref, est)`` vs ``evaluate_beats(ref, est)``.
Everything runs on one core with one BLAS thread (set OPENBLAS_NUM_THREADS to
change that).
"""

from __future__ import annotations

import os

# mir_eval's P-score calls np.correlate, which OpenBLAS may spread over several
# spinning threads: timings then measure thread contention, not the metric (and a
# busy machine can take seconds per call).  Time one thread, unless told otherwise.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import mir_eval.beat as mb  # noqa: E402
import numpy as np  # noqa: E402

from helpers.evaluate import METRIC_NAMES, SHORT_NAMES, TRIM_S, evaluate_beats  # noqa: E402

SYSTEMS = ("Bock_1", "Bock_2", "Ellis", "Korzeniowski", "Krebs")
REPO = Path(__file__).resolve().parents[1]
DEFAULT_DIRS = (REPO.parent / "shared" / "harmonix", REPO / "data" / "harmonix")

# (label, mir_eval function on trimmed beats, metrics it returns)
GROUPS = (
    ("F-measure", mb.f_measure, ("F-measure",)),
    ("Cemgil (2 scores)", mb.cemgil, ("Cemgil", "Cemgil Best Metric Level")),
    ("Goto", mb.goto, ("Goto",)),
    ("P-score", mb.p_score, ("P-score",)),
    ("Continuity (4 scores)", mb.continuity, METRIC_NAMES[5:9]),
    ("Information gain", mb.information_gain, ("Information gain",)),
)


def _read_times(path: Path, n_columns: int) -> np.ndarray:
    values = np.array(path.read_text().split(), dtype=np.float64)
    return values.reshape(-1, n_columns)[:, 0]


def load_pairs(harmonix_dir: Path, system: str, n_tracks: int):
    """The first ``n_tracks`` (reference, estimate) pairs of ``system``, in seconds."""
    ref_dir = harmonix_dir / "dataset" / "beats_and_downbeats"
    est_dir = harmonix_dir / "results" / "beats" / system
    track_ids = sorted(p.stem for p in ref_dir.glob("*.txt"))[:n_tracks]
    return [
        (_read_times(ref_dir / f"{t}.txt", 3), _read_times(est_dir / f"{t}.txt", 1))
        for t in track_ids
    ]


def _time(func, pairs) -> tuple[float, list]:
    t0 = time.perf_counter()
    results = [func(ref, est) for ref, est in pairs]
    return time.perf_counter() - t0, results


def benchmark(pairs):
    """Seconds per group for both implementations, and per-metric max |difference|."""
    trimmed = [(mb.trim_beats(r, TRIM_S), mb.trim_beats(e, TRIM_S)) for r, e in pairs]
    rows = []
    for label, mir_eval_func, names in GROUPS:
        t_mir, _ = _time(mir_eval_func, trimmed)
        t_fast, _ = _time(lambda r, e, n=names: evaluate_beats(r, e, metrics=n), pairs)
        rows.append((label, t_mir, t_fast))
    t_mir, reference = _time(mb.evaluate, pairs)
    t_fast, fast = _time(evaluate_beats, pairs)
    rows.append(("all metrics (evaluate)", t_mir, t_fast))
    max_diff = {
        name: max(abs(f[name] - float(m[name])) for f, m in zip(fast, reference))
        for name in METRIC_NAMES
    }
    return rows, max_diff


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--systems",
        nargs="+",
        default=["Ellis"],
        help=f"published systems to use, or 'all' (choices: {', '.join(SYSTEMS)})",
    )
    parser.add_argument("--n-tracks", type=int, default=912, help="first N tracks (default 912)")
    parser.add_argument(
        "--harmonix-dir",
        type=Path,
        default=None,
        help="folder holding dataset/beats_and_downbeats and results/beats "
        "(default: ../shared/harmonix, else data/harmonix)",
    )
    args = parser.parse_args(argv)

    systems = list(SYSTEMS) if args.systems == ["all"] else args.systems
    unknown = sorted(set(systems) - set(SYSTEMS))
    if unknown:
        parser.error(f"unknown system(s) {unknown}; choose from {SYSTEMS} or 'all'")
    harmonix_dir = args.harmonix_dir or next(
        (d for d in DEFAULT_DIRS if (d / "dataset" / "beats_and_downbeats").is_dir()), None
    )
    if harmonix_dir is None or not (harmonix_dir / "results" / "beats").is_dir():
        parser.error(f"no Harmonix annotations found (tried {[str(d) for d in DEFAULT_DIRS]})")

    warnings.simplefilter("ignore")
    pairs = []
    for system in systems:
        pairs += load_pairs(harmonix_dir, system, args.n_tracks)
    n = len(pairs)
    print(f"{n} reference/estimate pairs ({', '.join(systems)}; {args.n_tracks} tracks each)")

    rows, max_diff = benchmark(pairs)
    print(f"\n{'metric':<24}{'mir_eval ms/track':>19}{'fast ms/track':>15}{'speed-up':>10}")
    for label, t_mir, t_fast in rows:
        print(f"{label:<24}{1e3 * t_mir / n:>19.3f}{1e3 * t_fast / n:>15.3f}{t_mir / t_fast:>9.1f}x")
    _, t_mir, t_fast = rows[-1]
    print(f"\ntotal for {n} pairs: mir_eval {t_mir:.1f} s, fast {t_fast:.2f} s (one core)")

    print(f"\n{'metric':<42}{'max |fast - mir_eval|':>22}")
    for name in METRIC_NAMES:
        print(f"{name + ' (' + SHORT_NAMES[name] + ')':<42}{max_diff[name]:>22.3g}")
    return 0 if max(max_diff.values()) <= 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
