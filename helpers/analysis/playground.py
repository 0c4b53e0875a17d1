"""The metric playground (Week 3): estimates built from reference beats, each wrong in one known way.

Half and double tempo, off-beat, 60 ms late, +-69 ms alternating: scored with
:func:`helpers.evaluate.evaluate_beats`, they show what each metric forgives and what it
punishes.
"""

from __future__ import annotations

import numpy as np

from ..data import validate_beats
from ..errors import ParameterError

__all__ = ["CONSTRUCTED_ESTIMATES", "LATE_S", "ALTERNATING_S", "constructed_estimates"]

#: The constructed estimates of :func:`constructed_estimates`, in table order.
CONSTRUCTED_ESTIMATES = ("half tempo", "double tempo", "off-beat", "60 ms late", "69 ms alternating")
#: How late the "60 ms late" estimate is (s): inside the F window (70 ms), outside Cemgil's sigma (40 ms).
LATE_S = 0.060
#: The alternating offset (s) of the "69 ms alternating" estimate: just inside the +-70 ms F window.
ALTERNATING_S = 0.069


# =========================================================================== the metric playground
def constructed_estimates(reference_beats_s) -> dict[str, np.ndarray]:
    """Five estimates built from reference beats, each wrong in one known way (Week 3's playground).

    Parameters
    ----------
    reference_beats_s : np.ndarray [shape=(n,)]
        Reference beat times (s), strictly increasing, at least 2.

    Returns
    -------
    dict
        :data:`CONSTRUCTED_ESTIMATES` -> beat times (s): ``"half tempo"`` every other beat
        from the first; ``"double tempo"`` the beats and the midpoints between neighbours;
        ``"off-beat"`` the midpoints only; ``"60 ms late"`` every beat + :data:`LATE_S`;
        ``"69 ms alternating"`` +:data:`ALTERNATING_S`, -:data:`ALTERNATING_S`, ... from the
        first beat.

    Examples
    --------
    >>> est = constructed_estimates(np.array([1.0, 2.0, 3.0]))
    >>> est["double tempo"].tolist(), est["69 ms alternating"].round(3).tolist()
    ([1.0, 1.5, 2.0, 2.5, 3.0], [1.069, 1.931, 3.069])
    """
    ref = validate_beats(reference_beats_s, name="reference_beats_s")
    if ref.size < 2:
        raise ParameterError(f"reference_beats_s needs at least 2 beats to build the estimates, got {ref.size}.")
    alternating = ref + ALTERNATING_S * (-1.0) ** np.arange(ref.size)
    if alternating.min() < 0:
        raise ParameterError(f"a reference beat at {ref[1]:.3f} s minus {ALTERNATING_S} s would be a negative time; "
                             "drop the beats before 0.1 s first.")
    midpoints = (ref[:-1] + ref[1:]) / 2
    return {
        "half tempo": ref[::2],
        "double tempo": np.sort(np.concatenate([ref, midpoints])),
        "off-beat": midpoints,
        "60 ms late": ref + LATE_S,
        "69 ms alternating": alternating,
    }
