"""Unpack a tar archive that nobody vouches for, refusing anything that could escape or deceive.

Archives are never trusted: absolute paths, ``..`` components, links, device files, FIFOs,
duplicate members and anything that would land outside the target are refused, and the
error names the member. Each written member also passes the standard library's
``tarfile.data_filter`` as a second line of defence. The archive is streamed (never loaded
into memory), with a progress bar over its compressed bytes.
"""

from __future__ import annotations

import errno
import io
import lzma
import os
import re
import shutil
import tarfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from ..errors import DataMissingError, DownloadError, HelpersError

__all__ = ["safe_extract", "member_relpath"]

#: Bytes read from the archive file at a time, and copied per write while extracting: large
#: enough that progress-bar updates and system calls cost nothing next to decompression.
READ_BYTES = 1 << 20
# Files some archivers add that are never data (macOS resource forks and Finder files).
_JUNK_NAMES = (".DS_Store",)
_JUNK_PREFIXES = ("._",)
_NOTHING = "Nothing was installed."


def member_relpath(member: tarfile.TarInfo, *, shown: str) -> PurePosixPath:
    """Validate one member's name and type; return its relative path. Raise on anything unsafe.

    ``shown`` names the archive in the message (its path or the URL it came from).
    """
    name = member.name
    bad = f"{shown}: refusing unsafe member {name!r}"
    if not name or "\x00" in name:
        raise DownloadError(f"{bad}: empty or NUL in name. The archive is damaged or malicious; "
                            "nothing was installed.")
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        raise DownloadError(f"{bad}: absolute path. {_NOTHING}")
    if "\\" in name:
        raise DownloadError(f"{bad}: backslash in path. {_NOTHING}")
    rel = PurePosixPath(name)
    if ".." in rel.parts:
        raise DownloadError(f"{bad}: '..' in path (would write outside the target). {_NOTHING}")
    if member.issym() or member.islnk():
        kind = "symbolic link" if member.issym() else "hard link"
        raise DownloadError(f"{bad}: it is a {kind} to {member.linkname!r}; data archives hold "
                            f"only files and folders. {_NOTHING}")
    if not (member.isfile() or member.isdir()):
        raise DownloadError(f"{bad}: it is a device, FIFO or other special file (type "
                            f"{member.type!r}). {_NOTHING}")
    return PurePosixPath(*[p for p in rel.parts if p not in ("", ".")])


def safe_extract(archive: str | os.PathLike, dest: str | os.PathLike, *,
                 select: Callable[[PurePosixPath], str | None] | None = None,
                 max_bytes: int | None = None, progress: bool = True, desc: str = "extracting",
                 shown: str | None = None) -> dict[str, int]:
    """Stream ``archive`` (tar, any compression) into ``dest``, refusing anything unsafe.

    Parameters
    ----------
    archive : str or Path
    dest : str or Path
        An existing (staging) folder.
    select : callable, optional
        ``select(relpath) -> str | None`` maps a member's relative path (after validation)
        to its destination relative to ``dest``, or ``None`` to skip it. Every member is
        validated, also the skipped ones. Default: keep every member where it is.
    max_bytes : int, optional
        Refuse an archive whose written members total more (an archive bomb).
    progress : bool
    desc : str
        Label of the progress bar.
    shown : str, optional
        How messages name the archive (e.g. the URL it was downloaded from); default its path.

    Returns
    -------
    counts : dict
        ``members``, ``written``, ``skipped`` and ``bytes`` (written).

    Raises
    ------
    DataMissingError
        The archive cannot be opened.
    DownloadError
        An unsafe member, a damaged archive, too many bytes, or a full disk; the message
        names the member and says that nothing was installed.
    """
    from tqdm.auto import tqdm

    archive, dest = Path(archive), Path(dest).resolve()
    shown = shown or str(archive)
    counts = {"members": 0, "written": 0, "skipped": 0, "bytes": 0}
    try:
        raw = open(archive, "rb")
    except OSError as exc:
        raise DataMissingError(f"{shown}: cannot open the archive ({exc.strerror}).") from None
    with raw, tqdm(total=archive.stat().st_size, unit="B", unit_scale=True, unit_divisor=1024,
                   desc=desc, disable=not progress, leave=False) as bar:
        reader = io.BufferedReader(_ProgressReader(raw, bar), READ_BYTES)
        try:
            with tarfile.open(fileobj=reader, mode="r|*") as tar:
                for member in tar:
                    counts["members"] += 1
                    out = _destination(member, dest, select=select, shown=shown)
                    if member.isdir():
                        continue
                    if out is None:
                        counts["skipped"] += 1
                    else:
                        counts["bytes"] += member.size
                        if max_bytes is not None and counts["bytes"] > max_bytes:
                            raise DownloadError(f"{shown}: unpacks to more than {max_bytes} bytes "
                                                f"(the manifest's limit); refusing. {_NOTHING}")
                        _write_member(tar, member, out, shown=shown)
                        counts["written"] += 1
        except HelpersError:
            raise
        except (tarfile.TarError, EOFError, zlib.error, lzma.LZMAError) as exc:
            raise DownloadError(f"{shown}: the archive is damaged, truncated or not a tar "
                                f"archive ({exc}). Download it again; nothing was installed.") from None
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise DownloadError(f"disk full while extracting {shown} into {dest.parent}; "
                                    f"free some space and run again. {_NOTHING}") from None
            raise DownloadError(f"{shown}: cannot extract ({exc}). {_NOTHING}") from None
    return counts


def _destination(member: tarfile.TarInfo, dest: Path, *, select, shown: str) -> Path | None:
    """Where ``member`` goes under ``dest`` (a folder is created at once), or None to skip it."""
    rel = member_relpath(member, shown=shown)
    if not rel.parts or rel.name in _JUNK_NAMES or rel.name.startswith(_JUNK_PREFIXES):
        return None
    target_rel = select(rel) if select else rel.as_posix()
    if target_rel is None:
        return None
    out = dest / target_rel
    if not os.path.normpath(out).startswith(os.fspath(dest) + os.sep):
        raise DownloadError(f"{shown}: refusing member {member.name!r}: it resolves outside the "
                            f"target. {_NOTHING}")
    try:
        tarfile.data_filter(member, str(dest))
    except tarfile.FilterError as exc:
        raise DownloadError(f"{shown}: refusing member {member.name!r}: {exc}. {_NOTHING}") from None
    if member.isdir():
        out.mkdir(parents=True, exist_ok=True)
        return None
    return out


def _write_member(tar: tarfile.TarFile, member: tarfile.TarInfo, out: Path, *, shown: str) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    src = tar.extractfile(member)
    try:
        with open(out, "xb") as f:  # 'x': a duplicate member is an error
            shutil.copyfileobj(src, f, READ_BYTES)
    except FileExistsError:
        raise DownloadError(f"{shown}: member {member.name!r} appears twice; refusing an "
                            f"ambiguous archive. {_NOTHING}") from None


class _ProgressReader(io.RawIOBase):
    """File wrapper that reports bytes read to a tqdm bar (progress over the compressed file)."""

    def __init__(self, raw, bar):
        self._raw, self._bar = raw, bar

    def readable(self):
        return True

    def readinto(self, b):
        n = self._raw.readinto(b)
        if n:
            self._bar.update(n)
        return n
