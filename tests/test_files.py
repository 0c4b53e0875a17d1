"""helpers.files: atomic writes leave either the old file or the new one, never half; folders
are staged and swapped in whole; one writer at a time."""

from __future__ import annotations

import errno
import json
import os
import threading
from pathlib import Path

import pytest

from helpers import files
from helpers.data import COMPLETE_MARKER
from helpers.errors import OutputError
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


# --------------------------------------------------------------------------------------------
# One writer at a time
# --------------------------------------------------------------------------------------------

def test_lock_on_a_folder_refuses_a_second_holder_and_leaves_no_file(tmp_path):
    with files.exclusive_lock(tmp_path):
        with pytest.raises(OutputError, match="busy here") as err:
            with files.exclusive_lock(tmp_path, blocking=False, busy_message="busy here"):
                pass
        assert err.value.errno == errno.EWOULDBLOCK and err.value.path == tmp_path
    with files.exclusive_lock(tmp_path, blocking=False):  # released: free again
        pass
    assert list(tmp_path.iterdir()) == []


def test_lock_file_is_created_with_its_folders(tmp_path):
    lock = tmp_path / "out" / "deep" / ".lock"
    with files.exclusive_lock(lock):
        assert lock.is_file()
        with pytest.raises(OutputError, match="in use by another process"):
            with files.exclusive_lock(lock, blocking=False):
                pass


def test_a_blocking_lock_waits_for_the_holder(tmp_path):
    events = []
    held, release = threading.Event(), threading.Event()

    def holder():
        with files.exclusive_lock(tmp_path / ".lock"):
            events.append("holder in")
            held.set()
            release.wait(10)
            events.append("holder out")

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(10)
    threading.Timer(0.05, release.set).start()
    with files.exclusive_lock(tmp_path / ".lock"):  # waits until the holder is out
        events.append("waiter in")
    thread.join(10)
    assert events == ["holder in", "holder out", "waiter in"]


def test_a_lock_file_that_cannot_be_created_is_an_output_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    with pytest.raises(OutputError, match="a-file") as err:
        with files.exclusive_lock(blocker / "out" / ".lock"):
            pass
    assert err.value.errno in (errno.ENOTDIR, errno.EEXIST)


# --------------------------------------------------------------------------------------------
# Folders: staged, marked complete, swapped into place
# --------------------------------------------------------------------------------------------

def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def test_write_marker_writes_exactly_the_info(tmp_path):
    path = files.write_marker(tmp_path, {"seed": 3, "ids": ["a", "b"]})
    assert path == tmp_path / COMPLETE_MARKER
    assert json.loads(path.read_text()) == {"seed": 3, "ids": ["a", "b"]}
    assert [p.name for p in tmp_path.iterdir()] == [COMPLETE_MARKER]  # no temporary left


def test_staged_directory_builds_marks_and_replaces(tmp_path):
    target = tmp_path / "set"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with files.staged_directory(target, marker_info={"v": 2}) as staging:
        assert staging.parent == tmp_path and staging.name.startswith(files.STAGING_PREFIX)
        assert _tree(target) == {"old.txt": "old"}  # untouched while building
        (staging / "sub").mkdir()
        (staging / "sub" / "new.txt").write_text("new")
    assert _tree(target) == {"sub/new.txt": "new", COMPLETE_MARKER: '{\n "v": 2\n}\n'}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["set"]  # no staging, no old copy


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_staged_directory_that_fails_leaves_the_target_untouched(tmp_path, error):
    target = tmp_path / "set"
    with pytest.raises(error):
        with files.staged_directory(target, marker_info={"v": 1}) as staging:
            (staging / "half.txt").write_text("half")
            raise error
    assert list(tmp_path.iterdir()) == []  # no target, no staging
    target.mkdir()
    (target / "keep.txt").write_text("keep")
    with pytest.raises(error):
        with files.staged_directory(target, marker_info={"v": 1}) as staging:
            raise error
    assert sorted(p.name for p in tmp_path.iterdir()) == ["set"] and _tree(target) == {"keep.txt": "keep"}


def test_swap_in_places_several_folders_together(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x").write_text("old a")
    with files.staging_directory(tmp_path, name="pair") as staging:
        for name in ("a", "b"):
            (staging / name).mkdir()
            (staging / name / "x").write_text(f"new {name}")
        files.swap_in(tmp_path, {"a": staging / "a", "b": staging / "b"}, marker_info={"ok": True})
    assert _tree(tmp_path) == {"a/x": "new a", f"a/{COMPLETE_MARKER}": '{\n "ok": true\n}\n',
                               "b/x": "new b", f"b/{COMPLETE_MARKER}": '{\n "ok": true\n}\n'}


def test_a_swap_that_fails_half_way_puts_everything_back(tmp_path, monkeypatch):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "x").write_text(f"old {name}")
    before = _tree(tmp_path)
    real_rename = os.rename

    def rename(src, dst):  # moving the new b into place fails
        if Path(dst).name == "b" and files.STAGING_PREFIX in str(src):
            raise PermissionError(13, "Permission denied", str(dst))
        return real_rename(src, dst)

    monkeypatch.setattr(files.os, "rename", rename)
    with files.staging_directory(tmp_path, name="pair") as staging:
        for name in ("a", "b"):
            (staging / name).mkdir()
        with pytest.raises(PermissionError):
            files.swap_in(tmp_path, {"a": staging / "a", "b": staging / "b"})
    assert _tree(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]


def test_clean_stale_tidies_what_a_killed_run_left(tmp_path):
    (tmp_path / f"{files.STAGING_PREFIX}set-123-abcd" / "half").mkdir(parents=True)
    old = tmp_path / f"{files.OLD_PREFIX}set-99-1"  # moved aside, the new one never arrived
    old.mkdir()
    (old / "x").write_text("previous")
    (tmp_path / f"{files.OLD_PREFIX}other-99-1").mkdir()  # another name: not ours to touch
    files.clean_stale(tmp_path, ["set"])
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{files.OLD_PREFIX}other-99-1", "set"]
    assert _tree(tmp_path / "set") == {"x": "previous"}
    (tmp_path / f"{files.OLD_PREFIX}set-100-2").mkdir()  # the new one is in place: old goes
    files.clean_stale(tmp_path, ["set"])
    assert _tree(tmp_path / "set") == {"x": "previous"}
    assert not list(tmp_path.glob(f"{files.OLD_PREFIX}set-*"))
    files.clean_stale(tmp_path / "missing", ["set"])  # nothing there: nothing to do


def test_created_directory_is_undone_only_when_the_block_fails(tmp_path):
    with files.created_directory(tmp_path / "a" / "b") as d:
        assert d.is_dir()
    assert (tmp_path / "a" / "b").is_dir()
    with pytest.raises(RuntimeError):
        with files.created_directory(tmp_path / "c" / "d"):
            raise RuntimeError
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]  # c/d created, then removed
    with pytest.raises(RuntimeError):
        with files.created_directory(tmp_path / "e" / "f") as d:
            (d / "kept.part").write_text("resume me")
            raise RuntimeError
    assert (tmp_path / "e" / "f" / "kept.part").is_file()  # not empty: kept
    with pytest.raises(RuntimeError):
        with files.created_directory(tmp_path / "a" / "b"):  # existed before: never removed
            raise RuntimeError
    assert (tmp_path / "a" / "b").is_dir()
