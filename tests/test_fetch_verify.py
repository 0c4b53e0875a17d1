"""Tests of helpers.fetch.verify: tree digests, the real data's digests, and a read of every file.

Everything runs offline (see tests/test_fetch.py); tests that need ../shared are marked
``shared`` and skip when it is absent.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest

from helpers import fetch
from helpers.errors import DataError, DownloadError
from helpers.fetch import (
    check_melspec_dir,
    fetch_annotations,
    load_manifest,
    tree_digest,
)

from .conftest import HARMONIX
from .test_fetch import (  # the local HTTP server, archive builders and fixtures
    _fast_and_isolated,  # noqa: F401  (a fixture)
    build_github_tarball,
    FileServer,
    INFO,
    make_mini_source,
    mini_manifest,
    PARAMS,
)


def _independent_digest(directory: Path) -> str:
    lines = sorted(f"{p.name}\0{hashlib.sha256(p.read_bytes()).hexdigest()}\n"
                   for p in directory.iterdir() if p.suffix == ".txt")
    return "sha256:" + hashlib.sha256("".join(lines).encode()).hexdigest()


def test_tree_digest_follows_its_definition_and_sees_every_change(tmp_path):
    d = tmp_path / "t"
    d.mkdir()
    for name in ["b.txt", "a.txt", "c.txt"]:
        (d / name).write_text(f"content of {name}\n")
    (d / "ignored.csv").write_text("not matched\n")
    digest, n = tree_digest(d, "*.txt")
    assert n == 3 and digest == _independent_digest(d)
    os.utime(d / "a.txt", (0, 0))  # dates do not matter
    assert tree_digest(d, "*.txt")[0] == digest
    (d / "ignored.csv").write_text("changed\n")  # unmatched files do not matter
    assert tree_digest(d, "*.txt")[0] == digest
    (d / "a.txt").write_text("content of a.txT\n")  # one byte
    assert tree_digest(d, "*.txt")[0] != digest
    (d / "a.txt").write_text("content of a.txt\n")
    (d / "a.txt").rename(d / "z.txt")  # same bytes, other name
    assert tree_digest(d, "*.txt")[0] != digest


@pytest.mark.shared
def test_manifest_digests_match_the_shared_copy_of_the_pinned_commit():
    if not HARMONIX.is_dir():
        pytest.skip("../shared/harmonix absent")
    ann = load_manifest()["datasets"]["annotations"]
    for tree in ann["trees"]:
        assert tree_digest(HARMONIX / tree["from"], tree["pattern"]) == (tree["digest"], tree["count"]), tree["from"]
    for f in ann["files"]:
        assert fetch.file_sha256(HARMONIX / f["from"]) == f["sha256"], f["from"]


@pytest.mark.shared
def test_real_digests_catch_a_one_millisecond_change(tmp_path):
    """The manifest's digest of a real tree sees one time changed by 1 ms in one of its 912
    files (the end-to-end refusal of a tampered download is tested on the mini set above)."""
    if not HARMONIX.is_dir():
        pytest.skip("../shared/harmonix absent")
    import shutil
    tree = next(t for t in load_manifest()["datasets"]["annotations"]["trees"]
                if t["from"] == "results/beats/Krebs")
    staged = shutil.copytree(HARMONIX / tree["from"], tmp_path / "Krebs")
    assert tree_digest(staged, tree["pattern"]) == (tree["digest"], 912)
    victim = sorted(staged.iterdir())[500]
    lines = victim.read_text().splitlines()
    lines[3] = f"{float(lines[3]) + 0.001:.3f}"
    victim.write_text("\n".join(lines) + "\n")
    assert tree_digest(staged, tree["pattern"])[0] != tree["digest"]


def test_unparsable_beat_file_is_refused_even_with_a_matching_digest(tmp_path):
    durations = {"0001_alpha": 3.0, "0002_beta": 4.0}
    src = make_mini_source(tmp_path, durations)
    (src / "dataset/beats_and_downbeats/0002_beta.txt").write_text("0.5\t1\t1\n0.4\t2\t1\n")
    manifest = mini_manifest(src)  # digest of the bad content: only the parse catches it
    body = build_github_tarball(src, tmp_path / "a.tgz").read_bytes()
    with FileServer({"/a.tgz": body}) as srv:
        with pytest.raises(DownloadError, match=r"0002_beta.txt does not parse.*line 2"):
            fetch_annotations(url=srv.url("/a.tgz"), root=tmp_path / "data",
                              manifest=manifest, progress=False)


def test_check_melspec_dir_never_unpickles(tmp_path, monkeypatch):
    d = tmp_path / "m"
    d.mkdir()
    (d / "info.json").write_text(json.dumps(INFO))
    np.save(d / "a-mel.npy", np.array([object()], dtype=object), allow_pickle=True)
    import pickle
    monkeypatch.setattr(pickle, "load", lambda *a, **k: pytest.fail("unpickled!"))
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: pytest.fail("unpickled!"))
    with pytest.raises(DataError, match="a-mel.npy.*pickle"):
        check_melspec_dir(d, parameters=PARAMS, progress=False)
