"""Tests of helpers.fetch.install and .state: verified, staged, atomic installs, and their status.

Everything runs offline (see tests/test_fetch.py); tests that need ../shared are marked
``shared`` and skip when it is absent.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest

from helpers import fetch, files
from helpers.errors import DataMissingError, DownloadError, OutputError
from helpers.fetch import (
    MARKER_NAME,
    fetch_annotations,
    install_melspecs,
    load_manifest,
    status,
)

from .conftest import REALMEL
from .test_fetch import (  # the local HTTP server, archive builders and fixtures
    _fast_and_isolated,  # noqa: F401  (a fixture)
    build_github_tarball,
    build_melspec_tgz,
    COMMIT,
    FileServer,
    leftovers,
    mel_npy,
    mini,  # noqa: F401  (a fixture)
    MINI_DURATIONS,
    n_frames_for,
    small_arrays,
)


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


def test_root_defaults_to_helpers_data_dir(tmp_path, mini):
    manifest, body, _ = mini
    with FileServer({"/a.tgz": body}) as srv:
        report = fetch_annotations(url=srv.url("/a.tgz"), manifest=manifest, progress=False)
    assert report.path == (tmp_path / "env-root" / "harmonix").resolve()


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
