"""Score a global tempo: the MIREX accuracies Acc1 and Acc2, and tempo comparisons over many tracks.

An estimate is at factor ``f`` of the reference when it lies within 4 % of ``f`` times
it (:func:`tempo_factor`); Acc1 accepts factor 1, Acc2 also 2, 1/2, 3 and 1/3
(:func:`tempo_accuracy`). The tempo of an annotation is 60 / its median beat interval
(:func:`reference_tempo_bpm`). :func:`compare_tempi` and :func:`compare_metadata_tempo`
apply the same rule to two tempi per track.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..checks import check_number, check_positive
from ..data import median_tempo_bpm, validate_beats
from ..errors import ParameterError

__all__ = [
    "TEMPO_TOLERANCE",
    "TEMPO_FACTORS",
    "TEMPO_METRIC_NAMES",
    "reference_tempo_bpm",
    "tempo_factor",
    "tempo_accuracy",
    "TempoComparison",
    "compare_tempi",
    "compare_metadata_tempo",
]

#: Relative tolerance of the tempo accuracies (MIREX audio tempo estimation; Gouyon et al.
#: 2006): an estimate within 4 % of the reference tempo (or of a multiple of it, for Acc2).
TEMPO_TOLERANCE = 0.04
#: The metrical levels Acc2 also accepts, as (numerator, denominator) of estimate / reference:
#: double, half, triple, a third (the "octave errors" of Gouyon et al. 2006).
TEMPO_FACTORS = ((2, 1), (1, 2), (3, 1), (1, 3))
#: The keys of :func:`tempo_accuracy`, in order.
TEMPO_METRIC_NAMES = ("Acc1", "Acc2")


def _check_bpm(value, name: str) -> float:
    return check_positive(value, name=name, unit="beats per minute",
                          hint="a tracker that found no tempo has no accuracy to score")


def _check_tolerance(tolerance) -> float:
    return check_number(tolerance, name="tolerance", low=0, high=1, high_inclusive=False,
                        hint=f"a fraction, e.g. {TEMPO_TOLERANCE} for 4 %, not a percentage")


def reference_tempo_bpm(beat_times_s) -> float:
    """The tempo of a beat annotation: 60 / the median inter-beat interval (BPM).

    The median, not the mean: a missing or doubled beat, a pause or a fermata moves
    the mean interval but hardly the median. Every beat counts (no 5 s trim: the tempo
    is a property of the whole annotation).

    Parameters
    ----------
    beat_times_s : np.ndarray [shape=(n_beats,)] or helpers.data.Beats
        Beat times in seconds, strictly increasing (checked by :func:`validate_beats`).

    Returns
    -------
    tempo_bpm : float

    Raises
    ------
    ParameterError
        Fewer than 2 beats (no interval), or beats that are not valid times in seconds.

    Examples
    --------
    >>> reference_tempo_bpm([1.0, 1.5, 2.0, 2.5, 3.5])     # one beat missing: still 120
    120.0
    """
    beats = validate_beats(beat_times_s, name="beat_times_s")
    if beats.size < 2:
        raise ParameterError(
            f"beat_times_s has {beats.size} beat(s): a tempo needs at least 2 (one inter-beat "
            "interval). Is this the right annotation file?"
        )
    return median_tempo_bpm(beats)


def tempo_factor(reference_bpm, estimated_bpm, *, tolerance: float = TEMPO_TOLERANCE) -> float | None:
    """Which metrical level an estimated tempo is at: 1, 2, 1/2, 3, 1/3 or None.

    ``estimated_bpm`` is at factor ``f`` when ``|estimated_bpm - f * reference_bpm| /
    (f * reference_bpm) <= tolerance`` (boundary included, computed in floating point as
    ``mir_eval.tempo.detection`` does). Factor 1 is tried first, then
    :data:`TEMPO_FACTORS` in order; with the default 4 % the windows do not overlap.

    Returns
    -------
    float or None
        ``1.0``, ``2.0``, ``0.5``, ``3.0``, ``1/3``, or None for any other relation
        (e.g. 3:2, or just too far off).

    Examples
    --------
    >>> tempo_factor(100.0, 104.0), tempo_factor(100.0, 50.0), tempo_factor(100.0, 150.0)
    (1.0, 0.5, None)
    """
    ref = _check_bpm(reference_bpm, "reference_bpm")
    est = _check_bpm(estimated_bpm, "estimated_bpm")
    tolerance = _check_tolerance(tolerance)
    for num, den in ((1, 1), *TEMPO_FACTORS):
        target = ref * num / den
        if abs(est - target) / target <= tolerance:
            return num / den
    return None


def tempo_accuracy(reference_bpm, estimated_bpm, *, tolerance: float = TEMPO_TOLERANCE) -> dict[str, float]:
    """The MIREX tempo accuracies of one estimate: ``{"Acc1": 0 or 1, "Acc2": 0 or 1}``.

    - **Acc1**: 1.0 when ``|estimated / reference - 1| <= tolerance`` (4 %), else 0.0.
    - **Acc2**: 1.0 when the estimate is within the tolerance of the reference tempo or
      of 2x, 1/2x, 3x or 1/3x of it (:data:`TEMPO_FACTORS`): the right pulse at another
      metrical level ("octave errors") is forgiven. Acc2 >= Acc1 always.

    The mean over tracks of each key is the accuracy of a system (Gouyon et al. 2006;
    MIREX's "audio tempo estimation" task). Use :func:`reference_tempo_bpm` for the
    reference tempo of a beat annotation.

    Parameters
    ----------
    reference_bpm, estimated_bpm : float > 0
        Tempi in BPM.
    tolerance : float in [0, 1)
        Relative tolerance (default :data:`TEMPO_TOLERANCE` = 0.04).

    Returns
    -------
    dict
        ``{"Acc1": float, "Acc2": float}`` in that order (:data:`TEMPO_METRIC_NAMES`),
        each 0.0 or 1.0.

    Raises
    ------
    ParameterError
        A tempo that is not a positive finite number, or a tolerance outside [0, 1).

    Examples
    --------
    >>> tempo_accuracy(120.0, 124.0)
    {'Acc1': 1.0, 'Acc2': 1.0}
    >>> tempo_accuracy(120.0, 60.0)
    {'Acc1': 0.0, 'Acc2': 1.0}
    >>> tempo_accuracy(120.0, 80.0)          # 2:3 is not a metrical level Acc2 accepts
    {'Acc1': 0.0, 'Acc2': 0.0}

    References
    ----------
    .. [1] F. Gouyon, A. Klapuri, S. Dixon, M. Alonso, G. Tzanetakis, C. Uhle and P. Cano,
       "An experimental comparison of audio tempo induction algorithms", IEEE TASLP 14(5),
       2006.
    """
    factor = tempo_factor(reference_bpm, estimated_bpm, tolerance=tolerance)
    return {"Acc1": float(factor == 1.0), "Acc2": float(factor is not None)}


def _factor_label(factor: float | None) -> str:
    if factor is None:
        return "other"
    if factor == 1.0:
        return "agree"
    return {2.0: "x2", 0.5: "x1/2", 3.0: "x3"}.get(factor, "x1/3")


@dataclass(frozen=True)
class TempoComparison:
    """Two tempi per track, compared with the Acc1/Acc2 rule (:func:`compare_tempi`).

    Attributes
    ----------
    factors : dict
        ``{track_id: factor}``: 1.0 (agree within the tolerance), 2.0, 0.5, 3.0, 1/3
        (another metrical level) or None (anything else), for every compared track.
    reference_bpm, other_bpm : dict
        ``{track_id: BPM}`` of the two sources, for the same tracks.
    tolerance : float
    missing : tuple of str
        Track ids that only one of the two sources has (not compared).
    """

    factors: dict = field(repr=False)
    reference_bpm: dict = field(repr=False)
    other_bpm: dict = field(repr=False)
    tolerance: float = TEMPO_TOLERANCE
    missing: tuple = ()

    @property
    def counts(self) -> dict[str, int]:
        """``{"agree": n, "octave": n, "other": n}``: agree within the tolerance; at 2x, 1/2x,
        3x or 1/3x; anything else."""
        f = list(self.factors.values())
        agree = sum(1 for x in f if x == 1.0)
        other = sum(1 for x in f if x is None)
        return {"agree": agree, "octave": len(f) - agree - other, "other": other}

    @property
    def accuracy(self) -> dict[str, float]:
        """Mean Acc1 and Acc2 over the compared tracks (``other`` as the estimate)."""
        n = len(self.factors)
        counts = self.counts
        if n == 0:
            return {"Acc1": math.nan, "Acc2": math.nan}
        return {"Acc1": counts["agree"] / n, "Acc2": (counts["agree"] + counts["octave"]) / n}

    def disagreements(self) -> list[dict]:
        """One row per track whose tempi do not agree, for a table: track_id, both tempi,
        their ratio (other / reference) and the relation ("x2", "x1/2", "x3", "x1/3" or
        "other"); octave-like relations first, then by track id."""
        rows = [
            {"track_id": tid, "reference_bpm": self.reference_bpm[tid], "other_bpm": self.other_bpm[tid],
             "ratio": self.other_bpm[tid] / self.reference_bpm[tid], "relation": _factor_label(f)}
            for tid, f in self.factors.items() if f != 1.0
        ]
        return sorted(rows, key=lambda r: (r["relation"] == "other", r["track_id"]))

    def __repr__(self) -> str:
        return f"TempoComparison(n={len(self.factors)}, {self.counts}, missing={len(self.missing)})"


def compare_tempi(reference_bpm: Mapping, other_bpm: Mapping, *,
                  tolerance: float = TEMPO_TOLERANCE) -> TempoComparison:
    """Compare two tempi per track (e.g. annotation vs metadata, or reference vs estimate).

    Parameters
    ----------
    reference_bpm, other_bpm : Mapping[str, float]
        ``{track_id: BPM}``. Tracks in only one of them are listed in ``.missing``.
    tolerance : float
        As :func:`tempo_factor`.

    Returns
    -------
    TempoComparison
        ``.counts``, ``.accuracy`` (mean Acc1, Acc2 with ``other_bpm`` as the estimate),
        ``.disagreements()``.

    Examples
    --------
    >>> c = compare_tempi({"a": 100.0, "b": 120.0, "c": 90.0}, {"a": 103.0, "b": 60.0, "c": 135.0})
    >>> c.counts
    {'agree': 1, 'octave': 1, 'other': 1}
    >>> [(r["track_id"], r["relation"]) for r in c.disagreements()]
    [('b', 'x1/2'), ('c', 'other')]
    """
    for name, m in (("reference_bpm", reference_bpm), ("other_bpm", other_bpm)):
        if not isinstance(m, Mapping):
            raise ParameterError(f"{name} must be a dict track_id -> BPM, got {type(m).__name__}.")
    tolerance = _check_tolerance(tolerance)
    common = [t for t in reference_bpm if t in other_bpm]
    missing = tuple(sorted(set(reference_bpm).symmetric_difference(other_bpm)))
    ref = {t: _check_bpm(reference_bpm[t], f"reference_bpm[{t!r}]") for t in common}
    oth = {t: _check_bpm(other_bpm[t], f"other_bpm[{t!r}]") for t in common}
    factors = {t: tempo_factor(ref[t], oth[t], tolerance=tolerance) for t in common}
    return TempoComparison(factors, ref, oth, tolerance, missing)


def compare_metadata_tempo(metadata: Mapping, reference_beats: Mapping, *,
                           tolerance: float = TEMPO_TOLERANCE) -> TempoComparison:
    """metadata.csv's BPM against the tempo of each track's beat annotation.

    On the 912 Harmonix tracks they agree within 4 % on 877; 26 differ by an octave-like
    factor (x2, 1/2, x3, 1/3: the annotators counted another metrical level than
    metadata.csv gives) and 9 by something else (``tests/test_evaluate.py`` checks these
    counts on the real files). Which tempo a score uses matters: the course scores
    against the annotation (:func:`reference_tempo_bpm`), the beats being scored.

    Parameters
    ----------
    metadata : Mapping[str, helpers.data.TrackMeta]
        From :func:`helpers.data.load_metadata` (anything with a ``.bpm`` attribute).
    reference_beats : Mapping[str, np.ndarray or helpers.data.Beats]
        ``{track_id: beat times (s)}``, e.g. ``{t: load_beats(path_of(t)) for t in ids}``.
    tolerance : float

    Returns
    -------
    TempoComparison
        Reference = the annotation's tempo, other = metadata.csv's BPM;
        ``.disagreements()`` lists the tracks that differ.
    """
    if not isinstance(metadata, Mapping) or not isinstance(reference_beats, Mapping):
        raise ParameterError(
            "metadata and reference_beats must be dicts keyed by track id: "
            "helpers.data.load_metadata(path) and {track_id: helpers.data.load_beats(path)}."
        )
    annotation = {}
    for tid, beats in reference_beats.items():
        try:
            annotation[tid] = reference_tempo_bpm(beats)
        except ParameterError as exc:
            raise ParameterError(f"track {tid!r}: {exc}") from None
    listed = {}
    for tid, meta in metadata.items():
        bpm = getattr(meta, "bpm", None)
        if bpm is None:
            raise ParameterError(f"metadata[{tid!r}] has no .bpm; pass helpers.data.load_metadata(path).")
        listed[tid] = bpm
    return compare_tempi(annotation, listed, tolerance=tolerance)
