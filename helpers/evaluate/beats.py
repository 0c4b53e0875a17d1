"""Score beats: evaluate_beats (validate, trim 5 s, mir_eval's metrics) and the signed error of each beat.

:func:`evaluate_beats` is the one entry point every score of the course goes through; its
two back-ends (``"fast"``: :mod:`helpers.evaluate.metrics`; ``"mir_eval"``: mir_eval's own
functions) give the same numbers. :func:`beat_errors_s` is the timing error behind the
scores, beat by beat.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping

import numpy as np

from ..checks import check_choice
from ..data import validate_beats
from ..errors import ParameterError
from .config import (BACKENDS, CEMGIL_SIGMA_S, CONTINUITY_PERIOD_THRESHOLD, CONTINUITY_PHASE_THRESHOLD,
                     FMEASURE_WINDOW_S, GOTO_MU, GOTO_SIGMA, GOTO_THRESHOLD, INFORMATION_GAIN_BINS, METRIC_NAMES,
                     P_SCORE_THRESHOLD, TRIM_S, BeatEvaluationWarning, _CONTINUITY_NAMES, _INTERVAL_NAMES,
                     check_trim_s, long_metric_name, trim_beats)
from .metrics import _evaluate_fast, _nearest, _p_score_degenerate

__all__ = ["evaluate_beats", "beat_errors_s"]


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
    check_choice(backend, BACKENDS, name="backend", hint="both give the same numbers")
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


def beat_errors_s(reference_beats_s, estimated_beats_s, *, trim_s: float = TRIM_S) -> np.ndarray:
    """Signed timing error of each estimated beat: estimate - nearest reference beat (s).

    Beats before ``trim_s`` are removed from both first (as in the scores).  Positive =
    late.  An estimated beat counts as a hit of the F-measure when ``|error| <= 0.07`` s
    (and its reference beat is not taken by another one).

    Returns
    -------
    errors_s : np.ndarray [shape=(n_estimated_beats,)]
        Empty when either side has no beat after the trim.

    Examples
    --------
    >>> beat_errors_s(np.arange(5.0, 9.0), np.array([5.02, 5.97, 7.5]))
    array([ 0.02, -0.03,  0.5 ])
    """
    ref = trim_beats(validate_beats(reference_beats_s, name="reference_beats_s"), trim_s=trim_s)
    est = trim_beats(validate_beats(estimated_beats_s, name="estimated_beats_s"), trim_s=trim_s)
    if ref.size == 0 or est.size == 0:
        return np.zeros(0)
    nearest, _ = _nearest(ref, est)       # the metrics' own nearest-beat search
    return est - ref[nearest]
