"""Tests of helpers.fetch.download: from a local HTTP server, with redirects, errors, breaks, resuming.

Everything runs offline (see tests/test_fetch.py); tests that need ../shared are marked
``shared`` and skip when it is absent.
"""

from __future__ import annotations

import copy
import hashlib
import json
import socket
from pathlib import Path

import pytest

from helpers import fetch
from helpers.errors import DownloadError, ParameterError
from helpers.fetch import MARKER_NAME, fetch_annotations, fetch_melspecs, load_manifest, status
from helpers.fetch.download import discard_download, download

from .conftest import HARMONIX
from .test_fetch import (  # the local HTTP server, archive builders and fixtures
    _fast_and_isolated,  # noqa: F401  (a fixture)
    COMMIT,
    MINI_DURATIONS,
    FileServer,
    build_melspec_tgz,
    leftovers,
    mini,  # noqa: F401  (a fixture)
    real_mirror,  # noqa: F401  (a fixture)
    small_arrays,
)


def test_redirects_are_followed(tmp_path, mini):
    manifest, body, _ = mini
    with FileServer({"/archive/x.tar.gz": "/codeload/x.tar.gz", "/codeload/x.tar.gz": body}) as srv:
        fetch_annotations(url=srv.url("/archive/x.tar.gz"), root=tmp_path / "data",
                          manifest=manifest, progress=False)
    assert [r[0] for r in srv.requests] == ["/archive/x.tar.gz", "/codeload/x.tar.gz"]


def test_env_var_overrides_the_url(tmp_path, mini, monkeypatch):
    manifest, body, _ = mini
    with FileServer({"/mirror.tgz": body}) as srv:
        monkeypatch.setenv(fetch.ANNOTATIONS_URL_ENV, srv.url("/mirror.tgz"))
        fetch_annotations(root=tmp_path / "data", manifest=manifest, progress=False)
        assert srv.requests[0][0] == "/mirror.tgz"


def test_http_404_is_a_clear_error_and_leaves_nothing(tmp_path, mini):
    manifest, _, _ = mini
    root = tmp_path / "data"
    with FileServer({}) as srv:
        with pytest.raises(DownloadError, match="HTTP 404") as err:
            fetch_annotations(url=srv.url("/missing.tar.gz"), root=root, manifest=manifest,
                              progress=False)
        assert len(srv.requests) == 1  # a 404 is not retried
    assert "missing.tar.gz" in str(err.value)
    assert not root.exists() or list(root.rglob("*")) == []


def test_unreachable_server_is_a_clear_error(tmp_path, mini):
    manifest, _, _ = mini
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DownloadError, match="127.0.0.1"):
        fetch_annotations(url=f"http://127.0.0.1:{port}/x.tgz", root=tmp_path / "data",
                          manifest=manifest, progress=False, attempts=2)
    assert leftovers(tmp_path / "data") == []


def test_unsupported_url_scheme(tmp_path, mini):
    with pytest.raises(ParameterError, match="ftp"):
        fetch_annotations(url="ftp://example.org/x.tgz", root=tmp_path, manifest=mini[0])


def test_interrupted_download_resumes_with_range(tmp_path, mini):
    manifest, body, _ = mini
    root = tmp_path / "data"
    with FileServer({"/a.tgz": body}, cut=1) as srv:
        fetch_annotations(url=srv.url("/a.tgz"), root=root, manifest=manifest, progress=False)
    assert srv.requests[0][1] is None
    offset = int(srv.requests[1][1].removeprefix("bytes=").rstrip("-"))
    assert offset == len(body) // 2  # asked only for the rest
    assert status(root, manifest=manifest, verify=True)[0].state == "present"
    assert leftovers(root) == []


def test_interrupted_download_without_range_support_retries_cleanly(tmp_path, mini):
    manifest, body, _ = mini
    root = tmp_path / "data"
    with FileServer({"/a.tgz": body}, cut=2, ranges=False) as srv:
        fetch_annotations(url=srv.url("/a.tgz"), root=root, manifest=manifest, progress=False)
    assert len(srv.requests) == 3
    assert status(root, manifest=manifest, verify=True)[0].state == "present"
    assert leftovers(root) == []


def test_download_that_never_completes_leaves_no_half_file_in_place(tmp_path, mini):
    manifest, body, _ = mini
    root = tmp_path / "data"
    with FileServer({"/a.tgz": body}, cut=-1, ranges=False) as srv:
        with pytest.raises(DownloadError, match="failed after 3 attempts"):
            fetch_annotations(url=srv.url("/a.tgz"), root=root, manifest=manifest,
                              progress=False, attempts=3)
    assert not (root / "harmonix" / "dataset").exists()
    assert leftovers(root) == []  # no range support: nothing worth keeping
    assert status(root, manifest=manifest)[0].state == "missing"


def test_partial_download_is_kept_for_the_next_run_when_resumable(tmp_path, mini):
    manifest, body, _ = mini
    root = tmp_path / "data"
    with FileServer({"/a.tgz": body}, cut=-1) as srv:
        with pytest.raises(DownloadError, match="resumes"):
            fetch_annotations(url=srv.url("/a.tgz"), root=root, manifest=manifest,
                              progress=False, attempts=1)
    parts = list((root / "harmonix").glob(".download-*.part"))
    assert len(parts) == 1 and parts[0].stat().st_size == len(body) // 2
    assert not (root / "harmonix" / "dataset").exists()
    assert status(root, manifest=manifest)[0].state == "missing"
    url = srv.url("/a.tgz")  # the same address, served again: the next run resumes
    with FileServer({"/a.tgz": body}, port=srv.httpd.server_address[1]) as srv:
        fetch_annotations(url=url, root=root, manifest=manifest, progress=False)
    assert srv.requests == [("/a.tgz", f"bytes={len(body) // 2}-")]
    assert status(root, manifest=manifest, verify=True)[0].state == "present"
    assert leftovers(root) == []


@pytest.mark.shared
def test_fetch_real_annotations_from_a_local_mirror(tmp_path, real_mirror):
    root = tmp_path / "data"
    with FileServer({f"/{COMMIT}.tar.gz": real_mirror}, cut=1) as srv:
        report = fetch_annotations(url=srv.url(f"/{COMMIT}.tar.gz"), root=root, progress=True)
    assert report.files == 7 * 912 + 2
    assert srv.requests[1][1] == f"bytes={len(real_mirror) // 2}-"  # resumed after the cut
    line = status(root, verify=True)[0]
    assert line.state == "present", line.detail
    assert line.found["dataset/beats_and_downbeats"] == 912
    assert (root / "harmonix/dataset/beats_and_downbeats/0001_12step.txt").read_bytes() == \
        (HARMONIX / "dataset/beats_and_downbeats/0001_12step.txt").read_bytes()
    assert leftovers(root) == []


# --------------------------------------------------------------------------------------------
# fetch melspecs: the same verified install as install-melspecs, after a resumable download
# --------------------------------------------------------------------------------------------

MEL_PATH = "/dl/Harmonix_melspecs.tgz"


@pytest.fixture
def mel(tmp_path):
    """(manifest expecting the 3 mini arrays, the archive's bytes) of a small melspecs set."""
    manifest = copy.deepcopy(load_manifest())
    manifest["datasets"]["melspecs"]["expected"]["arrays"] = 3
    body = build_melspec_tgz(tmp_path / "served.tgz", small_arrays()).read_bytes()
    return manifest, body


def _no_download_files(root: Path) -> bool:
    return not list(root.rglob(".download-*")) and not list(root.rglob("tmp*"))


def test_fetch_melspecs_downloads_verifies_and_installs(tmp_path, mel):
    manifest, body = mel
    root = tmp_path / "data"
    with FileServer({MEL_PATH: body}) as srv:
        report = fetch_melspecs(url=srv.url(MEL_PATH), root=root, manifest=manifest,
                                durations=MINI_DURATIONS, progress=True)
    assert srv.requests == [(MEL_PATH, None)]
    target = root / "harmonix/melspecs"
    assert report.path == target and report.files == 4 and report.source == srv.url(MEL_PATH)
    assert sorted(p.name for p in target.iterdir()) == sorted(
        [f"{t}-mel.npy" for t in MINI_DURATIONS] + ["info.json", MARKER_NAME])
    marker = json.loads((target / MARKER_NAME).read_text())
    assert marker["source"] == srv.url(MEL_PATH) and marker["checked_against_durations"] is True
    line = next(x for x in status(root, manifest=manifest, verify=True) if x.name == "melspecs")
    assert line.state == "present", line.detail
    assert leftovers(root) == [] and _no_download_files(root)
    with FileServer({MEL_PATH: body}) as srv:  # complete: nothing is downloaded again
        again = fetch_melspecs(url=srv.url(MEL_PATH), root=root, manifest=manifest, progress=False)
    assert again.already_present and srv.requests == []


def test_fetch_melspecs_resumes_after_a_break_in_the_same_run(tmp_path, mel):
    manifest, body = mel
    with FileServer({MEL_PATH: body}, cut=1) as srv:
        fetch_melspecs(url=srv.url(MEL_PATH), root=tmp_path / "data", manifest=manifest,
                       durations=MINI_DURATIONS, progress=False)
    assert srv.requests == [(MEL_PATH, None), (MEL_PATH, f"bytes={len(body) // 2}-")]
    assert (tmp_path / "data/harmonix/melspecs" / MARKER_NAME).is_file()
    assert _no_download_files(tmp_path / "data")


def test_fetch_melspecs_resumes_in_the_next_run_and_verifies_the_joined_file(tmp_path, mel):
    """The server breaks every download half-way: the run fails, keeping the half it got; the
    next run asks only for the rest, and the joined file has exactly the archive's sha256."""
    manifest, body = mel
    manifest["datasets"]["melspecs"]["source"]["sha256"] = hashlib.sha256(body).hexdigest()
    root = tmp_path / "data"
    with FileServer({MEL_PATH: body}, cut=-1) as srv:
        with pytest.raises(DownloadError, match="failed after 2 attempts.*running the command "
                                                "again resumes it"):
            fetch_melspecs(url=srv.url(MEL_PATH), root=root, manifest=manifest,
                           durations=MINI_DURATIONS, progress=False, attempts=2)
        port = srv.httpd.server_address[1]
    part = root / "harmonix/.download-Harmonix_melspecs.tgz.part"
    assert part.read_bytes() == body[: len(body) // 2 + len(body) // 4]  # half, then half the rest
    assert not (root / "harmonix/melspecs").exists()
    assert next(x for x in status(root, manifest=manifest) if x.name == "melspecs").state == "missing"
    with FileServer({MEL_PATH: body}, port=port) as srv:  # the same address, now working
        fetch_melspecs(url=srv.url(MEL_PATH), root=root, manifest=manifest,
                       durations=MINI_DURATIONS, progress=False)
    assert srv.requests == [(MEL_PATH, f"bytes={len(body) // 2 + len(body) // 4}-")]
    line = next(x for x in status(root, manifest=manifest, verify=True) if x.name == "melspecs")
    assert line.state == "present", line.detail
    assert leftovers(root) == [] and _no_download_files(root)


def test_fetch_melspecs_refuses_a_file_with_another_sha256(tmp_path, mel):
    manifest, body = mel
    wrong, right = "0" * 64, hashlib.sha256(body).hexdigest()
    manifest["datasets"]["melspecs"]["source"]["sha256"] = wrong
    root = tmp_path / "data"
    with FileServer({MEL_PATH: body}) as srv:
        with pytest.raises(DownloadError, match=f"sha256 {right} differs from the manifest's "
                                                f"{wrong}.*nothing was installed"):
            fetch_melspecs(url=srv.url(MEL_PATH), root=root, manifest=manifest,
                           durations=MINI_DURATIONS, progress=False)
        assert [p for p in root.rglob("*") if p.is_file()] == []  # no partial download kept
        manifest["datasets"]["melspecs"]["source"]["sha256"] = right
        fetch_melspecs(url=srv.url(MEL_PATH), root=root, manifest=manifest,
                       durations=MINI_DURATIONS, progress=False)
    assert (root / "harmonix/melspecs" / MARKER_NAME).is_file()


def test_fetch_melspecs_checks_the_content_before_installing(tmp_path, mel):
    manifest, _ = mel
    arrays = small_arrays()
    arrays["0002_beta"] = arrays["0002_beta"][:500]  # a truncated array inside a whole archive
    bad = build_melspec_tgz(tmp_path / "bad.tgz", arrays).read_bytes()
    root = tmp_path / "data"
    with FileServer({MEL_PATH: bad}) as srv:
        with pytest.raises(DownloadError, match=r"dl/Harmonix_melspecs.tgz: verification failed: "
                                                r"0002_beta-mel.npy: is truncated"):
            fetch_melspecs(url=srv.url(MEL_PATH), root=root, manifest=manifest,
                           durations=MINI_DURATIONS, progress=False)
    assert not (root / "harmonix/melspecs").exists() and _no_download_files(root)
    assert leftovers(root) == []


def test_melspecs_url_comes_from_the_environment_for_a_mirror(tmp_path, mel, monkeypatch):
    manifest, body = mel
    with FileServer({"/mirror.tgz": body}) as srv:
        monkeypatch.setenv(fetch.MELSPECS_URL_ENV, srv.url("/mirror.tgz"))
        report = fetch_melspecs(root=tmp_path / "data", manifest=manifest,
                                durations=MINI_DURATIONS, progress=False)
        assert srv.requests == [("/mirror.tgz", None)] and report.source == srv.url("/mirror.tgz")
        with pytest.raises(DownloadError, match=r"HTTP 404 .*/elsewhere.tgz.*--url or "
                                                r"\$HELPERS_MELSPECS_URL"):
            fetch_melspecs(url=srv.url("/elsewhere.tgz"), root=tmp_path / "data2",
                           manifest=manifest, progress=False)  # --url wins over the variable


def test_download_returns_the_complete_file_and_discard_removes_everything(tmp_path):
    body = bytes(range(256)) * 1000
    part = tmp_path / ".download-x.bin.part"
    with FileServer({"/x.bin": body}, cut=2) as srv:
        path = download(srv.url("/x.bin"), part, sha256=hashlib.sha256(body).hexdigest(),
                        progress=False)
    assert path.read_bytes() == body and path.parent == tmp_path / ".download-x.bin.pooch"
    assert [r[1] for r in srv.requests] == [None, f"bytes={len(body) // 2}-",
                                             f"bytes={len(body) // 2 + len(body) // 4}-"]
    assert not part.exists()
    discard_download(part)
    assert list(tmp_path.iterdir()) == []


def test_a_partial_file_of_another_address_is_not_resumed(tmp_path):
    body = b"the right file " * 1000
    part = tmp_path / ".download-x.bin.part"
    with FileServer({"/old.bin": b"another file " * 1000}, cut=-1) as srv:
        with pytest.raises(DownloadError, match="is kept"):
            download(srv.url("/old.bin"), part, progress=False, attempts=1)
    assert part.exists()
    with FileServer({"/x.bin": body}) as srv:
        path = download(srv.url("/x.bin"), part, progress=False)
    assert srv.requests == [("/x.bin", None)] and path.read_bytes() == body
