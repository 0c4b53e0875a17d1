"""Score downbeats: the F-measure on the downbeat times, with the same trim and window as for beats.

:func:`evaluate_downbeats` validates both sequences, drops the downbeats before ``trim_s``
(5 s) and counts an estimated downbeat as correct within +-70 ms of a not-yet-matched
reference downbeat (mir_eval's ``f_measure``, this package's exact fast version).
"""

from __future__ import annotations

import warnings

import numpy as np

from ..data import validate_beats
from .config import FMEASURE_WINDOW_S, TRIM_S, BeatEvaluationWarning, check_trim_s
from .metrics import _f_measure

__all__ = ["DOWNBEAT_METRIC_NAMES", "evaluate_downbeats"]

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
