"""Tempo: how often the novelty repeats, as tempograms and one global tempo in BPM.

Stage 2 of the reference beat tracker (novelty -> tempo -> beats). Taught in
notebook 02 (autocorrelation and Fourier tempograms, the tempo prior, the
half/double tempo ambiguity).

Conventions
-----------
- Input is a :class:`helpers.novelty.Novelty` (values + frame rate).
- Tempo is in beats per minute (BPM); a tempogram has a BPM axis ``bpm`` (increasing,
  log-spaced by default: equal steps per octave) and a time axis ``times_s`` (centre
  of each analysis window, seconds).
- A tempogram is NOT ``np.correlate(onset, onset[::lag])`` (the original brief's
  error): it is a local periodicity analysis, one column per analysis window:

  * autocorrelation: ``A[lag] = sum_n x[n] x[n + lag]`` of the windowed, mean-removed
    novelty. Periodic with period P frames -> peaks at lags P, 2P, 3P ... i.e. at the
    tempo and at its halves, thirds (slower tempi: "subharmonics").
  * Fourier: ``|sum_n x[n] w[n] exp(-2 pi i f n / frame_rate)|`` at ``f = bpm / 60`` Hz.
    Periodic -> peaks at f, 2f, 3f ... i.e. at the tempo and at its doubles
    ("harmonics").

  Their errors go opposite ways, so their product (``method="product"``) keeps the
  tempo where both agree; a tempo prior then chooses between what remains.

References
----------
Müller, M. (2021). Fundamentals of Music Processing, 2nd ed., Section 6.2 (tempograms).
Peeters, G. (2007). Template-based estimation of time-varying tempo. EURASIP JASP.
Percival, G., Tzanetakis, G. (2014). Streamlined tempo estimation based on
autocorrelation and cross-correlation with pulses. IEEE/ACM TASLP 22(12).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .checks import check_choice, check_int_at_least, check_positive
from .errors import ParameterError
from .novelty import Novelty

__all__ = [
    "TEMPO_MIN_BPM",
    "TEMPO_MAX_BPM",
    "BPM_STEPS_PER_OCTAVE",
    "TEMPOGRAM_WINDOW_S",
    "TEMPOGRAM_HOP_S",
    "PRIOR_CENTER_BPM",
    "PRIOR_WIDTH_OCTAVES",
    "TEMPO_METHOD",
    "TEMPO_METHODS",
    "Tempogram",
    "TempoEstimate",
    "bpm_grid",
    "autocorrelation_tempogram",
    "fourier_tempogram",
    "tempo_salience",
    "tempo_prior",
    "fit_tempo_prior",
    "estimate_tempo",
    "bpm_to_period_s",
]

#: Lowest and highest tempo considered (BPM). Harmonix annotations span 57-237 BPM.
TEMPO_MIN_BPM = 30.0
TEMPO_MAX_BPM = 300.0
#: Resolution of the BPM axis: 64 steps per octave = 1.1 % per step.
BPM_STEPS_PER_OCTAVE = 64
#: Analysis window of the tempograms (s): several bars, so a periodicity is seen
#: 10-40 times, but short enough for the tempo to be steady inside it.
TEMPOGRAM_WINDOW_S = 10.0
#: Hop between analysis windows (s).
TEMPOGRAM_HOP_S = 1.0
#: Tempo prior: log-normal in BPM, fitted (:func:`fit_tempo_prior`) to the tempi of the
#: Harmonix beat annotations of the DEV split only (651 tracks, helpers.splits; tempo =
#: 60 / median inter-beat interval, the tempo the scores use): geometric mean 112.8 BPM,
#: standard deviation of log2(BPM) 0.319 octave, rounded to 113 and 0.32.
#: tests/test_tempo.py recomputes both from the files. (Before: 110 / 0.33 from
#: metadata.csv's BPM column of all 912 tracks, test split included.)
PRIOR_CENTER_BPM = 113.0
PRIOR_WIDTH_OCTAVES = 0.32
#: Periodicity measure of the global tempo estimate: "product", "acf" or "fourier".
TEMPO_METHOD = "product"

#: The periodicity measures :func:`tempo_salience` knows (and ``TrackerParams.tempo_method`` accepts).
TEMPO_METHODS = ("product", "acf", "fourier")
#: The tempo is located on the salience without the prior (and, with "product", on the
#: Fourier salience) within this many grid steps (3.3 %) of the prior-weighted peak.
_LOCATE_STEPS = 3
#: Added to the salience before the prior multiplies it: where no tempo near the prior
#: has any salience (a narrow prior far from the music's periodicities), the prior's
#: centre wins instead of a speck of noise.
_SALIENCE_FLOOR = 1e-3


def bpm_to_period_s(tempo_bpm) -> np.ndarray | float:
    """Beat period in seconds, ``60 / tempo_bpm``."""
    t = np.asarray(tempo_bpm, dtype=float)
    if np.any(~np.isfinite(t)) or np.any(t <= 0):
        raise ParameterError(f"tempo_bpm={tempo_bpm!r} must be positive (beats per minute).")
    out = 60.0 / t
    return float(out) if out.ndim == 0 else out


def bpm_grid(
    *,
    min_bpm: float = TEMPO_MIN_BPM,
    max_bpm: float = TEMPO_MAX_BPM,
    steps_per_octave: int = BPM_STEPS_PER_OCTAVE,
) -> np.ndarray:
    """Log-spaced BPM axis from ``min_bpm`` to ``max_bpm`` (inclusive, up to rounding)."""
    min_bpm = check_positive(min_bpm, name="min_bpm", unit="beats per minute")
    max_bpm = check_positive(max_bpm, name="max_bpm", unit="beats per minute")
    if max_bpm <= min_bpm:
        raise ParameterError(f"max_bpm={max_bpm} must be above min_bpm={min_bpm}.")
    steps_per_octave = check_int_at_least(steps_per_octave, 1, name="steps_per_octave")
    n = int(np.floor(np.log2(max_bpm / min_bpm) * steps_per_octave + 1e-9)) + 1
    return min_bpm * 2.0 ** (np.arange(n) / steps_per_octave)


@dataclass(frozen=True)
class Tempogram:
    """A tempogram: periodicity strength per tempo (rows) and time (columns).

    Attributes
    ----------
    values : np.ndarray [shape=(n_bpm, n_windows)]
        Non-negative periodicity strength; each column is normalised (see the builders).
    bpm : np.ndarray [shape=(n_bpm,)]
        Tempo of each row (BPM), increasing.
    times_s : np.ndarray [shape=(n_windows,)]
        Centre of each analysis window (s).
    kind : str
        "autocorrelation" or "fourier".
    """

    values: np.ndarray = field(repr=False)
    bpm: np.ndarray = field(repr=False)
    times_s: np.ndarray = field(repr=False)
    kind: str

    def salience(self) -> np.ndarray:
        """Global tempo salience: the mean over time of each row, scaled to max 1."""
        s = self.values.mean(axis=1)
        m = s.max() if s.size else 0.0
        return s / m if m > 0 else s

    def __repr__(self) -> str:
        return (
            f"Tempogram(kind={self.kind!r}, n_bpm={self.bpm.size}, n_windows={self.times_s.size}, "
            f"bpm={self.bpm[0]:.0f}..{self.bpm[-1]:.0f})"
        )


def _check_novelty(novelty) -> Novelty:
    if not isinstance(novelty, Novelty):
        raise ParameterError(
            f"novelty must be a helpers.novelty.Novelty, got {type(novelty).__name__}; "
            "wrap a plain curve with Novelty(values, frame_rate_hz=sr / hop_length)."
        )
    if len(novelty) < 4:
        raise ParameterError(f"the novelty curve is too short for a tempo ({len(novelty)} frames).")
    return novelty


def _frames(novelty: Novelty, window_s: float, hop_s: float):
    """Mean-removed, Hann-windowed analysis frames of the novelty, shape (n_win, n_windows)."""
    window_s = check_positive(window_s, name="window_s", unit="seconds", fix="Try 4 to 20 s (default 10).")
    hop_s = check_positive(hop_s, name="hop_s", unit="seconds", fix="Try 0.25 to 2 s (default 1).")
    x = novelty.values
    fr = novelty.frame_rate_hz
    n_win = min(x.size, max(4, int(round(window_s * fr))))
    hop = max(1, int(round(hop_s * fr)))
    starts = np.arange(0, x.size - n_win + 1, hop)
    idx = starts[None, :] + np.arange(n_win)[:, None]
    X = x[idx]
    X = X - X.mean(axis=0, keepdims=True)
    w = np.hanning(n_win + 2)[1:-1]
    X = X * w[:, None]
    times_s = (starts + (n_win - 1) / 2) / fr
    return X, w, times_s


def _grid(bpm) -> np.ndarray:
    if bpm is None:
        return bpm_grid()
    b = np.asarray(bpm, dtype=float)
    if b.ndim != 1 or b.size < 2 or np.any(~np.isfinite(b)) or np.any(b <= 0) or np.any(np.diff(b) <= 0):
        raise ParameterError("bpm must be an increasing 1-D array of positive tempi (BPM), e.g. bpm_grid().")
    return b


def autocorrelation_tempogram(
    novelty: Novelty,
    *,
    window_s: float = TEMPOGRAM_WINDOW_S,
    hop_s: float = TEMPOGRAM_HOP_S,
    bpm=None,
) -> Tempogram:
    """Autocorrelation tempogram of a novelty curve.

    For each analysis window: remove the mean and apply a Hann window, giving ``x``;
    then for the lag ``L = 60 * frame_rate_hz / bpm`` of each row (in frames, not
    rounded)::

        A(L) = sum_n x[n] x[n + L] / Aw(L) / A(0),      clipped at 0

    where ``Aw(L)`` is the same autocorrelation of the Hann window alone, divided by its
    value at 0 (so that long lags, where the window overlaps itself less, are not
    penalised) and ``A(0)`` makes every window count the same. The autocorrelation is
    computed from the power spectrum (the Wiener-Khinchin theorem: it is the inverse
    Fourier transform of ``|X|**2``), which also gives it between whole frames. At a
    whole-frame lag ``L`` the sum equals ``np.correlate(x, x, "full")[len(x) - 1 + L]``.

    Parameters
    ----------
    novelty : Novelty
    window_s, hop_s : float
        Analysis window and hop (s).
    bpm : np.ndarray, optional
        Tempo axis; default :func:`bpm_grid`.

    Returns
    -------
    Tempogram
        ``kind="autocorrelation"``; values in [0, 1] (0 for lags longer than the window).
    """
    novelty = _check_novelty(novelty)
    bpm = _grid(bpm)
    X, w, times_s = _frames(novelty, window_s, hop_s)
    n_win = X.shape[0]
    n_fft = 1 << int(np.ceil(np.log2(2 * n_win)))        # >= 2 n_win: no circular wrap-around
    power = np.abs(np.fft.rfft(X, n=n_fft, axis=0)) ** 2          # (n_freq, n_windows)
    power_w = np.abs(np.fft.rfft(w, n=n_fft)) ** 2
    k = np.arange(power.shape[0])
    weight = np.full(k.size, 2.0)                                  # rfft keeps half the spectrum
    weight[0] = 1.0
    weight[-1] = 1.0
    lags = 60.0 * novelty.frame_rate_hz / bpm
    basis = weight * np.cos(2 * np.pi * lags[:, None] * k[None, :] / n_fft) / n_fft   # (n_bpm, n_freq)
    A = np.einsum("bk,kw->bw", basis, power)
    A0 = np.einsum("k,kw->w", weight, power) / n_fft
    Aw = (basis @ power_w) / (weight @ power_w / n_fft)
    A = A / np.maximum(Aw, 1e-3)[:, None]
    values = np.where(A0 > 0, A / np.where(A0 > 0, A0, 1.0), 0.0)
    values = np.clip(values, 0.0, 1.0)
    values[lags > n_win - 1] = 0.0
    return Tempogram(values, bpm, times_s, "autocorrelation")


def fourier_tempogram(
    novelty: Novelty,
    *,
    window_s: float = TEMPOGRAM_WINDOW_S,
    hop_s: float = TEMPOGRAM_HOP_S,
    bpm=None,
) -> Tempogram:
    """Fourier tempogram of a novelty curve: windowed DFT magnitude at each tempo.

    ``T[f, m] = |sum_n x_m[n] w[n] exp(-2 pi i (bpm/60) n / frame_rate)|`` for the
    mean-removed window ``x_m``, divided by ``sqrt(n_win * sum_n (x_m[n] w[n])**2)``
    so every window counts the same (values in [0, 1]; 1 = a pure sinusoid at that tempo).

    Parameters and Returns as :func:`autocorrelation_tempogram` (``kind="fourier"``).
    """
    novelty = _check_novelty(novelty)
    bpm = _grid(bpm)
    X, w, times_s = _frames(novelty, window_s, hop_s)
    n_win = X.shape[0]
    phase = 2 * np.pi * (bpm / 60.0)[:, None] * (np.arange(n_win) / novelty.frame_rate_hz)[None, :]
    # einsum, not @: a BLAS matmul this small is slower, and its idle threads slow what follows.
    re = np.einsum("bn,nw->bw", np.cos(phase), X)
    im = np.einsum("bn,nw->bw", np.sin(phase), X)
    mag = np.hypot(re, im)
    energy = np.sqrt(n_win * np.sum(X**2, axis=0) / 2.0)
    values = np.where(energy > 0, mag / np.where(energy > 0, energy, 1.0), 0.0)
    return Tempogram(values, bpm, times_s, "fourier")


def tempo_prior(
    bpm,
    *,
    center_bpm: float = PRIOR_CENTER_BPM,
    width_octaves: float = PRIOR_WIDTH_OCTAVES,
) -> np.ndarray:
    """Log-normal tempo prior ``exp(-0.5 * (log2(bpm / center_bpm) / width_octaves) ** 2)``.

    1 at ``center_bpm``; at one octave (half or double) from the centre it is
    ``exp(-0.5 / width_octaves**2)`` (0.008 for the default width of 0.32 octave).
    ``width_octaves=np.inf`` gives a flat prior.
    """
    b = np.asarray(bpm, dtype=float)
    if np.any(~np.isfinite(b)) or np.any(b <= 0):
        raise ParameterError("bpm must hold positive tempi (BPM).")
    center_bpm = check_positive(center_bpm, name="center_bpm", unit="beats per minute",
                                fix="Harmonix: about 113 (57-237 BPM).")
    check_positive(width_octaves, name="width_octaves", allow_inf=True, hint="np.inf for a flat prior")
    if np.isinf(width_octaves):
        return np.ones_like(b)
    return np.exp(-0.5 * (np.log2(b / center_bpm) / width_octaves) ** 2)


def fit_tempo_prior(tempi_bpm) -> tuple[float, float]:
    """Centre and width of the log-normal tempo prior that fits a set of tempi.

    ``center_bpm = 2 ** mean(log2(tempi_bpm))`` (the geometric mean) and
    ``width_octaves = std(log2(tempi_bpm))`` (population std, in octaves): the
    maximum-likelihood log-normal. :data:`PRIOR_CENTER_BPM` and
    :data:`PRIOR_WIDTH_OCTAVES` are this fit to the Harmonix dev annotations, rounded.

    Parameters
    ----------
    tempi_bpm : array_like [shape=(n_tracks,)]
        One tempo per track (BPM), e.g. :func:`helpers.evaluate.reference_tempo_bpm` of
        each annotation. Use tracks you will not score (the dev split): the prior is a choice.

    Returns
    -------
    (center_bpm, width_octaves) : tuple of float

    Examples
    --------
    >>> center_bpm, width_octaves = fit_tempo_prior([60.0, 120.0, 240.0])
    >>> round(center_bpm, 9), round(width_octaves, 4)     # log2: mean log2(120), std sqrt(2/3)
    (120.0, 0.8165)
    """
    t = np.asarray(tempi_bpm, dtype=float)
    if t.ndim != 1 or t.size < 2:
        raise ParameterError(f"tempi_bpm must be a 1-D array of at least 2 tempi, got shape {t.shape}.")
    if np.any(~np.isfinite(t)) or np.any(t <= 0):
        raise ParameterError("tempi_bpm must hold positive, finite tempi (BPM).")
    lt = np.log2(t)
    width = float(lt.std())
    if width == 0:
        raise ParameterError("tempi_bpm are all equal: a prior needs a spread of tempi.")
    return float(2.0 ** lt.mean()), width


def _component_saliences(novelty, method, window_s, hop_s, bpm) -> dict:
    out = {}
    if method in ("acf", "product"):
        out["acf"] = autocorrelation_tempogram(novelty, window_s=window_s, hop_s=hop_s, bpm=bpm).salience()
    if method in ("fourier", "product"):
        out["fourier"] = fourier_tempogram(novelty, window_s=window_s, hop_s=hop_s, bpm=bpm).salience()
    return out


def _combine(parts: dict) -> np.ndarray:
    s = np.prod(list(parts.values()), axis=0)
    m = s.max()
    return s / m if m > 0 else s


def tempo_salience(
    novelty: Novelty,
    *,
    method: str = TEMPO_METHOD,
    window_s: float = TEMPOGRAM_WINDOW_S,
    hop_s: float = TEMPOGRAM_HOP_S,
    bpm=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Global tempo salience (no prior): how strongly the novelty repeats at each tempo.

    ``method="acf"`` / ``"fourier"``: the time average of that tempogram (max 1);
    ``"product"``: the product of both, which keeps only the tempi both see (the
    autocorrelation's half-tempo peaks and the Fourier tempogram's double-tempo
    peaks are mostly not shared).

    Returns
    -------
    bpm : np.ndarray [shape=(n_bpm,)]
    salience : np.ndarray [shape=(n_bpm,)]
        In [0, 1], max 1 (all zeros for a constant novelty).
    """
    check_choice(method, TEMPO_METHODS, name="method")
    novelty = _check_novelty(novelty)
    bpm = _grid(bpm)
    return bpm, _combine(_component_saliences(novelty, method, window_s, hop_s, bpm))


@dataclass(frozen=True)
class TempoEstimate:
    """A global tempo with the curves that produced it (for plots of the octave ambiguity).

    Attributes
    ----------
    tempo_bpm : float
        The chosen tempo (argmax of ``weighted``, refined between grid points).
    bpm : np.ndarray [shape=(n_bpm,)]
        Tempo axis.
    salience : np.ndarray [shape=(n_bpm,)]
        Periodicity strength before the prior (max 1).
    prior : np.ndarray [shape=(n_bpm,)]
        The tempo prior on the same axis (max 1).
    weighted : np.ndarray [shape=(n_bpm,)]
        ``(salience + 0.001) * prior``: the prior decides only between tempi with salience.
    acf_salience, fourier_salience : np.ndarray [shape=(n_bpm,)] or None
        The components of ``salience`` (time-averaged tempograms, max 1), when computed.
    """

    tempo_bpm: float
    bpm: np.ndarray = field(repr=False)
    salience: np.ndarray = field(repr=False)
    prior: np.ndarray = field(repr=False)
    weighted: np.ndarray = field(repr=False)
    acf_salience: np.ndarray | None = field(default=None, repr=False)
    fourier_salience: np.ndarray | None = field(default=None, repr=False)

    def salience_at(self, tempo_bpm: float) -> float:
        """Salience (no prior) at any tempo, interpolated on the log-BPM axis."""
        return float(np.interp(np.log2(tempo_bpm), np.log2(self.bpm), self.salience, left=0.0, right=0.0))


def _nearby_peak(y: np.ndarray, i: int) -> int | None:
    """Index of the largest local maximum of y within _LOCATE_STEPS of i, or None."""
    lo, hi = max(1, i - _LOCATE_STEPS), min(y.size - 1, i + _LOCATE_STEPS + 1)
    if hi <= lo:
        return None
    seg = np.arange(lo, hi)
    peaks = seg[(y[seg] >= y[seg - 1]) & (y[seg] >= y[seg + 1]) & (y[seg] > 0)]
    return int(peaks[np.argmax(y[peaks])]) if peaks.size else None


def _refine_peak(bpm: np.ndarray, y: np.ndarray, i: int) -> float:
    """Parabolic interpolation of a peak on the log2-BPM axis."""
    if 0 < i < y.size - 1:
        a, b, c = y[i - 1], y[i], y[i + 1]
        den = a - 2 * b + c
        if den < 0:
            d = float(np.clip(0.5 * (a - c) / den, -0.5, 0.5))
            lb = np.log2(bpm)
            step = lb[i + 1] - lb[i] if d > 0 else lb[i] - lb[i - 1]
            return float(2.0 ** (lb[i] + d * step))
    return float(bpm[i])


def estimate_tempo(
    novelty: Novelty,
    *,
    prior_center_bpm: float = PRIOR_CENTER_BPM,
    prior_width_octaves: float = PRIOR_WIDTH_OCTAVES,
    method: str = TEMPO_METHOD,
    window_s: float = TEMPOGRAM_WINDOW_S,
    hop_s: float = TEMPOGRAM_HOP_S,
    bpm=None,
) -> TempoEstimate:
    """One global tempo (BPM): the peak of salience x prior.

    Parameters
    ----------
    novelty : Novelty
        E.g. :func:`helpers.novelty.spectral_flux`.
    prior_center_bpm, prior_width_octaves : float
        Log-normal tempo prior (:func:`tempo_prior`). The centre moves the octave
        choice: the same music gives ~140 with a centre of 140 and ~70 with 70.
    method : {"product", "acf", "fourier"}
        Periodicity measure (:func:`tempo_salience`).
    window_s, hop_s : float
        Tempogram analysis window and hop (s).
    bpm : np.ndarray, optional
        Tempo axis (default :func:`bpm_grid`).

    Returns
    -------
    TempoEstimate
        ``.tempo_bpm`` and the curves (``.salience``, ``.prior``, ``.weighted``).
        With no periodicity at all (silence), ``tempo_bpm`` is the prior's centre.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers.novelty import Novelty
    >>> fr = 22050 / 1024
    >>> x = np.zeros(1000); x[np.round(np.arange(0, 990, fr * 60 / 100)).astype(int)] = 1.0
    >>> round(estimate_tempo(Novelty(x, fr)).tempo_bpm)
    100
    """
    check_choice(method, TEMPO_METHODS, name="method")
    novelty = _check_novelty(novelty)
    bpm = _grid(bpm)
    parts = _component_saliences(novelty, method, window_s, hop_s, bpm)
    s = _combine(parts)
    prior = tempo_prior(bpm, center_bpm=prior_center_bpm, width_octaves=prior_width_octaves)
    weighted = (s + _SALIENCE_FLOOR) * prior if s.max() > 0 else s * prior
    if weighted.max() <= 0:
        tempo = float(np.clip(prior_center_bpm, bpm[0], bpm[-1]))
    else:
        i = int(np.argmax(weighted))
        tempo = _refine_peak(bpm, weighted, i)
        # The prior chose the peak; its exact place comes from the salience without the
        # prior (whose slope pulls it towards the centre), if the salience has a peak
        # within a few grid steps ...
        k = _nearby_peak(s, i)
        if k is not None:
            tempo = _refine_peak(bpm, s, k)
            # ... and, with "product", from the Fourier salience: the autocorrelation of
            # onsets rounded to frames leans towards whole-frame lags, the Fourier peak does not.
            f = parts.get("fourier")
            if method == "product" and f is not None:
                j = _nearby_peak(f, k)
                if j is not None:
                    tempo = _refine_peak(bpm, f, j)
    return TempoEstimate(tempo, bpm, s, prior, weighted, parts.get("acf"), parts.get("fourier"))
