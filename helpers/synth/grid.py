"""The beat grid of a demo track: when each beat falls, its bar and position, and where the band plays.

This is the layer the annotations come from: :func:`plan_grid` turns a
:class:`~helpers.synth.tracks.DemoTrack` into a :class:`Grid` without any audio.
Every other layer places its notes on this grid, through :meth:`Grid.times_s`.

Conventions
-----------
- ``phi`` is a position in beats counted from the **first downbeat** (bar 1 of the
  music, position 1): ``phi = 0`` is that downbeat, ``phi = 4.5`` the "and" of beat 1
  of the second 4/4 bar. Beats of a pickup (anacrusis) have negative ``phi``.
- Full bars are indexed from 0 in the code (``bar_index``) and counted from 1 in the
  spec (``break_bars``, ``change_bar``, ``intro_bars_without_drums``).
- The annotated bar number is the Harmonix one: bars count from 1, and an incomplete
  first bar (the pickup) is bar 1, so with a pickup the first full bar is bar 2
  (upstream files such as ``0009_americanmusic`` do the same).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError

__all__ = ["TAIL_S", "TimeMap", "Grid", "plan_grid", "swing_phi"]

#: Ring-out after the final downbeat, in seconds (like upstream files, whose last
#: line is a final downbeat a moment before the audio ends).
TAIL_S = 2.0


class TimeMap:
    """Piecewise tempo curve: beat index phi (0 = first downbeat) to seconds.

    Within a segment of n beats the tempo is linear in phi, from b0 to b1 BPM, so
    dt/dphi = 60 / (b0 + s phi) with s = (b1 - b0) / n and
    t(phi) = 60 phi / b0 (s = 0) or 60 / s * log(1 + s phi / b0).
    Before the first segment (a pickup, ``phi < 0``) the tempo is the first one, b0.

    Parameters
    ----------
    first_downbeat_s : float
        Time of ``phi = 0`` in seconds.
    segments : list of (n_beats, b0_bpm, b1_bpm)
        Consecutive segments; the last one also covers ``phi`` beyond its end.
    """

    def __init__(self, first_downbeat_s, segments):
        self.segments = []             # (phi0, n_beats, b0, b1, t0)
        phi0, t0 = 0.0, float(first_downbeat_s)
        for n_beats, b0, b1 in segments:
            self.segments.append((phi0, float(n_beats), float(b0), float(b1), t0))
            t0 = t0 + self._dt(float(n_beats), float(n_beats), float(b0), float(b1))
            phi0 += n_beats

    @staticmethod
    def _dt(phi, n, b0, b1):
        s = (b1 - b0) / n
        if s == 0:
            return 60.0 * phi / b0
        return 60.0 / s * np.log1p(s * phi / b0)

    def __call__(self, phi) -> np.ndarray:
        phi = np.asarray(phi, dtype=np.float64)
        out = np.empty_like(phi)
        for i, (p0, n, b0, b1, t0) in enumerate(self.segments):
            last = i == len(self.segments) - 1
            sel = (phi >= p0) & ((phi < p0 + n) | last)
            out[sel] = t0 + self._dt(phi[sel] - p0, n, b0, b1)
        before = phi < 0
        if before.any():
            _, _, b0, _, t0 = self.segments[0]
            out[before] = t0 + 60.0 * phi[before] / b0
        return out


def swing_phi(phi, ratio, unit):
    """Delay the second subdivision of each pair: position `unit` in a 2*unit cell -> 2*unit*ratio."""
    if ratio == 0.5:
        return phi
    cell = 2.0 * unit
    q = np.mod(phi, cell)
    return np.where(np.isclose(q, unit), phi - q + cell * ratio, phi)


@dataclass(frozen=True, eq=False)
class Grid:
    """The planned beat grid of one track.

    Attributes
    ----------
    meter : int
        Beats per bar.
    n_bars : int
        Full bars, from the first downbeat to the final one (excluded); the pickup is
        not counted.
    pickup_beats : int
        Beats before the first downbeat (0: none).
    time_map : TimeMap
        Beat index ``phi`` to seconds (unswung).
    swing, swing_unit_beats : float
        See :class:`~helpers.synth.tracks.DemoTrack`.
    band_bars : np.ndarray [shape=(n_bars,)], bool
        Full bars in which drums and bass play (False in a drumless intro and a break).
    after_intro : np.ndarray [shape=(n_bars,)], bool
        Full bars after the drumless intro.
    """

    meter: int
    n_bars: int
    pickup_beats: int
    time_map: TimeMap
    swing: float
    swing_unit_beats: float
    band_bars: np.ndarray
    after_intro: np.ndarray

    @property
    def beat_phi(self) -> np.ndarray:
        """Every annotated beat, pickup and final downbeat included: ``-pickup_beats .. n_bars * meter``."""
        return np.arange(-self.pickup_beats, self.n_bars * self.meter + 1, dtype=np.float64)

    @property
    def end_phi(self) -> float:
        """The final downbeat (the ending hit), ``n_bars * meter``."""
        return float(self.n_bars * self.meter)

    @property
    def beat_times_s(self) -> np.ndarray:
        """Exact annotated beat times in seconds, float64."""
        return self.time_map(self.beat_phi)

    @property
    def beat_positions(self) -> np.ndarray:
        """Position of each annotated beat in its bar, 1 = downbeat (a one-beat 4/4 pickup is 4)."""
        k = np.arange(-self.pickup_beats, self.n_bars * self.meter + 1)
        return (k % self.meter + 1).astype(np.int64)

    @property
    def bar_numbers(self) -> np.ndarray:
        """Bar of each annotated beat, from 1; the pickup (if any) is bar 1."""
        k = np.arange(-self.pickup_beats, self.n_bars * self.meter + 1)
        return (k // self.meter + 1 + (self.pickup_beats > 0)).astype(np.int64)

    @property
    def downbeat_bar_offset(self) -> int:
        """Annotated bar number of full bar index 0 (1, or 2 after a pickup)."""
        return 1 + (self.pickup_beats > 0)

    def times_s(self, phi) -> np.ndarray:
        """Onset times (s) of notes at beat positions ``phi``, swing applied."""
        return self.time_map(swing_phi(phi, self.swing, self.swing_unit_beats))

    def bar_index(self, phi) -> np.ndarray:
        """Full-bar index (0-based, -1 in the pickup) of each position ``phi``."""
        return np.floor(np.asarray(phi, dtype=np.float64) / self.meter).astype(np.int64)


def _bars_and_segments(spec, avail_s):
    """Number of full bars and the tempo segments that fit ``avail_s`` seconds."""
    b0, m = spec.tempo_bpm, spec.meter
    if spec.tempo_change == "steady":
        n_bars = int(avail_s // (m * 60.0 / b0))
        return n_bars, [(n_bars * m, b0, b0)]
    if spec.tempo_change == "step":
        pre = spec.change_bar - 1
        rest = avail_s - pre * m * 60.0 / b0
        n_bars = pre + int(rest // (m * 60.0 / spec.tempo_end_bpm))
        return n_bars, [(pre * m, b0, b0), ((n_bars - pre) * m, spec.tempo_end_bpm, spec.tempo_end_bpm)]
    # drift over the whole track; total time of N beats = 60 N ln(b1/b0) / (b1 - b0)
    b1 = spec.tempo_end_bpm
    n_beats = avail_s * (b1 - b0) / (60.0 * np.log(b1 / b0))
    n_bars = int(n_beats // m)
    return n_bars, [(n_bars * m, b0, b1)]


def plan_grid(spec) -> Grid:
    """The beat grid of a track: as many full bars as fit before ``duration_s - TAIL_S``.

    Parameters
    ----------
    spec : DemoTrack

    Returns
    -------
    Grid
        Its first annotated beat (the pickup's, if any) is at ``spec.first_beat_s``;
        the final downbeat at most ``duration_s - TAIL_S``.

    Raises
    ------
    ParameterError
        The duration leaves fewer than 4 full bars.

    Examples
    --------
    >>> from helpers.synth import demo_track
    >>> g = plan_grid(demo_track("d02_drums_100"))
    >>> g.n_bars, g.beat_times_s[:3].round(2).tolist(), g.beat_positions[:5].tolist()
    (11, [0.5, 1.1, 1.7], [1, 2, 3, 4, 1])
    """
    first_downbeat_s = spec.first_beat_s + spec.pickup_beats * 60.0 / spec.tempo_bpm
    avail_s = spec.duration_s - first_downbeat_s - TAIL_S
    n_bars, segments = _bars_and_segments(spec, avail_s)
    if n_bars < 4:
        raise ParameterError(f"{spec.track_id}: duration_s {spec.duration_s} leaves fewer than 4 bars")
    bar_idx = np.arange(n_bars)                     # 0-based
    after_intro = bar_idx >= spec.intro_bars_without_drums
    band = after_intro.copy()
    if spec.break_bars:
        first, count = spec.break_bars
        band &= ~((bar_idx >= first - 1) & (bar_idx < first - 1 + count))
    return Grid(
        meter=spec.meter, n_bars=n_bars, pickup_beats=spec.pickup_beats,
        time_map=TimeMap(first_downbeat_s, segments), swing=spec.swing,
        swing_unit_beats=spec.swing_unit_beats, band_bars=band, after_intro=after_intro,
    )
