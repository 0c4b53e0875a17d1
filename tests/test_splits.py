"""helpers.splits: the fixed dev/test split (deterministic from the id, a partition, documented sizes)."""

from __future__ import annotations

import hashlib

import pytest

from helpers.errors import ParameterError
from helpers.splits import HARMONIX_COUNTS, SPLIT_SALT, SPLITS, TEST_FRACTION, check_split, select_split, split_of

from .conftest import HARMONIX, requires_harmonix


def test_split_follows_the_documented_rule():
    for track_id in ("0001_12step", "0005_again", "d01_pop_120", "x"):
        u = int(hashlib.sha256((SPLIT_SALT + track_id).encode()).hexdigest()[:16], 16) / 16**16
        assert split_of(track_id) == ("test" if u < TEST_FRACTION else "dev")


def test_known_answers_do_not_move():
    # A change of the rule would silently move tracks between dev and test: pin a few.
    assert [split_of(t) for t in ("0001_12step", "0003_6foot7foot", "0004_abc", "0005_again")] == \
        ["test", "test", "test", "dev"]


def test_split_of_an_id_does_not_depend_on_the_others():
    ids = [f"track_{i:04d}" for i in range(200)]
    alone = {t: split_of(t) for t in ids}
    assert select_split(ids[::-1], "test") == [t for t in ids[::-1] if alone[t] == "test"]
    assert select_split(ids[50:], "dev") == [t for t in ids[50:] if alone[t] == "dev"]


def test_dev_and_test_partition_any_ids_and_all_keeps_the_order():
    ids = [f"id{i}" for i in range(1000)]
    dev, test = select_split(ids, "dev"), select_split(ids, "test")
    assert set(dev).isdisjoint(test) and sorted(dev + test) == sorted(ids)
    assert select_split(ids, "all") == ids
    assert 0.25 < len(test) / len(ids) < 0.35      # TEST_FRACTION = 0.3, in expectation


@requires_harmonix
def test_dev_and_test_partition_the_912_harmonix_ids_with_the_documented_sizes():
    ids = sorted(p.stem for p in (HARMONIX / "dataset" / "beats_and_downbeats").glob("*.txt"))
    assert len(ids) == 912
    dev, test = select_split(ids, "dev"), select_split(ids, "test")
    assert set(dev) | set(test) == set(ids) and not set(dev) & set(test)
    assert {"dev": len(dev), "test": len(test)} == HARMONIX_COUNTS


@pytest.mark.parametrize("bad", ["train", "", None, 1, "DEV"])
def test_unknown_split_names_are_refused_with_the_choices(bad):
    with pytest.raises(ParameterError, match="must be one of"):
        check_split(bad)
    with pytest.raises(ParameterError):
        select_split(["a"], bad)
    assert SPLITS == ("all", "dev", "test")


@pytest.mark.parametrize("bad", ["", None, 3])
def test_bad_track_ids_are_refused(bad):
    with pytest.raises(ParameterError, match="track_id"):
        split_of(bad)
