"""Tests of helpers.fetch as a whole: the ``python -m helpers data ...`` commands; and the
test equipment of every tests/test_fetch_*.py module.

The tests of each job are beside this file: test_fetch_manifest.py, test_fetch_verify.py,
test_fetch_download.py, test_fetch_archive.py and test_fetch_install.py (which also covers
helpers.fetch.state). They import from here a local HTTP server (``FileServer``: Range
support and fault injection), archive builders and the ``mini`` fixture.

Everything runs offline: downloads come from the local server on 127.0.0.1, archives are built
in tmp_path, and every data root is a tmp_path. Tests that need ../shared (the real Harmonix
annotations and real mel-spectrograms) are marked ``shared`` and skip when it is absent.
"""

from __future__ import annotations

import copy
import hashlib
import http.server
import io
import json
import socket
import tarfile
import threading
from pathlib import Path

import numpy as np
import pytest
import yaml

from helpers import fetch
from helpers.errors import HelpersError
from helpers.fetch import load_manifest, tree_digest

from .conftest import HARMONIX

COMMIT = "e35da7accdf6155c87640160ddf9199da6d10493"
PREFIX = f"harmonixset-{COMMIT}"


PARAMS = {"SR": 22050, "N_MELS": 80, "N_FFT": 2048, "HOP_LENGTH": 1024, "MEL_FMIN": 0,
          "MEL_FMAX": None}
INFO = {"librosa_version": "0.7.0", "numpy_version": "1.17.2", **PARAMS}


@pytest.fixture(autouse=True)
def _fast_and_isolated(monkeypatch, tmp_path):
    """No retry pauses; never the real data folder; never the real URL."""
    monkeypatch.setattr(fetch.download, "RETRY_BACKOFF_S", (0.0,))
    monkeypatch.setenv("HELPERS_DATA_DIR", str(tmp_path / "env-root"))
    monkeypatch.setenv(fetch.ANNOTATIONS_URL_ENV, "http://127.0.0.1:9/not-used")
    monkeypatch.setenv(fetch.MELSPECS_URL_ENV, "http://127.0.0.1:9/not-used")


# --------------------------------------------------------------------------------------------
# A local HTTP server with Range support and faults
# --------------------------------------------------------------------------------------------

class FileServer:
    """Serve ``files[path] = bytes`` on 127.0.0.1.

    ``cut`` = number of first responses that close the connection half-way through the body
    (``-1``: all of them); ``ranges`` = honour ``Range`` (else always 200 with the full body).
    ``requests`` logs (path, Range header) of every request.
    """

    def __init__(self, files: dict[str, bytes], *, cut: int = 0, ranges: bool = True,
                 port: int = 0):
        self.files, self.cut, self.ranges = files, cut, ranges
        self.requests: list[tuple[str, str | None]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                rng = self.headers.get("Range")
                server.requests.append((self.path, rng))
                body = server.files.get(self.path)
                if isinstance(body, str):  # a redirect, as github.com -> codeload.github.com
                    self.send_response(302)
                    self.send_header("Location", body)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                start, code = 0, 200
                if rng and server.ranges:
                    if_range = self.headers.get("If-Range")
                    if if_range is None or if_range == etag:
                        start = int(rng.removeprefix("bytes=").split("-")[0])
                        if start >= len(body):
                            self.send_response(416)
                            self.send_header("Content-Range", f"bytes */{len(body)}")
                            self.send_header("Content-Length", "0")
                            self.end_headers()
                            return
                        code = 206
                payload = body[start:]
                self.send_response(code)
                self.send_header("Content-Type", "application/x-gzip")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("ETag", etag)
                if server.ranges:
                    self.send_header("Accept-Ranges", "bytes")
                if code == 206:
                    self.send_header("Content-Range",
                                     f"bytes {start}-{len(body) - 1}/{len(body)}")
                self.end_headers()
                if server.cut != 0:
                    server.cut -= 1 if server.cut > 0 else 0
                    self.wfile.write(payload[: max(len(payload) // 2, 1)])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(payload)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


# --------------------------------------------------------------------------------------------
# Archive builders
# --------------------------------------------------------------------------------------------

def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def build_github_tarball(src: Path, out: Path, *, tamper: dict[str, bytes] | None = None,
                         extra: dict[str, bytes] | None = None) -> Path:
    """A GitHub-like archive of ``src``: one top folder ``harmonixset-<commit>/``, a pax global
    header with the commit, plus upstream files the course does not use (must be skipped)."""
    tamper = tamper or {}
    extra = {"README.md": b"# The Harmonix Set\n", "dataset/jams/0001_12step.jams": b"{}",
             "results/beats/Bock 1.csv": b"File,F-measure\n", "dataset/.DS_Store": b"\0\1",
             **(extra or {})}
    with tarfile.open(out, "w:gz", compresslevel=1, format=tarfile.PAX_FORMAT,
                      pax_headers={"comment": COMMIT}) as tar:
        root = tarfile.TarInfo(PREFIX)
        root.type, root.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(root)
        for path in sorted(src.rglob("*")):
            rel = path.relative_to(src).as_posix()
            if path.is_dir():
                info = tarfile.TarInfo(f"{PREFIX}/{rel}")
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            elif rel != "SOURCE.md":
                _add_bytes(tar, f"{PREFIX}/{rel}", tamper.get(rel, path.read_bytes()))
        for rel, data in extra.items():
            _add_bytes(tar, f"{PREFIX}/{rel}", data)
    return out


def make_mini_source(base: Path, durations: dict[str, float]) -> Path:
    """A tiny upstream-like tree (dataset/, results/, LICENSE) for fast tests."""
    src = base / "mini-src"
    for tid, dur in durations.items():
        beats = np.arange(0.25, dur - 0.1, 0.5)
        lines = [f"{t:.6f}\t{i % 4 + 1}\t{i // 4 + 1}" for i, t in enumerate(beats)]
        (src / "dataset/beats_and_downbeats").mkdir(parents=True, exist_ok=True)
        (src / f"dataset/beats_and_downbeats/{tid}.txt").write_text("\n".join(lines) + "\n")
        (src / "dataset/segments").mkdir(parents=True, exist_ok=True)
        (src / f"dataset/segments/{tid}.txt").write_text(f"0.0 intro\n{dur / 2:.3f} verse\n")
        (src / "results/beats/Ellis").mkdir(parents=True, exist_ok=True)
        (src / f"results/beats/Ellis/{tid}.txt").write_text(
            "\n".join(f"{t + 0.01:.2f}" for t in beats) + "\n")
    header = "File,Title,Artist,Release,Duration,BPM,Ratio Bars in 4,Time Signature,Genre,MusicBrainz Id,Acoustid Id\n"
    rows = [f"{tid},T {tid},A,R,{dur},120,100.0,4|4,Pop,," for tid, dur in durations.items()]
    (src / "dataset/metadata.csv").write_text(header + "\n".join(rows) + "\n")
    (src / "LICENSE").write_text("MIT License\n")
    return src


def mini_manifest(src: Path) -> dict:
    """The real manifest with the annotation trees replaced by ``src``'s (digests computed)."""
    manifest = copy.deepcopy(load_manifest())
    ann = manifest["datasets"]["annotations"]
    trees = []
    for sub, parse in [("dataset/beats_and_downbeats", "beats"), ("dataset/segments", "segments"),
                       ("results/beats/Ellis", "times")]:
        digest, n = tree_digest(src / sub, "*.txt")
        trees.append({"from": sub, "to": sub, "pattern": "*.txt", "count": n, "digest": digest,
                      "parse": parse})
    ann["trees"] = trees
    n_rows = len((src / "dataset/metadata.csv").read_text().splitlines()) - 1
    ann["files"] = [
        {"from": "dataset/metadata.csv", "to": "dataset/metadata.csv", "rows": n_rows,
         "sha256": fetch.file_sha256(src / "dataset/metadata.csv")},
        {"from": "LICENSE", "to": "dataset/LICENSE", "sha256": fetch.file_sha256(src / "LICENSE")},
    ]
    return manifest


MINI_DURATIONS = {"0001_alpha": 3.0, "0002_beta": 4.5, "0003_gamma": 2.2}


@pytest.fixture
def mini(tmp_path):
    """(manifest, tarball bytes, source dir) of a 3-track annotation set."""
    src = make_mini_source(tmp_path, MINI_DURATIONS)
    # a large incompressible file the installer must skip makes the body worth resuming
    rng = np.random.default_rng(0)
    tgz = build_github_tarball(src, tmp_path / "mini.tar.gz",
                               extra={"dataset/jams/big.bin": rng.bytes(300_000)})
    return mini_manifest(src), tgz.read_bytes(), src


@pytest.fixture(scope="session")
def real_mirror(tmp_path_factory):
    """The GitHub archive of the pinned commit, rebuilt from ../shared/harmonix."""
    if not HARMONIX.is_dir():
        pytest.skip("../shared/harmonix absent")
    out = tmp_path_factory.mktemp("mirror") / f"{COMMIT}.tar.gz"
    return build_github_tarball(HARMONIX, out).read_bytes()


def leftovers(root: Path) -> list[str]:
    """Hidden staging/old/partial entries anywhere under root (must be none after any run)."""
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.name.startswith((".staging-", ".old-", ".download-")))


def n_frames_for(duration_s: float) -> int:
    return 1 + int(duration_s * 22050 // 1024)


def mel_npy(n_frames: int, seed: int = 0, **kw) -> bytes:
    arr = np.random.default_rng(seed).random((80, n_frames), dtype=np.float32)
    buf = io.BytesIO()
    np.save(buf, arr, **kw)
    return buf.getvalue()


def build_melspec_tgz(out: Path, arrays: dict[str, bytes], *, info: dict | bytes | None = INFO,
                      folder: str = "melspecs", extra_members=()) -> Path:
    """A tgz like Harmonix_melspecs.tgz: ``folder/info.json`` and ``folder/<id>-mel.npy``."""
    with tarfile.open(out, "w:gz", compresslevel=1) as tar:
        prefix = f"{folder}/" if folder else ""
        if folder:
            d = tarfile.TarInfo(folder)
            d.type, d.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(d)
        if info is not None:
            _add_bytes(tar, prefix + "info.json",
                       info if isinstance(info, bytes) else json.dumps(info).encode())
        for tid, data in arrays.items():
            _add_bytes(tar, f"{prefix}{tid}-mel.npy", data)
        for member, data in extra_members:
            tar.addfile(member, None if data is None else io.BytesIO(data))
    return out


def small_arrays(durations=MINI_DURATIONS) -> dict[str, bytes]:
    return {tid: mel_npy(n_frames_for(d), seed=i) for i, (tid, d) in enumerate(durations.items())}


def _file_member(name: str, size: int) -> tarfile.TarInfo:
    m = tarfile.TarInfo(name)
    m.size, m.mode = size, 0o644
    return m


def _special(name: str, kind: bytes, linkname: str = "") -> tarfile.TarInfo:
    m = tarfile.TarInfo(name)
    m.type, m.linkname, m.mode = kind, linkname, 0o644
    if kind in (tarfile.CHRTYPE, tarfile.BLKTYPE):
        m.devmajor, m.devminor = 1, 3
    return m


def _npy(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr)
    return buf.getvalue()


# --------------------------------------------------------------------------------------------
# The command (what `python -m helpers data ...` runs)
# --------------------------------------------------------------------------------------------

def data_command(argv, *, debug=False) -> int:
    """``python -m helpers [--debug] data ARGV``, in this process."""
    from helpers.cli import main

    return main((["--debug"] if debug else []) + ["data", *argv])


def test_command_status_prints_the_exact_commands(tmp_path, capsys):
    assert data_command(["--root", str(tmp_path / "data"), "status"]) == 0
    out = capsys.readouterr().out
    assert "python -m helpers data fetch annotations" in out
    assert "to get it: python -m helpers data fetch melspecs" in out  # one command per data set
    assert "python -m helpers data install-melspecs PATH/Harmonix_melspecs.tgz" in out  # by hand
    assert "dropbox.com" in out and "resumes" in out and "python -m helpers demo" in out
    assert "MISSING" in out and str(tmp_path / "data") in out


def test_command_errors_are_one_line_without_traceback(tmp_path, capsys):
    code = data_command(["--root", str(tmp_path), "install-melspecs", str(tmp_path / "no.tgz")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and "Traceback" not in err
    assert err.count("\n") == 1
    with FileServer({}) as srv:
        code = data_command(["--root", str(tmp_path), "--quiet", "fetch", "annotations",
                                 "--url", srv.url("/gone.tgz")])
    err = capsys.readouterr().err
    assert code == 2 and "HTTP 404" in err and "Traceback" not in err
    with pytest.raises(HelpersError):
        data_command(["--root", str(tmp_path), "install-melspecs", "no.tgz"], debug=True)


def test_command_usage_errors(capsys):
    assert data_command(["fetch", "everything"]) == 2
    assert data_command(["frobnicate"]) == 2
    assert data_command(["--help"]) == 0
    assert "install-melspecs" in capsys.readouterr().out


def test_command_install_melspecs_and_fetch(tmp_path, capsys, mini, monkeypatch):
    manifest, body, _ = mini
    monkeypatch.setattr(fetch.manifest, "MANIFEST_PATH", tmp_path / "m.yaml")
    manifest = {k: v for k, v in manifest.items() if k != "_path"}
    manifest["datasets"]["melspecs"]["expected"]["arrays"] = 3
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(manifest))
    root = str(tmp_path / "data")
    with FileServer({"/a.tgz": body}) as srv:
        assert data_command(["--root", root, "--quiet", "fetch", "annotations", "--url",
                                 srv.url("/a.tgz")]) == 0
    assert "annotations: installed 11 verified files" in capsys.readouterr().out
    tgz = build_melspec_tgz(tmp_path / "m.tgz", small_arrays())
    assert data_command(["--root", root, "--quiet", "install-melspecs", str(tgz)]) == 0
    assert "melspecs: installed 4 verified files" in capsys.readouterr().out
    assert data_command(["--root", root, "install-melspecs", str(tgz)]) == 0
    assert "already installed" in capsys.readouterr().out
    assert data_command(["--root", root, "status", "--verify"]) == 0
    out = capsys.readouterr().out
    assert out.count("PRESENT") == 2 and "demo" in out


def test_command_fetch_melspecs_from_a_mirror(tmp_path, capsys, monkeypatch):
    manifest = {k: v for k, v in load_manifest().items() if k != "_path"}
    manifest["datasets"]["melspecs"]["expected"]["arrays"] = 3
    monkeypatch.setattr(fetch.manifest, "MANIFEST_PATH", tmp_path / "m.yaml")
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(manifest))
    body = build_melspec_tgz(tmp_path / "m.tgz", small_arrays()).read_bytes()
    root = str(tmp_path / "data")
    with FileServer({"/mirror/Harmonix_melspecs.tgz": body}, cut=1) as srv:
        assert data_command(["--root", root, "--quiet", "fetch", "melspecs", "--url",
                             srv.url("/mirror/Harmonix_melspecs.tgz")]) == 0
    out = capsys.readouterr().out
    assert "melspecs: installed 4 verified files" in out
    assert "checked by count only" in out  # no annotations yet: said so, with the fix
    assert srv.requests[1] == ("/mirror/Harmonix_melspecs.tgz", f"bytes={len(body) // 2}-")
    assert data_command(["--root", root, "status", "--verify"]) == 0
    assert "melspecs     PRESENT" in capsys.readouterr().out
    with FileServer({}) as srv:  # a dead mirror: one line naming the address and the fix
        code = data_command(["--root", root, "--quiet", "fetch", "melspecs", "--force", "--url",
                             srv.url("/gone.tgz")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "HTTP 404" in err and "/gone.tgz" in err
    assert "$HELPERS_MELSPECS_URL" in err
    assert [p.name for p in (tmp_path / "data/harmonix").iterdir()] == ["melspecs"]  # as before
