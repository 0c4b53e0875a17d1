"""Week 5 reference solutions (notebook 05_bars_and_downbeats).

One function per exercise, named by its id (``w5.bass`` -> ``w5_bass``), with the
parameters of the function the learner writes. The notebooks do not import this file:
try the exercise first, ``check`` gives hints. ``helpers.exercises.solution("w5.bass")``
shows one solution; tests/test_exercises_week5.py runs every one through its check.
"""

import numpy as np


def w5_bass(S_power, beat_frames, band_hz, cutoff_hz, gamma):
    """bass_at_beats: the bass bands' half-wave rectified log flux, the largest of frames f-1, f, f+1."""
    L = np.log1p(gamma * S_power / S_power.max())
    D = np.zeros_like(L)
    D[:, 1:] = np.maximum(L[:, 1:] - L[:, :-1], 0.0)         # increases arriving at each frame
    bass = D[np.asarray(band_hz) < cutoff_hz].sum(axis=0)      # the bass bands only
    padded = np.concatenate([[0.0], bass, [0.0]])              # 0 outside the track
    f = np.asarray(beat_frames, dtype=int)
    return np.maximum(np.maximum(padded[f], padded[f + 1]), padded[f + 2])   # frames f-1, f, f+1


def w5_change(spectra, window_beats):
    """chord_change: cosine distance of the mean spectrum before each beat and from it on."""
    X = np.asarray(spectra, dtype=float)
    X = X - X.mean(axis=0)                                     # what every beat shares says nothing
    n = X.shape[0]
    change = np.zeros(n)
    for i in range(1, n):
        before = X[max(0, i - window_beats):i].mean(axis=0)
        after = X[i:i + window_beats].mean(axis=0)
        norms = np.linalg.norm(before) * np.linalg.norm(after)
        change[i] = 1.0 - before @ after / norms if norms > 0 else 0.0
    if n > 1:
        change[0] = change[1:].mean()                          # nothing before beat 0: neutral
    return change


def w5_phase(evidence, meter):
    """bar_positions: the phase with the most evidence on its downbeats, then every beat's position."""
    evidence = np.asarray(evidence, dtype=float)
    scores = [evidence[p::meter].sum() for p in range(meter)]
    phase = int(np.argmax(scores))
    return (np.arange(evidence.size) - phase) % meter + 1


def w5_meter(features, meters):
    """meter_from_lags: the meter whose lag is the highest peak of the mean lag similarity."""
    X = np.asarray(features, dtype=float)
    X = X - X.mean(axis=0)
    n = X.shape[0]
    sim = [1.0]
    for k in range(1, max(meters) + 2):
        a, b = X[:n - k], X[k:]
        norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
        cos = np.where(norms > 0, (a * b).sum(axis=1) / np.where(norms > 0, norms, 1.0), 0.0)
        sim.append(cos.mean())
    return max(meters, key=lambda m: sim[m] - (sim[m - 1] + sim[m + 1]) / 2)


def w5_offset(reference_times_s, reference_positions, estimated_downbeats_s, meter):
    """find_downbeat_offset: the most common annotated position under the estimated downbeats, as beats."""
    ref = np.asarray(reference_times_s, dtype=float)
    positions = np.asarray(reference_positions, dtype=int)
    found = []
    for t in np.asarray(estimated_downbeats_s, dtype=float):
        j = int(np.argmin(np.abs(ref - t)))                    # the nearest reference beat
        if abs(ref[j] - t) <= 0.07:
            found.append(positions[j])
    if not found:
        return None
    p = int(np.argmax(np.bincount(found)))                     # the most common position
    offset = p - 1
    return offset - meter if offset > meter // 2 else offset
