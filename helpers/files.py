"""Writing files so that a crash or Ctrl-C never leaves half a file in place.

One mechanism for the whole package (batch results and cache, estimate files, notebook
copies and HTML handouts): write to a unique temporary file in the same directory,
then ``os.replace`` it onto the target, which is atomic on POSIX and Windows.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["write_text_atomic"]


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and ``os.replace``.

    Readers see either the old file or the complete new one, never a partial write; the
    temporary file is removed if writing fails.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
