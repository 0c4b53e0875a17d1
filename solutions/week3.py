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
