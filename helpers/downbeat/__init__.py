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

One module per job; import from ``helpers.downbeat`` (every name below is here):

- :mod:`helpers.downbeat.evidence`    -- per-beat evidence: segments, bass onset, beat spectra, harmonic change, tiles
- :mod:`helpers.downbeat.bars`        -- the decisions: meter salience and choice, downbeat evidence, phase, Viterbi
- :mod:`helpers.downbeat.track`       -- :func:`track_downbeats`, :class:`DownbeatParams`, :class:`DownbeatResult`
- :mod:`helpers.downbeat.annotations` -- bars in an annotation: :func:`usual_bar_length`, :func:`downbeat_offset`
"""

from __future__ import annotations

from .annotations import MATCH_WINDOW_S, downbeat_offset, usual_bar_length
from .bars import (BASS_WEIGHT, CHANGE_WEIGHT, DEFAULT_METER, METERS, SWITCH_PENALTY, MeterEstimate, choose_meter,
                   downbeat_evidence, meter_salience, phase_scores, positions_from_phase, standardize,
                   viterbi_positions)
from .evidence import (CHANGE_WINDOW_BEATS, HARMONY_FMAX_HZ, TILE_SLOTS, bass_onset_at_beats, bass_onset_at_frames,
                       beat_segments, beat_spectra, beat_tiles, harmonic_change, lag_similarity)
from .track import RESYNC, DownbeatParams, DownbeatResult, DownbeatWarning, track_downbeats

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
    "bass_onset_at_frames",
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
    "MATCH_WINDOW_S",
]
