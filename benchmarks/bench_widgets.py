"""How long a slider change takes in the Week 2 explorer: recompute + redraw + metrics.

    python benchmarks/bench_widgets.py [--melspec-dir DIR --beats-dir DIR --track ID] [--repeat 5]

Defaults to a 4.8-minute real track of ../shared/realmel (fof_feelings) when present,
else the longest track of the installed data set. Each slider is moved to three values;
the time is TrackerExplorer.update() end to end: novelty (unless cached), tempo, DP,
refinement, F/CMLt/AMLt, and rendering the figure to PNG (what the widget displays).
"""

from __future__ import annotations

import argparse
import os
import statistics
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

from helpers.data import Dataset, open_dataset  # noqa: E402
from helpers.widgets import EXPLORER_SLIDERS, TrackerExplorer  # noqa: E402

REALMEL = Path(__file__).resolve().parents[2] / "shared" / "realmel"
MOVES = {
    "gamma": (1e3, 1e5, 1e7),
    "local_average_s": (0.5, 1.0, 0.0),
    "prior_center_bpm": (80.0, 160.0, 110.0),
    "prior_width_octaves": (0.6, 1.0, 0.33),
    "tightness": (30.0, 400.0, 100.0),
    "low_band_share": (0.0, 0.8, 0.5),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--melspec-dir")
    parser.add_argument("--beats-dir")
    parser.add_argument("--track")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.melspec_dir:
        ds = Dataset(args.melspec_dir, Path(args.melspec_dir).parent, beats_dir=args.beats_dir)
        track = args.track or ds.track_ids[0]
    elif (REALMEL / "melspecs" / "info.json").is_file():
        ds = Dataset(REALMEL / "melspecs", REALMEL, name="realmel", beats_dir=REALMEL / "beats")
        track = args.track or "fof_feelings"
    else:
        ds = open_dataset()
        track = args.track or max(ds.track_ids, key=ds.duration_s)
    S = ds.load_melspec(track)
    print(f"{ds.name}/{track}: {ds.params.duration_s(S.shape[1]):.0f} s, {S.shape[1]} frames")
    ex = TrackerExplorer(S, ds.load_beats(track), params=ds.params, title=track)
    times = {}
    for _ in range(args.repeat):
        assert set(MOVES) == set(EXPLORER_SLIDERS), "bench every slider"
        for name, values in MOVES.items():
            for value in values:
                ex.update(**{name: value})
                times.setdefault(name, []).append(ex.last_update_ms)
    print(f"{'slider':<22}{'median ms':>10}{'max ms':>9}")
    for name, ms in times.items():
        print(f"{name:<22}{statistics.median(ms):>10.0f}{max(ms):>9.0f}")
    every = [m for ms in times.values() for m in ms]
    print(f"{'all':<22}{statistics.median(every):>10.0f}{max(every):>9.0f}   (target < 300 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
