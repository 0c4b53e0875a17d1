"""Benchmark: bars and downbeats (helpers.downbeat) on real and synthetic music.

Downbeat F-measure (helpers.evaluate.evaluate_downbeats: mir_eval's beat F-measure on the
downbeat times, +-70 ms, downbeats before 5 s trimmed from both) on the tracks whose
annotations have bar positions:

- ../shared/realmel: gtzan_*, fof_*, tbd_* (3 columns; the sm_* files have one column
  and are skipped);
- the demo set (data/demo, helpers.synth; 3 columns, two 3/4 tracks and a 6/8).

Rows (each from the course's beats, i.e. helpers.beat.track_beats with the default
TrackerParams, and from the reference beats, i.e. what the bar stage alone can do):

- ours         track_downbeats with the default DownbeatParams (meter decided, one bar
               phase for the whole track from harmonic change + 0.25 x bass onset)
- re-sync      the same with resync=True (a Viterbi path over bar positions, jumps cost 4.2)
- change only  one phase from the harmonic change alone (bass_weight=0)
- bass only    one phase from the bass onsets alone (change_weight=0)
- every 4th    every 4th beat from the first (no evidence at all)
- hindsight    the best of the M phases of every M-th beat, M = the annotated bar length,
               chosen by looking at the answer: the ceiling of any one-phase method

Also the meter decision (3 vs 4) against the annotation's most common bar length.

Usage (from the repository root)::

    python benchmarks/bench_downbeat.py                 # realmel + demo, per-track tables
    python benchmarks/bench_downbeat.py --dataset demo  # or realmel
    python benchmarks/bench_downbeat.py --realmel /work/shared/realmel   # from a worktree
    python benchmarks/bench_downbeat.py --cv            # cross-validation of bass_weight x switch_penalty
    python benchmarks/bench_downbeat.py --set change_window_beats=1 --set harmony_fmax_hz=11025
    python benchmarks/bench_downbeat.py --timing        # speed of track_downbeats on 4 minutes
    python benchmarks/bench_downbeat.py --bar-stats     # bar lengths and pickups in the Harmonix annotations

Numbers on realmel are development numbers (the method was designed while looking at
these 9 tracks; docs/downbeat.md), not results.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
import warnings
from collections import Counter, OrderedDict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED_REALMEL = REPO.parent / "shared" / "realmel"

# Cross-validation grid (--cv): each value a reasoned candidate, not a search space.
# bass_weight: none, a quarter, half, as much as the harmonic change;
# switch_penalty: never jump (one phase), expensive, the Harmonix-annotation value (4.2), cheap.
# Ties go to the earlier configuration: the simpler model (less bass, fewer jumps).
CV_GRID = OrderedDict([
    ("bass_weight", [0.0, 0.25, 0.5, 1.0]),
    ("switch_penalty", [np.inf, 8.0, 4.2, 2.0]),
])


def subset_of(track_id: str, label: str = "realmel") -> str:
    """realmel: the source (the id's prefix: gtzan, fof, tbd); another set is one subset."""
    return track_id.split("_", 1)[0] if label == "realmel" else label


def open_sets(which: str, realmel_dir=SHARED_REALMEL):
    """[(set label, MelParams, [(track_id, S_power, Beats)])] for the sets with bar positions."""
    from helpers.data import Dataset, load_beats, load_melspec, open_dataset

    sets = []
    SHARED_REALMEL = Path(realmel_dir)
    if which in ("all", "realmel"):
        mel = SHARED_REALMEL / "melspecs"
        if not (mel / "info.json").is_file():
            print(f"({mel} is not here: realmel skipped)")
        else:
            ds = Dataset(melspec_dir=mel, annotation_dir=SHARED_REALMEL, beats_dir=SHARED_REALMEL / "beats",
                         name="realmel")
            sets.append(("realmel", ds))
    if which in ("all", "demo"):
        sets.append(("demo", open_dataset("demo")))
    out = []
    for label, ds in sets:
        params = ds.params
        items = []
        for tid in ds.track_ids:
            beats = load_beats(ds.beats_path(tid))
            if beats.positions is None:
                continue   # one-column files (sm_*): no bar positions
            items.append((tid, load_melspec(ds.melspec_path(tid), params=params), beats))
        out.append((label, params, items))
    if not out:
        sys.exit("no data set with bar positions found")
    return out


def annotated_meter(positions) -> int:
    """The most common bar length (beats from one downbeat to the next) of an annotation."""
    ones = np.flatnonzero(np.asarray(positions) == 1)
    if ones.size < 2:
        return int(np.max(positions))
    return Counter(np.diff(ones).tolist()).most_common(1)[0][0]


def dbf(reference_downbeats_s, estimated_downbeats_s) -> float:
    from helpers.evaluate import evaluate_downbeats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # empty after the trim: 0.0
        return evaluate_downbeats(reference_downbeats_s, estimated_downbeats_s)["Downbeat F-measure"]


def beat_f(reference_s, estimated_s) -> float:
    from helpers.evaluate import evaluate_beats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return evaluate_beats(reference_s, estimated_s, metrics=("F",))["F-measure"]


def parse_set(pairs) -> dict:
    """--set NAME=VALUE pairs -> DownbeatParams fields (meters as 3,4)."""
    import dataclasses

    from helpers.downbeat import DownbeatParams

    defaults = DownbeatParams()
    fields = {f.name for f in dataclasses.fields(DownbeatParams)}
    out = {}
    for pair in pairs or []:
        name, _, value = pair.partition("=")
        if name not in fields:
            sys.exit(f"--set {pair!r}: unknown parameter; choose from {', '.join(sorted(fields))}")
        default = getattr(defaults, name)
        if name == "meters":
            out[name] = tuple(int(v) for v in value.split(","))
        elif isinstance(default, bool):
            out[name] = value.lower() in ("1", "true", "yes")
        elif isinstance(default, int):
            out[name] = int(value)
        else:
            out[name] = float(value)
    return out


DOWNBEAT_PARAMS = None   # set by main() from --set


class Prepared:
    """The per-beat cues and the meter decision of one beat sequence (computed once)."""

    def __init__(self, S, beats_s, params):
        from helpers.downbeat import DownbeatParams, track_downbeats

        self.default = DOWNBEAT_PARAMS or DownbeatParams()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.result = track_downbeats(S, beat_times_s=beats_s, mel_params=params, downbeat_params=self.default)

    def downbeats(self, *, bass_weight=None, change_weight=None, switch_penalty=None, meter=None):
        """Downbeat times with other weights; switch_penalty None = the default (one phase unless resync)."""
        from helpers.downbeat import downbeat_evidence, viterbi_positions

        r, d = self.result, self.default
        if switch_penalty is None:
            switch_penalty = d.switch_penalty if d.resync else np.inf
        e = downbeat_evidence(
            harmonic_change=r.harmonic_change, bass_onset=r.bass_onset,
            change_weight=d.change_weight if change_weight is None else change_weight,
            bass_weight=d.bass_weight if bass_weight is None else bass_weight,
        )
        pos = viterbi_positions(e, meter=meter or r.meter,
                                switch_penalty=switch_penalty)
        return r.beat_times_s[pos == 1]


def evaluate_item(S, beats, params, tracked_s) -> dict:
    """All rows of one track, from tracked and from reference beats."""
    ref_db = beats.downbeats_s
    true_m = annotated_meter(beats.positions)
    out = {"meter_true": true_m, "beat_F": beat_f(beats.times_s, tracked_s)}
    for src, b in (("trk", tracked_s), ("ref", beats.times_s)):
        prep = Prepared(S, b, params)
        out[f"{src}_prep"] = prep
        out[f"{src}_meter"] = prep.result.meter
        out[f"{src}_conf"] = prep.result.meter_confidence
        out[f"{src}_ours"] = dbf(ref_db, prep.result.downbeat_times_s)
        out[f"{src}_resync"] = dbf(ref_db, prep.downbeats(switch_penalty=prep.default.switch_penalty))
        out[f"{src}_change"] = dbf(ref_db, prep.downbeats(bass_weight=0.0, change_weight=1.0, switch_penalty=np.inf))
        out[f"{src}_bass"] = dbf(ref_db, prep.downbeats(bass_weight=1.0, change_weight=0.0, switch_penalty=np.inf))
        out[f"{src}_every4"] = dbf(ref_db, b[0::4])
        out[f"{src}_hindsight"] = max(dbf(ref_db, b[p::true_m]) for p in range(true_m))
    return out


ROWS = [("ours", "ours"), ("re-sync", "resync"), ("change only", "change"), ("bass only", "bass"),
        ("every 4th", "every4"), ("hindsight", "hindsight")]


def run_benchmark(args):
    from helpers.beat import TrackerParams, track_beats
    from helpers.downbeat import DownbeatParams

    print("scoring: helpers.evaluate.evaluate_downbeats (mir_eval beat F-measure on downbeat times, "
          "+-70 ms, downbeats before 5 s trimmed from both)")
    print(f"beats: helpers.beat.track_beats with {TrackerParams()}")
    print(f"bars:  helpers.downbeat.track_downbeats with {DOWNBEAT_PARAMS or DownbeatParams()}")
    for label, params, items in open_sets(args.dataset, args.realmel):
        results = []
        for tid, S, beats in items:
            tracked = track_beats(S, mel_params=params)
            results.append((tid, evaluate_item(S, beats, params, tracked)))
        print(f"\n== {label}: {len(results)} tracks with bar positions ==")
        head = ("track", "meter", "ours (conf)", "beat F", *[f"trk {n}" for n, _ in ROWS], "ref ours", "ref rsync",
                "ref hind")
        widths = (24, 5, 11, 6, 8, 11, 15, 13, 13, 13, 8, 9, 8)
        print("  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(head, widths))))
        for tid, r in results:
            cells = [tid, str(r["meter_true"]), f"{r['trk_meter']} ({r['trk_conf']:.2f})", f"{r['beat_F']:.2f}",
                     *[f"{r['trk_' + k]:.3f}" for _, k in ROWS],
                     f"{r['ref_ours']:.3f}", f"{r['ref_resync']:.3f}", f"{r['ref_hindsight']:.3f}"]
            print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))))
        groups = OrderedDict([(g, [r for t, r in results if subset_of(t, label) == g])
                              for g in dict.fromkeys(subset_of(t, label) for t, _ in results)])
        if len(groups) > 1:
            groups["all"] = [r for _, r in results]
        print(f"\nmean downbeat F ({label})         " + "  ".join(f"{g} (n={len(rs)})".rjust(14) for g, rs in groups.items()))
        for src, name in (("trk", "from tracked beats"), ("ref", "from reference beats")):
            for row, key in ROWS:
                vals = "  ".join(f"{np.mean([r[f'{src}_{key}'] for r in rs]):14.3f}" for rs in groups.values())
                print(f"  {name:20s} {row:11s} {vals}")
        print(f"  {'beat F (tracked)':32s} " + "  ".join(f"{np.mean([r['beat_F'] for r in rs]):14.3f}"
                                                      for rs in groups.values()))
        for src, name in (("trk", "tracked"), ("ref", "reference")):
            decided = [r for _, r in results if r["meter_true"] in (3, 4)]
            ok = sum(r[f"{src}_meter"] == r["meter_true"] for r in decided)
            wrong = [t for t, r in results if r["meter_true"] in (3, 4) and r[f"{src}_meter"] != r["meter_true"]]
            other = [f"{t} ({r['meter_true']} -> {r[f'{src}_meter']})" for t, r in results if r["meter_true"] not in (3, 4)]
            conf_ok = [r[f"{src}_conf"] for r in decided if r[f"{src}_meter"] == r["meter_true"]]
            conf_bad = [r[f"{src}_conf"] for r in decided if r[f"{src}_meter"] != r["meter_true"]]
            print(f"meter from {name} beats: {ok}/{len(decided)} correct (annotated 3 or 4)"
                  + (f"; wrong: {', '.join(wrong)}" if wrong else "")
                  + (f"; other meters: {', '.join(other)}" if other else "")
                  + f"; mean confidence when right {np.mean(conf_ok):.2f}"
                  + (f", when wrong {np.mean(conf_bad):.2f}" if conf_bad else ""))


def run_cv(args):
    """Cross-validation of (bass_weight, switch_penalty), criterion = mean downbeat F from tracked beats."""
    from helpers.beat import track_beats
    from helpers.downbeat import DownbeatParams

    names = list(CV_GRID)
    configs = [dict(zip(names, v)) for v in itertools.product(*CV_GRID.values())]
    d = DOWNBEAT_PARAMS or DownbeatParams()
    default = {"bass_weight": d.bass_weight, "switch_penalty": d.switch_penalty if d.resync else np.inf}
    i_def = configs.index(default)
    per = {}     # set label -> (track ids, array (n_configs, n_tracks))
    for label, params, items in open_sets(args.dataset, args.realmel):
        ids, cols = [], []
        for tid, S, beats in items:
            prep = Prepared(S, track_beats(S, mel_params=params), params)
            cols.append([dbf(beats.downbeats_s, prep.downbeats(**c)) for c in configs])
            ids.append(tid)
        per[label] = (ids, np.array(cols).T)
    print(f"CV over {len(configs)} configurations of {names} = {dict(CV_GRID)}; criterion = mean downbeat F "
          "from the course's tracked beats on the training tracks (ties: the earlier configuration)")
    for label, (ids, F) in per.items():
        n = len(ids)
        loo = [F[int(np.argmax(F[:, np.arange(n) != j].mean(axis=1))), j] for j in range(n)]
        subsets = np.array([subset_of(t, label) for t in ids])
        loso = np.zeros(n)
        for g in dict.fromkeys(subsets):
            test = subsets == g
            if test.all():
                loso[:] = np.nan
                break
            best = int(np.argmax(F[:, ~test].mean(axis=1)))
            loso[test] = F[best, test]
            print(f"  {label}: held out {g:6s} ({test.sum():2d} tracks): chose {configs[best]} -> {F[best, test].mean():.3f}")
        best_all = int(np.argmax(F.mean(axis=1)))
        print(f"{label} ({n} tracks): defaults {configs[i_def]} -> {F[i_def].mean():.3f}; "
              f"leave-one-track-out {np.mean(loo):.3f}"
              + ("" if np.isnan(loso).any() else f"; leave-one-subset-out {loso.mean():.3f}")
              + f"; in-sample best (optimistic) {configs[best_all]} -> {F[best_all].mean():.3f}")
        print("   grid (rows bass_weight, columns switch_penalty):")
        sp = CV_GRID["switch_penalty"]
        print("   " + " " * 6 + "".join(f"{v:>8g}" for v in sp))
        for bw in CV_GRID["bass_weight"]:
            vals = [F[configs.index({"bass_weight": bw, "switch_penalty": s})].mean() for s in sp]
            print(f"   {bw:6g}" + "".join(f"{v:8.3f}" for v in vals))
    if len(per) == 2:
        (la, (_, Fa)), (lb, (_, Fb)) = per.items()
        for (ltrain, Ftrain), (ltest, Ftest) in (((la, Fa), (lb, Fb)), ((lb, Fb), (la, Fa))):
            best = int(np.argmax(Ftrain.mean(axis=1)))
            print(f"chosen on {ltrain}: {configs[best]} -> {ltest} {Ftest[best].mean():.3f} "
                  f"(defaults: {Ftest[i_def].mean():.3f})")


def run_timing(args):
    """Time track_downbeats on a 4-minute excerpt (the beats tracked once; median of repeats)."""
    from helpers.beat import track_beats
    from helpers.downbeat import track_downbeats

    label, params, items = open_sets(args.dataset, args.realmel)[0]
    tid, S, _ = max(items, key=lambda it: it[1].shape[1])
    n = int(round(240.0 * params.frame_rate_hz))
    S = np.ascontiguousarray(np.tile(S, (1, int(np.ceil(n / S.shape[1]))))[:, :n])
    beats = track_beats(S, mel_params=params)
    track_downbeats(S, beat_times_s=beats, mel_params=params)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        track_downbeats(S, beat_times_s=beats, mel_params=params)
        times.append(time.perf_counter() - t0)
    print(f"track_downbeats on a 4-minute excerpt of {label}/{tid} ({S.shape[1]} frames, {beats.size} beats): "
          f"median {1000 * np.median(times):.1f} ms, min {1000 * np.min(times):.1f} ms over {args.repeat} runs")


def run_bar_stats(args):
    """The metrical facts of an annotation folder (Harmonix): bar lengths, irregular bars, pickups."""
    from helpers.data import load_beats

    folder = Path(args.harmonix) / "dataset" / "beats_and_downbeats"
    paths = sorted(folder.glob("*.txt"))
    if not paths:
        sys.exit(f"no beat files in {folder}")
    lengths, modal, irregular, n_bars, pickups = Counter(), Counter(), 0, 0, 0
    for path in paths:
        positions = load_beats(path).positions
        ones = np.flatnonzero(positions == 1)
        bars = np.diff(ones)
        if bars.size == 0:
            continue
        m = Counter(bars.tolist()).most_common(1)[0][0]
        modal[m] += 1
        lengths.update(bars.tolist())
        irregular += int(np.count_nonzero(bars != m))
        n_bars += bars.size
        pickups += int(positions[0] != 1)
    print(f"{folder}: {len(paths)} tracks, {n_bars} complete bars")
    print(f"  most common bar length per track (beats): {dict(sorted(modal.items()))}")
    print(f"  all bar lengths: {dict(sorted(lengths.items()))}")
    print(f"  bars not of their track's most common length: {irregular} ({100 * irregular / n_bars:.2f} %), "
          f"-log(share) = {-np.log(irregular / n_bars):.2f} nats")
    print(f"  tracks whose first annotated beat is not a downbeat (a pickup): {pickups} ({100 * pickups / len(paths):.0f} %)")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", choices=("all", "realmel", "demo"), default="all",
                   help="which tracks with bar positions (default: realmel and demo)")
    p.add_argument("--realmel", default=str(SHARED_REALMEL),
                   help="the realmel folder (melspecs/, beats/; default: ../shared/realmel)")
    p.add_argument("--cv", action="store_true", help="cross-validate bass_weight x switch_penalty (CV_GRID)")
    p.add_argument("--timing", action="store_true", help="time track_downbeats on a 4-minute track")
    p.add_argument("--bar-stats", action="store_true",
                   help="bar lengths, irregular bars and pickups in the Harmonix annotations (--harmonix)")
    p.add_argument("--harmonix", default=str(REPO.parent / "shared" / "harmonix"),
                   help="the Harmonix annotations folder for --bar-stats (default: ../shared/harmonix)")
    p.add_argument("--repeat", type=int, default=20, help="runs for --timing")
    p.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="override a DownbeatParams field (repeatable), e.g. --set change_window_beats=1")
    args = p.parse_args(argv)
    global DOWNBEAT_PARAMS
    from helpers.downbeat import DownbeatParams

    DOWNBEAT_PARAMS = DownbeatParams(**parse_set(args.set))
    if args.bar_stats:
        run_bar_stats(args)
    elif args.timing:
        run_timing(args)
    elif args.cv:
        run_cv(args)
    else:
        run_benchmark(args)


if __name__ == "__main__":
    main()
