"""The fixed dev/test split of a data set's tracks, decided by each track's id alone.

Why a split: every choice the course makes (the tempo prior's centre and width, the
parameters a sweep picks, the weights a model learns) is made on the **dev** tracks only;
the numbers the course reports as results come from the **test** tracks, which no choice
has seen. Scoring on the tracks you tuned on flatters a method (notebook 04 and 06 show
by how much).

The rule (deterministic, documented, the same on every machine and for every data set)::

    u = int(sha256("beat-course split v1:" + track_id)[:16 hex digits], 16) / 16**16
    split = "test" if u < TEST_FRACTION else "dev"

so a track's split never depends on which other tracks are installed, on their order or
on a random seed, and a new track does not move the old ones. On the 912 Harmonix ids
this gives 651 dev and 261 test tracks (:data:`HARMONIX_COUNTS`, checked by the tests).

Conventions: track ids are the file stems of the data set (``0001_12step`` for
``0001_12step-mel.npy``); ``split`` is one of :data:`SPLITS`.

Used by ``python -m helpers validate --split dev|test`` and :func:`helpers.batch.run_batch`'s
``split=`` argument.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from .checks import check_choice
from .errors import ParameterError

__all__ = ["SPLITS", "TEST_FRACTION", "SPLIT_SALT", "HARMONIX_COUNTS", "split_of", "select_split",
           "check_split"]

#: The names a split can have: every track, the tuning tracks, the held-out tracks.
SPLITS = ("all", "dev", "test")
#: Share of the ids (in expectation) that are held out for testing.
TEST_FRACTION = 0.3
#: Prefixed to the id before hashing; changing it would define another split (don't).
SPLIT_SALT = "beat-course split v1:"
#: The sizes of the two splits on the 912 Harmonix track ids (tests/test_splits.py checks them).
HARMONIX_COUNTS = {"dev": 651, "test": 261}


def check_split(split) -> str:
    """``split`` itself if it is one of :data:`SPLITS`, else a ParameterError that lists them."""
    return check_choice(split, SPLITS, name="split", hint="'all' = every track")


def split_of(track_id: str) -> str:
    """``"dev"`` or ``"test"``: the split a track id belongs to (see the module docstring).

    Examples
    --------
    >>> split_of("0001_12step"), split_of("0005_again")
    ('test', 'dev')
    """
    if not isinstance(track_id, str) or not track_id:
        raise ParameterError(f"track_id={track_id!r} must be a non-empty string (a file stem such as '0001_12step').")
    digest = hashlib.sha256((SPLIT_SALT + track_id).encode("utf-8")).hexdigest()
    u = int(digest[:16], 16) / 16**16
    return "test" if u < TEST_FRACTION else "dev"


def select_split(track_ids: Iterable[str], split: str = "all") -> list[str]:
    """The ids of ``track_ids`` that belong to ``split``, in their given order.

    Parameters
    ----------
    track_ids : iterable of str
    split : {"all", "dev", "test"}

    Returns
    -------
    list of str
    """
    split = check_split(split)
    ids = list(track_ids)
    if split == "all":
        return ids
    return [t for t in ids if split_of(t) == split]
