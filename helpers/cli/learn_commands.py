"""``python -m helpers train``: learn a novelty function from annotated mel-spectrograms.

The work is done by :mod:`helpers.learn`; this module parses the options, reports the
cross-validation (optional) and writes the model file (all-or-nothing).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from ..errors import ParameterError
from .options import add_path_option, add_quiet_option

__all__ = ["add_learn_commands"]

_INTERRUPTED = "interrupted: no model file was written (a previous file at --out, if any, is unchanged)"
_METRICS = (("F", "F-measure"), ("CMLt", "Correct Metric Level Total"), ("AMLt", "Any Metric Level Total"))


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def _means(rows, source=None) -> str:
    rows = [r for r in rows if source is None or r["source"] == source]
    return ", ".join(f"{short} {np.mean([r[long] for r in rows]):.3f}" for short, long in _METRICS)


def _hand_made_rows(pairs, training_set) -> list[dict]:
    """The hand-made flux tracker's scores on the same tracks (for the cross-validation report)."""
    from ..beat import track_beats
    from ..data import Dataset
    from ..evaluate import BeatEvaluationWarning, evaluate_beats

    wanted = set(training_set.track_ids)
    rows = []
    for melspec_dir, reference_dir in pairs:
        ds = Dataset(melspec_dir, reference_dir.parent, name=melspec_dir.parent.name or melspec_dir.name,
                     beats_dir=reference_dir)
        for tid in ds.track_ids:
            if tid in wanted:
                beats = track_beats(ds.load_melspec(tid), mel_params=ds.params)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", BeatEvaluationWarning)
                    rows.append({"source": ds.name, **evaluate_beats(ds.load_beats(tid).times_s, beats)})
    return rows


def _cmd_train(args) -> int:
    from ..files import check_writable
    from ..learn import cross_validate, load_training_set, save_model, train_model

    if len(args.melspec_dir) != len(args.reference_dir):
        raise ParameterError(
            f"give --melspec-dir and --reference_dir in pairs (got {len(args.melspec_dir)} --melspec-dir and "
            f"{len(args.reference_dir)} --reference_dir); the n-th of each belong together."
        )
    out = Path(args.out)
    if out.suffix != ".npz":
        raise ParameterError(f"--out {out}: a model file must end in .npz.")
    check_writable(out.parent)   # a read-only or impossible folder: say so before training
    pairs = [(Path(m), Path(r)) for m, r in zip(args.melspec_dir, args.reference_dir)]
    progress = not args.quiet
    training_set = load_training_set(pairs, labels=args.labels, split=args.split, progress=progress)
    sources = {s: training_set.sources.count(s) for s in dict.fromkeys(training_set.sources)}
    print(f"training set: {len(training_set)} tracks ({', '.join(f'{s} {n}' for s, n in sources.items())}; "
          f"split {args.split}), {training_set.n_frames} frames, labels {args.labels!r}")
    options = {"l2": args.l2}
    if args.kind == "mlp":
        options.update(hidden=args.hidden, epochs=args.epochs, seed=args.seed)
    if args.folds:
        if args.folds < 2:
            raise ParameterError(f"--folds {args.folds}: use 0 (no cross-validation) or at least 2.")
        cv = cross_validate(training_set, n_folds=args.folds, kind=args.kind, progress=progress, **options)
        hand = _hand_made_rows(pairs, training_set)
        print(f"{args.folds}-fold cross-validation by track (each track scored by a model trained without it; "
              "mir_eval metrics, 5 s trim):")
        for source in [None, *sources] if len(sources) > 1 else [None]:
            label = source or "all"
            print(f"  {label:>12}: learned {_means(cv.rows, source)} | hand-made flux {_means(hand, source)}")
    model = train_model(training_set, kind=args.kind, progress=progress,
                        notes={"split": args.split, "data": [[str(m), str(r)] for m, r in pairs]}, **options)
    save_model(model, out)
    print(f"wrote {out}: {model.describe()}; identity {model.identity[:12]}")
    return 0


def add_learn_commands(subparsers) -> None:
    """Register ``train``."""
    from ..learn import DEFAULT_LABELS, EPOCHS, HIDDEN_UNITS, KINDS, L2, LABELS, SEED
    from ..splits import SPLITS

    p = subparsers.add_parser(
        "train",
        help="learn a novelty function (beat probability per frame) from annotated mel-spectrograms: MODEL.npz",
        description="Train a logistic regression or a small MLP on the band-wise log-flux (+-8 frames) of every "
        "<id>-mel.npy with a reference beat file <id>.txt, and write it as a .npz model (with its feature settings "
        "and the info.json parameters it was trained on). Give several data sets by repeating --melspec-dir D "
        "--reference_dir R (paired in order). --folds K first reports K-fold cross-validation by track against the "
        "hand-made flux tracker. See docs/learn.md.",
    )
    add_path_option(p, "melspec-dir", action="append", metavar="DIR",
                    help="folder of <id>-mel.npy and info.json (repeat for several data sets)")
    add_path_option(p, "reference-dir", action="append", metavar="DIR",
                    help="reference beat files <id>.txt for the --melspec-dir at the same position")
    add_path_option(p, "out", metavar="MODEL.npz", help="the model file to write (all-or-nothing)")
    p.add_argument("--kind", choices=KINDS, default="logistic",
                   help="logistic regression (L-BFGS; fast, its weights are an image to look at) or one-hidden-layer "
                   "MLP (Adam; better in cross-validation) (default logistic)")
    p.add_argument("--labels", choices=LABELS, default=DEFAULT_LABELS,
                   help=f"targets of the frames around a beat (default {DEFAULT_LABELS!r}; see docs/learn.md)")
    p.add_argument("--folds", type=int, default=0, metavar="K",
                   help="first cross-validate with K folds by track and compare with the hand-made tracker "
                   "(default 0: no)")
    p.add_argument("--l2", type=float, default=None, metavar="X",
                   help="L2 penalty (default " + ", ".join(f"{k} {v:g}" for k, v in L2.items()) + ")")
    p.add_argument("--hidden", type=_positive_int, default=HIDDEN_UNITS, metavar="N",
                   help=f"MLP hidden units (default {HIDDEN_UNITS})")
    p.add_argument("--epochs", type=_positive_int, default=EPOCHS, metavar="N",
                   help=f"MLP passes over the training frames (default {EPOCHS}, for tens of tracks; on the 60 times "
                   "larger Harmonix set 2 already give more Adam steps)")
    p.add_argument("--seed", type=int, default=SEED, help=f"MLP random seed (default {SEED})")
    p.add_argument("--split", choices=SPLITS, default="dev",
                   help="train on this part of the fixed dev/test split (helpers.splits); default dev, so the "
                   "test tracks stay unseen for `validate --split test`")
    add_quiet_option(p)
    p.set_defaults(func=_cmd_train, interrupted=_INTERRUPTED)
