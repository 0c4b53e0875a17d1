"""Experiments that re-run part of the pipeline: the frame-grid ceiling and the tracker parameter sweep.

:func:`frame_rate_ceiling` scores the reference beats themselves after rounding them to
the frame grid (and refining them); :func:`sensitivity_sweep` runs the reference tracker
on a grid of :class:`helpers.beat.TrackerParams` through the batch runner and its cache
(on the dev split when its best setting is to be reported on test).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..data import Dataset, MelParams, validate_beats
from ..errors import ParameterError
from ..evaluate import FMEASURE_WINDOW_S, SHORT_NAMES, TRIM_S, evaluate_beats, long_metric_name
from ..splits import check_split, select_split

__all__ = [
    "SWEEP_POOL_MIN_TRACKS",
    "quantize_to_frames",
    "frame_rate_ceiling",
    "SweepResult",
    "sensitivity_sweep",
]

#: Below this many tracks :func:`sensitivity_sweep` runs in one process: starting worker
#: processes for every setting costs more than the few tracks save (measured on the demo set).
SWEEP_POOL_MIN_TRACKS = 50


# =========================================================================== the frame grid (frame_rate_ceiling)
def quantize_to_frames(times_s, *, params: MelParams) -> np.ndarray:
    """Beat times moved to the nearest frame time (``k * hop / sr``), as a frame-wise tracker must place them.

    Two beats falling on the same frame (only above ~1300 BPM at hop 1024) become one.
    """
    times = validate_beats(times_s, name="times_s")
    return np.unique(params.frames_to_time(params.time_to_frames(times)))


def _scored(track_id: str, reference_s, estimate_s, trim_s: float):
    from ..batch import TrackResult

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scores = evaluate_beats(reference_s, estimate_s, trim_s=trim_s)
    return TrackResult(track_id, scores, estimate_s, None, tuple(dict.fromkeys(str(w.message) for w in caught)),
                       int(np.size(reference_s)), "tracked", 0.0)


def frame_rate_ceiling(dataset, *, track_ids=None, refine: bool = True, tracker_params=None,
                       trim_s: float = TRIM_S, progress: bool = True) -> dict:
    """Score the reference beats themselves after rounding them to the frame grid (and refining them).

    Each reference beat is moved to the nearest frame time (at most half a frame: 23.2 ms
    at hop 1024), then -- with ``refine`` -- moved again by the tracker's sub-frame
    refinement (:func:`helpers.beat.refine_beat_times` on the tracker's novelty).  What
    this measures, per metric: the cost of **rounding** beat times to the frame grid, and
    how much of it the refinement **recovers**.  Since half a frame is far inside the
    +-70 ms F-measure window, the rounded reference scores F = 1 (and CMLt = AMLt = 1) by
    construction; only the timing-sensitive metrics (Cemgil, sigma 40 ms; information
    gain; the timing error itself) see the grid.

    What it does *not* measure: what the input's resolution costs a tracker.  A tracker
    on coarser frames also gets a blurrier novelty curve and a coarser tempo; the
    reference beats here are placed by an oracle.  For that question, track the same
    music rendered at several hops (the course's resolution benchmark,
    ``benchmarks/bench_resolution.py``).

    Parameters
    ----------
    dataset : helpers.data.Dataset
    track_ids : sequence of str, optional
        Default: all paired tracks.
    refine : bool
        Also the refined version (loads every mel-spectrogram to compute the tracker's
        novelty, :func:`helpers.beat.tracker_novelty`; the reference on the grid needs
        only the beat files).
    tracker_params : helpers.beat.TrackerParams, optional
        Novelty and refinement parameters (default: the tracker's defaults).
    trim_s : float
    progress : bool
        A progress bar over the tracks.

    Returns
    -------
    dict
        ``{"frame grid": BatchResult, "frame grid + refinement": BatchResult}`` (the
        second only with ``refine``); compare them with :func:`helpers.batch.compare`.
    """
    from tqdm.auto import tqdm

    from ..batch import BatchResult
    from ..beat import TrackerParams, refine_beat_times, tracker_novelty

    if not isinstance(dataset, Dataset):
        raise ParameterError(f"dataset must be a helpers.data.Dataset (open_dataset()), got {type(dataset).__name__}.")
    p = TrackerParams() if tracker_params is None else tracker_params
    if not isinstance(p, TrackerParams):
        raise ParameterError(f"tracker_params must be a TrackerParams, got {type(p).__name__}.")
    ids = list(dataset.track_ids if track_ids is None else track_ids)
    unknown = sorted(set(ids) - set(dataset.track_ids))
    if unknown:
        raise ParameterError(f"unknown track id(s) {unknown[:5]}: not among the {len(dataset.track_ids)} "
                             "paired tracks.")
    params = dataset.params
    grid, refined = [], []
    start = time.perf_counter()
    for tid in tqdm(ids, desc="frame grid", unit="track", disable=not progress, dynamic_ncols=True):
        reference = dataset.load_beats(tid).times_s
        grid.append(_scored(tid, reference, quantize_to_frames(reference, params=params), trim_s))
        if refine:
            novelty = tracker_novelty(dataset.load_melspec(tid), mel_params=params, tracker_params=p)
            frames = np.unique(np.clip(params.time_to_frames(reference), 0, len(novelty) - 1))
            times = refine_beat_times(novelty, frames, method=p.refine) - p.novelty_delay_s
            times = np.unique(np.clip(times, 0.0, None))
            refined.append(_scored(tid, reference, times, trim_s))
    seconds = time.perf_counter() - start

    def config(system: str) -> dict:
        return {"system": system, "data": {"name": dataset.name, "mel_params": params.to_info_json()},
                "tracker": {"tracker": system, "params": p.to_dict() if system.endswith("refinement") else {}},
                "evaluation": {"trim_s": trim_s, "fmeasure_window_s": FMEASURE_WINDOW_S}}

    out = {"frame grid": BatchResult(grid, config("frame grid"), seconds)}
    if refine:
        out["frame grid + refinement"] = BatchResult(refined, config("frame grid + refinement"), seconds)
    return out


# =========================================================================== sensitivity sweep
@dataclass
class SweepResult:
    """A grid of tracker settings and the mean score of each (:func:`sensitivity_sweep`).

    Attributes
    ----------
    names : tuple of str
        The swept :class:`helpers.beat.TrackerParams` fields, one per axis of ``means``.
    values : tuple of tuple
        The values of each, in grid order.
    metric : str
    means : np.ndarray [shape=(len(values[0]), len(values[1]), ...)]
        Mean score over the tracks for each combination.
    results : dict
        Combination (tuple of values, in ``names`` order) -> BatchResult.
    base_params : helpers.beat.TrackerParams
        The other parameters.
    seconds : float
    split : str
        The part of the fixed dev/test split the sweep ran on (``"dev"`` to choose a
        setting that is then reported on ``"test"``).
    """

    names: tuple
    values: tuple
    metric: str
    means: np.ndarray
    results: dict = field(repr=False)
    base_params: object = None
    seconds: float = 0.0
    split: str = "all"

    def means_of(self, metric: str) -> np.ndarray:
        """The mean of another metric for each combination, shaped like :attr:`means`."""
        metric = long_metric_name(metric)
        shape = [len(v) for v in self.values]
        return np.array([_mean_or_nan(self.results[c], metric) for c in itertools.product(*self.values)],
                        dtype=float).reshape(shape)

    def best(self) -> tuple[dict, float]:
        """The combination with the highest mean (``({name: value}, mean)``)."""
        idx = np.unravel_index(int(np.argmax(self.means)), self.means.shape)
        return {n: v[i] for n, v, i in zip(self.names, self.values, idx)}, float(self.means[idx])

    def best_params(self):
        """The :class:`helpers.beat.TrackerParams` of :meth:`best` (the other fields from ``base_params``)."""
        return dataclasses.replace(self.base_params, **self.best()[0])

    def rows(self) -> list[dict]:
        """One flat dict per combination: the parameter values and the mean."""
        return [{**dict(zip(self.names, combo)), f"mean {SHORT_NAMES.get(self.metric, self.metric)}":
                 float(self.means[idx])}
                for idx, combo in zip(np.ndindex(self.means.shape), itertools.product(*self.values))]


def sensitivity_sweep(dataset, grid: Mapping[str, Sequence], *, base_params=None, metric: str = "F-measure",
                      cache_dir=None, track_ids=None, split: str = "all", jobs: int | None = None,
                      progress: bool = True) -> SweepResult:
    """Run the reference tracker on a grid of 1-3 parameters, through the batch runner and its cache.

    Each combination is one :func:`helpers.batch.run_batch` (worker processes, per-track
    cache keyed by the complete parameters): a combination seen before costs nothing,
    an interrupted sweep resumes.

    Choosing a setting is tuning: run the sweep on ``split="dev"``, take
    :meth:`SweepResult.best_params`, and report that setting on ``split="test"`` (a
    separate :func:`helpers.batch.run_batch`), never the sweep's own best mean.

    Parameters
    ----------
    dataset : helpers.data.Dataset
    grid : dict
        ``{TrackerParams field: values}``, 1 to 3 fields, e.g.
        ``{"prior_center_bpm": [80, 110, 140], "tightness": [30, 100, 300]}``.
    base_params : helpers.beat.TrackerParams, optional
        The other parameters (default: the tracker's defaults).
    metric : str
        The score averaged over the tracks.
    cache_dir : str or Path, optional
        Default ``helpers.batch.default_out_dir(dataset.name, "sweep") / "cache"``.
    track_ids : sequence of str, optional
    split : {"all", "dev", "test"}
        Only the tracks of this part of the fixed dev/test split (:mod:`helpers.splits`).
    jobs : int, optional
        Worker processes per run (default: both cores, but one process below
        :data:`SWEEP_POOL_MIN_TRACKS` tracks, where starting workers for every setting
        costs more than it saves).
    progress : bool
        A progress bar over the combinations.

    Returns
    -------
    SweepResult
    """
    from tqdm.auto import tqdm

    from ..batch import default_out_dir, run_batch
    from ..beat import TrackerParams

    if not isinstance(dataset, Dataset):
        raise ParameterError(f"dataset must be a helpers.data.Dataset (open_dataset()), got {type(dataset).__name__}.")
    split = check_split(split)
    ids = select_split(dataset.track_ids if track_ids is None else track_ids, split)
    if not ids:
        raise ParameterError(f"{dataset.name}: no track in the {split!r} split to sweep on.")
    if jobs is None and len(ids) < SWEEP_POOL_MIN_TRACKS:
        jobs = 1
    base = TrackerParams() if base_params is None else base_params
    if not isinstance(base, TrackerParams):
        raise ParameterError(f"base_params must be a TrackerParams, got {type(base).__name__}.")
    if not isinstance(grid, Mapping) or not 1 <= len(grid) <= 3:
        raise ParameterError(f"grid must be a dict of 1 to 3 parameters -> values, got {grid!r}.")
    fields = {f.name for f in dataclasses.fields(TrackerParams)}
    unknown = sorted(set(grid) - fields)
    if unknown:
        raise ParameterError(f"unknown tracker parameter(s) {unknown}; see helpers.beat.TrackerParams "
                             f"({sorted(fields)}).")
    names = tuple(grid)
    values = tuple(tuple(grid[n]) for n in names)
    if any(len(v) == 0 for v in values):
        raise ParameterError(f"every parameter of the grid needs at least one value, got {grid!r}.")
    combos = list(itertools.product(*values))
    settings = [dataclasses.replace(base, **dict(zip(names, c))) for c in combos]   # validates every value first
    metric = long_metric_name(metric)
    cache_dir = default_out_dir(dataset.name, "sweep") / "cache" if cache_dir is None else cache_dir
    results = {}
    start = time.perf_counter()
    bar = tqdm(total=len(combos), desc=f"sweep on {dataset.name}", unit="setting", disable=not progress,
               dynamic_ncols=True)
    try:
        for combo, params in zip(combos, settings):
            bar.set_postfix_str(", ".join(f"{n}={v}" for n, v in zip(names, combo)), refresh=True)
            results[combo] = run_batch(dataset, tracker="reference", tracker_params=params, track_ids=ids,
                                       cache_dir=cache_dir, jobs=jobs, progress=False)
            bar.update(1)
    finally:
        bar.close()
    means = np.array([_mean_or_nan(results[c], metric) for c in combos], dtype=float).reshape([len(v) for v in values])
    return SweepResult(names, values, metric, means, results, base, time.perf_counter() - start, split)


def _mean_or_nan(result, metric: str) -> float:
    scores = result.scores(metric)
    return float(scores.mean()) if scores.size else math.nan
