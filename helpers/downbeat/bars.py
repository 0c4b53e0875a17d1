"""Decide the bars: the meter from how beats repeat, the bar phase from the downbeat evidence.

The meter is the lag (3 or 4 beats) at which the beat tiles' similarity peaks
(:func:`meter_salience`, :func:`choose_meter`); the bar phase is the one whose beats carry
the most evidence (:func:`phase_scores`, :func:`positions_from_phase`), or a Viterbi path
over bar positions that may re-synchronise (:func:`viterbi_positions`). The evidence
curves come from :mod:`helpers.downbeat.evidence`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral

import numpy as np

from ..checks import check_int_at_least, check_nonnegative, check_positive
from ..errors import ParameterError
from ..novelty import check_curve

__all__ = [
    "METERS",
    "DEFAULT_METER",
    "CHANGE_WEIGHT",
    "BASS_WEIGHT",
    "SWITCH_PENALTY",
    "MeterEstimate",
    "meter_salience",
    "choose_meter",
    "standardize",
    "downbeat_evidence",
    "phase_scores",
    "positions_from_phase",
    "viterbi_positions",
]

#: Candidate meters (beats per bar). Harmonix: 887 of 912 tracks have a 4-beat bar as their
#: most common bar, 6 a 3-beat bar, 17 a 6-beat bar (6/8 annotated at the eighth note).
METERS = (3, 4)
#: The meter used when there are too few beats to decide: the Harmonix majority (97 %).
DEFAULT_METER = 4
#: Weight of the standardized harmonic change in the downbeat evidence (the main cue).
CHANGE_WEIGHT = 1.0
#: Weight of the standardized bass onset strength: a quarter of the harmonic change's. The
#: bass note on the one (the "oom" of a waltz) shares its bands with the kick drum, which also
#: plays on 3 (rock), on every beat (dance) or only on 3 (reggae), so this cue is a minor one.
#: Measured (docs/downbeat.md): 0 and 0.25 tie on realmel, 0.5 and 1 lose there; 0.25 fixes
#: the demo waltz.
BASS_WEIGHT = 0.25
#: Cost of a bar-position jump in :func:`viterbi_positions`, in units of standardized
#: evidence. In the Harmonix annotations 1.5 % of bars are not of the track's usual length,
#: i.e. a jump costs ``-log(0.0146) = 4.2`` nats; counting one unit of standardized evidence
#: as one nat (a first guess, not fitted) gives 4.2.
SWITCH_PENALTY = 4.2


def _check_meter(meter, name: str = "meter") -> int:
    """A meter: a whole number of beats per bar >= 2."""
    return check_int_at_least(meter, 2, name=name, unit="beats per bar", hint="e.g. 3 or 4")


def _check_meters(meters, name: str) -> tuple:
    """Candidate meters: one meter, or several, as a sorted tuple without repeats."""
    if isinstance(meters, (Integral, np.integer)) and not isinstance(meters, bool):
        meters = (meters,)
    try:
        values = tuple(meters)
    except TypeError:
        values = ()
    if not values:
        raise ParameterError(f"{name}={meters!r} must be a tuple of beats per bar, e.g. (3, 4).")
    return tuple(sorted({_check_meter(m, f"{name}[{i}]") for i, m in enumerate(values)}))


def _check_penalty(value, name: str) -> float:
    """A jump penalty: a number > 0, or np.inf (no jump)."""
    return check_positive(value, name=name, allow_inf=True, hint="np.inf for one phase per track")


def meter_salience(sim, *, meter: int) -> np.ndarray:
    """Per beat, how much the similarity at lag ``meter`` stands above its two neighbour lags.

    ``sim[:, M] - (sim[:, M - 1] + sim[:, M + 1]) / 2``: similarity falls off with the lag
    in most music, so a raw comparison of lag 3 and lag 4 would favour 3; a *peak* at M
    is the sign of M-beat bars. NaN where a lag runs past the end.

    Parameters
    ----------
    sim : np.ndarray [shape=(n_beats, max_lag + 1)]
        :func:`lag_similarity` with ``max_lag >= meter + 1``.
    meter : int >= 2

    Returns
    -------
    salience : np.ndarray [shape=(n_beats,)]
    """
    meter = _check_meter(meter)
    sim = np.asarray(sim, dtype=float)
    if sim.ndim != 2 or sim.shape[1] < meter + 2:
        raise ParameterError(
            f"sim has shape {sim.shape}; meter {meter} needs lags up to {meter + 1}: "
            f"lag_similarity(features, max_lag={meter + 1})."
        )
    return sim[:, meter] - 0.5 * (sim[:, meter - 1] + sim[:, meter + 1])


@dataclass(frozen=True)
class MeterEstimate:
    """The meter decision of :func:`choose_meter`.

    Attributes
    ----------
    meter : int
        Beats per bar.
    confidence : float
        In [0.5, 1]: the probability, under a normal approximation, that the winner's mean
        salience really exceeds the runner-up's, given how much their difference varies
        from bar to bar. 0.5 = a coin flip (also when it could not be decided), 1 = sure.
    salience : dict[int, float]
        Mean :func:`meter_salience` of each candidate meter.
    """

    meter: int
    confidence: float
    salience: dict


def choose_meter(sim, *, meters=METERS) -> MeterEstimate:
    """The meter whose lag has the highest mean salience, and how sure that is.

    For the winner ``a`` and the runner-up ``b``, the per-beat difference
    ``d = meter_salience(sim, meter=a) - meter_salience(sim, meter=b)`` has a mean ``m``
    and a standard deviation ``s``; beats of one bar are not independent, so the
    standard error uses the number of bars, ``len(d) / a``. The confidence is
    ``Phi(m / (s / sqrt(len(d) / a)))`` (``Phi`` = the standard normal CDF).

    Parameters
    ----------
    sim : np.ndarray [shape=(n_beats, max_lag + 1)]
        :func:`lag_similarity`, ``max_lag >= max(meters) + 1``.
    meters : tuple of int
        Candidates (default (3, 4)).

    Returns
    -------
    MeterEstimate
        With a single candidate, or no beat to compare: that candidate (or
        :data:`DEFAULT_METER` if it is a candidate, else the largest), confidence 0.5.
    """
    meters = _check_meters(meters, "meters")
    sal = {m: meter_salience(sim, meter=m) for m in meters}
    means = {m: float(np.nanmean(s)) if np.isfinite(s).any() else np.nan for m, s in sal.items()}
    known = [m for m in meters if np.isfinite(means[m])]
    if len(known) < 2:
        fallback = known[0] if known else (DEFAULT_METER if DEFAULT_METER in meters else meters[-1])
        return MeterEstimate(fallback, 0.5, means)
    ranked = sorted(known, key=lambda m: (means[m], m == DEFAULT_METER), reverse=True)
    a, b = ranked[0], ranked[1]
    d = sal[a] - sal[b]
    d = d[np.isfinite(d)]
    n_bars = d.size / a
    sd = float(d.std(ddof=1)) if d.size > 1 else 0.0
    mean = float(d.mean()) if d.size else 0.0
    if n_bars < 1 or d.size < 2:
        confidence = 0.5
    elif sd == 0:
        confidence = 1.0 if mean > 0 else 0.5
    else:
        t = mean / (sd / math.sqrt(n_bars))
        confidence = 0.5 * (1.0 + math.erf(t / math.sqrt(2.0)))
    return MeterEstimate(int(a), float(confidence), means)


# --------------------------------------------------------------------------- phase
def standardize(x) -> np.ndarray:
    """``(x - mean) / std``: evidence in units of its own spread, so curves can be added.

    A constant curve (up to rounding errors) gives zeros: it says nothing.
    """
    x = check_curve(x, name="x")
    if x.size == 0:
        return x.copy()
    sd = x.std()
    # A spread at the level of rounding errors is no evidence: treat it as constant.
    if sd <= 1e-12 * max(1.0, float(np.abs(x).max())):
        return np.zeros_like(x)
    return (x - x.mean()) / sd


def downbeat_evidence(*, harmonic_change, bass_onset, change_weight: float = CHANGE_WEIGHT,
                      bass_weight: float = BASS_WEIGHT) -> np.ndarray:
    """How much each beat looks like a "one": the weighted sum of the standardized cues.

    ``change_weight * standardize(harmonic_change) + bass_weight * standardize(bass_onset)``.

    Parameters
    ----------
    harmonic_change, bass_onset : np.ndarray [shape=(n_beats,)]
        From :func:`harmonic_change` and :func:`bass_onset_at_beats`.
    change_weight, bass_weight : float >= 0

    Returns
    -------
    evidence : np.ndarray [shape=(n_beats,)]
        Mean 0; larger = more like a downbeat.
    """
    change = check_curve(harmonic_change, name="harmonic_change")
    bass = check_curve(bass_onset, name="bass_onset")
    if change.shape != bass.shape:
        raise ParameterError(
            f"harmonic_change has {change.size} values and bass_onset {bass.size}: both need one per beat."
        )
    check_nonnegative(change_weight, name="change_weight")
    check_nonnegative(bass_weight, name="bass_weight")
    return change_weight * standardize(change) + bass_weight * standardize(bass)


def phase_scores(evidence, *, meter: int) -> np.ndarray:
    """The total evidence on the beats that would be downbeats for each phase.

    ``scores[p] = evidence[p::meter].sum()``: phase ``p`` makes beats ``p, p + meter, ...``
    the downbeats. The best phase is ``np.argmax(scores)``; a first beat that is not a
    downbeat (a pickup) just means ``p > 0``.

    Parameters
    ----------
    evidence : np.ndarray [shape=(n_beats,)]
    meter : int >= 2

    Returns
    -------
    scores : np.ndarray [shape=(meter,)]
    """
    e = check_curve(evidence, name="evidence")
    meter = _check_meter(meter)
    return np.array([e[p::meter].sum() for p in range(meter)])


def positions_from_phase(n_beats: int, *, meter: int, phase: int) -> np.ndarray:
    """Bar positions 1..meter when beat ``phase`` is a downbeat: ``(i - phase) % meter + 1``.

    Examples
    --------
    >>> positions_from_phase(6, meter=4, phase=1).tolist()     # a one-beat pickup
    [4, 1, 2, 3, 4, 1]
    """
    check_int_at_least(n_beats, 0, name="n_beats")
    meter = _check_meter(meter)
    check_int_at_least(phase, 0, maximum=meter - 1, name="phase", hint="the index of the first downbeat")
    return (np.arange(n_beats) - phase) % meter + 1


def viterbi_positions(evidence, *, meter: int, switch_penalty: float = SWITCH_PENALTY) -> np.ndarray:
    """Bar positions that follow the evidence, re-synchronising where it pays: a Viterbi path.

    The states are the positions 1..meter. A beat at position 1 scores its evidence,
    any other position 0. From one beat to the next the position normally goes up by
    one (``meter`` -> 1); any other move (a beat skipped, added, or a bar of another
    length) costs ``switch_penalty``. The first beat may be at any position (a pickup).
    The path with the highest total score wins. With ``switch_penalty=np.inf`` no jump
    is allowed and the result is :func:`positions_from_phase` at the best
    :func:`phase_scores` phase.

    Parameters
    ----------
    evidence : np.ndarray [shape=(n_beats,)]
        Downbeat evidence, e.g. :func:`downbeat_evidence`.
    meter : int >= 2
    switch_penalty : float > 0 or inf
        Cost of one jump, in units of evidence.

    Returns
    -------
    positions : np.ndarray [shape=(n_beats,)], int
        In 1..meter.

    Examples
    --------
    >>> e = np.array([1.0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1])  # a beat lost before 7
    >>> viterbi_positions(e, meter=4, switch_penalty=1.0).tolist()
    [1, 2, 3, 4, 1, 2, 3, 1, 2, 3, 4, 1, 2, 3, 4, 1]
    >>> viterbi_positions(e, meter=4, switch_penalty=np.inf).tolist()   # one phase: 3 of the 5 ones
    [2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1]
    """
    e = check_curve(evidence, name="evidence")
    meter = _check_meter(meter)
    penalty = _check_penalty(switch_penalty, "switch_penalty")
    n = e.size
    if n == 0:
        return np.zeros(0, dtype=int)
    if math.isinf(penalty):
        return positions_from_phase(n, meter=meter, phase=int(np.argmax(phase_scores(e, meter=meter))))
    # transition[a, b]: cost of going from position a + 1 to position b + 1
    transition = np.full((meter, meter), -penalty)
    transition[np.arange(meter), (np.arange(meter) + 1) % meter] = 0.0
    is_one = np.arange(meter) == 0
    score = np.where(is_one, e[0], 0.0)
    back = np.zeros((n, meter), dtype=int)
    for i in range(1, n):
        candidates = score[:, None] + transition
        back[i] = candidates.argmax(axis=0)
        score = candidates[back[i], np.arange(meter)] + np.where(is_one, e[i], 0.0)
    state = int(score.argmax())
    states = np.empty(n, dtype=int)
    for i in range(n - 1, -1, -1):
        states[i] = state
        state = back[i, state]
    return states + 1
