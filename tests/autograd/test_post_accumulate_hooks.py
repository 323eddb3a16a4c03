"""register_post_accumulate_grad_hook: called as soon as a leaf's gradient is complete, in PyTorch's order."""
import numpy as np
import pytest
import torch

import glasstorch as gt


def hook_order(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 4), lib.nn.Tanh(),
                              lib.nn.Linear(4, 2))
    events, seen = [], {}

    def record(name):
        def hook(t):
            events.append(name)
            seen[name] = t.grad.sum().item()
        return hook

    for name, p in model.named_parameters():
        p.register_post_accumulate_grad_hook(record(name))
    x = lib.tensor(np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32))
    model(x).sum().backward()
    return events, seen


def test_hooks_fire_leaf_by_leaf_as_backward_reaches_them_like_torch():
    events, seen = hook_order(gt)
    torch_events, _ = hook_order(torch)
    assert events == torch_events == ["4.bias", "4.weight", "2.bias", "2.weight", "0.bias", "0.weight"]
    assert all(np.isfinite(v) for v in seen.values())


def test_the_hook_sees_the_accumulated_grad_and_is_refused_on_non_leaves():
    for lib in (gt, torch):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        handle = w.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
        (w * 3).sum().backward()
        (w * 3).sum().backward()
        assert seen == [[3.0, 3.0], [6.0, 6.0]]
        handle.remove()
        (w * 3).sum().backward()
        assert len(seen) == 2
        with pytest.raises(RuntimeError, match="post accumulate grad hooks cannot be registered on non-leaf tensors"):
            (w * 2).register_post_accumulate_grad_hook(lambda t: None)
        lib.autograd.grad((w * 3).sum(), [w])       # autograd.grad accumulates nothing: no hook
        assert len(seen) == 2
