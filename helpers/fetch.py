"""Get the real data: read ``data_manifest.yaml``, report status, download and install safely.

The course runs on a generated demo set; the real Harmonix Set comes in two parts that this
module installs under the data root (``$HELPERS_DATA_DIR``, else ``<repo>/data``):

- ``annotations`` -- downloaded from GitHub (urinieto/harmonixset, pinned commit) into
  ``harmonix/dataset/`` and ``harmonix/results/``;
- ``melspecs``    -- ``Harmonix_melspecs.tgz``, downloaded by hand (about 1.2 GB), installed
  from the file into ``harmonix/melspecs/``.

Conventions
-----------
- Every installed directory holds a ``.complete`` marker, written after everything in it was
  verified; a directory without it is *incomplete* and is never trusted.
- Nothing is written in place until it is verified: downloads stream into a ``.part`` file,
  archives are extracted into a hidden staging directory next to the target, checked, and only
  then renamed into place (a rename on the same file system is atomic). Any failure, including
  Ctrl-C, removes the staging directory and leaves the previous state untouched.
- Archives are never trusted: absolute paths, ``..`` components, links, device files and
  anything that would land outside the target are refused, and the error names the member.
- Arrays are loaded with ``allow_pickle=False``; an ``.npy`` holding Python objects is refused.
- Content, not bytes, is verified where the bytes are not stable (GitHub archives): see
  :func:`tree_digest`.

The command line (``python -m helpers data ...``, :mod:`helpers.cli.data_commands`) calls these functions.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import errno
import fnmatch
import hashlib
import http.client
import io
import json
import lzma
import math
import os
import re
import shutil
import socket
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import yaml

from .errors import DataError, DataMissingError, DownloadError, HelpersError, ParameterError

__all__ = [
    "MANIFEST_PATH",
    "MARKER_NAME",
    "ANNOTATIONS_URL_ENV",
    "DOWNLOAD_TIMEOUT_S",
    "DOWNLOAD_ATTEMPTS",
    "StatusLine",
    "InstallReport",
    "load_manifest",
    "data_root",
    "file_sha256",
    "tree_digest",
    "status",
    "format_status",
    "fetch_annotations",
    "verify_annotations",
    "install_melspecs",
    "check_melspec_dir",
]

#: The repository's description of every data set (next to the ``helpers`` package).
MANIFEST_PATH = Path(__file__).resolve().parent.parent / "data_manifest.yaml"
#: Marker file written last into every installed directory.
MARKER_NAME = ".complete"
#: Environment variable that overrides the annotations download URL (mirrors, tests).
ANNOTATIONS_URL_ENV = "HELPERS_ANNOTATIONS_URL"
#: Seconds without data before a download attempt is abandoned.
DOWNLOAD_TIMEOUT_S = 60.0
#: Attempts per download (each resumes where the previous one stopped, when the server allows).
DOWNLOAD_ATTEMPTS = 4
#: Pause before attempt 2, 3, ... (seconds).
RETRY_BACKOFF_S = (1.0, 3.0, 8.0)
#: Download chunk size (bytes).
CHUNK_BYTES = 1 << 20

_USER_AGENT = "beat-course-helpers (python urllib)"
# Files some archivers add that are never data (macOS resource forks and Finder files).
_JUNK_NAMES = (".DS_Store",)
_JUNK_PREFIXES = ("._",)
_MEL_SUFFIX = "-mel.npy"
_PARAM_KEYS = ("SR", "N_MELS", "N_FFT", "HOP_LENGTH", "MEL_FMIN", "MEL_FMAX")


# --------------------------------------------------------------------------------------------
# Manifest
# --------------------------------------------------------------------------------------------

# (key, type(s), required) per data set kind; nested dicts are checked by _check_keys.
_COMMON_KEYS = {
    "title": (str, True),
    "kind": (str, True),
    "install_to": (str, True),
    "licence": (str, True),
    "citation": (str, True),
    "get": (str, True),
}
_KIND_KEYS = {
    "download": {"source": (dict, True), "trees": (list, True), "files": (list, True)},
    "manual": {
        "source": (dict, True),
        "parameters": (dict, True),
        "expected": (dict, True),
        "frames_tolerance": ((int, float), True),
        "max_unpacked_bytes": (int, True),
    },
    "generated": {"generator": (str, True)},
}
_TREE_KEYS = {
    "from": (str, True),
    "to": (str, True),
    "pattern": (str, True),
    "count": (int, True),
    "digest": (str, True),
    "parse": (str, True),
}
_FILE_KEYS = {"from": (str, True), "to": (str, True), "sha256": (str, True)}
_PARSERS = ("beats", "segments", "times", "none")


def _schema_error(path: Path, key: str, problem: str) -> DataError:
    return DataError(f"key '{key}' {problem}. Fix data_manifest.yaml (see its header comment).",
                     path=path)


def _check_keys(obj: Any, spec: Mapping[str, tuple], where: str, path: Path) -> None:
    if not isinstance(obj, dict):
        raise _schema_error(path, where, f"must be a mapping, not {type(obj).__name__}")
    for key, (types, required) in spec.items():
        full = f"{where}.{key}"
        if key not in obj:
            if required:
                raise _schema_error(path, full, "is missing")
            continue
        value = obj[key]
        if isinstance(value, bool) or not isinstance(value, types):
            want = types.__name__ if isinstance(types, type) else " or ".join(t.__name__ for t in types)
            raise _schema_error(path, full, f"must be {want}, got {value!r}")


def _check_relpath(value: str, key: str, path: Path) -> None:
    p = PurePosixPath(value)
    if p.is_absolute() or ".." in p.parts or "\\" in value or not p.parts:
        raise _schema_error(path, key, f"must be a relative path without '..', got {value!r}")


def load_manifest(path: str | os.PathLike | None = None) -> dict:
    """Read and validate ``data_manifest.yaml``.

    Parameters
    ----------
    path : str or Path, optional
        The manifest; default :data:`MANIFEST_PATH` (the repository's own).

    Returns
    -------
    manifest : dict
        The parsed YAML (``yaml.safe_load``), with ``manifest["_path"]`` set to the file read.

    Raises
    ------
    DataMissingError
        The file does not exist.
    DataError
        The YAML does not parse or a key is missing or has the wrong type; the message names
        the file and the key (e.g. ``datasets.annotations.trees[2].digest``).
    """
    path = Path(MANIFEST_PATH if path is None else path)
    if not path.is_file():
        raise DataMissingError(f"{path}: data manifest not found. It ships with the repository; "
                               "restore it with `git checkout data_manifest.yaml`.")
    try:
        manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise DataError(f"is not valid YAML: {exc}", path=path,
                        line=None if line is None else line + 1) from exc
    _check_keys(manifest, {"schema_version": (int, True), "marker": (str, True),
                           "datasets": (dict, True)}, "manifest", path)
    if manifest["schema_version"] != 1:
        raise _schema_error(path, "schema_version", f"is {manifest['schema_version']}; this "
                            "version of helpers reads schema 1 (update the package)")
    for name, ds in manifest["datasets"].items():
        where = f"datasets.{name}"
        _check_keys(ds, _COMMON_KEYS, where, path)
        kind = ds["kind"]
        if kind not in _KIND_KEYS:
            raise _schema_error(path, f"{where}.kind", f"must be one of {sorted(_KIND_KEYS)}, "
                                f"got {kind!r}")
        _check_keys(ds, _KIND_KEYS[kind], where, path)
        _check_relpath(ds["install_to"], f"{where}.install_to", path)
        if kind == "download":
            _check_keys(ds["source"], {"url": (str, True)}, f"{where}.source", path)
            if "sha256" not in ds["source"]:
                raise _schema_error(path, f"{where}.source.sha256",
                                    "is missing (write null and a sha256_reason if the bytes "
                                    "are not stable)")
            for i, tree in enumerate(ds["trees"]):
                _check_keys(tree, _TREE_KEYS, f"{where}.trees[{i}]", path)
                _check_relpath(tree["from"], f"{where}.trees[{i}].from", path)
                _check_relpath(tree["to"], f"{where}.trees[{i}].to", path)
                if not re.fullmatch(r"sha256:[0-9a-f]{64}", tree["digest"]):
                    raise _schema_error(path, f"{where}.trees[{i}].digest",
                                        f"must look like 'sha256:<64 hex>', got {tree['digest']!r}")
                if tree["parse"] not in _PARSERS:
                    raise _schema_error(path, f"{where}.trees[{i}].parse",
                                        f"must be one of {_PARSERS}, got {tree['parse']!r}")
            for i, f in enumerate(ds["files"]):
                _check_keys(f, _FILE_KEYS, f"{where}.files[{i}]", path)
                _check_relpath(f["from"], f"{where}.files[{i}].from", path)
                _check_relpath(f["to"], f"{where}.files[{i}].to", path)
                if not re.fullmatch(r"[0-9a-f]{64}", f["sha256"]):
                    raise _schema_error(path, f"{where}.files[{i}].sha256",
                                        f"must be 64 hex digits, got {f['sha256']!r}")
        elif kind == "manual":
            _check_keys(ds["source"], {"file_name": (str, True)}, f"{where}.source", path)
            sha = ds["source"].get("sha256")
            if sha is not None and not (isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{64}", sha)):
                raise _schema_error(path, f"{where}.source.sha256",
                                    f"must be null or 64 hex digits, got {sha!r}")
            for key in _PARAM_KEYS:
                if key not in ds["parameters"]:
                    raise _schema_error(path, f"{where}.parameters.{key}", "is missing")
            _check_keys(ds["expected"], {"arrays": (int, True)}, f"{where}.expected", path)
    manifest["_path"] = path
    return manifest


def _manifest(manifest: dict | str | os.PathLike | None) -> dict:
    return manifest if isinstance(manifest, dict) else load_manifest(manifest)


def _dataset(manifest: dict, name: str) -> dict:
    try:
        return manifest["datasets"][name]
    except KeyError:
        raise ParameterError(f"data set {name!r} is not in {manifest.get('_path', 'the manifest')}; "
                             f"known: {sorted(manifest['datasets'])}") from None


# --------------------------------------------------------------------------------------------
# Paths, digests
# --------------------------------------------------------------------------------------------

def data_root(root: str | os.PathLike | None = None) -> Path:
    """The data root: ``root`` if given, else ``helpers.data.data_root()``
    (``$HELPERS_DATA_DIR`` or ``<repo>/data``)."""
    if root is not None:
        return Path(root).expanduser().resolve()
    try:
        from .data import data_root as _data_root  # the one definition, when present
        return Path(_data_root()).resolve()
    except ImportError:
        env = os.environ.get("HELPERS_DATA_DIR")
        return Path(env).expanduser().resolve() if env else MANIFEST_PATH.parent / "data"


def file_sha256(path: str | os.PathLike) -> str:
    """sha256 hex digest of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK_BYTES), b""):
            h.update(chunk)
    return h.hexdigest()


def _tree_files(directory: Path, pattern: str) -> list[tuple[str, Path]]:
    """Regular files (not links) under ``directory`` whose relative POSIX path matches."""
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
    directory = Path(directory)
    h = hashlib.sha256()
    files = _tree_files(directory, pattern)
    for rel, p in files:
        h.update(f"{rel}\0{file_sha256(p)}\n".encode("utf-8"))
    return f"sha256:{h.hexdigest()}", len(files)


# --------------------------------------------------------------------------------------------
# Status
# --------------------------------------------------------------------------------------------

@dataclass
class StatusLine:
    """One data set's state, as ``python -m helpers data status`` prints it.

    ``state`` is ``"present"``, ``"missing"``, ``"incomplete"`` (there, but not finished or not
    verified: no ``.complete`` marker, or parts missing) or ``"corrupt"`` (marked complete, but
    the content no longer matches the manifest). ``found``/``expected`` hold counts by item;
    ``command`` is the exact command that gets or repairs the data set.
    """

    name: str
    state: str
    path: Path
    found: dict[str, int] = field(default_factory=dict)
    expected: dict[str, int | None] = field(default_factory=dict)
    command: str = ""
    detail: str = ""
    url: str | None = None

    @property
    def ok(self) -> bool:
        return self.state == "present"


def _has_marker(directory: Path) -> bool:
    return (directory / MARKER_NAME).is_file()


def _count(directory: Path, pattern: str) -> int:
    if not directory.is_dir():
        return 0
    return len(_tree_files(directory, pattern))


def _csv_rows(path: Path) -> int:
    try:
        with open(path, newline="", encoding="utf-8") as f:
            return max(sum(1 for _ in csv.reader(f)) - 1, 0)
    except (OSError, UnicodeDecodeError):
        return 0


def _parts(ds: dict) -> list[str]:
    parts = []
    for item in list(ds["trees"]) + list(ds["files"]):
        top = PurePosixPath(item["to"]).parts[0]
        if top not in parts:
            parts.append(top)
    return parts


def _status_annotations(name: str, ds: dict, root: Path, verify: bool) -> StatusLine:
    target = root / ds["install_to"]
    line = StatusLine(name=name, state="present", path=target, command=ds["get"])
    parts = _parts(ds)
    exists = [p for p in parts if (target / p).is_dir()]
    problems = []
    for tree in ds["trees"]:
        key = tree["to"]
        line.expected[key] = tree["count"]
        line.found[key] = _count(target / tree["to"], tree["pattern"])
        if line.found[key] != tree["count"]:
            problems.append(f"{key}: {line.found[key]} of {tree['count']} files")
        elif verify:
            digest, _ = tree_digest(target / tree["to"], tree["pattern"])
            if digest != tree["digest"]:
                problems.append(f"{key}: content differs from the manifest (digest {digest[:19]}...)")
    for f in ds["files"]:
        p = target / f["to"]
        line.expected[f["to"]] = 1
        line.found[f["to"]] = int(p.is_file())
        if not p.is_file():
            problems.append(f"{f['to']} missing")
        elif verify and file_sha256(p) != f["sha256"]:
            problems.append(f"{f['to']}: sha256 differs from the manifest")
    unmarked = [p for p in exists if not _has_marker(target / p)]
    if not exists:
        line.state = "missing"
        line.detail = "not downloaded yet"
    elif unmarked or len(exists) < len(parts):
        line.state = "incomplete"
        why = [f"{p}/ has no {MARKER_NAME} marker (interrupted or copied by hand)" for p in unmarked]
        why += [f"{p}/ missing" for p in parts if p not in exists]
        line.detail = "; ".join(why + problems[:3])
        line.command = ds["get"] + " --force"
    elif problems:
        line.state = "corrupt"
        line.detail = "; ".join(problems[:4]) + (" ..." if len(problems) > 4 else "")
        line.command = ds["get"] + " --force"
    return line


def _status_melspecs(name: str, ds: dict, root: Path, verify: bool) -> StatusLine:
    target = root / ds["install_to"]
    src = ds["source"]
    line = StatusLine(name=name, state="present", path=target, command=ds["get"],
                      url=src.get("url"))
    n_expected = ds["expected"]["arrays"]
    line.expected = {"arrays": n_expected, "info.json": 1}
    line.found = {"arrays": _count(target, "*" + _MEL_SUFFIX),
                  "info.json": int((target / "info.json").is_file())}
    if not target.is_dir():
        line.state, line.detail = "missing", "not installed yet"
        return line
    problems = []
    if line.found["arrays"] != n_expected:
        problems.append(f"{line.found['arrays']} of {n_expected} arrays")
    if not line.found["info.json"]:
        problems.append("info.json missing")
    if verify and not problems:
        try:
            check_melspec_dir(target, parameters=ds["parameters"], expected_count=n_expected,
                              headers_only=True, progress=False)
        except HelpersError as exc:
            problems.append(str(exc))
    if not _has_marker(target):
        line.state = "incomplete"
        line.detail = "; ".join([f"no {MARKER_NAME} marker (interrupted, or copied by hand "
                                 "without verification)"] + problems)
    elif problems:
        line.state, line.detail = "corrupt", "; ".join(problems)
    if line.state != "present":
        line.command = ds["get"] + " --force"
    return line


def _status_generated(name: str, ds: dict, root: Path) -> StatusLine:
    target = root / ds["install_to"]
    line = StatusLine(name=name, state="present", path=target, command=ds["get"])
    n = _count(target, "*" + _MEL_SUFFIX)
    expected = ds.get("expected_tracks")
    if expected is None and ds.get("generator") == "helpers.synth":
        with contextlib.suppress(ImportError, AttributeError):
            from .synth import DEMO_TRACKS
            expected = len(DEMO_TRACKS)
    line.found = {"tracks": n}
    line.expected = {"tracks": expected}
    if not target.is_dir():
        line.state, line.detail = "missing", "not generated yet"
    elif not _has_marker(target):
        line.state, line.detail = "incomplete", f"no {MARKER_NAME} marker (generation interrupted)"
    elif n == 0 or (line.expected["tracks"] and n != line.expected["tracks"]):
        line.state, line.detail = "corrupt", f"{n} mel-spectrograms found"
    return line


def status(root: str | os.PathLike | None = None, *, manifest=None,
           verify: bool = False) -> list[StatusLine]:
    """State of every data set in the manifest.

    Parameters
    ----------
    root : str or Path, optional
        Data root; default :func:`data_root`.
    manifest : dict or path, optional
        Default: the repository's ``data_manifest.yaml``.
    verify : bool
        Also recompute content digests (annotations) and read every array header (melspecs).
        Without it, status only counts files and looks for markers (instant).

    Returns
    -------
    list of StatusLine
    """
    manifest = _manifest(manifest)
    root = data_root(root)
    lines = []
    for name, ds in manifest["datasets"].items():
        if ds["kind"] == "download":
            lines.append(_status_annotations(name, ds, root, verify))
        elif ds["kind"] == "manual":
            lines.append(_status_melspecs(name, ds, root, verify))
        else:
            lines.append(_status_generated(name, ds, root))
    by_name = {line.name: line for line in lines}
    if "melspecs" in by_name and "annotations" in by_name:
        mel, ann = by_name["melspecs"], by_name["annotations"]
        if not mel.ok and not ann.ok:
            mel.detail += ("; fetch the annotations first: the install then checks every array "
                           "against its track's duration in metadata.csv")
    return lines


def _status_of(manifest: dict, root: Path, name: str) -> StatusLine:
    return next(line for line in status(root, manifest=manifest) if line.name == name)


def _counts_text(line: StatusLine) -> str:
    bits, est_found, est_expected, n_sys = [], 0, 0, 0
    for key, n in line.found.items():
        exp = line.expected.get(key)
        if key.startswith("results/beats/"):  # the five systems' estimates: one summary
            est_found, est_expected, n_sys = est_found + n, est_expected + (exp or 0), n_sys + 1
            continue
        bits.append(f"{key.rsplit('/', 1)[-1]} {n}" + ("" if exp is None else f"/{exp}"))
    if n_sys:
        bits.append(f"estimates ({n_sys} systems) {est_found}/{est_expected}")
    return ", ".join(bits)


def format_status(lines: Iterable[StatusLine], root: str | os.PathLike | None = None) -> str:
    """Human-readable report of :func:`status` (what ``python -m helpers data status`` prints)."""
    lines = list(lines)
    out = [f"Data root: {data_root(root)}  (change it with HELPERS_DATA_DIR)", ""]
    for line in lines:
        out.append(f"{line.name:<12} {line.state.upper():<11} {line.path}")
        out.append(f"{'':<12} {_counts_text(line)}")
        if line.detail:
            out.append(f"{'':<12} {line.detail}")
        if not line.ok:
            if line.url:
                out.append(f"{'':<12} to get it: download {line.url} by hand "
                           "(about 1.2 GB), then run")
                out.append(f"{'':<14} {line.command}")
            else:
                out.append(f"{'':<12} to get it: {line.command}")
        out.append("")
    missing = [line.name for line in lines if not line.ok]
    out.append("All data sets are present." if not missing
               else f"Not ready: {', '.join(missing)}. Run the command shown for each.")
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Downloading
# --------------------------------------------------------------------------------------------

class _Interrupted(Exception):
    """A download attempt ended early; the next attempt may resume."""


def _open_url(url: str, start: int, validator: str | None, timeout_s: float):
    headers = {"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"}
    if start > 0:
        headers["Range"] = f"bytes={start}-"
        if validator:
            headers["If-Range"] = validator
    return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout_s)


def _download(url: str, part: Path, *, progress: bool, timeout_s: float,
              attempts: int) -> Path:
    """Stream ``url`` into ``part`` (a ``.part`` file), resuming with HTTP Range when possible.

    A sidecar ``<part>.json`` remembers the URL and the server's validator (ETag or
    Last-Modified) so that a later run resumes only the same resource (``If-Range``).
    """
    from tqdm.auto import tqdm

    meta_path = part.with_name(part.name + ".json")
    meta: dict = {}
    if part.exists() and meta_path.exists():
        with contextlib.suppress(OSError, ValueError):
            meta = json.loads(meta_path.read_text())
    if meta.get("url") != url:  # a partial file of something else: start afresh
        part.unlink(missing_ok=True)
        meta = {"url": url}
    last_error: Exception | None = None
    for attempt in range(attempts):
        if attempt:
            time.sleep(RETRY_BACKOFF_S[min(attempt - 1, len(RETRY_BACKOFF_S) - 1)])
        start = part.stat().st_size if part.exists() else 0
        try:
            resp = _open_url(url, start, meta.get("validator"), timeout_s)
        except urllib.error.HTTPError as exc:
            if exc.code == 416 and start > 0:  # our partial file no longer fits: start afresh
                part.unlink(missing_ok=True)
                last_error = exc
                continue
            if 400 <= exc.code < 500:
                raise DownloadError(
                    f"HTTP {exc.code} {exc.reason} for {url}. Check the address (it can be set "
                    f"with --url or {ANNOTATIONS_URL_ENV}); nothing was changed.") from None
            last_error = exc
            continue
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, (ConnectionRefusedError, socket.gaierror)) and attempt == attempts - 1:
                raise DownloadError(f"cannot connect to {url}: {reason}. Check your internet "
                                    "connection or proxy; nothing was changed.") from None
            last_error = exc
            continue
        with resp:
            code = getattr(resp, "status", None) or resp.getcode()
            length = resp.headers.get("Content-Length")
            validator = resp.headers.get("ETag") or resp.headers.get("Last-Modified")
            if code == 206 and start > 0:
                m = re.match(r"bytes (\d+)-(\d+)/(\d+|\*)", resp.headers.get("Content-Range", ""))
                if not m or int(m.group(1)) != start:
                    part.unlink(missing_ok=True)  # a range we did not ask for: start afresh
                    last_error = _Interrupted("server sent an unexpected byte range")
                    continue
                total = None if m.group(3) == "*" else int(m.group(3))
                mode = "ab"
            else:  # 200 (or a file: URL): the whole body, whatever we asked for
                start, mode = 0, "wb"
                total = int(length) if length and length.isdigit() else None
            meta.update(validator=validator,
                        ranges=resp.headers.get("Accept-Ranges", "").lower() == "bytes" or code == 206)
            part.parent.mkdir(parents=True, exist_ok=True)
            meta_path.write_text(json.dumps(meta))
            done = start
            try:
                with open(part, mode) as out, tqdm(total=total, initial=start, unit="B",
                                                   unit_scale=True, unit_divisor=1024,
                                                   desc=part.name.removesuffix(".part"),
                                                   disable=not progress, leave=False) as bar:
                    while True:
                        chunk = resp.read(CHUNK_BYTES)
                        if not chunk:
                            break
                        out.write(chunk)
                        done += len(chunk)
                        bar.update(len(chunk))
            except (OSError, http.client.HTTPException, ValueError) as exc:
                if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
                    _discard_download(part)
                    raise DownloadError(f"disk full while writing {part}; free some space and "
                                        "run again. Nothing was installed.") from None
                last_error = _Interrupted(f"connection lost after {done} bytes ({exc})")
                continue
            if total is not None and done != total:
                last_error = _Interrupted(f"connection closed after {done} of {total} bytes")
                continue
            meta_path.unlink(missing_ok=True)
            return part
    # Out of attempts. Keep the partial file only if a later run can resume it.
    if not meta.get("ranges"):
        _discard_download(part)
        kept = "The partial file was removed."
    else:
        kept = f"The partial download {part} is kept; running the command again resumes it."
    raise DownloadError(f"download of {url} failed after {attempts} attempts: {last_error}. "
                        f"Nothing was installed. {kept}")


def _discard_download(part: Path) -> None:
    part.unlink(missing_ok=True)
    part.with_name(part.name + ".json").unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------
# Safe archive extraction
# --------------------------------------------------------------------------------------------

class _ProgressReader(io.RawIOBase):
    """File wrapper that reports bytes read to a tqdm bar (progress over the compressed file)."""

    def __init__(self, raw, bar):
        self._raw, self._bar = raw, bar

    def readable(self):
        return True

    def readinto(self, b):
        n = self._raw.readinto(b)
        if n:
            self._bar.update(n)
        return n


def _member_relpath(member: tarfile.TarInfo, archive: Path) -> PurePosixPath:
    """Validate one member's name and type; return its relative path. Raise on anything unsafe."""
    name = member.name
    bad = f"{archive}: refusing unsafe member {name!r}"
    if not name or "\x00" in name:
        raise DownloadError(f"{bad}: empty or NUL in name. The archive is damaged or malicious; "
                            "nothing was installed.")
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        raise DownloadError(f"{bad}: absolute path. Nothing was installed.")
    if "\\" in name:
        raise DownloadError(f"{bad}: backslash in path. Nothing was installed.")
    rel = PurePosixPath(name)
    if ".." in rel.parts:
        raise DownloadError(f"{bad}: '..' in path (would write outside the target). "
                            "Nothing was installed.")
    if member.issym() or member.islnk():
        kind = "symbolic link" if member.issym() else "hard link"
        raise DownloadError(f"{bad}: it is a {kind} to {member.linkname!r}; data archives hold "
                            "only files and folders. Nothing was installed.")
    if not (member.isfile() or member.isdir()):
        raise DownloadError(f"{bad}: it is a device, FIFO or other special file (type "
                            f"{member.type!r}). Nothing was installed.")
    return PurePosixPath(*[p for p in rel.parts if p not in ("", ".")])


def _safe_extract(archive: Path, dest: Path, *, select=None, max_bytes: int | None = None,
                  progress: bool = True, desc: str = "extracting") -> dict[str, int]:
    """Stream ``archive`` (tar, any compression) into ``dest``, refusing anything unsafe.

    ``select(relpath) -> str | None`` maps a member's relative path (after validation) to its
    destination relative to ``dest``, or ``None`` to skip it. Every member is validated, also
    the skipped ones. Each written member also passes ``tarfile.data_filter`` (the stdlib's
    ``filter='data'``) as a second line of defence. Returns counts.
    """
    from tqdm.auto import tqdm

    dest = dest.resolve()
    counts = {"members": 0, "written": 0, "skipped": 0, "bytes": 0}
    try:
        raw = open(archive, "rb")
    except OSError as exc:
        raise DataMissingError(f"{archive}: cannot open the archive ({exc.strerror}).") from None
    with raw, tqdm(total=archive.stat().st_size, unit="B", unit_scale=True, unit_divisor=1024,
                   desc=desc, disable=not progress, leave=False) as bar:
        reader = io.BufferedReader(_ProgressReader(raw, bar), CHUNK_BYTES)
        try:
            with tarfile.open(fileobj=reader, mode="r|*") as tar:
                for member in tar:
                    counts["members"] += 1
                    rel = _member_relpath(member, archive)
                    if not rel.parts:
                        continue
                    if rel.name in _JUNK_NAMES or rel.name.startswith(_JUNK_PREFIXES):
                        counts["skipped"] += 1
                        continue
                    target_rel = select(rel) if select else rel.as_posix()
                    if target_rel is None:
                        counts["skipped"] += 1
                        continue
                    out = dest / target_rel
                    if not os.path.normpath(out).startswith(os.fspath(dest) + os.sep):
                        raise DownloadError(f"{archive}: refusing member {member.name!r}: it "
                                            "resolves outside the target. Nothing was installed.")
                    try:
                        tarfile.data_filter(member, str(dest))
                    except tarfile.FilterError as exc:
                        raise DownloadError(f"{archive}: refusing member {member.name!r}: {exc}. "
                                            "Nothing was installed.") from None
                    if member.isdir():
                        out.mkdir(parents=True, exist_ok=True)
                        continue
                    counts["bytes"] += member.size
                    if max_bytes is not None and counts["bytes"] > max_bytes:
                        raise DownloadError(f"{archive}: unpacks to more than {max_bytes} bytes "
                                            "(the manifest's limit); refusing. Nothing was installed.")
                    out.parent.mkdir(parents=True, exist_ok=True)
                    src = tar.extractfile(member)
                    try:
                        with open(out, "xb") as f:  # 'x': a duplicate member is an error
                            shutil.copyfileobj(src, f, CHUNK_BYTES)
                    except FileExistsError:
                        raise DownloadError(f"{archive}: member {member.name!r} appears twice; "
                                            "refusing an ambiguous archive. Nothing was installed.") from None
                    counts["written"] += 1
        except HelpersError:
            raise
        except (tarfile.TarError, EOFError, zlib.error, lzma.LZMAError) as exc:
            raise DownloadError(f"{archive}: the archive is damaged, truncated or not a tar "
                                f"archive ({exc}). Download it again; nothing was installed.") from None
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise DownloadError(f"disk full while extracting {archive} into {dest.parent}; "
                                    "free some space and run again. Nothing was installed.") from None
            raise DownloadError(f"{archive}: cannot extract ({exc}). Nothing was installed.") from None
    return counts


# --------------------------------------------------------------------------------------------
# Installing: staging directories, locks, atomic swaps
# --------------------------------------------------------------------------------------------

@dataclass
class InstallReport:
    """What :func:`fetch_annotations` / :func:`install_melspecs` did."""

    dataset: str
    path: Path
    already_present: bool = False
    files: int = 0
    source: str = ""
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if self.already_present:
            return (f"{self.dataset}: already installed and complete in {self.path} "
                    "(use --force to reinstall).")
        text = f"{self.dataset}: installed {self.files} verified files into {self.path}"
        return text + "".join(f"\n  note: {n}" for n in self.notes)


@contextlib.contextmanager
def _install_lock(directory: Path) -> Iterator[None]:
    """Exclusive lock on ``directory`` (flock on the directory itself: no file is left behind)."""
    try:
        import fcntl
    except ImportError:  # Windows: no locking, installs are still staged and atomic
        yield
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DownloadError(f"another install is running in {directory}; wait for it to "
                                "finish and run the command again.") from None
        yield
    finally:
        os.close(fd)


def _clean_stale(parent: Path, parts: Iterable[str]) -> None:
    """Tidy what a killed run may have left: staging dirs, and parts moved aside mid-swap."""
    if not parent.is_dir():
        return
    for p in parent.iterdir():
        if p.name.startswith(".staging-") and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
    for part in parts:
        for old in sorted(parent.glob(f".old-{part}-*")):
            final = parent / part
            if not final.exists():
                os.rename(old, final)  # the swap was cut short: put the old version back
            else:
                shutil.rmtree(old, ignore_errors=True)


def _write_marker(directory: Path, info: dict) -> None:
    from . import __version__
    info = {"helpers_version": __version__,
            "installed_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            **info}
    tmp = directory / (MARKER_NAME + ".tmp")
    tmp.write_text(json.dumps(info, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, directory / MARKER_NAME)


def _swap_in(parent: Path, new_dirs: Mapping[str, Path]) -> None:
    """Rename each ``new_dirs[part]`` to ``parent/part``; all or nothing."""
    tag = f"{os.getpid()}-{time.monotonic_ns()}"
    moved_old: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for part, new in new_dirs.items():
            final = parent / part
            if final.exists() or final.is_symlink():
                old = parent / f".old-{part}-{tag}"
                os.rename(final, old)
                moved_old.append((old, final))
            os.rename(new, final)
            placed.append(final)
    except BaseException:
        for final in placed:  # roll back: take the new ones out, put the old ones back
            shutil.rmtree(final, ignore_errors=True)
        for old, final in moved_old:
            if not final.exists():
                os.rename(old, final)
        raise
    for old, _ in moved_old:
        shutil.rmtree(old, ignore_errors=True)


def _update_dataset_marker(manifest: dict, root: Path) -> None:
    """``harmonix/.complete`` (the whole data set) exists iff every part of it is complete."""
    by_dir: dict[str, list[StatusLine]] = {}
    for line in status(root, manifest=manifest):
        top = PurePosixPath(manifest["datasets"][line.name]["install_to"]).parts[0]
        by_dir.setdefault(top, []).append(line)
    for top, lines in by_dir.items():
        d = root / top
        if not d.is_dir():
            continue
        if all(line.ok for line in lines):
            if not _has_marker(d):
                _write_marker(d, {"dataset": top, "parts": [line.name for line in lines]})
        else:
            (d / MARKER_NAME).unlink(missing_ok=True)


def _remove_empty_dirs(created: list[Path]) -> None:
    for d in reversed(created):
        with contextlib.suppress(OSError):
            d.rmdir()  # only if empty


def _mkdirs(path: Path) -> list[Path]:
    """mkdir -p, returning the directories actually created (to undo on failure)."""
    created = []
    for p in reversed([path, *path.parents]):
        if not p.exists():
            p.mkdir()
            created.append(p)
    return created


# --------------------------------------------------------------------------------------------
# Annotations
# --------------------------------------------------------------------------------------------

def _parse_table(path: Path, kind: str) -> int:
    """Parse an annotation file; return its number of rows. Raise DataError naming the line.

    ``kind``: ``"beats"`` (time, position in bar, bar number), ``"times"`` (one time per
    line) or ``"segments"`` (time, label). Times must be finite and >= 0, and for beats and
    times strictly increasing. A vectorised pass checks the common (valid) case; the slow
    line-by-line pass runs only to name the offending line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 text ({exc.reason}).", path=path) from None
    want = {"beats": 3, "times": 1}.get(kind)
    try:
        if kind == "times":  # one token per non-empty line <=> as many tokens as lines
            tokens = text.split()
            if len(tokens) != sum(1 for line in text.splitlines() if line.strip()):
                raise ValueError
            values = np.array(tokens, dtype=np.float64).reshape(-1, 1)
        else:
            rows = [line.split() for line in text.splitlines() if line.strip()]
            if want is not None and any(len(r) != want for r in rows):
                raise ValueError
            if kind == "segments" and any(len(r) < 2 for r in rows):
                raise ValueError
            ncol = want or 1
            values = np.array([r[:ncol] for r in rows], dtype=np.float64).reshape(len(rows), ncol)
        t = values[:, 0]
        if not (np.isfinite(values).all() and (t >= 0).all()):
            raise ValueError
        if kind in ("beats", "times") and (np.diff(t) <= 0).any():
            raise ValueError
        if kind == "beats" and (values[:, 1:] != np.round(values[:, 1:])).any():
            raise ValueError
        return len(values)
    except ValueError:
        _parse_table_slowly(path, text, kind, want)
        raise DataError("does not parse.", path=path) from None  # not reached in practice


def _parse_table_slowly(path: Path, text: str, kind: str, want: int | None) -> None:
    prev = -math.inf
    for i, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        cols = raw.split()
        if want is not None and len(cols) != want:
            raise DataError(f"expected {want} column(s), found {len(cols)}: {raw!r}", path=path,
                            line=i)
        if kind == "segments" and len(cols) < 2:
            raise DataError(f"expected 'time label', found {raw!r}", path=path, line=i)
        try:
            t = float(cols[0])
            if kind == "beats" and any(float(c) != round(float(c)) for c in cols[1:]):
                raise DataError(f"position and bar number must be integers: {raw!r}",
                                path=path, line=i)
        except ValueError:
            raise DataError(f"not a number in {raw!r}", path=path, line=i) from None
        if not math.isfinite(t) or t < 0:
            raise DataError(f"time {t} is negative or not finite", path=path, line=i)
        if kind in ("beats", "times") and t <= prev:
            raise DataError(f"times must increase, but {t} follows {prev}", path=path, line=i)
        prev = t


def _parse_beats_with_data_module(path: Path) -> None:
    """Cross-check with helpers.data.load_beats, the loader the course really uses (if present)."""
    try:
        from .data import load_beats
    except ImportError:
        return
    load_beats(path)


def verify_annotations(directory: str | os.PathLike, *, manifest=None,
                       progress: bool = False) -> int:
    """Check an annotations tree laid out as installed (``dataset/``, ``results/``).

    Checks, in order: every tree's file count and content digest, every single file's sha256,
    a parse of every annotation file (beats: 3 columns with increasing times; estimates: one
    increasing time per line; segments: time and label), metadata.csv's row count, and that
    beats, segments and metadata name the same tracks.

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
    from tqdm.auto import tqdm

    manifest = _manifest(manifest)
    ds = _dataset(manifest, "annotations")
    directory = Path(directory)
    n_files = 0
    ids: dict[str, set[str]] = {}
    for tree in ds["trees"]:
        d = directory / tree["to"]
        digest, n = tree_digest(d, tree["pattern"])
        if n != tree["count"]:
            raise DownloadError(f"{tree['from']}/: {n} files matching {tree['pattern']!r}, "
                                f"expected {tree['count']}. The source is not the pinned "
                                "version; nothing was installed.")
        if digest != tree["digest"]:
            raise DownloadError(f"{tree['from']}/: content digest {digest} differs from the "
                                f"manifest's {tree['digest']} (a file was changed, added or "
                                "removed). The source is not the pinned version or was tampered "
                                "with; nothing was installed.")
        if tree["parse"] != "none":
            files = _tree_files(d, tree["pattern"])
            for rel, p in tqdm(files, desc=f"parsing {tree['to']}", disable=not progress,
                               leave=False):
                try:
                    _parse_table(p, tree["parse"])
                    if tree["parse"] == "beats":
                        _parse_beats_with_data_module(p)
                except DataError as exc:
                    raise DownloadError(f"{tree['from']}/{rel} does not parse: {exc}. Nothing "
                                        "was installed.") from None
            ids[tree["to"]] = {PurePosixPath(rel).stem for rel, _ in files}
        n_files += n
    for f in ds["files"]:
        p = directory / f["to"]
        if not p.is_file():
            raise DownloadError(f"{f['from']} is missing from the archive; nothing was installed.")
        got = file_sha256(p)
        if got != f["sha256"]:
            raise DownloadError(f"{f['from']}: sha256 {got} differs from the manifest's "
                                f"{f['sha256']}; nothing was installed.")
        if "rows" in f:
            rows = _csv_rows(p)
            if rows != f["rows"]:
                raise DownloadError(f"{f['from']}: {rows} rows, expected {f['rows']}; nothing "
                                    "was installed.")
            if p.suffix == ".csv":
                with open(p, newline="", encoding="utf-8") as fh:
                    ids[f["to"]] = {row["File"] for row in csv.DictReader(fh) if "File" in row}
        n_files += 1
    id_sets = {k: v for k, v in ids.items() if k.startswith("dataset/")}
    if len(id_sets) > 1:
        (k0, s0), *rest = id_sets.items()
        for k, s in rest:
            if s != s0:
                diff = sorted(s0 ^ s)[:5]
                raise DownloadError(f"{k0} and {k} name different tracks (e.g. {diff}); "
                                    "nothing was installed.")
    return n_files


def _check_source_sha256(path: Path, ds: dict, shown: str) -> None:
    """If the manifest records the source file's sha256, the file must have exactly those bytes."""
    want = ds["source"].get("sha256")
    if not want:
        return
    got = file_sha256(path)
    if got != want:
        raise DownloadError(f"{shown}: sha256 {got} differs from the manifest's {want}: the file is "
                            "damaged, incomplete or not the one the course expects. Download it "
                            "again; nothing was installed.")


def _annotation_url(ds: dict, url: str | None) -> str:
    url = url or os.environ.get(ds["source"].get("url_env", ANNOTATIONS_URL_ENV)) or ds["source"]["url"]
    scheme = urllib.parse.urlparse(url).scheme
    if scheme not in ("http", "https", "file"):
        raise ParameterError(f"cannot download {url!r}: only http, https and file URLs are "
                             "supported.")
    return url


def fetch_annotations(*, url: str | None = None, root: str | os.PathLike | None = None,
                      force: bool = False, progress: bool = True, manifest=None,
                      timeout_s: float = DOWNLOAD_TIMEOUT_S,
                      attempts: int = DOWNLOAD_ATTEMPTS) -> InstallReport:
    """Download the Harmonix annotations, verify them, and install them atomically.

    Steps: stream the archive into ``<root>/harmonix/.download-<name>.part`` (resuming an
    earlier partial download when the server supports HTTP Range), extract only the
    manifest's trees safely into a staging directory next to the target, verify digests,
    counts and a parse of every file (:func:`verify_annotations`), write the ``.complete``
    markers, then rename ``dataset/`` and ``results/`` into place. Any failure leaves the
    previous state as it was.

    Parameters
    ----------
    url : str, optional
        Override the manifest's URL (also ``$HELPERS_ANNOTATIONS_URL``): a mirror with the
        same content. Content is verified either way.
    root : str or Path, optional
        Data root; default :func:`data_root`.
    force : bool
        Reinstall even when complete annotations are present.
    progress : bool
        Show tqdm progress bars.
    timeout_s : float
        Seconds without data before a download attempt is abandoned.
    attempts : int
        Download attempts (each resumes where the last stopped, if the server allows).

    Returns
    -------
    InstallReport

    Raises
    ------
    DownloadError
        HTTP error (e.g. 404), repeated connection loss, damaged or unsafe archive, or content
        that does not match the manifest. Nothing is installed.
    """
    manifest = _manifest(manifest)
    ds = _dataset(manifest, "annotations")
    root = data_root(root)
    target = root / ds["install_to"]
    parts = _parts(ds)
    url = _annotation_url(ds, url)
    if not force and _status_of(manifest, root, "annotations").ok:
        return InstallReport("annotations", target, already_present=True)
    created = _mkdirs(target)
    name = (ds["source"].get("archive_root") or "annotations") + ".tar.gz"
    part = target / f".download-{name}.part"
    ok = False
    try:
        with _install_lock(target):
            _clean_stale(target, parts)
            _download(url, part, progress=progress, timeout_s=timeout_s, attempts=attempts)
            # From here on the download is complete: whatever happens, it is not kept (a
            # verified archive is installed; a bad one will not get better by resuming).
            staging = Path(tempfile.mkdtemp(prefix=".staging-annotations-", dir=target))
            try:
                _check_source_sha256(part, ds, url)
                trees = [(PurePosixPath(t["from"]), t["to"], t["pattern"]) for t in ds["trees"]]
                files = {PurePosixPath(f["from"]): f["to"] for f in ds["files"]}
                top: list[str] = []

                def select(rel: PurePosixPath) -> str | None:
                    # GitHub archives hold one top-level folder, <repo>-<commit>/: strip it.
                    if not top:
                        top.append(rel.parts[0])
                    if rel.parts[0] != top[0]:
                        raise DownloadError(f"{url}: the archive has more than one top-level "
                                            f"folder ({top[0]!r}, {rel.parts[0]!r}); it is not "
                                            "a GitHub archive. Nothing was installed.")
                    inner = PurePosixPath(*rel.parts[1:]) if len(rel.parts) > 1 else None
                    if inner is None:
                        return None
                    if inner in files:
                        return files[inner]
                    for src, dst, pattern in trees:
                        if inner.is_relative_to(src):
                            sub = inner.relative_to(src).as_posix()
                            return f"{dst}/{sub}" if fnmatch.fnmatchcase(sub, pattern) else None
                    return None

                _safe_extract(part, staging, select=select,
                              max_bytes=ds.get("max_unpacked_bytes"), progress=progress,
                              desc="extracting annotations")
                n = verify_annotations(staging, manifest=manifest, progress=progress)
                info = {"dataset": "annotations", "source": url,
                        "commit": ds["source"].get("commit"), "verified": "tree digests, counts, "
                        "sha256 of single files, parse of every annotation file"}
                for p in parts:
                    (staging / p).mkdir(exist_ok=True)
                    _write_marker(staging / p, info)
                _swap_in(target, {p: staging / p for p in parts})
            finally:
                shutil.rmtree(staging, ignore_errors=True)
                _discard_download(part)
            _update_dataset_marker(manifest, root)
            ok = True
    finally:
        if not ok:
            _remove_empty_dirs(created)
    return InstallReport("annotations", target, files=n, source=url)


# --------------------------------------------------------------------------------------------
# Mel-spectrograms
# --------------------------------------------------------------------------------------------

def _read_info(info_path: Path, parameters: Mapping[str, Any]) -> dict:
    try:
        info = json.loads(info_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError("info.json is missing next to the arrays; the archive is not the Harmonix "
                        "mel-spectrograms.", path=info_path) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataError(f"is not valid JSON ({exc}).", path=info_path) from None
    if not isinstance(info, dict):
        raise DataError("must hold a JSON object.", path=info_path)
    for key in _PARAM_KEYS:
        want = parameters[key]
        if key not in info:
            raise DataError(f"key {key!r} is missing (expected {want!r}).", path=info_path)
        got = info[key]
        same = (got is None and want is None) or (
            got is not None and want is not None and not isinstance(got, bool)
            and isinstance(got, (int, float)) and float(got) == float(want))
        if not same:
            raise DataError(f"{key} is {got!r}, but the Harmonix mel-spectrograms have "
                            f"{key}={want!r}: these are not the files the course expects.",
                            path=info_path)
    return info


def _metadata_durations(root: Path, manifest: dict) -> dict[str, float] | None:
    ds = manifest["datasets"].get("annotations")
    if not ds:
        return None
    csv_path = root / ds["install_to"] / "dataset" / "metadata.csv"
    if not csv_path.is_file() or not _has_marker(csv_path.parent):
        return None
    try:
        from .data import load_metadata
        return {tid: float(m.duration_s) for tid, m in load_metadata(csv_path).items()}
    except ImportError:
        pass
    with open(csv_path, newline="", encoding="utf-8") as f:
        return {row["File"]: float(row["Duration"]) for row in csv.DictReader(f)}


def check_melspec_dir(directory: str | os.PathLike, *, parameters: Mapping[str, Any],
                      expected_ids: Iterable[str] | None = None,
                      durations: Mapping[str, float] | None = None,
                      expected_count: int | None = None, frames_tolerance: float = 3.0,
                      headers_only: bool = False, progress: bool = True) -> int:
    """Check a directory of ``<track_id>-mel.npy`` files and its ``info.json``.

    Checks: info.json holds exactly ``parameters`` (SR, N_MELS, N_FFT, HOP_LENGTH, MEL_FMIN,
    MEL_FMAX; extra keys are fine); the set of track ids equals ``expected_ids`` (or the keys
    of ``durations``), else the count equals ``expected_count``; every array is an ``.npy``
    without Python objects, float32, shape ``(N_MELS, n_frames)``, finite and non-negative
    (POWER values); and, when ``durations`` is given,
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
    DataError
        The first failed check, naming the file.
    """
    from tqdm.auto import tqdm

    from .data import _read_npy_header   # the one .npy header check (no pickles, no truncation)

    directory = Path(directory)
    info = _read_info(directory / "info.json", parameters)
    n_mels, sr, hop = int(info["N_MELS"]), float(info["SR"]), float(info["HOP_LENGTH"])
    paths = sorted(p for p in directory.glob("*" + _MEL_SUFFIX) if p.is_file())
    ids = {p.name[: -len(_MEL_SUFFIX)]: p for p in paths}
    if expected_ids is None and durations is not None:
        expected_ids = durations.keys()
    if expected_ids is not None:
        expected = set(expected_ids)
        missing, extra = sorted(expected - ids.keys()), sorted(ids.keys() - expected)
        if missing or extra:
            raise DataError(f"track ids differ from the annotations: {len(missing)} missing "
                            f"(e.g. {missing[:3]}), {len(extra)} unexpected (e.g. {extra[:3]}).",
                            path=directory)
    elif expected_count is not None and len(ids) != expected_count:
        raise DataError(f"{len(ids)} *{_MEL_SUFFIX} files, expected {expected_count}.",
                        path=directory)
    try:
        from .data import load_melspec as _load_with_data_module
    except ImportError:
        _load_with_data_module = None
    for tid, p in tqdm(ids.items(), desc="checking mel-spectrograms", disable=not progress,
                       leave=False):
        shape, dtype = _read_npy_header(p)
        if dtype != np.float32:
            raise DataError(f"dtype {dtype}, expected float32.", path=p)
        if len(shape) != 2 or shape[0] != n_mels:
            hint = " (transposed? expected (n_mels, n_frames))" if len(shape) == 2 and shape[1] == n_mels else ""
            raise DataError(f"shape {shape}, expected ({n_mels}, n_frames){hint}.", path=p)
        n_frames = shape[1]
        if n_frames == 0:
            raise DataError("empty array (0 frames).", path=p)
        if durations is not None and tid in durations:
            predicted = 1 + float(durations[tid]) * sr / hop
            if abs(n_frames - predicted) > frames_tolerance:
                raise DataError(
                    f"{n_frames} frames, but metadata.csv gives {durations[tid]} s, i.e. about "
                    f"{predicted:.1f} frames at SR={sr:g}, HOP_LENGTH={hop:g} (tolerance "
                    f"{frames_tolerance} frames): this array does not belong to this track.",
                    path=p)
        if headers_only:
            continue
        if _load_with_data_module is not None:  # the loader the course uses: same checks there
            try:
                _load_with_data_module(p)
            except HelpersError as exc:
                raise DataError(str(exc)) from None
            continue
        try:
            arr = np.load(p, allow_pickle=False, mmap_mode="r")
            finite = bool(np.isfinite(arr).all())
            nonneg = bool((arr >= 0).all()) if finite else True
            del arr
        except (ValueError, OSError, EOFError) as exc:
            raise DataError(f"cannot be read ({exc}).", path=p) from None
        if not finite:
            raise DataError("holds NaN or infinite values.", path=p)
        if not nonneg:
            raise DataError("holds negative values: a POWER spectrogram is >= 0 (is it in dB?).",
                            path=p)
    return len(ids)


def _find_melspec_dir(staging: Path, archive: Path) -> Path:
    candidates = []
    for dirpath, _dirs, files in os.walk(staging):
        if "info.json" in files:
            n = sum(f.endswith(_MEL_SUFFIX) for f in files)
            candidates.append((n, Path(dirpath)))
    candidates = [c for c in candidates if c[0] > 0] or candidates
    if not candidates:
        raise DownloadError(f"{archive}: no folder with info.json and *{_MEL_SUFFIX} files; it "
                            "is not the Harmonix mel-spectrogram archive. Nothing was installed.")
    if len(candidates) > 1:
        where = ", ".join(str(d.relative_to(staging)) for _, d in candidates)
        raise DownloadError(f"{archive}: several folders hold info.json ({where}); which one is "
                            "the data is ambiguous. Nothing was installed.")
    return candidates[0][1]


def install_melspecs(tgz_path: str | os.PathLike, *, root: str | os.PathLike | None = None,
                     force: bool = False, progress: bool = True, manifest=None,
                     expected_ids: Iterable[str] | None = None,
                     durations: Mapping[str, float] | None = None) -> InstallReport:
    """Verify ``Harmonix_melspecs.tgz`` and install it atomically into ``<root>/harmonix/melspecs``.

    The archive is streamed (never loaded into memory) into a staging directory next to the
    target, refusing unsafe members (absolute paths, ``..``, links, device files, anything
    outside the target). The folder holding ``info.json`` and the ``*-mel.npy`` files is found
    whatever its name, checked with :func:`check_melspec_dir`, marked ``.complete`` and renamed
    into place.

    Parameters
    ----------
    tgz_path : str or Path
        The downloaded archive.
    root : str or Path, optional
        Data root; default :func:`data_root`.
    force : bool
        Reinstall even if complete mel-spectrograms are present.
    progress : bool
    manifest : dict or path, optional
    expected_ids, durations : optional
        Which tracks to expect and their durations (s). Default: read from the installed
        annotations' metadata.csv if present, else only the manifest's count is checked.

    Returns
    -------
    InstallReport

    Raises
    ------
    DataMissingError
        ``tgz_path`` does not exist.
    DownloadError
        Unsafe or damaged archive, or content that fails a check. Nothing is installed.
    """
    manifest = _manifest(manifest)
    ds = _dataset(manifest, "melspecs")
    root = data_root(root)
    tgz = Path(tgz_path).expanduser()
    if not tgz.is_file():
        raise DataMissingError(f"{tgz}: no such file. Download {ds['source']['file_name']} from "
                               f"{ds['source'].get('url') or 'the address in data_manifest.yaml'} "
                               "and give its path.")
    target = root / ds["install_to"]
    if not force and _status_of(manifest, root, "melspecs").ok:
        return InstallReport("melspecs", target, already_present=True)
    _check_source_sha256(tgz, ds, str(tgz))
    notes = []
    if durations is None and expected_ids is None:
        durations = _metadata_durations(root, manifest)
        if durations is None:
            notes.append("annotations are not installed, so the arrays were checked by count "
                         "only, not against metadata.csv durations; run `python -m helpers data "
                         "fetch annotations` and then `install-melspecs ... --force` for the "
                         "full check.")
    created = _mkdirs(target.parent)
    ok = False
    try:
        with _install_lock(target.parent):
            _clean_stale(target.parent, [target.name])
            staging = Path(tempfile.mkdtemp(prefix=f".staging-{target.name}-", dir=target.parent))
            try:
                _safe_extract(tgz.resolve(), staging, max_bytes=ds["max_unpacked_bytes"],
                              progress=progress, desc="extracting mel-spectrograms")
                found = _find_melspec_dir(staging, tgz)
                try:
                    n = check_melspec_dir(found, parameters=ds["parameters"],
                                          expected_ids=expected_ids, durations=durations,
                                          expected_count=ds["expected"]["arrays"],
                                          frames_tolerance=float(ds["frames_tolerance"]),
                                          progress=progress)
                except DataError as exc:
                    rel = str(exc).replace(str(found) + os.sep, "").replace(str(found), ".")
                    raise DownloadError(f"{tgz}: verification failed: {rel} Nothing was "
                                        "installed.") from None
                _write_marker(found, {"dataset": "melspecs", "source": str(tgz.resolve()),
                                      "arrays": n, "checked_against_durations": durations is not None})
                _swap_in(target.parent, {target.name: found})
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            _update_dataset_marker(manifest, root)
            ok = True
    finally:
        if not ok:
            _remove_empty_dirs(created)
    return InstallReport("melspecs", target, files=n + 1, source=str(tgz), notes=notes)
