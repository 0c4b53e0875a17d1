"""Read the Harmonix data exactly: parameters, mel-spectrograms, beats, segments, metadata.

Taught in notebook 01 (``notebooks/01_look_at_the_data.ipynb``).

Conventions (read these first)
------------------------------
- A *data set* is a directory ``melspecs/`` of ``<track_id>-mel.npy`` files plus
  ``info.json``, and an annotation directory ``dataset/`` in the upstream Harmonix
  layout (``beats_and_downbeats/<track_id>.txt``, ``segments/<track_id>.txt``,
  ``metadata.csv``). See ``docs/CONTRACT.md``.
- The analysis parameters (sample rate, hop, FFT size, number of mel bands, mel
  range) come from ``info.json``, never from defaults: :func:`read_params`.
- Mel-spectrograms hold POWER values (``librosa.feature.melspectrogram(power=2)``),
  shape ``(n_mels, n_frames)``. Converting to decibels is an explicit step:
  :func:`power_to_db`.
- Times are in seconds at every public boundary. Frame ``k`` is centred at
  ``k * hop_length / sr`` seconds (librosa's ``center=True`` convention);
  :func:`frames_to_time` and :func:`time_to_frames` are the one place that
  converts.
- Beat times are in seconds, strictly increasing, non-negative (:func:`validate_beats`).

The original brief that this course started from says 128 bands, hop 512 and dB
values in [-80, 0]; the real files have 80 bands, hop 1024 and power values. This
module reads what is there and refuses to guess.

One module per job; import from ``helpers.data`` (every name below is here):

- :mod:`helpers.data.params`      -- info.json (:class:`MelParams`), sr/hop checks, frames <-> seconds, mel frequencies
- :mod:`helpers.data.melspec`     -- .npy files: the header check, loading and checking power values, dB
- :mod:`helpers.data.annotations` -- beat times (the array check), beat and estimate files, segments, metadata.csv
- :mod:`helpers.data.datasets`    -- :class:`Dataset`, :func:`open_dataset`, where data sets live
"""

from __future__ import annotations

from .annotations import (BEATS_PAST_END_TOLERANCE_S, COMMENT_PREFIX, ESTIMATE_DECIMALS, MAX_BEAT_TIME_S, Beats,
                          Segments, TrackMeta, check_beats_fit, format_estimate, load_beats, load_estimate,
                          load_estimate_beats, load_metadata, load_segments, looks_like_frame_indices,
                          median_tempo_bpm, validate_beats)
from .datasets import COMPLETE_MARKER, Dataset, Unpaired, data_root, open_dataset, repo_root
from .melspec import (MELSPEC_SUFFIX, check_melspec, check_power_spectrogram, load_melspec, power_to_db,
                      read_melspec_shape, read_npy_header)
from .params import (HARMONIX_PARAMS, INFO_JSON, MelParams, band_centers_hz, check_rate, frames_to_time, mel_frequencies_hz,
                     read_params, resolve_rate, time_to_frames)

__all__ = [
    "MelParams",
    "HARMONIX_PARAMS",
    "INFO_JSON",
    "MELSPEC_SUFFIX",
    "COMPLETE_MARKER",
    "read_params",
    "check_rate",
    "resolve_rate",
    "frames_to_time",
    "time_to_frames",
    "mel_frequencies_hz",
    "band_centers_hz",
    "load_melspec",
    "check_melspec",
    "check_power_spectrogram",
    "power_to_db",
    "Beats",
    "validate_beats",
    "load_beats",
    "format_estimate",
    "load_estimate",
    "load_estimate_beats",
    "ESTIMATE_DECIMALS",
    "Segments",
    "load_segments",
    "TrackMeta",
    "load_metadata",
    "Unpaired",
    "Dataset",
    "open_dataset",
    "data_root",
    "repo_root",
    "looks_like_frame_indices",
    "median_tempo_bpm",
    "read_melspec_shape",
    "read_npy_header",
    "check_beats_fit",
    "BEATS_PAST_END_TOLERANCE_S",
    "MAX_BEAT_TIME_S",
    "COMMENT_PREFIX",
]
