"""Listening without audio: rebuild sound from a mel-spectrogram, and add clicks at beats.

Taught in notebook 01 ("Listening without audio"). The Harmonix audio is not public, so
anything a learner hears must be rebuilt from the mel-spectrogram. The inversion has two
steps, both approximate:

1. mel -> linear spectrogram: the 80 mel bands are spread back over 1025 FFT bins by a
   non-negative least-squares fit (``librosa.feature.inverse.mel_to_stft``). Detail inside a
   band is gone: high frequencies, where one band spans hundreds of Hz, sound smeared.
2. magnitude -> waveform: the phase was never stored; Griffin-Lim iterates to a phase that
   is consistent with the magnitudes. It leaves a metallic, "phasey" sound, and transients
   (drum attacks) lose their sharpness.

Rhythm survives well, which is what a beat-tracking course needs: you can hear whether the
clicks sit on the beat. The excerpt length is bounded (:data:`MAX_EXCERPT_S`) so the
inversion takes seconds, not minutes.
"""

from __future__ import annotations

import inspect

import numpy as np

from .data import MelParams, check_melspec
from .checks import check_nonnegative, check_number
from .errors import ParameterError

__all__ = [
    "MAX_EXCERPT_S",
    "GRIFFIN_LIM_ITERATIONS",
    "mel_to_audio",
    "click_track",
    "mix",
    "excerpt_with_clicks",
]

#: Longest excerpt rebuilt in one call, in seconds (keeps the inversion to a few seconds).
MAX_EXCERPT_S = 30.0
#: Griffin-Lim iterations: 32 is librosa's default; beyond that the gain is small.
GRIFFIN_LIM_ITERATIONS = 32
#: Click pitch (Hz) and length (s) for beat clicks; a short high click cuts through the mix.
CLICK_FREQ_HZ = 1500.0
CLICK_DURATION_S = 0.06


def _excerpt_frames(n_frames: int, params: MelParams, start_s: float, duration_s: float | None) -> slice:
    start_s = check_nonnegative(start_s, name="start_s", unit="seconds")
    total_s = params.duration_s(n_frames)
    if duration_s is None:
        duration_s = min(total_s - start_s, MAX_EXCERPT_S)
    check_number(duration_s, name="duration_s", low=0, high=MAX_EXCERPT_S, low_inclusive=False, unit="seconds",
                 hint="so the inversion stays quick", fix="Listen to a long track in several excerpts.")
    first = int(params.time_to_frames(start_s))
    last = int(params.time_to_frames(start_s + duration_s))
    if first >= n_frames:
        raise ParameterError(f"start_s={start_s:g} s is past the end of the track ({total_s:.1f} s).")
    return slice(first, min(last, n_frames))


def mel_to_audio(S_power, *, params: MelParams, start_s: float = 0.0, duration_s: float | None = 10.0,
                 n_iter: int = GRIFFIN_LIM_ITERATIONS, seed: int = 0) -> np.ndarray:
    """Rebuild an audio excerpt from a POWER mel-spectrogram (NNLS + Griffin-Lim).

    Parameters
    ----------
    S_power : np.ndarray [shape=(n_mels, n_frames)]
        The whole track's power mel-spectrogram.
    params : MelParams
        The data set's parameters (``ds.params``): sr, n_fft, hop and mel range.
    start_s, duration_s : float
        The excerpt, in seconds (``duration_s`` at most :data:`MAX_EXCERPT_S`; None = to
        the end, capped).
    n_iter : int
        Griffin-Lim iterations.
    seed : int
        Seed of Griffin-Lim's random initial phase (same seed, same audio).

    Returns
    -------
    y : np.ndarray [shape=(n_samples,)], float32
        Audio at ``params.sr``; sample 0 is at ``start_s`` (to within half a frame:
        the excerpt starts on the frame nearest ``start_s``).

    Examples
    --------
    >>> y = mel_to_audio(S, params=ds.params, start_s=30, duration_s=10)   # doctest: +SKIP
    >>> IPython.display.Audio(y, rate=ds.params.sr)                        # doctest: +SKIP
    """
    import librosa

    S_power = np.asarray(S_power)
    check_melspec(S_power, params=params)
    frames = _excerpt_frames(S_power.shape[1], params, start_s, duration_s)
    M = np.ascontiguousarray(S_power[:, frames], dtype=np.float32)
    # Step 1: mel power -> linear-frequency magnitude (non-negative least squares).
    magnitude = librosa.feature.inverse.mel_to_stft(
        M, sr=params.sr, n_fft=params.n_fft, power=2.0, fmin=params.fmin, fmax=params.fmax_hz
    )
    # Step 2: magnitude -> waveform, estimating the phase that was never stored.
    # librosa 1.0 renamed griffinlim's random_state to rng; pass whichever this version has.
    seed_arg = "rng" if "rng" in inspect.signature(librosa.griffinlim).parameters else "random_state"
    y = librosa.griffinlim(
        magnitude,
        n_iter=n_iter,
        hop_length=params.hop_length,
        n_fft=params.n_fft,
        length=(M.shape[1] - 1) * params.hop_length,
        **{seed_arg: np.random.default_rng(seed)},
    )
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    return (y / peak * 0.5 if peak > 0 else y).astype(np.float32)


def click_track(beat_times_s, *, sr: int, n_samples: int, start_s: float = 0.0,
                click_freq_hz: float = CLICK_FREQ_HZ) -> np.ndarray:
    """Clicks at the given beat times, as audio aligned with an excerpt starting at ``start_s``.

    Returns
    -------
    clicks : np.ndarray [shape=(n_samples,)], float32, peak 1.0 (silent if no beat falls inside)
    """
    import librosa

    times = np.asarray(beat_times_s, dtype=float) - start_s
    times = times[(times >= 0) & (times < n_samples / sr)]
    if times.size == 0:
        return np.zeros(n_samples, dtype=np.float32)
    clicks = librosa.clicks(times=times, sr=sr, length=n_samples, click_freq=click_freq_hz,
                            click_duration=CLICK_DURATION_S)
    return clicks.astype(np.float32)


def mix(*signals, gains=None) -> np.ndarray:
    """Sum signals of equal length with gains, scaled so the peak is 0.9 (no clipping)."""
    if not signals:
        raise ParameterError("mix() needs at least one signal")
    n = {len(s) for s in signals}
    if len(n) != 1:
        raise ParameterError(f"signals must have equal lengths, got {sorted(n)}")
    gains = [1.0] * len(signals) if gains is None else list(gains)
    out = sum(g * np.asarray(s, dtype=np.float32) for g, s in zip(gains, signals))
    peak = float(np.max(np.abs(out)))
    return (out / peak * 0.9 if peak > 0 else out).astype(np.float32)


def excerpt_with_clicks(S_power, beat_times_s, *, params: MelParams, start_s: float = 0.0,
                        duration_s: float = 10.0, click_gain: float = 0.5,
                        right_beat_times_s=None, n_iter: int = GRIFFIN_LIM_ITERATIONS) -> np.ndarray:
    """The rebuilt excerpt with clicks at ``beat_times_s`` (for ``IPython.display.Audio``).

    With ``right_beat_times_s`` the result is stereo, shape (2, n_samples): the left channel
    clicks at ``beat_times_s`` (e.g. the reference), the right at ``right_beat_times_s``
    (e.g. the estimate), so you hear which one drifts.
    """
    y = mel_to_audio(S_power, params=params, start_s=start_s, duration_s=duration_s, n_iter=n_iter)
    # The excerpt starts on the frame nearest start_s: align the clicks with that frame.
    t0 = float(params.frames_to_time(params.time_to_frames(start_s)))
    left = mix(y, click_track(beat_times_s, sr=params.sr, n_samples=len(y), start_s=t0),
               gains=[1.0, click_gain])
    if right_beat_times_s is None:
        return left
    right = mix(y, click_track(right_beat_times_s, sr=params.sr, n_samples=len(y), start_s=t0),
                gains=[1.0, click_gain])
    return np.stack([left, right])
