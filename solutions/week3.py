"""Week 3 reference solutions (notebook 03_validate_on_the_whole_dataset).

One function per exercise, named by its id (``w3.trim`` -> ``w3_trim``), with the
parameters of the function the learner writes. The notebooks do not import this file:
try the exercise first, ``check`` gives hints. ``helpers.exercises.solution("w3.trim")``
shows one solution; tests/test_exercises.py runs every one through its check.
"""

import numpy as np


def w3_trim(beats_s, min_time_s):
    """trim_early_beats: keep the beats at or after min_time_s."""
    beats_s = np.asarray(beats_s, dtype=float)
    return beats_s[beats_s >= min_time_s]


def w3_fmeasure(reference_s, estimated_s, window_s):
    """f_measure: each estimate, in order, takes the earliest unused reference beat in its window."""
    ref = np.asarray(reference_s, dtype=float)
    est = np.asarray(estimated_s, dtype=float)
    if ref.size == 0 or est.size == 0:
        return 0.0
    used = np.zeros(ref.size, dtype=bool)
    hits = 0
    for t in est:
        free = np.flatnonzero(~used & (np.abs(ref - t) <= window_s))
        if free.size:
            used[free[0]] = True
            hits += 1
    if hits == 0:
        return 0.0
    precision, recall = hits / est.size, hits / ref.size
    return 2 * precision * recall / (precision + recall)


def w3_mean(rows, metric):
    """mean_score: the mean over the rows that have a score; None if none has."""
    scores = [row[metric] for row in rows if row[metric] is not None]
    if not scores:
        return None
    return sum(scores) / len(scores)


def w3_cmlt(reference_s, estimated_s):
    """cmlt: beats right in phase and period (17.5 % of the reference interval), over max(n_ref, n_est)."""
    ref = np.asarray(reference_s, dtype=float)
    est = np.asarray(estimated_s, dtype=float)
    if ref.size < 2 or est.size < 2:
        return 0.0
    used = np.zeros(ref.size, dtype=bool)
    correct = 0
    for m, e in enumerate(est):
        j = int(np.argmin(np.abs(ref - e)))
        if used[j]:
            continue
        if m == 0 or j == 0:                       # no interval before: take the one after (or before the last)
            ref_interval = ref[j + 1] - ref[j] if j + 1 < ref.size else ref[j] - ref[j - 1]
            est_interval = est[m + 1] - est[m] if m + 1 < est.size else est[m] - est[m - 1]
        else:
            ref_interval, est_interval = ref[j] - ref[j - 1], est[m] - est[m - 1]
        phase = abs(e - ref[j]) / ref_interval
        period = abs(1.0 - est_interval / ref_interval)
        if phase < 0.175 and period < 0.175:
            used[j] = True
            correct += 1
    return correct / max(ref.size, est.size)


def w3_playground(reference_s):
    """make_estimates: five estimates built from the reference, each wrong in one known way."""
    ref = np.asarray(reference_s, dtype=float)
    midpoints = (ref[:-1] + ref[1:]) / 2
    signs = (-1.0) ** np.arange(ref.size)          # +1, -1, +1, ...
    return {
        "half tempo": ref[::2],
        "double tempo": np.sort(np.concatenate([ref, midpoints])),
        "off-beat": midpoints,
        "60 ms late": ref + 0.060,
        "69 ms alternating": ref + 0.069 * signs,
    }
