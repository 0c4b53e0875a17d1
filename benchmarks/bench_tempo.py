"""Benchmark: "what is the BPM?" -- tempo accuracy of the course's tracker before/after, and librosa's.

For every track: the reference tempo (``helpers.evaluate.reference_tempo_bpm``: 60 / the
median inter-beat interval of the annotation), the tempo of

- ``before``: the tracker with main's defaults before this work (prior 110 BPM / 0.33
  octave fitted to metadata.csv of all 912 Harmonix tracks; the tempogram's peak reported),
- ``beats``: ``before`` with only the reported tempo changed: the tempo the tracked beats
  keep (``tempo_from_beats=True``; same beats as ``before``),
- ``after``: ``helpers.beat.run_tracker(S, mel_params=params).tempo_bpm`` with today's
  defaults (``TrackerParams()``: the tempo from the beats and the prior refitted to the
  Harmonix dev annotations, 113 BPM / 0.32 octave),
- ``librosa``: ``helpers.baseline.librosa_tempo_bpm`` (``librosa.feature.tempo`` on its
  onset envelope),

scored with ``helpers.evaluate.tempo_accuracy`` (MIREX Acc1: within 4 %; Acc2: also at 2x,
1/2x, 3x, 1/3x), and the beat metrics of the tracker before/after (F, CMLt, AMLt from
``helpers.evaluate.evaluate_beats``: mir_eval's configuration, beats before 5 s trimmed)
so that a tempo gain is not paid for with beats.

Usage (from the repository root)::

    python benchmarks/bench_tempo.py                      # ../shared/realmel and data/demo
    python benchmarks/bench_tempo.py --dataset demo       # one data set ('demo', 'harmonix' or a path)
    python benchmarks/bench_tempo.py --melspec-dir D --beats-dir B
    python benchmarks/bench_tempo.py --no-librosa --set prior_center_bpm=120
    python benchmarks/bench_tempo.py --cv                 # what selecting the tempo parameters
                                                          # on realmel would give (CV)

Numbers on realmel are development numbers (20 tracks), not results.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import warnings
from collections import OrderedDict
from pathlib import Path

import numpy as np

from bench_tracker import SHARED_REALMEL, fmt_row, parse_set, subset_of   # the script's folder is on sys.path

#: main's tempo defaults before this work: the prior fitted to metadata.csv's BPM of all
#: 912 Harmonix tracks (110 BPM, 0.33 octave) and the tempogram's peak as the reported tempo.
BEFORE = {"prior_center_bpm": 110.0, "prior_width_octaves": 0.33, "tempo_from_beats": False}
BEAT_METRICS = ("F", "CMLt", "AMLt")
#: --cv grid: each value a reasoned candidate, not a search space (docs/tracker.md).
CV_GRID = OrderedDict(
    [
        ("prior_center_bpm", [100.0, 113.0, 120.0]),
        ("prior_width_octaves", [0.25, 0.32, 0.5]),
        ("tempo_from_beats", [False, True]),
    ]
)


def open_sets(args):
    """[(label, Dataset)] to run on."""
    from helpers.data import Dataset, open_dataset

    if args.dataset:
        return [(args.dataset, open_dataset(args.dataset))]
    if args.melspec_dir:
        mel = Path(args.melspec_dir)
        beats = Path(args.beats_dir) if args.beats_dir else mel.parent / "beats"
        return [(mel.parent.name, Dataset(melspec_dir=mel, annotation_dir=mel.parent, beats_dir=beats,
                                          name=mel.parent.name))]
    out = []
    mel = SHARED_REALMEL / "melspecs"
    if (mel / "info.json").is_file():
        out.append(("realmel", Dataset(melspec_dir=mel, annotation_dir=mel.parent, beats_dir=mel.parent / "beats",
                                       name="realmel")))
    else:
        print(f"(skipping realmel: {mel} not found)")
    try:
        out.append(("demo", open_dataset("demo")))
    except Exception as exc:   # noqa: BLE001  (a missing demo set is reported, not fatal)
        print(f"(skipping demo: {exc})")
    return out


def load_tracks(ds, limit=0):
    """[(track_id, S_power, reference beat times)]."""
    from helpers.data import load_beats, load_melspec

    ids = ds.track_ids[:limit] if limit else ds.track_ids
    return [(t, load_melspec(ds.melspec_path(t), params=ds.params), load_beats(ds.beats_path(t)).times_s)
            for t in ids]


def beat_scores(reference_s, estimated_s) -> dict:
    from helpers.evaluate import evaluate_beats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # an empty estimate scores 0 with a warning
        return dict(zip(BEAT_METRICS, evaluate_beats(reference_s, estimated_s, metrics=BEAT_METRICS).values()))


def run_one(novelty, ref_s, ref_bpm, tracker_params):
    from helpers.beat import run_tracker_from_novelty
    from helpers.evaluate import tempo_accuracy

    r = run_tracker_from_novelty(novelty, tracker_params=tracker_params)
    return {"bpm": r.tempo_bpm, **tempo_accuracy(ref_bpm, r.tempo_bpm), **beat_scores(ref_s, r.beat_times_s)}


def run_set(label, ds, args):
    from helpers.beat import TrackerParams, tracker_novelty
    from helpers.evaluate import reference_tempo_bpm, tempo_accuracy

    override = parse_set(args.set)
    systems = OrderedDict([("before", TrackerParams(**{**BEFORE, **override})),
                           ("beats", TrackerParams(**{**BEFORE, "tempo_from_beats": True, **override})),
                           ("after", TrackerParams(**override))])
    rows = []
    for tid, S, ref_s in load_tracks(ds, args.limit):
        ref_bpm = reference_tempo_bpm(ref_s)
        res = {}
        novelty = tracker_novelty(S, mel_params=ds.params, tracker_params=systems["after"])   # same for both
        for name, tp in systems.items():
            res[name] = run_one(novelty, ref_s, ref_bpm, tp)
        if not args.no_librosa:
            from helpers.baseline import librosa_tempo_bpm

            bpm = librosa_tempo_bpm(S, sr=ds.params.sr, hop_length=ds.params.hop_length)
            res["librosa"] = {"bpm": bpm, **tempo_accuracy(ref_bpm, bpm)}
        rows.append((tid, ref_bpm, res))
    report(label, ds, rows, systems)
    return rows


def report(label, ds, rows, systems):
    names = list(rows[0][2])
    print(f"\n== {label}: {len(rows)} tracks, sr={ds.params.sr}, hop_length={ds.params.hop_length}; "
          f"tempo: Acc1/Acc2 (4 %); beats: evaluate_beats, 5 s trim ==")
    for name, tp in systems.items():
        print(f"  {name}: prior {tp.prior_center_bpm:g} BPM / {tp.prior_width_octaves:g} octave, "
              f"tempo_from_beats={tp.tempo_from_beats}")
    head = ["track", "ref BPM"] + [f"{n} BPM" for n in names] + [f"{n} F" for n in systems]
    widths = [max(28, max(len(r[0]) for r in rows))] + [max(8, len(h)) for h in head[1:]]
    print(fmt_row(head, widths))
    for tid, ref_bpm, res in rows:
        cells = [tid, f"{ref_bpm:.1f}"]
        for n in names:
            mark = "" if res[n]["Acc1"] else ("~" if res[n]["Acc2"] else "x")
            cells.append(f"{res[n]['bpm']:.1f}{mark}")
        cells += [f"{res[n]['F']:.3f}" for n in systems]
        print(fmt_row(cells, widths))
    print("(~ = right at another metrical level: Acc2 only; x = neither)")
    groups = OrderedDict()
    for tid, _, res in rows:
        groups.setdefault(subset_of(tid), []).append(res)
    if len(groups) == len(rows):
        groups.clear()
    groups["ALL"] = [res for _, _, res in rows]
    head2 = ["mean over", "n"] + [f"{n} {m}" for n in names for m in ("Acc1", "Acc2")] + \
            [f"{n} {m}" for n in systems for m in BEAT_METRICS]
    w2 = [10, 3] + [max(8, len(h)) for h in head2[2:]]
    print()
    print(fmt_row(head2, w2))
    for g, rs in groups.items():
        cells = [g, len(rs)] + [f"{np.mean([r[n][m] for r in rs]):.3f}" for n in names for m in ("Acc1", "Acc2")]
        cells += [f"{np.mean([r[n][m] for r in rs]):.3f}" for n in systems for m in BEAT_METRICS]
        print(fmt_row(cells, w2))


def run_cv(label, ds, args):
    """Leave-one-subset-out and leave-one-track-out CV over CV_GRID (criterion: mean Acc1 + Acc2)."""
    from helpers.beat import TrackerParams, tracker_novelty
    from helpers.evaluate import reference_tempo_bpm

    base = parse_set(args.set)
    configs = [dict(zip(CV_GRID, v)) for v in itertools.product(*CV_GRID.values())]
    data = load_tracks(ds, args.limit)
    novelties = [tracker_novelty(S, mel_params=ds.params, tracker_params=TrackerParams(**base)) for _, S, _ in data]
    keys = ("Acc1", "Acc2", *BEAT_METRICS)
    per = np.zeros((len(configs), len(data), len(keys)))
    for i, cfg in enumerate(configs):
        tp = TrackerParams(**{**base, **cfg})
        for j, ((tid, _, ref_s), nov) in enumerate(zip(data, novelties)):
            out = run_one(nov, ref_s, reference_tempo_bpm(ref_s), tp)
            per[i, j] = [out[k] for k in keys]
    crit = per[:, :, :2].sum(axis=2)          # Acc1 + Acc2 per track
    subsets = np.array([subset_of(t) for t, _, _ in data])
    print(f"\n== {label}: CV over {len(configs)} configurations of {list(CV_GRID)} "
          f"(criterion: mean Acc1 + Acc2 on the training tracks) ==")
    loso = np.zeros((len(data), len(keys)))
    for g in dict.fromkeys(subsets):
        test = subsets == g
        best = int(np.argmax(crit[:, ~test].mean(axis=1)))
        loso[test] = per[best, test]
        print(f"  held out {g:6s} ({test.sum():2d}): chose {configs[best]} -> "
              + " ".join(f"{k} {per[best, test, n].mean():.3f}" for n, k in enumerate(keys)))
    loo = np.zeros((len(data), len(keys)))
    for j in range(len(data)):
        train = np.arange(len(data)) != j
        loo[j] = per[int(np.argmax(crit[:, train].mean(axis=1))), j]
    fmt = lambda a: " ".join(f"{k} {a[:, n].mean():.3f}" for n, k in enumerate(keys))   # noqa: E731
    print(f"leave-one-subset-out: {fmt(loso)}")
    print(f"leave-one-track-out:  {fmt(loo)}")
    best_all = int(np.argmax(crit.mean(axis=1)))
    print(f"in-sample best (optimistic, not used): {configs[best_all]} -> {fmt(per[best_all])}")
    default = TrackerParams(**base)
    i_def = next(i for i, c in enumerate(configs) if all(getattr(default, k) == v for k, v in c.items()))
    print(f"the defaults {configs[i_def]} (chosen without these tracks) -> {fmt(per[i_def])}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group()
    src.add_argument("--melspec-dir", help="folder of <id>-mel.npy + info.json (default: realmel and demo)")
    src.add_argument("--dataset", help="a helpers.data data set: 'demo', 'harmonix' or a path")
    p.add_argument("--beats-dir", help="folder of <id>.txt beat files (default: <melspec-dir>/../beats)")
    p.add_argument("--limit", type=int, default=0, help="only the first N tracks of each set")
    p.add_argument("--no-librosa", action="store_true", help="skip librosa's tempo")
    p.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="override a TrackerParams field in both before and after (repeatable)")
    p.add_argument("--cv", action="store_true", help="cross-validate the tempo parameters over CV_GRID")
    args = p.parse_args(argv)
    sets = open_sets(args)
    if not sets:
        sys.exit("no data set to run on")
    for label, ds in sets:
        if args.cv:
            run_cv(label, ds, args)
        else:
            run_set(label, ds, args)


if __name__ == "__main__":
    main()
