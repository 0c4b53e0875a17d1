"""Bars in an annotation: the usual bar length, and how many beats an estimate's downbeats sit from the annotated ones.

Harmonix annotates the position of every beat in its bar (1 = downbeat; the second
column of a beat file, :attr:`helpers.data.Beats.positions`). :func:`usual_bar_length`
reads a track's meter from it; :func:`downbeat_offset` finds a downbeat file that marks
another beat of the bar (upstream's off-by-one) before it is scored.
"""

from __future__ import annotations

import numpy as np

from ..checks import check_positive
from ..data import validate_beats
from ..errors import ParameterError

__all__ = ["MATCH_WINDOW_S", "usual_bar_length", "downbeat_offset"]

#: How close (s) an estimated downbeat must be to an annotated beat to take its position in
#: the bar: mir_eval's F-measure window, the tolerance of every beat and downbeat score
#: (helpers.evaluate.FMEASURE_WINDOW_S, one layer up; tests/test_downbeat.py checks they are equal).
MATCH_WINDOW_S = 0.07


def _check_positions(positions, name: str = "positions") -> np.ndarray:
    p = np.asarray(positions)
    if p.ndim != 1 or (p.size and (not np.issubdtype(p.dtype, np.number) or not np.all(np.isfinite(p))
                                   or np.any(p != np.round(p)) or p.min() < 1)):
        raise ParameterError(
            f"{name} must be whole numbers >= 1, one per beat (1 = downbeat), got {np.shape(positions)} "
            f"values starting {p.ravel()[:4].tolist()}: the second column of a Harmonix beat file "
            "(helpers.data.load_beats(path).positions)."
        )
    return p.astype(int)


def usual_bar_length(positions) -> int:
    """The most common number of beats from one downbeat to the next: a track's meter, read from its annotation.

    Harmonix annotates the position of every beat in its bar (1 = downbeat); most
    tracks have bars of one length with a few exceptions (a 2-beat bar before a
    chorus, a pickup at the start), so the *usual* length is the mode. A tie goes to
    the shorter bar. With fewer than two downbeats, the largest position.

    Parameters
    ----------
    positions : np.ndarray [shape=(n_beats,)], int
        Position of each beat in its bar, 1 = downbeat.

    Returns
    -------
    int
        Beats per bar (0 for an empty annotation).

    Examples
    --------
    >>> usual_bar_length([4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 1, 2, 3, 4, 1])   # a pickup, one 2-beat bar
    4
    """
    p = _check_positions(positions)
    if p.size == 0:
        return 0
    ones = np.flatnonzero(p == 1)
    if ones.size < 2:
        return int(p.max())
    return int(np.argmax(np.bincount(np.diff(ones))))


def downbeat_offset(reference_times_s, reference_positions, estimated_downbeats_s, *,
                    window_s: float = MATCH_WINDOW_S) -> int | None:
    """How many beats after the annotated downbeats an estimate's downbeats fall (0 = aligned).

    Each estimated downbeat within ``window_s`` of a reference beat takes that beat's
    annotated position ``p``; the most common ``p`` gives the offset ``p - 1``, taken
    between ``-M/2`` and ``M/2`` beats (``M``: :func:`usual_bar_length` of the
    reference). ``-1``: the estimate marks the *last* beat of each bar, the off-by-one
    reported for upstream Harmonix estimates (COURSE.md); ``+1``: the second beat. Such
    an estimate scores a downbeat F of 0 although its bars may be right: check a
    downbeat file with this before scoring it.

    Parameters
    ----------
    reference_times_s : np.ndarray [shape=(n_beats,)]
        Annotated beat times in seconds.
    reference_positions : np.ndarray [shape=(n_beats,)], int
        Their positions in the bar, 1 = downbeat.
    estimated_downbeats_s : np.ndarray [shape=(n_downbeats,)]
        Estimated downbeat times in seconds.
    window_s : float > 0
        How close (s) an estimated downbeat must be to a reference beat to count
        (default the F-measure's 70 ms).

    Returns
    -------
    int or None
        The offset in beats; None if no estimated downbeat is near a reference beat
        (the estimate is off the annotated beats altogether: no bar offset to read).

    Examples
    --------
    >>> beats = np.arange(1.0, 17.0, 0.5)                   # 32 beats at 120 BPM
    >>> positions = np.tile([1, 2, 3, 4], 8)
    >>> downbeat_offset(beats, positions, beats[positions == 4])   # "the last beat of each bar"
    -1
    >>> downbeat_offset(beats, positions, beats[positions == 1] + 0.02)
    0
    """
    ref = validate_beats(reference_times_s, name="reference_times_s")
    pos = _check_positions(reference_positions, "reference_positions")
    if pos.shape != ref.shape:
        raise ParameterError(
            f"reference_positions has {pos.size} values for {ref.size} reference beats: one position per beat."
        )
    est = validate_beats(estimated_downbeats_s, name="estimated_downbeats_s")
    window_s = check_positive(window_s, name="window_s", unit="seconds", fix="The F-measure window is 0.07 s.")
    if ref.size == 0 or est.size == 0:
        return None
    j = np.clip(np.searchsorted(ref, est), 1, max(ref.size - 1, 1))
    nearest = np.where(np.abs(est - ref[j - 1]) <= np.abs(est - ref[np.minimum(j, ref.size - 1)]), j - 1,
                       np.minimum(j, ref.size - 1))
    near = np.abs(est - ref[nearest]) <= window_s
    if not near.any():
        return None
    p = int(np.argmax(np.bincount(pos[nearest[near]])))
    meter = max(usual_bar_length(pos), 1)
    offset = p - 1
    return offset - meter if offset > meter // 2 else offset
