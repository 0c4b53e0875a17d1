"""Beat tracking by dynamic programming (Ellis 2007), in plain numpy.

Stage 3 of the reference tracker: novelty (:mod:`helpers.novelty`) -> tempo
(:mod:`helpers.tempo`) -> beats (here). Taught in notebook 02 (the DP written out by
hand, then this helper; sub-frame refinement) and used in notebooks 03-04.

Conventions
-----------
- Beat times are in seconds, strictly increasing (``beat_times_s``); frame indices
  appear only inside, named so (``beat_frames``). Frame ``k`` is at
  ``k * hop_length / sr`` s (librosa, ``center=True``).
- The spectrogram is POWER (not dB), shape ``(n_mels, n_frames)``; ``sr`` and
  ``hop_length`` come from the data (``info.json``), never from defaults.
- Every stage is a plain function of the previous stage's output, so a learner can
  swap in their own: :func:`track_beats_from_novelty` starts from any
  :class:`~helpers.novelty.Novelty`; :func:`dp_beat_frames` from any local score.
- No numba and no librosa: importing this module and tracking a 4-minute track takes
  well under a second, with no compilation on first use.

The dynamic programme (Ellis 2007): with local score ``O[t]`` (the novelty divided by
its standard deviation) and beat period ``P`` frames from the tempo, the best score of
a beat sequence ending with a beat at frame ``t`` is::

    C[t] = O[t] + max_{P/2 <= t - s <= 2P} (C[s] - tightness * log((t - s) / P) ** 2)

and ``back[t]`` remembers the best ``s``. Before the track there is silence: frames
``s < 0`` count with ``C[s] = 0``, so the first beat can be anywhere (librosa does the
same). The last beat is the best ``C`` in the last beat period; following ``back``
from it gives all beats. ``tightness`` trades onset strength against regular spacing.

One phase for the whole track (:func:`lock_phase`): the DP decides the beat phase
locally, so a section whose off-beats are louder (hi-hats, syncopated bass) can pull
the beats half a period off and back again, through a few slightly longer intervals
that cost almost nothing. When the beats fit one constant-tempo grid (much pop, rock and
dance is recorded to a click; live recordings drift, so the grid's fit is checked first), the
phase is decided once for the whole track: the
grid phase or the half-period phase, whichever carries more novelty over the whole
track; the DP then runs again on the novelty weighted by a raised-cosine comb that
favours the chosen phase.

The track's tempo (:attr:`TrackerResult.tempo_bpm`, "what is the BPM?") is the tempo the
returned beats keep (:func:`beat_tempo_bpm`: the period of the constant-tempo grid that
fits them when the tempo is steady, else 60 / their median interval), the same measure
as a reference tempo (:func:`helpers.evaluate.reference_tempo_bpm`); the tempogram's peak
that the DP started from stays in ``TrackerResult.tempo``.

References
----------
Ellis, D. P. W. (2007). Beat tracking by dynamic programming. Journal of New Music
Research 36(1), 51-60.
Müller, M. (2021). Fundamentals of Music Processing, 2nd ed., Section 6.3.2.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import asdict, dataclass, field

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .checks import check_bool, check_choice, check_int_at_least, check_nonnegative, check_number, check_positive
from .data import band_centers_hz, check_power_spectrogram, median_tempo_bpm, resolve_rate
from .errors import ParameterError
from .novelty import (
    GAMMA,
    LOW_BAND_CUTOFF_HZ,
    LOW_BAND_SHARE,
    Novelty,
    balanced_low_band_weights,
    check_curve,
    spectral_flux,
)
from .tempo import (
    PRIOR_CENTER_BPM,
    PRIOR_WIDTH_OCTAVES,
    TEMPO_METHOD,
    TEMPO_METHODS,
    TEMPOGRAM_HOP_S,
    TEMPOGRAM_WINDOW_S,
    TempoEstimate,
    estimate_tempo,
)

__all__ = [
    "TIGHTNESS",
    "TRACKER_LOCAL_AVERAGE_S",
    "REFINE",
    "TRIM",
    "TRIM_THRESHOLD",
    "NOVELTY_DELAY_S",
    "PHASE_LOCK",
    "PHASE_LOCK_STEADINESS",
    "TEMPO_FROM_BEATS",
    "TEMPO_SOURCES",
    "TrackerParams",
    "TrackerResult",
    "BeatGrid",
    "PhaseLock",
    "fit_beat_grid",
    "beat_tempo_bpm",
    "phase_comb",
    "lock_phase",
    "dp_beat_frames",
    "dp_lags",
    "trim_beat_frames",
    "refine_beat_times",
    "track_beats_from_novelty",
    "track_beats",
    "run_tracker",
    "run_tracker_from_novelty",
    "tracker_novelty",
]

#: DP tightness: how much a beat interval may deviate from the period. Penalty
#: ``tightness * log(interval / period) ** 2`` in units of novelty standard deviations;
#: 100 (librosa's default, ``beat_track(tightness=100)``; Ellis's own MATLAB code, LabROSA's
#: beat2.m, uses 400 unless told otherwise) makes a 10 % longer or shorter interval cost 1,
#: tolerant enough for tempo drift and for the tempo estimate's own error (~1-2 %).
TIGHTNESS = 100.0
#: Local-average window of the tracker's novelty: None = not subtracted. The DP compares
#: beat sequences a fraction of a beat apart, which a slow trend raises alike.
TRACKER_LOCAL_AVERAGE_S = None
#: Sub-frame refinement of beat times: "centroid", "parabolic" or "none".
REFINE = "centroid"
#: The flux peaks this long after the onset a listener hears (s); subtracted from the beat times.
NOVELTY_DELAY_S = 0.0
#: Remove leading/trailing beats with weak novelty (beats tracked through silence).
TRIM = True
#: Trim threshold, as a fraction of the RMS novelty at the beats.
TRIM_THRESHOLD = 0.5
#: Decide the beat phase once for the whole track when the tempo is steady (:func:`lock_phase`).
PHASE_LOCK = True
#: Minimum steadiness (0-1, :func:`fit_beat_grid`) of the DP's beats for the phase lock.
#: 1 = every beat on one constant-tempo half-beat grid; a beat jitter of +-1/8 period gives
#: about 0.5, as do two halves of a track at tempi 3 % apart. Below it (rubato, tempo
#: changes, breaks) the DP's local decisions stand.
PHASE_LOCK_STEADINESS = 0.5
#: Report the tempo the tracked beats keep (:func:`beat_tempo_bpm`) instead of the
#: tempogram's peak. Reasoning: a reference tempo is 60 / the median interval of the
#: annotated beats, so the estimate that matches it is the same measure of our beats;
#: where the tempo is steady, the period of the constant-tempo grid that fits the beats
#: is as exact as the beats' phase allows (the 4 % window of Acc1 is 1.7 frames at 120 BPM,
#: the salience peak can be off by more when the tempo drifts, e.g. rubato).
TEMPO_FROM_BEATS = True
#: Where :attr:`TrackerResult.tempo_bpm` came from.
TEMPO_SOURCES = ("grid", "median", "estimate", "given")
#: Relative range (+-) searched around the tempo's period by :func:`fit_beat_grid`.
_GRID_SEARCH = 0.03

_REFINE_METHODS = ("centroid", "parabolic", "none")


@dataclass(frozen=True)
class TrackerParams:
    """All parameters of the reference tracker, with their defaults (module constants).

    Change one with ``dataclasses.replace(TrackerParams(), tightness=400)`` or
    ``TrackerParams(tightness=400)``. docs/tracker.md says how each default was chosen.

    Attributes
    ----------
    gamma : float
        Log compression of the spectral flux (:func:`helpers.novelty.log_compress`).
    local_average_s : float or None
        Local-average window of the flux (s); None skips the step (default).
    low_band_share : float or None
        Share of the total flux given to the bands below ``low_band_cutoff_hz``
        (:func:`helpers.novelty.balanced_low_band_weights`); None = plain sum over bands.
    low_band_cutoff_hz : float
        Cut-off of the low-band emphasis (Hz).
    prior_center_bpm, prior_width_octaves : float
        Log-normal tempo prior (:func:`helpers.tempo.tempo_prior`).
    tempo_method : str
        "product", "acf" or "fourier" (:func:`helpers.tempo.tempo_salience`).
    tempogram_window_s, tempogram_hop_s : float
        Tempogram analysis window and hop (s).
    tightness : float
        DP tightness (:func:`dp_beat_frames`).
    refine : str
        Sub-frame refinement (:func:`refine_beat_times`).
    trim : bool
        Drop weak leading/trailing beats (:func:`trim_beat_frames`).
    trim_threshold : float
        Fraction of the RMS novelty at the beats below which an edge beat is dropped.
    novelty_delay_s : float
        Subtracted from the beat times: how long the flux peak comes after the onset a
        listener hears (0 by default; see docs/tracker.md).
    phase_lock : bool
        Decide the beat phase once for the whole track when the tempo is steady (:func:`lock_phase`).
    phase_lock_steadiness : float
        Minimum steadiness (0-1) of the beats for the phase lock, and for reporting the
        tempo of the beat grid rather than the median interval (:func:`beat_tempo_bpm`).
    tempo_from_beats : bool
        Report the tempo the tracked beats keep (:func:`beat_tempo_bpm`); False reports the
        tempogram's peak (``TrackerResult.tempo.tempo_bpm``). The beats are the same either way.
    """

    gamma: float = GAMMA
    local_average_s: float | None = TRACKER_LOCAL_AVERAGE_S
    low_band_share: float | None = LOW_BAND_SHARE
    low_band_cutoff_hz: float = LOW_BAND_CUTOFF_HZ
    prior_center_bpm: float = PRIOR_CENTER_BPM
    prior_width_octaves: float = PRIOR_WIDTH_OCTAVES
    tempo_method: str = TEMPO_METHOD
    tempogram_window_s: float = TEMPOGRAM_WINDOW_S
    tempogram_hop_s: float = TEMPOGRAM_HOP_S
    tightness: float = TIGHTNESS
    refine: str = REFINE
    trim: bool = TRIM
    trim_threshold: float = TRIM_THRESHOLD
    novelty_delay_s: float = NOVELTY_DELAY_S
    phase_lock: bool = PHASE_LOCK
    phase_lock_steadiness: float = PHASE_LOCK_STEADINESS
    tempo_from_beats: bool = TEMPO_FROM_BEATS

    def __post_init__(self):
        # Checked, never converted: the values stay as given (they go into the cache key as they are).
        name = "TrackerParams.{}".format
        if self.local_average_s is not None:
            check_positive(self.local_average_s, name=name("local_average_s"), unit="seconds",
                           hint="or None to skip the step")
        if self.low_band_share is not None:
            check_number(self.low_band_share, name=name("low_band_share"), low=0, high=1, high_inclusive=False,
                         hint="or None for a plain sum")
        for field_name in ("gamma", "low_band_cutoff_hz", "prior_center_bpm", "tempogram_window_s",
                           "tempogram_hop_s", "tightness"):
            check_positive(getattr(self, field_name), name=name(field_name))
        check_positive(self.prior_width_octaves, name=name("prior_width_octaves"), allow_inf=True,
                       hint="np.inf for a flat prior")
        check_nonnegative(self.trim_threshold, name=name("trim_threshold"))
        check_number(self.phase_lock_steadiness, name=name("phase_lock_steadiness"), low=0, high=1)
        check_number(self.novelty_delay_s, name=name("novelty_delay_s"), low=-0.5, high=0.5, low_inclusive=False,
                     high_inclusive=False, unit="seconds")
        check_choice(self.refine, _REFINE_METHODS, name=name("refine"))
        check_choice(self.tempo_method, TEMPO_METHODS, name=name("tempo_method"))
        for field_name in ("trim", "phase_lock", "tempo_from_beats"):
            check_bool(getattr(self, field_name), name=name(field_name))

    def to_dict(self) -> dict:
        """The parameters as a plain dict (for a CLI, a widget or a results file)."""
        return asdict(self)


# --------------------------------------------------------------------------- DP
def dp_lags(period_frames: float) -> np.ndarray:
    """The intervals (frames) a beat may have to its predecessor: ``floor(P/2)`` to ``ceil(2P)``."""
    lo = max(1, int(np.floor(period_frames / 2)))
    return np.arange(lo, max(lo, int(np.ceil(2 * period_frames))) + 1)


def dp_beat_frames(local_score, *, period_frames: float, tightness: float = TIGHTNESS) -> np.ndarray:
    """Ellis's dynamic programme: the best beat frames for a local score and a period.

    Vectorised: a beat's predecessor is at least ``P/2`` frames back, so all frames of
    a block of ``floor(P/2)`` consecutive frames depend only on frames before the block
    and are computed together (one numpy max over a (block, window) array). The
    recursion stays exact.

    Parameters
    ----------
    local_score : np.ndarray [shape=(n_frames,)]
        Onset evidence per frame, >= 0 (e.g. the novelty divided by its std).
    period_frames : float > 1
        Beat period in frames (``60 * frame_rate_hz / tempo_bpm``).
    tightness : float > 0
        Weight of the spacing penalty ``log(interval / period) ** 2``.

    Returns
    -------
    beat_frames : np.ndarray [shape=(n_beats,)], int
        Strictly increasing frame indices (empty if ``local_score`` has no frame).
    """
    O = check_curve(local_score, name="local_score")
    if np.any(O < 0):
        raise ParameterError("local_score must be >= 0 (a half-wave rectified novelty).")
    P = check_positive(period_frames, name="period_frames", fix="It is 60 * frame_rate_hz / tempo_bpm.")
    if P < 2:
        raise ParameterError(f"period_frames={P:g} is below 2 frames: the tempo is too fast for this frame rate.")
    tightness = check_positive(tightness, name="tightness", fix="Try 10 to 1000 (default 100).")
    n = O.size
    if n == 0:
        return np.zeros(0, dtype=int)
    lags = dp_lags(P)
    lo, hi = int(lags[0]), int(lags[-1])
    penalty = -tightness * np.log(lags / P) ** 2
    # The track is taken to be preceded by silence: C_pad holds hi virtual frames with
    # C = 0 before frame 0 (C_pad[t + hi] = C[t]), so a first beat links to a virtual
    # predecessor at no cost other than the spacing penalty, wherever it is.
    C_pad = np.zeros(n + hi)
    # window[t, i] = C_pad[t + hi - lags[i]] = C[t - lags[i]]: a view, so it sees every update
    # of C_pad (columns reversed so that lags ascend and ties go to the shortest interval).
    window = sliding_window_view(C_pad, hi - lo + 1)[:, ::-1]
    best_lag = np.empty(n, dtype=np.intp)          # index into lags of each frame's predecessor
    cand = np.empty((lo, lags.size))
    rows = np.arange(lo)
    for start in range(0, n, lo):
        m = min(lo, n - start)
        c = np.add(window[start : start + m], penalty, out=cand[:m])
        j = c.argmax(axis=1)
        best_lag[start : start + m] = j
        np.add(O[start : start + m], c[rows[:m], j], out=C_pad[start + hi : start + hi + m])
    prev = np.arange(n) - lags[best_lag]
    back = np.where(prev >= 0, prev, -1)               # a virtual predecessor: first beat
    C = C_pad[hi:]
    tail = max(0, n - int(np.ceil(P)))
    b = tail + int(np.argmax(C[tail:]))
    frames = [b]
    while back[b] >= 0:
        b = int(back[b])
        frames.append(b)
    return np.array(frames[::-1], dtype=int)


def trim_beat_frames(beat_frames, local_score, *, threshold: float = TRIM_THRESHOLD) -> np.ndarray:
    """Drop leading and trailing beats whose onset evidence is weak (silence at the edges).

    The evidence of a beat is ``max(local_score[f-1 : f+2])``; an edge beat is dropped
    while its evidence is below ``threshold`` times the RMS evidence of all beats.
    Beats between the first and the last strong beat are never dropped.
    """
    frames = np.asarray(beat_frames, dtype=int)
    O = check_curve(local_score, name="local_score")
    if frames.size < 3:
        return frames
    padded = np.concatenate([[0.0], O, [0.0]])
    ev = np.maximum(np.maximum(padded[frames], padded[frames + 1]), padded[frames + 2])
    thr = threshold * np.sqrt(np.mean(ev**2))
    strong = np.flatnonzero(ev > thr)
    if strong.size == 0:
        return frames
    return frames[strong[0] : strong[-1] + 1]

# --------------------------------------------------------------------------- one phase per track
@dataclass(frozen=True)
class BeatGrid:
    """The constant-tempo half-beat grid that fits a beat sequence best (:func:`fit_beat_grid`).

    Attributes
    ----------
    period_frames : float
        Beat period of the grid (frames).
    offset_frames : float
        A grid point (frames); the grid is ``offset_frames + k * period_frames / 2``.
    steadiness : float
        ``|mean(exp(2 pi i * 2 t / period))|`` over the beats (0-1): 1 when every beat lies
        on the half-beat grid. Beats half a period off still count as on it, so a phase
        switch does not lower it; rubato and tempo changes do.
    off_phase : np.ndarray [shape=(n_beats,)], bool
        True for the beats nearer ``offset + period / 2 (mod period)`` than ``offset``.
    """

    period_frames: float
    offset_frames: float
    steadiness: float
    off_phase: np.ndarray = field(repr=False)

    def comb(self, n_frames: int, *, phase: int) -> np.ndarray:
        """:func:`phase_comb` on this grid: ``phase`` 0 = at the offset, 1 = half a period later."""
        return phase_comb(n_frames, period_frames=self.period_frames,
                          offset_frames=self.offset_frames + phase * self.period_frames / 2)


@dataclass(frozen=True)
class PhaseLock:
    """What :func:`lock_phase` found and did.

    Attributes
    ----------
    grid : BeatGrid or None
        The grid fitted to the first DP's beats (None with fewer than 8 beats).
    evidence : tuple of float
        Novelty under the comb for the grid's phase and for the half-period phase.
    phase : int or None
        The chosen phase: 0 = the grid's offset, 1 = half a period later; None when no
        phase was chosen (too few beats or an unsteady tempo) and the first DP's beats stand.
    """

    grid: BeatGrid | None
    evidence: tuple = ()
    phase: int | None = None

    @property
    def applied(self) -> bool:
        """True if the DP ran again with the comb of the chosen phase."""
        return self.phase is not None

    def comb(self, n_frames: int) -> np.ndarray:
        """The :func:`phase_comb` of the chosen phase (what the second DP's score was weighted by)."""
        if not self.applied:
            raise ParameterError("no phase was chosen (too few beats or an unsteady tempo): there is no comb.")
        return self.grid.comb(n_frames, phase=self.phase)

    @property
    def off_phase_share(self) -> float:
        """Share of the first DP's beats that were half a period off the chosen phase."""
        if not self.applied or self.grid.off_phase.size == 0:
            return 0.0
        return float(np.mean(self.grid.off_phase != bool(self.phase)))


def _grid_resultant(beats: np.ndarray, periods: np.ndarray) -> np.ndarray:
    return np.exp(4j * np.pi * beats[None, :] / periods[:, None]).mean(axis=1)


def fit_beat_grid(beat_frames, *, period_frames: float, search: float = _GRID_SEARCH) -> BeatGrid:
    """Fit one constant-tempo half-beat grid to beat positions (frames, may be fractional).

    The period is searched within ``period_frames * (1 +- search)``: first in steps of
    0.05 %, then of 0.0025 % around the best, so that the grid stays in phase over a
    thousand beats. Doubling the frequency (a half-beat grid) makes beats on either
    phase agree: the fit sees the tempo, not the phase.

    Parameters
    ----------
    beat_frames : array [shape=(n_beats,)]
        Beat positions in frames (e.g. refined beat times times the frame rate).
    period_frames : float
        The tempo's beat period in frames (the search's centre).
    search : float
        Relative range searched around ``period_frames``.

    Returns
    -------
    BeatGrid
    """
    b = np.asarray(beat_frames, dtype=float)
    if b.ndim != 1 or b.size < 2 or not np.all(np.isfinite(b)):
        raise ParameterError(f"beat_frames must be at least 2 finite positions, got shape {b.shape}.")
    P0 = check_positive(period_frames, name="period_frames", fix="It is 60 * frame_rate_hz / tempo_bpm.")
    search = check_number(search, name="search", low=0, high=0.5, high_inclusive=False,
                          hint="a fraction of the period")
    b = b - b[0]                                   # keeps the phases accurate for long tracks
    coarse = P0 * (1.0 + np.arange(-search, search + 1e-12, 5e-4))
    z = _grid_resultant(b, coarse)
    best = coarse[int(np.argmax(np.abs(z)))]
    fine = best * (1.0 + np.arange(-5e-4, 5e-4 + 1e-12, 2.5e-5))
    z = _grid_resultant(b, fine)
    k = int(np.argmax(np.abs(z)))
    P = float(fine[k])
    offset = float(np.angle(z[k]) / (4 * np.pi) * P)          # grid: offset + m * P / 2
    theta = np.mod((b - offset) / P, 1.0)
    off_phase = np.mod(np.round(2 * theta), 2).astype(bool)
    offset = offset + float(np.asarray(beat_frames, dtype=float)[0])
    return BeatGrid(P, float(np.mod(offset, P)), float(np.abs(z[k])), off_phase)


def beat_tempo_bpm(beat_times_s, *, tempo_bpm: float,
                   min_steadiness: float = PHASE_LOCK_STEADINESS) -> tuple[float, str]:
    """The tempo a beat sequence keeps (BPM), and how it was measured.

    - ``"grid"``: with at least 8 beats that fit one constant-tempo grid
      (:func:`fit_beat_grid` searched within 3 % of ``tempo_bpm``, steadiness >=
      ``min_steadiness``), the grid's period: exact to a small fraction of a percent,
      however the beats are rounded to frames.
    - ``"median"``: otherwise (rubato, tempo changes, breaks, few beats), 60 / the median
      inter-beat interval, the same measure as a reference tempo
      (:func:`helpers.evaluate.reference_tempo_bpm`).

    Parameters
    ----------
    beat_times_s : np.ndarray [shape=(n_beats,)]
        Beat times (s), at least 2, increasing.
    tempo_bpm : float
        The tempo the beats were tracked at (the centre of the grid search).
    min_steadiness : float
        As for :func:`lock_phase`.

    Returns
    -------
    (tempo_bpm, source) : (float, str)
        ``source`` is "grid" or "median".

    Examples
    --------
    >>> beats = np.arange(40) * 0.5 + np.tile([0.0, 0.02], 20)    # 120 BPM, every other beat late
    >>> tempo, how = beat_tempo_bpm(beats, tempo_bpm=118.0)
    >>> round(tempo, 1), how
    (120.0, 'grid')
    >>> round(float(60 / np.median(np.diff(beats))), 1)          # the median interval is 0.52 s
    115.4
    """
    b = np.asarray(beat_times_s, dtype=float)
    if b.ndim != 1 or b.size < 2 or not np.all(np.isfinite(b)) or np.any(np.diff(b) <= 0):
        raise ParameterError(f"beat_times_s must be at least 2 increasing finite times (s), got shape {b.shape}.")
    period_s = 60.0 / check_positive(tempo_bpm, name="tempo_bpm", unit="beats per minute",
                                     fix="Give the tempo the beats were tracked at.")
    check_number(min_steadiness, name="min_steadiness", low=0, high=1)
    if b.size >= 8:
        grid = fit_beat_grid(b, period_frames=period_s)   # any time unit works: seconds here
        if grid.steadiness >= min_steadiness:
            return 60.0 / grid.period_frames, "grid"
    return median_tempo_bpm(b), "median"


def phase_comb(n_frames: int, *, period_frames: float, offset_frames: float) -> np.ndarray:
    """Raised-cosine comb: 1 at ``offset + k * period``, 0 half a period away.

    ``(1 + cos(2 pi (t - offset) / period)) / 2`` for frames ``t = 0 .. n_frames - 1``;
    at half value a quarter period either side of each grid point, so the DP keeps room
    for small timing deviations while the other phase is switched off.
    """
    check_int_at_least(n_frames, 0, name="n_frames")
    P = check_positive(period_frames, name="period_frames", fix="It is 60 * frame_rate_hz / tempo_bpm.")
    t = np.arange(n_frames, dtype=float)
    return 0.5 * (1.0 + np.cos(2 * np.pi * (t - float(offset_frames)) / P))


def lock_phase(local_score, beat_frames, *, period_frames: float, tightness: float = TIGHTNESS,
               min_steadiness: float = PHASE_LOCK_STEADINESS) -> tuple[np.ndarray | None, PhaseLock]:
    """One beat phase for the whole track: choose it globally, then run the DP again.

    1. Fit a constant-tempo half-beat grid to the DP's beats (:func:`fit_beat_grid`).
    2. If it fits (``steadiness >= min_steadiness``), weigh the two phases: the local
       score under :func:`phase_comb` for the grid's phase and for the half-period one,
       summed over the whole track. The larger wins.
    3. Run :func:`dp_beat_frames` on ``local_score * comb`` of the winner (same tightness,
       period = the grid's).

    Parameters
    ----------
    local_score : np.ndarray [shape=(n_frames,)]
        The DP's local score (>= 0).
    beat_frames : array
        The first DP's beats in frames (may be fractional, e.g. refined).
    period_frames, tightness : float
        As for :func:`dp_beat_frames`.
    min_steadiness : float
        Below this steadiness nothing is changed.

    Returns
    -------
    (frames, PhaseLock)
        ``frames``: the new beat frames (int), or None when the first DP's beats stand.
        The second DP's score is ``local_score * lock.comb(len(local_score))``.
    """
    O = check_curve(local_score, name="local_score")
    b = np.asarray(beat_frames, dtype=float)
    if b.size < 8:
        return None, PhaseLock(None)
    grid = fit_beat_grid(b, period_frames=period_frames)
    if grid.steadiness < min_steadiness:
        return None, PhaseLock(grid)
    evidence = tuple(float(np.dot(O, grid.comb(O.size, phase=k))) for k in (0, 1))
    lock = PhaseLock(grid, evidence, int(evidence[1] > evidence[0]))
    frames = dp_beat_frames(O * lock.comb(O.size), period_frames=grid.period_frames, tightness=tightness)
    return frames, lock


def refine_beat_times(novelty: Novelty, beat_frames, *, method: str = REFINE) -> np.ndarray:
    """Beat times (s) with sub-frame precision, from beat frames and the novelty.

    One frame is 46 ms at hop 1024 while the F-measure window is +-70 ms (+-1.5
    frames): rounding to frames throws away up to 23 ms. The novelty around a beat
    frame ``f`` still holds the sub-frame position: an onset between frames ``f`` and
    ``f + 1`` puts part of its flux in each.

    - ``"centroid"`` (default): the novelty-weighted mean position over ``f-1, f, f+1``,
      ``f + (y[f+1] - y[f-1]) / (y[f-1] + y[f] + y[f+1])``. If an onset's flux is split
      ``(1 - a, a)`` over frames ``f, f + 1`` it returns exactly ``f + a``.
    - ``"parabolic"``: the vertex of the parabola through ``y[f-1], y[f], y[f+1]``,
      ``f + 0.5 (y[f-1] - y[f+1]) / (y[f-1] - 2 y[f] + y[f+1])`` (only where ``f`` is a
      local maximum). The classic peak interpolation; it assumes a smooth peak, and a
      flux split over two frames is not one (for the split above with a = 0.3 it says
      f + 0.14).
    - ``"none"``: frame times ``f / frame_rate_hz``.

    In a simulation of the framing (noise bursts with sharp attacks at random
    sub-frame times, Hann window of 2048 samples, hop 1024, center=True; see
    docs/tracker.md) the timing error of the full tracker had a standard deviation of
    13.5 ms without refinement, 9 ms with the parabola and 6 ms with the centroid.

    Parameters
    ----------
    novelty : Novelty
        The curve the beat frames were found on.
    beat_frames : np.ndarray [shape=(n_beats,)], int
        Frame indices, e.g. from :func:`dp_beat_frames`.
    method : {"centroid", "parabolic", "none"}

    Returns
    -------
    beat_times_s : np.ndarray [shape=(n_beats,)]
        ``(beat_frames + shift) / frame_rate_hz`` with ``|shift| <= 0.5`` frame (two beats
        one frame apart that would meet keep their frame times), so increasing beat frames
        give strictly increasing times inside the track.
    """
    if not isinstance(novelty, Novelty):
        raise ParameterError(f"novelty must be a Novelty, got {type(novelty).__name__}.")
    check_choice(method, _REFINE_METHODS, name="method")
    frames = np.asarray(beat_frames, dtype=int)
    y = novelty.values
    if frames.size and (frames.min() < 0 or frames.max() >= y.size):
        raise ParameterError(
            f"beat_frames must be frame indices in [0, {y.size - 1}], got {frames.min()}..{frames.max()}; "
            "did you pass seconds instead of frames?"
        )
    shift = np.zeros(frames.size)
    if method != "none" and frames.size:
        padded = np.concatenate([[0.0], y, [0.0]])
        a, b, c = padded[frames], padded[frames + 1], padded[frames + 2]
        if method == "parabolic":
            den = a - 2 * b + c
            peak = (b >= a) & (b >= c) & (den < 0)
            shift = np.where(peak, 0.5 * (a - c) / np.where(peak, den, -1.0), 0.0)
        else:
            tot = a + b + c
            shift = np.where(tot > 0, (c - a) / np.where(tot > 0, tot, 1.0), 0.0)
        shift = np.clip(shift, -0.5, 0.5)
        # Two beats one frame apart must not meet in the middle: then neither moves.
        tie = np.flatnonzero(np.diff(frames + shift) <= 0)
        shift[tie] = 0.0
        shift[tie + 1] = 0.0
    return (frames + shift) / novelty.frame_rate_hz


# --------------------------------------------------------------------------- pipeline
@dataclass(frozen=True)
class TrackerResult:
    """Everything the tracker computed, for plots and widgets.

    Attributes
    ----------
    beat_times_s : np.ndarray
        The beats (s), strictly increasing.
    beat_frames : np.ndarray
        The DP's beat frames (after trimming), before refinement.
    novelty : Novelty
        The novelty the DP used.
    tempo : TempoEstimate
        Global tempo with its salience curves.
    params : TrackerParams
    phase_lock : PhaseLock or None
        What the phase lock found and did (None when it is off or there was no beat).
    tempo_bpm : float
        **The track's tempo (BPM)**: with ``params.tempo_from_beats`` (default) the tempo the
        returned beats keep (:func:`beat_tempo_bpm`), else the tempogram's peak
        ``tempo.tempo_bpm`` (the period the DP started from); a tempo given to the tracker
        is reported as given.
    tempo_source : str
        Where ``tempo_bpm`` came from: "grid", "median" (:func:`beat_tempo_bpm`),
        "estimate" (the tempogram; also with fewer than 2 beats) or "given".
    """

    beat_times_s: np.ndarray = field(repr=False)
    beat_frames: np.ndarray = field(repr=False)
    novelty: Novelty
    tempo: TempoEstimate
    params: TrackerParams
    phase_lock: PhaseLock | None = None
    tempo_bpm: float = float("nan")
    tempo_source: str = "estimate"

    def __post_init__(self):
        if self.tempo_bpm != self.tempo_bpm:      # not given: the tempogram's peak
            object.__setattr__(self, "tempo_bpm", float(self.tempo.tempo_bpm))


def _check_params(tracker_params) -> TrackerParams:
    if tracker_params is None:
        return TrackerParams()
    if not isinstance(tracker_params, TrackerParams):
        raise ParameterError(
            f"tracker_params must be a TrackerParams, got {type(tracker_params).__name__}; "
            "e.g. TrackerParams(tightness=200)."
        )
    return tracker_params


def run_tracker_from_novelty(novelty: Novelty, *, tracker_params: TrackerParams | None = None,
                             tempo_bpm: float | None = None) -> TrackerResult:
    """Tempo, DP, trimming and refinement from a novelty curve, keeping every result.

    Same arguments as :func:`track_beats_from_novelty`; returns a :class:`TrackerResult`
    (``.beat_times_s``, ``.beat_frames``, ``.tempo_bpm``, ``.tempo`` with its salience curves).
    """
    p = _check_params(tracker_params)
    if not isinstance(novelty, Novelty):
        raise ParameterError(
            f"novelty must be a helpers.novelty.Novelty, got {type(novelty).__name__}; "
            "wrap a plain curve with Novelty(values, frame_rate_hz=sr / hop_length)."
        )
    if np.any(novelty.values < 0):
        raise ParameterError("the novelty must be >= 0 (half-wave rectify it first).")
    if tempo_bpm is not None:
        tempo_bpm = check_positive(tempo_bpm, name="tempo_bpm", unit="beats per minute")
    tempo = estimate_tempo(
        novelty,
        prior_center_bpm=p.prior_center_bpm,
        prior_width_octaves=p.prior_width_octaves,
        method=p.tempo_method,
        window_s=p.tempogram_window_s,
        hop_s=p.tempogram_hop_s,
    ) if len(novelty) >= 4 else None
    if tempo_bpm is not None and tempo is not None:
        tempo = dataclasses.replace(tempo, tempo_bpm=tempo_bpm)
    chosen_bpm = tempo_bpm if tempo_bpm is not None else (tempo.tempo_bpm if tempo else p.prior_center_bpm)
    if tempo is None:
        empty = np.zeros(0)
        tempo = TempoEstimate(float(chosen_bpm), empty, empty, empty, empty)
    x = novelty.values
    sd = x.std()
    local = x / sd if sd > 0 else x
    period = 60.0 * novelty.frame_rate_hz / chosen_bpm
    lock = None
    if sd > 0 and x.size:
        frames = dp_beat_frames(local, period_frames=period, tightness=p.tightness)
        if p.trim:
            frames = trim_beat_frames(frames, local, threshold=p.trim_threshold)
        if p.phase_lock:
            refined = refine_beat_times(novelty, frames, method=p.refine) * novelty.frame_rate_hz
            locked, lock = lock_phase(local, refined, period_frames=period, tightness=p.tightness,
                                      min_steadiness=p.phase_lock_steadiness)
            if locked is not None:
                frames = locked
                if p.trim:
                    frames = trim_beat_frames(frames, local * lock.comb(x.size), threshold=p.trim_threshold)
    else:
        frames = np.zeros(0, dtype=int)   # no onset at all: no beat
    times = refine_beat_times(novelty, frames, method=p.refine)
    if p.novelty_delay_s and times.size:
        times = np.clip(times - p.novelty_delay_s, 0.0, novelty.duration_s)
        keep = np.concatenate([[True], np.diff(times) > 0])   # two beats clipped to 0 s: keep one
        times, frames = times[keep], frames[keep]
    if tempo_bpm is not None:
        reported, source = float(tempo_bpm), "given"
    elif p.tempo_from_beats and times.size >= 2:
        reported, source = beat_tempo_bpm(times, tempo_bpm=chosen_bpm, min_steadiness=p.phase_lock_steadiness)
    else:
        reported, source = float(chosen_bpm), "estimate"
    return TrackerResult(times, frames, novelty, tempo, p, lock, reported, source)


def track_beats_from_novelty(novelty: Novelty, *, tracker_params: TrackerParams | None = None,
                             tempo_bpm: float | None = None) -> np.ndarray:
    """Beat times (s) from a novelty curve (tempo estimation, DP, trimming, refinement).

    Parameters
    ----------
    novelty : Novelty
        Any non-negative novelty with its frame rate (yours or :func:`helpers.novelty.spectral_flux`).
    tracker_params : TrackerParams, optional
        Only the tempo, DP and refinement fields are used here.
    tempo_bpm : float, optional
        Skip the tempo estimate and use this tempo.

    Returns
    -------
    beat_times_s : np.ndarray [shape=(n_beats,)]
    """
    return run_tracker_from_novelty(novelty, tracker_params=tracker_params, tempo_bpm=tempo_bpm).beat_times_s


def tracker_novelty(S_power, *, sr: float | None = None, hop_length: int | None = None, mel_params=None,
                    tracker_params: TrackerParams | None = None) -> Novelty:
    """The novelty curve the tracker uses: :func:`helpers.novelty.spectral_flux` with its parameters.

    ``spectral_flux(S_power, gamma=p.gamma, local_average_s=p.local_average_s,
    band_weights=partial(balanced_low_band_weights, share=p.low_band_share, ...))``, where
    the low-band weights need the centre frequency of each band: from ``mel_params`` if
    given, else assuming the Harmonix layout (``fmin=0``, ``fmax=sr/2``).
    """
    sr, hop_length = resolve_rate(sr, hop_length, mel_params)
    S = check_power_spectrogram(S_power)
    p = _check_params(tracker_params)
    weights = None
    if p.low_band_share is not None:
        f = band_centers_hz(S.shape[0], sr=sr, mel_params=mel_params)
        weights = functools.partial(balanced_low_band_weights, band_frequencies_hz=f,
                                    cutoff_hz=p.low_band_cutoff_hz, share=p.low_band_share)
    return spectral_flux(S, sr=sr, hop_length=hop_length, gamma=p.gamma, local_average_s=p.local_average_s,
                         band_weights=weights)


def run_tracker(S_power, *, sr: float | None = None, hop_length: int | None = None, mel_params=None,
                tracker_params: TrackerParams | None = None, tempo_bpm: float | None = None) -> TrackerResult:
    """Run the whole chain and keep every intermediate result (for plots and widgets).

    Same arguments as :func:`track_beats`; returns a :class:`TrackerResult`.
    """
    p = _check_params(tracker_params)
    novelty = tracker_novelty(S_power, sr=sr, hop_length=hop_length, mel_params=mel_params, tracker_params=p)
    return run_tracker_from_novelty(novelty, tracker_params=p, tempo_bpm=tempo_bpm)


def track_beats(S_power, *, sr: float | None = None, hop_length: int | None = None, mel_params=None,
                tracker_params: TrackerParams | None = None, tempo_bpm: float | None = None) -> np.ndarray:
    """Beat times (s) of a POWER mel spectrogram: the course's reference tracker.

    spectral flux -> global tempo (tempogram x prior) -> Ellis DP -> trim -> sub-frame refinement.

    Parameters
    ----------
    S_power : np.ndarray [shape=(n_mels, n_frames)]
        POWER mel spectrogram (not dB), finite, non-negative.
    sr : float
        Sample rate (Hz) the spectrogram was computed at (22050 for Harmonix).
    hop_length : int
        Hop in samples (1024 for Harmonix).
    mel_params : helpers.data.MelParams, optional
        Instead of ``sr`` and ``hop_length`` (e.g. ``helpers.data.read_params(melspec_dir)``).
    tracker_params : TrackerParams, optional
        Tracker parameters; default ``TrackerParams()``.
    tempo_bpm : float, optional
        Use this tempo instead of estimating it.

    Returns
    -------
    beat_times_s : np.ndarray [shape=(n_beats,)]
        Strictly increasing beat times in seconds, inside ``[0, (n_frames - 1) * hop_length / sr]``.

    Raises
    ------
    ParameterError
        If ``S_power`` is not 2-D, finite and non-negative, or ``sr``/``hop_length`` are
        not positive, or a tracker parameter is out of range.

    See Also
    --------
    run_tracker : the same, returning the intermediate results too.
    track_beats_from_novelty : start from your own novelty curve.
    helpers.baseline.librosa_beats : the baseline to beat.

    Examples
    --------
    >>> import numpy as np
    >>> S = np.full((80, 1000), 1e-4)
    >>> S[:, 5::11] = 1.0                       # a click every 11 frames = 117.45 BPM
    >>> beats = track_beats(S, sr=22050, hop_length=1024)
    >>> np.round(np.diff(beats)[:3] * 22050 / 1024).tolist()
    [11.0, 11.0, 11.0]
    """
    return run_tracker(S_power, sr=sr, hop_length=hop_length, mel_params=mel_params,
                       tracker_params=tracker_params, tempo_bpm=tempo_bpm).beat_times_s
