"""The one evaluation configuration: mir_eval's tolerances, the 5 s trim and the metric names.

Every constant equals mir_eval 0.8.2's default (``tests/test_evaluate.py`` reads them
from mir_eval's signatures). The trim is a visible, named step (:func:`trim_beats`,
:func:`check_trim_s`); metric names are mir_eval's, with short labels for tables
(:func:`long_metric_name` resolves either).
"""

from __future__ import annotations

import numpy as np

from ..checks import check_nonnegative
from ..data import MAX_BEAT_TIME_S
from ..errors import ParameterError

__all__ = [
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
    "METRIC_NAMES",
    "SHORT_NAMES",
    "METRIC_DESCRIPTIONS",
    "BACKENDS",
    "BeatEvaluationWarning",
    "trim_beats",
    "check_trim_s",
    "long_metric_name",
]

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


class BeatEvaluationWarning(UserWarning):
    """A beat sequence is empty or has a single beat, so some scores are 0.0 by definition."""


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


