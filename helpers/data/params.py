"""The analysis parameters of a data set (its info.json), and the one conversion between frames and seconds.

- :class:`MelParams` holds sr, hop, FFT size, mel bands and mel range;
  :func:`read_params` reads them from ``info.json`` and refuses to guess.
- :func:`check_rate` is the one check of ``sr`` and ``hop_length``;
  :func:`resolve_rate` takes them either explicitly or from a ``MelParams``.
- Frame ``k`` is centred at ``k * hop_length / sr`` seconds (librosa's ``center=True``):
  :func:`frames_to_time` and :func:`time_to_frames` are the one place that converts.
- :func:`mel_frequencies_hz`: the centre frequencies of the mel bands, without librosa.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..checks import check_int_at_least, check_number, check_positive
from ..errors import DataError, DataMissingError, ParameterError

__all__ = [
    "INFO_JSON",
    "MelParams",
    "HARMONIX_PARAMS",
    "read_params",
    "check_rate",
    "resolve_rate",
    "frames_to_time",
    "time_to_frames",
    "mel_frequencies_hz",
    "band_centers_hz",
]

INFO_JSON = "info.json"

#: Keys of info.json that define the analysis, and the type each must have.
_INFO_KEYS = {
    "SR": int,
    "N_MELS": int,
    "N_FFT": int,
    "HOP_LENGTH": int,
    "MEL_FMIN": float,
    "MEL_FMAX": float,  # may also be null
}


@dataclass(frozen=True)
class MelParams:
    """The analysis parameters of a set of mel-spectrograms (from its info.json).

    Parameters
    ----------
    sr : int
        Sample rate of the audio the spectrograms were computed from, in Hz.
    hop_length : int
        Hop between frames, in samples.
    n_fft : int
        FFT window length, in samples.
    n_mels : int
        Number of mel bands (rows of each array).
    fmin : float
        Lowest mel band edge, in Hz.
    fmax : float or None
        Highest mel band edge, in Hz; None means ``sr / 2`` (librosa's default).

    Examples
    --------
    >>> from helpers.data import HARMONIX_PARAMS as p
    >>> round(p.frame_rate_hz, 2), round(1000 * p.frame_duration_s, 1)
    (21.53, 46.4)
    """

    sr: int
    hop_length: int
    n_fft: int
    n_mels: int
    fmin: float = 0.0
    fmax: float | None = None

    def __post_init__(self):
        for name in ("sr", "hop_length", "n_fft", "n_mels"):
            check_int_at_least(getattr(self, name), 1, name=f"MelParams.{name}")
        check_number(self.fmin, name="MelParams.fmin", low=0, high=self.sr / 2, high_inclusive=False, unit="Hz",
                     hint="sr / 2 is the highest frequency the audio holds")
        if self.fmax is not None:
            check_number(self.fmax, name="MelParams.fmax", low=self.fmin, low_inclusive=False, high=self.sr / 2,
                         unit="Hz", hint="above fmin and at most sr / 2, or None for sr / 2")

    @property
    def frame_rate_hz(self) -> float:
        """Frames per second, ``sr / hop_length`` (21.53 for Harmonix)."""
        return self.sr / self.hop_length

    @property
    def frame_duration_s(self) -> float:
        """Seconds between frames, ``hop_length / sr`` (46.4 ms for Harmonix)."""
        return self.hop_length / self.sr

    @property
    def fmax_hz(self) -> float:
        """The effective upper mel edge in Hz (``sr / 2`` when ``fmax`` is None)."""
        return self.sr / 2 if self.fmax is None else float(self.fmax)

    def frames_to_time(self, frames) -> np.ndarray:
        """Frame indices to seconds; see :func:`frames_to_time`."""
        return frames_to_time(frames, sr=self.sr, hop_length=self.hop_length)

    def time_to_frames(self, times_s) -> np.ndarray:
        """Seconds to the nearest frame index; see :func:`time_to_frames`."""
        return time_to_frames(times_s, sr=self.sr, hop_length=self.hop_length)

    def duration_s(self, n_frames: int) -> float:
        """Duration covered by ``n_frames`` frames: ``n_frames * hop_length / sr``."""
        return n_frames * self.hop_length / self.sr

    def mel_frequencies_hz(self) -> np.ndarray:
        """Centre frequency of each mel band in Hz, shape ``(n_mels,)``."""
        return mel_frequencies_hz(self.n_mels + 2, fmin=self.fmin, fmax=self.fmax_hz)[1:-1]

    def to_info_json(self) -> dict:
        """The info.json keys (Harmonix spelling) for these parameters."""
        return {
            "SR": int(self.sr),
            "N_MELS": int(self.n_mels),
            "N_FFT": int(self.n_fft),
            "HOP_LENGTH": int(self.hop_length),
            "MEL_FMIN": self.fmin,
            "MEL_FMAX": self.fmax,
        }

    def specshow_kwargs(self) -> dict:
        """Keyword arguments for ``librosa.display.specshow`` so its axes are in s and Hz."""
        return {
            "sr": self.sr,
            "hop_length": self.hop_length,
            "n_fft": self.n_fft,
            "fmin": self.fmin,
            "fmax": self.fmax_hz,
            "x_axis": "time",
            "y_axis": "mel",
        }


#: The parameters of the published Harmonix mel-spectrograms (their info.json).
#: For checks and for generating data; code that reads data uses :func:`read_params`.
HARMONIX_PARAMS = MelParams(sr=22050, hop_length=1024, n_fft=2048, n_mels=80, fmin=0.0, fmax=None)


def read_params(path: str | os.PathLike) -> MelParams:
    """Read the analysis parameters from ``info.json``.

    Parameters
    ----------
    path : str or Path
        The ``info.json`` file, or the directory of mel-spectrograms holding it.

    Returns
    -------
    MelParams

    Raises
    ------
    DataMissingError
        If there is no info.json.
    DataError
        If it is not valid JSON, or a key is missing or has an impossible value.
        Extra keys are allowed and ignored.

    Examples
    --------
    >>> params = read_params("data/demo/melspecs")            # doctest: +SKIP
    >>> params.sr, params.hop_length, params.n_mels            # doctest: +SKIP
    (22050, 1024, 80)
    """
    path = Path(path)
    info_path = path / INFO_JSON if path.is_dir() else path
    if not path.exists():
        raise DataMissingError(
            f"{path}: no such folder or file. Give the folder of <track_id>-mel.npy files and "
            "their info.json (`python -m helpers data status` lists what is installed)."
        )
    if not info_path.is_file():
        raise DataMissingError(
            f"{info_path}: no info.json. A mel-spectrogram directory must hold the info.json "
            "that came with it (SR, N_MELS, N_FFT, HOP_LENGTH, MEL_FMIN, MEL_FMAX); "
            "re-install the data set (`python -m helpers data status` says how)."
        )
    try:
        info = json.loads(info_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(
            f"not valid JSON ({exc}); restore the original info.json of the data set.",
            path=info_path,
        ) from None
    if not isinstance(info, dict):
        raise DataError(
            f"expected a JSON object with keys {sorted(_INFO_KEYS)}, got {type(info).__name__}; "
            "restore the original info.json of the data set.",
            path=info_path,
        )
    values = {}
    for key, kind in _INFO_KEYS.items():
        if key not in info:
            raise DataError(
                f"missing key {key!r}; info.json needs {sorted(_INFO_KEYS)} "
                "(the Harmonix file has SR 22050, N_MELS 80, N_FFT 2048, HOP_LENGTH 1024, "
                "MEL_FMIN 0, MEL_FMAX null).",
                path=info_path,
            )
        value = info[key]
        if key == "MEL_FMAX" and value is None:
            values[key] = None
            continue
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        if ok and kind is int:
            ok = float(value).is_integer()
        if not ok:
            raise DataError(
                f"key {key!r} must be {'an integer' if kind is int else 'a number'}, got {value!r}; "
                "write it as a plain JSON number, or restore the original info.json of the data set.",
                path=info_path,
            )
        values[key] = kind(value)
    try:
        return MelParams(
            sr=values["SR"],
            hop_length=values["HOP_LENGTH"],
            n_fft=values["N_FFT"],
            n_mels=values["N_MELS"],
            fmin=values["MEL_FMIN"],
            fmax=values["MEL_FMAX"],
        )
    except ParameterError as exc:
        raise DataError(
            f"impossible parameters: {exc}; restore the original info.json of the data set.",
            path=info_path,
        ) from None


def check_rate(sr, hop_length) -> None:
    """Refuse an ``sr`` that is not a positive number or a ``hop_length`` that is not a whole number >= 1.

    The one check used by every function that takes them (time conversions, novelty,
    tracker, baseline); the message says where the right values come from.

    Raises
    ------
    ParameterError
        As :func:`helpers.checks.check_positive` and :func:`helpers.checks.check_int_at_least`.
    """
    check_positive(sr, name="sr", unit="samples per second",
                   fix="Read it from the data: helpers.data.read_params(melspec_dir).sr (22050 for Harmonix), "
                       "never from a default.")
    check_int_at_least(hop_length, 1, name="hop_length", unit="samples",
                       fix="Read it from the data: helpers.data.read_params(melspec_dir).hop_length (1024 for "
                           "Harmonix), never from a default.")


def resolve_rate(sr, hop_length, mel_params) -> tuple[float, int]:
    """``(sr, hop_length)`` given either explicitly or as a :class:`MelParams`, checked.

    The one rule of every function that takes ``sr=, hop_length=`` or ``mel_params=``
    (novelty, tracker, downbeats): exactly one of the two ways, and the values pass
    :func:`check_rate`.

    Parameters
    ----------
    sr : float or None
        Sample rate in Hz.
    hop_length : int or None
        Hop in samples.
    mel_params : MelParams or None
        Anything with ``.sr`` and ``.hop_length``, instead of ``sr`` and ``hop_length``.

    Returns
    -------
    sr : float
    hop_length : int

    Raises
    ------
    ParameterError
        Both ways given, neither, or values that :func:`check_rate` refuses.

    Examples
    --------
    >>> resolve_rate(None, None, HARMONIX_PARAMS)
    (22050.0, 1024)
    >>> resolve_rate(22050, 512, None)
    (22050.0, 512)
    """
    if mel_params is not None:
        if sr is not None or hop_length is not None:
            raise ParameterError(
                "give either mel_params=MelParams(...) or sr= and hop_length=, not both "
                f"(got mel_params={mel_params!r}, sr={sr!r}, hop_length={hop_length!r})."
            )
        try:
            sr, hop_length = mel_params.sr, mel_params.hop_length
        except AttributeError:
            raise ParameterError(
                f"mel_params={mel_params!r} has no .sr/.hop_length; pass a helpers.data.MelParams "
                "(e.g. helpers.data.read_params(melspec_dir))."
            ) from None
    elif sr is None or hop_length is None:
        raise ParameterError(
            f"sr and hop_length are required (got sr={sr!r}, hop_length={hop_length!r}); "
            "pass them from the data, e.g. mel_params=helpers.data.read_params(melspec_dir)."
        )
    check_rate(sr, hop_length)
    return float(sr), int(hop_length)


def frames_to_time(frames, *, sr: float, hop_length: int) -> np.ndarray:
    """Convert frame indices (integer or fractional) to seconds.

    Frame ``k`` of a centred STFT (librosa's ``center=True``, which the Harmonix
    files use) is centred on sample ``k * hop_length``, so it sits at
    ``k * hop_length / sr`` seconds. Fractional indices (from sub-frame refinement)
    convert the same way.

    Parameters
    ----------
    frames : array_like
        Frame indices.
    sr : float
        Sample rate in Hz (from info.json).
    hop_length : int
        Hop in samples (from info.json).

    Returns
    -------
    times_s : np.ndarray [shape=frames.shape], float64

    Examples
    --------
    >>> frames_to_time([0, 1, 21.5], sr=22050, hop_length=1024)
    array([0.        , 0.04643991, 0.99845805])
    """
    check_rate(sr, hop_length)
    return np.asarray(frames, dtype=np.float64) * (hop_length / sr)


def time_to_frames(times_s, *, sr: float, hop_length: int) -> np.ndarray:
    """Convert seconds to the index of the nearest frame centre.

    Unlike ``librosa.time_to_frames`` (which rounds down), this rounds to the
    nearest frame, so ``time_to_frames(frames_to_time(k)) == k``.

    Parameters
    ----------
    times_s : array_like
        Times in seconds.
    sr : float
        Sample rate in Hz (from info.json).
    hop_length : int
        Hop in samples (from info.json).

    Returns
    -------
    frames : np.ndarray [shape=times_s.shape], int64

    Examples
    --------
    >>> time_to_frames([0.0, 0.5, 1.0], sr=22050, hop_length=1024)
    array([ 0, 11, 22])
    """
    check_rate(sr, hop_length)
    times_s = np.asarray(times_s, dtype=np.float64)
    if not np.all(np.isfinite(times_s)):
        raise ParameterError("times_s contains NaN or Inf; pass finite times in seconds.")
    return np.rint(times_s * (sr / hop_length)).astype(np.int64)


def _hz_to_mel(freq_hz):
    """Slaney mel scale (librosa's default, htk=False)."""
    freq_hz = np.asarray(freq_hz, dtype=np.float64)
    f_sp = 200.0 / 3
    mels = freq_hz / f_sp
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(
        freq_hz >= min_log_hz,
        min_log_mel + np.log(np.maximum(freq_hz, min_log_hz) / min_log_hz) / logstep,
        mels,
    )


def _mel_to_hz(mels):
    mels = np.asarray(mels, dtype=np.float64)
    f_sp = 200.0 / 3
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(
        mels >= min_log_mel,
        min_log_hz * np.exp(logstep * (mels - min_log_mel)),
        f_sp * mels,
    )


def mel_frequencies_hz(n_mels: int, *, fmin: float, fmax: float) -> np.ndarray:
    """``n_mels`` frequencies in Hz evenly spaced on the (Slaney) mel scale.

    The same values as ``librosa.mel_frequencies(n_mels, fmin=fmin, fmax=fmax)``,
    without importing librosa. The centres of the bands of an ``N``-band
    mel-spectrogram are ``mel_frequencies_hz(N + 2, ...)[1:-1]``.
    """
    check_int_at_least(n_mels, 1, name="n_mels", unit="frequencies")
    mels = np.linspace(_hz_to_mel(fmin), _hz_to_mel(fmax), n_mels)
    return _mel_to_hz(mels)


def band_centers_hz(n_mels: int, *, sr: float, mel_params=None) -> np.ndarray:
    """Centre frequency (Hz) of each band of an ``n_mels``-band spectrogram.

    From ``mel_params`` when given (:meth:`MelParams.mel_frequencies_hz`), else the
    Harmonix layout: ``fmin = 0``, ``fmax = sr / 2``. The one rule of every function
    that picks bands by frequency (the tracker's low-band weights, the downbeat cues).

    Parameters
    ----------
    n_mels : int
        Bands of the spectrogram (``S_power.shape[0]``).
    sr : float
        Sample rate in Hz (used without ``mel_params``).
    mel_params : MelParams, optional

    Returns
    -------
    centers_hz : np.ndarray [shape=(n_mels,)]

    Raises
    ------
    ParameterError
        ``mel_params`` describes another number of bands.

    Examples
    --------
    >>> band_centers_hz(80, sr=22050)[:2].round(1)
    array([41.1, 82.2])
    """
    if mel_params is not None and hasattr(mel_params, "mel_frequencies_hz"):
        f = np.asarray(mel_params.mel_frequencies_hz(), dtype=float)
        if f.shape == (n_mels,):
            return f
        raise ParameterError(
            f"S_power has {n_mels} mel bands but mel_params describes {f.size}: is this the right info.json?"
        )
    return mel_frequencies_hz(n_mels + 2, fmin=0.0, fmax=sr / 2.0)[1:-1]
