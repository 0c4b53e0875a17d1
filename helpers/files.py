"""Writing files so that a crash, Ctrl-C or a full disk never leaves half a file in place.

One mechanism for the whole package (batch results and cache, estimate files, notebook
copies and HTML handouts): write to a unique temporary file in the same directory,
then ``os.replace`` it onto the target, which is atomic on POSIX and Windows.

An operating-system error while writing (disk full, read-only folder, no permission)
becomes an :class:`~helpers.errors.OutputError` that names the file and the fix; the
temporary file is removed and the previous version of the target, if any, is unchanged.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path

from .errors import HelpersError, OutputError

__all__ = ["write_text_atomic", "write_texts_atomic", "check_writable", "output_error"]

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


def _write_file(path: Path, text: str) -> None:
    """The one place where bytes are written (tests replace it to simulate a full disk)."""
    with open(path, "x", encoding="utf-8", newline="") as f:
        f.write(text)


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


def write_texts_atomic(files: Mapping[str | os.PathLike, str] | Iterable[tuple[str | os.PathLike, str]]) -> None:
    """Write several text files all-or-nothing: every one is written to a temporary file first.

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
