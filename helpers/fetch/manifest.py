"""Read ``data_manifest.yaml``: the schema of every data set's entry, and where each one goes.

The manifest (next to the ``helpers`` package) says, for each data set, where it comes from,
its licence, what is installed where, and how it is verified. :func:`load_manifest` reads it
with ``yaml.safe_load`` and checks every key the installer relies on, so a mistake in the file
is reported with the file and the key (``datasets.annotations.trees[2].digest``), never as a
``KeyError`` half-way through an install.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from ..data import data_root
from ..errors import DataError, DataMissingError, ParameterError

__all__ = [
    "MANIFEST_PATH",
    "ANNOTATIONS_URL_ENV",
    "MELSPECS_URL_ENV",
    "load_manifest",
    "as_manifest",
    "dataset_entry",
    "resolve_root",
    "source_url",
]

#: The repository's description of every data set (next to the ``helpers`` package).
MANIFEST_PATH = Path(__file__).resolve().parents[2] / "data_manifest.yaml"
#: Environment variable that overrides the annotations download URL (mirrors, tests).
ANNOTATIONS_URL_ENV = "HELPERS_ANNOTATIONS_URL"
#: Environment variable that overrides the mel-spectrogram archive's URL (mirrors, tests).
MELSPECS_URL_ENV = "HELPERS_MELSPECS_URL"
#: The schema this version of the package reads (``schema_version`` in the manifest).
SCHEMA_VERSION = 1
#: info.json keys the manifest's ``parameters`` must give (the Harmonix info.json's spelling).
PARAM_KEYS = ("SR", "N_MELS", "N_FFT", "HOP_LENGTH", "MEL_FMIN", "MEL_FMAX")
#: What ``parse`` of a tree may say: the loader from helpers.data each file is read with.
PARSERS = ("beats", "segments", "times", "none")

# key -> (type or types, required), per data set kind. "download": an archive from which
# selected trees are installed and verified by content digest (the GitHub annotations);
# "archive": one archive, installed whole and checked array by array (the mel-spectrograms);
# "generated": made by this package (the demo set).
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
    "archive": {
        "source": (dict, True),
        "get_by_hand": (str, True),
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
_SHA256 = re.compile(r"[0-9a-f]{64}")
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


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
    if manifest["schema_version"] != SCHEMA_VERSION:
        raise _schema_error(path, "schema_version", f"is {manifest['schema_version']}; this "
                            f"version of helpers reads schema {SCHEMA_VERSION} (update the package)")
    for name, ds in manifest["datasets"].items():
        _check_dataset(ds, f"datasets.{name}", path)
    manifest["_path"] = path
    return manifest


def _check_dataset(ds: Any, where: str, path: Path) -> None:
    _check_keys(ds, _COMMON_KEYS, where, path)
    kind = ds["kind"]
    if kind not in _KIND_KEYS:
        raise _schema_error(path, f"{where}.kind", f"must be one of {sorted(_KIND_KEYS)}, "
                            f"got {kind!r}")
    _check_keys(ds, _KIND_KEYS[kind], where, path)
    _check_relpath(ds["install_to"], f"{where}.install_to", path)
    if kind == "download":
        _check_download(ds, where, path)
    elif kind == "archive":
        _check_archive(ds, where, path)


def _check_download(ds: dict, where: str, path: Path) -> None:
    _check_keys(ds["source"], {"url": (str, True)}, f"{where}.source", path)
    if "sha256" not in ds["source"]:
        raise _schema_error(path, f"{where}.source.sha256",
                            "is missing (write null and a sha256_reason if the bytes are not stable)")
    for i, tree in enumerate(ds["trees"]):
        at = f"{where}.trees[{i}]"
        _check_keys(tree, _TREE_KEYS, at, path)
        _check_relpath(tree["from"], f"{at}.from", path)
        _check_relpath(tree["to"], f"{at}.to", path)
        if not _DIGEST.fullmatch(tree["digest"]):
            raise _schema_error(path, f"{at}.digest",
                                f"must look like 'sha256:<64 hex>', got {tree['digest']!r}")
        if tree["parse"] not in PARSERS:
            raise _schema_error(path, f"{at}.parse", f"must be one of {PARSERS}, got {tree['parse']!r}")
    for i, f in enumerate(ds["files"]):
        at = f"{where}.files[{i}]"
        _check_keys(f, _FILE_KEYS, at, path)
        _check_relpath(f["from"], f"{at}.from", path)
        _check_relpath(f["to"], f"{at}.to", path)
        if not _SHA256.fullmatch(f["sha256"]):
            raise _schema_error(path, f"{at}.sha256", f"must be 64 hex digits, got {f['sha256']!r}")


def _check_archive(ds: dict, where: str, path: Path) -> None:
    _check_keys(ds["source"], {"file_name": (str, True), "url": (str, True)}, f"{where}.source", path)
    sha = ds["source"].get("sha256")
    if sha is not None and not (isinstance(sha, str) and _SHA256.fullmatch(sha)):
        raise _schema_error(path, f"{where}.source.sha256", f"must be null or 64 hex digits, got {sha!r}")
    for key in PARAM_KEYS:
        if key not in ds["parameters"]:
            raise _schema_error(path, f"{where}.parameters.{key}", "is missing")
    _check_keys(ds["expected"], {"arrays": (int, True)}, f"{where}.expected", path)


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


# --------------------------------------------------------------------------------------------
# Using the manifest
# --------------------------------------------------------------------------------------------

def as_manifest(manifest: dict | str | os.PathLike | None) -> dict:
    """``manifest`` itself if it is already loaded (a dict), else :func:`load_manifest` of it."""
    return manifest if isinstance(manifest, dict) else load_manifest(manifest)


def dataset_entry(manifest: dict, name: str) -> dict:
    """The manifest's entry for data set ``name``; a ParameterError lists the known names."""
    try:
        return manifest["datasets"][name]
    except KeyError:
        raise ParameterError(f"data set {name!r} is not in {manifest.get('_path', 'the manifest')}; "
                             f"known: {sorted(manifest['datasets'])}") from None


def resolve_root(root: str | os.PathLike | None) -> Path:
    """The data root as an absolute path: ``root`` if given, else :func:`helpers.data.data_root`."""
    return Path(data_root() if root is None else root).expanduser().resolve()


def source_url(ds: Mapping[str, Any], url: str | None, *, env: str) -> str:
    """Where to download a data set from: ``url``, else ``$<env>``, else the manifest's URL.

    The manifest's ``source.url_env`` names the variable when it gives one; ``env`` is the
    default. Only http, https and file URLs are accepted (a ParameterError says so).
    """
    url = url or os.environ.get(ds["source"].get("url_env", env)) or ds["source"]["url"]
    if urllib.parse.urlparse(url).scheme not in ("http", "https", "file"):
        raise ParameterError(f"cannot download {url!r}: only http, https and file URLs are "
                             "supported.")
    return url
