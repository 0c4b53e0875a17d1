"""One exception family for the whole package.

Every error a learner can cause derives from :class:`HelpersError`, so a notebook
or a script can catch them all with one ``except``; each also derives from the
built-in exception it refines (``ValueError``, ``FileNotFoundError`` ...), so
code written against the standard library keeps working.

Messages follow one pattern: what is wrong (showing the bad value), which file,
and how to fix it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "HelpersError",
    "ParameterError",
    "DataError",
    "DataMissingError",
    "DownloadError",
    "OutputError",
]


class HelpersError(Exception):
    """Base class of every error raised on purpose by ``helpers``."""


class ParameterError(HelpersError, ValueError):
    """A function argument has a value that cannot work (e.g. ``hop_length=0``)."""


class DataError(HelpersError, ValueError):
    """A data file exists but its content is wrong.

    Parameters
    ----------
    message : str
        What is wrong and how to fix it.
    path : str or Path, optional
        The offending file; it is prefixed to the message.
    line : int, optional
        1-based line number inside a text file, when known.
    """

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None):
        self.path = None if path is None else Path(path)
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}"
            if line is not None:
                where += f", line {line}"
            where += ": "
        super().__init__(where + message)


class DataMissingError(HelpersError, FileNotFoundError):
    """A data file or data set that is needed is not there; the message says how to get it."""


class DownloadError(HelpersError, OSError):
    """A download or an archive failed verification; nothing was left in place."""


class OutputError(HelpersError, OSError):
    """An output file cannot be written (disk full, read-only folder, no permission).

    The message names the file and the fix; nothing half-written is left in place.
    ``errno`` is the operating system's error number (e.g. ``errno.ENOSPC``), ``path``
    the file or folder that could not be written.
    """

    def __init__(self, message: str, *, path: str | Path | None = None, errno: int | None = None):
        super().__init__(message)
        self.path = None if path is None else Path(path)
        self.errno = errno
