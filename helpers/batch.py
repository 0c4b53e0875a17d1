r"""Track and score every track of a data set: both cores, a per-track cache, failures as rows.

Taught in the Week 3 notebook (``03_validate_on_the_whole_dataset.ipynb``): the notebook
evaluates one track by hand with mir_eval, then hands the plumbing to :func:`run_batch`.

The runner and its entry points:

- :func:`run_batch` tracks and scores every track of a data set (``validate``);
- :func:`track_directory` tracks every mel-spectrogram of a folder without scoring it and
  writes the estimate files (``track``);
- :func:`evaluate_directory` and :func:`evaluate_published` score estimate files that
  already exist (``evaluate``; the published systems' estimates of Harmonix).

What they return and write is in :mod:`helpers.results` (:class:`~helpers.results.BatchResult`,
results.csv/json, :func:`~helpers.results.compare`, :func:`~helpers.results.format_table`);
the per-track cache in :mod:`helpers.cache`; the worker processes in :mod:`helpers.pool`.
Those names stay importable from here (``from helpers.batch import compare``), as the
notebooks have always done.

Conventions
-----------
- Beat times are in **seconds**, strictly increasing.  Estimated beats are rounded
  to 6 decimals (1 microsecond) *before* they are scored, so the estimate files
  (one time per line, ``%.6f``) reproduce the scores exactly when evaluated again.
- Every score comes from :func:`helpers.evaluate.evaluate_beats` with the course's one
  configuration: mir_eval's metric names and tolerances, beats before
  ``trim_s`` = 5 s removed from both sequences (as ``mir_eval.beat.evaluate`` does).
  Each row also scores the system's tempo (Acc1, Acc2 against 60 / the median annotated
  interval: :func:`helpers.evaluate.tempo_accuracy`) and, when both sides have bar
  positions, its downbeats (:func:`helpers.evaluate.evaluate_downbeats`, same trim). The
  reference tracker finds the bars too (:func:`helpers.downbeat.track_downbeats` on its
  beats; ``bars=False`` skips it); librosa reports its tempo but no bars.
- A tracker is a name -- ``"reference"`` (:func:`helpers.beat.track_beats`),
  ``"librosa"`` (:func:`helpers.baseline.librosa_beats`, stock) or ``"librosa-aligned"``
  (:func:`helpers.baseline.librosa_aligned_beats`, without its one-frame lag) -- or any picklable function
  ``tracker(S_power, *, sr, hop_length, **tracker_params) -> beat_times_s``.
- Failures are data, not exceptions: a track whose file is corrupt, whose tracker
  raises, or whose worker process crashes gets a row with an ``error`` message and
  empty scores; the run goes on.  Only Ctrl-C (``KeyboardInterrupt``) stops it.

How it is fast (912 Harmonix-length tracks in well under a minute on 2 cores)
------------------------------------------------------------------------------
- A process pool (``jobs=2`` by default, :mod:`helpers.pool`).  The main process only
  hands out *paths*; each worker loads its own track, tracks it, scores it, writes its
  cache entry and sends back a few hundred numbers.  At most ``4 * jobs`` tracks are in
  flight, so memory stays flat whatever the number of tracks.
- The metrics use the exact vectorised back-end of :mod:`helpers.evaluate` (equal to
  mir_eval to ~1e-12, checked on all 4560 published Harmonix estimates).
- A per-track cache (:mod:`helpers.cache`: keyed by the ``.npy`` file's content, the
  analysis parameters and the tracker's identity and code) makes a re-run nearly
  instant; an interrupted run resumes where it stopped. Failed tracks are never cached.

References
----------
.. [1] M. E. P. Davies, N. Degara and M. D. Plumbley, "Evaluation Methods for Musical
   Audio Beat Tracking Algorithms", Technical Report C4DM-TR-09-06, QMUL, 2009.
.. [2] O. Nieto, M. McCallum, M. E. P. Davies, A. Robertson, A. Stark and E. Egozy,
   "The Harmonix Set: Beats, Downbeats, and Functional Segment Annotations of Western
   Popular Music", Proc. ISMIR, 2019.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import multiprocessing
import pickle
import sys
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .cache import cache_slot, canonical_json, source_digest
from .checks import check_bool, check_int_at_least
from .data import (ESTIMATE_DECIMALS, MELSPEC_SUFFIX, Dataset, MelParams, check_beats_fit, format_estimate,
                   load_beats, load_estimate, load_estimate_beats, load_melspec, open_dataset, read_melspec_shape,
                   read_params, repo_root)
from .errors import DataMissingError, HelpersError, ParameterError
from .evaluate import (FMEASURE_WINDOW_S, TEMPO_TOLERANCE, TRIM_S, check_trim_s, evaluate_beats,
                       evaluate_downbeats, reference_tempo_bpm, tempo_accuracy, validate_beats)
from .files import check_writable, write_text_atomic
from .pool import DEFAULT_JOBS, choose_context, error_text, run_jobs
from .results import (RESULT_METRIC_NAMES, BatchResult, TrackResult, compare, format_table, load_results,
                      package_version, versions, write_table_csv)
from .splits import select_split

__all__ = [
    "TRACKERS",
    "DEFAULT_JOBS",
    "ESTIMATE_DECIMALS",
    "PUBLISHED_SYSTEMS",
    "TrackResult",
    "BatchResult",
    "run_batch",
    "track_directory",
    "evaluate_directory",
    "evaluate_published",
    "published_dir",
    "compare",
    "format_table",
    "write_table_csv",
    "format_estimate",
    "load_estimate",
    "load_results",
    "default_out_dir",
    "default_track_cache_dir",
    "versions",
]

#: Tracker names understood by :func:`run_batch` (any picklable function works too). "learned" is the
#: reference tracker with a learned novelty: ``tracker_params={"model": "MODEL.npz", ...}`` (helpers.learn).
TRACKERS = ("reference", "librosa", "librosa-aligned", "learned")
#: The trackers that find the bars of their beats unless told not to (the course's own systems).
_TRACKERS_WITH_BARS = ("reference", "learned")
#: The five systems whose estimates come with the Harmonix annotations (results/beats/<system>/).
PUBLISHED_SYSTEMS = ("Ellis", "Bock_1", "Bock_2", "Korzeniowski", "Krebs")
#: Scoring an estimate file takes a few ms: below this many files a pool costs more than it saves.
_MIN_FILES_FOR_A_POOL = 64


# =========================================================================== trackers: identity and call
def _callable_identity(fn) -> dict:
    """Name, code hash and package version of a tracker function (its identity in the cache key)."""
    if isinstance(fn, functools.partial):
        inner = _callable_identity(fn.func)
        return {**inner, "partial_args": json.loads(canonical_json(list(fn.args))),
                "partial_keywords": json.loads(canonical_json(fn.keywords))}
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
            "package_version": None if top == "__main__" else package_version(top)}


def _tracker_params(tracker_params) -> dict:
    """The parameters as a plain dict (from a dict or a ``TrackerParams``), checked to be keyable."""
    if tracker_params is None:
        params = {}
    elif hasattr(tracker_params, "to_dict"):
        params = tracker_params.to_dict()
    elif isinstance(tracker_params, Mapping):
        params = dict(tracker_params)
    else:
        raise ParameterError(f"tracker_params must be a dict (or TrackerParams), got {type(tracker_params).__name__}.")
    canonical_json(params)  # fail early on values that cannot be keyed
    return params


def _named_tracker(tracker: str, params: dict) -> tuple[dict, dict]:
    """(complete params, identity) of a built-in tracker."""
    if tracker == "learned":
        return _learned_tracker(params)
    if tracker == "reference":
        from . import __version__
        from .beat import TrackerParams

        try:
            params = TrackerParams(**params).to_dict()   # complete, validated
        except TypeError as exc:
            raise ParameterError(f"unknown reference-tracker parameter: {exc}. See helpers.beat.TrackerParams.") from None
        return params, {"tracker": "reference", "package_version": __version__,
                        "code_sha256": source_digest("beat", "novelty", "tempo")}
    if tracker in ("librosa", "librosa-aligned"):
        if params:
            raise ParameterError(f"the {tracker} baseline takes no parameters, got {sorted(params)}.")
        return params, {"tracker": tracker, "package_version": package_version("librosa"),
                        "numpy": package_version("numpy"), "numba": package_version("numba"),
                        "code_sha256": source_digest("baseline")}
    raise ParameterError(f"tracker={tracker!r}: use one of {TRACKERS} or pass a function "
                         "tracker(S_power, *, sr, hop_length, **params) -> beat_times_s.")


def _learned_tracker(params: dict) -> tuple[dict, dict]:
    """(complete params, identity) of the tracker with a learned novelty: the model file's content is its identity."""
    from . import __version__
    from .beat import TrackerParams
    from .learn import model_identity

    params = dict(params)
    model = params.pop("model", None)
    if model is None:
        raise ParameterError("the learned tracker needs a model: tracker_params={'model': 'MODEL.npz', ...} "
                             "(python -m helpers train writes one).")
    model = str(Path(model).resolve())
    identity = model_identity(model)               # reads and checks the file now, not in every worker
    try:
        params = TrackerParams(**params).to_dict()
    except TypeError as exc:
        raise ParameterError(f"unknown tracker parameter: {exc}. See helpers.beat.TrackerParams.") from None
    return {**params, "model": model}, {"tracker": "learned", "model_sha256": identity,
                                        "package_version": __version__,
                                        "code_sha256": source_digest("learn", "beat", "novelty", "tempo")}


def _normalise_tracker(tracker, tracker_params, bars=False) -> tuple[object, dict, dict, bool]:
    """(tracker, complete params, identity, bars) -- identity goes into the cache key and results.json.

    ``bars=None``: find the bars for the reference tracker (the course's system has a bar
    stage), not for the others (librosa has none; a function of yours returns beats).
    """
    params = _tracker_params(tracker_params)
    if isinstance(tracker, str):
        params, identity = _named_tracker(tracker, params)
    elif callable(tracker):
        identity = _callable_identity(tracker)
    else:
        raise ParameterError(f"tracker must be a name {TRACKERS} or a function, got {tracker!r}.")
    bars = tracker in _TRACKERS_WITH_BARS if bars is None else check_bool(bars, name="bars")
    identity = {**identity, "params": json.loads(canonical_json(params))}
    if bars:
        identity["bars"] = {"stage": "helpers.downbeat.track_downbeats", "code_sha256": source_digest("downbeat")}
    return tracker, params, identity, bars


def _tracker_label(tracker) -> str:
    if isinstance(tracker, str):
        return tracker
    fn = tracker.func if isinstance(tracker, functools.partial) else tracker
    return getattr(fn, "__name__", type(fn).__name__)


def _call_tracker(tracker, params: dict, S: np.ndarray, mel_params: MelParams) -> tuple[object, float | None]:
    """(beat times, the tracker's own tempo estimate or ``None``)."""
    if tracker == "reference":
        from .beat import TrackerParams, run_tracker

        result = run_tracker(S, mel_params=mel_params, tracker_params=TrackerParams(**params))
        return result.beat_times_s, float(result.tempo_bpm)
    if tracker == "learned":
        from .beat import TrackerParams
        from .learn import run_tracker_with_model

        params = dict(params)
        model = _load_model_once(params.pop("model"))
        result = run_tracker_with_model(S, model=model, mel_params=mel_params, tracker_params=TrackerParams(**params))
        return result.beat_times_s, float(result.tempo_bpm)
    if tracker in ("librosa", "librosa-aligned"):
        from .baseline import librosa_beats_and_tempo

        return librosa_beats_and_tempo(S, sr=mel_params.sr, hop_length=mel_params.hop_length,
                                       center=tracker == "librosa")
    return tracker(S, sr=mel_params.sr, hop_length=mel_params.hop_length, **params), None


@functools.lru_cache(maxsize=4)
def _load_model_once(path: str):
    """A worker reads a model file once, not once per track."""
    from .learn import load_model

    return load_model(path)


def _beats_tempo_bpm(beats: np.ndarray) -> float | None:
    """60 / the median beat interval (the tempo of beats that come without one), or ``None`` below 2 beats."""
    return reference_tempo_bpm(beats) if beats.size >= 2 else None


def _find_bars(S: np.ndarray, beats: np.ndarray, mel_params: MelParams):
    """(positions, meter, warnings) of the beats (:func:`helpers.downbeat.track_downbeats`); no bars below 2 beats."""
    if beats.size < 2:
        return None, None, ()
    from .downbeat import track_downbeats

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bars = track_downbeats(S, beat_times_s=beats, mel_params=mel_params)
    return bars.positions, int(bars.meter), tuple(dict.fromkeys(str(w.message) for w in caught))


def _quantize(beat_times_s) -> np.ndarray:
    """Validate a tracker's output and round it to 1 us exactly as the estimate files will hold it."""
    beats = validate_beats(beat_times_s, name="the tracker's beat_times_s")
    rounded = np.array([float(f"{t:.{ESTIMATE_DECIMALS}f}") for t in beats.tolist()], dtype=float)
    return np.unique(rounded)


def _warm_librosa(mel_params: MelParams) -> None:
    """Load librosa's numba-compiled beat tracker once, before the workers are forked.

    Loading it from ``NUMBA_CACHE_DIR`` takes seconds (compiling it, 20-50 s); forked
    workers inherit it, so neither each worker nor each fresh pool (after a crash) pays again.
    """
    from .baseline import librosa_beats

    S = np.full((mel_params.n_mels, 64), 1e-4, dtype=np.float32)
    S[:, ::8] = 1.0
    librosa_beats(S, sr=mel_params.sr, hop_length=mel_params.hop_length)


def _pool_context(tracker, n_jobs: int, mel_params: MelParams):
    """How workers start for this tracker (:func:`helpers.pool.choose_context`), or ``None``: this process.

    A tracker that cannot be sent to a worker (a lambda, a nested function) runs in this
    process, with a warning. For librosa's trackers in forked workers, librosa is loaded
    here first (:func:`_warm_librosa`), so that the workers inherit it.
    """
    mp_context = choose_context(tracker)
    if n_jobs > 1 and not isinstance(tracker, str):
        try:
            pickle.dumps(tracker)
        except Exception:  # noqa: BLE001
            mp_context = None
        if mp_context is None:
            warnings.warn(f"the tracker {_tracker_label(tracker)!r} cannot be sent to worker processes (a lambda, a "
                          "nested function, or a notebook function on a platform without fork); running with jobs=1. "
                          "Define it at module level in a .py file to use both cores.", stacklevel=3)
    if tracker in ("librosa", "librosa-aligned") and mp_context is not None and n_jobs > 1 \
            and mp_context.get_start_method() == "fork":
        _warm_librosa(mel_params)
    return mp_context


# =========================================================================== the work on one track (in a worker)
@dataclass(frozen=True)
class _TrackJob:
    """Everything a worker needs to track (and score) one track: paths and settings, not arrays.

    ``reference_path=None``: track only (:func:`track_directory`). ``cache_dir=None``: no
    cache. ``debug``: an unexpected exception (not a :class:`~helpers.errors.HelpersError`)
    propagates instead of becoming the track's error.
    """

    track_id: str
    melspec_path: str
    reference_path: str | None
    mel_params: MelParams
    tracker: object
    tracker_params: dict
    tracker_key: str
    eval_key: str | None
    trim_s: float
    cache_dir: str | None
    debug: bool = False
    bars: bool = False


@dataclass(frozen=True)
class _FileJob:
    """Score an existing estimate file against a reference file."""

    track_id: str
    reference_path: str
    estimate_path: str
    trim_s: float


def _since(start: float) -> float:
    return time.perf_counter() - start


def _slot(job: _TrackJob):
    """The track's cache slot (hashes its files), or ``None`` without a cache."""
    if job.cache_dir is None:
        return None
    return cache_slot(job.cache_dir, melspec_path=job.melspec_path, tracker_key=job.tracker_key,
                      reference_path=job.reference_path, evaluation_key=job.eval_key)


@dataclass(frozen=True)
class _Estimate:
    """What a tracker produced for one track (what the cache keeps)."""

    beats: np.ndarray
    tempo_bpm: float | None
    positions: np.ndarray | None = None
    meter: int | None = None
    warnings: tuple = ()

    def cache_fields(self) -> dict:
        return {"tempo_bpm": self.tempo_bpm, "meter": self.meter,
                "positions": None if self.positions is None else [int(k) for k in self.positions]}

    @classmethod
    def from_cache(cls, entry: dict) -> "_Estimate":
        positions = entry.get("positions")
        return cls(np.array(entry["beat_times_s"], dtype=float), entry.get("tempo_bpm"),
                   None if positions is None else np.array(positions, dtype=int), entry.get("meter"))


def _track(job: _TrackJob) -> tuple[_Estimate, int]:
    """Load the track and run the tracker (and the bar stage): the estimate, rounded as in the files, and n_frames."""
    S = load_melspec(job.melspec_path, params=job.mel_params)
    raw, tempo_bpm = _call_tracker(job.tracker, job.tracker_params, S, job.mel_params)
    beats = _quantize(raw)
    tempo_bpm = _beats_tempo_bpm(beats) if tempo_bpm is None else tempo_bpm
    positions, meter, warn = _find_bars(S, beats, job.mel_params) if job.bars else (None, None, ())
    return _Estimate(beats, tempo_bpm, positions, meter, warn), S.shape[1]


def _score(reference, estimate: _Estimate, trim_s):
    """(scores, warnings, reference tempo): beats, tempo and (with bar positions on both sides) downbeats.

    ``reference`` is a :class:`helpers.data.Beats`; the warnings raised while scoring are
    kept, not printed by a worker.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scores = evaluate_beats(reference.times_s, estimate.beats, trim_s=trim_s)
        reference_bpm = _beats_tempo_bpm(reference.times_s)
        if reference_bpm is not None and estimate.tempo_bpm is not None:
            scores.update(tempo_accuracy(reference_bpm, estimate.tempo_bpm))
        if reference.positions is not None and estimate.positions is not None:
            scores.update(evaluate_downbeats(reference.downbeats_s, estimate.beats[estimate.positions == 1],
                                             trim_s=trim_s))
    return scores, tuple(dict.fromkeys(str(w.message) for w in caught)), reference_bpm


def _score_track(job: _TrackJob, estimate: _Estimate, n_frames: int | None):
    """(scores, warnings, n_reference_beats, reference tempo, error): a bad reference file is the track's error."""
    n_ref = None
    try:
        reference = load_beats(job.reference_path)
        n_ref = len(reference)
        if n_frames is None:   # beats from the cache: the header alone gives the length
            n_frames = read_melspec_shape(job.melspec_path)[-1]
        check_beats_fit(reference, duration_s=job.mel_params.duration_s(n_frames), path=job.reference_path,
                        melspec_path=job.melspec_path)
        scores, warn, reference_bpm = _score(reference, estimate, job.trim_s)
        return scores, warn, n_ref, reference_bpm, None
    except Exception as exc:  # noqa: BLE001 -- a bad reference file: keep the beats, report it
        return None, (), n_ref, None, error_text(exc)


def _result(job, estimate: _Estimate | None, scores, error, warn, n_ref, reference_bpm, source, start) -> TrackResult:
    beats = None if estimate is None else estimate.beats
    return TrackResult(job.track_id, scores, beats, error, warn, n_ref, source, _since(start),
                       None if estimate is None else estimate.tempo_bpm, reference_bpm,
                       None if estimate is None else estimate.positions, None if estimate is None else estimate.meter)


def _run_track(job: _TrackJob) -> TrackResult:
    """Worker: one track's estimate (from the cache, or tracked), scored when it has a reference."""
    start = time.perf_counter()
    estimate = None
    try:
        slot = _slot(job)
        entry = slot.read() if slot is not None else None
        if entry is not None:
            estimate = _Estimate.from_cache(entry)
            if job.reference_path is None:
                return _result(job, estimate, None, None, (), None, None, "cache", start)
            if slot.has_scores(entry):
                return _result(job, estimate, entry["scores"], None, tuple(entry.get("warnings", ())),
                               entry.get("n_reference_beats"), entry.get("reference_tempo_bpm"), "cache", start)
        source, n_frames = "cache-beats", None
        if estimate is None:
            source = "tracked"
            estimate, n_frames = _track(job)
        scores, warn, n_ref, reference_bpm, error = (None, (), None, None, None) if job.reference_path is None \
            else _score_track(job, estimate, n_frames)
        warn = (*estimate.warnings, *warn)
        if slot is not None:
            problem = slot.write(track_id=job.track_id, beat_times_s=estimate.beats, scores=scores, warnings=warn,
                                 n_reference_beats=n_ref,
                                 extra={**estimate.cache_fields(), "reference_tempo_bpm": reference_bpm})
            warn = warn if problem is None else (*warn, problem)
        return _result(job, estimate, scores, error, warn, n_ref, reference_bpm,
                       source if error is None else "failed", start)
    except Exception as exc:  # noqa: BLE001 -- any failure of one track is recorded, the run goes on
        if job.debug and not isinstance(exc, HelpersError):
            raise
        return _result(job, estimate, None, error_text(exc), (), None, None, "failed", start)


def _run_file(job: _FileJob) -> TrackResult:
    """Worker: score one existing estimate file."""
    start = time.perf_counter()
    beats = None
    try:
        if not Path(job.estimate_path).is_file():
            raise DataMissingError(f"no estimate file {job.estimate_path}")
        loaded = load_estimate_beats(job.estimate_path)
        beats = loaded.times_s
        estimate = _Estimate(beats, _beats_tempo_bpm(beats), loaded.positions)
        reference = load_beats(job.reference_path)
        scores, warn, reference_bpm = _score(reference, estimate, job.trim_s)
        return TrackResult(job.track_id, scores, beats, None, warn, len(reference), "file", _since(start),
                           estimate.tempo_bpm, reference_bpm, loaded.positions)
    except Exception as exc:  # noqa: BLE001
        return TrackResult(job.track_id, None, beats, error_text(exc), (), None, "failed", _since(start))


def _run_job(job) -> TrackResult:
    return _run_file(job) if isinstance(job, _FileJob) else _run_track(job)


def _failed(job, message: str) -> TrackResult:
    """The row of a track whose worker died, or that could not be sent to one (:func:`helpers.pool.run_jobs`)."""
    return TrackResult(job.track_id, None, None, message, (), None, "failed", 0.0)


# =========================================================================== settings shared by the entry points
def _evaluation_config(trim_s: float) -> dict:
    return {
        "metrics": list(RESULT_METRIC_NAMES),
        "trim_s": trim_s,
        "fmeasure_window_s": FMEASURE_WINDOW_S,
        "evaluation": "helpers.evaluate.evaluate_beats (backend 'fast', equal to mir_eval.beat.evaluate)",
        "tempo": "helpers.evaluate.tempo_accuracy against 60 / median inter-beat interval of the reference "
                 f"(Acc1: within {100 * TEMPO_TOLERANCE:g} %; Acc2: also x2, x1/2, x3, x1/3)",
        "downbeats": "helpers.evaluate.evaluate_downbeats (F-measure on the beats at position 1, same trim), "
                     "when the reference and the estimate have bar positions",
        "estimate_decimals": ESTIMATE_DECIMALS,
    }


def _check_jobs(jobs) -> int:
    """``jobs`` as an int >= 1 (``None``: :data:`DEFAULT_JOBS`)."""
    if jobs is None:
        return DEFAULT_JOBS
    return check_int_at_least(jobs, 1, name="jobs", unit="worker processes",
                              hint=f"the default {DEFAULT_JOBS} uses both cores; 1 runs in this process")


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


def default_track_cache_dir(out_dir) -> Path:
    """The cache of :func:`track_directory` for this output folder: ``<repo>/build/cache/track/<name>-<hash>``.

    One cache per output folder, as ``validate``'s ``OUT_DIR/cache``, but kept outside it so
    that the folder holds nothing but the estimate files (ready for ``evaluate``). The hash
    is of the folder's absolute path, so two folders with the same name do not share it.
    """
    out_dir = Path(out_dir).resolve()
    digest = hashlib.sha256(str(out_dir).encode()).hexdigest()[:12]
    return (repo_root() or Path.cwd()) / "build" / "cache" / "track" / f"{out_dir.name}-{digest}"


def _run_tracks(jobs_list, *, n_jobs, mp_context, progress, desc, cache_dir, on_result=None) -> list:
    """Run the track jobs; on Ctrl-C, say where the finished tracks are cached, then stop."""
    try:
        return run_jobs(jobs_list, _run_job, n_jobs=n_jobs, mp_context=mp_context, failed=_failed,
                        progress=progress, desc=desc, on_result=on_result)
    except KeyboardInterrupt:
        if cache_dir is not None:
            print(f"interrupted: the tracks done so far are cached in {cache_dir}; run again to resume.",
                  file=sys.stderr)
        raise


# =========================================================================== the entry points
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
    bars: bool | None = None,
) -> BatchResult:
    """Track and score every track of a data set; optionally save the outputs.

    Parameters
    ----------
    dataset : helpers.data.Dataset, str or Path, optional
        The data set (default: :func:`helpers.data.open_dataset`, i.e. Harmonix if
        installed, else the demo set), or a name/directory for ``open_dataset``.
    tracker : {"reference", "librosa", "librosa-aligned", "learned"} or callable
        ``"reference"``: :func:`helpers.beat.track_beats`; ``"librosa"``:
        :func:`helpers.baseline.librosa_beats` (stock); ``"librosa-aligned"``:
        :func:`helpers.baseline.librosa_aligned_beats` (without the one-frame lag of its
        onset envelope: the fair comparison); ``"learned"``: the reference tracker on a
        learned novelty (:func:`helpers.learn.run_tracker_with_model`; give the model file as
        ``tracker_params={"model": path}``); or your own picklable function
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
    bars : bool, optional
        Find the bars of the tracked beats (:func:`helpers.downbeat.track_downbeats`), so the
        downbeats are scored where the references have bar positions. Default: for the
        course's own trackers ("reference", "learned").

    Returns
    -------
    BatchResult
        One :class:`TrackResult` per track (failed tracks included, with their error), with
        the beat metrics, Acc1/Acc2, and the downbeat F-measure when there are bars on both sides.

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
    for directory, what in ((ds.melspec_dir, "mel-spectrogram"), (ds.beats_dir, "reference beat")):
        if not directory.is_dir():
            raise DataMissingError(f"{directory}: no such {what} directory.")
    n_jobs = _check_jobs(jobs)
    trim_s = check_trim_s(trim_s)
    tracker, params, identity, bars = _normalise_tracker(tracker, tracker_params, bars)
    mel_params = ds.params
    ids = _tracks_to_run(ds, track_ids, split)
    out_dir = None if out_dir is None else Path(out_dir)
    if cache_dir is None and out_dir is not None:
        cache_dir = out_dir / "cache"
    cache_dir = Path(cache_dir) if use_cache and cache_dir is not None else None
    for d in (out_dir, cache_dir):   # read-only or impossible output folders: fail now, not after the work
        if d is not None:
            check_writable(d)
    mp_context = _pool_context(tracker, n_jobs, mel_params)

    tracker_key = canonical_json({"mel_params": mel_params.to_info_json(), **identity})
    eval_key = canonical_json({**_evaluation_config(trim_s), "code_sha256": source_digest("evaluate")})
    jobs_list = [_TrackJob(tid, str(ds.melspec_path(tid)), str(ds.beats_path(tid)), mel_params, tracker, params,
                           tracker_key, eval_key, trim_s, None if cache_dir is None else str(cache_dir), bars=bars)
                 for tid in ids]
    start = time.perf_counter()
    done = _run_tracks(jobs_list, n_jobs=n_jobs, mp_context=mp_context, progress=progress,
                       desc=f"{_tracker_label(tracker)} on {ds.name}", cache_dir=cache_dir)
    config = _run_config(ds, tracker, identity, trim_s=trim_s, split=split,
                         n_jobs=n_jobs if mp_context is not None else 1, cache_dir=cache_dir)
    result = BatchResult([r for _, r in done], config, time.perf_counter() - start)
    if out_dir is not None:
        result.save(out_dir)
    return result


def _tracks_to_run(ds: Dataset, track_ids, split: str) -> list[str]:
    """The selected paired tracks of ``ds`` in ``split``; a clear error when there is none."""
    ids = select_split(_select(ds.track_ids, track_ids), split)
    if not ids:
        if split != "all" and ds.track_ids:
            raise DataMissingError(f"{ds.name}: none of the selected tracks is in the {split!r} split "
                                   "(helpers.splits); use split='all' or other tracks.")
        raise DataMissingError(f"{ds.name}: no track has both {ds.melspec_dir}/<id>-mel.npy and "
                               f"{ds.beats_dir}/<id>.txt.")
    return ids


def _run_config(ds: Dataset, tracker, identity: dict, *, trim_s, split, n_jobs, cache_dir) -> dict:
    """What results.json records about a :func:`run_batch` run."""
    unpaired = ds.unpaired
    return {
        "system": _tracker_label(tracker),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data": {
            "name": ds.name,
            "melspec_dir": str(ds.melspec_dir),
            "reference_dir": str(ds.beats_dir),
            "mel_params": ds.params.to_info_json(),
            "n_paired_tracks": len(ds.track_ids),
            "unpaired": {"melspec_only": list(unpaired.melspec_only),
                         "annotation_only": list(unpaired.annotation_only)},
        },
        "tracker": dict(identity),
        "evaluation": _evaluation_config(trim_s),
        "split": split,
        "versions": versions(),
        "jobs": n_jobs,
        "cache_dir": None if cache_dir is None else str(cache_dir),
    }


def track_directory(
    melspec_dir,
    out_dir,
    *,
    tracker="reference",
    tracker_params=None,
    jobs: int | None = None,
    cache_dir=None,
    use_cache: bool = True,
    progress: bool = True,
    debug: bool = False,
    bars: bool = False,
) -> list[TrackResult]:
    """Track every ``<id>-mel.npy`` of a folder and write ``out_dir/<id>.txt``: no reference, no scores.

    What ``python -m helpers track`` does, with the same runner as :func:`run_batch`:
    worker processes, the per-track cache, a progress bar, and failures as rows (an
    unreadable file or a tracker that raises fails its track only). The estimate files
    (:func:`helpers.data.format_estimate`: one beat time in seconds per line, 6 decimals)
    are written atomically, in track-id order as the tracks finish, so the folder only
    ever holds complete files; ``evaluate`` can score them.

    Parameters
    ----------
    melspec_dir : str or Path
        A folder of ``<track_id>-mel.npy`` files and their ``info.json`` (sr, hop ...).
    out_dir : str or Path
        Where the estimate files go (created if needed); nothing else is written there.
    tracker, tracker_params, jobs, use_cache, progress
        As :func:`run_batch`.
    cache_dir : str or Path, optional
        Per-track cache (default :func:`default_track_cache_dir`, one per ``out_dir``, kept
        outside it). A re-run takes the beats of unchanged tracks from it.
    debug : bool
        Run in this process (``jobs=1``) and let an unexpected exception of a track (a bug:
        anything but a :class:`~helpers.errors.HelpersError` about the data) propagate with
        its traceback instead of recording it.
    bars : bool
        Also find the bars (:func:`helpers.downbeat.track_downbeats`) and write
        ``time<TAB>position in bar`` lines (1 = downbeat; madmom's downbeat format).

    Returns
    -------
    tracks : list of TrackResult
        One per ``.npy`` file, by track id: ``beat_times_s``, ``tempo_bpm`` (and
        ``positions``, ``meter`` with ``bars``; ``scores=None``) for the tracks written,
        ``error`` for the others (their file is not written).

    Raises
    ------
    DataMissingError
        No such folder, no ``info.json``, or no ``.npy`` file in it.
    DataError
        A malformed ``info.json``.
    ParameterError
        Bad tracker, parameters or ``jobs``.
    OutputError
        ``out_dir`` or the cache cannot be written: before any track is tracked; or an
        estimate file cannot be written (a full disk): the run stops, the files written
        before it stay complete.

    Examples
    --------
    >>> tracks = track_directory("data/demo/melspecs", "build/estimates/demo")   # doctest: +SKIP
    >>> [r.track_id for r in tracks if r.error]                                  # doctest: +SKIP
    []
    """
    melspec_dir, out_dir = Path(melspec_dir), Path(out_dir)
    mel_params = read_params(melspec_dir)
    tracker, params, identity, bars = _normalise_tracker(tracker, tracker_params, bars)
    n_jobs = 1 if debug else _check_jobs(jobs)
    paths = sorted(p for p in melspec_dir.glob(f"*{MELSPEC_SUFFIX}") if not p.name.startswith("."))
    if not paths:
        raise DataMissingError(f"{melspec_dir}: no *{MELSPEC_SUFFIX} files to track.")
    cache_dir = Path(default_track_cache_dir(out_dir) if cache_dir is None else cache_dir) if use_cache else None
    for d in (out_dir, cache_dir):   # read-only or impossible output folders: fail now, not after the work
        if d is not None:
            check_writable(d)
    mp_context = _pool_context(tracker, n_jobs, mel_params)

    tracker_key = canonical_json({"mel_params": mel_params.to_info_json(), **identity})
    jobs_list = [_TrackJob(p.name[: -len(MELSPEC_SUFFIX)], str(p), None, mel_params, tracker, params, tracker_key,
                           None, None, None if cache_dir is None else str(cache_dir), debug, bars)
                 for p in paths]
    writer = _InOrderWriter(out_dir, [job.track_id for job in jobs_list])
    done = _run_tracks(jobs_list, n_jobs=n_jobs, mp_context=mp_context, progress=progress, desc="tracking",
                       cache_dir=cache_dir, on_result=writer)
    return sorted((r for _, r in done), key=lambda r: r.track_id)


class _InOrderWriter:
    """Writes ``out_dir/<id>.txt`` for each finished track, in track-id order.

    A file is written as soon as every track before it (by id) has finished, so that the
    folder holds the estimates of a prefix of the tracks, as a one-by-one loop would: if a
    write fails (a full disk), the run stops and the files before it are complete.
    """

    def __init__(self, out_dir: Path, track_ids: Sequence[str]):
        self.out_dir = out_dir
        self.order = sorted(track_ids)
        self.next = 0
        self.waiting: dict = {}

    def __call__(self, job, result: TrackResult) -> None:
        self.waiting[result.track_id] = result
        while self.next < len(self.order) and self.order[self.next] in self.waiting:
            ready = self.waiting.pop(self.order[self.next])
            self.next += 1
            if ready.error is None:
                write_text_atomic(self.out_dir / f"{ready.track_id}.txt",
                                  format_estimate(ready.beat_times_s, positions=ready.positions))


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
    trim_s = check_trim_s(trim_s)
    ref_ids = _reference_ids(reference_dir)
    if not ref_ids:
        raise DataMissingError(f"{reference_dir}: no reference beat files (<track_id>.txt).")
    ids = _select(ref_ids, track_ids)
    est_ids = set(_reference_ids(estimate_dir))
    system = system or estimate_dir.name
    jobs_list = [_FileJob(t, str(reference_dir / f"{t}.txt"), str(estimate_dir / f"{t}.txt"), trim_s) for t in ids]
    start = time.perf_counter()
    done = run_jobs(jobs_list, _run_job, n_jobs=n_jobs if len(ids) >= _MIN_FILES_FOR_A_POOL else 1,
                    mp_context=multiprocessing.get_context(), failed=_failed, progress=progress,
                    desc=f"evaluate {system}")
    config = _file_config(system, reference_dir, estimate_dir, ref_ids, est_ids, trim_s, n_jobs)
    return BatchResult([r for _, r in done], config, time.perf_counter() - start)


def _file_config(system, reference_dir, estimate_dir, ref_ids, est_ids, trim_s, n_jobs) -> dict:
    """What results.json records about scoring a folder of estimate files."""
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
    trim_s = check_trim_s(trim_s)
    ref_ids = _reference_ids(reference_dir)
    ids = _select(ref_ids, track_ids)
    jobs_list = [_FileJob(t, str(reference_dir / f"{t}.txt"), str(results_dir / system / f"{t}.txt"), trim_s)
                 for system in systems for t in ids]
    start = time.perf_counter()
    done = run_jobs(jobs_list, _run_job, n_jobs=n_jobs if len(jobs_list) >= _MIN_FILES_FOR_A_POOL else 1,
                    mp_context=multiprocessing.get_context(), failed=_failed, progress=progress,
                    desc="published systems")
    seconds = time.perf_counter() - start
    out = {}
    for system in systems:
        tracks = [r for job, r in done if Path(job.estimate_path).parent.name == system]
        est_ids = set(_reference_ids(results_dir / system))
        config = _file_config(system, reference_dir, results_dir / system, ref_ids, est_ids, trim_s, n_jobs)
        out[system] = BatchResult(tracks, config, seconds / max(1, len(systems)))
    return out
