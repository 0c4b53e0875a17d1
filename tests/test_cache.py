"""Tests of helpers.cache: content keys, canonical JSON, and entries that are complete or ignored."""

from __future__ import annotations

import doctest
import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest

import helpers.cache as cache
from helpers.cache import CacheSlot, cache_slot, canonical_json, scores_key, sha256_file, source_digest, track_key
from helpers.errors import ParameterError


@pytest.fixture
def files(tmp_path):
    mel, ref = tmp_path / "a-mel.npy", tmp_path / "a.txt"
    mel.write_bytes(b"mel bytes")
    ref.write_text("1.0\n2.0\n")
    return mel, ref


def test_docstring_examples_run():
    failures, tried = doctest.testmod(cache)
    assert failures == 0 and tried >= 1


def test_keys_follow_the_documented_formula(files):
    """The key format is what existing caches are named by: it must not drift."""
    mel, ref = files
    content = hashlib.sha256(b"mel bytes").hexdigest()
    assert sha256_file(mel) == content
    assert track_key(mel, "TRACKER") == hashlib.sha256(f"helpers.batch cache v2|{content}|TRACKER".encode()).hexdigest()
    ref_content = hashlib.sha256(b"1.0\n2.0\n").hexdigest()
    assert scores_key(ref, "EVAL") == hashlib.sha256(f"EVAL|{ref_content}".encode()).hexdigest()


def test_keys_change_with_content_not_with_timestamps(files):
    mel, _ = files
    before = track_key(mel, "T")
    os.utime(mel, (1e9, 1e9))
    assert track_key(mel, "T") == before
    assert track_key(mel, "T2") != before
    mel.write_bytes(b"other bytes")
    assert track_key(mel, "T") != before


def test_canonical_json_is_the_same_for_equal_settings():
    a = canonical_json({"b": np.float64(0.5), "a": [np.int64(1), Path("x/y")], "c": np.arange(2)})
    assert a == canonical_json({"c": [0, 1], "a": [1, "x/y"], "b": 0.5}) == '{"a":[1,"x/y"],"b":0.5,"c":[0,1]}'
    with pytest.raises(ParameterError, match="cannot go into the cache key"):
        canonical_json({"f": object()})
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_source_digest_hashes_the_modules_files():
    here = Path(cache.__file__).parent
    expected = hashlib.sha256((here / "beat.py").read_bytes() + (here / "tempo.py").read_bytes()).hexdigest()
    assert source_digest("beat", "tempo") == expected != source_digest("tempo", "beat")


def test_source_digest_of_a_package_hashes_every_file_of_it():
    here = Path(cache.__file__).parent
    files = sorted((here / "evaluate").rglob("*.py"))
    assert len(files) > 1
    expected = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    assert source_digest("evaluate") == expected


def test_an_entry_round_trips_and_knows_its_scores(files, tmp_path):
    mel, ref = files
    slot = cache_slot(tmp_path / "cache", melspec_path=mel, tracker_key="T", reference_path=ref, evaluation_key="E")
    assert slot.path == tmp_path / "cache" / f"{slot.key}.json" and slot.scores_key == scores_key(ref, "E")
    assert slot.read() is None                                      # nothing yet: a miss
    assert slot.write(track_id="a", beat_times_s=np.array([1.0, 2.0]), scores={"F-measure": 1.0},
                      warnings=("w",), n_reference_beats=2) is None
    entry = slot.read()
    assert entry["beat_times_s"] == [1.0, 2.0] and entry["warnings"] == ["w"] and slot.has_scores(entry)
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [slot.path.name]     # no temporary left

    ref.write_text("1.0\n3.0\n")                                    # new annotation: beats yes, scores no
    again = cache_slot(tmp_path / "cache", melspec_path=mel, tracker_key="T", reference_path=ref, evaluation_key="E")
    assert again.path == slot.path and again.read() is not None and not again.has_scores(again.read())

    tracking_only = cache_slot(tmp_path / "cache", melspec_path=mel, tracker_key="T")
    assert tracking_only.scores_key is None and not tracking_only.has_scores(entry)
    tracking_only.write(track_id="a", beat_times_s=np.array([1.0]))
    assert json.loads(slot.path.read_text())["eval_key"] is None    # beats alone: no scores key recorded


@pytest.mark.parametrize("content", ["", "{truncated", "\x00\xff garbage", "[1, 2]",
                                     json.dumps({"format": "other v9", "key": "K"}),
                                     json.dumps({"format": "helpers.batch cache v2", "key": "another key"})])
def test_an_unusable_entry_is_a_miss(tmp_path, content):
    path = tmp_path / "K.json"
    path.write_text(content, encoding="utf-8", errors="surrogateescape")
    assert CacheSlot(path, "K").read() is None


def test_an_entry_that_cannot_be_written_is_a_warning_not_an_error(tmp_path):
    (tmp_path / "blocked").write_text("a file where the cache folder should be")
    slot = CacheSlot(tmp_path / "blocked" / "K.json", "K")
    problem = slot.write(track_id="a", beat_times_s=np.array([1.0]))
    assert problem.startswith("not cached: ") and "blocked" in problem
