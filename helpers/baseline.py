"""The baseline to beat: librosa's beat tracker run on our mel-spectrograms.

Conventions: beat times in seconds, increasing; ``sr`` and ``hop_length`` come
from the data (``info.json``), never from librosa's hidden defaults
(``sr=22050, hop_length=512`` would put every beat at half its true time on
hop-1024 data).

librosa is imported inside the functions, not at module import: importing it
takes a second or more, and its beat tracker is compiled by numba on first use
(20-50 s cold, cached afterwards under ``NUMBA_CACHE_DIR``). The course's own
tracker, :func:`helpers.beat.track_beats`, has neither cost.

Taught in notebook 02 (the baseline) and used in notebook 03 (validation).
"""

from __future__ import annotations

import numpy as np

from .errors import ParameterError

__all__ = ["librosa_onset_strength", "librosa_beats", "librosa_tempo_bpm"]


def _check(S_power, sr, hop_length) -> np.ndarray:
    # Same checks as the reference tracker, so both fail the same way.
    from .data import check_rate
    from .novelty import _validate_power

    check_rate(sr, hop_length)
    return _validate_power(S_power)


def librosa_onset_strength(S_power, *, sr: float, hop_length: int) -> np.ndarray:
    """librosa's onset strength (spectral flux of the dB mel), one value per frame.

    Parameters
    ----------
    S_power : np.ndarray [shape=(n_mels, n_frames)]
        POWER mel spectrogram (not dB), non-negative and finite.
    sr : float
        Sample rate in Hz of the audio the spectrogram was made from.
    hop_length : int
        Hop in samples between frames.

    Returns
    -------
    onset_env : np.ndarray [shape=(n_frames,)]
        ``librosa.onset.onset_strength(S=librosa.power_to_db(S_power), sr=sr, hop_length=hop_length)``.
    """
    S = _check(S_power, sr, hop_length)
    import librosa

    return librosa.onset.onset_strength(
        S=librosa.power_to_db(S), sr=sr, hop_length=hop_length
    )


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
    S = _check(S_power, sr, hop_length)
    import librosa

    onset_env = librosa.onset.onset_strength(
        S=librosa.power_to_db(S), sr=sr, hop_length=hop_length
    )
    _, beat_times_s = librosa.beat.beat_track(
        onset_envelope=onset_env, sr=sr, hop_length=hop_length, units="time"
    )
    return np.asarray(beat_times_s, dtype=float)


def librosa_tempo_bpm(S_power, *, sr: float, hop_length: int) -> float:
    """librosa's global tempo estimate (BPM) with ``librosa.feature.tempo``.

    (``librosa.beat.tempo`` was deprecated in 0.10 and is gone in 1.0; this uses
    the new location.)
    """
    S = _check(S_power, sr, hop_length)
    import librosa

    onset_env = librosa.onset.onset_strength(
        S=librosa.power_to_db(S), sr=sr, hop_length=hop_length
    )
    tempo = librosa.feature.tempo(onset_envelope=onset_env, sr=sr, hop_length=hop_length)
    return float(np.atleast_1d(tempo)[0])
