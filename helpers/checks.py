"""Check one scalar argument (a number, a count, a flag, a choice): one rule each, one message style.

Every function of the package that takes a plain number, count, flag or name checks it
here, so the same kind of argument is accepted or refused the same way everywhere:

- a **number** is an ``int`` or ``float`` (numpy's too) and finite; ``True`` and ``"5"``
  are refused (``float(True)`` is 1.0 and ``float("5")`` is 5.0, which would hide a
  mistake: a flag passed in the wrong place, a value read from text and never parsed);
- a **whole number** (a count) is an ``int`` (numpy's too), not a ``float``: ``2.0``
  workers or ``1.5`` repetitions are a mistake, not a rounding question;
- a **flag** is ``True`` or ``False`` (numpy's ``bool_`` too), never ``0``/``1`` or ``"no"``;
- a **choice** is one of a fixed tuple of values.

Each check returns the value converted to the plain Python type (``float``, ``int``,
``bool``), so the caller can use what it returns. A refused value raises
:class:`~helpers.errors.ParameterError` with one message shape::

    trim_s='5' must be a number of seconds >= 0, not a str (0 keeps every beat).
    jobs=0 must be a whole number of worker processes >= 1.
    period_frames=0 must be a number > 0. It is 60 * frame_rate_hz / tempo_bpm.

The name, the bad value, the rule, a ``hint`` in parentheses (what the value means, its
usual value) and a ``fix`` sentence (how to get the right value) when the caller gives them.

Examples
--------
>>> check_nonnegative(5, name="trim_s", unit="seconds")
5.0
>>> check_int_at_least(2, 1, name="jobs")
2
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np

from .errors import ParameterError

__all__ = ["check_number", "check_positive", "check_nonnegative", "check_int_at_least", "check_bool",
           "check_choice"]


def _refuse(name: str, value, rule: str, hint: str | None, why: str = "", fix: str | None = None) -> ParameterError:
    tail = f" ({hint})" if hint else ""
    after = f" {fix}" if fix else ""
    return ParameterError(f"{name}={value!r} must be {rule}{why}{tail}.{after}")


def _kind(value) -> str:
    return "None" if value is None else f"a {type(value).__name__}"


def _is_number(value) -> bool:
    return isinstance(value, (Real, np.number)) and not isinstance(value, (bool, np.bool_))


def _bounds_text(low, high, low_inclusive: bool, high_inclusive: bool) -> str:
    if low is not None and high is not None:
        return f" in {'[' if low_inclusive else '('}{low:g}, {high:g}{']' if high_inclusive else ')'}"
    if low is not None:
        return f" {'>=' if low_inclusive else '>'} {low:g}"
    if high is not None:
        return f" {'<=' if high_inclusive else '<'} {high:g}"
    return ""


def check_number(value, *, name: str, low: float | None = None, high: float | None = None,
                 low_inclusive: bool = True, high_inclusive: bool = True, unit: str | None = None,
                 hint: str | None = None, fix: str | None = None, allow_inf: bool = False) -> float:
    """A finite real number (or infinite, with ``allow_inf``), optionally within bounds, as a ``float``.

    Parameters
    ----------
    value : object
        The argument to check.
    name : str
        The argument's name, as the caller spells it (``"trim_s"``, ``"TrackerParams.gamma"``).
    low, high : float, optional
        Bounds (``None``: unbounded on that side).
    low_inclusive, high_inclusive : bool
        Whether each bound itself is allowed.
    unit : str, optional
        What the number counts, for the message (``"seconds"`` -> "a number of seconds").
    hint : str, optional
        What the value means or its usual value, appended in parentheses.
    fix : str, optional
        How to get the right value, appended as a sentence of its own.
    allow_inf : bool
        Also accept ``inf`` and ``-inf`` (within the bounds), for a parameter where
        infinity means something (a flat prior, a jump that is never allowed). NaN is
        always refused.

    Returns
    -------
    value : float

    Raises
    ------
    ParameterError
        Not a real number (a ``bool``, a ``str``, ``None`` ...), not finite (unless
        ``allow_inf``), or out of bounds.

    Examples
    --------
    >>> check_number(0.5, name="share", low=0, high=1, high_inclusive=False)
    0.5
    >>> check_number(float("inf"), name="width_octaves", low=0, low_inclusive=False, allow_inf=True)
    inf
    """
    what = f"number of {unit}" if unit else "number"
    bounds = _bounds_text(low, high, low_inclusive, high_inclusive)
    rule = f"a {what}" + bounds
    if not _is_number(value):
        raise _refuse(name, value, rule, hint, f", not {_kind(value)}", fix)
    number = float(value)
    if math.isnan(number) or (math.isinf(number) and not allow_inf):
        raise _refuse(name, value, f"a {'' if allow_inf else 'finite '}{what}{bounds}", hint, fix=fix)
    too_low = low is not None and (number < low or (number == low and not low_inclusive))
    too_high = high is not None and (number > high or (number == high and not high_inclusive))
    if too_low or too_high:
        raise _refuse(name, value, rule, hint, fix=fix)
    return number


def check_positive(value, *, name: str, unit: str | None = None, hint: str | None = None,
                   fix: str | None = None, allow_inf: bool = False) -> float:
    """A finite number > 0 (or ``inf``, with ``allow_inf``), as a ``float`` (see :func:`check_number`).

    Examples
    --------
    >>> check_positive(120, name="tempo_bpm", unit="beats per minute")
    120.0
    """
    return check_number(value, name=name, low=0, low_inclusive=False, unit=unit, hint=hint, fix=fix,
                        allow_inf=allow_inf)


def check_nonnegative(value, *, name: str, unit: str | None = None, hint: str | None = None,
                      fix: str | None = None) -> float:
    """A finite number >= 0, as a ``float`` (see :func:`check_number`).

    Examples
    --------
    >>> check_nonnegative(0, name="trim_s", unit="seconds")
    0.0
    """
    return check_number(value, name=name, low=0, unit=unit, hint=hint, fix=fix)


def check_int_at_least(value, minimum: int, *, name: str, maximum: int | None = None, unit: str | None = None,
                       hint: str | None = None, fix: str | None = None) -> int:
    """A whole number (``int`` or a numpy integer, not a ``float`` or ``bool``) >= ``minimum``, as an ``int``.

    With ``maximum``, also at most that (the rule then reads "in [minimum, maximum]").

    Examples
    --------
    >>> check_int_at_least(np.int64(3), 1, name="jobs", unit="worker processes")
    3
    >>> check_int_at_least(24, 1, maximum=24, name="n_tracks")
    24
    """
    limits = f" >= {minimum}" if maximum is None else f" in [{minimum}, {maximum}]"
    rule = (f"a whole number of {unit}" if unit else "a whole number") + limits
    if not isinstance(value, (Integral, np.integer)) or isinstance(value, (bool, np.bool_)):
        raise _refuse(name, value, rule, hint, f", not {_kind(value)}", fix)
    if value < minimum or (maximum is not None and value > maximum):
        raise _refuse(name, value, rule, hint, fix=fix)
    return int(value)


def check_bool(value, *, name: str, hint: str | None = None, fix: str | None = None) -> bool:
    """``True`` or ``False`` (numpy's ``bool_`` too), as a ``bool``; ``0``, ``1`` and strings are refused.

    Examples
    --------
    >>> check_bool(np.True_, name="phase_lock")
    True
    """
    if not isinstance(value, (bool, np.bool_)):
        raise _refuse(name, value, "True or False", hint, f", not {_kind(value)}", fix)
    return bool(value)


def check_choice(value, choices: Sequence, *, name: str, hint: str | None = None, fix: str | None = None):
    """One of ``choices`` (compared with ``==``), returned unchanged.

    Examples
    --------
    >>> check_choice("dev", ("all", "dev", "test"), name="split")
    'dev'
    """
    choices = tuple(choices)
    try:    # same kind of value (True is not the choice 1) and equal
        ok = any(isinstance(value, type(c)) and isinstance(value, bool) == isinstance(c, bool) and bool(value == c)
                 for c in choices)
    except Exception:  # noqa: BLE001 -- e.g. an array compared with a string
        ok = False
    if not ok:
        raise _refuse(name, value, f"one of {choices}", hint, fix=fix)
    return value
