import numpy as np
import pytest

import glasstorch as gt
from oracle import compare, gradcheck, randn

MAX_CONFIGS = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(2, 3), stride=(1, 2)),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=2, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=3, dilation=2),
    dict(kernel_size=2, dilation=(1, 2), padding=1, stride=3, ceil_mode=True),
]


@pytest.mark.parametrize("config", MAX_CONFIGS, ids=str)
def test_max_pool2d_matches_torch(config):
    x = randn(2, 3, 9, 8, seed=1)
    compare(lambda L, t: L.nn.functional.max_pool2d(t, **config), x)


@pytest.mark.parametrize("config", MAX_CONFIGS[:3], ids=str)
def test_max_pool2d_finite_differences(config):
    gradcheck(lambda L, t: L.nn.functional.max_pool2d(t, **config), randn(1, 2, 7, 6, seed=2))


def test_max_pool2d_routes_gradient_to_first_of_ties_like_torch():
    x = np.zeros((1, 1, 4, 4), dtype=np.float32)
    x[0, 0, 1, 1] = x[0, 0, 0, 3] = 1.0
    compare(lambda L, t: L.nn.functional.max_pool2d(t, 2), x)
    compare(lambda L, t: L.nn.functional.max_pool2d(t, 3, stride=1), x)


def test_max_pool2d_return_indices_match_torch():
    x = randn(2, 3, 9, 8, seed=3)
    compare(lambda L, t: L.nn.functional.max_pool2d(t, 3, stride=2, padding=1, return_indices=True), x, grad=False)


AVG_CONFIGS = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=1, padding=1),
    dict(kernel_size=3, stride=1, padding=1, count_include_pad=False),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=(2, 3), stride=(2, 1), divisor_override=4),
]


@pytest.mark.parametrize("config", AVG_CONFIGS, ids=str)
def test_avg_pool2d_matches_torch(config):
    compare(lambda L, t: L.nn.functional.avg_pool2d(t, **config), randn(2, 3, 8, 7, seed=4))


@pytest.mark.parametrize("config", AVG_CONFIGS[:3], ids=str)
def test_avg_pool2d_finite_differences(config):
    gradcheck(lambda L, t: L.nn.functional.avg_pool2d(t, **config), randn(1, 2, 5, 6, seed=5))


@pytest.mark.parametrize("output_size", [1, 2, (3, 2), (5, 7), (None, 2)])
def test_adaptive_avg_pool2d_matches_torch(output_size):
    compare(lambda L, t: L.nn.functional.adaptive_avg_pool2d(t, output_size), randn(2, 3, 7, 9, seed=6))
    gradcheck(lambda L, t: L.nn.functional.adaptive_avg_pool2d(t, output_size), randn(1, 1, 5, 7, seed=7))


def test_pool_errors_are_clear():
    with pytest.raises(RuntimeError, match="pad should be at most half of effective kernel size"):
        gt.nn.functional.max_pool2d(gt.zeros(1, 1, 8, 8), 2, padding=2)
    with pytest.raises(RuntimeError, match="too small"):
        gt.nn.functional.avg_pool2d(gt.zeros(1, 1, 2, 2), 3)


def test_max_pool2d_indices_and_values_without_grad():
    x = randn(2, 3, 9, 8, seed=8)
    compare(lambda L, t: L.nn.functional.max_pool2d(t, 3, stride=2, padding=1, return_indices=True), x, grad=False)
    with gt.no_grad():
        values, indices = gt.nn.functional.max_pool2d(gt.tensor(x), 2, return_indices=True)
    flat = x.reshape(2, 3, -1)
    np.testing.assert_array_equal(np.take_along_axis(flat, indices.numpy().reshape(2, 3, -1), 2).reshape(values.shape),
                                  values.numpy())
