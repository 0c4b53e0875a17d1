"""``python -m helpers demo | warm | course | strip-notebooks``: setting up and running the course."""

from __future__ import annotations

from pathlib import Path

__all__ = ["add_course_commands"]


def _cmd_demo(args) -> int:
    from ..data import data_root
    from ..synth import generate_demo

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

    from ..data import HARMONIX_PARAMS as p

    rng = np.random.default_rng(0)
    S = rng.random((p.n_mels, 400)).astype(np.float32)
    onset = librosa.onset.onset_strength(S=librosa.power_to_db(S), sr=p.sr, hop_length=p.hop_length)
    librosa.beat.beat_track(onset_envelope=onset, sr=p.sr, hop_length=p.hop_length)
    print(f"librosa {librosa.__version__} warmed up in {time.perf_counter() - start:.1f} s")
    return 0


def _cmd_course(args) -> int:
    from ..course import build_course
    from ..data import repo_root

    notebook_dir = Path(args.notebook_dir) if args.notebook_dir else (repo_root() or Path.cwd()) / "notebooks"
    runs = build_course(notebook_dir, args.out_dir, timeout_s=args.timeout, with_solutions=args.with_solutions)
    total = sum(r.seconds for r in runs)
    print(f"{len(runs)} notebooks executed in {total:.1f} s; HTML copies in {args.out_dir}")
    return 0


def _cmd_strip(args) -> int:
    from ..course import notebook_paths, strip_outputs
    from ..data import repo_root

    notebook_dir = (repo_root() or Path.cwd()) / "notebooks"
    for path in notebook_paths(notebook_dir):
        if strip_outputs(path):
            print(f"stripped {path.name}")
    return 0


def add_course_commands(subparsers) -> None:
    """Register ``demo``, ``warm``, ``course`` and ``strip-notebooks``."""
    p = subparsers.add_parser("demo", help="generate the built-in synthetic demo data set")
    p.add_argument("--out-dir", "--out_dir", dest="out_dir", help="where to write it (default: data/demo)")
    p.add_argument("--force", action="store_true", help="regenerate even if it exists")
    p.set_defaults(func=_cmd_demo)

    p = subparsers.add_parser("warm", help="compile librosa's numba functions once (done by make)")
    p.set_defaults(func=_cmd_warm)

    p = subparsers.add_parser("course", help="execute every notebook headless; HTML copies for handouts")
    p.add_argument("--out-dir", "--out_dir", dest="out_dir", default="build/course")
    p.add_argument("--notebook-dir", "--notebook_dir", dest="notebook_dir",
                   help="default: the repository's notebooks/")
    p.add_argument("--timeout", type=float, default=600, help="seconds per cell")
    p.add_argument("--with-solutions", "--with_solutions", dest="with_solutions", action="store_true",
                   help="fill in every exercise with its reference solution first (a teacher's answer key)")
    p.set_defaults(func=_cmd_course)

    p = subparsers.add_parser("strip-notebooks", help="remove outputs from notebooks/ before committing")
    p.set_defaults(func=_cmd_strip)
