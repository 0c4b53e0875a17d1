"""helpers.files: atomic writes leave either the old file or the new one, never half."""

from __future__ import annotations

import pytest

from helpers import files
from helpers.files import write_text_atomic


def test_write_replaces_content(tmp_path):
    p = tmp_path / "out ü.txt"
    write_text_atomic(p, "one\n")
    write_text_atomic(p, "two\n")
    assert p.read_text(encoding="utf-8") == "two\n"
    assert [x.name for x in tmp_path.iterdir()] == ["out ü.txt"]


def test_failed_write_keeps_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    p = tmp_path / "results.csv"
    write_text_atomic(p, "complete\n")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space"):
        write_text_atomic(p, "half")
    assert p.read_text() == "complete\n"
    assert [x.name for x in tmp_path.iterdir()] == ["results.csv"]
