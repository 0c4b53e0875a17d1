"""Results of a batch run: per-track rows, their files (results.csv, results.json), tables and comparisons.

What :func:`helpers.batch.run_batch`, :func:`~helpers.batch.evaluate_directory` and
:func:`~helpers.batch.evaluate_published` return, and everything done with it afterwards
(taught in notebooks 03 and 04): :class:`BatchResult` holds one :class:`TrackResult` per
track; :meth:`BatchResult.save` writes it, :func:`load_results` reads it back;
:func:`compare`, :func:`format_table` and :func:`write_table_csv` make tables of several
systems (or of any list of flat dicts).

Files
-----
:meth:`BatchResult.save` (and the ``validate`` command) writes::

    OUT_DIR/estimates/<track_id>.txt   one beat time per line, 6 decimals (helpers.data.format_estimate);
                                       time<TAB>position in bar when the system found the bars
    OUT_DIR/results.csv                track_id, the 10 mir_eval beat metrics, Acc1, Acc2, Downbeat F-measure,
                                       estimated BPM, reference BPM, meter, error
    OUT_DIR/results.json               per-track rows, means, medians, configuration, versions

The set is written all-or-nothing (every file to a temporary file first, then all moved
into place), so a full disk leaves the previous run's outputs exactly as they were; an
output folder that cannot be written is reported before anything changes
(:class:`~helpers.errors.OutputError`). The set is published while holding an exclusive
lock on ``OUT_DIR/.lock``: two runs writing the same directory at once publish one after
the other, so the directory always holds one run's complete, consistent output (the last
to finish), never a mixture.

Scores are plain floats; a failed track has ``scores=None`` (empty cells in the CSV,
``null`` in the JSON), and means and medians are over the successful tracks.

Besides mir_eval's ten beat metrics (:data:`helpers.evaluate.METRIC_NAMES`), a row holds
the tempo scores Acc1 and Acc2 (the system's tempo against the reference tempo, 60 / the
median inter-beat interval of the annotation; :func:`helpers.evaluate.tempo_accuracy`) and,
when both the reference and the estimate have bar positions, the downbeat F-measure
(:func:`helpers.evaluate.evaluate_downbeats`). A metric a track cannot have (no bar positions
in its reference) is empty for that track, and means are over the tracks that have it
(:data:`RESULT_METRIC_NAMES`, :func:`result_metric_name`).
"""

from __future__ import annotations

import contextlib
import csv
import importlib.metadata
import io
import json
import platform
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .checks import check_choice
from .data import format_estimate, load_estimate_beats
from .errors import DataError, DataMissingError, ParameterError
from .evaluate import DOWNBEAT_METRIC_NAMES, METRIC_NAMES, SHORT_NAMES, TEMPO_METRIC_NAMES, long_metric_name
from .files import check_writable, exclusive_lock, write_text_atomic, write_texts_atomic

__all__ = [
    "RESULT_METRIC_NAMES",
    "RESULT_SHORT_NAMES",
    "result_metric_name",
    "TrackResult",
    "BatchResult",
    "load_results",
    "results_from_rows",
    "compare",
    "format_table",
    "write_table_csv",
    "versions",
    "package_version",
]

#: Written into results.json; load_results refuses other files. (The name of the module that
#: first wrote it.) v2 added the tempo and downbeat columns; v1 files still load.
_RESULTS_FORMAT = "helpers.batch results v2"
_READABLE_FORMATS = ("helpers.batch results v1", _RESULTS_FORMAT)

#: Every metric a results row can hold: mir_eval's ten beat metrics, then tempo, then downbeats.
RESULT_METRIC_NAMES = (*METRIC_NAMES, *TEMPO_METRIC_NAMES, *DOWNBEAT_METRIC_NAMES)
#: Short names for tables (the beat metrics' from helpers.evaluate.SHORT_NAMES).
RESULT_SHORT_NAMES = {**SHORT_NAMES, **{m: m for m in TEMPO_METRIC_NAMES}, "Downbeat F-measure": "DbF"}
_RESULT_LONG_NAME = {**{m: m for m in RESULT_METRIC_NAMES}, **{s: m for m, s in RESULT_SHORT_NAMES.items()}}
#: Columns of results.csv after the metrics, before "error".
_TEMPO_COLUMNS = ("estimated BPM", "reference BPM", "meter")


def result_metric_name(metric) -> str:
    """The full name of a results metric, given by its full or short name (``"DbF"``, ``"CMLt"``, ``"Acc1"``).

    Beat metrics resolve as :func:`helpers.evaluate.long_metric_name` does; the tempo and
    downbeat metrics of a results row are accepted too.

    Raises
    ------
    ParameterError
        Any other value; the message lists the names.
    """
    if isinstance(metric, str) and metric in _RESULT_LONG_NAME:
        return _RESULT_LONG_NAME[metric]
    try:
        return long_metric_name(metric)
    except ParameterError:
        raise ParameterError(
            f"Unknown metric {metric!r}. Choose from {list(RESULT_METRIC_NAMES)} or their short names "
            f"{list(RESULT_SHORT_NAMES.values())} (spelled exactly: an unknown metric name is never guessed)."
        ) from None


# =========================================================================== one track, one system
@dataclass(frozen=True)
class TrackResult:
    """The outcome for one track.

    Attributes
    ----------
    track_id : str
    scores : dict[str, float] or None
        Metric name -> score (plain floats): mir_eval's ten beat metrics, Acc1 and Acc2 when
        the reference has a tempo, "Downbeat F-measure" when both sides have bar positions;
        ``None`` when the track failed, or was tracked without a reference
        (:func:`helpers.batch.track_directory`).
    beat_times_s : np.ndarray or None
        The estimated beats (s), rounded to :data:`helpers.data.ESTIMATE_DECIMALS`; ``None``
        when there are none to show (the track failed before or during tracking).
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
    tempo_bpm : float or None
        The system's tempo: the reference tracker's and librosa's own estimate, else
        60 / the median interval of the estimated beats.
    reference_tempo_bpm : float or None
        60 / the median inter-beat interval of the reference (:func:`helpers.evaluate.reference_tempo_bpm`).
    positions : np.ndarray or None
        The position of each estimated beat in its bar (1 = downbeat), when the system found bars.
    meter : int or None
        Beats per bar the system chose (with ``positions``).
    """

    track_id: str
    scores: dict | None
    beat_times_s: np.ndarray | None = field(default=None, repr=False)
    error: str | None = None
    warnings: tuple = ()
    n_reference_beats: int | None = None
    source: str = "tracked"
    seconds: float = 0.0
    tempo_bpm: float | None = None
    reference_tempo_bpm: float | None = None
    positions: np.ndarray | None = field(default=None, repr=False)
    meter: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.scores is not None

    @property
    def downbeat_times_s(self) -> np.ndarray | None:
        """The estimated downbeats (the beats at position 1), when the system found bars."""
        if self.positions is None or self.beat_times_s is None:
            return None
        return self.beat_times_s[self.positions == 1]

    def row(self) -> dict:
        """One line of ``results.csv``: track id, every metric, tempi, meter, error."""
        scores = self.scores or {}
        return {"track_id": self.track_id, **{m: scores.get(m) for m in RESULT_METRIC_NAMES},
                "estimated BPM": self.tempo_bpm, "reference BPM": self.reference_tempo_bpm, "meter": self.meter,
                "error": self.error}

    def json_row(self) -> dict:
        """The CSV row plus beat counts, warnings and where the beats came from."""
        return {
            **self.row(),
            "n_estimated_downbeats": None if self.positions is None else int(np.sum(self.positions == 1)),
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
        """One metric over the successful tracks that have it, in track-id order (short names work)."""
        metric = result_metric_name(metric)
        return np.array([r.scores[metric] for r in self.tracks if r.ok and r.scores.get(metric) is not None],
                        dtype=float)

    def mean(self) -> dict[str, float | None]:
        """Mean of each metric over the successful tracks that have it (``None`` if there are none)."""
        return {m: _stat(self.scores(m), statistics.fmean) for m in RESULT_METRIC_NAMES}

    def median(self) -> dict[str, float | None]:
        """Median of each metric over the successful tracks that have it."""
        return {m: _stat(self.scores(m), statistics.median) for m in RESULT_METRIC_NAMES}

    def tempi(self) -> dict[str, tuple[float | None, float | None]]:
        """Track id -> (estimated BPM, reference BPM) of every successful track."""
        return {r.track_id: (r.tempo_bpm, r.reference_tempo_bpm) for r in self.tracks if r.ok}

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


# =========================================================================== versions
def package_version(name: str) -> str | None:
    """The installed version of the distribution ``name`` (``"numpy"``), or ``None`` if it is not installed."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def versions() -> dict[str, str | None]:
    """Versions of Python and of the packages that can change a score."""
    from . import __version__

    return {
        "python": platform.python_version(),
        "numpy": package_version("numpy"),
        "scipy": package_version("scipy"),
        "librosa": package_version("librosa"),
        "numba": package_version("numba"),
        "mir_eval": package_version("mir_eval"),
        "helpers": __version__,
    }


# =========================================================================== files
def _csv_text(result: BatchResult) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["track_id", *RESULT_METRIC_NAMES, *_TEMPO_COLUMNS, "error"])
    for r in result.tracks:
        row = r.row()
        writer.writerow([r.track_id, *(_csv_cell(row[c]) for c in (*RESULT_METRIC_NAMES, *_TEMPO_COLUMNS)),
                         r.error or ""])
    return buf.getvalue()


def _csv_cell(value) -> str:
    """A float in full (repr), an int as is, None as an empty cell."""
    if value is None:
        return ""
    return repr(float(value)) if isinstance(value, float) else str(value)


def _json_text(result: BatchResult) -> str:
    return json.dumps(result.to_json(), indent=1, allow_nan=False) + "\n"


def _publish(result: BatchResult, *, out_dir=None, out_csv=None, out_json=None, estimates=True) -> dict[str, Path]:
    """:meth:`BatchResult.save`: check the folders, then write every file all-or-nothing under the lock."""
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
    with exclusive_lock(lock_dir / ".lock"):
        # All or nothing: every file is written to a temporary first and only then moved into
        # place, so a full disk leaves the previous run's outputs exactly as they were.
        texts = {}
        if est_dir is not None:
            texts = {est_dir / f"{r.track_id}.txt": format_estimate(r.beat_times_s, positions=r.positions)
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


def load_results(path) -> BatchResult:
    """Read back what :meth:`BatchResult.save` wrote (a results.json, or its folder).

    Parameters
    ----------
    path : str or Path
        ``OUT_DIR`` or ``OUT_DIR/results.json``. Beat times come from ``estimates/``
        beside the JSON when present.

    Returns
    -------
    BatchResult
        Its rows, configuration and run time; per-track times are not kept (0.0).

    Raises
    ------
    DataMissingError
        No results file there.
    DataError
        Not JSON, or not written by :meth:`BatchResult.save`.
    """
    path = Path(path)
    json_path = path / "results.json" if path.is_dir() else path
    if not json_path.is_file():
        raise DataMissingError(f"{json_path}: no results file; run the batch first (helpers.batch.run_batch).")
    try:
        data = json.loads(json_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise DataError(f"not a valid results file ({exc}).", path=json_path) from None
    if data.get("format") not in _READABLE_FORMATS:
        raise DataError(f"format {data.get('format')!r} is not {_RESULTS_FORMAT!r}.", path=json_path)
    est_dir = json_path.parent / "estimates"
    tracks = []
    for row in data["rows"]:
        est = est_dir / f"{row['track_id']}.txt"
        beats = load_estimate_beats(est) if est.is_file() else None
        ok = row.get("error") is None
        scores = {m: row[m] for m in RESULT_METRIC_NAMES if row.get(m) is not None} if ok else None
        tracks.append(TrackResult(row["track_id"], scores, None if beats is None else beats.times_s,
                                  row.get("error"), tuple(row.get("warnings", ())), row.get("n_reference_beats"),
                                  row.get("source", "file"), 0.0, row.get("estimated BPM"), row.get("reference BPM"),
                                  None if beats is None else beats.positions, row.get("meter")))
    config = {k: v for k, v in data.items() if k not in ("format", "rows", "summary", "run")}
    return BatchResult(tracks, config, float(data.get("run", {}).get("seconds", 0.0)))


# =========================================================================== tables of several systems
def results_from_rows(rows, *, system: str, **config) -> BatchResult:
    """A :class:`BatchResult` from per-track score rows computed elsewhere (e.g. a cross-validation).

    So that scores that did not come from :func:`helpers.batch.run_batch` -- the held-out
    scores of :func:`helpers.learn.cross_validate` (``CVResult.rows``), or
    :func:`helpers.learn.score_tracks` -- go into the same tables and tests
    (:func:`compare`, :func:`helpers.analysis.paired_comparison`,
    :func:`helpers.analysis.split_result`; notebook 06). Each track keeps the metrics of
    :data:`RESULT_METRIC_NAMES` found in its row (long or short names) and its tempo
    (``tempo_bpm``); the beats themselves are not kept (``beat_times_s`` is ``None``).

    Parameters
    ----------
    rows : iterable of dict
        One per track: ``track_id`` and the metrics (as :func:`helpers.evaluate.evaluate_beats`
        names them), optionally ``tempo_bpm``.
    system : str
        The name of the result (``BatchResult.name``), e.g. ``"MLP, 5-fold CV"``.
    **config
        More facts to keep in ``config`` (e.g. ``split="dev", trim_s=5.0, n_folds=5``).

    Returns
    -------
    BatchResult

    Raises
    ------
    ParameterError
        No rows, a row without ``track_id`` or without any metric, or one track twice.

    Examples
    --------
    >>> r = results_from_rows([{"track_id": "t1", "F-measure": 0.5}, {"track_id": "t2", "F": 1.0}], system="cv")
    >>> r.name, r.scores("F").tolist()
    ('cv', [0.5, 1.0])
    """
    rows = list(rows)
    if not rows:
        raise ParameterError("no rows: give one dict per track (track_id and its scores).")
    tracks, seen = [], set()
    for row in rows:
        if not isinstance(row, Mapping) or "track_id" not in row:
            raise ParameterError(f"each row must be a dict with a 'track_id', got {row!r:.80}.")
        track_id = str(row["track_id"])
        scores = {_RESULT_LONG_NAME[k]: float(v) for k, v in row.items() if k in _RESULT_LONG_NAME and v is not None}
        if not scores:
            raise ParameterError(f"the row of {track_id!r} has no score (metrics: {', '.join(RESULT_METRIC_NAMES)}).")
        if track_id in seen:
            raise ParameterError(f"track {track_id!r} appears twice: one row per track.")
        seen.add(track_id)
        tempo = row.get("tempo_bpm")
        tracks.append(TrackResult(track_id, scores, tempo_bpm=None if tempo is None else float(tempo)))
    return BatchResult(tracks, {"system": str(system), **config})


def compare(results: Mapping[str, BatchResult] | Sequence[BatchResult], *, metrics=None,
            statistic: str = "mean") -> list[dict]:
    """One row per system: its mean (or median) of each metric over the **same** tracks.

    The tracks are those every system scored successfully, so the numbers are
    comparable; ``n_tracks`` says how many, ``n_failed`` how many each system failed.

    Parameters
    ----------
    results : dict of str -> BatchResult, or sequence of BatchResult
        The systems (a sequence is named by each result's ``name``).
    metrics : sequence of str, optional
        Full or short names (``"F"``, ``"CMLt"``, ``"Acc1"``, ``"DbF"``; see
        :func:`result_metric_name`); default the ten beat metrics, then every tempo and
        downbeat metric that at least one of the systems has.
    statistic : {"mean", "median"}

    Returns
    -------
    rows : list of dict
        ``{"system", "n_tracks", "n_failed", <metric>: float or None, ...}``, in the
        order of ``results``; the metrics under their mir_eval names. ``None`` when no
        track is common to all systems.

    See Also
    --------
    format_table, write_table_csv

    Examples
    --------
    >>> ok = {"F-measure": 1.0}
    >>> a = BatchResult([TrackResult("t1", ok), TrackResult("t2", {"F-measure": 0.5})], {"system": "A"})
    >>> b = BatchResult([TrackResult("t1", ok), TrackResult("t2", None, error="DataError: ...")], {"system": "B"})
    >>> compare([a, b], metrics=["F"])
    [{'system': 'A', 'n_tracks': 1, 'n_failed': 0, 'F-measure': 1.0}, {'system': 'B', 'n_tracks': 1, 'n_failed': 1, 'F-measure': 1.0}]
    """
    if not isinstance(results, Mapping):
        results = {r.name: r for r in results}
    check_choice(statistic, ("mean", "median"), name="statistic")
    if metrics is None:
        present = {m for res in results.values() for r in res.tracks if r.ok for m in r.scores}
        metrics = [*METRIC_NAMES, *(m for m in RESULT_METRIC_NAMES[len(METRIC_NAMES):] if m in present)]
    metrics = [result_metric_name(m) for m in metrics]
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
            values = [r.scores[m] for r in res.tracks if r.track_id in common and r.scores.get(m) is not None]
            row[m] = float(fn(values)) if values else None
        rows.append(row)
    return rows


def format_table(rows: Sequence[Mapping], *, digits: int = 3, short_names: bool = True) -> str:
    """A plain-text table of :func:`compare` rows (or any list of flat dicts).

    Parameters
    ----------
    rows : sequence of dict
        The columns are the keys of the first row; the first column is left-aligned,
        the others right-aligned.
    digits : int
        Decimals of the floats; ``None`` is shown as ``-``.
    short_names : bool
        Head the metric columns with their short names (``"F"``, ``"AMLt"``).

    Returns
    -------
    table : str

    Examples
    --------
    >>> print(format_table([{"system": "ours", "F-measure": 0.75}, {"system": "librosa", "F-measure": None}]))
    system       F
    -------  -----
    ours     0.750
    librosa      -
    """
    if not rows:
        return "(no rows)"
    columns = list(rows[0])
    heads = [RESULT_SHORT_NAMES.get(c, c) if short_names else c for c in columns]
    body = [[_cell(r.get(c), digits) for c in columns] for r in rows]
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(heads)]
    lines = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(heads, widths)))]
    lines.append("  ".join("-" * w for w in widths))
    for b in body:
        lines.append("  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(b, widths))))
    return "\n".join(lines)


def _cell(value, digits: int) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def write_table_csv(rows: Sequence[Mapping], path) -> Path:
    """Write :func:`compare` rows (or any list of flat dicts) to a CSV file, atomically.

    Columns are those of the first row, with mir_eval's long metric names; floats are
    written in full (``repr``), ``None`` becomes an empty cell. The file is replaced under
    the lock of its folder (as :meth:`BatchResult.save`), never left half-written.

    Parameters
    ----------
    rows : sequence of dict
    path : str or Path
        The CSV file (its folder is created if needed).

    Returns
    -------
    path : Path

    Raises
    ------
    ParameterError
        No rows.
    OutputError
        The file cannot be written (the message names it and the fix).
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
    with exclusive_lock(path.parent / ".lock"):
        write_text_atomic(path, buf.getvalue())
    return path
