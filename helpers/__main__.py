"""Command line: ``python -m helpers COMMAND ...`` (run with --help for the list).

User errors (missing data, bad files, bad arguments, an output folder that cannot be
written) print one readable line and exit with status 2; ``--debug`` shows the full
traceback instead. Ctrl-C exits with status 130. See docs/FAULTS.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .cli import add_tracker_options, tracker_changes
from .errors import DataMissingError, HelpersError

__all__ = ["main"]


def _cmd_data(args) -> int:
    from .fetch import run_data_command

    return run_data_command(args.data_args, debug=args.debug)


def _cmd_demo(args) -> int:
    from .data import data_root
    from .synth import generate_demo

    out_dir = Path(args.out_dir) if args.out_dir else data_root() / "demo"
    path = generate_demo(out_dir, overwrite=args.force)
    print(f"demo data set ready in {path}")
    return 0


def _cmd_warm(args) -> int:
    """Compile librosa's numba-jitted functions once (cached in $NUMBA_CACHE_DIR)."""
    import time

    import numpy as np

    start = time.perf_counter()
    import librosa

    from .data import HARMONIX_PARAMS as p

    rng = np.random.default_rng(0)
    S = rng.random((p.n_mels, 400)).astype(np.float32)
    onset = librosa.onset.onset_strength(S=librosa.power_to_db(S), sr=p.sr, hop_length=p.hop_length)
    librosa.beat.beat_track(onset_envelope=onset, sr=p.sr, hop_length=p.hop_length)
    print(f"librosa {librosa.__version__} warmed up in {time.perf_counter() - start:.1f} s")
    return 0


def _cmd_course(args) -> int:
    from .course import build_course
    from .data import repo_root

    notebook_dir = Path(args.notebook_dir) if args.notebook_dir else (repo_root() or Path.cwd()) / "notebooks"
    runs = build_course(notebook_dir, args.out_dir, timeout_s=args.timeout)
    total = sum(r.seconds for r in runs)
    print(f"{len(runs)} notebooks executed in {total:.1f} s; HTML copies in {args.out_dir}")
    return 0


def _cmd_strip(args) -> int:
    from .course import notebook_paths, strip_outputs
    from .data import repo_root

    notebook_dir = (repo_root() or Path.cwd()) / "notebooks"
    for path in notebook_paths(notebook_dir):
        if strip_outputs(path):
            print(f"stripped {path.name}")
    return 0


def _cmd_track(args) -> int:
    """Track every <id>-mel.npy of a folder; write OUT/<id>.txt (one beat time in seconds per line)."""
    from tqdm.auto import tqdm

    from .batch import format_estimate
    from .beat import TrackerParams, track_beats
    from .data import MELSPEC_SUFFIX, load_melspec, read_params
    from .files import check_writable, write_text_atomic

    melspec_dir, out_dir = Path(args.melspec_dir), Path(args.out_dir)
    params = read_params(melspec_dir)
    tracker_params = TrackerParams(**tracker_changes(args))
    paths = sorted(p for p in melspec_dir.glob(f"*{MELSPEC_SUFFIX}") if not p.name.startswith("."))
    if not paths:
        raise DataMissingError(f"{melspec_dir}: no *{MELSPEC_SUFFIX} files to track.")
    check_writable(out_dir)   # a read-only or impossible --out-dir: say so before tracking anything
    failures = []
    for path in tqdm(paths, desc="tracking", unit="track", disable=args.quiet):
        track_id = path.name[: -len(MELSPEC_SUFFIX)]
        try:
            S = load_melspec(path, params=params)
            beats_s = track_beats(S, mel_params=params, tracker_params=tracker_params)
        except HelpersError as exc:
            failures.append(f"{track_id}: {exc}")
            continue
        except Exception as exc:  # noqa: BLE001 -- one track's failure must not stop the others
            if args.debug:
                raise
            failures.append(f"{track_id}: {path}: {type(exc).__name__}: {exc}")
            continue
        write_text_atomic(out_dir / f"{track_id}.txt", format_estimate(beats_s))
    print(f"tracked {len(paths) - len(failures)} of {len(paths)} tracks -> {out_dir}")
    for line in failures:
        print(f"skipped {line}", file=sys.stderr)
    return 1 if failures else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show full tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("data", help="status / fetch / install of the real data (data_manifest.yaml)", add_help=False)
    p.add_argument("data_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=_cmd_data)

    p = sub.add_parser("demo", help="generate the built-in synthetic demo data set")
    p.add_argument("--out-dir", help="where to write it (default: data/demo)")
    p.add_argument("--force", action="store_true", help="regenerate even if it exists")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("warm", help="compile librosa's numba functions once (done by make)")
    p.set_defaults(func=_cmd_warm)

    p = sub.add_parser("course", help="execute every notebook headless; HTML copies for handouts")
    p.add_argument("--out-dir", default="build/course")
    p.add_argument("--notebook-dir", help="default: the repository's notebooks/")
    p.add_argument("--timeout", type=float, default=600, help="seconds per cell")
    p.set_defaults(func=_cmd_course)

    p = sub.add_parser("track", help="track every mel-spectrogram of a folder: OUT/<id>.txt, one beat time (s) per line")
    p.add_argument("--melspec-dir", "--melspec_dir", dest="melspec_dir", required=True,
                   help="folder of <track_id>-mel.npy files and their info.json")
    p.add_argument("--out-dir", "--out_dir", dest="out_dir", required=True)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_tracker_options(p)
    p.set_defaults(func=_cmd_track)

    from .batch import add_cli as add_batch_commands

    add_batch_commands(sub)  # evaluate, validate

    p = sub.add_parser("strip-notebooks", help="remove outputs from notebooks/ before committing")
    p.set_defaults(func=_cmd_strip)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    first = next((i for i, a in enumerate(argv) if not a.startswith("-")), None)
    if first is not None and argv[first] == "data":
        # `data` has its own parser (helpers.fetch); argparse's REMAINDER would refuse options
        # that come first (`data --root DIR status`), so hand it everything after the word.
        args = parser.parse_args(argv[: first + 1])
        args.data_args = argv[first + 1:]
    else:
        args = parser.parse_args(argv)
    try:
        return args.func(args)
    except HelpersError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. a folder that cannot be read: one line too (--debug: traceback)
        if args.debug:
            raise
        print(f"error: {exc} (run with --debug for the traceback)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if args.debug:
            raise
        print("interrupted: no file was left half-written; `validate` resumes from its cache "
              "when run again", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
