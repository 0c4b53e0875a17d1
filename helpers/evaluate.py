r"""Beat-tracking evaluation: the one configuration used everywhere in the course.

Every score in the course (the Week 3 notebook that validates the tracker on all
912 Harmonix tracks, the Week 4 failure analysis, the widgets) comes from
:func:`evaluate_beats`, so that a number in one notebook means the same as in
another.

Conventions
-----------
- Beat times are in **seconds** from the start of the track, in a 1-D array,
  **strictly increasing**, finite and non-negative.  Frame indices are rejected
  (convert them with ``helpers.data.frames_to_time``).
- Beats before ``trim_s`` seconds (default :data:`TRIM_S` = 5 s) are removed from
  *both* sequences before scoring, exactly as :func:`mir_eval.beat.evaluate` does
  (its :func:`mir_eval.beat.trim_beats`).  This is a visible, named step:
  ``trim_s=0`` disables it.  (Beware: ``mir_eval.beat.f_measure`` called on its
  own does *not* trim, so it gives a different number.)
- Every tolerance is mir_eval's default (``F-measure`` window
  :data:`FMEASURE_WINDOW_S` = 70 ms, Cemgil sigma 40 ms, continuity
  tolerances 17.5 %, P-score window 20 % of the median beat interval, 41 bins for
  the information gain).
- Degenerate input (no beat, or a single beat, left after trimming) gives a
  :class:`BeatEvaluationWarning` and a defined score of 0.0, never an exception.
- Scores are plain Python ``float`` (JSON-safe), in a ``dict`` whose keys and
  order are exactly those of :func:`mir_eval.beat.evaluate`.

Two back-ends give the same numbers (to ~1e-14; see ``tests/test_evaluate.py``,
which checks all 4560 published Harmonix estimates):

- ``backend="fast"`` (default): vectorised numpy re-implementations of
  mir_eval 0.8.2's metrics, including its quirks (listed in each private
  function), about 100 times faster (0.9 ms instead of 94 ms per Harmonix
  track, all metrics, one core; ``benchmarks/bench_metrics.py``) -- fast enough
  to score the whole data set interactively;
- ``backend="mir_eval"``: mir_eval's own functions, for checking and teaching.

The metrics (one sentence each; details in Davies et al. 2009):

- **F-measure**: an estimated beat is correct when it lies within +-70 ms of a
  reference beat (each reference used once); F is the harmonic mean of
  precision and recall.
- **Cemgil**: every reference beat scores a Gaussian (sigma 40 ms) of its
  distance to the nearest estimated beat; the sum is normalised by the mean
  number of beats.  *Cemgil Best Metric Level* is the best Cemgil score over
  the reference and its metrical variations (off-beat, double, half tempo).
- **Goto**: 1.0 if a continuous stretch of at least 25 % of the reference beats
  is tracked with small, steady errors, else 0.0.
- **P-score** (McKinney): the cross-correlation of the two beat sequences as
  10-ms impulse trains, within +-20 % of the median beat interval.
- **Correct Metric Level Continuous / Total** (CMLc / CMLt): the fraction of
  beats that are correct in phase *and* in tempo (17.5 % tolerance);
  "continuous" counts only the longest unbroken run, "total" counts them all.
- **Any Metric Level Continuous / Total** (AMLc / AMLt): the same, but the best
  over the reference and its variations (off-beat, double tempo, half tempo), so
  tapping at twice the tempo or on the off-beat is not penalised.
- **Information gain**: how far the histogram of beat errors (relative to the
  beat interval) is from uniform, normalised to [0, 1] (mir_eval normalises by
  log2(41) bits).

References
----------
.. [1] M. E. P. Davies, N. Degara and M. D. Plumbley, "Evaluation Methods for
   Musical Audio Beat Tracking Algorithms", Technical Report C4DM-TR-09-06,
   Queen Mary University of London, 2009.
.. [2] C. Raffel, B. McFee, E. J. Humphrey, J. Salamon, O. Nieto, D. Liang and
   D. P. W. Ellis, "mir_eval: A Transparent Implementation of Common MIR
   Metrics", Proc. ISMIR, 2014.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from helpers.checks import check_nonnegative
from helpers.data import MAX_BEAT_TIME_S, looks_like_frame_indices
from helpers.errors import ParameterError

__all__ = [
    "evaluate_beats",
    "validate_beats",
    "trim_beats",
    "check_trim_s",
    "long_metric_name",
    "BeatEvaluationWarning",
    "METRIC_NAMES",
    "SHORT_NAMES",
    "METRIC_DESCRIPTIONS",
    "BACKENDS",
    "TRIM_S",
    "FMEASURE_WINDOW_S",
    "CEMGIL_SIGMA_S",
    "GOTO_THRESHOLD",
    "GOTO_MU",
    "GOTO_SIGMA",
    "P_SCORE_THRESHOLD",
    "CONTINUITY_PHASE_THRESHOLD",
    "CONTINUITY_PERIOD_THRESHOLD",
    "INFORMATION_GAIN_BINS",
    "MAX_TIME_S",
    "DOWNBEAT_METRIC_NAMES",
    "evaluate_downbeats",
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

# ---------------------------------------------------------------------------
# The one configuration (all equal to mir_eval 0.8.2's defaults)
# ---------------------------------------------------------------------------
#: Beats before this time (seconds) are ignored, as in ``mir_eval.beat.evaluate``.
TRIM_S = 5.0
#: Half-width of the F-measure tolerance window, in seconds (+-70 ms).
FMEASURE_WINDOW_S = 0.07
#: Standard deviation of Cemgil's Gaussian error window, in seconds.
CEMGIL_SIGMA_S = 0.04
#: Goto: a beat error (fraction of half the beat interval) above this is "incorrect".
GOTO_THRESHOLD = 0.35
#: Goto: the mean absolute beat error of the correct stretch must be below this.
GOTO_MU = 0.2
#: Goto: the standard deviation of the beat errors of the stretch must be below this.
GOTO_SIGMA = 0.2
#: P-score window, as a fraction of the median reference beat interval.
P_SCORE_THRESHOLD = 0.2
#: Continuity: allowed phase error, as a fraction of the reference beat interval.
CONTINUITY_PHASE_THRESHOLD = 0.175
#: Continuity: allowed relative difference between estimated and reference beat intervals.
CONTINUITY_PERIOD_THRESHOLD = 0.175
#: Number of bins of the beat-error histogram of the information gain.
INFORMATION_GAIN_BINS = 41
#: Largest beat time accepted, in seconds (``mir_eval.beat.MAX_TIME``).
MAX_TIME_S = MAX_BEAT_TIME_S   # 30000 s: one rule with the beat-file loader (helpers.data)

#: Metric names, exactly the keys (and order) of ``mir_eval.beat.evaluate``.
METRIC_NAMES = (
    "F-measure",
    "Cemgil",
    "Cemgil Best Metric Level",
    "Goto",
    "P-score",
    "Correct Metric Level Continuous",
    "Correct Metric Level Total",
    "Any Metric Level Continuous",
    "Any Metric Level Total",
    "Information gain",
)

#: Short labels for tables and plots (``evaluate_beats(metrics=...)`` accepts them too).
SHORT_NAMES = {
    "F-measure": "F",
    "Cemgil": "Cemgil",
    "Cemgil Best Metric Level": "CemgilBML",
    "Goto": "Goto",
    "P-score": "P",
    "Correct Metric Level Continuous": "CMLc",
    "Correct Metric Level Total": "CMLt",
    "Any Metric Level Continuous": "AMLc",
    "Any Metric Level Total": "AMLt",
    "Information gain": "InfoGain",
}

#: One sentence per metric, for learners (tooltips, tables).
METRIC_DESCRIPTIONS = {
    "F-measure": "Harmonic mean of precision and recall, where an estimated beat is correct "
    "if it lies within +-70 ms of a not-yet-matched reference beat.",
    "Cemgil": "Sum over reference beats of a Gaussian (sigma 40 ms) of the distance to the "
    "nearest estimated beat, divided by the mean number of beats.",
    "Cemgil Best Metric Level": "The best Cemgil score over the reference and its metrical "
    "variations (off-beat, double tempo, half tempo).",
    "Goto": "1 if a continuous stretch of at least 25 % of the reference beats is tracked "
    "with small and steady errors, else 0.",
    "P-score": "Cross-correlation of the two beat sequences as 10-ms impulse trains, within "
    "+-20 % of the median reference beat interval.",
    "Correct Metric Level Continuous": "Longest unbroken run of beats correct in phase and "
    "tempo (17.5 % tolerance), as a fraction of all beats.",
    "Correct Metric Level Total": "Fraction of beats correct in phase and tempo (17.5 % "
    "tolerance), whether or not they are continuous.",
    "Any Metric Level Continuous": "Like CMLc, but the best over the reference and its "
    "off-beat, double- and half-tempo variations.",
    "Any Metric Level Total": "Like CMLt, but the best over the reference and its off-beat, "
    "double- and half-tempo variations.",
    "Information gain": "How far the histogram of beat errors (relative to the beat "
    "interval, 41 bins) is from uniform; 1 is perfectly consistent, 0 is random.",
}

#: Accepted values of ``evaluate_beats(backend=...)``.
BACKENDS = ("fast", "mir_eval")

_CONTINUITY_NAMES = METRIC_NAMES[5:9]
_INTERVAL_NAMES = ("P-score", *_CONTINUITY_NAMES, "Information gain")  # need >= 2 beats

_LONG_NAME = {name: name for name in METRIC_NAMES} | {s: n for n, s in SHORT_NAMES.items()}

# Frame-index heuristic: integer-valued "times" with a large maximum or an integer
# median interval larger than any plausible beat interval in seconds.


class BeatEvaluationWarning(UserWarning):
    """A beat sequence is empty or has a single beat, so some scores are 0.0 by definition."""


# ---------------------------------------------------------------------------
# Input checks and the trimming step
# ---------------------------------------------------------------------------
def validate_beats(beats_s, *, name: str = "beats_s") -> np.ndarray:
    """Check that ``beats_s`` looks like beat times in seconds and return it as float64.

    Parameters
    ----------
    beats_s : array_like [shape=(n_beats,)] or object with a ``times_s`` attribute
        Beat times in seconds: 1-D, finite, non-negative and strictly increasing.
        An empty array is valid.  An object with a ``times_s`` attribute (such as
        ``helpers.data.Beats``) is replaced by that attribute.
    name : str
        How to call the argument in error messages.

    Returns
    -------
    beats_s : np.ndarray [shape=(n_beats,), dtype=float64]
        The same times.

    Raises
    ------
    ParameterError
        If the array is not 1-D, contains NaN, infinite or negative values, is not
        strictly increasing, or looks like frame indices (or samples,
        milliseconds) rather than seconds.  The message says how to fix it.

    Examples
    --------
    >>> validate_beats([5.0, 5.5, 6.0])
    array([5. , 5.5, 6. ])
    >>> validate_beats([220, 241, 263, 284])
    Traceback (most recent call last):
    ...
    helpers.errors.ParameterError: beats_s look like frame indices, not seconds ...
    """
    if hasattr(beats_s, "times_s"):
        beats_s = beats_s.times_s
    if beats_s is None:
        raise ParameterError(f"{name} is None; pass an array of beat times in seconds.")
    arr = np.asarray(beats_s)
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise ParameterError(
            f"{name} must be numbers (beat times in seconds), got dtype {arr.dtype}; "
            "convert with np.asarray(beats, dtype=float)."
        )
    arr = arr.astype(np.float64, copy=False)
    if arr.ndim != 1:
        if arr.ndim == 0:
            hint = f"wrap a single time in a list: np.array([{arr.item()!r}])"
        elif arr.ndim == 2 and arr.shape[1] in (2, 3):
            hint = (
                "this looks like a whole annotation table (time_s, position_in_bar, "
                f"bar_number); pass its first column: {name}[:, 0]"
            )
        elif arr.ndim == 2 and 1 in arr.shape:
            hint = f"flatten it with np.ravel({name})"
        else:
            hint = "pass one 1-D array of beat times in seconds"
        raise ParameterError(f"{name} must be a 1-D array, got shape {arr.shape}; {hint}.")
    if arr.size == 0:
        return arr
    finite = np.isfinite(arr)
    if not finite.all():
        i = int(np.flatnonzero(~finite)[0])
        raise ParameterError(
            f"{name} contains {float(arr[i])} at index {i} ({int((~finite).sum())} non-finite "
            f"value(s)); remove them with {name}[np.isfinite({name})]."
        )
    if (arr < 0).any():
        i = int(np.flatnonzero(arr < 0)[0])
        raise ParameterError(
            f"{name} contains a negative time {float(arr[i])} s at index {i}; beat times are "
            "seconds from the start of the track (did you subtract an offset?)."
        )
    if looks_like_frame_indices(arr):  # the same verdict as helpers.data.load_beats
        ibi = np.diff(arr)
        median_ibi = float(np.median(ibi)) if ibi.size else 0.0
        raise ParameterError(
            f"{name} look like frame indices, not seconds (all values are integers, "
            f"max {arr.max():.0f}, median interval {median_ibi:g}): did you pass frame "
            "indices instead of seconds? Convert them with "
            "helpers.data.frames_to_time(frames, sr=..., hop_length=...) "
            "(Harmonix: sr=22050, hop_length=1024)."
        )
    if arr.max() > MAX_TIME_S:
        raise ParameterError(
            f"{name} contains a time of {arr.max():g} s, above the maximum of "
            f"{MAX_TIME_S:g} s (8 hours); did you pass samples or milliseconds instead "
            "of seconds?"
        )
    d = np.diff(arr)
    if (d <= 0).any():
        i = int(np.flatnonzero(d <= 0)[0]) + 1
        if d[i - 1] < 0:
            raise ParameterError(
                f"{name} must be in increasing order, but {float(arr[i])} s at index {i} comes "
                f"after {float(arr[i - 1])} s; sort them with np.sort({name})."
            )
        raise ParameterError(
            f"{name} must be strictly increasing, but {float(arr[i])} s is repeated at index "
            f"{i}; remove duplicates with np.unique({name})."
        )
    return arr


def trim_beats(beats_s, *, trim_s: float = TRIM_S) -> np.ndarray:
    """Remove the beats before ``trim_s`` seconds (the named pre-processing step).

    Equal to ``mir_eval.beat.trim_beats(beats_s, min_beat_time=trim_s)``, which
    :func:`mir_eval.beat.evaluate` applies to both sequences: a beat tracker
    needs a few seconds to lock on, and annotators often start late.

    Parameters
    ----------
    beats_s : np.ndarray [shape=(n_beats,)]
        Beat times in seconds, increasing.
    trim_s : float >= 0
        Beats strictly before this time are removed; ``0`` keeps everything.

    Returns
    -------
    beats_s : np.ndarray [shape=(n_kept,)]
        The beats at or after ``trim_s``.

    Examples
    --------
    >>> trim_beats(np.array([4.5, 5.0, 5.5]))
    array([5. , 5.5])
    """
    trim_s = check_trim_s(trim_s)
    beats_s = np.asarray(beats_s, dtype=np.float64)
    return beats_s[beats_s >= trim_s]


def check_trim_s(trim_s) -> float:
    """``trim_s`` as a float: a finite number of seconds >= 0 (``0`` keeps every beat).

    The one check of the trim, used by :func:`evaluate_beats`, :func:`trim_beats` and the
    batch runner (:mod:`helpers.batch`, which checks it before any track is computed).

    Raises
    ------
    ParameterError
        Anything else, including ``True`` and ``"5"`` (see :mod:`helpers.checks`).

    Examples
    --------
    >>> check_trim_s(5)
    5.0
    """
    return check_nonnegative(trim_s, name="trim_s", unit="seconds",
                             hint=f"0 keeps every beat; mir_eval.beat.evaluate uses {TRIM_S:g}")


def long_metric_name(metric) -> str:
    """The mir_eval name of a metric given by its mir_eval name or its short name.

    The one resolver of metric names: :func:`evaluate_beats` (``metrics=``), the batch
    results (:mod:`helpers.results`) and the analysis (:mod:`helpers.analysis`) accept the
    same names. Names are matched exactly (``"F"`` and ``"F-measure"``, not ``"f"``).

    Parameters
    ----------
    metric : str
        One of :data:`METRIC_NAMES` or of the values of :data:`SHORT_NAMES`.

    Returns
    -------
    name : str
        The element of :data:`METRIC_NAMES`.

    Raises
    ------
    ParameterError
        Any other value; the message lists the names.

    Examples
    --------
    >>> long_metric_name("CMLt")
    'Correct Metric Level Total'
    >>> long_metric_name("F-measure")
    'F-measure'
    """
    if isinstance(metric, str) and metric in _LONG_NAME:
        return _LONG_NAME[metric]
    raise ParameterError(
        f"Unknown metric {metric!r}. Choose from {list(METRIC_NAMES)} or their short names "
        f"{list(SHORT_NAMES.values())} (spelled exactly: an unknown metric name is never guessed)."
    )


def _resolve_metrics(metrics) -> tuple[str, ...]:
    if metrics is None:
        return METRIC_NAMES
    if isinstance(metrics, str):
        metrics = (metrics,)
    if isinstance(metrics, Mapping) or not isinstance(metrics, Iterable):
        raise ParameterError(
            f"metrics must be None or a sequence of metric names, got {metrics!r}."
        )
    wanted = {long_metric_name(m) for m in metrics}
    if not wanted:
        raise ParameterError("metrics is empty; pass None for all metrics.")
    return tuple(n for n in METRIC_NAMES if n in wanted)


# ---------------------------------------------------------------------------
# The public entry point
# ---------------------------------------------------------------------------
def evaluate_beats(
    reference_beats_s,
    estimated_beats_s,
    *,
    trim_s: float = TRIM_S,
    metrics=None,
    backend: str = "fast",
) -> dict[str, float]:
    """Score estimated beats against reference beats with the course's one configuration.

    The steps are: validate both inputs, remove beats before ``trim_s`` from both
    (:func:`trim_beats`), then compute the requested metrics with mir_eval's
    default tolerances.  With the defaults the result equals
    ``mir_eval.beat.evaluate(reference_beats_s, estimated_beats_s)``.

    Parameters
    ----------
    reference_beats_s : np.ndarray [shape=(n_ref,)]
        Reference (annotated) beat times in seconds, strictly increasing.  An
        object with a ``times_s`` attribute (``helpers.data.Beats``) works too.
    estimated_beats_s : np.ndarray [shape=(n_est,)]
        Estimated beat times in seconds, strictly increasing.
    trim_s : float >= 0
        Beats before this time are ignored in both sequences (default
        :data:`TRIM_S` = 5 s, as ``mir_eval.beat.evaluate``); ``0`` disables it.
    metrics : None, str or sequence of str
        Which metrics to compute (long names from :data:`METRIC_NAMES` or short
        names from :data:`SHORT_NAMES`, e.g. ``("F", "CMLt")``); ``None`` means all.
        Metrics that are computed together (Cemgil and its best metric level;
        the four continuity scores) cost the same as one of them.
    backend : {"fast", "mir_eval"}
        ``"fast"`` uses this module's vectorised implementations; ``"mir_eval"``
        calls ``mir_eval.beat``'s functions.  Both give the same numbers.

    Returns
    -------
    scores : dict[str, float]
        Metric name -> score, in the order of :data:`METRIC_NAMES` (a subset when
        ``metrics`` is given).  Values are plain Python floats, 1.0 for a perfect
        estimate.  They are in [0, 1] for sensible input; as in mir_eval, Cemgil
        and P-score can exceed 1 when several beats crowd into one tolerance
        window (e.g. one estimated beat for three reference beats 30 ms apart).

    Raises
    ------
    ParameterError
        If a beat array is invalid (see :func:`validate_beats`), or ``trim_s``,
        ``metrics`` or ``backend`` is not allowed.

    Warns
    -----
    BeatEvaluationWarning
        When a sequence is empty after trimming (all scores are 0.0), or has a single
        beat (P-score, the continuity scores and the information gain are 0.0).

    See Also
    --------
    trim_beats, validate_beats, mir_eval.beat.evaluate

    Notes
    -----
    Taught in the Week 3 notebook (validation on every track).  The fast
    back-end reproduces mir_eval 0.8.2 exactly, quirks included (e.g. continuity
    divides by ``max(n_ref, n_est)``; Goto's stretch includes its two bounding
    errors; the information gain's first-beat interval wraps around to the last
    beat).  Results agree with mir_eval to about 1e-14 (Cemgil's summation order;
    every other metric is bit-identical on the 4560 published Harmonix estimates).
    One deliberate difference: when all reference beats fall in one 10-ms slot
    mir_eval's P-score raises; both back-ends here return 0.0 with a warning.

    ``backend="mir_eval"`` costs about 94 ms per Harmonix track, 75 ms of it in
    P-score's ``np.correlate`` of two 10-ms impulse trains; the fast back-end
    about 0.9 ms.  On a busy machine, multi-threaded OpenBLAS can make that
    ``np.correlate`` far slower still: set ``OPENBLAS_NUM_THREADS=1``.

    References
    ----------
    .. [1] M. E. P. Davies, N. Degara and M. D. Plumbley, "Evaluation Methods for
       Musical Audio Beat Tracking Algorithms", Technical Report C4DM-TR-09-06,
       Queen Mary University of London, 2009.
    .. [2] C. Raffel et al., "mir_eval: A Transparent Implementation of Common MIR
       Metrics", Proc. ISMIR, 2014.

    Examples
    --------
    >>> reference = np.arange(0.0, 30.0, 0.5)           # 120 BPM
    >>> scores = evaluate_beats(reference, reference + 0.02)
    >>> scores["F-measure"], scores["Correct Metric Level Total"]
    (1.0, 1.0)
    >>> # 80 ms late: outside the F-measure window, inside continuity's 17.5 % of a beat
    >>> evaluate_beats(reference, reference + 0.08, metrics=("F", "CMLt"))
    {'F-measure': 0.0, 'Correct Metric Level Total': 1.0}
    >>> evaluate_beats(reference, reference[::2], metrics=["CMLt", "AMLt"])  # half tempo
    {'Correct Metric Level Total': 0.0, 'Any Metric Level Total': 1.0}
    """
    if backend not in BACKENDS:
        raise ParameterError(f"backend must be one of {BACKENDS}, got {backend!r}.")
    ref = validate_beats(reference_beats_s, name="reference_beats_s")
    est = validate_beats(estimated_beats_s, name="estimated_beats_s")
    trim_s = check_trim_s(trim_s)
    wanted = _resolve_metrics(metrics)

    ref_t = ref[ref >= trim_s]
    est_t = est[est >= trim_s]
    _warn_degenerate(ref, ref_t, est, est_t, trim_s, wanted)

    if backend == "fast":
        scores = _evaluate_fast(ref_t, est_t, wanted)
    else:
        scores = _evaluate_mir_eval(ref_t, est_t, wanted)
    return {name: float(scores[name]) for name in wanted}


def _warn_degenerate(ref, ref_t, est, est_t, trim_s, wanted) -> None:
    interval_metrics = [n for n in wanted if n in _INTERVAL_NAMES]
    problems = []
    for label, full, kept in (("reference", ref, ref_t), ("estimated", est, est_t)):
        removed = full.size - kept.size
        how = f" after trimming beats before trim_s={trim_s:g} s ({removed} removed)" if removed else ""
        if kept.size == 0:
            problems.append(f"the {label} beats are empty{how}")
        elif kept.size == 1 and interval_metrics:
            problems.append(
                f"only one {label} beat is left{how}, so beat intervals cannot be computed "
                f"({', '.join(interval_metrics)} = 0.0)"
            )
    if ref_t.size == 0 or est_t.size == 0:
        problems.append("every metric is 0.0")
    elif "P-score" in wanted and est_t.size >= 2 and _p_score_degenerate(ref_t, est_t):
        problems.append(
            "all reference beats fall in one 10-ms slot, so the P-score window is undefined "
            "(P-score = 0.0)"
        )
    if problems:
        warnings.warn(
            "Degenerate beat sequences: " + "; ".join(problems) + ".",
            BeatEvaluationWarning,
            stacklevel=3,
        )


# ---------------------------------------------------------------------------
# Back-end 1: mir_eval's own functions
# ---------------------------------------------------------------------------
def _evaluate_mir_eval(ref, est, wanted) -> dict[str, float]:
    import mir_eval.beat as mb

    out: dict[str, float] = {}
    with warnings.catch_warnings():
        # Our BeatEvaluationWarning already reported degenerate input once; mir_eval
        # repeats it per metric, and numpy warns on Goto's empty stretch.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"mir_eval")
        warnings.filterwarnings("ignore", category=RuntimeWarning)
        if "F-measure" in wanted:
            out["F-measure"] = mb.f_measure(ref, est, f_measure_threshold=FMEASURE_WINDOW_S)
        if "Cemgil" in wanted or "Cemgil Best Metric Level" in wanted:
            out["Cemgil"], out["Cemgil Best Metric Level"] = mb.cemgil(
                ref, est, cemgil_sigma=CEMGIL_SIGMA_S
            )
        if "Goto" in wanted:
            out["Goto"] = mb.goto(
                ref, est, goto_threshold=GOTO_THRESHOLD, goto_mu=GOTO_MU, goto_sigma=GOTO_SIGMA
            )
        if "P-score" in wanted:
            if est.size >= 2 and _p_score_degenerate(ref, est):
                out["P-score"] = 0.0  # mir_eval would raise on int(nan)
            else:
                out["P-score"] = mb.p_score(ref, est, p_score_threshold=P_SCORE_THRESHOLD)
        if any(n in _CONTINUITY_NAMES for n in wanted):
            (
                out["Correct Metric Level Continuous"],
                out["Correct Metric Level Total"],
                out["Any Metric Level Continuous"],
                out["Any Metric Level Total"],
            ) = mb.continuity(
                ref,
                est,
                continuity_phase_threshold=CONTINUITY_PHASE_THRESHOLD,
                continuity_period_threshold=CONTINUITY_PERIOD_THRESHOLD,
            )
        if "Information gain" in wanted:
            out["Information gain"] = mb.information_gain(ref, est, bins=INFORMATION_GAIN_BINS)
    return out


# ---------------------------------------------------------------------------
# Back-end 2: vectorised, exactly equivalent re-implementations of mir_eval 0.8.2
# ---------------------------------------------------------------------------
def _evaluate_fast(ref, est, wanted) -> dict[str, float]:
    out: dict[str, float] = {}
    if "F-measure" in wanted:
        out["F-measure"] = _f_measure(ref, est, FMEASURE_WINDOW_S)
    if "Cemgil" in wanted or "Cemgil Best Metric Level" in wanted:
        out["Cemgil"], out["Cemgil Best Metric Level"] = _cemgil(ref, est, CEMGIL_SIGMA_S)
    if "Goto" in wanted:
        out["Goto"] = _goto(ref, est, GOTO_THRESHOLD, GOTO_MU, GOTO_SIGMA)
    if "P-score" in wanted:
        out["P-score"] = _p_score(ref, est, P_SCORE_THRESHOLD)
    if any(n in _CONTINUITY_NAMES for n in wanted):
        (
            out["Correct Metric Level Continuous"],
            out["Correct Metric Level Total"],
            out["Any Metric Level Continuous"],
            out["Any Metric Level Total"],
        ) = _continuity(ref, est, CONTINUITY_PHASE_THRESHOLD, CONTINUITY_PERIOD_THRESHOLD)
    if "Information gain" in wanted:
        out["Information gain"] = _information_gain(ref, est, INFORMATION_GAIN_BINS)
    return out


def _nearest(sorted_values: np.ndarray, queries: np.ndarray):
    """For each query, ``np.argmin(np.abs(query - sorted_values))`` and that distance.

    Exactly numpy's argmin semantics (first index among equal distances), found
    with a binary search: in floating point, ``|q - v[j]|`` is non-increasing
    for ``v[j] < q`` and non-decreasing for ``v[j] >= q``, so the minimum is at one
    of the two neighbours of the insertion point; equal distances further left
    (values within a few ulps of each other) are then walked to their first index.
    """
    n = sorted_values.size
    k = np.searchsorted(sorted_values, queries, side="left")
    lo = np.maximum(k - 1, 0)
    hi = np.minimum(k, n - 1)
    d_lo = np.abs(queries - sorted_values[lo])
    d_hi = np.abs(queries - sorted_values[hi])
    take_lo = d_lo <= d_hi
    idx = np.where(take_lo, lo, hi)
    dist = np.where(take_lo, d_lo, d_hi)
    while True:
        prev = np.maximum(idx - 1, 0)
        move = (idx > 0) & (np.abs(queries - sorted_values[prev]) == dist)
        if not move.any():
            return idx, dist
        idx = np.where(move, prev, idx)


def _reference_variations(ref: np.ndarray):
    """mir_eval's metrical variations: original, off-beat, double, half (odd), half (even)."""
    interpolated_indices = np.arange(0, ref.shape[0] - 0.5, 0.5)
    original_indices = np.arange(0, ref.shape[0])
    double = np.interp(interpolated_indices, original_indices, ref)
    return (ref, double[1::2], double, ref[::2], ref[1::2])


def _f_measure(ref, est, window_s):
    """F-measure with a +-window_s tolerance, as ``mir_eval.beat.f_measure``.

    mir_eval builds the bipartite graph "reference within [est - w, est + w]" with
    two binary searches and runs Hopcroft-Karp.  Here the graph is the same (the
    same searches), but each estimate's candidates form a contiguous range of
    references whose ends never decrease, so a maximum matching is found by the
    greedy rule "each estimate, in order, takes the earliest free candidate"
    (intervals sorted by right end, leftmost free point); when every estimate has
    at most one candidate this reduces to counting distinct candidates.
    """
    if est.size == 0 or ref.size == 0:
        return 0.0
    left = np.searchsorted(ref, est - window_s, side="left")
    right = np.searchsorted(ref, est + window_s, side="right")
    degree = right - left
    if (degree <= 1).all():
        hit_refs = left[degree == 1]
        n_matched = int(hit_refs.size - np.count_nonzero(np.diff(hit_refs) == 0))
    else:
        n_matched = 0
        next_free = 0
        for lo, hi in zip(left.tolist(), right.tolist()):
            start = lo if lo > next_free else next_free
            if start < hi:
                n_matched += 1
                next_free = start + 1
    precision = float(n_matched) / len(est)
    recall = float(n_matched) / len(ref)
    if precision == 0 and recall == 0:
        return 0.0
    beta = 1.0
    return (1 + beta**2) * precision * recall / ((beta**2) * precision + recall)


def _cemgil(ref, est, sigma_s):
    """Cemgil's accuracy for the reference and its best metrical variation.

    As ``mir_eval.beat.cemgil``: for each (varied) reference beat, a Gaussian of
    the distance to the nearest estimated beat; summed, divided by the mean of
    the two beat counts.  Only the summation order differs (~1e-15).
    """
    if est.size == 0 or ref.size == 0:
        return 0.0, 0.0
    accuracies = []
    for variation in _reference_variations(ref):
        _, beat_diff = _nearest(est, variation)
        accuracy = np.sum(np.exp(-(beat_diff**2) / (2.0 * sigma_s**2)))
        accuracy /= 0.5 * (est.shape[0] + variation.shape[0])
        accuracies.append(accuracy)
    return float(accuracies[0]), float(np.max(accuracies))


def _goto(ref, est, threshold, mu, sigma):
    """Goto's binary score, as ``mir_eval.beat.goto`` (quirks included).

    Each inner reference beat n gets the window [midpoint to n-1, midpoint to n+1);
    with exactly one estimate inside, its error is the offset divided by the
    half-interval on its side, otherwise the error is 1.  The first and last
    reference beats always count as errors (mir_eval initialises them to 1), and
    the selected stretch includes its two bounding incorrect beats.
    """
    if est.size == 0 or ref.size == 0:
        return 0.0
    n_ref = ref.shape[0]
    beat_error = np.ones(n_ref)
    if n_ref >= 3:
        centre = ref[1:-1]
        previous_interval = 0.5 * (centre - ref[:-2])
        next_interval = 0.5 * (ref[2:] - centre)
        window_min = centre - previous_interval
        window_max = centre + next_interval
        first = np.searchsorted(est, window_min, side="left")  # first est >= window_min
        stop = np.searchsorted(est, window_max, side="left")  # first est >= window_max
        single = (stop - first) == 1
        offset = est[np.minimum(first, est.size - 1)] - centre
        with np.errstate(all="ignore"):  # intervals of 0 or subnormal: as mir_eval, no warning
            error = np.where(offset < 0, offset / previous_interval, offset / next_interval)
        beat_error[1:-1] = np.where(single, error, 1.0)
    incorrect_beats = np.flatnonzero(np.abs(beat_error) > threshold)
    goto_criteria = 0
    track = None
    if incorrect_beats.shape[0] < 3:
        track = beat_error[incorrect_beats[0] + 1 : incorrect_beats[-1] - 1]
        goto_criteria = 1
    else:
        gaps = np.diff(incorrect_beats)
        track_len = np.max(gaps)
        track_start = np.flatnonzero(gaps == track_len)[0]
        if track_len - 1 > 0.25 * (n_ref - 2):
            goto_criteria = 1
            start_beat = incorrect_beats[track_start]
            end_beat = incorrect_beats[track_start + 1]
            track = beat_error[start_beat : end_beat + 1]
    # mir_eval gets NaN (and fails the test) for a stretch of fewer than 2 beats.
    if goto_criteria and track.size >= 2:
        if np.mean(np.abs(track)) < mu and np.std(track, ddof=1) < sigma:
            goto_criteria = 3
    return 1.0 * (goto_criteria == 3)


def _p_score_slots(ref, est):
    """The 10-ms slots (integers) of both sequences, as mir_eval's impulse trains."""
    sampling_rate = int(1.0 / 0.010)
    offset = min(est.min(), ref.min())
    est_slots = np.ceil((est - offset) * sampling_rate).astype(np.int64)
    ref_slots = np.ceil((ref - offset) * sampling_rate).astype(np.int64)
    # Several beats in one slot set the same impulse once (slots are sorted: drop repeats).
    return _drop_repeats(ref_slots), _drop_repeats(est_slots)


def _drop_repeats(sorted_values: np.ndarray) -> np.ndarray:
    """``np.unique`` of an already sorted array, without sorting it again."""
    keep = np.ones(sorted_values.size, dtype=bool)
    keep[1:] = sorted_values[1:] != sorted_values[:-1]
    return sorted_values[keep]


def _p_score_degenerate(ref, est) -> bool:
    """True when the reference occupies a single 10-ms slot (mir_eval cannot compute P)."""
    if ref.size <= 1 or est.size <= 1:
        return False
    ref_slots, _ = _p_score_slots(ref, est)
    return ref_slots.size < 2


def _p_score(ref, est, threshold):
    """McKinney's P-score, as ``mir_eval.beat.p_score``, without building impulse trains.

    mir_eval quantises both sequences to 10-ms slots (``ceil``, after shifting so
    the earliest beat is at 0), cross-correlates the 0/1 impulse trains and sums
    the lags within +-round(0.2 * median reference slot interval).  That sum is
    the number of (reference slot, estimate slot) pairs at most that many slots
    apart, counted here with two binary searches; it is divided by
    max(n_ref, n_est) (beats, not slots).
    """
    if est.size <= 1 or ref.size <= 1:
        return 0.0
    ref_slots, est_slots = _p_score_slots(ref, est)
    annotation_intervals = np.diff(ref_slots)
    if annotation_intervals.size == 0:
        return 0.0  # degenerate: mir_eval raises here; we warn (see evaluate_beats)
    win_size = int(np.round(threshold * np.median(annotation_intervals)))
    lo = np.searchsorted(est_slots, ref_slots - win_size, side="left")
    hi = np.searchsorted(est_slots, ref_slots + win_size, side="right")
    n_pairs = np.sum(hi - lo)
    n_beats = np.max([est.shape[0], ref.shape[0]])
    return float(n_pairs) / n_beats


def _continuity(ref, est, phase_threshold, period_threshold):
    """CMLc, CMLt, AMLc, AMLt, as ``mir_eval.beat.continuity`` (quirks included).

    For each reference variation, every estimated beat m is compared with its
    nearest reference beat: it is correct when its phase error (distance / the
    reference interval) and its period error (|1 - estimated interval / reference
    interval|) are both below the thresholds, and that reference beat has not
    already been used by an earlier correct estimate.  The intervals look
    forward for the first estimate or first reference beat and backward
    otherwise.  Since a reference beat is "used" only by a success, the first
    passing estimate of each nearest reference beat is the success: that is what
    the sequential loop of mir_eval computes.  Accuracies are divided by
    max(n_variation, n_est), as in mir_eval.
    """
    if est.size <= 1 or ref.size <= 1:
        return 0.0, 0.0, 0.0, 0.0
    n_est = est.shape[0]
    est_diff = est[1:] - est[:-1]
    est_forward = np.append(est_diff, est_diff[-1])  # m + 1 < n_est, else previous interval
    est_backward = np.append(est_diff[0], est_diff)  # index 0 is never used backward
    m_index = np.arange(n_est)
    continuous_accuracies = []
    total_accuracies = []
    with np.errstate(all="ignore"):  # intervals of 0 or subnormal: as mir_eval, no warning
        for variation in _reference_variations(ref):
            n_var = variation.shape[0]
            nearest, min_difference = _nearest(variation, est)
            look_forward = (m_index == 0) | (nearest == 0)
            ref_backward = variation[nearest] - variation[nearest - 1]  # index -1 wraps, as in mir_eval
            ref_forward = variation[np.minimum(nearest + 1, n_var - 1)] - variation[nearest]
            ref_forward = np.where(nearest + 1 < n_var, ref_forward, ref_backward)
            ref_interval = np.where(look_forward, ref_forward, ref_backward)
            est_interval = np.where(look_forward, est_forward, est_backward)
            phase = np.abs(min_difference / ref_interval)
            period = np.abs(1 - est_interval / ref_interval)
            zero = look_forward & (ref_interval == 0)
            if zero.any():  # mir_eval's special case for non-unique beats
                phase = np.where(zero, np.where(min_difference == 0, 1.0, np.inf), phase)
                period = np.where(zero, np.where(est_interval == 0, 0.0, np.inf), period)
            passing = np.flatnonzero((phase < phase_threshold) & (period < period_threshold))
            _, first = np.unique(nearest[passing], return_index=True)
            n_annotations = max(n_var, n_est)
            beat_successes = np.zeros(n_annotations)
            beat_successes[passing[first]] = 1
            padded = np.concatenate(([0.0], beat_successes, [0.0]))
            beat_failures = np.flatnonzero(padded == 0)
            longest_track = np.max(np.diff(beat_failures)) - 1
            continuous_accuracies.append(longest_track / (1.0 * n_annotations))
            total_accuracies.append(np.sum(beat_successes) / (1.0 * n_annotations))
    return (
        float(continuous_accuracies[0]),
        float(total_accuracies[0]),
        float(np.max(continuous_accuracies)),
        float(np.max(total_accuracies)),
    )


def _entropy(ref, est, bins):
    """Entropy of the beat-error histogram, as mir_eval's ``_get_entropy``.

    Each estimated beat's error to its nearest reference beat is divided by the
    reference interval on that side (mir_eval quirk kept: when the first
    reference beat is nearest and the estimate is before it, the "previous"
    interval wraps around to the last reference beat).
    """
    closest, _ = _nearest(ref, est)
    absolute_error = est - ref[closest]
    n_ref = ref.shape[0]
    before = 0.5 * (ref[closest] - ref[closest - 1])  # index -1 wraps, as in mir_eval
    after = 0.5 * (ref[np.minimum(closest + 1, n_ref - 1)] - ref[closest])
    interval = np.where(absolute_error < 0, before, after)
    interval = np.where(closest == n_ref - 1, 0.5 * (ref[-1] - ref[-2]), interval)
    with np.errstate(all="ignore"):  # intervals of 0 or subnormal: as mir_eval, no warning
        beat_error = 0.5 * absolute_error / interval
        beat_error = np.mod(beat_error + 0.5, -1) + 0.5
    histogram_bin_edges = np.linspace(-0.5, 0.5, bins + 1)
    raw_bin_values = np.histogram(beat_error, histogram_bin_edges)[0]
    raw_bin_values = raw_bin_values / (1.0 * np.sum(raw_bin_values))
    raw_bin_values[raw_bin_values == 0] = 1
    return -np.sum(raw_bin_values * np.log2(raw_bin_values))


def _information_gain(ref, est, bins):
    """Information gain, as ``mir_eval.beat.information_gain``.

    The larger of the two entropies (estimate vs reference, reference vs
    estimate), turned into a gain normalised by log2(bins).
    """
    if est.size <= 1 or ref.size <= 1:
        return 0.0
    forward_entropy = _entropy(ref, est, bins)
    backward_entropy = _entropy(est, ref, bins)
    norm = np.log2(bins)
    if forward_entropy > backward_entropy:
        return float((norm - forward_entropy) / norm)
    return float((norm - backward_entropy) / norm)


# ---------------------------------------------------------------------------
# Tempo: the MIREX accuracies of one global tempo per track
# ---------------------------------------------------------------------------
#: Relative tolerance of the tempo accuracies (MIREX audio tempo estimation; Gouyon et al.
#: 2006): an estimate within 4 % of the reference tempo (or of a multiple of it, for Acc2).
TEMPO_TOLERANCE = 0.04
#: The metrical levels Acc2 also accepts, as (numerator, denominator) of estimate / reference:
#: double, half, triple, a third (the "octave errors" of Gouyon et al. 2006).
TEMPO_FACTORS = ((2, 1), (1, 2), (3, 1), (1, 3))
#: The keys of :func:`tempo_accuracy`, in order.
TEMPO_METRIC_NAMES = ("Acc1", "Acc2")


def _check_bpm(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ParameterError(f"{name} must be a tempo in BPM (a number), got {value!r}.")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ParameterError(
            f"{name}={value!r} must be a positive, finite tempo in BPM "
            "(a tracker that found no tempo has no accuracy to score)."
        )
    return value


def _check_tolerance(tolerance) -> float:
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float, np.integer, np.floating)):
        raise ParameterError(f"tolerance must be a number (e.g. {TEMPO_TOLERANCE} for 4 %), got {tolerance!r}.")
    tolerance = float(tolerance)
    if not 0 <= tolerance < 1:
        raise ParameterError(
            f"tolerance={tolerance!r} must be a fraction in [0, 1), e.g. {TEMPO_TOLERANCE} for 4 % "
            "(not a percentage)."
        )
    return tolerance


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
    return 60.0 / float(np.median(np.diff(beats)))


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


# ---------------------------------------------------------------------------
# Downbeats: the F-measure on the beats at position 1, same trim and window
# ---------------------------------------------------------------------------
#: Metric name of :func:`evaluate_downbeats` (distinct from the beat F-measure, so both
#: can sit in one results row).
DOWNBEAT_METRIC_NAMES = ("Downbeat F-measure",)


def evaluate_downbeats(
    reference_downbeats_s,
    estimated_downbeats_s,
    *,
    trim_s: float = TRIM_S,
) -> dict[str, float]:
    """Score estimated downbeats: the F-measure on downbeat times, as for beats.

    The usual downbeat score (e.g. MIREX, madmom, Beat This!): the downbeats are a
    sequence of times like any other, and an estimated downbeat is correct when it lies
    within +-70 ms (:data:`FMEASURE_WINDOW_S`) of a not-yet-matched reference downbeat.
    The same steps as :func:`evaluate_beats`: validate both, drop the downbeats before
    ``trim_s`` from both (:func:`trim_beats`), then
    ``mir_eval.beat.f_measure(reference, estimate)`` (this module's exact fast version).

    Parameters
    ----------
    reference_downbeats_s : np.ndarray [shape=(n_ref,)]
        Annotated downbeat times in seconds, strictly increasing (e.g.
        ``helpers.data.load_beats(path).downbeats_s``: the beats at position 1).
    estimated_downbeats_s : np.ndarray [shape=(n_est,)]
        Estimated downbeat times in seconds (e.g.
        ``helpers.downbeat.track_downbeats(...).downbeat_times_s``).
    trim_s : float >= 0
        Downbeats before this time are ignored in both (default 5 s, as for beats).

    Returns
    -------
    scores : dict[str, float]
        ``{"Downbeat F-measure": f}``, a plain float in [0, 1].

    Raises
    ------
    ParameterError
        If a sequence is not downbeat times in seconds (see :func:`validate_beats`) or
        ``trim_s`` is not allowed.

    Warns
    -----
    BeatEvaluationWarning
        When a sequence is empty after trimming: the score is 0.0.

    See Also
    --------
    evaluate_beats, helpers.downbeat.track_downbeats

    Notes
    -----
    A downbeat estimate on the right beats but the wrong bar phase scores 0, and one
    from beats at double tempo with bars of the right length scores as well as the
    beats allow: only the times count. Upstream Harmonix files of published systems
    are reported to mark the *last* beat of each bar (docs/downbeat.md): check such
    a file against the annotation before scoring it.

    Examples
    --------
    >>> reference = np.arange(0.0, 60.0, 2.0)              # a bar every 2 s
    >>> evaluate_downbeats(reference, reference + 0.03)
    {'Downbeat F-measure': 1.0}
    >>> evaluate_downbeats(reference, reference + 0.5)     # every downbeat on beat 2
    {'Downbeat F-measure': 0.0}
    """
    ref = validate_beats(reference_downbeats_s, name="reference_downbeats_s")
    est = validate_beats(estimated_downbeats_s, name="estimated_downbeats_s")
    trim_s = check_trim_s(trim_s)
    ref_t = ref[ref >= trim_s]
    est_t = est[est >= trim_s]
    problems = []
    for label, full, kept in (("reference", ref, ref_t), ("estimated", est, est_t)):
        if kept.size == 0:
            removed = full.size - kept.size
            how = f" after trimming downbeats before trim_s={trim_s:g} s ({removed} removed)" if removed else ""
            problems.append(f"the {label} downbeats are empty{how}")
    if problems:
        warnings.warn(
            "Degenerate downbeat sequences: " + "; ".join(problems) + "; Downbeat F-measure = 0.0.",
            BeatEvaluationWarning,
            stacklevel=2,
        )
    return {DOWNBEAT_METRIC_NAMES[0]: float(_f_measure(ref_t, est_t, FMEASURE_WINDOW_S))}
