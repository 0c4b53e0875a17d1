r"""Track and evaluate every track of a data set: both cores, resumable, safe to interrupt.

Taught in the Week 3 notebook (``03_validate_on_the_whole_dataset.ipynb``): the notebook
evaluates one track by hand with mir_eval, then hands the plumbing to :func:`run_batch`.

Conventions
-----------
- Beat times are in **seconds**, strictly increasing.  Estimated beats are rounded
  to 6 decimals (1 microsecond) *before* they are scored, so the estimate files
  (one time per line, ``%.6f``) reproduce the scores exactly when evaluated again.
- Every score comes from :func:`helpers.evaluate.evaluate_beats` with the course's one
  configuration: mir_eval's metric names and tolerances, beats before
  ``trim_s`` = 5 s removed from both sequences (as ``mir_eval.beat.evaluate`` does).
- A tracker is a name -- ``"reference"`` (:func:`helpers.beat.track_beats`),
  ``"librosa"`` (:func:`helpers.baseline.librosa_beats`, stock) or ``"librosa-aligned"``
  (:func:`helpers.baseline.librosa_aligned_beats`, without its one-frame lag) -- or any picklable function
  ``tracker(S_power, *, sr, hop_length, **tracker_params) -> beat_times_s``.
- Failures are data, not exceptions: a track whose file is corrupt, whose tracker
  raises, or whose worker process crashes gets a row with an ``error`` message and
  empty scores; the run goes on.  Only Ctrl-C (``KeyboardInterrupt``) stops it.

How it is fast (912 Harmonix-length tracks in well under a minute on 2 cores)
------------------------------------------------------------------------------
- A process pool (``jobs=2`` by default).  The main process only hands out *paths*;
  each worker loads its own track, tracks it, scores it, writes its cache entry and
  sends back a few hundred numbers.  At most ``4 * jobs`` tracks are in flight, so
  memory stays flat whatever the number of tracks.
- The metrics use the exact vectorised back-end of :mod:`helpers.evaluate` (equal to
  mir_eval to ~1e-12, checked on all 4560 published Harmonix estimates).
- A per-track cache (below) makes a re-run nearly instant.

The cache
---------
One JSON file per track in ``cache_dir`` (default ``OUT_DIR/cache``), named by a
SHA-256 of:

- the **content** of the ``.npy`` file (SHA-256 of its bytes).  Not its size and
  modification time: a mel-spectrogram that is copied, re-extracted from the archive
  or touched keeps its results, and one that is rewritten with other values never
  reuses stale ones.  It costs one read of the file, which tracking needs anyway; on
  a re-run, hashing all 1.3 GB of Harmonix takes about a second on two cores;
- the analysis parameters (``info.json``: sr, hop ...);
- the tracker's identity: its name, its **complete** parameters, the version of the
  package that implements it and a SHA-256 of its source code (so editing the
  tracker invalidates the cache, even without a version bump).

The entry also stores the scores, tagged with a second key (the SHA-256 of the
reference beat file, ``trim_s`` and the evaluation code): new annotations re-score
the cached beats without re-tracking them.  Entries are written atomically
(temporary file + ``os.replace``), so a run interrupted at any moment leaves only
complete entries, and the next run resumes where it stopped.  Failed tracks are
never cached: they are retried on the next run.

Outputs
-------
:meth:`BatchResult.save` (and the ``validate`` command) writes::

    OUT_DIR/estimates/<track_id>.txt   one beat time per line, 6 decimals
    OUT_DIR/results.csv                track_id, the 10 mir_eval metric names, error
    OUT_DIR/results.json               per-track rows, means, medians, configuration, versions

The set is written all-or-nothing (every file to a temporary file first, then all moved
into place), so a full disk leaves the previous run's outputs exactly as they were; an
output folder that cannot be written is reported before any track is computed
(:class:`~helpers.errors.OutputError`). The set is published while holding an
exclusive lock on ``OUT_DIR/.lock``: two runs writing the same directory at once
compute in parallel, then publish one after the other, so the directory always holds
one run's complete, consistent output (the last to finish), never a mixture.

References
----------
.. [1] M. E. P. Davies, N. Degara and M. D. Plumbley, "Evaluation Methods for Musical
   Audio Beat Tracking Algorithms", Technical Report C4DM-TR-09-06, QMUL, 2009.
.. [2] O. Nieto, M. McCallum, M. E. P. Davies, A. Robertson, A. Stark and E. Egozy,
   "The Harmonix Set: Beats, Downbeats, and Functional Segment Annotations of Western
   Popular Music", Proc. ISMIR, 2019.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import importlib.metadata
import inspect
import io
import json
import math
import multiprocessing
import os
import pickle
import platform
import signal
import statistics
import sys
import time
import warnings
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .files import check_writable, write_text_atomic, write_texts_atomic
from .data import (Dataset, MelParams, check_beats_fit, load_beats, load_melspec, open_dataset,
                   read_melspec_shape, repo_root)
from .errors import DataError, DataMissingError, ParameterError
from .splits import select_split
from .evaluate import FMEASURE_WINDOW_S, METRIC_NAMES, SHORT_NAMES, TRIM_S, evaluate_beats, validate_beats

__all__ = [
    "TRACKERS",
    "DEFAULT_JOBS",
    "ESTIMATE_DECIMALS",
    "PUBLISHED_SYSTEMS",
    "TrackResult",
    "BatchResult",
    "run_batch",
    "evaluate_directory",
    "evaluate_published",
    "published_dir",
    "compare",
    "format_table",
    "write_table_csv",
    "load_estimate",
    "load_results",
    "default_out_dir",
    "versions",
]

#: Tracker names understood by :func:`run_batch` (any picklable function works too).
TRACKERS = ("reference", "librosa", "librosa-aligned")
#: Worker processes by default: both cores of the course's reference machine.
DEFAULT_JOBS = max(1, min(2, os.cpu_count() or 1))
#: Estimated beat times are rounded to this many decimals (1 us) before scoring and saving.
ESTIMATE_DECIMALS = 6
#: The five systems whose estimates come with the Harmonix annotations (results/beats/<system>/).
PUBLISHED_SYSTEMS = ("Ellis", "Bock_1", "Bock_2", "Korzeniowski", "Krebs")

_CACHE_FORMAT = "helpers.batch cache v1"
_RESULTS_FORMAT = "helpers.batch results v1"
_IN_FLIGHT_PER_JOB = 4
_HERE = Path(__file__).resolve().parent


# =========================================================================== results
@dataclass(frozen=True)
class TrackResult:
    """The outcome for one track.

    Attributes
    ----------
    track_id : str
    scores : dict[str, float] or None
        mir_eval metric name -> score (plain floats); ``None`` when the track failed.
    beat_times_s : np.ndarray or None
        The estimated beats (s), rounded to :data:`ESTIMATE_DECIMALS`; ``None`` when
        there are none to show (the track failed before or during tracking).
    error : str or None
        What went wrong (``"DataError: ..."``), or ``None``.
    warnings : tuple of str
        Warnings raised while scoring (e.g. no beat left after trimming).
    n_reference_beats : int or None
    source : str
        ``"tracked"``, ``"cache"`` (beats and scores from the cache), ``"cache-beats"``
        (beats from the cache, scored again), ``"file"`` (an estimate file) or ``"failed"``.
    seconds : float
        Wall time spent on the track in its worker.
    """

    track_id: str
    scores: dict | None
    beat_times_s: np.ndarray | None = field(default=None, repr=False)
    error: str | None = None
    warnings: tuple = ()
    n_reference_beats: int | None = None
    source: str = "tracked"
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None and self.scores is not None

    def row(self) -> dict:
        """``{"track_id", <10 metric names>, "error"}``: one line of ``results.csv``."""
        scores = self.scores or {}
        return {"track_id": self.track_id, **{m: scores.get(m) for m in METRIC_NAMES}, "error": self.error}

    def json_row(self) -> dict:
        """The CSV row plus beat counts, warnings and where the beats came from."""
        return {
            **self.row(),
            "n_reference_beats": self.n_reference_beats,
            "n_estimated_beats": None if self.beat_times_s is None else int(len(self.beat_times_s)),
            "warnings": list(self.warnings),
            "source": self.source,
        }


@dataclass
class BatchResult:
    """Results of one system on a set of tracks (from :func:`run_batch` or :func:`evaluate_directory`).

    Attributes
    ----------
    tracks : list of TrackResult
        One per track, sorted by track id.
    config : dict
        What was run: data, tracker and its parameters, evaluation settings, versions.
    seconds : float
        Wall time of the run.
    """

    tracks: list
    config: dict
    seconds: float = 0.0

    def __post_init__(self):
        self.tracks = sorted(self.tracks, key=lambda r: r.track_id)
        self._by_id = {r.track_id: r for r in self.tracks}

    def __len__(self) -> int:
        return len(self.tracks)

    def __repr__(self) -> str:
        return (f"BatchResult(system={self.name!r}, {len(self)} tracks, {self.n_failed} failed, "
                f"{self.n_from_cache} from the cache, {self.seconds:.1f} s)")

    def __getitem__(self, track_id: str) -> TrackResult:
        try:
            return self._by_id[track_id]
        except KeyError:
            raise ParameterError(f"no track {track_id!r} in these results ({len(self)} tracks).") from None

    @property
    def name(self) -> str:
        return str(self.config.get("system", "?"))

    @property
    def track_ids(self) -> list[str]:
        return [r.track_id for r in self.tracks]

    @property
    def n_failed(self) -> int:
        return sum(not r.ok for r in self.tracks)

    @property
    def n_from_cache(self) -> int:
        return sum(r.source == "cache" for r in self.tracks)

    @property
    def n_tracked(self) -> int:
        return sum(r.source == "tracked" for r in self.tracks)

    def failures(self) -> dict[str, str]:
        """Track id -> error message of every failed track."""
        return {r.track_id: r.error for r in self.tracks if not r.ok}

    def rows(self) -> list[dict]:
        """The rows of ``results.csv`` (``None`` for the scores of a failed track)."""
        return [r.row() for r in self.tracks]

    def scores(self, metric: str) -> np.ndarray:
        """One metric over the successful tracks, in track-id order (short names work)."""
        metric = _long_name(metric)
        return np.array([r.scores[metric] for r in self.tracks if r.ok], dtype=float)

    def mean(self) -> dict[str, float | None]:
        """Mean of each metric over the successful tracks (``None`` if there are none)."""
        return {m: _stat(self.scores(m), statistics.fmean) for m in METRIC_NAMES}

    def median(self) -> dict[str, float | None]:
        """Median of each metric over the successful tracks."""
        return {m: _stat(self.scores(m), statistics.median) for m in METRIC_NAMES}

    def summary(self) -> dict:
        return {
            "n_tracks": len(self),
            "n_ok": len(self) - self.n_failed,
            "n_failed": self.n_failed,
            "mean": self.mean(),
            "median": self.median(),
        }

    def to_json(self) -> dict:
        """Everything in ``results.json``: configuration, versions, summary, per-track rows."""
        return {
            "format": _RESULTS_FORMAT,
            **self.config,
            "run": {
                "seconds": round(float(self.seconds), 3),
                "n_tracked": self.n_tracked,
                "n_from_cache": self.n_from_cache,
                "n_failed": self.n_failed,
            },
            "summary": self.summary(),
            "rows": [r.json_row() for r in self.tracks],
        }

    def save(self, out_dir=None, *, out_csv=None, out_json=None, estimates: bool = True) -> dict[str, Path]:
        """Write the estimates, ``results.csv`` and ``results.json`` atomically, under a lock.

        Parameters
        ----------
        out_dir : str or Path, optional
            Writes ``out_dir/estimates/<id>.txt``, ``out_dir/results.csv`` and
            ``out_dir/results.json``.
        out_csv, out_json : str or Path, optional
            Other destinations for the two tables (the ``evaluate`` command).
        estimates : bool
            Write the estimate files (only with ``out_dir``).

        Returns
        -------
        paths : dict
            ``{"csv": ..., "json": ..., "estimates": ...}`` of what was written.
        """
        return _publish(self, out_dir=out_dir, out_csv=out_csv, out_json=out_json, estimates=estimates)


def _stat(values: np.ndarray, fn) -> float | None:
    return float(fn(values.tolist())) if values.size else None


def _long_name(metric: str) -> str:
    if metric in METRIC_NAMES:
        return metric
    for long, short in SHORT_NAMES.items():
        if metric == short:
            return long
    raise ParameterError(f"unknown metric {metric!r}; use one of {METRIC_NAMES} or {tuple(SHORT_NAMES.values())}.")


# =========================================================================== tracker identity
def _dist_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def versions() -> dict[str, str | None]:
    """Versions of Python and of the packages that can change a score."""
    from . import __version__

    return {
        "python": platform.python_version(),
        "numpy": _dist_version("numpy"),
        "scipy": _dist_version("scipy"),
        "librosa": _dist_version("librosa"),
        "numba": _dist_version("numba"),
        "mir_eval": _dist_version("mir_eval"),
        "helpers": __version__,
    }


@functools.lru_cache(maxsize=None)
def _source_digest(*module_names: str) -> str:
    h = hashlib.sha256()
    for name in module_names:
        h.update((_HERE / f"{name}.py").read_bytes())
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


def _canonical(obj) -> str:
    return json.dumps(obj, sort_keys=True, default=_json_default, allow_nan=False, separators=(",", ":"))


def _callable_identity(fn) -> dict:
    if isinstance(fn, functools.partial):
        inner = _callable_identity(fn.func)
        return {**inner, "partial_args": json.loads(_canonical(list(fn.args))),
                "partial_keywords": json.loads(_canonical(fn.keywords))}
    module = getattr(fn, "__module__", None) or "?"
    qualname = getattr(fn, "__qualname__", None) or type(fn).__qualname__
    try:
        code = hashlib.sha256(inspect.getsource(fn).encode()).hexdigest()
    except (OSError, TypeError):
        mod = sys.modules.get(module)
        path = getattr(mod, "__file__", None)
        code = hashlib.sha256(Path(path).read_bytes()).hexdigest() if path and Path(path).is_file() else None
    top = module.split(".")[0]
    return {"tracker": f"{module}.{qualname}", "code_sha256": code,
            "package_version": None if top == "__main__" else _dist_version(top)}


def _normalise_tracker(tracker, tracker_params) -> tuple[object, dict, dict]:
    """(tracker, complete params, identity) — identity goes into the cache key and results.json."""
    if tracker_params is None:
        params = {}
    elif hasattr(tracker_params, "to_dict"):
        params = tracker_params.to_dict()
    elif isinstance(tracker_params, Mapping):
        params = dict(tracker_params)
    else:
        raise ParameterError(f"tracker_params must be a dict (or TrackerParams), got {type(tracker_params).__name__}.")
    _canonical(params)  # fail early on values that cannot be keyed
    if isinstance(tracker, str):
        if tracker == "reference":
            from .beat import TrackerParams

            try:
                params = TrackerParams(**params).to_dict()   # complete, validated
            except TypeError as exc:
                raise ParameterError(f"unknown reference-tracker parameter: {exc}. See helpers.beat.TrackerParams.") from None
            from . import __version__

            identity = {"tracker": "reference", "package_version": __version__,
                        "code_sha256": _source_digest("beat", "novelty", "tempo")}
        elif tracker in ("librosa", "librosa-aligned"):
            if params:
                raise ParameterError(f"the {tracker} baseline takes no parameters, got {sorted(params)}.")
            identity = {"tracker": tracker, "package_version": _dist_version("librosa"),
                        "numpy": _dist_version("numpy"), "numba": _dist_version("numba"),
                        "code_sha256": _source_digest("baseline")}
        else:
            raise ParameterError(f"tracker={tracker!r}: use one of {TRACKERS} or pass a function "
                                 "tracker(S_power, *, sr, hop_length, **params) -> beat_times_s.")
    elif callable(tracker):
        identity = _callable_identity(tracker)
    else:
        raise ParameterError(f"tracker must be a name {TRACKERS} or a function, got {tracker!r}.")
    return tracker, params, {**identity, "params": json.loads(_canonical(params))}


def _tracker_label(tracker) -> str:
    if isinstance(tracker, str):
        return tracker
    fn = tracker.func if isinstance(tracker, functools.partial) else tracker
    return getattr(fn, "__name__", type(fn).__name__)


def _call_tracker(tracker, params: dict, S: np.ndarray, mel_params: MelParams):
    if tracker == "reference":
        from .beat import TrackerParams, track_beats

        return track_beats(S, mel_params=mel_params, tracker_params=TrackerParams(**params))
    if tracker == "librosa":
        from .baseline import librosa_beats

        return librosa_beats(S, sr=mel_params.sr, hop_length=mel_params.hop_length)
    if tracker == "librosa-aligned":
        from .baseline import librosa_aligned_beats

        return librosa_aligned_beats(S, sr=mel_params.sr, hop_length=mel_params.hop_length)
    return tracker(S, sr=mel_params.sr, hop_length=mel_params.hop_length, **params)


def _quantize(beat_times_s) -> np.ndarray:
    """Validate a tracker's output and round it to 1 us exactly as the estimate files will hold it."""
    beats = validate_beats(beat_times_s, name="the tracker's beat_times_s")
    rounded = np.array([float(f"{t:.{ESTIMATE_DECIMALS}f}") for t in beats.tolist()], dtype=float)
    return np.unique(rounded)


# =========================================================================== files
def _sha256_file(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


@contextlib.contextmanager
def _exclusive_lock(path: Path):
    """Hold an exclusive advisory lock on ``path`` (created if needed) while inside the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as f:
        try:
            import fcntl
        except ImportError:  # Windows
            import msvcrt

            f.seek(0)
            while True:
                try:
                    msvcrt.locking(f.fileno(), msvcrt.LK_LOCK, 1)
                    break
                except OSError:
                    time.sleep(0.1)
            try:
                yield
            finally:
                f.seek(0)
                msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def format_estimate(beat_times_s) -> str:
    """The text of an estimate file: one time per line with 6 decimals."""
    return "".join(f"{t:.{ESTIMATE_DECIMALS}f}\n" for t in np.asarray(beat_times_s, dtype=float).tolist())


def load_estimate(path) -> np.ndarray:
    """Beat times (s) from an estimate file: one time per line (an empty file = no beat).

    Files with 2 or 3 columns work too (the first column is the time), as in
    :func:`helpers.data.load_beats`, which checks the content and names the file and line
    of any problem.
    """
    path = Path(path)
    if not path.is_file():
        raise DataMissingError(f"{path}: no such estimate file.")
    if not path.read_bytes().strip():
        return np.zeros(0)
    return load_beats(path).times_s


def _csv_text(result: BatchResult) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["track_id", *METRIC_NAMES, "error"])
    for r in result.tracks:
        scores = r.scores or {}
        writer.writerow([r.track_id, *(repr(scores[m]) if m in scores else "" for m in METRIC_NAMES), r.error or ""])
    return buf.getvalue()


def _json_text(result: BatchResult) -> str:
    return json.dumps(result.to_json(), indent=1, allow_nan=False) + "\n"


def _publish(result: BatchResult, *, out_dir=None, out_csv=None, out_json=None, estimates=True) -> dict[str, Path]:
    if out_dir is None and (out_csv is None or out_json is None):
        raise ParameterError("give out_dir, or both out_csv and out_json.")
    out_dir = None if out_dir is None else Path(out_dir)
    csv_path = Path(out_csv) if out_csv is not None else out_dir / "results.csv"
    json_path = Path(out_json) if out_json is not None else out_dir / "results.json"
    lock_dir = out_dir if out_dir is not None else json_path.parent
    csv_text, json_text = _csv_text(result), _json_text(result)   # build before taking the lock
    written = {"csv": csv_path, "json": json_path}
    est_dir = out_dir / "estimates" if out_dir is not None and estimates else None
    for d in dict.fromkeys(p for p in (lock_dir, csv_path.parent, json_path.parent, est_dir) if p is not None):
        check_writable(d)       # a read-only folder: one clear error before anything changes
    with _exclusive_lock(lock_dir / ".lock"):
        # All or nothing: every file is written to a temporary first and only then moved into
        # place, so a full disk leaves the previous run's outputs exactly as they were.
        texts = {}
        if est_dir is not None:
            texts = {est_dir / f"{r.track_id}.txt": format_estimate(r.beat_times_s)
                     for r in result.tracks if r.beat_times_s is not None}
        texts[csv_path] = csv_text
        texts[json_path] = json_text                # last: its presence means "complete"
        write_texts_atomic(texts)
        if est_dir is not None:
            for stale in est_dir.glob("*.txt"):     # from an earlier run on other tracks
                if stale not in texts:
                    with contextlib.suppress(OSError):
                        stale.unlink()
            written["estimates"] = est_dir
    return written


# =========================================================================== per-track work
@dataclass(frozen=True)
class _TrackJob:
    """Everything a worker needs to track and score one track (paths, not arrays)."""

    track_id: str
    melspec_path: str
    reference_path: str
    mel_params: MelParams
    tracker: object
    tracker_params: dict
    tracker_key: str
    eval_key: str
    trim_s: float
    cache_dir: str | None
    use_cache: bool


@dataclass(frozen=True)
class _FileJob:
    """Score an existing estimate file against a reference file."""

    track_id: str
    reference_path: str
    estimate_path: str
    trim_s: float


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _score(reference_s, beats, trim_s):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scores = evaluate_beats(reference_s, beats, trim_s=trim_s)
    return scores, tuple(dict.fromkeys(str(w.message) for w in caught))


def _cache_path(cache_dir: str, key: str) -> Path:
    return Path(cache_dir) / f"{key}.json"


def _read_cache(path: Path, key: str) -> dict | None:
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None      # absent, or unreadable: recompute and overwrite
    if not isinstance(entry, dict) or entry.get("format") != _CACHE_FORMAT or entry.get("key") != key:
        return None
    return entry


def _run_track(job: _TrackJob) -> TrackResult:
    """Worker: load one track, track it (or take it from the cache), score it."""
    start = time.perf_counter()
    beats = None
    try:
        key = eval_key = path = None
        if job.use_cache and job.cache_dir is not None:
            key = hashlib.sha256(
                f"{_CACHE_FORMAT}|{_sha256_file(Path(job.melspec_path))}|{job.tracker_key}".encode()
            ).hexdigest()
            eval_key = hashlib.sha256(f"{job.eval_key}|{_sha256_file(Path(job.reference_path))}".encode()).hexdigest()
            path = _cache_path(job.cache_dir, key)
            entry = _read_cache(path, key)
            if entry is not None:
                beats = np.array(entry["beat_times_s"], dtype=float)
                if entry.get("eval_key") == eval_key and entry.get("scores") is not None:
                    return TrackResult(job.track_id, entry["scores"], beats, None, tuple(entry.get("warnings", ())),
                                       entry.get("n_reference_beats"), "cache", time.perf_counter() - start)
        source = "cache-beats" if beats is not None else "tracked"
        n_frames = None
        if beats is None:
            S = load_melspec(job.melspec_path, params=job.mel_params)
            n_frames = S.shape[1]
            beats = _quantize(_call_tracker(job.tracker, job.tracker_params, S, job.mel_params))
            del S
        scores = warn = n_ref = None
        error = None
        try:
            reference = load_beats(job.reference_path).times_s
            n_ref = int(reference.size)
            if n_frames is None:   # beats from the cache: the header alone gives the length
                n_frames = read_melspec_shape(job.melspec_path)[-1]
            duration_s = job.mel_params.duration_s(n_frames)
            check_beats_fit(reference, duration_s=duration_s, path=job.reference_path,
                            melspec_path=job.melspec_path)
            scores, warn = _score(reference, beats, job.trim_s)
        except Exception as exc:  # noqa: BLE001 -- a bad reference file: keep the beats, report it
            error = _error_text(exc)
        if path is not None:
            entry = {"format": _CACHE_FORMAT, "key": key, "track_id": job.track_id,
                     "beat_times_s": beats.tolist(), "eval_key": eval_key if error is None else None,
                     "scores": scores, "warnings": list(warn or ()), "n_reference_beats": n_ref}
            try:    # the cache only saves time: if it cannot be written, the result still counts
                path.parent.mkdir(parents=True, exist_ok=True)
                write_text_atomic(path, json.dumps(entry, allow_nan=False))
            except OSError as exc:
                warn = (*(warn or ()), f"not cached: {exc}")
        return TrackResult(job.track_id, scores, beats, error, warn or (), n_ref, source if error is None else "failed",
                           time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 -- any failure of one track is recorded, the run goes on
        return TrackResult(job.track_id, None, beats, _error_text(exc), (), None, "failed", time.perf_counter() - start)


def _run_file(job: _FileJob) -> TrackResult:
    """Worker: score one existing estimate file."""
    start = time.perf_counter()
    beats = None
    try:
        if not Path(job.estimate_path).is_file():
            raise DataMissingError(f"no estimate file {job.estimate_path}")
        beats = load_estimate(job.estimate_path)
        reference = load_beats(job.reference_path).times_s
        scores, warn = _score(reference, beats, job.trim_s)
        return TrackResult(job.track_id, scores, beats, None, warn, int(reference.size), "file",
                           time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001
        return TrackResult(job.track_id, None, beats, _error_text(exc), (), None, "failed", time.perf_counter() - start)


def _run_job(job) -> TrackResult:
    return _run_file(job) if isinstance(job, _FileJob) else _run_track(job)


def _ignore_sigint() -> None:
    # Workers ignore Ctrl-C: the main process decides (cancel what has not started, let the
    # running tracks finish and write their cache entries, then stop).
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _crash_result(job, detail: str) -> TrackResult:
    return TrackResult(job.track_id, None, None,
                       f"WorkerCrashed: the worker process died while processing this track ({detail}); "
                       "retried alone in a fresh process, it died again. A crash in native code "
                       "(e.g. a segfault in numba-compiled code) or running out of memory does this.",
                       (), None, "failed", 0.0)


#: Modules the forkserver imports once, so that each worker starts in milliseconds.
_FORKSERVER_PRELOAD = ["helpers.batch", "helpers.beat", "helpers.evaluate"]


def _interactive_main() -> bool:
    """True in Jupyter/IPython (``__main__`` is not a file), where the process runs threads."""
    main = sys.modules.get("__main__")
    return main is None or not hasattr(main, "__file__")


def _mp_context(tracker):
    """How worker processes start.

    - A function defined in ``__main__`` (a notebook or a script) can be found by a
      worker only if the worker is a fork of the process that defined it: ``fork``.
    - Other trackers in Jupyter/IPython: ``forkserver``. A kernel always runs several
      threads, and forking a multi-threaded process can deadlock the child (Python 3.12
      warns; 3.14 no longer forks by default). The forkserver is a clean single-threaded
      process that imports helpers once (``_FORKSERVER_PRELOAD``); workers fork from it.
    - Other trackers from a script or ``python -m helpers``: the platform's default
      (``fork`` on Linux up to Python 3.13: scripts need no ``if __name__ == "__main__":``
      guard, and workers inherit everything already loaded; spawn on Windows and macOS).
    """
    fn = tracker.func if isinstance(tracker, functools.partial) else tracker
    methods = multiprocessing.get_all_start_methods()
    if callable(fn) and getattr(fn, "__module__", None) == "__main__":
        return multiprocessing.get_context("fork") if "fork" in methods else None
    if _interactive_main() and "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_FORKSERVER_PRELOAD)
        return ctx
    return multiprocessing.get_context()


def _execute(jobs: Sequence, *, n_jobs: int, mp_context, progress, desc: str, on_result=None) -> list:
    """Run the jobs (in-process when ``n_jobs == 1``) and survive worker crashes.

    Returns ``[(job, TrackResult)]`` in completion order.  KeyboardInterrupt stops the run after the
    tracks already running have finished (their cache entries are written).
    """
    from tqdm.auto import tqdm

    results: list = []
    bar = tqdm(total=len(jobs), desc=desc, unit="track", disable=not progress, dynamic_ncols=True)

    def done(job, res):
        results.append((job, res))
        bar.update(1)
        if not res.ok:
            bar.set_postfix(failed=sum(not r.ok for _, r in results), refresh=False)
        if on_result is not None:
            on_result(job, res)

    try:
        if n_jobs == 1 or len(jobs) <= 1 or mp_context is None:
            for job in jobs:
                done(job, _run_job(job))
            return results

        todo = deque(jobs)
        suspects: list = []
        while todo:
            pool = ProcessPoolExecutor(max_workers=min(n_jobs, len(todo)), mp_context=mp_context,
                                       initializer=_ignore_sigint)
            inflight: dict = {}
            broken = False
            try:
                while (todo or inflight) and not broken:
                    while todo and len(inflight) < n_jobs * _IN_FLIGHT_PER_JOB:
                        job = todo.popleft()
                        try:
                            inflight[pool.submit(_run_job, job)] = job
                        except BrokenProcessPool:
                            todo.appendleft(job)
                            broken = True
                            break
                    if not inflight:
                        break
                    finished, _ = wait(inflight, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        job = inflight.pop(fut)
                        try:
                            res = fut.result()
                        except BrokenProcessPool:
                            suspects.append(job)
                            broken = True
                            continue
                        except Exception as exc:  # noqa: BLE001 -- e.g. the job could not be sent
                            res = TrackResult(job.track_id, None, None, _error_text(exc), (), None, "failed", 0.0)
                        done(job, res)
                if broken:     # every track in flight when a worker died is a suspect
                    suspects.extend(inflight.values())
                    inflight.clear()
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
        # Retry each suspect alone in a fresh process: the innocent ones succeed, the
        # culprit is identified exactly and cannot take other tracks down with it.
        for job in suspects:
            with ProcessPoolExecutor(max_workers=1, mp_context=mp_context, initializer=_ignore_sigint) as solo:
                try:
                    res = solo.submit(_run_job, job).result()
                except BrokenProcessPool as exc:
                    res = _crash_result(job, str(exc) or "BrokenProcessPool")
            done(job, res)
        return results
    finally:
        bar.close()


# =========================================================================== public API
def _evaluation_config(trim_s: float) -> dict:
    return {
        "metrics": list(METRIC_NAMES),
        "trim_s": trim_s,
        "fmeasure_window_s": FMEASURE_WINDOW_S,
        "evaluation": "helpers.evaluate.evaluate_beats (backend 'fast', equal to mir_eval.beat.evaluate)",
        "estimate_decimals": ESTIMATE_DECIMALS,
    }


def _warm_librosa(mel_params: MelParams) -> None:
    """Load librosa's numba-compiled beat tracker once, before the workers are forked.

    Loading it from ``NUMBA_CACHE_DIR`` takes seconds (compiling it, 20-50 s); forked
    workers inherit it, so neither each worker nor each fresh pool (after a crash) pays again.
    """
    from .baseline import librosa_beats

    S = np.full((mel_params.n_mels, 64), 1e-4, dtype=np.float32)
    S[:, ::8] = 1.0
    librosa_beats(S, sr=mel_params.sr, hop_length=mel_params.hop_length)


def _check_jobs(jobs) -> int:
    if jobs is None:
        return DEFAULT_JOBS
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ParameterError(f"jobs={jobs!r} must be a whole number >= 1 (worker processes).")
    return jobs


def _check_trim(trim_s) -> float:
    try:
        value = float(trim_s)
    except (TypeError, ValueError):
        value = math.nan
    if not value >= 0 or math.isinf(value):
        raise ParameterError(f"trim_s={trim_s!r} must be a number of seconds >= 0 (the course uses {TRIM_S}).")
    return value


def _resolve_dataset(dataset) -> Dataset:
    if isinstance(dataset, Dataset):
        return dataset
    if dataset is None:
        return open_dataset()
    return open_dataset(dataset)


def _select(available: Sequence[str], track_ids) -> list[str]:
    if track_ids is None:
        return list(available)
    if isinstance(track_ids, str):
        track_ids = [track_ids]
    track_ids = list(track_ids)
    missing = sorted(set(track_ids) - set(available))
    if missing:
        raise ParameterError(f"unknown track id(s) {missing[:5]}{' ...' if len(missing) > 5 else ''}: "
                             f"not among the {len(available)} paired tracks.")
    return list(dict.fromkeys(track_ids))


def default_out_dir(dataset_name: str, system: str) -> Path:
    """``<repo>/build/results/<dataset>/<system>``: git-ignored, beside the other build files."""
    return (repo_root() or Path.cwd()) / "build" / "results" / dataset_name / system


def run_batch(
    dataset=None,
    *,
    tracker="reference",
    tracker_params=None,
    track_ids=None,
    split: str = "all",
    out_dir=None,
    cache_dir=None,
    use_cache: bool = True,
    jobs: int | None = None,
    trim_s: float = TRIM_S,
    progress: bool = True,
) -> BatchResult:
    """Track and score every track of a data set; optionally save the outputs.

    Parameters
    ----------
    dataset : helpers.data.Dataset, str or Path, optional
        The data set (default: :func:`helpers.data.open_dataset`, i.e. Harmonix if
        installed, else the demo set), or a name/directory for ``open_dataset``.
    tracker : {"reference", "librosa", "librosa-aligned"} or callable
        ``"reference"``: :func:`helpers.beat.track_beats`; ``"librosa"``:
        :func:`helpers.baseline.librosa_beats` (stock); ``"librosa-aligned"``:
        :func:`helpers.baseline.librosa_aligned_beats` (without the one-frame lag of its
        onset envelope: the fair comparison); or your own picklable function
        ``tracker(S_power, *, sr, hop_length, **tracker_params) -> beat_times_s``
        (define it at module level; in a notebook it works on Linux, elsewhere
        put it in a ``.py`` file or use ``jobs=1``).
    tracker_params : dict or helpers.beat.TrackerParams, optional
        The tracker's parameters.  They are part of the cache key and of results.json.
    track_ids : sequence of str, optional
        A subset of the data set's paired tracks (default: all).
    split : {"all", "dev", "test"}
        Keep only the tracks of this part of the fixed dev/test split
        (:mod:`helpers.splits`; default "all"). Choose parameters on "dev", report "test".
    out_dir : str or Path, optional
        Save ``estimates/``, ``results.csv`` and ``results.json`` there
        (see :meth:`BatchResult.save`).  Nothing is saved if the run is interrupted.
    cache_dir : str or Path, optional
        Per-track cache (default ``out_dir/cache``; no cache without ``out_dir``).
    use_cache : bool
        ``False`` ignores and does not write the cache (``--no-cache``).
    jobs : int, optional
        Worker processes (default :data:`DEFAULT_JOBS` = 2).  ``1`` runs everything in
        this process (easiest to debug; no protection against crashes in native code).
    trim_s : float
        Beats before this time are ignored when scoring (default 5 s, as mir_eval).
    progress : bool
        Show a tqdm progress bar (terminal or notebook widget).

    Returns
    -------
    BatchResult
        One :class:`TrackResult` per track (failed tracks included, with their error).

    Raises
    ------
    ParameterError
        Bad tracker, parameters, ``jobs`` or ``trim_s``.
    DataMissingError
        No data set installed, or the directories do not exist.
    OutputError
        ``out_dir`` or ``cache_dir`` cannot be written (read-only, disk full): raised
        before any track is computed, or when saving; the previous outputs are unchanged.
    KeyboardInterrupt
        Ctrl-C: the tracks already cached stay cached; run again to resume.

    See Also
    --------
    evaluate_directory : score estimate files that already exist.
    evaluate_published : the five published systems' estimates on Harmonix.

    Examples
    --------
    >>> from helpers.batch import run_batch                    # doctest: +SKIP
    >>> result = run_batch(out_dir="build/results/demo/reference")  # doctest: +SKIP
    >>> result.mean()["F-measure"]                             # doctest: +SKIP
    """
    ds = _resolve_dataset(dataset)
    if not ds.melspec_dir.is_dir():
        raise DataMissingError(f"{ds.melspec_dir}: no such mel-spectrogram directory.")
    if not ds.beats_dir.is_dir():
        raise DataMissingError(f"{ds.beats_dir}: no such reference beat directory.")
    n_jobs = _check_jobs(jobs)
    trim_s = _check_trim(trim_s)
    tracker, params, identity = _normalise_tracker(tracker, tracker_params)
    mel_params = ds.params
    ids = select_split(_select(ds.track_ids, track_ids), split)
    if not ids:
        if split != "all" and ds.track_ids:
            raise DataMissingError(f"{ds.name}: none of the selected tracks is in the {split!r} split "
                                   "(helpers.splits); use split='all' or other tracks.")
        raise DataMissingError(f"{ds.name}: no track has both {ds.melspec_dir}/<id>-mel.npy and "
                               f"{ds.beats_dir}/<id>.txt.")
    out_dir = None if out_dir is None else Path(out_dir)
    if cache_dir is None and out_dir is not None:
        cache_dir = out_dir / "cache"
    if not use_cache:
        cache_dir = None
    for d in (out_dir, cache_dir):   # read-only or impossible output folders: fail now, not after the work
        if d is not None:
            check_writable(d)

    mp_context = _mp_context(tracker)
    if n_jobs > 1 and not isinstance(tracker, str):
        try:
            pickle.dumps(tracker)
        except Exception:  # noqa: BLE001
            mp_context = None
        if mp_context is None:
            warnings.warn(f"the tracker {_tracker_label(tracker)!r} cannot be sent to worker processes (a lambda, a "
                          "nested function, or a notebook function on a platform without fork); running with jobs=1. "
                          "Define it at module level in a .py file to use both cores.", stacklevel=2)

    if tracker in ("librosa", "librosa-aligned") and mp_context is not None and n_jobs > 1 and mp_context.get_start_method() == "fork":
        _warm_librosa(mel_params)

    tracker_key = _canonical({"mel_params": mel_params.to_info_json(), **identity})
    eval_key = _canonical({**_evaluation_config(trim_s), "code_sha256": _source_digest("evaluate")})
    jobs_list = [
        _TrackJob(tid, str(ds.melspec_path(tid)), str(ds.beats_path(tid)), mel_params, tracker, params,
                  tracker_key, eval_key, trim_s, None if cache_dir is None else str(cache_dir), use_cache)
        for tid in ids
    ]
    label = _tracker_label(tracker)
    start = time.perf_counter()
    try:
        done = _execute(jobs_list, n_jobs=n_jobs, mp_context=mp_context, progress=progress,
                        desc=f"{label} on {ds.name}")
    except KeyboardInterrupt:
        if cache_dir is not None:
            print(f"interrupted: the tracks done so far are cached in {cache_dir}; run again to resume.",
                  file=sys.stderr)
        raise
    unpaired = ds.unpaired
    config = {
        "system": label,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data": {
            "name": ds.name,
            "melspec_dir": str(ds.melspec_dir),
            "reference_dir": str(ds.beats_dir),
            "mel_params": mel_params.to_info_json(),
            "n_paired_tracks": len(ds.track_ids),
            "unpaired": {"melspec_only": list(unpaired.melspec_only),
                         "annotation_only": list(unpaired.annotation_only)},
        },
        "tracker": {k: v for k, v in identity.items()},
        "evaluation": _evaluation_config(trim_s),
        "split": split,
        "versions": versions(),
        "jobs": n_jobs if mp_context is not None else 1,
        "cache_dir": None if cache_dir is None else str(cache_dir),
    }
    result = BatchResult([r for _, r in done], config, time.perf_counter() - start)
    if out_dir is not None:
        result.save(out_dir)
    return result


def _reference_ids(reference_dir: Path) -> list[str]:
    return sorted(p.stem for p in reference_dir.glob("*.txt") if not p.name.startswith("."))


def evaluate_directory(
    reference_dir,
    estimate_dir,
    *,
    track_ids=None,
    jobs: int | None = None,
    trim_s: float = TRIM_S,
    progress: bool = True,
    system: str | None = None,
) -> BatchResult:
    """Score a folder of estimate files against a folder of reference beat files.

    Parameters
    ----------
    reference_dir : str or Path
        ``<track_id>.txt`` files with 1 column (time) or 3 (time, position, bar).
    estimate_dir : str or Path
        ``<track_id>.txt`` files, one beat time (s) per line.  A reference without an
        estimate file is a failed track ("no estimate file"); estimates without a
        reference are listed in ``config["data"]["unpaired"]``.
    track_ids : sequence of str, optional
        A subset of the reference tracks.
    jobs, trim_s, progress
        As :func:`run_batch`.
    system : str, optional
        A name for tables (default: the estimate folder's name).

    Returns
    -------
    BatchResult
    """
    reference_dir, estimate_dir = Path(reference_dir), Path(estimate_dir)
    for d, what in ((reference_dir, "reference"), (estimate_dir, "estimate")):
        if not d.is_dir():
            raise DataMissingError(f"{d}: no such {what} directory.")
    n_jobs = _check_jobs(jobs)
    trim_s = _check_trim(trim_s)
    ref_ids = _reference_ids(reference_dir)
    if not ref_ids:
        raise DataMissingError(f"{reference_dir}: no reference beat files (<track_id>.txt).")
    ids = _select(ref_ids, track_ids)
    est_ids = set(_reference_ids(estimate_dir))
    system = system or estimate_dir.name
    jobs_list = [_FileJob(t, str(reference_dir / f"{t}.txt"), str(estimate_dir / f"{t}.txt"), trim_s) for t in ids]
    start = time.perf_counter()
    # Scoring a file takes a few ms: a pool pays off only for many tracks.
    done = _execute(jobs_list, n_jobs=n_jobs if len(ids) >= 64 else 1, mp_context=multiprocessing.get_context(),
                    progress=progress, desc=f"evaluate {system}")
    config = _file_config(system, reference_dir, estimate_dir, ref_ids, est_ids, trim_s, n_jobs)
    return BatchResult([r for _, r in done], config, time.perf_counter() - start)


def _file_config(system, reference_dir, estimate_dir, ref_ids, est_ids, trim_s, n_jobs) -> dict:
    return {
        "system": system,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data": {
            "reference_dir": str(reference_dir),
            "estimate_dir": str(estimate_dir),
            "n_reference_tracks": len(ref_ids),
            "unpaired": {"estimate_only": sorted(est_ids - set(ref_ids)),
                         "reference_only": sorted(set(ref_ids) - est_ids)},
        },
        "tracker": {"tracker": f"estimate files in {estimate_dir}", "params": {}},
        "evaluation": _evaluation_config(trim_s),
        "versions": versions(),
        "jobs": n_jobs,
    }


def published_dir(dataset=None) -> Path | None:
    """``results/beats`` of a Harmonix-layout data set (the published systems' estimates), if present.

    Looks beside the annotation folder (``<root>/results/beats``, as the upstream
    repository and ``data/harmonix`` lay it out).  ``None`` when there is none (the
    demo set has none).
    """
    ds = _resolve_dataset(dataset)
    for candidate in (ds.annotation_dir.parent / "results" / "beats", ds.annotation_dir / "results" / "beats"):
        if candidate.is_dir() and any(candidate.iterdir()):
            return candidate
    return None


def evaluate_published(
    results_dir,
    reference_dir,
    *,
    systems: Iterable[str] | None = None,
    track_ids=None,
    jobs: int | None = None,
    trim_s: float = TRIM_S,
    progress: bool = True,
) -> dict[str, BatchResult]:
    """Score the published systems' estimates (``results_dir/<system>/<id>.txt``) in one pool run.

    Parameters
    ----------
    results_dir : str or Path
        A folder with one sub-folder of estimate files per system (Harmonix's
        ``results/beats``).  See :func:`published_dir`.
    reference_dir : str or Path
        The reference beat files.
    systems : iterable of str, optional
        Default: every sub-folder, in :data:`PUBLISHED_SYSTEMS` order first.
    track_ids : sequence of str, optional
        Score only these tracks (e.g. the ones your own run covered).

    Returns
    -------
    dict
        System name -> :class:`BatchResult`.
    """
    results_dir, reference_dir = Path(results_dir), Path(reference_dir)
    if not results_dir.is_dir():
        raise DataMissingError(f"{results_dir}: no such folder of published estimates.")
    found = sorted(p.name for p in results_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    if systems is None:
        systems = [s for s in PUBLISHED_SYSTEMS if s in found] + [s for s in found if s not in PUBLISHED_SYSTEMS]
    systems = list(systems)
    missing = [s for s in systems if s not in found]
    if missing:
        raise DataMissingError(f"{results_dir}: no estimates for {missing} (found {found}).")
    n_jobs = _check_jobs(jobs)
    trim_s = _check_trim(trim_s)
    ref_ids = _reference_ids(reference_dir)
    ids = _select(ref_ids, track_ids)
    jobs_list = [_FileJob(t, str(reference_dir / f"{t}.txt"), str(results_dir / system / f"{t}.txt"), trim_s)
                 for system in systems for t in ids]
    start = time.perf_counter()
    done = _execute(jobs_list, n_jobs=n_jobs if len(jobs_list) >= 64 else 1, mp_context=multiprocessing.get_context(),
                    progress=progress, desc="published systems")
    seconds = time.perf_counter() - start
    out = {}
    for system in systems:
        tracks = [r for job, r in done if Path(job.estimate_path).parent.name == system]
        est_ids = set(_reference_ids(results_dir / system))
        config = _file_config(system, reference_dir, results_dir / system, ref_ids, est_ids, trim_s, n_jobs)
        out[system] = BatchResult(tracks, config, seconds / max(1, len(systems)))
    return out


def compare(results: Mapping[str, BatchResult] | Sequence[BatchResult], *, metrics=METRIC_NAMES,
            statistic: str = "mean") -> list[dict]:
    """One row per system: its mean (or median) of each metric over the **same** tracks.

    The tracks are those every system scored successfully, so the numbers are
    comparable; ``n_tracks`` says how many, ``n_failed`` how many each system failed.

    Returns
    -------
    rows : list of dict
        ``{"system", "n_tracks", "n_failed", <metric>: float, ...}``.
    """
    if not isinstance(results, Mapping):
        results = {r.name: r for r in results}
    if statistic not in ("mean", "median"):
        raise ParameterError(f"statistic={statistic!r} must be 'mean' or 'median'.")
    metrics = [_long_name(m) for m in metrics]
    common = None
    for res in results.values():
        ok = {r.track_id for r in res.tracks if r.ok}
        common = ok if common is None else common & ok
    common = common or set()
    fn = statistics.fmean if statistic == "mean" else statistics.median
    rows = []
    for name, res in results.items():
        row = {"system": name, "n_tracks": len(common), "n_failed": res.n_failed}
        for m in metrics:
            values = [r.scores[m] for r in res.tracks if r.track_id in common]
            row[m] = float(fn(values)) if values else None
        rows.append(row)
    return rows


def format_table(rows: Sequence[Mapping], *, digits: int = 3, short_names: bool = True) -> str:
    """A plain-text table of :func:`compare` rows (or any list of flat dicts)."""
    if not rows:
        return "(no rows)"
    columns = list(rows[0])
    heads = [SHORT_NAMES.get(c, c) if short_names else c for c in columns]

    def cell(v):
        if v is None:
            return "-"
        if isinstance(v, float):
            return f"{v:.{digits}f}"
        return str(v)

    body = [[cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(heads)]
    lines = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(heads, widths)))]
    lines.append("  ".join("-" * w for w in widths))
    for b in body:
        lines.append("  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(b, widths))))
    return "\n".join(lines)


def write_table_csv(rows: Sequence[Mapping], path) -> Path:
    """Write :func:`compare` rows (or any list of flat dicts) to a CSV file, atomically.

    Columns are those of the first row, with mir_eval's long metric names; ``None``
    becomes an empty cell.
    """
    path = Path(path)
    if not rows:
        raise ParameterError("no rows to write.")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    columns = list(rows[0])
    writer.writerow(columns)
    for r in rows:
        writer.writerow(["" if r.get(c) is None else (repr(r[c]) if isinstance(r[c], float) else r[c])
                         for c in columns])
    path.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(path.parent / ".lock"):
        write_text_atomic(path, buf.getvalue())
    return path


def load_results(path) -> BatchResult:
    """Read back what :meth:`BatchResult.save` wrote (a results.json, or its folder).

    Beat times come from ``estimates/`` beside the JSON when present.
    """
    path = Path(path)
    json_path = path / "results.json" if path.is_dir() else path
    if not json_path.is_file():
        raise DataMissingError(f"{json_path}: no results file; run the batch first (helpers.batch.run_batch).")
    try:
        data = json.loads(json_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise DataError(f"not a valid results file ({exc}).", path=json_path) from None
    if data.get("format") != _RESULTS_FORMAT:
        raise DataError(f"format {data.get('format')!r} is not {_RESULTS_FORMAT!r}.", path=json_path)
    est_dir = json_path.parent / "estimates"
    tracks = []
    for row in data["rows"]:
        est = est_dir / f"{row['track_id']}.txt"
        beats = load_estimate(est) if est.is_file() else None
        ok = row.get("error") is None
        tracks.append(TrackResult(row["track_id"], {m: row[m] for m in METRIC_NAMES} if ok else None, beats,
                                  row.get("error"), tuple(row.get("warnings", ())), row.get("n_reference_beats"),
                                  row.get("source", "file"), 0.0))
    config = {k: v for k, v in data.items() if k not in ("format", "rows", "summary", "run")}
    return BatchResult(tracks, config, float(data.get("run", {}).get("seconds", 0.0)))
