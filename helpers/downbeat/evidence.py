"""Per-beat evidence from the spectrogram: beat segments, bass onsets, beat spectra, harmonic change, rhythm tiles.

Everything here is *per beat*: the beats cut the spectrogram into segments (beat ``i`` owns
frames ``[f_i, f_{i+1})``; the last beat one median beat long, :func:`beat_segments`), and
every curve has one value (or one vector) per beat. The decisions taken from them (meter,
bar phase) are in :mod:`helpers.downbeat.bars`.
"""

from __future__ import annotations

import numpy as np

from ..checks import check_int_at_least, check_positive
from ..data import BEATS_PAST_END_TOLERANCE_S, band_centers_hz, check_power_spectrogram, resolve_rate, validate_beats
from ..errors import ParameterError
from ..novelty import GAMMA, LOW_BAND_CUTOFF_HZ, band_differences, log_compress

__all__ = [
    "HARMONY_FMAX_HZ",
    "CHANGE_WINDOW_BEATS",
    "TILE_SLOTS",
    "beat_segments",
    "bass_onset_at_beats",
    "bass_onset_at_frames",
    "beat_spectra",
    "harmonic_change",
    "beat_tiles",
    "lag_similarity",
]

#: Harmonic change looks at the mel bands below this (Hz): the bass and the fundamentals and
#: first partials of chords lie below ~2 kHz; above it cymbals and hi-hats dominate the bands.
HARMONY_FMAX_HZ = 2000.0
#: Harmonic change compares this many beats before a beat with as many after it: in pop a
#: chord usually lasts at least half a bar, and two beats on each side halve the noise of one.
CHANGE_WINDOW_BEATS = 2
#: Beat tiles (:func:`beat_tiles`) have this many time slots per beat: sixteenth notes, the
#: finest regular grid of most pop, so a tile sees where in the beat the onsets are.
TILE_SLOTS = 4


def _check_beats(beat_times_s, *, n_frames: int, frame_rate_hz: float) -> np.ndarray:
    """Beat times in seconds, strictly increasing, inside the track (1 s of slack at the end)."""
    beats = validate_beats(beat_times_s, name="beat_times_s")
    duration_s = (n_frames - 1) / frame_rate_hz
    if beats.size and beats[-1] > duration_s + BEATS_PAST_END_TOLERANCE_S:
        raise ParameterError(
            f"beat_times_s goes to {beats[-1]:.3f} s but the spectrogram ends at {duration_s:.3f} s "
            f"({n_frames} frames at {frame_rate_hz:.4g} frames/s): are these another track's beats, "
            "or the wrong sr/hop_length?"
        )
    return beats



# --------------------------------------------------------------------------- beat segments
def beat_segments(beat_times_s, *, n_frames: int, frame_rate_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """The frames each beat owns: ``[start[i], stop[i])``, from its frame to the next beat's.

    Beat ``i`` is at frame ``f_i = round(t_i * frame_rate_hz)``; its segment runs to the
    next beat's frame. The last beat's segment is one median beat interval long (cut at
    the end of the track). Every segment has at least one frame.

    Parameters
    ----------
    beat_times_s : np.ndarray [shape=(n_beats,)]
        Beat times in seconds, strictly increasing.
    n_frames : int
        Frames in the spectrogram.
    frame_rate_hz : float
        ``sr / hop_length``.

    Returns
    -------
    start, stop : np.ndarray [shape=(n_beats,)], int
        ``start[i]`` is the beat's own frame (clipped to the track).

    Examples
    --------
    >>> start, stop = beat_segments([0.0, 0.5, 1.0], n_frames=100, frame_rate_hz=20.0)
    >>> start.tolist(), stop.tolist()
    ([0, 10, 20], [10, 20, 30])
    """
    check_int_at_least(n_frames, 1, name="n_frames")
    fr = check_positive(frame_rate_hz, name="frame_rate_hz", fix="It is sr / hop_length (21.53 for Harmonix).")
    t = _check_beats(beat_times_s, n_frames=int(n_frames), frame_rate_hz=fr)
    start = np.clip(np.rint(t * fr).astype(int), 0, n_frames - 1)
    if start.size == 0:
        return start, start.copy()
    last_len = int(np.median(np.diff(start))) if start.size > 1 else n_frames
    stop = np.append(start[1:], min(n_frames, start[-1] + max(1, last_len)))
    stop = np.minimum(np.maximum(stop, start + 1), n_frames)
    return start, stop


def _prepare(S_power, beat_times_s, sr, hop_length, mel_params, gamma):
    """Checked inputs shared by the evidence functions: L, beats, segments, band centres."""
    sr, hop_length = resolve_rate(sr, hop_length, mel_params)
    S = check_power_spectrogram(S_power)
    fr = sr / hop_length
    start, stop = beat_segments(beat_times_s, n_frames=S.shape[1], frame_rate_hz=fr)
    L = log_compress(S, gamma=gamma)
    return L, start, stop, band_centers_hz(S.shape[0], sr=sr, mel_params=mel_params)


# --------------------------------------------------------------------------- evidence: bass
def bass_onset_at_beats(S_power, *, beat_times_s, sr: float | None = None, hop_length: int | None = None,
                        mel_params=None, cutoff_hz: float = LOW_BAND_CUTOFF_HZ, gamma: float = GAMMA) -> np.ndarray:
    """How strongly a bass note or kick starts at each beat: the low-band spectral flux there.

    What a learner computes: ``L = log_compress(S)``, ``D = band_differences(L)`` (the
    half-wave rectified increase per band), ``bass = D[bands below cutoff_hz].sum(axis=0)``,
    then for each beat frame ``f`` the largest of ``bass[f-1], bass[f], bass[f+1]`` (a beat
    time is only known to about a frame).

    Parameters
    ----------
    S_power : np.ndarray [shape=(n_mels, n_frames)]
        POWER mel spectrogram.
    beat_times_s : np.ndarray [shape=(n_beats,)]
        Beat times in seconds, strictly increasing.
    sr, hop_length : float, int
        From the data; or give ``mel_params`` (which also gives the band frequencies).
    cutoff_hz : float
        Bands whose centre is below this are the bass bands (default 250 Hz: 6 Harmonix bands).
    gamma : float
        Log compression.

    Returns
    -------
    bass_onset : np.ndarray [shape=(n_beats,)]
        >= 0, in log-compressed units summed over the bass bands.

    Raises
    ------
    ParameterError
        Bad spectrogram or beats, or no band below ``cutoff_hz``.
    """
    L, start, _, freqs = _prepare(S_power, beat_times_s, sr, hop_length, mel_params, gamma)
    check_positive(cutoff_hz, name="cutoff_hz", unit="Hz", fix="The bass range ends at about 250 Hz.")
    low = freqs < cutoff_hz
    if not low.any():
        raise ParameterError(
            f"no mel band is centred below cutoff_hz={cutoff_hz:g} Hz (lowest centre {freqs.min():.0f} Hz); "
            "raise cutoff_hz."
        )
    return bass_onset_at_frames(L[low], start)


def bass_onset_at_frames(L_low, frames) -> np.ndarray:
    """The bass onset strength at given frames: the largest low-band flux within one frame of each.

    ``bass = band_differences(L_low).sum(axis=0)``, then ``max(bass[f - 1], bass[f], bass[f + 1])``
    for each frame ``f`` (0 beyond the ends). :func:`bass_onset_at_beats` calls it with the
    beats' frames, after cutting out the bass bands.

    Parameters
    ----------
    L_low : np.ndarray [shape=(n_bass_bands, n_frames)]
        The log-compressed bass bands (:func:`helpers.novelty.log_compress`, bands below the cutoff).
    frames : np.ndarray [shape=(n_beats,)], int
        Frame indices in ``[0, n_frames - 1]``.

    Returns
    -------
    bass_onset : np.ndarray [shape=(n_beats,)]

    Examples
    --------
    >>> L = np.zeros((2, 6)); L[:, 3] = 1.0               # both bass bands start at frame 3
    >>> bass_onset_at_frames(L, np.array([0, 2, 4])).tolist()
    [0.0, 2.0, 2.0]
    """
    f = np.asarray(frames)
    n_frames = np.shape(L_low)[-1] if np.ndim(L_low) == 2 else 0
    if f.ndim != 1 or (f.size and (not np.issubdtype(f.dtype, np.integer) or f.min() < 0 or f.max() >= n_frames)):
        raise ParameterError(
            f"frames must be a 1-D array of frame indices in [0, {n_frames - 1}], got {f.ravel()[:4].tolist()} ...; "
            "convert beat times with helpers.data.time_to_frames."
        )
    bass = band_differences(L_low).sum(axis=0, dtype=np.float64)
    padded = np.concatenate([[0.0], bass, [0.0]])
    return np.maximum(np.maximum(padded[f], padded[f + 1]), padded[f + 2])


# --------------------------------------------------------------------------- evidence: harmony
def beat_spectra(S_power, *, beat_times_s, sr: float | None = None, hop_length: int | None = None,
                 mel_params=None, fmax_hz: float = HARMONY_FMAX_HZ, gamma: float = GAMMA) -> np.ndarray:
    """The sustained sound of each beat: the median log-mel spectrum of its segment, below ``fmax_hz``.

    What a learner computes: for each beat, ``np.median(L[bands, start:stop], axis=1)``
    with ``L = log_compress(S)``. The median over the frames of a beat keeps what lasts
    (chords, bass notes) and ignores short drum hits, which occupy few frames.

    Parameters
    ----------
    S_power : np.ndarray [shape=(n_mels, n_frames)]
        POWER mel spectrogram.
    beat_times_s : np.ndarray [shape=(n_beats,)]
        Beat times in seconds.
    sr, hop_length, mel_params
        As for :func:`bass_onset_at_beats`.
    fmax_hz : float
        Only bands centred below this (default 2 kHz) are kept.
    gamma : float
        Log compression.

    Returns
    -------
    spectra : np.ndarray [shape=(n_beats, n_bands_below_fmax)]
    """
    L, start, stop, freqs = _prepare(S_power, beat_times_s, sr, hop_length, mel_params, gamma)
    check_positive(fmax_hz, name="fmax_hz", unit="Hz", fix="Harmony lies below about 2000 Hz.")
    keep = freqs < fmax_hz
    if not keep.any():
        raise ParameterError(f"no mel band is centred below fmax_hz={fmax_hz:g} Hz; raise fmax_hz.")
    return _segment_medians(L[keep], start, stop)


def _segment_medians(L: np.ndarray, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """``np.median(L[:, a:b], axis=1)`` for every segment, one numpy call per segment length."""
    out = np.empty((start.size, L.shape[0]))
    length = stop - start
    for n in np.unique(length):
        rows = np.flatnonzero(length == n)
        frames = start[rows, None] + np.arange(n)                # (n_rows, n)
        out[rows] = np.median(L[:, frames], axis=2).T           # L[:, frames]: (bands, n_rows, n)
    return out


def _cosine_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise ``1 - cos(a, b)``; 0 where a row is all zeros."""
    na = np.linalg.norm(a, axis=-1)
    nb = np.linalg.norm(b, axis=-1)
    den = na * nb
    dot = np.einsum("ij,ij->i", a, b)
    return np.where(den > 0, 1.0 - dot / np.where(den > 0, den, 1.0), 0.0)


def harmonic_change(spectra, *, window_beats: int = CHANGE_WINDOW_BEATS) -> np.ndarray:
    """How much the sustained sound changes at each beat: "chords change on the bar line".

    What a learner computes: subtract the track's mean spectrum from every beat
    spectrum (what all beats share says nothing about change), average the
    ``window_beats`` beats before beat ``i`` and the ``window_beats`` beats from beat
    ``i`` on, and take the cosine distance ``1 - cos`` of the two averages. Near the
    edges the windows are shorter; the first beat, with nothing before it, gets the
    mean of the other beats' values (neutral evidence).

    Parameters
    ----------
    spectra : np.ndarray [shape=(n_beats, n_bands)]
        Beat spectra, e.g. :func:`beat_spectra`.
    window_beats : int >= 1
        Beats on each side (default 2: half a bar in 4/4).

    Returns
    -------
    change : np.ndarray [shape=(n_beats,)]
        In [0, 2]; large where the sound after the beat differs from the sound before.

    Examples
    --------
    >>> spectra = np.repeat(np.eye(3), 4, axis=0)          # three "chords", four beats each
    >>> np.round(harmonic_change(spectra, window_beats=1), 2).tolist()
    [0.27, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0]

    With two beats a side the beat before a change sees half of it:

    >>> np.round(harmonic_change(spectra, window_beats=2), 2).tolist()
    [0.45, 0.0, 0.0, 0.5, 1.5, 0.5, 0.0, 0.5, 1.5, 0.5, 0.0, 0.0]
    """
    X = np.asarray(spectra, dtype=float)
    if X.ndim != 2 or not np.all(np.isfinite(X)):
        raise ParameterError(
            f"spectra must be a finite 2-D array (n_beats, n_bands), got shape {np.shape(spectra)}; "
            "compute it with beat_spectra(...)."
        )
    check_int_at_least(window_beats, 1, name="window_beats", unit="beats")
    n = X.shape[0]
    if n < 2:
        return np.zeros(n)
    X = X - X.mean(axis=0)
    csum = np.concatenate([np.zeros((1, X.shape[1])), np.cumsum(X, axis=0)])
    i = np.arange(1, n)
    lo = np.maximum(i - window_beats, 0)
    hi = np.minimum(i + window_beats, n)
    before = (csum[i] - csum[lo]) / (i - lo)[:, None]
    after = (csum[hi] - csum[i]) / (hi - i)[:, None]
    change = np.empty(n)
    change[1:] = np.maximum(_cosine_distance(before, after), 0.0)   # no -0.0 from rounding
    change[0] = change[1:].mean()
    return change


# --------------------------------------------------------------------------- meter
def beat_tiles(S_power, *, beat_times_s, sr: float | None = None, hop_length: int | None = None,
               mel_params=None, n_slots: int = TILE_SLOTS, gamma: float = GAMMA) -> np.ndarray:
    """Each beat's rhythm picture: where in the beat, and in which bands, sounds start.

    What a learner computes: the spectral flux per band, ``D = band_differences(L)`` with
    ``L = log_compress(S)``; split the beat's frames ``[start, stop)`` into ``n_slots``
    equal parts (part ``j`` = frames ``int(start + (stop - start) * j / n_slots)`` up to the
    next cut, at least one frame), take the largest flux of each band in each part, and
    stack the columns into one vector. Two tiles are alike when the same instruments start
    at the same places in the beat: a drum pattern repeats every bar, so a tile resembles
    the tile one bar later. (Onsets, not levels: held chords change from bar to bar and
    would hide the repetition. The maximum, not the mean: parts are 2 or 3 frames long
    at 120 BPM, and a mean would make the same hit look different in each.)

    Parameters
    ----------
    S_power : np.ndarray [shape=(n_mels, n_frames)]
    beat_times_s : np.ndarray [shape=(n_beats,)]
    sr, hop_length, mel_params
        As for :func:`bass_onset_at_beats`.
    n_slots : int >= 1
        Columns per tile (default 4: sixteenth notes).
    gamma : float

    Returns
    -------
    tiles : np.ndarray [shape=(n_beats, n_mels * n_slots)]
        Column ``j`` of the tile is ``tiles[:, j * n_mels : (j + 1) * n_mels]``.
    """
    check_int_at_least(n_slots, 1, name="n_slots")
    L, start, stop, _ = _prepare(S_power, beat_times_s, sr, hop_length, mel_params, gamma)
    return _beat_tiles(band_differences(L), start, stop, n_slots)


def _beat_tiles(D: np.ndarray, start: np.ndarray, stop: np.ndarray, n_slots: int) -> np.ndarray:
    """Slot maxima of D, one numpy call per (segment length, slot)."""
    out = np.empty((start.size, n_slots, D.shape[0]))
    length = stop - start
    for n in np.unique(length):
        rows = np.flatnonzero(length == n)
        cuts = (n * np.arange(n_slots + 1) / n_slots).astype(int)
        for j in range(n_slots):
            frames = start[rows, None] + np.arange(cuts[j], max(cuts[j + 1], cuts[j] + 1))
            out[rows, j] = D[:, frames].max(axis=2).T
    return out.reshape(start.size, n_slots * D.shape[0])


def lag_similarity(features, *, max_lag: int) -> np.ndarray:
    """Cosine similarity of each beat with the beat ``k`` beats later, for ``k = 0 .. max_lag``.

    What a learner computes: subtract the mean feature vector (what every beat shares),
    then ``sim[i, k] = cos(x[i], x[i + k])``. Averaged over beats (``np.nanmean(sim,
    axis=0)``) it is a *beat spectrum* (Foote & Uchihashi 2001): it peaks at the lags at
    which the music repeats, the bar among them.

    Parameters
    ----------
    features : np.ndarray [shape=(n_beats, n_features)]
        One vector per beat, e.g. :func:`beat_tiles`.
    max_lag : int >= 1

    Returns
    -------
    sim : np.ndarray [shape=(n_beats, max_lag + 1)]
        ``sim[:, 0] = 1``; NaN where ``i + k`` is past the last beat (and 0 for an all-zero vector).
    """
    X = np.asarray(features, dtype=float)
    if X.ndim != 2 or not np.all(np.isfinite(X)):
        raise ParameterError(
            f"features must be a finite 2-D array (n_beats, n_features), got shape {np.shape(features)}."
        )
    check_int_at_least(max_lag, 1, name="max_lag", unit="beats")
    n = X.shape[0]
    sim = np.full((n, max_lag + 1), np.nan)
    if n == 0:
        return sim
    X = X - X.mean(axis=0)
    sim[:, 0] = 1.0
    for k in range(1, min(max_lag, n - 1) + 1):
        sim[: n - k, k] = 1.0 - _cosine_distance(X[: n - k], X[k:])
    return sim
