"""The backend's fast forms of common reductions and broadcasts equal their plain NumPy definitions."""
import numpy as np
import pytest

from glasstorch.kernels.blas import add_rows, mm, pixel_matrix, rowwise, sum_rows


@pytest.mark.parametrize("rows, width", [(0, 10), (1, 10), (7, 3), (97, 10), (18432, 10), (4608, 24), (64, 300)])
def test_add_rows_adds_the_vector_to_every_row(rows, width):
    rng = np.random.default_rng(rows + width)
    matrix = rng.standard_normal((rows, width)).astype(np.float32)
    vector = rng.standard_normal(width).astype(np.float32)
    expected = matrix + vector
    assert add_rows(matrix, vector) is matrix
    np.testing.assert_array_equal(matrix, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
@pytest.mark.parametrize("rows", [3, 64, 5000])
def test_sum_rows_is_the_column_sum(dtype, rows):
    matrix = (np.random.default_rng(rows).standard_normal((rows, 12)) * 10).astype(dtype)
    np.testing.assert_allclose(sum_rows(matrix), matrix.sum(axis=0), rtol=1e-5, atol=1e-5 * np.abs(matrix).sum())


def test_mm_is_the_matrix_product_and_writes_into_out():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((40, 7)).astype(np.float32), rng.standard_normal((7, 5)).astype(np.float32)
    out = np.empty((40, 5), np.float32)
    assert mm(a, b, out=out) is out
    np.testing.assert_allclose(out, a @ b, rtol=1e-5)
    np.testing.assert_allclose(mm(a.T.copy().T, b), a @ b, rtol=1e-5)


def test_add_rows_writes_into_a_strided_matrix_too():
    base = np.zeros((6, 8), np.float32)
    view = base[:, ::2]
    add_rows(view, np.arange(4, dtype=np.float32))
    np.testing.assert_array_equal(base[:, ::2], np.tile(np.arange(4, dtype=np.float32), (6, 1)))
    np.testing.assert_array_equal(base[:, 1::2], 0)


@pytest.mark.parametrize("rows, width", [(0, 16), (5, 3), (4608, 16), (97, 10)])
def test_rowwise_applies_the_ufunc_against_the_vector_on_every_row(rows, width):
    rng = np.random.default_rng(rows)
    matrix = rng.standard_normal((rows, width)).astype(np.float32)
    vector = rng.standard_normal(width).astype(np.float32)
    out = np.empty_like(matrix)
    assert rowwise(np.maximum, matrix, vector, out=out) is out
    np.testing.assert_array_equal(out, np.maximum(matrix, vector))


@pytest.mark.parametrize("shape", [(2, 3, 4, 88), (1, 1, 1, 88), (3, 1, 5, 88), (2, 4, 1, 88), (4, 1, 1, 88)])
def test_pixel_matrix_views_a_channel_slice_of_channels_last_memory(shape):
    nhwc = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    for part in (nhwc, nhwc[..., 16:40], nhwc[..., 87:]):
        matrix = pixel_matrix(part)
        assert np.shares_memory(matrix, nhwc)
        np.testing.assert_array_equal(matrix, part.reshape(-1, part.shape[-1]))
        np.testing.assert_allclose(mm(matrix.T, matrix), part.reshape(-1, part.shape[-1]).T @ part.reshape(
            -1, part.shape[-1]), rtol=1e-5, atol=1e-5)


def test_pixel_matrix_refuses_memory_whose_pixels_are_not_evenly_spaced():
    nhwc = np.zeros((2, 4, 6, 8), np.float32)
    assert pixel_matrix(nhwc[:, :, ::2]) is not None           # every other pixel of a row: still one stride
    assert pixel_matrix(nhwc[:, :3]) is None                    # rows cut short: a jump between images
    assert pixel_matrix(nhwc[:, :, :5]) is None                 # columns cut short: a jump between rows
    assert pixel_matrix(nhwc[..., ::2]) is None                 # channels not adjacent
    assert pixel_matrix(nhwc.transpose(0, 3, 1, 2).transpose(0, 2, 3, 1)[..., ::-1]) is None
    assert pixel_matrix(np.zeros((2, 3, 4, 5), np.float32).transpose(0, 2, 3, 1)) is None    # NCHW memory
