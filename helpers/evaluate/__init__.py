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
  function), about 70 times faster (2.4 ms instead of 176 ms per Harmonix
  track, all metrics with input checks, one core; ``benchmarks/bench_metrics.py``) -- fast enough
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

One module per job; import from ``helpers.evaluate`` (every name below is here):

- :mod:`helpers.evaluate.config`    -- the configuration: tolerances, the trim, metric names
- :mod:`helpers.evaluate.beats`     -- :func:`evaluate_beats` (both back-ends) and :func:`beat_errors_s`
- :mod:`helpers.evaluate.metrics`   -- the fast back-end: mir_eval's ten metrics, vectorised
- :mod:`helpers.evaluate.tempo`     -- Acc1/Acc2 of a global tempo, tempo comparisons
- :mod:`helpers.evaluate.downbeats` -- :func:`evaluate_downbeats`

:func:`validate_beats` (the check of beat times in seconds) lives in :mod:`helpers.data`,
beside the beat-file loader, so that both give the same verdict; it is here too.
"""

from __future__ import annotations

from ..data import validate_beats
from .beats import beat_errors_s, evaluate_beats
from .config import (BACKENDS, CEMGIL_SIGMA_S, CONTINUITY_PERIOD_THRESHOLD, CONTINUITY_PHASE_THRESHOLD,
                     FMEASURE_WINDOW_S, GOTO_MU, GOTO_SIGMA, GOTO_THRESHOLD, INFORMATION_GAIN_BINS, MAX_TIME_S,
                     METRIC_DESCRIPTIONS, METRIC_NAMES, P_SCORE_THRESHOLD, SHORT_NAMES, TRIM_S, BeatEvaluationWarning,
                     check_trim_s, long_metric_name, trim_beats)
from .downbeats import DOWNBEAT_METRIC_NAMES, evaluate_downbeats
from .tempo import (TEMPO_FACTORS, TEMPO_METRIC_NAMES, TEMPO_TOLERANCE, TempoComparison, compare_metadata_tempo,
                    compare_tempi, reference_tempo_bpm, tempo_accuracy, tempo_factor)

__all__ = [
    "evaluate_beats",
    "beat_errors_s",
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
