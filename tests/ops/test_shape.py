import pytest

import glasstorch as gt
from oracle import compare, gradcheck, randn

SHAPE_OPS = {
    "reshape": lambda L, x: x.reshape(4, -1),
    "view": lambda L, x: x.view(-1),
    "flatten": lambda L, x: x.flatten(1),
    "flatten_range": lambda L, x: L.flatten(x, 0, 1),
    "permute": lambda L, x: x.permute(2, 0, 1),
    "transpose": lambda L, x: x.transpose(0, -1),
    "T2d": lambda L, x: x[0].t(),
    "unsqueeze": lambda L, x: x.unsqueeze(-1),
    "squeeze": lambda L, x: x.unsqueeze(1).squeeze(1),
    "squeeze_all": lambda L, x: x[:, :1].squeeze(),
    "expand": lambda L, x: x[:, :1].expand(2, 3, 4),
    "expand_new_dim": lambda L, x: x[0, 0].expand(3, 4),
    "repeat": lambda L, x: x.repeat(2, 1, 3),
    "repeat_more_dims": lambda L, x: x[0].repeat(2, 2, 1),
    "index_int": lambda L, x: x[1],
    "index_slice_step": lambda L, x: x[:, ::2, 1:],
    "index_negative": lambda L, x: x[-1, -2],
    "index_none_ellipsis": lambda L, x: x[None, ..., 2],
    "index_int_array": lambda L, x: x[L.tensor([0, 1, 0])],
    "index_repeated": lambda L, x: x[:, L.tensor([2, 2, 0, 2])],
    "index_mask": lambda L, x: x[x > 0],
    "index_two_arrays": lambda L, x: x[L.tensor([0, 1]), L.tensor([2, 0])],
    "cat": lambda L, x: L.cat([x, x * 2, x[:, :1]], dim=1),
    "cat_neg": lambda L, x: L.cat([x, x], dim=-1),
    "stack": lambda L, x: L.stack([x, x * 3], dim=1),
    "split": lambda L, x: x.split(1, dim=1),
    "split_sizes": lambda L, x: L.split(x, [1, 2], dim=1),
    "chunk": lambda L, x: x.chunk(2, dim=2),
    "pad_constant": lambda L, x: L.nn.functional.pad(x, (1, 2, 0, 1), value=0.5),
    "pad_crop": lambda L, x: L.nn.functional.pad(x, (-1, 1)),
    "pad_reflect": lambda L, x: L.nn.functional.pad(x, (2, 1), mode="reflect"),
    "pad_replicate": lambda L, x: L.nn.functional.pad(x, (1, 2, 2, 0), mode="replicate"),
    "pad_circular": lambda L, x: L.nn.functional.pad(x, (1, 2), mode="circular"),
}


@pytest.mark.parametrize("name", sorted(SHAPE_OPS))
def test_shape_op_matches_torch_and_finite_differences(name):
    x = randn(2, 3, 4, seed=11)
    compare(SHAPE_OPS[name], x)
    gradcheck(SHAPE_OPS[name], x)


def test_setitem_records_gradient_for_value_and_target():
    def fn(L, x, v):
        y = x * 1
        y[0, 1:] = v
        return y

    compare(fn, randn(2, 3, seed=1), randn(2, seed=2))


def test_setitem_without_grad_writes_in_place():
    x = gt.zeros(2, 3)
    view = x.data
    x[1, ::2] = 5.0
    assert view.tolist() == [[0, 0, 0], [5, 0, 5]]


def test_view_errors_match_torch():
    x = gt.zeros(2, 3)
    with pytest.raises(RuntimeError, match=r"shape '\[4, 2\]' is invalid for input of size 6"):
        x.view(4, 2)
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        x.view(-1, -1)
    with pytest.raises(RuntimeError, match="Sizes of tensors must match except in dimension 0"):
        gt.cat([x, gt.zeros(2, 4)])
    with pytest.raises(RuntimeError, match="expanded size"):
        x.expand(3, 3)


def test_index_out_of_bounds_names_the_shape():
    with pytest.raises(IndexError, match=r"shape \(2, 3\)"):
        gt.zeros(2, 3)[5]


def test_size_and_shape():
    x = gt.zeros(2, 3, 4)
    assert x.shape == (2, 3, 4) and x.size() == (2, 3, 4) and x.size(-1) == 4
    assert repr(x.shape) == "torch.Size([2, 3, 4])"
    assert x.dim() == 3 and x.numel() == 24 and len(x) == 2
