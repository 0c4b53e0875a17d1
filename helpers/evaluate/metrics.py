"""mir_eval 0.8.2's beat metrics re-implemented exactly, vectorised: the fast back-end of evaluate_beats.

Each function takes beat arrays that are already validated and trimmed
(:func:`helpers.evaluate.evaluate_beats` does both) and returns what the mir_eval
function of the same name returns, quirks included (each docstring lists them); the
functions are private to :mod:`helpers.evaluate`, which calls them through
:func:`_evaluate_fast`. ``tests/test_evaluate.py`` checks them against mir_eval on random,
crowded and edited sequences and on the 4560 published Harmonix estimates.
"""

from __future__ import annotations

import numpy as np

from .config import (CEMGIL_SIGMA_S, CONTINUITY_PERIOD_THRESHOLD, CONTINUITY_PHASE_THRESHOLD, FMEASURE_WINDOW_S,
                     GOTO_MU, GOTO_SIGMA, GOTO_THRESHOLD, INFORMATION_GAIN_BINS, P_SCORE_THRESHOLD,
                     _CONTINUITY_NAMES)

__all__: list[str] = []   # everything here is private to helpers.evaluate


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
