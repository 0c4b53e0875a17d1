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

One module per job; import from ``helpers.analysis`` (every name above is here):

- :mod:`helpers.analysis.statistics`  -- bootstrap means, shares, breakdowns, paired comparisons
- :mod:`helpers.analysis.taxonomy`    -- the failure classes, their evidence, where a track fails
- :mod:`helpers.analysis.experiments` -- the frame-grid ceiling and the parameter sweep
- :mod:`helpers.analysis.reporting`   -- one split of a result, the small-sample note, re-scoring
- :mod:`helpers.analysis.playground`  -- the constructed estimates of Week 3
"""

from __future__ import annotations

from .experiments import (SWEEP_POOL_MIN_TRACKS, SweepResult, frame_rate_ceiling, quantize_to_frames,
                          sensitivity_sweep)
from .playground import ALTERNATING_S, CONSTRUCTED_ESTIMATES, LATE_S, constructed_estimates
from .reporting import SMALL_SAMPLE_TRACKS, rescore, small_sample_note, split_result
from .statistics import (CONFIDENCE, FAIL_THRESHOLD, N_BOOTSTRAP, SCORE_THRESHOLDS, TEMPO_BAND_EDGES_BPM,
                         TIE_TOLERANCE, GroupStats, MeanCI, PairedComparison, bootstrap_mean_ci, breakdown,
                         everyone_fails, paired_comparison, score_matrix, share_above, tempo_band)
from .taxonomy import (CLASS_DESCRIPTIONS, FAILURE_CLASSES, FAILURE_WINDOW_S, LOCKED_THRESHOLD, LOST_LOCK_MIN_AMLT,
                       OFFBEAT_PHASE_TOLERANCE, TEMPO_RATIO_TOLERANCE, TEMPO_VERDICTS, Diagnosis, beat_errors_s,
                       classify_results, classify_track, count_classes, failure_window, pooled_beat_errors_s,
                       tempo_by_class, tempo_verdict)

__all__ = [
    "TEMPO_VERDICTS",
    "tempo_verdict",
    "tempo_by_class",
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
    "SWEEP_POOL_MIN_TRACKS",
    "split_result",
    "small_sample_note",
    "rescore",
    "CONSTRUCTED_ESTIMATES",
    "LATE_S",
    "ALTERNATING_S",
    "constructed_estimates",
]
