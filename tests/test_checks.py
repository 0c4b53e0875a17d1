"""Tests of helpers.checks: one rule per kind of scalar argument, the same everywhere."""

from __future__ import annotations

import doctest
import math
import re

import numpy as np
import pytest

import helpers.checks as checks
from helpers.checks import (check_bool, check_choice, check_int_at_least, check_nonnegative, check_number,
                            check_positive)
from helpers.errors import HelpersError, ParameterError

# Values that are never a number: a flag, text that looks like a number, nothing, a list, an array.
NOT_NUMBERS = [True, False, np.True_, "5", "5.0", b"5", None, [5.0], np.array([5.0]), 1 + 0j]


def test_docstring_examples_run():
    failures, tried = doctest.testmod(checks)
    assert failures == 0 and tried >= 9


# --------------------------------------------------------------------------- numbers
@pytest.mark.parametrize("value, expected", [(0, 0.0), (5, 5.0), (2.5, 2.5), (np.float32(0.25), 0.25),
                                             (np.int64(7), 7.0), (1e300, 1e300)])
def test_numbers_of_every_numeric_type_become_plain_floats(value, expected):
    got = check_nonnegative(value, name="trim_s", unit="seconds")
    assert got == expected and type(got) is float


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_flags_strings_and_containers_are_never_numbers(value):
    for check in (check_number, check_positive, check_nonnegative):
        with pytest.raises(ParameterError, match=r"^trim_s=.* must be a number of seconds.*, not "):
            check(value, name="trim_s", unit="seconds")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, np.float64("nan")])
def test_non_finite_numbers_are_refused(value):
    with pytest.raises(ParameterError, match=r"must be a finite number"):
        check_number(value, name="x")


def test_bounds_and_their_inclusiveness():
    assert check_nonnegative(0, name="x") == 0.0
    with pytest.raises(ParameterError, match=r"^x=-1e-09 must be a number >= 0\.$"):
        check_nonnegative(-1e-9, name="x")
    assert check_positive(1e-12, name="x") == 1e-12
    with pytest.raises(ParameterError, match=r"^x=0 must be a number > 0\.$"):
        check_positive(0, name="x")
    share = dict(name="share", low=0, high=1, high_inclusive=False)
    assert check_number(0, **share) == 0.0 and check_number(0.999, **share) == 0.999
    with pytest.raises(ParameterError, match=r"^share=1 must be a number in \[0, 1\)\.$"):
        check_number(1, **share)
    with pytest.raises(ParameterError, match=r"in \(-0\.5, 0\.5\)"):
        check_number(-0.5, name="delay", low=-0.5, high=0.5, low_inclusive=False, high_inclusive=False)
    assert check_number(-1e6, name="anything") == -1e6        # no bounds: any finite number


def test_the_message_shows_name_value_rule_and_hint():
    with pytest.raises(ParameterError) as info:
        check_nonnegative("5", name="trim_s", unit="seconds", hint="0 keeps every beat")
    assert str(info.value) == "trim_s='5' must be a number of seconds >= 0, not a str (0 keeps every beat)."
    with pytest.raises(ParameterError) as info:
        check_positive(None, name="tempo_bpm")
    assert str(info.value) == "tempo_bpm=None must be a number > 0, not None."
    assert isinstance(info.value, HelpersError) and isinstance(info.value, ValueError)


def test_a_fix_is_a_sentence_after_the_rule_and_the_hint():
    with pytest.raises(ParameterError) as info:
        check_positive(0, name="period_frames", fix="It is 60 * frame_rate_hz / tempo_bpm.")
    assert str(info.value) == "period_frames=0 must be a number > 0. It is 60 * frame_rate_hz / tempo_bpm."
    with pytest.raises(ParameterError) as info:
        check_number("x", name="share", low=0, high=1, hint="a fraction", fix="Try 0.5.")
    assert str(info.value) == "share='x' must be a number in [0, 1], not a str (a fraction). Try 0.5."
    for check in (lambda: check_int_at_least(0.5, 1, name="n", fix="Count them."),
                  lambda: check_bool(1, name="flag", fix="Count them."),
                  lambda: check_choice("z", ("a",), name="c", fix="Count them."),
                  lambda: check_nonnegative(-1, name="x", fix="Count them.")):
        with pytest.raises(ParameterError, match=r"\. Count them\.$"):
            check()


def test_infinity_only_where_it_is_allowed():
    assert check_positive(math.inf, name="width_octaves", allow_inf=True) == math.inf
    assert check_number(-math.inf, name="x", allow_inf=True) == -math.inf
    with pytest.raises(ParameterError, match=r"^width_octaves=inf must be a finite number > 0"):
        check_positive(math.inf, name="width_octaves")
    with pytest.raises(ParameterError, match=r"^x=-inf must be a number > 0"):     # the bounds still hold
        check_positive(-math.inf, name="x", allow_inf=True)
    with pytest.raises(ParameterError, match=r"^x=nan must be a number > 0"):      # NaN never passes
        check_positive(math.nan, name="x", allow_inf=True)
    with pytest.raises(ParameterError, match=r"^x=True must be a number"):         # nor a flag
        check_positive(True, name="x", allow_inf=True)


# --------------------------------------------------------------------------- whole numbers
@pytest.mark.parametrize("value", [1, 2, np.int32(3), np.uint8(4), 10**12])
def test_whole_numbers_of_every_integer_type_become_plain_ints(value):
    got = check_int_at_least(value, 1, name="jobs")
    assert got == int(value) and type(got) is int


@pytest.mark.parametrize("value", [True, np.True_, 2.0, np.float64(2.0), "2", None])
def test_floats_flags_and_strings_are_not_whole_numbers(value):
    with pytest.raises(ParameterError, match=r"^jobs=.* must be a whole number of worker processes >= 1, not "):
        check_int_at_least(value, 1, name="jobs", unit="worker processes")


def test_an_optional_maximum_is_inclusive_too():
    assert check_int_at_least(24, 1, maximum=24, name="n_tracks") == 24
    assert check_int_at_least(np.int16(1), 1, maximum=24, name="n_tracks") == 1
    with pytest.raises(ParameterError, match=r"^n_tracks=25 must be a whole number in \[1, 24\]\.$"):
        check_int_at_least(25, 1, maximum=24, name="n_tracks")
    with pytest.raises(ParameterError, match=r"^phase=-1 must be a whole number in \[0, 3\] \(the first downbeat\)\.$"):
        check_int_at_least(-1, 0, maximum=3, name="phase", hint="the first downbeat")
    with pytest.raises(ParameterError, match=r"^n_tracks=2\.0 must be a whole number in \[1, 24\], not a float\.$"):
        check_int_at_least(2.0, 1, maximum=24, name="n_tracks")


def test_the_minimum_is_inclusive():
    assert check_int_at_least(0, 0, name="n") == 0
    with pytest.raises(ParameterError, match=r"^jobs=0 must be a whole number >= 1 \(use 1 or 2\)\.$"):
        check_int_at_least(0, 1, name="jobs", hint="use 1 or 2")


# --------------------------------------------------------------------------- flags and choices
def test_flags_are_true_or_false_only():
    assert check_bool(True, name="trim") is True and check_bool(np.False_, name="trim") is False
    for value in (0, 1, "no", "False", None, 1.0):
        with pytest.raises(ParameterError, match=r"^trim=.* must be True or False, not "):
            check_bool(value, name="trim")


def test_choices_compare_equal_values_of_the_same_kind():
    assert check_choice("dev", ("all", "dev", "test"), name="split") == "dev"
    assert check_choice(np.str_("dev"), ("all", "dev"), name="split") == "dev"
    assert check_choice(2, (1, 2), name="order") == 2
    for value, choices in (("Dev", ("dev",)), (True, (1, 2)), (1, (True, False)), ("1", (1,)),
                           (np.array(["dev"]), ("dev",)), (None, ("dev",))):
        with pytest.raises(ParameterError, match=r"must be one of \("):
            check_choice(value, choices, name="split")


# --------------------------------------------------------------------------- used the same way everywhere
@pytest.mark.parametrize("value", ["5", True, -1.0, math.nan, math.inf, None])
def test_the_batch_and_the_evaluation_refuse_the_same_trims(value, tmp_path):
    """Before helpers.checks, the batch accepted trim_s="5" and True while evaluate_beats refused them."""
    from helpers.batch import evaluate_directory
    from helpers.evaluate import check_trim_s, evaluate_beats

    (tmp_path / "ref").mkdir()
    (tmp_path / "ref" / "a.txt").write_text("1.0\n2.0\n")
    beats = np.array([6.0, 7.0, 8.0])
    errors = []
    for call in (lambda: check_trim_s(value), lambda: evaluate_beats(beats, beats, trim_s=value),
                 lambda: evaluate_directory(tmp_path / "ref", tmp_path / "ref", trim_s=value, progress=False)):
        with pytest.raises(ParameterError, match="trim_s") as info:
            call()
        errors.append(str(info.value))
    assert len(set(errors)) == 1            # one rule, one message


@pytest.mark.parametrize("value", [True, "5", None, math.nan])
def test_every_numeric_parameter_refuses_flags_strings_and_nan_the_same_way(value):
    """The tracker's, the downbeat stage's and the features' numbers all go through helpers.checks."""
    from helpers.beat import TrackerParams, dp_beat_frames
    from helpers.data import MelParams, power_to_db
    from helpers.downbeat import DownbeatParams, positions_from_phase
    from helpers.evaluate import tempo_accuracy
    from helpers.novelty import log_compress
    from helpers.tempo import bpm_grid

    calls = {
        "TrackerParams.tightness": lambda: TrackerParams(tightness=value),
        "DownbeatParams.bass_weight": lambda: DownbeatParams(bass_weight=value),
        "MelParams.fmin": lambda: MelParams(sr=22050, hop_length=1024, n_fft=2048, n_mels=80, fmin=value),
        "gamma": lambda: log_compress(np.ones((2, 3)), gamma=value),
        "tightness": lambda: dp_beat_frames(np.ones(50), period_frames=10.0, tightness=value),
        "min_bpm": lambda: bpm_grid(min_bpm=value),
        "amin": lambda: power_to_db(np.ones((2, 2)), amin=value),
        "reference_bpm": lambda: tempo_accuracy(value, 120.0),
        "phase": lambda: positions_from_phase(8, meter=4, phase=value),
    }
    for name, call in calls.items():
        with pytest.raises(ParameterError, match=rf"^{re.escape(name)}=.* must be a (finite )?(whole )?number"):
            call()


def test_resolve_rate_takes_one_of_the_two_ways():
    from helpers.data import HARMONIX_PARAMS, resolve_rate

    assert resolve_rate(None, None, HARMONIX_PARAMS) == (22050.0, 1024)
    assert resolve_rate(np.float32(16000), np.int64(256), None) == (16000.0, 256)
    with pytest.raises(ParameterError, match="not both"):
        resolve_rate(22050, 1024, HARMONIX_PARAMS)
    with pytest.raises(ParameterError, match="required"):
        resolve_rate(22050, None, None)
    with pytest.raises(ParameterError, match="has no .sr/.hop_length"):
        resolve_rate(None, None, object())
    with pytest.raises(ParameterError, match=r"^hop_length=512\.0 must be a whole number of samples >= 1, not a float"):
        resolve_rate(22050, 512.0, None)
