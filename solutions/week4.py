"""Week 4 reference solutions (notebook 04_where_and_why_it_fails).

One function per exercise, named by its id (``w4.octave`` -> ``w4_octave``), with the
parameters of the function the learner writes. The notebooks do not import this file:
try the exercise first, ``check`` gives hints. ``helpers.exercises.solution("w4.octave")``
shows one solution; tests/test_exercises.py runs every one through its check.
"""

import numpy as np

from helpers.evaluate import evaluate_beats


def w4_octave(estimated_bpm, reference_bpm, tolerance):
    """tempo_octave: compare the tempo ratio with 1, 2 and 1/2, relative to each."""
    ratio = estimated_bpm / reference_bpm
    for target, label in ((1.0, "correct"), (2.0, "double-tempo"), (0.5, "half-tempo")):
        if abs(ratio / target - 1.0) <= tolerance:
            return label
    return "other"


def w4_classify(reference_s, estimated_s):
    """classify_failure: the best-matching metrical version of the reference, if F >= 0.8."""
    ref = np.asarray(reference_s, dtype=float)
    mid = (ref[:-1] + ref[1:]) / 2
    versions = {
        "correct": [ref],
        "double-tempo": [np.sort(np.concatenate([ref, mid]))],
        "half-tempo": [ref[::2], ref[1::2]],
        "off-beat": [mid],
    }
    best_label, best_f = "other", 0.0
    for label, candidates in versions.items():
        for version in candidates:
            f = evaluate_beats(version, estimated_s, metrics=("F-measure",))["F-measure"]
            if f > best_f:
                best_label, best_f = label, f
    return best_label if best_f >= 0.8 else "other"


def w4_bootstrap(scores, n_boot, seed):
    """bootstrap_ci: the 2.5th and 97.5th percentiles of n_boot resampled means."""
    scores = np.asarray(scores, dtype=float)
    rng = np.random.default_rng(seed)
    means = [rng.choice(scores, size=scores.size, replace=True).mean() for _ in range(n_boot)]
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def w4_wins(scores_a, scores_b, tie_tolerance):
    """win_loss_tie: over the tracks both systems scored, compare A - B with +-tie_tolerance."""
    wins = losses = ties = 0
    for track_id, a in scores_a.items():
        b = scores_b.get(track_id)
        if a is None or b is None:
            continue                               # a failed (or missing) track is not a score of 0
        if a - b > tie_tolerance:
            wins += 1
        elif a - b < -tie_tolerance:
            losses += 1
        else:
            ties += 1
    return wins, losses, ties


def w4_paired_bootstrap(scores_a, scores_b, n_boot, seed):
    """paired_bootstrap_ci: resample the tracks (the same indices for both systems), mean of A - B."""
    diff = np.asarray(scores_a, dtype=float) - np.asarray(scores_b, dtype=float)
    rng = np.random.default_rng(seed)
    means = [diff[rng.integers(0, diff.size, diff.size)].mean() for _ in range(n_boot)]
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)
