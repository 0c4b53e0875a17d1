"""Tests of helpers.fetch.archive and the checks after it: bad archives are refused and leave nothing.

Everything runs offline (see tests/test_fetch.py); tests that need ../shared are marked
``shared`` and skip when it is absent.
"""

from __future__ import annotations

import copy
import io
import tarfile
from pathlib import Path

import numpy as np
import pytest

from helpers.errors import DownloadError
from helpers.fetch import fetch_annotations, install_melspecs, load_manifest

from .test_fetch import (  # the local HTTP server, archive builders and fixtures
    _fast_and_isolated,  # noqa: F401  (a fixture)
    _file_member,
    _npy,
    _special,
    build_github_tarball,
    build_melspec_tgz,
    FileServer,
    INFO,
    leftovers,
    mini,  # noqa: F401  (a fixture)
    MINI_DURATIONS,
    PREFIX,
    small_arrays,
)


def test_archive_with_a_link_is_refused(tmp_path, mini):
    manifest, _, src = mini
    out = build_github_tarball(src, tmp_path / "evil.tgz")
    with tarfile.open(out, "r:gz") as tar:
        members = [(m, tar.extractfile(m).read() if m.isfile() else None) for m in tar]
    link = tarfile.TarInfo(f"{PREFIX}/dataset/segments/0009_x.txt")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    with tarfile.open(out, "w:gz") as tar:
        for m, data in members + [(link, None)]:
            tar.addfile(m, None if data is None else io.BytesIO(data))
    root = tmp_path / "data"
    with FileServer({"/a.tgz": out.read_bytes()}) as srv:
        with pytest.raises(DownloadError, match=r"0009_x.txt.*symbolic link"):
            fetch_annotations(url=srv.url("/a.tgz"), root=root, manifest=manifest, progress=False)
    assert not (root / "harmonix" / "dataset").exists() and leftovers(root) == []


def test_not_an_archive_is_refused(tmp_path, mini):
    manifest, _, _ = mini
    with FileServer({"/a.tgz": b"<html>rate limited</html>"}) as srv:
        with pytest.raises(DownloadError, match="damaged, truncated or not a tar"):
            fetch_annotations(url=srv.url("/a.tgz"), root=tmp_path / "data", manifest=manifest,
                              progress=False)
    assert leftovers(tmp_path / "data") == []


def _malicious_cases(tmp_path: Path):
    """name -> (tgz builder kwargs, expected message regex, path that must not appear)."""
    outside = tmp_path / "outside"
    pickled = io.BytesIO()
    np.save(pickled, np.array([{"evil": 1}, None], dtype=object), allow_pickle=True)
    arrays = small_arrays()
    good_npy = arrays["0001_alpha"]
    return {
        "dotdot": (dict(extra_members=[(_file_member("melspecs/../../../outside/evil.txt", 4), b"evil")]),
                   r"melspecs/\.\./\.\./\.\./outside/evil.txt.*'\.\.'", outside / "evil.txt"),
        "absolute": (dict(extra_members=[(_file_member(str(outside / "abs.txt"), 4), b"evil")]),
                     r"outside/abs.txt.*absolute path", outside / "abs.txt"),
        "symlink": (dict(extra_members=[(_special("melspecs/0004_x-mel.npy", tarfile.SYMTYPE,
                                                  str(outside)), None)]),
                    r"0004_x-mel.npy.*symbolic link", None),
        "hardlink": (dict(extra_members=[(_special("melspecs/0004_x-mel.npy", tarfile.LNKTYPE,
                                                   "melspecs/0001_alpha-mel.npy"), None)]),
                     r"0004_x-mel.npy.*hard link", None),
        "chardev": (dict(extra_members=[(_special("melspecs/null", tarfile.CHRTYPE), None)]),
                    r"melspecs/null.*device, FIFO", None),
        "fifo": (dict(extra_members=[(_special("melspecs/pipe", tarfile.FIFOTYPE), None)]),
                 r"melspecs/pipe.*device, FIFO", None),
        "duplicate": (dict(extra_members=[(_file_member("melspecs/0001_alpha-mel.npy", len(good_npy)), good_npy)]),
                      r"0001_alpha-mel.npy.*appears twice", None),
        "truncated_npy": (dict(arrays={**arrays, "0002_beta": arrays["0002_beta"][:500]}),
                          r"0002_beta-mel.npy.*truncated", None),
        "garbage_npy": (dict(arrays={**arrays, "0002_beta": b"this is not numpy"}),
                        r"0002_beta-mel.npy.*not a .npy file", None),
        "pickled_npy": (dict(arrays={**arrays, "0002_beta": pickled.getvalue()}),
                        r"0002_beta-mel.npy.*pickle", None),
        "float64": (dict(arrays={**arrays, "0002_beta": _npy(np.ones((80, 97)))}),
                    r"0002_beta-mel.npy.*dtype float64", None),
        "transposed": (dict(arrays={**arrays, "0002_beta": _npy(np.ones((97, 80), np.float32))}),
                       r"0002_beta-mel.npy.*transposed", None),
        "negative_db": (dict(arrays={**arrays, "0002_beta": _npy(np.full((80, 97), -40, np.float32))}),
                        r"0002_beta-mel.npy.*negative|0002_beta-mel.npy.*dB", None),
        "nan": (dict(arrays={**arrays, "0002_beta": _npy(np.full((80, 97), np.nan, np.float32))}),
                r"0002_beta-mel.npy.*(NaN|finite)", None),
        "wrong_n_mels": (dict(info={**INFO, "N_MELS": 128}), r"info.json.*N_MELS is 128", None),
        "wrong_hop": (dict(info={**INFO, "HOP_LENGTH": 512}), r"info.json.*HOP_LENGTH is 512", None),
        "fmax_set": (dict(info={**INFO, "MEL_FMAX": 8000}), r"info.json.*MEL_FMAX is 8000", None),
        "info_missing_key": (dict(info={k: v for k, v in INFO.items() if k != "SR"}),
                             r"info.json.*missing key 'SR'", None),
        "info_not_json": (dict(info=b"{not json"), r"info.json.*not valid JSON", None),
        "no_info": (dict(info=None), r"no folder with info.json", None),
        "missing_track": (dict(arrays={k: v for k, v in arrays.items() if k != "0003_gamma"}),
                          r"1 missing \(e.g. \['0003_gamma'\]\)", None),
        "extra_track": (dict(arrays={**arrays, "9999_other": good_npy}),
                        r"1 unexpected \(e.g. \['9999_other'\]\)", None),
    }


MALICIOUS = ["dotdot", "absolute", "symlink", "hardlink", "chardev", "fifo", "duplicate",
             "truncated_npy", "garbage_npy", "pickled_npy", "float64", "transposed",
             "negative_db", "nan", "wrong_n_mels", "wrong_hop", "fmax_set", "info_missing_key",
             "info_not_json", "no_info", "missing_track", "extra_track"]


@pytest.mark.parametrize("case", MALICIOUS)
def test_bad_melspec_archives_are_refused_and_leave_nothing(tmp_path, case):
    kwargs, pattern, forbidden = _malicious_cases(tmp_path)[case]
    kwargs = {"arrays": small_arrays(), **kwargs}
    tgz = build_melspec_tgz(tmp_path / "bad.tgz", **kwargs)
    root = tmp_path / "deep" / "data"
    with pytest.raises(DownloadError, match=pattern) as err:
        install_melspecs(tgz, root=root, durations=MINI_DURATIONS, progress=False)
    assert str(tgz) in str(err.value) and "Nothing was installed" in str(err.value)
    assert not (root / "harmonix/melspecs").exists()
    assert not root.exists() or [p for p in root.rglob("*")] == []  # not even staging dirs
    if forbidden is not None:
        assert not forbidden.exists()
    assert not (tmp_path / "outside").exists()


def test_bad_archive_does_not_touch_a_previous_install(tmp_path):
    root = tmp_path / "data"
    good = build_melspec_tgz(tmp_path / "good.tgz", small_arrays())
    install_melspecs(good, root=root, durations=MINI_DURATIONS, progress=False)
    snapshot = {p.name: p.read_bytes() for p in (root / "harmonix/melspecs").iterdir()}
    bad = build_melspec_tgz(tmp_path / "bad.tgz", small_arrays(),
                            extra_members=[(_special("melspecs/x", tarfile.SYMTYPE, "/"), None)])
    with pytest.raises(DownloadError, match="symbolic link"):
        install_melspecs(bad, root=root, durations=MINI_DURATIONS, progress=False, force=True)
    assert {p.name: p.read_bytes() for p in (root / "harmonix/melspecs").iterdir()} == snapshot
    assert leftovers(root) == []


def test_truncated_tgz_is_refused(tmp_path):
    tgz = build_melspec_tgz(tmp_path / "m.tgz", small_arrays())
    data = tgz.read_bytes()
    tgz.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(DownloadError, match="damaged, truncated or not a tar"):
        install_melspecs(tgz, root=tmp_path / "data", durations=MINI_DURATIONS, progress=False)
    assert leftovers(tmp_path / "data") == []
    assert not (tmp_path / "data/harmonix/melspecs").exists()


def test_unpacked_size_limit(tmp_path):
    manifest = copy.deepcopy(load_manifest())
    manifest["datasets"]["melspecs"]["max_unpacked_bytes"] = 10_000
    tgz = build_melspec_tgz(tmp_path / "m.tgz", small_arrays())
    with pytest.raises(DownloadError, match="more than 10000 bytes"):
        install_melspecs(tgz, root=tmp_path / "data", manifest=manifest,
                         durations=MINI_DURATIONS, progress=False)


def test_install_melspecs_skips_macos_junk(tmp_path):
    tgz = build_melspec_tgz(tmp_path / "m.tgz", small_arrays(), extra_members=[
        (_file_member("melspecs/._0001_alpha-mel.npy", 5), b"\0" * 5),
        (_file_member("melspecs/.DS_Store", 3), b"abc")])
    install_melspecs(tgz, root=tmp_path / "data", durations=MINI_DURATIONS, progress=False)
    assert not list((tmp_path / "data").rglob("._*")) and not list((tmp_path / "data").rglob(".DS_Store"))


def test_disk_full_while_extracting_is_a_clear_error(tmp_path, monkeypatch):
    import errno
    import shutil

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfileobj", full)
    tgz = build_melspec_tgz(tmp_path / "m.tgz", small_arrays())
    with pytest.raises(DownloadError, match="disk full"):
        install_melspecs(tgz, root=tmp_path / "data", durations=MINI_DURATIONS, progress=False)
    assert not (tmp_path / "data").exists() or list((tmp_path / "data").rglob("*")) == []
