"""``python -m helpers track | evaluate | validate``: beat tracking and scoring from the command line.

The work is done by :mod:`helpers.batch` (the runner: both cores, cache, resumable, for all
three commands) and :mod:`helpers.results` (tables); this module parses the options, calls
them and prints a report.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Mapping
from pathlib import Path

from ..batch import TRACKERS, evaluate_directory, evaluate_published, published_dir, run_batch, track_directory
from ..data import MELSPEC_SUFFIX, Dataset
from ..errors import DataMissingError, ParameterError
from ..files import check_writable, write_text_atomic
from ..results import BatchResult, compare, format_table, write_table_csv
from .options import (add_jobs_option, add_path_option, add_quiet_option, add_split_option, add_tracker_options,
                      add_trim_option, tracker_changes)

__all__ = ["add_tracking_commands"]


def _report(result: BatchResult, written: Mapping[str, Path], out=None) -> None:
    out = out or sys.stdout
    mean = result.mean()
    split = result.config.get("split", "all")
    where = "" if split == "all" else f" ({split} split)"
    extra = "".join(f", {label} {_fmt(mean[m])}" for m, label in
                    (("Acc1", "tempo Acc1"), ("Acc2", "Acc2"), ("Downbeat F-measure", "downbeat F")) if mean[m] is not None)
    print(f"{result.name}{where}: {len(result) - result.n_failed}/{len(result)} tracks scored in {result.seconds:.1f} s "
          f"({result.n_from_cache} from the cache); mean F-measure {_fmt(mean['F-measure'])}, "
          f"CMLt {_fmt(mean['Correct Metric Level Total'])}, AMLt {_fmt(mean['Any Metric Level Total'])}{extra}",
          file=out)
    for tid, err in list(result.failures().items())[:10]:
        print(f"  failed: {tid}: {err}", file=sys.stderr)
    if result.n_failed > 10:
        print(f"  ... and {result.n_failed - 10} more failures (see the error column)", file=sys.stderr)
    warned = [r for r in result.tracks if r.ok and r.warnings]
    for r in warned[:5]:
        print(f"  warning: {r.track_id}: {r.warnings[0]}", file=sys.stderr)
    if len(warned) > 5:
        print(f"  ... and {len(warned) - 5} more tracks with warnings (see results.json)", file=sys.stderr)
    unpaired = result.config.get("data", {}).get("unpaired", {})
    for key, label in _UNPAIRED_LABELS.items():
        ids = list(unpaired.get(key) or ())
        if ids:
            print(f"  {len(ids)} {label}: {', '.join(ids[:5])}{' ...' if len(ids) > 5 else ''} "
                  "(listed under data.unpaired in results.json)", file=sys.stderr)
    print("wrote " + ", ".join(str(p) for p in written.values()), file=out)


_UNPAIRED_LABELS = {
    "melspec_only": "mel-spectrogram(s) without a beat file, not evaluated",
    "annotation_only": "beat file(s) without a mel-spectrogram, not evaluated",
    "estimate_only": "estimate file(s) without a reference, not evaluated",
}


def _fmt(v) -> str:
    return "-" if v is None else f"{v:.3f}"


def _cmd_evaluate(args) -> int:
    result = evaluate_directory(args.reference_dir, args.estimate_dir, jobs=args.jobs, trim_s=args.trim_s,
                                progress=not args.quiet)
    written = result.save(out_csv=args.out_csv, out_json=args.out_json)
    _report(result, written)
    return 1 if result.n_failed else 0


def _cmd_validate(args) -> int:
    reference_dir = Path(args.reference_dir)
    ds = Dataset(Path(args.melspec_dir), reference_dir.parent, name=args.name or Path(args.melspec_dir).parent.name,
                 beats_dir=reference_dir)
    if not ds.track_ids:
        raise DataMissingError(f"no track has both {ds.melspec_dir}/<id>-mel.npy and {reference_dir}/<id>.txt.")
    tracker, params = _tracker_and_params(args)
    out_dir = Path(args.out_dir)
    common = dict(jobs=args.jobs, trim_s=args.trim_s, progress=not args.quiet, use_cache=not args.no_cache,
                  cache_dir=args.cache_dir)
    result = run_batch(ds, tracker=tracker, tracker_params=params, out_dir=out_dir, split=args.split,
                       bars=args.bars, **common)
    _report(result, {"out_dir": out_dir})
    failed = result.n_failed
    if args.baselines:
        systems = {result.name: result}
        for baseline in ("librosa", "librosa-aligned"):
            if tracker != baseline:
                systems[baseline] = run_batch(ds, tracker=baseline, out_dir=out_dir / "baselines" / baseline,
                                              split=args.split, **common)
                failed += systems[baseline].n_failed
        pub = Path(args.published_dir) if args.published_dir else published_dir(ds)
        if pub is not None:
            published = evaluate_published(pub, reference_dir, track_ids=result.track_ids, jobs=args.jobs,
                                           trim_s=args.trim_s, progress=not args.quiet)
            for system, res in published.items():
                res.save(out_csv=out_dir / "baselines" / system / "results.csv",
                         out_json=out_dir / "baselines" / system / "results.json")
            systems.update(published)
        rows = compare(systems)
        write_table_csv(rows, out_dir / "summary.csv")
        print(format_table(rows, short_names=True))
        print(f"wrote {out_dir / 'summary.csv'}")
    return 1 if failed else 0


def _tracker_and_params(args) -> tuple[str, dict]:
    """(tracker name, its parameters) from --tracker, --model and the tracker options.

    ``--model MODEL.npz`` is the reference tracker on that model's learned novelty ("learned");
    the tracker options apply to the reference and learned trackers only.
    """
    params = tracker_changes(args)
    tracker = args.tracker
    if args.model is not None:
        if tracker != "reference":
            raise ParameterError(f"--model uses the course's tracker on a learned novelty; it cannot be combined "
                                 f"with --tracker {tracker}.")
        tracker, params = "learned", {**params, "model": args.model}
    elif params and tracker != "reference":
        raise ParameterError(f"tracker options ({', '.join('--' + n.replace('_', '-') for n in params)}) "
                             f"apply to the reference tracker, not to --tracker {tracker}.")
    return tracker, params


def _tempo_csv_text(tracks) -> str:
    """``track_id,tempo_bpm``, one row per track written (the failed ones are listed on stderr instead)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["track_id", "tempo_bpm"])
    for r in tracks:
        if r.error is None:
            writer.writerow([r.track_id, "" if r.tempo_bpm is None else f"{r.tempo_bpm:.3f}"])
    return buf.getvalue()


def _cmd_track(args) -> int:
    """Track every <id>-mel.npy of a folder; write OUT/<id>.txt (one beat time in seconds per line)."""
    melspec_dir, out_dir = Path(args.melspec_dir), Path(args.out_dir)
    tempo_csv = None if args.tempo_csv is None else Path(args.tempo_csv)
    if tempo_csv is not None:
        check_writable(tempo_csv.parent)   # before any tracking, like the output folder
    tracker, params = _tracker_and_params(args)
    tracks = track_directory(melspec_dir, out_dir, tracker=tracker, tracker_params=params,
                             jobs=args.jobs, cache_dir=args.cache_dir, use_cache=not args.no_cache,
                             progress=not args.quiet, debug=args.debug, bars=args.with_bars)
    if tempo_csv is not None:
        write_text_atomic(tempo_csv, _tempo_csv_text(tracks))
    failed = [r for r in tracks if r.error is not None]
    n_cached = sum(r.source == "cache" for r in tracks)
    cached = f" ({n_cached} taken from the cache)" if n_cached else ""
    print(f"tracked {len(tracks) - len(failed)} of {len(tracks)} tracks -> {out_dir}{cached}"
          + ("" if tempo_csv is None else f"; tempi in {tempo_csv}"))
    for r in failed:   # the error names the file; if not (a bug in a tracker), say which file it was
        path = melspec_dir / f"{r.track_id}{MELSPEC_SUFFIX}"
        print(f"skipped {r.track_id}: {r.error if str(path) in r.error else f'{path}: {r.error}'}", file=sys.stderr)
    warned = [r for r in tracks if r.warnings]
    for r in warned[:5]:
        print(f"  warning: {r.track_id}: {r.warnings[0]}", file=sys.stderr)
    return 1 if failed else 0


def _add_tracker_choice(parser) -> None:
    parser.add_argument("--tracker", choices=[t for t in TRACKERS if t != "learned"], default="reference",
                        help="reference (the course's), librosa (stock: one frame late on hop-1024 data) or "
                        "librosa-aligned (the same without that lag: the fair comparison)")
    add_path_option(parser, "model", required=False, metavar="MODEL.npz",
                    help="the course's tracker on a learned novelty: a model written by `python -m helpers train` "
                    "(trained on data with the same info.json)")


def _add_cache_options(parser, *, default: str) -> None:
    parser.add_argument("--no-cache", dest="no_cache", action="store_true", help="neither read nor write the cache")
    add_path_option(parser, "cache-dir", required=False, help=f"default {default}")


def add_tracking_commands(subparsers) -> None:
    """Register ``track``, ``evaluate`` and ``validate``.

    Each command's ``func(args)`` returns the exit status: 0 when every track was tracked or
    scored, 1 when some failed (their errors are in the outputs and on stderr).
    """
    from ..evaluate import TRIM_S

    p = subparsers.add_parser(
        "track",
        help="track every mel-spectrogram of a folder: OUT/<id>.txt, one beat time (s) per line",
        description="Run a beat tracker on every <id>-mel.npy of MELSPEC_DIR (with its info.json) and write "
        "OUT_DIR/<id>.txt, one beat time in seconds per line (with --with-bars: time<TAB>position in bar, "
        "1 = downbeat); nothing else is written there. Tracks are cached "
        "(default: build/cache/track/, one cache per OUT_DIR): a re-run is nearly instant. Unreadable files "
        "are skipped and listed; the exit status is then 1.",
    )
    add_path_option(p, "melspec-dir", help="folder of <track_id>-mel.npy files and their info.json")
    add_path_option(p, "out-dir")
    _add_tracker_choice(p)
    p.add_argument("--with-bars", "--with_bars", dest="with_bars", action="store_true",
                   help="also find the bars: write time<TAB>position in bar (1 = downbeat; madmom's downbeat format)")
    add_path_option(p, "tempo-csv", required=False, metavar="FILE",
                    help="also write each track's global tempo: a CSV with track_id,tempo_bpm")
    add_jobs_option(p)
    _add_cache_options(p, default="build/cache/track/<OUT_DIR name>-<hash>")
    add_quiet_option(p)
    add_tracker_options(p)
    p.set_defaults(func=_cmd_track)

    p = subparsers.add_parser(
        "evaluate",
        help="score existing estimate files (one time per line) against reference beat files",
        description="Score every <id>.txt of ESTIMATE_DIR against REFERENCE_DIR/<id>.txt with mir_eval's beat "
        f"metrics (beats before {TRIM_S:g} s ignored), the tempo of the beats (Acc1, Acc2) and, when both files "
        "have bar positions (time<TAB>position), the downbeats; write a CSV (one row per track) and a JSON "
        "(rows, means, medians, configuration, versions).",
    )
    add_path_option(p, "reference-dir", help="reference beat files <id>.txt (1 or 3 columns)")
    add_path_option(p, "estimate-dir", help="estimate files <id>.txt, one time (s) per line")
    add_path_option(p, "out-csv")
    add_path_option(p, "out-json")
    add_trim_option(p)
    add_jobs_option(p)
    add_quiet_option(p)
    p.set_defaults(func=_cmd_evaluate)

    p = subparsers.add_parser(
        "validate",
        help="track every mel-spectrogram and score it: OUT/estimates/, results.csv, results.json",
        description="Run a beat tracker on every <id>-mel.npy of MELSPEC_DIR (with its info.json), score it "
        "against REFERENCE_DIR/<id>.txt, write OUT_DIR/estimates/<id>.txt, results.csv and results.json. "
        "Results are cached per track in OUT_DIR/cache: a re-run is nearly instant, an interrupted run resumes.",
    )
    add_path_option(p, "melspec-dir", help="folder of <id>-mel.npy and info.json")
    add_path_option(p, "reference-dir", help="reference beat files <id>.txt (1 or 3 columns)")
    add_path_option(p, "out-dir")
    _add_tracker_choice(p)
    add_split_option(p)
    add_jobs_option(p)
    _add_cache_options(p, default="OUT_DIR/cache")
    add_trim_option(p)
    p.add_argument("--baselines", action="store_true",
                   help="also run librosa's tracker (stock and aligned) and score the published systems (if "
                   "results/beats is found beside the annotations); writes OUT_DIR/baselines/ and OUT_DIR/summary.csv")
    add_path_option(p, "published-dir", required=False, help="folder of <system>/<id>.txt estimates")
    p.add_argument("--name", help="data set name for the outputs (default: the melspec folder's parent)")
    p.add_argument("--bars", action=argparse.BooleanOptionalAction, default=None,
                   help="find the bars of the tracked beats and score the downbeats where the references have "
                   "bar positions (default: for the reference tracker only)")
    add_quiet_option(p)
    add_tracker_options(p)
    p.set_defaults(func=_cmd_validate)
