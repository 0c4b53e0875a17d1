"""Check that data is what the manifest says: content digests, checksums, and a read of every file.

Every file is read with the loaders the course itself uses (:mod:`helpers.data`): beat and
estimate files with :func:`~helpers.data.load_beats`, segments with
:func:`~helpers.data.load_segments`, metadata.csv with :func:`~helpers.data.load_metadata`,
info.json with :func:`~helpers.data.read_params`, arrays with
:func:`~helpers.data.read_npy_header` and :func:`~helpers.data.load_melspec`. What passes here
therefore loads in the notebooks.

Content, not bytes, is verified where the bytes are not stable (GitHub builds its archives on
the fly): see :func:`tree_digest`.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from ..data import (
    INFO_JSON,
    MELSPEC_SUFFIX,
    MelParams,
    load_beats,
    load_melspec,
    load_metadata,
    load_segments,
    read_npy_header,
    read_params,
)
from ..errors import DataError, DownloadError, HelpersError
from .manifest import PARAM_KEYS, as_manifest, dataset_entry

__all__ = [
    "file_sha256",
    "tree_files",
    "tree_digest",
    "check_source_sha256",
    "sha256_mismatch",
    "verify_annotations",
    "check_melspec_dir",
]

#: Columns of each annotation format the manifest names in a tree's ``parse``: the Harmonix
#: beat files and the published estimates.
_COLUMNS = {"beats": (3, "time, position in bar, bar number"), "times": (1, "one time per line")}
#: dtype of the published Harmonix arrays (the manifest's ``expected.dtype``).
_MELSPEC_DTYPE = np.float32


def file_sha256(path: str | os.PathLike) -> str:
    """sha256 hex digest of a file's bytes (read in chunks, never whole into memory)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def tree_files(directory: str | os.PathLike, pattern: str) -> list[tuple[str, Path]]:
    """(relative POSIX path, path) of the regular files (not links) under ``directory`` whose
    relative path matches ``pattern`` (``fnmatch``: ``*`` also crosses ``/``), sorted by
    relative path."""
    out = []
    base = os.fspath(directory)
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, base).replace(os.sep, "/")
        for fn in filenames:
            rel = fn if rel_dir == "." else f"{rel_dir}/{fn}"
            if fnmatch.fnmatchcase(rel, pattern):
                full = os.path.join(dirpath, fn)
                if os.path.isfile(full) and not os.path.islink(full):
                    out.append((rel, Path(full)))
    out.sort(key=lambda t: t[0])
    return out


def tree_digest(directory: str | os.PathLike, pattern: str = "*") -> tuple[str, int]:
    """Content digest of a directory tree, independent of archive bytes, order and dates.

    For every regular file under ``directory`` whose relative POSIX path matches ``pattern``
    (``fnmatch``, ``*`` also crosses ``/``), take the line
    ``"<relative path>\\0<sha256 hex of the bytes>\\n"``; sort the lines by relative path;
    the digest is the sha256 of their UTF-8 concatenation.

    Returns
    -------
    digest : str
        ``"sha256:<64 hex>"``
    n_files : int
        Number of files that entered the digest.
    """
    h = hashlib.sha256()
    files = tree_files(directory, pattern)
    for rel, p in files:
        h.update(f"{rel}\0{file_sha256(p)}\n".encode("utf-8"))
    return f"sha256:{h.hexdigest()}", len(files)


def check_source_sha256(path: str | os.PathLike, ds: Mapping[str, Any], *, shown: str) -> None:
    """If the manifest records the source file's sha256, the file must have exactly those bytes.

    ``shown`` is how the message names the file (its path, or the URL it came from).

    Raises
    ------
    DownloadError
        The sha256 differs; the message gives both digests.
    """
    want = ds["source"].get("sha256")
    if not want:
        return
    got = file_sha256(path)
    if got != want:
        raise DownloadError(sha256_mismatch(shown, got=got, want=want))


def sha256_mismatch(shown: str, *, got: str, want: str) -> str:
    """The message for a source file whose sha256 is not the manifest's (one wording everywhere)."""
    return (f"{shown}: sha256 {got} differs from the manifest's {want}: the file is damaged, "
            "incomplete or not the one the course expects. Download it again; nothing was installed.")


# --------------------------------------------------------------------------------------------
# Annotations
# --------------------------------------------------------------------------------------------

def verify_annotations(directory: str | os.PathLike, *, manifest=None,
                       progress: bool = False) -> int:
    """Check an annotations tree laid out as installed (``dataset/``, ``results/``).

    Checks, in order: every tree's file count and content digest, and a read of every file
    with the course's loader (beats: 3 columns, strictly increasing times; estimates: one
    increasing time per line; segments: time and label); every single file's sha256, and
    metadata.csv read with :func:`helpers.data.load_metadata` (its number of tracks); and
    that beats, segments and metadata name the same tracks.

    Parameters
    ----------
    directory : str or Path
        Holds the manifest's trees and files at their ``to`` paths.
    manifest : dict or path, optional
        Default: the repository's ``data_manifest.yaml``.
    progress : bool
        Show a progress bar per tree.

    Returns
    -------
    n_files : int
        Number of verified files.

    Raises
    ------
    DownloadError
        The first check that fails, naming the directory or file and the expected and found
        digest or count.
    """
    ds = dataset_entry(as_manifest(manifest), "annotations")
    directory = Path(directory)
    n_files = 0
    ids: dict[str, set[str]] = {}
    for tree in ds["trees"]:
        n, tree_ids = _verify_tree(directory, tree, progress=progress)
        n_files += n
        if tree_ids is not None:
            ids[tree["to"]] = tree_ids
    for f in ds["files"]:
        file_ids = _verify_file(directory, f)
        n_files += 1
        if file_ids is not None:
            ids[f["to"]] = file_ids
    _check_same_tracks({k: v for k, v in ids.items() if k.startswith("dataset/")})
    return n_files


def _verify_tree(directory: Path, tree: Mapping[str, Any], *,
                 progress: bool) -> tuple[int, set[str] | None]:
    """Count, digest and read one tree; return its number of files and its track ids."""
    from tqdm.auto import tqdm

    d = directory / tree["to"]
    digest, n = tree_digest(d, tree["pattern"])
    if n != tree["count"]:
        raise DownloadError(f"{tree['from']}/: {n} files matching {tree['pattern']!r}, "
                            f"expected {tree['count']}. The source is not the pinned version; "
                            "nothing was installed.")
    if digest != tree["digest"]:
        raise DownloadError(f"{tree['from']}/: content digest {digest} differs from the "
                            f"manifest's {tree['digest']} (a file was changed, added or removed). "
                            "The source is not the pinned version or was tampered with; nothing "
                            "was installed.")
    if tree["parse"] == "none":
        return n, None
    files = tree_files(d, tree["pattern"])
    for rel, p in tqdm(files, desc=f"reading {tree['to']}", disable=not progress, leave=False):
        try:
            _read_annotation(p, tree["parse"])
        except HelpersError as exc:
            raise DownloadError(f"{tree['from']}/{rel} does not parse: {exc}. Nothing was "
                                "installed.") from None
    return n, {PurePosixPath(rel).stem for rel, _ in files}


def _read_annotation(path: Path, parse: str) -> None:
    """Read one annotation file with helpers.data's loader for its kind (DataError if it fails)."""
    if parse == "segments":
        unlabelled = [i for i, label in enumerate(load_segments(path).labels, start=1) if not label]
        if unlabelled:
            raise DataError(f"segment {unlabelled[0]} has no label; every line is 'time label'.",
                            path=path)
        return
    beats = load_beats(path)
    n_columns = 1 + (beats.positions is not None) + (beats.bar_numbers is not None)
    want, what = _COLUMNS[parse]
    if n_columns != want:
        raise DataError(f"has {n_columns} column(s), expected {want} ({what}).", path=path)


def _verify_file(directory: Path, f: Mapping[str, Any]) -> set[str] | None:
    """Checksum one single file; for metadata.csv (it has ``rows``) return its track ids."""
    p = directory / f["to"]
    if not p.is_file():
        raise DownloadError(f"{f['from']} is missing from the archive; nothing was installed.")
    got = file_sha256(p)
    if got != f["sha256"]:
        raise DownloadError(f"{f['from']}: sha256 {got} differs from the manifest's "
                            f"{f['sha256']}; nothing was installed.")
    if "rows" not in f:
        return None
    try:
        records = load_metadata(p)
    except HelpersError as exc:
        raise DownloadError(f"{f['from']} does not load: {exc}. Nothing was installed.") from None
    if len(records) != f["rows"]:
        raise DownloadError(f"{f['from']}: {len(records)} rows, expected {f['rows']}; nothing "
                            "was installed.")
    return set(records)


def _check_same_tracks(id_sets: Mapping[str, set[str]]) -> None:
    if len(id_sets) < 2:
        return
    (k0, s0), *rest = id_sets.items()
    for k, s in rest:
        if s != s0:
            raise DownloadError(f"{k0} and {k} name different tracks (e.g. {sorted(s0 ^ s)[:5]}); "
                                "nothing was installed.")


# --------------------------------------------------------------------------------------------
# Mel-spectrograms
# --------------------------------------------------------------------------------------------

def check_melspec_dir(directory: str | os.PathLike, *, parameters: Mapping[str, Any],
                      expected_ids: Iterable[str] | None = None,
                      durations: Mapping[str, float] | None = None,
                      expected_count: int | None = None, frames_tolerance: float = 3.0,
                      headers_only: bool = False, progress: bool = True) -> int:
    """Check a directory of ``<track_id>-mel.npy`` files and its ``info.json``.

    Checks: info.json (read by :func:`helpers.data.read_params`) holds exactly ``parameters``
    (SR, N_MELS, N_FFT, HOP_LENGTH, MEL_FMIN, MEL_FMAX; extra keys are fine); the set of
    track ids equals ``expected_ids`` (or the keys of ``durations``), else the count equals
    ``expected_count``; every array's header (:func:`helpers.data.read_npy_header`: an
    ``.npy`` without Python objects, not truncated) says float32 and shape
    ``(N_MELS, n_frames)``; every array loads with :func:`helpers.data.load_melspec` (finite,
    non-negative POWER values); and, when ``durations`` is given,
    ``|n_frames - (1 + duration_s * SR / HOP_LENGTH)| <= frames_tolerance``.

    Parameters
    ----------
    directory : str or Path
    parameters : mapping
        Expected info.json values (the manifest's ``melspecs.parameters``).
    expected_ids : iterable of str, optional
    durations : mapping of str to float, optional
        Track durations in seconds (metadata.csv ``Duration``).
    expected_count : int, optional
    frames_tolerance : float
        Allowed deviation in frames (the manifest explains its value).
    headers_only : bool
        Read only the .npy headers (fast; skips the value checks).
    progress : bool

    Returns
    -------
    n_arrays : int

    Raises
    ------
    DataMissingError
        There is no info.json.
    DataError
        The first failed check, naming the file.
    """
    from tqdm.auto import tqdm

    directory = Path(directory)
    params = _check_info(directory / INFO_JSON, parameters)
    paths = sorted(p for p in directory.glob("*" + MELSPEC_SUFFIX) if p.is_file())
    ids = {p.name[: -len(MELSPEC_SUFFIX)]: p for p in paths}
    if expected_ids is None and durations is not None:
        expected_ids = durations.keys()
    _check_ids(directory, set(ids), expected_ids=expected_ids, expected_count=expected_count)
    for tid, p in tqdm(ids.items(), desc="checking mel-spectrograms", disable=not progress,
                       leave=False):
        duration_s = None if durations is None else durations.get(tid)
        _check_array(p, params, duration_s=duration_s, frames_tolerance=frames_tolerance,
                     headers_only=headers_only)
    return len(ids)


def _check_info(info_path: Path, parameters: Mapping[str, Any]) -> MelParams:
    """info.json read by the course's reader, compared key by key with the manifest's values."""
    params = read_params(info_path)
    found = params.to_info_json()
    for key in PARAM_KEYS:
        got, want = found[key], parameters[key]
        same = got == want if got is None or want is None else float(got) == float(want)
        if not same:
            raise DataError(f"{key} is {got!r}, but the Harmonix mel-spectrograms have "
                            f"{key}={want!r}: these are not the files the course expects.",
                            path=info_path)
    return params


def _check_ids(directory: Path, ids: set[str], *, expected_ids: Iterable[str] | None,
               expected_count: int | None) -> None:
    if expected_ids is not None:
        expected = set(expected_ids)
        missing, extra = sorted(expected - ids), sorted(ids - expected)
        if missing or extra:
            raise DataError(f"track ids differ from the annotations: {len(missing)} missing "
                            f"(e.g. {missing[:3]}), {len(extra)} unexpected (e.g. {extra[:3]}).",
                            path=directory)
    elif expected_count is not None and len(ids) != expected_count:
        raise DataError(f"{len(ids)} *{MELSPEC_SUFFIX} files, expected {expected_count}.",
                        path=directory)


def _check_array(path: Path, params: MelParams, *, duration_s: float | None,
                 frames_tolerance: float, headers_only: bool) -> None:
    """One array: header (dtype, shape), length against the track's duration, then its values."""
    shape, dtype = read_npy_header(path)
    if dtype != _MELSPEC_DTYPE:
        raise DataError(f"dtype {dtype}, expected float32.", path=path)
    n_mels = params.n_mels
    if len(shape) != 2 or shape[0] != n_mels:
        hint = " (transposed? expected (n_mels, n_frames))" if len(shape) == 2 and shape[1] == n_mels else ""
        raise DataError(f"shape {shape}, expected ({n_mels}, n_frames){hint}.", path=path)
    n_frames = shape[1]
    if n_frames == 0:
        raise DataError("empty array (0 frames).", path=path)
    if duration_s is not None:
        predicted = 1 + float(duration_s) * params.sr / params.hop_length
        if abs(n_frames - predicted) > frames_tolerance:
            raise DataError(
                f"{n_frames} frames, but metadata.csv gives {duration_s} s, i.e. about "
                f"{predicted:.1f} frames at SR={params.sr:g}, HOP_LENGTH={params.hop_length:g} "
                f"(tolerance {frames_tolerance} frames): this array does not belong to this track.",
                path=path)
    if not headers_only:
        try:
            load_melspec(path, params=params)  # the loader the course uses: the same checks there
        except HelpersError as exc:
            raise DataError(str(exc)) from None
