"""Writing the demo data set to disk in the Harmonix layout, all or nothing.

:func:`generate_demo` renders every track (:mod:`helpers.synth.render`), computes its
mel-spectrogram (:mod:`helpers.synth.melspec`) and writes the files of
``docs/CONTRACT.md`` into a staged directory that replaces the target only when
complete (:func:`helpers.files.staged_directory`); the ``.complete`` marker comes last.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import numpy as np

from ..data import COMPLETE_MARKER, HARMONIX_PARAMS, MELSPEC_SUFFIX, median_tempo_bpm
from ..checks import check_int_at_least
from ..errors import OutputError, ParameterError
from ..files import check_writable, staged_directory
from .melspec import MEL_KWARGS, track_melspec
from .render import DEMO_SEED, RenderedTrack, check_seed, render_track
from .tracks import DEMO_TRACKS

__all__ = ["METADATA_COLUMNS", "GENERATOR", "generate_demo", "metadata_row"]

#: Columns of Harmonix's metadata.csv, in order.
METADATA_COLUMNS = (
    "File", "Title", "Artist", "Release", "Duration", "BPM", "Ratio Bars in 4",
    "Time Signature", "Genre", "MusicBrainz Id", "Acoustid Id",
)

#: Written into info.json and the marker: how a data set made here is recognised.
GENERATOR = "helpers.synth"




def _info_json(seed: int, n_tracks: int) -> dict:
    import librosa
    import scipy

    info = dict(HARMONIX_PARAMS.to_info_json())
    info.update({
        "POWER": MEL_KWARGS["power"],
        "CENTER": MEL_KWARGS["center"],
        "PAD_MODE": MEL_KWARGS["pad_mode"],
        "WINDOW": MEL_KWARGS["window"],
        "generator": GENERATOR,
        "seed": seed,
        "n_tracks": n_tracks,
        "librosa_version": librosa.__version__,
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
    })
    return info


def metadata_row(track: RenderedTrack) -> list:
    """The metadata.csv row of a rendered track (:data:`METADATA_COLUMNS`).

    ``BPM``: the spec's tempo, or 60 / the median beat interval when it changes.
    ``Ratio Bars in 4``: the percentage of full bars with 4 beats -- the pickup bar
    and the final single-beat bar are not full bars.
    """
    spec = track.spec
    bpm = spec.tempo_bpm if spec.tempo_change == "steady" else median_tempo_bpm(track.beat_times_s)
    first_full = 1 + (spec.pickup_beats > 0)
    counts = np.bincount(track.bar_numbers)[first_full:-1]
    ratio = 100.0 * float(np.mean(counts == 4))
    return [
        spec.track_id, spec.title, GENERATOR, "Demo Set", f"{track.audio.size / track.sr:.3f}",
        f"{round(bpm):d}", f"{ratio:.1f}", spec.time_signature, spec.genre, "", "",
    ]


def _write_track(root: Path, track: RenderedTrack) -> list:
    """Write the mel-spectrogram, beats and segments of one track; return its metadata row."""
    tid = track.spec.track_id
    np.save(root / "melspecs" / f"{tid}{MELSPEC_SUFFIX}", track_melspec(track), allow_pickle=False)
    lines = [f"{t:.6f}\t{p:d}\t{b:d}\n" for t, p, b in
             zip(track.beat_times_s, track.beat_positions, track.bar_numbers)]
    (root / "dataset" / "beats_and_downbeats" / f"{tid}.txt").write_text("".join(lines), encoding="ascii")
    seg = "".join(f"{t:.6f} {label}\n" for t, label in track.segments)
    (root / "dataset" / "segments" / f"{tid}.txt").write_text(seg, encoding="ascii")
    return metadata_row(track)


def _write_set(root: Path, specs, *, seed: int, progress: bool) -> None:
    """Every file of the data set (all but the marker) into the empty directory ``root``."""
    for sub in ("melspecs", "dataset/beats_and_downbeats", "dataset/segments"):
        (root / sub).mkdir(parents=True)
    rows = []
    bar = _progress(len(specs), progress)
    for spec in specs:
        rows.append(_write_track(root, render_track(spec, seed=seed)))
        bar.update(1)
    bar.close()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(METADATA_COLUMNS)
    writer.writerows(rows)
    (root / "dataset" / "metadata.csv").write_text(buf.getvalue(), encoding="utf-8")
    (root / "melspecs" / "info.json").write_text(
        json.dumps(_info_json(seed, len(specs)), indent=2) + "\n", encoding="utf-8"
    )


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _ours(directory: Path) -> bool:
    """Is `directory` empty or a (possibly incomplete) data set made by this module?"""
    if not any(directory.iterdir()):
        return True
    for candidate in (directory / COMPLETE_MARKER, directory / "melspecs" / "info.json"):
        info = _read_json(candidate)
        if isinstance(info, dict) and info.get("generator") == GENERATOR:
            return True
    return False


def _needs_writing(out: Path, wanted: dict, *, overwrite: bool) -> bool:
    """False if `out` already holds the wanted set; raises if it holds something we may not replace."""
    if out.exists() and not out.is_dir():
        raise ParameterError(f"out_dir {str(out)!r} exists and is not a directory")
    if not out.is_dir():
        return True
    if not _ours(out):
        raise ParameterError(
            f"out_dir {str(out)!r} is not empty and was not made by helpers.synth; refusing "
            "to replace it. Choose another directory (the demo set lives in data/demo)."
        )
    marker = _read_json(out / COMPLETE_MARKER)
    if marker is None or overwrite:
        return True
    if marker == wanted:
        return False
    if (isinstance(marker, dict) and marker.get("seed") == wanted["seed"]
            and isinstance(marker.get("track_ids"), list)
            and set(marker["track_ids"]) < set(wanted["track_ids"])):
        return True          # fewer tracks of the same set (an older version): extend it
    raise ParameterError(
        f"{out} already holds a demo set with seed={marker.get('seed')!r}, "
        f"n_tracks={marker.get('n_tracks')!r}; you asked for seed={wanted['seed']}, "
        f"n_tracks={wanted['n_tracks']}. Pass overwrite=True to replace it."
    )


def generate_demo(
    out_dir,
    *,
    seed: int = DEMO_SEED,
    n_tracks: int | None = None,
    overwrite: bool = False,
    progress: bool = True,
) -> Path:
    """Generate the demo data set (mel-spectrograms + annotations) into `out_dir`.

    Parameters
    ----------
    out_dir : str or Path
        Directory to create, e.g. ``data/demo``. Its parent is created if needed.
    seed : int >= 0
        Seed of the performance details (see :func:`helpers.synth.render_track`).
    n_tracks : int in [1, len(DEMO_TRACKS)], optional
        Generate the first `n_tracks` of :data:`DEMO_TRACKS` (each track is the same
        whatever `n_tracks` is); default all of them.
    overwrite : bool
        Replace an existing complete demo set. Without it, an existing complete set
        made with the same `seed` and tracks is left as it is (no-op); one made with
        the same `seed` and a subset of the tracks (e.g. by an older version with
        fewer tracks) is regenerated; one made with other settings raises
        ParameterError.
    progress : bool
        Show a progress bar (tqdm, on stderr).

    Returns
    -------
    Path
        `out_dir`, holding ``melspecs/``, ``dataset/`` and the ``.complete`` marker.

    Raises
    ------
    ParameterError
        Bad `seed` or `n_tracks`; `out_dir` is a file; `out_dir` holds something
        that this function did not make (it never deletes such a directory, even
        with ``overwrite=True``); or a complete set with other settings exists and
        `overwrite` is False.
    OutputError
        The parent of `out_dir` is not writable (e.g. a read-only shared data folder).

    Notes
    -----
    Crash safety (:func:`helpers.files.staged_directory`, as for the real data's installs):
    everything is written into a hidden sibling directory ``.staging-<name>-*``, which is
    renamed to `out_dir` only when all files are written; the ``.complete`` marker (JSON:
    generator, seed, track ids) is written last. An interrupted run leaves no `out_dir` (or the previous one untouched) and
    never a set that looks complete; an incomplete set made by this function (no
    marker) is replaced on the next call. A run killed hard (SIGKILL) can leave the
    hidden ``.staging-<name>-*`` directory behind; delete it by hand.

    The full set (26 tracks, 20 min of audio) takes about 12 s of CPU time
    (``python -m helpers demo --force`` on a 2-core machine) and 8 MB on disk.

    Examples
    --------
    >>> from helpers.synth import generate_demo
    >>> from helpers.data import open_dataset
    >>> root = generate_demo("data/demo", progress=False)    # doctest: +SKIP
    >>> ds = open_dataset("demo")                            # doctest: +SKIP
    >>> ds.track_ids[:2]                                     # doctest: +SKIP
    ['d01_pop_120', 'd02_drums_100']
    """
    seed = check_seed(seed)
    if n_tracks is None:
        n_tracks = len(DEMO_TRACKS)
    n_tracks = check_int_at_least(n_tracks, 1, maximum=len(DEMO_TRACKS), name="n_tracks")
    out = Path(out_dir).expanduser().absolute()
    specs = DEMO_TRACKS[:n_tracks]
    wanted = {"generator": GENERATOR, "seed": seed, "n_tracks": n_tracks,
              "track_ids": [s.track_id for s in specs]}
    if not _needs_writing(out, wanted, overwrite=overwrite):
        return out
    try:   # a read-only shared data folder: say so now, with the fix
        check_writable(out.parent)
    except OutputError as exc:
        raise OutputError(f"{exc} The demo set would go to {out}: generate it where you can write "
                          "(`python -m helpers demo` without HELPERS_DATA_DIR), or point HELPERS_DATA_DIR "
                          "at a folder that already holds demo/ (a teacher can generate it there once).",
                          path=exc.path, errno=exc.errno) from exc
    with staged_directory(out, marker_info=wanted) as tmp:   # the marker is written last, then swapped in
        _write_set(tmp, specs, seed=seed, progress=progress)
    return out


class _NoBar:
    def update(self, n):
        pass

    def close(self):
        pass


def _progress(total, enabled):
    if not enabled:
        return _NoBar()
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return _NoBar()
    return tqdm(total=total, desc="demo tracks", unit="track", file=sys.stderr)
