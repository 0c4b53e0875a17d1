"""Data sets: where they live, which one to open, and a Dataset that pairs mel-spectrograms with beats.

A *data set* is a directory ``melspecs/`` of ``<track_id>-mel.npy`` files plus
``info.json``, and an annotation directory ``dataset/`` in the upstream Harmonix layout
(``beats_and_downbeats/<track_id>.txt``, ``segments/<track_id>.txt``, ``metadata.csv``);
see ``docs/CONTRACT.md``. :func:`open_dataset` opens one by name ("harmonix", "demo") or
path; :func:`data_root` says where the named ones live.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, NamedTuple

import numpy as np

from ..errors import DataError, DataMissingError
from ..files import COMPLETE_MARKER
from .annotations import Beats, Segments, TrackMeta, check_beats_fit, load_beats, load_metadata, load_segments
from .melspec import MELSPEC_SUFFIX, load_melspec, read_melspec_shape
from .params import MelParams, read_params

__all__ = ["Dataset", "Unpaired", "open_dataset", "data_root", "repo_root", "COMPLETE_MARKER"]


def repo_root() -> Path | None:
    """The course repository this package was installed from (editable install), if any."""
    candidate = Path(__file__).resolve().parents[2]
    return candidate if (candidate / "pyproject.toml").is_file() else None


def data_root() -> Path:
    """Where data sets live: ``$HELPERS_DATA_DIR``, else ``<repo>/data``, else ``./data``."""
    env = os.environ.get("HELPERS_DATA_DIR")
    if env:
        return Path(env).expanduser()
    root = repo_root()
    return (root if root is not None else Path.cwd()) / "data"


class Unpaired(NamedTuple):
    """Tracks that cannot be evaluated: a mel-spectrogram without beats, or beats without one."""

    melspec_only: tuple[str, ...]
    annotation_only: tuple[str, ...]


@dataclass
class Dataset:
    """A set of mel-spectrograms paired with beat annotations.

    Parameters
    ----------
    melspec_dir : Path
        Directory of ``<track_id>-mel.npy`` files and their ``info.json``.
    annotation_dir : Path
        Directory in the upstream layout: ``beats_and_downbeats/``, ``segments/``,
        ``metadata.csv``.
    name : str
        A label for messages and plots ("harmonix", "demo", ...).
    beats_dir : Path, optional
        Where the beat files are, if not ``annotation_dir / "beats_and_downbeats"``
        (e.g. a folder of your own annotations or estimates).

    Notes
    -----
    Nothing is loaded up front: listing is cheap, and tracks are read one at a time
    (:meth:`load_melspec`, :meth:`iter_tracks`), so a 912-track set never sits in
    memory at once.
    """

    melspec_dir: Path
    annotation_dir: Path
    name: str = "custom"
    beats_dir: Path | None = None
    _params: MelParams | None = field(default=None, init=False, repr=False)
    _metadata: dict | None = field(default=None, init=False, repr=False)

    def __post_init__(self):
        self.melspec_dir = Path(self.melspec_dir)
        self.annotation_dir = Path(self.annotation_dir)
        self.beats_dir = Path(
            self.annotation_dir / "beats_and_downbeats" if self.beats_dir is None else self.beats_dir
        )

    # -- listing -------------------------------------------------------------------
    @property
    def root_dir(self) -> Path:
        """The directory holding ``melspecs/`` and ``dataset/``."""
        return self.melspec_dir.parent

    def _melspec_ids(self) -> set[str]:
        if not self.melspec_dir.is_dir():
            return set()
        return {
            p.name[: -len(MELSPEC_SUFFIX)]
            for p in self.melspec_dir.iterdir()
            if p.name.endswith(MELSPEC_SUFFIX) and not p.name.startswith(".")
        }

    def _annotation_ids(self) -> set[str]:
        if not self.beats_dir.is_dir():
            return set()
        return {p.stem for p in self.beats_dir.iterdir() if p.suffix == ".txt" and not p.name.startswith(".")}

    @property
    def track_ids(self) -> list[str]:
        """Ids with both a mel-spectrogram and a beat file, sorted."""
        return sorted(self._melspec_ids() & self._annotation_ids())

    @property
    def unpaired(self) -> Unpaired:
        """Ids present on only one side (reported, never silently dropped)."""
        mel, ann = self._melspec_ids(), self._annotation_ids()
        return Unpaired(tuple(sorted(mel - ann)), tuple(sorted(ann - mel)))

    # -- parameters and metadata ----------------------------------------------------
    @property
    def params(self) -> MelParams:
        """The data set's analysis parameters, from its info.json."""
        if self._params is None:
            self._params = read_params(self.melspec_dir)
        return self._params

    @property
    def metadata(self) -> dict[str, TrackMeta]:
        """metadata.csv records by track id ({} when the set has no metadata.csv)."""
        if self._metadata is None:
            path = self.annotation_dir / "metadata.csv"
            self._metadata = load_metadata(path) if path.is_file() else {}
        return self._metadata

    # -- one track -------------------------------------------------------------------
    def melspec_path(self, track_id: str) -> Path:
        return self.melspec_dir / f"{track_id}{MELSPEC_SUFFIX}"

    def beats_path(self, track_id: str) -> Path:
        return self.beats_dir / f"{track_id}.txt"

    def segments_path(self, track_id: str) -> Path:
        return self.annotation_dir / "segments" / f"{track_id}.txt"

    def load_melspec(self, track_id: str, *, mmap: bool = False) -> np.ndarray:
        """The track's power mel-spectrogram, checked against the set's info.json."""
        return load_melspec(self.melspec_path(track_id), params=self.params, mmap=mmap)

    def load_beats(self, track_id: str) -> Beats:
        """The track's reference beats, checked to end within its mel-spectrogram (:func:`check_beats_fit`)."""
        beats = load_beats(self.beats_path(track_id))
        mel_path = self.melspec_path(track_id)
        if mel_path.is_file():
            try:
                shape = read_melspec_shape(mel_path)
                duration_s = self.params.duration_s(shape[-1])
            except (DataError, DataMissingError):
                return beats  # the mel-spectrogram's own error shows when it is loaded
            if len(shape) == 2:
                check_beats_fit(beats, duration_s=duration_s, path=self.beats_path(track_id),
                                melspec_path=mel_path)
        return beats

    def load_segments(self, track_id: str) -> Segments:
        return load_segments(self.segments_path(track_id))

    def duration_s(self, track_id: str) -> float:
        """Duration covered by the track's mel-spectrogram (read from the .npy header only)."""
        return self.params.duration_s(read_melspec_shape(self.melspec_path(track_id))[-1])

    def iter_tracks(self, track_ids=None) -> Iterator[tuple[str, np.ndarray, Beats]]:
        """Yield ``(track_id, S_power, beats)`` one track at a time."""
        for track_id in self.track_ids if track_ids is None else track_ids:
            yield track_id, self.load_melspec(track_id), self.load_beats(track_id)

    def describe(self) -> str:
        """One line for a notebook: which data set, how many tracks, its parameters."""
        p = self.params
        return (
            f"{self.name}: {len(self.track_ids)} tracks with beats, {p.n_mels} mel bands, "
            f"sr {p.sr} Hz, hop {p.hop_length} -> {p.frame_rate_hz:.2f} frames/s "
            f"({1000 * p.frame_duration_s:.1f} ms per frame); from {self.melspec_dir}"
        )

    @classmethod
    def from_root(cls, root: str | os.PathLike, *, name: str | None = None) -> "Dataset":
        """A data set laid out as ``root/melspecs`` + ``root/dataset``."""
        root = Path(root)
        return cls(root / "melspecs", root / "dataset", name=name or root.name)


def _is_complete(directory: Path) -> bool:
    return (directory / COMPLETE_MARKER).is_file()


def open_dataset(which: str | os.PathLike = "auto") -> Dataset:
    """Open a data set by name or path.

    Parameters
    ----------
    which : str or Path
        ``"auto"`` (default): the real Harmonix set if its mel-spectrograms and
        annotations are installed, else the built-in demo set. ``"harmonix"`` or
        ``"demo"``: that one. Any other value is a directory laid out as
        ``melspecs/`` + ``dataset/``.

    Raises
    ------
    DataMissingError
        The requested set is not installed; the message gives the command to get it.

    Examples
    --------
    >>> ds = open_dataset()                 # doctest: +SKIP
    >>> print(ds.describe())                # doctest: +SKIP
    demo: 24 tracks with beats, 80 mel bands, sr 22050 Hz, hop 1024 -> 21.53 frames/s ...
    """
    root = data_root()
    harmonix = Dataset.from_root(root / "harmonix", name="harmonix")
    demo = Dataset.from_root(root / "demo", name="demo")
    if which == "auto":
        if _is_complete(harmonix.melspec_dir) and _is_complete(harmonix.annotation_dir):
            return harmonix
        if _is_complete(demo.root_dir):
            return demo
        raise DataMissingError(
            f"no data set installed under {root}. Generate the built-in demo set with "
            "`make demo` (or `python -m helpers demo`), or install the real Harmonix data: "
            "`python -m helpers data status` says how."
        )
    if which == "harmonix":
        for directory, command in (
            (harmonix.annotation_dir, "python -m helpers data fetch annotations"),
            (harmonix.melspec_dir, "python -m helpers data fetch melspecs"),
        ):
            if not _is_complete(directory):
                raise DataMissingError(
                    f"the Harmonix data set is not (completely) installed: {directory} is missing "
                    f"or incomplete. Run `{command}` (`python -m helpers data status` explains)."
                )
        return harmonix
    if which == "demo":
        if not _is_complete(demo.root_dir):
            raise DataMissingError(
                f"the demo data set is not generated yet ({demo.root_dir}). Run `make demo` or "
                "`python -m helpers demo`."
            )
        return demo
    path = Path(which)
    if not path.is_dir():
        raise DataMissingError(
            f"{path}: not a data set name ('auto', 'harmonix', 'demo') nor a directory."
        )
    return Dataset.from_root(path)


