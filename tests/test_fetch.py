"""Tests of helpers.fetch: data_manifest.yaml, status, download, safe install.

Everything runs offline: downloads come from a local HTTP server on 127.0.0.1 (with Range
support and fault injection), archives are built in tmp_path, and every data root is a
tmp_path. Tests that need ../shared (the real Harmonix annotations and real mel-spectrograms)
are marked ``shared`` and skip when it is absent.
"""

from __future__ import annotations

import copy
import hashlib
import http.server
import io
import json
import os
import socket
import tarfile
import threading
from pathlib import Path

import numpy as np
import pytest
import yaml

from helpers import fetch, files
from helpers.errors import DataError, DataMissingError, DownloadError, HelpersError, OutputError, ParameterError
from helpers.fetch import (
    MARKER_NAME,
    check_melspec_dir,
    fetch_annotations,
    install_melspecs,
    load_manifest,
    status,
    tree_digest,
)

from .conftest import HARMONIX, REALMEL, SHARED  # noqa: E402  (../shared beside the repository)
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


# --------------------------------------------------------------------------------------------
# The manifest
# --------------------------------------------------------------------------------------------

def test_manifest_holds_the_facts_the_course_relies_on():
    m = load_manifest()
    ann, mel, demo = (m["datasets"][k] for k in ("annotations", "melspecs", "demo"))
    assert ann["source"]["url"] == f"https://github.com/urinieto/harmonixset/archive/{COMMIT}.tar.gz"
    assert ann["source"]["commit"] == COMMIT and ann["licence"] == "MIT"
    assert "Nieto" in ann["citation"] and "Egozy" in ann["citation"] and "2019" in ann["citation"]
    assert ann["source"]["sha256"] is None and "GitHub" in ann["source"]["sha256_reason"]
    assert [t["count"] for t in ann["trees"]] == [912] * 7
    systems = {t["from"].rsplit("/", 1)[-1] for t in ann["trees"] if t["from"].startswith("results/")}
    assert systems == {"Ellis", "Korzeniowski", "Krebs", "Bock_1", "Bock_2"}
    assert {f["to"]: f.get("rows") for f in ann["files"]}["dataset/metadata.csv"] == 912
    assert mel["parameters"] == PARAMS
    assert mel["expected"]["arrays"] == 912 and mel["source"]["sha256"] is None
    assert mel["source"]["sha256_reason"] and mel["source"]["file_name"] == "Harmonix_melspecs.tgz"
    assert 1 <= mel["frames_tolerance"] <= 5
    assert demo["kind"] == "generated" and "helpers demo" in demo["get"]


@pytest.mark.parametrize("mutate, key", [
    (lambda m: m["datasets"]["annotations"]["trees"][0].pop("digest"),
     "datasets.annotations.trees[0].digest"),
    (lambda m: m["datasets"]["annotations"]["trees"][1].__setitem__("count", "912"),
     "datasets.annotations.trees[1].count"),
    (lambda m: m["datasets"]["annotations"]["trees"][0].__setitem__("to", "../escape"),
     "datasets.annotations.trees[0].to"),
    (lambda m: m["datasets"]["melspecs"]["parameters"].pop("HOP_LENGTH"),
     "datasets.melspecs.parameters.HOP_LENGTH"),
    (lambda m: m["datasets"]["annotations"]["source"].pop("sha256"),
     "datasets.annotations.source.sha256"),
    (lambda m: m["datasets"]["demo"].__setitem__("kind", "magic"), "datasets.demo.kind"),
    (lambda m: m.pop("marker"), "manifest.marker"),
])
def test_manifest_schema_errors_name_the_file_and_key(tmp_path, mutate, key):
    m = yaml.safe_load(fetch.MANIFEST_PATH.read_text())
    mutate(m)
    path = tmp_path / "bad_manifest.yaml"
    path.write_text(yaml.safe_dump(m))
    with pytest.raises(DataError) as err:
        load_manifest(path)
    assert str(path) in str(err.value) and key in str(err.value)


def test_manifest_missing_or_not_yaml(tmp_path):
    with pytest.raises(DataMissingError, match="not found"):
        load_manifest(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("datasets: [unclosed\n")
    with pytest.raises(DataError, match="not valid YAML"):
        load_manifest(bad)


# --------------------------------------------------------------------------------------------
# Tree digest
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# fetch annotations (mini set: fast, no ../shared needed)
# --------------------------------------------------------------------------------------------

def test_fetch_installs_verifies_and_status_changes(tmp_path, mini):
    manifest, body, _ = mini
    root = tmp_path / "data"
    before = {line.name: line for line in status(root, manifest=manifest)}
    assert before["annotations"].state == "missing"
    assert before["annotations"].command == "python -m helpers data fetch annotations"
    with FileServer({"/a.tar.gz": body}) as srv:
        report = fetch_annotations(url=srv.url("/a.tar.gz"), root=root, manifest=manifest,
                                   progress=False)
    assert report.files == 3 * 3 + 2 and not report.already_present
    h = root / "harmonix"
    assert sorted(p.name for p in (h / "dataset/beats_and_downbeats").iterdir()) == \
        [f"{t}.txt" for t in MINI_DURATIONS]
    assert (h / "dataset/LICENSE").is_file() and (h / "dataset/metadata.csv").is_file()
    assert not (h / "dataset/jams").exists() and not (h / "README.md").exists()  # not selected
    assert not list(h.rglob(".DS_Store")) and not (h / "results/beats/Bock 1.csv").exists()
    for part in ("dataset", "results"):
        marker = json.loads((h / part / MARKER_NAME).read_text())
        assert marker["dataset"] == "annotations" and marker["commit"] == COMMIT
    assert leftovers(root) == []
    after = {line.name: line for line in status(root, manifest=manifest, verify=True)}
    assert after["annotations"].state == "present", after["annotations"].detail
    assert after["melspecs"].state == "missing"
    assert not (h / MARKER_NAME).exists()  # harmonix/ as a whole is not complete yet


def test_fetch_again_is_a_no_op_unless_forced(tmp_path, mini):
    manifest, body, _ = mini
    root = tmp_path / "data"
    with FileServer({"/a.tar.gz": body}) as srv:
        fetch_annotations(url=srv.url("/a.tar.gz"), root=root, manifest=manifest, progress=False)
        n = len(srv.requests)
        again = fetch_annotations(url=srv.url("/a.tar.gz"), root=root, manifest=manifest,
                                  progress=False)
        assert again.already_present and len(srv.requests) == n
        forced = fetch_annotations(url=srv.url("/a.tar.gz"), root=root, manifest=manifest,
                                   progress=False, force=True)
        assert not forced.already_present and len(srv.requests) == n + 1
    assert leftovers(root) == []


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


def test_root_defaults_to_helpers_data_dir(tmp_path, mini):
    manifest, body, _ = mini
    with FileServer({"/a.tgz": body}) as srv:
        report = fetch_annotations(url=srv.url("/a.tgz"), manifest=manifest, progress=False)
    assert report.path == (tmp_path / "env-root" / "harmonix").resolve()


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


def test_tampered_file_is_refused_naming_the_tree_and_digest(tmp_path, mini):
    manifest, _, src = mini
    bad = build_github_tarball(src, tmp_path / "bad.tgz", tamper={
        "dataset/beats_and_downbeats/0002_beta.txt": b"0.25\t1\t1\n0.76\t2\t1\n"}).read_bytes()
    root = tmp_path / "data"
    with FileServer({"/a.tgz": bad}) as srv:
        with pytest.raises(DownloadError) as err:
            fetch_annotations(url=srv.url("/a.tgz"), root=root, manifest=manifest, progress=False)
    msg = str(err.value)
    assert "dataset/beats_and_downbeats" in msg and "digest" in msg
    assert manifest["datasets"]["annotations"]["trees"][0]["digest"] in msg
    assert not (root / "harmonix" / "dataset").exists() and leftovers(root) == []


def test_failed_reinstall_leaves_the_previous_install_untouched(tmp_path, mini):
    manifest, body, src = mini
    root = tmp_path / "data"
    bad = build_github_tarball(src, tmp_path / "bad.tgz", tamper={
        "dataset/metadata.csv": b"File,Duration\nx,1\n"}).read_bytes()
    with FileServer({"/good.tgz": body, "/bad.tgz": bad}) as srv:
        fetch_annotations(url=srv.url("/good.tgz"), root=root, manifest=manifest, progress=False)
        snapshot = {p: p.read_bytes() for p in (root / "harmonix").rglob("*") if p.is_file()}
        with pytest.raises(DownloadError, match="metadata.csv"):
            fetch_annotations(url=srv.url("/bad.tgz"), root=root, manifest=manifest,
                              progress=False, force=True)
    assert {p: p.read_bytes() for p in (root / "harmonix").rglob("*") if p.is_file()} == snapshot
    assert status(root, manifest=manifest, verify=True)[0].state == "present"


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


def test_incomplete_install_is_reported_and_repaired(tmp_path, mini):
    manifest, body, _ = mini
    root = tmp_path / "data"
    with FileServer({"/a.tgz": body}) as srv:
        fetch_annotations(url=srv.url("/a.tgz"), root=root, manifest=manifest, progress=False)
        (root / "harmonix/results" / MARKER_NAME).unlink()
        line = status(root, manifest=manifest)[0]
        assert line.state == "incomplete" and "results/" in line.detail
        assert line.command.endswith("--force")
        # without the marker the set is not trusted: a plain fetch reinstalls it
        assert not fetch_annotations(url=srv.url("/a.tgz"), root=root, manifest=manifest,
                                     progress=False).already_present
    assert status(root, manifest=manifest)[0].state == "present"
    (root / "harmonix/dataset/segments/0001_alpha.txt").unlink()
    line = status(root, manifest=manifest)[0]
    assert line.state == "corrupt" and "segments: 2 of 3" in line.detail
    (root / "harmonix/dataset/segments/0001_alpha.txt").write_text("0.0 intro\n")
    assert status(root, manifest=manifest)[0].state == "present"
    assert status(root, manifest=manifest, verify=True)[0].state == "corrupt"


def test_ctrl_c_during_verification_leaves_nothing_in_place(tmp_path, mini, monkeypatch):
    manifest, body, _ = mini
    root = tmp_path / "data"

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(fetch.install, "verify_annotations", interrupt)
    with FileServer({"/a.tgz": body}) as srv:
        with pytest.raises(KeyboardInterrupt):
            fetch_annotations(url=srv.url("/a.tgz"), root=root, manifest=manifest, progress=False)
    assert not (root / "harmonix/dataset").exists() and not list(root.rglob(".staging-*"))


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


def test_a_failed_swap_rolls_back_to_the_previous_install(tmp_path, mini, monkeypatch):
    manifest, body, _ = mini
    root = tmp_path / "data"
    with FileServer({"/a.tgz": body}) as srv:
        fetch_annotations(url=srv.url("/a.tgz"), root=root, manifest=manifest, progress=False)
        before = {p: p.read_bytes() for p in (root / "harmonix").rglob("*") if p.is_file()}
        real_rename = os.rename

        def rename(src, dst):  # moving the new results/ into place fails
            if Path(dst).name == "results" and ".staging-" in str(src):
                raise PermissionError(13, "Permission denied", str(dst))
            return real_rename(src, dst)

        monkeypatch.setattr(files.os, "rename", rename)
        with pytest.raises(OSError):
            fetch_annotations(url=srv.url("/a.tgz"), root=root, manifest=manifest,
                              progress=False, force=True)
    assert {p: p.read_bytes() for p in (root / "harmonix").rglob("*") if p.is_file()} == before
    assert status(root, manifest=manifest, verify=True)[0].state == "present"


def test_stale_staging_from_a_killed_run_is_cleaned(tmp_path, mini):
    manifest, body, _ = mini
    h = tmp_path / "data" / "harmonix"
    (h / ".staging-annotations-dead/dataset").mkdir(parents=True)
    with FileServer({"/a.tgz": body}) as srv:
        fetch_annotations(url=srv.url("/a.tgz"), root=tmp_path / "data", manifest=manifest,
                          progress=False)
    assert leftovers(tmp_path / "data") == []


def test_a_second_install_at_the_same_time_is_refused(tmp_path, mini):
    manifest, body, _ = mini
    root = tmp_path / "data"
    (root / "harmonix").mkdir(parents=True)
    tgz = build_melspec_tgz(tmp_path / "m.tgz", small_arrays())
    with files.exclusive_lock(root / "harmonix"):  # an install in another process holds it
        with pytest.raises(OutputError, match="another install is running"):
            install_melspecs(tgz, root=root, durations=MINI_DURATIONS, progress=False)
        with FileServer({"/a.tgz": body}) as srv:
            with pytest.raises(OutputError, match="another install is running"):
                fetch_annotations(url=srv.url("/a.tgz"), root=root, manifest=manifest, progress=False)
        assert srv.requests == []  # refused before downloading anything
    assert sorted(p.name for p in (root / "harmonix").iterdir()) == []


# --------------------------------------------------------------------------------------------
# fetch annotations from a mirror of the real data (../shared)
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# install-melspecs
# --------------------------------------------------------------------------------------------

def test_install_melspecs_verifies_and_installs(tmp_path):
    tgz = build_melspec_tgz(tmp_path / "Harmonix_melspecs.tgz", small_arrays())
    root = tmp_path / "data"
    report = install_melspecs(tgz, root=root, durations=MINI_DURATIONS, progress=False)
    target = root / "harmonix/melspecs"
    assert report.path == target and report.files == 4
    assert sorted(p.name for p in target.iterdir()) == sorted(
        [f"{t}-mel.npy" for t in MINI_DURATIONS] + ["info.json", MARKER_NAME])
    assert json.loads((target / MARKER_NAME).read_text())["checked_against_durations"] is True
    assert leftovers(root) == []
    again = install_melspecs(tgz, root=root, durations=MINI_DURATIONS, progress=False)
    assert again.already_present is False  # status expects 912 arrays, so 3 are never "present"


@pytest.mark.parametrize("folder", ["melspecs", "Harmonix_melspecs/melspecs", ""])
def test_install_melspecs_finds_the_folder_whatever_its_name(tmp_path, folder):
    tgz = build_melspec_tgz(tmp_path / "m.tgz", small_arrays(), folder=folder)
    install_melspecs(tgz, root=tmp_path / "data", expected_ids=MINI_DURATIONS, progress=False)
    assert (tmp_path / "data/harmonix/melspecs/0001_alpha-mel.npy").is_file()
    assert not (tmp_path / "data/harmonix/melspecs/melspecs").exists()


def test_install_melspecs_skips_macos_junk(tmp_path):
    tgz = build_melspec_tgz(tmp_path / "m.tgz", small_arrays(), extra_members=[
        (_file_member("melspecs/._0001_alpha-mel.npy", 5), b"\0" * 5),
        (_file_member("melspecs/.DS_Store", 3), b"abc")])
    install_melspecs(tgz, root=tmp_path / "data", durations=MINI_DURATIONS, progress=False)
    assert not list((tmp_path / "data").rglob("._*")) and not list((tmp_path / "data").rglob(".DS_Store"))


def test_install_melspecs_uses_installed_annotations_for_ids_and_durations(tmp_path, mini):
    manifest, body, _ = mini
    root = tmp_path / "data"
    with FileServer({"/a.tgz": body}) as srv:
        fetch_annotations(url=srv.url("/a.tgz"), root=root, manifest=manifest, progress=False)
    good = build_melspec_tgz(tmp_path / "good.tgz", small_arrays())
    report = install_melspecs(good, root=root, manifest=manifest, progress=False)
    assert report.notes == []
    marker = json.loads((root / "harmonix/melspecs" / MARKER_NAME).read_text())
    assert marker["checked_against_durations"] is True
    # an array from another track: right shape, wrong length for this track's duration
    arrays = small_arrays()
    arrays["0002_beta"] = mel_npy(n_frames_for(MINI_DURATIONS["0002_beta"]) + 40)
    bad = build_melspec_tgz(tmp_path / "bad.tgz", arrays)
    with pytest.raises(DownloadError, match=r"0002_beta-mel.npy.*137 frames.*4.5 s"):
        install_melspecs(bad, root=root, manifest=manifest, progress=False, force=True)


def test_install_melspecs_counts_when_no_annotations(tmp_path):
    tgz = build_melspec_tgz(tmp_path / "m.tgz", small_arrays())
    with pytest.raises(DownloadError, match="3 \\*-mel.npy files, expected 912"):
        install_melspecs(tgz, root=tmp_path / "data", progress=False)
    assert not (tmp_path / "data/harmonix/melspecs").exists()


def test_missing_tgz_says_where_to_download_it(tmp_path):
    with pytest.raises(DataMissingError, match="dropbox.com.*Harmonix_melspecs.tgz|Harmonix_melspecs.tgz.*dropbox"):
        install_melspecs(tmp_path / "nowhere.tgz", root=tmp_path / "data")


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


def _npy(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr)
    return buf.getvalue()


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


def test_melspec_status_states(tmp_path):
    manifest = copy.deepcopy(load_manifest())
    manifest["datasets"]["melspecs"]["expected"]["arrays"] = 3
    root = tmp_path / "data"
    line = next(x for x in status(root, manifest=manifest) if x.name == "melspecs")
    assert line.state == "missing" and "dropbox.com" in line.url
    assert line.command == "python -m helpers data fetch melspecs"
    assert line.by_hand == "python -m helpers data install-melspecs PATH/Harmonix_melspecs.tgz"
    tgz = build_melspec_tgz(tmp_path / "m.tgz", small_arrays())
    install_melspecs(tgz, root=root, manifest=manifest, durations=MINI_DURATIONS, progress=False)
    line = next(x for x in status(root, manifest=manifest, verify=True) if x.name == "melspecs")
    assert line.state == "present" and line.found == {"arrays": 3, "info.json": 1}
    (root / "harmonix/melspecs/0001_alpha-mel.npy").write_bytes(b"broken")
    line = next(x for x in status(root, manifest=manifest, verify=True) if x.name == "melspecs")
    assert line.state == "corrupt" and "0001_alpha-mel.npy" in line.detail
    (root / "harmonix/melspecs" / MARKER_NAME).unlink()
    line = next(x for x in status(root, manifest=manifest) if x.name == "melspecs")
    assert line.state == "incomplete" and "marker" in line.detail


def test_whole_harmonix_marker_appears_when_both_parts_are_complete(tmp_path, mini):
    manifest, body, _ = mini
    manifest["datasets"]["melspecs"]["expected"]["arrays"] = 3
    root = tmp_path / "data"
    install_melspecs(build_melspec_tgz(tmp_path / "m.tgz", small_arrays()), root=root,
                     manifest=manifest, durations=MINI_DURATIONS, progress=False)
    assert not (root / "harmonix" / MARKER_NAME).exists()
    with FileServer({"/a.tgz": body}) as srv:
        fetch_annotations(url=srv.url("/a.tgz"), root=root, manifest=manifest, progress=False)
    assert (root / "harmonix" / MARKER_NAME).is_file()


@pytest.mark.shared
def test_install_real_melspecs_checked_against_their_durations(tmp_path):
    if not REALMEL.is_dir():
        pytest.skip("../shared/realmel absent")
    import csv
    rows = list(csv.DictReader((REALMEL / "manifest.csv").open()))
    # the relationship the manifest's frames_tolerance rests on, on every real array
    for r in rows:
        deviation = int(r["n_frames"]) - (1 + float(r["duration_s"]) * 22050 / 1024)
        assert -1.0 < deviation <= 0.05, r["id"]
    picked = [r for r in rows if int(r["n_frames"]) < 1000][:4]
    arrays = {r["id"]: (REALMEL / "melspecs" / f"{r['id']}-mel.npy").read_bytes() for r in picked}
    info = json.loads((REALMEL / "melspecs/info.json").read_text())  # has extra keys: fine
    durations = {r["id"]: float(r["duration_s"]) for r in picked}
    tgz = build_melspec_tgz(tmp_path / "Harmonix_melspecs.tgz", arrays, info=info,
                            folder="Harmonix_melspecs")
    root = tmp_path / "data"
    install_melspecs(tgz, root=root, durations=durations, progress=True)
    assert sorted((root / "harmonix/melspecs").glob("*-mel.npy")) == sorted(
        root / "harmonix/melspecs" / f"{i}-mel.npy" for i in durations)
    # the same arrays against durations 0.5 s longer (about 11 frames) are refused
    root2 = tmp_path / "data2"
    with pytest.raises(DownloadError, match="does not belong to this track"):
        install_melspecs(tgz, root=root2, durations={k: v + 0.5 for k, v in durations.items()},
                         progress=False)
    assert not (root2 / "harmonix/melspecs").exists()


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
    assert "python -m helpers data install-melspecs PATH/Harmonix_melspecs.tgz" in out
    assert "dropbox.com" in out and "python -m helpers demo" in out
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
