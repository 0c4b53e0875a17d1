"""Week 1 reference solutions (notebook 01_look_at_the_data).

One function per exercise, named by its id (``w1.seconds`` -> ``w1_seconds``), with the
parameters of the function the learner writes. The notebooks do not import this file:
try the exercise first, ``check`` gives hints. ``helpers.exercises.solution("w1.seconds")``
shows one solution; tests/test_exercises.py runs every one through its check.
"""

import numpy as np


def w1_seconds(frames, sr, hop_length):
    """frames_to_seconds: frame k sits at k * hop_length / sr seconds (center=True)."""
    return np.asarray(frames, dtype=float) * hop_length / sr


def w1_db(S_power):
    """to_db: dB relative to the loudest bin, 80 dB of range."""
    S_db = 10 * np.log10(np.maximum(S_power, 1e-10) / S_power.max())
    return np.maximum(S_db, S_db.max() - 80)


def w1_tolerance(tolerance_s, sr, hop_length):
    """tolerance_in_frames: seconds times the frame rate sr / hop_length."""
    return tolerance_s * sr / hop_length


def w1_energy(S_power):
    """energy_db: total power per frame (sum over the bands), in dB re. power 1."""
    energy = S_power.sum(axis=0)
    return 10 * np.log10(np.maximum(energy, 1e-10))


def w1_mel(n_mels, fmin_hz, fmax_hz):
    """mel_band_centres_hz: n_mels + 2 edges evenly spaced in (Slaney) mel; the centres are the inner ones."""
    def hz_to_mel(f):
        f = np.asarray(f, dtype=float)
        return np.where(f < 1000, 3 * f / 200, 15 + 27 * np.log(np.maximum(f, 1000) / 1000) / np.log(6.4))

    def mel_to_hz(m):
        m = np.asarray(m, dtype=float)
        return np.where(m < 15, 200 * m / 3, 1000 * np.exp((m - 15) * np.log(6.4) / 27))

    edges_mel = np.linspace(hz_to_mel(fmin_hz), hz_to_mel(fmax_hz), n_mels + 2)
    return mel_to_hz(edges_mel[1:-1])


def w1_band_of(freq_hz, n_mels, fmin_hz, fmax_hz):
    """band_of_frequency: the band whose centre is nearest on the mel scale."""
    def hz_to_mel(f):
        f = np.asarray(f, dtype=float)
        return np.where(f < 1000, 3 * f / 200, 15 + 27 * np.log(np.maximum(f, 1000) / 1000) / np.log(6.4))

    centres_mel = np.linspace(hz_to_mel(fmin_hz), hz_to_mel(fmax_hz), n_mels + 2)[1:-1]
    distance = np.abs(hz_to_mel(freq_hz)[:, None] - centres_mel[None, :])     # (n_freqs, n_mels)
    return np.argmin(distance, axis=1)
