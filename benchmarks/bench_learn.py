"""Benchmark: a learned novelty (helpers.learn) against the hand-made flux, through the same tempo + DP.

Every method ends in the same tracker (helpers.beat.run_tracker_from_novelty: tempo, DP,
phase lock, refinement); only the novelty curve differs. Scores: helpers.evaluate.evaluate_beats
(mir_eval's configuration, beats before 5 s trimmed from both sequences), means over tracks.

Usage (from the repository root; OPENBLAS_NUM_THREADS=1 is set below, see docs/learn.md)::

    python benchmarks/bench_learn.py              # (a) cross-validated figures + (b) scored on the training tracks
    python benchmarks/bench_learn.py --select     # the hyperparameter grid, by 5-fold CV on realmel + demo
    python benchmarks/bench_learn.py --timing     # (c) training on a 912-track stand-in; tracking speed

Data: ../shared/realmel (20 real excerpts) + data/demo (24 synthetic tracks), both with
Harmonix's info.json. Nothing here is chosen by looking at a held-out score: the
hyperparameters come from --select (5-fold CV on realmel + demo), and every figure in (a) is
from tracks that the scoring model never saw.

(a) k-fold: 5 fixed folds by track id (helpers.learn.assign_folds) over all the tracks; each
    track is scored by a model trained on the other 4 folds. Leave-one-subset-out: each real
    subset (fof, gtzan, sm, tbd) is held out in turn and scored by a model trained on the
    demo set + the other real subsets (music of a kind the model never saw). Dev -> test:
    trained on the dev tracks of both sets (helpers.splits), scored on their test tracks.
(b) the number that lies: one model trained on all the tracks, scored on the same tracks.
(c) timing: 912 synthetic tracks with the durations of Harmonix's metadata.csv (56 h), made
    on the fly (nothing written to disk), trained on; wall time, peak memory (ru_maxrss);
    tracking time per 4-minute track with a model.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")   # before numpy: see docs/learn.md, "speed"

import argparse
import resource
import sys
import time
import warnings
from collections import OrderedDict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
METRICS = OrderedDict([("F", "F-measure"), ("CMLt", "Correct Metric Level Total"), ("AMLt", "Any Metric Level Total")])
MODELS = ("logistic", "mlp")

# The grid of --select: a few reasoned candidates per setting, varied one at a time around the
# defaults (a full product would be 3 * 3 * 4 * 3 * 3 * 3 fits per model kind, too many for 46
# tracks to tell apart anyway).
SELECT_GRID = OrderedDict([
    ("context_frames", [4, 8, 12]),
    ("labels", ["split", "nearest", "widened"]),
    ("scaling", ["log_track", "track", "log", "none"]),
    ("l2", [1e-4, 1e-3, 1e-2, 1e-1]),
    ("hidden", [16, 32, 64]),
    ("epochs", [10, 20, 40]),
])
_MLP_ONLY = ("hidden", "epochs")
#: A setting replaces its reasoned default only if the criterion gains at least this much
#: (one of 20 real tracks moves a mean by 0.05: smaller differences are noise).
MIN_GAIN = 0.01
#: Context choices of the nested leave-one-subset-out (a): chosen inside each outer fold.
NESTED_CONTEXT = (4, 8, 12)


def folders() -> list[tuple[Path, Path]]:
    from helpers.data import data_root

    realmel = SHARED / "realmel"
    demo = data_root() / "demo"
    pairs = [(realmel / "melspecs", realmel / "beats"), (demo / "melspecs", demo / "dataset" / "beats_and_downbeats")]
    for mel, ref in pairs:
        if not (mel / "info.json").is_file():
            sys.exit(f"missing {mel}/info.json: this benchmark needs ../shared/realmel and the demo set (make demo)")
    return pairs


def subset_of(track_id: str, source: str) -> str:
    return track_id.split("_", 1)[0] if source == "realmel" else source


def quiet_scores(reference_s, beats_s) -> dict:
    from helpers.evaluate import BeatEvaluationWarning, evaluate_beats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BeatEvaluationWarning)
        return evaluate_beats(reference_s, beats_s, metrics=tuple(METRICS))


def hand_made_rows(pairs, training_set) -> dict:
    """track id -> scores of the hand-made flux tracker (helpers.beat.track_beats, defaults)."""
    from helpers.beat import track_beats
    from helpers.data import Dataset

    rows = {}
    for mel, ref in pairs:
        ds = Dataset(mel, ref.parent, beats_dir=ref)
        for tid in ds.track_ids:
            if tid in training_set.track_ids:
                rows[tid] = quiet_scores(ds.load_beats(tid).times_s, track_beats(ds.load_melspec(tid), mel_params=ds.params))
    return rows


def options_for(kind: str, chosen: dict) -> dict:
    keep = ("l2",) if kind == "logistic" else ("l2", "hidden", "epochs")
    return {k: v for k, v in chosen.items() if k in keep and v is not None}


def load(pairs, labels=None, split="all", **features):
    from helpers.learn import DEFAULT_LABELS, FeatureSettings, load_training_set

    settings = FeatureSettings(**{k: v for k, v in features.items() if v is not None})
    return load_training_set(pairs, labels=labels or DEFAULT_LABELS, feature_settings=settings, split=split)


def held_out_rows(ts, kind, options, folds_of) -> dict:
    """track id -> scores, each track scored by a model trained on the tracks of the other folds."""
    from helpers.learn import score_tracks, train_model

    rows = {}
    folds = np.asarray(folds_of)
    for k in dict.fromkeys(folds.tolist()):
        test = np.flatnonzero(folds == k)
        model = train_model(ts.subset(np.flatnonzero(folds != k)), kind=kind, **options)
        for r in score_tracks(model, ts, indices=test):
            rows[r["track_id"]] = {long: r[long] for long in METRICS.values()}
    return rows


def mean_row(rows: dict, ids) -> list[float]:
    return [float(np.mean([rows[t][m] for t in ids])) for m in METRICS.values()]


def fmt(values) -> str:
    return "  ".join(f"{v:6.3f}" for v in values)


def run_main(args):
    from helpers.learn import N_FOLDS, assign_folds, score_tracks, train_model
    from helpers.splits import split_of

    pairs = folders()
    t0 = time.perf_counter()
    ts = load(pairs)
    ids = list(ts.track_ids)
    sources = dict(zip(ids, ts.sources))
    groups = OrderedDict([("realmel", [t for t in ids if sources[t] == "realmel"]),
                          ("demo", [t for t in ids if sources[t] == "demo"]), ("all", ids)])
    print(f"data: realmel {len(groups['realmel'])} + demo {len(groups['demo'])} tracks, {ts.n_frames} frames "
          f"({ts.mel_params.frame_rate_hz:.2f} frames/s); scores: evaluate_beats (5 s trim), mean over tracks")
    hand = hand_made_rows(pairs, ts)
    chosen = {"l2": None, "hidden": None, "epochs": None}
    kfold = assign_folds(ids, n_folds=N_FOLDS)
    subsets = [subset_of(t, sources[t]) for t in ids]
    real_subsets = sorted({s for s, t in zip(subsets, ids) if sources[t] == "realmel"})
    # leave-one-subset-out: fold = the real subset; demo tracks are always trained on (never scored here)
    loso = [s if s in real_subsets else "train-only" for s in subsets]

    results = OrderedDict([("hand-made flux", {"kfold": hand, "loso": hand, "train": hand})])
    for kind in MODELS:
        opts = options_for(kind, chosen)
        t = time.perf_counter()
        kf = held_out_rows(ts, kind, opts, kfold)
        lo = {}
        for s in real_subsets:
            test = [i for i, g in enumerate(loso) if g == s]
            model = train_model(ts.subset([i for i, g in enumerate(loso) if g != s]), kind=kind, **opts)
            for r in score_tracks(model, ts, indices=test):
                lo[r["track_id"]] = {m: r[m] for m in METRICS.values()}
        full = train_model(ts, kind=kind, **opts)
        tr = {r["track_id"]: {m: r[m] for m in METRICS.values()} for r in score_tracks(full, ts)}
        results[kind] = {"kfold": kf, "loso": lo, "train": tr}
        print(f"  {kind}: {N_FOLDS}-fold + leave-one-subset-out + full model in {time.perf_counter() - t:.0f} s "
              f"({full.n_parameters} parameters)")

    head = "  ".join(f"{m:>6s}" for m in METRICS)
    print(f"\n(a) {N_FOLDS}-fold cross-validation by track (fixed folds, helpers.learn.assign_folds): "
          "held-out tracks only")
    print(f"{'':16s}" + "".join(f"  | {g:^20s}" for g in groups))
    print(f"{'method':16s}" + f"  | {head}" * len(groups))
    for name, res in results.items():
        print(f"{name:16s}" + "".join(f"  | {fmt(mean_row(res['kfold'], g))}" for g in groups.values()))
    print(f"\n(a) leave-one-subset-out on realmel (trained on demo + the other real subsets; {', '.join(real_subsets)})")
    print(f"{'method':16s}" + "".join(f"  | {s + ' (' + str(subsets.count(s)) + ')':^20s}" for s in real_subsets)
          + f"  | {'realmel, all':^20s}")
    for name, res in results.items():
        cells = [mean_row(res["loso"], [t for t, s in zip(ids, subsets) if s == g]) for g in real_subsets]
        print(f"{name:16s}" + "".join(f"  | {fmt(c)}" for c in cells)
              + f"  | {fmt(mean_row(res['loso'], groups['realmel']))}")
    if not args.no_nested:
        print(f"\n(a) nested leave-one-subset-out: inside each outer fold, the context (+-{NESTED_CONTEXT} frames) is "
              f"chosen by {N_FOLDS}-fold CV on the training tracks only (criterion: (F + CMLt) / 2 on their real "
              "tracks), then a model with it is trained and scores the held-out subset")
        sets = {c: load(pairs, context_frames=c) for c in NESTED_CONTEXT}
        for kind in MODELS:
            t = time.perf_counter()
            rows, chosen_c = {}, {}
            for s_out in real_subsets:
                train_idx = [i for i, g in enumerate(loso) if g != s_out]
                best = None
                for c in NESTED_CONTEXT:
                    inner = sets[c].subset(train_idx)
                    inner_rows = held_out_rows(inner, kind, options_for(kind, chosen),
                                               assign_folds(inner.track_ids, n_folds=N_FOLDS))
                    f_, c_, _ = mean_row(inner_rows, [t_ for t_, src in zip(inner.track_ids, inner.sources)
                                                      if src == "realmel"])
                    if best is None or (f_ + c_) / 2 > best[0]:
                        best = ((f_ + c_) / 2, c)
                chosen_c[s_out] = best[1]
                model = train_model(sets[best[1]].subset(train_idx), kind=kind, **options_for(kind, chosen))
                for r in score_tracks(model, sets[best[1]], indices=[i for i, g in enumerate(loso) if g == s_out]):
                    rows[r["track_id"]] = {m: r[m] for m in METRICS.values()}
            cells = [mean_row(rows, [t for t, s in zip(ids, subsets) if s == g]) for g in real_subsets]
            print(f"{kind:16s}" + "".join(f"  | {fmt(c)}" for c in cells) + f"  | {fmt(mean_row(rows, groups['realmel']))}"
                  f"   context chosen: {', '.join(f'{g} {c}' for g, c in chosen_c.items())} ({time.perf_counter() - t:.0f} s)",
                  flush=True)

    print(f"\n(b) the number that lies: one model trained on all {len(ids)} tracks, scored on those same tracks")
    for name, res in results.items():
        if name != "hand-made flux":
            print(f"{name:16s}" + "".join(f"  | {fmt(mean_row(res['train'], g))}" for g in groups.values())
                  + f"   (held out, above: {fmt(mean_row(res['kfold'], ids))})")

    dev = [i for i, t in enumerate(ids) if split_of(t) == "dev"]
    test = [i for i, t in enumerate(ids) if split_of(t) == "test"]
    print(f"\ndev -> test (helpers.splits): trained on the {len(dev)} dev tracks, scored on the {len(test)} test "
          f"tracks ({', '.join(ids[i] for i in test)}): too few to compare methods, shown for completeness")
    print(f"{'hand-made flux':16s}  | {fmt(mean_row(hand, [ids[i] for i in test]))}")
    for kind in MODELS:
        model = train_model(ts.subset(dev), kind=kind, **options_for(kind, chosen))
        rows = {r["track_id"]: r for r in score_tracks(model, ts, indices=test)}
        print(f"{kind:16s}  | {fmt(mean_row(rows, [ids[i] for i in test]))}")
    print(f"\ncolumns: {head}; total {time.perf_counter() - t0:.0f} s "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


def run_select(args):
    """Vary one setting at a time around the defaults; 5-fold CV by track on realmel + demo; print all."""
    from helpers.learn import N_FOLDS, assign_folds

    pairs = folders()
    kinds = [args.kind] if args.kind else list(MODELS)
    print(f"hyperparameter selection: {N_FOLDS}-fold CV by track on realmel + demo (trained on both); criterion: "
          "(F + CMLt) / 2 over the held-out REAL tracks (the demo tracks are synthetic: they train, they do not "
          "choose); one setting varied at a time from the defaults; a change must gain >= "
          f"{MIN_GAIN} to replace a reasoned default. Hand-made flux for reference:")
    base = load(pairs)
    hand = hand_made_rows(pairs, base)
    real = [t for t, s in zip(base.track_ids, base.sources) if s == "realmel"]
    (rf, rc, ra), (f, cmlt, amlt) = mean_row(hand, real), mean_row(hand, base.track_ids)
    print(f"  {'hand-made':8s} {len(base)} tracks {'':18s}: criterion {(rf + rc) / 2:.3f} | realmel F {rf:.3f} "
          f"CMLt {rc:.3f} AMLt {ra:.3f} | all F {f:.3f} CMLt {cmlt:.3f} AMLt {amlt:.3f}", flush=True)
    cache = {(None, None): base}
    for kind in kinds:
        for name, values in SELECT_GRID.items():
            if name in _MLP_ONLY and kind != "mlp":
                continue
            for value in values:
                data_key = (name, value) if name in ("context_frames", "labels", "scaling") else (None, None)
                if data_key not in cache:
                    cache[data_key] = load(pairs, **{name: value})
                ts = cache[data_key]
                opts = options_for(kind, {name: value}) if data_key == (None, None) else {}
                t = time.perf_counter()
                rows = held_out_rows(ts, kind, opts, assign_folds(ts.track_ids, n_folds=N_FOLDS))
                f, cmlt, amlt = mean_row(rows, ts.track_ids)
                real = [t_ for t_, s in zip(ts.track_ids, ts.sources) if s == "realmel"]
                rf, rc, ra = mean_row(rows, real)
                print(f"  {kind:8s} {name:14s} = {str(value):9s}: criterion {(rf + rc) / 2:.3f} | realmel F {rf:.3f} "
                      f"CMLt {rc:.3f} AMLt {ra:.3f} | all F {f:.3f} CMLt {cmlt:.3f} AMLt {amlt:.3f} "
                      f"({time.perf_counter() - t:.0f} s)", flush=True)


def harmonix_durations_s() -> np.ndarray:
    from helpers.data import load_metadata

    path = SHARED / "harmonix" / "dataset" / "metadata.csv"
    if not path.is_file():
        sys.exit(f"missing {path}: the timing stand-in uses the durations of the 912 Harmonix tracks")
    return np.array([m.duration_s for m in load_metadata(path).values()])


def stand_in_track(duration_s: float, seed: int, params):
    """A synthetic POWER mel spectrogram of this duration with a steady beat (clicks) and noise."""
    rng = np.random.default_rng(seed)
    n = int(duration_s * params.frame_rate_hz)
    S = rng.random((params.n_mels, n), dtype=np.float32) ** 4 * np.float32(0.1)
    tempo_bpm = 80.0 + 80.0 * rng.random()
    beats_s = np.arange(0.5 + rng.random(), duration_s - 0.5, 60.0 / tempo_bpm)
    frames = np.minimum(np.round(beats_s * params.frame_rate_hz).astype(int), n - 1)
    S[:20, frames] += np.float32(3.0)
    S[:, frames] += np.float32(0.5)
    return S, beats_s


def run_timing(args):
    from helpers.beat import track_beats
    from helpers.data import HARMONIX_PARAMS as params
    from helpers.learn import build_training_set, track_beats_with_model, train_model

    durations = harmonix_durations_s()
    kinds = [args.kind] if args.kind else list(MODELS)
    print(f"stand-in: {durations.size} synthetic tracks with Harmonix's durations ({durations.sum() / 3600:.1f} h, "
          f"{int(sum(int(d * params.frame_rate_hz) for d in durations))} frames), generated on the fly; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}")
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    tracks = ((f"track{i:03d}", *stand_in_track(d, i, params)) for i, d in enumerate(durations))
    ts = build_training_set(tracks, mel_params=params, progress=not args.quiet, total=durations.size)
    t_features = time.perf_counter() - t0
    print(f"features + labels of {len(ts)} tracks: {t_features:.1f} s (incl. making the stand-in spectrograms); "
          f"training set {ts.flux.nbytes / 2**20:.0f} MB")
    models = {}
    for kind in kinds:
        t = time.perf_counter()
        models[kind] = train_model(ts, kind=kind, progress=not args.quiet,
                                   **({"epochs": args.epochs} if kind == "mlp" and args.epochs else {}))
        dt = time.perf_counter() - t
        extra = f", {models[kind].training.get('epochs')} epochs" if kind == "mlp" else ""
        print(f"train {kind}{extra}: {dt:.1f} s; features + training {t_features + dt:.1f} s; peak memory so far "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB (before: {rss0:.0f} MB)",
              flush=True)
    del ts
    S, _ = stand_in_track(240.0, 12345, params)
    print(f"tracking one 4-minute track ({S.shape[1]} frames), median of 20 runs after one warm-up:")
    for name, fn in [("hand-made flux", lambda: track_beats(S, mel_params=params))] + [
            (kind, lambda m=m: track_beats_with_model(S, model=m, mel_params=params)) for kind, m in models.items()]:
        fn()
        times = []
        for _ in range(20):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        print(f"  {name:16s} {1000 * np.median(times):6.1f} ms (min {1000 * min(times):.1f})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--select", action="store_true", help="print the hyperparameter grid by 5-fold CV")
    parser.add_argument("--timing", action="store_true", help="training time and memory on a 912-track stand-in")
    parser.add_argument("--kind", choices=MODELS, help="only this model kind (--select, --timing)")
    parser.add_argument("--epochs", type=int, help="MLP epochs for --timing (default: the library's)")
    parser.add_argument("--no-nested", action="store_true", help="skip the nested leave-one-subset-out (slow)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.timing:
        run_timing(args)
    elif args.select:
        run_select(args)
    else:
        run_main(args)


if __name__ == "__main__":
    main()
