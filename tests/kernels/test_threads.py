"""Splitting the batch across threads (the fast kernel set) changes nothing but speed."""
import numpy as np
import pytest

import glasstorch as gt
from glasstorch import models
from glasstorch.kernels import threads as parallel


@pytest.fixture(autouse=True)
def fast_kernels():
    """Every test here runs the fast kernels (whatever GLASSTORCH_KERNELS says) and leaves the setting as it was."""
    kernels = gt.get_kernels()
    gt.set_kernels("fast")
    yield
    gt.set_kernels(kernels)


def train_step_gradients(threads):
    gt.set_num_threads(threads)
    gt.manual_seed(0)
    model = models.InceptionNet()
    x = gt.tensor(np.random.default_rng(0).standard_normal((9, 1, 28, 28)).astype(np.float32))
    loss = gt.nn.functional.cross_entropy(model(x), gt.tensor(np.arange(9)))
    loss.backward()
    return loss.item(), {name: p.grad.numpy().copy() for name, p in model.named_parameters()}


def test_one_and_two_threads_give_the_same_loss_and_gradients():
    try:
        loss_one, grads_one = train_step_gradients(1)
        loss_two, grads_two = train_step_gradients(2)
    finally:
        gt.set_num_threads(2)
    assert loss_one == pytest.approx(loss_two, rel=1e-6)
    for name, grad in grads_one.items():
        np.testing.assert_allclose(grads_two[name], grad, rtol=1e-4, atol=1e-6, err_msg=name)


def test_batch_slices_cover_the_batch():
    gt.set_num_threads(2)
    assert parallel.batch_slices(9) in ((slice(0, 4), slice(4, 9)), (slice(0, 5), slice(5, 9)))
    assert parallel.batch_slices(1) == (slice(0, 1),)
    chunks = parallel.batch_slices(151)
    assert len(chunks) == 2 and chunks[0].start == 0 and chunks[0].stop == chunks[1].start and chunks[1].stop == 151
    assert gt.get_num_threads() == 2
    with pytest.raises(ValueError, match="positive number of threads"):
        gt.set_num_threads(0)


def test_map_slices_keeps_order_and_raises_a_workers_error():
    gt.set_num_threads(2)
    slices = [slice(i, i + 1) for i in range(5)]
    pairs = parallel.map_slices(lambda s, k: (s.start, k), slices, list("abcde"))
    assert pairs == [(i, k) for i, k in enumerate("abcde")]

    def fail_on_odd(s):
        if s.start % 2:
            raise ValueError(f"slice {s.start}")
        return s.start
    with pytest.raises(ValueError, match="slice 1"):        # slice 1 runs on the worker thread
        parallel.map_slices(fail_on_odd, slices)
    assert parallel.map_slices(lambda s: s.start, slices) == list(range(5))      # the pool still works afterwards


def test_map_slices_called_inside_a_worker_runs_serially():
    gt.set_num_threads(2)
    inner = [slice(0, 1), slice(1, 2)]
    nested = parallel.map_slices(lambda s: parallel.map_slices(lambda t: t.start + 10 * s.start, inner), inner)
    assert nested == [[0, 1], [10, 11]]


@pytest.mark.parametrize("op", ["avg_pool2d", "cat"])
def test_split_memory_bound_ops_match_torch_on_channels_last_input(op):
    from oracle import compare

    gt.set_num_threads(2)
    nhwc = np.random.default_rng(3).standard_normal((5, 6, 7, 4)).astype(np.float32)
    if op == "avg_pool2d":
        fn = lambda L, t: L.nn.functional.avg_pool2d(t.permute(0, 3, 1, 2), 3, stride=1, padding=1)  # noqa: E731
    else:
        fn = lambda L, t: L.cat([t.permute(0, 3, 1, 2), 2 * t.permute(0, 3, 1, 2)[:, :3]], dim=1)  # noqa: E731
    compare(fn, nhwc)


def test_a_weight_used_twice_sums_its_split_gradients_like_torch():
    from oracle import compare

    gt.set_num_threads(2)
    x = np.random.default_rng(4).standard_normal((4, 3, 6, 6)).astype(np.float32)
    w = np.random.default_rng(5).standard_normal((3, 3, 3, 3)).astype(np.float32)
    compare(lambda L, x, w: L.relu(L.nn.functional.conv2d(L.nn.functional.conv2d(x, w, padding=1), w)), x, w)


def test_ops_called_from_another_thread_finish_before_returning():
    import threading

    gt.set_num_threads(2)
    conv = gt.nn.Conv2d(1, 2, 3)
    x = gt.ones(8, 1, 5, 5)
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("y", conv(x)))
    thread.start()
    thread.join()
    np.testing.assert_allclose(result["y"].detach().numpy(), conv(x).detach().numpy(), rtol=1e-6)


def test_split_ops_return_finished_results_so_the_caller_may_reuse_its_buffer_at_once():
    gt.set_num_threads(2)
    model = gt.nn.Sequential(gt.nn.Conv2d(1, 4, 3), gt.nn.ReLU(), gt.nn.MaxPool2d(2))
    images = np.random.default_rng(6).standard_normal((8, 1, 10, 10)).astype(np.float32)
    with gt.no_grad():
        out = model(gt.from_numpy(images))
        bare = gt.nn.functional.conv2d(gt.from_numpy(images), model[0].weight)
        expected, expected_bare = out.numpy().copy(), bare.numpy().copy()
        images[...] = 0
        np.testing.assert_array_equal(out.numpy(), expected)
        np.testing.assert_array_equal(bare.numpy(), expected_bare)
        assert np.abs(expected_bare).sum() > 0


def test_use_cores_keeps_blas_at_one_thread_also_after_set_num_threads_1():
    """A rank of several on a host (parallel.use_cores): its threads each get a single-threaded BLAS, even where
    BLAS would take every core by itself. Run in a fresh process with no thread variables set."""
    import os
    import subprocess
    import sys

    code = ("from threadpoolctl import threadpool_info\nimport glasstorch as gt\nfrom glasstorch.kernels import threads as parallel\n"
            "blas = lambda: sorted({i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'})\n"
            "parallel.use_cores(2)\nprint(gt.get_num_threads(), blas())\n"
            "gt.set_num_threads(1)\nprint(gt.get_num_threads(), blas())\n")
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env["OPENBLAS_NUM_THREADS"] = "2"       # BLAS would take two threads by itself
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["2 [1]", "1 [1]"]
