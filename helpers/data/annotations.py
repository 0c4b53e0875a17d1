"""Beat times and the annotation files: the check of a beat array, beat and estimate files, segments, metadata.csv.

Beat times are in seconds, strictly increasing, non-negative. :func:`validate_beats` is the
one check of an array of beat times (the tracker, the downbeat stage and the evaluation all
call it); :func:`load_beats` reads a beat file (1, 2 or 3 columns, as
``mir_eval.io.load_events`` reads it) and gives the same verdict on frame indices and
milliseconds (:func:`looks_like_frame_indices`, :data:`MAX_BEAT_TIME_S`). Estimate files
(one time per line) are written by :func:`format_estimate` and read by
:func:`load_estimate`. Every file error names the file, the line and the fix.
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError, DataMissingError, ParameterError

__all__ = [
    "Beats",
    "validate_beats",
    "looks_like_frame_indices",
    "median_tempo_bpm",
    "load_beats",
    "format_estimate",
    "load_estimate",
    "load_estimate_beats",
    "check_beats_fit",
    "Segments",
    "load_segments",
    "TrackMeta",
    "load_metadata",
    "ESTIMATE_DECIMALS",
    "BEATS_PAST_END_TOLERANCE_S",
    "MAX_BEAT_TIME_S",
    "COMMENT_PREFIX",
]

#: Decimals of the times in an estimate file (1 us): far below the +-70 ms F-measure window,
#: and enough that scoring the file again gives exactly the scores of the beats that were written.
ESTIMATE_DECIMALS = 6

#: Integer-valued "beat times" are taken to be frame indices when their median spacing
#: is at least this (no real beat sequence has beats 5 s apart) ...
_FRAME_INDEX_MEDIAN_IBI = 5.0
#: ... or when one of them exceeds this (no track is 50 minutes long).
_FRAME_INDEX_MAX = 3000.0

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



def validate_beats(beats_s, *, name: str = "beats_s") -> np.ndarray:
    """Check that ``beats_s`` looks like beat times in seconds and return it as float64.

    Parameters
    ----------
    beats_s : array_like [shape=(n_beats,)] or object with a ``times_s`` attribute
        Beat times in seconds: 1-D, finite, non-negative and strictly increasing.
        An empty array is valid.  An object with a ``times_s`` attribute (such as
        ``helpers.data.Beats``) is replaced by that attribute.
    name : str
        How to call the argument in error messages.

    Returns
    -------
    beats_s : np.ndarray [shape=(n_beats,), dtype=float64]
        The same times.

    Raises
    ------
    ParameterError
        If the array is not 1-D, contains NaN, infinite or negative values, is not
        strictly increasing, or looks like frame indices (or samples,
        milliseconds) rather than seconds.  The message says how to fix it.

    Examples
    --------
    >>> validate_beats([5.0, 5.5, 6.0])
    array([5. , 5.5, 6. ])
    >>> validate_beats([220, 241, 263, 284])
    Traceback (most recent call last):
    ...
    helpers.errors.ParameterError: beats_s look like frame indices, not seconds ...
    """
    if hasattr(beats_s, "times_s"):
        beats_s = beats_s.times_s
    if beats_s is None:
        raise ParameterError(f"{name} is None; pass an array of beat times in seconds.")
    arr = np.asarray(beats_s)
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise ParameterError(
            f"{name} must be numbers (beat times in seconds), got dtype {arr.dtype}; "
            "convert with np.asarray(beats, dtype=float)."
        )
    arr = arr.astype(np.float64, copy=False)
    if arr.ndim != 1:
        if arr.ndim == 0:
            hint = f"wrap a single time in a list: np.array([{arr.item()!r}])"
        elif arr.ndim == 2 and arr.shape[1] in (2, 3):
            hint = (
                "this looks like a whole annotation table (time_s, position_in_bar, "
                f"bar_number); pass its first column: {name}[:, 0]"
            )
        elif arr.ndim == 2 and 1 in arr.shape:
            hint = f"flatten it with np.ravel({name})"
        else:
            hint = "pass one 1-D array of beat times in seconds"
        raise ParameterError(f"{name} must be a 1-D array, got shape {arr.shape}; {hint}.")
    if arr.size == 0:
        return arr
    finite = np.isfinite(arr)
    if not finite.all():
        i = int(np.flatnonzero(~finite)[0])
        raise ParameterError(
            f"{name} contains {float(arr[i])} at index {i} ({int((~finite).sum())} non-finite "
            f"value(s)); remove them with {name}[np.isfinite({name})]."
        )
    if (arr < 0).any():
        i = int(np.flatnonzero(arr < 0)[0])
        raise ParameterError(
            f"{name} contains a negative time {float(arr[i])} s at index {i}; beat times are "
            "seconds from the start of the track (did you subtract an offset?)."
        )
    if looks_like_frame_indices(arr):  # the same verdict as helpers.data.load_beats
        ibi = np.diff(arr)
        median_ibi = float(np.median(ibi)) if ibi.size else 0.0
        raise ParameterError(
            f"{name} look like frame indices, not seconds (all values are integers, "
            f"max {arr.max():.0f}, median interval {median_ibi:g}): did you pass frame "
            "indices instead of seconds? Convert them with "
            "helpers.data.frames_to_time(frames, sr=..., hop_length=...) "
            "(Harmonix: sr=22050, hop_length=1024)."
        )
    if arr.max() > MAX_BEAT_TIME_S:
        raise ParameterError(
            f"{name} contains a time of {arr.max():g} s, above the maximum of "
            f"{MAX_BEAT_TIME_S:g} s (8 hours); did you pass samples or milliseconds instead "
            "of seconds?"
        )
    d = np.diff(arr)
    if (d <= 0).any():
        i = int(np.flatnonzero(d <= 0)[0]) + 1
        if d[i - 1] < 0:
            raise ParameterError(
                f"{name} must be in increasing order, but {float(arr[i])} s at index {i} comes "
                f"after {float(arr[i - 1])} s; sort them with np.sort({name})."
            )
        raise ParameterError(
            f"{name} must be strictly increasing, but {float(arr[i])} s is repeated at index "
            f"{i}; remove duplicates with np.unique({name})."
        )
    return arr


def median_tempo_bpm(beat_times_s) -> float:
    """The tempo a sequence of beats keeps: 60 / its median inter-beat interval (BPM).

    The median, not the mean: a missing or doubled beat, a pause or a fermata moves the
    mean interval but hardly the median. The one rule behind a reference tempo
    (:func:`helpers.evaluate.reference_tempo_bpm`, which also checks the beats), the
    tracker's tempo of unsteady beats, the failure taxonomy's tempo ratio and the demo
    set's metadata.

    Parameters
    ----------
    beat_times_s : np.ndarray [shape=(n_beats,)]
        Beat times in seconds, increasing, at least 2 (not checked here: callers check).

    Returns
    -------
    tempo_bpm : float

    Examples
    --------
    >>> median_tempo_bpm(np.array([1.0, 1.5, 2.0, 2.5, 3.5]))     # one beat missing: still 120
    120.0
    """
    return 60.0 / float(np.median(np.diff(np.asarray(beat_times_s, dtype=np.float64))))


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
    rows = _beat_file_rows(text, path)
    times = _beat_file_times(rows, path)
    n_cols = len(rows[0][1])
    positions = _whole_number_column(rows, 1, "position in bar", path) if n_cols >= 2 else None
    bars = _whole_number_column(rows, 2, "bar number", path) if n_cols == 3 else None
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


def _beat_file_rows(text: str, path: Path) -> list[tuple[int, list[str]]]:
    """``(line number, tokens)`` of every line that is not blank or a comment; 1-3 columns, the same on every line."""
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
    return rows


def _beat_file_times(rows: list[tuple[int, list[str]]], path: Path) -> np.ndarray:
    """The first column as beat times in seconds: non-negative, strictly increasing, not frames or milliseconds."""
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
    return times


def _whole_number_column(rows: list[tuple[int, list[str]]], col: int, what: str, path: Path) -> np.ndarray:
    """Column ``col`` as whole numbers (positions in the bar, bar numbers)."""
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

