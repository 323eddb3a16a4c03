"""Run the same computation in glasstorch and in PyTorch (the reference) and compare values and gradients."""
import numpy as np
import torch

import glasstorch as gt


def _leaf(lib, array, requires_grad):
    t = lib.tensor(array)
    if requires_grad and array.dtype.kind == "f":
        t.requires_grad_(True)
    return t


def _outputs(result):
    return list(result) if isinstance(result, (tuple, list)) else [result]


def compare(fn, *arrays, torch_fn=None, rtol=1e-4, atol=1e-5, grad=True, seed=0):
    """fn(lib, *tensors) is called with lib = glasstorch and lib = torch on tensors made from `arrays`.

    Asserts the outputs agree and, when grad, that the gradients of sum(out * R) (R random) agree for
    every float input. Returns the glasstorch outputs.
    """
    torch_fn = torch_fn or fn
    ours_in = [_leaf(gt, a, grad) for a in arrays]
    ref_in = [_leaf(torch, a, grad) for a in arrays]
    ours = _outputs(fn(gt, *ours_in))
    ref = _outputs(torch_fn(torch, *ref_in))
    assert len(ours) == len(ref)
    rng = np.random.default_rng(seed)
    loss_ours, loss_ref = 0, 0
    for o, r in zip(ours, ref):
        r_np = r.detach().numpy()
        assert tuple(o.shape) == tuple(r.shape), f"shape {tuple(o.shape)} != torch {tuple(r.shape)}"
        assert o.dtype.name == str(r.dtype).replace("torch.", ""), f"dtype {o.dtype} != {r.dtype}"
        np.testing.assert_allclose(o.detach().numpy(), r_np, rtol=rtol, atol=atol, err_msg="forward value")
        if grad and r.requires_grad:
            weights = rng.standard_normal(r.shape).astype(r_np.dtype)
            loss_ours = loss_ours + (o * gt.tensor(weights)).sum()
            loss_ref = loss_ref + (r * torch.tensor(weights)).sum()
    if grad and not isinstance(loss_ref, int):
        loss_ours.backward()
        loss_ref.backward()
        for index, (a, b) in enumerate(zip(ours_in, ref_in)):
            if b.requires_grad:
                if b.grad is None:
                    assert a.grad is None or np.allclose(a.grad.numpy(), 0), f"input {index}: torch has no grad"
                    continue
                assert a.grad is not None, f"input {index}: glasstorch computed no gradient"
                np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=rtol, atol=atol,
                                           err_msg=f"gradient of input {index}")
    return ours


def randn(*shape, dtype=np.float32, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def gradcheck(fn, *arrays):
    """Finite differences in float64 through glasstorch.autograd.gradcheck."""
    inputs = [gt.tensor(a.astype(np.float64) if a.dtype.kind == "f" else a) for a in arrays]
    for t in inputs:
        if t.is_floating_point():
            t.requires_grad_(True)
    return gt.autograd.gradcheck(lambda *xs: fn(gt, *xs), inputs)


def check_unary(fn, domain=None):
    """fn(L, x) on a random 3 x 5 input (through `domain` first, e.g. to keep log's input positive) against
    PyTorch and against finite differences, its sample points kept off the kinks of relu, abs and clamp."""
    x = randn(3, 5, seed=1) * 2
    if domain:
        x = domain(x).astype(np.float32)
    x = x + np.float32(0.013)
    compare(fn, x)
    gradcheck(fn, x)
