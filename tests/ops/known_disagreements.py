"""Where the edge table still disagrees with PyTorch: each entry an op, a sample (as test_edges describes it) and
why. test_edges.py holds this list to the truth both ways: a disagreement not listed fails, and so does a listed one
that no longer disagrees (remove it). A reason that starts with [reference] holds for the reference kernel set only.

UNDEFINED lists the cases where PyTorch's own result is undefined: there glasstorch is free to differ (README).
"""

UNDEFINED = {
    'topk': {
        "tie: (float32[2.0, 1.0, 2.0, 2.0, 0.0]) {'k': 2}": "which of several tied largest elements top-k returns (and so which gets the gradient) is not specified by PyTorch",
    },
}

KNOWN = {
    'relu': {
        'zero: (float32[0.0, -0.0, 1.0, -1.0]) ':
            "the sign of a zero result: PyTorch keeps -0.0 where NumPy's maximum/minimum return +0.0 (same value)",
    },
    'div': {
        'inf: (float32[inf, -inf, 1.0, inf, 2.0], float32[1.0, inf, inf, -inf, -inf]) ':
            "the second derivative at a singular point (0, inf or NaN): PyTorch's formula gives NaN or inf where glasstorch's gives 0, or the reverse",
        'zero: (float32[5.0, -5.0, 0.0, 3.5], float32[0.0, 0.0, 0.0, 2.0]) ':
            "the second derivative at a singular point (0, inf or NaN): PyTorch's formula gives NaN or inf where glasstorch's gives 0, or the reverse",
    },
    'pow': {
        'zero: (float32[0.0, -0.0, 1.0, -1.0, 0.0], float32[0.0, 0.0, -0.0, -0.0, -0.0]) ':
            "the second derivative at a singular point (0, inf or NaN): PyTorch's formula gives NaN or inf where glasstorch's gives 0, or the reverse",
        'zero: (float32[0.0, 0.0, 2.0, -2.0], float32[0.0, 2.0, 0.0, 0.5]) ':
            "the second derivative at a singular point (0, inf or NaN): PyTorch's formula gives NaN or inf where glasstorch's gives 0, or the reverse",
    },
    'maximum': {
        'zero: (float32[0.0, -0.0, 1.0, -1.0, 0.0], float32[0.0, 0.0, -0.0, -0.0, -0.0]) ':
            "the sign of a zero result: PyTorch keeps -0.0 where NumPy's maximum/minimum return +0.0 (same value)",
    },
    'minimum': {
        'zero: (float32[0.0, -0.0, 1.0, -1.0, 0.0], float32[0.0, 0.0, -0.0, -0.0, -0.0]) ':
            "the sign of a zero result: PyTorch keeps -0.0 where NumPy's maximum/minimum return +0.0 (same value)",
    },
    'clamp': {
        "mixed: (int64[-3, 0, 5]) {'min': 0.5}":
            'clamp with tensor bounds gives them no gradient, and an integer tensor clamped by a float bound stays integer (PyTorch promotes)',
        "zero: (float32[-0.0, 0.0]) {'min': 0.0}":
            "the sign of a zero result: PyTorch keeps -0.0 where NumPy's maximum/minimum return +0.0 (same value)",
        'bound: (float32[0.0, 1.0, 1.5, 2.0, 3.0], float32[1.0, 1.0, 1.0, 1.0, 1.0], float32[2.0, 2.0, 2.0, 2.0, 2.0]) ':
            'clamp with tensor bounds gives them no gradient, and an integer tensor clamped by a float bound stays integer (PyTorch promotes)',
    },
    'F.relu': {
        'zero: (float32[0.0, -0.0, 1.0, -1.0]) ':
            "the sign of a zero result: PyTorch keeps -0.0 where NumPy's maximum/minimum return +0.0 (same value)",
        'bound: (float32[0.0, -0.0]) ':
            "the sign of a zero result: PyTorch keeps -0.0 where NumPy's maximum/minimum return +0.0 (same value)",
    },
    'F.elu': {
        'nan: (float32[nan, 1.0]) ':
            "the second derivative at a singular point (0, inf or NaN): PyTorch's formula gives NaN or inf where glasstorch's gives 0, or the reverse",
        'zero: (float32[0.0, -0.0, 1.0, -1.0]) ':
            "the sign of a zero result: PyTorch keeps -0.0 where NumPy's maximum/minimum return +0.0 (same value)",
        'bound: (float32[0.0, -0.0]) ':
            "the sign of a zero result: PyTorch keeps -0.0 where NumPy's maximum/minimum return +0.0 (same value)",
    },
    'F.gelu': {
        'inf: (float32[inf, -inf, 1.0]) ':
            "gelu(inf) is inf here and NaN in PyTorch; approximate='tanh' fails on a 0-d input",
        '0-d: (float320.5) ':
            "gelu(inf) is inf here and NaN in PyTorch; approximate='tanh' fails on a 0-d input",
    },
    'softmax': {
        "0-d: (float321.5) {'dim': 0}":
            'the backward of softmax over a 0-d tensor fails (axis 0 of a 0-d array)',
    },
    'log_softmax': {
        "0-d: (float321.5) {'dim': 0}":
            'the backward of softmax over a 0-d tensor fails (axis 0 of a 0-d array)',
    },
    'prod': {
        'nan: (float32[1.0, nan, 3.0]) ':
            "prod's gradient at inf or NaN: glasstorch multiplies the other factors (exact with zeros), PyTorch divides prod / x_i (NaN there)",
        'inf: (float32[inf, 1.0, -inf]) ':
            "prod's gradient at inf or NaN: glasstorch multiplies the other factors (exact with zeros), PyTorch divides prod / x_i (NaN there)",
        "nan: (float32[[1.0, nan, 3.0], [2.0, 2.0, 0.0]]) {'dim': 1}":
            "prod's gradient at inf or NaN: glasstorch multiplies the other factors (exact with zeros), PyTorch divides prod / x_i (NaN there)",
        'inf: (float32[inf, 1.0, inf]) ':
            "prod's gradient at inf or NaN: glasstorch multiplies the other factors (exact with zeros), PyTorch divides prod / x_i (NaN there)",
    },
    'amax': {
        'zero: (float32[0.0, -0.0]) ':
            "the sign of a zero result: PyTorch keeps -0.0 where NumPy's maximum/minimum return +0.0 (same value)",
    },
    'amin': {
        'zero: (float32[0.0, -0.0]) ':
            "the sign of a zero result: PyTorch keeps -0.0 where NumPy's maximum/minimum return +0.0 (same value)",
    },
    'logsumexp': {
        "empty: (float32[]) {'dim': 0}":
            "an empty tensor: this reduction's forward or backward fails where PyTorch returns an empty result",
    },
    'median': {
        'empty: (float32[]) ':
            "an empty tensor: this reduction's forward or backward fails where PyTorch returns an empty result",
    },
    'norm': {
        "zero: (float32[[0.0, 0.0], [3.0, 4.0]]) {'p': 2, 'dim': 1}":
            "the second derivative at a singular point (0, inf or NaN): PyTorch's formula gives NaN or inf where glasstorch's gives 0, or the reverse",
        "zero: (float32[0.0, 0.0, 0.0]) {'p': 2}":
            "the second derivative at a singular point (0, inf or NaN): PyTorch's formula gives NaN or inf where glasstorch's gives 0, or the reverse",
    },
    'linalg.vector_norm': {
        "zero: (float32[0.0, 0.0, 0.0]) {'ord': 2}":
            "the second derivative at a singular point (0, inf or NaN): PyTorch's formula gives NaN or inf where glasstorch's gives 0, or the reverse",
        "zero: (float32[[0.0, 0.0], [3.0, 4.0]]) {'ord': 2, 'dim': 1}":
            "the second derivative at a singular point (0, inf or NaN): PyTorch's formula gives NaN or inf where glasstorch's gives 0, or the reverse",
    },
    'linalg.matrix_norm': {
        'zero: (float32[[0.0, 0.0], [0.0, 0.0]]) ':
            "the second derivative at a singular point (0, inf or NaN): PyTorch's formula gives NaN or inf where glasstorch's gives 0, or the reverse",
    },
    'cumprod': {
        "empty: (float32[]) {'dim': 0}":
            "an empty tensor: this reduction's forward or backward fails where PyTorch returns an empty result",
    },
    'einsum': {
        "random: ('ii->', float32[3, 3]) ":
            'einsum with a repeated subscript (a trace) has no backward',
    },
    'cat': {
        'empty: ([float32[[1.2200117111206055, 1.2317631244659424, 0.061302244663238525], [-0.8567944765090942, -1.7842772006988525, -0.46652448177337646]], float32[]]) ':
            "cat/stack: mixed dtypes promote to float64 instead of PyTorch's float32, and an empty list, 0-d tensors and PyTorch's legacy empty 1-D tensor give other errors",
        'error: ([]) ':
            "cat/stack: mixed dtypes promote to float64 instead of PyTorch's float32, and an empty list, 0-d tensors and PyTorch's legacy empty 1-D tensor give other errors",
        'mixed: ([int64[1, 2], float32[-0.9535514712333679, -0.8060353994369507]]) ':
            "cat/stack: mixed dtypes promote to float64 instead of PyTorch's float32, and an empty list, 0-d tensors and PyTorch's legacy empty 1-D tensor give other errors",
        'error: ([float321.0, float322.0]) ':
            "cat/stack: mixed dtypes promote to float64 instead of PyTorch's float32, and an empty list, 0-d tensors and PyTorch's legacy empty 1-D tensor give other errors",
    },
    'stack': {
        'mixed: ([int64[1, 2], float32[-0.9535514712333679, -0.8060353994369507]]) ':
            "cat/stack: mixed dtypes promote to float64 instead of PyTorch's float32, and an empty list, 0-d tensors and PyTorch's legacy empty 1-D tensor give other errors",
    },
    'chunk': {
        'error: (float32[5, 2], 0) ':
            'chunk of an empty dim returns 1 piece (PyTorch: 2), and chunks=0 raises ZeroDivisionError instead of RuntimeError',
        'empty: (float32[], 2) ':
            'chunk of an empty dim returns 1 piece (PyTorch: 2), and chunks=0 raises ZeroDivisionError instead of RuntimeError',
    },
    'F.max_pool2d': {
        "empty: (float32[]) {'kernel_size': 2}":
            '[reference] the reference max pool cannot reshape an empty batch',
    },
}
