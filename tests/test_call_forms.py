"""The call forms real programs use, each beside PyTorch's own answer: out=, the new_* factories' keywords,
randint's overloads, the default device and the device queries."""
import warnings

import numpy as np
import pytest
import torch

import glasstorch as gt

OUT_CALLS = [
    ("add", lambda L, out: L.add(L.tensor([1.0, 2.0]), L.tensor([3.0, 4.0]), out=out), (2,)),
    ("mul", lambda L, out: L.mul(L.tensor([1.0, 2.0]), 3, out=out), (2,)),
    ("matmul", lambda L, out: L.matmul(L.ones(2, 3), L.ones(3, 2), out=out), (2, 2)),
    ("sum", lambda L, out: L.sum(L.ones(2, 3), 1, out=out), (2,)),
    ("cat", lambda L, out: L.cat([L.ones(2), L.zeros(1)], out=out), (3,)),
    ("clamp", lambda L, out: L.clamp(L.tensor([-1.0, 0.5, 2.0]), 0, 1, out=out), (3,)),
    ("arange", lambda L, out: L.arange(5, out=out), (5,)),
    ("gather", lambda L, out: L.gather(L.tensor([[1.0, 2.0], [3.0, 4.0]]), 1, L.tensor([[1], [0]]), out=out), (2, 1)),
    ("masked_select", lambda L, out: L.masked_select(L.tensor([1.0, -2.0, 3.0]), L.tensor([True, False, True]),
                                                     out=out), (2,)),
    ("where", lambda L, out: L.where(L.tensor([True, False]), L.ones(2), L.zeros(2), out=out), (2,)),
    ("sigmoid", lambda L, out: L.sigmoid(L.tensor([0.0, 1.1]), out=out), (2,)),
    ("cumsum", lambda L, out: L.cumsum(L.tensor([[1.1, 2.3], [3.7, 5.1]]), 0, out=out), (2, 2)),   # computed in
    ("cumprod", lambda L, out: L.cumprod(L.tensor([1.1, 2.3, 3.7]), 0, out=out), (3,)),            # out's dtype
    ("std", lambda L, out: L.std(L.tensor([[1.1, 2.3], [3.7, 5.1]]), 0, out=out), (2,)),
    ("var", lambda L, out: L.var(L.tensor([[1.1, 2.3], [3.7, 5.1]]), 1, out=out), (2,)),
]


@pytest.mark.parametrize("name, call, shape", OUT_CALLS, ids=[c[0] for c in OUT_CALLS])
def test_out_writes_into_the_given_tensor_and_returns_it_as_torch_does(name, call, shape):
    """Into an out of the result's dtype, and of a wider one: cast (add, sum ...) or refused (matmul, clamp ...)."""
    for dtype in ("float32", "float64"):
        ours, theirs = gt.zeros(shape, dtype=getattr(gt, dtype)), torch.zeros(shape, dtype=getattr(torch, dtype))
        try:
            expected = call(torch, theirs)
        except RuntimeError:                    # torch refuses a wider out for this op: so does glasstorch, naming both
            with pytest.raises(RuntimeError, match=rf"{name}\(\): Found dtype Double but expected Float"):
                call(gt, ours)
            continue
        assert call(gt, ours) is ours and expected is theirs
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        assert ours.dtype.name == str(theirs.dtype).replace("torch.", "")


def test_nonzero_writes_its_indices_into_out():
    results = []
    for L in (gt, torch):
        out = L.empty(0, dtype=L.int64)
        assert L.nonzero(L.tensor([[0.0, 2.0], [3.0, 0.0]]), out=out) is out
        results.append(out.tolist())
    assert results[0] == results[1] == [[0, 1], [1, 0]]


def test_out_refuses_what_torch_refuses_and_resizes_with_its_warning():
    for L in (gt, torch):
        with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
            L.add(L.ones(2, requires_grad=True), 1, out=L.empty(2))
        with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
            L.add(L.ones(2), 1.5, out=L.zeros(2, dtype=L.int64))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = L.mul(L.ones(3), 2, out=L.empty(2))
        assert tuple(out.shape) == (3,) and "was resized" in str(caught[0].message)


def test_the_new_factories_take_every_keyword_of_torchs():
    seen = {}
    for L in (gt, torch):
        x = L.ones(2, dtype=L.float32)
        made = [x.new_ones(5, 3, dtype=L.float64), x.new_zeros((2, 2), requires_grad=True), x.new_full((2,), 7),
                x.new_empty(3, dtype=L.int64), x.new_tensor([1, 2], dtype=L.int32, requires_grad=False),
                x.new_ones([4], device="cpu")]
        seen[L] = [(tuple(t.shape), str(t.dtype).replace("torch.", ""), t.requires_grad) for t in made]
    assert seen[gt] == seen[torch]
    with pytest.raises(RuntimeError, match="CPU only"):
        gt.ones(2).new_zeros(2, device="cuda")


def test_randint_overloads_and_the_default_device():
    for L in (gt, torch):
        for call in (lambda: L.randint(10, (3,)), lambda: L.randint(10, size=(3,)), lambda: L.randint(3, 10, (3,))):
            values = call()
            assert tuple(values.shape) == (3,) and str(values.dtype).endswith("int64") and int(values.max()) < 10
        with pytest.raises(TypeError):
            L.randint(3, 10)
        L.set_default_device("cpu")
        assert str(L.get_default_device()) == "cpu"
        assert not L.ones(1).is_mps and not L.ones(1).is_cuda
    with pytest.raises(RuntimeError, match="CPU only"):
        gt.set_default_device("cuda")


BACKEND_FLAGS = {"cudnn": ["enabled", "benchmark", "benchmark_limit", "deterministic", "allow_tf32", "fp32_precision"],
                 "mkldnn": ["enabled", "deterministic", "allow_tf32", "fp32_precision"]}


@pytest.mark.parametrize("backend", sorted(BACKEND_FLAGS))
def test_backend_flags_read_set_and_scope_as_on_a_cpu_only_torch(backend):
    ours, theirs = getattr(gt.backends, backend), getattr(torch.backends, backend)
    names = BACKEND_FLAGS[backend]
    assert {n: getattr(ours, n) for n in names} == {n: getattr(theirs, n) for n in names}
    assert ours.is_available() is False            # the library itself is not used by glasstorch
    try:
        for module in (ours, theirs):
            module.deterministic = True
        seen = {}
        for module, label in ((ours, "ours"), (theirs, "theirs")):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")          # torch: "TF32 ... on top of oneDNN is for Intel GPUs"
                with module.flags(enabled=False):
                    seen[label] = {n: getattr(module, n) for n in names}
            seen[label + " after"] = {n: getattr(module, n) for n in names}
        assert seen["ours"] == seen["theirs"] and seen["ours after"] == seen["theirs after"]
        assert seen["ours"]["deterministic"] is False and seen["ours after"]["deterministic"] is True
    finally:
        ours.deterministic = theirs.deterministic = False
    with pytest.raises(TypeError, match="unexpected keyword"):
        with ours.flags(fast=True):
            pass


def test_backends_answer_for_a_cpu_only_machine():
    import glasstorch.backends.cudnn as imported_cudnn

    assert imported_cudnn is gt.backends.cudnn and gt.backends.cudnn.version() is None
    assert gt.backends.mps.is_available() is gt.backends.mps.is_built() is False
    assert gt.backends.cuda.is_built() is False and gt.backends.cuda.matmul.allow_tf32 is False
    assert gt.backends.cpu.get_cpu_capability() == torch.backends.cpu.get_cpu_capability()


DTYPE_NAMES = ["float16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64", "bool"]


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_tensor_type_names_and_converts_as_torch(name):
    ours, theirs = gt.zeros(2, dtype=getattr(gt, name)), torch.zeros(2, dtype=getattr(torch, name))
    assert ours.type() == theirs.type()
    for target in ("torch.DoubleTensor", "torch.LongTensor", "torch.BoolTensor", theirs.type()):
        assert str(ours.type(target).dtype) == str(theirs.type(target).dtype)
        assert (ours.type(target) is ours) == (theirs.type(target) is theirs)
    assert ours.type(gt.LongTensor).dtype == gt.int64 and ours.type(gt.float16).dtype == gt.float16


def test_tensor_type_refuses_what_torch_refuses_and_to_copies_on_request():
    x = gt.ones(3, requires_grad=True)
    with pytest.raises(ValueError, match="invalid type: 'torch.Foo'"):
        x.type("torch.Foo")
    with pytest.raises(ValueError):
        torch.ones(3).type("torch.Foo")
    with pytest.raises(RuntimeError, match="CPU only"):
        x.type("torch.cuda.FloatTensor")
    copied = x.to(gt.float32, copy=True)
    assert copied is not x and x.to(gt.float32) is x and x.to(device="cpu", non_blocking=True) is x
    copied.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]
    assert x.to(gt.zeros(1, dtype=gt.int64)).dtype == gt.int64


def test_conversions_take_memory_format_and_prod_takes_dtype_as_torch():
    for L in (gt, torch):
        x = L.tensor([[1, 2], [3, 4]], dtype=L.int32)
        assert [str(t.dtype).split(".")[-1] for t in (x.float(memory_format=L.preserve_format),
                                                       x.double(memory_format=L.contiguous_format),
                                                       x.long(memory_format=L.preserve_format),
                                                       x.cpu(memory_format=L.preserve_format))] == \
            ["float32", "float64", "int64", "int32"]
        assert repr(L.channels_last) == "torch.channels_last"
    ours = gt.tensor([[1, 2], [3, 4]], dtype=gt.int32)
    theirs = torch.tensor([[1, 2], [3, 4]], dtype=torch.int32)
    for call in (lambda L, t: t.prod(dtype=L.float64), lambda L, t: L.prod(t, 1, dtype=L.float32),
                 lambda L, t: t.prod(0, keepdim=True, dtype=L.int64)):
        a, b = call(gt, ours), call(torch, theirs)
        assert a.tolist() == b.tolist() and str(a.dtype) == str(b.dtype)


FACTORY_CALLS = [
    ("zeros", lambda L, out: L.zeros(2, 3, out=out)),
    ("ones", lambda L, out: L.ones((2,), out=out)),
    ("full", lambda L, out: L.full((2, 2), 7, out=out)),
    ("empty", lambda L, out: L.empty(3, out=out).fill_(1)),
    ("eye", lambda L, out: L.eye(2, 3, out=out)),
    ("linspace", lambda L, out: L.linspace(0, 1, 5, out=out)),
    ("arange", lambda L, out: L.arange(1, 7, 2, out=out)),
    ("randperm", lambda L, out: L.randperm(4, out=out).sort()[0]),
]


@pytest.mark.parametrize("name,call", FACTORY_CALLS, ids=[c[0] for c in FACTORY_CALLS])
@pytest.mark.parametrize("out_dtype", ["float64", "int64"])
def test_factories_write_into_out_in_its_dtype_as_torch(name, call, out_dtype):
    results = {}
    for L in (gt, torch):
        out = L.empty(0, dtype=getattr(L, out_dtype))
        if name == "linspace" and out_dtype == "int64":
            out = L.empty(0, dtype=L.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("error")          # an empty out is resized without a warning
            returned = call(L, out)
        results[L] = (returned.tolist(), str(out.dtype).split(".")[-1], tuple(out.shape))
    assert results[gt] == results[torch]


def test_factories_take_layout_pin_memory_and_memory_format_as_a_cpu_only_torch():
    for L in (gt, torch):
        assert tuple(L.zeros(2, layout=L.strided).shape) == (2,)
        assert L.empty(2, memory_format=L.contiguous_format).shape[0] == 2
        assert L.ones_like(L.ones(2), memory_format=L.preserve_format, layout=L.strided).tolist() == [1.0, 1.0]
        with pytest.raises(RuntimeError, match="pin_memory=True requires a CUDA or other accelerator"):
            L.rand(2, pin_memory=True)
        with pytest.raises(TypeError):
            L.zeros_like(L.ones(2), out=L.ones(2))
    with pytest.raises(RuntimeError, match="dense .torch.strided.; layout=torch.sparse_coo is not supported"):
        gt.zeros(2, layout=gt.sparse_coo)
