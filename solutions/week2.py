"""Week 2 reference solutions (notebooks 02a_novelty_and_tempo and 02b_beats_and_evaluation).

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
    total = before + at + after
    shift = np.where(total > 0, (after - before) / np.where(total > 0, total, 1.0), 0.0)   # 0 in silence
    return (f + np.clip(shift, -0.5, 0.5)) / frame_rate_hz


def w2_low_flux(S_power, gamma, band_centres_hz, cutoff_hz):
    """low_band_flux: the half-wave rectified log flux, summed over the bands centred below cutoff_hz."""
    L = np.log1p(gamma * S_power / S_power.max())            # the whole spectrogram's maximum
    D = np.zeros_like(L)
    D[:, 1:] = L[:, 1:] - L[:, :-1]
    low = np.asarray(band_centres_hz) < cutoff_hz
    return np.maximum(D[low], 0.0).sum(axis=0)


def w2_fourier(window, frame_rate_hz, bpm):
    """fourier_salience: |windowed DFT| of the mean-removed window at each tempo, normalised."""
    x = np.asarray(window, dtype=float)
    n = x.size
    xw = (x - x.mean()) * np.hanning(n + 2)[1:-1]
    t_s = np.arange(n) / frame_rate_hz                       # time of each frame
    f_hz = np.asarray(bpm, dtype=float)[:, None] / 60.0      # one row per tempo
    z = (xw * np.exp(-2j * np.pi * f_hz * t_s)).sum(axis=1)
    return np.abs(z) / np.sqrt(n * np.sum(xw**2) / 2)


def w2_backtrack(C, back, period_frames):
    """backtrack: the best C in the final period, then follow back until -1."""
    n = len(C)
    tail = max(0, n - int(np.ceil(period_frames)))
    b = tail + int(np.argmax(C[tail:]))
    frames = [b]
    while back[b] >= 0:
        b = int(back[b])
        frames.append(b)
    return np.array(frames[::-1], dtype=int)


def w2_dp_all(O, period_frames, tightness):
    """dp_all_predecessors: any earlier frame may be the previous beat; before the track as in w2_dp."""
    n = len(O)
    P = period_frames
    window = np.arange(max(1, int(np.floor(P / 2))), int(np.ceil(2 * P)) + 1)
    C = np.zeros(n)
    back = np.full(n, -1)
    for t in range(n):
        lags = np.concatenate([np.arange(1, t + 1), window[window > t]])   # every earlier frame, then silence
        s = t - lags
        score = np.where(s >= 0, C[np.maximum(s, 0)], 0.0) - tightness * np.log(lags / P) ** 2
        j = int(np.argmax(score))
        C[t] = O[t] + score[j]
        back[t] = s[j] if s[j] >= 0 else -1
    return C, back


def w2_parabolic(novelty, beat_frames, frame_rate_hz):
    """parabolic_refine: the vertex of the parabola through f-1, f, f+1, where f is a local maximum."""
    y = np.concatenate([[0.0], np.asarray(novelty, dtype=float), [0.0]])  # 0 outside the curve
    f = np.asarray(beat_frames, dtype=int)
    a, b, c = y[f], y[f + 1], y[f + 2]
    den = a - 2 * b + c
    peak = (b >= a) & (b >= c) & (den < 0)
    shift = np.where(peak, 0.5 * (a - c) / np.where(peak, den, -1.0), 0.0)
    return (f + shift) / frame_rate_hz
