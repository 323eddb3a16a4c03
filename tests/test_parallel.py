"""Splitting the batch across threads changes nothing but speed (the fast kernel set's asynchrony)."""
import numpy as np
import pytest

import glasstorch as gt
from glasstorch import models, parallel


@pytest.fixture(autouse=True)
def asynchronous_split():
    """Every test here runs the fast kernels with the split asynchronous (whatever GLASSTORCH_KERNELS and
    GLASSTORCH_ASYNC say) and leaves both as they were."""
    previous, kernels = parallel.set_asynchronous(True), gt.get_kernels()
    gt.set_kernels("fast")
    yield
    gt.set_kernels(kernels)
    parallel.set_asynchronous(previous)


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


def test_a_chain_of_batchwise_ops_runs_without_a_join_and_reads_back_complete():
    gt.set_num_threads(2)
    gt.manual_seed(0)
    conv = gt.nn.Conv2d(3, 4, 3, padding=1)
    x = gt.tensor(np.random.default_rng(1).standard_normal((6, 3, 9, 9)).astype(np.float32))
    with gt.no_grad():
        y = gt.nn.functional.max_pool2d(gt.relu(conv(x)), 2)
    assert parallel.in_flight(y._array)         # the worker's half may still be running
    expected = y.numpy().copy()                 # reading joins
    assert not parallel.in_flight(y._array)
    gt.set_num_threads(1)
    try:
        with gt.no_grad():
            np.testing.assert_array_equal(gt.nn.functional.max_pool2d(gt.relu(conv(x)), 2).numpy(), expected)
    finally:
        gt.set_num_threads(2)


def test_a_workers_error_is_raised_at_the_join_and_the_pool_still_works():
    gt.set_num_threads(2)
    out = np.zeros(4)

    def fill(rows):
        if rows.start:
            raise ValueError("slice on the worker failed")
        out[rows] = 1

    parallel.map_async(fill, parallel.batch_slices(4), outputs=(out,))
    with pytest.raises(ValueError, match="worker failed"):
        parallel.sync()
    assert not parallel.in_flight(out)
    parallel.map_async(lambda rows: out.__setitem__(rows, 2), parallel.batch_slices(4), outputs=(out,))
    parallel.sync()
    np.testing.assert_array_equal(out, 2)


def test_a_deferred_sum_is_finished_before_anything_reads_it():
    import time


    gt.set_num_threads(2)
    halves, total = np.zeros(2), np.zeros(1)

    def slow_half(rows):
        time.sleep(0.05 if rows.start else 0)
        halves[rows] = rows.start + 1

    parallel.map_async(slow_half, [slice(0, 1), slice(1, 2)], outputs=(halves,))     # slice 1: the worker
    parallel.defer(lambda: total.__setitem__(0, halves.sum()), outputs=(total,))
    parallel.settle(total)      # deferred: even a slice-wise reader waits for it
    assert total[0] == 3


def test_a_weight_used_twice_sums_its_deferred_gradients_like_torch():
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
    assert not parallel.in_flight(result["y"]._array)


@pytest.mark.parametrize("network", ["inception-net", "resnet"])
def test_asynchronous_training_is_bitwise_the_same_as_waiting_for_every_op(network):
    def train(asynchronous):
        parallel.set_asynchronous(asynchronous)
        gt.manual_seed(0)
        model = models.create_model(network)
        optimizer = gt.optim.SGD(model.parameters(), lr=0.05, momentum=0.5)
        rng = np.random.default_rng(0)
        for _ in range(3):
            x = gt.tensor(rng.standard_normal((13, 1, 28, 28)).astype(np.float32))
            optimizer.zero_grad()
            gt.nn.functional.cross_entropy(model(x), gt.tensor(rng.integers(0, 10, 13))).backward()
            optimizer.step()
        return {name: p.detach().numpy().copy() for name, p in model.named_parameters()}

    gt.set_num_threads(2)
    try:
        waiting, asynchronous = train(False), train(True)
    finally:
        parallel.set_asynchronous(True)     # the fixture restores the setting the session had
    for name, value in waiting.items():
        np.testing.assert_array_equal(asynchronous[name], value, err_msg=name)


def _tricky_uses_of_values_in_flight():
    """Reads, in-place changes, hooks, retain_graph and autograd.grad on tensors that split ops just produced."""
    gt.manual_seed(0)
    conv = gt.nn.Conv2d(3, 4, 3, padding=1)
    x = gt.tensor(np.random.default_rng(2).standard_normal((8, 3, 6, 6)).astype(np.float32), requires_grad=True)
    seen = []
    y = gt.relu(conv(x))
    y.register_hook(lambda grad: seen.append(grad.sum().item()) or grad * 2)
    first_row = y[0].sum().item()                       # indexing a value in flight
    z = gt.nn.functional.max_pool2d(y + y, 2)
    loss = (z * z).sum()
    (grad_x,) = gt.autograd.grad(loss, [x], retain_graph=True)
    loss.backward()
    with gt.no_grad():
        w = conv(x)
        w += 1                                          # in-place on a value in flight
        w.mul_(2)
    return [first_row, *seen, grad_x.numpy(), x.grad.numpy(), conv.weight.grad.numpy(), conv.bias.grad.numpy(),
            w.numpy()]


def test_values_in_flight_behave_exactly_as_finished_ones():
    gt.set_num_threads(2)
    try:
        parallel.set_asynchronous(False)
        expected = _tricky_uses_of_values_in_flight()
        parallel.set_asynchronous(True)
        got = _tricky_uses_of_values_in_flight()
    finally:
        parallel.set_asynchronous(True)     # the fixture restores the setting the session had
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)


def test_a_loop_that_never_reads_its_results_stays_bounded():
    gt.set_num_threads(2)
    conv = gt.nn.Conv2d(1, 2, 3)
    x = gt.ones(8, 1, 6, 6)
    with gt.no_grad():
        for _ in range(3 * parallel.MAX_QUEUED):
            conv(x)
            assert len(parallel._waits) <= parallel.MAX_QUEUED


def test_a_model_call_returns_finished_results_even_when_it_ends_in_a_split_op():
    gt.set_num_threads(2)
    model = gt.nn.Sequential(gt.nn.Conv2d(1, 4, 3), gt.nn.ReLU(), gt.nn.MaxPool2d(2))
    images = np.random.default_rng(6).standard_normal((8, 1, 10, 10)).astype(np.float32)
    with gt.no_grad():
        out = model(gt.from_numpy(images))
        assert not parallel.in_flight(out._array)
        expected = out.numpy().copy()
        images[...] = 0                 # the caller may reuse its buffer at once
        np.testing.assert_array_equal(out.numpy(), expected)
        bare = gt.nn.functional.conv2d(gt.from_numpy(images), model[0].weight)
        assert parallel.in_flight(bare._array)      # a bare op may still be running
