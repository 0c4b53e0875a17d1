"""Bars and downbeats from tracked beats and the mel-spectrogram: "where is the one?".

Stage 4 of the course's chain: novelty -> tempo -> beats (:mod:`helpers.beat`) -> bars
(here). Taught in notebook 05 (each piece of evidence written by hand in a few lines,
then this helper); scored by :func:`helpers.evaluate.evaluate_downbeats`.

Conventions
-----------
- Times are in seconds (``beat_times_s``, ``downbeat_times_s``); frames appear only
  inside, named so. Frame ``k`` is at ``k * hop_length / sr`` s (librosa,
  ``center=True``); a beat belongs to its nearest frame.
- The spectrogram is POWER (not dB), shape ``(n_mels, n_frames)``; ``sr`` and
  ``hop_length`` come from the data (``info.json``, :class:`helpers.data.MelParams`).
- Everything here is *per beat*: the beats cut the spectrogram into segments (beat ``i``
  owns frames ``[f_i, f_{i+1})``; the last beat one median beat long), and every
  evidence curve has one value per beat, shape ``(n_beats,)``.
- Positions count from 1: ``positions[i]`` is the place of beat ``i`` in its bar,
  1 = downbeat, up to the meter (Harmonix's second column; madmom's downbeat format).
  A track may start with a pickup (its first beat is not a 1).
- The meter is the number of beats per bar (3 or 4 by default), at the level of the
  beats you pass: a 4/4 song tracked at double tempo has bars of 8 tracked beats.

The metrical hierarchy: the *tatum* (the fastest regular pulse, e.g. sixteenths), the
*beat* (what you tap; :mod:`helpers.beat`) and the *bar* (a group of 3 or 4 beats that
starts on the downbeat). The beat tracker found the middle level; this module groups
beats into bars from evidence a learner can see:

1. **Meter: bars repeat.** Cut the spectral flux (where sounds start) into beat-sized
   tiles (:func:`beat_tiles`); a tile resembles the tile one bar later more than its
   neighbours do (:func:`lag_similarity`). The lag with a peak, 3 or 4 beats, is the
   meter (:func:`meter_salience`, :func:`choose_meter`), with a confidence: how far the
   peak stands above the bar-to-bar wobble.
2. **Phase: what happens on the one.** Chords change on the bar line
   (:func:`harmonic_change`: the sustained sound of the beats before vs after each
   beat) and the bass often plays a new note on the one (:func:`bass_onset_at_beats`).
   Standardized and summed (:func:`downbeat_evidence`), the evidence is largest on
   downbeats on average.
3. **Positions.** One phase for the whole track: the phase whose beats carry the most
   evidence (:func:`phase_scores`, :func:`positions_from_phase`). Or, since tracked beats
   slip (a beat skipped or added, a section on another phase), a Viterbi path over bar
   positions that may re-synchronise at a cost (:func:`viterbi_positions`; measured, it
   did not pay on our development sets, so it is off by default).

:func:`track_downbeats` runs it all and returns a :class:`DownbeatResult`.
docs/downbeat.md says how each default was chosen and what it scores.

References
----------
Davies, M. E. P., Plumbley, M. D. (2006). A spectral difference approach to downbeat
extraction in musical audio. EUSIPCO.
Goto, M. (2001). An audio-based real-time beat tracking system for music with or
without drum-sounds. Journal of New Music Research 30(2), 159-171 (chord changes and
drum patterns as bar-level cues).
Foote, J., Uchihashi, S. (2001). The beat spectrum: a new approach to rhythm analysis.
ICME (self-similarity at beat lags).
Krebs, F., Böck, S., Dorfer, M., Widmer, G. (2016). Downbeat tracking using
beat-synchronous features and recurrent neural networks. ISMIR.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass, field
from numbers import Integral, Real

import numpy as np

from .data import BEATS_PAST_END_TOLERANCE_S, mel_frequencies_hz
from .errors import ParameterError
from .evaluate import FMEASURE_WINDOW_S, validate_beats
from .novelty import (
    GAMMA,
    LOW_BAND_CUTOFF_HZ,
    _positive,
    _resolve_rate,
    _validate_curve,
    _validate_power,
    band_differences,
    log_compress,
)

__all__ = [
    "METERS",
    "DEFAULT_METER",
    "HARMONY_FMAX_HZ",
    "CHANGE_WINDOW_BEATS",
    "CHANGE_WEIGHT",
    "BASS_WEIGHT",
    "TILE_SLOTS",
    "RESYNC",
    "SWITCH_PENALTY",
    "DownbeatParams",
    "DownbeatResult",
    "MeterEstimate",
    "DownbeatWarning",
    "beat_segments",
    "bass_onset_at_beats",
    "beat_spectra",
    "harmonic_change",
    "beat_tiles",
    "lag_similarity",
    "meter_salience",
    "choose_meter",
    "standardize",
    "downbeat_evidence",
    "phase_scores",
    "positions_from_phase",
    "viterbi_positions",
    "track_downbeats",
    "usual_bar_length",
    "downbeat_offset",
]

#: Candidate meters (beats per bar). Harmonix: 887 of 912 tracks have a 4-beat bar as their
#: most common bar, 6 a 3-beat bar, 17 a 6-beat bar (6/8 annotated at the eighth note).
METERS = (3, 4)
#: The meter used when there are too few beats to decide: the Harmonix majority (97 %).
DEFAULT_METER = 4
#: Harmonic change looks at the mel bands below this (Hz): the bass and the fundamentals and
#: first partials of chords lie below ~2 kHz; above it cymbals and hi-hats dominate the bands.
HARMONY_FMAX_HZ = 2000.0
#: Harmonic change compares this many beats before a beat with as many after it: in pop a
#: chord usually lasts at least half a bar, and two beats on each side halve the noise of one.
CHANGE_WINDOW_BEATS = 2
#: Weight of the standardized harmonic change in the downbeat evidence (the main cue).
CHANGE_WEIGHT = 1.0
#: Weight of the standardized bass onset strength: a quarter of the harmonic change's. The
#: bass note on the one (the "oom" of a waltz) shares its bands with the kick drum, which also
#: plays on 3 (rock), on every beat (dance) or only on 3 (reggae), so this cue is a minor one.
#: Measured (docs/downbeat.md): 0 and 0.25 tie on realmel, 0.5 and 1 lose there; 0.25 fixes
#: the demo waltz.
BASS_WEIGHT = 0.25
#: Beat tiles (:func:`beat_tiles`) have this many time slots per beat: sixteenth notes, the
#: finest regular grid of most pop, so a tile sees where in the beat the onsets are.
TILE_SLOTS = 4
#: Let the bar position re-synchronise along the track (:func:`viterbi_positions`) instead of
#: one phase for the whole track (:func:`phase_scores`). Off by default: with the default
#: weights, from the course's tracked beats, jumps did not pay at any penalty tried (realmel
#: 0.46-0.54 against 0.55 for one phase, demo equal; docs/downbeat.md): the local evidence
#: is noisy, and the tracker's errors there are whole-track phase errors, not slips.
RESYNC = False
#: Cost of a bar-position jump in :func:`viterbi_positions`, in units of standardized
#: evidence. In the Harmonix annotations 1.5 % of bars are not of the track's usual length,
#: i.e. a jump costs ``-log(0.0146) = 4.2`` nats; counting one unit of standardized evidence
#: as one nat (a first guess, not fitted) gives 4.2.
SWITCH_PENALTY = 4.2


class DownbeatWarning(UserWarning):
    """Too few beats to decide the meter or the phase; a defined default was used."""


# --------------------------------------------------------------------------- parameters
@dataclass(frozen=True)
class DownbeatParams:
    """All parameters of :func:`track_downbeats`, with their defaults (module constants).

    Change one with ``DownbeatParams(resync=True)`` or
    ``dataclasses.replace(params, bass_weight=0.0)``. docs/downbeat.md says how each
    default was chosen.

    Attributes
    ----------
    meters : tuple of int
        Candidate meters (beats per bar), each >= 2.
    change_weight, bass_weight : float >= 0
        Weights of the standardized harmonic change and bass onset (:func:`downbeat_evidence`).
    change_window_beats : int >= 1
        Beats on each side compared by :func:`harmonic_change`.
    harmony_fmax_hz : float
        Bands below this (Hz) make the beat spectra of :func:`harmonic_change`.
    low_band_cutoff_hz : float
        Bands below this (Hz) are the bass bands of :func:`bass_onset_at_beats`.
    tile_slots : int >= 1
        Time slots per beat of :func:`beat_tiles` (meter decision).
    resync : bool
        False (default): one bar phase for the whole track (:func:`phase_scores`). True: a
        Viterbi path over bar positions that may jump (:func:`viterbi_positions`).
    switch_penalty : float > 0 or inf
        With ``resync``: the cost of a jump.
    gamma : float
        Log compression of the spectrogram (:func:`helpers.novelty.log_compress`).
    """

    meters: tuple = METERS
    change_weight: float = CHANGE_WEIGHT
    bass_weight: float = BASS_WEIGHT
    change_window_beats: int = CHANGE_WINDOW_BEATS
    harmony_fmax_hz: float = HARMONY_FMAX_HZ
    low_band_cutoff_hz: float = LOW_BAND_CUTOFF_HZ
    tile_slots: int = TILE_SLOTS
    resync: bool = RESYNC
    switch_penalty: float = SWITCH_PENALTY
    gamma: float = GAMMA

    def __post_init__(self):
        object.__setattr__(self, "meters", _check_meters(self.meters, "DownbeatParams.meters"))
        for name in ("change_weight", "bass_weight"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value) or value < 0:
                raise ParameterError(f"DownbeatParams.{name}={value!r} must be a finite number >= 0.")
        if self.change_weight == 0 and self.bass_weight == 0:
            raise ParameterError("DownbeatParams: change_weight and bass_weight are both 0: no evidence is left.")
        for name in ("change_window_beats", "tile_slots"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
                raise ParameterError(f"DownbeatParams.{name}={value!r} must be an integer >= 1.")
        for name in ("harmony_fmax_hz", "low_band_cutoff_hz", "gamma"):
            _positive(getattr(self, name), f"DownbeatParams.{name}")
        _check_penalty(self.switch_penalty, "DownbeatParams.switch_penalty")
        if not isinstance(self.resync, (bool, np.bool_)):
            raise ParameterError(f"DownbeatParams.resync={self.resync!r} must be True or False.")

    def to_dict(self) -> dict:
        """The parameters as a plain dict (for a CLI, a widget or a results file)."""
        return asdict(self)


def _check_meters(meters, name: str) -> tuple:
    if isinstance(meters, (Integral, np.integer)) and not isinstance(meters, bool):
        meters = (meters,)
    try:
        values = tuple(meters)
    except TypeError:
        raise ParameterError(f"{name}={meters!r} must be a tuple of beats per bar, e.g. (3, 4).") from None
    if not values or any(isinstance(m, bool) or not isinstance(m, (Integral, np.integer)) or m < 2 for m in values):
        raise ParameterError(f"{name}={meters!r} must be whole numbers of beats per bar >= 2, e.g. (3, 4).")
    return tuple(sorted({int(m) for m in values}))


def _check_meter(meter, name: str = "meter") -> int:
    if isinstance(meter, bool) or not isinstance(meter, (Integral, np.integer)) or meter < 2:
        raise ParameterError(f"{name}={meter!r} must be a whole number of beats per bar >= 2 (e.g. 3 or 4).")
    return int(meter)


def _check_penalty(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or math.isnan(value) or value <= 0:
        raise ParameterError(f"{name}={value!r} must be a positive number, or np.inf for one phase per track.")
    return float(value)


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


def _band_frequencies_hz(n_mels: int, sr: float, mel_params) -> np.ndarray:
    """Centre frequency of each band: from mel_params if given, else the Harmonix layout (fmin 0, fmax sr/2)."""
    if mel_params is not None and hasattr(mel_params, "mel_frequencies_hz"):
        f = np.asarray(mel_params.mel_frequencies_hz(), dtype=float)
        if f.shape == (n_mels,):
            return f
        raise ParameterError(
            f"S_power has {n_mels} mel bands but mel_params describes {f.size}: is this the right info.json?"
        )
    return mel_frequencies_hz(n_mels + 2, fmin=0.0, fmax=sr / 2.0)[1:-1]


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
    if isinstance(n_frames, bool) or not isinstance(n_frames, (Integral, np.integer)) or n_frames < 1:
        raise ParameterError(f"n_frames={n_frames!r} must be a positive integer.")
    fr = _positive(frame_rate_hz, "frame_rate_hz", "It is sr / hop_length (21.53 for Harmonix).")
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
    sr, hop_length = _resolve_rate(sr, hop_length, mel_params)
    S = _validate_power(S_power)
    fr = sr / hop_length
    start, stop = beat_segments(beat_times_s, n_frames=S.shape[1], frame_rate_hz=fr)
    L = log_compress(S, gamma=gamma)
    return L, start, stop, _band_frequencies_hz(S.shape[0], sr, mel_params)


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
    _positive(cutoff_hz, "cutoff_hz", "The bass range ends at about 250 Hz.")
    low = freqs < cutoff_hz
    if not low.any():
        raise ParameterError(
            f"no mel band is centred below cutoff_hz={cutoff_hz:g} Hz (lowest centre {freqs.min():.0f} Hz); "
            "raise cutoff_hz."
        )
    return _bass_onset(L[low], start)


def _bass_onset(L_low: np.ndarray, start: np.ndarray) -> np.ndarray:
    bass = band_differences(L_low).sum(axis=0, dtype=np.float64)
    padded = np.concatenate([[0.0], bass, [0.0]])
    return np.maximum(np.maximum(padded[start], padded[start + 1]), padded[start + 2])


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
    _positive(fmax_hz, "fmax_hz", "Harmony lies below about 2000 Hz.")
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
    if isinstance(window_beats, bool) or not isinstance(window_beats, Integral) or window_beats < 1:
        raise ParameterError(f"window_beats={window_beats!r} must be an integer >= 1.")
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
    if isinstance(n_slots, bool) or not isinstance(n_slots, Integral) or n_slots < 1:
        raise ParameterError(f"n_slots={n_slots!r} must be an integer >= 1.")
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
        raise ParameterError(f"features must be a finite 2-D array (n_beats, n_features), got shape {np.shape(features)}.")
    if isinstance(max_lag, bool) or not isinstance(max_lag, Integral) or max_lag < 1:
        raise ParameterError(f"max_lag={max_lag!r} must be an integer >= 1.")
    n = X.shape[0]
    sim = np.full((n, max_lag + 1), np.nan)
    if n == 0:
        return sim
    X = X - X.mean(axis=0)
    sim[:, 0] = 1.0
    for k in range(1, min(max_lag, n - 1) + 1):
        sim[: n - k, k] = 1.0 - _cosine_distance(X[: n - k], X[k:])
    return sim


def meter_salience(sim, *, meter: int) -> np.ndarray:
    """Per beat, how much the similarity at lag ``meter`` stands above its two neighbour lags.

    ``sim[:, M] - (sim[:, M - 1] + sim[:, M + 1]) / 2``: similarity falls off with the lag
    in most music, so a raw comparison of lag 3 and lag 4 would favour 3; a *peak* at M
    is the sign of M-beat bars. NaN where a lag runs past the end.

    Parameters
    ----------
    sim : np.ndarray [shape=(n_beats, max_lag + 1)]
        :func:`lag_similarity` with ``max_lag >= meter + 1``.
    meter : int >= 2

    Returns
    -------
    salience : np.ndarray [shape=(n_beats,)]
    """
    meter = _check_meter(meter)
    sim = np.asarray(sim, dtype=float)
    if sim.ndim != 2 or sim.shape[1] < meter + 2:
        raise ParameterError(
            f"sim has shape {sim.shape}; meter {meter} needs lags up to {meter + 1}: "
            f"lag_similarity(features, max_lag={meter + 1})."
        )
    return sim[:, meter] - 0.5 * (sim[:, meter - 1] + sim[:, meter + 1])


@dataclass(frozen=True)
class MeterEstimate:
    """The meter decision of :func:`choose_meter`.

    Attributes
    ----------
    meter : int
        Beats per bar.
    confidence : float
        In [0.5, 1]: the probability, under a normal approximation, that the winner's mean
        salience really exceeds the runner-up's, given how much their difference varies
        from bar to bar. 0.5 = a coin flip (also when it could not be decided), 1 = sure.
    salience : dict[int, float]
        Mean :func:`meter_salience` of each candidate meter.
    """

    meter: int
    confidence: float
    salience: dict


def choose_meter(sim, *, meters=METERS) -> MeterEstimate:
    """The meter whose lag has the highest mean salience, and how sure that is.

    For the winner ``a`` and the runner-up ``b``, the per-beat difference
    ``d = meter_salience(sim, meter=a) - meter_salience(sim, meter=b)`` has a mean ``m``
    and a standard deviation ``s``; beats of one bar are not independent, so the
    standard error uses the number of bars, ``len(d) / a``. The confidence is
    ``Phi(m / (s / sqrt(len(d) / a)))`` (``Phi`` = the standard normal CDF).

    Parameters
    ----------
    sim : np.ndarray [shape=(n_beats, max_lag + 1)]
        :func:`lag_similarity`, ``max_lag >= max(meters) + 1``.
    meters : tuple of int
        Candidates (default (3, 4)).

    Returns
    -------
    MeterEstimate
        With a single candidate, or no beat to compare: that candidate (or
        :data:`DEFAULT_METER` if it is a candidate, else the largest), confidence 0.5.
    """
    meters = _check_meters(meters, "meters")
    sal = {m: meter_salience(sim, meter=m) for m in meters}
    means = {m: float(np.nanmean(s)) if np.isfinite(s).any() else np.nan for m, s in sal.items()}
    known = [m for m in meters if np.isfinite(means[m])]
    if len(known) < 2:
        fallback = known[0] if known else (DEFAULT_METER if DEFAULT_METER in meters else meters[-1])
        return MeterEstimate(fallback, 0.5, means)
    ranked = sorted(known, key=lambda m: (means[m], m == DEFAULT_METER), reverse=True)
    a, b = ranked[0], ranked[1]
    d = sal[a] - sal[b]
    d = d[np.isfinite(d)]
    n_bars = d.size / a
    sd = float(d.std(ddof=1)) if d.size > 1 else 0.0
    mean = float(d.mean()) if d.size else 0.0
    if n_bars < 1 or d.size < 2:
        confidence = 0.5
    elif sd == 0:
        confidence = 1.0 if mean > 0 else 0.5
    else:
        t = mean / (sd / math.sqrt(n_bars))
        confidence = 0.5 * (1.0 + math.erf(t / math.sqrt(2.0)))
    return MeterEstimate(int(a), float(confidence), means)


# --------------------------------------------------------------------------- phase
def standardize(x) -> np.ndarray:
    """``(x - mean) / std``: evidence in units of its own spread, so curves can be added.

    A constant curve (up to rounding errors) gives zeros: it says nothing.
    """
    x = _validate_curve(x, "x")
    if x.size == 0:
        return x.copy()
    sd = x.std()
    # A spread at the level of rounding errors is no evidence: treat it as constant.
    if sd <= 1e-12 * max(1.0, float(np.abs(x).max())):
        return np.zeros_like(x)
    return (x - x.mean()) / sd


def downbeat_evidence(*, harmonic_change, bass_onset, change_weight: float = CHANGE_WEIGHT,
                      bass_weight: float = BASS_WEIGHT) -> np.ndarray:
    """How much each beat looks like a "one": the weighted sum of the standardized cues.

    ``change_weight * standardize(harmonic_change) + bass_weight * standardize(bass_onset)``.

    Parameters
    ----------
    harmonic_change, bass_onset : np.ndarray [shape=(n_beats,)]
        From :func:`harmonic_change` and :func:`bass_onset_at_beats`.
    change_weight, bass_weight : float >= 0

    Returns
    -------
    evidence : np.ndarray [shape=(n_beats,)]
        Mean 0; larger = more like a downbeat.
    """
    change = _validate_curve(harmonic_change, "harmonic_change")
    bass = _validate_curve(bass_onset, "bass_onset")
    if change.shape != bass.shape:
        raise ParameterError(
            f"harmonic_change has {change.size} values and bass_onset {bass.size}: both need one per beat."
        )
    for name, w in (("change_weight", change_weight), ("bass_weight", bass_weight)):
        if isinstance(w, bool) or not isinstance(w, Real) or not np.isfinite(w) or w < 0:
            raise ParameterError(f"{name}={w!r} must be a finite number >= 0.")
    return change_weight * standardize(change) + bass_weight * standardize(bass)


def phase_scores(evidence, *, meter: int) -> np.ndarray:
    """The total evidence on the beats that would be downbeats for each phase.

    ``scores[p] = evidence[p::meter].sum()``: phase ``p`` makes beats ``p, p + meter, ...``
    the downbeats. The best phase is ``np.argmax(scores)``; a first beat that is not a
    downbeat (a pickup) just means ``p > 0``.

    Parameters
    ----------
    evidence : np.ndarray [shape=(n_beats,)]
    meter : int >= 2

    Returns
    -------
    scores : np.ndarray [shape=(meter,)]
    """
    e = _validate_curve(evidence, "evidence")
    meter = _check_meter(meter)
    return np.array([e[p::meter].sum() for p in range(meter)])


def positions_from_phase(n_beats: int, *, meter: int, phase: int) -> np.ndarray:
    """Bar positions 1..meter when beat ``phase`` is a downbeat: ``(i - phase) % meter + 1``.

    Examples
    --------
    >>> positions_from_phase(6, meter=4, phase=1).tolist()     # a one-beat pickup
    [4, 1, 2, 3, 4, 1]
    """
    if isinstance(n_beats, bool) or not isinstance(n_beats, (Integral, np.integer)) or n_beats < 0:
        raise ParameterError(f"n_beats={n_beats!r} must be an integer >= 0.")
    meter = _check_meter(meter)
    if isinstance(phase, bool) or not isinstance(phase, (Integral, np.integer)) or not 0 <= phase < meter:
        raise ParameterError(f"phase={phase!r} must be an integer in [0, {meter - 1}].")
    return (np.arange(n_beats) - phase) % meter + 1


def viterbi_positions(evidence, *, meter: int, switch_penalty: float = SWITCH_PENALTY) -> np.ndarray:
    """Bar positions that follow the evidence, re-synchronising where it pays: a Viterbi path.

    The states are the positions 1..meter. A beat at position 1 scores its evidence,
    any other position 0. From one beat to the next the position normally goes up by
    one (``meter`` -> 1); any other move (a beat skipped, added, or a bar of another
    length) costs ``switch_penalty``. The first beat may be at any position (a pickup).
    The path with the highest total score wins. With ``switch_penalty=np.inf`` no jump
    is allowed and the result is :func:`positions_from_phase` at the best
    :func:`phase_scores` phase.

    Parameters
    ----------
    evidence : np.ndarray [shape=(n_beats,)]
        Downbeat evidence, e.g. :func:`downbeat_evidence`.
    meter : int >= 2
    switch_penalty : float > 0 or inf
        Cost of one jump, in units of evidence.

    Returns
    -------
    positions : np.ndarray [shape=(n_beats,)], int
        In 1..meter.

    Examples
    --------
    >>> e = np.array([1.0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1])  # a beat lost before 7
    >>> viterbi_positions(e, meter=4, switch_penalty=1.0).tolist()
    [1, 2, 3, 4, 1, 2, 3, 1, 2, 3, 4, 1, 2, 3, 4, 1]
    >>> viterbi_positions(e, meter=4, switch_penalty=np.inf).tolist()   # one phase: 3 of the 5 ones
    [2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1]
    """
    e = _validate_curve(evidence, "evidence")
    meter = _check_meter(meter)
    penalty = _check_penalty(switch_penalty, "switch_penalty")
    n = e.size
    if n == 0:
        return np.zeros(0, dtype=int)
    if math.isinf(penalty):
        return positions_from_phase(n, meter=meter, phase=int(np.argmax(phase_scores(e, meter=meter))))
    # transition[a, b]: cost of going from position a + 1 to position b + 1
    transition = np.full((meter, meter), -penalty)
    transition[np.arange(meter), (np.arange(meter) + 1) % meter] = 0.0
    is_one = np.arange(meter) == 0
    score = np.where(is_one, e[0], 0.0)
    back = np.zeros((n, meter), dtype=int)
    for i in range(1, n):
        candidates = score[:, None] + transition
        back[i] = candidates.argmax(axis=0)
        score = candidates[back[i], np.arange(meter)] + np.where(is_one, e[i], 0.0)
    state = int(score.argmax())
    states = np.empty(n, dtype=int)
    for i in range(n - 1, -1, -1):
        states[i] = state
        state = back[i, state]
    return states + 1


# --------------------------------------------------------------------------- the stage
@dataclass(frozen=True)
class DownbeatResult:
    """Bars and downbeats, with the evidence behind them (for plots and notebooks).

    Attributes
    ----------
    beat_times_s : np.ndarray [shape=(n_beats,)]
        The beats that were grouped into bars (s).
    positions : np.ndarray [shape=(n_beats,)], int
        Position of each beat in its bar, 1 = downbeat.
    meter : int
        Beats per bar.
    meter_confidence : float
        In [0.5, 1] (:class:`MeterEstimate`); 1.0 when the meter was given.
    meter_salience : dict[int, float]
        Mean salience of each candidate meter (empty when the meter was given).
    beat_spectrum : np.ndarray [shape=(max_lag + 1,)]
        Mean similarity of beat tiles at lags 0..max(meters)+1 (the curve the meter is read from).
    bass_onset, harmonic_change, evidence : np.ndarray [shape=(n_beats,)]
        The cues and their weighted, standardized sum.
    phase_scores : np.ndarray [shape=(meter,)]
        Total evidence of each one-phase hypothesis (:func:`phase_scores`).
    params : DownbeatParams
    """

    beat_times_s: np.ndarray = field(repr=False)
    positions: np.ndarray = field(repr=False)
    meter: int
    meter_confidence: float
    meter_salience: dict
    beat_spectrum: np.ndarray = field(repr=False)
    bass_onset: np.ndarray = field(repr=False)
    harmonic_change: np.ndarray = field(repr=False)
    evidence: np.ndarray = field(repr=False)
    phase_scores: np.ndarray = field(repr=False)
    params: DownbeatParams = field(repr=False)

    @property
    def downbeat_times_s(self) -> np.ndarray:
        """Times of the beats at position 1 (s)."""
        return self.beat_times_s[self.positions == 1]

    @property
    def n_resyncs(self) -> int:
        """How many times the bar position jumped (did not go up by one, or meter -> 1)."""
        p = self.positions
        if p.size < 2:
            return 0
        return int(np.count_nonzero(p[1:] != p[:-1] % self.meter + 1))


def _check_params(downbeat_params) -> DownbeatParams:
    if downbeat_params is None:
        return DownbeatParams()
    if not isinstance(downbeat_params, DownbeatParams):
        raise ParameterError(
            f"downbeat_params must be a DownbeatParams, got {type(downbeat_params).__name__}; "
            "e.g. DownbeatParams(resync=True)."
        )
    return downbeat_params


def track_downbeats(S_power, *, beat_times_s, sr: float | None = None, hop_length: int | None = None,
                    mel_params=None, downbeat_params: DownbeatParams | None = None,
                    meter: int | None = None) -> DownbeatResult:
    """Group beats into bars: meter, bar positions and downbeats of a POWER mel spectrogram.

    bass onset + harmonic change at each beat -> standardized evidence; beat tiles ->
    lag similarity -> meter (unless given); one bar phase for the whole track (or, with
    ``DownbeatParams(resync=True)``, a Viterbi path over bar positions).

    Parameters
    ----------
    S_power : np.ndarray [shape=(n_mels, n_frames)]
        POWER mel spectrogram (not dB).
    beat_times_s : np.ndarray [shape=(n_beats,)]
        Beat times in seconds, strictly increasing (tracked, e.g. by
        :func:`helpers.beat.track_beats`, or annotated).
    sr, hop_length : float, int
        From the data; or ``mel_params`` (:func:`helpers.data.read_params`).
    mel_params : helpers.data.MelParams, optional
    downbeat_params : DownbeatParams, optional
        Default ``DownbeatParams()``.
    meter : int, optional
        Beats per bar, if known (skips the meter decision).

    Returns
    -------
    DownbeatResult
        ``.positions`` (1 = downbeat), ``.downbeat_times_s``, ``.meter``, ``.meter_confidence``
        and the evidence curves.

    Warns
    -----
    DownbeatWarning
        Fewer beats than two bars of the longest candidate meter plus one: the meter is
        ``meter`` if given, else :data:`DEFAULT_METER`, with confidence 0.5.

    Raises
    ------
    ParameterError
        Bad spectrogram, beats (not seconds, not increasing, past the end of the track) or parameters.

    See Also
    --------
    helpers.evaluate.evaluate_downbeats : score the downbeats against an annotation.

    Examples
    --------
    >>> import numpy as np
    >>> fr = 22050 / 1024
    >>> beats = np.arange(0.5, 30, 0.5)                    # 120 BPM
    >>> S = np.full((80, int(31 * fr)), 1e-4)
    >>> frames = np.rint(beats * fr).astype(int)
    >>> S[20:, frames] = 1.0                               # a click on every beat
    >>> S[:4, frames[1::4]] = 1.0                          # the bass on beats 1, 5, 9, ...
    >>> result = track_downbeats(S, beat_times_s=beats, sr=22050, hop_length=1024, meter=4)
    >>> result.positions[:6].tolist(), result.downbeat_times_s[:2].tolist()
    ([4, 1, 2, 3, 4, 1], [1.0, 3.0])
    """
    p = _check_params(downbeat_params)
    if meter is not None:
        meter = _check_meter(meter)
    sr, hop_length = _resolve_rate(sr, hop_length, mel_params)
    S = _validate_power(S_power)
    beats = _check_beats(beat_times_s, n_frames=S.shape[1], frame_rate_hz=sr / hop_length)
    # The same steps as bass_onset_at_beats, beat_spectra and beat_tiles, sharing L and the segments.
    start, stop = beat_segments(beats, n_frames=S.shape[1], frame_rate_hz=sr / hop_length)
    L = log_compress(S, gamma=p.gamma)
    freqs = _band_frequencies_hz(S.shape[0], sr, mel_params)
    if not (freqs < p.low_band_cutoff_hz).any() or not (freqs < p.harmony_fmax_hz).any():
        raise ParameterError(
            f"no mel band is centred below low_band_cutoff_hz={p.low_band_cutoff_hz:g} Hz or "
            f"harmony_fmax_hz={p.harmony_fmax_hz:g} Hz (lowest centre {freqs.min():.0f} Hz); raise them."
        )
    bass = _bass_onset(L[freqs < p.low_band_cutoff_hz], start)
    spectra = _segment_medians(L[freqs < p.harmony_fmax_hz], start, stop)
    change = harmonic_change(spectra, window_beats=p.change_window_beats)
    evidence = downbeat_evidence(harmonic_change=change, bass_onset=bass,
                                 change_weight=p.change_weight, bass_weight=p.bass_weight)
    max_lag = max(p.meters) + 1
    tiles = _beat_tiles(band_differences(L), start, stop, p.tile_slots)
    sim = lag_similarity(tiles, max_lag=max_lag)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # nanmean of a lag no beat reaches
        beat_spectrum = np.nanmean(sim, axis=0) if beats.size else np.full(max_lag + 1, np.nan)
    if meter is not None:
        chosen, confidence, salience = meter, 1.0, {}
    elif beats.size < 2 * max_lag + 1:
        chosen = DEFAULT_METER if DEFAULT_METER in p.meters else p.meters[-1]
        confidence, salience = 0.5, {}
        warnings.warn(
            f"only {beats.size} beats: too few to decide the meter (need {2 * max_lag + 1}); "
            f"using {chosen} beats per bar. Pass meter= if you know it.",
            DownbeatWarning, stacklevel=2,
        )
    else:
        estimate = choose_meter(sim, meters=p.meters)
        chosen, confidence, salience = estimate.meter, estimate.confidence, estimate.salience
    scores = phase_scores(evidence, meter=chosen)
    if p.resync:
        positions = viterbi_positions(evidence, meter=chosen, switch_penalty=p.switch_penalty)
    else:
        positions = positions_from_phase(beats.size, meter=chosen, phase=int(np.argmax(scores)))
    return DownbeatResult(
        beat_times_s=beats, positions=positions, meter=int(chosen), meter_confidence=float(confidence),
        meter_salience=salience, beat_spectrum=beat_spectrum, bass_onset=bass, harmonic_change=change,
        evidence=evidence, phase_scores=scores, params=p,
    )


# --------------------------------------------------------------------------- reading annotations
def _check_positions(positions, name: str = "positions") -> np.ndarray:
    p = np.asarray(positions)
    if p.ndim != 1 or (p.size and (not np.issubdtype(p.dtype, np.number) or not np.all(np.isfinite(p))
                                   or np.any(p != np.round(p)) or p.min() < 1)):
        raise ParameterError(
            f"{name} must be whole numbers >= 1, one per beat (1 = downbeat), got {np.shape(positions)} "
            f"values starting {p.ravel()[:4].tolist()}: the second column of a Harmonix beat file "
            "(helpers.data.load_beats(path).positions)."
        )
    return p.astype(int)


def usual_bar_length(positions) -> int:
    """The most common number of beats from one downbeat to the next: a track's meter, read from its annotation.

    Harmonix annotates the position of every beat in its bar (1 = downbeat); most
    tracks have bars of one length with a few exceptions (a 2-beat bar before a
    chorus, a pickup at the start), so the *usual* length is the mode. A tie goes to
    the shorter bar. With fewer than two downbeats, the largest position.

    Parameters
    ----------
    positions : np.ndarray [shape=(n_beats,)], int
        Position of each beat in its bar, 1 = downbeat.

    Returns
    -------
    int
        Beats per bar (0 for an empty annotation).

    Examples
    --------
    >>> usual_bar_length([4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 1, 2, 3, 4, 1])   # a pickup, one 2-beat bar
    4
    """
    p = _check_positions(positions)
    if p.size == 0:
        return 0
    ones = np.flatnonzero(p == 1)
    if ones.size < 2:
        return int(p.max())
    return int(np.argmax(np.bincount(np.diff(ones))))


def downbeat_offset(reference_times_s, reference_positions, estimated_downbeats_s, *,
                    window_s: float = FMEASURE_WINDOW_S) -> int | None:
    """How many beats after the annotated downbeats an estimate's downbeats fall (0 = aligned).

    Each estimated downbeat within ``window_s`` of a reference beat takes that beat's
    annotated position ``p``; the most common ``p`` gives the offset ``p - 1``, taken
    between ``-M/2`` and ``M/2`` beats (``M``: :func:`usual_bar_length` of the
    reference). ``-1``: the estimate marks the *last* beat of each bar, the off-by-one
    reported for upstream Harmonix estimates (COURSE.md); ``+1``: the second beat. Such
    an estimate scores a downbeat F of 0 although its bars may be right: check a
    downbeat file with this before scoring it.

    Parameters
    ----------
    reference_times_s : np.ndarray [shape=(n_beats,)]
        Annotated beat times in seconds.
    reference_positions : np.ndarray [shape=(n_beats,)], int
        Their positions in the bar, 1 = downbeat.
    estimated_downbeats_s : np.ndarray [shape=(n_downbeats,)]
        Estimated downbeat times in seconds.
    window_s : float > 0
        How close (s) an estimated downbeat must be to a reference beat to count
        (default the F-measure's 70 ms).

    Returns
    -------
    int or None
        The offset in beats; None if no estimated downbeat is near a reference beat
        (the estimate is off the annotated beats altogether: no bar offset to read).

    Examples
    --------
    >>> beats = np.arange(1.0, 17.0, 0.5)                   # 32 beats at 120 BPM
    >>> positions = np.tile([1, 2, 3, 4], 8)
    >>> downbeat_offset(beats, positions, beats[positions == 4])   # "the last beat of each bar"
    -1
    >>> downbeat_offset(beats, positions, beats[positions == 1] + 0.02)
    0
    """
    ref = validate_beats(reference_times_s, name="reference_times_s")
    pos = _check_positions(reference_positions, "reference_positions")
    if pos.shape != ref.shape:
        raise ParameterError(
            f"reference_positions has {pos.size} values for {ref.size} reference beats: one position per beat."
        )
    est = validate_beats(estimated_downbeats_s, name="estimated_downbeats_s")
    window_s = _positive(window_s, "window_s", "The F-measure window is 0.07 s.")
    if ref.size == 0 or est.size == 0:
        return None
    j = np.clip(np.searchsorted(ref, est), 1, max(ref.size - 1, 1))
    nearest = np.where(np.abs(est - ref[j - 1]) <= np.abs(est - ref[np.minimum(j, ref.size - 1)]), j - 1,
                       np.minimum(j, ref.size - 1))
    near = np.abs(est - ref[nearest]) <= window_s
    if not near.any():
        return None
    p = int(np.argmax(np.bincount(pos[nearest[near]])))
    meter = max(usual_bar_length(pos), 1)
    offset = p - 1
    return offset - meter if offset > meter // 2 else offset
