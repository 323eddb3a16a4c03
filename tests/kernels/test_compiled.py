"""The compiled kernel set (Numba): what its contract does not say but a user relies on. It is tested against the
reference with every op test (tests/ops/conftest.py) and in test_kernel_sets.py; here: non-contiguous inputs,
the direct convolution loops and where they hand over to the general ones, plain Python under NUMBA_DISABLE_JIT=1,
where its cache lives (and the line a first compile prints), and the fallback where Numba is missing."""
import os
import subprocess
import sys

import numpy as np
import pytest

import glasstorch as gt
import glasstorch.nn.functional as F
from glasstorch.kernels import compiled
from glasstorch.kernels.geometry import ConvGeometry


@pytest.fixture
def on_compiled():
    before = gt.get_kernels()
    gt.set_kernels("compiled")
    yield
    gt.set_kernels(before)


def test_a_channels_last_or_sliced_input_gives_the_contiguous_inputs_result(on_compiled):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5, 9, 9)).astype(np.float32)
    w = rng.standard_normal((6, 5, 3, 3)).astype(np.float32)
    geometry = ConvGeometry((3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1, (9, 9))
    expected = compiled.conv2d(x, w, None, geometry)[0]
    channels_last = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    assert not channels_last.flags.c_contiguous
    np.testing.assert_array_equal(compiled.conv2d(channels_last, w, None, geometry)[0], expected)
    wide = np.zeros((4, 5, 9, 18), np.float32)
    wide[..., ::2] = x
    np.testing.assert_array_equal(compiled.conv2d(wide[..., ::2], w, None, geometry)[0], expected)
    np.testing.assert_array_equal(compiled.relu(x.transpose(0, 2, 3, 1)), np.maximum(x, 0).transpose(0, 2, 3, 1))
    # the inner loops read rows in order: the kernel gets C-contiguous arrays whatever the caller had
    assert compiled._nchw(channels_last).flags.c_contiguous and compiled._nchw(x) is x


def _conv_against_torch(x, w, grad_output=None, **options):
    """(ours, PyTorch's) (y, dL/dx, dL/dW, dL/db) of conv2d(x, w, b, **options) under dL/dy (ones by default)."""
    import torch

    results = []
    for lib in (gt, torch):
        xs, ws = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        bs = lib.tensor(np.linspace(-1, 1, len(w), dtype=x.dtype), requires_grad=True)
        y = lib.nn.functional.conv2d(xs, ws, bs, **options)
        y.backward(lib.ones_like(y) if grad_output is None else lib.tensor(grad_output))
        results.append([t.detach().numpy() for t in (y, xs.grad, ws.grad, bs.grad)])
    return results


@pytest.mark.parametrize("n, c, o, kernel, padding", [
    (3, 3, 5, (3, 5), (1, 2)),          # channels and output channels not multiples of the 4 per pass
    (2, 1, 2, (4, 4), "same"),          # PyTorch pads an even kernel unevenly: 1 above, 2 below
    (5, 6, 9, (1, 1), 0),
    (1, 4, 8, (3, 3), 2),               # padding 2 > kernel - 1 on a 3x3: rows of output that see one tap
])
def test_the_direct_convolution_loops_agree_with_pytorch(on_compiled, n, c, o, kernel, padding):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((n, c, 7, 6))
    w = rng.standard_normal((o, c, *kernel))
    ours, theirs = _conv_against_torch(x, w, padding=padding)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine, reference, rtol=1e-10, atol=1e-10)


def test_an_infinite_weight_or_gradient_never_meets_the_padding(on_compiled):
    """The direct loops neither store nor multiply the padding's zeros (0 inf = NaN): an infinite weight (forward)
    or dL/dy (dL/dW) gives PyTorch's float32 values, which skip the padding too (oneDNN), with NaN nowhere that
    PyTorch has a number. (PyTorch's float64 convolution multiplies the padding, and so has NaN there.)"""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 2, 5, 5)).astype(np.float32)
    w = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    w[1, 0, 0, 0] = np.inf
    grad_output = np.ones((2, 3, 5, 5), np.float32)
    grad_output[0, 2, 4, 4] = -np.inf
    for infinite_weight, grad in ((True, None), (False, grad_output)):
        ours, theirs = _conv_against_torch(x, w if infinite_weight else np.nan_to_num(w, posinf=1.0), grad,
                                           padding=1)
        for mine, reference in zip(ours, theirs):
            np.testing.assert_array_equal(np.isnan(mine), np.isnan(reference))
            np.testing.assert_allclose(mine, reference, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("image, padding", [(1, 1), (2, 2), (3, 4)])
def test_taps_that_read_only_padding_give_no_output_and_a_zero_weight_gradient(on_compiled, image, padding):
    """On images smaller than the kernel's reach (a 3 x 3 kernel with padding 1 on 1 x 1 images: ResNet-18's last
    stage on 32 x 32 inputs) some taps read nothing but padding, and some output rows nothing at all: those taps
    are left out of every block, their dL/dW is 0, the empty rows are the bias; as PyTorch, in float32 and
    float64."""
    rng = np.random.default_rng(3)
    for dtype in (np.float32, np.float64):
        x = rng.standard_normal((3, 4, image, image)).astype(dtype)
        w = rng.standard_normal((5, 4, 3, 3)).astype(dtype)
        ours, theirs = _conv_against_torch(x, w, padding=padding)
        for mine, reference in zip(ours, theirs):
            np.testing.assert_allclose(mine, reference, rtol=1e-5, atol=1e-5)


def test_the_batch_innermost_x_the_forward_reads_serves_dl_dw(on_compiled, monkeypatch):
    """A convolution's forward pass reads x batch-innermost, (C, H, W, N), unpadded, and keeps it for dL/dW (as the
    (N, C, H, W) view of that memory): a training step converts an NCHW x once, not twice, and a convolution's
    output (already batch-innermost) not at all. dL/dW from the kept x is dL/dW from x itself."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 5, 7, 7)).astype(np.float32)
    w = rng.standard_normal((6, 5, 3, 3)).astype(np.float32)
    geometry = ConvGeometry((3, 3), (1, 1), (1, 1, 2, 0), (1, 1), 1, (7, 7))
    y, kept = compiled.conv2d(x, w, None, geometry)
    assert kept.shape == x.shape and kept.transpose(1, 2, 3, 0).flags.c_contiguous
    np.testing.assert_array_equal(kept, x)
    grad_output = rng.standard_normal(y.shape).astype(np.float32)
    np.testing.assert_array_equal(
        compiled.conv2d_backward(grad_output, kept, w, x.shape, w.shape, geometry, True, True, True)[1],
        compiled.conv2d_backward(grad_output, x, w, x.shape, w.shape, geometry, True, True, True)[1])
    w2 = rng.standard_normal((2, 6, 3, 3)).astype(np.float32)
    assert np.shares_memory(compiled.conv2d(y, w2, None, geometry)[1], y)

    conversions = []
    convert = compiled._to_batch_innermost
    monkeypatch.setattr(compiled, "_to_batch_innermost", lambda array, *rest: conversions.append(
        array.shape) or convert(array, *rest))
    xt, wt = gt.tensor(x, requires_grad=True), gt.tensor(w, requires_grad=True)
    F.conv2d(xt, wt, padding=1).sum().backward()
    assert conversions == [x.shape, (3, 6, 7, 7)]      # x once (forward), dL/dy once (backward)


@pytest.mark.parametrize("n", [3, 1])
def test_activations_stay_batch_innermost_between_kernels_and_agree_with_pytorch(on_compiled, n):
    """Convolutions, 2 x 2 max pooling and average pooling return batch-innermost (C, H, W, N) memory, and ReLU,
    sums and the next of them take it as it is; an NCHW operand meets it in a sum and in ReLU's backward (the
    gradient through the reshape before a linear layer). Values and every gradient agree with PyTorch; one
    image (whose NCHW and batch-innermost memory coincide) goes the NCHW loops."""
    import torch

    rng = np.random.default_rng(5)
    x = rng.standard_normal((n, 4, 8, 8)).astype(np.float32)
    w1 = rng.standard_normal((6, 4, 3, 3)).astype(np.float32)
    w2 = rng.standard_normal((4, 12, 1, 1)).astype(np.float32)
    weights = rng.standard_normal((n, 64)).astype(np.float32)
    layouts, results = [], []
    for lib in (gt, torch):
        F_ = lib.nn.functional
        xs, a, b = (lib.tensor(v, requires_grad=True) for v in (x, w1, w2))
        pooled = F_.max_pool2d(F_.relu(F_.conv2d(xs, a, padding=1)), 2)                 # (n, 6, 4, 4)
        branches = lib.cat([pooled, F_.avg_pool2d(pooled, 3, 1, 1)], 1)                 # (n, 12, 4, 4)
        y = F_.relu(F_.conv2d(branches, b) + F_.avg_pool2d(xs, 2))                      # + an NCHW operand
        (y.reshape(n, -1) * lib.tensor(weights)).sum().backward()
        if lib is gt:
            layouts = [compiled._batch_innermost(t.detach().numpy()) is not None for t in (pooled, branches, y)]
        results.append([t.detach().numpy() for t in (y, xs.grad, a.grad, b.grad)])
    assert layouts == [n > 1] * 3
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)


def test_elementwise_kernels_run_over_any_layout_in_memory_order():
    """ReLU, its backward and sums take each operand's memory as one run where it is one (C-contiguous,
    channels-last, batch-innermost), give the first operand's layout back, and reorder an operand stored otherwise,
    a reversed or gapped view included."""
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 4, 5, 6)).astype(np.float32)
    y = rng.standard_normal((3, 4, 5, 6)).astype(np.float32)
    layouts = {"nchw": lambda a: a, "nhwc": lambda a: np.ascontiguousarray(a.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2),
               "chwn": lambda a: np.ascontiguousarray(a.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2),
               "reversed": lambda a: np.ascontiguousarray(a[::-1])[::-1],
               "gapped": lambda a: np.repeat(a, 2, axis=3)[..., ::2]}
    for first in layouts.values():
        for second in layouts.values():
            a, b = first(x), second(y)
            relu = compiled.relu(a)
            np.testing.assert_array_equal(relu, np.maximum(x, 0))
            np.testing.assert_array_equal(compiled.add(a, b), x + y)
            np.testing.assert_array_equal(compiled.relu_backward(a, second(np.maximum(y, 0))), x * (y > 0))
            if a.strides[0] > 0 and np.may_share_memory(a.ravel(order="K"), a):
                assert relu.strides == a.strides          # the first operand's layout comes back


def test_nan_and_inf_propagate_without_fast_math(on_compiled):
    x = gt.tensor([[[[1.0, float("nan"), 3.0], [float("inf"), -1.0, 0.5], [-0.0, 2.0, -float("inf")]]]])
    w = gt.ones(1, 1, 2, 2)
    out = F.conv2d(x, w).numpy()
    assert np.isnan(out[0, 0, 0, 0]) and np.isnan(out[0, 0, 0, 1]) and out[0, 0, 1, 0] == np.inf
    pooled = F.max_pool2d(x, 2, 1).numpy()
    assert np.isnan(pooled[0, 0, 0, 0]) and pooled[0, 0, 1, 0] == np.inf
    assert np.signbit(F.relu(gt.tensor([-0.0])).numpy()[0])


def test_disable_jit_runs_the_same_kernels_as_plain_python_and_a_first_use_compile_says_so(tmp_path):
    """Compiled on first use (float64: nothing of it is compiled ahead) into a fresh cache, with one line; loaded
    from that cache, silently; run as plain Python: the same numbers each time."""
    program = ("import numpy as np, glasstorch as gt, glasstorch.nn.functional as F\n"
               "from glasstorch.kernels import compiled\n"
               "gt.set_kernels('compiled')\n"
               "import os\n"
               "assert hasattr(compiled._conv2d, 'py_func') == (os.environ['NUMBA_DISABLE_JIT'] == '0')\n"
               "x = gt.tensor(np.arange(64, dtype=np.float64).reshape(2, 2, 4, 4), requires_grad=True)\n"
               "w = gt.tensor(np.ones((3, 2, 3, 3), np.float64), requires_grad=True)\n"
               "y = F.max_pool2d(F.relu(F.conv2d(x, w, padding=1)), 2)\n"
               "y.sum().backward()\n"
               "print(y.detach().numpy().sum(), x.grad.numpy().sum(), w.grad.numpy().sum())\n")
    results, notices = [], []
    for jit in ("0", "0", "1"):         # compiled into a fresh cache, loaded from it, run as plain Python
        env = {**os.environ, "NUMBA_DISABLE_JIT": jit, "NUMBA_CACHE_DIR": str(tmp_path / "cache"),
               "GLASSTORCH_COMPILE_AHEAD": "0"}
        result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env,
                                timeout=600)
        assert result.returncode == 0, result.stderr
        results.append([float(v) for v in result.stdout.split()])
        notices.append(result.stderr.count("glasstorch: compiling kernels of the compiled set for this machine"))
    assert results[0] == results[1] == results[2] and results[0][0] > 0
    assert notices == [1, 0, 0]     # one line when a process compiles, none when it loads the cache


def test_the_first_use_compile_line_speaks_the_chosen_language(capsys):
    """The line is the catalogue's (glasstorch.i18n): a learner with --lang zh reads it in Chinese."""
    import types

    from glasstorch.i18n import language, set_language

    event = types.SimpleNamespace(data={"dispatcher": compiled._relu})
    before = language()
    try:
        for lang, words in (("zh", "正在为这台机器编译编译版内核集的内核"),
                            ("en", "compiling kernels of the compiled set")):
            set_language(lang)
            compiled._FirstCompileNotice().on_start(event)
            assert words in capsys.readouterr().err
    finally:
        set_language(before)


def test_the_compiled_set_takes_the_cores_from_blas():
    """Numba's threads and OpenBLAS's would spin against each other: on two glasstorch threads, loading the set
    leaves BLAS one thread (on one glasstorch thread, BLAS keeps its own count)."""
    probe = ("from threadpoolctl import threadpool_info\n"
             "import glasstorch as gt\n"
             "blas = lambda: max(i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas')\n"
             "before = blas()\n"
             "gt.set_kernels('compiled')\n"
             "print(before, blas())\n")
    for threads, expected in (("2", 1), ("1", 2)):
        env = {**os.environ, "GLASSTORCH_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": "2"}
        result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=300)
        assert result.returncode == 0, result.stderr
        assert [int(n) for n in result.stdout.split()] == [2, expected]


@pytest.mark.parametrize("first", ["", "import numba; "], ids=["glasstorch first", "numba imported first"])
def test_the_cache_lives_in_the_users_cache_folder_not_beside_the_package(tmp_path, first):
    probe = (f"{first}import glasstorch.kernels.compiled as k, numba; print(numba.config.CACHE_DIR); "
             "print(k._relu._cache._cache_path)")
    env = {key: value for key, value in os.environ.items() if key != "NUMBA_CACHE_DIR"}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=600,
                            env={**env, "XDG_CACHE_HOME": str(tmp_path)})
    cache_dir, kernel_cache = result.stdout.split()
    assert cache_dir == str(tmp_path / "glasstorch" / "numba"), result.stderr
    assert kernel_cache.startswith(cache_dir) and not kernel_cache.startswith(os.path.dirname(gt.__file__))


def test_without_numba_one_line_and_the_fast_set(tmp_path):
    program = ("import sys; sys.modules['numba'] = None\n"
               "import glasstorch as gt\n"
               "gt.set_kernels('compiled')\n"
               "print(gt.get_kernels())\n")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=300)
    assert result.stdout.strip() == "fast"
    assert result.stderr.count("\n") == 1 and 'pip install "glasstorch[compiled]"' in result.stderr
