"""The samples of the edge table where PyTorch's own result is undefined, so glasstorch is free to differ (README,
"Edges"): each an op, a sample (as test_edges describes it) and the evidence. Every other sample must agree.

A listed sample may agree on one machine and not on another (it depends on which code path NumPy or PyTorch takes),
so the test does not require it to disagree; it requires it to exist in the table.

ZERO_SIGNS_UNDEFINED names ops whose values are defined but whose sign of a zero result is not: their samples are
compared in full except for that sign.
"""

UNDEFINED = {
    'topk': {
        "tie: (float32[2.0, 1.0, 2.0, 2.0, 0.0]) {'k': 2}":
            "which of several tied largest elements top-k returns (and so which gets the gradient) is not specified "
            "by PyTorch",
    },
    'amax': {
        'zero: (float32[0.0, -0.0]) ':
            "which zero a maximum over +0.0 and -0.0 returns: PyTorch 2.13's amax returns the first for fewer than "
            "64 elements and the last from 64 on, and its max() the last",
    },
    'amin': {
        'zero: (float32[0.0, -0.0]) ':
            "which zero a minimum over +0.0 and -0.0 returns: PyTorch 2.13's amin returns the first for fewer than "
            "64 elements and the last from 64 on",
    },
    'F.conv2d': {
        "inf: (float32[1, 2, 5, 5], float32[3, 2, 3, 3]) {'padding': 1}":
            "an infinite weight at a kernel offset that reads padding: PyTorch 2.13 multiplies the padding's zeros "
            "(NaN) in its im2col convolution, which it takes for float64 and for small float32 shapes (this one: "
            "batch 1, 3x3), and skips them (a number) in oneDNN's, which it takes for batch 2 or a 5x5 kernel; the "
            "compiled set skips them, the reference and fast sets multiply them. dL/dx is defined (no NaN) and agrees",
    },
    'F.gelu': {
        'inf: (float32[inf, -inf, 1.0]) ':
            "gelu(+inf) in float32: PyTorch 2.13 gives inf for a tensor of one element and NaN in its vectorised "
            "kernel ([inf, -inf, 1.0]); glasstorch gives x Phi(x) = inf",
    },
}

ZERO_SIGNS_UNDEFINED = {
    'F.gelu':
        "the sign of gelu's zero results in float32 (x = -0.0, x <= -10): PyTorch 2.13 gives -0.0 (x Phi(x), as "
        "glasstorch does) from its own kernels and from oneDNN's AVX-512 one, and +0.0 from oneDNN's AVX2 one, which "
        "it takes on AVX2 machines for tensors of more than one element (seen with ONEDNN_MAX_CPU_ISA=AVX2)",
}
