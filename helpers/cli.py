"""Command-line options shared by ``python -m helpers track`` and ``validate``.

Every field of :class:`helpers.beat.TrackerParams` becomes one option (``--tightness 400``,
``--no-phase-lock``, ``--low-band-share none``), generated from the dataclass so the command
line never drifts from the tracker.
"""

from __future__ import annotations

import argparse
import dataclasses

_UNSET = object()  # an option that was not given (None is a valid value for some fields)
#: What 'none' means for the fields that accept it.
_NONE_MEANS = {"local_average_s": " ('none': skip the step)", "low_band_share": " ('none': plain sum over bands)"}


def _number_or_none(text: str):
    return None if text.lower() == "none" else float(text)


def add_tracker_options(parser) -> None:
    """One option per TrackerParams field, in a group of its own."""
    from .beat import TrackerParams

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
    from .beat import TrackerParams

    return {f.name: getattr(args, f.name) for f in dataclasses.fields(TrackerParams)
            if getattr(args, f.name, _UNSET) is not _UNSET}
