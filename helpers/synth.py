"""The built-in demo data set: synthetic music with exact beat annotations.

Used when the real Harmonix mel-spectrograms are not installed, and by the tests.
:func:`generate_demo` renders :data:`DEMO_TRACKS` (24 short tracks) with numpy,
computes their mel-spectrograms with exactly the Harmonix parameters and writes a
data set in the Harmonix layout (``docs/CONTRACT.md``)::

    out_dir/melspecs/<track_id>-mel.npy      POWER mel spectrogram, float32, (80, n_frames)
    out_dir/melspecs/info.json               SR, N_MELS, N_FFT, HOP_LENGTH, MEL_FMIN, MEL_FMAX, ...
    out_dir/dataset/beats_and_downbeats/<track_id>.txt   time_s <TAB> position <TAB> bar
    out_dir/dataset/segments/<track_id>.txt              time_s <SPACE> label
    out_dir/dataset/metadata.csv             the Harmonix columns
    out_dir/.complete                        written last

Conventions (read these first)
------------------------------
- The annotations are not estimated: every beat time is the exact time (float64
  seconds, written with 6 decimals) at which the renderer started the hits it
  placed on that beat. Hits are placed at sub-sample precision (each one is
  evaluated at ``n / sr - onset_s``), so beats need not fall on a sample.
- Tempo is in BPM of the *annotated* beat. 6/8 tracks are annotated at the eighth
  note (positions 1..6), as most Harmonix 6/8 tracks are; their ``tempo_bpm`` is
  the eighth-note rate (the upstream metadata often lists half of it).
- Bars and positions count from 1. Every track ends with a final downbeat (an
  ending hit) followed by ~2 s of ring-out, like upstream files whose last line
  is ``... 1  <last bar + 1>``.
- The seed changes the performance (velocities, noise, which drum sample is used,
  the ambient bells) but never the beat grid: annotations depend only on the spec.
- Same seed, same library versions, same machine: bit-identical files (no
  threads, no random state outside ``np.random.default_rng``).

Each track is designed to provoke one behaviour of a tempo-plus-dynamic-programming
beat tracker (``DemoTrack.designed_for``): ``"correct"``, ``"half-tempo"``,
``"double-tempo"``, ``"off-beat"`` or ``"lost-lock"``. The design is an intention;
notebook 04 measures what actually happens.

Taught in notebook 01 (the demo set stands in for the real data) and used by the
tests of every module.

Examples
--------
>>> from helpers.synth import DEMO_TRACKS, demo_track, generate_demo, render_track
>>> [t.track_id for t in DEMO_TRACKS[:3]]
['d01_pop_120', 'd02_drums_100', 'd03_dance_128']
>>> demo_track("d16_drift_84to132").tempo_change
'drift'
>>> track = render_track(demo_track("d02_drums_100"))
>>> track.audio.dtype, track.sr, round(track.duration_s, 1)
(dtype('float32'), 22050, 30.0)
>>> track.beat_times_s[:3].round(2).tolist(), track.beat_positions[:5].tolist()
([0.5, 1.1, 1.7], [1, 2, 3, 4, 1])
>>> root = generate_demo("data/demo")          # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .data import HARMONIX_PARAMS
from .errors import OutputError, ParameterError
from .files import check_writable

__all__ = [
    "DEMO_SEED",
    "DEMO_TRACKS",
    "DESIGNED_FOR",
    "MEL_KWARGS",
    "METADATA_COLUMNS",
    "DemoTrack",
    "RenderedTrack",
    "demo_track",
    "render_track",
    "generate_demo",
]

#: Default seed of the demo data set.
DEMO_SEED = 20261122

#: The behaviours of a beat tracker the tracks are designed to provoke.
DESIGNED_FOR = ("correct", "half-tempo", "double-tempo", "off-beat", "lost-lock")

#: Keyword arguments of ``librosa.feature.melspectrogram`` (the Harmonix parameters;
#: ``pad_mode="constant"`` is librosa's default since 0.9 -- librosa 0.7.0, used for the
#: published files, padded with ``"reflect"``: only the frames at the two edges differ).
MEL_KWARGS = {
    "sr": HARMONIX_PARAMS.sr,
    "n_fft": HARMONIX_PARAMS.n_fft,
    "hop_length": HARMONIX_PARAMS.hop_length,
    "win_length": None,
    "window": "hann",
    "center": True,
    "pad_mode": "constant",
    "power": 2.0,
    "n_mels": HARMONIX_PARAMS.n_mels,
    "fmin": HARMONIX_PARAMS.fmin,
    "fmax": HARMONIX_PARAMS.fmax,
}

#: Columns of Harmonix's metadata.csv, in order.
METADATA_COLUMNS = (
    "File", "Title", "Artist", "Release", "Duration", "BPM", "Ratio Bars in 4",
    "Time Signature", "Genre", "MusicBrainz Id", "Acoustid Id",
)

SR = HARMONIX_PARAMS.sr
_TAIL_S = 2.0           # ring-out after the final downbeat
_PEAK = 0.9             # peak level of the rendered audio
_COMPLETE = ".complete"
_GENERATOR = "helpers.synth"


# ---------------------------------------------------------------------------------------
# Track specifications
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoTrack:
    """What one demo track is and what it is meant to exercise.

    Attributes
    ----------
    number : int
        1-based index; seeds the track's random generator together with the seed.
    track_id : str
        ``d<NN>_<style>_<tempo>``: sortable, ASCII, descriptive.
    title, genre : str
        For metadata.csv.
    style : str
        Name of the arrangement (drum, bass and chord patterns) used to render it.
    tempo_bpm : float
        Tempo of the annotated beat at the start, in beats per minute.
    meter : int
        Annotated beats per bar (4, 3, or 6 for 6/8).
    time_signature : str
        As in metadata.csv: ``"4|4"``, ``"3|4"``, ``"6|8"``.
    duration_s : float
        Length of the rendered audio in seconds (the last downbeat is about 2 s earlier).
    designed_for : str
        One of :data:`DESIGNED_FOR`: what a tempo + dynamic-programming tracker is
        expected to do on it.
    description : str
        One sentence for a table in the notebooks.
    features : tuple of str
        Tags: ``steady``, ``swing``, ``syncopation``, ``tempo-drift``, ``tempo-step``,
        ``no-drum-intro``, ``break``, ``noise``, ``sparse``, ``offbeat-accents``,
        ``fast-hats``, ``slow``, ``fast``, ``triple-meter``, ``compound-meter``, ...
    tempo_change : str
        ``"steady"``, ``"drift"`` (tempo linear in the beat index from ``tempo_bpm``
        at the first beat to ``tempo_end_bpm`` at the final downbeat) or ``"step"``
        (``tempo_end_bpm`` from bar ``change_bar`` on).
    tempo_end_bpm : float or None
        Final tempo for ``drift`` and ``step``.
    change_bar : int or None
        First bar at the new tempo for ``step``.
    swing : float
        Position of the off-beat subdivision within its pair: 0.5 is straight,
        2/3 is triplet swing.
    swing_unit_beats : float
        The swung subdivision in beats (0.5 = eighth notes, 0.25 = sixteenths).
    first_beat_s : float
        Time of the first beat (bar 1, position 1), in seconds.
    intro_bars_without_drums : int
        Bars at the start with only sustained chords (no drums, no bass).
    break_bars : tuple of (int, int) or None
        ``(first_bar, n_bars)`` where drums and bass stop.
    noise : str or None
        ``"white"``, ``"pink"`` or ``"pink+bursts"`` noise added at ``snr_db``.
    snr_db : float or None
        Music-to-noise power ratio of the added noise, in dB.
    key_midi : int
        Root of the key as a MIDI note number (57 = A3).
    minor : bool
        Minor-key chord progression.
    """

    number: int
    track_id: str
    title: str
    genre: str
    style: str
    tempo_bpm: float
    meter: int
    time_signature: str
    duration_s: float
    designed_for: str
    description: str
    features: tuple[str, ...] = ()
    tempo_change: str = "steady"
    tempo_end_bpm: float | None = None
    change_bar: int | None = None
    swing: float = 0.5
    swing_unit_beats: float = 0.5
    first_beat_s: float = 0.5
    intro_bars_without_drums: int = 0
    break_bars: tuple[int, int] | None = None
    noise: str | None = None
    snr_db: float | None = None
    key_midi: int = 57
    minor: bool = False

    def __post_init__(self):
        if self.meter not in (3, 4, 6):
            raise ParameterError(f"DemoTrack.meter must be 3, 4 or 6, got {self.meter!r}")
        if self.designed_for not in DESIGNED_FOR:
            raise ParameterError(
                f"DemoTrack.designed_for must be one of {DESIGNED_FOR}, got {self.designed_for!r}"
            )
        if self.tempo_change not in ("steady", "drift", "step"):
            raise ParameterError(f"DemoTrack.tempo_change {self.tempo_change!r} is not steady/drift/step")
        if (self.tempo_change == "steady") != (self.tempo_end_bpm is None):
            raise ParameterError("DemoTrack.tempo_end_bpm is needed for drift/step, and only then")
        if (self.tempo_change == "step") != (self.change_bar is not None):
            raise ParameterError("DemoTrack.change_bar is needed for step, and only then")
        if not (30.0 <= self.duration_s <= 600.0 and 30.0 <= self.tempo_bpm <= 300.0):
            raise ParameterError(
                f"DemoTrack {self.track_id!r}: duration_s {self.duration_s} or tempo_bpm "
                f"{self.tempo_bpm} out of range"
            )
        if self.noise is not None and self.snr_db is None:
            raise ParameterError("DemoTrack.snr_db is needed when noise is set")
        if self.style not in _STYLES:
            raise ParameterError(f"DemoTrack.style {self.style!r} is not one of {sorted(_STYLES)}")


def _t(number, name, bpm, meter, duration_s, genre, title, designed_for, description, features, **kw):
    return DemoTrack(
        number=number,
        track_id=f"d{number:02d}_{name}",
        title=title,
        genre=genre,
        style=kw.pop("style", name.split("_")[0]),
        tempo_bpm=float(bpm),
        meter=meter,
        time_signature={4: "4|4", 3: "3|4", 6: "6|8"}[meter],
        duration_s=float(duration_s),
        designed_for=designed_for,
        description=description,
        features=tuple(features),
        **kw,
    )


# ---------------------------------------------------------------------------------------
# Arrangements: drum, bass and chord patterns
# ---------------------------------------------------------------------------------------
# A pattern lists (position_in_beats, velocity) over `bars` bars; bass notes are
# (position, duration_beats, interval_semitones, velocity); chord hits are
# (position, duration_beats, velocity). Levels scale whole instruments.


def _every(step, meter, vel_on=1.0, vel_off=None):
    """Hits every `step` beats in one bar; on-beat hits get vel_on, others vel_off."""
    vel_off = vel_on if vel_off is None else vel_off
    pos = np.arange(0.0, meter, step)
    return [(float(p), vel_on if float(p).is_integer() else vel_off) for p in pos]


@dataclass(frozen=True)
class _Arrangement:
    drums: dict = field(default_factory=dict)      # instrument -> [(pos, vel)]
    bass: tuple = ()                               # [(pos, dur, interval, vel)]
    bass_timbre: str = "bass"
    chords: tuple = ()                             # [(pos, dur, vel)]
    chord_timbre: str = "pluck"
    chord_octave: int = 0
    arp: tuple = ()                                # [(pos, dur, chord_tone_index, vel)]
    pad: bool = False                              # sustained pad under everything
    bells: float = 0.0                             # probability of a bell per triplet-grid point
    bars: int = 1                                  # pattern length in bars
    chord_bars: int = 1                            # bars per chord
    levels: dict = field(default_factory=dict)


def _style_pop(meter):
    return _Arrangement(
        drums={"kick": [(0, 1.0), (2, 0.9), (2.5, 0.5)], "snare": [(1, 1.0), (3, 1.0)],
               "hat": _every(0.5, 4, 0.8, 0.55)},
        bass=[(p, 0.45, 12 if p == 1.5 else 0, 0.9 if p.is_integer() else 0.6)
              for p in np.arange(0, 4, 0.5)],
        chords=[(0, 1.45, 1.0), (1.5, 0.45, 0.6), (2, 1.9, 0.9)],
    )


def _style_drums(meter):
    return _Arrangement(drums=_style_pop(meter).drums)


def _style_dance(meter):
    return _Arrangement(
        drums={"kick": _every(1, 4), "snare": [(1, 0.8), (3, 0.8)],
               "ohat": [(p, 0.8) for p in (0.5, 1.5, 2.5, 3.5)],
               "hat": [(p, 0.35) for p in (0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3.25, 3.75)]},
        bass=[(p, 0.4, 0, 0.9) for p in (0.5, 1.5, 2.5, 3.5)],
        pad=True,
        chords=[(0, 0.3, 0.7), (2.5, 0.3, 0.6)], chord_timbre="stab",
        levels={"chords": 0.5},
    )


def _style_rock(meter):
    bar = {"kick": [(0, 1.0), (2, 1.0), (2.5, 0.7)], "snare": [(1, 1.0), (3, 1.0)],
           "hat": _every(0.5, 4, 0.8, 0.7)}
    drums = {k: [(p + 4 * b, v) for b in range(4) for p, v in pats] for k, pats in bar.items()}
    drums["crash"] = [(0, 0.8)]
    return _Arrangement(
        drums=drums, bars=4,
        bass=[(p + 4 * b, 0.45, 0, 0.8) for b in range(4) for p in np.arange(0, 4, 0.5)],
        chords=[(p + 4 * b, 0.45, 0.8) for b in range(4) for p in np.arange(0, 4, 0.5)],
        chord_timbre="power",
    )


def _style_hiphop(meter):
    return _Arrangement(
        drums={"kick": [(0, 1.0), (0.75, 0.6), (2.5, 0.9)], "snare": [(1, 1.0), (3, 1.0)],
               "hat": [(p, (0.7, 0.3, 0.5, 0.3)[i % 4]) for i, p in enumerate(np.arange(0, 4, 0.25))]},
        bass=[(0, 0.7, 0, 1.0), (0.75, 0.5, 0, 0.6), (2.5, 1.2, 0, 0.9)],
        chords=[(0, 3.9, 0.8)], chord_timbre="epiano",
    )


def _style_funk(meter):
    return _Arrangement(
        drums={"kick": [(0, 1.0), (0.75, 0.7), (1.5, 0.6), (2.75, 0.8)],
               "snare": [(1, 1.0), (3, 1.0), (1.75, 0.25), (2.25, 0.25), (3.5, 0.2)],
               "hat": [(p, (0.6, 0.35)[i % 2]) for i, p in enumerate(np.arange(0, 4, 0.25))]},
        bass=[(0, 0.2, 0, 1.0), (0.75, 0.2, 12, 0.8), (1.5, 0.2, 0, 0.8),
              (2.25, 0.2, 7, 0.7), (2.75, 0.2, 0, 0.9), (3.5, 0.2, 10, 0.7)],
        chords=[(0.5, 0.2, 0.8), (1.75, 0.2, 0.9), (2.5, 0.2, 0.8), (3.75, 0.2, 0.9)],
        chord_timbre="stab", levels={"chords": 0.6},
    )


def _style_waltz(meter):
    return _Arrangement(
        drums={"kick": [(0, 1.0), (3, 0.9)], "snare": [(1, 0.35), (2, 0.35), (4, 0.35), (5, 0.35)],
               "hat": [(p, 0.6) for p in range(6)]},
        bars=2,
        bass=[(0, 0.9, 0, 1.0), (3, 0.9, 7, 0.9)],
        chords=[(p, 0.8, 0.8) for p in (1, 2, 4, 5)],
    )


def _style_jazzwaltz(meter):
    return _Arrangement(
        drums={"ride": [(0, 1.0), (1, 0.8), (1.5, 0.6), (2, 0.8)], "hat": [(1, 0.4)],
               "kick": [(0, 0.4)]},
        bass=[(0, 0.9, 0, 0.9), (1, 0.9, 4, 0.8), (2, 0.9, 7, 0.8)],
        chords=[(0, 0.4, 0.6), (1.5, 0.8, 0.7)], chord_timbre="epiano",
    )


def _style_sixeight(meter):
    return _Arrangement(
        drums={"kick": [(0, 1.0), (3, 0.7)], "snare": [(3, 0.9)],
               "hat": [(p, 0.8 if p in (0, 3) else 0.45) for p in range(6)]},
        bass=[(0, 2.8, 0, 1.0), (3, 2.8, 7, 0.8)],
        arp=[(p, 0.9, (0, 1, 2, 1, 2, 1)[p], 0.6) for p in range(6)],
        pad=True,
    )


def _style_ballad(meter):
    return _Arrangement(
        drums={"kick": [(0, 1.0), (2.5, 0.6)], "snare": [(1, 0.8), (3, 0.8)],
               "hat": _every(0.5, 4, 0.8, 0.7)},
        bass=[(0, 1.9, 0, 0.9), (2, 1.9, 7, 0.8)],
        arp=[(p, 0.45, (0, 1, 2, 1)[i % 4], 0.7) for i, p in enumerate(np.arange(0, 4, 0.5))],
        pad=True, levels={"hat": 1.6, "arp": 1.3},
    )


def _style_punk(meter):
    return _Arrangement(
        drums={"kick": [(0, 1.0), (2, 1.0)], "snare": [(1, 1.0), (3, 1.0)],
               "hat": _every(1, 4, 0.7)},
        bass=[(p, 0.45, 0, 0.8) for p in np.arange(0, 4, 0.5)],
        chords=[(0, 1.9, 0.9), (2, 1.9, 0.9)], chord_timbre="power",
    )


def _style_trap(meter):
    hats = _every(0.5, 4, 0.6, 0.5) + [(p, 0.35) for p in (3.25, 3.75, 3.875)]
    return _Arrangement(
        drums={"kick": [(0, 1.0), (1.75, 0.7), (3.0, 0.6)], "snare": [(2, 1.0)], "hat": hats},
        levels={"hat": 0.5},
        bass=[(0, 1.6, 0, 1.0), (1.75, 1.2, 0, 0.8), (3.0, 0.9, -2, 0.7)], bass_timbre="sub",
        pad=True,
    )


def _style_dnb(meter):
    return _Arrangement(
        drums={"kick": [(0, 1.0), (2.5, 0.9)], "snare": [(1, 1.0), (3, 1.0)],
               "hat": _every(0.5, 4, 0.5, 0.4)},
        bass=[(0, 3.9, 0, 1.0)], bass_timbre="sub", pad=True,
    )


def _style_reggae(meter):
    return _Arrangement(
        drums={"kick": [(2, 0.7)], "rim": [(2, 0.8)], "hat": _every(0.5, 4, 0.2, 0.2)},
        bass=[(1, 0.45, 0, 0.6), (1.5, 0.4, 7, 0.5), (3, 0.9, 0, 0.6)],
        chords=[(p, 0.2, 1.0) for p in (0.5, 1.5, 2.5, 3.5)], chord_timbre="skank", chord_octave=12,
        levels={"chords": 1.6, "bass": 0.6},
    )


def _style_ska(meter):
    return _Arrangement(
        drums={"kick": [(0, 0.5), (2, 0.5)], "snare": [(1, 0.4), (3, 0.4)],
               "ohat": [(p, 0.5) for p in (0.5, 1.5, 2.5, 3.5)]},
        bass=[(p, 0.9, (0, 4, 7, 4)[p], 0.5) for p in range(4)],
        chords=[(p, 0.2, 1.0) for p in (0.5, 1.5, 2.5, 3.5)], chord_timbre="skank", chord_octave=12,
        levels={"chords": 2.0, "bass": 0.4, "kick": 0.5, "snare": 0.5},
    )


def _style_hats(meter):
    return _Arrangement(
        drums={"kick": [(0, 0.5), (2, 0.4)], "snare": [(1, 0.4), (3, 0.4)],
               "hat": [(p, (1.0, 0.35)[i % 2]) for i, p in enumerate(np.arange(0, 4, 0.25))],
               "shaker": [(p, 1.0) for p in np.arange(0, 4, 0.5)]},
        bass=[(0, 3.9, 0, 0.6)], pad=True,
        levels={"hat": 3.0, "kick": 0.5, "snare": 0.5},
    )


def _style_latin(meter):
    # son clave 3-2 over two bars, conga tumbao, anticipated bass, montuno stabs
    conga = [(0.5, 0.3), (1, 0.8), (1.5, 0.3), (2.5, 0.3), (3, 0.4), (3.5, 1.0)]
    return _Arrangement(
        drums={"clave": [(p, 1.0) for p in (0, 1.5, 3, 5, 6)],
               "conga": conga + [(p + 4, v) for p, v in conga],
               "kick": [(0, 0.3), (4, 0.3)], "shaker": [(p, 0.4) for p in np.arange(0, 8, 0.5)]},
        bars=2,
        bass=[(1.5, 1.4, 7, 0.9), (3, 1.0, 0, 0.9), (5.5, 1.4, 7, 0.9), (7, 1.0, 0, 0.9)],
        chords=[(p, 0.25, 0.8) for p in (0.5, 1.5, 2, 3, 3.5, 4.5, 5.5, 6, 7, 7.5)],
        chord_timbre="stab", chord_octave=12, levels={"clave": 1.4, "chords": 0.7},
    )


def _style_ambient(meter):
    return _Arrangement(bass=[(0, 7.8, 0, 0.5)], bass_timbre="sub", pad=True, bells=0.1,
                        bars=2, chord_bars=2)


_STYLES = {
    "pop": _style_pop, "drums": _style_drums, "dance": _style_dance, "rock": _style_rock,
    "hiphop": _style_hiphop, "funk": _style_funk, "waltz": _style_waltz,
    "jazzwaltz": _style_jazzwaltz, "sixeight": _style_sixeight, "ballad": _style_ballad,
    "punk": _style_punk, "trap": _style_trap, "dnb": _style_dnb, "reggae": _style_reggae,
    "ska": _style_ska, "hats": _style_hats, "latin": _style_latin, "ambient": _style_ambient,
}

#: The demo tracks, in order (``number`` = position + 1).
DEMO_TRACKS: tuple[DemoTrack, ...] = (
    _t(1, "pop_120", 120, 4, 45, "Pop", "Plain Pop", "correct",
       "Kick on 1 and 3, snare on 2 and 4, eighth-note hats, bass and chords: the easy case.",
       ["steady"], first_beat_s=0.5),
    _t(2, "drums_100", 100, 4, 30, "Pop", "Drums Only", "correct",
       "Kick, snare and hats only at a steady 100 BPM: the click-track of the set.",
       ["steady", "drums-only"], first_beat_s=0.5),
    _t(3, "dance_128", 128, 4, 45, "Dance/Electronic", "Four on the Floor", "correct",
       "A kick on every beat, off-beat open hats and bass.", ["steady"], first_beat_s=0.3),
    _t(4, "rock_124", 124, 4, 45, "Rock", "Straight Rock", "correct",
       "Driving eighth-note rock with a crash every four bars.", ["steady"], first_beat_s=0.7,
       key_midi=52),
    _t(5, "hiphop_90", 90, 4, 50, "Hip-Hop", "Swung Sixteenths", "correct",
       "Hip-hop groove with swung sixteenth-note hats and a syncopated kick.",
       ["steady", "swing", "syncopation"], swing=0.62, swing_unit_beats=0.25, first_beat_s=0.4,
       minor=True),
    _t(6, "funk_105", 105, 4, 45, "Funk/Disco", "Syncopated Funk", "lost-lock",
       "Kick and bass on the sixteenths between the beats, off-beat chord stabs: no "
       "stable pulse for the tracker.",
       ["steady", "syncopation"], first_beat_s=0.6, key_midi=52, minor=True),
    _t(7, "waltz_96", 96, 3, 45, "Pop", "Waltz", "correct",
       "Oom-pah-pah in 3/4: bass on 1, chords on 2 and 3.", ["steady", "triple-meter"],
       first_beat_s=0.5, key_midi=55),
    _t(8, "sixeight_156", 156, 6, 45, "Alternative", "Six Eight", "correct",
       "6/8 annotated at the eighth note (positions 1-6), accents on 1 and 4: the beat is "
       "easy, the downbeat (every sixth beat) is not.", ["steady", "compound-meter"], first_beat_s=0.4, minor=True),
    _t(9, "ballad_64", 64, 4, 60, "Pop", "Slow Ballad", "double-tempo",
       "Slow ballad whose eighth-note hats and arpeggio are stronger than the beat.",
       ["steady", "slow"], first_beat_s=0.8, key_midi=60),
    _t(10, "punk_196", 196, 4, 40, "Punk", "Too Fast", "half-tempo",
       "Very fast punk beat; a tempo prior centred near 120 BPM prefers half of it.",
       ["steady", "fast"], first_beat_s=0.3, key_midi=52),
    _t(11, "trap_140", 140, 4, 45, "Hip-Hop", "Half-Time Trap", "half-tempo",
       "Trap at 140 with a half-time feel: one snare per bar on beat 3, quiet hats.",
       ["steady", "half-time-feel"], first_beat_s=0.5, minor=True, key_midi=53),
    _t(12, "dnb_174", 174, 4, 40, "Dance/Electronic", "Drum and Bass", "half-tempo",
       "Drum and bass at 174 BPM; most trackers report 87.", ["steady", "fast"],
       first_beat_s=0.4, minor=True),
    _t(13, "reggae_76", 76, 4, 60, "World", "One Drop", "off-beat",
       "Reggae one-drop: loud skank chords on the off-beats, kick only on beat 3.",
       ["steady", "offbeat-accents", "slow"], first_beat_s=0.9, key_midi=55),
    _t(14, "ska_120", 120, 4, 45, "World", "Upstroke Ska", "off-beat",
       "Ska: loud upstroke chords on every off-beat, quiet drums on the beats.",
       ["steady", "offbeat-accents"], first_beat_s=0.5, key_midi=55),
    _t(15, "hats_72", 72, 4, 50, "Hip-Hop", "Busy Hats", "double-tempo",
       "Loud eighth-note shaker and sixteenth hats dominate soft kick and snare.", ["steady", "fast-hats"],
       first_beat_s=0.6, minor=True),
    _t(16, "drift_84to132", 84, 4, 70, "Rock", "Accelerando", "lost-lock",
       "Tempo rises smoothly from 84 to 132 BPM over the track.", ["tempo-drift"],
       style="pop", tempo_change="drift", tempo_end_bpm=132.0, first_beat_s=0.5),
    _t(17, "step_100to140", 100, 4, 60, "Rock", "Double Time Chorus", "lost-lock",
       "Tempo jumps from 100 to 140 BPM at bar 17.", ["tempo-step"], style="rock",
       tempo_change="step", tempo_end_bpm=140.0, change_bar=17, first_beat_s=0.5, key_midi=52),
    _t(18, "intro_110", 110, 4, 55, "Pop", "Slow Fade In", "lost-lock",
       "Eight bars of sustained chords with no drums before the band comes in.",
       ["steady", "no-drum-intro"], style="pop", intro_bars_without_drums=8, first_beat_s=0.5),
    _t(19, "break_116", 116, 4, 60, "Dance/Electronic", "The Drop", "correct",
       "Drums and bass stop for four bars (dotted-eighth arpeggio, noise riser); a "
       "global-tempo tracker bridges the gap, a purely local one loses it.",
       ["steady", "break"], style="dance", break_bars=(13, 4), first_beat_s=0.5),
    _t(20, "noise_122", 122, 4, 45, "Pop", "Static", "correct",
       "The plain pop groove under white noise at 0 dB SNR.", ["steady", "noise"],
       style="pop", noise="white", snr_db=0.0, first_beat_s=0.5),
    _t(21, "noisy_96", 96, 4, 45, "Rock", "Storm", "lost-lock",
       "Rock groove buried in pink noise with random bursts at -10 dB SNR.",
       ["steady", "noise"], style="rock", noise="pink+bursts", snr_db=-10.0, first_beat_s=0.5,
       key_midi=52),
    _t(22, "ambient_62", 62, 4, 70, "Dance/Electronic", "Drift Away", "lost-lock",
       "No drums: slow pads, a drone and a few bells at random triplet positions.", ["steady", "sparse", "slow"],
       first_beat_s=1.0, key_midi=60),
    _t(23, "latin_100", 100, 4, 45, "World", "Son Clave", "off-beat",
       "Son clave 3-2, conga tumbao and anticipated bass: few strong onsets on the beat.",
       ["steady", "syncopation"], first_beat_s=0.5, key_midi=55, minor=True),
    _t(24, "jazzwaltz_120", 120, 3, 40, "Blues", "Jazz Waltz", "correct",
       "Swung ride cymbal and walking bass in 3/4.",
       ["steady", "swing", "triple-meter"], swing=2 / 3, first_beat_s=0.4, key_midi=53),
)


def demo_track(track_id: str) -> DemoTrack:
    """The spec of one demo track by id.

    Raises
    ------
    ParameterError
        Unknown id; the message lists the ids.
    """
    for spec in DEMO_TRACKS:
        if spec.track_id == track_id:
            return spec
    raise ParameterError(
        f"no demo track {track_id!r}; the ids are {[t.track_id for t in DEMO_TRACKS]}"
    )


# ---------------------------------------------------------------------------------------
# Time: beat index -> seconds
# ---------------------------------------------------------------------------------------


class _TimeMap:
    """Piecewise tempo curve: beat index phi (0 = first beat) to seconds.

    Within a segment of n beats the tempo is linear in phi, from b0 to b1 BPM, so
    dt/dphi = 60 / (b0 + s phi) with s = (b1 - b0) / n and
    t(phi) = 60 phi / b0 (s = 0) or 60 / s * log(1 + s phi / b0).
    """

    def __init__(self, first_beat_s, segments):
        self.segments = []             # (phi0, n_beats, b0, b1, t0)
        phi0, t0 = 0.0, float(first_beat_s)
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
        return out


def _plan(spec: DemoTrack):
    """Number of bars and the time map so that the final downbeat + tail fits duration_s."""
    avail = spec.duration_s - spec.first_beat_s - _TAIL_S
    b0, m = spec.tempo_bpm, spec.meter
    if spec.tempo_change == "steady":
        n_bars = int(avail // (m * 60.0 / b0))
        segments = [(n_bars * m, b0, b0)]
    elif spec.tempo_change == "step":
        pre = spec.change_bar - 1
        rest = avail - pre * m * 60.0 / b0
        n_bars = pre + int(rest // (m * 60.0 / spec.tempo_end_bpm))
        segments = [(pre * m, b0, b0), ((n_bars - pre) * m, spec.tempo_end_bpm, spec.tempo_end_bpm)]
    else:  # drift over the whole track; total time of N beats = 60 N ln(b1/b0) / (b1 - b0)
        b1 = spec.tempo_end_bpm
        n_beats = avail * (b1 - b0) / (60.0 * np.log(b1 / b0))
        n_bars = int(n_beats // m)
        segments = [(n_bars * m, b0, b1)]
    if n_bars < 4:
        raise ParameterError(f"{spec.track_id}: duration_s {spec.duration_s} leaves fewer than 4 bars")
    return n_bars, _TimeMap(spec.first_beat_s, segments)


def _swing(phi, ratio, unit):
    """Delay the second subdivision of each pair: position `unit` in a 2*unit cell -> 2*unit*ratio."""
    if ratio == 0.5:
        return phi
    cell = 2.0 * unit
    q = np.mod(phi, cell)
    return np.where(np.isclose(q, unit), phi - q + cell * ratio, phi)


# ---------------------------------------------------------------------------------------
# Sound: instruments evaluated at tau = n/sr - onset_s (seconds since each hit)
# ---------------------------------------------------------------------------------------

_NYQ = SR / 2.0


def _attack(tau, a):
    return 1.0 - np.exp(tau * np.float32(-1.0 / a))


def _sines(tau, freq_hz, partials):
    """Sum of amp * sin(2 pi r f tau) over the (ratio r, amp) partials below Nyquist.

    tau (m, L) float32 seconds, freq_hz (m, 1). Whole-number ratios 1..R come from one
    sin/cos pair by the recurrence sin((h+1)x) = 2 cos(x) sin(hx) - sin((h-1)x).
    """
    freq_hz = np.asarray(freq_hz, dtype=np.float32)
    out = np.zeros(tau.shape, dtype=np.float32)
    whole = {int(r): a for r, a in partials if float(r).is_integer() and 1 <= r <= 16}
    if whole:
        x = (np.float32(2 * np.pi) * freq_hz) * tau
        s_prev, s_cur = np.zeros_like(x), np.sin(x)
        two_cos = 2 * np.cos(x)
        for h in range(1, max(whole) + 1):
            if h in whole:
                out += np.float32(whole[h]) * (h * freq_hz < _NYQ).astype(np.float32) * s_cur
            s_prev, s_cur = s_cur, two_cos * s_cur - s_prev
    for ratio, amp in partials:
        if int(ratio) in whole and float(ratio).is_integer():
            continue
        f = np.float32(ratio) * freq_hz
        out += (np.float32(amp) * (f < _NYQ)) * np.sin(np.float32(2 * np.pi) * f * tau)
    return out


_TIMBRES = {  # partials (ratio, amp), attack_s, decay_s, level
    "bass": (((1, 1.0), (2, 0.5), (3, 0.3), (4, 0.2), (5, 0.1)), 0.004, 0.5, 0.45),
    "sub": (((1, 1.0), (2, 0.15)), 0.01, 3.0, 0.6),
    "pluck": (((1, 1.0), (2, 0.4), (3, 0.2), (4, 0.1)), 0.004, 0.7, 0.10),
    "epiano": (((1, 1.0), (2, 0.25), (4, 0.1), (7, 0.05)), 0.003, 1.0, 0.10),
    "power": (((1, 1.0), (2, 0.7), (3, 0.5), (4, 0.4), (5, 0.3), (6, 0.2), (8, 0.1)), 0.003, 0.4, 0.07),
    "stab": (((1, 1.0), (2, 0.6), (3, 0.5), (4, 0.4), (5, 0.3), (6, 0.25)), 0.002, 0.15, 0.10),
    "skank": (((1, 1.0), (2, 0.8), (3, 0.6), (4, 0.5), (5, 0.4), (6, 0.3), (8, 0.2)), 0.0015, 0.08, 0.12),
    "pad": (((1, 1.0), (2, 0.3), (3, 0.1)), 0.6, 12.0, 0.05),
    "bell": (((1, 1.0), (2.76, 0.5), (5.4, 0.25), (8.93, 0.1)), 0.002, 1.5, 0.12),
    "arp": (((1, 1.0), (2, 0.3), (3, 0.1)), 0.003, 0.5, 0.08),
}

_DRUM_LEVEL = {"kick": 0.9, "snare": 0.45, "hat": 0.10, "ohat": 0.09, "ride": 0.08, "crash": 0.12,
               "rim": 0.25, "clave": 0.22, "conga": 0.35, "shaker": 0.05, "riser": 0.08}
_DRUM_LENGTH_S = {"kick": 0.6, "snare": 0.4, "hat": 0.15, "ohat": 0.5, "ride": 1.2, "crash": 2.0,
                  "rim": 0.1, "clave": 0.15, "conga": 0.4, "shaker": 0.12}


def _release(tau, dur_s, release_s=0.04):
    return np.clip((dur_s + release_s - tau) / release_s, 0.0, 1.0)


class _Noise:
    """Filtered noise buffers; each hit reads its own random slice (one rng, fixed order)."""

    def __init__(self, rng):
        from scipy import signal

        white = rng.standard_normal(3 * SR)
        bands = {
            "hp": signal.butter(4, 7000.0, btype="highpass", fs=SR, output="sos"),
            "mid": signal.butter(2, [1500.0, 6000.0], btype="bandpass", fs=SR, output="sos"),
            "shaker": signal.butter(2, [5000.0, 10000.0], btype="bandpass", fs=SR, output="sos"),
        }
        self.buf = {}
        for name, sos in bands.items():
            x = signal.sosfilt(sos, white)
            self.buf[name] = (x / np.sqrt(np.mean(x**2))).astype(np.float32)

    def slices(self, name, starts, length):
        return self.buf[name][starts[:, None] + np.arange(length)]


def _drum_sound(name, tau, noise):
    """Waveform of drum `name` at times tau (m, L) after onset; `noise(band)` gives (m, L) noise."""
    if name == "kick":
        sweep_s = 0.03
        phase = 2 * np.pi * (50.0 * tau + 110.0 * sweep_s * (1.0 - np.exp(-tau / sweep_s)))
        return (np.sin(phase) * _attack(tau, 0.001) * np.exp(-tau / 0.22)
                + 0.3 * np.sin(2 * np.pi * 1800.0 * tau) * np.exp(-tau / 0.003))
    if name == "snare":
        body = (np.sin(2 * np.pi * 185.0 * tau) * np.exp(-tau / 0.05)
                + 0.5 * np.sin(2 * np.pi * 330.0 * tau) * np.exp(-tau / 0.04))
        return _attack(tau, 0.001) * (0.6 * body + noise("mid") * np.exp(-tau / 0.10))
    if name in ("hat", "ohat", "crash"):
        decay = {"hat": 0.03, "ohat": 0.18, "crash": 0.8}[name]
        return _attack(tau, 0.0005) * noise("hp") * np.exp(-tau / decay)
    if name == "ride":
        bell = _sines(tau, np.array([[1.0]]), ((3150, 0.3), (4470, 0.25), (5920, 0.2), (7340, 0.1)))
        return _attack(tau, 0.0005) * (0.6 * noise("hp") * np.exp(-tau / 0.35) + bell * np.exp(-tau / 0.5))
    if name == "rim":
        return _sines(tau, np.array([[1.0]]), ((1700, 1.0), (2900, 0.6))) * np.exp(-tau / 0.012)
    if name == "clave":
        return _sines(tau, np.array([[1.0]]), ((2500, 1.0), (5000, 0.2))) * np.exp(-tau / 0.03)
    if name == "conga":
        phase = 2 * np.pi * (300.0 * tau + 80.0 * 0.01 * (1.0 - np.exp(-tau / 0.01)))
        return _attack(tau, 0.001) * np.sin(phase) * np.exp(-tau / 0.12)
    if name == "shaker":
        return np.sin(np.pi * np.clip(tau / 0.06, 0, 1)) * noise("shaker")
    raise ParameterError(f"unknown drum {name!r}")


def _add_events(y, onsets_s, gains, length_s, render, *, max_block=2_000_000):
    """Add one sound per onset into y (in place), vectorised in blocks of hits.

    Hit k starts at sample ``ceil(onset_k * sr)``; ``render(tau, sel)`` returns the
    (m, L) waveforms of hits ``sel`` (a slice) at ``tau = n / sr - onset_k`` seconds
    (float32, computed from the exact float64 offset of the first sample).
    """
    onsets_s = np.asarray(onsets_s, dtype=np.float64)
    gains = np.broadcast_to(np.asarray(gains, dtype=np.float64), onsets_s.shape)
    if onsets_s.size == 0:
        return
    n_len = int(np.ceil(length_s * SR))
    offsets_s = (np.arange(n_len) / SR).astype(np.float32)
    per = max(1, max_block // n_len)
    for a in range(0, onsets_s.size, per):
        sel = slice(a, a + per)
        o = onsets_s[sel]
        start = np.ceil(o * SR).astype(np.int64)
        delta_s = (start / SR - o).astype(np.float32)          # in [0, 1/sr)
        tau = offsets_s[None, :] + delta_s[:, None]
        vals = render(tau, sel) * gains[sel, None].astype(np.float32)
        for k, s0 in enumerate(start):                         # one slice per hit
            s1 = min(s0 + n_len, y.size)
            if s1 > s0:
                y[s0:s1] += vals[k, : s1 - s0]


# ---------------------------------------------------------------------------------------
# Rendering one track
# ---------------------------------------------------------------------------------------


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
        Exact beat times in seconds (the final downbeat included).
    beat_positions : np.ndarray [shape=(n_beats,)], int64
        Position of each beat in its bar, 1 = downbeat.
    bar_numbers : np.ndarray [shape=(n_beats,)], int64
        Bar of each beat, from 1.
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


def _midi_hz(m):
    return 440.0 * 2.0 ** ((np.asarray(m, dtype=np.float64) - 69.0) / 12.0)


_MAJOR = ((0, 4, 7), (7, 11, 14), (9, 12, 16), (5, 9, 12))      # I V vi IV
_MINOR = ((0, 3, 7), (8, 12, 15), (3, 7, 10), (10, 14, 17))     # i VI III VII


def _section_labels(spec, n_bars):
    """One label per bar: intro, then 8-bar verse/chorus blocks (chorus after a tempo step), breaks."""
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


def render_track(spec: DemoTrack, *, seed: int = DEMO_SEED) -> RenderedTrack:
    """Render one demo track: audio, exact beats and downbeats, onsets, sections.

    Parameters
    ----------
    spec : DemoTrack
        One of :data:`DEMO_TRACKS` (or your own).
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
    seed = _check_seed(seed)
    rng = np.random.default_rng([seed, spec.number])
    arr = _STYLES[spec.style](spec.meter)
    n_bars, tmap = _plan(spec)
    m = spec.meter
    n_samples = int(round(spec.duration_s * SR))
    y = np.zeros(n_samples, dtype=np.float64)
    noise = _Noise(rng)
    onsets: dict[str, np.ndarray] = {}

    # -- the beat grid (what the annotations say) ------------------------------------
    phi_beats = np.arange(n_bars * m + 1, dtype=np.float64)
    beat_times_s = tmap(phi_beats)
    positions = (np.arange(phi_beats.size) % m + 1).astype(np.int64)
    bars = (np.arange(phi_beats.size) // m + 1).astype(np.int64)

    # which bars have drums and bass
    bar_idx = np.arange(n_bars)                     # 0-based
    active = bar_idx >= spec.intro_bars_without_drums
    if spec.break_bars:
        first, count = spec.break_bars
        active &= ~((bar_idx >= first - 1) & (bar_idx < first - 1 + count))

    def tile(pattern, bars_mask):
        """Pattern [(pos, *rest)] over `arr.bars` bars -> (phi, rows) over the track."""
        if not pattern:
            return np.empty(0), np.empty((0, 0))
        pat = np.asarray(pattern, dtype=np.float64)
        cycle_beats = arr.bars * m
        n_cycles = -(-n_bars // arr.bars)
        phi = (np.arange(n_cycles)[:, None] * cycle_beats + pat[None, :, 0]).ravel()
        rows = np.tile(pat[:, 1:], (n_cycles, 1))
        bar_of = np.floor(phi / m).astype(np.int64)
        keep = (bar_of < n_bars)
        keep[keep] &= bars_mask[bar_of[keep]]
        return phi[keep], rows[keep]

    def times(phi):
        return tmap(_swing(phi, spec.swing, spec.swing_unit_beats))

    def velocity(v):
        return v * np.clip(1.0 + 0.08 * rng.standard_normal(v.shape), 0.6, 1.4)

    # -- drums -----------------------------------------------------------------------
    drum_hits = {}
    for name, pattern in arr.drums.items():
        phi, rows = tile(pattern, active)
        drum_hits[name] = (phi, rows[:, 0])
    # ending hit
    end_phi = float(n_bars * m)
    ending = ["kick", "crash"] if arr.drums else []
    for name in ending:
        phi, vel = drum_hits.get(name, (np.empty(0), np.empty(0)))
        drum_hits[name] = (np.append(phi, end_phi), np.append(vel, 1.0))

    for name, (phi, vel) in drum_hits.items():
        if phi.size == 0:
            continue
        t_on = times(phi)
        length_s = _DRUM_LENGTH_S[name]
        n_len = int(np.ceil(length_s * SR))
        starts = rng.integers(0, 3 * SR - n_len, size=t_on.size)
        gains = velocity(vel) * _DRUM_LEVEL[name] * arr.levels.get(name, 1.0)

        def render(tau, sel, name=name, starts=starts):
            return _drum_sound(name, tau, lambda band: noise.slices(band, starts[sel], tau.shape[1]))

        _add_events(y, t_on, gains, length_s, render)
        onsets[name] = np.sort(t_on)

    # -- harmony ------------------------------------------------------------------------
    prog = _MINOR if spec.minor else _MAJOR
    chord_of_bar = np.array([prog[(b // arr.chord_bars) % len(prog)] for b in range(n_bars + 1)])

    def tonal(name, timbre, phi, dur_beats, midi, vel, level_scale=1.0):
        if phi.size == 0:
            return
        partials, attack_s, decay_s, level = _TIMBRES[timbre]
        t_on = times(phi)
        t_off = tmap(phi + dur_beats)
        dur_s = np.maximum(t_off - t_on, 0.02)
        freq = _midi_hz(midi)
        gains = velocity(vel) * level * level_scale * arr.levels.get(name, 1.0)

        def render(tau, sel):
            d = dur_s[sel, None].astype(np.float32)
            env = _attack(tau, attack_s) * np.exp(-tau / decay_s) * _release(tau, d)
            return env * _sines(tau, freq[sel, None], partials)

        # notes of similar length share a block length (bins 25 % wide)
        length_bin = np.ceil(np.log(dur_s + 0.05) / np.log(1.25))
        for b in np.unique(length_bin):
            hits = np.flatnonzero(length_bin == b)
            _add_events(y, t_on[hits], gains[hits], float(dur_s[hits].max()) + 0.05,
                        lambda tau, sel, hits=hits: render(tau, hits[sel]))
        onsets.setdefault(name, np.empty(0))
        onsets[name] = np.sort(np.concatenate([onsets[name], t_on]))

    def chord_notes(phi, octave):
        bar_of = np.minimum(np.floor(phi / m).astype(np.int64), n_bars)
        return chord_of_bar[bar_of] + spec.key_midi + octave     # (n, 3)

    # bass
    phi, rows = tile(list(arr.bass), active)
    if phi.size:
        root = chord_of_bar[np.minimum(np.floor(phi / m).astype(np.int64), n_bars), 0]
        midi = (spec.key_midi - 24) + np.mod(root, 12) + rows[:, 1]
        tonal("bass", arr.bass_timbre, phi, rows[:, 0], midi, rows[:, 2])

    # chords (hits of the style), pads, arpeggio, bells
    phi, rows = tile(list(arr.chords), active)
    if phi.size:
        notes = chord_notes(phi, arr.chord_octave)
        tonal("chords", arr.chord_timbre, np.repeat(phi, 3), np.repeat(rows[:, 0], 3),
              notes.ravel(), np.repeat(rows[:, 1], 3))
    # pads: all along when the style has one, else under the bars without drums
    pad_bars = np.ones(n_bars, dtype=bool) if arr.pad else ~active
    if pad_bars.any():
        starts = [(float(p), arr.chord_bars * m - 0.05, 1.0) for p in range(0, arr.bars * m, arr.chord_bars * m)]
        phi, rows = tile(starts, pad_bars)
        notes = chord_notes(phi, -12 if spec.key_midi >= 60 else 0)
        tonal("pad", "pad", np.repeat(phi, 3), np.repeat(rows[:, 0], 3), notes.ravel(),
              np.repeat(rows[:, 1], 3))
    arp = list(arr.arp)
    arp_bars = active
    if spec.break_bars:
        # a dotted-eighth arpeggio fills the break: onsets every 3/4 beat, against the beat
        arp = [(0.75 * i, 0.6, i % 3, 0.9) for i in range(int(arr.bars * m / 0.75))]
        arp_bars = ~active & (bar_idx >= spec.intro_bars_without_drums)
    phi, rows = tile(arp, arp_bars)
    if phi.size:
        notes = chord_notes(phi, 12)
        midi = notes[np.arange(phi.size), rows[:, 1].astype(np.int64)]
        tonal("arp", "arp", phi, rows[:, 0], midi, rows[:, 2])
    if arr.bells:
        # bells on random points of a triplet grid: no pulse to lock on to
        grid = np.arange(3 * n_bars * m) / 3.0
        phi = grid[rng.random(grid.size) < arr.bells]
        notes = chord_notes(phi, 12)
        pick = rng.integers(0, 3, size=phi.size)
        tonal("bells", "bell", phi, np.full(phi.size, 4.0), notes[np.arange(phi.size), pick],
              np.full(phi.size, 0.8))
    # ending chord (not in the drums-only style)
    if arr.bass or arr.chords or arr.pad or arr.arp:
        end_notes = chord_notes(np.array([end_phi]), 0)[0]
        tonal("chords", "pluck" if arr.drums else "bell", np.full(3, end_phi), np.full(3, 4.0),
              end_notes, np.full(3, 1.0), level_scale=2.0)

    # riser in the last bar of a break: noise swelling to the downbeat, no onset
    if spec.break_bars:
        first, count = spec.break_bars
        t_a, t_b = tmap(np.array([(first + count - 2) * m, (first + count - 1) * m], dtype=np.float64))
        i_a, i_b = int(np.ceil(t_a * SR)), int(np.ceil(t_b * SR))
        swell = ((np.arange(i_a, i_b) / SR - t_a) / (t_b - t_a)) ** 3
        y[i_a:i_b] += _DRUM_LEVEL["riser"] * swell * np.resize(noise.buf["mid"], i_b - i_a)

    # -- noise ----------------------------------------------------------------------------
    if spec.noise:
        y += _background_noise(spec, y, rng)

    peak = np.max(np.abs(y))
    audio = (y * (_PEAK / peak)).astype(np.float32)

    labels = _section_labels(spec, n_bars)
    downbeats_s = beat_times_s[::m]
    segments = [(0.0, labels[0])] + [
        (float(downbeats_s[b]), labels[b]) for b in range(1, n_bars) if labels[b] != labels[b - 1]
    ]
    segments.append((float(beat_times_s[-1]), "end"))

    return RenderedTrack(
        spec=spec,
        audio=audio,
        sr=SR,
        beat_times_s=beat_times_s,
        beat_positions=positions,
        bar_numbers=bars,
        onsets_s=onsets,
        segments=tuple(segments),
    )


def _background_noise(spec, y, rng):
    """Noise at spec.snr_db below the music's mean power (whole track)."""
    from scipy import signal

    n = y.size
    x = rng.standard_normal(n)
    if spec.noise.startswith("pink"):
        # Paul Kellet's economy pink filter (-3 dB/octave within ~1 dB)
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


# ---------------------------------------------------------------------------------------
# Mel-spectrogram and files
# ---------------------------------------------------------------------------------------


def _melspec(audio: np.ndarray) -> np.ndarray:
    import librosa

    S = librosa.feature.melspectrogram(y=audio, **MEL_KWARGS)
    return np.ascontiguousarray(S, dtype=np.float32)


def _info_json(seed: int, n_tracks: int) -> dict:
    import librosa
    import scipy

    info = dict(HARMONIX_PARAMS.to_info_json())
    info.update({
        "POWER": MEL_KWARGS["power"],
        "CENTER": MEL_KWARGS["center"],
        "PAD_MODE": MEL_KWARGS["pad_mode"],
        "WINDOW": MEL_KWARGS["window"],
        "generator": _GENERATOR,
        "seed": seed,
        "n_tracks": n_tracks,
        "librosa_version": librosa.__version__,
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
    })
    return info


def _metadata_row(track: RenderedTrack) -> list:
    spec = track.spec
    ibi = np.diff(track.beat_times_s)
    bpm = spec.tempo_bpm if spec.tempo_change == "steady" else 60.0 / float(np.median(ibi))
    # upstream: percentage of bars with 4 beats, the last (single-beat) bar excluded
    counts = np.bincount(track.bar_numbers)[1:-1]
    ratio = 100.0 * float(np.mean(counts == 4))
    return [
        spec.track_id, spec.title, "helpers.synth", "Demo Set", f"{track.audio.size / SR:.3f}",
        f"{round(bpm):d}", f"{ratio:.1f}", spec.time_signature, spec.genre, "", "",
    ]


def _write_track(root: Path, track: RenderedTrack) -> list:
    """Write the mel-spectrogram, beats and segments of one track; return its metadata row."""
    S = _melspec(track.audio)
    tid = track.spec.track_id
    np.save(root / "melspecs" / f"{tid}-mel.npy", S, allow_pickle=False)
    lines = [f"{t:.6f}\t{p:d}\t{b:d}\n" for t, p, b in
             zip(track.beat_times_s, track.beat_positions, track.bar_numbers)]
    (root / "dataset" / "beats_and_downbeats" / f"{tid}.txt").write_text("".join(lines), encoding="ascii")
    seg = "".join(f"{t:.6f} {label}\n" for t, label in track.segments)
    (root / "dataset" / "segments" / f"{tid}.txt").write_text(seg, encoding="ascii")
    return _metadata_row(track)


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _sibling(out: Path, kind: str) -> Path:
    """A new hidden directory next to `out` (``.<name>.<kind>-<pid>-<random>``)."""
    path = out.parent / f".{out.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"
    path.mkdir()
    return path


def _ours(directory: Path) -> bool:
    """Is `directory` empty or a (possibly incomplete) data set made by this module?"""
    if not any(directory.iterdir()):
        return True
    for candidate in (directory / _COMPLETE, directory / "melspecs" / "info.json"):
        info = _read_json(candidate)
        if isinstance(info, dict) and info.get("generator") == _GENERATOR:
            return True
    return False


def generate_demo(
    out_dir,
    *,
    seed: int = DEMO_SEED,
    n_tracks: int = 24,
    overwrite: bool = False,
    progress: bool = True,
) -> Path:
    """Generate the demo data set (mel-spectrograms + annotations) into `out_dir`.

    Parameters
    ----------
    out_dir : str or Path
        Directory to create, e.g. ``data/demo``. Its parent is created if needed.
    seed : int >= 0
        Seed of the performance details (see :func:`render_track`).
    n_tracks : int in [1, 24]
        Generate the first `n_tracks` of :data:`DEMO_TRACKS` (each track is the same
        whatever `n_tracks` is).
    overwrite : bool
        Replace an existing complete demo set. Without it, an existing complete set
        made with the same `seed` and `n_tracks` is left as it is (no-op), and one
        made with other settings raises ParameterError.
    progress : bool
        Show a progress bar (tqdm, on stderr).

    Returns
    -------
    Path
        `out_dir`, holding ``melspecs/``, ``dataset/`` and the ``.complete`` marker.

    Raises
    ------
    ParameterError
        Bad `seed` or `n_tracks`; `out_dir` is a file; `out_dir` holds something
        that this function did not make (it never deletes such a directory, even
        with ``overwrite=True``); or a complete set with other settings exists and
        `overwrite` is False.

    Notes
    -----
    Crash safety: everything is written into a hidden sibling directory
    ``.<name>.partial-*``, which is renamed to `out_dir` only when all files are
    written; the ``.complete`` marker (JSON: generator, seed, track ids) is written
    last. An interrupted run leaves no `out_dir` (or the previous one untouched) and
    never a set that looks complete; an incomplete set made by this function (no
    marker) is replaced on the next call. A run killed hard (SIGKILL) can leave the
    hidden ``.partial-*`` directory behind; delete it by hand.

    The full set (24 tracks, 20 min of audio) takes about 5 s of CPU time
    (2-core machine) and 8 MB on disk.

    Examples
    --------
    >>> from helpers.synth import generate_demo
    >>> from helpers.data import open_dataset
    >>> root = generate_demo("data/demo", progress=False)    # doctest: +SKIP
    >>> ds = open_dataset("demo")                            # doctest: +SKIP
    >>> ds.track_ids[:2]                                     # doctest: +SKIP
    ['d01_pop_120', 'd02_drums_100']
    """
    seed = _check_seed(seed)
    if isinstance(n_tracks, bool) or not isinstance(n_tracks, (int, np.integer)) or not (
        1 <= n_tracks <= len(DEMO_TRACKS)
    ):
        raise ParameterError(f"n_tracks must be an integer in [1, {len(DEMO_TRACKS)}], got {n_tracks!r}")
    n_tracks = int(n_tracks)
    out = Path(out_dir).expanduser().absolute()
    specs = DEMO_TRACKS[:n_tracks]
    wanted = {"generator": _GENERATOR, "seed": seed, "n_tracks": n_tracks,
              "track_ids": [s.track_id for s in specs]}

    if out.exists() and not out.is_dir():
        raise ParameterError(f"out_dir {str(out)!r} exists and is not a directory")
    if out.is_dir():
        if not _ours(out):
            raise ParameterError(
                f"out_dir {str(out)!r} is not empty and was not made by helpers.synth; refusing "
                "to replace it. Choose another directory (the demo set lives in data/demo)."
            )
        marker = _read_json(out / _COMPLETE)
        if marker is not None and not overwrite:
            if marker == wanted:
                return out
            raise ParameterError(
                f"{out} already holds a demo set with seed={marker.get('seed')!r}, "
                f"n_tracks={marker.get('n_tracks')!r}; you asked for seed={seed}, "
                f"n_tracks={n_tracks}. Pass overwrite=True to replace it."
            )

    try:   # a read-only shared data folder: say so now, with the fix
        check_writable(out.parent)
    except OutputError as exc:
        raise OutputError(f"{exc} The demo set would go to {out}: generate it where you can write "
                          "(`python -m helpers demo` without HELPERS_DATA_DIR), or point HELPERS_DATA_DIR "
                          "at a folder that already holds demo/ (a teacher can generate it there once).",
                          path=exc.path, errno=exc.errno) from exc
    tmp = _sibling(out, "partial")
    try:
        for sub in ("melspecs", "dataset/beats_and_downbeats", "dataset/segments"):
            (tmp / sub).mkdir(parents=True)
        rows = []
        bar = _progress(len(specs), progress)
        for spec in specs:
            rows.append(_write_track(tmp, render_track(spec, seed=seed)))
            bar.update(1)
        bar.close()
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(METADATA_COLUMNS)
        writer.writerows(rows)
        (tmp / "dataset" / "metadata.csv").write_text(buf.getvalue(), encoding="utf-8")
        (tmp / "melspecs" / "info.json").write_text(
            json.dumps(_info_json(seed, n_tracks), indent=2) + "\n", encoding="utf-8"
        )
        if out.exists():
            old = _sibling(out, "old")
            os.replace(out, old / "set")
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    marker_tmp = out / (_COMPLETE + ".tmp")
    marker_tmp.write_text(json.dumps(wanted) + "\n", encoding="utf-8")
    os.replace(marker_tmp, out / _COMPLETE)
    return out


class _NoBar:
    def update(self, n):
        pass

    def close(self):
        pass


def _progress(total, enabled):
    if not enabled:
        return _NoBar()
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return _NoBar()
    return tqdm(total=total, desc="demo tracks", unit="track", file=sys.stderr)
