"""RNN, LSTM, GRU, their cells, Embedding and packed sequences against PyTorch: outputs, final states and the
gradient of every input and parameter; float64 finite differences for each cell's backward."""
import numpy as np
import pytest
import torch

import glasstorch as gt
import glasstorch.nn as nn
from oracle import randn

LAYERS = [
    ("RNN", dict()),
    ("RNN", dict(nonlinearity="relu", num_layers=2)),
    ("RNN", dict(bidirectional=True, batch_first=True)),
    ("LSTM", dict()),
    ("LSTM", dict(num_layers=2, bidirectional=True)),
    ("LSTM", dict(bias=False, batch_first=True)),
    ("GRU", dict()),
    ("GRU", dict(num_layers=3, bidirectional=True, batch_first=True)),
    ("GRU", dict(bias=False)),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'default'}" for name, kw in LAYERS]


def _pair(name, kwargs, input_size=4, hidden=5, dtype=None):
    ours = getattr(nn, name)(input_size, hidden, **kwargs)
    ref = getattr(torch.nn, name)(input_size, hidden, **kwargs)
    ref.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})
    if dtype is not None:
        ours.to(gt.float64), ref.double()
    return ours, ref


def _leaves(*arrays):
    return ([gt.tensor(a, requires_grad=True) for a in arrays], [torch.tensor(a, requires_grad=True) for a in arrays])


def _states(name, kwargs, batch, hidden=5, seed=7):
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    count = 2 if name == "LSTM" else 1
    return [randn(layers, batch, hidden, seed=seed + k) for k in range(count)]


def _backward_both(ours_out, ref_out, seed=3):
    loss_ours, loss_ref = 0, 0
    for k, (o, r) in enumerate(zip(ours_out, ref_out)):
        np.testing.assert_allclose(o.detach().numpy(), r.detach().numpy(), rtol=1e-4, atol=1e-5,
                                   err_msg=f"output {k}")
        w = randn(*r.shape, seed=seed + k)
        loss_ours = loss_ours + (o * gt.tensor(w)).sum()
        loss_ref = loss_ref + (r * torch.tensor(w)).sum()
    loss_ours.backward()
    loss_ref.backward()


def _flatten(output, hidden):
    return [output] + (list(hidden) if isinstance(hidden, tuple) else [hidden])


def _assert_grads(ours_leaves, ref_leaves, ours_module, ref_module):
    for k, (a, b) in enumerate(zip(ours_leaves, ref_leaves)):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-4, atol=1e-5, err_msg=f"input {k}")
    ref_params = dict(ref_module.named_parameters())
    for pname, p in ours_module.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), ref_params[pname].grad.numpy(), rtol=1e-4, atol=1e-5,
                                   err_msg=pname)


@pytest.mark.parametrize("name,kwargs", LAYERS, ids=IDS)
@pytest.mark.parametrize("given_state", [False, True])
def test_layer_matches_torch(name, kwargs, given_state):
    ours, ref = _pair(name, kwargs)
    batch, steps = 3, 6
    x = randn(batch, steps, 4, seed=1) if kwargs.get("batch_first") else randn(steps, batch, 4, seed=1)
    arrays = [x] + (_states(name, kwargs, batch) if given_state else [])
    (xo, *so), (xr, *sr) = _leaves(*arrays)
    hx_ours = None if not so else (tuple(so) if name == "LSTM" else so[0])
    hx_ref = None if not sr else (tuple(sr) if name == "LSTM" else sr[0])
    _backward_both(_flatten(*ours(xo, hx_ours)), _flatten(*ref(xr, hx_ref)))
    _assert_grads([xo, *so], [xr, *sr], ours, ref)
    assert repr(ours) == repr(ref)


@pytest.mark.parametrize("name,kwargs", LAYERS, ids=IDS)
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_packed_sequences_match_torch(name, kwargs, enforce_sorted):
    ours, ref = _pair(name, kwargs)
    lengths = [6, 4, 4, 1] if enforce_sorted else [2, 6, 1, 4]
    batch_first = kwargs.get("batch_first", False)
    x = randn(4, 6, 4, seed=2) if batch_first else randn(6, 4, 4, seed=2)
    arrays = [x] + _states(name, kwargs, 4)
    (xo, *so), (xr, *sr) = _leaves(*arrays)
    packed_ours = nn.utils.rnn.pack_padded_sequence(xo, lengths, batch_first=batch_first,
                                                    enforce_sorted=enforce_sorted)
    packed_ref = torch.nn.utils.rnn.pack_padded_sequence(xr, torch.tensor(lengths), batch_first=batch_first,
                                                         enforce_sorted=enforce_sorted)
    np.testing.assert_array_equal(packed_ours.batch_sizes.numpy(), packed_ref.batch_sizes.numpy())
    np.testing.assert_allclose(packed_ours.data.detach().numpy(), packed_ref.data.detach().numpy())
    out_ours, h_ours = ours(packed_ours, tuple(so) if name == "LSTM" else so[0])
    out_ref, h_ref = ref(packed_ref, tuple(sr) if name == "LSTM" else sr[0])
    padded_ours, len_ours = nn.utils.rnn.pad_packed_sequence(out_ours, batch_first=batch_first)
    padded_ref, len_ref = torch.nn.utils.rnn.pad_packed_sequence(out_ref, batch_first=batch_first)
    np.testing.assert_array_equal(len_ours.numpy(), len_ref.numpy())
    _backward_both(_flatten(padded_ours, h_ours), _flatten(padded_ref, h_ref))
    _assert_grads([xo, *so], [xr, *sr], ours, ref)


CELLS = [("RNNCell", dict()), ("RNNCell", dict(nonlinearity="relu", bias=False)), ("LSTMCell", dict()),
         ("GRUCell", dict()), ("GRUCell", dict(bias=False))]


@pytest.mark.parametrize("name,kwargs", CELLS, ids=[f"{n}-{k}" for n, k in CELLS])
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_torch(name, kwargs, batched):
    ours, ref = _pair(name, kwargs)
    shape = (3,) if batched else ()
    arrays = [randn(*shape, 4, seed=1)] + [randn(*shape, 5, seed=2 + k) for k in range(2 if name == "LSTMCell" else 1)]
    (xo, *so), (xr, *sr) = _leaves(*arrays)
    out_ours = ours(xo, tuple(so) if name == "LSTMCell" else so[0])
    out_ref = ref(xr, tuple(sr) if name == "LSTMCell" else sr[0])
    _backward_both(list(out_ours) if name == "LSTMCell" else [out_ours],
                   list(out_ref) if name == "LSTMCell" else [out_ref])
    _assert_grads([xo, *so], [xr, *sr], ours, ref)
    assert repr(ours) == repr(ref)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_layers_pass_float64_gradcheck(name):
    """Backpropagation through time against finite differences, through a packed bidirectional two-layer net."""
    layer = getattr(nn, name)(3, 2, num_layers=2, bidirectional=True).to(gt.float64)
    x = gt.randn(4, 3, 3, dtype=gt.float64, requires_grad=True)
    lengths = [4, 3, 1]

    def run(x, *params):
        for p, (pname, _) in zip(params, layer.named_parameters()):
            layer._parameters[pname] = p
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths)
        out, hidden = layer(packed)
        hidden = hidden if isinstance(hidden, tuple) else (hidden,)
        return (nn.utils.rnn.pad_packed_sequence(out)[0] ** 2).sum() + sum((h * h).sum() for h in hidden)

    params = [p.detach().clone().requires_grad_(True) for p in layer.parameters()]
    assert gt.autograd.gradcheck(run, [x, *params])


def test_unbatched_sequence_and_initial_state_errors():
    lstm = nn.LSTM(4, 5)
    out, (h, c) = lstm(gt.randn(6, 4))
    assert tuple(out.shape) == (6, 5) and tuple(h.shape) == (1, 5) and tuple(c.shape) == (1, 5)
    with pytest.raises(RuntimeError, match=r"LSTM\(4, 5\): input.size\(-1\) must be equal to input_size. Expected 4, "
                                           r"got 3 .*\(seq, batch, features\), batch_first=False"):
        lstm(gt.randn(6, 2, 3))
    with pytest.raises(ValueError, match=r"GRU\(4, 5, batch_first=True\): expected input to be 2-D .* 3-D "
                                         r"\(batch, seq, features\)"):
        nn.GRU(4, 5, batch_first=True)(gt.randn(1, 6, 2, 4))
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(1, 2, 5\), got \[1, 3, 5\]"):
        nn.GRU(4, 5)(gt.randn(6, 2, 4), gt.zeros(1, 3, 5))
    with pytest.raises(RuntimeError, match="token indices"):
        nn.RNN(1, 5)(gt.zeros(6, 2, 1, dtype=gt.int64))


def test_enforce_sorted_error_matches_torch():
    x = randn(5, 3, 2)
    with pytest.raises(RuntimeError) as ref:
        torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x), [2, 5, 1])
    with pytest.raises(RuntimeError) as ours:
        nn.utils.rnn.pack_padded_sequence(gt.tensor(x), [2, 5, 1])
    assert str(ours.value) == str(ref.value)


def test_pad_sequence_and_pack_sequence_match_torch():
    arrays = [randn(3, 2, seed=1), randn(5, 2, seed=2), randn(1, 2, seed=3)]
    for batch_first in (False, True):
        for side in ("right", "left"):
            ours = nn.utils.rnn.pad_sequence([gt.tensor(a) for a in arrays], batch_first, -1.0, side)
            ref = torch.nn.utils.rnn.pad_sequence([torch.tensor(a) for a in arrays], batch_first, -1.0, side)
            np.testing.assert_array_equal(ours.numpy(), ref.numpy())
    ours = nn.utils.rnn.pack_sequence([gt.tensor(a) for a in arrays], enforce_sorted=False)
    ref = torch.nn.utils.rnn.pack_sequence([torch.tensor(a) for a in arrays], enforce_sorted=False)
    for field in ("data", "batch_sizes", "sorted_indices", "unsorted_indices"):
        np.testing.assert_array_equal(getattr(ours, field).numpy(), getattr(ref, field).numpy(), err_msg=field)
    padded, lengths = nn.utils.rnn.pad_packed_sequence(ours, batch_first=True, padding_value=9.0, total_length=7)
    ref_padded, ref_lengths = torch.nn.utils.rnn.pad_packed_sequence(ref, batch_first=True, padding_value=9.0,
                                                                     total_length=7)
    np.testing.assert_array_equal(padded.numpy(), ref_padded.numpy())
    np.testing.assert_array_equal(lengths.numpy(), ref_lengths.numpy())


def test_weights_move_through_safetensors(tmp_path):
    from safetensors.torch import load_file

    ours = nn.GRU(4, 5, num_layers=2, bidirectional=True)
    gt.save(ours.state_dict(), tmp_path / "gru.safetensors")
    ref = torch.nn.GRU(4, 5, num_layers=2, bidirectional=True)
    ref.load_state_dict(load_file(tmp_path / "gru.safetensors"))
    x = randn(3, 2, 4)
    np.testing.assert_allclose(ours(gt.tensor(x))[0].detach().numpy(), ref(torch.tensor(x))[0].detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_initialisation_bounds_and_dropout_between_layers():
    lstm = nn.LSTM(3, 16, num_layers=2, dropout=0.5)
    for p in lstm.parameters():
        assert p.abs().max().item() <= 0.25 and p.std().item() > 0.1       # U(-1/sqrt(16), 1/sqrt(16))
    x = gt.randn(4, 2, 3)
    lstm.eval()
    assert lstm(x)[0].equal(lstm(x)[0])
    lstm.train()
    assert not lstm(x)[0].equal(lstm(x)[0])      # dropout on the first layer's output

