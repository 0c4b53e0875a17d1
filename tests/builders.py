"""Test data with known answers, in one place: click trains, bars, random spectrograms, and the
files of a data set (info.json, beat files).

Every spectrogram here is a POWER mel-spectrogram in the Harmonix layout, shape
``(n_mels, n_frames)``, float32 unless asked otherwise, and comes with the exact answer the
tests check against: the frames of the clicks, the beat times in seconds and, for bars, the
position of each beat in its bar.

Frame convention (``helpers.data.frames_to_time``): frame ``k`` is centred on sample
``k * hop_length``, so it sits at ``k * hop_length / sr`` seconds.

Where the beats go is said in one of four ways, the same for :func:`click_spectrogram` and
:func:`bars_spectrogram` (exactly one of them):

============================  ==================================  ================================
argument                      clicks on                           ``beat_times_s``
============================  ==================================  ================================
``click_frames=[...]``        these frames                        ``frames * hop_length / sr``
``period_frames=P``           ``first_frame, first_frame + P,``   ``frames * hop_length / sr``
                              ... before the last frame
``beat_times_s=[...]``        the frame nearest to each time      these times
``tempo_bpm=T``               the frame nearest to each beat of   ``phase_s + k * 60 / T`` before
                              a steady grid                       ``end_s``
============================  ==================================  ================================

With ``period_frames`` or ``click_frames`` a click sits exactly on its beat. With
``beat_times_s`` or ``tempo_bpm`` it sits on the nearest frame, within half a frame (23 ms at
the Harmonix rate) of the beat it stands for: the rounding a real mel-spectrogram imposes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import numpy as np

# The Harmonix info.json (shared/harmonix; helpers.data.HARMONIX_PARAMS), written out here on
# purpose: the test data must not depend on the code under test.
SR, HOP, N_MELS = 22050, 1024, 80
HARMONIX_INFO = {
    "SR": SR, "N_MELS": N_MELS, "N_FFT": 2048, "HOP_LENGTH": HOP, "MEL_FMIN": 0, "MEL_FMAX": None,
}

# The power between clicks: 40 dB below a click of 1.0, well above the -80 dB floor of
# power_to_db(top_db=80), so the flux of the silence is small but not exactly zero.
FLOOR = 1e-4

# The bars' layout (bands of the 80 Harmonix mel bands; helpers.data.HARMONIX_PARAMS.mel_frequencies_hz):
BASS_BANDS = slice(0, 6)          # centres 41-246 Hz: below helpers.novelty.LOW_BAND_CUTOFF_HZ
DRUM_BANDS = slice(45, 80)        # above 2 kHz: outside the chords, so not part of the harmonic change
CHORDS = ([8, 12, 15], [10, 13, 18], [9, 16, 20], [11, 14, 22])   # three bands each, 370 Hz - 1 kHz
DRUM_LEVEL = BASS_LEVEL = 1.0     # a hit: the same power as a click
CHORD_LEVEL = 0.3                 # a held chord, added on top of the floor until the next beat


class ClickTrack(NamedTuple):
    """A click-train spectrogram and its answers."""

    S: np.ndarray              #: [shape=(n_mels, n_frames)] POWER
    beat_frames: np.ndarray    #: [shape=(n_beats,)] int64, the frame of each click
    beat_times_s: np.ndarray   #: [shape=(n_beats,)] float64, the beat each click stands for (table above)


class BarTrack(NamedTuple):
    """A bars spectrogram and its answers."""

    S: np.ndarray              #: [shape=(n_mels, n_frames)] POWER
    beat_frames: np.ndarray    #: [shape=(n_beats,)] int64
    beat_times_s: np.ndarray   #: [shape=(n_beats,)] float64
    positions: np.ndarray      #: [shape=(n_beats,)] int64, 1 .. meter (1 = downbeat)


def beat_grid(n_frames: int, *, click_frames=None, period_frames=None, first_frame=3, beat_times_s=None,
              tempo_bpm=None, phase_s=0.5, end_s=None, sr=SR, hop_length=HOP) -> tuple[np.ndarray, np.ndarray]:
    """Where the beats of a track of ``n_frames`` frames go: ``(beat_frames, beat_times_s)``.

    Parameters
    ----------
    n_frames : int
        Length of the track in frames.
    click_frames, period_frames, beat_times_s, tempo_bpm
        Exactly one: the beats (module docstring).
    first_frame : int
        With ``period_frames``: the frame of the first click.
    phase_s, end_s : float
        With ``tempo_bpm``: the first beat, and the time the beats stop before (default: the
        last frame, ``(n_frames - 1) * hop_length / sr``).
    sr, hop_length
        The frame rate (default: Harmonix).

    Returns
    -------
    beat_frames : np.ndarray [shape=(n_beats,)], int64
    beat_times_s : np.ndarray [shape=(n_beats,)], float64
    """
    given = [name for name, value in (("click_frames", click_frames), ("period_frames", period_frames),
                                      ("beat_times_s", beat_times_s), ("tempo_bpm", tempo_bpm)) if value is not None]
    if len(given) != 1:
        raise TypeError(f"say where the beats go with exactly one of click_frames, period_frames, beat_times_s, "
                        f"tempo_bpm (got {given or 'none'})")
    if click_frames is not None or period_frames is not None:
        if period_frames is not None:
            # stop one frame early: the last frame stays free for a click's decay
            click_frames = np.arange(first_frame, n_frames - 1, period_frames)
        frames = np.asarray(click_frames, dtype=np.int64)
        return frames, frames * hop_length / sr
    if tempo_bpm is not None:
        end_s = (n_frames - 1) * hop_length / sr if end_s is None else end_s
        beat_times_s = np.arange(phase_s, end_s, 60.0 / tempo_bpm)
    times = np.asarray(beat_times_s, dtype=np.float64)
    return np.rint(times * (sr / hop_length)).astype(np.int64), times


def _length(n_frames, duration_s, sr, hop_length) -> int:
    if (n_frames is None) == (duration_s is None):
        raise TypeError("give the length as exactly one of n_frames or duration_s")
    return int(duration_s * (sr / hop_length)) if n_frames is None else int(n_frames)


def _add_noise(S: np.ndarray, noise: float, seed: int) -> None:
    if noise:
        S += noise * np.random.default_rng(seed).random(S.shape)


def click_spectrogram(n_frames: int | None = None, *, duration_s: float | None = None, click_frames=None,
                      period_frames=None, first_frame: int = 3, beat_times_s=None, tempo_bpm=None,
                      phase_s: float = 0.5, end_s: float | None = None, level=1.0, decay: float = 0.0,
                      floor: float = FLOOR, noise: float = 0.0, seed: int = 0, n_mels: int = N_MELS,
                      sr: float = SR, hop_length: int = HOP, dtype=np.float32) -> ClickTrack:
    """A click train: a broadband click (every band) on each beat, over a quiet floor.

    The spectrogram is ``floor`` everywhere; each click frame is set to ``level`` and, with
    ``decay``, the frame after it to ``decay`` (a short decay, like a real onset); finally,
    with ``noise``, uniform noise in ``[0, noise)`` is added to every bin, clicks included.

    Parameters
    ----------
    n_frames, duration_s
        Exactly one: the length in frames, or in seconds (``int(duration_s * sr / hop_length)`` frames).
    click_frames, period_frames, first_frame, beat_times_s, tempo_bpm, phase_s, end_s
        Where the beats go: :func:`beat_grid` (exactly one of the four).
    level : float or sequence of float
        Power of a click; a sequence gives accents, cycled over the clicks (``(1.0, 0.5)``:
        strong-weak).
    decay : float
        Power of the frame after each click (0: none).
    floor : float
        Power everywhere else (0 for a curve that is silent between clicks).
    noise : float
        Amplitude of the uniform noise added everywhere (0: none), drawn from
        ``np.random.default_rng(seed)``.
    n_mels : int
        Number of bands (1 with ``floor=0`` and ``dtype=np.float64`` gives a novelty curve).
    sr, hop_length
        The frame rate (default: Harmonix).
    dtype
        Of the returned spectrogram (float32, as the Harmonix files).

    Returns
    -------
    ClickTrack
        ``(S, beat_frames, beat_times_s)``.
    """
    n_frames = _length(n_frames, duration_s, sr, hop_length)
    frames, times = beat_grid(n_frames, click_frames=click_frames, period_frames=period_frames, first_frame=first_frame,
                              beat_times_s=beat_times_s, tempo_bpm=tempo_bpm, phase_s=phase_s, end_s=end_s,
                              sr=sr, hop_length=hop_length)
    S = np.full((n_mels, n_frames), floor, dtype=np.float64)
    S[:, frames] = np.resize(np.asarray(level, dtype=np.float64), frames.size)
    if decay:
        S[:, frames + 1] = decay
    _add_noise(S, noise, seed)
    return ClickTrack(S.astype(dtype), frames, times)


def bars_spectrogram(n_frames: int | None = None, *, n_bars: int | None = None, meter: int = 4, pickup: int = 0,
                     bass_positions=(1,), chords: bool = True, drums: bool = True, click_frames=None,
                     period_frames=None, first_frame: int = 3, beat_times_s=None, tempo_bpm=None,
                     phase_s: float = 0.5, end_s: float | None = None, floor: float = FLOOR, noise: float = 0.0,
                     seed: int = 0, sr: float = SR, hop_length: int = HOP) -> BarTrack:
    """Bars with known positions: drums on every beat, a bass note on chosen positions, a chord per bar.

    Layers (Harmonix bands; the module constants): a drum hit (``DRUM_BANDS``, above 2 kHz) on
    every beat; a bass hit (``BASS_BANDS``, below 250 Hz) on the beats whose position is in
    ``bass_positions``; a chord (three bands between 370 Hz and 1 kHz, cycling through
    ``CHORDS``) held from each beat to the next, changing on the bar line. The hits set their
    bins to 1.0 over ``floor``; the chords add ``CHORD_LEVEL``; then ``noise`` as in
    :func:`click_spectrogram`.

    Parameters
    ----------
    n_frames, n_bars
        Exactly one. ``n_frames``: the length; the beats fill it. ``n_bars``: ``pickup + meter *
        n_bars`` beats of a ``tempo_bpm`` grid from ``phase_s``, and the track ends two beat
        periods after the last beat.
    meter : int
        Beats per bar.
    pickup : int
        Beats before the first downbeat; their positions are ``meter - pickup + 1 .. meter``.
    bass_positions : tuple of int
        The positions that get a bass hit (``()``: no bass).
    chords, drums : bool
        Whether to draw the chords / the drums.
    click_frames, period_frames, first_frame, beat_times_s, tempo_bpm, phase_s, end_s
        Where the beats go: :func:`beat_grid`.
    floor, noise, seed, sr, hop_length
        As in :func:`click_spectrogram`.

    Returns
    -------
    BarTrack
        ``(S, beat_frames, beat_times_s, positions)``; S is float32.
    """
    if (n_frames is None) == (n_bars is None):
        raise TypeError("give the length as exactly one of n_frames or n_bars")
    if n_bars is not None:
        if tempo_bpm is None:
            raise TypeError("n_bars needs tempo_bpm")
        period_s = 60.0 / tempo_bpm
        beat_times_s, tempo_bpm = phase_s + period_s * np.arange(pickup + meter * n_bars), None
        n_frames = int(np.ceil((beat_times_s[-1] + 2 * period_s) * (sr / hop_length))) + 1
    frames, times = beat_grid(n_frames, click_frames=click_frames, period_frames=period_frames, first_frame=first_frame,
                              beat_times_s=beat_times_s, tempo_bpm=tempo_bpm, phase_s=phase_s, end_s=end_s,
                              sr=sr, hop_length=hop_length)
    beat_index = np.arange(frames.size)
    positions = (beat_index - pickup) % meter + 1
    bar_of = (beat_index - pickup) // meter           # the pickup is bar -1
    S = np.full((N_MELS, n_frames), floor, dtype=np.float64)
    if drums:
        S[DRUM_BANDS, frames] = DRUM_LEVEL
    S[BASS_BANDS, frames[np.isin(positions, bass_positions)]] = BASS_LEVEL
    if chords:
        for start, stop, bar in zip(frames, np.r_[frames[1:], n_frames], bar_of):
            S[CHORDS[bar % len(CHORDS)], start:stop] += CHORD_LEVEL
    _add_noise(S, noise, seed)
    return BarTrack(S.astype(np.float32), frames, times, positions)


def power_spectrogram(n_mels: int = N_MELS, n_frames: int = 200, seed: int = 0) -> np.ndarray:
    """Random POWER spectrogram, float32, shape (n_mels, n_frames): ``100 * u**4`` with u uniform
    (most bins quiet, a few loud, like music), from ``np.random.default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    return (rng.random((n_mels, n_frames)) ** 4 * 100).astype(np.float32)


def write_info(directory: Path, **overrides) -> Path:
    """Write an info.json (Harmonix parameters unless overridden) into ``directory`` (created) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    info = {**HARMONIX_INFO, **overrides}
    path = directory / "info.json"
    path.write_text(json.dumps(info))
    return path


def write_beats(path: Path, times_s, positions=None) -> None:
    """Write a Harmonix beat file: ``time<TAB>position<TAB>bar`` per line, times with 6 decimals.

    ``positions`` defaults to 4/4 from the first beat (1, 2, 3, 4, 1, ...). Bars are numbered
    from 1; a pickup (beats before the first downbeat) is bar 1 and the first downbeat opens bar 2.
    """
    times_s = np.asarray(times_s, dtype=np.float64)
    positions = np.arange(times_s.size) % 4 + 1 if positions is None else np.asarray(positions)
    bars = np.cumsum(positions == 1) + (1 if positions.size and positions[0] != 1 else 0)
    path.write_text("".join(f"{t:.6f}\t{p}\t{b}\n" for t, p, b in zip(times_s, positions, bars)), encoding="utf-8")
