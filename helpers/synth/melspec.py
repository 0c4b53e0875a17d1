"""Mel-spectrograms of rendered demo tracks: the Harmonix parameters, or the same with another hop.

The demo set on disk uses exactly the Harmonix parameters (:data:`MEL_KWARGS`,
``helpers.data.HARMONIX_PARAMS``). :func:`melspec_params` gives the same analysis
at another hop length, so that the same audio can be seen at another frame rate
(``benchmarks/bench_resolution.py``: what input resolution costs a beat tracker).

Only the hop changes: ``n_fft`` stays 2048 (93 ms), so every hop analyses the same
windows of the same audio and only samples them more or less often. Scaling the
window with the hop would change two things at once (time *and* frequency
resolution: at ``n_fft=512`` a bin is 43 Hz wide and the lowest of the 80 mel bands
would be empty).
"""

from __future__ import annotations

import numpy as np

from ..data import HARMONIX_PARAMS, MelParams
from ..errors import ParameterError

__all__ = ["MEL_KWARGS", "mel_kwargs", "melspec_params", "track_melspec"]


def mel_kwargs(mel_params: MelParams) -> dict:
    """Keyword arguments of ``librosa.feature.melspectrogram`` for these parameters.

    Hann window, ``center=True``, ``pad_mode="constant"`` (librosa's default since 0.9 --
    librosa 0.7.0, used for the published files, padded with ``"reflect"``: only the
    frames at the two edges differ), power 2 (a POWER spectrogram).
    """
    return {
        "sr": mel_params.sr,
        "n_fft": mel_params.n_fft,
        "hop_length": mel_params.hop_length,
        "win_length": None,
        "window": "hann",
        "center": True,
        "pad_mode": "constant",
        "power": 2.0,
        "n_mels": mel_params.n_mels,
        "fmin": mel_params.fmin,
        "fmax": mel_params.fmax,
    }


#: Keyword arguments of ``librosa.feature.melspectrogram`` for the demo set on disk:
#: the Harmonix parameters (see :func:`mel_kwargs`).
MEL_KWARGS = mel_kwargs(HARMONIX_PARAMS)


def melspec_params(*, hop_length: int = HARMONIX_PARAMS.hop_length) -> MelParams:
    """The demo set's mel parameters with another hop: sr, n_fft, n_mels, fmin, fmax of Harmonix.

    Parameters
    ----------
    hop_length : int in [1, 2048]
        Hop in samples (1024 = Harmonix, 21.5 frames/s; 512 = 43.1; 256 = 86.1).
        At most ``n_fft`` = 2048, so that no audio is skipped between windows.

    Returns
    -------
    helpers.data.MelParams

    Raises
    ------
    ParameterError
        `hop_length` is not an integer in [1, 2048].

    Examples
    --------
    >>> p = melspec_params(hop_length=256)
    >>> p.sr, p.n_fft, p.hop_length, round(p.frame_rate_hz, 1)
    (22050, 2048, 256, 86.1)
    """
    n_fft = HARMONIX_PARAMS.n_fft
    if isinstance(hop_length, bool) or not isinstance(hop_length, (int, np.integer)) or not (
        1 <= hop_length <= n_fft
    ):
        raise ParameterError(f"hop_length must be an integer in [1, {n_fft}] (n_fft), got {hop_length!r}")
    return MelParams(sr=HARMONIX_PARAMS.sr, hop_length=int(hop_length), n_fft=n_fft,
                     n_mels=HARMONIX_PARAMS.n_mels, fmin=HARMONIX_PARAMS.fmin, fmax=HARMONIX_PARAMS.fmax)


def track_melspec(track, *, mel_params: MelParams = HARMONIX_PARAMS) -> np.ndarray:
    """The POWER mel-spectrogram of a rendered track (what the demo set stores, at any hop).

    Parameters
    ----------
    track : RenderedTrack
        From :func:`helpers.synth.render_track`.
    mel_params : helpers.data.MelParams
        Default: the Harmonix parameters (the files of the demo set, bit for bit);
        :func:`melspec_params` for another hop. Its ``sr`` must be the track's.

    Returns
    -------
    S_power : np.ndarray [shape=(n_mels, 1 + n_samples // hop_length)], float32
        ``librosa.feature.melspectrogram(y=track.audio, **mel_kwargs(mel_params))``.

    Raises
    ------
    ParameterError
        `mel_params` is not a MelParams, or its sr is not the track's.

    Examples
    --------
    >>> from helpers.synth import demo_track, render_track
    >>> track = render_track(demo_track("d02_drums_100"))
    >>> track_melspec(track, mel_params=melspec_params(hop_length=512)).shape
    (80, 1292)
    """
    if not isinstance(mel_params, MelParams):
        raise ParameterError(f"mel_params must be a helpers.data.MelParams (e.g. melspec_params(hop_length=512)), "
                             f"got {type(mel_params).__name__}")
    if mel_params.sr != track.sr:
        raise ParameterError(f"mel_params.sr is {mel_params.sr} Hz but the track is rendered at {track.sr} Hz; "
                             "use melspec_params(hop_length=...) to keep the track's rate.")
    import librosa

    S = librosa.feature.melspectrogram(y=track.audio, **mel_kwargs(mel_params))
    return np.ascontiguousarray(S, dtype=np.float32)
