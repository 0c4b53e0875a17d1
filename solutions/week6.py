"""Week 6 reference solutions (notebook 06_learn_the_novelty).

One function per exercise, named by its id (``w6.features`` -> ``w6_features``), with the
parameters of the function the learner writes. The notebooks do not import this file:
try the exercise first, ``check`` gives hints. ``helpers.exercises.solution("w6.loss")``
shows one solution; tests/test_exercises_week6.py runs every one through its check.
"""

import hashlib

import numpy as np


def w6_features(D, n_groups, context_frames):
    """frame_matrix: band groups (mean of adjacent bands), then each frame's +-c window, group by group."""
    D = np.asarray(D, dtype=float)
    n_frames = D.shape[1]
    G = D.reshape(n_groups, -1, n_frames).mean(axis=1)          # (n_groups, n_frames)
    c = context_frames
    padded = np.pad(G, ((0, 0), (c, c)))                          # 0 outside the track
    X = np.zeros((n_frames, n_groups * (2 * c + 1)))
    for t in range(n_frames):
        X[t] = padded[:, t:t + 2 * c + 1].ravel()                 # group 0's offsets -c..c, then group 1's ...
    return X


def w6_targets(beat_times_s, n_frames, frame_rate_hz):
    """frame_targets: each beat shared between the two frames around it, by its distance to them."""
    u = np.asarray(beat_times_s, dtype=float) * frame_rate_hz      # fractional frame of each beat
    u = u[u <= n_frames - 1]                                       # beats after the last frame: ignored
    y = np.zeros(n_frames)
    for ui in u:
        k = int(np.floor(ui))
        a = ui - k
        y[k] += 1.0 - a                                            # the nearer frame gets more
        if k + 1 < n_frames:
            y[k + 1] += a
    return np.minimum(y, 1.0)


def w6_loss(w, b, X, targets, weights, l2):
    """loss_and_gradient: weighted mean cross-entropy + l2/2 ||w||^2, and its gradient."""
    z = X @ w + b
    total = np.sum(weights)
    loss = np.sum(weights * (np.logaddexp(0.0, z) - targets * z)) / total + 0.5 * l2 * (w @ w)
    p = np.exp(z - np.logaddexp(0.0, z))                          # sigmoid(z), without overflow
    r = weights * (p - targets) / total                            # d loss / d z
    return loss, X.T @ r + l2 * w, np.sum(r)


def w6_gradcheck(f, x, eps):
    """numerical_gradient: central differences, one coordinate at a time."""
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


def w6_folds(track_ids, n_folds, salt):
    """folds_by_id: rank the ids by sha256(salt + id); rank r gets fold r % n_folds."""
    keys = [hashlib.sha256((salt + t).encode("utf-8")).hexdigest() for t in track_ids]
    folds = [0] * len(track_ids)
    for rank, i in enumerate(sorted(range(len(track_ids)), key=lambda i: keys[i])):
        folds[i] = rank % n_folds
    return folds
