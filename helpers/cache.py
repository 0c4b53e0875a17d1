"""The batch runner's per-track cache: content keys and atomic JSON entries, one file per track.

:mod:`helpers.batch` keeps one entry per track in a cache folder (``OUT_DIR/cache`` for
``validate``), so that a re-run is nearly instant and an interrupted run resumes.

Keys
----
An entry is named by a SHA-256 (:func:`track_key`) of:

- the **content** of the ``.npy`` file (SHA-256 of its bytes). Not its size and
  modification time: a mel-spectrogram that is copied, re-extracted from the archive or
  touched keeps its results, and one that is rewritten with other values never reuses
  stale ones. It costs one read of the file, which tracking needs anyway; on a re-run,
  hashing all 1.3 GB of Harmonix takes about a second on two cores;
- the tracker's key: the analysis parameters (``info.json``) and the tracker's identity
  (its name, its complete parameters, the version of the package that implements it and
  a SHA-256 of its source code, :func:`source_digest`), written as canonical JSON
  (:func:`canonical_json`). Editing the tracker invalidates the cache, even without a
  version bump.

The entry holds the beats and, when the track was scored, the scores tagged with a
second key (:func:`scores_key`: the SHA-256 of the reference beat file, the trim and the
evaluation code): new annotations re-score the cached beats without re-tracking them.

Entries are written atomically (:func:`helpers.files.write_text_atomic`), so a run
interrupted at any moment leaves only complete entries. An entry that cannot be read
(absent, truncated, garbage, another format) is a miss: the track is computed again and
the entry rewritten. Failed tracks are never cached.

Examples
--------
>>> canonical_json({"b": 1, "a": [1.5, None]})
'{"a":[1.5,null],"b":1}'
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ParameterError
from .files import write_text_atomic

__all__ = ["CacheSlot", "cache_slot", "track_key", "scores_key", "sha256_file", "canonical_json", "source_digest"]

#: The format tag inside every entry and the first part of every key. (It names the module that
#: first wrote the cache: changing it would orphan every existing entry.)
#: v2: an entry also keeps the tracker's tempo and the bars it found (v1 entries are recomputed).
_CACHE_FORMAT = "helpers.batch cache v2"
_HERE = Path(__file__).resolve().parent


def sha256_file(path) -> str:
    """The SHA-256 of a file's bytes (hex), read in chunks."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


@functools.lru_cache(maxsize=None)
def source_digest(*module_names: str) -> str:
    """The SHA-256 of the source files of these ``helpers`` modules, together.

    ``"beat"`` -> helpers/beat.py; a package (``"evaluate"``) -> every ``.py`` file under
    helpers/evaluate/, in sorted order.
    """
    h = hashlib.sha256()
    for name in module_names:
        module = _HERE / f"{name}.py"
        for path in [module] if module.is_file() else sorted((_HERE / name).rglob("*.py")):
            h.update(path.read_bytes())
    return h.hexdigest()


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (Path, os.PathLike)):
        return os.fspath(value)
    raise ParameterError(
        f"tracker parameter value {value!r} ({type(value).__name__}) cannot go into the cache key; "
        "use numbers, strings, booleans, None, lists or dicts."
    )


def canonical_json(obj) -> str:
    """``obj`` as JSON with sorted keys and no spaces: equal settings give equal text, hence equal keys.

    numpy scalars and arrays become plain numbers and lists, paths strings.

    Raises
    ------
    ParameterError
        A value that JSON cannot hold (an object, NaN): it could not be part of a key.
    """
    return json.dumps(obj, sort_keys=True, default=_json_default, allow_nan=False, separators=(",", ":"))


def track_key(melspec_path, tracker_key: str) -> str:
    """The key of a track's entry: SHA-256 of the cache format, the ``.npy`` file's content and the tracker's key."""
    return hashlib.sha256(f"{_CACHE_FORMAT}|{sha256_file(melspec_path)}|{tracker_key}".encode()).hexdigest()


def scores_key(reference_path, evaluation_key: str) -> str:
    """The key of the scores inside an entry: SHA-256 of the evaluation's key and the reference file's content."""
    return hashlib.sha256(f"{evaluation_key}|{sha256_file(reference_path)}".encode()).hexdigest()


@dataclass(frozen=True)
class CacheSlot:
    """Where one track's entry lives, and the keys it must carry to be used.

    Attributes
    ----------
    path : Path
        ``<cache_dir>/<key>.json``.
    key : str
        :func:`track_key`: the beats in the entry belong to this content and tracker.
    scores_key : str or None
        :func:`scores_key`: the scores in the entry belong to this reference and evaluation;
        ``None`` when the track is not scored (tracking only).
    """

    path: Path
    key: str
    scores_key: str | None = None

    def read(self) -> dict | None:
        """The entry, or ``None`` when there is none usable (absent, unreadable, another key or format)."""
        try:
            entry = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None      # absent, or unreadable: recompute and overwrite
        if not isinstance(entry, dict) or entry.get("format") != _CACHE_FORMAT or entry.get("key") != self.key:
            return None
        return entry

    def has_scores(self, entry: dict) -> bool:
        """True when ``entry`` holds scores for this slot's reference and evaluation."""
        return self.scores_key is not None and entry.get("eval_key") == self.scores_key \
            and entry.get("scores") is not None

    def write(self, *, track_id: str, beat_times_s: np.ndarray, scores: dict | None = None,
              warnings: tuple = (), n_reference_beats: int | None = None, extra: dict | None = None) -> str | None:
        """Write the entry atomically; return ``None``, or a warning if it could not be written.

        The cache only saves time: an entry that cannot be written (a full disk, a
        read-only folder) does not fail the track, it is reported as ``"not cached: ..."``.
        ``scores=None`` stores the beats alone (the scores key is then not recorded).
        ``extra``: more JSON fields of the estimate (its tempo, its bar positions ...).
        """
        entry = {"format": _CACHE_FORMAT, "key": self.key, "track_id": track_id,
                 "beat_times_s": np.asarray(beat_times_s, dtype=float).tolist(),
                 "eval_key": self.scores_key if scores is not None else None,
                 "scores": scores, "warnings": list(warnings), "n_reference_beats": n_reference_beats,
                 **(extra or {})}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(self.path, json.dumps(entry, allow_nan=False))
        except OSError as exc:
            return f"not cached: {exc}"
        return None


def cache_slot(cache_dir, *, melspec_path, tracker_key: str, reference_path=None,
               evaluation_key: str | None = None) -> CacheSlot:
    """The slot of one track: hashes the ``.npy`` file (and the reference file, if it is scored).

    Parameters
    ----------
    cache_dir : str or Path
        The cache folder.
    melspec_path : str or Path
        The track's mel-spectrogram (its content is part of the key).
    tracker_key : str
        :func:`canonical_json` of the analysis parameters and the tracker's identity.
    reference_path : str or Path, optional
        The reference beat file, when the track is scored.
    evaluation_key : str, optional
        :func:`canonical_json` of the evaluation settings and code (with ``reference_path``).

    Returns
    -------
    CacheSlot
    """
    key = track_key(melspec_path, tracker_key)
    scored = reference_path is not None and evaluation_key is not None
    return CacheSlot(Path(cache_dir) / f"{key}.json", key,
                     scores_key(reference_path, evaluation_key) if scored else None)
