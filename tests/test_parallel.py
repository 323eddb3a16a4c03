"""Splitting the batch across threads changes nothing but speed."""
import numpy as np
import pytest

import glasstorch as gt
from glasstorch import models


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
    from glasstorch.parallel import batch_slices

    gt.set_num_threads(2)
    assert batch_slices(9) == [slice(0, 4), slice(4, 9)] or batch_slices(9) == [slice(0, 5), slice(5, 9)]
    assert batch_slices(1) == [slice(0, 1)]
    chunks = batch_slices(151)
    assert len(chunks) == 2 and chunks[0].start == 0 and chunks[0].stop == chunks[1].start and chunks[1].stop == 151
    assert gt.get_num_threads() == 2
    with pytest.raises(ValueError, match="positive number of threads"):
        gt.set_num_threads(0)


def test_map_slices_keeps_order_and_raises_a_workers_error():
    from glasstorch.parallel import map_slices

    gt.set_num_threads(2)
    slices = [slice(i, i + 1) for i in range(5)]
    assert map_slices(lambda s, k: (s.start, k), slices, list("abcde")) == [(i, k) for i, k in enumerate("abcde")]

    def fail_on_odd(s):
        if s.start % 2:
            raise ValueError(f"slice {s.start}")
        return s.start
    with pytest.raises(ValueError, match="slice 1"):        # slice 1 runs on the worker thread
        map_slices(fail_on_odd, slices)
    assert map_slices(lambda s: s.start, slices) == list(range(5))      # the pool still works afterwards


def test_map_slices_called_inside_a_worker_runs_serially():
    from glasstorch.parallel import map_slices

    gt.set_num_threads(2)
    inner = [slice(0, 1), slice(1, 2)]
    nested = map_slices(lambda s: map_slices(lambda t: t.start + 10 * s.start, inner), [slice(0, 1), slice(1, 2)])
    assert nested == [[0, 1], [10, 11]]


def test_memory_bound_ops_split_only_large_batches():
    from glasstorch.parallel import MIN_SPLIT_ELEMENTS, batch_slices

    gt.set_num_threads(2)
    assert batch_slices(64, elements=MIN_SPLIT_ELEMENTS - 1) == [slice(0, 64)]
    assert len(batch_slices(64, elements=MIN_SPLIT_ELEMENTS)) == 2


@pytest.mark.parametrize("op", ["avg_pool2d", "cat"])
def test_split_memory_bound_ops_match_torch_on_channels_last_input(op, monkeypatch):
    from oracle import compare

    monkeypatch.setattr("glasstorch.parallel.MIN_SPLIT_ELEMENTS", 0)   # split even this small batch
    gt.set_num_threads(2)
    nhwc = np.random.default_rng(3).standard_normal((5, 6, 7, 4)).astype(np.float32)
    if op == "avg_pool2d":
        fn = lambda L, t: L.nn.functional.avg_pool2d(t.permute(0, 3, 1, 2), 3, stride=1, padding=1)  # noqa: E731
    else:
        fn = lambda L, t: L.cat([t.permute(0, 3, 1, 2), 2 * t.permute(0, 3, 1, 2)[:, :3]], dim=1)  # noqa: E731
    compare(fn, nhwc)
