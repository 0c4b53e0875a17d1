"""Download one file with pooch, resuming an interrupted download where it stopped (HTTP Range).

:func:`download` hands the work to ``pooch.retrieve``, which checks the file's sha256 (when
the manifest records one) and moves it into place only when it is complete and right. pooch's
own HTTP downloader starts from zero after every failure, which is no way to fetch 1.2 GB over
a shaky connection, so :class:`ResumingDownloader` does the transfer: the bytes go to a
``.part`` file that survives an interruption, every attempt (and the next run) asks only for
the rest with an HTTP ``Range`` request, and ``If-Range`` makes sure the rest belongs to the
same file.

A download that fails says so in one line naming the URL and the fix (``HTTP 404 Not Found
for URL. Check the address ...``); the partial file is kept only when the server can resume it.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import json
import logging
import os
import re
import shutil
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

from ..errors import DownloadError
from ..files import write_text_atomic
from .verify import sha256_mismatch

__all__ = [
    "DOWNLOAD_TIMEOUT_S",
    "DOWNLOAD_ATTEMPTS",
    "RETRY_BACKOFF_S",
    "download",
    "discard_download",
    "ResumingDownloader",
]

#: Seconds without data before a download attempt is abandoned.
DOWNLOAD_TIMEOUT_S = 60.0
#: Attempts per download (each resumes where the previous one stopped, when the server allows).
DOWNLOAD_ATTEMPTS = 4
#: Pause before attempt 2, 3, ... (seconds; the last value repeats).
RETRY_BACKOFF_S = (1.0, 3.0, 8.0)
#: Bytes read from the connection at a time (and appended to the .part file).
CHUNK_BYTES = 1 << 20

_USER_AGENT = "beat-course-helpers (python urllib)"
_NOTHING_CHANGED = "nothing was changed."


def download(url: str, part: str | os.PathLike, *, sha256: str | None = None,
             progress: bool = True, timeout_s: float = DOWNLOAD_TIMEOUT_S,
             attempts: int = DOWNLOAD_ATTEMPTS, url_hint: str = "--url") -> Path:
    """Download ``url`` completely, resuming ``part`` if an earlier run left it; return the file.

    Parameters
    ----------
    url : str
        http, https or file URL.
    part : str or Path
        Where the bytes collect while downloading (``<name>.part``, with a ``<name>.part.json``
        sidecar). It is kept after a failure when the server supports resuming, so that the
        next call continues it; it is gone once the download is complete.
    sha256 : str, optional
        The file's expected sha256 (64 hex digits); pooch refuses a file with other bytes.
    progress : bool
        Show a progress bar (bytes, rate, time left).
    timeout_s : float
        Seconds without data before an attempt is abandoned.
    attempts : int
        Attempts before giving up (each resumes where the last one stopped).
    url_hint : str
        How the user changes the address, for the message of an HTTP error (e.g.
        ``"--url or $HELPERS_MELSPECS_URL"``).

    Returns
    -------
    Path
        The complete (and, with ``sha256``, verified) file, in the hidden folder
        ``<part without .part>.pooch/`` next to ``part``. The caller removes it with
        :func:`discard_download` once it has used it.

    Raises
    ------
    DownloadError
        An HTTP error (404 ...: at once, not retried), no connection, every attempt broken
        off, a full disk, or a sha256 other than ``sha256``. The message names the URL and
        says what to do.
    """
    import pooch

    part = Path(part)
    work = _work_dir(part)
    shutil.rmtree(work, ignore_errors=True)  # a verified file from a run killed before using it
    downloader = ResumingDownloader(part, progressbar=progress, timeout_s=timeout_s,
                                    attempts=attempts, url_hint=url_hint)
    try:
        with _quiet(pooch.get_logger()):
            return Path(pooch.retrieve(url, known_hash=None if sha256 is None else f"sha256:{sha256}",
                                       fname=work.name.removesuffix(".pooch"), path=work,
                                       downloader=downloader))
    except ValueError as exc:  # pooch's hash check (it has deleted the file)
        if sha256 is None:
            raise
        got = re.search(r"got ([0-9a-fA-F]{64})", str(exc))
        raise DownloadError(sha256_mismatch(url, got=got.group(1) if got else "(another)",
                                            want=sha256)) from None
    finally:
        if not (work / work.name.removesuffix(".pooch")).is_file():
            shutil.rmtree(work, ignore_errors=True)  # no complete file: the folder is empty


def discard_download(part: str | os.PathLike) -> None:
    """Remove everything :func:`download` may have left for ``part``: the partial file, its
    sidecar, and the folder holding the complete file."""
    part = Path(part)
    part.unlink(missing_ok=True)
    _meta_path(part).unlink(missing_ok=True)
    shutil.rmtree(_work_dir(part), ignore_errors=True)


def _work_dir(part: Path) -> Path:
    return part.with_name(part.name.removesuffix(".part") + ".pooch")


def _meta_path(part: Path) -> Path:
    return part.with_name(part.name + ".json")


@contextlib.contextmanager
def _quiet(logger: logging.Logger):
    """pooch logs every download at INFO on stderr; the progress bar and our messages suffice."""
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


class _Retry(Exception):
    """An attempt ended early; the next attempt may resume."""


class ResumingDownloader:
    """A pooch downloader that keeps the bytes in a ``.part`` file and resumes it (HTTP Range).

    pooch calls it as ``downloader(url, output_file, pooch)``. It streams ``url`` into
    ``part``; a sidecar ``<part>.json`` remembers the URL and the server's validator (ETag or
    Last-Modified), so that a later attempt or run sends ``Range: bytes=<size>-`` with
    ``If-Range`` and resumes only the same resource. A server that answers 200 instead of 206
    sends the whole file again, which simply replaces the partial one. When the file is
    complete it is moved to ``output_file``, where pooch checks its hash.

    Parameters
    ----------
    part : str or Path
        The partial file.
    progressbar : bool
        Show a tqdm progress bar (it starts at the bytes already there when resuming).
    timeout_s : float
        Seconds without data before an attempt is abandoned.
    attempts : int
        Attempts before giving up; the pauses between them are :data:`RETRY_BACKOFF_S`.
    url_hint : str
        How the user changes the address (for the message of an HTTP error).
    """

    def __init__(self, part: str | os.PathLike, *, progressbar: bool = True,
                 timeout_s: float = DOWNLOAD_TIMEOUT_S, attempts: int = DOWNLOAD_ATTEMPTS,
                 url_hint: str = "--url"):
        self.part = Path(part)
        self.progressbar, self.timeout_s = progressbar, timeout_s
        self.attempts, self.url_hint = attempts, url_hint

    def __call__(self, url: str, output_file: str | os.PathLike, pooch=None) -> None:
        meta = self._resume_info(url)
        last_error: Exception | None = None
        for attempt in range(self.attempts):
            if attempt:
                time.sleep(RETRY_BACKOFF_S[min(attempt - 1, len(RETRY_BACKOFF_S) - 1)])
            try:
                self._attempt(url, meta, last=attempt == self.attempts - 1)
            except _Retry as exc:
                last_error = exc
                continue
            _meta_path(self.part).unlink(missing_ok=True)
            os.replace(self.part, output_file)
            return
        self._give_up(url, meta, last_error)

    def _resume_info(self, url: str) -> dict:
        """The sidecar of a partial download of ``url``; a partial file of anything else goes."""
        meta: dict = {}
        if self.part.exists() and _meta_path(self.part).exists():
            with contextlib.suppress(OSError, ValueError):
                meta = json.loads(_meta_path(self.part).read_text())
        if meta.get("url") != url:
            self.part.unlink(missing_ok=True)
            meta = {"url": url}
        return meta

    def _attempt(self, url: str, meta: dict, *, last: bool) -> None:
        start = self.part.stat().st_size if self.part.exists() else 0
        resp = self._open(url, start, meta.get("validator"), last=last)
        with resp:
            start, total = self._body_range(resp, start)
            meta.update(validator=resp.headers.get("ETag") or resp.headers.get("Last-Modified"),
                        ranges=resp.headers.get("Accept-Ranges", "").lower() == "bytes"
                        or _status(resp) == 206)
            self.part.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(_meta_path(self.part), json.dumps(meta))
            self._receive(resp, start, total)

    def _open(self, url: str, start: int, validator: str | None, *, last: bool):
        headers = {"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"}
        if start > 0:
            headers["Range"] = f"bytes={start}-"
            if validator:
                headers["If-Range"] = validator
        try:
            return urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                          timeout=self.timeout_s)
        except urllib.error.HTTPError as exc:
            if exc.code == 416 and start > 0:  # our partial file no longer fits: start afresh
                self.part.unlink(missing_ok=True)
                raise _Retry(exc) from None
            if 400 <= exc.code < 500:
                raise DownloadError(f"HTTP {exc.code} {exc.reason} for {url}. Check the address (it "
                                    f"can be set with {self.url_hint}); {_NOTHING_CHANGED}") from None
            raise _Retry(exc) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            if last and isinstance(reason, (ConnectionRefusedError, socket.gaierror)):
                raise DownloadError(f"cannot connect to {url}: {reason}. Check your internet "
                                    f"connection or proxy; {_NOTHING_CHANGED}") from None
            raise _Retry(exc) from None

    def _body_range(self, resp, start: int) -> tuple[int, int | None]:
        """(first byte of the body, total size or None); a 200 restarts the file from 0."""
        if _status(resp) == 206 and start > 0:
            m = re.match(r"bytes (\d+)-(\d+)/(\d+|\*)", resp.headers.get("Content-Range", ""))
            if not m or int(m.group(1)) != start:
                self.part.unlink(missing_ok=True)  # a range we did not ask for: start afresh
                raise _Retry("server sent an unexpected byte range")
            return start, None if m.group(3) == "*" else int(m.group(3))
        length = resp.headers.get("Content-Length")  # 200 (or a file: URL): the whole body
        self.part.unlink(missing_ok=True)
        return 0, int(length) if length and length.isdigit() else None

    def _receive(self, resp, start: int, total: int | None) -> None:
        from tqdm.auto import tqdm

        done = start
        try:
            with open(self.part, "ab") as out, tqdm(
                    total=total, initial=start, unit="B", unit_scale=True, unit_divisor=1024,
                    desc=self.part.name.removeprefix(".download-").removesuffix(".part"),
                    disable=not self.progressbar, leave=False) as bar:
                while chunk := resp.read(CHUNK_BYTES):
                    out.write(chunk)
                    done += len(chunk)
                    bar.update(len(chunk))
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
                discard_download(self.part)
                raise DownloadError(f"disk full while writing {self.part}; free some space and "
                                    "run again. Nothing was installed.") from None
            raise _Retry(f"connection lost after {done} bytes ({exc})") from None
        if total is not None and done != total:
            raise _Retry(f"connection closed after {done} of {total} bytes")

    def _give_up(self, url: str, meta: dict, last_error: Exception | None):
        """Out of attempts. Keep the partial file only if a later run can resume it."""
        if not meta.get("ranges"):
            discard_download(self.part)
            kept = "The partial file was removed."
        else:
            kept = f"The partial download {self.part} is kept; running the command again resumes it."
        raise DownloadError(f"download of {url} failed after {self.attempts} attempts: "
                            f"{last_error}. Nothing was installed. {kept}")


def _status(resp) -> int | None:
    return getattr(resp, "status", None) or resp.getcode()
