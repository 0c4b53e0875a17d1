"""Command-line options that several commands share, spelled one way (with the seed's aliases).

Every field of :class:`helpers.beat.TrackerParams` becomes one option (``--tightness 400``,
``--no-phase-lock``, ``--low-band-share none``), generated from the dataclass so the command
line never drifts from the tracker. Folder and file options take the dashed spelling
(``--melspec-dir``) and keep the original brief's underscore spelling (``--reference_dir``)
as an alias, so both work everywhere.
"""

from __future__ import annotations

import argparse
import dataclasses

__all__ = ["add_tracker_options", "tracker_changes", "add_path_option", "add_jobs_option",
           "add_trim_option", "add_quiet_option", "add_split_option"]

_UNSET = object()  # an option that was not given (None is a valid value for some fields)
#: What 'none' means for the fields that accept it.
_NONE_MEANS = {"local_average_s": " ('none': skip the step)", "low_band_share": " ('none': plain sum over bands)"}


def _number_or_none(text: str):
    return None if text.lower() == "none" else float(text)


def add_tracker_options(parser) -> None:
    """One option per TrackerParams field, in a group of its own."""
    from ..beat import TrackerParams

    group = parser.add_argument_group("tracker parameters (defaults: helpers.beat.TrackerParams)")
    for field in dataclasses.fields(TrackerParams):
        flag = "--" + field.name.replace("_", "-")
        default = field.default
        if isinstance(default, bool):
            group.add_argument(flag, dest=field.name, action=argparse.BooleanOptionalAction, default=_UNSET)
        elif isinstance(default, str):
            group.add_argument(flag, dest=field.name, metavar="NAME", default=_UNSET, help=f"default {default!r}")
        else:
            group.add_argument(flag, dest=field.name, type=_number_or_none, metavar="X", default=_UNSET,
                               help=f"default {default!r}" + _NONE_MEANS.get(field.name, ""))


def tracker_changes(args) -> dict:
    """The tracker parameters given on the command line (the others keep their defaults)."""
    from ..beat import TrackerParams

    return {f.name: getattr(args, f.name) for f in dataclasses.fields(TrackerParams)
            if getattr(args, f.name, _UNSET) is not _UNSET}


def add_path_option(parser, name: str, *, required: bool = True, help: str | None = None, **kwargs) -> None:
    """``--name-with-dashes`` plus its ``--name_with_underscores`` alias, stored as ``name``."""
    dest = name.replace("-", "_")
    dashed, underscored = "--" + dest.replace("_", "-"), "--" + dest
    flags = [dashed] if dashed == underscored else [dashed, underscored]
    parser.add_argument(*flags, dest=dest, required=required, help=help, **kwargs)


def add_jobs_option(parser) -> None:
    from ..batch import DEFAULT_JOBS

    parser.add_argument("--jobs", type=int, default=DEFAULT_JOBS, help=f"worker processes (default {DEFAULT_JOBS})")


def add_trim_option(parser) -> None:
    from ..evaluate import TRIM_S

    parser.add_argument("--trim-s", "--trim_s", dest="trim_s", type=float, default=TRIM_S,
                        help=f"ignore beats before this time when scoring (default {TRIM_S:g} s, as "
                        "mir_eval.beat.evaluate)")


def add_quiet_option(parser) -> None:
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def add_split_option(parser) -> None:
    from ..splits import SPLITS

    parser.add_argument("--split", choices=SPLITS, default="all",
                        help="only the tracks of this part of the fixed dev/test split (helpers.splits): "
                        "choose parameters on dev, report test (default: all)")
