"""Install a data set safely: download, unpack into a staging folder, verify, then swap into place.

- ``annotations`` -- downloaded from GitHub (urinieto/harmonixset, pinned commit) into
  ``harmonix/dataset/`` and ``harmonix/results/`` (:func:`fetch_annotations`);
- ``melspecs``    -- ``Harmonix_melspecs.tgz`` (about 1.2 GB), downloaded from the address in
  the manifest (:func:`fetch_melspecs`) or installed from a copy downloaded by hand
  (:func:`install_melspecs`), into ``harmonix/melspecs/``.

Nothing is written in place until it is verified: downloads collect in a ``.part`` file,
archives are unpacked (:func:`~helpers.fetch.archive.safe_extract`) into a staging folder
next to the target, checked (:mod:`helpers.fetch.verify`), marked ``.complete`` and only then
renamed into place (:func:`helpers.files.swap_in`). Any failure, Ctrl-C included, removes the
staging folder and leaves the previous state untouched. One install at a time per folder
(:func:`helpers.files.exclusive_lock`).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import fnmatch
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..data import COMPLETE_MARKER, INFO_JSON, MELSPEC_SUFFIX, load_metadata
from ..errors import DataError, DataMissingError, DownloadError
from ..files import clean_stale, created_directory, exclusive_lock, staging_directory, swap_in, write_marker
from .archive import safe_extract
from .download import DOWNLOAD_ATTEMPTS, DOWNLOAD_TIMEOUT_S, discard_download, download
from .manifest import (
    ANNOTATIONS_URL_ENV,
    MELSPECS_URL_ENV,
    as_manifest,
    dataset_entry,
    resolve_root,
    source_url,
)
from .state import annotation_parts, status, status_of
from .verify import check_melspec_dir, check_source_sha256, verify_annotations

__all__ = ["InstallReport", "fetch_annotations", "fetch_melspecs", "install_melspecs"]


@dataclass
class InstallReport:
    """What :func:`fetch_annotations`, :func:`fetch_melspecs` or :func:`install_melspecs` did."""

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


# --------------------------------------------------------------------------------------------
# Annotations
# --------------------------------------------------------------------------------------------

def fetch_annotations(*, url: str | None = None, root: str | os.PathLike | None = None,
                      force: bool = False, progress: bool = True, manifest=None,
                      timeout_s: float = DOWNLOAD_TIMEOUT_S,
                      attempts: int = DOWNLOAD_ATTEMPTS) -> InstallReport:
    """Download the Harmonix annotations, verify them, and install them atomically.

    Steps: download the archive into ``<root>/harmonix/.download-<name>.part`` (resuming an
    earlier partial download when the server supports HTTP Range), extract only the
    manifest's trees safely into a staging directory next to the target, verify digests,
    counts and a read of every file (:func:`~helpers.fetch.verify.verify_annotations`), write
    the ``.complete`` markers, then rename ``dataset/`` and ``results/`` into place. Any
    failure leaves the previous state as it was.

    Parameters
    ----------
    url : str, optional
        Override the manifest's URL (also ``$HELPERS_ANNOTATIONS_URL``): a mirror with the
        same content. Content is verified either way.
    root : str or Path, optional
        Data root; default :func:`helpers.data.data_root`.
    force : bool
        Reinstall even when complete annotations are present.
    progress : bool
        Show tqdm progress bars.
    manifest : dict or path, optional
        Default: the repository's ``data_manifest.yaml``.
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
    OutputError
        Another install is running in the same folder, or the folder cannot be written.
    """
    manifest = as_manifest(manifest)
    ds = dataset_entry(manifest, "annotations")
    root = resolve_root(root)
    target = root / ds["install_to"]
    url = source_url(ds, url, env=ANNOTATIONS_URL_ENV)
    if not force and status_of(manifest, root, "annotations").ok:
        return InstallReport("annotations", target, already_present=True)
    parts = annotation_parts(ds)
    name = (ds["source"].get("archive_root") or "annotations") + ".tar.gz"
    part = target / f".download-{name}.part"
    with created_directory(target), _install_lock(target):
        clean_stale(target, parts)
        archive = download(url, part, sha256=ds["source"].get("sha256"), progress=progress,
                           timeout_s=timeout_s, attempts=attempts,
                           url_hint=f"--url or ${ds['source'].get('url_env', ANNOTATIONS_URL_ENV)}")
        # From here on the download is complete: whatever happens, it is not kept (a verified
        # archive is installed; a bad one will not get better by resuming).
        try:
            with staging_directory(target, name="annotations") as staging:
                safe_extract(archive, staging, select=_github_selector(ds, url),
                             max_bytes=ds.get("max_unpacked_bytes"), progress=progress,
                             desc="extracting annotations", shown=url)
                n = verify_annotations(staging, manifest=manifest, progress=progress)
                for p in parts:
                    (staging / p).mkdir(exist_ok=True)
                swap_in(target, {p: staging / p for p in parts}, marker_info=_marker_info(
                    dataset="annotations", source=url, commit=ds["source"].get("commit"),
                    verified="tree digests, counts, sha256 of single files, parse of every "
                             "annotation file"))
        finally:
            discard_download(part)
        _update_dataset_marker(manifest, root)
    return InstallReport("annotations", target, files=n, source=url)


def _github_selector(ds: Mapping, url: str):
    """``select`` for :func:`safe_extract`: where each member of a GitHub archive goes, if anywhere.

    GitHub archives hold one top-level folder, ``<repo>-<commit>/``: it is stripped. Then a
    member is kept if it is one of the manifest's single files or lies in one of its trees
    and matches the tree's pattern.
    """
    trees = [(PurePosixPath(t["from"]), t["to"], t["pattern"]) for t in ds["trees"]]
    files = {PurePosixPath(f["from"]): f["to"] for f in ds["files"]}
    top: list[str] = []

    def select(rel: PurePosixPath) -> str | None:
        if not top:
            top.append(rel.parts[0])
        if rel.parts[0] != top[0]:
            raise DownloadError(f"{url}: the archive has more than one top-level folder "
                                f"({top[0]!r}, {rel.parts[0]!r}); it is not a GitHub archive. "
                                "Nothing was installed.")
        if len(rel.parts) == 1:
            return None
        inner = PurePosixPath(*rel.parts[1:])
        if inner in files:
            return files[inner]
        for src, dst, pattern in trees:
            if inner.is_relative_to(src):
                sub = inner.relative_to(src).as_posix()
                return f"{dst}/{sub}" if fnmatch.fnmatchcase(sub, pattern) else None
        return None

    return select


# --------------------------------------------------------------------------------------------
# Mel-spectrograms
# --------------------------------------------------------------------------------------------

def fetch_melspecs(*, url: str | None = None, root: str | os.PathLike | None = None,
                   force: bool = False, progress: bool = True, manifest=None,
                   expected_ids: Iterable[str] | None = None,
                   durations: Mapping[str, float] | None = None,
                   timeout_s: float = DOWNLOAD_TIMEOUT_S,
                   attempts: int = DOWNLOAD_ATTEMPTS) -> InstallReport:
    """Download ``Harmonix_melspecs.tgz`` and install it as :func:`install_melspecs` does.

    The archive (about 1.2 GB) is downloaded from the manifest's address into
    ``<root>/harmonix/.download-Harmonix_melspecs.tgz.part`` with a progress bar; an
    interrupted download is resumed (HTTP Range) by the next attempt or the next run. The
    complete archive is checked against the manifest's sha256 when it records one, then
    unpacked, verified and installed exactly like a file given to :func:`install_melspecs`,
    and deleted.

    Parameters
    ----------
    url : str, optional
        Override the manifest's URL (also ``$HELPERS_MELSPECS_URL``): a mirror with the same
        archive. Content is verified either way.
    root : str or Path, optional
        Data root; default :func:`helpers.data.data_root`.
    force : bool
        Reinstall even if complete mel-spectrograms are present.
    progress : bool
    manifest : dict or path, optional
    expected_ids, durations : optional
        As for :func:`install_melspecs`.
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
        HTTP error, repeated connection loss (the partial download is kept when it can be
        resumed), a sha256 other than the manifest's, or an archive that fails a check.
        Nothing is installed.
    OutputError
        Another install is running in the same folder, or the folder cannot be written.
    """
    manifest = as_manifest(manifest)
    ds = dataset_entry(manifest, "melspecs")
    root = resolve_root(root)
    target = root / ds["install_to"]
    url = source_url(ds, url, env=MELSPECS_URL_ENV)
    if not force and status_of(manifest, root, "melspecs").ok:
        return InstallReport("melspecs", target, already_present=True)
    part = target.parent / f".download-{ds['source']['file_name']}.part"
    with created_directory(target.parent), _install_lock(target.parent):
        archive = download(url, part, sha256=ds["source"].get("sha256"), progress=progress,
                           timeout_s=timeout_s, attempts=attempts,
                           url_hint=f"--url or ${ds['source'].get('url_env', MELSPECS_URL_ENV)}")
        try:
            return _install_melspec_archive(archive, manifest=manifest, root=root, shown=url,
                                            expected_ids=expected_ids, durations=durations,
                                            progress=progress)
        finally:
            discard_download(part)


def install_melspecs(tgz_path: str | os.PathLike, *, root: str | os.PathLike | None = None,
                     force: bool = False, progress: bool = True, manifest=None,
                     expected_ids: Iterable[str] | None = None,
                     durations: Mapping[str, float] | None = None) -> InstallReport:
    """Verify ``Harmonix_melspecs.tgz`` and install it atomically into ``<root>/harmonix/melspecs``.

    The archive is streamed (never loaded into memory) into a staging directory next to the
    target, refusing unsafe members (absolute paths, ``..``, links, device files, anything
    outside the target). The folder holding ``info.json`` and the ``*-mel.npy`` files is found
    whatever its name, checked with :func:`~helpers.fetch.verify.check_melspec_dir`, marked
    ``.complete`` and renamed into place. :func:`fetch_melspecs` downloads the archive and
    then does the same.

    Parameters
    ----------
    tgz_path : str or Path
        The downloaded archive.
    root : str or Path, optional
        Data root; default :func:`helpers.data.data_root`.
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
    OutputError
        Another install is running in the same folder, or the folder cannot be written.
    """
    manifest = as_manifest(manifest)
    ds = dataset_entry(manifest, "melspecs")
    root = resolve_root(root)
    tgz = Path(tgz_path).expanduser()
    if not tgz.is_file():
        raise DataMissingError(f"{tgz}: no such file. Run `{ds['get']}` to download it, or download "
                               f"{ds['source']['file_name']} from {ds['source']['url']} and give "
                               "its path.")
    target = root / ds["install_to"]
    if not force and status_of(manifest, root, "melspecs").ok:
        return InstallReport("melspecs", target, already_present=True)
    check_source_sha256(tgz, ds, shown=str(tgz))
    with created_directory(target.parent), _install_lock(target.parent):
        return _install_melspec_archive(tgz.resolve(), manifest=manifest, root=root, shown=str(tgz),
                                        expected_ids=expected_ids, durations=durations,
                                        progress=progress)


def _install_melspec_archive(tgz: Path, *, manifest: dict, root: Path, shown: str,
                             expected_ids: Iterable[str] | None,
                             durations: Mapping[str, float] | None,
                             progress: bool) -> InstallReport:
    """Unpack, check and swap in a mel-spectrogram archive (the caller holds the lock)."""
    ds = dataset_entry(manifest, "melspecs")
    target = root / ds["install_to"]
    notes = []
    if durations is None and expected_ids is None:
        durations = _metadata_durations(root, manifest)
        if durations is None:
            notes.append("annotations are not installed, so the arrays were checked by count "
                         "only, not against metadata.csv durations; run `python -m helpers data "
                         "fetch annotations` and then `python -m helpers data fetch melspecs "
                         "--force` (or `install-melspecs ... --force`) for the full check.")
    clean_stale(target.parent, [target.name])
    with staging_directory(target.parent, name=target.name) as staging:
        safe_extract(tgz, staging, max_bytes=ds["max_unpacked_bytes"], progress=progress,
                     desc="extracting mel-spectrograms", shown=shown)
        found = _find_melspec_dir(staging, shown)
        try:
            n = check_melspec_dir(found, parameters=ds["parameters"], expected_ids=expected_ids,
                                  durations=durations, expected_count=ds["expected"]["arrays"],
                                  frames_tolerance=float(ds["frames_tolerance"]), progress=progress)
        except DataError as exc:
            rel = str(exc).replace(str(found) + os.sep, "").replace(str(found), ".")
            raise DownloadError(f"{shown}: verification failed: {rel} Nothing was installed.") from None
        swap_in(target.parent, {target.name: found}, marker_info=_marker_info(
            dataset="melspecs", source=shown if "://" in shown else str(tgz), arrays=n,
            checked_against_durations=durations is not None))
    _update_dataset_marker(manifest, root)
    return InstallReport("melspecs", target, files=n + 1, source=shown, notes=notes)


def _find_melspec_dir(staging: Path, shown: str) -> Path:
    """The one folder in the unpacked archive that holds info.json and the arrays."""
    candidates = []
    for dirpath, _dirs, files in os.walk(staging):
        if INFO_JSON in files:
            candidates.append((sum(f.endswith(MELSPEC_SUFFIX) for f in files), Path(dirpath)))
    candidates = [c for c in candidates if c[0] > 0] or candidates
    if not candidates:
        raise DownloadError(f"{shown}: no folder with {INFO_JSON} and *{MELSPEC_SUFFIX} files; it "
                            "is not the Harmonix mel-spectrogram archive. Nothing was installed.")
    if len(candidates) > 1:
        where = ", ".join(str(d.relative_to(staging)) for _, d in candidates)
        raise DownloadError(f"{shown}: several folders hold {INFO_JSON} ({where}); which one is "
                            "the data is ambiguous. Nothing was installed.")
    return candidates[0][1]


def _metadata_durations(root: Path, manifest: dict) -> dict[str, float] | None:
    """Track durations (s) from the installed annotations' metadata.csv, if they are complete."""
    ds = manifest["datasets"].get("annotations")
    if not ds:
        return None
    csv_path = root / ds["install_to"] / "dataset" / "metadata.csv"
    if not csv_path.is_file() or not (csv_path.parent / COMPLETE_MARKER).is_file():
        return None
    return {tid: float(m.duration_s) for tid, m in load_metadata(csv_path).items()}


# --------------------------------------------------------------------------------------------
# Locks and markers
# --------------------------------------------------------------------------------------------

@contextlib.contextmanager
def _install_lock(directory: Path) -> Iterator[None]:
    """One install at a time in ``directory``; a second one is refused at once."""
    with exclusive_lock(directory, blocking=False,
                        busy_message=f"another install is running in {directory}; wait for it "
                                     "to finish and run the command again."):
        yield


def _marker_info(**info) -> dict:
    """What an installer's ``.complete`` marker records: the package version, when, and ``info``."""
    from .. import __version__

    return {"helpers_version": __version__,
            "installed_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            **info}


def _update_dataset_marker(manifest: dict, root: Path) -> None:
    """``harmonix/.complete`` (the whole data set) exists iff every part of it is complete."""
    by_dir: dict[str, list] = {}
    for line in status(root, manifest=manifest):
        top = PurePosixPath(manifest["datasets"][line.name]["install_to"]).parts[0]
        by_dir.setdefault(top, []).append(line)
    for top, lines in by_dir.items():
        d = root / top
        if not d.is_dir():
            continue
        if all(line.ok for line in lines):
            if not (d / COMPLETE_MARKER).is_file():
                write_marker(d, _marker_info(dataset=top, parts=[line.name for line in lines]))
        else:
            (d / COMPLETE_MARKER).unlink(missing_ok=True)
