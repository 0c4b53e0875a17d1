"""The baselines to beat: librosa's beat tracker run on our mel-spectrograms, stock and aligned.

Conventions: beat times in seconds, increasing; ``sr`` and ``hop_length`` come
from the data (``info.json``), never from librosa's hidden defaults
(``sr=22050, hop_length=512`` would put every beat at half its true time on
hop-1024 data).

Two baselines, both librosa's Ellis-style tracker on ``power_to_db(S)``:

- :func:`librosa_beats` -- **stock** librosa, exactly as a user would call it.
  ``onset_strength(S=...)`` defaults to ``center=True``, which pads the onset envelope
  by ``lag + n_fft // (2 * hop_length)`` frames: 1 + 2048 // 2048 = 2 frames at
  Harmonix's hop, one more than the difference itself needs. Its beats therefore
  come **one frame (46.4 ms) late**, two thirds of the F-measure's +-70 ms window.
  (``n_fft // (2 * hop)`` is meant for a spectrogram computed from audio with its own
  window; on a given spectrogram it only shifts the curve.)
- :func:`librosa_aligned_beats` -- the **same tracker without that lag**
  (``onset_strength(..., center=False)``: padded by ``lag`` = 1 frame only, so the value
  at frame ``k`` is the increase from frame ``k - 1`` to ``k``, the course's own
  convention). This is the fair, like-for-like opponent; notebooks 02-04 show both.

librosa is imported inside the functions, not at module import: importing it
takes a second or more, and its beat tracker is compiled by numba on first use
(20-50 s cold, cached afterwards under ``NUMBA_CACHE_DIR``). The course's own
tracker, :func:`helpers.beat.track_beats`, has neither cost.

Taught in notebook 02 (the baselines and the lag) and used in notebooks 03-04 (validation).
"""

from __future__ import annotations

import numpy as np

from .checks import check_bool
from .data import check_power_spectrogram, check_rate

__all__ = ["librosa_onset_strength", "librosa_beats", "librosa_aligned_beats", "librosa_beats_and_tempo",
           "librosa_tempo_bpm"]


def _check(S_power, sr, hop_length) -> np.ndarray:
    # Same checks as the reference tracker, so both fail the same way.
    check_rate(sr, hop_length)
    return check_power_spectrogram(S_power)


def librosa_onset_strength(S_power, *, sr: float, hop_length: int, center: bool = True) -> np.ndarray:
    """librosa's onset strength (spectral flux of the dB mel), one value per frame.

    Parameters
    ----------
    S_power : np.ndarray [shape=(n_mels, n_frames)]
        POWER mel spectrogram (not dB), non-negative and finite.
    sr : float
        Sample rate in Hz of the audio the spectrogram was made from.
    hop_length : int
        Hop in samples between frames.
    center : bool
        librosa's default ``True`` pads the envelope by ``lag + n_fft // (2 * hop_length)``
        frames (2 at hop 1024: one frame late); ``False`` pads by ``lag`` only (aligned
        with the frames, as :func:`helpers.novelty.spectral_flux`).

    Returns
    -------
    onset_env : np.ndarray [shape=(n_frames,)]
        ``librosa.onset.onset_strength(S=librosa.power_to_db(S_power), sr=sr,
        hop_length=hop_length, center=center)``.
    """
    S = _check(S_power, sr, hop_length)
    center = check_bool(center, name="center", hint="True: librosa's default; False: the aligned baseline")
    import librosa

    return librosa.onset.onset_strength(
        S=librosa.power_to_db(S), sr=sr, hop_length=hop_length, center=bool(center)
    )


def librosa_beats_and_tempo(S_power, *, sr: float, hop_length: int, center: bool = True) -> tuple[np.ndarray, float]:
    """librosa's beats (s) and its global tempo (BPM) from one ``beat_track`` call.

    ``librosa.beat.beat_track`` returns both: the tempo it estimated
    (``librosa.feature.tempo`` on the same onset envelope) and the beats it tracked at that
    tempo. ``center=True`` is stock librosa (:func:`librosa_beats`), ``center=False`` the
    aligned baseline (:func:`librosa_aligned_beats`); the tempo is the same for both (a
    shift of the envelope does not change its periodicity).

    Returns
    -------
    beat_times_s : np.ndarray [shape=(n_beats,)]
    tempo_bpm : float
    """
    onset_env = librosa_onset_strength(S_power, sr=sr, hop_length=hop_length, center=center)
    import librosa

    tempo, beat_times_s = librosa.beat.beat_track(
        onset_envelope=onset_env, sr=sr, hop_length=hop_length, units="time"
    )
    return np.asarray(beat_times_s, dtype=float), float(np.atleast_1d(tempo)[0])


def _librosa_beat_times(S_power, *, sr: float, hop_length: int, center: bool) -> np.ndarray:
    return librosa_beats_and_tempo(S_power, sr=sr, hop_length=hop_length, center=center)[0]


def librosa_beats(S_power, *, sr: float, hop_length: int) -> np.ndarray:
    """Beat times (s) from librosa's ``beat_track`` on a POWER mel spectrogram.

    Exactly::

        onset_env = librosa.onset.onset_strength(S=librosa.power_to_db(S_power),
                                                 sr=sr, hop_length=hop_length)
        librosa.beat.beat_track(onset_envelope=onset_env, sr=sr,
                                hop_length=hop_length, units="time")[1]

    Parameters
    ----------
    S_power : np.ndarray [shape=(n_mels, n_frames)]
        POWER mel spectrogram (not dB), non-negative and finite.
    sr : float
        Sample rate in Hz (22050 for Harmonix).
    hop_length : int
        Hop in samples (1024 for Harmonix).

    Returns
    -------
    beat_times_s : np.ndarray [shape=(n_beats,)]
        Increasing beat times in seconds (frame k is at ``k * hop_length / sr``).

    Raises
    ------
    ParameterError
        If the spectrogram is not 2-D, finite and non-negative, or sr/hop are not positive.

    See Also
    --------
    librosa_aligned_beats : the same without the one-frame lag (the fair comparison).
    helpers.beat.track_beats : the course's reference tracker (plain numpy, no JIT).

    References
    ----------
    Ellis, D. P. W. (2007). Beat tracking by dynamic programming. JNMR 36(1), 51-60.

    Examples
    --------
    >>> import numpy as np
    >>> S = np.zeros((80, 400), dtype=np.float32); S[:, ::11] = 1.0
    >>> beats = librosa_beats(S, sr=22050, hop_length=1024)  # doctest: +SKIP
    """
    return _librosa_beat_times(S_power, sr=sr, hop_length=hop_length, center=True)


def librosa_aligned_beats(S_power, *, sr: float, hop_length: int) -> np.ndarray:
    """Beat times (s) from librosa's ``beat_track`` without the one-frame lag of its onset envelope.

    Exactly :func:`librosa_beats` with ``center=False`` in ``onset_strength``::

        onset_env = librosa.onset.onset_strength(S=librosa.power_to_db(S_power), sr=sr,
                                                 hop_length=hop_length, center=False)
        librosa.beat.beat_track(onset_envelope=onset_env, sr=sr,
                                hop_length=hop_length, units="time")[1]

    On a click train its beats fall on the clicks (within a few ms); stock librosa's
    fall one frame (46.4 ms at hop 1024) later. Same parameters, returns and errors as
    :func:`librosa_beats`.

    See Also
    --------
    librosa_beats : stock librosa (``center=True``), one frame late on these data.
    """
    return _librosa_beat_times(S_power, sr=sr, hop_length=hop_length, center=False)


def librosa_tempo_bpm(S_power, *, sr: float, hop_length: int) -> float:
    """librosa's global tempo estimate (BPM) with ``librosa.feature.tempo``.

    (``librosa.beat.tempo`` was deprecated in 0.10 and is gone in 1.0; this uses
    the new location.)
    """
    onset_env = librosa_onset_strength(S_power, sr=sr, hop_length=hop_length)
    import librosa

    tempo = librosa.feature.tempo(onset_envelope=onset_env, sr=sr, hop_length=hop_length)
    return float(np.atleast_1d(tempo)[0])
