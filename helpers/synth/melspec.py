"""Mel-spectrograms of rendered demo tracks: the Harmonix parameters, or the same with another hop.

The demo set on disk uses exactly the Harmonix parameters (:data:`MEL_KWARGS`,
``helpers.data.HARMONIX_PARAMS``). :func:`melspec_params` gives the same analysis
at another hop length, so that the same audio can be seen at another frame rate
(``benchmarks/bench_resolution.py``: what input resolution costs a beat tracker).

By default only the hop changes: ``n_fft`` stays 2048 (93 ms), so every hop
analyses the same windows of the same audio and only samples them more or less
often (every 2nd frame at hop 512 *is* the hop-1024 frame). ``n_fft`` can be scaled
with the hop instead (``n_fft=2 * hop_length``): then the window shrinks too, which
changes time and frequency resolution at once. The difference matters: frames are
centred (``center=True``), so an onset enters a frame's window up to ``n_fft / 2``
samples before the frame's time, and a finely sampled flux of a long window peaks
before the onset (by ~25 ms at hop 256 with ``n_fft=2048`` on the demo drums).
"""

from __future__ import annotations

import numpy as np

from ..data import HARMONIX_PARAMS, MelParams
from ..checks import check_int_at_least
from ..errors import ParameterError

__all__ = ["MEL_KWARGS", "mel_kwargs", "melspec_params", "track_melspec"]

#: Smallest window accepted by :func:`melspec_params`: at sr 22050 with 80 mel bands, n_fft 256
#: leaves 2 bands without any FFT bin (librosa warns "Empty filters"); 512 leaves none.
_MIN_N_FFT = 512


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


def melspec_params(*, hop_length: int = HARMONIX_PARAMS.hop_length,
                   n_fft: int = HARMONIX_PARAMS.n_fft) -> MelParams:
    """The demo set's mel parameters with another hop (and window): sr, n_mels, fmin, fmax of Harmonix.

    Parameters
    ----------
    hop_length : int in [1, n_fft]
        Hop in samples (1024 = Harmonix, 21.5 frames/s; 512 = 43.1; 256 = 86.1).
        At most ``n_fft``, so that no audio is skipped between windows.
    n_fft : int in [512, 8192]
        Window (FFT) length in samples; default Harmonix's 2048 (only the frame rate
        changes). ``2 * hop_length`` shrinks the window with the hop. Below 512, some
        of the 80 mel bands would get no FFT bin at all.

    Returns
    -------
    helpers.data.MelParams

    Raises
    ------
    ParameterError
        `hop_length` or `n_fft` is not an integer in its range.

    Examples
    --------
    >>> p = melspec_params(hop_length=256)
    >>> p.sr, p.n_fft, p.hop_length, round(p.frame_rate_hz, 1)
    (22050, 2048, 256, 86.1)
    >>> melspec_params(hop_length=256, n_fft=512).n_fft
    512
    """
    n_fft = check_int_at_least(n_fft, _MIN_N_FFT, maximum=8192, name="n_fft", unit="samples")
    hop_length = check_int_at_least(hop_length, 1, maximum=n_fft, name="hop_length", unit="samples",
                                    hint="at most n_fft")
    return MelParams(sr=HARMONIX_PARAMS.sr, hop_length=hop_length, n_fft=n_fft,
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
