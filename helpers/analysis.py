r"""Where and why a beat tracker fails: distributions, breakdowns, an error taxonomy.

Taught in the Week 4 notebook (``04_where_and_why_it_fails.ipynb``).  It reads Week 3's
results (:class:`helpers.batch.BatchResult`, from :func:`helpers.batch.run_batch` or
:func:`helpers.batch.load_results`) and never re-tracks what the cache already holds.

Conventions
-----------
- Beat times are in **seconds**, strictly increasing; tempi in BPM; a *tempo ratio* is
  estimated tempo / reference tempo (0.5 = half tempo, 2 = double tempo); a *phase* is
  a position inside the reference beat interval, in beats, in (-0.5, 0.5] (0 = on the
  beat, 0.5 = exactly between two beats).
- Scores come from :func:`helpers.evaluate.evaluate_beats`, with beats before ``trim_s``
  (5 s) removed from both sequences; every evidence below is measured on the same
  trimmed beats.
- A metric may be named by its mir_eval name (``"F-measure"``) or its short name (``"F"``).
- Everything random (the bootstrap) takes a ``seed``: same seed, same numbers.

What is here
------------
- Distributions: :func:`bootstrap_mean_ci` (percentile bootstrap of a mean),
  :func:`share_above` (share of tracks at or above thresholds).
- Breakdowns by metadata: :func:`breakdown` (genre, tempo band, time signature or any
  function of a :class:`helpers.data.TrackMeta`), :func:`tempo_band`.
- The error taxonomy: :func:`classify_track` (one track -> :class:`Diagnosis`: its class,
  the rule that fired, the evidence), :func:`classify_results` (a whole BatchResult),
  :func:`count_classes`, :func:`failure_window` (where in a track it goes wrong).
- The frame grid: :func:`quantize_to_frames`, :func:`frame_rate_ceiling` (what rounding
  beat times to the frame grid costs each metric, and what sub-frame refinement recovers).
- Paired comparisons: :func:`paired_comparison`, :func:`score_matrix`, :func:`everyone_fails`.
- Parameter sensitivity: :func:`sensitivity_sweep` (a grid of
  :class:`helpers.beat.TrackerParams` through :func:`helpers.batch.run_batch` and its cache,
  on the dev split when its best setting is to be reported on test).
- Honest reporting: :func:`split_result` (one part of the fixed dev/test split,
  :mod:`helpers.splits`), :func:`small_sample_note`, :func:`rescore` (the same estimates under
  another trim: mir_eval's ``f_measure`` alone does not trim, ``evaluate`` does).
- The metric playground (Week 3): :func:`constructed_estimates` (half and double tempo,
  off-beat, 60 ms late, +-69 ms alternating).

The taxonomy (one class per track, rules applied in this order)
----------------------------------------------------------------
1. ``correct``: CMLt >= :data:`LOCKED_THRESHOLD` -- tracked at the annotated tempo and
   phase for most of the track.
2. AMLt >= :data:`LOCKED_THRESHOLD` but CMLt below it -- the right *pulse* at another
   metrical level.  Which one is read from the estimated vs reference beat intervals
   and phase:

   - ``half-tempo``: tempo ratio within :data:`TEMPO_RATIO_TOLERANCE` (relative) of 1/2;
   - ``double-tempo``: tempo ratio within the tolerance of 2;
   - ``off-beat``: tempo ratio within the tolerance of 1 and phase within
     :data:`OFFBEAT_PHASE_TOLERANCE` beats of 1/2 (right tempo, wrong phase);
   - otherwise ``other``.
3. ``lost-lock``: :data:`LOST_LOCK_MIN_AMLT` <= AMLt < :data:`LOCKED_THRESHOLD` --
   tracked at some level for part of the track only: it locked, then lost it (a tempo
   drift or step, a break, an intro without drums ...).
4. ``other``: AMLt < :data:`LOST_LOCK_MIN_AMLT` -- never locked at any level the
   metrics know (including a 3:2 or 1:3 tempo ratio, which the AML variations ignore).

The tolerances are mir_eval's own continuity tolerances (17.5 %), so "locked" means
what CMLt and AMLt mean.  ``correct`` is about the metrical level and phase: a track
tracked at the right tempo and phase but 60 ms late is ``correct`` with a lower
F-measure; :attr:`Diagnosis.timing_error_s` says so.

References
----------
.. [1] M. E. P. Davies, N. Degara and M. D. Plumbley, "Evaluation Methods for Musical
   Audio Beat Tracking Algorithms", Technical Report C4DM-TR-09-06, QMUL, 2009.
.. [2] B. Efron and R. J. Tibshirani, "An Introduction to the Bootstrap", Chapman &
   Hall, 1993 (the percentile interval, chapter 13).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .data import Dataset, MelParams, TrackMeta
from .errors import ParameterError
from .splits import check_split, select_split
from .evaluate import (
    CONTINUITY_PERIOD_THRESHOLD,
    CONTINUITY_PHASE_THRESHOLD,
    FMEASURE_WINDOW_S,
    METRIC_NAMES,
    SHORT_NAMES,
    TRIM_S,
    beat_errors_s,
    evaluate_beats,
    long_metric_name,
    trim_beats,
    validate_beats,
)

__all__ = [
    "FAILURE_CLASSES",
    "CLASS_DESCRIPTIONS",
    "LOCKED_THRESHOLD",
    "LOST_LOCK_MIN_AMLT",
    "TEMPO_RATIO_TOLERANCE",
    "OFFBEAT_PHASE_TOLERANCE",
    "TEMPO_BAND_EDGES_BPM",
    "SCORE_THRESHOLDS",
    "N_BOOTSTRAP",
    "CONFIDENCE",
    "TIE_TOLERANCE",
    "FAIL_THRESHOLD",
    "FAILURE_WINDOW_S",
    "MeanCI",
    "bootstrap_mean_ci",
    "share_above",
    "GroupStats",
    "tempo_band",
    "breakdown",
    "Diagnosis",
    "classify_track",
    "classify_results",
    "count_classes",
    "failure_window",
    "beat_errors_s",
    "pooled_beat_errors_s",
    "quantize_to_frames",
    "frame_rate_ceiling",
    "PairedComparison",
    "paired_comparison",
    "score_matrix",
    "everyone_fails",
    "SweepResult",
    "sensitivity_sweep",
    "SMALL_SAMPLE_TRACKS",
    "split_result",
    "small_sample_note",
    "rescore",
    "CONSTRUCTED_ESTIMATES",
    "constructed_estimates",
]

# --------------------------------------------------------------------------- constants
#: The failure classes, in the order tables and plots show them.
FAILURE_CLASSES = ("correct", "half-tempo", "double-tempo", "off-beat", "lost-lock", "other")
#: One sentence per class, for tables and legends.
CLASS_DESCRIPTIONS = {
    "correct": "tracked at the annotated tempo and phase (CMLt high)",
    "half-tempo": "the right pulse at half the annotated tempo: every other beat",
    "double-tempo": "the right pulse at twice the annotated tempo: a beat between every two",
    "off-beat": "the annotated tempo, but half a beat out of phase",
    "lost-lock": "locked for part of the track only (tempo drift or step, break, intro ...)",
    "other": "never locked at a metrical level the metrics know",
}
#: CMLt (or AMLt) at or above which a track counts as tracked at that metrical level.
LOCKED_THRESHOLD = 0.8
#: AMLt at or above which (but below :data:`LOCKED_THRESHOLD`) a track locked for part of it.
LOST_LOCK_MIN_AMLT = 0.25
#: Relative tolerance of a tempo ratio around 1/2, 1 and 2 (mir_eval's continuity tolerance).
TEMPO_RATIO_TOLERANCE = CONTINUITY_PERIOD_THRESHOLD
#: Tolerance of the off-beat phase around 1/2, in beats (mir_eval's continuity tolerance).
OFFBEAT_PHASE_TOLERANCE = CONTINUITY_PHASE_THRESHOLD
#: Edges of the tempo bands of :func:`tempo_band` (BPM); Harmonix spans 57-237, median 119.
TEMPO_BAND_EDGES_BPM = (90.0, 110.0, 130.0, 160.0)
#: Default thresholds of :func:`share_above`.
SCORE_THRESHOLDS = (0.5, 0.8, 0.95)
#: Default number of bootstrap resamples.
N_BOOTSTRAP = 2000
#: Default confidence level of the intervals.
CONFIDENCE = 0.95
#: Two scores closer than this are a tie in :func:`paired_comparison`.
TIE_TOLERANCE = 0.01
#: A track "fails" for a system when its score is below this (:func:`everyone_fails`).
FAIL_THRESHOLD = 0.5
#: Length of the excerpt :func:`failure_window` picks (s).
FAILURE_WINDOW_S = 10.0
#: Fewer tracks than this and :func:`small_sample_note` warns: with per-track F spread
#: about 0.3 (typical of beat trackers), a 95 % interval of the mean is then wider than +-0.1
#: (1.96 * 0.3 / sqrt(30) = 0.107).
SMALL_SAMPLE_TRACKS = 30
#: Below this many tracks :func:`sensitivity_sweep` runs in one process: starting worker
#: processes for every setting costs more than the few tracks save (measured on the demo set).
SWEEP_POOL_MIN_TRACKS = 50
#: The constructed estimates of :func:`constructed_estimates`, in table order.
CONSTRUCTED_ESTIMATES = ("half tempo", "double tempo", "off-beat", "60 ms late", "69 ms alternating")
#: How late the "60 ms late" estimate is (s): inside the F window (70 ms), outside Cemgil's sigma (40 ms).
LATE_S = 0.060
#: The alternating offset (s) of the "69 ms alternating" estimate: just inside the +-70 ms F window.
ALTERNATING_S = 0.069

def _values(values) -> np.ndarray:
    """Per-track scores as a 1-D float array; failed tracks (None/NaN) must be dropped first."""
    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or not np.all(np.isfinite(x)):
        raise ParameterError(f"values must be a 1-D sequence of finite numbers (drop failed tracks first), "
                             f"got shape {x.shape} with {int(np.sum(~np.isfinite(x)))} non-finite.")
    return x


def _check_confidence(confidence) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        raise ParameterError(f"confidence={confidence!r} must be a number in (0, 1), e.g. 0.95.")
    return float(confidence)


# =========================================================================== distributions
class MeanCI(NamedTuple):
    """A mean with its confidence interval (``low <= mean <= high``) over ``n`` values."""

    mean: float
    low: float
    high: float
    n: int

    def __str__(self) -> str:
        return f"{self.mean:.3f} [{self.low:.3f}, {self.high:.3f}] (n={self.n})"


def bootstrap_mean_ci(values, *, n_boot: int = N_BOOTSTRAP, confidence: float = CONFIDENCE,
                      seed: int = 0) -> MeanCI:
    """The mean of ``values`` and its percentile-bootstrap confidence interval.

    Resample the values with replacement ``n_boot`` times, take the mean of each
    resample; the interval holds the central ``confidence`` share of those means.

    Parameters
    ----------
    values : array_like [shape=(n,)]
        Per-track scores (finite numbers).
    n_boot : int >= 1
        Number of resamples.
    confidence : float in (0, 1)
    seed : int
        Seed of the resampling.

    Returns
    -------
    MeanCI
        ``(mean, low, high, n)``; one value gives ``low == high == mean``.

    Raises
    ------
    ParameterError
        No values, non-finite values, or a bad ``n_boot``/``confidence``.

    Examples
    --------
    >>> bootstrap_mean_ci([0.0, 1.0] * 50, seed=0).mean
    0.5
    """
    x = _values(values)
    if x.size == 0:
        raise ParameterError("bootstrap_mean_ci needs at least one value.")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise ParameterError(f"n_boot={n_boot!r} must be a whole number >= 1 (e.g. {N_BOOTSTRAP}).")
    confidence = _check_confidence(confidence)
    rng = np.random.default_rng(seed)
    means = np.empty(n_boot)
    rows = max(1, 2_000_000 // x.size)          # bounded memory for large data sets
    for start in range(0, n_boot, rows):
        stop = min(n_boot, start + rows)
        means[start:stop] = x[rng.integers(0, x.size, size=(stop - start, x.size))].mean(axis=1)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    mean = float(x.mean())
    return MeanCI(mean, float(min(low, mean)), float(max(high, mean)), int(x.size))


def share_above(values, thresholds=SCORE_THRESHOLDS) -> dict[float, float]:
    """The share of values at or above each threshold (``{threshold: share}``, shares in [0, 1])."""
    x = _values(values)
    if x.size == 0:
        raise ParameterError("share_above needs at least one value.")
    return {float(t): float(np.mean(x >= t)) for t in np.atleast_1d(np.asarray(thresholds, dtype=float))}


# =========================================================================== breakdowns
@dataclass(frozen=True)
class GroupStats:
    """One group of a :func:`breakdown`.

    Attributes
    ----------
    group : str
    n : int
        Tracks in the group.
    mean, low, high : float
        Mean score and its bootstrap confidence interval.
    difference : float
        ``mean`` minus the mean over all tracks (negative = harder than average).
    track_ids : tuple of str
    """

    group: str
    n: int
    mean: float
    low: float
    high: float
    difference: float
    track_ids: tuple = field(repr=False, default=())

    def row(self) -> dict:
        """A flat dict for :func:`helpers.batch.format_table`."""
        return {"group": self.group, "n": self.n, "mean": self.mean, "ci_low": self.low, "ci_high": self.high,
                "vs_all": self.difference}


def tempo_band(bpm: float, *, edges_bpm=TEMPO_BAND_EDGES_BPM) -> str:
    """The tempo band of a tempo, e.g. ``"90-110 BPM"``, ``"< 90 BPM"``, ``">= 160 BPM"``."""
    edges = [float(e) for e in edges_bpm]
    if not edges or any(b <= a for a, b in zip(edges, edges[1:])):
        raise ParameterError(f"edges_bpm={edges_bpm!r} must be increasing tempi (BPM).")
    if not (isinstance(bpm, (int, float, np.floating)) and math.isfinite(bpm) and bpm > 0):
        raise ParameterError(f"bpm={bpm!r} must be a positive tempo in beats per minute.")
    if bpm < edges[0]:
        return f"< {edges[0]:g} BPM"
    for lo, hi in zip(edges, edges[1:]):
        if bpm < hi:
            return f"{lo:g}-{hi:g} BPM"
    return f">= {edges[-1]:g} BPM"


_GROUPINGS: dict[str, Callable[[TrackMeta], str]] = {
    "genre": lambda m: m.genre or "(no genre)",
    "tempo_band": lambda m: tempo_band(m.bpm),
    "time_signature": lambda m: m.time_signature or "(no time signature)",
}


def breakdown(result, metadata: Mapping[str, TrackMeta], *, by="genre", metric: str = "F-measure",
              n_boot: int = N_BOOTSTRAP, confidence: float = CONFIDENCE, seed: int = 0) -> list[GroupStats]:
    """Mean score per group of tracks (genre, tempo band, time signature ...), with CIs.

    Parameters
    ----------
    result : helpers.batch.BatchResult
        Per-track scores (failed tracks are left out).
    metadata : dict[str, TrackMeta]
        ``Dataset.metadata`` (metadata.csv).  Tracks without a row form the group
        ``"(no metadata)"``.
    by : {"genre", "tempo_band", "time_signature"} or callable
        How to group; a function ``TrackMeta -> str`` works too.
    metric : str
    n_boot, confidence, seed
        As :func:`bootstrap_mean_ci`.

    Returns
    -------
    list of GroupStats
        Hardest group (lowest mean) first.
    """
    if isinstance(by, str):
        if by not in _GROUPINGS:
            raise ParameterError(f"by={by!r}: use one of {sorted(_GROUPINGS)} or a function TrackMeta -> str.")
        key = _GROUPINGS[by]
    elif callable(by):
        key = by
    else:
        raise ParameterError(f"by must be a name {sorted(_GROUPINGS)} or a function, got {by!r}.")
    metric = long_metric_name(metric)
    ok = [r for r in result.tracks if r.ok]
    if not ok:
        raise ParameterError(f"{result.name}: no successfully scored track to break down.")
    groups: dict[str, list] = {}
    for r in ok:
        meta = metadata.get(r.track_id)
        name = "(no metadata)" if meta is None else str(key(meta))
        groups.setdefault(name, []).append(r)
    overall = float(np.mean([r.scores[metric] for r in ok]))
    rows = []
    for name, members in groups.items():
        ci = bootstrap_mean_ci([r.scores[metric] for r in members], n_boot=n_boot, confidence=confidence, seed=seed)
        rows.append(GroupStats(name, ci.n, ci.mean, ci.low, ci.high, ci.mean - overall,
                               tuple(r.track_id for r in members)))
    return sorted(rows, key=lambda g: (g.mean, g.group))


# =========================================================================== taxonomy
@dataclass(frozen=True)
class Diagnosis:
    """The failure class of one track and the evidence behind it (see the module docstring).

    Attributes
    ----------
    label : str
        One of :data:`FAILURE_CLASSES`.
    reason : str
        The rule that fired, with the numbers.
    track_id : str or None
    f_measure, cmlt, amlt : float
        The scores the rules read.
    tempo_ratio : float
        Estimated / reference tempo from the median beat intervals (NaN with fewer than
        two beats on either side).
    reference_tempo_bpm, estimated_tempo_bpm : float
        ``60 / median beat interval`` (NaN with fewer than two beats).
    phase_beats : float
        Circular mean of where the estimated beats fall inside the reference beat
        intervals, in beats, in (-0.5, 0.5]: 0 = on the beat, 0.5 = off-beat (NaN
        without estimated beats inside the reference).
    phase_consistency : float
        Length of that circular mean, 0 (phases all over) to 1 (all at the same phase).
    timing_error_s : float
        Median signed error (estimate - nearest reference, s) of the estimated beats
        within +-70 ms of a reference beat; positive = late (NaN if none).
    reference_tempo_spread : float
        90th / 10th percentile of the reference beat intervals: 1.0 for a steady
        tempo, larger when the annotated tempo drifts or steps (NaN with < 3 beats).
    n_reference_beats, n_estimated_beats : int
        After trimming.
    """

    label: str
    reason: str
    track_id: str | None
    f_measure: float
    cmlt: float
    amlt: float
    tempo_ratio: float
    reference_tempo_bpm: float
    estimated_tempo_bpm: float
    phase_beats: float
    phase_consistency: float
    timing_error_s: float
    reference_tempo_spread: float
    n_reference_beats: int
    n_estimated_beats: int

    def row(self) -> dict:
        """A flat dict (for tables): every field but the reason, plus the reason last."""
        d = dataclasses.asdict(self)
        reason = d.pop("reason")
        return {**d, "reason": reason}


def _tempo_bpm(beats_s: np.ndarray) -> float:
    return 60.0 / float(np.median(np.diff(beats_s))) if beats_s.size >= 2 else math.nan


def _phases(reference_s: np.ndarray, estimated_s: np.ndarray) -> np.ndarray:
    """Position of each estimated beat inside its reference beat interval, in beats, in [0, 1)."""
    if reference_s.size < 2:
        return np.zeros(0)
    inside = estimated_s[(estimated_s >= reference_s[0]) & (estimated_s < reference_s[-1])]
    k = np.searchsorted(reference_s, inside, side="right") - 1
    return (inside - reference_s[k]) / (reference_s[k + 1] - reference_s[k])


def pooled_beat_errors_s(result, reference, *, max_error_s: float = FMEASURE_WINDOW_S) -> np.ndarray:
    """:func:`beat_errors_s` of every estimated beat of every scored track, pooled.

    Only errors with ``|error| <= max_error_s`` are kept (default: the F-measure
    window), i.e. the beats that are near a reference beat at all.

    Parameters
    ----------
    result : helpers.batch.BatchResult
    reference : helpers.data.Dataset or dict
        As :func:`classify_results`.
    max_error_s : float > 0
    """
    if not (isinstance(max_error_s, (int, float)) and max_error_s > 0):
        raise ParameterError(f"max_error_s={max_error_s!r} must be a positive number of seconds.")
    get_reference = _reference_getter(reference)
    trim_s = _trim_of(result)
    parts = [beat_errors_s(get_reference(r.track_id), r.beat_times_s, trim_s=trim_s)
             for r in result.tracks if r.ok and r.beat_times_s is not None]
    errors = np.concatenate(parts) if parts else np.zeros(0)
    return errors[np.abs(errors) <= max_error_s]


def _near(value: float, target: float, tolerance: float) -> bool:
    return math.isfinite(value) and abs(value / target - 1.0) <= tolerance


def classify_track(reference_beats_s, estimated_beats_s, *, scores: Mapping[str, float] | None = None,
                   trim_s: float = TRIM_S, track_id: str | None = None) -> Diagnosis:
    """Classify one track into :data:`FAILURE_CLASSES` from its beats (and scores).

    The rules (module docstring): CMLt high -> ``correct``; AMLt high but CMLt low ->
    ``half-tempo`` / ``double-tempo`` (tempo ratio ~ 1/2 or 2) or ``off-beat`` (ratio ~ 1,
    phase ~ 1/2); AMLt partial -> ``lost-lock``; else ``other``.

    Parameters
    ----------
    reference_beats_s, estimated_beats_s : np.ndarray [shape=(n,)]
        Beat times in seconds, strictly increasing.
    scores : dict, optional
        The track's scores (a :class:`helpers.batch.TrackResult`'s ``scores``); must hold
        F-measure, CMLt and AMLt.  Computed with :func:`helpers.evaluate.evaluate_beats`
        when omitted.
    trim_s : float
        Beats before this time are ignored (as in the scores).
    track_id : str, optional
        Carried into the result.

    Returns
    -------
    Diagnosis

    Examples
    --------
    >>> ref = np.arange(0.5, 60, 0.5)                       # 120 BPM
    >>> classify_track(ref, ref[::2]).label                  # every other beat
    'half-tempo'
    >>> classify_track(ref, ref[:-1] + 0.25).label           # between the beats
    'off-beat'
    """
    ref_all = validate_beats(reference_beats_s, name="reference_beats_s")
    est_all = validate_beats(estimated_beats_s, name="estimated_beats_s")
    names = ("F-measure", "Correct Metric Level Total", "Any Metric Level Total")
    if scores is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # empty input: defined zeros, the rules handle them
            scores = evaluate_beats(ref_all, est_all, trim_s=trim_s, metrics=names)
    missing = [m for m in names if m not in scores]
    if missing:
        raise ParameterError(f"scores lack {missing}; pass all metrics (a TrackResult's scores) or scores=None.")
    f, cmlt, amlt = (float(scores[m]) for m in names)
    ref, est = trim_beats(ref_all, trim_s=trim_s), trim_beats(est_all, trim_s=trim_s)

    ref_bpm, est_bpm = _tempo_bpm(ref), _tempo_bpm(est)
    ratio = est_bpm / ref_bpm if math.isfinite(ref_bpm) and math.isfinite(est_bpm) else math.nan
    phases = _phases(ref, est)
    if phases.size:
        z = np.mean(np.exp(2j * np.pi * phases))
        phase = float(np.angle(z) / (2 * np.pi))
        phase = 0.5 if phase <= -0.5 else phase
        consistency = float(abs(z))
    else:
        phase = consistency = math.nan
    spread = (float(np.percentile(np.diff(ref), 90) / np.percentile(np.diff(ref), 10))
              if ref.size >= 3 else math.nan)

    lock, tol = LOCKED_THRESHOLD, TEMPO_RATIO_TOLERANCE
    if cmlt >= lock:
        label, reason = "correct", f"CMLt {cmlt:.2f} >= {lock}: the annotated tempo and phase"
    elif amlt >= lock:
        level = f"AMLt {amlt:.2f} >= {lock} but CMLt {cmlt:.2f} < {lock}: the right pulse at another level"
        if _near(ratio, 0.5, tol):
            label, reason = "half-tempo", f"{level}; tempo ratio {ratio:.2f} ~ 1/2"
        elif _near(ratio, 2.0, tol):
            label, reason = "double-tempo", f"{level}; tempo ratio {ratio:.2f} ~ 2"
        elif _near(ratio, 1.0, tol) and math.isfinite(phase) and abs(abs(phase) - 0.5) <= OFFBEAT_PHASE_TOLERANCE:
            label, reason = "off-beat", f"{level}; tempo ratio {ratio:.2f} ~ 1, phase {phase:+.2f} beat ~ 1/2"
        else:
            label, reason = "other", f"{level}; but tempo ratio {ratio:.2f} and phase {phase:+.2f} beat fit no rule"
    elif amlt >= LOST_LOCK_MIN_AMLT:
        label = "lost-lock"
        reason = f"AMLt {amlt:.2f} in [{LOST_LOCK_MIN_AMLT}, {lock}): locked for part of the track only"
        if math.isfinite(spread) and spread > 1.0 + tol:
            reason += f"; the annotated tempo changes (beat intervals vary {spread:.2f}x)"
    else:
        label = "other"
        reason = f"AMLt {amlt:.2f} < {LOST_LOCK_MIN_AMLT}: never locked at a level the metrics know"
        if math.isfinite(ratio):
            reason += f" (tempo ratio {ratio:.2f})"
    errors = beat_errors_s(ref, est, trim_s=0.0)
    errors = errors[np.abs(errors) <= FMEASURE_WINDOW_S]
    timing = float(np.median(errors)) if errors.size else math.nan
    return Diagnosis(label, reason, track_id, f, cmlt, amlt, ratio, ref_bpm, est_bpm, phase, consistency,
                     timing, spread, int(ref.size), int(est.size))


def _reference_getter(reference) -> Callable[[str], np.ndarray]:
    if isinstance(reference, Dataset):
        return lambda tid: reference.load_beats(tid).times_s
    if isinstance(reference, Mapping):
        return lambda tid: np.asarray(getattr(reference[tid], "times_s", reference[tid]), dtype=float)
    raise ParameterError(f"reference must be a Dataset or a dict track_id -> beat times (s), "
                         f"got {type(reference).__name__}.")


def _trim_of(result) -> float:
    return float(result.config.get("evaluation", {}).get("trim_s", TRIM_S))


def classify_results(result, reference) -> dict[str, Diagnosis]:
    """:func:`classify_track` on every successfully scored track of a BatchResult.

    Parameters
    ----------
    result : helpers.batch.BatchResult
        From :func:`helpers.batch.run_batch`, :func:`~helpers.batch.load_results` or
        :func:`~helpers.batch.evaluate_published`.  Its trim (``config["evaluation"]``) is used.
    reference : helpers.data.Dataset or dict
        Where the reference beats come from (a dict maps track id -> seconds or ``Beats``).

    Returns
    -------
    dict
        Track id -> :class:`Diagnosis`, in the result's order.  Failed tracks and tracks
        whose estimated beats are not available are left out (a warning counts them).
    """
    get_reference = _reference_getter(reference)
    trim_s = _trim_of(result)
    out, skipped = {}, []
    for r in result.tracks:
        if not r.ok or r.beat_times_s is None:
            skipped.append(r.track_id)
            continue
        out[r.track_id] = classify_track(get_reference(r.track_id), r.beat_times_s, scores=r.scores,
                                         trim_s=trim_s, track_id=r.track_id)
    if skipped:
        warnings.warn(f"{result.name}: {len(skipped)} track(s) not classified (failed, or no estimated beats "
                      f"saved): {skipped[:5]}{' ...' if len(skipped) > 5 else ''}", stacklevel=2)
    return out


def count_classes(diagnoses) -> dict[str, int]:
    """How many tracks fall in each class, in :data:`FAILURE_CLASSES` order (zeros included)."""
    items = diagnoses.values() if isinstance(diagnoses, Mapping) else diagnoses
    counts = dict.fromkeys(FAILURE_CLASSES, 0)
    for d in items:
        counts[d.label] += 1
    return counts


def failure_window(reference_beats_s, estimated_beats_s, *, window_s: float = FAILURE_WINDOW_S,
                   trim_s: float = TRIM_S) -> tuple[float, float]:
    """The ``window_s``-second stretch (after ``trim_s``) where most reference beats are missed.

    A reference beat is missed when no estimated beat lies within +-70 ms of it (the
    F-measure window).  For a gallery plot or a listening excerpt of a failure.

    Returns
    -------
    (start_s, end_s) : tuple of float
        The window with the most missed reference beats (the earliest such one); for a
        track without reference beats after the trim, ``(trim_s, trim_s + window_s)``.
    """
    if not (isinstance(window_s, (int, float)) and window_s > 0):
        raise ParameterError(f"window_s={window_s!r} must be a positive number of seconds.")
    ref = trim_beats(validate_beats(reference_beats_s, name="reference_beats_s"), trim_s=trim_s)
    est = validate_beats(estimated_beats_s, name="estimated_beats_s")
    if ref.size == 0:
        return float(trim_s), float(trim_s) + float(window_s)
    # beat_errors_s seen from the reference side: each reference beat's distance to the nearest estimate
    if trim_beats(est, trim_s=trim_s).size:
        missed = np.abs(beat_errors_s(est, ref, trim_s=trim_s)) > FMEASURE_WINDOW_S
    else:
        missed = np.ones(ref.size, dtype=bool)
    starts = np.maximum(ref - 0.5 * FMEASURE_WINDOW_S, float(trim_s))   # a window starts just before a beat
    counts = np.array([np.sum(missed & (ref >= s) & (ref < s + window_s)) for s in starts])
    start = float(starts[int(np.argmax(counts))])
    return start, start + float(window_s)


# =========================================================================== the frame grid (frame_rate_ceiling)
def quantize_to_frames(times_s, *, params: MelParams) -> np.ndarray:
    """Beat times moved to the nearest frame time (``k * hop / sr``), as a frame-wise tracker must place them.

    Two beats falling on the same frame (only above ~1300 BPM at hop 1024) become one.
    """
    times = validate_beats(times_s, name="times_s")
    return np.unique(params.frames_to_time(params.time_to_frames(times)))


def _scored(track_id: str, reference_s, estimate_s, trim_s: float):
    from .batch import TrackResult

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scores = evaluate_beats(reference_s, estimate_s, trim_s=trim_s)
    return TrackResult(track_id, scores, estimate_s, None, tuple(dict.fromkeys(str(w.message) for w in caught)),
                       int(np.size(reference_s)), "tracked", 0.0)


def frame_rate_ceiling(dataset, *, track_ids=None, refine: bool = True, tracker_params=None,
                       trim_s: float = TRIM_S, progress: bool = True) -> dict:
    """Score the reference beats themselves after rounding them to the frame grid (and refining them).

    Each reference beat is moved to the nearest frame time (at most half a frame: 23.2 ms
    at hop 1024), then -- with ``refine`` -- moved again by the tracker's sub-frame
    refinement (:func:`helpers.beat.refine_beat_times` on the tracker's novelty).  What
    this measures, per metric: the cost of **rounding** beat times to the frame grid, and
    how much of it the refinement **recovers**.  Since half a frame is far inside the
    +-70 ms F-measure window, the rounded reference scores F = 1 (and CMLt = AMLt = 1) by
    construction; only the timing-sensitive metrics (Cemgil, sigma 40 ms; information
    gain; the timing error itself) see the grid.

    What it does *not* measure: what the input's resolution costs a tracker.  A tracker
    on coarser frames also gets a blurrier novelty curve and a coarser tempo; the
    reference beats here are placed by an oracle.  For that question, track the same
    music rendered at several hops (the course's resolution benchmark,
    ``benchmarks/bench_resolution.py``).

    Parameters
    ----------
    dataset : helpers.data.Dataset
    track_ids : sequence of str, optional
        Default: all paired tracks.
    refine : bool
        Also the refined version (loads every mel-spectrogram to compute the tracker's
        novelty, :func:`helpers.beat.tracker_novelty`; the reference on the grid needs
        only the beat files).
    tracker_params : helpers.beat.TrackerParams, optional
        Novelty and refinement parameters (default: the tracker's defaults).
    trim_s : float
    progress : bool
        A progress bar over the tracks.

    Returns
    -------
    dict
        ``{"frame grid": BatchResult, "frame grid + refinement": BatchResult}`` (the
        second only with ``refine``); compare them with :func:`helpers.batch.compare`.
    """
    from tqdm.auto import tqdm

    from .batch import BatchResult
    from .beat import TrackerParams, refine_beat_times, tracker_novelty

    if not isinstance(dataset, Dataset):
        raise ParameterError(f"dataset must be a helpers.data.Dataset (open_dataset()), got {type(dataset).__name__}.")
    p = TrackerParams() if tracker_params is None else tracker_params
    if not isinstance(p, TrackerParams):
        raise ParameterError(f"tracker_params must be a TrackerParams, got {type(p).__name__}.")
    ids = list(dataset.track_ids if track_ids is None else track_ids)
    unknown = sorted(set(ids) - set(dataset.track_ids))
    if unknown:
        raise ParameterError(f"unknown track id(s) {unknown[:5]}: not among the {len(dataset.track_ids)} "
                             "paired tracks.")
    params = dataset.params
    grid, refined = [], []
    start = time.perf_counter()
    for tid in tqdm(ids, desc="frame grid", unit="track", disable=not progress, dynamic_ncols=True):
        reference = dataset.load_beats(tid).times_s
        grid.append(_scored(tid, reference, quantize_to_frames(reference, params=params), trim_s))
        if refine:
            novelty = tracker_novelty(dataset.load_melspec(tid), mel_params=params, tracker_params=p)
            frames = np.unique(np.clip(params.time_to_frames(reference), 0, len(novelty) - 1))
            times = refine_beat_times(novelty, frames, method=p.refine) - p.novelty_delay_s
            times = np.unique(np.clip(times, 0.0, None))
            refined.append(_scored(tid, reference, times, trim_s))
    seconds = time.perf_counter() - start

    def config(system: str) -> dict:
        return {"system": system, "data": {"name": dataset.name, "mel_params": params.to_info_json()},
                "tracker": {"tracker": system, "params": p.to_dict() if system.endswith("refinement") else {}},
                "evaluation": {"trim_s": trim_s, "fmeasure_window_s": FMEASURE_WINDOW_S}}

    out = {"frame grid": BatchResult(grid, config("frame grid"), seconds)}
    if refine:
        out["frame grid + refinement"] = BatchResult(refined, config("frame grid + refinement"), seconds)
    return out


# =========================================================================== paired comparisons
def score_matrix(results: Mapping, *, metric: str = "F-measure") -> tuple[list[str], list[str], np.ndarray]:
    """Per-track scores of several systems on the tracks that every one scored.

    Returns
    -------
    track_ids : list of str
    systems : list of str
    scores : np.ndarray [shape=(n_tracks, n_systems)]
    """
    if not isinstance(results, Mapping) or not results:
        raise ParameterError("results must be a non-empty dict system name -> BatchResult.")
    metric = long_metric_name(metric)
    common = None
    for res in results.values():
        ok = {r.track_id for r in res.tracks if r.ok}
        common = ok if common is None else common & ok
    ids = sorted(common)
    systems = list(results)
    scores = np.array([[results[s][t].scores[metric] for s in systems] for t in ids], dtype=float).reshape(len(ids),
                                                                                                        len(systems))
    return ids, systems, scores


@dataclass(frozen=True)
class PairedComparison:
    """System A vs system B on the same tracks (:func:`paired_comparison`).

    Attributes
    ----------
    system_a, system_b, metric : str
    track_ids : tuple of str
    scores_a, scores_b : np.ndarray
    wins, losses, ties : int
        Tracks where A scores more than B by more than the tie tolerance, less, or about the same.
    difference : MeanCI
        Mean of A - B with its bootstrap confidence interval.
    """

    system_a: str
    system_b: str
    metric: str
    track_ids: tuple
    scores_a: np.ndarray = field(repr=False)
    scores_b: np.ndarray = field(repr=False)
    wins: int
    losses: int
    ties: int
    difference: MeanCI

    @property
    def n(self) -> int:
        return len(self.track_ids)

    def __str__(self) -> str:
        d = self.difference
        return (f"{self.system_a} vs {self.system_b} on {self.n} tracks ({SHORT_NAMES.get(self.metric, self.metric)}): "
                f"{self.wins} wins, {self.losses} losses, {self.ties} ties; mean difference "
                f"{d.mean:+.3f} [{d.low:+.3f}, {d.high:+.3f}]")


def paired_comparison(a, b, *, metric: str = "F-measure", tie_tolerance: float = TIE_TOLERANCE,
                      n_boot: int = N_BOOTSTRAP, confidence: float = CONFIDENCE, seed: int = 0) -> PairedComparison:
    """Compare two systems track by track on the tracks both scored.

    Parameters
    ----------
    a, b : helpers.batch.BatchResult
    metric : str
    tie_tolerance : float >= 0
        ``|A - B| <= tie_tolerance`` is a tie.
    n_boot, confidence, seed
        For the confidence interval of the mean difference (:func:`bootstrap_mean_ci`).

    Returns
    -------
    PairedComparison
    """
    if not (isinstance(tie_tolerance, (int, float)) and tie_tolerance >= 0):
        raise ParameterError(f"tie_tolerance={tie_tolerance!r} must be a number >= 0.")
    ids, _, scores = score_matrix({"a": a, "b": b}, metric=metric)
    if not ids:
        raise ParameterError(f"{a.name} and {b.name} have no successfully scored track in common.")
    diff = scores[:, 0] - scores[:, 1]
    return PairedComparison(a.name, b.name, long_metric_name(metric), tuple(ids), scores[:, 0], scores[:, 1],
                            int(np.sum(diff > tie_tolerance)), int(np.sum(diff < -tie_tolerance)),
                            int(np.sum(np.abs(diff) <= tie_tolerance)),
                            bootstrap_mean_ci(diff, n_boot=n_boot, confidence=confidence, seed=seed))


def everyone_fails(results: Mapping, *, metric: str = "F-measure", threshold: float = FAIL_THRESHOLD) -> list[str]:
    """Tracks on which every system scores below ``threshold`` (over the tracks all of them scored)."""
    ids, _, scores = score_matrix(results, metric=metric)
    return [t for t, row in zip(ids, scores) if np.all(row < threshold)]


# =========================================================================== sensitivity sweep
@dataclass
class SweepResult:
    """A grid of tracker settings and the mean score of each (:func:`sensitivity_sweep`).

    Attributes
    ----------
    names : tuple of str
        The swept :class:`helpers.beat.TrackerParams` fields, one per axis of ``means``.
    values : tuple of tuple
        The values of each, in grid order.
    metric : str
    means : np.ndarray [shape=(len(values[0]), len(values[1]), ...)]
        Mean score over the tracks for each combination.
    results : dict
        Combination (tuple of values, in ``names`` order) -> BatchResult.
    base_params : helpers.beat.TrackerParams
        The other parameters.
    seconds : float
    split : str
        The part of the fixed dev/test split the sweep ran on (``"dev"`` to choose a
        setting that is then reported on ``"test"``).
    """

    names: tuple
    values: tuple
    metric: str
    means: np.ndarray
    results: dict = field(repr=False)
    base_params: object = None
    seconds: float = 0.0
    split: str = "all"

    def means_of(self, metric: str) -> np.ndarray:
        """The mean of another metric for each combination, shaped like :attr:`means`."""
        metric = long_metric_name(metric)
        shape = [len(v) for v in self.values]
        return np.array([_mean_or_nan(self.results[c], metric) for c in itertools.product(*self.values)],
                        dtype=float).reshape(shape)

    def best(self) -> tuple[dict, float]:
        """The combination with the highest mean (``({name: value}, mean)``)."""
        idx = np.unravel_index(int(np.argmax(self.means)), self.means.shape)
        return {n: v[i] for n, v, i in zip(self.names, self.values, idx)}, float(self.means[idx])

    def best_params(self):
        """The :class:`helpers.beat.TrackerParams` of :meth:`best` (the other fields from ``base_params``)."""
        return dataclasses.replace(self.base_params, **self.best()[0])

    def rows(self) -> list[dict]:
        """One flat dict per combination: the parameter values and the mean."""
        return [{**dict(zip(self.names, combo)), f"mean {SHORT_NAMES.get(self.metric, self.metric)}":
                 float(self.means[idx])}
                for idx, combo in zip(np.ndindex(self.means.shape), itertools.product(*self.values))]


def sensitivity_sweep(dataset, grid: Mapping[str, Sequence], *, base_params=None, metric: str = "F-measure",
                      cache_dir=None, track_ids=None, split: str = "all", jobs: int | None = None,
                      progress: bool = True) -> SweepResult:
    """Run the reference tracker on a grid of 1-3 parameters, through the batch runner and its cache.

    Each combination is one :func:`helpers.batch.run_batch` (worker processes, per-track
    cache keyed by the complete parameters): a combination seen before costs nothing,
    an interrupted sweep resumes.

    Choosing a setting is tuning: run the sweep on ``split="dev"``, take
    :meth:`SweepResult.best_params`, and report that setting on ``split="test"`` (a
    separate :func:`helpers.batch.run_batch`), never the sweep's own best mean.

    Parameters
    ----------
    dataset : helpers.data.Dataset
    grid : dict
        ``{TrackerParams field: values}``, 1 to 3 fields, e.g.
        ``{"prior_center_bpm": [80, 110, 140], "tightness": [30, 100, 300]}``.
    base_params : helpers.beat.TrackerParams, optional
        The other parameters (default: the tracker's defaults).
    metric : str
        The score averaged over the tracks.
    cache_dir : str or Path, optional
        Default ``helpers.batch.default_out_dir(dataset.name, "sweep") / "cache"``.
    track_ids : sequence of str, optional
    split : {"all", "dev", "test"}
        Only the tracks of this part of the fixed dev/test split (:mod:`helpers.splits`).
    jobs : int, optional
        Worker processes per run (default: both cores, but one process below
        :data:`SWEEP_POOL_MIN_TRACKS` tracks, where starting workers for every setting
        costs more than it saves).
    progress : bool
        A progress bar over the combinations.

    Returns
    -------
    SweepResult
    """
    from tqdm.auto import tqdm

    from .batch import default_out_dir, run_batch
    from .beat import TrackerParams

    if not isinstance(dataset, Dataset):
        raise ParameterError(f"dataset must be a helpers.data.Dataset (open_dataset()), got {type(dataset).__name__}.")
    split = check_split(split)
    ids = select_split(dataset.track_ids if track_ids is None else track_ids, split)
    if not ids:
        raise ParameterError(f"{dataset.name}: no track in the {split!r} split to sweep on.")
    if jobs is None and len(ids) < SWEEP_POOL_MIN_TRACKS:
        jobs = 1
    base = TrackerParams() if base_params is None else base_params
    if not isinstance(base, TrackerParams):
        raise ParameterError(f"base_params must be a TrackerParams, got {type(base).__name__}.")
    if not isinstance(grid, Mapping) or not 1 <= len(grid) <= 3:
        raise ParameterError(f"grid must be a dict of 1 to 3 parameters -> values, got {grid!r}.")
    fields = {f.name for f in dataclasses.fields(TrackerParams)}
    unknown = sorted(set(grid) - fields)
    if unknown:
        raise ParameterError(f"unknown tracker parameter(s) {unknown}; see helpers.beat.TrackerParams "
                             f"({sorted(fields)}).")
    names = tuple(grid)
    values = tuple(tuple(grid[n]) for n in names)
    if any(len(v) == 0 for v in values):
        raise ParameterError(f"every parameter of the grid needs at least one value, got {grid!r}.")
    combos = list(itertools.product(*values))
    settings = [dataclasses.replace(base, **dict(zip(names, c))) for c in combos]   # validates every value first
    metric = long_metric_name(metric)
    cache_dir = default_out_dir(dataset.name, "sweep") / "cache" if cache_dir is None else cache_dir
    results = {}
    start = time.perf_counter()
    bar = tqdm(total=len(combos), desc=f"sweep on {dataset.name}", unit="setting", disable=not progress,
               dynamic_ncols=True)
    try:
        for combo, params in zip(combos, settings):
            bar.set_postfix_str(", ".join(f"{n}={v}" for n, v in zip(names, combo)), refresh=True)
            results[combo] = run_batch(dataset, tracker="reference", tracker_params=params, track_ids=ids,
                                       cache_dir=cache_dir, jobs=jobs, progress=False)
            bar.update(1)
    finally:
        bar.close()
    means = np.array([_mean_or_nan(results[c], metric) for c in combos], dtype=float).reshape([len(v) for v in values])
    return SweepResult(names, values, metric, means, results, base, time.perf_counter() - start, split)


def _mean_or_nan(result, metric: str) -> float:
    scores = result.scores(metric)
    return float(scores.mean()) if scores.size else math.nan


# =========================================================================== honest reporting
def split_result(result, split: str):
    """The tracks of one part of the fixed dev/test split, as a BatchResult of their own.

    Parameters
    ----------
    result : helpers.batch.BatchResult
    split : {"all", "dev", "test"}
        See :mod:`helpers.splits` (decided by each track id alone).

    Returns
    -------
    helpers.batch.BatchResult
        The same track results (failed ones included) and configuration, with
        ``config["split"]`` set; ``split="all"`` returns ``result`` itself.

    Examples
    --------
    >>> from helpers.batch import BatchResult, TrackResult
    >>> r = BatchResult([TrackResult("0001_12step", {"F-measure": 1.0}),
    ...                  TrackResult("0005_again", {"F-measure": 0.5})], {"system": "demo"})
    >>> split_result(r, "test").track_ids
    ['0001_12step']
    """
    from .batch import BatchResult

    split = check_split(split)
    if split == "all":
        return result
    keep = set(select_split(result.track_ids, split))
    return BatchResult([r for r in result.tracks if r.track_id in keep], {**result.config, "split": split},
                       result.seconds)


def small_sample_note(n_tracks: int, *, what: str = "the test split") -> str:
    """A warning to print beside a figure computed on few tracks ('' when there are enough).

    Fewer than :data:`SMALL_SAMPLE_TRACKS` tracks: a mean's 95 % interval is wider than
    about +-0.1, so differences between systems of a few hundredths mean nothing.

    Examples
    --------
    >>> small_sample_note(4)[:40]
    'Only 4 tracks in the test split: too few'
    >>> small_sample_note(261)
    ''
    """
    if isinstance(n_tracks, bool) or not isinstance(n_tracks, (int, np.integer)) or n_tracks < 0:
        raise ParameterError(f"n_tracks={n_tracks!r} must be a whole number >= 0.")
    if n_tracks >= SMALL_SAMPLE_TRACKS:
        return ""
    return (f"Only {n_tracks} track{'s' if n_tracks != 1 else ''} in {what}: too few for its means to say much "
            f"(below {SMALL_SAMPLE_TRACKS} tracks a 95 % interval of a mean F is wider than about +-0.1); "
            "read them as a demonstration of the method, not as a result.")


def rescore(result, reference, *, trim_s: float, metrics=METRIC_NAMES):
    """The same estimated beats scored again under another trim (e.g. ``trim_s=0``: no trim).

    ``mir_eval.beat.f_measure`` on its own does not trim; ``mir_eval.beat.evaluate``
    removes the beats before 5 s first.  Re-scoring one run both ways shows what that
    choice alone changes (upstream's Harmonix results quote the untrimmed F-measure).

    Parameters
    ----------
    result : helpers.batch.BatchResult
        Its estimated beats must be available (``TrackResult.beat_times_s``).
    reference : helpers.data.Dataset or dict
        Where the reference beats come from (as :func:`classify_results`).
    trim_s : float >= 0
    metrics : sequence of str
        The metrics to compute (the others are left out of the new scores).

    Returns
    -------
    helpers.batch.BatchResult
        One track per scored track of ``result`` with beats; ``config["evaluation"]["trim_s"]``
        says the new trim.
    """
    from .batch import BatchResult, TrackResult

    if isinstance(trim_s, bool) or not isinstance(trim_s, (int, float)) or not math.isfinite(trim_s) or trim_s < 0:
        raise ParameterError(f"trim_s={trim_s!r} must be a number of seconds >= 0 (0: no trim).")
    get_reference = _reference_getter(reference)
    tracks = []
    for r in result.tracks:
        if not r.ok or r.beat_times_s is None:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")        # degenerate tracks get their defined zeros
            scores = evaluate_beats(get_reference(r.track_id), r.beat_times_s, trim_s=float(trim_s), metrics=metrics)
        tracks.append(TrackResult(r.track_id, scores, r.beat_times_s, None, (), r.n_reference_beats, "file"))
    config = {**result.config, "evaluation": {**result.config.get("evaluation", {}), "trim_s": float(trim_s)}}
    return BatchResult(tracks, config, 0.0)


# =========================================================================== the metric playground
def constructed_estimates(reference_beats_s) -> dict[str, np.ndarray]:
    """Five estimates built from reference beats, each wrong in one known way (Week 3's playground).

    Parameters
    ----------
    reference_beats_s : np.ndarray [shape=(n,)]
        Reference beat times (s), strictly increasing, at least 2.

    Returns
    -------
    dict
        :data:`CONSTRUCTED_ESTIMATES` -> beat times (s): ``"half tempo"`` every other beat
        from the first; ``"double tempo"`` the beats and the midpoints between neighbours;
        ``"off-beat"`` the midpoints only; ``"60 ms late"`` every beat + :data:`LATE_S`;
        ``"69 ms alternating"`` +:data:`ALTERNATING_S`, -:data:`ALTERNATING_S`, ... from the
        first beat.

    Examples
    --------
    >>> est = constructed_estimates(np.array([1.0, 2.0, 3.0]))
    >>> est["double tempo"].tolist(), est["69 ms alternating"].round(3).tolist()
    ([1.0, 1.5, 2.0, 2.5, 3.0], [1.069, 1.931, 3.069])
    """
    ref = validate_beats(reference_beats_s, name="reference_beats_s")
    if ref.size < 2:
        raise ParameterError(f"reference_beats_s needs at least 2 beats to build the estimates, got {ref.size}.")
    alternating = ref + ALTERNATING_S * (-1.0) ** np.arange(ref.size)
    if alternating.min() < 0:
        raise ParameterError(f"a reference beat at {ref[1]:.3f} s minus {ALTERNATING_S} s would be a negative time; "
                             "drop the beats before 0.1 s first.")
    midpoints = (ref[:-1] + ref[1:]) / 2
    return {
        "half tempo": ref[::2],
        "double tempo": np.sort(np.concatenate([ref, midpoints])),
        "off-beat": midpoints,
        "60 ms late": ref + LATE_S,
        "69 ms alternating": alternating,
    }
