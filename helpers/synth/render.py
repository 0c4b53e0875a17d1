"""Rendering one demo track: its layers (drums, bass, harmony, break, noise) on its beat grid, mixed.

:func:`render_track` is the whole recipe, in this order (the order is part of the
output: every layer draws from the same random generator, and the mix adds in this
order into one float64 buffer):

1. the grid (:func:`helpers.synth.grid.plan_grid`): beats, bars, where the band plays;
2. :func:`drum_hits`: the style's drum patterns in the band bars, the pickup fill, the
   ending hit;
3. :func:`bass_notes`: the bass pattern on the chord roots (:func:`chord_plan`);
4. :func:`harmony_notes`: chord hits, pads, arpeggio (in a break: :func:`break_arpeggio`),
   bells and the ending chord;
5. mixing (:func:`helpers.synth.sound.mix_hits`, :func:`~helpers.synth.sound.mix_notes`),
   then :func:`add_riser` in the last bar of a break;
6. :func:`background_noise` at the track's SNR; normalisation to a 0.9 peak.

Planning (2-4) draws every random number -- velocities, which slice of noise each
drum hit reads, the ambient bells -- and mixing draws none, so each layer can be
checked on its own: its notes are where the grid says, at the planned levels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..checks import check_int_at_least
from ..errors import ParameterError
from .grid import Grid, plan_grid
from .sound import DRUM_LENGTH_S, DRUM_LEVEL, SR, TIMBRES, Hits, NoiseBank, Notes, midi_hz, mix_hits, mix_notes
from .styles import STYLES, Arrangement, pickup_fill
from .tracks import DemoTrack

__all__ = [
    "DEMO_SEED", "PEAK", "RenderedTrack", "Performance", "render_track", "check_seed", "tile",
    "drum_hits", "chord_plan", "bass_notes", "harmony_notes", "break_arpeggio", "add_riser",
    "background_noise", "section_labels",
]

#: Default seed of the demo data set (any fixed number would do; this one is a date).
DEMO_SEED = 20261122

#: Peak level of the rendered audio (below full scale, like a mastered track).
PEAK = 0.9

#: Velocity spread: each hit's velocity is multiplied by 1 + VELOCITY_SD * N(0, 1), clipped to
#: VELOCITY_CLIP (a human-ish performance; chosen by ear, not measured).
VELOCITY_SD = 0.08
VELOCITY_CLIP = (0.6, 1.4)

_MAJOR = ((0, 4, 7), (7, 11, 14), (9, 12, 16), (5, 9, 12))      # I V vi IV
_MINOR = ((0, 3, 7), (8, 12, 15), (3, 7, 10), (10, 14, 17))     # i VI III VII


@dataclass(frozen=True, eq=False)
class RenderedTrack:
    """The audio of one demo track and its exact annotations.

    Attributes
    ----------
    spec : DemoTrack
    audio : np.ndarray [shape=(n_samples,)], float32
        Mono audio at ``sr``, peak 0.9.
    sr : int
        Sample rate in Hz (22050).
    beat_times_s : np.ndarray [shape=(n_beats,)], float64
        Exact beat times in seconds (the pickup and the final downbeat included).
    beat_positions : np.ndarray [shape=(n_beats,)], int64
        Position of each beat in its bar, 1 = downbeat.
    bar_numbers : np.ndarray [shape=(n_beats,)], int64
        Bar of each beat, from 1 (a pickup is bar 1).
    onsets_s : dict of str to np.ndarray
        Onset times in seconds of every hit placed, per instrument (``"kick"``,
        ``"snare"``, ..., ``"bass"``, ``"chords"``).
    segments : tuple of (float, str)
        Section boundaries (s) and labels, ending with ``"end"`` at the final downbeat.
    """

    spec: DemoTrack
    audio: np.ndarray
    sr: int
    beat_times_s: np.ndarray
    beat_positions: np.ndarray
    bar_numbers: np.ndarray
    onsets_s: dict
    segments: tuple

    @property
    def duration_s(self) -> float:
        """Length of the audio in seconds, ``n_samples / sr``."""
        return self.audio.size / self.sr


def check_seed(seed) -> int:
    """``seed`` as an int, or ParameterError if it is not a non-negative integer."""
    return check_int_at_least(seed, 0, name="seed")


@dataclass(frozen=True, eq=False)
class Performance:
    """The random side of one rendering: one generator, drawn from in a fixed order.

    ``Performance.start(spec, seed)`` makes ``np.random.default_rng([seed, spec.number])``
    and draws the noise buffers of the drums from it first.
    """

    rng: np.random.Generator
    noise: NoiseBank

    @classmethod
    def start(cls, spec: DemoTrack, seed: int) -> Performance:
        rng = np.random.default_rng([seed, spec.number])
        return cls(rng=rng, noise=NoiseBank(rng))

    def velocity(self, vel: np.ndarray) -> np.ndarray:
        """Planned velocities, each multiplied by a random factor around 1."""
        return vel * np.clip(1.0 + VELOCITY_SD * self.rng.standard_normal(vel.shape), *VELOCITY_CLIP)


def tile(pattern, *, grid: Grid, cycle_bars: int, bars_mask) -> tuple[np.ndarray, np.ndarray]:
    """Repeat a pattern over the track's full bars where ``bars_mask`` is True.

    Parameters
    ----------
    pattern : list of (position_beats, *rest)
        One cycle of ``cycle_bars`` bars.
    grid : Grid
    cycle_bars : int
    bars_mask : np.ndarray [shape=(grid.n_bars,)], bool

    Returns
    -------
    phi : np.ndarray [shape=(n,)]
        Beat positions of the kept notes (0 = first downbeat).
    rows : np.ndarray [shape=(n, len(rest))]
        The rest of each kept entry.
    """
    if len(pattern) == 0:
        return np.empty(0), np.empty((0, 0))
    m, n_bars = grid.meter, grid.n_bars
    pat = np.asarray(pattern, dtype=np.float64)
    n_cycles = -(-n_bars // cycle_bars)
    phi = (np.arange(n_cycles)[:, None] * (cycle_bars * m) + pat[None, :, 0]).ravel()
    rows = np.tile(pat[:, 1:], (n_cycles, 1))
    bar_of = np.floor(phi / m).astype(np.int64)
    keep = bar_of < n_bars
    keep[keep] &= bars_mask[bar_of[keep]]
    return phi[keep], rows[keep]


# ---------------------------------------------------------------------------------------
# Layers: each plans the events of some instruments (drawing its random numbers)
# ---------------------------------------------------------------------------------------


def drum_hits(grid: Grid, arr: Arrangement, perf: Performance) -> list[Hits]:
    """The drums: the style's patterns in the band bars, a pickup fill, the ending hit.

    The ending hit is a kick and a crash at full velocity on the final downbeat
    (``grid.end_phi``), in every style with drums. Per drum, in the style's order,
    the performance draws the noise slice of each hit, then its velocity.

    Returns
    -------
    list of Hits
        One per drum that plays; gains are ``velocity x DRUM_LEVEL[name] x arr.levels``.
    """
    planned = {}
    for name, pattern in arr.drums.items():
        phi, rows = tile(pattern, grid=grid, cycle_bars=arr.bars, bars_mask=grid.band_bars)
        planned[name] = (phi, rows[:, 0])
    if grid.pickup_beats and arr.drums:
        fill, _ = pickup_fill(grid.pickup_beats)
        for name, pattern in fill.items():
            pat = np.asarray(pattern, dtype=np.float64)
            phi, vel = planned.get(name, (np.empty(0), np.empty(0)))
            planned[name] = (np.concatenate([pat[:, 0], phi]), np.concatenate([pat[:, 1], vel]))
    for name in ("kick", "crash") if arr.drums else ():
        phi, vel = planned.get(name, (np.empty(0), np.empty(0)))
        planned[name] = (np.append(phi, grid.end_phi), np.append(vel, 1.0))

    hits = []
    for name, (phi, vel) in planned.items():
        if phi.size == 0:
            continue
        onsets_s = grid.times_s(phi)
        n_len = int(np.ceil(DRUM_LENGTH_S[name] * SR))
        starts = perf.rng.integers(0, 3 * SR - n_len, size=onsets_s.size)
        gains = perf.velocity(vel) * DRUM_LEVEL[name] * arr.levels.get(name, 1.0)
        hits.append(Hits(name=name, onsets_s=onsets_s, gains=gains, noise_starts=starts))
    return hits


def chord_plan(grid: Grid, arr: Arrangement, *, minor: bool) -> np.ndarray:
    """The chord of each full bar (and of the final downbeat), in semitones above the key root.

    I V vi IV (major) or i VI III VII (minor), one chord every ``arr.chord_bars`` bars.

    Returns
    -------
    np.ndarray [shape=(grid.n_bars + 1, 3)], int
        Row b: the three chord tones of full bar b (row ``n_bars``: the ending chord).
    """
    prog = _MINOR if minor else _MAJOR
    return np.array([prog[(b // arr.chord_bars) % len(prog)] for b in range(grid.n_bars + 1)])


@dataclass(frozen=True, eq=False)
class _Band:
    """What every tonal part needs to turn beat positions into :class:`Notes`."""

    grid: Grid
    arr: Arrangement
    chords: np.ndarray
    perf: Performance
    key_midi: int

    def chord_rows(self, phi) -> np.ndarray:
        """The chord (n, 3), in semitones above the key root, sounding at each position ``phi``.

        Positions in a pickup take bar 1's chord; the final downbeat has its own row.
        """
        return self.chords[np.clip(self.grid.bar_index(phi), 0, self.grid.n_bars)]

    def tones(self, phi, octave: int) -> np.ndarray:
        """MIDI notes (n, 3) of the chord sounding at each position ``phi``, ``octave`` semitones up."""
        return self.chord_rows(phi) + (self.key_midi + octave)

    def notes(self, name, timbre, phi, dur_beats, midi, vel, *, level_scale=1.0) -> list[Notes]:
        """``[Notes]`` of one part at positions ``phi`` lasting ``dur_beats`` (draws velocities); [] if none."""
        if phi.size == 0:
            return []
        _, _, _, level = TIMBRES[timbre]
        onsets_s = self.grid.times_s(phi)
        offsets_s = self.grid.time_map(phi + dur_beats)
        durations_s = np.maximum(offsets_s - onsets_s, 0.02)
        gains = self.perf.velocity(vel) * level * level_scale * self.arr.levels.get(name, 1.0)
        return [Notes(name=name, timbre=timbre, onsets_s=onsets_s, durations_s=durations_s,
                      freq_hz=midi_hz(midi), gains=gains)]

    def chord_notes(self, name, timbre, phi, rows, *, octave: int) -> list[Notes]:
        """Three notes (the chord tones) per hit; ``rows`` = (duration_beats, velocity)."""
        if phi.size == 0:
            return []
        tones = self.tones(phi, octave)
        return self.notes(name, timbre, np.repeat(phi, 3), np.repeat(rows[:, 0], 3), tones.ravel(),
                          np.repeat(rows[:, 1], 3))


def bass_notes(grid: Grid, arr: Arrangement, chords: np.ndarray, perf: Performance, *,
               key_midi: int) -> list[Notes]:
    """The bass: the style's pattern on the root of each bar's chord, two octaves below the key.

    Plays in the band bars, plus the pickup's lead-in notes (:func:`helpers.synth.styles.pickup_fill`).
    """
    phi, rows = tile(list(arr.bass), grid=grid, cycle_bars=arr.bars, bars_mask=grid.band_bars)
    if grid.pickup_beats and len(arr.bass):
        _, lead_in = pickup_fill(grid.pickup_beats)
        pat = np.asarray(lead_in, dtype=np.float64)
        phi, rows = np.concatenate([pat[:, 0], phi]), np.concatenate([pat[:, 1:], rows.reshape(-1, 3)])
    if phi.size == 0:
        return []
    band = _Band(grid, arr, chords, perf, key_midi)
    midi = (key_midi - 24) + np.mod(band.chord_rows(phi)[:, 0], 12) + rows[:, 1]
    return band.notes("bass", arr.bass_timbre, phi, rows[:, 0], midi, rows[:, 2])


def break_arpeggio(grid: Grid, arr: Arrangement) -> tuple[list, np.ndarray]:
    """What fills a break: a dotted-eighth arpeggio (onsets every 3/4 beat, against the beat).

    Returns
    -------
    pattern : list of (position, duration_beats, chord_tone_index, velocity)
        One cycle of ``arr.bars`` bars.
    bars_mask : np.ndarray [shape=(grid.n_bars,)], bool
        The bars it plays in: those without the band, after the intro.
    """
    pattern = [(0.75 * i, 0.6, i % 3, 0.9) for i in range(int(arr.bars * grid.meter / 0.75))]
    return pattern, ~grid.band_bars & grid.after_intro


def _pads(band: _Band) -> list[Notes]:
    """Sustained chords: all along when the style has a pad, else under the bars without the band."""
    grid, arr, m = band.grid, band.arr, band.grid.meter
    pad_bars = np.ones(grid.n_bars, dtype=bool) if arr.pad else ~grid.band_bars
    if not pad_bars.any():
        return []
    starts = [(float(p), arr.chord_bars * m - 0.05, 1.0) for p in range(0, arr.bars * m, arr.chord_bars * m)]
    phi, rows = tile(starts, grid=grid, cycle_bars=arr.bars, bars_mask=pad_bars)
    return band.chord_notes("pad", "pad", phi, rows, octave=-12 if band.key_midi >= 60 else 0)


def _arpeggio(band: _Band, pattern, bars_mask) -> list[Notes]:
    """Chord tones one octave up, ``pattern`` = (position, duration_beats, tone_index, velocity)."""
    phi, rows = tile(pattern, grid=band.grid, cycle_bars=band.arr.bars, bars_mask=bars_mask)
    if phi.size == 0:
        return []
    midi = band.tones(phi, 12)[np.arange(phi.size), rows[:, 1].astype(np.int64)]
    return band.notes("arp", "arp", phi, rows[:, 0], midi, rows[:, 2])


def _bells(band: _Band) -> list[Notes]:
    """Bells on random points of a triplet grid (no pulse to lock on to), random chord tones."""
    grid = band.grid
    triplets = np.arange(3 * grid.n_bars * grid.meter) / 3.0
    phi = triplets[band.perf.rng.random(triplets.size) < band.arr.bells]
    tones = band.tones(phi, 12)
    pick = band.perf.rng.integers(0, 3, size=phi.size)
    return band.notes("bells", "bell", phi, np.full(phi.size, 4.0), tones[np.arange(phi.size), pick],
                      np.full(phi.size, 0.8))


def harmony_notes(grid: Grid, arr: Arrangement, chords: np.ndarray, perf: Performance, *,
                  key_midi: int, has_break: bool) -> list[Notes]:
    """Chord hits, pads, arpeggio (the break's, in a track with a break), bells, ending chord.

    Chord hits play in the band bars; the ending chord (every style but drums-only)
    on the final downbeat, twice as loud as a chord hit.
    """
    band = _Band(grid, arr, chords, perf, key_midi)
    phi, rows = tile(list(arr.chords), grid=grid, cycle_bars=arr.bars, bars_mask=grid.band_bars)
    notes = band.chord_notes("chords", arr.chord_timbre, phi, rows, octave=arr.chord_octave)
    notes += _pads(band)
    arp_pattern, arp_bars = break_arpeggio(grid, arr) if has_break else (list(arr.arp), grid.band_bars)
    notes += _arpeggio(band, arp_pattern, arp_bars)
    if arr.bells:
        notes += _bells(band)
    if len(arr.bass) or len(arr.chords) or arr.pad or len(arr.arp):
        end = np.full(3, grid.end_phi)
        notes += band.notes("chords", "pluck" if arr.drums else "bell", end, np.full(3, 4.0),
                            band.tones(end[:1], 0)[0], np.full(3, 1.0), level_scale=2.0)
    return notes


def add_riser(y: np.ndarray, grid: Grid, break_bars: tuple[int, int], noise: NoiseBank) -> None:
    """Add (in place) a noise swell over the last bar of a break, rising (cubic) to its end; no onset."""
    first, count = break_bars
    m = grid.meter
    t_a, t_b = grid.time_map(np.array([(first + count - 2) * m, (first + count - 1) * m], dtype=np.float64))
    i_a, i_b = int(np.ceil(t_a * SR)), int(np.ceil(t_b * SR))
    swell = ((np.arange(i_a, i_b) / SR - t_a) / (t_b - t_a)) ** 3
    y[i_a:i_b] += DRUM_LEVEL["riser"] * swell * np.resize(noise.buf["mid"], i_b - i_a)


def background_noise(spec: DemoTrack, y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Noise (white, pink, or pink with random bursts) whose power is ``spec.snr_db`` below ``y``'s.

    Returns
    -------
    np.ndarray [shape=y.shape], float64
        ``mean(y**2) / mean(noise**2) == 10 ** (snr_db / 10)`` over the whole track.
    """
    from scipy import signal

    n = y.size
    x = rng.standard_normal(n)
    if spec.noise.startswith("pink"):
        # J. O. Smith's 1/f ("pinking") filter, -3 dB/octave within ~1 dB over the audio band
        # (Spectral Audio Signal Processing, "Example: Synthesis of 1/F Noise")
        b = [0.049922035, -0.095993537, 0.050612699, -0.004408786]
        a = [1.0, -2.494956002, 2.017265875, -0.522189400]
        x = signal.lfilter(b, a, x)
    if spec.noise.endswith("bursts"):
        n_bursts = int(spec.duration_s / 2)
        centres = rng.uniform(0, spec.duration_s, size=n_bursts)
        width_s = rng.uniform(0.05, 0.3, size=n_bursts)
        gain = np.ones(n)
        t = np.arange(n) / SR
        for c, w in zip(centres, width_s):      # ~30 bursts; each a few thousand samples
            lo, hi = int(max(0, (c - 3 * w) * SR)), int(min(n, (c + 3 * w) * SR))
            gain[lo:hi] += 4.0 * np.exp(-0.5 * ((t[lo:hi] - c) / w) ** 2)
        x = x * gain
    p_music = np.mean(y**2)
    p_noise = np.mean(x**2)
    return x * np.sqrt(p_music / p_noise * 10.0 ** (-spec.snr_db / 10.0))


def section_labels(spec: DemoTrack, n_bars: int) -> list[str]:
    """One label per full bar: intro, then 8-bar verse/chorus blocks (chorus after a tempo step), breaks."""
    intro = spec.intro_bars_without_drums or 2
    labels = []
    for bar in range(1, n_bars + 1):
        if spec.break_bars and spec.break_bars[0] <= bar < sum(spec.break_bars):
            labels.append("break")
        elif bar <= intro:
            labels.append("intro")
        elif spec.change_bar:
            labels.append("verse" if bar < spec.change_bar else "chorus")
        else:
            labels.append(("verse", "chorus")[((bar - intro - 1) // 8) % 2])
    return labels


def _segments(spec: DemoTrack, grid: Grid, beat_times_s: np.ndarray) -> tuple:
    labels = section_labels(spec, grid.n_bars)
    downbeats_s = beat_times_s[grid.pickup_beats :: grid.meter]
    segments = [(0.0, labels[0])] + [
        (float(downbeats_s[b]), labels[b]) for b in range(1, grid.n_bars) if labels[b] != labels[b - 1]
    ]
    segments.append((float(beat_times_s[-1]), "end"))
    return tuple(segments)


# ---------------------------------------------------------------------------------------
# The whole track
# ---------------------------------------------------------------------------------------


def render_track(spec: DemoTrack, *, seed: int = DEMO_SEED) -> RenderedTrack:
    """Render one demo track: audio, exact beats and downbeats, onsets, sections.

    Parameters
    ----------
    spec : DemoTrack
        One of :data:`~helpers.synth.tracks.DEMO_TRACKS` (or your own).
    seed : int >= 0
        Seed of the performance details; the track's generator is
        ``np.random.default_rng([seed, spec.number])``.

    Returns
    -------
    RenderedTrack

    Raises
    ------
    ParameterError
        `spec` is not a DemoTrack or `seed` is not a non-negative integer.

    Examples
    --------
    >>> from helpers.synth import demo_track, render_track
    >>> t = render_track(demo_track("d17_step_100to140"))
    >>> ibi = np.diff(t.beat_times_s)
    >>> round(60 / float(ibi[0]), 6), round(60 / float(ibi[-1]), 6)
    (100.0, 140.0)
    """
    if not isinstance(spec, DemoTrack):
        raise ParameterError(f"spec must be a DemoTrack (see DEMO_TRACKS), got {type(spec).__name__}")
    perf = Performance.start(spec, check_seed(seed))
    arr = STYLES[spec.style](spec.meter)
    grid = plan_grid(spec)

    hits = drum_hits(grid, arr, perf)
    chords = chord_plan(grid, arr, minor=spec.minor)
    notes = bass_notes(grid, arr, chords, perf, key_midi=spec.key_midi)
    notes += harmony_notes(grid, arr, chords, perf, key_midi=spec.key_midi, has_break=bool(spec.break_bars))

    y = np.zeros(int(round(spec.duration_s * SR)), dtype=np.float64)
    onsets: dict[str, np.ndarray] = {}
    for h in hits:
        mix_hits(y, h, perf.noise)
        onsets[h.name] = np.sort(h.onsets_s)
    for n in notes:
        mix_notes(y, n)
        onsets[n.name] = np.sort(np.concatenate([onsets.get(n.name, np.empty(0)), n.onsets_s]))
    if spec.break_bars:
        add_riser(y, grid, spec.break_bars, perf.noise)
    if spec.noise:
        y += background_noise(spec, y, perf.rng)
    audio = (y * (PEAK / np.max(np.abs(y)))).astype(np.float32)

    beat_times_s = grid.beat_times_s
    return RenderedTrack(
        spec=spec, audio=audio, sr=SR, beat_times_s=beat_times_s, beat_positions=grid.beat_positions,
        bar_numbers=grid.bar_numbers, onsets_s=onsets, segments=_segments(spec, grid, beat_times_s),
    )
