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
- Beat times are in seconds, strictly increasing, non-negative.

The original brief that this course started from says 128 bands, hop 512 and dB
values in [-80, 0]; the real files have 80 bands, hop 1024 and power values. This
module reads what is there and refuses to guess.
"""

from __future__ import annotations

import csv
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from numbers import Real
from typing import Iterator, NamedTuple

import numpy as np

from .errors import DataError, DataMissingError, ParameterError

__all__ = [
    "MelParams",
    "HARMONIX_PARAMS",
    "INFO_JSON",
    "MELSPEC_SUFFIX",
    "read_params",
    "frames_to_time",
    "time_to_frames",
    "mel_frequencies_hz",
    "load_melspec",
    "power_to_db",
    "Beats",
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
    "read_melspec_shape",
    "read_npy_header",
    "check_beats_fit",
    "BEATS_PAST_END_TOLERANCE_S",
    "MAX_BEAT_TIME_S",
    "COMMENT_PREFIX",
]

INFO_JSON = "info.json"
MELSPEC_SUFFIX = "-mel.npy"
COMPLETE_MARKER = ".complete"
#: Decimals of the times in an estimate file (1 us): far below the +-70 ms F-measure window,
#: and enough that scoring the file again gives exactly the scores of the beats that were written.
ESTIMATE_DECIMALS = 6

#: Keys of info.json that define the analysis, and the type each must have.
_INFO_KEYS = {
    "SR": int,
    "N_MELS": int,
    "N_FFT": int,
    "HOP_LENGTH": int,
    "MEL_FMIN": float,
    "MEL_FMAX": float,  # may also be null
}

#: Integer-valued "beat times" are taken to be frame indices when their median spacing
#: is at least this (no real beat sequence has beats 5 s apart) ...
_FRAME_INDEX_MEDIAN_IBI = 5.0
#: ... or when one of them exceeds this (no track is 50 minutes long).
_FRAME_INDEX_MAX = 3000.0

#: Values that lie in [-200, 200] and are all <= 1e-3 (librosa.power_to_db(S, ref=np.max))
#: or at least half negative (power_to_db with ref=1.0) look like decibels, not power.
_DB_MAX_VALUE = 1e-3
_DB_MIN_VALUE = -200.0
_DB_NEGATIVE_SHARE = 0.5

#: Reference beats may end at most this long after the end of the track's mel-spectrogram
#: (``n_frames * hop_length / sr``). On the 912 Harmonix tracks and the 20 realmel items the
#: last beat is always before the end, so 1 s only absorbs rounding and codec padding, and a
#: beat file of another (longer) track is still caught.
BEATS_PAST_END_TOLERANCE_S = 1.0
#: No beat time is later than this (8 hours; mir_eval.beat.MAX_TIME): larger "seconds" are
#: milliseconds or samples. One rule for the beat-file loader and the evaluation
#: (helpers.evaluate.MAX_TIME_S is this constant).
MAX_BEAT_TIME_S = 30000.0
#: A line of a beat file that starts with this is a comment (as mir_eval.io.load_events reads it).
COMMENT_PREFIX = "#"


# ---------------------------------------------------------------------------------------
# Parameters and time conversion
# ---------------------------------------------------------------------------------------


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
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
                raise ParameterError(f"MelParams.{name} must be a positive integer, got {value!r}")
        if not (0 <= self.fmin < self.sr / 2):
            raise ParameterError(f"MelParams.fmin must be in [0, sr/2), got {self.fmin!r}")
        if self.fmax is not None and not (self.fmin < self.fmax <= self.sr / 2):
            raise ParameterError(
                f"MelParams.fmax must be in (fmin, sr/2] or None, got {self.fmax!r}"
            )

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
    """Refuse an ``sr`` or ``hop_length`` that is not a positive number (hop: a whole number).

    The one check used by every function that takes them (time conversions, novelty,
    tracker, baseline); the message says where the right values come from.
    """
    if isinstance(sr, bool) or not isinstance(sr, (Real, np.number)) or not np.isfinite(sr) or not sr > 0:
        raise ParameterError(
            f"sr={sr!r} must be a positive number of samples per second; read it from the data: "
            "helpers.data.read_params(melspec_dir).sr (22050 for Harmonix), never from a default."
        )
    if isinstance(hop_length, bool) or not isinstance(hop_length, (Real, np.number)) \
            or not np.isfinite(hop_length) or not hop_length > 0 or float(hop_length) != int(hop_length):
        raise ParameterError(
            f"hop_length={hop_length!r} must be a positive integer (a whole number of samples); read it from the data: "
            "helpers.data.read_params(melspec_dir).hop_length (1024 for Harmonix), never from a default."
        )


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


def looks_like_frame_indices(times) -> bool:
    """True when "beat times" are whole numbers spaced or sized like frame indices, not seconds.

    Used by the beat-file loader and by the evaluation, so both give the same verdict:
    all values are integers, and either their median spacing is >= 5 (with >= 3 values)
    or one exceeds 3000. Whole seconds at 60 BPM (1, 2, 3, ...) are not flagged.
    """
    arr = np.asarray(times, dtype=np.float64)
    if arr.size == 0 or not np.all(arr == np.round(arr)):
        return False
    steps = np.diff(arr)
    median_step = float(np.median(steps)) if steps.size else 0.0
    return bool(arr.max() > _FRAME_INDEX_MAX or (arr.size >= 3 and median_step >= _FRAME_INDEX_MEDIAN_IBI))


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
    if n_mels < 1:
        raise ParameterError(f"n_mels must be >= 1, got {n_mels!r}")
    mels = np.linspace(_hz_to_mel(fmin), _hz_to_mel(fmax), n_mels)
    return _mel_to_hz(mels)


# ---------------------------------------------------------------------------------------
# Mel-spectrograms
# ---------------------------------------------------------------------------------------


_REINSTALL = "download or install it again"


def read_npy_header(path: str | os.PathLike) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype from an .npy header, without reading the values (and never unpickling).

    The one check every reader of ``.npy`` files runs first (:func:`load_melspec`,
    :func:`read_melspec_shape`, the installer's check of a downloaded archive). It refuses
    what ``np.load`` must never see: a file that is not an .npy, a header that does not
    parse, an object (pickle) dtype, and a file shorter than its header promises (a
    truncated download), so no loader ever allocates memory for data that is not there.

    Parameters
    ----------
    path : str or Path
        An ``.npy`` file.

    Returns
    -------
    shape : tuple of int
    dtype : np.dtype

    Raises
    ------
    DataMissingError
        The file does not exist.
    DataError
        Not an .npy file, an unreadable header, a pickled object, or a truncated file; the
        message names the file and the fix.
    """
    path = Path(path)
    if not path.is_file():
        raise DataMissingError(
            f"{path}: no such mel-spectrogram file. `python -m helpers data status` lists "
            "what is installed."
        )
    with open(path, "rb") as f:
        if f.read(6) != b"\x93NUMPY":
            raise DataError(
                "is not a .npy file (it does not start with the NumPy magic bytes); it is corrupt "
                f"or something else renamed: {_REINSTALL}.",
                path=path,
            )
        f.seek(0)
        try:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, _fortran, dtype = np.lib.format.read_array_header_1_0(f)
            elif version == (2, 0):
                shape, _fortran, dtype = np.lib.format.read_array_header_2_0(f)
            else:
                raise ValueError(f"unknown .npy format version {version}")
        except Exception as exc:  # noqa: BLE001 -- numpy's header parser raises many types
            raise DataError(
                f"is not a readable .npy file ({exc}); it is probably truncated or corrupt: "
                f"{_REINSTALL}.",
                path=path,
            ) from None
        header_end = f.tell()
    if any(not isinstance(n, int) or n < 0 for n in shape):
        raise DataError(f"has an impossible shape {shape} in its header; it is corrupt: {_REINSTALL}.",
                        path=path)
    if dtype.hasobject:
        raise DataError(
            "holds a pickled Python object, not a plain numeric array. Pickles can run "
            "arbitrary code, so it is refused; re-create the file with "
            "np.save(path, np.asarray(S, dtype=np.float32)).",
            path=path,
        )
    need = header_end + math.prod(shape) * dtype.itemsize
    size = path.stat().st_size
    if size < need:
        raise DataError(
            f"is truncated: {size} bytes, but its header promises {need} (shape {shape}, "
            f"{dtype}); {_REINSTALL}.",
            path=path,
        )
    return tuple(shape), dtype


def read_melspec_shape(path: str | os.PathLike) -> tuple[int, ...]:
    """The shape of a ``.npy`` file, read from its header only (cheap: no values are read).

    Raises
    ------
    DataMissingError, DataError
        As :func:`load_melspec` for a missing, damaged, truncated or pickled file.
    """
    return read_npy_header(path)[0]


def _load_npy(path: Path, mmap: bool) -> np.ndarray:
    """np.load without pickle, with errors that name the file and the fix."""
    shape, _dtype = read_npy_header(path)
    if math.prod(shape) == 0:
        mmap = False  # nothing to map (mmap refuses 0 bytes); check_melspec says "empty"
    try:
        return np.load(path, allow_pickle=False, mmap_mode="r" if mmap else None)
    except ValueError as exc:
        if "allow_pickle" in str(exc) or "Object arrays" in str(exc):
            raise DataError(
                "holds a pickled Python object, not a plain numeric array. Pickles can run "
                "arbitrary code, so it is refused; re-create the file with "
                "np.save(path, np.asarray(S, dtype=np.float32)).",
                path=path,
            ) from None
        raise DataError(
            f"is not a readable .npy array ({exc}); the file is probably truncated or corrupt: "
            f"{_REINSTALL}.",
            path=path,
        ) from None
    except (OSError, EOFError, MemoryError) as exc:
        raise DataError(
            f"is not a readable .npy file ({type(exc).__name__}: {exc}); it is probably truncated "
            f"or not a NumPy file at all: {_REINSTALL}.",
            path=path,
        ) from None


def load_melspec(path: str | os.PathLike, *, params: MelParams | None = None, mmap: bool = False) -> np.ndarray:
    """Load one POWER mel-spectrogram and check it.

    Parameters
    ----------
    path : str or Path
        A ``<track_id>-mel.npy`` file.
    params : MelParams, optional
        The data set's parameters. If omitted they are read from the ``info.json``
        beside the file.
    mmap : bool
        Memory-map the file read-only instead of reading it into memory (useful when
        only a slice is needed). The checks still read every value once.

    Returns
    -------
    S_power : np.ndarray [shape=(n_mels, n_frames)], float
        Mel power spectrogram, as stored (not in dB; see :func:`power_to_db`).

    Raises
    ------
    DataMissingError
        The file (or the info.json beside it) does not exist.
    DataError
        The file is not a plain .npy array (truncated, corrupt, pickled object), or its
        content is not a power mel-spectrogram with these parameters: not 2-D, empty,
        transposed, wrong number of bands, not floating point, NaN/Inf, negative values,
        or values that look like decibels. The message names the file and the fix.

    Examples
    --------
    >>> ds = open_dataset()                                     # doctest: +SKIP
    >>> S = load_melspec(ds.melspec_path(ds.track_ids[0]))      # doctest: +SKIP
    >>> S.shape[0] == ds.params.n_mels                          # doctest: +SKIP
    True
    """
    path = Path(path)
    if params is None:
        params = read_params(path.parent)
    S = _load_npy(path, mmap)
    check_melspec(S, params=params, path=path)
    return S


def check_melspec(S, *, params: MelParams, path: str | os.PathLike | None = None) -> None:
    """Raise :class:`DataError` unless ``S`` is a valid power mel-spectrogram for ``params``."""
    if not isinstance(S, np.ndarray):
        raise DataError(f"expected a NumPy array, got {type(S).__name__}.", path=path)
    if S.ndim != 2:
        raise DataError(
            f"expected a 2-D array (n_mels, n_frames), got shape {S.shape}; save one track's "
            "mel-spectrogram per file, np.save(path, S) with S.shape == (n_mels, n_frames).",
            path=path,
        )
    if S.dtype.kind != "f":
        raise DataError(
            f"expected floating-point power values, got dtype {S.dtype}; mel power "
            "spectrograms are stored as float32: re-create the file from the power values, "
            "np.save(path, S.astype(np.float32)).",
            path=path,
        )
    n_rows, n_cols = S.shape
    if n_rows != params.n_mels:
        if n_cols == params.n_mels:
            raise DataError(
                f"shape {S.shape} looks transposed: expected ({params.n_mels}, n_frames) with "
                f"n_mels={params.n_mels} from info.json. Use S.T (and save it back that way).",
                path=path,
            )
        raise DataError(
            f"has {n_rows} mel bands but info.json says N_MELS={params.n_mels}; the file and "
            "info.json come from different data sets. Put each set in its own directory with "
            "its own info.json.",
            path=path,
        )
    if n_cols == 0:
        raise DataError("is empty (0 frames); re-create or remove it.", path=path)
    finite = np.isfinite(S)
    if not finite.all():
        bad = np.argwhere(~finite)[0]
        raise DataError(
            f"contains {int((~finite).sum())} NaN/Inf values (first at band {bad[0]}, frame "
            f"{bad[1]}); a power spectrogram must be finite. Re-compute it, or replace them "
            "with np.nan_to_num(S, nan=0.0, posinf=0.0) if you know why they are there.",
            path=path,
        )
    S_min = float(S.min())
    if S_min < 0:
        S_max = float(S.max())
        negative_share = float(np.mean(S < 0))
        if S_min >= _DB_MIN_VALUE and S_max <= -_DB_MIN_VALUE and (
            S_max <= _DB_MAX_VALUE or negative_share >= _DB_NEGATIVE_SHARE
        ):
            raise DataError(
                f"values lie in [{S_min:.1f}, {S_max:.1f}] ({100 * negative_share:.0f} % negative): "
                "this looks like a spectrogram in dB, "
                "but a POWER spectrogram is expected (the Harmonix files are power, "
                "librosa.feature.melspectrogram(power=2)). Convert it back with "
                "librosa.db_to_power(S_db) if it is relative power in dB, or load the original "
                "file.",
                path=path,
            )
        raise DataError(
            f"has negative values (min {S_min:.3g}); power cannot be negative. The file is "
            "not a power mel-spectrogram: re-compute or re-install it.",
            path=path,
        )


def power_to_db(S_power, *, ref: float = 1.0, amin: float = 1e-10, top_db: float | None = 80.0) -> np.ndarray:
    """Convert a power spectrogram to decibels: ``10 * log10(max(S, amin) / ref)``.

    Equal to ``librosa.power_to_db`` with the same arguments (tested), written out
    so the step is visible and does not need librosa's import time.

    Parameters
    ----------
    S_power : np.ndarray [shape=(n_mels, n_frames)]
        Power values (non-negative).
    ref : float
        The power that maps to 0 dB. ``1.0`` (default, librosa's) keeps absolute
        levels; pass ``float(S_power.max())`` to put the loudest bin at 0 dB.
    amin : float
        Floor applied before the log, to avoid log(0).
    top_db : float or None
        Clip everything more than ``top_db`` below the maximum (None: no clipping).

    Returns
    -------
    S_db : np.ndarray [shape=S_power.shape]
    """
    S_power = np.asarray(S_power)
    if amin <= 0:
        raise ParameterError(f"amin must be > 0, got {amin!r}")
    if not ref > 0:
        raise ParameterError(f"ref must be > 0, got {ref!r}")
    if top_db is not None and top_db < 0:
        raise ParameterError(f"top_db must be >= 0 or None, got {top_db!r}")
    if S_power.size and np.nanmin(S_power) < 0:
        raise ParameterError(
            "power_to_db expects power (non-negative) values; got negative ones. Is the input "
            "already in dB?"
        )
    S_db = 10.0 * np.log10(np.maximum(amin, S_power))
    S_db -= 10.0 * np.log10(np.maximum(amin, ref))
    if top_db is not None and S_db.size:
        S_db = np.maximum(S_db, S_db.max() - top_db)
    return S_db


# ---------------------------------------------------------------------------------------
# Annotations
# ---------------------------------------------------------------------------------------


def _read_text(path: Path, what: str) -> str:
    if not path.is_file():
        raise DataMissingError(
            f"{path}: no such {what} file. `python -m helpers data status` lists what is installed."
        )
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"is not UTF-8 text ({exc}); save the {what} file as UTF-8 plain text.", path=path
        ) from None


def _parse_number(token: str, path: Path, line: int, what: str, fix: str = "", *, first_line: int = 1) -> float:
    try:
        value = float(token)
    except ValueError:
        hint = fix
        if not fix and line == first_line:
            hint = (" Is this a header line? Remove it, or start it with '#' to make it a comment: beat "
                    "files have no header.")
        if not fix and token.startswith(COMMENT_PREFIX):
            hint = " A comment must start at the beginning of its line ('#' in the first column)."
        if not fix and "," in token:
            hint = (" Beat files are whitespace-separated, with a decimal point: replace the commas between "
                    "columns with tabs, and decimal commas (0,5) with points (0.5).")
        raise DataError(f"{what} {token!r} is not a number.{hint}", path=path, line=line) from None
    if not math.isfinite(value):
        raise DataError(f"{what} {token!r} is not finite.{fix or ' Remove or correct that line.'}",
                        path=path, line=line)
    return value


@dataclass(frozen=True)
class Beats:
    """Beat annotations of one track.

    Attributes
    ----------
    times_s : np.ndarray [shape=(n_beats,)], float64
        Beat times in seconds, strictly increasing.
    positions : np.ndarray [shape=(n_beats,)], int64, or None
        Position of each beat in its bar (1 = downbeat); None for 1-column files.
    bar_numbers : np.ndarray [shape=(n_beats,)], int64, or None
        Bar number of each beat; None for 1- and 2-column files.
    """

    times_s: np.ndarray
    positions: np.ndarray | None = None
    bar_numbers: np.ndarray | None = None

    @property
    def downbeats_s(self) -> np.ndarray:
        """Times of the beats at position 1, in seconds (empty if positions are unknown)."""
        if self.positions is None:
            return np.empty(0)
        return self.times_s[self.positions == 1]

    @property
    def has_downbeats(self) -> bool:
        return self.positions is not None

    def __len__(self) -> int:
        return len(self.times_s)


def load_beats(path: str | os.PathLike) -> Beats:
    """Load a beat annotation file with 1, 2 or 3 whitespace-separated columns.

    The Harmonix format has 3 columns: time (s), position in bar (1 = downbeat), bar
    number. Files with one time per line (estimates, some annotations) and with
    time + position (GTZAN-style ``.beats``) load too.

    It reads what ``mir_eval.io.load_events`` reads, the way it reads it: columns separated
    by any whitespace (spaces, tabs, several of them), and lines that start with ``#``
    skipped as comments. Blank lines are skipped too. What would be misread is refused
    with the file, the line and the fix: a header line, commas (CSV or decimal commas),
    frame indices, milliseconds.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    Beats

    Raises
    ------
    DataMissingError
        The file does not exist.
    DataError
        Empty file, header line, commas, ragged columns, non-numeric or negative
        times, times not strictly increasing (duplicates included), non-integer
        positions, integer "times" spaced like frame indices, or times beyond
        :data:`MAX_BEAT_TIME_S` (milliseconds or samples). The message names the file
        and line.

    Examples
    --------
    >>> beats = load_beats("data/demo/dataset/beats_and_downbeats/d01_pop_120.txt")  # doctest: +SKIP
    >>> beats.times_s[:2], beats.downbeats_s[:2]                                     # doctest: +SKIP
    """
    path = Path(path)
    text = _read_text(path, "beat annotation")
    rows = []
    n_cols = None
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith(COMMENT_PREFIX):
            continue
        if line.lstrip().startswith(COMMENT_PREFIX):   # mir_eval would not skip it either
            raise DataError(f"{line.strip()!r} looks like a comment, but a comment must start at the beginning "
                            "of its line ('#' in the first column); remove the spaces before it.",
                            path=path, line=line_no)
        tokens = line.split()
        if n_cols is None:
            n_cols = len(tokens)
            if n_cols not in (1, 2, 3):
                raise DataError(
                    f"has {n_cols} columns; expected 1 (time), 2 (time, position) or 3 "
                    "(time, position in bar, bar number).",
                    path=path,
                    line=line_no,
                )
        elif len(tokens) != n_cols:
            raise DataError(
                f"has {len(tokens)} columns where earlier lines have {n_cols}. Every line needs the "
                "same columns: time [position_in_bar [bar_number]].",
                path=path,
                line=line_no,
            )
        rows.append((line_no, tokens))
    if not rows:
        raise DataError(
            "is empty: a beat file needs at least one beat time (seconds, one beat per line).",
            path=path,
        )

    first_line = rows[0][0]
    times = np.array([_parse_number(t[0], path, n, "time", first_line=first_line) for n, t in rows])
    first_negative = np.flatnonzero(times < 0)
    if first_negative.size:
        i = first_negative[0]
        raise DataError(
            f"negative beat time {float(times[i])!r}; times are seconds from the start of the track: "
            "remove that line, or undo the offset that was subtracted.",
            path=path,
            line=rows[i][0],
        )
    steps = np.diff(times)
    bad = np.flatnonzero(steps <= 0)
    if bad.size:
        i = bad[0] + 1
        kind = "duplicates the previous time" if steps[bad[0]] == 0 else "is earlier than the previous one"
        raise DataError(
            f"beat time {float(times[i])!r} {kind}; beat times must be strictly increasing. Sort the "
            "file and remove duplicates.",
            path=path,
            line=rows[i][0],
        )
    if looks_like_frame_indices(times):
        shown = ", ".join(f"{t:.0f}" for t in times[:3]) + (", ..." if times.size > 3 else "")
        spacing = f" with a median spacing of {np.median(steps):g}" if steps.size else ""
        raise DataError(
            f"the times are whole numbers {shown}{spacing}, up to {times.max():.0f}: these look "
            "like frame indices, not seconds (or whole milliseconds). Convert frames with "
            "helpers.data.frames_to_time(frames, sr=..., hop_length=...); divide milliseconds by 1000.",
            path=path,
        )
    if times.max() > MAX_BEAT_TIME_S:
        i = int(np.argmax(times > MAX_BEAT_TIME_S))
        raise DataError(
            f"beat time {float(times[i])!r} s is more than {MAX_BEAT_TIME_S:g} s (8 hours) from the start: "
            "these look like milliseconds or samples, not seconds. Divide milliseconds by 1000 (samples by "
            "the sample rate).",
            path=path,
            line=rows[i][0],
        )

    def int_column(col: int, what: str) -> np.ndarray:
        values = np.array([_parse_number(t[col], path, n, what) for n, t in rows])
        nonint = np.flatnonzero((values != np.round(values)) | (np.abs(values) >= 2**31))
        if nonint.size:
            i = nonint[0]
            raise DataError(
                f"{what} {rows[i][1][col]!r} is not a whole number; positions and bar numbers "
                "count 1, 2, 3, ...",
                path=path,
                line=rows[i][0],
            )
        return values.astype(np.int64)

    positions = int_column(1, "position in bar") if n_cols >= 2 else None
    bars = int_column(2, "bar number") if n_cols == 3 else None
    if positions is not None:
        low = np.flatnonzero(positions < 1)
        if low.size:
            i = low[0]
            raise DataError(
                f"position in bar {positions[i]} is < 1; positions count from 1 (the downbeat).",
                path=path,
                line=rows[i][0],
            )
    return Beats(times_s=times, positions=positions, bar_numbers=bars)


def format_estimate(beat_times_s, *, positions=None) -> str:
    """The text of an estimate file: one beat time (s) per line, :data:`ESTIMATE_DECIMALS` decimals.

    The format that :func:`load_estimate` (and :func:`load_beats`) read back, and that
    ``python -m helpers track``, ``validate`` and ``evaluate`` write and read. With the
    beats' positions in their bars, each line is ``time<TAB>position`` (1 = downbeat):
    madmom's downbeat format, and the first two columns of a Harmonix beat file.

    Parameters
    ----------
    beat_times_s : np.ndarray [shape=(n_beats,)]
        Beat times in seconds (an empty array gives an empty file: no beat).
    positions : np.ndarray [shape=(n_beats,)], int, optional
        Position of each beat in its bar, 1 = downbeat.

    Returns
    -------
    text : str

    Examples
    --------
    >>> format_estimate([0.5, 1.0000004])
    '0.500000\\n1.000000\\n'
    >>> format_estimate([0.5, 1.0], positions=[4, 1])
    '0.500000\\t4\\n1.000000\\t1\\n'
    """
    times = np.asarray(beat_times_s, dtype=float).tolist()
    if positions is None:
        return "".join(f"{t:.{ESTIMATE_DECIMALS}f}\n" for t in times)
    positions = np.asarray(positions)
    if positions.shape != (len(times),) or (positions.size and (positions.min() < 1 or np.any(positions % 1))):
        raise ParameterError(f"positions must be one whole number >= 1 per beat (1 = downbeat), got shape "
                             f"{positions.shape} for {len(times)} beats.")
    return "".join(f"{t:.{ESTIMATE_DECIMALS}f}\t{int(k)}\n" for t, k in zip(times, positions.tolist()))


def load_estimate(path: str | os.PathLike) -> np.ndarray:
    """Beat times (s) from an estimate file: one time per line; an empty file means no beat.

    Files with 2 or 3 columns work too (the first column is the time): the content is
    read and checked by :func:`load_beats`, which names the file and line of any problem.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    beat_times_s : np.ndarray [shape=(n_beats,)], float64

    Raises
    ------
    DataMissingError
        The file does not exist.
    DataError
        As :func:`load_beats` (except that an empty file is allowed).
    """
    return load_estimate_beats(path).times_s


def load_estimate_beats(path: str | os.PathLike) -> Beats:
    """An estimate file as :class:`Beats`: the times, and the positions in the bar if it has them.

    As :func:`load_estimate` (an empty file means no beat), keeping the second column of a
    ``time<TAB>position`` file (what ``track --with-bars`` writes) for scoring downbeats.
    """
    path = Path(path)
    if not path.is_file():
        raise DataMissingError(f"{path}: no such estimate file.")
    if not path.read_bytes().strip():
        return Beats(times_s=np.zeros(0))
    return load_beats(path)


def check_beats_fit(
    times_s,
    *,
    duration_s: float,
    path: str | os.PathLike | None = None,
    melspec_path: str | os.PathLike | None = None,
    tolerance_s: float = BEATS_PAST_END_TOLERANCE_S,
) -> None:
    """Raise :class:`DataError` if beats run past the end of the track.

    Parameters
    ----------
    times_s : np.ndarray [shape=(n_beats,)] or Beats
        Beat times in seconds.
    duration_s : float
        Length of the track's mel-spectrogram, ``params.duration_s(n_frames)``.
    path, melspec_path : str or Path, optional
        The beat file and the mel-spectrogram, for the message.
    tolerance_s : float
        How far past the end a beat may lie (default :data:`BEATS_PAST_END_TOLERANCE_S`).
    """
    times = np.asarray(getattr(times_s, "times_s", times_s), dtype=np.float64)
    late = np.flatnonzero(times > duration_s + tolerance_s)
    if late.size:
        i = int(late[0])
        source = f"the length of {melspec_path}" if melspec_path is not None else "its mel-spectrogram"
        raise DataError(
            f"{late.size} of {times.size} beats lie after the end of the track: beat {i + 1} is at "
            f"{times[i]:.3f} s, but the track lasts {duration_s:.3f} s ({source}). The beat file "
            "and the mel-spectrogram do not belong together (another track's annotation, a "
            "renamed file) or the .npy is truncated: check that both are the same track, or "
            "re-install the data.",
            path=path,
        )


@dataclass(frozen=True)
class Segments:
    """Functional segment annotations: boundary times (s) and the label starting there."""

    times_s: np.ndarray
    labels: tuple[str, ...]


def load_segments(path: str | os.PathLike) -> Segments:
    """Load a Harmonix segment file (``time label`` per line).

    Raises
    ------
    DataMissingError, DataError
    """
    path = Path(path)
    text = _read_text(path, "segment annotation")
    times, labels = [], []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        tokens = line.split(maxsplit=1)
        times.append(_parse_number(tokens[0], path, line_no, "time"))
        labels.append(tokens[1].strip() if len(tokens) > 1 else "")
    times_s = np.array(times)
    if times_s.size and (np.any(times_s < 0) or np.any(np.diff(times_s) < 0)):
        raise DataError("segment times must be non-negative and non-decreasing.", path=path)
    return Segments(times_s=times_s, labels=tuple(labels))


@dataclass(frozen=True)
class TrackMeta:
    """One row of metadata.csv.

    Attributes
    ----------
    track_id : str
        The ``File`` column, e.g. ``0001_12step``.
    duration_s : float
        Duration of the original audio in seconds.
    bpm : float
        Tempo given by the annotators (BPM).
    time_signature : str
        As ``"4/4"`` (the file writes ``4|4``).
    beats_per_bar : int or None
        Numerator of the time signature.
    genre : str
    title, artist : str
    """

    track_id: str
    duration_s: float
    bpm: float
    time_signature: str
    beats_per_bar: int | None
    genre: str
    title: str = ""
    artist: str = ""


_METADATA_REQUIRED = ("File", "Duration", "BPM", "Time Signature", "Genre")
_RESTORE_METADATA = ("The original file comes with the annotations: "
                     "`python -m helpers data fetch annotations --force` restores it.")


def load_metadata(path: str | os.PathLike) -> dict[str, TrackMeta]:
    """Load metadata.csv (Harmonix columns) into ``{track_id: TrackMeta}``.

    Raises
    ------
    DataMissingError
        The file does not exist.
    DataError
        A required column (File, Duration, BPM, Time Signature, Genre) is missing, a
        number does not parse, or a track id repeats; the message names the line.
    """
    path = Path(path)
    text = _read_text(path, "metadata")
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    missing = [c for c in _METADATA_REQUIRED if c not in header]
    if missing:
        raise DataError(
            f"missing column(s) {missing}; metadata.csv needs {list(_METADATA_REQUIRED)} "
            f"(found {header}). Is it comma-separated with a header line? {_RESTORE_METADATA}",
            path=path,
            line=1,
        )
    records: dict[str, TrackMeta] = {}
    fix = f" Correct that cell. {_RESTORE_METADATA}"
    for line_no, row in enumerate(reader, start=2):
        if None in row:
            raise DataError(f"has {len(header) + len(row[None])} fields where the header has "
                            f"{len(header)} (an unquoted comma?).{fix}", path=path, line=line_no)
        track_id = (row["File"] or "").strip()
        if not track_id:
            raise DataError(f"empty File (track id).{fix}", path=path, line=line_no)
        if track_id in records:
            raise DataError(f"track id {track_id!r} appears twice; remove one of the rows.",
                            path=path, line=line_no)
        duration_s = _parse_number((row["Duration"] or "").strip(), path, line_no, "Duration", fix)
        bpm = _parse_number((row["BPM"] or "").strip(), path, line_no, "BPM", fix)
        if duration_s <= 0 or bpm <= 0:
            raise DataError(
                f"Duration {duration_s!r} and BPM {bpm!r} must be positive.{fix}", path=path, line=line_no
            )
        signature = (row["Time Signature"] or "").strip().replace("|", "/")
        numerator = signature.split("/")[0]
        records[track_id] = TrackMeta(
            track_id=track_id,
            duration_s=duration_s,
            bpm=bpm,
            time_signature=signature,
            beats_per_bar=int(numerator) if numerator.isdigit() else None,
            genre=(row["Genre"] or "").strip(),
            title=(row.get("Title") or "").strip(),
            artist=(row.get("Artist") or "").strip(),
        )
    return records


# ---------------------------------------------------------------------------------------
# Data sets
# ---------------------------------------------------------------------------------------


def repo_root() -> Path | None:
    """The course repository this package was installed from (editable install), if any."""
    candidate = Path(__file__).resolve().parents[1]
    return candidate if (candidate / "pyproject.toml").is_file() else None


def data_root() -> Path:
    """Where data sets live: ``$HELPERS_DATA_DIR``, else ``<repo>/data``, else ``./data``."""
    env = os.environ.get("HELPERS_DATA_DIR")
    if env:
        return Path(env).expanduser()
    root = repo_root()
    return (root if root is not None else Path.cwd()) / "data"


class Unpaired(NamedTuple):
    """Tracks that cannot be evaluated: a mel-spectrogram without beats, or beats without one."""

    melspec_only: tuple[str, ...]
    annotation_only: tuple[str, ...]


@dataclass
class Dataset:
    """A set of mel-spectrograms paired with beat annotations.

    Parameters
    ----------
    melspec_dir : Path
        Directory of ``<track_id>-mel.npy`` files and their ``info.json``.
    annotation_dir : Path
        Directory in the upstream layout: ``beats_and_downbeats/``, ``segments/``,
        ``metadata.csv``.
    name : str
        A label for messages and plots ("harmonix", "demo", ...).
    beats_dir : Path, optional
        Where the beat files are, if not ``annotation_dir / "beats_and_downbeats"``
        (e.g. a folder of your own annotations or estimates).

    Notes
    -----
    Nothing is loaded up front: listing is cheap, and tracks are read one at a time
    (:meth:`load_melspec`, :meth:`iter_tracks`), so a 912-track set never sits in
    memory at once.
    """

    melspec_dir: Path
    annotation_dir: Path
    name: str = "custom"
    beats_dir: Path | None = None
    _params: MelParams | None = field(default=None, init=False, repr=False)
    _metadata: dict | None = field(default=None, init=False, repr=False)

    def __post_init__(self):
        self.melspec_dir = Path(self.melspec_dir)
        self.annotation_dir = Path(self.annotation_dir)
        self.beats_dir = Path(
            self.annotation_dir / "beats_and_downbeats" if self.beats_dir is None else self.beats_dir
        )

    # -- listing -------------------------------------------------------------------
    @property
    def root_dir(self) -> Path:
        """The directory holding ``melspecs/`` and ``dataset/``."""
        return self.melspec_dir.parent

    def _melspec_ids(self) -> set[str]:
        if not self.melspec_dir.is_dir():
            return set()
        return {
            p.name[: -len(MELSPEC_SUFFIX)]
            for p in self.melspec_dir.iterdir()
            if p.name.endswith(MELSPEC_SUFFIX) and not p.name.startswith(".")
        }

    def _annotation_ids(self) -> set[str]:
        if not self.beats_dir.is_dir():
            return set()
        return {p.stem for p in self.beats_dir.iterdir() if p.suffix == ".txt" and not p.name.startswith(".")}

    @property
    def track_ids(self) -> list[str]:
        """Ids with both a mel-spectrogram and a beat file, sorted."""
        return sorted(self._melspec_ids() & self._annotation_ids())

    @property
    def unpaired(self) -> Unpaired:
        """Ids present on only one side (reported, never silently dropped)."""
        mel, ann = self._melspec_ids(), self._annotation_ids()
        return Unpaired(tuple(sorted(mel - ann)), tuple(sorted(ann - mel)))

    # -- parameters and metadata ----------------------------------------------------
    @property
    def params(self) -> MelParams:
        """The data set's analysis parameters, from its info.json."""
        if self._params is None:
            self._params = read_params(self.melspec_dir)
        return self._params

    @property
    def metadata(self) -> dict[str, TrackMeta]:
        """metadata.csv records by track id ({} when the set has no metadata.csv)."""
        if self._metadata is None:
            path = self.annotation_dir / "metadata.csv"
            self._metadata = load_metadata(path) if path.is_file() else {}
        return self._metadata

    # -- one track -------------------------------------------------------------------
    def melspec_path(self, track_id: str) -> Path:
        return self.melspec_dir / f"{track_id}{MELSPEC_SUFFIX}"

    def beats_path(self, track_id: str) -> Path:
        return self.beats_dir / f"{track_id}.txt"

    def segments_path(self, track_id: str) -> Path:
        return self.annotation_dir / "segments" / f"{track_id}.txt"

    def load_melspec(self, track_id: str, *, mmap: bool = False) -> np.ndarray:
        """The track's power mel-spectrogram, checked against the set's info.json."""
        return load_melspec(self.melspec_path(track_id), params=self.params, mmap=mmap)

    def load_beats(self, track_id: str) -> Beats:
        """The track's reference beats, checked to end within its mel-spectrogram (:func:`check_beats_fit`)."""
        beats = load_beats(self.beats_path(track_id))
        mel_path = self.melspec_path(track_id)
        if mel_path.is_file():
            try:
                shape = read_melspec_shape(mel_path)
                duration_s = self.params.duration_s(shape[-1])
            except (DataError, DataMissingError):
                return beats  # the mel-spectrogram's own error shows when it is loaded
            if len(shape) == 2:
                check_beats_fit(beats, duration_s=duration_s, path=self.beats_path(track_id),
                                melspec_path=mel_path)
        return beats

    def load_segments(self, track_id: str) -> Segments:
        return load_segments(self.segments_path(track_id))

    def duration_s(self, track_id: str) -> float:
        """Duration covered by the track's mel-spectrogram (read from the .npy header only)."""
        return self.params.duration_s(read_melspec_shape(self.melspec_path(track_id))[-1])

    def iter_tracks(self, track_ids=None) -> Iterator[tuple[str, np.ndarray, Beats]]:
        """Yield ``(track_id, S_power, beats)`` one track at a time."""
        for track_id in self.track_ids if track_ids is None else track_ids:
            yield track_id, self.load_melspec(track_id), self.load_beats(track_id)

    def describe(self) -> str:
        """One line for a notebook: which data set, how many tracks, its parameters."""
        p = self.params
        return (
            f"{self.name}: {len(self.track_ids)} tracks with beats, {p.n_mels} mel bands, "
            f"sr {p.sr} Hz, hop {p.hop_length} -> {p.frame_rate_hz:.2f} frames/s "
            f"({1000 * p.frame_duration_s:.1f} ms per frame); from {self.melspec_dir}"
        )

    @classmethod
    def from_root(cls, root: str | os.PathLike, *, name: str | None = None) -> "Dataset":
        """A data set laid out as ``root/melspecs`` + ``root/dataset``."""
        root = Path(root)
        return cls(root / "melspecs", root / "dataset", name=name or root.name)


def _is_complete(directory: Path) -> bool:
    return (directory / COMPLETE_MARKER).is_file()


def open_dataset(which: str | os.PathLike = "auto") -> Dataset:
    """Open a data set by name or path.

    Parameters
    ----------
    which : str or Path
        ``"auto"`` (default): the real Harmonix set if its mel-spectrograms and
        annotations are installed, else the built-in demo set. ``"harmonix"`` or
        ``"demo"``: that one. Any other value is a directory laid out as
        ``melspecs/`` + ``dataset/``.

    Raises
    ------
    DataMissingError
        The requested set is not installed; the message gives the command to get it.

    Examples
    --------
    >>> ds = open_dataset()                 # doctest: +SKIP
    >>> print(ds.describe())                # doctest: +SKIP
    demo: 24 tracks with beats, 80 mel bands, sr 22050 Hz, hop 1024 -> 21.53 frames/s ...
    """
    root = data_root()
    harmonix = Dataset.from_root(root / "harmonix", name="harmonix")
    demo = Dataset.from_root(root / "demo", name="demo")
    if which == "auto":
        if _is_complete(harmonix.melspec_dir) and _is_complete(harmonix.annotation_dir):
            return harmonix
        if _is_complete(demo.root_dir):
            return demo
        raise DataMissingError(
            f"no data set installed under {root}. Generate the built-in demo set with "
            "`make demo` (or `python -m helpers demo`), or install the real Harmonix data: "
            "`python -m helpers data status` says how."
        )
    if which == "harmonix":
        for directory, command in (
            (harmonix.annotation_dir, "python -m helpers data fetch annotations"),
            (harmonix.melspec_dir, "python -m helpers data fetch melspecs"),
        ):
            if not _is_complete(directory):
                raise DataMissingError(
                    f"the Harmonix data set is not (completely) installed: {directory} is missing "
                    f"or incomplete. Run `{command}` (`python -m helpers data status` explains)."
                )
        return harmonix
    if which == "demo":
        if not _is_complete(demo.root_dir):
            raise DataMissingError(
                f"the demo data set is not generated yet ({demo.root_dir}). Run `make demo` or "
                "`python -m helpers demo`."
            )
        return demo
    path = Path(which)
    if not path.is_dir():
        raise DataMissingError(
            f"{path}: not a data set name ('auto', 'harmonix', 'demo') nor a directory."
        )
    return Dataset.from_root(path)


