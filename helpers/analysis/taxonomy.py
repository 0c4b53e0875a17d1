"""The failure taxonomy: one class per track (correct, half-tempo, off-beat, lost-lock ...) and the evidence behind it.

The rules, in order (``docs/analysis.md``): CMLt high -> ``correct``; AMLt high but CMLt
low -> ``half-tempo`` / ``double-tempo`` (tempo ratio ~ 1/2 or 2) or ``off-beat`` (ratio
~ 1, phase ~ 1/2); AMLt partial -> ``lost-lock``; else ``other``. The tolerances are
mir_eval's continuity tolerances (17.5 %). Also where in a track it goes wrong
(:func:`failure_window`) and the pooled timing errors of the beats that were near a
reference beat (:func:`pooled_beat_errors_s`).
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from ..checks import check_positive
from ..data import Dataset, median_tempo_bpm, validate_beats
from ..errors import ParameterError
from ..evaluate import (CONTINUITY_PERIOD_THRESHOLD, CONTINUITY_PHASE_THRESHOLD, FMEASURE_WINDOW_S, TRIM_S,
                        beat_errors_s, evaluate_beats, trim_beats)

__all__ = [
    "FAILURE_CLASSES",
    "CLASS_DESCRIPTIONS",
    "LOCKED_THRESHOLD",
    "LOST_LOCK_MIN_AMLT",
    "TEMPO_RATIO_TOLERANCE",
    "OFFBEAT_PHASE_TOLERANCE",
    "FAILURE_WINDOW_S",
    "Diagnosis",
    "classify_track",
    "classify_results",
    "count_classes",
    "failure_window",
    "beat_errors_s",
    "pooled_beat_errors_s",
    "TEMPO_VERDICTS",
    "tempo_verdict",
    "tempo_by_class",
]

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
#: Length of the excerpt :func:`failure_window` picks (s).
FAILURE_WINDOW_S = 10.0
#: What the system's own global tempo says about a track (MIREX Acc1/Acc2, :func:`tempo_verdict`).
TEMPO_VERDICTS = ("tempo right", "tempo octave", "tempo wrong")


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
    return median_tempo_bpm(beats_s) if beats_s.size >= 2 else math.nan


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
    check_positive(max_error_s, name="max_error_s", unit="seconds", hint=f"the F-measure window is {FMEASURE_WINDOW_S}")
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


def tempo_verdict(scores) -> str | None:
    """The tempo side of a track, from its Acc1/Acc2 scores (a :class:`helpers.results.TrackResult`'s ``scores``).

    ``"tempo right"`` (Acc1: within 4 % of the annotated tempo), ``"tempo octave"`` (Acc2 but
    not Acc1: x2, x1/2, x3 or x1/3 of it), ``"tempo wrong"`` (neither); ``None`` when the track
    has no tempo scores (it failed, or its reference has fewer than two beats).

    Examples
    --------
    >>> tempo_verdict({"Acc1": 0.0, "Acc2": 1.0})
    'tempo octave'
    """
    if not scores or scores.get("Acc1") is None or scores.get("Acc2") is None:
        return None
    if scores["Acc1"]:
        return TEMPO_VERDICTS[0]
    return TEMPO_VERDICTS[1] if scores["Acc2"] else TEMPO_VERDICTS[2]


def tempo_by_class(diagnoses, result) -> dict[str, dict[str, int]]:
    """Failure class x tempo verdict: how many tracks of each class had the tempo right, an octave off, or wrong.

    The taxonomy (:func:`classify_track`) reads the metrical level off the *beats*; the
    tracker's own global tempo (Acc1/Acc2 of ``result``) says whether the tempo stage already
    went wrong. A track whose tempo was right but whose beats are off-beat or lost the lock
    failed in the beat tracking (phase, tempo changes), not in the tempo estimate; a half-tempo
    track whose tempo was an octave off failed in the tempo estimate.

    Parameters
    ----------
    diagnoses : dict of track id -> Diagnosis
        :func:`classify_results` of ``result``.
    result : helpers.results.BatchResult
        With the tempo scores (Acc1, Acc2) of the same tracks.

    Returns
    -------
    dict
        class -> {verdict: count} for every class of :data:`FAILURE_CLASSES` and every verdict
        of :data:`TEMPO_VERDICTS` (zeros included); tracks without tempo scores are left out.
    """
    table = {c: dict.fromkeys(TEMPO_VERDICTS, 0) for c in FAILURE_CLASSES}
    items = diagnoses.items() if isinstance(diagnoses, Mapping) else ((d.track_id, d) for d in diagnoses)
    for track_id, d in items:
        verdict = tempo_verdict(result[track_id].scores)
        if verdict is not None:
            table[d.label][verdict] += 1
    return table


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
    check_positive(window_s, name="window_s", unit="seconds")
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
