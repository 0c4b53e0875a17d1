"""Novelty functions: how much "new" sound starts at each frame of a mel-spectrogram.

Stage 1 of the reference beat tracker (novelty -> tempo -> beats). Taught in
notebook 01 (energy novelty, a first flux curve) and notebook 02 (spectral flux,
step by step, then peak picking).

Conventions
-----------
- Input spectrograms are POWER mel spectrograms, ``S_power[band, frame]``, shape
  ``(n_mels, n_frames)``, non-negative and finite (the Harmonix files; not dB).
- Frame ``k`` is at time ``k * hop_length / sr`` seconds (librosa, ``center=True``).
- A novelty curve has one value per spectrogram frame, aligned with it: the value at
  frame ``k`` measures the increase from frame ``k - lag`` to frame ``k``. The curve
  travels with its frame rate as a :class:`Novelty`, so later stages never need to be
  told ``sr`` and ``hop_length`` again.
- Times at public boundaries are in seconds (``onset_times_s``).

The spectral flux pipeline, one plain function per step (each takes the output of
the previous one, so a learner can swap in their own)::

    L = log_compress(S_power, gamma=GAMMA)               # 1. loudness-like scale
    D = band_differences(L, lag=LAG_FRAMES)              # 2+3. difference, half-wave rectify
    x = sum_bands(D, weights=None)                       # 4. one value per frame
    x = subtract_local_average(x, frame_rate_hz=fr,      # 5. remove slow trends
                               window_s=LOCAL_AVERAGE_S)
    x = normalize_max(x)                                 # 6. scale to [0, 1]

:func:`spectral_flux` runs all of them and returns a :class:`Novelty`.

References
----------
Müller, M. (2021). Fundamentals of Music Processing, 2nd ed., Sections 6.1.1-6.1.2
(energy-based and spectral-based novelty, log compression, local average).
Böck, S., Widmer, G. (2013). Maximum filter vibrato suppression for onset detection. DAFx.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .checks import check_int_at_least, check_nonnegative, check_number, check_positive
from .data import check_power_spectrogram, resolve_rate
from .errors import ParameterError

__all__ = [
    "GAMMA",
    "LAG_FRAMES",
    "LOCAL_AVERAGE_S",
    "LOW_BAND_CUTOFF_HZ",
    "LOW_BAND_SHARE",
    "ONSET_THRESHOLD",
    "ONSET_MIN_DISTANCE_S",
    "Novelty",
    "check_curve",
    "log_compress",
    "band_differences",
    "sum_bands",
    "low_band_weights",
    "balanced_low_band_weights",
    "subtract_local_average",
    "normalize_max",
    "spectral_flux",
    "energy_novelty",
    "pick_onsets",
]

#: Log compression ``log(1 + GAMMA * S / S.max())``. With 1e7 every band is on a
#: log (dB-like) scale down to 70 dB below the loudest bin, the middle of the usual
#: 60-80 dB range of a dB display, and floors smoothly below (where the plain dB
#: scale would let near-silent bins flicker by tens of dB). A loudness-like scale
#: per band makes a hi-hat in a quiet band count like a kick in a loud one.
GAMMA = 1e7
#: Frame difference lag. One frame is already 46 ms at Harmonix's hop of 1024.
LAG_FRAMES = 1
#: Window (s) of the local average subtracted from the novelty: about one beat at
#: 120 BPM, so slow loudness changes go but the beat-to-beat pattern stays.
LOCAL_AVERAGE_S = 0.5
#: Band-weighted variant: the bands whose centre is below this (Hz) are the "low bands".
#: 250 Hz is the usual upper edge of the "bass" range (kick drum, bass guitar, 808s);
#: at Harmonix's 80 mel bands that is the 6 lowest bands (centres 41-246 Hz).
LOW_BAND_CUTOFF_HZ = 250.0
#: Share of a track's total flux that the low bands get in the tracker's novelty
#: (:func:`balanced_low_band_weights`): 0.5 = the bass range (kick drum and bass line,
#: which mark the beat in most pop) has as much say as the whole rest of the spectrum,
#: whatever the mix. Chosen by that reasoning, not fitted (see docs/tracker.md).
LOW_BAND_SHARE = 0.5
#: Peak picking: a peak must exceed the local average by this fraction of the curve's max.
ONSET_THRESHOLD = 0.1
#: Peak picking: at most one onset per this many seconds (two frames at hop 1024).
ONSET_MIN_DISTANCE_S = 0.09


# --------------------------------------------------------------------------- checks
def check_curve(x, *, name: str) -> np.ndarray:
    """A curve with one value per frame (or per beat): 1-D and finite, as a float array.

    The one check of a curve argument (novelty, local scores, downbeat evidence).

    Raises
    ------
    ParameterError
        Not 1-D, or NaN or infinite values.

    Examples
    --------
    >>> check_curve([0, 1, 2], name="x")
    array([0., 1., 2.])
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ParameterError(f"{name} must be 1-D (one value per frame), got shape {x.shape}.")
    if not np.all(np.isfinite(x)):
        raise ParameterError(f"{name} has NaN or infinite values.")
    return x


# --------------------------------------------------------------------------- container
@dataclass(frozen=True)
class Novelty:
    """A novelty curve that knows its own frame rate.

    Parameters
    ----------
    values : np.ndarray [shape=(n_frames,)]
        One finite value per spectrogram frame (usually >= 0).
    frame_rate_hz : float
        Frames per second, ``sr / hop_length`` (21.53 for Harmonix).

    Attributes
    ----------
    times_s : np.ndarray [shape=(n_frames,)]
        Time of each value in seconds (``k / frame_rate_hz``).
    """

    values: np.ndarray = field(repr=False)
    frame_rate_hz: float

    def __post_init__(self):
        values = check_curve(self.values, name="Novelty.values")
        values = values.copy()
        values.setflags(write=False)
        object.__setattr__(self, "values", values)
        object.__setattr__(
            self,
            "frame_rate_hz",
            check_positive(self.frame_rate_hz, name="frame_rate_hz",
                           fix="It is sr / hop_length (21.53 for Harmonix)."),
        )

    @classmethod
    def from_rate(cls, values, *, sr=None, hop_length=None, mel_params=None) -> "Novelty":
        """Wrap a curve computed elsewhere (e.g. by hand in a notebook) with its frame rate."""
        sr, hop_length = resolve_rate(sr, hop_length, mel_params)
        return cls(values, sr / hop_length)

    @property
    def times_s(self) -> np.ndarray:
        return np.arange(self.values.size) / self.frame_rate_hz

    @property
    def duration_s(self) -> float:
        """Time of the last frame (s)."""
        return (self.values.size - 1) / self.frame_rate_hz

    def __len__(self) -> int:
        return self.values.size

    def __repr__(self) -> str:
        return (
            f"Novelty(n_frames={self.values.size}, frame_rate_hz={self.frame_rate_hz:.4g}, "
            f"duration_s={self.duration_s:.2f})"
        )


# --------------------------------------------------------------------------- the steps
def log_compress(S_power, *, gamma: float = GAMMA) -> np.ndarray:
    """Log compression ``log(1 + gamma * S / S.max())``, a loudness-like scale.

    Dividing by the maximum first makes ``gamma`` independent of the recording level
    (the Harmonix power values go up to ~1e4): ``gamma`` then says how far below the
    loudest bin the log range starts (gamma=1e7: 70 dB).

    Parameters
    ----------
    S_power : np.ndarray [shape=(n_mels, n_frames)]
        POWER mel spectrogram, non-negative.
    gamma : float > 0
        Compression strength. Small gamma ~ linear power; large gamma ~ dB with a floor.

    Returns
    -------
    L : np.ndarray [shape=(n_mels, n_frames)]
        Compressed spectrogram, ``>= 0``; all zeros if ``S_power`` is all zeros.
    """
    S = check_power_spectrogram(S_power)
    gamma = check_positive(gamma, name="gamma", fix="Try 10 to 1e8 (default 1e7).")
    if S.max() <= 0:
        return np.zeros_like(S)
    return np.log1p(gamma * S / S.max())


def band_differences(L, *, lag: int = LAG_FRAMES) -> np.ndarray:
    """Half-wave rectified frame differences per band: ``max(0, L[:, k] - L[:, k - lag])``.

    Column ``k`` is the increase arriving at frame ``k``; the first ``lag`` columns are 0,
    so the result stays aligned with the spectrogram frames.

    Parameters
    ----------
    L : np.ndarray [shape=(n_bands, n_frames)]
        Usually :func:`log_compress` output.
    lag : int >= 1
        Distance in frames of the difference.

    Returns
    -------
    D : np.ndarray [shape=(n_bands, n_frames)]
    """
    L = np.asarray(L)
    if not np.issubdtype(L.dtype, np.floating):
        L = L.astype(np.float64)
    if L.ndim != 2:
        raise ParameterError(f"L must be 2-D (n_bands, n_frames), got shape {L.shape}.")
    lag = check_int_at_least(lag, 1, name="lag", unit="frames")
    D = np.zeros_like(L)
    if L.shape[1] > lag:
        D[:, lag:] = np.maximum(L[:, lag:] - L[:, :-lag], 0.0)
    return D


def low_band_weights(
    n_bands: int,
    *,
    band_frequencies_hz,
    cutoff_hz: float = LOW_BAND_CUTOFF_HZ,
    gain: float,
) -> np.ndarray:
    """Band weights that emphasise the low bands (kick drum, bass): ``gain`` below ``cutoff_hz``, else 1.

    Parameters
    ----------
    n_bands : int
        Number of mel bands.
    band_frequencies_hz : array [shape=(n_bands,)]
        Centre frequency of each band, e.g. ``helpers.data.HARMONIX_PARAMS.mel_frequencies_hz()``.
    cutoff_hz, gain : float
        Bands with centre < ``cutoff_hz`` get weight ``gain``.

    Returns
    -------
    weights : np.ndarray [shape=(n_bands,)]
    """
    f = np.asarray(band_frequencies_hz, dtype=float)
    if f.shape != (n_bands,):
        raise ParameterError(
            f"band_frequencies_hz has shape {f.shape}, expected ({n_bands},): one centre per band."
        )
    check_positive(cutoff_hz, name="cutoff_hz", unit="Hz")
    check_positive(gain, name="gain")
    return np.where(f < cutoff_hz, float(gain), 1.0)


def balanced_low_band_weights(
    D,
    *,
    band_frequencies_hz,
    cutoff_hz: float = LOW_BAND_CUTOFF_HZ,
    share: float = LOW_BAND_SHARE,
) -> np.ndarray:
    """Band weights that give the low bands a fixed ``share`` of this track's total flux.

    The low bands (centre < ``cutoff_hz``) get the gain ``g`` for which
    ``g * sum(D[low]) = share / (1 - share) * sum(D[rest])``, the others 1. With the
    default share 0.5 the bass range and the rest of the spectrum count equally, in a
    bass-heavy mix as in a thin one (a fixed gain would let the mix decide). A track
    without low-band flux gets plain weights (all 1).

    Parameters
    ----------
    D : np.ndarray [shape=(n_bands, n_frames)]
        Half-wave rectified band differences (:func:`band_differences`).
    band_frequencies_hz : array [shape=(n_bands,)]
        Centre frequency of each band.
    cutoff_hz : float
        Bands with centre < ``cutoff_hz`` are the low bands.
    share : float in [0, 1)
        The low bands' share of the weighted total.

    Returns
    -------
    weights : np.ndarray [shape=(n_bands,)]
    """
    D = np.asarray(D, dtype=float)
    if D.ndim != 2:
        raise ParameterError(f"D must be 2-D (n_bands, n_frames), got shape {D.shape}.")
    check_number(share, name="share", low=0, high=1, high_inclusive=False,
                 hint="the low bands' share of the total flux")
    ones = low_band_weights(D.shape[0], band_frequencies_hz=band_frequencies_hz, cutoff_hz=cutoff_hz, gain=1.0)
    low = np.asarray(band_frequencies_hz, dtype=float) < cutoff_hz
    low_sum, rest_sum = float(D[low].sum()), float(D[~low].sum())
    if low_sum <= 0 or rest_sum <= 0:
        return ones
    gain = share / (1.0 - share) * rest_sum / low_sum
    return np.where(low, gain, 1.0)


def sum_bands(D, *, weights=None) -> np.ndarray:
    """Sum over bands, ``sum_b w[b] * D[b, k]`` (plain sum when ``weights`` is None).

    Returns
    -------
    x : np.ndarray [shape=(n_frames,)]
    """
    D = np.asarray(D)
    if D.ndim != 2:
        raise ParameterError(f"D must be 2-D (n_bands, n_frames), got shape {D.shape}.")
    if weights is None:
        return D.sum(axis=0, dtype=np.float64)
    w = np.asarray(weights, dtype=float)
    if w.shape != (D.shape[0],) or not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ParameterError(
            f"weights must be {D.shape[0]} finite non-negative numbers (one per band), got shape {w.shape}."
        )
    return np.einsum("b,bn->n", w, D.astype(np.float64, copy=False))


def _moving_average(x: np.ndarray, n: int) -> np.ndarray:
    """Centred moving average over n frames (odd), shorter near the edges (no zero padding bias)."""
    half = n // 2
    c = np.concatenate([[0.0], np.cumsum(x)])
    k = np.arange(x.size)
    lo = np.maximum(k - half, 0)
    hi = np.minimum(k + half + 1, x.size)
    return (c[hi] - c[lo]) / (hi - lo)


def subtract_local_average(x, *, frame_rate_hz: float, window_s: float = LOCAL_AVERAGE_S) -> np.ndarray:
    """Subtract a centred moving average over ``window_s`` seconds, then half-wave rectify.

    What stays is what stands out from its neighbourhood (the onsets), whatever the
    overall loudness of the passage.

    Parameters
    ----------
    x : np.ndarray [shape=(n_frames,)]
    frame_rate_hz : float
        Frames per second of ``x``.
    window_s : float > 0
        Averaging window; rounded to an odd number of frames (at least 1, which returns 0s).

    Returns
    -------
    y : np.ndarray [shape=(n_frames,)], ``>= 0``
    """
    x = check_curve(x, name="x")
    fr = check_positive(frame_rate_hz, name="frame_rate_hz", fix="It is sr / hop_length (21.53 for Harmonix).")
    window_s = check_positive(window_s, name="window_s", unit="seconds", fix="Try 0.2 to 2 s (default 0.5).")
    n = max(1, int(round(window_s * fr)))
    n += 1 - n % 2
    if x.size == 0:
        return x.copy()
    return np.maximum(x - _moving_average(x, n), 0.0)


def normalize_max(x) -> np.ndarray:
    """Divide by the maximum, so the curve is in [0, 1] (an all-zero curve stays zero)."""
    x = check_curve(x, name="x")
    m = np.max(np.abs(x)) if x.size else 0.0
    return x / m if m > 0 else x.copy()


# --------------------------------------------------------------------------- pipelines
def spectral_flux(
    S_power,
    *,
    sr: float | None = None,
    hop_length: int | None = None,
    mel_params=None,
    gamma: float = GAMMA,
    lag: int = LAG_FRAMES,
    band_weights=None,
    local_average_s: float | None = None,
    normalize: bool = True,
) -> Novelty:
    """Spectral flux novelty of a POWER mel spectrogram (all the steps above).

    Parameters
    ----------
    S_power : np.ndarray [shape=(n_mels, n_frames)]
        POWER mel spectrogram (not dB), non-negative and finite.
    sr, hop_length : float, int
        Sample rate (Hz) and hop (samples) of the spectrogram; or give ``mel_params``.
    mel_params : helpers.data.MelParams, optional
        Instead of ``sr`` and ``hop_length``.
    gamma : float
        Log compression, see :func:`log_compress`.
    lag : int
        Frame difference lag, see :func:`band_differences`.
    band_weights : np.ndarray [shape=(n_mels,)] or callable, optional
        Per-band weights (e.g. :func:`low_band_weights`), or a function of the band
        differences ``D`` returning them (e.g. a ``functools.partial`` of
        :func:`balanced_low_band_weights`); None sums bands equally.
    local_average_s : float or None
        Window (s) of the local average to subtract, e.g. ``LOCAL_AVERAGE_S``; None
        (default) skips the step. It helps peak picking; the beat tracker does not
        need it (see :mod:`helpers.beat`).
    normalize : bool
        Divide by the maximum at the end.

    Returns
    -------
    Novelty
        ``values[k]`` is the flux arriving at frame ``k``.

    Raises
    ------
    ParameterError
        Bad spectrogram (not 2-D, negative, NaN) or bad parameter.

    See Also
    --------
    energy_novelty : the simpler Week 1 curve.
    helpers.tempo.estimate_tempo, helpers.beat.track_beats_from_novelty : the next stages.

    Examples
    --------
    >>> import numpy as np
    >>> S = np.full((80, 100), 1e-3); S[:, 10::20] = 1.0     # a click every 20 frames
    >>> nov = spectral_flux(S, sr=22050, hop_length=1024)
    >>> np.flatnonzero(nov.values > 0.5).tolist()
    [10, 30, 50, 70, 90]
    """
    sr, hop_length = resolve_rate(sr, hop_length, mel_params)
    fr = sr / hop_length
    L = log_compress(S_power, gamma=gamma)
    D = band_differences(L, lag=lag)
    x = sum_bands(D, weights=band_weights(D) if callable(band_weights) else band_weights)
    if local_average_s is not None:
        x = subtract_local_average(x, frame_rate_hz=fr, window_s=local_average_s)
    if normalize:
        x = normalize_max(x)
    return Novelty(x, fr)


def energy_novelty(
    S_power,
    *,
    sr: float | None = None,
    hop_length: int | None = None,
    mel_params=None,
    gamma: float = GAMMA,
    lag: int = LAG_FRAMES,
    normalize: bool = True,
) -> Novelty:
    """Energy novelty (Week 1): the half-wave rectified increase of the log total energy.

    ``E[k] = log(1 + gamma * e[k] / max(e))`` with ``e[k] = sum_b S_power[b, k]``, then
    ``max(0, E[k] - E[k - lag])``. It sees loudness changes but not a new note that
    replaces an equally loud one, which is why spectral flux (per band) does better.

    Returns
    -------
    Novelty
    """
    sr, hop_length = resolve_rate(sr, hop_length, mel_params)
    S = check_power_spectrogram(S_power)
    e = S.sum(axis=0, keepdims=True)
    E = log_compress(e, gamma=gamma)
    x = band_differences(E, lag=lag)[0]
    if normalize:
        x = normalize_max(x)
    return Novelty(x, sr / hop_length)


def pick_onsets(
    novelty: Novelty,
    *,
    threshold: float = ONSET_THRESHOLD,
    min_distance_s: float = ONSET_MIN_DISTANCE_S,
    local_average_s: float = LOCAL_AVERAGE_S,
) -> np.ndarray:
    """Onset times (s): peaks of the novelty that stand out from their neighbourhood.

    A frame is an onset when it is a local maximum, exceeds the local average (over
    ``local_average_s``) by ``threshold * max(novelty)``, and is at least
    ``min_distance_s`` after the previous onset (the stronger peak wins).

    Onsets are not beats. An onset is any sound starting (every note, every hi-hat,
    every syllable); a beat is a point of a regular pulse that a listener taps along
    to. Many onsets fall between beats (eighth notes, syncopation), and some beats
    have no onset at all (a rest, a held chord) yet are still felt. Getting beats
    needs a tempo (:mod:`helpers.tempo`) and a model of periodicity that prefers
    regularly spaced, strong onsets (:mod:`helpers.beat`, dynamic programming).

    Parameters
    ----------
    novelty : Novelty
    threshold : float >= 0
        Height above the local average, as a fraction of the curve's maximum.
    min_distance_s : float > 0
        Minimum time between two onsets.
    local_average_s : float > 0
        Window of the adaptive threshold.

    Returns
    -------
    onset_times_s : np.ndarray [shape=(n_onsets,)]
        Increasing times in seconds.
    """
    from scipy.signal import find_peaks

    if not isinstance(novelty, Novelty):
        raise ParameterError(
            f"novelty must be a helpers.novelty.Novelty, got {type(novelty).__name__}; "
            "wrap a plain curve with Novelty(values, frame_rate_hz)."
        )
    check_nonnegative(threshold, name="threshold", hint="a fraction of the curve's maximum")
    min_distance_s = check_positive(min_distance_s, name="min_distance_s", unit="seconds")
    local_average_s = check_positive(local_average_s, name="local_average_s", unit="seconds")
    x = novelty.values
    fr = novelty.frame_rate_hz
    if x.size < 3 or x.max() <= 0:
        return np.zeros(0)
    n = max(1, int(round(local_average_s * fr)))
    n += 1 - n % 2
    height = _moving_average(x, n) + threshold * x.max()
    distance = max(1, int(round(min_distance_s * fr)))
    peaks, _ = find_peaks(x, height=height, distance=distance)
    return peaks / fr
