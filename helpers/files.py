"""Writing files and folders so that a crash, Ctrl-C or a full disk never leaves half of one in place.

One mechanism for the whole package:

- **files** (batch results and cache, estimate files, notebook copies and HTML handouts,
  ``.complete`` markers): write to a unique temporary file in the same directory, then
  ``os.replace`` it onto the target, which is atomic on POSIX and Windows
  (:func:`write_text_atomic`, :func:`write_texts_atomic`, :func:`write_marker`);
- **folders** (installed data sets, the generated demo set): build the new folder in a hidden
  staging folder next to the target, write its ``.complete`` marker last, then rename it into
  place, moving the previous version aside and deleting it only once the new one is in place
  (:func:`staged_directory`; :func:`staging_directory` + :func:`swap_in` for several folders
  swapped in together; :func:`clean_stale` tidies what a killed run left);
- **one writer at a time**: :func:`exclusive_lock` on a folder or a lock file.

An operating-system error while writing (disk full, read-only folder, no permission)
becomes an :class:`~helpers.errors.OutputError` that names the file and the fix; the
temporary file is removed and the previous version of the target, if any, is unchanged.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .errors import HelpersError, OutputError

__all__ = [
    "write_text_atomic",
    "write_bytes_atomic",
    "write_texts_atomic",
    "check_writable",
    "output_error",
    "exclusive_lock",
    "write_marker",
    "staging_directory",
    "swap_in",
    "staged_directory",
    "clean_stale",
    "created_directory",
    "STAGING_PREFIX",
    "OLD_PREFIX",
    "COMPLETE_MARKER",
]

#: Name of the marker file written last into a finished folder (an installed or generated data
#: set): a folder without it is incomplete (interrupted, or copied by hand). Also
#: ``helpers.data.COMPLETE_MARKER``.
COMPLETE_MARKER = ".complete"

#: Name prefix of the hidden folder a new folder is built in (next to its target).
STAGING_PREFIX = ".staging-"
#: Name prefix of a previous version moved aside while the new one is renamed into place.
OLD_PREFIX = ".old-"
#: Seconds between two tries for a lock on Windows, whose msvcrt has no blocking wait.
_WINDOWS_LOCK_RETRY_S = 0.1

_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_NOT_ALLOWED = {errno.EACCES, errno.EPERM, errno.EROFS}


def output_error(exc: OSError, path: str | os.PathLike, *, folder: bool = False) -> OutputError:
    """An :class:`OutputError` for ``exc``, raised while writing ``path``: what, where, how to fix it."""
    path = Path(path)
    reason = exc.strerror or str(exc)
    what = "write to the folder" if folder else "write"
    if exc.errno in _DISK_FULL:
        message = (f"cannot {what} {path}: the disk is full ({reason}). Free some space and run "
                   "again; no partial file was left, and the previous version, if any, is unchanged.")
    elif exc.errno in _NOT_ALLOWED:
        message = (f"cannot {what} {path}: {reason} (the folder is read-only or not yours). Make it "
                   "writable or choose another output folder (e.g. --out-dir); nothing was written.")
    elif isinstance(exc, (NotADirectoryError, FileExistsError)) and folder:
        message = (f"cannot {what} {path}: a file is in the way ({reason}). Choose another output "
                   "folder (e.g. --out-dir); nothing was written.")
    else:
        message = f"cannot {what} {path}: {reason}. No partial file was left; fix the cause and run again."
    return OutputError(message, path=path, errno=exc.errno)


def _temp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


def _write_file(path: Path, content: str | bytes) -> None:
    """The one place where bytes are written (tests replace it to simulate a full disk).

    Text is written as UTF-8 with the newlines as given; bytes as they are.
    """
    if isinstance(content, bytes):
        with open(path, "xb") as f:
            f.write(content)
    else:
        with open(path, "x", encoding="utf-8", newline="") as f:
            f.write(content)


def _is_os_error(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and not isinstance(exc, HelpersError)


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and ``os.replace``.

    Readers see either the old file or the complete new one, never a partial write; the
    temporary file is removed if writing fails.

    Raises
    ------
    OutputError
        The file cannot be written (disk full, read-only folder, ...); the message names
        it and the fix.
    """
    write_texts_atomic({path: text})


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace`` (as :func:`write_text_atomic`).

    For binary files such as a learned model (:func:`helpers.learn.save_model`).

    Raises
    ------
    OutputError
        The file cannot be written (disk full, read-only folder, ...); nothing half-written
        is left and a previous file at ``path`` is unchanged.
    """
    if not isinstance(data, bytes):
        raise TypeError(f"data must be bytes, got {type(data).__name__}; use write_text_atomic for text.")
    write_texts_atomic({path: data})


def write_texts_atomic(files: Mapping[str | os.PathLike, str | bytes]
                       | Iterable[tuple[str | os.PathLike, str | bytes]]) -> None:
    """Write several files all-or-nothing (text, or bytes): every one is written to a temporary file first.

    Only when all of them are written completely are they moved into place, in the given
    order (put the file whose presence means "complete" last). If any write fails (a full
    disk, typically), every temporary file is removed and **no** target is changed.

    Raises
    ------
    OutputError
        A file cannot be written; the message names it and the fix.
    """
    items = list(files.items() if isinstance(files, Mapping) else files)
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in items:
            path = Path(path)
            tmp = _temp_path(path)
            staged.append((tmp, path))
            try:
                _write_file(tmp, text)
            except BaseException as exc:
                if _is_os_error(exc):
                    raise output_error(exc, path) from exc
                raise
        while staged:
            tmp, path = staged[0]
            try:
                os.replace(tmp, path)
            except BaseException as exc:
                if _is_os_error(exc):
                    raise output_error(exc, path) from exc
                raise
            staged.pop(0)
    finally:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                tmp.unlink()


def check_writable(directory: str | os.PathLike) -> Path:
    """Create ``directory`` if needed and check that a file can be written in it.

    Call it before long work whose results go there, so a read-only or full output
    folder is reported at once, not after an hour of computing.

    Returns
    -------
    directory : Path

    Raises
    ------
    OutputError
        The folder cannot be created or written to; the message names it and the fix.
    """
    directory = Path(directory)
    probe = _temp_path(directory / "write-test")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        _write_file(probe, "ok\n")
    except OSError as exc:
        if isinstance(exc, HelpersError):
            raise
        raise output_error(exc, directory, folder=True) from exc
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()
    return directory


# --------------------------------------------------------------------------------------------
# One writer at a time
# --------------------------------------------------------------------------------------------

@contextlib.contextmanager
def exclusive_lock(path: str | os.PathLike, *, blocking: bool = True,
                   busy_message: str | None = None) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path`` while inside the ``with`` block.

    An existing folder is locked itself (POSIX ``flock`` on the folder: no file is left
    behind). Any other path is a lock file, created with its parent folders if needed (e.g.
    ``out_dir / ".lock"``); it stays after the block, which is harmless. On Windows, where a
    folder cannot be locked, a folder is locked through the file ``<folder>/.lock``.

    Parameters
    ----------
    path : str or Path
        The folder or lock file.
    blocking : bool
        Wait until the lock is free (True); or refuse at once when another process holds
        it (False: raise :class:`OutputError` with ``busy_message``).
    busy_message : str, optional
        What the error says when ``blocking=False`` and the lock is taken (what is running,
        what to do); default: a generic "in use by another process" message.

    Raises
    ------
    OutputError
        ``blocking=False`` and another process holds the lock; or the lock file cannot be
        created (read-only folder ...).

    Notes
    -----
    The lock is per open file: a second ``exclusive_lock`` on the same path inside the
    block, even in the same process, waits (or is refused) like any other.
    """
    path = Path(path)
    busy = busy_message or (f"{path} is in use by another process; wait for it to finish and "
                            "run the command again.")
    if os.name == "nt":  # no flock, and a folder cannot be opened: lock a file with msvcrt
        with _windows_lock(path / ".lock" if path.is_dir() else path, blocking=blocking, busy=busy):
            yield
        return
    import fcntl

    if not path.is_dir():
        _create_lock_file(path)
    fd = os.open(path, os.O_RDONLY)  # flock needs no write access, and works on a folder
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            raise OutputError(busy, path=path, errno=errno.EWOULDBLOCK) from None
        yield
    finally:
        os.close(fd)  # closing the file releases the lock


def _create_lock_file(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    except OSError as exc:
        if isinstance(exc, HelpersError):
            raise
        raise output_error(exc, path) from exc


@contextlib.contextmanager
def _windows_lock(path: Path, *, blocking: bool, busy: str) -> Iterator[None]:
    import msvcrt

    _create_lock_file(path)
    with open(path, "a+b") as f:
        f.seek(0)
        while True:
            try:
                msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
                break
            except OSError:
                if not blocking:
                    raise OutputError(busy, path=path, errno=errno.EWOULDBLOCK) from None
                time.sleep(_WINDOWS_LOCK_RETRY_S)
        try:
            yield
        finally:
            f.seek(0)
            msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)


# --------------------------------------------------------------------------------------------
# Folders: staged, marked complete, swapped into place
# --------------------------------------------------------------------------------------------

def write_marker(directory: str | os.PathLike, info: Mapping[str, Any], *,
                 marker: str = COMPLETE_MARKER) -> Path:
    """Write ``info`` as JSON to ``directory / marker`` (atomically): "this folder is complete".

    The marker is written last, after everything in the folder; a folder without it is
    incomplete and never trusted. ``info`` is written as given (sorted keys), so a reader can
    compare it with what it expects.

    Returns
    -------
    Path
        The marker file.

    Raises
    ------
    OutputError
        It cannot be written.
    """
    path = Path(directory) / marker
    write_text_atomic(path, json.dumps(dict(info), indent=1, sort_keys=True) + "\n")
    return path


@contextlib.contextmanager
def staging_directory(parent: str | os.PathLike, *, name: str) -> Iterator[Path]:
    """A new empty hidden folder ``parent/.staging-<name>-<random>``, removed when the block ends.

    Build the new content in it; being on the same file system as its target, a part of it
    can then be renamed into place (:func:`swap_in`), which is atomic. Whatever is still in
    it when the block ends, normally or by an exception (Ctrl-C included), is deleted.

    Raises
    ------
    OutputError
        The folder cannot be created in ``parent`` (read-only, full, missing ...).
    """
    parent = Path(parent)
    staging = parent / f"{STAGING_PREFIX}{name}-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        staging.mkdir()
    except OSError as exc:
        if isinstance(exc, HelpersError):
            raise
        raise output_error(exc, staging, folder=True) from exc
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def swap_in(parent: str | os.PathLike, new_dirs: Mapping[str, str | os.PathLike], *,
            marker_info: Mapping[str, Any] | None = None, marker: str = COMPLETE_MARKER) -> None:
    """Rename each ``new_dirs[name]`` to ``parent/name``, all or nothing.

    First, if ``marker_info`` is given, the marker is written into each new folder. Then each
    existing ``parent/name`` is moved aside (``.old-<name>-<tag>``) and the new folder renamed
    into place. If a rename fails (or Ctrl-C comes) half-way, the folders already placed are
    removed and the previous ones put back; after success the previous ones are deleted.
    The new folders must be on the same file system as ``parent`` (build them in a
    :func:`staging_directory` inside ``parent``).

    Parameters
    ----------
    parent : str or Path
    new_dirs : mapping of str to Path
        Final name (a single path component) -> the finished folder.
    marker_info : mapping, optional
        Written as ``marker`` into every new folder before it is moved (:func:`write_marker`).
    marker : str
        The marker's file name.

    Raises
    ------
    OSError
        A rename failed; the previous folders are back in place when it propagates.
    OutputError
        A marker cannot be written (nothing was moved yet).
    """
    parent = Path(parent)
    if marker_info is not None:
        for new in new_dirs.values():
            write_marker(new, marker_info, marker=marker)
    tag = f"{os.getpid()}-{time.monotonic_ns()}"
    moved_old: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for name, new in new_dirs.items():
            final = parent / name
            if final.exists() or final.is_symlink():
                old = parent / f"{OLD_PREFIX}{name}-{tag}"
                os.rename(final, old)
                moved_old.append((old, final))
            os.rename(new, final)
            placed.append(final)
    except BaseException:
        for final in placed:  # roll back: take the new ones out, put the old ones back
            shutil.rmtree(final, ignore_errors=True)
        for old, final in moved_old:
            if not final.exists():
                os.rename(old, final)
        raise
    for old, _ in moved_old:
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def staged_directory(target: str | os.PathLike, *, marker_info: Mapping[str, Any],
                     marker: str = COMPLETE_MARKER) -> Iterator[Path]:
    """Build the folder ``target`` in a staging folder; swap it in, marked complete, at the end.

    Yields the staging folder (empty, next to ``target``). When the block ends normally the
    marker (``marker_info`` as JSON) is written into it and it replaces ``target``
    (:func:`swap_in`). When the block raises (Ctrl-C included), the staging folder is deleted
    and ``target``, if it exists, is untouched. The parent of ``target`` must exist.

    Examples
    --------
    >>> with staged_directory(out_dir, marker_info={"generator": "helpers.synth"}) as tmp:  # doctest: +SKIP
    ...     (tmp / "info.json").write_text("{}")
    """
    target = Path(target)
    with staging_directory(target.parent, name=target.name) as staging:
        yield staging
        swap_in(target.parent, {target.name: staging}, marker_info=marker_info, marker=marker)


def clean_stale(parent: str | os.PathLike, names: Iterable[str]) -> None:
    """Tidy what a killed run may have left in ``parent``: staging folders, and folders moved aside.

    Every ``.staging-*`` folder is deleted. For each of ``names``, a ``.old-<name>-*`` folder
    (moved aside by a :func:`swap_in` that was cut short) is put back when ``parent/name`` is
    missing, else deleted. Call it while holding the folder's :func:`exclusive_lock`, so a
    run in progress is never disturbed.
    """
    parent = Path(parent)
    if not parent.is_dir():
        return
    for p in parent.iterdir():
        if p.name.startswith(STAGING_PREFIX) and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
    for name in names:
        for old in sorted(parent.glob(f"{OLD_PREFIX}{name}-*")):
            final = parent / name
            if not final.exists():
                os.rename(old, final)  # the swap was cut short: put the old version back
            else:
                shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def created_directory(path: str | os.PathLike) -> Iterator[Path]:
    """Create the folder ``path`` (and missing parents) for the block; undo that if it fails.

    When the block raises, the folders this call created are removed again if they are
    empty (a kept partial download, for example, keeps its folder). Folders that existed
    before are never touched.
    """
    path = Path(path)
    created = []
    for p in reversed([path, *path.parents]):
        if not p.exists():
            try:
                p.mkdir()
            except OSError as exc:
                if isinstance(exc, HelpersError):
                    raise
                raise output_error(exc, p, folder=True) from exc
            created.append(p)
    try:
        yield path
    except BaseException:
        for d in reversed(created):
            with contextlib.suppress(OSError):
                d.rmdir()  # only if empty
        raise
