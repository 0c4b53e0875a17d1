"""The downbeat stage: track_downbeats groups tracked beats into bars, with its parameters and result.

bass onset + harmonic change at each beat (:mod:`helpers.downbeat.evidence`) ->
standardized evidence; beat tiles -> lag similarity -> meter (unless given); one bar phase
for the whole track, or a Viterbi path over bar positions (:mod:`helpers.downbeat.bars`).
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field

import numpy as np

from ..checks import check_bool, check_int_at_least, check_nonnegative, check_positive
from ..data import band_centers_hz, check_power_spectrogram, resolve_rate, validate_beats
from ..errors import ParameterError
from ..novelty import GAMMA, LOW_BAND_CUTOFF_HZ, band_differences, log_compress
from .bars import (BASS_WEIGHT, CHANGE_WEIGHT, DEFAULT_METER, METERS, SWITCH_PENALTY, _check_meter, _check_meters,
                   _check_penalty, choose_meter, downbeat_evidence, phase_scores, positions_from_phase,
                   viterbi_positions)
from .evidence import (CHANGE_WINDOW_BEATS, HARMONY_FMAX_HZ, TILE_SLOTS, _beat_tiles, _segment_medians,
                       bass_onset_at_frames, beat_segments, harmonic_change, lag_similarity)

__all__ = ["RESYNC", "DownbeatParams", "DownbeatResult", "DownbeatWarning", "track_downbeats"]

#: Let the bar position re-synchronise along the track (:func:`viterbi_positions`) instead of
#: one phase for the whole track (:func:`phase_scores`). Off by default: with the default
#: weights, from the course's tracked beats, jumps did not pay at any penalty tried (realmel
#: 0.46-0.54 against 0.55 for one phase, demo equal; docs/downbeat.md): the local evidence
#: is noisy, and the tracker's errors there are whole-track phase errors, not slips.
RESYNC = False


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
            check_nonnegative(getattr(self, name), name=f"DownbeatParams.{name}")
        if self.change_weight == 0 and self.bass_weight == 0:
            raise ParameterError("DownbeatParams: change_weight and bass_weight are both 0: no evidence is left.")
        for name in ("change_window_beats", "tile_slots"):
            check_int_at_least(getattr(self, name), 1, name=f"DownbeatParams.{name}")
        for name in ("harmony_fmax_hz", "low_band_cutoff_hz", "gamma"):
            check_positive(getattr(self, name), name=f"DownbeatParams.{name}")
        _check_penalty(self.switch_penalty, "DownbeatParams.switch_penalty")
        check_bool(self.resync, name="DownbeatParams.resync")

    def to_dict(self) -> dict:
        """The parameters as a plain dict (for a CLI, a widget or a results file)."""
        return asdict(self)



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
    sr, hop_length = resolve_rate(sr, hop_length, mel_params)
    S = check_power_spectrogram(S_power)
    beats = validate_beats(beat_times_s, name="beat_times_s")
    # The same steps as bass_onset_at_beats, beat_spectra and beat_tiles, sharing L and the segments
    # (beat_segments also checks that the beats end inside the track).
    start, stop = beat_segments(beats, n_frames=S.shape[1], frame_rate_hz=sr / hop_length)
    L = log_compress(S, gamma=p.gamma)
    freqs = band_centers_hz(S.shape[0], sr=sr, mel_params=mel_params)
    if not (freqs < p.low_band_cutoff_hz).any() or not (freqs < p.harmony_fmax_hz).any():
        raise ParameterError(
            f"no mel band is centred below low_band_cutoff_hz={p.low_band_cutoff_hz:g} Hz or "
            f"harmony_fmax_hz={p.harmony_fmax_hz:g} Hz (lowest centre {freqs.min():.0f} Hz); raise them."
        )
    bass = bass_onset_at_frames(L[freqs < p.low_band_cutoff_hz], start)
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
