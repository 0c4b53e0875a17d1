"""Benchmark: what the input frame rate costs a beat tracker, on the same audio at three hops.

Every demo track (``helpers.synth``) is rendered once; its POWER mel-spectrogram is
computed at hop 1024 (the Harmonix files, 21.5 frames/s), 512 and 256, in two ways
(:func:`helpers.synth.melspec_params`; sr 22050 and 80 bands throughout):

- **window kept**: n_fft 2048 at every hop -- only the frame rate changes;
- **window scaled**: n_fft = 2 x hop (1024 at hop 512, 512 at hop 256) -- what a data
  set published at a finer hop would more likely use; time resolution changes too.

The reference tracker (:func:`helpers.beat.track_beats`, its defaults, ``mel_params`` of
that hop) and librosa-aligned (:func:`helpers.baseline.librosa_aligned_beats`) run on
each, and are scored with :func:`helpers.evaluate.evaluate_beats` (5 s trim) against the
same exact reference beats -- the times at which the renderer started the hits, not
rounded to any frame grid.

This answers the question a "frame-rate ceiling" (reference beats snapped to the frame
grid and scored against themselves) does not: that ceiling measures rounding, while
here each tracker has to find the beats in a coarser or finer spectrogram.

Columns: mean F-measure, Cemgil, CMLt and AMLt over the tracks; then the timing of the
*correct* beats (estimated beats within +-70 ms of a reference beat, after the trim,
pooled over tracks: :func:`helpers.analysis.beat_errors_s`): ``med|err|`` their median
absolute error, ``bias`` the median signed error (negative = early) and ``spread`` the
median absolute deviation from that bias, all in ms; ``n`` how many; ``s/track`` the
tracker's mean time per track (one process on a shared machine; indicative only).

Usage (from the repository root)::

    python benchmarks/bench_resolution.py                      # all demo tracks, hops 1024 512 256
    python benchmarks/bench_resolution.py --tracks d01_pop_120 d02_drums_100 --hops 1024 256
    python benchmarks/bench_resolution.py --per-track

No file is read or written: the audio is rendered in memory (``helpers.synth.render_track``).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from helpers.analysis import beat_errors_s
from helpers.baseline import librosa_aligned_beats
from helpers.beat import track_beats
from helpers.evaluate import FMEASURE_WINDOW_S, evaluate_beats
from helpers.synth import DEMO_SEED, DEMO_TRACKS, demo_track, melspec_params, render_track, track_melspec

#: The hops compared: Harmonix's, and two finer ones.
HOPS = (1024, 512, 256)
#: Window kept (Harmonix's n_fft) or scaled with the hop.
WINDOWS = {"kept": lambda hop: 2048, "scaled": lambda hop: 2 * hop}
METRICS = {"F": "F-measure", "Cemgil": "Cemgil", "CMLt": "Correct Metric Level Total",
           "AMLt": "Any Metric Level Total"}


def reference_tracker(S, p):
    return track_beats(S, mel_params=p)


def librosa_tracker(S, p):
    return librosa_aligned_beats(S, sr=p.sr, hop_length=p.hop_length)


TRACKERS = {"reference": reference_tracker, "librosa-aligned": librosa_tracker}


def analyses(hops):
    """(hop, n_fft) pairs to compare, without duplicates (hop 1024 is n_fft 2048 either way)."""
    pairs = []
    for window in WINDOWS.values():
        pairs += [(hop, window(hop)) for hop in hops if (hop, window(hop)) not in pairs]
    return pairs


def warm_up():
    """Import librosa and load its compiled beat tracker before anything is timed."""
    p = melspec_params()
    S = np.full((p.n_mels, 400), 1e-4)
    S[:, 5::11] = 1.0
    for tracker in TRACKERS.values():
        tracker(S, p)


def run(track_ids, pairs, seed):
    """rows[(tracker, hop, n_fft)] = list of per-track dicts (scores, correct-beat errors, seconds)."""
    warm_up()
    rows = {(name, hop, n_fft): [] for name in TRACKERS for hop, n_fft in pairs}
    for tid in track_ids:
        track = render_track(demo_track(tid), seed=seed)
        for hop, n_fft in pairs:
            p = melspec_params(hop_length=hop, n_fft=n_fft)
            S = track_melspec(track, mel_params=p)
            for name, tracker in TRACKERS.items():
                t0 = time.perf_counter()
                est = tracker(S, p)
                seconds = time.perf_counter() - t0
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")         # empty estimates: defined zeros
                    scores = evaluate_beats(track.beat_times_s, est, metrics=tuple(METRICS.values()))
                    err = beat_errors_s(track.beat_times_s, est)
                rows[(name, hop, n_fft)].append({
                    "track_id": tid, **{k: scores[v] for k, v in METRICS.items()},
                    "errors_s": err[np.abs(err) <= FMEASURE_WINDOW_S], "seconds": seconds,
                })
    return rows


def print_table(rows, pairs, n_tracks):
    print(f"\n{n_tracks} demo tracks, evaluate_beats (5 s trim), exact reference beats; timing in ms")
    print(f"{'tracker':16s} {'hop':>5s} {'n_fft':>5s} {'fps':>5s} " + " ".join(f"{k:>6s}" for k in METRICS)
          + f" {'med|err|':>8s} {'bias':>6s} {'spread':>6s} {'n':>5s} {'s/track':>7s}")
    for name in TRACKERS:
        for hop, n_fft in pairs:
            r = rows[(name, hop, n_fft)]
            e_ms = 1000 * np.concatenate([x["errors_s"] for x in r])
            bias = np.median(e_ms)
            means = [np.mean([x[k] for x in r]) for k in METRICS]
            print(f"{name:16s} {hop:5d} {n_fft:5d} {22050 / hop:5.1f} " + " ".join(f"{m:6.3f}" for m in means)
                  + f" {np.median(np.abs(e_ms)):8.1f} {bias:6.1f} {np.median(np.abs(e_ms - bias)):6.1f}"
                  + f" {e_ms.size:5d} {np.mean([x['seconds'] for x in r]):7.3f}")


def print_per_track(rows, pairs):
    for name in TRACKERS:
        print(f"\n{name}: F-measure per track at (hop, n_fft) {pairs}")
        for i, tid in enumerate(x["track_id"] for x in rows[(name, *pairs[0])]):
            print(f"  {tid:22s} " + " ".join(f"{rows[(name, *pair)][i]['F']:.3f}" for pair in pairs))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tracks", nargs="+", default=[t.track_id for t in DEMO_TRACKS],
                        help="demo track ids (default: all)")
    parser.add_argument("--hops", nargs="+", type=int, default=list(HOPS))
    parser.add_argument("--seed", type=int, default=DEMO_SEED)
    parser.add_argument("--per-track", action="store_true", help="also print F per track and hop")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    pairs = analyses(args.hops)
    rows = run(args.tracks, pairs, args.seed)
    print_table(rows, pairs, len(args.tracks))
    if args.per_track:
        print_per_track(rows, pairs)
    print(f"\n{time.perf_counter() - t0:.0f} s in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
