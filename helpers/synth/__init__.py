"""The built-in demo data set: synthetic music with exact beat annotations.

Used when the real Harmonix mel-spectrograms are not installed, and by the tests.
:func:`generate_demo` renders :data:`DEMO_TRACKS` (26 short tracks) with numpy,
computes their mel-spectrograms with exactly the Harmonix parameters and writes a
data set in the Harmonix layout (``docs/CONTRACT.md``)::

    out_dir/melspecs/<track_id>-mel.npy      POWER mel spectrogram, float32, (80, n_frames)
    out_dir/melspecs/info.json               SR, N_MELS, N_FFT, HOP_LENGTH, MEL_FMIN, MEL_FMAX, ...
    out_dir/dataset/beats_and_downbeats/<track_id>.txt   time_s <TAB> position <TAB> bar
    out_dir/dataset/segments/<track_id>.txt              time_s <SPACE> label
    out_dir/dataset/metadata.csv             the Harmonix columns
    out_dir/.complete                        written last

The package, one job per module:

- :mod:`~helpers.synth.tracks` -- the track list: what each track is and is designed for;
- :mod:`~helpers.synth.styles` -- the arrangements (drum, bass and chord patterns);
- :mod:`~helpers.synth.grid` -- the beat grid: beat times, positions, bars (the annotations);
- :mod:`~helpers.synth.sound` -- instrument sounds and mixing planned notes into audio;
- :mod:`~helpers.synth.render` -- one track, layer by layer (drums, bass, harmony, break, noise);
- :mod:`~helpers.synth.melspec` -- its mel-spectrogram, at the Harmonix hop or another one;
- :mod:`~helpers.synth.writer` -- the data set on disk, all or nothing.

Conventions (read these first)
------------------------------
- The annotations are not estimated: every beat time is the exact time (float64
  seconds, written with 6 decimals) at which the renderer started the hits it
  placed on that beat. Hits are placed at sub-sample precision (each one is
  evaluated at ``n / sr - onset_s``), so beats need not fall on a sample.
- Tempo is in BPM of the *annotated* beat. 6/8 tracks are annotated at the eighth
  note (positions 1..6), as most Harmonix 6/8 tracks are; their ``tempo_bpm`` is
  the eighth-note rate (the upstream metadata often lists half of it).
- Bars and positions count from 1. A pickup (anacrusis) is the end of an incomplete
  bar 1: a one-beat pickup in 4/4 is annotated position 4, bar 1, and the first
  downbeat starts bar 2. (Upstream Harmonix files put pickups in bar 1 too, but
  number their positions from 2 whatever their length.) Every track ends with a
  final downbeat (an ending hit) followed by ~2 s of ring-out, like upstream files
  whose last line is ``... 1  <last bar + 1>``.
- The seed changes the performance (velocities, noise, which drum sample is used,
  the ambient bells) but never the beat grid: annotations depend only on the spec.
- Same seed, same library versions, same machine: bit-identical files (no
  threads, no random state outside ``np.random.default_rng``). Adding tracks never
  changes the existing ones (each track has its own generator).

Each track is designed to provoke one behaviour of a tempo-plus-dynamic-programming
beat tracker (``DemoTrack.designed_for``): ``"correct"``, ``"half-tempo"``,
``"double-tempo"``, ``"off-beat"`` or ``"lost-lock"``. The design is an intention;
notebook 04 measures what actually happens. For *downbeat* tracking the hard cases
are tagged in ``DemoTrack.features``: ``triple-meter`` (d07, d24: 3/4),
``compound-meter`` (d08: 6/8 at the eighth note), ``pickup`` (d25: the first beat is
not a downbeat) and ``drum-fills`` (d26: the loudest hits of each phrase land half a
beat before its downbeat).

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
>>> render_track(demo_track("d25_pickup_108")).beat_positions[:3].tolist()
[4, 1, 2]
>>> root = generate_demo("data/demo")          # doctest: +SKIP
"""

from __future__ import annotations

from .melspec import MEL_KWARGS, melspec_params, track_melspec
from .render import DEMO_SEED, RenderedTrack, render_track
from .tracks import DEMO_TRACKS, DESIGNED_FOR, DemoTrack, demo_track
from .writer import METADATA_COLUMNS, generate_demo

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
    "melspec_params",
    "track_melspec",
]
