"""helpers.plot.weight_image (notebook 06): each weight in its band group and time offset, 0 white, labelled axes."""

from __future__ import annotations

import doctest

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import helpers.plot  # noqa: E402
from helpers.data import HARMONIX_PARAMS as P  # noqa: E402
from helpers.errors import ParameterError  # noqa: E402
from helpers.plot import weight_image  # noqa: E402

FR = P.frame_rate_hz          # 21.53 frames/s: one frame is 46.4 ms


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _cell_edges(mesh) -> tuple[np.ndarray, np.ndarray]:
    """(x edges, y edges) of a pcolormesh drawn with 1-D edges."""
    xy = mesh.get_coordinates()                       # (n_rows + 1, n_cols + 1, 2)
    return xy[0, :, 0], xy[:, 0, 1]


def test_one_weight_lands_in_its_group_and_offset():
    W = np.zeros((5, 7))                              # 5 groups, offsets -3 .. +3 frames
    W[3, 3 + 1] = 2.0                                 # group 3, one frame after the frame
    _, ax = plt.subplots()
    drawn = weight_image(W, frame_rate_hz=FR, ax=ax, colorbar=False)
    mesh = drawn["mesh"]
    values = np.asarray(mesh.get_array()).reshape(5, 7)
    np.testing.assert_array_equal(values, W)          # row = group (bottom = 0), column = offset
    x_edges, y_edges = _cell_edges(mesh)
    ms = 1000.0 / FR
    np.testing.assert_allclose(x_edges, (np.arange(-3, 5) - 0.5) * ms)     # -3.5 .. +3.5 frames, in ms
    np.testing.assert_allclose(x_edges[4:6], [0.5 * ms, 1.5 * ms])          # the +1 column: 23.2 .. 69.7 ms
    np.testing.assert_allclose(y_edges, np.arange(6) - 0.5)
    np.testing.assert_allclose(drawn["offsets_ms"], np.arange(-3, 4) * ms)
    assert drawn["offsets_ms"][4] == pytest.approx(46.44, abs=0.01)         # one frame at hop 1024, sr 22050


def test_colour_scale_is_symmetric_so_zero_is_white():
    W = np.array([[0.5, -2.0, 1.0]])
    _, ax = plt.subplots()
    mesh = weight_image(W, frame_rate_hz=FR, ax=ax, colorbar=False)["mesh"]
    assert mesh.get_clim() == (-2.0, 2.0)
    r, g, b, _ = mesh.cmap(mesh.norm(0.0))
    assert min(r, g, b) > 0.9                          # 0 is (nearly) white in RdBu_r
    mesh = weight_image(W, frame_rate_hz=FR, ax=ax, colorbar=False, vmax=4.0)["mesh"]
    assert mesh.get_clim() == (-4.0, 4.0)
    zeros = weight_image(np.zeros((2, 3)), frame_rate_hz=FR, ax=ax, colorbar=False)["mesh"]
    assert zeros.get_clim() == (-1.0, 1.0)             # an all-zero image still has a scale


def test_axes_say_ms_and_hz_and_ticks_name_the_group_frequencies():
    group_hz = np.array([103.0, 267.0, 431.0, 596.0])
    fig, ax = plt.subplots()
    drawn = weight_image(np.ones((4, 3)), frame_rate_hz=FR, group_hz=group_hz, ax=ax, title="learned",
                         colorbar_label="weight (std. units)")
    assert "ms" in ax.get_xlabel() and "Hz" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["103", "267", "431", "596"]
    np.testing.assert_allclose(ax.get_yticks(), [0, 1, 2, 3])
    assert ax.get_title() == "learned"
    assert drawn["colorbar"].ax.get_ylabel() == "weight (std. units)"
    assert any(line.get_xdata()[0] == 0.0 for line in ax.get_lines())      # offset 0 marked


def test_many_groups_get_a_few_ticks_including_both_ends():
    _, ax = plt.subplots()
    weight_image(np.ones((20, 17)), frame_rate_hz=FR, ax=ax, colorbar=False)
    ticks = ax.get_yticks()
    assert 2 <= len(ticks) <= 8 and ticks[0] == 0 and ticks[-1] == 19
    assert "band group" in ax.get_ylabel()


@pytest.mark.parametrize("bad, match", [
    (np.zeros(17), "2-D"),
    (np.zeros((20, 16)), "2 \\* context \\+ 1"),
    (np.full((2, 3), np.nan), "NaN"),
])
def test_bad_weights_are_refused_with_the_fix(bad, match):
    with pytest.raises(ParameterError, match=match):
        weight_image(bad, frame_rate_hz=FR, colorbar=False)


def test_bad_group_frequencies_and_frame_rate_are_refused():
    with pytest.raises(ParameterError, match="one value per group"):
        weight_image(np.zeros((4, 3)), frame_rate_hz=FR, group_hz=[100.0, 200.0], colorbar=False)
    with pytest.raises(ParameterError, match="frame_rate_hz"):
        weight_image(np.zeros((4, 3)), frame_rate_hz=0.0, colorbar=False)
    with pytest.raises(ParameterError, match="vmax"):
        weight_image(np.zeros((4, 3)), frame_rate_hz=FR, vmax=-1.0, colorbar=False)


def test_docstring_example_runs():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in finder.find(helpers.plot.weight_image, "weight_image", globs={"np": np,
                                                                               "weight_image": weight_image}):
        runner.run(test)
    assert runner.tries >= 3 and runner.failures == 0
