"""Week 2 reference solutions (notebook 02_build_a_flux_beat_tracker).

One function per exercise, named by its id (``w2.flux`` -> ``w2_flux``), with the
parameters of the function the learner writes. The notebooks do not import this file:
try the exercise first, ``check`` gives hints. ``helpers.exercises.solution("w2.flux")``
shows one solution; tests/test_exercises.py runs every one through its check.
"""

import numpy as np


def w2_flux(S_power, gamma):
    """half_wave_flux: log compression, difference, half-wave rectification, sum over bands."""
    L = np.log1p(gamma * S_power / S_power.max())
    D = np.zeros_like(L)
    D[:, 1:] = L[:, 1:] - L[:, :-1]          # the increase arriving at frame n
    return np.maximum(D, 0.0).sum(axis=0)


def w2_local_average(x, n):
    """above_local_average: x minus its centred n-frame mean, negative values set to 0."""
    x = np.asarray(x, dtype=float)
    local_avg = np.convolve(x, np.ones(n) / n, mode="same")
    return np.maximum(x - local_avg, 0.0)


def w2_tempo(novelty, frame_rate_hz, prior_center_bpm, prior_width_octaves):
    """acf_tempo: the lag with the largest autocorrelation x prior, as a tempo in BPM."""
    x = np.asarray(novelty, dtype=float)
    x = x - x.mean()
    acf = np.correlate(x, x, mode="full")[x.size - 1:]      # acf[lag], lag = 0 .. len - 1
    lags = np.arange(1, x.size)
    bpm = 60.0 * frame_rate_hz / lags
    prior = np.exp(-0.5 * (np.log2(bpm / prior_center_bpm) / prior_width_octaves) ** 2)
    score = np.where((bpm >= 30) & (bpm <= 300), acf[1:] * prior, -np.inf)
    return float(bpm[np.argmax(score)])


def w2_dp(O, period_frames, tightness):
    """dp_forward: Ellis's recursion, C[t] = O[t] + best previous score, back[t] = its frame."""
    n = len(O)
    P = period_frames
    lags = np.arange(max(1, int(np.floor(P / 2))), int(np.ceil(2 * P)) + 1)
    penalty = -tightness * np.log(lags / P) ** 2
    C = np.zeros(n)
    back = np.full(n, -1)
    for t in range(n):
        s = t - lags                                         # candidate previous beats
        score = np.where(s >= 0, C[np.maximum(s, 0)], 0.0) + penalty
        j = int(np.argmax(score))
        C[t] = O[t] + score[j]
        back[t] = s[j] if s[j] >= 0 else -1
    return C, back


def w2_refine(novelty, beat_frames, frame_rate_hz):
    """centroid_refine: novelty-weighted mean position of frames f-1, f, f+1, in seconds."""
    y = np.concatenate([[0.0], np.asarray(novelty, dtype=float), [0.0]])   # 0 outside the curve
    f = np.asarray(beat_frames, dtype=int)
    before, at, after = y[f], y[f + 1], y[f + 2]
    return (f + (after - before) / (before + at + after)) / frame_rate_hz
