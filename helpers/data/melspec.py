"""Mel-spectrogram files: the .npy header check, loading and checking POWER values, the dB conversion.

Mel-spectrograms hold POWER values (``librosa.feature.melspectrogram(power=2)``), shape
``(n_mels, n_frames)``, one track per ``<track_id>-mel.npy`` file. Every reader of an
``.npy`` file checks its header first (:func:`read_npy_header`: no pickles, no truncated
files); :func:`load_melspec` then checks the values against the data set's
:class:`~helpers.data.params.MelParams` (:func:`check_melspec`). Converting to decibels is
an explicit step: :func:`power_to_db`.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from ..checks import check_nonnegative, check_positive
from ..errors import DataError, DataMissingError, ParameterError
from .params import MelParams, read_params

__all__ = [
    "MELSPEC_SUFFIX",
    "read_npy_header",
    "read_melspec_shape",
    "load_melspec",
    "check_melspec",
    "power_to_db",
    "check_power_spectrogram",
]

MELSPEC_SUFFIX = "-mel.npy"

#: Values that lie in [-200, 200] and are all <= 1e-3 (librosa.power_to_db(S, ref=np.max))
#: or at least half negative (power_to_db with ref=1.0) look like decibels, not power.
_DB_MAX_VALUE = 1e-3
_DB_MIN_VALUE = -200.0
_DB_NEGATIVE_SHARE = 0.5


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


def check_power_spectrogram(S_power) -> np.ndarray:
    """A POWER spectrogram passed as an argument: 2-D, real, finite, non-negative, at least one frame.

    The one check of a spectrogram argument (novelty, tracker, baselines, downbeats), where
    :func:`check_melspec` checks a file's content against its info.json. Integer input is
    converted to float64; float32 and float64 arrays are returned as they are (no copy).

    Parameters
    ----------
    S_power : array_like [shape=(n_mels, n_frames)]

    Returns
    -------
    S_power : np.ndarray [shape=(n_mels, n_frames)], float32 or float64

    Raises
    ------
    ParameterError
        Not numeric, not 2-D, empty, NaN or infinite values, or negative values (dB, not power).

    Examples
    --------
    >>> check_power_spectrogram(np.ones((2, 3), dtype=int)).dtype
    dtype('float64')
    """
    S = np.asarray(S_power)
    if S.dtype == object or not (np.issubdtype(S.dtype, np.floating) or np.issubdtype(S.dtype, np.integer)):
        raise ParameterError(f"S_power must be a real numeric array, got dtype {S.dtype}.")
    if S.ndim != 2:
        hint = (
            " For one band, use S_power[np.newaxis, :]; for a novelty curve, use the "
            "*_from_novelty functions."
            if S.ndim == 1
            else ""
        )
        raise ParameterError(
            f"S_power must be 2-D (n_mels, n_frames), got shape {S.shape}.{hint}"
        )
    if S.shape[0] < 1 or S.shape[1] < 1:
        raise ParameterError(f"S_power has no data: shape {S.shape}.")
    if not np.all(np.isfinite(S)):
        n_bad = int(np.size(S) - np.count_nonzero(np.isfinite(S)))
        raise ParameterError(f"S_power has {n_bad} NaN or infinite values; clean the input first.")
    smin = S.min()
    if smin < 0:
        raise ParameterError(
            f"S_power has negative values (min {float(smin):.3g}): it looks like dB, not power. "
            "Pass the POWER mel spectrogram as stored in the Harmonix files "
            "(convert dB back with 10 ** (S_db / 10))."
        )
    if S.dtype not in (np.float32, np.float64):
        S = S.astype(np.float64)
    return S


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
    check_positive(amin, name="amin", hint="the floor before the log, e.g. 1e-10")
    check_positive(ref, name="ref", hint="the power that maps to 0 dB, e.g. 1.0 or float(S_power.max())")
    if top_db is not None:
        check_nonnegative(top_db, name="top_db", unit="dB", hint="or None for no clipping")
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

