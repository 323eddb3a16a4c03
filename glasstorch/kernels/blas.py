"""The fast set's helpers for NumPy on OpenBLAS: matrix products that release the GIL, row-wise ufuncs wide
enough for SIMD, and sums over rows as BLAS products. The same arithmetic as the plain NumPy expressions, faster
on the skinny shapes of small convolutions (each helper gives its measurement)."""
import functools

from ..backend import as_strided, xp


def mm(a, b, out=None):
    """The matrix product a b of 2-D arrays (or 1-D @ 2-D) by BLAS, with the GIL released for the whole product.

    np.dot rather than np.matmul: matmul keeps the GIL when the result has at most 500 elements (NumPy's
    threshold for releasing it), so the small products of a worker thread (dL/dW of a 1x1 or one-channel
    convolution, bias sums) would stall the other thread. Measured on a 10 x 8192 by 8192 x 49 product, two
    threads at once: each 2.0x slower than alone with matmul, 1.0x with dot. Same speed alone."""
    return xp.dot(a, b) if out is None else xp.dot(a, b, out=out)


def add_rows(matrix, vector):
    """matrix[i, :] += vector for every row of a 2-D array, in place (a bias added to pixels x channels)."""
    if not matrix.flags.c_contiguous:
        matrix += vector
        return matrix
    return rowwise(xp.add, matrix, vector, out=matrix)


def rowwise(ufunc, matrix, vector, out):
    """out[i, :] = ufunc(matrix[i, :], vector) for every row of C-contiguous 2-D arrays (pixels x channels).

    A row of 10-32 channels is too short an inner loop for NumPy's SIMD code, so the arrays are viewed k rows at
    a time against the vector repeated k times (a bias add on 18,432 x 10 float32: 148 -> 46 us)."""
    rows, width = matrix.shape
    k = _rows_at_a_time(rows, width)
    repeated = xp.empty((k, width), dtype=vector.dtype)
    repeated[...] = vector
    ufunc(matrix.reshape(rows // k, k * width), repeated.reshape(-1), out=out.reshape(rows // k, k * width))
    return out


def pixel_matrix(nhwc):
    """The 2-D (pixels, channels) view of an (N, H, W, C) array whose channels are adjacent in memory and whose
    pixels are evenly spaced, or None. A channel slice of a wider channels-last array qualifies: BLAS reads its
    rows at the full array's stride, so that slice needs no copy (the gradient of one branch of a Cat)."""
    n, h, w, c = nhwc.shape
    item = nhwc.itemsize
    pixel = nhwc.strides[2] if w > 1 else nhwc.strides[1] if h > 1 else nhwc.strides[0]
    if (c > 1 and nhwc.strides[3] != item) or pixel < c * item or pixel % item:
        return None
    if (w > 1 and h > 1 and nhwc.strides[1] != pixel * w) or (n > 1 and nhwc.strides[0] != pixel * w * h):
        return None
    return as_strided(nhwc, shape=(n * h * w, c), strides=(pixel, item), writeable=False)


# rowwise views k rows at a time so that each inner loop runs over about this many values. A bias add on
# 18,432 x 10 float32, Zen 4: 93 us a row at a time (10 values), 39 at 64, 32 at 128 and at 256, 30 at 512.
ROW_RUN = 256


@functools.lru_cache(maxsize=256)
def _rows_at_a_time(rows, width):
    """The largest k <= ROW_RUN / width that divides rows."""
    k = max(1, ROW_RUN // max(width, 1))
    while rows % k:
        k -= 1
    return k


def sum_rows(matrix):
    """sum_i A[i, :] of a 2-D array, computed as the product 1^T A.

    For the tall, narrow matrices of bias gradients (pixels x channels) BLAS's matrix-vector product is
    about 10x faster than NumPy's reduction over axis 0 (measured 873 -> 96 us for 36,864 x 10 float32).
    """
    if matrix.dtype not in (xp.float32, xp.float64) or matrix.shape[0] < 64:
        return matrix.sum(axis=0)
    return mm(xp.ones(matrix.shape[0], dtype=matrix.dtype), matrix)
